import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AlertSchema, type Event, type EventInput } from "../../../contracts/index.ts";
import { createEngine, detect } from "../../index.ts";
import { replayWithOutcomes, toEvent, toEvents } from "../../testkit.ts";
import { pumpDefaults } from "./config.ts";

const only = { typologies: ["pump-and-dump"] };
const withCfg = (o: Record<string, unknown>) => ({ ...only, configs: { "pump-and-dump": o } });
const BASE = Date.UTC(2025, 0, 6, 0, 0, 0);
const MIN = 60;
const HOUR = 3600;

function venue(source = "exa", market = "MONA/JPY") {
  let n = 0;
  const id = (p: string) => `${p}-${String(++n).padStart(4, "0")}`;
  const ts = (s: number) => new Date(BASE + Math.round(s * 1000)).toISOString();
  return {
    snapshot: (s: number, midPrice: string, volume24h: string): EventInput => ({ type: "market.snapshot", id: id("ms"), ts: ts(s), source, market, midPrice, volume24h }),
    /** a market buy and its fill against the market maker */
    rush: (acc: string, s: number, quantity: string, price: string): EventInput[] => {
      const orderId = `o-${n + 1}`;
      return [
        { type: "order.placed", id: id("op"), ts: ts(s), source, accountId: acc, orderId, market, side: "buy", kind: "market", quantity },
        { type: "trade", id: id("tr"), ts: ts(s), source, tradeId: id("t"), market, price, quantity, buyAccountId: acc, sellAccountId: "mm", buyOrderId: orderId, aggressor: "buy" },
      ];
    },
    buy: (acc: string, s: number, quantity: string, price: string): EventInput => ({ type: "trade", id: id("tr"), ts: ts(s), source, tradeId: id("t"), market, price, quantity, buyAccountId: acc, sellAccountId: "mm", aggressor: "sell" }),
    sell: (acc: string, s: number, quantity: string, price: string): EventInput => ({ type: "trade", id: id("tr"), ts: ts(s), source, tradeId: id("t"), market, price, quantity, buyAccountId: "mm", sellAccountId: acc, aggressor: "sell" }),
  };
}
type Venue = ReturnType<typeof venue>;

const S = 50 * HOUR; // the pump's first rush order

/** MONA/JPY, ¥8.68M a day (thin); p1 and p2 buy 5,000 MONA in the two days before; 12 rush buys from 8 accounts lift 62 → 70. */
function scenario(v: Venue, o: { volume24h?: string; sellAt?: [number, number]; rushers?: number; top?: number; accumulate?: [string, string] } = {}): EventInput[] {
  const [q1, q2] = o.accumulate ?? ["3000", "2000"];
  const top = o.top ?? 70;
  const rushers = o.rushers ?? 8;
  const [sell1, sell2] = o.sellAt ?? [3 * MIN, 5 * MIN];
  const rush: EventInput[] = [];
  for (let i = 0; i < 12; i++) rush.push(...v.rush(`fomo-${i % rushers}`, S + i * 8, "300", (62 + ((top - 62) * (i + 1)) / 12).toFixed(3)));
  return [
    v.snapshot(0, "62", o.volume24h ?? "140000"),
    v.buy("p1", 2 * HOUR, q1, "62"),
    v.buy("p2", 20 * HOUR, q2, "62.5"),
    v.buy("retail", 30 * HOUR, "100", "62"),
    v.buy("other", S - 10 * MIN, "50", "62.1"),
    ...rush,
    v.sell("p1", S + sell1, "2000", "69"),
    v.sell("p2", S + sell2, "1000", "68"),
  ];
}
const entityOf = (a: string) => (a === "p1" || a === "p2" ? "ent-p" : a);

