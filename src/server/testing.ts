// Helpers for HTTP tests of route modules: credentials for synthetic principals, and an app with
// everything it needs (audit trail, pseudonyms) over a test store.
//
//   const store = await template.open();                      // or openStore({ memory: true })
//   const app = await buildTestApp(store, { cases: … });       // your AppOptions field
//   const analyst = await testCredentials(store, "analyst");
//   const officer = await testCredentials(store, "exchange_officer", "bitflyer");
//   const res = await app.inject({ method: "GET", url: "/v1/cases", headers: analyst });
//
// Every call creates a new API key for a new principal (`key:test-<role>-<random>`), so two calls
// are two different people (a requester and an approver, say).
import { randomBytes } from "node:crypto";
import { generateApiKey, generatePassword, hashPassword } from "../privacy/credentials.ts";
import { AuditTrail, generateAuditKeyPair, parseAuditSigningKey } from "../privacy/index.ts";
import type { Principal, Role } from "../privacy/policy.ts";
import { Pseudonymizer } from "../privacy/pseudonym.ts";
import type { Store } from "../store/ports.ts";
import { buildApp, type AppOptions, type KanshiApp } from "./app.ts";
import { CSRF_HEADER, SESSION_COOKIE, principalOf } from "./auth.ts";

/** `{ authorization: "Bearer kk_…" }` for a new API key of a new principal in `role` (and `tenant`). */
export async function testCredentials(store: Store, role: Role, tenant?: string): Promise<{ authorization: string }> {
  return (await testPrincipal(store, role, tenant)).headers;
}

/** As testCredentials, with the principal (its id, as separation-of-duty checks compare) and key id. */
export async function testPrincipal(store: Store, role: Role, tenant?: string): Promise<{ headers: { authorization: string }; principal: Principal; keyId: string }> {
  const name = `test-${role.replace("_", "-")}-${randomBytes(4).toString("hex")}`;
  const { key, id, hash } = generateApiKey();
  await store.principals().addApiKey({ id, name, role, ...(tenant === undefined ? {} : { tenant }), keyHash: hash });
  return { headers: { authorization: `Bearer ${key}` }, principal: principalOf(`key:${name}`, role, tenant ?? null), keyId: id };
}

/** A user with a random password, logged in through POST /v1/session: its cookie and CSRF headers. */
export async function testSession(
  app: KanshiApp,
  store: Store,
  role: Role,
  tenant?: string,
): Promise<{ name: string; password: string; cookie: string; csrf: string; headers: { cookie: string; "x-csrf-token": string } }> {
  const name = `person-${role.replace("_", "-")}-${randomBytes(4).toString("hex")}`;
  const password = generatePassword();
  await store.principals().addUser({ name, role, ...(tenant === undefined ? {} : { tenant }), passwordHash: await hashPassword(password) });
  const res = await app.inject({ method: "POST", url: "/v1/session", payload: { name, password } });
  if (res.statusCode !== 201) throw new Error(`test login failed: ${res.statusCode} ${res.body}`);
  const set = res.cookies.find((c) => c.name === SESSION_COOKIE);
  if (set === undefined) throw new Error("test login set no session cookie");
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  const cookie = `${SESSION_COOKIE}=${set.value}`;
  return { name, password, cookie, csrf, headers: { cookie, [CSRF_HEADER]: csrf } as { cookie: string; "x-csrf-token": string } };
}

/** An audit trail over the store's log with a fresh signing key, and the key's public half. */
export function testAuditTrail(store: Store): { trail: AuditTrail; publicKey: ReturnType<typeof parseAuditSigningKey>["publicKey"] } {
  const keys = parseAuditSigningKey(generateAuditKeyPair().privateKey);
  return { trail: new AuditTrail({ log: store.auditLog(), signingKey: keys.privateKey }), publicKey: keys.publicKey };
}

/** buildApp over `store` with a test audit trail, random pseudonym key, no rate limit, no process metrics; `extra` overrides. */
export async function buildTestApp(store: Store, extra: Partial<AppOptions> = {}): Promise<KanshiApp> {
  return buildApp({
    store,
    audit: testAuditTrail(store).trail,
    pseudonyms: new Pseudonymizer(randomBytes(32)),
    rateLimit: false,
    ...extra,
  });
}
