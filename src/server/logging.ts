// The server's logger: pino with redaction. Requests are logged by method, URL pattern, status and
// time only (never bodies, headers or cookies); the redaction paths are a second line of defence for
// anything that puts credentials or personal fields into a log object.
import pino, { type DestinationStream, type Logger } from "pino";

/** Paths that could carry credentials or personal data: censored wherever they appear in a log object. */
export const LOG_REDACT: readonly string[] = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['x-csrf-token']",
  "res.headers['set-cookie']",
  "headers.authorization",
  "headers.cookie",
  ...["password", "body", "kyc", "subject", "name", "nameKana", "nameLatin", "dateOfBirth", "email", "phone", "address", "postalCode", "handle"].flatMap((f) => [
    f,
    `*.${f}`,
    `*.*.${f}`,
  ]),
];

/** A pino logger writing JSON lines to `dest` (default: standard error, asynchronously). */
export function createLogger(level: string, dest?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: [...LOG_REDACT], censor: "[redacted]" },
      serializers: {
        // Only what identifies the request, not what it carries. The query string is dropped: it can
        // hold filter values (account ids).
        req: (req: { method?: string; url?: string; routeOptions?: { url?: string }; ip?: string }) => ({
          method: req.method,
          url: typeof req.url === "string" ? req.url.split("?", 1)[0] : undefined,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    dest ?? pino.destination({ dest: 2, sync: false }),
  );
}
