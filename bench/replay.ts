// Bench section "replay": a backtest from Kanshi's own stored log. The simulated day (or its first
// BENCH_REPLAY_EVENTS events) is ingested into a fresh embedded store, its replay form is built
// (store/replay.ts: compact binary segments), and then timed: decode only, and decode + detect with
// every typology. Throughput is events per CPU-second of this process (process.cpuUsage, so other
// work on a shared machine does not count against it) and per wall second. Also: state bytes per
// account (the engine snapshot as JSON over accounts opened), segment bytes per event, and the cost
// of each typology alone over the same events (BENCH_REPLAY_TABLE=0 skips that table).
import { join } from "node:path";
import type { Event } from "../src/contracts/events.ts";
import { createEngine, defaultRegistry } from "../src/engine/index.ts";
import { ingestLines } from "../src/ingest/ingest.ts";
import { openInput, readLines } from "../src/ingest/lines.ts";
import { openStore } from "../src/store/open.ts";
import { sampleRss, seconds, type BenchRow, type BenchSection } from "./section.ts";

interface Timed {
  wall: number;
  cpu: number;
}

function timed(fn: () => void): Timed {
  global.gc?.();
  const c0 = process.cpuUsage();
  const t = process.hrtime.bigint();
  fn();
  const wall = seconds(t);
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

const perSec = (n: number, s: number) => (s > 0 ? n / s : 0);
const count = (n: number) => n.toLocaleString("en-US");

export const replay: BenchSection = {
  name: "replay",
  async run(ctx) {
    const rows: BenchRow[] = [];
    const limit = Number(process.env.BENCH_REPLAY_EVENTS ?? Number.POSITIVE_INFINITY);
    const store = await openStore({ dataDir: join(ctx.dir, "replay-store") });
    try {
      // 1. Ingest (parse, validate, append in batches): the store's own bulk path.
      let n = 0;
      const lines = (async function* () {
        for await (const l of readLines(openInput(ctx.eventsFile))) {
          if (++n > limit) return;
          yield l;
        }
      })();
      let t = process.hrtime.bigint();
      const counts = await ingestLines(store, lines, { batchSize: 5000 });
      const ingestSecs = seconds(t);
      rows.push({ name: "replay: ingest into PGlite", value: counts.accepted / ingestSecs, unit: "events/s", note: `${count(counts.accepted)} events (wall)` });

      // 2. Build the replay form (once; kept in the store).
      t = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      const built = await store.replay().sync();
      const buildCpu = process.cpuUsage(c0);
      const buildSecs = seconds(t);
      const stats = await store.replay().stats();
      rows.push({
        name: "replay: build segments",
        value: built.rows / buildSecs,
        unit: "events/s",
        note: `${built.built} segments, ${(stats.bytes / stats.events).toFixed(1)} B/event, ${((buildCpu.user + buildCpu.system) / 1e6).toFixed(1)} CPU-s (wall)`,
      });

      // 3. Decode only: the segments, merged in replay order, into event objects (dropped at once).
      let cursor = await store.replay().open();
      let decoded = 0;
      const dec = timed(() => {
        for (let e = cursor.next(); e !== undefined; e = cursor.next()) decoded++;
      });
      rows.push({ name: "replay: decode only", value: perSec(cursor.events, dec.cpu), unit: "events/s", note: `per CPU-second; wall ${count(Math.round(perSec(cursor.events, dec.wall)))}/s` });
      const events: Event[] = [];

      // 4. Decode + detect, every typology: the backtest.
      cursor = await store.replay().open();
      const engine = createEngine();
      let alerts = 0;
      const det = timed(() => {
        for (let e = cursor.next(); e !== undefined; e = cursor.next()) alerts += engine.push(e).length;
        alerts += engine.flush().length;
      });
      rows.push({
        name: "replay: decode + detect (all typologies)",
        value: perSec(decoded, det.cpu),
        unit: "events/s",
        note: `per CPU-second, ${count(decoded)} events, ${count(alerts)} alerts; wall ${count(Math.round(perSec(decoded, det.wall)))}/s`,
      });
      const accounts = engine.stats().accounts;
      let snapshotBytes = 0;
      try {
        snapshotBytes = Buffer.byteLength(JSON.stringify(engine.snapshot()));
      } catch (e) {
        rows.push({ name: "replay: state (failed)", value: 0, unit: "—", note: (e as Error).message });
      }
      if (snapshotBytes > 0 && accounts > 0) {
        rows.push({ name: "replay: state per account", value: snapshotBytes / accounts, unit: "B/account", note: `engine snapshot (JSON) ${(snapshotBytes / 2 ** 20).toFixed(0)} MiB over ${count(accounts)} accounts` });
      }
      rows.push({ name: "replay: peak RSS so far", value: sampleRss() / 2 ** 20, unit: "MiB", note: "this process, through the replay section" });

      // 5. Each typology alone over the same events (decoded once, untimed): where detection time goes.
      if (process.env.BENCH_REPLAY_TABLE !== "0") {
        cursor = await store.replay().open();
        for (let e = cursor.next(); e !== undefined; e = cursor.next()) events.push(e);
        for (const id of defaultRegistry.ids()) {
          const one = createEngine({ typologies: [id] });
          let a = 0;
          const r = timed(() => {
            for (let i = 0; i < events.length; i++) a += one.push(events[i]!).length;
            a += one.flush().length;
          });
          rows.push({ name: `replay: ${id} alone`, value: perSec(events.length, r.cpu), unit: "events/s", note: `per CPU-second, ${count(a)} alerts` });
        }
      }
    } finally {
      await store.close();
    }
    return rows;
  },
};
