// Rule verbs: `kanshi rules add <rule.json>` (a new draft version, type-checked: errors name the line
// and column), `kanshi rules list`, `kanshi rules backtest <id>` (replays the stored event history
// with the draft and records what it raised), `kanshi rules publish <id>` (only a backtested
// draft), `kanshi rules retire <id>` and `kanshi rules config <typology> <overrides.json>`. Drafts,
// publishes, retirements and configs are audited first (rule-changes.ts); a running server picks
// them up on its next poll of the rules store (rule-live.ts). `backtestRuleOnHistory` is shared with the HTTP routes; `storedDetectionSettings` gives
// `kanshi detect` the published rules and typology configs in force.
//
// From the command line Kanshi acts as the operator of the deployment (actor `cli`), who holds the
// database: it may draft, backtest and publish. Over HTTP, analysts draft and backtest and only a
// supervisor publishes (src/server/routes/rules.ts).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { badInput, isKanshiError, KanshiError } from "../contracts/errors.ts";
import { parseEvent } from "../contracts/events.ts";
import { createEngine, defaultRegistry, type Engine } from "../engine/index.ts";
import { parseRule, withRules, RULE_PREFIX, type RuleDefinition } from "../engine/rules/index.ts";
import type { Store } from "../store/ports.ts";
import type { RuleBacktestSummary, RuleStatus, RuleVersionRecord } from "../store/rules.ts";
import { loadConfig } from "./config.ts";
import { line, warn, type CliIo } from "./io.ts";
import { openAuditTrail } from "./privacy-commands.ts";
import { ruleChanges, type RuleChanges } from "./rule-changes.ts";
import { openConfiguredStore, withConfiguredStore } from "./store.ts";

const SAMPLE = 5;

/**
 * Replay the stored history (event time order) with a draft rule, and with the version of it
 * published now if any, then record the backtest on the draft. Keyed by account (entity
 * aggregates then read one account's events). Returns the updated draft.
 */
export async function backtestRuleOnHistory(store: Store, ruleId: string, version: number | undefined, actor: string, now: () => number = Date.now): Promise<RuleVersionRecord> {
  const rules = store.rules();
  const draft = await rules.get(ruleId, version);
  if (draft === undefined) throw new KanshiError("not_found", version === undefined ? `no rule ${ruleId}` : `no rule ${ruleId} version ${version}`, "ruleId");
  if (draft.status !== "draft") throw new KanshiError("conflict", `rule ${ruleId} v${draft.version} is ${draft.status}; only a draft is backtested`, "status");
  const current = (await rules.list({ ruleId, status: "published" }))[0];
  const id = `${RULE_PREFIX}${ruleId}`;
  const engineFor = (def: RuleDefinition): Engine => createEngine({ registry: withRules(defaultRegistry, [def]), typologies: [id] });
  const candidate = engineFor(draft.definition);
  const published = current === undefined ? undefined : engineFor(current.definition);
  let events = 0;
  let from: string | null = null;
  let to: string | null = null;
  let alerts = 0;
  let publishedAlerts = 0;
  const subjects = new Set<string>();
  const sample: string[] = [];
  const take = (list: ReadonlyArray<{ id: string; subject: { kind: string; id: string } }>) => {
    for (const a of list) {
      alerts++;
      subjects.add(`${a.subject.kind}:${a.subject.id}`);
      if (sample.length < SAMPLE) sample.push(a.id);
    }
  };
  for await (const page of store.scanEvents({ order: "event-time" })) {
    for (const row of page) {
      const r = parseEvent(JSON.parse(row.body));
      if (!r.ok) continue;
      events++;
      if (from === null) from = r.event.ts;
      to = r.event.ts;
      take(candidate.push(r.event));
      if (published) publishedAlerts += published.push(r.event).length;
    }
  }
  take(candidate.flush());
  if (published) publishedAlerts += published.flush().length;
  const summary: RuleBacktestSummary = { events, alerts, subjects: subjects.size, from, to, publishedAlerts: published ? publishedAlerts : null, sample };
  return rules.recordBacktest(ruleId, draft.version, { configVersion: draft.configVersion, summary, actor, at: now() });
}

/**
 * The detection settings stored in force: published rules (as a registry with them) and typology
 * config overrides; undefined when there is no store (no DATABASE_URL and no data directory).
 */
export async function storedDetectionSettings(io: CliIo): Promise<{ rules: RuleDefinition[]; configs: Record<string, Record<string, unknown>> } | undefined> {
  const cfg = loadConfig(io);
  if (cfg.databaseUrl === undefined && !existsSync(cfg.dataDir)) return undefined;
  let store;
  try {
    store = await openConfiguredStore(io);
  } catch (e) {
    if (!isKanshiError(e) || e.kind !== "unavailable") throw e;
    warn(io, `kanshi: ${e.message}; detecting with the built-in typology defaults and no custom rules`);
    return undefined;
  }
  try {
    return { rules: await store.rules().published(), configs: await store.rules().typologyConfigs() };
  } finally {
    await store.close();
  }
}

