// `kanshi start` (`npm start`): demo day on an empty store, detection, then the API until Ctrl-C.
import { constants } from "node:fs";
import { chmod, open, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { disclosureServiceFor } from "../disclosure/service.ts";
import { createEngine } from "../engine/index.ts";
import { ingestLines } from "../ingest/ingest.ts";
import { AuditTrail } from "../privacy/index.ts";
import { buildApp } from "../server/app.ts";
import { createLogger } from "../server/logging.ts";
import type { Store } from "../store/ports.ts";
import { simulate } from "../sim/simulate.ts";
import { loadConfig, type Config } from "./config.ts";
import { loadDeploymentKeys } from "./keys.ts";
import { createApiKey } from "./privacy-commands.ts";
import { demoReportingProfiles } from "./demo-profiles.ts";
import { buildReportService, loadReportingProfiles, PROFILES_VARIABLE } from "./report-commands.ts";
import { settingsRegistry } from "./rule-commands.ts";
import { startCases } from "./case-commands.ts";
import { detectWithCases } from "../cases/index.ts";
import { line, warn, type CliIo } from "./io.ts";
import { progressBar } from "./progress.ts";
import { replayStore } from "./replay.ts";
import { linkStoredAccounts, personalDataSealing } from "./link.ts";
import { engineView } from "../store/identities.ts";
import { describeStore, openConfiguredStore } from "./store.ts";
import { formatAlertSummary } from "./summary.ts";

export const DEMO_CREDENTIALS_FILE = "demo-credentials.txt";
const DEMO_META = "demo.credentials";

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
    const keying = await linkStoredAccounts(io, store);
    // The published custom rules and stored typology configs, live as in `kanshi detect`.
    const rules = await store.rules().published();
    const configs = await store.rules().typologyConfigs();
    if (rules.length > 0 || Object.keys(configs).length > 0) line(io, `store: ${rules.length} published rule(s), config overrides for ${Object.keys(configs).length} typolog(ies)`);
    const engine = createEngine({ ...(keying ?? {}), registry: settingsRegistry(rules), configs });
    const t0 = Date.now();
    const replay = await replayStore(store, engine);
    line(io, `detection: ${replay.events.toLocaleString("en-US")} events replayed in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${replay.alerts.length.toLocaleString("en-US")} alerts`);
    if (replay.invalid) warn(io, `${replay.invalid} stored events no longer validate and were skipped`);
    line(io, formatAlertSummary(replay.alerts));

    const keys = await loadDeploymentKeys(io);
    const sealing = await personalDataSealing(io);
    // One trail for every writer in this process: a second one would re-read the whole log on each conflict.
    const audit = new AuditTrail({ log: store.auditLog(), signingKey: keys.auditSigningKey });
    const disclosures = disclosureServiceFor(store, { audit, sealer: keys.keyring });
    // Replayed alerts grouped into cases; live alerts join them in the background (no added latency).
    const cases = await startCases(io, store, replay.alerts, audit);
    const logger = createLogger(cfg.logLevel);
    const profilesPath = io.env[PROFILES_VARIABLE];
    const profiles = profilesPath ? await loadReportingProfiles(resolve(io.cwd, profilesPath)) : demoReportingProfiles();
    const app = await buildApp({
      store,
      logger,
      audit,
      cases,
      disclosures,
      reports: buildReportService({ store, keyring: keys.keyring, audit, profiles, disclosures }),
      rules: { store },
      pseudonyms: keys.pseudonymizer,
      // Live events reach the engine as the store keeps them (personal values sealed apart), as a replay will.
      detect: detectWithCases(
        (events) => events.flatMap((e) => engine.push(engineView(e, sealing))),
        cases.cases,
        (e) => logger.error({ err: { message: (e as Error).message } }, "case grouping failed"),
      ),
      rateLimit: cfg.rateLimit.perSecond === 0 ? false : cfg.rateLimit,
      auth: { secureCookies: cfg.secureCookies, sessionTtlMs: cfg.sessionTtlMs, sessionIdleMs: cfg.sessionIdleMs },
    });
    const address = await app.listen({ port: cfg.port, host: cfg.host });
    if (opts.demo) await demoCredentials(io, store, cfg, address);
    line(io, `Kanshi API listening on ${address} — GET /v1/alerts, POST /v1/events, /v1/alerts/stream, /docs, /metrics, /healthz. Ctrl-C to stop.`);
    await (io.stopSignal ?? new Promise<void>(() => {}));
    line(io, "stopping…");
    await app.close();
    await cases.cases.whenIdle();
    await close();
    line(io, "stopped; the data stays for the next start");
    return 0;
  } finally {
    await close();
  }
}
