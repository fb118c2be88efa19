// The fully wired API over an open store, as `kanshi start` serves it: identities linked, stored
// events replayed through the engine (published rules, stored typology configs), replayed alerts
// grouped into cases, and the live path (POST /v1/events detected at once, alerts grouped into cases
// behind detection), disclosures, reports and rules. `kanshi start` listens on it; the end-to-end
// API test (src/server/day.test.ts) and the live bench (bench/live.ts) build it the same way.
import { resolve } from "node:path";
import type { Alert } from "../contracts/alerts.ts";
import { detectWithCases, type CaseUseCases } from "../cases/index.ts";
import { disclosureServiceFor, type DisclosureService } from "../disclosure/service.ts";
import { AuditTrail } from "../privacy/index.ts";
import { buildApp, type AppOptions, type KanshiApp } from "../server/app.ts";
import { createLogger } from "../server/logging.ts";
import { engineView } from "../store/identities.ts";
import type { Store } from "../store/ports.ts";
import { startCases } from "./case-commands.ts";
import { loadConfig } from "./config.ts";
import { demoReportingProfiles } from "./demo-profiles.ts";
import { line, warn, type CliIo } from "./io.ts";
import { loadDeploymentKeys } from "./keys.ts";
import { linkStoredAccounts, personalDataSealing } from "./link.ts";
import { replayStore } from "./replay.ts";
import { buildReportService, loadReportingProfiles, PROFILES_VARIABLE } from "./report-commands.ts";
import { LiveDetection, readSettings } from "./rule-live.ts";
import { formatAlertSummary } from "./summary.ts";

export interface LiveApp {
  /** The API, not yet listening. */
  readonly app: KanshiApp;
  /** Cases and entity views (its `cases.whenIdle()` waits for live grouping). */
  readonly cases: CaseUseCases;
  readonly disclosures: DisclosureService;
  /** The one audit trail every writer of this process appends to. */
  readonly audit: AuditTrail;
  /**
   * Live detection (cli/rule-live.ts): the engine, state rebuilt from the stored log, fed by POST
   * /v1/events, swapped when the detection settings change (through the API at once; from other
   * processes when polling, `detection.startPolling`).
   */
  readonly detection: LiveDetection;
  /** What the replay of the stored log gave. */
  readonly replayed: { readonly events: number; readonly alerts: readonly Alert[]; readonly invalid: number };
  /** Stops polling, closes the app, waits for the case grouping queued by live detection (the store stays open). */
  close(): Promise<void>;
}

/**
 * Builds the API over `store` with everything `kanshi start` wires: links new identity records,
 * replays the stored events through an engine keyed by entity (published custom rules and stored
 * typology configs), groups the replayed alerts into cases, and serves cases, disclosures, reports
 * and rules with live detection of posted events. Keys come from the deployment (environment or
 * `<data>/keys.json`), settings from the environment (loadConfig); `overrides` replace AppOptions
 * fields (a test turns rate limiting off, say). Prints progress lines to `io`. Does not listen.
 */
export async function buildLiveApp(io: CliIo, store: Store, overrides: Partial<AppOptions> = {}): Promise<LiveApp> {
  const cfg = loadConfig(io);
  const keying = await linkStoredAccounts(io, store);
  // The published custom rules and stored typology configs, live as in `kanshi detect`.
  const settings = await readSettings(store.rules());
  if (settings.rules.length > 0 || Object.keys(settings.configs).length > 0) {
    line(io, `store: ${settings.rules.length} published rule(s), config overrides for ${Object.keys(settings.configs).length} typolog(ies)`);
  }
  const detection = new LiveDetection({
    base: keying ?? {},
    settings,
    onSwap: (r) => line(io, `detection settings changed: ${r.fresh.length} typolog(ies) start fresh, ${r.carried.length} keep their state, ${r.dropped.length} retired`),
    onError: (e) => warn(io, `reading the detection settings failed; the running ones stay: ${(e as Error).message}`),
  });
  const t0 = Date.now();
  const replay = await replayStore(store, detection.engine);
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
  const logger = overrides.logger ?? createLogger(cfg.logLevel);
  const profilesPath = io.env[PROFILES_VARIABLE];
  const profiles = profilesPath ? await loadReportingProfiles(resolve(io.cwd, profilesPath)) : demoReportingProfiles();
  const app = await buildApp({
    store,
    logger,
    audit,
    cases,
    disclosures,
    reports: buildReportService({ store, keyring: keys.keyring, audit, profiles, disclosures }),
    rules: { store, onChange: () => detection.refresh(store.rules()), onChangeError: (e) => logger.error({ err: { message: (e as Error).message } }, "detection settings swap failed") },
    pseudonyms: keys.pseudonymizer,
    // Live events reach the engine as the store keeps them (personal values sealed apart), as a replay will.
    detect: detectWithCases(
      (events) => events.flatMap((e) => detection.push(engineView(e, sealing))),
      cases.cases,
      (e) => logger.error({ err: { message: (e as Error).message } }, "case grouping failed"),
    ),
    rateLimit: cfg.rateLimit.perSecond === 0 ? false : cfg.rateLimit,
    auth: { secureCookies: cfg.secureCookies, sessionTtlMs: cfg.sessionTtlMs, sessionIdleMs: cfg.sessionIdleMs },
    ...overrides,
  });
  return {
    app,
    cases,
    disclosures,
    audit,
    detection,
    replayed: { events: replay.events, alerts: replay.alerts, invalid: replay.invalid },
    async close() {
      detection.stopPolling();
      await app.close();
      await detection.idle();
      await cases.cases.whenIdle();
    },
  };
}
