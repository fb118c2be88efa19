// Cases (migration 7) over the store's SQL port: cases, the alerts grouped into them, the accounts
// they touch, their history, sealed notes and evidence; and the accounts Kanshi has seen in alerts
// with their owning exchange and pseudonym. This is storage: who may do what is decided in
// src/cases/ (model.ts) by the case service. What the store guarantees on its own:
//   - at most one case that is not closed per subject (a partial unique index): two writers opening
//     one get `conflict`, and so does reopening a case while its subject has another;
//   - an alert belongs to at most one case (alert id is the key of case_alerts);
//   - every change names the version it read; a stale one is a `conflict` and changes nothing;
//   - note text is stored sealed only ("ks1." text from the privacy Keyring), never in plaintext;
//   - tenant-aware reads: every read of case data takes a `CaseViewer`; an exchange officer's viewer
//     (its tenant) sees only cases touching accounts its exchange holds.
// Times are epoch ms from the service's clock (wall clock); alert times stay as the alerts carry them.
import type { Alert } from "../contracts/alerts.ts";
import { badInput, KanshiError } from "../contracts/errors.ts";
import { caseId as toCaseId, entityId as toEntityId, type EntityId } from "../contracts/ids.ts";
import { DEFAULT_POLICY_CONFIG, type EntityState } from "../privacy/policy.ts";
import {
  entityStateOf,
  isCaseState,
  isDisposition,
  type CaseAccount,
  type CaseHistoryEntry,
  type CaseRecord,
  type CaseStateName,
  type Disposition,
  type EvidenceInput,
  type GraphSnapshot,
  type SubjectKind,
} from "../cases/model.ts";
import { toNumber, toStr, type Row, type SqlDatabase, type SqlQueryable } from "./sql.ts";
import type { SealedRewrapper } from "./disclosures.ts";
import { rewrapSealedColumn, type ColumnRewrapResult } from "./rewrap-column.ts";

/** Whose view a read is for: an exchange (officer) sees only cases touching its accounts; null sees all. */
export interface CaseViewer {
  readonly tenant: string | null;
}
/** The consortium-wide view (analysts, supervisors, regulators, and the case service itself). */
export const ALL_CASES: CaseViewer = Object.freeze({ tenant: null });

export const CASE_SORTS = ["-openedAt", "openedAt", "-updatedAt", "updatedAt", "-score", "score", "dueAt", "-dueAt", "-alertCount", "alertCount"] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

export interface CaseQuery {
  /** Only cases in one of these states. */
  readonly states?: readonly CaseStateName[];
  /** Only cases assigned to this principal id; null: only unassigned cases. */
  readonly assignee?: string | null;
  /** Only cases about this subject (entity id, or account id for account cases). */
  readonly entity?: string;
  /** Only cases touching this account (with `owner`, at that exchange only). */
  readonly account?: { readonly accountId: string; readonly owner?: string };
  readonly minScore?: number;
  readonly maxScore?: number;
  /** Default "-openedAt" (newest first). Cases without a due date sort as due last. */
  readonly sort?: CaseSort;
  /** 1..200, default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page (of the same sort). */
  readonly cursor?: string;
}

export interface CasePage {
  readonly items: CaseRecord[];
  readonly nextCursor: string | null;
}

/** An account seen in an alert: its exchange and its pseudonym. */
export interface AlertedAccount {
  readonly owner: string;
  readonly accountId: string;
  readonly pseudonym: string;
}

export interface CaseAccountView extends CaseAccount {
  /** Null when the account was never registered (should not happen: the service registers them). */
  readonly pseudonym: string | null;
}

/** An alert about a subject, with the case it belongs to. */
export interface SubjectAlertRow {
  readonly alert: Alert;
  readonly caseId: string | null;
  /** Its case was closed as a false positive. */
  readonly dismissed: boolean;
}

export interface StoredNote {
  readonly id: string;
  readonly caseId: string;
  readonly at: number;
  readonly author: string;
  readonly textSealed: string;
}

export type StoredEvidence = EvidenceInput & { readonly id: string; readonly caseId: string; readonly addedBy: string; readonly addedAt: number };

/** An event as evidence lookups return it. */
export interface EvidenceEventRow {
  readonly source: string;
  readonly id: string;
  readonly type: string;
  readonly ts: string;
  readonly body: string;
}

