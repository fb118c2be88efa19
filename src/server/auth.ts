// Authentication for the HTTP API: who is calling, as a `Principal` (privacy/policy.ts).
//
// Every request carries credentials except the public paths (PUBLIC_PATHS: health, readiness,
// metrics, the OpenAPI document and its explorer) and the login itself (POST /v1/session):
//   - machines: `Authorization: Bearer kk_<id>_<secret>`, an API key from `store.principals()`
//     (only SHA-256 of the secret is stored; compared in constant time). The principal is
//     `key:<key name>` in the key's role and tenant, so a rotated key (same name) is the same actor.
//   - people: the session cookie set by POST /v1/session (see sessions.ts in this folder), principal
//     `user:<user name>`; unsafe methods (POST, PUT, PATCH, DELETE) must also send the session's CSRF
//     token in the `x-csrf-token` header. Bearer requests need no CSRF token (a browser never adds an
//     Authorization header by itself).
// A request with an Authorization header is judged by that header alone, never by a cookie.
//
// Verified API keys are cached in memory for `keyCacheMs` (default 2 s): within that time a revoked
// key can still be used by a process that verified it just before; after it, the next request reads
// the key's row again and is refused. `forgetApiKey(id)` drops an entry at once (same process).
// Nothing here logs or echoes a presented key, cookie or password.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createHash } from "node:crypto";
import { KanshiError } from "../contracts/errors.ts";
import { parseApiKey, sameHash } from "../privacy/credentials.ts";
import { PrincipalSchema, type Decision, type Principal, type Role } from "../privacy/policy.ts";
import type { PrincipalStore } from "../store/principals.ts";
import type { SessionStore } from "../store/sessions.ts";
import { rateLimited, type FailureThrottle } from "./plugins/rate-limit.ts";

declare module "fastify" {
  interface FastifyRequest {
    /**
     * Who is calling. Set on every route except the public paths and the login: route modules may
     * rely on it (and should get it through `requireRole`, which checks the role too).
     */
    principal: Principal;
    /** How the principal was authenticated; null on public paths. */
    authMethod: "api_key" | "session" | null;
  }
}

/** Paths served without credentials (exact, or a prefix ending in "/"). */
export const PUBLIC_PATHS: readonly string[] = ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/"];

/** The login route (public: it is where credentials are presented). */
export const LOGIN_ROUTE = { method: "POST", url: "/v1/session" } as const;

export const SESSION_COOKIE = "kanshi_session";
/** Readable by the page's script (not HttpOnly), so the dashboard can echo it in `x-csrf-token`. */
export const CSRF_COOKIE = "kanshi_csrf";
export const CSRF_HEADER = "x-csrf-token";

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

export const pathOf = (url: string): string => {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
};

export function isPublicRequest(method: string, url: string): boolean {
  const path = pathOf(url);
  if (method === LOGIN_ROUTE.method && path === LOGIN_ROUTE.url) return true;
  return PUBLIC_PATHS.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p));
}

export const sha256Hex = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

export const unauthorized = (message: string) => new KanshiError("unauthorized", message);
export const forbidden = (message: string, path?: string) => new KanshiError("forbidden", message, path);

const NO_CREDENTIALS = "credentials required: send Authorization: Bearer kk_… (an API key) or log in with POST /v1/session";

/** The principal of the request, or `unauthorized` when it has none (a public path). */
export function requirePrincipal(request: FastifyRequest): Principal {
  const p = (request as { principal?: Principal | null }).principal;
  if (p === null || p === undefined) throw unauthorized(NO_CREDENTIALS);
  return p;
}

/**
 * The request's principal when it acts in one of `roles` (any role when none are given);
 * `unauthorized` without credentials, `forbidden` for another role.
 */
export function requireRole(request: FastifyRequest, ...roles: Role[]): Principal {
  const p = requirePrincipal(request);
  if (roles.length > 0 && !roles.includes(p.role)) {
    throw forbidden(`this needs the role ${roles.join(" or ")}; the caller acts as ${p.role}`);
  }
  return p;
}

/** Throws `forbidden` with the policy's message when `decision` denies. */
export function requireAllowed(decision: Decision, path?: string): void {
  if (!decision.allow) throw forbidden(decision.message, path);
}

/** How the audit trail names a principal: `key:name@role` or `user:name@role/tenant`. */
export function actorOf(p: Principal): string {
  return "tenant" in p ? `${p.id}@${p.role}/${p.tenant}` : `${p.id}@${p.role}`;
}

export function principalOf(id: string, role: Role, tenant: string | null): Principal {
  return PrincipalSchema.parse(tenant === null ? { id, role } : { id, role, tenant });
}

export interface AuthOptions {
  principals: PrincipalStore;
  /** Password sessions; without it only API keys are accepted. */
  sessions?: SessionStore | undefined;
  /** How long a verified API key is trusted without reading its row again, ms (default 2000, max 10000). */
  keyCacheMs?: number;
  /** Sessions end this long after login, ms (default 12 h). */
  sessionTtlMs?: number;
  /** Sessions end after this long without a request, ms (default 30 min). */
  sessionIdleMs?: number;
  /** Epoch ms; defaults to Date.now. */
  now?: () => number;
}

interface CachedKey {
  hash: string;
  principal: Principal;
  until: number;
}

const MAX_CACHED_KEYS = 10_000;

