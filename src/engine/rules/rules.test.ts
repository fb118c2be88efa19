import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configVersionOf } from "../config.ts";
import { createEngine, detect } from "../engine.ts";
import { assertRestoresAtEveryPoint, replayWithOutcomes, toEvents, wireBuilder } from "../testkit.ts";
import { defaultRegistry } from "../typologies/index.ts";
import { checkRule, parseRule, type RuleDefinition } from "./language.ts";
import { withRules } from "./typology.ts";

const BIG_OUT: RuleDefinition = {
  id: "big-out-after-deposits",
  version: 1,
  name: "Large withdrawal after many deposits",
  expression: 'event.type == "withdrawal" && event.valueJpy > 3000000 && account.deposits.count("24h") >= 5',
  score: 70,
};

function rule(expression: string, extra: Partial<RuleDefinition> = {}): RuleDefinition {
  return { id: "r", version: 1, name: "test rule", expression, score: 60, ...extra };
}

function problems(def: unknown): string[] {
  const r = checkRule(def);
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
}

describe("checking a rule when it is saved", () => {
  it("declares the aggregates named in the text and the event types the expression insists on", () => {
    const r = parseRule(BIG_OUT);
    assert.deepEqual(r.on, ["withdrawal"]);
    assert.deepEqual(r.aggregates.map((a) => [a.scope, a.stream, a.fn, a.window, a.windowMs, a.text]), [
      ["account", "deposits", "count", "24h", 86_400_000, 'account.deposits.count("24h")'],
    ]);
    const r2 = parseRule(rule('event.type in ["deposit", "withdrawal"] && entity.withdrawals.distinct("address", "7d") > 3 && entity.deposits.sum("30m") > 0'));
    assert.deepEqual(r2.on, ["deposit", "withdrawal"]);
    assert.deepEqual(r2.aggregates.map((a) => `${a.scope}.${a.stream}.${a.fn}:${a.field ?? ""}:${a.windowMs}`), ["entity.withdrawals.distinct:address:604800000", "entity.deposits.sum::1800000"]);
    assert.equal(parseRule(rule("event.valueJpy > 0")).on.length, 10, "no event.type condition: every event about an account");
  });

  it("names the line and column of parse and type errors", () => {
    assert.deepEqual(problems(rule('event.valueJpy > "x"')), ["expression:1:1: no such overload: int > string"]);
    assert.deepEqual(problems(rule("event.type == \"deposit\" &&\n  event.nope == 1")), ["expression:2:9: No such key: nope"]);
    assert.match(problems(rule("event.valueJpy + "))[0]!, /^expression:1:18: Unexpected token/);
    assert.match(problems(rule("event.valueJpy"))[0]!, /^expression: must be a condition \(bool\); this expression is int/);
    assert.match(problems(rule('account.deposits.count(24) > 1'))[0]!, /^expression:1:1: found no matching overload/);
  });

  it("refuses what would make state or cost unbounded, naming where", () => {
    assert.deepEqual(problems(rule('account.deposits.count(event.type) > 1')), ['expression:1:1: aggregate arguments must be string literals, e.g. account.deposits.count("24h")']);
    assert.match(problems(rule('event.valueJpy > 0 && account.deposits.count("40d") > 1'))[0]!, /^expression:1:23: window "40d" must be a whole number of s, m, h or d between 1s and 31d/);
    assert.match(problems(rule('account.withdrawals.distinct("id", "1h") > 1'))[0]!, /distinct counts one of .*address.*; not "id"/);
    assert.match(problems(rule('event.address.matches("^(a+)+$")'))[0]!, /^expression:1:1: matches\(\) is not allowed/);
    assert.match(problems(rule("[1, 2].all(x, [3].exists(y, y > x))"))[0]!, /at most 1 list macro/);
    assert.match(problems(rule('[account.deposits].size() > 0'))[0]!, /account is only read through an aggregate call/);
    assert.match(problems(rule("event.valueJpy > 0 " + "&& event.valueJpy > 0 ".repeat(120)))[0]!, /^expression: at most 2000 characters/);
    assert.match(problems(rule('event.type == "market.snapshot"'))[0]!, /rules run on events about an account/);
    assert.match(problems(rule('event.type == "withdrawl"'))[0]!, /unknown event type "withdrawl"/);
    assert.match(problems(rule("event.valueJpy > 0", { cooldown: "soon" }))[0]!, /^cooldown: "soon" must be/);
    assert.match(problems({ ...BIG_OUT, id: "Bad Id" })[0]!, /^id: expected lower-case/);
    assert.match(problems({ ...BIG_OUT, score: 101 })[0]!, /^score: /);
    assert.throws(() => parseRule(rule('event.valueJpy > "x"'), "rules[2]"), /rules\[2\]\.expression:1:1: no such overload/);
  });
});

