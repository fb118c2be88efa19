// People's sessions: POST /v1/session (log in with name and password), GET /v1/session (who am I,
// for any credentials), DELETE /v1/session (log out).
//
// A login that succeeds sets two cookies: `kanshi_session` (32 random bytes; HttpOnly, SameSite=Strict,
// Path=/, Secure when served over https or when configured) and `kanshi_csrf` (the CSRF token, readable
// by the page so it can send it back in `x-csrf-token`; it is also in the response body). The store
// keeps only SHA-256 of each. Sessions end `sessionTtlMs` after login, after `sessionIdleMs` without
// a request, at logout, or when the user is revoked.
//
// Every attempt is audited as `auth.login` with its outcome (ok, unknown_user, revoked, bad_password,
// throttled) and never the password; an unknown name is recorded as `user:unknown` (people type
// passwords into the name field). Failures are throttled per name and per client address.
import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { KanshiError, badInput } from "../../contracts/errors.ts";
import { verifyPassword } from "../../privacy/credentials.ts";
import type { AuditTrail } from "../../privacy/index.ts";
import { ROLES, type Role } from "../../privacy/policy.ts";
import type { Store } from "../../store/ports.ts";
import { CSRF_COOKIE, SESSION_COOKIE, actorOf, requirePrincipal, sha256Hex, unauthorized, type Authenticator } from "../auth.ts";
import { FailureThrottle, rateLimited, type FailureThrottleOptions } from "../plugins/rate-limit.ts";
import { errorResponses } from "../schemas.ts";

export interface SessionRouteOptions {
  /** Cookies marked Secure: always, never, or when the request came over https ("auto", the default). */
  secureCookies?: boolean | "auto";
  /** Failed-login throttling per user name (default 5 free failures) and per client address (default 20). */
  loginThrottle?: { perName?: FailureThrottleOptions; perAddress?: FailureThrottleOptions };
}

export interface SessionRouteDeps extends SessionRouteOptions {
  store: Store;
  audit: AuditTrail;
  authenticator: Authenticator;
  now: () => number;
}

const LoginBody = z.object({
  name: z.string().min(1).max(64).describe("user name"),
  password: z.string().min(1).max(1024),
});

const WhoAmI = z.object({
  principal: z.string().describe("key:<name> or user:<name>"),
  role: z.enum(ROLES),
  tenant: z.string().optional(),
  method: z.enum(["api_key", "session"]),
});

const LoginResponse = WhoAmI.extend({
  csrfToken: z.string().describe("send it back in the x-csrf-token header on POST/PUT/PATCH/DELETE"),
  expiresAt: z.string().describe("RFC 3339; the session also ends when idle"),
});

const SWEEP_EVERY_MS = 10 * 60_000;
const DUMMY_HASH = `scrypt$15$8$1$${"A".repeat(22)}$${"A".repeat(43)}`;

