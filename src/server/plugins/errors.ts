// One error shape for every answer that is not a success: `{ error: { code, message, path? } }`, the
// code from the KanshiError catalogue (contracts/errors.ts). Request validation failures (zod schemas
// on routes) name the place: `query.limit`, `body.cases[2].state`. Unexpected errors are logged with
// their message and code only (never the request body) and answered as `internal`.
import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { KanshiError, badInput, isKanshiError } from "../../contracts/errors.ts";

const CONTEXTS: Record<string, string> = { querystring: "query", body: "body", params: "params", headers: "headers" };

/** `/cases/2/state` in context `body` → `body.cases[2].state`. */
export function validationPath(context: string | undefined, instancePath: string): string {
  let out = CONTEXTS[context ?? ""] ?? context ?? "request";
  for (const seg of instancePath.split("/").filter((s) => s !== "")) out += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`;
  return out;
}

/**
 * A JSON parser's message without the input it quotes (Node's JSON.parse messages quote the text
 * around the fault, which may be personal data): only the position survives.
 */
export function jsonErrorMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const pos = /position (\d+)/.exec(msg);
  if (pos) return `not valid JSON (at position ${pos[1]})`;
  if (/end of (JSON )?input|Unterminated/i.test(msg)) return "not valid JSON (the text ends too early)";
  return "not valid JSON";
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | KanshiError, req, reply) => {
    if (isKanshiError(err)) {
      const retry = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      if (typeof retry === "number") void reply.header("retry-after", String(retry));
      return reply.status(err.status).send(err.toBody());
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0]!;
      const e = badInput(first.message ?? "invalid", validationPath(err.validationContext, first.instancePath));
      return reply.status(400).send(e.toBody());
    }
    const fe = err as FastifyError;
    const mapped: Record<string, () => KanshiError> = {
      FST_ERR_CTP_BODY_TOO_LARGE: () => new KanshiError("payload_too_large", `the request body is larger than ${app.initialConfig.bodyLimit} bytes; send smaller batches`),
      FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
        new KanshiError("unsupported_media_type", `content type ${JSON.stringify(String(req.headers["content-type"] ?? "").slice(0, 100))} is not accepted; send application/json or application/x-ndjson`),
      FST_ERR_CTP_EMPTY_JSON_BODY: () => badInput("the body is empty", "body"),
      FST_ERR_CTP_INVALID_JSON_BODY: () => badInput("the body is not valid JSON", "body"),
      FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => badInput("the Content-Length header does not match the body", "body"),
    };
    const known = fe.code ? mapped[fe.code] : undefined;
    if (known) {
      const k = known();
      return reply.status(k.status).send(k.toBody());
    }
    if (fe.statusCode === 400 && fe instanceof SyntaxError) {
      return reply.status(400).send(badInput(`the body is ${jsonErrorMessage(fe)}`, "body").toBody());
    }
    if (!isResponseSerializationError(fe) && fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const kind = fe.statusCode === 401 ? "unauthorized" : fe.statusCode === 403 ? "forbidden" : fe.statusCode === 404 ? "not_found" : fe.statusCode === 429 ? "rate_limited" : "bad_input";
      return reply.status(fe.statusCode).send(new KanshiError(kind, fe.message).toBody());
    }
    req.log.error({ err: { message: fe.message, code: fe.code } }, "internal error");
    return reply.status(500).send(new KanshiError("internal", "internal error; see the server log").toBody());
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(new KanshiError("not_found", `no route ${req.method} ${req.url.split("?")[0]!.slice(0, 200)}`).toBody());
  });
}