export interface HistoryInput {
  readonly caseId: string;
  readonly actor: string;
  readonly action: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface NewCase {
  readonly id: string;
  readonly entityId: string;
  readonly subjectKind: SubjectKind;
  readonly score: number;
  readonly lastScore: number;
  readonly openedBy: string;
  readonly openedReason: "score" | "manual";
  readonly openedAt: number;
  readonly dueAt: number | null;
  readonly assignee: string | null;
  readonly firstAlertTs: string | null;
  readonly lastAlertTs: string | null;
  /** Alerts joining with it (written in the same sync); 0 for a case opened by hand. */
  readonly alertCount: number;
}

export interface CaseGrowth {
  readonly id: string;
  readonly expectedVersion: number;
  readonly score: number;
  readonly lastScore: number;
  readonly addedAlerts: number;
  readonly firstAlertTs: string | null;
  readonly lastAlertTs: string | null;
}

/** Everything one run of grouping writes, in one transaction. */
export interface CaseSyncWrite {
  /** Epoch ms of the run. */
  readonly at: number;
  readonly newCases: readonly NewCase[];
  readonly growth: readonly CaseGrowth[];
  readonly caseAlerts: readonly { readonly caseId: string; readonly alertId: string }[];
  readonly caseAccounts: readonly { readonly caseId: string; readonly owner: string; readonly accountId: string }[];
  readonly alertedAccounts: readonly AlertedAccount[];
  readonly history: readonly HistoryInput[];
}

export interface CasePatch {
  readonly state?: CaseStateName;
  readonly disposition?: Disposition | null;
  readonly closedAt?: number | null;
  readonly reportedAt?: number | null;
  readonly assignee?: string | null;
  readonly dueAt?: number | null;
}

export interface CaseStore {
  // ---- reads for people (tenant-aware) ----
  list(viewer: CaseViewer, q?: CaseQuery): Promise<CasePage>;
  get(viewer: CaseViewer, id: string): Promise<CaseRecord | undefined>;
  /** The case's alerts, in event-time order. */
  alerts(viewer: CaseViewer, id: string): Promise<Alert[]>;
  accounts(viewer: CaseViewer, id: string): Promise<CaseAccountView[]>;
  history(viewer: CaseViewer, id: string): Promise<CaseHistoryEntry[]>;
  notes(viewer: CaseViewer, id: string): Promise<StoredNote[]>;
  evidence(viewer: CaseViewer, id: string): Promise<StoredEvidence[]>;
  /** Alerts about subjects (entity or account ids), with their case; an officer's viewer sees those touching its accounts. */
  subjectAlerts(viewer: CaseViewer, subjects: readonly string[]): Promise<SubjectAlertRow[]>;
  /** Accounts seen in alerts, by id (any owner), for a viewer: an officer sees only its own exchange's. */
  alertedAccounts(viewer: CaseViewer, accountIds: readonly string[]): Promise<AlertedAccount[]>;
  /** The account behind a pseudonym, when Kanshi has seen it in an alert. */
  accountByPseudonym(pseudonym: string): Promise<AlertedAccount | undefined>;

  // ---- for the disclosure policy and the purge ----
  /**
   * The disclosure policy's view of an entity (or account subject): every case about it with its
   * policy status (closed, or open in any other state) and peak score. Consortium-level: no tenant.
   */
  entityState(entityId: string): Promise<EntityState>;
  /**
   * True when any case about one of `subjects` (entity ids, account ids) — or touching one of the
   * accounts in `opts.accounts` — ever reached `threshold` (default: the disclosure policy's, 70) or
   * was reported. Such an entity was a suspect once; the purge must keep what the law says to keep.
   */
  wasEverSuspect(subjects: string | readonly string[], opts?: { readonly accounts?: readonly string[]; readonly threshold?: number }): Promise<boolean>;

  // ---- for the case service ----
  /** The subjects' cases that are not closed (at most one each). */
  activeCases(subjects: readonly string[]): Promise<Map<string, CaseRecord>>;
  /** Subjects (entity or account ids) that have alerts in no case; for a sync from the stored alerts. */
  subjectsWithUnattachedAlerts(): Promise<string[]>;
  /** Stored events by key (`source:id`), for evidence and account owners. Unknown keys are left out. */
  eventsByKey(keys: readonly string[]): Promise<EvidenceEventRow[]>;
  alertsById(ids: readonly string[]): Promise<Alert[]>;
  /** Newest alert time stored (RFC 3339 UTC), or null: Kanshi's event-time "now". */
  latestAlertTs(): Promise<string | null>;
  /** One grouping run, in one transaction; `conflict` when another writer changed a case, attached an alert or opened a case for a subject first. */
  applySync(w: CaseSyncWrite): Promise<void>;
  /**
   * A case opened by hand, with the accounts it touches (and their pseudonyms, registered as seen) and
   * its history entry; `conflict` when the subject has an active case.
   */
  create(c: NewCase, accounts: readonly AlertedAccount[], history: HistoryInput, at: number): Promise<CaseRecord>;
  /** Changes a case read at `expectedVersion`; `conflict` when it changed since, `not_found` when unknown. */
  update(id: string, expectedVersion: number, patch: CasePatch, history: HistoryInput, at: number): Promise<CaseRecord>;
  addNote(n: StoredNote, history: HistoryInput): Promise<void>;
  addEvidence(e: StoredEvidence, history: HistoryInput): Promise<void>;
  /**
   * Key rotation: re-wraps every sealed note text under the keyring's current master key (no
   * plaintext is produced; a value changed meanwhile is left alone). `unreadable` counts notes under a
   * key id the keyring does not hold.
   */
  rewrapNotes(keyring: SealedRewrapper): Promise<ColumnRewrapResult>;
}

// ---- validation -----------------------------------------------------------------------------------

const MAX_ID = 256;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
const MAX_LOOKUP = 50_000;
const CHUNK = 5000;

function checkId(v: unknown, where: string): string {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (typeof v !== "string" || v.length === 0 || v.length > MAX_ID || /[\u0000-\u001f]/.test(v)) {
    throw badInput(`expected 1–${MAX_ID} characters without control characters`, where);
  }
  return v;
}

function checkTime(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw badInput("expected epoch milliseconds (a whole number ≥ 0)", where);
  return v;
}

function checkScore(v: unknown, where: string): number {
  if (typeof v !== "number" || !(v >= 0 && v <= 100)) throw badInput("expected a number from 0 to 100", where);
  return v;
}

function checkIds(v: unknown, where: string): string[] {
  if (!Array.isArray(v)) throw badInput("expected an array", where);
  if (v.length > MAX_LOOKUP) throw badInput(`at most ${MAX_LOOKUP} per call`, where);
  return v.map((x, i) => checkId(x, `${where}[${i}]`));
}

function checkViewer(v: CaseViewer): string | null {
  if (v === null || typeof v !== "object" || (v.tenant !== null && (typeof v.tenant !== "string" || v.tenant === ""))) {
    throw badInput("expected { tenant: an exchange id, or null for the consortium-wide view }", "viewer");
  }
  return v.tenant;
}

const jsonOut = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v);

