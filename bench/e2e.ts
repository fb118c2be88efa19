// Section "e2e": Kanshi end to end from an NDJSON file (read + split + JSON.parse + validate +
// detect with every typology) beside DuckDB running three of the same rules (structuring,
// pass-through, fan-in) as SQL over the same file, on all cores. Each side runs in a child process
// of its own so that its peak RSS is its own. Also measured alone: line split, JSON.parse, and the
// validation paths (fast and zod).
//
//   node --import tsx bench/e2e.ts kanshi <events.ndjson>   one JSON line: Kanshi's figures
//   node --import tsx bench/e2e.ts duckdb <events.ndjson>   one JSON line: DuckDB's figures
//   node --import tsx bench/e2e.ts parse  <events.ndjson>   one JSON line: the parse stages alone
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseEvent, parseEventWithZod } from "../src/contracts/events.ts";
import { fastParseEvent } from "../src/contracts/fast-parse.ts";
import { createEngine } from "../src/engine/index.ts";
import { openInput, readLines } from "../src/ingest/lines.ts";
import { graphPatternsDefaults } from "../src/engine/typologies/graph-patterns/config.ts";
import { passThroughDefaults } from "../src/engine/typologies/pass-through/config.ts";
import { structuringDefaults } from "../src/engine/typologies/structuring/config.ts";
import type { BenchRow, BenchSection } from "./section.ts";

const here = fileURLToPath(import.meta.url);

/** What one side measured in its own process. */
export interface SideResult {
  events: number;
  wallSecs: number;
  cpuSecs: number;
  /** Peak resident set of the child process, bytes (getrusage maxrss). */
  peakRss: number;
  structuring: number;
  passThrough: number;
  fanIn: number;
}

export interface KanshiResult extends SideResult {
  rejected: number;
  alerts: number;
  accounts: number;
  /** The engine's snapshot as JSON, bytes; null when the snapshot failed (snapshotError says why). */
  snapshotBytes: number | null;
  snapshotError?: string;
  /** Live heap held after the run beyond what was held before it (needs --expose-gc), bytes. */
  heapBytes: number | null;
}

export interface ParseResult {
  lines: number;
  /** CPU seconds of each stage over the whole file (each stage includes the ones before it). */
  splitCpu: number;
  jsonCpu: number;
  fastCpu: number;
  /** zod alone over the first `zodLines` lines (it is slow). */
  zodLines: number;
  zodCpu: number;
  /** How many lines the fast path left to zod. */
  fastMisses: number;
}

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

// ---------------------------------------------------------------------------------------------
// Kanshi

/** Kanshi end to end: every typology with its default config, as `kanshi detect` runs them. */
export async function runKanshi(file: string): Promise<KanshiResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const engine = createEngine();
  let events = 0;
  let rejected = 0;
  let alerts = 0;
  const counts = { structuring: 0, passThrough: 0, fanIn: 0 };
  const count = (list: readonly { typology: string; details?: Record<string, unknown> | undefined }[]) => {
    alerts += list.length;
    for (const a of list) {
      if (a.typology === "structuring") counts.structuring++;
      else if (a.typology === "pass-through") counts.passThrough++;
      else if (a.typology === "graph-patterns" && a.details?.pattern === "fan-in") counts.fanIn++;
    }
  };
  for await (const l of readLines(openInput(file))) {
    let value: unknown;
    try {
      value = JSON.parse(l.text);
    } catch {
      rejected++;
      continue;
    }
    const r = parseEvent(value);
    if (!r.ok) {
      rejected++;
      continue;
    }
    events++;
    const out = engine.push(r.event);
    if (out.length > 0) count(out);
  }
  count(engine.flush());
  const wallSecs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSecs = cpuSeconds(c0);
  const rss = peakRss();
  gc?.();
  const heapBytes = gc ? process.memoryUsage().heapUsed - heapBefore : null;
  // State size: the engine's whole state serialised, per account it has seen.
  let snapshotBytes: number | null = null;
  let snapshotError: string | undefined;
  try {
    snapshotBytes = Buffer.byteLength(JSON.stringify(engine.snapshot()));
  } catch (e) {
    snapshotError = (e as Error).message;
  }
  const accounts = engine.stats().accounts;
  return { events, rejected, alerts, wallSecs, cpuSecs, peakRss: rss, ...counts, accounts, snapshotBytes, ...(snapshotError ? { snapshotError } : {}), heapBytes };
}

