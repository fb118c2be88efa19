import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { AlertSchema, type Event, type EventInput, type Money } from "../../../contracts/index.ts";
import { createEngine, detect } from "../../index.ts";
import { replayWithOutcomes, toEvent, toEvents } from "../../testkit.ts";
import { spoofingDefaults } from "./config.ts";
import { addSize, medianOf, type Book } from "./index.ts";

const only = { typologies: ["spoofing-layering"] };
const withCfg = (o: Record<string, unknown>) => ({ ...only, configs: { "spoofing-layering": o } });
const BASE = Date.UTC(2025, 0, 6, 12, 0, 0);

/** Wire events for one venue, timed in seconds after BASE. */
function venue(source = "exa") {
  let n = 0;
  const id = (p: string) => `${p}-${String(++n).padStart(4, "0")}`;
  const ts = (s: number) => new Date(BASE + Math.round(s * 1000)).toISOString();
  return {
    limit: (acc: string, s: number, orderId: string, side: "buy" | "sell", quantity: string, price: string, market = "BTC/JPY"): EventInput => ({
      type: "order.placed", id: id("op"), ts: ts(s), source, accountId: acc, orderId, market, side, kind: "limit", quantity, price,
    }),
    market: (acc: string, s: number, orderId: string, side: "buy" | "sell", quantity: string, market = "BTC/JPY"): EventInput => ({
      type: "order.placed", id: id("op"), ts: ts(s), source, accountId: acc, orderId, market, side, kind: "market", quantity,
    }),
    cancel: (acc: string, s: number, orderId: string, remainingQuantity?: string, market = "BTC/JPY"): EventInput => ({
      type: "order.cancelled", id: id("oc"), ts: ts(s), source, accountId: acc, orderId, market, ...(remainingQuantity !== undefined ? { remainingQuantity } : {}),
    }),
    trade: (buy: string, sell: string, s: number, quantity: string, price: string, o: { buyOrderId?: string; sellOrderId?: string; market?: string } = {}): EventInput => ({
      type: "trade", id: id("tr"), ts: ts(s), source, tradeId: id("t"), market: o.market ?? "BTC/JPY", price, quantity, buyAccountId: buy, sellAccountId: sell,
      ...(o.buyOrderId !== undefined ? { buyOrderId: o.buyOrderId } : {}), ...(o.sellOrderId !== undefined ? { sellOrderId: o.sellOrderId } : {}),
    }),
    snapshot: (s: number, depthBid1pct: string, depthAsk1pct: string, market = "BTC/JPY"): EventInput => ({
      type: "market.snapshot", id: id("ms"), ts: ts(s), source, market, midPrice: "15000000", depthBid1pct, depthAsk1pct,
    }),
  };
}
type Venue = ReturnType<typeof venue>;

/** 40 retail market orders of 0.01 BTC: the venue market's median order becomes 0.01 BTC. */
const background = (v: Venue, market = "BTC/JPY"): EventInput[] => Array.from({ length: 40 }, (_, i) => v.market(`r${i % 9}`, i, `bg${i}`, i % 2 ? "buy" : "sell", "0.01", market));

/** The classic: a 1 BTC bid (100× the median) rests 20 s while its owner sells 0.1 BTC, then is cancelled. */
function spoof(v: Venue, o: { cancelAt?: number; fillAt?: number; fillSide?: "buy" | "sell"; seller?: string; qty?: string; remaining?: string } = {}): EventInput[] {
  const fillSide = o.fillSide ?? "sell";
  const fill = fillSide === "sell" ? v.trade("mm", o.seller ?? "s", 100 + (o.fillAt ?? 10), "0.1", "14990000") : v.trade(o.seller ?? "s", "mm", 100 + (o.fillAt ?? 10), "0.1", "15010000");
  return [v.limit("s", 100, "bait-1", "buy", o.qty ?? "1", "14950000"), fill, v.cancel("s", 100 + (o.cancelAt ?? 20), "bait-1", o.remaining)];
}

