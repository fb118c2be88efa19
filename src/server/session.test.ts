// People's sessions over HTTP: login, cookies, CSRF, logout, expiry and idle timeout, revoked users,
// failed-login throttling and auditing; and the API-key cache's bound on revocation.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generatePassword, hashPassword } from "../privacy/credentials.ts";
import type { Store } from "../store/ports.ts";
import { createStoreTemplate } from "../store/testing/template.ts";
import type { KanshiApp } from "./app.ts";
import { buildTestApp, testPrincipal, testSession } from "./testing.ts";

const dep = (id: string) => ({ id, type: "deposit", ts: "2026-11-02T10:00:00+09:00", source: "bitflyer", accountId: "acc-1", asset: "JPY", amount: "1000", channel: "bank" });

describe("sessions over HTTP", () => {
  let store: Store;
  let app: KanshiApp;
  let secureApp: KanshiApp;
  let clock = Date.parse("2026-11-02T00:00:00Z");
  const now = () => clock;
  let password: string;
  before(async () => {
    const template = await createStoreTemplate();
    store = await template.open();
    app = await buildTestApp(store, { now, auth: { sessionTtlMs: 3600_000, sessionIdleMs: 600_000, keyCacheMs: 2000, loginThrottle: { perName: { freeFailures: 3, baseLockMs: 1000 } } } });
    secureApp = await buildTestApp(store, { now, auth: { secureCookies: true } });
    password = generatePassword();
    await store.principals().addUser({ name: "officer.ito", role: "exchange_officer", tenant: "bitflyer", passwordHash: await hashPassword(password) });
  });
  after(async () => {
    await app.close();
    await secureApp.close();
    await store.close();
  });

  const login = (name: string, pw: string, a: KanshiApp = app) => a.inject({ method: "POST", url: "/v1/session", payload: { name, password: pw } });

  it("logs in: an HttpOnly, SameSite=Strict session cookie and a readable CSRF cookie; Secure over https or when configured", async () => {
    const res = await login("officer.ito", password);
    assert.equal(res.statusCode, 201);
    const body = res.json();
    assert.equal(body.principal, "user:officer.ito");
    assert.equal(body.role, "exchange_officer");
    assert.equal(body.tenant, "bitflyer");
    assert.match(body.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    const session = res.cookies.find((c) => c.name === "kanshi_session")!;
    const csrf = res.cookies.find((c) => c.name === "kanshi_csrf")!;
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Strict");
    assert.equal(session.path, "/");
    assert.equal(session.secure, undefined);
    assert.equal(session.maxAge, 3600);
    assert.equal(csrf.httpOnly, undefined);
    assert.equal(csrf.value, body.csrfToken);
    const secure = await login("officer.ito", password, secureApp);
    assert.ok(secure.cookies.every((c) => c.secure === true));
    const overHttps = await app.inject({ method: "POST", url: "/v1/session", payload: { name: "officer.ito", password }, headers: { "x-forwarded-proto": "https" } });
    assert.equal(overHttps.statusCode, 201); // without a trusted proxy the forwarded header is ignored
    assert.equal(overHttps.cookies[0]!.secure, undefined);
  });

  it("a session reads with its cookie alone, but writes need the CSRF header; bearer requests need none", async () => {
    const s = await testSession(app, store, "exchange_officer", "bitflyer");
    const who = await app.inject({ url: "/v1/session", headers: { cookie: s.cookie } });
    assert.equal(who.statusCode, 200);
    assert.deepEqual(who.json(), { principal: `user:${s.name}`, role: "exchange_officer", tenant: "bitflyer", method: "session" });
    assert.equal((await app.inject({ url: "/v1/alerts", headers: { cookie: s.cookie } })).statusCode, 200);
    const noCsrf = await app.inject({ method: "POST", url: "/v1/events", headers: { cookie: s.cookie }, payload: [dep("e1")] });
    assert.equal(noCsrf.statusCode, 403);
    assert.match(noCsrf.json().error.message, /x-csrf-token/);
    const wrong = await app.inject({ method: "POST", url: "/v1/events", headers: { cookie: s.cookie, "x-csrf-token": "A".repeat(43) }, payload: [dep("e1")] });
    assert.equal(wrong.statusCode, 403);
    const ok = await app.inject({ method: "POST", url: "/v1/events", headers: s.headers, payload: [dep("e1")] });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().accepted, 1);
    // The Authorization header decides when present; the cookie is not consulted (no CSRF needed).
    const key = await testPrincipal(store, "exchange_officer", "bitflyer");
    const bearer = await app.inject({ method: "POST", url: "/v1/events", headers: { ...key.headers, cookie: s.cookie }, payload: [dep("e2")] });
    assert.equal(bearer.statusCode, 200);
    const bearerWho = await app.inject({ url: "/v1/session", headers: key.headers });
    assert.equal(bearerWho.json().method, "api_key");
    assert.equal((await app.inject({ url: "/v1/alerts", headers: { cookie: "kanshi_session=garbage" } })).statusCode, 401);
    assert.equal((await app.inject({ url: "/v1/alerts", headers: { cookie: `kanshi_session=${"x".repeat(43)}` } })).statusCode, 401);
  });

  it("logs out (with the CSRF header): the cookie stops working; a bearer key cannot log out", async () => {
    const s = await testSession(app, store, "analyst");
    assert.equal((await app.inject({ method: "DELETE", url: "/v1/session", headers: { cookie: s.cookie } })).statusCode, 403);
    const out = await app.inject({ method: "DELETE", url: "/v1/session", headers: s.headers });
    assert.equal(out.statusCode, 204);
    assert.ok(out.cookies.some((c) => c.name === "kanshi_session" && c.value === ""));
    assert.equal((await app.inject({ url: "/v1/alerts", headers: { cookie: s.cookie } })).statusCode, 401);
    const key = await testPrincipal(store, "analyst");
    const res = await app.inject({ method: "DELETE", url: "/v1/session", headers: key.headers });
    assert.equal(res.statusCode, 400);
  });

  it("ends after the idle timeout, after its lifetime, and when the user is revoked", async () => {
    const s = await testSession(app, store, "analyst");
    clock += 9 * 60_000; // 9 min idle: still alive, and the visit counts as activity
    assert.equal((await app.inject({ url: "/v1/session", headers: { cookie: s.cookie } })).statusCode, 200);
    clock += 9 * 60_000;
    assert.equal((await app.inject({ url: "/v1/session", headers: { cookie: s.cookie } })).statusCode, 200);
    clock += 10 * 60_000; // 10 min idle: ended
    const idle = await app.inject({ url: "/v1/session", headers: { cookie: s.cookie } });
    assert.equal(idle.statusCode, 401);
    assert.match(idle.json().error.message, /idle/);

    const t = await testSession(app, store, "analyst");
    for (let i = 0; i < 6; i++) {
      clock += 9 * 60_000;
      assert.equal((await app.inject({ url: "/v1/session", headers: { cookie: t.cookie } })).statusCode, 200);
    }
    clock += 9 * 60_000; // 63 min after login: past the 1 h lifetime though never idle
    const expired = await app.inject({ url: "/v1/session", headers: { cookie: t.cookie } });
    assert.equal(expired.statusCode, 401);
    assert.match(expired.json().error.message, /expired/);

    const u = await testSession(app, store, "supervisor");
    await store.principals().revokeUser(u.name);
    assert.equal((await app.inject({ url: "/v1/session", headers: { cookie: u.cookie } })).statusCode, 401);
    assert.equal((await login(u.name, u.password)).statusCode, 401);
  });

  it("throttles failed logins per name (Retry-After), refusing even the right password while locked; audits every attempt without the password", async () => {
    const before = await store.auditLog().size();
    for (let i = 0; i < 4; i++) assert.equal((await login("officer.ito", `wrong-password-${i}`)).statusCode, 401);
    const locked = await login("officer.ito", password);
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().error.code, "rate_limited");
    assert.equal(locked.headers["retry-after"], "1");
    clock += 1001;
    assert.equal((await login("officer.ito", password)).statusCode, 201);
    assert.equal((await login("nobody-here", password)).statusCode, 401);
    const size = await store.auditLog().size();
    const records = await store.auditLog().read(before, size);
    const logins = records.filter((r) => r.action === "auth.login");
    assert.deepEqual(logins.map((r) => (r.details as { outcome: string }).outcome), ["bad_password", "bad_password", "bad_password", "bad_password", "throttled", "ok", "unknown_user"]);
    assert.equal(logins[0]!.target, "user:officer.ito");
    assert.equal(logins[0]!.actor, "user:officer.ito@exchange_officer");
    assert.equal(logins.at(-1)!.target, "user:unknown");
    const text = JSON.stringify(records);
    assert.ok(!text.includes(password) && !text.includes("wrong-password") && !text.includes("nobody-here"));
  });

  it("a revoked API key works at most keyCacheMs longer in a process that verified it", async () => {
    const k = await testPrincipal(store, "analyst");
    assert.equal((await app.inject({ url: "/v1/session", headers: k.headers })).statusCode, 200);
    await store.principals().revokeApiKey(k.keyId);
    clock += 1000;
    assert.equal((await app.inject({ url: "/v1/session", headers: k.headers })).statusCode, 200); // cached
    clock += 1001;
    assert.equal((await app.inject({ url: "/v1/session", headers: k.headers })).statusCode, 401);
  });

  it("rejects a malformed login body with the field's path", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/session", payload: { name: "" } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.path, "body.name");
  });
});