/** The parse stages alone: line split, + JSON.parse, + fast validation; zod on a sample. */
export async function runParseStages(file: string, zodLines = 100_000): Promise<ParseResult> {
  let c = process.cpuUsage();
  let lines = 0;
  for await (const l of readLines(openInput(file))) lines += l.text.length > 0 ? 1 : 0;
  const splitCpu = cpuSeconds(c);
  c = process.cpuUsage();
  let sink = 0;
  for await (const l of readLines(openInput(file))) sink += JSON.parse(l.text) === null ? 0 : 1;
  const jsonCpu = cpuSeconds(c);
  c = process.cpuUsage();
  let fastMisses = 0;
  for await (const l of readLines(openInput(file))) if (fastParseEvent(JSON.parse(l.text)) === undefined) fastMisses++;
  const fastCpu = cpuSeconds(c);
  c = process.cpuUsage();
  let n = 0;
  for await (const l of readLines(openInput(file))) {
    if (++n > zodLines) break;
    sink += parseEventWithZod(JSON.parse(l.text)).ok ? 1 : 0;
  }
  const zodCpu = cpuSeconds(c);
  if (sink < 0) throw new Error("unreachable");
  return { lines, splitCpu, jsonCpu, fastCpu, zodLines: Math.min(n, zodLines), zodCpu, fastMisses };
}

// ---------------------------------------------------------------------------------------------
// DuckDB: the same three rules as SQL, thresholds from the typologies' default configs.

const money = "DOUBLE";
/** The columns the three rules read; every other field of an event is ignored. */
const COLUMNS: Record<string, string> = {
  id: "VARCHAR", type: "VARCHAR", ts: "TIMESTAMPTZ", source: "VARCHAR",
  accountId: "VARCHAR", fromAccountId: "VARCHAR", toAccountId: "VARCHAR",
  asset: "VARCHAR", amount: money, valueJpy: money, channel: "VARCHAR",
  fromAddress: "VARCHAR", toAddress: "VARCHAR", address: "VARCHAR", network: "VARCHAR", txHash: "VARCHAR", label: "VARCHAR",
  market: "VARCHAR", price: money, quantity: money, buyAccountId: "VARCHAR", sellAccountId: "VARCHAR",
};

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Loads the NDJSON file into table `ev` (with `v`, the JPY value of a movement). */
export function loadSql(file: string): string {
  const columns = Object.entries(COLUMNS).map(([k, t]) => `${k}: '${t}'`).join(", ");
  return `CREATE OR REPLACE TABLE ev AS
    SELECT *, CASE WHEN asset = 'JPY' THEN amount ELSE valueJpy END AS v
    FROM read_json(${sqlString(file)}, format = 'newline_delimited', columns = {${columns}})`;
}

const s = structuringDefaults;
const p = passThroughDefaults;
const g = graphPatternsDefaults;

/**
 * Structuring: per account, direction and channel, movements in [lowerRatio × line, line) whose
 * window of windowDays holds ≥ minCount of them summing over the line. Kanshi raises one alert per
 * burst and stays quiet windowDays after it; here a hit counts as a new alert when the key had no
 * hit in the windowDays before it.
 */
export const STRUCTURING_SQL = `
WITH q AS (
  SELECT accountId AS acct, type AS dir, channel, ts, v,
         CASE channel WHEN 'bank' THEN ${s.thresholdJpy.bank} WHEN 'crypto' THEN ${s.thresholdJpy.crypto} END AS line
  FROM ev WHERE type IN ('deposit', 'withdrawal') AND channel IN ('bank', 'crypto')
), qual AS (
  SELECT * FROM q WHERE v >= ${s.lowerRatio} * line AND v < line
), w AS (
  SELECT acct, dir, channel, ts, line,
         count(*) OVER win AS n, sum(v) OVER win AS total
  FROM qual
  WINDOW win AS (PARTITION BY acct, dir, channel ORDER BY ts RANGE BETWEEN INTERVAL ${s.windowDays} DAYS PRECEDING AND CURRENT ROW)
), hits AS (
  SELECT acct, dir, channel, ts, lag(ts) OVER (PARTITION BY acct, dir, channel ORDER BY ts) AS prev
  FROM w WHERE n >= ${s.minCount} AND total > line
)
SELECT count(*) AS n FROM hits WHERE prev IS NULL OR ts - prev > INTERVAL ${s.windowDays} DAYS`;