describe("spoofing", () => {
  test("a 1 BTC bid, 100× the median order, rests 20 s while its owner sells, then is cancelled: one alert with the figures", () => {
    const v = venue();
    const events = toEvents([...background(v), ...spoof(v)]);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    const a = alerts[0]!;
    AlertSchema.parse(a);
    assert.deepEqual(a.subject, { kind: "account", id: "s" });
    assert.deepEqual(a.accounts, ["s"]);
    assert.deepEqual(a.evidence, ["exa:op-0043", "exa:tr-0041", "exa:oc-0044"]); // placed, filled, cancelled (ids are numbered as built)
    assert.equal(a.ts, new Date(BASE + 120_000).toISOString());
    assert.equal(
      a.explanation,
      "Large buy order of 1 BTC at 14,950,000 in BTC/JPY on exa (100.0× the market's median order of 0.01 BTC (line 10×)) rested 20 seconds while the same account sold 0.1 BTC on the other side in 1 fill, then was cancelled 100.0% unfilled (line: within 60 s).",
    );
    assert.equal(a.details?.kind, "spoofing");
    assert.deepEqual(a.details?.crossed, ["median"]);
    assert.equal(a.details?.lifetimeMs, 20_000);
  });

  test("near misses: cancelled after 61 s, no fill on the other side, a fill before it or on its own side, too small", () => {
    const cases: Array<[string, (v: Venue) => EventInput[]]> = [
      ["cancelled 61 s after placement", (v) => spoof(v, { cancelAt: 61 })],
      ["fill before the order was placed", (v) => spoof(v, { fillAt: -1 })],
      ["fill after the cancellation", (v) => spoof(v, { fillAt: 25 })],
      ["fill on its own side", (v) => spoof(v, { fillSide: "buy" })],
      ["someone else filled", (v) => spoof(v, { seller: "stranger" })],
      ["9.9× the median", (v) => spoof(v, { qty: "0.099" })],
      ["60% filled", (v) => spoof(v, { remaining: "0.4" })],
    ];
    for (const [why, make] of cases) {
      const v = venue();
      assert.deepEqual(detect(toEvents([...background(v), ...make(v)]), only), [], why);
    }
    const v = venue();
    assert.equal(detect(toEvents([...background(v), ...spoof(v, { cancelAt: 60, remaining: "0.5" })]), only).length, 1, "60 s and 50% filled are inside (inclusive)");
  });

  test("fills on the bait itself count toward its filled share (by order id)", () => {
    const v = venue();
    const events = [...background(v), v.limit("s", 100, "bait-1", "buy", "1", "14950000"), v.trade("s", "x", 105, "0.6", "14950000", { buyOrderId: "bait-1" }), v.trade("mm", "s", 110, "0.1", "14990000"), v.cancel("s", 120, "bait-1")];
    assert.deepEqual(detect(toEvents(events), only), []);
  });

  test("the depth line: with too few orders for a median, 30% of the bid-side depth is large", () => {
    const v = venue();
    const events = toEvents([v.snapshot(0, "3", "3"), ...spoof(v, { qty: "0.9" })]);
    const [a] = detect(events, only);
    assert.ok(a);
    assert.deepEqual(a.details?.crossed, ["depth"]);
    assert.match(a.explanation, /30\.0% of the bid-side depth within 1% of mid \(line 25%\)/);
    assert.deepEqual(detect(toEvents([v.snapshot(0, "4", "4"), ...spoof(venue(), { qty: "0.9" })]), only), [], "22.5% of depth, no median");
  });

  test("the other side may be filled by another account of the same entity", () => {
    const v = venue();
    const events = toEvents([...background(v), ...spoof(v, { seller: "s2" })]);
    assert.deepEqual(detect(events, only), []);
    const [a] = detect(events, { ...only, entityOf: (x) => (x === "s" || x === "s2" ? "ent-s" : x) });
    assert.deepEqual(a?.subject, { kind: "entity", id: "ent-s" });
    assert.deepEqual(a?.accounts, ["s", "s2"]);
    assert.match(a!.explanation, /while the same entity sold/);
  });

  test("once per burst: a second spoof within the hour is quiet; one after it alerts", () => {
    const v = venue();
    const again = (at: number, n: number) => [v.limit("s", at, `bait-${n}`, "buy", "1", "14950000"), v.trade("mm", "s", at + 5, "0.1", "14990000"), v.cancel("s", at + 10, `bait-${n}`)];
    const events = toEvents([...background(v), ...spoof(v), ...again(1000, 2), ...again(100 + 20 + 3600 + 1, 3)]);
    assert.equal(detect(events, only).length, 2);
  });

  test("exempt accounts (designated market makers) are never judged", () => {
    const v = venue();
    const events = toEvents([...background(v), ...spoof(v)]);
    assert.deepEqual(detect(events, withCfg({ exemptAccounts: ["s"] })), []);
  });
});