/** Engine options from stored settings: built-ins plus published rules, with stored overrides. */
export function settingsRegistry(rules: readonly RuleDefinition[]) {
  return rules.length === 0 ? defaultRegistry : withRules(defaultRegistry, rules);
}

function describe(r: RuleVersionRecord): string {
  const bt = r.backtest === null ? "not backtested" : `backtest: ${r.backtest.alerts} alert(s) on ${r.backtest.subjects} subject(s) over ${r.backtest.events.toLocaleString("en-US")} events${r.backtest.publishedAlerts === null ? "" : ` (published version: ${r.backtest.publishedAlerts})`}`;
  return `${r.ruleId} v${r.version}  ${r.status.padEnd(9)}  config ${r.configVersion}  ${bt}  — ${r.definition.name}`;
}

function versionOption(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw badInput(`expected a whole number ≥ 1; got ${JSON.stringify(raw)}`, "--version");
  return n;
}

const ACTOR = "cli";

/** The audited rule changes over the configured store, acting as the operator. */
async function withChanges<T>(io: CliIo, fn: (changes: RuleChanges, store: Store) => Promise<T>): Promise<T> {
  return withConfiguredStore(io, async (store) => fn(ruleChanges({ store, audit: await openAuditTrail(io, store) }), store));
}

async function readJsonFile(io: CliIo, file: string): Promise<unknown> {
  const path = resolve(io.cwd, file);
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw badInput(code === "ENOENT" ? "no such file" : code ? `cannot read (${code})` : `not JSON (${(e as Error).message})`, file);
  }
}

export function registerRuleCommands(program: Command, io: CliIo): void {
  const rules = program.command("rules").description("custom detection rules (CEL): draft, backtest on the stored history, publish");

  rules
    .command("add")
    .description("store a rule definition (JSON) as a new draft version; it is type-checked first")
    .argument("<file>", 'JSON: {"id", "name", "expression", "score", "on"?, "cooldown"?, "description"?}')
    .action(async (file: string) => {
      const def = await readJsonFile(io, file);
      // Checked before the store is opened, so a mistake is reported at once (the store checks again).
      if (typeof def === "object" && def !== null && !Array.isArray(def)) parseRule({ version: 1, ...def }, "rule");
      const rec = await withChanges(io, (changes) => changes.addDraft(ACTOR, def));
      line(io, `stored draft ${rec.ruleId} v${rec.version} (config ${rec.configVersion}); backtest it with \`kanshi rules backtest ${rec.ruleId}\` before publishing`);
    });

  rules
    .command("list")
    .description("list rule versions")
    .option("--status <status>", "only draft, published or retired")
    .option("--json", "print JSON")
    .action(async (opts: { status?: string; json?: boolean }) => {
      const list = await withConfiguredStore(io, (store) => store.rules().list(opts.status === undefined ? {} : { status: opts.status as RuleStatus }));
      if (opts.json) return void line(io, JSON.stringify(list, null, 2));
      if (list.length === 0) return void line(io, "no rules");
      for (const r of list) line(io, describe(r));
    });

  rules
    .command("backtest")
    .description("replay the stored event history with a draft (the newest, or --version) and record what it raised")
    .argument("<id>", "rule id")
    .option("--version <n>", "rule version (default: the newest)")
    .action(async (id: string, opts: { version?: string }) => {
      const rec = await withConfiguredStore(io, (store) => backtestRuleOnHistory(store, id, versionOption(opts.version), ACTOR));
      line(io, describe(rec));
      if (rec.backtest !== null && rec.backtest.events === 0) warn(io, "the stored history is empty: ingest events first for a backtest that means something");
    });

  rules
    .command("publish")
    .description("publish a backtested draft (the newest, or --version); the version published before is retired")
    .argument("<id>", "rule id")
    .option("--version <n>", "rule version (default: the newest)")
    .action(async (id: string, opts: { version?: string }) => {
      const rec = await withChanges(io, (changes) => changes.publish(ACTOR, id, versionOption(opts.version)));
      line(io, `published ${describe(rec)}`);
    });

  rules
    .command("retire")
    .description("retire the published version of a rule (it stops raising alerts)")
    .argument("<id>", "rule id")
    .option("--version <n>", "the published version (default: whichever is published)")
    .action(async (id: string, opts: { version?: string }) => {
      const rec = await withChanges(io, (changes) => changes.retire(ACTOR, id, versionOption(opts.version)));
      line(io, `retired ${describe(rec)}`);
    });

  rules
    .command("config")
    .description("store config overrides (JSON) for a built-in typology, checked by its schema; in force for detect and a running server")
    .argument("<typology>", "typology id, e.g. structuring")
    .argument("<file>", 'JSON object of settings, e.g. {"minDepositJpy": 300000}')
    .action(async (typology: string, file: string) => {
      const overrides = await readJsonFile(io, file);
      const rec = await withChanges(io, (changes) => changes.setTypologyConfig(ACTOR, typology, overrides));
      line(io, `stored ${rec.typology} config v${rec.version} (config ${rec.configVersion})`);
    });
}
