// Store throughput: append in batches (all new events, then the same again: all duplicates) and scan
// back in both orders. `benchStore` works on any Store; run as a script to measure both adapters:
//   node --import tsx src/store/testing/bench.ts [--events 200000] [--batch 2000] [--only pglite|postgres]
// The PGlite run uses a fresh data directory in the temp dir; the server run starts a throwaway
// PostgreSQL with its normal durability (fsync and synchronous commit on).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openStore } from "../open.ts";
import type { Store } from "../ports.ts";
import { findPostgresBinDir, startPostgres } from "./pg-server.ts";
import { syntheticEvents } from "./synthetic.ts";

export interface BenchResult {
  events: number;
  batch: number;
  avgBodyBytes: number;
  appendPerSec: number;
  duplicateAppendPerSec: number;
  scanEventTimePerSec: number;
  scanIngestPerSec: number;
  countMs: number;
}

export async function benchStore(store: Store, events: number, batch: number): Promise<BenchResult> {
  const sample = syntheticEvents(0, 1000);
  const avgBodyBytes = Math.round(sample.reduce((n, e) => n + Buffer.byteLength(e.body), 0) / sample.length);
  // Generate outside the timed loop: this measures the store, not the generator.
  const batches = Array.from({ length: Math.ceil(events / batch) }, (_, b) => syntheticEvents(b * batch, Math.min(batch, events - b * batch)));

  let t = performance.now();
  for (const b of batches) await store.appendEvents(b);
  const appendPerSec = events / ((performance.now() - t) / 1000);

  t = performance.now();
  for (const b of batches) await store.appendEvents(b);
  const duplicateAppendPerSec = events / ((performance.now() - t) / 1000);

  const scan = async (order: "event-time" | "ingest") => {
    const t0 = performance.now();
    let n = 0;
    for await (const page of store.scanEvents({ order, batchSize: 5000 })) n += page.length;
    if (n !== events) throw new Error(`scan (${order}) returned ${n} events, expected ${events}`);
    return n / ((performance.now() - t0) / 1000);
  };
  const scanEventTimePerSec = await scan("event-time");
  const scanIngestPerSec = await scan("ingest");

  t = performance.now();
  const counted = await store.countEvents();
  const countMs = performance.now() - t;
  if (counted !== events) throw new Error(`countEvents() = ${counted}, expected ${events}`);
  return { events, batch, avgBodyBytes, appendPerSec, duplicateAppendPerSec, scanEventTimePerSec, scanIngestPerSec, countMs };
}

function report(name: string, r: BenchResult): void {
  const k = (n: number) => `${Math.round(n).toLocaleString("en-US")} ev/s`;
  process.stdout.write(
    `${name}: ${r.events.toLocaleString("en-US")} events (~${r.avgBodyBytes} B bodies), batches of ${r.batch}\n` +
      `  append new        ${k(r.appendPerSec)}\n` +
      `  append duplicates ${k(r.duplicateAppendPerSec)}\n` +
      `  scan event-time   ${k(r.scanEventTimePerSec)}\n` +
      `  scan ingest       ${k(r.scanIngestPerSec)}\n` +
      `  countEvents       ${r.countMs.toFixed(1)} ms\n`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { events: { type: "string", default: "200000" }, batch: { type: "string", default: "2000" }, only: { type: "string" } },
  });
  const events = Number(values.events);
  const batch = Number(values.batch);
  if (!Number.isInteger(events) || events < 1 || !Number.isInteger(batch) || batch < 1) throw new Error("--events and --batch must be positive integers");

  if (values.only !== "postgres") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "kanshi-bench-"));
    try {
      const store = await openStore({ dataDir: path.join(dir, "data") });
      try {
        report("PGlite (data directory)", await benchStore(store, events, batch));
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (values.only !== "pglite") {
    if (!findPostgresBinDir()) {
      process.stdout.write("PostgreSQL server: skipped (no initdb/pg_ctl/postgres found)\n");
      return;
    }
    const server = await startPostgres({ durable: true });
    try {
      const store = await openStore({ databaseUrl: server.url });
      try {
        report("PostgreSQL 15 server (fsync on, loopback TCP)", await benchStore(store, events, batch));
      } finally {
        await store.close();
      }
    } finally {
      await server.stop();
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  });
}
