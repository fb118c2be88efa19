// /v1/rules on PGlite (memory): analysts draft and backtest, only supervisors publish, and only a
// backtested draft. All data synthetic.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readSettings, LiveDetection } from "../../cli/rule-live.ts";
import { ruleChanges } from "../../cli/rule-changes.ts";
import { backtestRuleOnHistory } from "../../cli/rule-commands.ts";
import type { Alert } from "../../contracts/alerts.ts";
import type { AuditRecord } from "../../privacy/index.ts";
import type { Store } from "../../store/ports.ts";
import { createStoreTemplate } from "../../store/testing/template.ts";
import type { KanshiApp } from "../app.ts";
import { buildTestApp, testAuditTrail, testCredentials } from "../testing.ts";

const RULE = { id: "big-out", name: "Large withdrawal after deposits", expression: 'event.type == "withdrawal" && event.valueJpy > 3000000 && account.deposits.count("24h") >= 5', score: 70 };

function stored(id: string, hour: number, body: Record<string, unknown>) {
  const ts = new Date(Date.UTC(2026, 10, 2, hour, 0, 0)).toISOString();
  return { source: "exa", id, type: String(body.type), ts, time: Date.parse(ts), body: JSON.stringify({ id, ts, source: "exa", ...body }) };
}

let store: Store;
before(async () => {
  store = await (await createStoreTemplate()).open();
});
after(async () => {
  await store.close();
});