// ---- rows -----------------------------------------------------------------------------------------

const CASE_COLUMNS = `c.id, c.entity_id, c.subject_kind, c.state, c.disposition, c.score, c.last_score, c.assignee, c.opened_by,
  c.opened_reason, c.opened_ms, c.updated_ms, c.closed_ms, c.reported_ms, c.due_ms, c.first_alert_ts, c.last_alert_ts,
  c.alert_count, array_to_json(c.tenants)::text AS tenants, c.version`;

const iso = (v: unknown, what: string): string | null => (v === null || v === undefined ? null : new Date(toNumber(v, what)).toISOString());

function caseOf(r: Row): CaseRecord {
  const state = toStr(r.state, "cases.state");
  const disposition = r.disposition === null ? null : toStr(r.disposition, "cases.disposition");
  if (!isCaseState(state)) throw new KanshiError("internal", `store: unknown case state ${JSON.stringify(state)}`);
  if (disposition !== null && !isDisposition(disposition)) throw new KanshiError("internal", `store: unknown disposition ${JSON.stringify(disposition)}`);
  return {
    id: toCaseId(toStr(r.id, "cases.id")),
    entityId: toEntityId(toStr(r.entity_id, "cases.entity_id")),
    subjectKind: toStr(r.subject_kind, "cases.subject_kind") as SubjectKind,
    state,
    disposition,
    score: toNumber(r.score, "cases.score"),
    lastScore: toNumber(r.last_score, "cases.last_score"),
    assignee: r.assignee === null ? null : toStr(r.assignee, "cases.assignee"),
    openedBy: toStr(r.opened_by, "cases.opened_by"),
    openedReason: toStr(r.opened_reason, "cases.opened_reason") as "score" | "manual",
    openedAt: iso(r.opened_ms, "cases.opened_ms")!,
    updatedAt: iso(r.updated_ms, "cases.updated_ms")!,
    closedAt: iso(r.closed_ms, "cases.closed_ms"),
    reportedAt: iso(r.reported_ms, "cases.reported_ms"),
    dueAt: iso(r.due_ms, "cases.due_ms"),
    firstAlertTs: r.first_alert_ts === null ? null : toStr(r.first_alert_ts, "cases.first_alert_ts"),
    lastAlertTs: r.last_alert_ts === null ? null : toStr(r.last_alert_ts, "cases.last_alert_ts"),
    alertCount: toNumber(r.alert_count, "cases.alert_count"),
    tenants: JSON.parse(toStr(r.tenants, "cases.tenants")) as string[],
    version: toNumber(r.version, "cases.version"),
  };
}

// ---- cursors --------------------------------------------------------------------------------------

/** Each sort: its SQL key expression and direction. */
const SORT_SQL: Record<CaseSort, { expr: string; desc: boolean; numeric: boolean }> = {
  "-openedAt": { expr: "c.opened_ms", desc: true, numeric: true },
  openedAt: { expr: "c.opened_ms", desc: false, numeric: true },
  "-updatedAt": { expr: "c.updated_ms", desc: true, numeric: true },
  updatedAt: { expr: "c.updated_ms", desc: false, numeric: true },
  "-score": { expr: "c.score", desc: true, numeric: true },
  score: { expr: "c.score", desc: false, numeric: true },
  dueAt: { expr: "coalesce(c.due_ms, 9007199254740991)", desc: false, numeric: true },
  "-dueAt": { expr: "coalesce(c.due_ms, 9007199254740991)", desc: true, numeric: true },
  "-alertCount": { expr: "c.alert_count", desc: true, numeric: true },
  alertCount: { expr: "c.alert_count", desc: false, numeric: true },
};

function encodeCursor(sort: CaseSort, key: number, id: string): string {
  return Buffer.from(JSON.stringify([sort, key, id]), "utf8").toString("base64url");
}

function decodeCursor(cursor: unknown, sort: CaseSort): [number, string] {
  let v: unknown;
  try {
    v = typeof cursor === "string" ? JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) : undefined;
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.length !== 3 || typeof v[1] !== "number" || !Number.isFinite(v[1]) || typeof v[2] !== "string") {
    throw badInput("not a cursor returned by a previous page", "cursor");
  }
  if (v[0] !== sort) throw badInput(`this cursor belongs to sort ${JSON.stringify(v[0])}, not ${sort}`, "cursor");
  return [v[1], v[2]];
}

// ---- the store ------------------------------------------------------------------------------------

const isUniqueViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === "23505";

