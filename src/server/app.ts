// The HTTP API (fastify). Thin edges: a handler parses, calls one use case, maps the result.
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from "fastify";
import { z } from "zod";
import { KanshiError, badInput, isKanshiError } from "../contracts/errors.ts";
import type { Alert } from "../contracts/alerts.ts";
import type { Event } from "../contracts/events.ts";
import { ingestBatch, UnparsableLine, type EventAppender } from "../ingest/ingest.ts";

/** What the API needs of the store. */
export interface ApiStore extends EventAppender {
  countEvents(): Promise<number>;
  listAlerts(q: { typology?: string; account?: string; from?: string; to?: string; limit?: number; cursor?: string }): Promise<{
    items: Alert[];
    nextCursor: string | null;
  }>;
}

export interface AppOptions {
  store: ApiStore;
  /** A pino logger (redacting personal data); none by default. */
  logger?: FastifyBaseLogger;
  /** Largest request body accepted, in bytes (default 32 MiB). */
  bodyLimit?: number;
  /** Called with events as they are committed (for live detection). */
  onEvents?: (events: Event[]) => void | Promise<void>;
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
      out.push(new UnparsableLine(`not valid JSON (${(e as Error).message})`));
    }
  }
  return out;
}

const AlertQuery = z.object({
  typology: z.string().min(1).optional(),
  account: z.string().min(1).optional(),
  from: z.iso.datetime({ offset: true, error: "expected an RFC 3339 timestamp with offset" }).optional(),
  to: z.iso.datetime({ offset: true, error: "expected an RFC 3339 timestamp with offset" }).optional(),
  limit: z.coerce.number({ error: "expected a number" }).int().min(1).max(500).optional(),
  cursor: z.string().min(1).optional(),
});

const IngestQuery = z.object({ atomic: z.enum(["true", "false", "1", "0"]).optional() });

function parseQuery<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw badInput(i.message, `query.${i.path.map(String).join(".")}`);
  }
  return r.data;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const limits = { bodyLimit: opts.bodyLimit ?? 32 * 1024 * 1024 };
  const app: FastifyInstance = (opts.logger ? Fastify({ ...limits, loggerInstance: opts.logger }) : Fastify({ ...limits, logger: false })) as unknown as FastifyInstance;

  for (const type of NDJSON_TYPES) {
    app.addContentTypeParser(type, { parseAs: "string" }, (_req, body, done) => done(null, parseNdjson(body as string)));
  }

  app.setErrorHandler((err: FastifyError | KanshiError, req, reply) => {
    if (isKanshiError(err)) return reply.status(err.status).send(err.toBody());
    const fe = err as FastifyError;
    const mapped: Record<string, KanshiError> = {
      FST_ERR_CTP_BODY_TOO_LARGE: new KanshiError("payload_too_large", `the request body is larger than ${app.initialConfig.bodyLimit} bytes; send smaller batches`),
      FST_ERR_CTP_INVALID_MEDIA_TYPE: new KanshiError("unsupported_media_type", `content type ${JSON.stringify(req.headers["content-type"] ?? "")} is not accepted; send application/json (an array of events) or application/x-ndjson`),
      FST_ERR_CTP_EMPTY_JSON_BODY: badInput("the body is empty; send an array of events", "body"),
      FST_ERR_CTP_INVALID_CONTENT_LENGTH: badInput("the Content-Length header does not match the body", "body"),
    };
    const known = fe.code ? mapped[fe.code] : undefined;
    if (known) return reply.status(known.status).send(known.toBody());
    if (fe.statusCode === 400 && fe instanceof SyntaxError) {
      return reply.status(400).send(badInput(`the body is not valid JSON (${fe.message})`, "body").toBody());
    }
    if (fe.statusCode && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send(new KanshiError("bad_input", fe.message).toBody());
    }
    req.log.error({ err: { message: fe.message, code: fe.code } }, "internal error");
    return reply.status(500).send(new KanshiError("internal", "internal error; see the server log").toBody());
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(new KanshiError("not_found", `no route ${req.method} ${req.url.split("?")[0]}`).toBody());
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    try {
      const events = await opts.store.countEvents();
      return { status: "ready", events };
    } catch {
      return reply.status(503).send(new KanshiError("unavailable", "the store is not reachable").toBody());
    }
  });

  app.post("/v1/events", async (req, reply) => {
    const { atomic } = parseQuery(IngestQuery, req.query);
    const body = req.body;
    let values: unknown[];
    if (Array.isArray(body)) values = body;
    else if (body && typeof body === "object") values = [body];
    else throw badInput("expected a JSON array of events (or NDJSON, one event a line)", "body");
    const result = await ingestBatch(opts.store, values, { atomic: atomic === "true" || atomic === "1" });
    if (opts.onEvents) {
      const stored = result.events.filter((e, i): e is Event => e !== undefined && result.results[i]?.status === "accepted");
      if (stored.length) await opts.onEvents(stored);
    }
    const nothingStored = result.accepted + result.duplicate === 0;
    return reply.status(nothingStored ? 400 : 200).send({
      accepted: result.accepted,
      duplicate: result.duplicate,
      rejected: result.rejected,
      results: result.results,
    });
  });

  app.get("/v1/alerts", async (req) => {
    const q = parseQuery(AlertQuery, req.query);
    return opts.store.listAlerts(q);
  });

  return app;
}
