// `kanshi backtest <events> --config a.json [--config b.json]`: replays the same events through two
// engine configurations and prints the alerts gained and lost per typology, so that a threshold
// change is judged on history before it goes live. With one --config the baseline is the defaults.
//
// A config file is a JSON object of per-typology overrides, merged over each typology's defaults and
// validated by its own schema: `{ "pass-through": { "minDepositJpy": 300000 } }`; its optional
// `"rules"` is an array of custom rule definitions (src/engine/rules) run beside the typologies, so a
// draft rule is judged on history the same way.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { KanshiError, badInput, usage } from "../contracts/errors.ts";
import type { Alert } from "../contracts/alerts.ts";
import type { Event } from "../contracts/events.ts";
import { createEngine, defaultRegistry, detect, type EngineOptions } from "../engine/index.ts";
import { parseRule, withRules, type CheckedRule } from "../engine/rules/index.ts";
import { diffAlerts, type BacktestDiff, type BacktestTypologyDiff } from "../engine/rules/backtest.ts";
import { readEventFile } from "./commands.ts";
import { line, warn, type CliIo } from "./io.ts";
import { linkAccounts } from "./link.ts";

export interface BacktestSide {
  /** Where the configuration came from (a file name, or "defaults"). */
  name: string;
  /** Per typology id: overrides merged over its defaults. */
  configs: Record<string, unknown>;
  /** Custom rules run beside the typologies (`rule:<id>`). */
  rules?: CheckedRule[];
}

export interface BacktestRun {
  events: number;
  a: { name: string; alerts: number; configVersions: Record<string, string> };
  b: { name: string; alerts: number; configVersions: Record<string, string> };
  diff: BacktestDiff;
}

/** Reads a config file: a JSON object keyed by typology id. Errors name the file (and the field). */
export async function readBacktestConfig(path: string, name = path): Promise<BacktestSide> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw badInput(code === "ENOENT" ? "no such file" : `cannot read (${code ?? "error"})`, name);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badInput(`not JSON (${(e as Error).message})`, name);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badInput('expected a JSON object of overrides keyed by typology id, e.g. {"pass-through": {"minDepositJpy": 300000}}', name);
  }
  const { rules, ...configs } = value as Record<string, unknown>;
  if (rules === undefined) return { name, configs };
  if (!Array.isArray(rules)) throw badInput("expected an array of rule definitions", `${name}: rules`);
  const checked = rules.map((r, i) => {
    try {
      return parseRule(r, `rules[${i}]`);
    } catch (e) {
      if (e instanceof KanshiError) throw new KanshiError(e.kind, e.message, name);
      throw e;
    }
  });
  return { name, configs, rules: checked };
}

function engineOptions(side: BacktestSide, base: EngineOptions): EngineOptions {
  const opts: EngineOptions = { ...base, configs: side.configs };
  if (side.rules !== undefined && side.rules.length > 0) opts.registry = withRules(base.registry ?? defaultRegistry, side.rules);
  try {
    createEngine(opts); // validates every override against its typology's schema before the replay
  } catch (e) {
    if (e instanceof KanshiError) throw new KanshiError(e.kind, e.message, side.name);
    throw e;
  }
  return opts;
}

function versions(opts: EngineOptions): Record<string, string> {
  return Object.fromEntries(createEngine(opts).typologies.map((t) => [t.id, t.configVersion]));
}