/**
 * Pass-through: a deposit worth ≥ minDepositJpy, withdrawals of the account within windowHours
 * after it reaching withdrawnShare of it, while the account's trades on JPY markets from the deposit to
 * that crossing stay under maxTradedShare of it. One alert per deposit.
 */
export const PASS_THROUGH_SQL = `
WITH d AS (
  SELECT source || ':' || id AS k, accountId AS acct, ts, v FROM ev WHERE type = 'deposit' AND v >= ${p.minDepositJpy}
), w AS (
  SELECT accountId AS acct, ts, v FROM ev WHERE type = 'withdrawal'
), dw AS (
  SELECT d.k, d.acct, d.ts AS dts, d.v AS dv, w.ts AS wts,
         sum(w.v) OVER (PARTITION BY d.k ORDER BY w.ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS out
  FROM d JOIN w ON w.acct = d.acct AND w.ts > d.ts AND w.ts <= d.ts + INTERVAL ${p.windowHours} HOURS
), crossing AS (
  SELECT k, acct, dts, dv, min(wts) AS cts FROM dw WHERE out >= ${p.withdrawnShare} * dv GROUP BY k, acct, dts, dv
), tr AS (
  SELECT buyAccountId AS acct, ts, quantity * price AS tv FROM ev WHERE type = 'trade' AND market LIKE '%/JPY'
  UNION ALL
  SELECT sellAccountId, ts, quantity * price FROM ev WHERE type = 'trade' AND market LIKE '%/JPY' AND sellAccountId <> buyAccountId
), traded AS (
  SELECT c.k, c.dv, coalesce(sum(tr.tv), 0) AS tv
  FROM crossing c LEFT JOIN tr ON tr.acct = c.acct AND tr.ts >= c.dts AND tr.ts <= c.cts
  GROUP BY c.k, c.dv
)
SELECT count(*) AS n FROM traded WHERE tv < ${p.maxTradedShare} * dv`;

/**
 * Fan-in: moves between parties (transfers, crypto deposits from and withdrawals to outside
 * addresses, chain transfers that are not an exchange's own plumbing) of at least minEdgeJpy (or
 * unvalued); a receiver with ≥ minCounterparties distinct senders in windowHours, together worth
 * ≥ minTotalJpy, some account among them, the receiver not a hub (≥ hubCounterparties distinct
 * counterparties either way). Kanshi alerts once per node and window unless the parties double;
 * here a node counts once per run of hits with no gap longer than the window.
 */