export async function sessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): Promise<void> {
  const sessions = deps.store.sessions();
  let lastSweep = 0;
  const byName = new FailureThrottle({ freeFailures: 5, ...deps.loginThrottle?.perName });
  const byAddress = new FailureThrottle({ freeFailures: 20, ...deps.loginThrottle?.perAddress });
  const secure = (req: FastifyRequest) => (deps.secureCookies === undefined || deps.secureCookies === "auto" ? req.protocol === "https" : deps.secureCookies);
  const auditLogin = (actor: string, target: string, outcome: string) =>
    deps.audit.appendBatch([{ actor, action: "auth.login", target, details: { outcome, method: "password" } }]);

  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    "/v1/session",
    {
      schema: {
        summary: "Log in (people)",
        description: "Name and password → session cookie + CSRF token. No credentials needed. Failed attempts are throttled (429 with Retry-After).",
        tags: ["session"],
        security: [],
        body: LoginBody,
        response: { 201: LoginResponse, ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      const { name, password } = req.body;
      const now = deps.now();
      const nameKey = `name:${name}`;
      const ipKey = `ip:${req.ip}`;
      const wait = Math.max(byName.blockedFor(nameKey, now), byAddress.blockedFor(ipKey, now));
      const user = await deps.store.principals().getUser(name).catch((e: unknown) => {
        if (e instanceof KanshiError && e.kind === "bad_input") return undefined;
        throw e;
      });
      const target = user === undefined ? "user:unknown" : `user:${user.name}`;
      const actor = user === undefined ? "anonymous" : `user:${user.name}@${user.role}`;
      if (wait > 0) {
        await auditLogin(actor, target, "throttled");
        throw rateLimited(wait);
      }
      let outcome: "ok" | "unknown_user" | "revoked" | "bad_password";
      if (user === undefined) {
        await verifyPassword(password, DUMMY_HASH); // same work as a real check: no timing tell for unknown names
        outcome = "unknown_user";
      } else if (user.revokedAt !== null) outcome = "revoked";
      else outcome = (await verifyPassword(password, user.passwordHash)) ? "ok" : "bad_password";
      await auditLogin(actor, target, outcome);
      if (outcome !== "ok" || user === undefined) {
        byName.fail(nameKey, now);
        byAddress.fail(ipKey, now);
        throw unauthorized("wrong user name or password, or the user is revoked");
      }
      byName.succeed(nameKey);
      const id = randomBytes(32).toString("base64url");
      const csrf = randomBytes(32).toString("base64url");
      const expiresAt = now + deps.authenticator.sessionTtlMs;
      await sessions.create({ idHash: sha256Hex(id), userName: user.name, csrfHash: sha256Hex(csrf), createdAt: now, expiresAt });
      if (now - lastSweep >= SWEEP_EVERY_MS) {
        // Ended sessions are deleted now and then, at a login (they are refused whether deleted or not).
        lastSweep = now;
        await sessions.deleteEnded(now, now - deps.authenticator.sessionIdleMs);
      }
      const cookie = { path: "/", sameSite: "strict" as const, secure: secure(req), maxAge: Math.floor(deps.authenticator.sessionTtlMs / 1000) };
      void reply.setCookie(SESSION_COOKIE, id, { ...cookie, httpOnly: true });
      void reply.setCookie(CSRF_COOKIE, csrf, { ...cookie, httpOnly: false });
      return reply.status(201).send({
        principal: `user:${user.name}`,
        role: user.role as Role,
        ...(user.tenant === null ? {} : { tenant: user.tenant }),
        method: "session" as const,
        csrfToken: csrf,
        expiresAt: new Date(expiresAt).toISOString(),
      });
    },
  );

  r.get(
    "/v1/session",
    { schema: { summary: "Who am I", description: "The caller's principal, role and tenant, for any credentials.", tags: ["session"], response: { 200: WhoAmI, ...errorResponses() } } },
    async (req) => {
      const p = requirePrincipal(req);
      return { principal: p.id, role: p.role, ...("tenant" in p ? { tenant: p.tenant } : {}), method: req.authMethod ?? "api_key" };
    },
  );

  r.delete(
    "/v1/session",
    {
      schema: {
        summary: "Log out",
        description: "Ends the session of the cookie sent (needs the x-csrf-token header). API keys are revoked with `kanshi keys revoke` instead.",
        tags: ["session"],
        response: { 204: z.null().describe("logged out"), ...errorResponses(400) },
      },
    },
    async (req: FastifyRequest, reply: FastifyReply) => {
      const p = requirePrincipal(req);
      if (req.authMethod !== "session") throw badInput("only a session can log out; API keys are revoked with `kanshi keys revoke`", "authorization");
      const cookie = req.cookies[SESSION_COOKIE]!;
      await sessions.revoke(sha256Hex(cookie), deps.now());
      await deps.audit.appendBatch([{ actor: actorOf(p), action: "auth.logout", target: p.id, details: { method: "password" } }]);
      const cookieOpts = { path: "/", sameSite: "strict" as const, secure: secure(req) };
      void reply.clearCookie(SESSION_COOKIE, { ...cookieOpts, httpOnly: true });
      void reply.clearCookie(CSRF_COOKIE, cookieOpts);
      return reply.status(204).send();
    },
  );
}
