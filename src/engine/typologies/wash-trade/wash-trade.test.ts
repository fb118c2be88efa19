import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AlertSchema, accountId, type Event, type EventInput } from "../../../contracts/index.ts";
import { createEngine, decodeState, detect } from "../../index.ts";
import { replayWithOutcomes, toEvent, toEvents, wireBuilder } from "../../testkit.ts";
import { washTradeDefaults } from "./config.ts";
import { BENFORD, benfordChiSquare, benfordMad, chiSquareCritical, chiSquareSurvivalEven, firstDigit, significantDigits } from "./stats.ts";

const only = { typologies: ["wash-trade"] };
const selfOnly = { ...only, configs: { "wash-trade": { marketDaily: { enabled: false } } } };
const selfWith = (o: Record<string, unknown>) => ({ ...only, configs: { "wash-trade": { ...o, marketDaily: { enabled: false } } } });
const dailyWith = (o: Record<string, unknown>) => ({ ...only, configs: { "wash-trade": { marketDaily: o } } });

type Builder = ReturnType<typeof wireBuilder>;

/** n trades of one venue's market between unrelated accounts, sizes from `size(i)`, 1 minute apart. */
function marketDay(b: Builder, n: number, size: (i: number) => string, startHours = 0, market = "XEM/JPY"): EventInput[] {
  return Array.from({ length: n }, (_, i) => b.trade(`buyer-${i % 7}`, `mm-${i % 3}`, startHours + i / 60, market, size(i), "3.2"));
}

/** Log-uniform sizes over three decades from a low-discrepancy sequence: first digits follow Benford closely. */
const benfordSize = (i: number): string => (10 ** (((i * 0.6180339887498949) % 1) * 3 + 1)).toFixed(4);
/** Sizes 500–999.9: every first digit is 5–9. */
const highDigitSize = (i: number): string => (500 + ((i * 37) % 500) + 0.1234).toFixed(4);