describe("/v1/rules", () => {
  let app: KanshiApp;
  let analyst: { authorization: string };
  let supervisor: { authorization: string };
  before(async () => {
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

// ---- audit records, retire, typology configs, and a live app picking up a publish ---------------

const SIMPLE = { id: "big-cash", name: "Large JPY withdrawal", expression: 'event.type == "withdrawal" && event.valueJpy > 3000000', score: 60 };

function wireEvent(id: string, minute: number, body: Record<string, unknown>): Record<string, unknown> {
  return { id, ts: new Date(Date.UTC(2026, 10, 3, 9, minute, 0)).toISOString(), source: "exa", ...body };
}

async function auditRecords(store: Store): Promise<AuditRecord[]> {
  return store.auditLog().read(0, await store.auditLog().size());
}

describe("/v1/rules changes are audited first and reach a running app's live detection", () => {
  let app: KanshiApp;
  let live: LiveDetection;
  const raised: Alert[] = [];
  let analyst: { authorization: string };
  let supervisor: { authorization: string };
  let officer: { authorization: string };
  before(async () => {
    live = new LiveDetection({ settings: await readSettings(store.rules()) });
    app = await buildTestApp(store, {
      rules: { store, onChange: () => live.refresh(store.rules()) },
      detect: (events) => {
        const out = events.flatMap((e) => live.push(e));
        raised.push(...out);
        return out;
      },
    });
    analyst = await testCredentials(store, "analyst");
    supervisor = await testCredentials(store, "supervisor");
    officer = await testCredentials(store, "exchange_officer", "exa");
  });
  after(async () => {
    await app.close();
  });

  const post = (events: Record<string, unknown>[]) => app.inject({ method: "POST", url: "/v1/events", headers: officer, payload: events });

  it("a rule published over HTTP raises rule:<id> alerts on the next live event, without a restart; retiring it stops them", async () => {
    const before1 = await post([wireEvent("lw0", 0, { type: "withdrawal", accountId: "ac_9", asset: "JPY", amount: "5000000", channel: "bank" })]);
    assert.equal(before1.statusCode, 200, before1.body);
    assert.equal(raised.filter((a) => a.typology === "rule:big-cash").length, 0);

    assert.equal((await app.inject({ method: "POST", url: "/v1/rules", headers: analyst, payload: SIMPLE })).statusCode, 201);
    assert.equal((await app.inject({ method: "POST", url: "/v1/rules/big-cash/backtest", headers: analyst })).statusCode, 200);
    const pub = await app.inject({ method: "POST", url: "/v1/rules/big-cash/publish", headers: supervisor });
    assert.equal(pub.statusCode, 200, pub.body);

    assert.equal((await post([wireEvent("lw1", 1, { type: "withdrawal", accountId: "ac_9", asset: "JPY", amount: "5000000", channel: "bank" })])).statusCode, 200);
    const mine = raised.filter((a) => a.typology === "rule:big-cash");
    assert.equal(mine.length, 1);
    assert.deepEqual([mine[0]!.subject.id, mine[0]!.evidence.at(-1), mine[0]!.typologyVersion], ["ac_9", "exa:lw1", "1"]);

    const ret = await app.inject({ method: "POST", url: "/v1/rules/big-cash/retire", headers: supervisor });
    assert.equal(ret.statusCode, 200, ret.body);
    assert.equal(ret.json<{ status: string }>().status, "retired");
    assert.equal((await app.inject({ method: "POST", url: "/v1/rules/big-cash/retire", headers: supervisor })).statusCode, 404);
    assert.equal((await app.inject({ method: "POST", url: "/v1/rules/big-cash/retire", headers: analyst })).statusCode, 403);
    assert.equal((await post([wireEvent("lw2", 2, { type: "withdrawal", accountId: "ac_9", asset: "JPY", amount: "5000000", channel: "bank" })])).statusCode, 200);
    assert.equal(raised.filter((a) => a.typology === "rule:big-cash").length, 1);
    assert.equal(live.engine.typologies.some((t) => t.id === "rule:big-cash"), false);
  });

  it("every draft, publish, retirement and typology config is an audit record naming who and which version, never the expression", async () => {
    const cfg = await app.inject({ method: "PUT", url: "/v1/typologies/pass-through/config", headers: supervisor, payload: { minDepositJpy: 300_000 } });
    assert.equal(cfg.statusCode, 200, cfg.body);
    assert.deepEqual([cfg.json<{ typology: string; version: number }>().typology, cfg.json<{ version: number }>().version], ["pass-through", 1]);
    assert.equal(live.engine.typologies.find((t) => t.id === "pass-through")?.configVersion, cfg.json<{ configVersion: string }>().configVersion);
    const badCfg = await app.inject({ method: "PUT", url: "/v1/typologies/pass-through/config", headers: supervisor, payload: { minDepositJpy: -1 } });
    assert.equal(badCfg.statusCode, 400);
    assert.match(badCfg.json<{ error: { message: string } }>().error.message, /pass-through\.minDepositJpy/);
    assert.equal((await app.inject({ method: "PUT", url: "/v1/typologies/pass-through/config", headers: analyst, payload: {} })).statusCode, 403);

    const records = (await auditRecords(store)).filter((r) => r.target === "rule:big-cash" || r.target.startsWith("typology:"));
    assert.deepEqual(records.map((r) => [r.action, r.target]), [
      ["rule.draft", "rule:big-cash"],
      ["rule.publish", "rule:big-cash"],
      ["rule.retire", "rule:big-cash"],
      ["typology.config", "typology:pass-through"],
    ]);
    const pub = records[1]!;
    assert.match(pub.actor, /^key:test-supervisor-[0-9a-f]+@supervisor$/);
    const d = pub.details as { rule: string; version: number; configVersion: string; backtest: { by: string; events: number; alerts: number }; retires: number | null };
    const stored = (await store.rules().get("big-cash", 1))!;
    assert.deepEqual([d.rule, d.version, d.configVersion, d.retires], ["big-cash", 1, stored.configVersion, null]);
    assert.deepEqual([d.backtest.by, d.backtest.events, d.backtest.alerts], [stored.backtest!.by, stored.backtest!.events, stored.backtest!.alerts]);
    assert.deepEqual(records[3]!.details, { typology: "pass-through", version: 1, configVersion: cfg.json<{ configVersion: string }>().configVersion, settings: ["minDepositJpy"] });
    for (const r of records) assert.doesNotMatch(JSON.stringify(r.details), /valueJpy|3000000|300000\b/);
  });

  it("a publish by another process (the CLI's path, no onChange here) is swapped in on the next poll of the rules store", async () => {
    const cli = ruleChanges({ store, audit: testAuditTrail(store).trail });
    await cli.addDraft("cli", { ...SIMPLE, id: "polled-cash", expression: 'event.type == "withdrawal" && event.valueJpy > 4000000' });
    await backtestRuleOnHistory(store, "polled-cash", undefined, "cli");
    const stop = live.startPolling(store.rules(), 20);
    try {
      await cli.publish("cli", "polled-cash");
      const deadline = Date.now() + 15_000;
      while (!live.engine.typologies.some((t) => t.id === "rule:polled-cash") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await post([wireEvent("lw3", 3, { type: "withdrawal", accountId: "ac_9", asset: "JPY", amount: "5000000", channel: "bank" })])).statusCode, 200);
      assert.deepEqual(raised.filter((a) => a.typology === "rule:polled-cash").map((a) => a.evidence.at(-1)), ["exa:lw3"]);
    } finally {
      stop();
      await live.idle();
      await cli.retire("cli", "polled-cash");
      await live.refresh(store.rules());
    }
  });

  it("when the audit trail cannot be written, a publish does not take effect (and neither does a draft)", async () => {
    const failing = { appendBatch: async () => Promise.reject(new Error("audit store unreachable")) };
    const broken = await buildTestApp(store, { rules: { store, audit: failing, onChange: () => live.refresh(store.rules()) } });
    try {
      await store.rules().addDraft({ ...SIMPLE, id: "other-cash" }, { actor: "test", at: 1 });
      await backtestRuleOnHistory(store, "other-cash", undefined, "test");
      const size = await store.auditLog().size();
      const pub = await broken.inject({ method: "POST", url: "/v1/rules/other-cash/publish", headers: supervisor });
      assert.equal(pub.statusCode, 500);
      assert.equal((await store.rules().get("other-cash"))!.status, "draft");
      assert.equal(live.engine.typologies.some((t) => t.id === "rule:other-cash"), false);
      const draft = await broken.inject({ method: "POST", url: "/v1/rules", headers: analyst, payload: { ...SIMPLE, id: "third-cash" } });
      assert.equal(draft.statusCode, 500);
      assert.equal(await store.rules().get("third-cash"), undefined);
      assert.equal(await store.auditLog().size(), size);
    } finally {
      await broken.close();
    }
  });
  it("a change the store refuses after its audit record was written is followed by an .aborted record", async () => {
    await assert.rejects(store.rules().addDraft({ ...SIMPLE, id: "raced-cash" }, { actor: "test", at: 1 }, { version: 2 }), /next version is 1, not 2/);
    const trail = testAuditTrail(store).trail;
    // Another writer stores version 1 between this change's audit record and its insert.
    const racing: Store = Object.create(store) as Store;
    const rulesOf = store.rules();
    racing.rules = () => ({
      ...rulesOf,
      addDraft: async (def, by, opts) => {
        await rulesOf.addDraft(def, { actor: "someone-else", at: by.at });
        return rulesOf.addDraft(def, by, opts);
      },
    });
    await assert.rejects(ruleChanges({ store: racing, audit: trail }).addDraft("test", { ...SIMPLE, id: "raced-cash" }), (e: Error & { kind?: string }) => e.kind === "conflict");
    const records = (await auditRecords(store)).filter((r) => r.target === "rule:raced-cash");
    assert.deepEqual(records.map((r) => [r.action, (r.details as { version: number }).version]), [["rule.draft", 1], ["rule.draft.aborted", 1]]);
    assert.equal((records[1]!.details as { error: string }).error, "conflict");
    assert.equal((await store.rules().get("raced-cash"))?.createdBy, "someone-else");
  });
});
