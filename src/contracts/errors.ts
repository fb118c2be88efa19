// The error catalogue: a small set of kinds, each with one HTTP status and one CLI exit code.
// Messages say what was wrong and where (`events[3].amount: expected a decimal string`).

export const ERROR_KINDS = {
  bad_input: { status: 400, exit: 1 },
  unauthorized: { status: 401, exit: 2 },
  forbidden: { status: 403, exit: 2 },
  not_found: { status: 404, exit: 1 },
  conflict: { status: 409, exit: 1 },
  payload_too_large: { status: 413, exit: 1 },
  unsupported_media_type: { status: 415, exit: 1 },
  rate_limited: { status: 429, exit: 3 },
  usage: { status: 400, exit: 2 },
  internal: { status: 500, exit: 3 },
  unavailable: { status: 503, exit: 3 },
} as const;

export type ErrorKind = keyof typeof ERROR_KINDS;

export class KanshiError extends Error {
  readonly kind: ErrorKind;
  readonly path: string | undefined;
  constructor(kind: ErrorKind, message: string, path?: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = "KanshiError";
    this.kind = kind;
    this.path = path;
  }
  get status(): number {
    return ERROR_KINDS[this.kind].status;
  }
  get exitCode(): number {
    return ERROR_KINDS[this.kind].exit;
  }
  /** The one error body of the HTTP API. */
  toBody(): { error: { code: ErrorKind; message: string; path?: string } } {
    const body: { code: ErrorKind; message: string; path?: string } = { code: this.kind, message: this.message };
    if (this.path !== undefined) body.path = this.path;
    return { error: body };
  }
}

export const badInput = (message: string, path?: string) => new KanshiError("bad_input", message, path);
export const notFound = (message: string) => new KanshiError("not_found", message);
export const usage = (message: string) => new KanshiError("usage", message);
export const internal = (message: string) => new KanshiError("internal", message);

export function isKanshiError(e: unknown): e is KanshiError {
  return e instanceof KanshiError;
}
