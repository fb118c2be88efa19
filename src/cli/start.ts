// `kanshi start` (`npm start`): demo day on an empty store, detection, then the API until Ctrl-C.
import { constants } from "node:fs";
import { chmod, open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { ingestLines } from "../ingest/ingest.ts";
import { createLogger } from "../server/logging.ts";
import type { Store } from "../store/ports.ts";
import { simulate } from "../sim/simulate.ts";
import { loadConfig, type Config } from "./config.ts";
import { createApiKey } from "./privacy-commands.ts";
import { badInput } from "../contracts/errors.ts";
import { line, type CliIo } from "./io.ts";
import { buildLiveApp } from "./live.ts";
import { progressBar } from "./progress.ts";
import { describeStore, openConfiguredStore } from "./store.ts";

export const DEMO_CREDENTIALS_FILE = "demo-credentials.txt";
const DEMO_META = "demo.credentials";
/** How often a running server polls the rules store for changes made by other processes (ms; 0: never). */
export const RULES_POLL_VARIABLE = "KANSHI_RULES_POLL_MS";
const DEFAULT_RULES_POLL_MS = 5_000;

function rulesPollMs(io: CliIo): number {
  const raw = io.env[RULES_POLL_VARIABLE];
  if (raw === undefined || raw === "") return DEFAULT_RULES_POLL_MS;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw badInput(`expected milliseconds (a whole number ≥ 0); got ${JSON.stringify(raw)}`, RULES_POLL_VARIABLE);
  return n;
}

/**
 * On the first start of a deployment: an analyst API key (reads alerts), an admin API key, and an
 * exchange officer key for the demo exchange bitflyer (submits its events, sees its own accounts),
 * printed once and written to `<data>/demo-credentials.txt` (mode 0600, created fresh). Later starts
 * only say where the file is. Revoke them with `kanshi keys revoke <id>` (while the server is stopped,
 * with the embedded store).
 */
async function demoCredentials(io: CliIo, store: Store, cfg: Config, url: string): Promise<void> {
  const file = join(cfg.dataDir, DEMO_CREDENTIALS_FILE);
  const made = await store.getMeta(DEMO_META);
  if (made !== undefined) {
    const there = await stat(file).then(() => true, () => false);
    line(io, there ? `demo API keys: see ${file} (made on the first start; revoke with kanshi keys revoke <id>)` : `demo API keys were made on the first start (${file} is gone); make new ones with kanshi keys create`);
    return;
  }
  const analyst = await createApiKey(io, store, { name: "demo-analyst", role: "analyst" });
  const admin = await createApiKey(io, store, { name: "demo-admin", role: "admin" });
  const officer = await createApiKey(io, store, { name: "demo-bitflyer", role: "exchange_officer", tenant: "bitflyer" });
  const text = [
    "# Kanshi demo API keys, made on the first start. Keep this file private; revoke with kanshi keys revoke <id>.",
    `# analyst (reads alerts):  curl -H "Authorization: Bearer $KANSHI_ANALYST_KEY" ${url}/v1/alerts`,
    `KANSHI_ANALYST_KEY=${analyst.key}`,
    "# admin (manages the deployment; reads no alerts or personal data)",
    `KANSHI_ADMIN_KEY=${admin.key}`,
    "# exchange officer of bitflyer (submits bitflyer's events, sees bitflyer's accounts)",
    `KANSHI_BITFLYER_KEY=${officer.key}`,
    "",
  ].join("\n");
  await rm(file, { force: true });
  const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await fh.writeFile(text, "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(file, 0o600);
  await store.setMeta(DEMO_META, JSON.stringify({ analyst: analyst.id, admin: admin.id, bitflyer: officer.id }));
  line(io, "demo API keys (shown once; also written to " + file + ", mode 0600):");
  line(io, `  analyst  ${analyst.key}`);
  line(io, `  admin    ${admin.key}`);
  line(io, `  bitflyer ${officer.key}  (exchange officer)`);
  line(io, `  try: curl -H "Authorization: Bearer ${analyst.key}" ${url}/v1/alerts`);
}

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
    // The fully wired API (identities, replay, cases, disclosures, reports, live detection): cli/live.ts.
    const pollMs = rulesPollMs(io);
    const { app, detection, close: closeApp } = await buildLiveApp(io, store, { logger: createLogger(cfg.logLevel) });
    const address = await app.listen({ port: cfg.port, host: cfg.host });
    // Rule and config changes made by another process (the CLI, another server) are seen on a poll.
    if (pollMs > 0) detection.startPolling(store.rules(), pollMs);
    if (opts.demo) await demoCredentials(io, store, cfg, address);
    line(io, `Kanshi API listening on ${address} — GET /v1/alerts, POST /v1/events, /v1/alerts/stream, /docs, /metrics, /healthz. Ctrl-C to stop.`);
    await (io.stopSignal ?? new Promise<void>(() => {}));
    line(io, "stopping…");
    await closeApp();
    await close();
    line(io, "stopped; the data stays for the next start");
    return 0;
  } finally {
    await close();
  }
}
