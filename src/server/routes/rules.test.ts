// /v1/rules on PGlite (memory): analysts draft and backtest, only supervisors publish, and only a
// backtested draft. All data synthetic.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Store } from "../../store/ports.ts";
import { createStoreTemplate } from "../../store/testing/template.ts";
import type { KanshiApp } from "../app.ts";
import { buildTestApp, testCredentials } from "../testing.ts";

const RULE = { id: "big-out", name: "Large withdrawal after deposits", expression: 'event.type == "withdrawal" && event.valueJpy > 3000000 && account.deposits.count("24h") >= 5', score: 70 };

function stored(id: string, hour: number, body: Record<string, unknown>) {
  const ts = new Date(Date.UTC(2026, 10, 2, hour, 0, 0)).toISOString();
  return { source: "exa", id, type: String(body.type), ts, time: Date.parse(ts), body: JSON.stringify({ id, ts, source: "exa", ...body }) };
}

describe("/v1/rules", () => {
  let store: Store;
  let app: KanshiApp;
  let analyst: { authorization: string };
  let supervisor: { authorization: string };
  before(async () => {
    store = await (await createStoreTemplate()).open();
    await store.appendEvents([
      ...[0, 1, 2, 3, 4].map((i) => stored(`d${i}`, 1 + i, { type: "deposit", accountId: "ac_1", asset: "JPY", amount: "900000", channel: "bank" })),
      stored("w1", 8, { type: "withdrawal", accountId: "ac_1", asset: "JPY", amount: "4000000", channel: "bank" }),
    ]);
    app = await buildTestApp(store, { rules: { store, now: () => 1_790_000_000_000 } });
    analyst = await testCredentials(store, "analyst");
    supervisor = await testCredentials(store, "supervisor");
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  it("an analyst stores a type-checked draft; a bad expression is 400 naming line and column", async () => {
    const bad = await app.inject({ method: "POST", url: "/v1/rules", headers: analyst, payload: { ...RULE, expression: "event.valueJpy >" } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json<{ error: { message: string } }>().error.message, /^rule\.expression:1:17: Unexpected token/);
    const officer = await testCredentials(store, "exchange_officer", "exa");
    assert.equal((await app.inject({ method: "POST", url: "/v1/rules", headers: officer, payload: RULE })).statusCode, 403);
    const res = await app.inject({ method: "POST", url: "/v1/rules", headers: analyst, payload: RULE });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json<{ ruleId: string; version: number; status: string; createdAt: string }>();
    assert.deepEqual([body.ruleId, body.version, body.status, body.createdAt], ["big-out", 1, "draft", new Date(1_790_000_000_000).toISOString()]);
  });

  it("publishing needs a supervisor and a backtest on the stored history", async () => {
    const early = await app.inject({ method: "POST", url: "/v1/rules/big-out/publish", headers: supervisor });
    assert.equal(early.statusCode, 409);
    assert.match(early.json<{ error: { message: string } }>().error.message, /no backtest on record/);

    const bt = await app.inject({ method: "POST", url: "/v1/rules/big-out/backtest", headers: analyst });
    assert.equal(bt.statusCode, 200, bt.body);
    const backtest = bt.json<{ backtest: { events: number; alerts: number; subjects: number; publishedAlerts: null } }>().backtest;
    assert.deepEqual([backtest.events, backtest.alerts, backtest.subjects, backtest.publishedAlerts], [6, 1, 1, null]);

    assert.equal((await app.inject({ method: "POST", url: "/v1/rules/big-out/publish", headers: analyst })).statusCode, 403);
    const pub = await app.inject({ method: "POST", url: "/v1/rules/big-out/publish?version=1", headers: supervisor });
    assert.equal(pub.statusCode, 200, pub.body);
    assert.equal(pub.json<{ status: string }>().status, "published");
    assert.equal((await app.inject({ method: "POST", url: "/v1/rules/nope/publish", headers: supervisor })).statusCode, 404);

    const list = await app.inject({ method: "GET", url: "/v1/rules?status=published", headers: analyst });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json<{ items: Array<{ ruleId: string; version: number }> }>().items.map((r) => [r.ruleId, r.version]), [["big-out", 1]]);
    assert.equal((await store.rules().published()).length, 1);
  });
});