describe("wash-trade: self-matched trades", () => {
  test("two trades of one account with itself worth ≥ ¥100,000 together alert, quoting the figures", () => {
    const b = wireBuilder();
    const events = toEvents([b.trade("a", "a", 0, "XEM/JPY", "20000", "3.2"), b.trade("a", "a", 0.5, "XEM/JPY", "20000", "3.25")]);
    const alerts = detect(events, selfOnly);
    assert.equal(alerts.length, 1);
    const a = alerts[0]!;
    AlertSchema.parse(a);
    assert.deepEqual(a.subject, { kind: "account", id: "a" });
    assert.deepEqual(a.accounts, ["a"]);
    assert.deepEqual(a.evidence, ["exa:tr-0001", "exa:tr-0003"]);
    assert.equal(a.ts, "2025-01-06T00:30:00.000Z");
    assert.equal(
      a.explanation,
      "2 trades in XEM/JPY on exa within 30 minutes where buyer and seller were the same account: 40,000 XEM changed hands and every account's net position came back within 0.0% (line ±1%); together worth ¥129,000.",
    );
    assert.equal(a.details?.relation, "same-account");
    assert.equal(a.details?.valueJpy, "129000");
    assert.deepEqual(a.details?.positions, [{ account: "a", bought: "40000", sold: "40000", netShare: 0 }]);
    assert.ok(a.score >= 60 && a.score <= 100);
  });

  test("the value line is inclusive: ¥64,500 alerts at a ¥64,500 line, not at the default ¥100,000", () => {
    const b = wireBuilder();
    const events = toEvents([b.trade("a", "a", 0, "XEM/JPY", "10000", "3.2"), b.trade("a", "a", 0.5, "XEM/JPY", "10000", "3.25")]);
    assert.deepEqual(detect(events, selfOnly), []);
    assert.equal(detect(events, selfWith({ minValueJpy: 64_500 })).length, 1);
    assert.deepEqual(detect(events, selfWith({ minValueJpy: 64_501 })), []);
  });

  test("one self-trade is not a pattern; minTrades 1 makes it one", () => {
    const b = wireBuilder();
    const events = toEvents([b.trade("a", "a", 0, "BTC/JPY", "0.1", "15000000")]);
    assert.deepEqual(detect(events, selfOnly), []);
    assert.equal(detect(events, selfWith({ minTrades: 1 })).length, 1);
  });

  test("accounts of one entity: a round trip back within ±1% alerts, one 2% short does not", () => {
    const entityOf = (a: string) => (a === accountId("e1-a") || a === accountId("e1-b") ? "ent-1" : a);
    const trip = (back: string) => {
      const b = wireBuilder();
      return toEvents([b.trade("e1-b", "e1-a", 0, "MONA/JPY", "5000", "62"), b.trade("e1-a", "e1-b", 2, "MONA/JPY", back, "63")]);
    };
    assert.deepEqual(detect(trip("4950"), selfOnly), [], "without an entity resolver they are two strangers");
    const [a] = detect(trip("4950"), { ...selfOnly, entityOf });
    assert.ok(a);
    assert.deepEqual(a.subject, { kind: "entity", id: "ent-1" });
    assert.deepEqual(a.accounts, ["e1-a", "e1-b"]);
    assert.equal(a.details?.relation, "same-entity");
    assert.equal(a.details?.worstNetShare, 0.01);
    assert.match(a.explanation, /accounts of the same entity/);
    assert.match(a.explanation, /within 1\.0% \(line ±1%\)/);
    assert.deepEqual(detect(trip("4900"), { ...selfOnly, entityOf }), []);
  });

  test("a one-way move between an entity's accounts is not a wash until it comes back", () => {
    const entityOf = (a: string) => (a.startsWith("e1-") ? "ent-1" : a);
    const b = wireBuilder();
    const oneWay = toEvents([b.trade("e1-b", "e1-a", 0, "MONA/JPY", "5000", "62"), b.trade("e1-b", "e1-a", 1, "MONA/JPY", "5000", "62")]);
    assert.deepEqual(detect(oneWay, { ...selfOnly, entityOf }), []);
    const back = toEvents([b.trade("e1-a", "e1-b", 3, "MONA/JPY", "10000", "62")]);
    const alerts = detect([...oneWay, ...back], { ...selfOnly, entityOf });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.evidence.length, 3);
  });

  test("a linked cluster (linkedOf hook) counts as one side: relation and cluster are named", () => {
    const linkedOf = (a: string) => (a === "x1" || a === "x2" ? "cluster-7" : undefined);
    const b = wireBuilder();
    const events = toEvents([b.trade("x1", "x2", 0, "BRIL/JPY", "4000", "18"), b.trade("x2", "x1", 0.2, "BRIL/JPY", "4000", "18.1")]);
    assert.deepEqual(detect(events, selfOnly), []);
    const [a] = detect(events, { ...selfOnly, linkedOf });
    assert.ok(a);
    assert.equal(a.details?.relation, "linked-cluster");
    assert.equal(a.details?.cluster, "cluster-7");
    assert.deepEqual(a.accounts, ["x1", "x2"]);
    assert.match(a.explanation, /one linked cluster/);
    // unlinked accounts (undefined on both sides) are never a cluster
    assert.deepEqual(detect(toEvents([b.trade("y1", "y2", 1, "BRIL/JPY", "4000", "18"), b.trade("y2", "y1", 1.1, "BRIL/JPY", "4000", "18")]), { ...selfOnly, linkedOf }), []);
  });

  test("the window: self-trades 25 hours apart do not pair at 24 h, do at 48 h", () => {
    const b = wireBuilder();
    const events = toEvents([b.trade("a", "a", 0, "XEM/JPY", "20000", "3.2"), b.trade("a", "a", 25, "XEM/JPY", "20000", "3.2")]);
    assert.deepEqual(detect(events, selfOnly), []);
    assert.equal(detect(events, selfWith({ windowHours: 48 })).length, 1);
  });

  test("venues and markets are kept apart", () => {
    const a = wireBuilder("exa");
    const c = wireBuilder("exc");
    const events = toEvents([a.trade("a", "a", 0, "XEM/JPY", "20000", "3.2"), c.trade("a", "a", 0.1, "XEM/JPY", "20000", "3.2"), a.trade("a", "a", 0.2, "MONA/JPY", "1000", "62")]);
    assert.deepEqual(detect(events, selfOnly), []);
  });

  test("once per burst: a bot's twenty self-trades in an hour raise one alert; the next day's raise another", () => {
    const b = wireBuilder();
    const wire = [...Array.from({ length: 20 }, (_, i) => b.trade("bot", "bot", i / 20, "FNCT/JPY", "200000", "0.35")), ...Array.from({ length: 3 }, (_, i) => b.trade("bot", "bot", 26 + i, "FNCT/JPY", "200000", "0.35"))];
    const alerts = detect(toEvents(wire), selfOnly);
    assert.equal(alerts.length, 2);
    assert.equal(alerts[0]!.evidence.length, 2);
    assert.equal(alerts[1]!.ts, "2025-01-07T03:00:00.000Z");
  });

  test("a market not quoted in yen is valued at its base asset's JPY mid; with none it is judged on count", () => {
    const b = wireBuilder();
    const trades = [b.trade("a", "a", 1, "ETH/BTC", "0.2", "0.036"), b.trade("a", "a", 1.5, "ETH/BTC", "0.2", "0.036")];
    const [valued] = detect(toEvents([b.snapshot("ETH/JPY", 0, "560000"), ...trades]), selfOnly);
    assert.equal(valued?.details?.valueJpy, "224000");
    const [unvalued] = detect(toEvents(trades), selfOnly);
    assert.equal(unvalued?.details?.valueJpy, null);
    assert.match(unvalued!.explanation, /no JPY value known/);
    const cheap = detect(toEvents([b.snapshot("ETH/JPY", 0, "200000"), ...trades]), selfOnly);
    assert.deepEqual(cheap, [], "0.4 ETH at ¥200,000 is ¥80,000, under the line");
  });

  test("state is bounded: at most maxHeldTrades per key, and windows are pruned in event time", () => {
    const entityOf = (a: string) => (a.startsWith("e-") ? "ent" : a);
    const engine = createEngine({ ...selfWith({ maxHeldTrades: 5 }), entityOf });
    const b = wireBuilder();
    // one-way moves never balance, so they are held, but never more than 5
    for (let i = 0; i < 50; i++) engine.push(toEvent(b.trade("e-b", "e-a", i / 60, "XEM/JPY", "100", "3")));
    const state = decodeState(engine.snapshot().typologies[0]!.state) as { groups: Map<string, { trades: unknown[] }> };
    assert.deepEqual([...state.groups.values()].map((g) => g.trades.length), [5]);
    for (let i = 0; i < 30; i++) engine.push(toEvent(b.trade(`s${i}`, `s${i}`, 1 + i / 60, "XEM/JPY", "100", "3")));
    assert.equal(engine.stats().byTypology["wash-trade"]!.keys, 31);
    engine.push(toEvent(b.login("z", 1 + 24 + 2)));
    assert.equal(engine.stats().byTypology["wash-trade"]!.keys, 0);
  });

  test("a trade with a non-exact quantity is an error outcome, not a throw", () => {
    const b = wireBuilder();
    const good = toEvents([b.trade("a", "a", 0, "XEM/JPY", "10", "3")])[0]!;
    const bad = { ...good, id: "bad-1", quantity: 10 } as unknown as Event;
    const { alerts, outcomes } = replayWithOutcomes([bad], only);
    assert.deepEqual(alerts, []);
    assert.equal(outcomes[0]!.kind, "error");
  });
});