export const FAN_IN_SQL = `
WITH addr AS (
  SELECT * FROM ev WHERE type IN ('deposit', 'withdrawal', 'chain.transfer', 'address.label')
), plumbing AS (
  SELECT c.network, c.txHash, c.fromAddress, c.toAddress, m.type AS side
  FROM addr c JOIN addr m ON m.type IN ('deposit', 'withdrawal') AND m.network = c.network AND m.txHash = c.txHash
  WHERE c.type = 'chain.transfer'
), custodial AS (
  SELECT network, toAddress AS a FROM plumbing WHERE side = 'deposit'
  UNION SELECT network, fromAddress FROM plumbing WHERE side = 'withdrawal'
  UNION SELECT network, address FROM addr WHERE type = 'address.label' AND label = 'exchange'
), canon AS (
  SELECT DISTINCT network, CASE WHEN a LIKE '0x%' OR lower(a) LIKE 'bc1%' THEN lower(a) ELSE a END AS a FROM custodial
), moves AS (
  SELECT ts, v, 'a:' || fromAccountId AS f, 'a:' || toAccountId AS t, true AS acct FROM ev WHERE type = 'transfer'
  UNION ALL
  SELECT ts, v, 'x:' || network || ':' || CASE WHEN fromAddress LIKE '0x%' OR lower(fromAddress) LIKE 'bc1%' THEN lower(fromAddress) ELSE fromAddress END,
         'a:' || accountId, true
  FROM ev WHERE type = 'deposit' AND channel = 'crypto' AND fromAddress IS NOT NULL
  UNION ALL
  SELECT ts, v, 'a:' || accountId,
         'x:' || network || ':' || CASE WHEN toAddress LIKE '0x%' OR lower(toAddress) LIKE 'bc1%' THEN lower(toAddress) ELSE toAddress END, true
  FROM ev WHERE type = 'withdrawal' AND channel = 'crypto' AND toAddress IS NOT NULL
  UNION ALL
  SELECT ts, v, 'x:' || network || ':' || CASE WHEN fromAddress LIKE '0x%' OR lower(fromAddress) LIKE 'bc1%' THEN lower(fromAddress) ELSE fromAddress END,
         'x:' || network || ':' || CASE WHEN toAddress LIKE '0x%' OR lower(toAddress) LIKE 'bc1%' THEN lower(toAddress) ELSE toAddress END, false
  FROM ev c WHERE type = 'chain.transfer'
    AND NOT EXISTS (SELECT 1 FROM plumbing p WHERE p.network = c.network AND p.txHash = c.txHash)
), edges AS (
  SELECT * FROM moves
  WHERE (v IS NULL OR v >= ${g.minEdgeJpy}) AND f <> t
    AND NOT EXISTS (SELECT 1 FROM canon k WHERE 'x:' || k.network || ':' || k.a IN (moves.f, moves.t))
), win AS (
  SELECT t, ts,
         count(DISTINCT f) OVER w AS senders, coalesce(sum(v) OVER w, 0) AS total,
         bool_or(acct OR f LIKE 'a:%' OR t LIKE 'a:%') OVER w AS hasAccount
  FROM edges
  WINDOW w AS (PARTITION BY t ORDER BY ts RANGE BETWEEN INTERVAL ${g.windowHours} HOURS PRECEDING AND CURRENT ROW)
), hits AS (
  SELECT h.t, h.ts FROM win h
  WHERE h.senders >= ${g.fanIn.minCounterparties} AND h.total >= ${g.fanIn.minTotalJpy} AND h.hasAccount
    AND (SELECT count(DISTINCT CASE WHEN e.t = h.t THEN e.f ELSE e.t END) FROM edges e
         WHERE (e.t = h.t OR e.f = h.t) AND e.ts > h.ts - INTERVAL ${g.windowHours} HOURS AND e.ts <= h.ts) < ${g.hubCounterparties}
), runs AS (
  SELECT t, ts, lag(ts) OVER (PARTITION BY t ORDER BY ts) AS prev FROM hits
)
SELECT count(*) AS n FROM runs WHERE prev IS NULL OR ts - prev > INTERVAL ${g.windowHours} HOURS`;

export interface DuckResult extends SideResult {
  threads: number;
  loadSecs: number;
  rulesSecs: number;
}

/** Loads `file` into an in-memory DuckDB (all cores unless `threads`) and runs the three rules. */
export async function runDuckDb(file: string, threads?: number): Promise<DuckResult> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const instance = await DuckDBInstance.create(":memory:", threads ? { threads: String(threads) } : {});
  const db = await instance.connect();
  try {
    const one = async (sql: string): Promise<number> => {
      const rows = (await db.runAndReadAll(sql)).getRows();
      return Number(rows[0]?.[0] ?? 0);
    };
    await db.run(loadSql(file));
    const loadSecs = Number(process.hrtime.bigint() - t0) / 1e9;
    const events = await one("SELECT count(*) FROM ev");
    const structuring = await one(STRUCTURING_SQL);
    const passThrough = await one(PASS_THROUGH_SQL);
    const fanIn = await one(FAN_IN_SQL);
    const wallSecs = Number(process.hrtime.bigint() - t0) / 1e9;
    const used = Number((await db.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0] ?? 0);
    return { events, structuring, passThrough, fanIn, wallSecs, cpuSecs: cpuSeconds(c0), peakRss: peakRss(), threads: used, loadSecs, rulesSecs: wallSecs - loadSecs };
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

// ---------------------------------------------------------------------------------------------
// The section: each side in its own child process.

async function child<T>(mode: string, file: string): Promise<T> {
  const proc = spawn(process.execPath, ["--expose-gc", "--import", "tsx", here, mode, file], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  proc.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    proc.once("error", reject);
    proc.once("close", resolve);
  });
  const last = out.trim().split("\n").pop() ?? "";
  if (code !== 0 || !last.startsWith("{")) throw new Error(`${mode} child exited ${code}: ${err.trim().split("\n").slice(-3).join(" ") || last}`);
  return JSON.parse(last) as T;
}

const mib = (b: number) => b / 2 ** 20;
const n = (x: number) => Math.round(x).toLocaleString("en-US");

