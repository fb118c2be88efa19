// `npm run bench`: throughput of Kanshi's main paths over a simulated consortium day, printed as a
// table with the ratio to bench/baseline.json (> 1 is faster than the baseline).
//   BENCH_PEOPLE (default 125000, about 1.06M events) sets the size of the simulated day; BENCH_INGEST (default 200000)
//   how many of its events are appended to a fresh PGlite store.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEvent, type Event } from "../src/contracts/events.ts";
import { createEngine } from "../src/engine/index.ts";
import { ingestLines } from "../src/ingest/ingest.ts";
import { openInput, readLines } from "../src/ingest/lines.ts";
import { openStore } from "../src/store/open.ts";
import { writeSimulation } from "../src/sim/write.ts";
import { linkageBench } from "./linkage.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const people = Number(process.env.BENCH_PEOPLE ?? 125_000);
const ingestN = Number(process.env.BENCH_INGEST ?? 200_000);

interface Row {
  name: string;
  value: number;
  unit: string;
  note: string;
}
const rows: Row[] = [];
let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const ticker = setInterval(sampleRss, 50);

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "kanshi-bench-"));
  try {
    let t = process.hrtime.bigint();
    const sim = await writeSimulation(dir, { seed: 7, people, days: 1, injections: true, dataDir: resolve(here, "../../shared/data") });
    const simSecs = seconds(t);
    rows.push({ name: "simulate (day, people)", value: people / simSecs, unit: "people/s", note: `${sim.events.toLocaleString("en-US")} events in ${simSecs.toFixed(1)} s` });
    const file = join(dir, "events.ndjson");

    // 1. Parse: NDJSON line split + JSON.parse + schema validation.
    t = process.hrtime.bigint();
    const events: Event[] = [];
    for await (const l of readLines(openInput(file))) {
      const r = parseEvent(JSON.parse(l.text));
      if (r.ok) events.push(r.event);
    }
    const parseSecs = seconds(t);
    rows.push({ name: "parse + validate (NDJSON)", value: events.length / parseSecs, unit: "events/s", note: `${events.length.toLocaleString("en-US")} events` });

    // 2. Replay: every typology over the parsed events, in event-time order.
    global.gc?.();
    t = process.hrtime.bigint();
    const engine = createEngine();
    let alerts = 0;
    for (const e of events) alerts += engine.push(e).length;
    alerts += engine.flush().length;
    const replaySecs = seconds(t);
    rows.push({ name: "replay (detect, all typologies)", value: events.length / replaySecs, unit: "events/s", note: `${alerts.toLocaleString("en-US")} alerts` });
    rows.push({ name: "end to end (parse + detect)", value: events.length / (parseSecs + replaySecs), unit: "events/s", note: "one core" });

    // 3. Ingest into a fresh embedded store (durable, idempotent appends).
    const store = await openStore({ dataDir: join(dir, "store") });
    try {
      let n = 0;
      const limited = (async function* () {
        for await (const l of readLines(openInput(file))) {
          if (++n > ingestN) return;
          yield l;
        }
      })();
      t = process.hrtime.bigint();
      const counts = await ingestLines(store, limited, { batchSize: 2000 });
      const ingestSecs = seconds(t);
      rows.push({ name: "ingest into PGlite", value: counts.accepted / ingestSecs, unit: "events/s", note: `${counts.accepted.toLocaleString("en-US")} events, batches of 2,000` });
    } finally {
      await store.close();
    }
    sampleRss();
    rows.push({ name: "peak RSS", value: peakRss / 2 ** 20, unit: "MiB", note: "whole benchmark process" });
  } finally {
    clearInterval(ticker);
    await rm(dir, { recursive: true, force: true });
  }
  rows.push(...(await linkageBench()));

  const baseline: Record<string, number> = JSON.parse(await readFile(join(here, "baseline.json"), "utf8").catch(() => "{}"));
  const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(2));
  const lines = [
    `Kanshi benchmarks — ${people.toLocaleString("en-US")} simulated people, node ${process.version}`,
    "",
    `${"benchmark".padEnd(34)} ${"value".padStart(14)} ${"unit".padEnd(10)} ${"baseline".padStart(12)} ${"ratio".padStart(6)}  note`,
  ];
  for (const r of rows) {
    const b = baseline[r.name];
    const ratio = b ? (r.unit === "MiB" ? b / r.value : r.value / b) : undefined;
    lines.push(`${r.name.padEnd(34)} ${fmt(r.value).padStart(14)} ${r.unit.padEnd(10)} ${(b ? fmt(b) : "—").padStart(12)} ${(ratio ? ratio.toFixed(2) : "—").padStart(6)}  ${r.note}`);
  }
  lines.push("", "ratio > 1 means better than the baseline (for RSS: smaller).");
  console.log(lines.join("\n"));
  if (process.env.BENCH_WRITE_BASELINE) {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(here, "baseline.json"), JSON.stringify(Object.fromEntries(rows.map((r) => [r.name, Math.round(r.value * 100) / 100])), null, 2) + "\n");
  }
}

await main();
