// The HTTP API (fastify). Thin edges: a handler parses, calls one use case, maps the result.
//
// Shared machinery for every route module (see auth.ts and testing.ts for how to plug in):
//   - zod schemas on routes (fastify-type-provider-zod): request validation answers 400 with the
//     place (`query.limit`, `body.cases[2].state`); the same schemas make the OpenAPI document
//     (`/openapi.json`, explorer at `/docs`);
//   - authentication on every route but the public ones (auth.ts): `request.principal`;
//   - rate limits per principal (plugins/rate-limit.ts), one error shape (plugins/errors.ts),
//     Prometheus metrics (plugins/metrics.ts), the live path (plugins/live.ts).
// Route modules live in routes/<area>.ts as `(app, deps) => Promise<void>` and are registered below,
// each guarded by its deps being present in AppOptions.
import fastifyCookie from "@fastify/cookie";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { AuditTrail } from "../privacy/index.ts";
import { createDisclosurePolicy, type DisclosurePolicy } from "../privacy/policy.ts";
import type { Pseudonymizer } from "../privacy/pseudonym.ts";
import type { Store } from "../store/ports.ts";
import { UnparsableLine } from "../ingest/ingest.ts";
import { Authenticator, installAuth } from "./auth.ts";
import { installErrorHandling, jsonErrorMessage } from "./plugins/errors.ts";
import { LivePipeline, type Detect } from "./plugins/live.ts";
import { ApiMetrics, installMetrics } from "./plugins/metrics.ts";
import { installOpenApi } from "./plugins/openapi.ts";
import { FailureThrottle, installRateLimit, type FailureThrottleOptions, type RateLimitOptions } from "./plugins/rate-limit.ts";
import { alertRoutes } from "./routes/alerts.ts";
import { disclosureRoutes } from "./routes/disclosures.ts";
import type { DisclosureService } from "../disclosure/service.ts";
import type { ReportService } from "../reports/service.ts";
import { reportRoutes } from "./routes/reports.ts";
import { ruleRoutes, type RuleRouteDeps } from "./routes/rules.ts";
import type { CaseUseCases } from "../cases/index.ts";
import { caseRoutes } from "./routes/cases.ts";
import { entityRoutes } from "./routes/entities.ts";
import { eventRoutes } from "./routes/events.ts";
import { healthRoutes } from "./routes/health.ts";
import { sessionRoutes, type SessionRouteOptions } from "./routes/session.ts";
import { streamRoutes, type StreamOptions } from "./routes/stream.ts";

export interface AppOptions {
  store: Store;
  /** The audit trail (over store.auditLog(), signing with the deployment's audit key): logins, and route modules' decisions. */
  audit: AuditTrail;
  /** Account pseudonyms (the deployment's pseudonym key). */
  pseudonyms: Pseudonymizer;
  /** The disclosure policy (default: createDisclosurePolicy()). */
  policy?: DisclosurePolicy;
  /** A pino logger (redacting personal data: see logging.ts); none by default. */
  logger?: FastifyBaseLogger;
  /** Largest request body accepted, in bytes (default 32 MiB). */
  bodyLimit?: number;
  /** Live detection of events as they are stored: returns the alerts raised (the server saves them). */
  detect?: Detect;
  /** API key cache, session lifetimes, cookie security. */
  auth?: {
    keyCacheMs?: number;
    sessionTtlMs?: number;
    sessionIdleMs?: number;
    /** Throttling of failed credentials per client address (default: 20 free failures in 5 min). */
    credentialThrottle?: FailureThrottleOptions;
  } & SessionRouteOptions;
  /** Requests per principal (token bucket); `false` turns limiting off. Default: 100/s, burst 200. */
  rateLimit?: RateLimitOptions | false;
  /** Metrics registry (default: a fresh one per app, with process metrics). */
  metrics?: ApiMetrics;
  /** The live stream's heartbeat and page size. */
  stream?: StreamOptions;
  /** Epoch ms (sessions, rate limits); default Date.now. */
  now?: () => number;
  /** Disclosure requests, approvals and reveals (src/disclosure/service.ts); its routes are served when present. */
  disclosures?: DisclosureService;
  /** Suspicious transaction reports and the regulator's statistics (src/reports/service.ts); its routes are served when present. */
  reports?: ReportService;
  /** Cases and entity views (src/cases, createCaseUseCases); /v1/cases and /v1/entities/:id(/graph) are served when present. */
  cases?: CaseUseCases;
  /** Custom rules (store.rules()): /v1/rules (draft, backtest, publish) is served when present. */
  rules?: RuleRouteDeps;
}

