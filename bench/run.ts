// `npm run bench`: throughput of Kanshi's main paths, printed as a table with the ratio to
// bench/baseline.json (> 1 is better than the baseline).
//   BENCH_PEOPLE (default 125000, about 1.06M events) sets the size of the simulated day; BENCH_INGEST (default 200000)
//   how many of its events are appended to a fresh PGlite store; BENCH_ONLY=a,b runs only the named
//   sections (day, linkage, and those registered below); BENCH_WRITE_BASELINE=1 rewrites the baseline
//   (=missing only adds the rows it lacks).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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
import { sampleRss, seconds, type BenchContext, type BenchRow, type BenchSection } from "./section.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const people = Number(process.env.BENCH_PEOPLE ?? 125_000);
const ingestN = Number(process.env.BENCH_INGEST ?? 200_000);

/** The simulated day: parse, replay with every typology, end to end, ingest into PGlite. */
const day: BenchSection = {
  name: "day",
  async run(ctx) {
    const rows: BenchRow[] = [];
    // 1. Parse: NDJSON line split + JSON.parse + schema validation.
    let t = process.hrtime.bigint();
    const events: Event[] = [];
    for await (const l of readLines(openInput(ctx.eventsFile))) {
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
    const store = await openStore({ dataDir: join(ctx.dir, "store") });
    try {
      let n = 0;
      const limited = (async function* () {
        for await (const l of readLines(openInput(ctx.eventsFile))) {
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
    return rows;
  },
};

const linkage: BenchSection = { name: "linkage", needsDay: false, run: () => linkageBench() };

/** Every section, in the order they run. Add yours here (one line). */
const sections: BenchSection[] = [day, linkage, (await import("./e2e.ts")).e2e, (await import("./replay.ts")).replay, (await import("./live.ts")).live];

async function main() {
  const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((n) => !sections.some((s) => s.name === n)) ?? [];
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: no section named ${unknown.join(", ")} (sections: ${sections.map((s) => s.name).join(", ")})`);
  const chosen = sections.filter((s) => !only || only.includes(s.name));
  const rows: BenchRow[] = [];
  const ticker = setInterval(sampleRss, 50);
  const dir = await mkdtemp(join(tmpdir(), "kanshi-bench-"));
  try {
    let ctx: BenchContext = { dir, eventsFile: "", events: 0, people };
    if (chosen.some((s) => s.needsDay !== false)) {
      const t = process.hrtime.bigint();
      const sim = await writeSimulation(dir, { seed: 7, people, days: 1, injections: true, dataDir: resolve(here, "../../shared/data") });
      const simSecs = seconds(t);
      rows.push({ name: "simulate (day, people)", value: people / simSecs, unit: "people/s", note: `${sim.events.toLocaleString("en-US")} events in ${simSecs.toFixed(1)} s` });
      ctx = { ...ctx, eventsFile: join(dir, "events.ndjson"), events: sim.events };
    }
    for (const s of chosen) {
      global.gc?.();
      try {
        rows.push(...(await s.run(ctx)));
      } catch (e) {
        rows.push({ name: `${s.name} (failed)`, value: 0, unit: "—", note: (e as Error).message });
        process.exitCode = 1;
      }
    }
    rows.push({ name: "peak RSS", value: sampleRss() / 2 ** 20, unit: "MiB", note: "whole benchmark process (child processes not included)" });
  } finally {
    clearInterval(ticker);
    await rm(dir, { recursive: true, force: true });
  }

  const baseline: Record<string, number> = JSON.parse(await readFile(join(here, "baseline.json"), "utf8").catch(() => "{}"));
  const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(2));
  // Units where smaller is better: the ratio is baseline / value.
  const smallerIsBetter = new Set(["MiB", "ms", "s", "bytes", "B/account"]);
  const lines = [
    `Kanshi benchmarks — ${people.toLocaleString("en-US")} simulated people, node ${process.version}`,
    "",
    `${"benchmark".padEnd(40)} ${"value".padStart(14)} ${"unit".padEnd(10)} ${"baseline".padStart(12)} ${"ratio".padStart(6)}  note`,
  ];
  for (const r of rows) {
    const b = baseline[r.name];
    const ratio = b && r.value ? (smallerIsBetter.has(r.unit) ? b / r.value : r.value / b) : undefined;
    lines.push(`${r.name.padEnd(40)} ${fmt(r.value).padStart(14)} ${r.unit.padEnd(10)} ${(b ? fmt(b) : "—").padStart(12)} ${(ratio ? ratio.toFixed(2) : "—").padStart(6)}  ${r.note}`);
  }
  lines.push("", "ratio > 1 means better than the baseline (for RSS, latency and bytes: smaller).");
  console.log(lines.join("\n"));
  if (process.env.BENCH_WRITE_BASELINE) {
    // BENCH_WRITE_BASELINE=missing adds only the rows the baseline lacks; any other value replaces them all.
    const measured = Object.fromEntries(rows.filter((r) => r.value > 0).map((r) => [r.name, Math.round(r.value * 100) / 100]));
    const merged = process.env.BENCH_WRITE_BASELINE === "missing" ? { ...measured, ...baseline } : { ...baseline, ...measured };
    await writeFile(join(here, "baseline.json"), JSON.stringify(merged, null, 2) + "\n");
  }
}

await main();