/** Replay `events` with both configurations and diff the alerts (B against A). Pure apart from CPU. */
export function runBacktest(events: readonly Event[], a: BacktestSide, b: BacktestSide, base: EngineOptions = {}): BacktestRun {
  const optsA = engineOptions(a, base);
  const optsB = engineOptions(b, base);
  const alertsA: Alert[] = detect(events, optsA);
  const alertsB: Alert[] = detect(events, optsB);
  return {
    events: events.length,
    a: { name: a.name, alerts: alertsA.length, configVersions: versions(optsA) },
    b: { name: b.name, alerts: alertsB.length, configVersions: versions(optsB) },
    diff: diffAlerts(alertsA, alertsB),
  };
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** The human summary: one row per typology, then a few examples of what is gained and lost. */
export function formatBacktest(run: BacktestRun, examples: number): string {
  const out: string[] = [];
  out.push(`backtest over ${run.events.toLocaleString("en-US")} events: A = ${run.a.name} (${run.a.alerts} alerts), B = ${run.b.name} (${run.b.alerts} alerts)`);
  const changedConfigs = Object.keys(run.b.configVersions).filter((id) => run.a.configVersions[id] !== run.b.configVersions[id]);
  out.push(changedConfigs.length === 0 ? "configs: identical" : `configs differ for: ${changedConfigs.map((id) => `${id} (${run.a.configVersions[id]} → ${run.b.configVersions[id]})`).join(", ")}`);
  const rows: BacktestTypologyDiff[] = run.diff.typologies;
  const w = Math.max(8, ...rows.map((r) => r.typology.length));
  out.push(`${"typology".padEnd(w)}  ${"A".padStart(6)}  ${"B".padStart(6)}  ${"gained".padStart(6)}  ${"lost".padStart(6)}  ${"changed".padStart(7)}  ${"net".padStart(6)}`);
  for (const r of rows) {
    out.push(`${r.typology.padEnd(w)}  ${String(r.before).padStart(6)}  ${String(r.after).padStart(6)}  ${String(r.gained.length).padStart(6)}  ${String(r.lost.length).padStart(6)}  ${String(r.changed.length).padStart(7)}  ${signed(r.after - r.before).padStart(6)}`);
  }
  const d = run.diff;
  out.push(`${"total".padEnd(w)}  ${String(d.before).padStart(6)}  ${String(d.after).padStart(6)}  ${String(d.gained).padStart(6)}  ${String(d.lost).padStart(6)}  ${String(d.changed).padStart(7)}  ${signed(d.after - d.before).padStart(6)}`);
  if (examples > 0) {
    for (const r of rows) {
      for (const [label, list] of [["gained", r.gained], ["lost", r.lost]] as const) {
        if (list.length === 0) continue;
        out.push(`${r.typology} ${label} (${list.length}${list.length > examples ? `, first ${examples}` : ""}):`);
        for (const x of list.slice(0, examples)) out.push(`  ${x.ts}  ${x.subject}  score ${x.score}  ${x.explanation}`);
      }
    }
  }
  return out.join("\n");
}

function wholeNumber(raw: string, name: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badInput(`expected a whole number ≥ 0; got ${JSON.stringify(raw)}`, name);
  return n;
}

export function registerBacktestCommand(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command("backtest")
    .description("replay events with two configurations (A, B) and print the alerts gained and lost per typology")
    .argument("<events>", "events file (.ndjson or .ndjson.gz)")
    .option("--config <file>", "per-typology overrides (JSON); give it twice (A then B), or once to compare against the defaults", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option("--examples <n>", "gained / lost alerts to show per typology", "5")
    .option("--json", "print the whole comparison as JSON (every gained, lost and changed alert)")
    .option("--no-entities", "key detection by account only (skip identity resolution across exchanges)")
    .action(async (file: string, opts: { config: string[]; examples: string; json?: boolean; entities: boolean }) => {
      if (opts.config.length === 0 || opts.config.length > 2) throw usage(`give --config once (defaults vs it) or twice (A vs B); got ${opts.config.length}`);
      const examples = wholeNumber(opts.examples, "--examples");
      const sides = await Promise.all(opts.config.map((c) => readBacktestConfig(resolve(io.cwd, c), c)));
      const [a, b] = sides.length === 2 ? [sides[0]!, sides[1]!] : [{ name: "defaults", configs: {} }, sides[0]!];
      // Both configs are checked before the (long) replay.
      engineOptions(a, {});
      engineOptions(b, {});
      const { events, rejected } = await readEventFile(io, resolve(io.cwd, file));
      const keying = opts.entities ? await linkAccounts(io, events) : undefined;
      const base: EngineOptions = keying ? { entityOf: keying.entityOf, subjectOfIdentity: keying.subjectOfIdentity as EngineOptions["subjectOfIdentity"] } : {};
      const run = runBacktest(events, a, b, base);
      if (opts.json) line(io, JSON.stringify(run, null, 2));
      else line(io, formatBacktest(run, examples));
      if (rejected > 0) {
        warn(io, `${rejected} line(s) of ${file} were rejected and not replayed`);
        setCode(1);
      }
    });
}