describe("wash-trade: market days", () => {
  test("a day whose sizes all start with 5–9 fails Benford: one market alert at end of stream, with the test figures", () => {
    const b = wireBuilder();
    const events = toEvents(marketDay(b, 400, highDigitSize, 1));
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    const a = alerts[0]!;
    AlertSchema.parse(a);
    assert.deepEqual(a.subject, { kind: "market", id: "exa:XEM/JPY" });
    assert.deepEqual(a.accounts, []);
    assert.equal(a.evidence.length, 10);
    assert.equal(a.details?.benford, "fails");
    assert.equal(a.details?.trades, 400);
    assert.equal(a.details?.day, "2025-01-06");
    assert.equal(a.details?.criticalValue, 26.124);
    assert.ok((a.details?.chiSquare as number) > 26.124);
    assert.ok((a.details?.mad as number) > 0.015);
    assert.deepEqual(a.details?.failed, ["benford"]);
    assert.match(a.explanation, /^XEM\/JPY on exa, trading day 2025-01-06: 400 trades; the first digits of trade sizes depart from Benford's law: χ² = \d+\.\d \(8 df, critical 26\.12 at α = 0\.001\), MAD 0\.\d{4} \(line 0\.015\)/);
    // evidence: the first trades of the most over-represented digit, in time order
    const keys = new Set(events.map((e) => `${e.source}:${e.id}`));
    for (const k of a.evidence) assert.ok(keys.has(k));
  });

  test("the day closes with the first event of the next trading day (JST by default), not only at end of stream", () => {
    const b = wireBuilder();
    // 01:00–07:40 UTC is 10:00–16:40 JST on 6 January; 15:00 UTC is 00:00 JST on 7 January
    const day = marketDay(b, 400, highDigitSize, 1);
    const { alerts, outcomes } = replayWithOutcomes(toEvents([...day, b.snapshot("BTC/JPY", 15, "15000000")]), only);
    assert.equal(alerts.length, 1);
    const hitAt = outcomes.findIndex((o) => o.kind === "hit");
    assert.equal(outcomes[hitAt]!.event, "exa:snap-0801"); // each trade takes two builder ids
    // a UTC trading day keeps them open: the alert then comes at end of stream
    const { outcomes: utc } = replayWithOutcomes(toEvents([...day, b.snapshot("BTC/JPY", 15, "15000000")]), dailyWith({ dayOffsetMinutes: 0 }));
    assert.equal(utc.filter((o) => o.kind === "hit").length, 0);
  });

  test("sizes that follow Benford's law and a too-small sample do not alert", () => {
    const b = wireBuilder();
    assert.deepEqual(detect(toEvents(marketDay(b, 2000, benfordSize)), only), []);
    assert.deepEqual(detect(toEvents(marketDay(wireBuilder(), 299, highDigitSize)), only), [], "299 trades: under minTrades");
    assert.equal(detect(toEvents(marketDay(wireBuilder(), 300, highDigitSize)), only).length, 1, "300 trades: tested");
  });

  test("χ² alone is not enough: a deviation with a small MAD passes", () => {
    // 200,000 Benford trades plus a slight excess of 9s: χ² past the critical value, MAD far under 0.015
    const counts = BENFORD.map((p) => Math.round(p * 200_000));
    counts[8]! += 1_200;
    assert.ok(benfordChiSquare(counts) > chiSquareCritical(0.001, 8));
    assert.ok(benfordMad(counts) < 0.015);
  });

  test("round sizes: a day with ≥ 50% of trades at round sizes alerts, naming the most common size", () => {
    const b = wireBuilder();
    const size = (i: number) => (i % 5 < 3 ? (["1000", "2000", "3000"] as const)[i % 3]! : benfordSize(i));
    const [a] = detect(toEvents(marketDay(b, 500, size)), dailyWith({ benfordMinMad: 0.2 }));
    assert.ok(a);
    assert.deepEqual(a.details?.failed, ["round-high"]);
    assert.equal(a.details?.roundShare, 0.6);
    assert.match(a.explanation, /60\.0% of trades are at round sizes \(line 50%\)/);
    assert.equal(a.evidence.length, 10);
    const b2 = wireBuilder();
    assert.deepEqual(detect(toEvents(marketDay(b2, 500, size)), dailyWith({ benfordMinMad: 0.2, roundShareHigh: 0.61 })), []);
    assert.deepEqual(detect(toEvents(marketDay(wireBuilder(), 500, size)), dailyWith({ benfordMinMad: 0.2, roundShareHigh: null })), []);
  });

  test("round sizes, low side (off by default): a day without round sizes alerts when roundShareLow is set", () => {
    const events = toEvents(marketDay(wireBuilder(), 400, benfordSize));
    assert.deepEqual(detect(events, only), []);
    const [a] = detect(events, dailyWith({ roundShareLow: 0.05 }));
    assert.deepEqual(a?.details?.failed, ["round-low"]);
    assert.match(a!.explanation, /only 0\.\d% of trades are at round sizes \(line 5%\)/);
  });

  test("a late trade for a closed day is not counted into it", () => {
    const b = wireBuilder();
    const day = toEvents(marketDay(b, 400, benfordSize, 1));
    const next = toEvent(b.snapshot("BTC/JPY", 16, "15000000"));
    const late = toEvents(Array.from({ length: 200 }, (_, i) => b.trade("l", "m", 2 + i / 600, "XEM/JPY", "900", "3")));
    const engine = createEngine(only);
    const out = [...day, next, ...late].flatMap((e) => engine.push(e));
    assert.deepEqual([...out, ...engine.flush()], []);
  });
});

describe("wash-trade: statistics", () => {
  test("χ² survival and critical values (8 df) match the tables", () => {
    assert.equal(chiSquareCritical(0.05, 8).toFixed(3), "15.507");
    assert.equal(chiSquareCritical(0.01, 8).toFixed(3), "20.090");
    assert.equal(chiSquareCritical(0.001, 8).toFixed(3), "26.124");
    assert.equal(chiSquareCritical(0.05, 2).toFixed(3), "5.991");
    assert.ok(Math.abs(chiSquareSurvivalEven(15.507, 8) - 0.05) < 1e-4);
    assert.equal(chiSquareSurvivalEven(0, 8), 1);
    assert.throws(() => chiSquareSurvivalEven(1, 7), RangeError);
  });

  test("digits of exact quantities", () => {
    const m = (s: string) => BigInt(s) * 10n ** 18n;
    assert.equal(firstDigit(m("0")), 0);
    assert.equal(firstDigit(m("7")), 7);
    assert.equal(firstDigit(10n ** 14n * 25n), 2); // 0.0025
    assert.equal(significantDigits(m("3000")), 1);
    assert.equal(significantDigits(m("3100")), 2);
    assert.equal(significantDigits(10n ** 15n), 1); // 0.001
    assert.equal(significantDigits(1n), 1);
    assert.ok(Math.abs(BENFORD.reduce((s, p) => s + p, 0) - 1) < 1e-12);
  });

  test("defaults are the documented ones", () => {
    assert.deepEqual(washTradeDefaults, {
      windowHours: 24, minTrades: 2, netTolerance: 0.01, minValueJpy: 100_000, maxHeldTrades: 1_000,
      marketDaily: { enabled: true, dayOffsetMinutes: 540, minTrades: 300, significance: 0.001, benfordMinMad: 0.015, roundMaxSignificantDigits: 1, roundShareHigh: 0.5, roundShareLow: null, evidenceSample: 10 },
    });
  });
});
