// `kanshi start` (`npm start`): demo day on an empty store, detection, then the API until Ctrl-C.
import pino from "pino";
import type { Alert } from "../contracts/alerts.ts";
import type { Event } from "../contracts/events.ts";
import { createEngine } from "../engine/index.ts";
import { ingestLines } from "../ingest/ingest.ts";
import { buildApp } from "../server/app.ts";
import { simulate } from "../sim/simulate.ts";
import { loadConfig } from "./config.ts";
import { line, warn, type CliIo } from "./io.ts";
import { progressBar } from "./progress.ts";
import { replayStore } from "./replay.ts";
import { linkAccounts, storedIdentityEvents } from "./link.ts";
import { describeStore, openConfiguredStore } from "./store.ts";
import { formatAlertSummary } from "./summary.ts";

/** Paths that could carry personal data: never written to logs. */
export const LOG_REDACT = ["req.headers.authorization", "req.headers.cookie", "*.kyc", "*.subject", "*.name", "*.email", "*.phone", "*.address"];

export async function startCommand(io: CliIo, opts: { demo: boolean }): Promise<number> {
  const cfg = loadConfig(io);
  const store = await openConfiguredStore(io);
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await store.close();
    }
  };
  try {
    line(io, `Kanshi: store is ${describeStore(io)}`);
    const existing = await store.countEvents();
    if (existing === 0 && opts.demo) {
      line(io, `empty store: simulating a demo consortium day (seed ${cfg.demoSeed}, ${cfg.demoPeople.toLocaleString("en-US")} people)…`);
      const sim = simulate({ seed: cfg.demoSeed, people: cfg.demoPeople, days: 1, injections: true, dataDir: cfg.sharedDataDir });
      const started = Date.now();
      const bar = progressBar(io, "ingest", sim.stats?.events ?? 0, "events");
      let no = 0;
      const lines = (function* () {
        for (const e of sim.events) yield { no: ++no, text: JSON.stringify(e) };
      })();
      const counts = await ingestLines(store, lines, { onProgress: (c) => bar.update(c.accepted + c.duplicate + c.rejected) });
      bar.stop();
      line(io, `ingested ${counts.accepted.toLocaleString("en-US")} events in ${((Date.now() - started) / 1000).toFixed(1)} s (${counts.duplicate} duplicate, ${counts.rejected} rejected)`);
      await store.setMeta("demo", JSON.stringify({ seed: cfg.demoSeed, people: cfg.demoPeople, injections: sim.labels.length }));
    } else {
      line(io, `store holds ${existing.toLocaleString("en-US")} events; replaying them to rebuild detection state…`);
    }
    const keying = await linkAccounts(io, await storedIdentityEvents(store));
    const engine = createEngine(keying ?? {});
    const t0 = Date.now();
    const replay = await replayStore(store, engine);
    line(io, `detection: ${replay.events.toLocaleString("en-US")} events replayed in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${replay.alerts.length.toLocaleString("en-US")} alerts`);
    if (replay.invalid) warn(io, `${replay.invalid} stored events no longer validate and were skipped`);
    line(io, formatAlertSummary(replay.alerts));

    const logger = pino({ level: cfg.logLevel, redact: { paths: LOG_REDACT, censor: "[redacted]" } }, pino.destination({ dest: 2, sync: false }));
    const app = await buildApp({
      store,
      logger,
      onEvents: async (events: Event[]) => {
        const alerts: Alert[] = [];
        for (const e of events) for (const a of engine.push(e)) alerts.push(a);
        if (alerts.length) await store.saveAlerts(alerts);
      },
    });
    const address = await app.listen({ port: cfg.port, host: cfg.host });
    line(io, `Kanshi API listening on ${address} — GET /v1/alerts, POST /v1/events, /healthz. Ctrl-C to stop.`);
    await (io.stopSignal ?? new Promise<void>(() => {}));
    line(io, "stopping…");
    await app.close();
    await close();
    line(io, "stopped; the data stays for the next start");
    return 0;
  } finally {
    await close();
  }
}