export function createSqlCaseStore(db: SqlDatabase, live: () => void = () => undefined): CaseStore {
  /** WHERE fragment limiting cases `c` to a tenant ($n given by p). */
  const scope = (tenant: string | null, p: (v: unknown) => string): string => (tenant === null ? "TRUE" : `c.tenants @> ARRAY[${p(tenant)}::text]`);

  async function visibleCase(q: SqlQueryable, viewer: CaseViewer, id: string): Promise<CaseRecord | undefined> {
    const tenant = checkViewer(viewer);
    const params: unknown[] = [checkId(id, "id")];
    const p = (v: unknown) => (params.push(v), `$${params.length}`);
    const [r] = await q.query(`SELECT ${CASE_COLUMNS} FROM cases c WHERE c.id = $1 AND ${scope(tenant, p)}`, params);
    return r ? caseOf(r) : undefined;
  }

  /** Reads of a case's parts: empty for a case the viewer cannot see. */
  async function partsOf<T>(viewer: CaseViewer, id: string, sql: string, map: (r: Row) => T): Promise<T[]> {
    live();
    const c = await visibleCase(db, viewer, id);
    if (!c) return [];
    return (await db.query(sql, [c.id])).map(map);
  }

  async function history(tx: SqlQueryable, entries: readonly HistoryInput[], at: number): Promise<void> {
    if (entries.length === 0) return;
    await tx.query(
      `INSERT INTO case_history (case_id, at_ms, actor, action, details)
       SELECT case_id, $2::int8, actor, action, details FROM json_to_recordset($1::json) AS x(case_id text, actor text, action text, details jsonb)`,
      [JSON.stringify(entries.map((h, i) => ({ case_id: checkId(h.caseId, `history[${i}].caseId`), actor: checkId(h.actor, `history[${i}].actor`), action: checkId(h.action, `history[${i}].action`), details: h.details ?? {} }))), at],
    );
  }

  function checkNewCase(c: NewCase, where: string) {
    if (c.subjectKind !== "entity" && c.subjectKind !== "account") throw badInput('expected "entity" or "account"', `${where}.subjectKind`);
    if (c.openedReason !== "score" && c.openedReason !== "manual") throw badInput('expected "score" or "manual"', `${where}.openedReason`);
    return {
      id: checkId(c.id, `${where}.id`),
      entity_id: checkId(c.entityId, `${where}.entityId`),
      subject_kind: c.subjectKind,
      score: checkScore(c.score, `${where}.score`),
      last_score: checkScore(c.lastScore, `${where}.lastScore`),
      opened_by: checkId(c.openedBy, `${where}.openedBy`),
      opened_reason: c.openedReason,
      opened_ms: checkTime(c.openedAt, `${where}.openedAt`),
      due_ms: c.dueAt === null ? null : checkTime(c.dueAt, `${where}.dueAt`),
      assignee: c.assignee === null ? null : checkId(c.assignee, `${where}.assignee`),
      first_alert_ts: c.firstAlertTs,
      last_alert_ts: c.lastAlertTs,
      alert_count: checkTime(c.alertCount, `${where}.alertCount`),
    };
  }

  const INSERT_CASES = `
    INSERT INTO cases (id, entity_id, subject_kind, state, score, last_score, assignee, opened_by, opened_reason, opened_ms, updated_ms, due_ms, first_alert_ts, last_alert_ts, alert_count)
    SELECT id, entity_id, subject_kind, 'open', score, last_score, assignee, opened_by, opened_reason, opened_ms, opened_ms, due_ms, first_alert_ts, last_alert_ts, alert_count
    FROM json_to_recordset($1::json) AS x(id text, entity_id text, subject_kind text, score float8, last_score float8, assignee text, opened_by text,
                                          opened_reason text, opened_ms int8, due_ms int8, first_alert_ts text, last_alert_ts text, alert_count int4)
    ORDER BY id`;

  /** Recomputes the tenants of cases from their accounts (unknown owners do not count). */
  const REFRESH_TENANTS = `
    UPDATE cases c SET tenants = coalesce((SELECT array_agg(DISTINCT a.owner ORDER BY a.owner) FROM case_accounts a WHERE a.case_id = c.id AND a.owner <> '?'), '{}')
    WHERE c.id = ANY($1::text[])`;

  const conflictOf = (e: unknown, message: string): unknown => (isUniqueViolation(e) ? new KanshiError("conflict", message) : e);

  return {
    async list(viewer, q = {}) {
      live();
      const tenant = checkViewer(viewer);
      const params: unknown[] = [];
      const p = (v: unknown) => (params.push(v), `$${params.length}`);
      const where: string[] = [scope(tenant, p)];
      if (q.states !== undefined) {
        if (!Array.isArray(q.states) || q.states.length === 0) throw badInput("expected a non-empty list of states", "states");
        q.states.forEach((s, i) => {
          if (!isCaseState(s)) throw badInput("expected open, investigating, escalated, reported or closed", `states[${i}]`);
        });
        where.push(`c.state = ANY(${p(q.states)}::text[])`);
      }
      if (q.assignee !== undefined) where.push(q.assignee === null ? "c.assignee IS NULL" : `c.assignee = ${p(checkId(q.assignee, "assignee"))}`);
      if (q.entity !== undefined) where.push(`c.entity_id = ${p(checkId(q.entity, "entity"))}`);
      if (q.account !== undefined) {
        const acc = checkId(q.account?.accountId, "account.accountId");
        const owner = q.account.owner === undefined ? null : checkId(q.account.owner, "account.owner");
        where.push(`EXISTS (SELECT 1 FROM case_accounts a WHERE a.case_id = c.id AND a.account_id = ${p(acc)}${owner === null ? "" : ` AND a.owner = ${p(owner)}`})`);
      }
      if (q.minScore !== undefined) where.push(`c.score >= ${p(checkScore(q.minScore, "minScore"))}`);
      if (q.maxScore !== undefined) where.push(`c.score <= ${p(checkScore(q.maxScore, "maxScore"))}`);
      const sort = q.sort ?? "-openedAt";
      const s = SORT_SQL[sort];
      if (!s) throw badInput(`expected one of ${CASE_SORTS.join(", ")}`, "sort");
      let limit = DEFAULT_LIMIT;
      if (q.limit !== undefined) {
        if (typeof q.limit !== "number" || !Number.isInteger(q.limit) || q.limit < 1) throw badInput("expected a positive integer", "limit");
        limit = Math.min(q.limit, MAX_LIMIT);
      }
      if (q.cursor !== undefined) {
        const [key, id] = decodeCursor(q.cursor, sort);
        where.push(`(${s.expr}, c.id) ${s.desc ? "<" : ">"} (${p(key)}::float8, ${p(id)}::text COLLATE "C")`);
      }
      const dir = s.desc ? "DESC" : "ASC";
      const rows = await db.query(
        `SELECT ${CASE_COLUMNS}, (${s.expr})::float8 AS sort_key FROM cases c WHERE ${where.join(" AND ")}
         ORDER BY ${s.expr} ${dir}, c.id ${dir} LIMIT ${p(limit + 1)}`,
        params,
      );
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(caseOf),
        nextCursor: more && last ? encodeCursor(sort, toNumber(last.sort_key, "sort key"), toStr(last.id, "cases.id")) : null,
      };
    },

    async get(viewer, id) {
      live();
      return visibleCase(db, viewer, id);
    },

    alerts(viewer, id) {
      return partsOf(viewer, id, `SELECT a.body FROM case_alerts ca JOIN alerts a ON a.id = ca.alert_id WHERE ca.case_id = $1 ORDER BY a.ts, a.id`, (r) => jsonOut(r.body) as Alert);
    },

    accounts(viewer, id) {
      return partsOf(
        viewer,
        id,
        `SELECT a.owner, a.account_id, k.pseudonym FROM case_accounts a LEFT JOIN alerted_accounts k ON k.owner = a.owner AND k.account_id = a.account_id
         WHERE a.case_id = $1 ORDER BY a.owner, a.account_id`,
        (r) => ({ owner: toStr(r.owner, "owner"), accountId: toStr(r.account_id, "account_id"), pseudonym: r.pseudonym === null ? null : toStr(r.pseudonym, "pseudonym") }),
      );
    },

    history(viewer, id) {
      return partsOf(viewer, id, `SELECT id, at_ms, actor, action, details::text AS details FROM case_history WHERE case_id = $1 ORDER BY id`, (r) => ({
        seq: toNumber(r.id, "case_history.id"),
        at: iso(r.at_ms, "case_history.at_ms")!,
        actor: toStr(r.actor, "actor"),
        action: toStr(r.action, "action"),
        details: JSON.parse(toStr(r.details, "details")) as Record<string, unknown>,
      }));
    },

    notes(viewer, id) {
      return partsOf(viewer, id, `SELECT id, case_id, at_ms, author, text_sealed FROM case_notes WHERE case_id = $1 ORDER BY seq`, (r) => ({
        id: toStr(r.id, "case_notes.id"),
        caseId: toStr(r.case_id, "case_notes.case_id"),
        at: toNumber(r.at_ms, "case_notes.at_ms"),
        author: toStr(r.author, "case_notes.author"),
        textSealed: toStr(r.text_sealed, "case_notes.text_sealed"),
      }));
    },

    evidence(viewer, id) {
      return partsOf(viewer, id, `SELECT id, case_id, kind, ref, graph::text AS graph, added_by, added_ms FROM case_evidence WHERE case_id = $1 ORDER BY seq`, (r): StoredEvidence => {
        const base = { id: toStr(r.id, "id"), caseId: toStr(r.case_id, "case_id"), addedBy: toStr(r.added_by, "added_by"), addedAt: toNumber(r.added_ms, "added_ms") };
        const kind = toStr(r.kind, "kind");
        if (kind === "graph") return { ...base, kind: "graph", graph: JSON.parse(toStr(r.graph, "graph")) as GraphSnapshot };
        return { ...base, kind: kind as "event" | "alert", ref: toStr(r.ref, "ref") };
      });
    },

    async subjectAlerts(viewer, subjects) {
      live();
      const tenant = checkViewer(viewer);
      const ids = checkIds(subjects, "subjects");
      if (ids.length === 0) return [];
      const out: SubjectAlertRow[] = [];
      for (let i = 0; i < ids.length; i += CHUNK) {
        const params: unknown[] = [ids.slice(i, i + CHUNK)];
        const touches = tenant === null ? "" : `AND EXISTS (SELECT 1 FROM alerted_accounts k WHERE k.owner = $2 AND k.account_id = ANY(a.accounts))`;
        if (tenant !== null) params.push(tenant);
        const rows = await db.query(
          `SELECT a.body, ca.case_id, (c.disposition = 'false_positive') AS dismissed
           FROM alerts a LEFT JOIN case_alerts ca ON ca.alert_id = a.id LEFT JOIN cases c ON c.id = ca.case_id
           WHERE a.subject_kind IN ('account', 'entity') AND a.subject_id = ANY($1::text[]) ${touches}
           ORDER BY a.ts, a.id`,
          params,
        );
        for (const r of rows) out.push({ alert: jsonOut(r.body) as Alert, caseId: r.case_id === null || r.case_id === undefined ? null : toStr(r.case_id, "case_id"), dismissed: r.dismissed === true });
      }
      return out;
    },

    async alertedAccounts(viewer, accountIds) {
      live();
      const tenant = checkViewer(viewer);
      const ids = checkIds(accountIds, "accountIds");
      if (ids.length === 0) return [];
      const params: unknown[] = [ids];
      if (tenant !== null) params.push(tenant);
      const rows = await db.query(
        `SELECT owner, account_id, pseudonym FROM alerted_accounts WHERE account_id = ANY($1::text[]) ${tenant === null ? "" : "AND owner = $2"} ORDER BY owner, account_id`,
        params,
      );
      return rows.map((r) => ({ owner: toStr(r.owner, "owner"), accountId: toStr(r.account_id, "account_id"), pseudonym: toStr(r.pseudonym, "pseudonym") }));
    },

    async accountByPseudonym(pseudonym) {
      live();
      const [r] = await db.query("SELECT owner, account_id, pseudonym FROM alerted_accounts WHERE pseudonym = $1", [checkId(pseudonym, "pseudonym")]);
      return r ? { owner: toStr(r.owner, "owner"), accountId: toStr(r.account_id, "account_id"), pseudonym: toStr(r.pseudonym, "pseudonym") } : undefined;
    },

    async entityState(entityId): Promise<EntityState> {
      live();
      const id = checkId(entityId, "entityId");
      const rows = await db.query("SELECT id, state, score FROM cases WHERE entity_id = $1 ORDER BY opened_ms, id", [id]);
      return entityStateOf(toEntityId(id) as EntityId, rows.map((r) => {
        const state = toStr(r.state, "cases.state");
        if (!isCaseState(state)) throw new KanshiError("internal", `store: unknown case state ${JSON.stringify(state)}`);
        return { id: toCaseId(toStr(r.id, "cases.id")), state, score: toNumber(r.score, "cases.score") };
      }));
    },

    async wasEverSuspect(subjects, opts = {}) {
      live();
      const ids = checkIds(typeof subjects === "string" ? [subjects] : subjects, "subjects");
      const accounts = checkIds(opts.accounts ?? [], "accounts");
      const threshold = checkScore(opts.threshold ?? DEFAULT_POLICY_CONFIG.disclosureThreshold, "threshold");
      if (ids.length === 0 && accounts.length === 0) return false;
      const [r] = await db.query(
        `SELECT EXISTS (
           SELECT 1 FROM cases c
           WHERE (c.score >= $3 OR c.reported_ms IS NOT NULL)
             AND (c.entity_id = ANY($1::text[]) OR EXISTS (SELECT 1 FROM case_accounts a WHERE a.case_id = c.id AND a.account_id = ANY($2::text[])))
         ) AS hit`,
        [ids, accounts, threshold],
      );
      return r?.hit === true;
    },

    async activeCases(subjects) {
      live();
      const ids = checkIds(subjects, "subjects");
      const out = new Map<string, CaseRecord>();
      for (let i = 0; i < ids.length; i += CHUNK) {
        const rows = await db.query(`SELECT ${CASE_COLUMNS} FROM cases c WHERE c.entity_id = ANY($1::text[]) AND c.state <> 'closed'`, [ids.slice(i, i + CHUNK)]);
        for (const r of rows) {
          const c = caseOf(r);
          out.set(c.entityId, c);
        }
      }
      return out;
    },

    async subjectsWithUnattachedAlerts() {
      live();
      const rows = await db.query(
        `SELECT DISTINCT a.subject_id FROM alerts a
         WHERE a.subject_kind IN ('account', 'entity') AND NOT EXISTS (SELECT 1 FROM case_alerts ca WHERE ca.alert_id = a.id)
         ORDER BY a.subject_id`,
      );
      return rows.map((r) => toStr(r.subject_id, "subject_id"));
    },

    async eventsByKey(keys) {
      live();
      const list = checkIds(keys, "keys");
      const out: EvidenceEventRow[] = [];
      const pairs = list.flatMap((k) => {
        const i = k.indexOf(":");
        return i > 0 ? [{ s: k.slice(0, i), i: k.slice(i + 1) }] : [];
      });
      for (let i = 0; i < pairs.length; i += CHUNK) {
        const rows = await db.query(
          `SELECT e.source, e.id, e.type, e.ts, e.body FROM json_to_recordset($1::json) AS k(s text, i text)
           JOIN events e ON e.source = k.s COLLATE "C" AND e.id = k.i COLLATE "C"`,
          [JSON.stringify(pairs.slice(i, i + CHUNK))],
        );
        for (const r of rows) out.push({ source: toStr(r.source, "source"), id: toStr(r.id, "id"), type: toStr(r.type, "type"), ts: toStr(r.ts, "ts"), body: toStr(r.body, "body") });
      }
      return out;
    },

    async alertsById(ids) {
      live();
      const list = checkIds(ids, "ids");
      if (list.length === 0) return [];
      const rows = await db.query("SELECT body FROM alerts WHERE id = ANY($1::text[]) ORDER BY ts, id", [list]);
      return rows.map((r) => jsonOut(r.body) as Alert);
    },

    async latestAlertTs() {
      live();
      const [r] = await db.query(`SELECT to_char(max(ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t FROM alerts`);
      return r?.t === null || r?.t === undefined ? null : toStr(r.t, "max ts");
    },

    async applySync(w) {
      live();
      if (w === null || typeof w !== "object") throw badInput("expected a sync write", "sync");
      const at = checkTime(w.at, "sync.at");
      const cases = w.newCases.map((c, i) => checkNewCase(c, `sync.newCases[${i}]`));
      const growth = w.growth.map((g, i) => ({
        id: checkId(g.id, `sync.growth[${i}].id`),
        v: checkTime(g.expectedVersion, `sync.growth[${i}].expectedVersion`),
        score: checkScore(g.score, `sync.growth[${i}].score`),
        last: checkScore(g.lastScore, `sync.growth[${i}].lastScore`),
        n: checkTime(g.addedAlerts, `sync.growth[${i}].addedAlerts`),
        first: g.firstAlertTs,
        lastTs: g.lastAlertTs,
      }));
      const touched = [...new Set([...cases.map((c) => c.id), ...growth.map((g) => g.id)])];
      try {
        await db.transaction(async (tx) => {
          if (cases.length) await tx.query(INSERT_CASES, [JSON.stringify(cases)]);
          if (growth.length) {
            const rows = await tx.query(
              `UPDATE cases c SET score = greatest(c.score, x.score), last_score = x.last, alert_count = c.alert_count + x.n,
                      first_alert_ts = x.first, last_alert_ts = x.last_ts, updated_ms = $2, version = c.version + 1
               FROM json_to_recordset($1::json) AS x(id text, v int4, score float8, last float8, n int4, first text, last_ts text)
               WHERE c.id = x.id COLLATE "C" AND c.version = x.v AND c.state <> 'closed'
               RETURNING c.id`,
              [JSON.stringify(growth.map((g) => ({ id: g.id, v: g.v, score: g.score, last: g.last, n: g.n, first: g.first, last_ts: g.lastTs }))), at],
            );
            if (rows.length !== growth.length) throw new KanshiError("conflict", "a case changed while alerts were being grouped into it; group again");
          }
          if (w.caseAlerts.length) {
            await tx.query(
              `INSERT INTO case_alerts (alert_id, case_id, added_ms) SELECT alert_id, case_id, $2 FROM json_to_recordset($1::json) AS x(case_id text, alert_id text) ORDER BY alert_id`,
              [JSON.stringify(w.caseAlerts.map((a, i) => ({ case_id: checkId(a.caseId, `sync.caseAlerts[${i}].caseId`), alert_id: checkId(a.alertId, `sync.caseAlerts[${i}].alertId`) }))), at],
            );
          }
          if (w.alertedAccounts.length) {
            await tx.query(
              `INSERT INTO alerted_accounts (owner, account_id, pseudonym) SELECT owner, account_id, pseudonym FROM json_to_recordset($1::json) AS x(owner text, account_id text, pseudonym text)
               ORDER BY owner, account_id ON CONFLICT DO NOTHING`,
              [JSON.stringify(w.alertedAccounts.map((a, i) => ({ owner: checkId(a.owner, `sync.alertedAccounts[${i}].owner`), account_id: checkId(a.accountId, `sync.alertedAccounts[${i}].accountId`), pseudonym: checkId(a.pseudonym, `sync.alertedAccounts[${i}].pseudonym`) })))],
            );
          }
          if (w.caseAccounts.length) {
            await tx.query(
              `INSERT INTO case_accounts (case_id, owner, account_id) SELECT case_id, owner, account_id FROM json_to_recordset($1::json) AS x(case_id text, owner text, account_id text)
               ORDER BY case_id, owner, account_id ON CONFLICT DO NOTHING`,
              [JSON.stringify(w.caseAccounts.map((a, i) => ({ case_id: checkId(a.caseId, `sync.caseAccounts[${i}].caseId`), owner: checkId(a.owner, `sync.caseAccounts[${i}].owner`), account_id: checkId(a.accountId, `sync.caseAccounts[${i}].accountId`) })))],
            );
          }
          if (touched.length) await tx.query(REFRESH_TENANTS, [touched]);
          await history(tx, w.history, at);
        });
      } catch (e) {
        throw conflictOf(e, "another writer opened a case for one of these subjects, or grouped one of these alerts, first; group again");
      }
    },

    async create(c, accounts, h, at) {
      live();
      const row = checkNewCase(c, "case");
      checkTime(at, "at");
      const accs = accounts.map((a, i) => ({ owner: checkId(a.owner, `accounts[${i}].owner`), account_id: checkId(a.accountId, `accounts[${i}].accountId`), pseudonym: checkId(a.pseudonym, `accounts[${i}].pseudonym`) }));
      try {
        await db.transaction(async (tx) => {
          await tx.query(INSERT_CASES, [JSON.stringify([row])]);
          if (accs.length) {
            await tx.query(
              `INSERT INTO alerted_accounts (owner, account_id, pseudonym) SELECT owner, account_id, pseudonym FROM json_to_recordset($1::json) AS x(owner text, account_id text, pseudonym text)
               ORDER BY owner, account_id ON CONFLICT DO NOTHING`,
              [JSON.stringify(accs)],
            );
            await tx.query(
              `INSERT INTO case_accounts (case_id, owner, account_id) SELECT $2, owner, account_id FROM json_to_recordset($1::json) AS x(owner text, account_id text)
               ORDER BY owner, account_id ON CONFLICT DO NOTHING`,
              [JSON.stringify(accs), row.id],
            );
            await tx.query(REFRESH_TENANTS, [[row.id]]);
          }
          await history(tx, [h], at);
        });
      } catch (e) {
        if (isUniqueViolation(e)) {
          const [other] = await db.query("SELECT id FROM cases WHERE entity_id = $1 AND state <> 'closed'", [row.entity_id]);
          throw new KanshiError("conflict", other ? `subject already has an active case, ${toStr(other.id, "id")}` : `a case with id ${row.id} exists`, "entity");
        }
        throw e;
      }
      return (await visibleCase(db, ALL_CASES, row.id))!;
    },

    async update(id, expectedVersion, patch, h, at) {
      live();
      checkId(id, "id");
      checkTime(expectedVersion, "expectedVersion");
      checkTime(at, "at");
      const params: unknown[] = [id, expectedVersion, at];
      const p = (v: unknown) => (params.push(v), `$${params.length}`);
      const sets: string[] = ["version = version + 1", "updated_ms = $3"];
      if (patch.state !== undefined) {
        if (!isCaseState(patch.state)) throw badInput("expected a case state", "state");
        sets.push(`state = ${p(patch.state)}`);
      }
      if (patch.disposition !== undefined) {
        if (patch.disposition !== null && !isDisposition(patch.disposition)) throw badInput("expected a disposition", "disposition");
        sets.push(`disposition = ${p(patch.disposition)}`);
      }
      if (patch.closedAt !== undefined) sets.push(`closed_ms = ${p(patch.closedAt === null ? null : checkTime(patch.closedAt, "closedAt"))}::int8`);
      if (patch.reportedAt !== undefined) sets.push(`reported_ms = ${p(patch.reportedAt === null ? null : checkTime(patch.reportedAt, "reportedAt"))}::int8`);
      if (patch.assignee !== undefined) sets.push(`assignee = ${p(patch.assignee === null ? null : checkId(patch.assignee, "assignee"))}`);
      if (patch.dueAt !== undefined) sets.push(`due_ms = ${p(patch.dueAt === null ? null : checkTime(patch.dueAt, "dueAt"))}::int8`);
      try {
        const done = await db.transaction(async (tx) => {
          const rows = await tx.query(`UPDATE cases SET ${sets.join(", ")} WHERE id = $1 AND version = $2 RETURNING id`, params);
          if (rows.length === 0) return false;
          await history(tx, [h], at);
          return true;
        });
        if (!done) {
          const [r] = await db.query("SELECT version FROM cases WHERE id = $1", [id]);
          if (!r) throw new KanshiError("not_found", `no case ${id}`);
          throw new KanshiError("conflict", `case ${id} changed since it was read (version ${expectedVersion}, now ${String(r.version)}); read it again`);
        }
      } catch (e) {
        throw conflictOf(e, "the subject already has another active case; close that one first");
      }
      return (await visibleCase(db, ALL_CASES, id))!;
    },

    async rewrapNotes(keyring) {
      live();
      return rewrapSealedColumn(db, { table: "case_notes", key: "id", column: "text_sealed", page: 500 }, keyring);
    },

    async addNote(n, h) {
      live();
      if (typeof n.textSealed !== "string" || !/^ks1\.[A-Za-z0-9_-]+$/.test(n.textSealed)) {
        throw badInput('expected a sealed value (the Keyring\'s "ks1." text form); note text is never stored in plaintext', "textSealed");
      }
      const at = checkTime(n.at, "at");
      await db.transaction(async (tx) => {
        await tx.query("INSERT INTO case_notes (id, case_id, at_ms, author, text_sealed) VALUES ($1, $2, $3, $4, $5)", [checkId(n.id, "id"), checkId(n.caseId, "caseId"), at, checkId(n.author, "author"), n.textSealed]);
        await tx.query("UPDATE cases SET updated_ms = greatest(updated_ms, $2) WHERE id = $1", [n.caseId, at]);
        await history(tx, [h], at);
      });
    },

    async addEvidence(e, h) {
      live();
      const at = checkTime(e.addedAt, "addedAt");
      const ref = e.kind === "graph" ? null : checkId(e.ref, "ref");
      if (e.kind !== "graph" && e.kind !== "event" && e.kind !== "alert") throw badInput("expected event, alert or graph", "kind");
      await db.transaction(async (tx) => {
        await tx.query("INSERT INTO case_evidence (id, case_id, kind, ref, graph, added_by, added_ms) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)", [
          checkId(e.id, "id"),
          checkId(e.caseId, "caseId"),
          e.kind,
          ref,
          e.kind === "graph" ? JSON.stringify(e.graph) : null,
          checkId(e.addedBy, "addedBy"),
          at,
        ]);
        await tx.query("UPDATE cases SET updated_ms = greatest(updated_ms, $2) WHERE id = $1", [e.caseId, at]);
        await history(tx, [h], at);
      });
    },
  };
}