describe("running rules in the engine", () => {
  const registry = withRules(defaultRegistry, [BIG_OUT]);
  const only = { registry, typologies: ["rule:big-out-after-deposits"] };

  function scenario(deposits: number, spreadHours: number) {
    const b = wireBuilder("exa");
    const wire = [b.opened("ac_1", "individual", 0)];
    for (let i = 0; i < deposits; i++) wire.push(b.deposit("ac_1", 1 + (i * spreadHours) / Math.max(1, deposits - 1), "900000"));
    wire.push(b.withdrawal("ac_1", 1 + spreadHours + 0.5, "4000000"));
    wire.push(b.withdrawal("ac_1", 1 + spreadHours + 0.6, "2000000"));
    return toEvents(wire);
  }

  it("raises rule:<id> with the rule's version and config version, its aggregates as figures, the counted events as evidence", () => {
    const events = scenario(5, 20);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    const a = alerts[0]!;
    assert.equal(a.typology, "rule:big-out-after-deposits");
    assert.equal(a.typologyVersion, "1");
    assert.equal(a.configVersion, configVersionOf(BIG_OUT));
    assert.equal(a.score, 70);
    assert.deepEqual(a.subject, { kind: "account", id: "ac_1" });
    assert.equal(a.evidence.length, 6);
    assert.equal(a.evidence[5], `${events[6]!.source}:${events[6]!.id}`);
    assert.deepEqual((a.details as { aggregates: unknown }).aggregates, { 'account.deposits.count("24h")': "5" });
    assert.match(a.explanation, /matched a withdrawal of ¥4,000,000: account\.deposits\.count\("24h"\) = 5/);
    const v2 = withRules(defaultRegistry, [{ ...BIG_OUT, version: 2 }]);
    const b = detect(events, { registry: v2, typologies: ["rule:big-out-after-deposits"] })[0]!;
    assert.equal(b.typologyVersion, "2");
    assert.notEqual(b.configVersion, a.configVersion);
  });

  it("near misses: four deposits, or five spread over more than the window", () => {
    assert.equal(detect(scenario(4, 20), only).length, 0);
    assert.equal(detect(scenario(5, 30), only).length, 0);
  });

  it("entity aggregates count every account of the entity; sum, max and distinct are exact", () => {
    const b = wireBuilder("exa");
    const c = wireBuilder("exb");
    const events = toEvents([
      b.deposit("ac_a", 1, "1000000"),
      c.deposit("ac_b", 2, "2500000"),
      { ...b.withdrawal("ac_a", 3, "1", { asset: "BTC", channel: "crypto", valueJpy: "100000" }), toAddress: "bc1qexampleaddress00000000000000000000aaaa" },
      { ...c.withdrawal("ac_b", 4, "1", { asset: "BTC", channel: "crypto", valueJpy: "200000" }), toAddress: "bc1qexampleaddress00000000000000000000bbbb" },
    ]);
    const def = rule('event.type == "withdrawal" && entity.deposits.sum("24h") == 3500000 && entity.deposits.max("24h") == 2500000 && entity.withdrawals.distinct("address", "24h") == 2', { id: "ent" });
    const entityOf = (a: string) => (a === "ac_a" || a === "ac_b" ? "en_1" : a);
    const alerts = detect(events, { registry: withRules(defaultRegistry, [def]), typologies: ["rule:ent"], entityOf });
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0]!.subject, { kind: "entity", id: "en_1" });
    assert.equal(alerts[0]!.evidence.length, 4);
    // Per account the same figures are not reached.
    const perAccount = rule(def.expression.replaceAll("entity.", "account."), { id: "acc" });
    assert.equal(detect(events, { registry: withRules(defaultRegistry, [perAccount]), typologies: ["rule:acc"], entityOf }).length, 0);
  });

  it("trades count for both sides; a cooldown keeps one alert per subject per window", () => {
    const b = wireBuilder("exa");
    const wire = [];
    for (let i = 0; i < 6; i++) wire.push(b.trade("ac_buy", "ac_sell", 1 + i * 0.1, "BTC/JPY", "0.1", "10000000"));
    const events = toEvents(wire);
    const def = rule('event.type == "trade" && account.trades.count("1h") >= 3 && account.trades.sum("1h") >= 3000000', { id: "busy" });
    const plain = detect(events, { registry: withRules(defaultRegistry, [def]), typologies: ["rule:busy"] });
    assert.equal(plain.length, 8, "trades 3..6, each for buyer and seller");
    assert.deepEqual([...new Set(plain.map((a) => a.subject.id))].sort(), ["ac_buy", "ac_sell"]);
    const cooled = detect(events, { registry: withRules(defaultRegistry, [{ ...def, cooldown: "24h" }]), typologies: ["rule:busy"] });
    assert.equal(cooled.length, 2);
  });

  it("an evaluation error is an error outcome and the stream goes on", () => {
    const b = wireBuilder("exa");
    const events = toEvents([b.deposit("ac_1", 1, "5000000"), b.deposit("ac_1", 2, "10")]);
    const def = rule('event.type == "deposit" && event.valueJpy * 9223372036854775 > 0', { id: "overflow" });
    const { alerts, outcomes } = replayWithOutcomes(events, { registry: withRules(defaultRegistry, [def]), typologies: ["rule:overflow"] });
    assert.deepEqual(outcomes.map((o) => o.kind), ["error", "hit"]);
    assert.match(outcomes[0]!.reason!, /rule r?overflow could not be evaluated: integer overflow/);
    assert.equal(alerts.length, 1);
  });

  it("windows are pruned as event time passes, so state stays bounded", () => {
    const b = wireBuilder("exa");
    const wire = [];
    for (let i = 0; i < 200; i++) wire.push(b.deposit(`ac_${i}`, i, "1000"));
    const engine = createEngine(only);
    for (const e of toEvents(wire)) engine.push(e);
    const keys = engine.stats().byTypology["rule:big-out-after-deposits"]!.keys;
    assert.ok(keys <= 26, `keys ${keys}: only the accounts seen in the last 24 h (and one prune interval)`);
  });

  it("refuses a rule id given twice", () => {
    assert.throws(() => withRules(defaultRegistry, [BIG_OUT, BIG_OUT]), /rule:big-out-after-deposits is given twice/);
  });

  it("snapshot at any event and restore gives the same alerts as one run, alongside built-in typologies", () => {
    const b = wireBuilder("exa");
    const wire = [b.opened("ac_1", "individual", 0)];
    for (let i = 0; i < 6; i++) wire.push(b.deposit("ac_1", 1 + i * 2, "950000"));
    wire.push(b.withdrawal("ac_1", 14, "4000000"), b.login("ac_1", 15), b.withdrawal("ac_1", 16, "3500000"));
    wire.push(b.trade("ac_1", "ac_2", 17, "BTC/JPY", "0.5", "10000000"));
    const events = toEvents(wire);
    const second = rule('event.type in ["withdrawal", "trade"] && account.deposits.distinct("channel", "7d") >= 1 && account.logins.count("1d") >= 1', { id: "second", cooldown: "2h" });
    const opts = { registry: withRules(defaultRegistry, [BIG_OUT, second]), typologies: ["structuring", "pass-through", "rule:big-out-after-deposits", "rule:second"], pruneIntervalMs: 3_600_000 };
    const full = detect(events, opts);
    assert.ok(full.filter((a) => a.typology === "rule:big-out-after-deposits").length === 2);
    assert.ok(full.some((a) => a.typology === "rule:second"));
    assertRestoresAtEveryPoint(events, opts, full);
  });
});
