import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { openStore } from "../store/open.ts";
import type { Store } from "../store/ports.ts";
import { createEngine } from "../engine/index.ts";
import type { Alert } from "../contracts/alerts.ts";
import { buildApp } from "./app.ts";

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

describe("HTTP API", () => {
  let store: Store;
  let app: FastifyInstance;
  before(async () => {
    store = await openStore({ memory: true });
    const engine = createEngine();
    app = await buildApp({
      store,
      bodyLimit: 64 * 1024,
      onEvents: async (events) => {
        const alerts: Alert[] = [];
        for (const e of events) alerts.push(...engine.push(e));
        if (alerts.length) await store.saveAlerts(alerts);
      },
    });
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  it("stores good events and answers each one; a bad one carries its index, field path and reason", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/events", payload: [dep("a1"), dep("a2", 19.5), dep("a1")] });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.accepted, 1);
    assert.equal(body.duplicate, 1);
    assert.equal(body.rejected, 1);
    assert.deepEqual(body.results[1], { index: 1, status: "rejected", errors: [{ path: "events[1].amount", message: "expected a decimal string" }] });
    assert.equal(await store.countEvents(), 1);
  });

  it("atomic=true stores none when one is bad", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/events?atomic=true", payload: [dep("b1"), dep("b2", "NaN")] });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().results.map((r: { status: string }) => r.status), ["not_stored", "rejected"]);
    assert.equal(await store.countEvents(), 1);
  });

  it("takes NDJSON; an unparsable line is rejected at its index and the rest stored", async () => {
    const payload = [JSON.stringify(dep("c1")), "{oops", JSON.stringify(dep("c2"))].join("\n");
    const res = await app.inject({ method: "POST", url: "/v1/events", headers: { "content-type": "application/x-ndjson" }, payload });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.accepted, 2);
    assert.equal(body.results[1].status, "rejected");
    assert.match(body.results[1].errors[0].message, /not valid JSON/);
  });

  it("answers 400, 413 and 415 in the one error shape for bodies that are not events", async () => {
    const notJson = await app.inject({ method: "POST", url: "/v1/events", headers: { "content-type": "application/json" }, payload: "{nope" });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().error.code, "bad_input");
    const scalar = await app.inject({ method: "POST", url: "/v1/events", payload: 42 as never, headers: { "content-type": "application/json" } });
    assert.equal(scalar.statusCode, 400);
    assert.equal(scalar.json().error.path, "body");
    const big = await app.inject({ method: "POST", url: "/v1/events", payload: [dep("d", "1", { pad: "x".repeat(70 * 1024) })] });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().error.code, "payload_too_large");
    const xml = await app.inject({ method: "POST", url: "/v1/events", headers: { "content-type": "text/xml" }, payload: "<e/>" });
    assert.equal(xml.statusCode, 415);
    assert.equal(xml.json().error.code, "unsupported_media_type");
  });

  it("detects posted events live and lists the alerts with filters and cursor paging", async () => {
    // Three deposits just under the ¥2,000,000 line within a week: structuring.
    const events = ["s1", "s2", "s3"].map((id, i) => ({ ...dep(id, "1950000"), accountId: "acc-s", ts: `2026-11-0${2 + i}T10:00:00+09:00` }));
    const res = await app.inject({ method: "POST", url: "/v1/events", payload: events });
    assert.equal(res.json().accepted, 3);
    const list = await app.inject({ method: "GET", url: "/v1/alerts?typology=structuring&account=acc-s&limit=1" });
    assert.equal(list.statusCode, 200);
    const page = list.json();
    assert.equal(page.items.length, 1);
    assert.equal(page.items[0].typology, "structuring");
    assert.deepEqual(page.items[0].accounts, ["acc-s"]);
    const none = await app.inject({ method: "GET", url: "/v1/alerts?account=nobody" });
    assert.deepEqual(none.json().items, []);
    const bad = await app.inject({ method: "GET", url: "/v1/alerts?limit=0" });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.path, "query.limit");
  });

  it("health and readiness; unknown routes get the error shape", async () => {
    assert.equal((await app.inject({ url: "/healthz" })).statusCode, 200);
    const ready = await app.inject({ url: "/readyz" });
    assert.equal(ready.json().status, "ready");
    const nf = await app.inject({ url: "/v2/nothing" });
    assert.equal(nf.statusCode, 404);
    assert.equal(nf.json().error.code, "not_found");
  });
});