describe("pump-and-dump", () => {
  test("an entity's two accounts accumulate, a burst lifts MONA 13%, they sell 60% into it: a market alert and an entity alert with the delay", () => {
    const events = toEvents(scenario(venue()));
    const alerts = detect(events, { ...only, entityOf });
    assert.equal(alerts.length, 2);
    const [pump, dump] = alerts as [(typeof alerts)[0], (typeof alerts)[0]];
    for (const a of alerts) AlertSchema.parse(a);

    assert.deepEqual(pump.subject, { kind: "market", id: "exa:MONA/JPY" });
    assert.deepEqual(pump.accounts, []);
    assert.equal(pump.details?.kind, "pump");
    assert.equal(pump.details?.rushOrders, 10);
    assert.equal(pump.details?.rushAccounts, 8);
    assert.equal(pump.details?.referencePrice, "62.1");
    assert.equal(pump.details?.detectionDelayMs, 72_000);
    assert.match(pump.explanation, /^Pump in MONA\/JPY on exa \(24h volume ¥8,680,000, thin under ¥100,000,000\): 10 rush orders from 8 accounts within 2 minutes lifted the price/);
    assert.match(pump.explanation, /detected 72 seconds after its first rush order\.$/);

    assert.deepEqual(dump.subject, { kind: "entity", id: "ent-p" });
    assert.deepEqual(dump.accounts, ["p1", "p2"]);
    assert.equal(dump.details?.kind, "pump-and-dump");
    assert.equal(dump.details?.accumulatedQuantity, "5000");
    assert.equal(dump.details?.soldQuantity, "3000");
    assert.equal(dump.details?.dumpShare, 0.6);
    assert.equal(dump.details?.detectionDelayMs, 5 * 60_000);
    assert.equal(dump.ts, new Date(BASE + (S + 5 * MIN) * 1000).toISOString());
    assert.match(dump.explanation, /^2 linked accounts bought 5,000 MONA net of MONA\/JPY on exa \(3\.6% of 24h volume, ¥311,000 at ¥62\.2 on average\) in the 2 days before a pump, then sold 3,000 MONA \(60\.0%; line 50%\) into it at ¥68\.6667 on average within 5 minutes of its start \(10 rush orders, price up 9\.5%\); detected 5 minutes after the pump began\.$/);
    // evidence: the accumulation buys, the pump's first rush order, the sells, in time order
    // (ids are numbered as built: the rush orders first, then the snapshot, the buys and the sells)
    assert.deepEqual(dump.evidence, ["exa:tr-0038", "exa:tr-0040", "exa:op-0001", "exa:tr-0046", "exa:tr-0048"]);
  });

  test("per account (no resolver) each accumulator is judged alone; a linked cluster (linkedOf) is one group", () => {
    const events = toEvents(scenario(venue()));
    const perAccount = detect(events, only).filter((a) => a.details?.kind === "pump-and-dump");
    assert.deepEqual(perAccount.map((a) => a.subject.id), ["p1", "p2"], "p1 sold 67% of 3,000; p2 50% of 2,000 (inclusive)");
    const linked = detect(events, { ...only, linkedOf: (a) => (a === "p1" || a === "p2" ? "ring-1" : undefined) }).filter((a) => a.details?.kind === "pump-and-dump");
    assert.equal(linked.length, 1);
    assert.deepEqual(linked[0]!.accounts, ["p1", "p2"]);
    assert.deepEqual(linked[0]!.subject, { kind: "account", id: "p1" }, "the account that bought most");
  });

  test("sells before the pump is detected count: the dump is alerted at detection", () => {
    const v = venue();
    const wire = scenario(v, { sellAt: [30, 40] });
    const alerts = detect(toEvents(wire), { ...only, entityOf });
    const dump = alerts.find((a) => a.details?.kind === "pump-and-dump");
    assert.ok(dump);
    assert.equal(dump.details?.detectionDelayMs, 72_000);
    assert.equal(dump.ts, new Date(BASE + (S + 40) * 1000).toISOString(), "ts is the last sell, before the detection");
  });

  test("near misses: a deep market, a 4.9% rise, 4 rushing accounts, sells after 30 minutes, too little accumulated", () => {
    const none = (wire: EventInput[], why: string, opts: object = { ...only, entityOf }) => assert.deepEqual(detect(toEvents(wire), opts), [], why);
    none(scenario(venue(), { volume24h: "1700000" }), "¥105M a day is not thin");
    none(scenario(venue(), { top: 65.12 }), "the peak 65.12 is 4.86% over 62.1");
    none(scenario(venue(), { rushers: 4 }), "12 rush orders but only 4 accounts");
    const late = detect(toEvents(scenario(venue(), { sellAt: [31 * MIN, 32 * MIN] })), { ...only, entityOf });
    assert.deepEqual(late.map((a) => a.details?.kind), ["pump"], "sold 31 minutes after the start");
    const small = detect(toEvents(scenario(venue(), { accumulate: ["600", "400"] })), { ...only, entityOf });
    assert.deepEqual(small.map((a) => a.details?.kind), ["pump"], "1,000 MONA is 0.7% of 24h volume but only ¥62,200");
    assert.deepEqual(detect(toEvents(scenario(venue())), withCfg({ marketAlerts: false })).map((a) => a.details?.kind), ["pump-and-dump", "pump-and-dump"]);
  });

  test("the volume line: the burst must trade ≥ 10× the 24h average for its window", () => {
    // at ¥40M a day the 2-minute average is ¥55,556; 10× is ¥555,556 and the burst trades ¥238,500
    assert.deepEqual(detect(toEvents(scenario(venue(), { volume24h: "645000" })), only), []);
  });

  test("state is bounded: groups and trades are pruned in event time", () => {
    const v = venue();
    const engine = createEngine(only);
    for (const e of toEvents(scenario(v))) engine.push(e);
    assert.ok(engine.stats().byTypology["pump-and-dump"]!.keys > 5);
    engine.push(toEvent(v.snapshot(S + 80 * HOUR, "62", "140000")));
    engine.push(toEvent(v.buy("late", S + 80 * HOUR + 1, "1", "62")));
    assert.equal(engine.stats().byTypology["pump-and-dump"]!.keys, 3, "one market, the newest trade's two sides");
  });

  test("bad data is an error outcome, never a throw", () => {
    const v = venue();
    const good = toEvents([v.snapshot(0, "62", "140000"), v.buy("a", 1, "1", "62")]);
    const bad = { ...good[1]!, id: "bad-1", price: 62 } as unknown as Event;
    const { outcomes } = replayWithOutcomes([good[0]!, bad], only);
    assert.deepEqual(outcomes.map((o) => o.kind), ["error"]);
  });

  test("defaults are the documented ones", () => {
    assert.deepEqual(pumpDefaults, {
      thinMarketMaxVolumeJpy: 100_000_000, burstWindowSeconds: 120, minRushOrders: 10, minRushAccounts: 5, minPriceRise: 0.05, volumeMultiple: 10, referenceMinutes: 60,
      marketAlerts: true, accumulationHours: 72, minAccumulationShare: 0.005, minAccumulationJpy: 100_000, dumpWithinMinutes: 30, minDumpShare: 0.5, maxTradesPerGroup: 500, maxEvidence: 30,
    });
  });
});
