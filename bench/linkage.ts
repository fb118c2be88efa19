// Identity linkage at scale: BENCH_LINK_RECORDS (default 1,000,000) identity records from the
// simulator — KYC at five exchanges, bureau and social subjects, written differently at each, with
// typos, moves, married names and hard negatives — linked in one batch. Prints time, records/s, peak
// RSS, candidate pairs compared, and pairwise precision / recall against the simulator's truth.
//
// Run on its own (`node --import tsx --expose-gc bench/linkage.ts`, prints a report and, with
// `--json`, one JSON line), or from bench/run.ts, which runs it in a child process so that its peak
// RSS is its own and not the rest of the benchmark's.
//
// The records come from independent simulated consortia of BENCH_LINK_PEOPLE people each (default
// 100,000, about 310,000 records) with consecutive seeds, until there are enough: one simulation of
// 330,000 people would hold its whole plan in memory at once. Record and person ids are prefixed
// with the consortium's number, so two consortia never share a person; their people may still
// share names and birth dates by chance, as in one large population.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { identityRecords, type SimIdentityRecord } from "../src/sim/identity-records.ts";
import { simulate } from "../src/sim/simulate.ts";
import { defaultReadingProvider, resolveWithReport, type ResolveStats } from "../src/identity/index.ts";
import { birthDateViolations, pairwiseScore } from "../src/identity/linkage/evaluate.ts";
import { preparedInWorkers } from "../src/identity/linkage/workers.ts";
import type { BenchRow } from "./section.ts";

export interface LinkageBenchResult {
  records: number;
  people: number;
  consortia: number;
  generateSeconds: number;
  seconds: number;
  /** CPU seconds of the process, worker threads included (wall time is noisy on a shared machine). */
  cpuSeconds: number;
  recordsPerSecond: number;
  /** Peak RSS of the process while linking (the records themselves included), and before it. */
  peakRssMiB: number;
  rssBeforeMiB: number;
  candidatePairs: number;
  entities: number;
  precision: number;
  recall: number;
  birthDateViolations: number;
  /** Worker threads that prepared the records (0: the calling thread did). */
  workers: number;
  stats: ResolveStats;
}

const MiB = 2 ** 20;

/** Generates the records and links them; returns the measurements. */
export async function runLinkageBench(total: number, peoplePerConsortium: number, workers: number, log: (s: string) => void = () => undefined): Promise<LinkageBenchResult> {
  const started = performance.now();
  const records: SimIdentityRecord[] = [];
  const truth = new Map<string, string>();
  const birth = new Map<string, string | undefined>();
  let consortia = 0;
  while (records.length < total) {
    const k = consortia++;
    const sim = simulate({ seed: 9000 + k, people: peoplePerConsortium, days: 1 });
    const set = identityRecords(sim);
    for (const p of sim.people) birth.set(`c${k}:${p.personId}`, p.identity.dateOfBirth);
    for (const r of set.records) {
      if (records.length >= total) break;
      const id = `c${k}:${r.recordId}`;
      records.push({ ...r, recordId: id });
      truth.set(id, `c${k}:${set.truth.get(r.recordId) ?? ""}`);
    }
    log(`  generated ${records.length.toLocaleString("en-US")} records (consortium ${k + 1})`);
  }
  const generateSeconds = (performance.now() - started) / 1000;
  const reader = await defaultReadingProvider().catch(() => null);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const ticker = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const key = new Uint8Array(32).fill(42);
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  let report;
  let prepareOnWorkers = 0;
  try {
    const prepared = workers > 0 ? await preparedInWorkers(records, key, workers) : undefined;
    prepareOnWorkers = (performance.now() - t) / 1000;
    if (prepared) log(`  prepared on ${workers} worker threads in ${prepareOnWorkers.toFixed(1)} s`);
    report = resolveWithReport(records, {
      reader,
      key,
      ...(prepared ? { prepared } : {}),
      onProgress: (phase, done, n) => {
        peak = Math.max(peak, process.memoryUsage().rss);
        if (done % 200_000 === 0 || done === n) log(`  ${phase} ${done.toLocaleString("en-US")} / ${n.toLocaleString("en-US")}`);
      },
    });
  } finally {
    clearInterval(ticker);
  }
  const seconds = (performance.now() - t) / 1000;
  const cpuUsed = process.cpuUsage(cpu0);
  const cpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
  peak = Math.max(peak, process.memoryUsage().rss);
  // Preparation on workers happened before resolveWithReport: count it as the prepare phase.
  if (workers > 0) report.stats.phases.prepare += prepareOnWorkers * 1000;
  const entityOf = new Map(report.results.map((r) => [r.recordId, r.entityId as string]));
  const score = pairwiseScore(records.map((r) => r.recordId), (id) => truth.get(id) ?? "", (id) => entityOf.get(id) ?? id);
  const broken = birthDateViolations(records, (id) => truth.get(id) ?? "", (p) => birth.get(p), (id) => entityOf.get(id) ?? id);
  return {
    records: records.length,
    people: new Set(truth.values()).size,
    consortia,
    generateSeconds,
    seconds,
    cpuSeconds,
    recordsPerSecond: records.length / seconds,
    peakRssMiB: peak / MiB,
    rssBeforeMiB: rssBefore / MiB,
    candidatePairs: report.stats.candidatePairs,
    entities: report.stats.entities,
    precision: score.precision,
    recall: score.recall,
    birthDateViolations: broken.length,
    workers,
    stats: report.stats,
  };
}