const NDJSON_TYPES = ["application/x-ndjson", "application/ndjson", "application/jsonl", "application/jsonlines"];

function parseNdjson(body: string): unknown[] {
  const out: unknown[] = [];
  for (const line of body.split("\n")) {
    const text = line.trim();
    if (!text) continue;
    try {
      out.push(JSON.parse(text));
    } catch (e) {
      out.push(new UnparsableLine(jsonErrorMessage(e)));
    }
  }
  return out;
}

export interface KanshiApp extends FastifyInstance {
  /** The live pipeline (save alerts from elsewhere and wake the stream's followers). */
  live: LivePipeline;
  authenticator: Authenticator;
  metrics: ApiMetrics;
}

export async function buildApp(opts: AppOptions): Promise<KanshiApp> {
  const limits = { bodyLimit: opts.bodyLimit ?? 32 * 1024 * 1024 };
  const app: FastifyInstance = (opts.logger ? Fastify({ ...limits, loggerInstance: opts.logger }) : Fastify({ ...limits, logger: false })) as unknown as FastifyInstance;
  const now = opts.now ?? Date.now;
  const policy = opts.policy ?? createDisclosurePolicy();
  const metrics = opts.metrics ?? new ApiMetrics({ processMetrics: true });
  const live = new LivePipeline({ store: opts.store, detect: opts.detect, metrics });
  const authenticator = new Authenticator({ principals: opts.store.principals(), sessions: opts.store.sessions(), now, ...opts.auth });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  for (const type of NDJSON_TYPES) {
    app.addContentTypeParser(type, { parseAs: "string" }, (_req, body, done) => done(null, parseNdjson(body as string)));
  }
  installErrorHandling(app);
  await app.register(fastifyCookie);
  await installOpenApi(app);
  installMetrics(app, metrics);
  installAuth(app, authenticator, new FailureThrottle({ freeFailures: 20, windowMs: 5 * 60_000, ...opts.auth?.credentialThrottle }));
  if (opts.rateLimit !== false) installRateLimit(app, { ...opts.rateLimit, now });

  const decorated = app as KanshiApp;
  decorated.decorate("live", live);
  decorated.decorate("authenticator", authenticator);
  decorated.decorate("metrics", metrics);

  await app.register(healthRoutes, { store: opts.store });
  await app.register(sessionRoutes, { store: opts.store, audit: opts.audit, authenticator, now, ...opts.auth });
  await app.register(eventRoutes, { store: opts.store, policy, live });
  await app.register(alertRoutes, { store: opts.store, policy, pseudonyms: opts.pseudonyms });
  await app.register(streamRoutes, { store: opts.store, policy, pseudonyms: opts.pseudonyms, live, ...opts.stream });
  // Area route modules: one line each, guarded by their deps being present in AppOptions, e.g.
  //   if (opts.cases) await app.register(caseRoutes, { ...opts.cases, store: opts.store, audit: opts.audit, policy, pseudonyms: opts.pseudonyms });
  if (opts.disclosures) await app.register(disclosureRoutes, { disclosures: opts.disclosures });
  if (opts.reports) await app.register(reportRoutes, { reports: opts.reports });
  if (opts.rules) await app.register(ruleRoutes, { audit: opts.audit, ...opts.rules });
  if (opts.cases) await app.register(caseRoutes, { cases: opts.cases.cases });
  if (opts.cases) await app.register(entityRoutes, { entities: opts.cases.entities });

  return decorated;
}
