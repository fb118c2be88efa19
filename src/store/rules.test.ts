// The rule sub-store on PGlite (memory): drafts checked and versioned, backtest before publish, one
// published version per rule; typology overrides validated and versioned. All data synthetic.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isKanshiError } from "../contracts/errors.ts";
import { configVersionOf } from "../engine/config.ts";
import { defaultRegistry } from "../engine/typologies/index.ts";
import type { Store } from "./ports.ts";
import type { RuleBacktestSummary, RuleStore } from "./rules.ts";
import { createStoreTemplate } from "./testing/template.ts";

const T0 = 1_716_000_000_000;
const by = (at = T0) => ({ actor: "key:analyst-1", at });
const RULE = { id: "big-out", name: "Large withdrawal after deposits", expression: 'event.type == "withdrawal" && event.valueJpy > 3000000 && account.deposits.count("24h") >= 5', score: 70 };
const SUMMARY: RuleBacktestSummary = { events: 100, alerts: 2, subjects: 1, from: "2026-11-02T00:00:00Z", to: "2026-11-02T23:00:00Z", publishedAlerts: null, sample: ["al_x"] };

async function rejects(p: Promise<unknown>, kind: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isKanshiError(e), `expected a KanshiError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe("rule store", () => {
  let store: Store;
  let rules: RuleStore;
  before(async () => {
    store = await (await createStoreTemplate()).open();
    rules = store.rules();
  });
  after(async () => {
    await store.close();
  });

  it("stores checked drafts as versions 1, 2, … and refuses a rule that does not type-check, naming the place", async () => {
    const v1 = await rules.addDraft({ ...RULE, version: 99 }, by());
    assert.deepEqual([v1.ruleId, v1.version, v1.status, v1.definition.version, v1.backtest], ["big-out", 1, "draft", 1, null]);
    assert.equal(v1.configVersion, configVersionOf(v1.definition));
    const v2 = await rules.addDraft({ ...RULE, score: 80 }, by(T0 + 1));
    assert.equal(v2.version, 2);
    assert.notEqual(v2.configVersion, v1.configVersion);
    await rejects(rules.addDraft({ ...RULE, expression: 'event.valueJpy > "x"' }, by()), "bad_input", /^rule\.expression:1:1: no such overload: int > string/);
    await rejects(rules.addDraft({ ...RULE, id: "Bad" }, by()), "bad_input", /ruleId/);
    assert.equal((await rules.list({ ruleId: "big-out" })).length, 2);
    assert.equal((await rules.get("big-out"))!.version, 2);
  });

  it("publishes only a backtested draft of that very definition; publishing retires the previous version", async () => {
    await rejects(rules.publish("big-out", 1, by()), "conflict", /no backtest on record/);
    const v1 = (await rules.get("big-out", 1))!;
    await rejects(rules.recordBacktest("big-out", 1, { configVersion: "000000000000", summary: SUMMARY, ...by() }), "conflict", /backtest ran config 000000000000/);
    const bt = await rules.recordBacktest("big-out", 1, { configVersion: v1.configVersion, summary: SUMMARY, ...by(T0 + 5) });
    assert.deepEqual(bt.backtest, { ...SUMMARY, by: "key:analyst-1", at: T0 + 5 });
    const p1 = await rules.publish("big-out", 1, { actor: "key:supervisor-1", at: T0 + 10 });
    assert.deepEqual([p1.status, p1.publishedBy, p1.publishedAt], ["published", "key:supervisor-1", T0 + 10]);
    assert.deepEqual((await rules.published()).map((d) => [d.id, d.version]), [["big-out", 1]]);
    await rejects(rules.publish("big-out", 1, by()), "conflict", /is published; only a draft/);
    await rejects(rules.recordBacktest("big-out", 1, { configVersion: v1.configVersion, summary: SUMMARY, ...by() }), "conflict", /is published/);
    const v2 = (await rules.get("big-out", 2))!;
    await rules.recordBacktest("big-out", 2, { configVersion: v2.configVersion, summary: SUMMARY, ...by() });
    await rules.publish("big-out", 2, by(T0 + 20));
    assert.equal((await rules.get("big-out", 1))!.status, "retired");
    assert.deepEqual((await rules.published()).map((d) => [d.id, d.version, d.score]), [["big-out", 2, 80]]);
    assert.deepEqual((await rules.list({ status: "retired" })).map((r) => r.version), [1]);
    await rejects(rules.publish("big-out", 7, by()), "not_found");
  });

  it("typology overrides are validated by the typology's schema and versioned; the newest is in force", async () => {
    await rejects(rules.setTypologyConfig(defaultRegistry, "pass-through", { minDepositJpy: -1 }, by()), "bad_input", /pass-through\.minDepositJpy/);
    await rejects(rules.setTypologyConfig(defaultRegistry, "nope", {}, by()), "bad_input", /unknown typology/);
    const c1 = await rules.setTypologyConfig(defaultRegistry, "pass-through", { minDepositJpy: 300_000 }, by());
    const c2 = await rules.setTypologyConfig(defaultRegistry, "pass-through", { minDepositJpy: 400_000 }, by(T0 + 1));
    assert.deepEqual([c1.version, c2.version], [1, 2]);
    assert.notEqual(c1.configVersion, c2.configVersion);
    assert.deepEqual(await rules.typologyConfigs(), { "pass-through": { minDepositJpy: 400_000 } });
    assert.deepEqual((await rules.typologyConfigHistory("pass-through")).map((c) => c.version), [2, 1]);
  });
});