describe("layering", () => {
  test("three bids at three prices, each 3× the median, cancelled while the owner sells: one layering alert", () => {
    const v = venue();
    const events = toEvents([
      ...background(v),
      v.limit("L", 100, "l1", "buy", "0.03", "14990000"), v.limit("L", 101, "l2", "buy", "0.03", "14980000"), v.limit("L", 102, "l3", "buy", "0.04", "14970000"),
      v.trade("mm", "L", 110, "0.02", "15000000"),
      v.cancel("L", 115, "l1"), v.cancel("L", 116, "l2"), v.cancel("L", 117, "l3"),
    ]);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    const a = alerts[0]!;
    assert.equal(a.details?.kind, "layering");
    assert.equal(a.details?.levels, 3);
    assert.equal(a.details?.quantity, "0.1");
    assert.equal(a.evidence.length, 7);
    assert.match(a.explanation, /^3 buy orders in BTC\/JPY on exa stacked at 3 price levels \(14,970,000, 14,980,000, 14,990,000\), together 0\.1 BTC \(10\.0× the market's median order/);
  });

  test("two levels, or layers together under the line, are not layering", () => {
    const v = venue();
    const two = toEvents([
      ...background(v),
      v.limit("L", 100, "l1", "buy", "0.05", "14990000"), v.limit("L", 101, "l2", "buy", "0.05", "14980000"),
      v.trade("mm", "L", 110, "0.02", "15000000"), v.cancel("L", 115, "l1"), v.cancel("L", 116, "l2"),
    ]);
    assert.deepEqual(detect(two, only), []);
    const w = venue();
    const small = toEvents([
      ...background(w),
      w.limit("L", 100, "l1", "buy", "0.03", "14990000"), w.limit("L", 101, "l2", "buy", "0.03", "14980000"), w.limit("L", 102, "l3", "buy", "0.03", "14970000"),
      w.trade("mm", "L", 110, "0.02", "15000000"), w.cancel("L", 115, "l1"), w.cancel("L", 116, "l2"), w.cancel("L", 117, "l3"),
    ]);
    assert.deepEqual(detect(small, only), [], "0.09 BTC is 9× the median");
  });
});

describe("cancel-to-trade", () => {
  const churn = (v: Venue, cancels: number, trades: number) => [
    ...Array.from({ length: cancels }, (_, i) => [v.limit("c", i * 60, `c${i}`, "sell", "0.001", "16000000"), v.cancel("c", i * 60 + 30, `c${i}`)]).flat(),
    ...Array.from({ length: trades }, (_, i) => v.trade("c", "mm", 100 + i * 200, "0.001", "15000000")),
  ];

  test("50 cancellations against 2 trades within the hour: ratio 25 ≥ 20, one alert quoting the cancellations", () => {
    const v = venue();
    const alerts = detect(toEvents(churn(v, 50, 2)), only);
    assert.equal(alerts.length, 1);
    const a = alerts[0]!;
    assert.equal(a.details?.kind, "cancel-to-trade");
    assert.equal(a.details?.cancels, 50);
    assert.equal(a.details?.trades, 2);
    assert.equal(a.evidence.length, spoofingDefaults.maxEvidence);
    assert.match(a.explanation, /^50 order cancellations against 2 trades in BTC\/JPY on exa within 60 minutes: a cancel-to-trade ratio of 25\.0 \(line 20/);
  });

  test("ratio 16.7 (3 trades) or 49 cancellations do not alert", () => {
    assert.deepEqual(detect(toEvents(churn(venue(), 50, 3)), only), []);
    assert.deepEqual(detect(toEvents(churn(venue(), 49, 0)), only), []);
  });
});

describe("spoofing-layering: state and input", () => {
  test("the order-size book gives the median of the last window sizes, as sorting them would (ties included)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 60 }), (window, sizes) => {
        const book: Book = { ring: [], next: 0, order: [] };
        sizes.forEach((x, i) => {
          const q = BigInt(x) * 10n ** 17n as Money;
          const last = sizes.slice(Math.max(0, i - window), i).map((y) => BigInt(y) * 10n ** 17n).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          assert.equal(book.order.length, last.length);
          if (last.length > 0) assert.equal(medianOf(book), last[(last.length - 1) >> 1]);
          addSize(book, q, window);
        });
        assert.deepEqual([...book.order].sort((a, b) => a - b), [...book.ring.keys()], "every slot once");
      }),
      { numRuns: 300 },
    );
  });

  test("tracked orders live for T; scopes are pruned as event time advances", () => {
    const v = venue();
    const engine = createEngine(only);
    for (let i = 0; i < 100; i++) engine.push(toEvent(v.limit(`a${i}`, i, `o${i}`, "buy", "0.01", "15000000")));
    for (let i = 0; i < 20; i++) engine.push(toEvent(v.trade(`a${i}`, "mm", 100 + i, "0.01", "15000000")));
    assert.ok(engine.stats().byTypology["spoofing-layering"]!.keys > 100);
    engine.push(toEvent(v.snapshot(3 * 3600, "3", "3")));
    engine.push(toEvent(v.limit("z", 3 * 3600 + 1, "oz", "buy", "0.01", "15000000")));
    // what is left: the venue market's order-size window, the newest order and its owner's scope
    assert.equal(engine.stats().byTypology["spoofing-layering"]!.keys, 3);
  });

  test("bad data is an error outcome, never a throw", () => {
    const v = venue();
    const good = toEvent(v.limit("a", 0, "o1", "buy", "1", "15000000"));
    const bad = { ...good, id: "bad-1", quantity: 1 } as unknown as Event;
    const noPrice = { ...good, id: "bad-2", orderId: "o2", price: undefined } as unknown as Event;
    const { outcomes } = replayWithOutcomes([bad, noPrice], only);
    assert.deepEqual(outcomes.map((o) => o.kind), ["error", "error"]);
  });

  test("defaults are the documented ones", () => {
    assert.deepEqual(spoofingDefaults, {
      largeMedianMultiple: 10, largeDepthShare: 0.25, medianWindowOrders: 200, medianMinOrders: 30, cancelWithinSeconds: 60, maxFilledShare: 0.5,
      layeringMinLevels: 3, cooldownMinutes: 60, cancelToTrade: { enabled: true, windowMinutes: 60, minCancels: 50, minRatio: 20 }, exemptAccounts: [], maxEvidence: 30,
    });
  });

  test("state snapshots when a cancel or fill comes before any placement it tracked (no -Infinity in state)", () => {
    const v = venue();
    // A cancel of an order placed before the replay began: a scope with no placement yet.
    const first = toEvents([v.cancel("acc-early", 1, "before-start"), v.trade("acc-early", "acc-other", 2, "0.01", "15000000")]);
    const rest = toEvents([...background(v), ...spoof(v, { qty: "0.9" })].map((e) => ({ ...e, ts: new Date(Date.parse(e.ts) + 10_000).toISOString() })));
    const whole = createEngine(only);
    for (const e of first) whole.push(e);
    const snap = JSON.parse(JSON.stringify(whole.snapshot())) as ReturnType<typeof whole.snapshot>;
    const resumed = createEngine(only);
    resumed.restore(snap);
    const a = rest.flatMap((e) => whole.push(e));
    const b = rest.flatMap((e) => resumed.push(e));
    assert.equal(a.length, 1);
    assert.deepEqual(b, a);
  });
});
