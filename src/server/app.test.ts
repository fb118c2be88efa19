import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createEngine } from "../engine/index.ts";
import type { Store } from "../store/ports.ts";
import { createStoreTemplate } from "../store/testing/template.ts";
import { randomBytes } from "node:crypto";
import { accountId, tenantId } from "../contracts/ids.ts";
import { isPseudonym, Pseudonymizer } from "../privacy/pseudonym.ts";
import type { KanshiApp } from "./app.ts";
import { buildTestApp, testCredentials, testPrincipal } from "./testing.ts";

const dep = (id: string, amount: unknown = "1900000", extra: Record<string, unknown> = {}) => ({
  id,
  type: "deposit",
  ts: `2026-11-02T1${id.length % 10}:00:00+09:00`,
  source: "bitflyer",
  accountId: "acc-1",
  asset: "JPY",
  amount,
  channel: "bank",
  ...extra,
});

type Headers = { authorization: string };
const pseudonyms = new Pseudonymizer(randomBytes(32));

describe("HTTP API", () => {
  let store: Store;
  let app: KanshiApp;
  let bitflyer: Headers;
  let coincheck: Headers;
  let analyst: Headers;
  before(async () => {
    store = await (await createStoreTemplate()).open();
    const engine = createEngine();
    app = await buildTestApp(store, {
      bodyLimit: 64 * 1024,
      pseudonyms,
      detect: (events) => events.flatMap((e) => engine.push(e)),
    });
    bitflyer = await testCredentials(store, "exchange_officer", "bitflyer");
    coincheck = await testCredentials(store, "exchange_officer", "coincheck");
    analyst = await testCredentials(store, "analyst");
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  it("stores good events and answers each one; a bad one carries its index, field path and reason", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/events", headers: bitflyer, payload: [dep("a1"), dep("a2", 19.5), dep("a1")] });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.accepted, 1);
    assert.equal(body.duplicate, 1);
    assert.equal(body.rejected, 1);
    assert.deepEqual(body.results[1], { index: 1, status: "rejected", errors: [{ path: "events[1].amount", message: "expected a decimal string" }] });
    assert.equal(await store.countEvents(), 1);
  });

  it("atomic=true stores none when one is bad", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/events?atomic=true", headers: bitflyer, payload: [dep("b1"), dep("b2", "NaN")] });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().results.map((r: { status: string }) => r.status), ["not_stored", "rejected"]);
    assert.equal(await store.countEvents(), 1);
  });

  it("takes NDJSON; an unparsable line is rejected at its index (without quoting it) and the rest stored", async () => {
    const payload = [JSON.stringify(dep("c1")), "{oops secret", JSON.stringify(dep("c2"))].join("\n");
    const res = await app.inject({ method: "POST", url: "/v1/events", headers: { ...bitflyer, "content-type": "application/x-ndjson" }, payload });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.accepted, 2);
    assert.equal(body.results[1].status, "rejected");
    assert.match(body.results[1].errors[0].message, /not valid JSON/);
    assert.doesNotMatch(res.body, /oops|secret/);
  });

  it("answers 400, 413 and 415 in the one error shape for bodies that are not events", async () => {
    const notJson = await app.inject({ method: "POST", url: "/v1/events", headers: { ...bitflyer, "content-type": "application/json" }, payload: "{nope" });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().error.code, "bad_input");
    assert.doesNotMatch(notJson.body, /nope/);
    const scalar = await app.inject({ method: "POST", url: "/v1/events", payload: "42", headers: { ...bitflyer, "content-type": "application/json" } });
    assert.equal(scalar.statusCode, 400);
    assert.equal(scalar.json().error.path, "body");
    const big = await app.inject({ method: "POST", url: "/v1/events", headers: bitflyer, payload: [dep("d", "1", { pad: "x".repeat(70 * 1024) })] });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().error.code, "payload_too_large");
    const xml = await app.inject({ method: "POST", url: "/v1/events", headers: { ...bitflyer, "content-type": "text/xml" }, payload: "<e/>" });
    assert.equal(xml.statusCode, 415);
    assert.equal(xml.json().error.code, "unsupported_media_type");
  });

  it("refuses requests without credentials, with a malformed, unknown or revoked key, and callers in the wrong role", async () => {
    for (const url of ["/v1/alerts", "/v1/alerts/stream", "/v1/session", "/v2/nothing"]) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 401, url);
      assert.equal(res.json().error.code, "unauthorized");
    }
    const none = await app.inject({ method: "POST", url: "/v1/events", payload: [dep("u1")] });
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers["www-authenticate"], 'Bearer realm="kanshi"');
    for (const authorization of ["Basic dXNlcjpwYXNz", "Bearer nonsense", `Bearer kk_0123456789ab_${"A".repeat(43)}`]) {
      const res = await app.inject({ url: "/v1/alerts", headers: { authorization } });
      assert.equal(res.statusCode, 401, authorization.slice(0, 12));
      assert.doesNotMatch(res.body, /AAAA|dXNlcjpwYXNz/);
    }
    // A right id with a wrong secret.
    const id = /kk_([0-9a-f]{12})_/.exec(analyst.authorization)![1]!;
    const wrong = await app.inject({ url: "/v1/alerts", headers: { authorization: `Bearer kk_${id}_${"B".repeat(43)}` } });
    assert.equal(wrong.statusCode, 401);
    // Roles: an analyst cannot submit events; a provider, auditor or admin cannot read alerts.
    const asAnalyst = await app.inject({ method: "POST", url: "/v1/events", headers: analyst, payload: [dep("u2")] });
    assert.equal(asAnalyst.statusCode, 403);
    assert.equal(asAnalyst.json().error.code, "forbidden");
    for (const role of ["data_provider", "auditor", "admin"] as const) {
      const h = await testCredentials(store, role, role === "data_provider" ? "jicc" : undefined);
      const res = await app.inject({ url: "/v1/alerts", headers: h });
      assert.equal(res.statusCode, 403, role);
    }
    assert.equal(await store.countEvents(), 3);
  });

  it("a revoked key stops working within the cache time (at once after forgetApiKey)", async () => {
    const { headers, keyId } = await testPrincipal(store, "analyst");
    assert.equal((await app.inject({ url: "/v1/alerts", headers })).statusCode, 200);
    await store.principals().revokeApiKey(keyId);
    app.authenticator.forgetApiKey(keyId);
    assert.equal((await app.inject({ url: "/v1/alerts", headers })).statusCode, 401);
  });

  it("a provider or officer submits only its own organisation's events; foreign ones are rejected one by one", async () => {
    const provider = await testCredentials(store, "data_provider", "jicc");
    const mixed = [dep("m1"), { ...dep("m2"), source: "coincheck" }, dep("m3")];
    const res = await app.inject({ method: "POST", url: "/v1/events", headers: bitflyer, payload: mixed });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual([body.accepted, body.rejected], [2, 1]);
    assert.equal(body.results[1].status, "rejected");
    assert.equal(body.results[1].errors[0].path, "events[1].source");
    assert.match(body.results[1].errors[0].message, /acting for bitflyer; cannot submit events as "coincheck"/);
    const atomic = await app.inject({ method: "POST", url: "/v1/events?atomic=1", headers: coincheck, payload: [{ ...dep("m4"), source: "coincheck" }, dep("m5")] });
    assert.equal(atomic.statusCode, 400);
    assert.deepEqual(atomic.json().results.map((r: { status: string }) => r.status), ["not_stored", "rejected"]);
    const foreign = await app.inject({ method: "POST", url: "/v1/events", headers: provider, payload: [dep("m6")] });
    assert.equal(foreign.statusCode, 400);
    assert.equal(foreign.json().rejected, 1);
  });

  it("detects posted events live; officers see their own accounts, everyone else pseudonyms; filters and cursor paging", async () => {
    // Three deposits just under the ¥2,000,000 line within a week: structuring, at bitflyer.
    const events = ["s1", "s2", "s3"].map((id, i) => ({ ...dep(id, "1950000"), accountId: "acc-s", ts: `2026-11-0${2 + i}T10:00:00+09:00` }));
    const res = await app.inject({ method: "POST", url: "/v1/events", headers: bitflyer, payload: events });
    assert.equal(res.json().accepted, 3);
    const own = await app.inject({ url: "/v1/alerts?typology=structuring&account=acc-s&limit=1", headers: bitflyer });
    assert.equal(own.statusCode, 200);
    const page = own.json();
    assert.equal(page.items.length, 1);
    assert.equal(page.items[0].typology, "structuring");
    assert.deepEqual(page.items[0].accounts, ["acc-s"]);
    assert.ok(page.items[0].evidence.every((k: string) => k.startsWith("bitflyer:")));

    const seen = (await app.inject({ url: "/v1/alerts?typology=structuring", headers: analyst })).json();
    assert.equal(seen.items.length, 2); // acc-s, and acc-1 from the deposits above
    const ps = pseudonyms.account(tenantId("bitflyer"), accountId("acc-s"));
    assert.ok(isPseudonym(ps));
    assert.ok(seen.items.some((a: { accounts: string[] }) => a.accounts[0] === ps));
    assert.doesNotMatch(JSON.stringify(seen), /acc-s/);
    // The analyst filters by the pseudonym it sees; the raw id finds nothing (no oracle).
    assert.equal((await app.inject({ url: `/v1/alerts?account=${ps}`, headers: analyst })).json().items.length, 1);
    assert.equal((await app.inject({ url: "/v1/alerts?account=acc-s", headers: analyst })).json().items.length, 0);
    // Another exchange's officer does not see bitflyer's alert at all.
    const other = (await app.inject({ url: "/v1/alerts", headers: coincheck })).json();
    assert.deepEqual(other, { items: [], nextCursor: null });

    const none = await app.inject({ url: "/v1/alerts?account=nobody", headers: bitflyer });
    assert.deepEqual(none.json().items, []);
    const bad = await app.inject({ url: "/v1/alerts?limit=0", headers: bitflyer });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.path, "query.limit");
  });

  it("health and readiness need no credentials; unknown routes get the error shape", async () => {
    assert.equal((await app.inject({ url: "/healthz" })).statusCode, 200);
    const ready = await app.inject({ url: "/readyz" });
    assert.equal(ready.json().status, "ready");
    const nf = await app.inject({ url: "/v2/nothing", headers: analyst });
    assert.equal(nf.statusCode, 404);
    assert.equal(nf.json().error.code, "not_found");
  });
});
