// Custom rules and typology config overrides as data (migration 9), over the store's SQL port.
// Who may write, backtest or publish is decided by the callers (CLI, HTTP routes); what the store
// guarantees on its own:
//   - only a rule that passes `checkRule` (fields, CEL syntax and types, aggregates, limits) is
//     stored; versions of a rule are numbered 1, 2, … by the store, never reused;
//   - draft → published → retired, each step a state-guarded UPDATE (`conflict` otherwise);
//   - a version is published only with a backtest recorded for that very definition (its config
//     version), and publishing retires the version published before (one published per rule);
//   - typology overrides are validated by the typology's own schema before they are stored.
// Rules and typology configs are consortium-wide detection settings, not tenant data: every
// exchange's events are judged by the same published rules.
import { KanshiError, badInput } from "../contracts/errors.ts";
import { configVersionOf, resolveConfig } from "../engine/config.ts";
import type { Registry } from "../engine/registry.ts";
import { checkRule, type RuleDefinition } from "../engine/rules/language.ts";
import { toNumber, toStr, type Row, type SqlDatabase, type SqlQueryable } from "./sql.ts";

export type RuleStatus = "draft" | "published" | "retired";
export const RULE_STATUSES: readonly RuleStatus[] = ["draft", "published", "retired"];

/** What a backtest of a draft found: recorded with the draft, shown before publishing. */
export interface RuleBacktestSummary {
  /** Events replayed. */
  readonly events: number;
  /** Alerts the rule raised over them. */
  readonly alerts: number;
  /** Accounts or entities it alerted on. */
  readonly subjects: number;
  /** First and last event time replayed (RFC 3339), or null for an empty history. */
  readonly from: string | null;
  readonly to: string | null;
  /** Alerts of the version published now, over the same events (null when none is). */
  readonly publishedAlerts: number | null;
  /** A few alert ids, for review. */
  readonly sample: readonly string[];
}

export interface RuleVersionRecord {
  readonly ruleId: string;
  readonly version: number;
  readonly definition: RuleDefinition;
  readonly configVersion: string;
  readonly status: RuleStatus;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly backtest: (RuleBacktestSummary & { readonly by: string; readonly at: number }) | null;
  readonly publishedBy: string | null;
  readonly publishedAt: number | null;
}

export interface TypologyConfigRecord {
  readonly typology: string;
  readonly version: number;
  readonly overrides: Record<string, unknown>;
  /** configVersion of the merged, validated config. */
  readonly configVersion: string;
  readonly createdBy: string;
  readonly createdAt: number;
}

export interface RuleStore {
  /**
   * Store a new draft version of a rule (the next version number; `definition.version` is ignored
   * and set). bad_input names the problem (`rule.expression:1:5: …`). With `opts.version`, that very
   * version number is stored or nothing is (`conflict` when it is not the next one): for callers that
   * write an audit record of the version before storing it.
   */
  addDraft(definition: unknown, by: { actor: string; at: number }, opts?: { version?: number }): Promise<RuleVersionRecord>;
  get(ruleId: string, version?: number): Promise<RuleVersionRecord | undefined>;
  /** Every version, newest rule change first; or only those of one status. */
  list(q?: { status?: RuleStatus; ruleId?: string }): Promise<RuleVersionRecord[]>;
  /** The definitions in force: one published version per rule, by rule id. */
  published(): Promise<RuleDefinition[]>;
  /** Record a backtest of a draft; `configVersion` must be the draft's (conflict otherwise). */
  recordBacktest(ruleId: string, version: number, r: { configVersion: string; summary: RuleBacktestSummary; actor: string; at: number }): Promise<RuleVersionRecord>;
  /** Publish a backtested draft, retiring the version published before. */
  publish(ruleId: string, version: number, by: { actor: string; at: number }): Promise<RuleVersionRecord>;
  /** Retire a published version (no version of the rule is in force afterwards); `conflict` when it is not published. */
  retire(ruleId: string, version: number, by: { actor: string; at: number }): Promise<RuleVersionRecord>;
  /** Store a new version of a typology's overrides, validated by its schema in `registry`. */
  setTypologyConfig(registry: Registry, typology: string, overrides: unknown, by: { actor: string; at: number }): Promise<TypologyConfigRecord>;
  /** The newest overrides per typology (for `createEngine({ configs })`). */
  typologyConfigs(): Promise<Record<string, Record<string, unknown>>>;
  typologyConfigHistory(typology: string): Promise<TypologyConfigRecord[]>;
}

