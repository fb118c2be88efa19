// Writing a simulation to a folder: events.ndjson (the public event format, one event a line, in
// time order), labels.ndjson (what was injected), people.ndjson (ground truth: who owns which account
// and identity records) and summary.json (options, counts, notes).
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { simulate, type ResolvedSimulateOptions, type SimulateOptions, type SimulationStats } from "./simulate.ts";

export interface WriteResult {
  /** Events written. */
  events: number;
  labels: number;
  /** Individuals and corporates in people.ndjson. */
  people: number;
  accounts: number;
  eventsByType: Record<string, number>;
  notes: string[];
  options: ResolvedSimulateOptions;
  stats: SimulationStats;
  files: { events: string; labels: string; people: string; summary: string };
}

const CHUNK = 4 << 20;

/** Write lines through a reused byte buffer (encoding line by line is cheaper than building big strings). */
async function writeLines(path: string, lines: Iterable<string>): Promise<number> {
  const out: Writable = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => undefined);
  let n = 0;
  let buf = Buffer.allocUnsafe(CHUNK);
  let at = 0;
  const flush = async () => {
    if (at === 0) return;
    const full = buf.subarray(0, at);
    buf = Buffer.allocUnsafe(CHUNK);
    at = 0;
    if (!out.write(full)) await Promise.race([once(out, "drain"), failed]);
  };
  try {
    for (const line of lines) {
      n++;
      if (at + line.length * 3 + 1 > CHUNK) {
        await flush();
        if (line.length * 3 + 1 > CHUNK) {
          if (!out.write(line + "\n")) await Promise.race([once(out, "drain"), failed]);
          continue;
        }
      }
      at += buf.write(line, at);
      buf[at++] = 10;
    }
    await flush();
    out.end();
    await Promise.race([once(out, "finish"), failed]);
  } catch (e) {
    out.destroy();
    throw e;
  }
  return n;
}

/** Simulate and write the four files into `outDir` (created if needed). */
export async function writeSimulation(outDir: string, opts: SimulateOptions): Promise<WriteResult> {
  const sim = simulate(opts);
  await mkdir(outDir, { recursive: true });
  const files = {
    events: join(outDir, "events.ndjson"),
    labels: join(outDir, "labels.ndjson"),
    people: join(outDir, "people.ndjson"),
    summary: join(outDir, "summary.json"),
  };
  const eventsByType: Record<string, number> = {};
  const lines = function* () {
    for (const e of sim.events) {
      eventsByType[e.type] = (eventsByType[e.type] ?? 0) + 1;
      yield JSON.stringify(e);
    }
  };
  const events = await writeLines(files.events, lines());
  const labels = await writeLines(files.labels, sim.labels.map((l) => JSON.stringify(l)));
  const people = await writeLines(files.people, sim.people.map((p) => JSON.stringify(p)));
  await writeFile(files.summary, JSON.stringify({ options: sim.options, stats: sim.stats, eventsByType, notes: sim.notes }, null, 2) + "\n");
  return { events, labels, people, accounts: sim.stats.accounts, eventsByType, notes: sim.notes, options: sim.options, stats: sim.stats, files };
}
