import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEngine, detect } from "../../index.ts";
import { replayWithOutcomes, toEvents, wireBuilder } from "../../testkit.ts";
import { passThroughDefaults } from "./config.ts";

const only = { typologies: ["pass-through"] };

describe("pass-through", () => {
  test("the lines are inclusive where the brief says so: ≥ ¥500,000 deposit, ≥ 80% out, within 24 h exactly", () => {
    const b = wireBuilder();
    const events = toEvents([b.deposit("a", 0, "500000"), b.withdrawal("a", 24, "400000")]);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]!.explanation, /Deposit of ¥500,000 was followed within 24 hours by a withdrawal of ¥400,000 \(80\.0% of it; line 80%\)/);
    assert.equal(alerts[0]!.ts, "2025-01-07T00:00:00.000Z");
  });

  test("traded value must stay under 10%: exactly 10% clears the deposit", () => {
    const b = wireBuilder();
    const events = toEvents([b.deposit("a", 0, "1000000"), b.trade("x", "a", 1, "ETH/JPY", "0.2", "500000"), b.withdrawal("a", 2, "1000000")]);
    assert.deepEqual(detect(events, only), []);
    const c = wireBuilder();
    const under = toEvents([c.deposit("a", 0, "1000000"), c.trade("x", "a", 1, "ETH/JPY", "0.199", "500000"), c.withdrawal("a", 2, "1000000")]);
    const alerts = detect(under, only);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.details?.tradedJpy, "99500");
  });

  test("trades before the deposit do not count; a self-trade counts once", () => {
    const b = wireBuilder();
    const events = toEvents([
      b.trade("a", "x", 0, "BTC/JPY", "1", "6000000"),
      b.deposit("a", 1, "1000000"),
      b.trade("a", "a", 2, "BTC/JPY", "0.01", "6000000"), // ¥60,000 once, not ¥120,000
      b.trade("a", "y", 3, "BTC/JPY", "0.005", "6000000"), // + ¥30,000 = 9%
      b.withdrawal("a", 4, "900000"),
    ]);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.details?.tradedJpy, "90000");
  });

  test("a withdrawal can complete two watched deposits: one alert per deposit", () => {
    const b = wireBuilder();
    const events = toEvents([b.deposit("a", 0, "600000"), b.deposit("a", 1, "700000", { channel: "crypto", asset: "ETH", valueJpy: "700000" }), b.withdrawal("a", 2, "1200000")]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => a.evidence), [
      ["exa:dep-0001", "exa:wd-0003"],
      ["exa:dep-0002", "exa:wd-0003"],
    ]);
    assert.notEqual(alerts[0]!.id, alerts[1]!.id);
  });

  test("a deposit raises at most one alert: later withdrawals do not re-alert", () => {
    const b = wireBuilder();
    const events = toEvents([b.deposit("a", 0, "1000000"), b.withdrawal("a", 1, "850000"), b.withdrawal("a", 2, "100000")]);
    assert.equal(detect(events, only).length, 1);
  });

  test("what cannot be valued is a skip with a reason, only when it matters", () => {
    const b = wireBuilder();
    const events = toEvents([
      b.withdrawal("a", 0, "1", { asset: "BTC", channel: "crypto" }), // nothing watched: clear
      b.deposit("a", 1, "1000000"),
      b.withdrawal("a", 2, "1", { asset: "BTC", channel: "crypto" }), // watched, no value: skip
      b.trade("a", "x", 3, "ETH/BTC", "1", "0.05"), // no JPY price: skip
      b.deposit("a", 4, "10", { asset: "ETH", channel: "crypto" }), // no value: skip
    ]);
    const { alerts, outcomes } = replayWithOutcomes(events, only);
    assert.deepEqual(alerts, []);
    assert.deepEqual(outcomes.map((o) => o.kind), ["clear", "clear", "skip", "skip", "skip"]);
    assert.match(outcomes[2]!.reason!, /withdrawal without valueJpy/);
    assert.match(outcomes[3]!.reason!, /ETH\/BTC has no JPY price/);
  });

  test("watches close after the window: state is pruned as event time advances", () => {
    const b = wireBuilder();
    const engine = createEngine(only);
    for (let i = 0; i < 50; i++) engine.push(toEvents([b.deposit(`acc-${i}`, i / 10, "900000")])[0]!);
    assert.equal(engine.stats().byTypology["pass-through"]!.keys, 50);
    engine.push(toEvents([b.login("x", 30)])[0]!);
    assert.equal(engine.stats().byTypology["pass-through"]!.keys, 0);
  });

  test("score grows with speed", () => {
    const b = wireBuilder();
    const fast = detect(toEvents([b.deposit("a", 0, "1000000"), b.withdrawal("a", 0.5, "1000000")]), only)[0]!;
    const slow = detect(toEvents([b.deposit("c", 0, "1000000"), b.withdrawal("c", 23, "1000000")]), only)[0]!;
    assert.ok(fast.score > slow.score, `${fast.score} > ${slow.score}`);
  });

  test("defaults are the documented ones", () => {
    assert.deepEqual(passThroughDefaults, { minDepositJpy: 500_000, windowHours: 24, withdrawnShare: 0.8, maxTradedShare: 0.1 });
  });
});