const COLUMNS = `rule_id, version, definition, config_version, status, created_by, created_ms, backtest, backtest_by, backtest_ms, published_by, published_ms`;

function json<T>(v: unknown): T {
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}

function recordOf(r: Row): RuleVersionRecord {
  const backtest = r.backtest === null || r.backtest === undefined ? null : json<RuleBacktestSummary>(r.backtest);
  return {
    ruleId: toStr(r.rule_id, "rule_versions.rule_id"),
    version: toNumber(r.version, "rule_versions.version"),
    definition: json<RuleDefinition>(r.definition),
    configVersion: toStr(r.config_version, "rule_versions.config_version"),
    status: toStr(r.status, "rule_versions.status") as RuleStatus,
    createdBy: toStr(r.created_by, "rule_versions.created_by"),
    createdAt: toNumber(r.created_ms, "rule_versions.created_ms"),
    backtest: backtest === null ? null : { ...backtest, by: toStr(r.backtest_by, "backtest_by"), at: toNumber(r.backtest_ms, "backtest_ms") },
    publishedBy: r.published_by === null || r.published_by === undefined ? null : toStr(r.published_by, "published_by"),
    publishedAt: r.published_ms === null || r.published_ms === undefined ? null : toNumber(r.published_ms, "published_ms"),
  };
}

function checkActor(by: { actor: string; at: number }): void {
  if (typeof by?.actor !== "string" || by.actor.length === 0 || by.actor.length > 200) throw badInput("expected who acts (1–200 characters)", "actor");
  if (!Number.isSafeInteger(by.at) || by.at < 0) throw badInput("expected epoch milliseconds", "at");
}

function checkRuleId(id: unknown): string {
  if (typeof id !== "string" || !/^[a-z][a-z0-9-]{0,47}$/.test(id)) throw badInput("expected a rule id (lower-case letters, digits and '-')", "ruleId");
  return id;
}

function checkVersion(v: unknown): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) throw badInput("expected a version number ≥ 1", "version");
  return v;
}

const isUniqueViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === "23505";