export class Authenticator {
  readonly #principals: PrincipalStore;
  readonly #sessions: SessionStore | undefined;
  readonly #keyCacheMs: number;
  readonly sessionTtlMs: number;
  readonly sessionIdleMs: number;
  readonly now: () => number;
  readonly #keys = new Map<string, CachedKey>();

  constructor(opts: AuthOptions) {
    this.#principals = opts.principals;
    this.#sessions = opts.sessions;
    const cache = opts.keyCacheMs ?? 2000;
    if (!Number.isSafeInteger(cache) || cache < 0 || cache > 10_000) throw new KanshiError("bad_input", "must be 0–10000 ms", "auth keyCacheMs");
    this.#keyCacheMs = cache;
    this.sessionTtlMs = opts.sessionTtlMs ?? 12 * 3600_000;
    this.sessionIdleMs = opts.sessionIdleMs ?? 30 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  get sessions(): SessionStore | undefined {
    return this.#sessions;
  }

  /** Drops a cached key at once (call after revoking it in this process). */
  forgetApiKey(id: string): void {
    this.#keys.delete(id);
  }

  /** The principal of an `Authorization` header value; `unauthorized` for anything else. */
  async fromAuthorization(header: string): Promise<Principal> {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!m) throw unauthorized("the Authorization header must be `Bearer kk_…` (an API key)");
    const parsed = parseApiKey(m[1]!);
    if (!parsed) throw unauthorized("the bearer token is not a Kanshi API key (kk_<id>_<secret>)");
    const now = this.now();
    const cached = this.#keys.get(parsed.id);
    if (cached && cached.until > now && sameHash(cached.hash, parsed.hash)) return cached.principal;
    const rec = await this.#principals.getApiKey(parsed.id);
    if (rec === undefined || rec.revokedAt !== null || !sameHash(rec.keyHash, parsed.hash)) {
      this.#keys.delete(parsed.id);
      throw unauthorized("the API key is unknown or revoked");
    }
    const principal = principalOf(`key:${rec.name}`, rec.role, rec.tenant);
    if (this.#keyCacheMs > 0) {
      if (this.#keys.size >= MAX_CACHED_KEYS) this.#keys.clear();
      this.#keys.set(parsed.id, { hash: rec.keyHash, principal, until: now + this.#keyCacheMs });
    }
    return principal;
  }

  /** The principal of a session cookie value (and the session's CSRF hash); `unauthorized` when it is not a live session. */
  async fromSession(cookie: string): Promise<{ principal: Principal; csrfHash: string; idHash: string }> {
    if (this.#sessions === undefined) throw unauthorized("sessions are not enabled on this server; use an API key");
    if (!/^[A-Za-z0-9_-]{43}$/.test(cookie)) throw unauthorized("the session cookie is malformed; log in again");
    const idHash = sha256Hex(cookie);
    const s = await this.#sessions.get(idHash);
    const now = this.now();
    if (s === undefined || s.revokedAt !== null || s.userRevokedAt !== null) throw unauthorized("the session has ended; log in again");
    if (now >= s.expiresAt) throw unauthorized("the session has expired; log in again");
    if (now - s.lastSeenAt >= this.sessionIdleMs) throw unauthorized("the session was idle too long; log in again");
    // Record activity at most once a minute (or a tenth of the idle time) per session.
    if (now - s.lastSeenAt >= Math.min(60_000, this.sessionIdleMs / 10)) await this.#sessions.touch(idHash, now);
    return { principal: principalOf(`user:${s.userName}`, s.role, s.tenant), csrfHash: s.csrfHash, idHash };
  }
}

/**
 * Installs authentication on `app` (the root instance, so every route registered afterwards, in any
 * plugin, is covered): an onRequest hook that sets `request.principal` or answers 401. Failed
 * credentials are counted per client address; an address that keeps failing is answered 429 for a
 * growing time (FailureThrottle) before its credentials are even looked at.
 */
export function installAuth(app: FastifyInstance, auth: Authenticator, throttle: FailureThrottle): void {
  app.decorateRequest("principal" as never, null as never);
  app.decorateRequest("authMethod", null);
  app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
    if (isPublicRequest(req.method, req.url)) return;
    const ipKey = `ip:${req.ip}`;
    const wait = throttle.blockedFor(ipKey, auth.now());
    if (wait > 0) throw rateLimited(wait);
    try {
      await authenticate(req, reply, auth);
    } catch (e) {
      if (e instanceof KanshiError && e.kind === "unauthorized") throttle.fail(ipKey, auth.now());
      throw e;
    }
  });
}

async function authenticate(req: FastifyRequest, reply: FastifyReply, auth: Authenticator): Promise<void> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    req.principal = await auth.fromAuthorization(header);
    req.authMethod = "api_key";
    return;
  }
  const cookie = req.cookies?.[SESSION_COOKIE];
  if (cookie === undefined || cookie === "") {
    void reply.header("www-authenticate", 'Bearer realm="kanshi"');
    throw unauthorized(NO_CREDENTIALS);
  }
  const s = await auth.fromSession(cookie);
  if (!SAFE_METHODS.has(req.method)) {
    const token = req.headers[CSRF_HEADER];
    if (typeof token !== "string" || token === "" || !sameHash(sha256Hex(token), s.csrfHash)) {
      throw forbidden(`a ${req.method} with a session cookie needs the session's CSRF token in the ${CSRF_HEADER} header (returned at login, and in the ${CSRF_COOKIE} cookie)`);
    }
  }
  req.principal = s.principal;
  req.authMethod = "session";
}
