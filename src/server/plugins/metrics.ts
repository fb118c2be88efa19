// Prometheus metrics (prom-client), one registry per app (no global state): events ingested by
// outcome, alerts raised by typology, and HTTP request latency by route and status. Served at
// GET /metrics in the Prometheus text format, without credentials (like /healthz); it carries counts
// and timings only, never ids or personal data (routes are the URL patterns, `/v1/cases/:id`, not URLs).
import type { FastifyInstance } from "fastify";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Alert } from "../../contracts/alerts.ts";
import type { IngestCounts } from "../../ingest/ingest.ts";

export class ApiMetrics {
  readonly registry = new Registry();
  readonly events = new Counter({ name: "kanshi_events_ingested_total", help: "Events received over HTTP, by outcome", labelNames: ["outcome"] as const, registers: [this.registry] });
  readonly alerts = new Counter({ name: "kanshi_alerts_raised_total", help: "Alerts raised by live detection, by typology", labelNames: ["typology"] as const, registers: [this.registry] });
  readonly latency = new Histogram({
    name: "kanshi_http_request_duration_seconds",
    help: "HTTP request latency, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: "kanshi_" });
  }

  ingested(counts: IngestCounts & { results: readonly { status: string }[] }): void {
    const notStored = counts.results.filter((r) => r.status === "not_stored").length;
    if (counts.accepted) this.events.inc({ outcome: "accepted" }, counts.accepted);
    if (counts.duplicate) this.events.inc({ outcome: "duplicate" }, counts.duplicate);
    if (counts.rejected) this.events.inc({ outcome: "rejected" }, counts.rejected);
    if (notStored) this.events.inc({ outcome: "not_stored" }, notStored);
  }

  raised(alerts: readonly Alert[]): void {
    const by = new Map<string, number>();
    for (const a of alerts) by.set(a.typology, (by.get(a.typology) ?? 0) + 1);
    for (const [typology, n] of by) this.alerts.inc({ typology }, n);
  }
}

/** Times every request (by its route pattern; unmatched ones as "unmatched") and serves GET /metrics. */
export function installMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    metrics.latency.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get("/metrics", { schema: { summary: "Prometheus metrics", tags: ["operations"], security: [], hide: false } }, async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header("content-type", metrics.registry.contentType).send(text);
  });
}