export function createSqlRuleStore(db: SqlDatabase, live: () => void = () => undefined): RuleStore {
  async function getIn(q: SqlQueryable, ruleId: string, version: number): Promise<RuleVersionRecord | undefined> {
    const [r] = await q.query(`SELECT ${COLUMNS} FROM rule_versions WHERE rule_id = $1 AND version = $2`, [ruleId, version]);
    return r ? recordOf(r) : undefined;
  }

  async function explain(ruleId: string, version: number, step: string): Promise<never> {
    const now = await getIn(db, ruleId, version);
    if (now === undefined) throw new KanshiError("not_found", `no rule ${ruleId} version ${version}`, "version");
    throw new KanshiError("conflict", `rule ${ruleId} v${version} is ${now.status}; only a draft can be ${step}`, "status");
  }

  return {
    async addDraft(definition, by, opts = {}) {
      live();
      checkActor(by);
      if (typeof definition !== "object" || definition === null || Array.isArray(definition)) throw badInput("expected a rule definition object", "rule");
      const ruleId = checkRuleId((definition as { id?: unknown }).id);
      const expected = opts.version === undefined ? undefined : checkVersion(opts.version);
      for (let attempt = 0; attempt < 3; attempt++) {
        const [row] = await db.query(`SELECT COALESCE(MAX(version), 0) AS v FROM rule_versions WHERE rule_id = $1`, [ruleId]);
        const version = toNumber(row?.v, "version") + 1;
        if (expected !== undefined && version !== expected) throw new KanshiError("conflict", `rule ${ruleId}'s next version is ${version}, not ${expected}; try again`, "version");
        const r = checkRule({ ...(definition as object), version });
        if (!r.ok) {
          const p = r.problems[0]!;
          throw badInput(p.message + (r.problems.length > 1 ? ` (and ${r.problems.length - 1} more)` : ""), `rule.${p.path}`);
        }
        const def = r.rule.definition;
        try {
          const [ins] = await db.query(
            `INSERT INTO rule_versions (rule_id, version, definition, config_version, status, created_by, created_ms)
             VALUES ($1, $2, $3, $4, 'draft', $5, $6) RETURNING ${COLUMNS}`,
            [ruleId, version, JSON.stringify(def), configVersionOf(def), by.actor, by.at],
          );
          return recordOf(ins!);
        } catch (e) {
          if (!isUniqueViolation(e)) throw e; // another writer took this version number: take the next
          if (expected !== undefined) throw new KanshiError("conflict", `rule ${ruleId} v${expected} was stored by someone else; try again`, "version");
        }
      }
      throw new KanshiError("conflict", `rule ${ruleId} is being changed by someone else; try again`, "rule.id");
    },

    async get(ruleId, version) {
      live();
      const id = checkRuleId(ruleId);
      if (version !== undefined) return getIn(db, id, checkVersion(version));
      const [r] = await db.query(`SELECT ${COLUMNS} FROM rule_versions WHERE rule_id = $1 ORDER BY version DESC LIMIT 1`, [id]);
      return r ? recordOf(r) : undefined;
    },

    async list(q = {}) {
      live();
      const where: string[] = [];
      const params: unknown[] = [];
      if (q.status !== undefined) {
        if (!RULE_STATUSES.includes(q.status)) throw badInput(`expected one of ${RULE_STATUSES.join(", ")}`, "status");
        params.push(q.status);
        where.push(`status = $${params.length}`);
      }
      if (q.ruleId !== undefined) {
        params.push(checkRuleId(q.ruleId));
        where.push(`rule_id = $${params.length}`);
      }
      const rows = await db.query(`SELECT ${COLUMNS} FROM rule_versions ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY rule_id, version DESC`, params);
      return rows.map(recordOf);
    },

    async published() {
      live();
      const rows = await db.query(`SELECT ${COLUMNS} FROM rule_versions WHERE status = 'published' ORDER BY rule_id`);
      return rows.map((r) => recordOf(r).definition);
    },

    async recordBacktest(ruleId, version, r) {
      live();
      checkActor(r);
      const id = checkRuleId(ruleId);
      const v = checkVersion(version);
      if (typeof r.summary !== "object" || r.summary === null) throw badInput("expected a backtest summary", "summary");
      const rows = await db.query(
        `UPDATE rule_versions SET backtest = $3, backtest_config_version = $4, backtest_by = $5, backtest_ms = $6
         WHERE rule_id = $1 AND version = $2 AND status = 'draft' AND config_version = $4 RETURNING ${COLUMNS}`,
        [id, v, JSON.stringify(r.summary), r.configVersion, r.actor, r.at],
      );
      if (rows[0]) return recordOf(rows[0]);
      const now = await getIn(db, id, v);
      if (now !== undefined && now.status === "draft") throw new KanshiError("conflict", `the backtest ran config ${r.configVersion}; rule ${id} v${v} is ${now.configVersion}`, "configVersion");
      return explain(id, v, "backtested");
    },

    async publish(ruleId, version, by) {
      live();
      checkActor(by);
      const id = checkRuleId(ruleId);
      const v = checkVersion(version);
      const draft = await getIn(db, id, v);
      if (draft === undefined) throw new KanshiError("not_found", `no rule ${id} version ${v}`, "version");
      if (draft.status !== "draft") throw new KanshiError("conflict", `rule ${id} v${v} is ${draft.status}; only a draft can be published`, "status");
      if (draft.backtest === null) throw new KanshiError("conflict", `rule ${id} v${v} has no backtest on record; backtest it against history before publishing`, "backtest");
      try {
        return await db.transaction(async (tx) => {
          await tx.query(`UPDATE rule_versions SET status = 'retired' WHERE rule_id = $1 AND status = 'published'`, [id]);
          const rows = await tx.query(
            `UPDATE rule_versions SET status = 'published', published_by = $3, published_ms = $4
             WHERE rule_id = $1 AND version = $2 AND status = 'draft' AND backtest IS NOT NULL RETURNING ${COLUMNS}`,
            [id, v, by.actor, by.at],
          );
          if (!rows[0]) throw new KanshiError("conflict", `rule ${id} v${v} changed while publishing; try again`, "status");
          return recordOf(rows[0]);
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw new KanshiError("conflict", `another version of rule ${id} was published at the same time; try again`, "status");
        throw e;
      }
    },

    async retire(ruleId, version, by) {
      live();
      checkActor(by);
      const id = checkRuleId(ruleId);
      const v = checkVersion(version);
      const rows = await db.query(`UPDATE rule_versions SET status = 'retired' WHERE rule_id = $1 AND version = $2 AND status = 'published' RETURNING ${COLUMNS}`, [id, v]);
      if (rows[0]) return recordOf(rows[0]);
      const now = await getIn(db, id, v);
      if (now === undefined) throw new KanshiError("not_found", `no rule ${id} version ${v}`, "version");
      throw new KanshiError("conflict", `rule ${id} v${v} is ${now.status}; only a published version can be retired`, "status");
    },

    async setTypologyConfig(registry, typology, overrides, by) {
      live();
      checkActor(by);
      const t = registry.get(typology);
      if (t === undefined) throw badInput(`unknown typology (known: ${registry.ids().join(", ")})`, "typology");
      if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) throw badInput("expected an object of overrides", typology);
      const config = resolveConfig(t, overrides);
      for (let attempt = 0; attempt < 3; attempt++) {
        const [row] = await db.query(`SELECT COALESCE(MAX(version), 0) AS v FROM typology_configs WHERE typology = $1`, [typology]);
        const version = toNumber(row?.v, "version") + 1;
        try {
          const [ins] = await db.query(
            `INSERT INTO typology_configs (typology, version, overrides, config_version, created_by, created_ms)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING typology, version, overrides, config_version, created_by, created_ms`,
            [typology, version, JSON.stringify(overrides), configVersionOf(config), by.actor, by.at],
          );
          return configOf(ins!);
        } catch (e) {
          if (!isUniqueViolation(e)) throw e;
        }
      }
      throw new KanshiError("conflict", `typology ${typology}'s config is being changed by someone else; try again`, "typology");
    },

    async typologyConfigs() {
      live();
      const rows = await db.query(
        `SELECT DISTINCT ON (typology) typology, version, overrides, config_version, created_by, created_ms
         FROM typology_configs ORDER BY typology, version DESC`,
      );
      return Object.fromEntries(rows.map((r) => [toStr(r.typology, "typology"), json<Record<string, unknown>>(r.overrides)]));
    },

    async typologyConfigHistory(typology) {
      live();
      const rows = await db.query(
        `SELECT typology, version, overrides, config_version, created_by, created_ms FROM typology_configs WHERE typology = $1 ORDER BY version DESC`,
        [typology],
      );
      return rows.map(configOf);
    },
  };
}

function configOf(r: Row): TypologyConfigRecord {
  return {
    typology: toStr(r.typology, "typology_configs.typology"),
    version: toNumber(r.version, "typology_configs.version"),
    overrides: json<Record<string, unknown>>(r.overrides),
    configVersion: toStr(r.config_version, "typology_configs.config_version"),
    createdBy: toStr(r.created_by, "typology_configs.created_by"),
    createdAt: toNumber(r.created_ms, "typology_configs.created_ms"),
  };
}
