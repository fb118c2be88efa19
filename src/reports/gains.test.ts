// Moving-average realised gains: hand-computed examples and properties. All data synthetic.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isKanshiError } from "../contracts/errors.ts";
import { money, moneyOf, type Money } from "../contracts/money.ts";
import { jstYear, largeGains, realisedGains, type GainTrade } from "./gains.ts";

const T = (iso: string) => Date.parse(iso);
let seq = 0;
function trade(person: string, side: "buy" | "sell", qty: string, yen: number | string, at: string, extra: Partial<GainTrade> = {}): GainTrade {
  return {
    person,
    exchange: "ex-a",
    id: `t${String(seq++).padStart(5, "0")}`,
    time: T(at),
    asset: "BTC",
    side,
    quantity: money(qty),
    valueJpy: typeof yen === "number" ? moneyOf(yen) : money(yen),
    ...extra,
  };
}

describe("moving-average realised gains", () => {
  it("a hand-computed year: average cost moves with each purchase, fees in cost and out of proceeds", () => {
    const trades = [
      trade("p1", "buy", "2", 6_000_000, "2024-01-10T00:00:00+09:00"), // 2 BTC, cost 6,000,000
      trade("p1", "buy", "1", 4_499_000, "2024-02-10T00:00:00+09:00", { feeJpy: moneyOf(1_000) }), // 3 BTC, cost 10,500,000, avg 3,500,000
      trade("p1", "sell", "1.5", 7_500_000, "2024-03-10T00:00:00+09:00", { feeJpy: moneyOf(7_500) }), // cost out 5,250,000 → gain 2,242,500
      trade("p1", "buy", "0.5", 2_750_000, "2024-04-10T00:00:00+09:00"), // 2 BTC, cost 8,000,000, avg 4,000,000
      trade("p1", "sell", "2", 7_000_000, "2024-05-10T00:00:00+09:00"), // cost out 8,000,000 → loss 1,000,000
    ];
    const [y] = realisedGains(trades);
    assert.equal(y!.year, 2024);
    assert.equal(y!.realisedGainJpy, moneyOf(1_242_500));
    assert.equal(y!.proceedsJpy, moneyOf(14_500_000));
    assert.deepEqual(y!.assets, [
      { asset: "BTC", proceedsJpy: moneyOf(14_500_000), costJpy: moneyOf(13_250_000), saleFeesJpy: moneyOf(7_500), gainJpy: moneyOf(1_242_500), quantitySold: money("3.5"), uncoveredQuantity: 0n },
    ]);
    assert.equal(y!.trades, 5);
    assert.equal(y!.incomplete, false);
  });

  it("a cost that does not divide evenly: the remainder stays in the holding and comes out with the last unit", () => {
    // 3 ETH for ¥1,000,000: selling 1 takes 333,333.333…; selling the other 2 takes exactly the rest.
    const trades = [
      trade("p", "buy", "3", 1_000_000, "2024-01-01T12:00:00+09:00", { asset: "ETH" }),
      trade("p", "sell", "1", 400_000, "2024-01-02T12:00:00+09:00", { asset: "ETH" }),
      trade("p", "sell", "2", 700_000, "2024-01-03T12:00:00+09:00", { asset: "ETH" }),
    ];
    const [y] = realisedGains(trades);
    assert.equal(y!.assets[0]!.costJpy, moneyOf(1_000_000));
    assert.equal(y!.realisedGainJpy, moneyOf(100_000));
    const first = realisedGains(trades.slice(0, 2))[0]!;
    assert.equal(first.realisedGainJpy, money("66666.666666666666666667"));
  });

  it("pools a person's trades across exchanges and assets; years are Japan's calendar years", () => {
    const trades = [
      trade("p", "buy", "1", 5_000_000, "2023-06-01T00:00:00+09:00", { exchange: "ex-a" }),
      trade("p", "buy", "10", 2_000_000, "2023-06-01T00:00:00+09:00", { exchange: "ex-a", asset: "ETH" }),
      // 2023-12-31T15:30Z is 2024-01-01 00:30 in Japan.
      trade("p", "sell", "1", 6_000_000, "2023-12-31T15:30:00Z", { exchange: "ex-b" }),
      trade("p", "sell", "5", 500_000, "2023-12-31T14:59:59Z", { exchange: "ex-c", asset: "ETH" }), // 2023: loss 500,000
    ];
    const ys = realisedGains(trades);
    assert.deepEqual(ys.map((y) => [y.year, y.realisedGainJpy, y.exchanges]), [
      [2023, moneyOf(-500_000), ["ex-a", "ex-c"]],
      [2024, moneyOf(1_000_000), ["ex-b"]],
    ]);
    assert.equal(jstYear(T("2023-12-31T15:00:00Z")), 2024);
    assert.equal(jstYear(T("2023-12-31T14:59:59.999Z")), 2023);
  });

  it("a sale beyond the holding is costed at zero for the part not held and flagged", () => {
    const [y] = realisedGains([trade("p", "buy", "1", 1_000_000, "2024-01-01T00:00:00Z"), trade("p", "sell", "3", 9_000_000, "2024-02-01T00:00:00Z")]);
    assert.equal(y!.realisedGainJpy, moneyOf(8_000_000));
    assert.equal(y!.assets[0]!.uncoveredQuantity, money("2"));
    assert.equal(y!.incomplete, true);
  });

  it("the ¥100,000,000 figure: at the threshold counts, a yen below does not; losses in other assets offset", () => {
    const trades = [
      trade("rich", "buy", "10", 100_000_000, "2024-01-01T00:00:00Z"),
      trade("rich", "sell", "10", 200_000_000, "2024-06-01T00:00:00Z"), // +100,000,000
      trade("almost", "buy", "10", 100_000_000, "2024-01-01T00:00:00Z"),
      trade("almost", "sell", "10", "199999999.99", "2024-06-01T00:00:00Z"),
      trade("offset", "buy", "10", 100_000_000, "2024-01-01T00:00:00Z"),
      trade("offset", "sell", "10", 300_000_000, "2024-06-01T00:00:00Z"), // +200,000,000
      trade("offset", "buy", "1", 150_000_000, "2024-01-01T00:00:00Z", { asset: "ETH" }),
      trade("offset", "sell", "1", 40_000_000, "2024-07-01T00:00:00Z", { asset: "ETH" }), // −110,000,000
      trade("later", "buy", "1", 1_000_000, "2024-01-01T00:00:00Z"),
      trade("later", "sell", "1", 500_000_000, "2025-03-01T00:00:00Z"),
    ];
    const big = largeGains(trades);
    assert.deepEqual(big.map((p) => [p.person, p.year, p.realisedGainJpy]), [
      ["later", 2025, moneyOf(499_000_000)],
      ["rich", 2024, moneyOf(100_000_000)],
    ]);
    assert.deepEqual(largeGains(trades, { year: 2024 }).map((p) => p.person), ["rich"]);
    assert.deepEqual(largeGains(trades, { thresholdJpy: moneyOf(90_000_000), year: 2024 }).map((p) => p.person), ["rich", "almost", "offset"]);
  });

  it("refuses a malformed trade, naming it", () => {
    assert.throws(() => realisedGains([trade("p", "buy", "1", 1, "2024-01-01T00:00:00Z", { quantity: 0n as Money })]), (e: unknown) => isKanshiError(e) && e.path === "trades[0].quantity");
    assert.throws(() => realisedGains([trade("p", "buy", "1", 1, "2024-01-01T00:00:00Z", { feeJpy: -1n as Money })]), (e: unknown) => isKanshiError(e) && e.path === "trades[0].feeJpy");
  });

  // ---- properties ----

  const units = fc.bigInt({ min: 1n, max: 10n ** 22n }).map((v) => v as Money);
  const yen = fc.bigInt({ min: 0n, max: 10n ** 27n }).map((v) => v as Money);
  const step = fc.record({ side: fc.constantFrom("buy", "sell") as fc.Arbitrary<"buy" | "sell">, qty: units, value: yen, fee: yen, asset: fc.constantFrom("BTC", "ETH") });
  const build = (steps: { side: "buy" | "sell"; qty: Money; value: Money; fee: Money; asset: string }[]): GainTrade[] =>
    steps.map((s, i) => ({ person: "p", exchange: "x", id: `s${String(i).padStart(4, "0")}`, time: T("2024-01-01T00:00:00Z") + i * 60_000, asset: s.asset, side: s.side, quantity: s.qty, valueJpy: s.value, feeJpy: s.fee }));

  /** Replaces trade `i` by two trades splitting its quantity, consideration and fee at `part`/den. */
  function split(trades: GainTrade[], i: number, num: bigint, den: bigint): GainTrade[] {
    const t = trades[i]!;
    const q1 = ((t.quantity * num) / den) as Money;
    if (q1 <= 0n || q1 >= t.quantity) return trades;
    const v1 = ((t.valueJpy * num) / den) as Money;
    const f1 = (((t.feeJpy ?? 0n) * num) / den) as Money;
    const a: GainTrade = { ...t, id: `${t.id}a`, quantity: q1, valueJpy: v1, feeJpy: f1 };
    const b: GainTrade = { ...t, id: `${t.id}b`, quantity: (t.quantity - q1) as Money, valueJpy: (t.valueJpy - v1) as Money, feeJpy: ((t.feeJpy ?? 0n) - f1) as Money };
    return [...trades.slice(0, i), a, b, ...trades.slice(i + 1)];
  }

  it("property: splitting a purchase changes no gain at all", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), fc.nat(), fc.bigInt({ min: 1n, max: 999n }), (steps, pick, num) => {
        const trades = build(steps);
        const buys = trades.map((t, i) => (t.side === "buy" ? i : -1)).filter((i) => i >= 0);
        fc.pre(buys.length > 0);
        const whole = realisedGains(trades);
        const parts = realisedGains(split(trades, buys[pick % buys.length]!, num, 1000n));
        assert.deepEqual(parts.map((y) => y.realisedGainJpy), whole.map((y) => y.realisedGainJpy));
      }),
      { numRuns: 300 },
    );
  });

  it("property: splitting a sale moves the gain by at most one unit (10^-18 yen) per split, and not at all once the holding is closed", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), fc.nat(), fc.bigInt({ min: 1n, max: 999n }), (steps, pick, num) => {
        const trades = build(steps);
        const sells = trades.map((t, i) => (t.side === "sell" ? i : -1)).filter((i) => i >= 0);
        fc.pre(sells.length > 0);
        const at = sells[pick % sells.length]!;
        const whole = realisedGains(trades);
        const parts = realisedGains(split(trades, at, num, 1000n));
        const diff = whole[0]!.realisedGainJpy - parts[0]!.realisedGainJpy;
        assert.ok(diff >= -1n && diff <= 1n, `moved by ${diff} units`);
        // Close every holding at the end: then the split changes nothing.
        const close = (list: GainTrade[]): GainTrade[] => [
          ...list,
          ...["BTC", "ETH"].map((asset, k) => ({ person: "p", exchange: "x", id: `zz${k}`, time: T("2024-12-31T00:00:00Z"), asset, side: "sell" as const, quantity: (10n ** 40n) as Money, valueJpy: 0n as Money })),
        ];
        const wholeClosed = realisedGains(close(trades))[0]!;
        const partsClosed = realisedGains(close(split(trades, at, num, 1000n)))[0]!;
        // The closing sale over-sells: what it could not cover is the same in both.
        assert.equal(partsClosed.realisedGainJpy, wholeClosed.realisedGainJpy);
      }),
      { numRuns: 300 },
    );
  });

  it("property: other people's trades, and the order trades arrive in, change nobody's gains", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 10 }), fc.array(step, { maxLength: 10 }), fc.integer(), (mine, theirs, seed) => {
        const a = build(mine);
        const b = build(theirs).map((t) => ({ ...t, person: "q" }));
        const alone = realisedGains(a);
        const shuffled = [...a, ...b].sort((x, y) => ((x.id.charCodeAt(1) * 31 + seed) % 7) - ((y.id.charCodeAt(1) * 31 + seed) % 7));
        assert.deepEqual(realisedGains(shuffled).filter((y) => y.person === "p"), alone);
      }),
      { numRuns: 200 },
    );
  });
});