/** The table rows bench/run.ts prints for linkage. */
function rowsOf(r: LinkageBenchResult): BenchRow[] {
  const n = r.records.toLocaleString("en-US");
  const ph = r.stats.phases;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)}`;
  return [
    {
      name: "link identities (batch)",
      value: r.recordsPerSecond,
      unit: "records/s",
      note:
        `${n} records in ${r.seconds.toFixed(1)} s, ${r.cpuSeconds.toFixed(0)} CPU s (prepare ${s(ph.prepare)}${r.workers > 0 ? ` on ${r.workers} worker threads` : ""}, block ${s(ph.block)}, compare ${s(ph.compare)}, ` +
        `estimate ${s(ph.estimate)}, cluster ${s(ph.cluster)} s); ${r.candidatePairs.toLocaleString("en-US")} pairs compared, ` +
        `${r.stats.skippedBlocks} blocks over the cap skipped`,
    },
    { name: "link identities: wall time", value: r.seconds, unit: "s", note: `${n} records, goal ≤ 60 s on 2 cores; ${r.cpuSeconds.toFixed(0)} CPU s (all threads)` },
    {
      name: "link identities: precision",
      value: r.precision * 100,
      unit: "% pairs",
      note: `recall ${(r.recall * 100).toFixed(2)} %; ${r.entities.toLocaleString("en-US")} entities for ${r.people.toLocaleString("en-US")} people; ${r.birthDateViolations} entities join people born on different days`,
    },
    { name: "link identities: peak RSS", value: r.peakRssMiB, unit: "MiB", note: `linkage process (records held: ${r.rssBeforeMiB.toFixed(0)} MiB before linking)` },
  ];
}

/**
 * For bench/run.ts: runs this file in a child process (its own heap and RSS) and returns the rows.
 * On failure returns one row saying so, so that the rest of the benchmark still prints.
 */
export async function linkageBench(): Promise<BenchRow[]> {
  const file = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...process.execArgv, file, "--json"], { stdio: ["ignore", "pipe", "inherit"], env: process.env });
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d: string) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const last = out.trim().split("\n").pop() ?? "";
  try {
    if (code !== 0) throw new Error(`exit code ${code}`);
    return rowsOf(JSON.parse(last) as LinkageBenchResult);
  } catch (e) {
    return [{ name: "link identities (batch)", value: 0, unit: "records/s", note: `failed: ${(e as Error).message}` }];
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const total = Number(process.env.BENCH_LINK_RECORDS ?? 1_000_000);
  const perConsortium = Number(process.env.BENCH_LINK_PEOPLE ?? 100_000);
  const workers = Number(process.env.BENCH_LINK_WORKERS ?? 2);
  const json = process.argv.includes("--json");
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`linkage benchmark: ${total.toLocaleString("en-US")} identity records, node ${process.version}`);
  const r = await runLinkageBench(total, perConsortium, workers, log);
  if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
  else {
    for (const row of rowsOf(r)) console.log(`${row.name.padEnd(30)} ${row.value.toFixed(row.value >= 100 ? 0 : 4).padStart(12)} ${row.unit.padEnd(10)} ${row.note}`);
    console.log(`generated in ${r.generateSeconds.toFixed(1)} s from ${r.consortia} simulated consortia`);
  }
}