export const e2e: BenchSection = {
  name: "e2e",
  async run(ctx) {
    const rows: BenchRow[] = [];
    const parse = await child<ParseResult>("parse", ctx.eventsFile);
    rows.push(
      { name: "e2e: line split alone", value: parse.lines / parse.splitCpu, unit: "events/s", note: `per CPU-second, readLines over ${n(parse.lines)} lines` },
      { name: "e2e: line split + JSON.parse", value: parse.lines / parse.jsonCpu, unit: "events/s", note: "per CPU-second" },
      { name: "e2e: split + JSON.parse + fast validate", value: parse.lines / parse.fastCpu, unit: "events/s", note: `per CPU-second; ${n(parse.fastMisses)} lines left to zod` },
      { name: "e2e: split + JSON.parse + zod validate", value: parse.zodLines / parse.zodCpu, unit: "events/s", note: `per CPU-second, first ${n(parse.zodLines)} lines (the old path)` },
    );
    const k = await child<KanshiResult>("kanshi", ctx.eventsFile);
    rows.push(
      { name: "e2e: Kanshi (parse + all typologies)", value: k.events / k.wallSecs, unit: "events/s", note: `wall, one core; ${n(k.events)} events, ${n(k.alerts)} alerts, ${k.wallSecs.toFixed(1)} s` },
      { name: "e2e: Kanshi per core", value: k.events / k.cpuSecs, unit: "events/s", note: `per CPU-second (${k.cpuSecs.toFixed(1)} CPU-s)` },
      { name: "e2e: Kanshi peak RSS", value: mib(k.peakRss), unit: "MiB", note: "child process, before the snapshot" },
    );
    if (k.snapshotBytes !== null) {
      rows.push({ name: "e2e: Kanshi state per account", value: k.snapshotBytes / Math.max(1, k.accounts), unit: "B/account", note: `engine snapshot ${mib(k.snapshotBytes).toFixed(1)} MiB JSON / ${n(k.accounts)} accounts` });
    } else {
      rows.push({ name: "e2e: Kanshi state per account (failed)", value: 0, unit: "B/account", note: `snapshot failed: ${k.snapshotError ?? "?"}`.slice(0, 160) });
    }
    if (k.heapBytes !== null) {
      rows.push({ name: "e2e: Kanshi heap per account", value: k.heapBytes / Math.max(1, k.accounts), unit: "B/account", note: `live heap after the run minus before, ${mib(k.heapBytes).toFixed(1)} MiB / ${n(k.accounts)} accounts` });
    }
    let d: DuckResult | undefined;
    try {
      d = await child<DuckResult>("duckdb", ctx.eventsFile);
    } catch (e) {
      rows.push({ name: "e2e: DuckDB (failed)", value: 0, unit: "—", note: (e as Error).message.slice(0, 200) });
    }
    if (d) {
      rows.push(
        { name: "e2e: DuckDB (load + 3 rules)", value: d.events / d.wallSecs, unit: "events/s", note: `wall, ${d.threads} threads; load ${d.loadSecs.toFixed(1)} s, rules ${d.rulesSecs.toFixed(2)} s` },
        { name: "e2e: DuckDB per core", value: d.events / d.cpuSecs, unit: "events/s", note: `per CPU-second (${d.cpuSecs.toFixed(1)} CPU-s)` },
        { name: "e2e: DuckDB peak RSS", value: mib(d.peakRss), unit: "MiB", note: "child process" },
        { name: "e2e: ratio Kanshi / DuckDB (wall)", value: k.events / k.wallSecs / (d.events / d.wallSecs), unit: "×", note: "Kanshi one core, all typologies; DuckDB all cores, three rules" },
        { name: "e2e: ratio Kanshi / DuckDB (per core)", value: k.events / k.cpuSecs / (d.events / d.cpuSecs), unit: "×", note: "events per CPU-second" },
        {
          name: "e2e: alerts Kanshi / DuckDB SQL",
          value: k.structuring + k.passThrough + k.fanIn,
          unit: "alerts",
          note: `structuring ${k.structuring}/${d.structuring}, pass-through ${k.passThrough}/${d.passThrough}, fan-in ${k.fanIn}/${d.fanIn}`,
        },
      );
    }
    return rows;
  },
};

// Child mode.
if (process.argv[1] === here) {
  const [mode, file] = process.argv.slice(2);
  if (!file) throw new Error("usage: bench/e2e.ts kanshi|duckdb|parse <events.ndjson>");
  const result = mode === "kanshi" ? await runKanshi(file) : mode === "duckdb" ? await runDuckDb(file) : mode === "parse" ? await runParseStages(file) : undefined;
  if (result === undefined) throw new Error(`unknown mode ${mode}`);
  process.stdout.write(JSON.stringify(result) + "\n");
}

