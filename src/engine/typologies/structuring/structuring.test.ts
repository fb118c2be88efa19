import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { accountId, type Event } from "../../../contracts/index.ts";
import { createEngine, detect, listTypologies } from "../../index.ts";
import { replayWithOutcomes, toEvents, wireBuilder } from "../../testkit.ts";
import { structuringDefaults } from "./config.ts";

const only = { typologies: ["structuring"] };

describe("structuring", () => {
  test("the band is [80%, 100%) of the line: ¥1,600,000 qualifies, ¥1,599,999.99 and ¥2,000,000 do not", () => {
    const b = wireBuilder();
    const inBand = toEvents([b.deposit("a", 0, "1600000"), b.deposit("a", 1, "1999999.99"), b.deposit("a", 2, "1600000")]);
    assert.equal(detect(inBand, only).length, 1);
    const c = wireBuilder();
    const edges = toEvents([c.deposit("a", 0, "1599999.99"), c.deposit("a", 1, "2000000"), c.deposit("a", 2, "1600000"), c.deposit("a", 3, "1700000")]);
    assert.deepEqual(detect(edges, only), []);
  });

  test("a non-JPY bank deposit is valued by valueJpy; without it the event is skipped with a reason", () => {
    const b = wireBuilder();
    const events = toEvents([
      b.deposit("a", 0, "13000", { asset: "USD", valueJpy: "1950000" }),
      b.deposit("a", 1, "13000", { asset: "USD", valueJpy: "1950000" }),
      b.deposit("a", 2, "13000", { asset: "USD" }),
      b.deposit("a", 3, "13000", { asset: "USD", valueJpy: "1950000" }),
    ]);
    const { alerts, outcomes } = replayWithOutcomes(events, only);
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0]!.evidence, ["exa:dep-0001", "exa:dep-0002", "exa:dep-0004"]);
    const skipped = outcomes.find((o) => o.event === "exa:dep-0003");
    assert.equal(skipped?.kind, "skip");
    assert.match(skipped?.reason ?? "", /valueJpy/);
  });

  test("crypto movements use the ¥100,000 line and are kept apart from bank ones", () => {
    const b = wireBuilder();
    const events = toEvents([
      b.deposit("a", 0, "1950000"),
      b.deposit("a", 1, "0.3", { asset: "ETH", channel: "crypto", valueJpy: "90000" }),
      b.deposit("a", 2, "1950000"),
      b.deposit("a", 3, "0.3", { asset: "ETH", channel: "crypto", valueJpy: "90000" }),
    ]);
    assert.deepEqual(detect(events, only), []);
  });

  test("the alert explains with the figures, scores 0–100 and records versions", () => {
    const b = wireBuilder();
    const [a] = detect(toEvents([b.deposit("a", 0, "1950000"), b.deposit("a", 10, "1900000"), b.deposit("a", 20, "1990000")]), only);
    assert.ok(a);
    assert.match(a.explanation, /3 bank deposits of ¥1,950,000, ¥1,900,000 and ¥1,990,000 within 20 hours/);
    assert.match(a.explanation, /¥2,000,000 reporting line/);
    assert.ok(a.score >= 0 && a.score <= 100);
    assert.equal(a.typologyVersion, "1.0.0");
    assert.equal(a.configVersion, listTypologies().find((t) => t.id === "structuring")!.configVersion);
    assert.equal(a.ts, "2025-01-06T20:00:00.000Z");
    assert.deepEqual(a.details, {
      direction: "deposit", channel: "bank", count: 3, thresholdJpy: "2000000", totalJpy: "5840000",
      valuesJpy: ["1950000", "1900000", "1990000"], totalOverThreshold: 2.92, spanMs: 72_000_000, windowDays: 7,
    });
  });

  test("a shorter window (config) misses the same burst, and changes configVersion", () => {
    const b = wireBuilder();
    const events = toEvents([b.deposit("a", 0, "1950000"), b.deposit("a", 40, "1950000"), b.deposit("a", 80, "1950000")]);
    const dflt = detect(events, only);
    assert.equal(dflt.length, 1);
    assert.deepEqual(detect(events, { ...only, configs: { structuring: { windowDays: 3 } } }), []);
    const wide = detect(events, { ...only, configs: { structuring: { thresholdJpy: { bank: 2_100_000 } } } });
    assert.equal(wide.length, 1);
    assert.notEqual(wide[0]!.configVersion, dflt[0]!.configVersion);
    assert.notEqual(wide[0]!.id, dflt[0]!.id);
  });

  test("the sum must exceed the line: with a 30% band, three deposits summing ¥1,950,000 wait for a fourth", () => {
    const b = wireBuilder();
    const events = toEvents([b.deposit("a", 0, "650000"), b.deposit("a", 1, "650000"), b.deposit("a", 2, "650000"), b.deposit("a", 3, "650000")]);
    const alerts = detect(events, { ...only, configs: { structuring: { lowerRatio: 0.3 } } });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.evidence.length, 4);
  });

  test("withdrawals are a direction of their own", () => {
    const b = wireBuilder();
    const events = toEvents([b.withdrawal("a", 0, "1850000"), b.withdrawal("a", 1, "1850000"), b.withdrawal("a", 2, "1850000")]);
    const [a] = detect(events, only);
    assert.match(a!.explanation, /^3 bank withdrawals/);
    assert.equal(a!.details?.direction, "withdrawal");
  });

  test("with an entity resolver, accounts of one entity are one subject", () => {
    const b = wireBuilder();
    const events = toEvents([b.deposit("a1", 0, "1950000"), b.deposit("a2", 1, "1950000"), b.deposit("a1", 2, "1950000")]);
    assert.deepEqual(detect(events, only), []);
    const alerts = detect(events, { ...only, entityOf: (acc) => (acc === accountId("a1") || acc === accountId("a2") ? "ent-1" : acc) });
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0]!.subject, { kind: "entity", id: "ent-1" });
    assert.deepEqual(alerts[0]!.accounts, ["a1", "a2"]);
  });

  test("windows are pruned as event time advances: state stays bounded", () => {
    const b = wireBuilder();
    const engine = createEngine(only);
    for (let i = 0; i < 200; i++) engine.push(toEvents([b.deposit(`acc-${i}`, i, "1950000")])[0]!);
    assert.ok(engine.stats().byTypology.structuring!.keys > 150);
    engine.push(toEvents([b.login("acc-0", 200 + 24 * 8)])[0]!);
    assert.equal(engine.stats().byTypology.structuring!.keys, 0);
  });

  test("once per burst: the week after an alert is quiet (inclusive), then a new set alerts again", () => {
    const b = wireBuilder();
    const hours = [0, 1, 2, 2 + 168, 2 + 168.01, 2 + 169, 2 + 170];
    const events = toEvents(hours.map((h) => b.deposit("a", h, "1950000")));
    const alerts = detect(events, only);
    // the movement exactly 7 days after the alert is still part of the burst
    assert.deepEqual(alerts.map((a) => a.evidence), [
      ["exa:dep-0001", "exa:dep-0002", "exa:dep-0003"],
      ["exa:dep-0005", "exa:dep-0006", "exa:dep-0007"],
    ]);
  });

  test("a key in its quiet week survives pruning; afterwards it is dropped", () => {
    const b = wireBuilder();
    const engine = createEngine(only);
    for (const h of [0, 1, 2]) engine.push(toEvents([b.deposit("a", h, "1950000")])[0]!);
    engine.push(toEvents([b.login("a", 100)])[0]!);
    assert.equal(engine.stats().byTypology.structuring!.keys, 1);
    engine.push(toEvents([b.login("a", 2 + 168 + 2)])[0]!);
    assert.equal(engine.stats().byTypology.structuring!.keys, 0);
  });

  test("an event with a non-exact amount is an error outcome, not a throw", () => {
    const b = wireBuilder();
    const good = toEvents([b.deposit("a", 0, "1950000")])[0]!;
    const bad = { ...good, id: "bad-1", amount: 1950000 } as unknown as Event;
    const { alerts, outcomes } = replayWithOutcomes([bad], only);
    assert.deepEqual(alerts, []);
    assert.equal(outcomes[0]!.kind, "error");
  });

  test("defaults are the documented ones", () => {
    assert.deepEqual(structuringDefaults, { windowDays: 7, minCount: 3, lowerRatio: 0.8, thresholdJpy: { bank: 2_000_000, crypto: 100_000 } });
  });
});
