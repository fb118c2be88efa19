import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AlertSchema, type Event, type EventInput } from "../../../contracts/index.ts";
import { createEngine, detect } from "../../index.ts";
import { replayWithOutcomes, toEvent, toEvents } from "../../testkit.ts";
import { frontRunningDefaults } from "./config.ts";

const only = { typologies: ["front-running-listing"] };
const withCfg = (o: Record<string, unknown>) => ({ ...only, configs: { "front-running-listing": o } });
const BASE = Date.UTC(2025, 0, 1, 0, 0, 0);
const DAY = 24;

function venue(source = "exa") {
  let n = 0;
  const id = (p: string) => `${p}-${String(++n).padStart(4, "0")}`;
  const ts = (h: number) => new Date(BASE + Math.round(h * 3_600_000)).toISOString();
  return {
    buy: (acc: string, h: number, quantity: string, o: { market?: string; price?: string; seller?: string } = {}): EventInput => ({
      type: "trade", id: id("tr"), ts: ts(h), source, tradeId: id("t"), market: o.market ?? "BRIL/JPY", price: o.price ?? "18", quantity, buyAccountId: acc, sellAccountId: o.seller ?? "mm",
    }),
    sell: (acc: string, h: number, quantity: string): EventInput => ({ type: "trade", id: id("tr"), ts: ts(h), source, tradeId: id("t"), market: "BRIL/JPY", price: "18", quantity, buyAccountId: "mm", sellAccountId: acc }),
    listing: (h: number, asset = "BRIL", announcedAtH = h): EventInput => ({ type: "listing.announced", id: id("la"), ts: ts(h), source: "exl", asset, market: `${asset}/JPY`, announcedAt: ts(announcedAtH) }),
    snapshot: (h: number, market: string, midPrice: string): EventInput => ({ type: "market.snapshot", id: id("ms"), ts: ts(h), source, market, midPrice }),
  };
}
type Venue = ReturnType<typeof venue>;

/** A steady buyer of 100 BRIL (¥1,800) a day from day 0 to day 29: 30 days of history. */
const history = (v: Venue): EventInput[] => Array.from({ length: 30 }, (_, d) => v.buy("bg", d * DAY + 5, "100"));
const L = 30 * DAY; // the announcement

describe("front-running-listing: at the announcement", () => {
  test("an account with no BRIL history buys ¥1.8M of it three days before the listing is announced: one alert with the figures", () => {
    const v = venue();
    const events = toEvents([...history(v), v.buy("ins", L - 3 * DAY, "100000"), v.listing(L)]);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    const a = alerts[0]!;
    AlertSchema.parse(a);
    assert.deepEqual(a.subject, { kind: "account", id: "ins" });
    assert.deepEqual(a.accounts, ["ins"]);
    assert.deepEqual(a.evidence, ["exa:tr-0061", "exl:la-0063"]);
    assert.equal(a.ts, new Date(BASE + L * 3_600_000).toISOString());
    assert.equal(
      a.explanation,
      "In the 7 days before BRIL's listing on exl (BRIL/JPY) was announced, an account bought ¥1,800,000 of BRIL net: none of it bought in the 22.8 days before; they bought nothing at all before; and 99.3% of all buying of BRIL in the consortium in those days (line 5%).",
    );
    assert.equal(a.details?.kind, "announcement");
    assert.equal(a.details?.netBoughtJpy, "1800000");
    assert.equal(a.details?.baselineDaysObserved, 22.83);
  });

  test("near misses: under ¥1M, bought 8 days before, a steady buyer, a small share of the market, another asset", () => {
    const none = (wire: EventInput[], why: string) => assert.deepEqual(detect(toEvents(wire), only), [], why);
    const v1 = venue();
    none([...history(v1), v1.buy("ins", L - 3 * DAY, "55000"), v1.listing(L)], "¥990,000");
    const v2 = venue();
    none([...history(v2), v2.buy("ins", L - 7 * DAY - 1, "100000"), v2.listing(L)], "7 days and 1 hour before");
    const v3 = venue();
    // ¥400,000 a week for the three weeks before, ¥1.8M in the window: 4.5× its own baseline (line 5×)
    none([...history(v3), ...[8, 15, 22].map((d) => v3.buy("ins", L - d * DAY, "22222.2222")), v3.buy("ins", L - 2 * DAY, "100000"), v3.listing(L)], "a buyer with a baseline");
    const v4 = venue();
    // two accounts trade ¥36M back and forth (each net zero) in the window: the insider's ¥1.8M is 2.4% of all buying
    // (live alerts off: the first leg alone is abnormal live buying, tested below)
    assert.deepEqual(
      detect(toEvents([...history(v4), v4.buy("ins", L - 3 * DAY, "100000"), v4.buy("p", L - 2 * DAY, "2000000", { seller: "q" }), v4.buy("q", L - 2 * DAY + 1, "2000000", { seller: "p" }), v4.listing(L)]), withCfg({ live: { enabled: false } })),
      [],
      "2.4% of the market's buying",
    );
    const v5 = venue();
    none([...history(v5), v5.buy("ins", L - 3 * DAY, "100000"), v5.listing(L, "MONA")], "another asset");
  });

  test("large for the group, not just new to it: a whale's first ¥1.8M of BRIL is within what it buys in a week", () => {
    const v = venue();
    // the whale buys ¥214,286 of BTC a day: ¥1.8M of BRIL is 1.2× its usual week (line 2×)
    const whale = Array.from({ length: 23 }, (_, d) => v.buy("whale", d * DAY + 9, "0.01428571", { market: "BTC/JPY", price: "15000000" }));
    const events = toEvents([...history(v), ...whale, v.buy("whale", L - 3 * DAY, "100000"), v.listing(L)]);
    assert.deepEqual(detect(events, only), []);
    const [a] = detect(events, withCfg({ activityMultiple: 1.1 }));
    assert.equal(a?.subject.id, "whale");
    // 23 daily buys of ¥214,286 over the 22.8 observed baseline days: ¥1,510,948 per 7 days
    assert.match(a!.explanation, /; 1\.2× all they usually buy in 7 days \(¥1,510,948; line 1\.1×\)/);
  });

  test("net buying: what was sold back in the window does not count", () => {
    const v = venue();
    assert.deepEqual(detect(toEvents([...history(v), v.buy("ins", L - 3 * DAY, "100000"), v.sell("ins", L - 2 * DAY, "50000"), v.listing(L)]), only), []);
  });

  test("linked accounts: two accounts of one entity buying ¥630,000 each pass the halved ¥500,000 line together", () => {
    const v = venue();
    const events = toEvents([...history(v), v.buy("e1", L - 3 * DAY, "35000"), v.buy("e2", L - 2 * DAY, "35000"), v.listing(L)]);
    assert.deepEqual(detect(events, only), [], "each alone is under ¥1M");
    const [a] = detect(events, { ...only, entityOf: (x) => (x === "e1" || x === "e2" ? "ent-e" : x) });
    assert.ok(a);
    assert.deepEqual(a.subject, { kind: "entity", id: "ent-e" });
    assert.deepEqual(a.accounts, ["e1", "e2"]);
    assert.match(a.explanation, /2 linked accounts bought ¥1,260,000 of BRIL net/);
    const [c] = detect(events, { ...only, linkedOf: (x) => (x === "e1" || x === "e2" ? "ring-9" : undefined) });
    assert.deepEqual(c?.accounts, ["e1", "e2"]);
    assert.deepEqual(c?.subject, { kind: "account", id: "e1" }, "a cluster is no identity: the account that bought most (ties by id)");
  });

  test("the window ends at announcedAt: buys between it and the event's arrival do not count", () => {
    const v = venue();
    const events = toEvents([...history(v), v.buy("ins", L + 1, "100000"), v.listing(L + 2, "BRIL", L)]);
    assert.deepEqual(detect(events, only), []);
  });

  test("too little observed history (< 14 days before the window) is not-enough-history, with a reason", () => {
    const v = venue();
    const events = toEvents([v.buy("bg", 0, "100"), v.buy("ins", 15 * DAY, "100000"), v.listing(20 * DAY)]);
    const { alerts, outcomes } = replayWithOutcomes(events, only);
    assert.deepEqual(alerts, []);
    const o = outcomes.find((x) => x.event === "exl:la-0005");
    assert.equal(o?.kind, "not-enough-history");
    assert.match(o?.reason ?? "", /13\.0 days of trading observed before the window; 14 needed/);
    assert.equal(detect(events, withCfg({ minHistoryDays: 13 })).length, 1);
  });

  test("at most maxAlertsPerListing groups, the largest buyers first", () => {
    const v = venue();
    const events = toEvents([...history(v), v.buy("a", L - 3 * DAY, "100000"), v.buy("b", L - 3 * DAY, "250000"), v.buy("c", L - 3 * DAY, "200000"), v.listing(L)]);
    assert.deepEqual(detect(events, only).map((a) => a.subject.id), ["b", "c", "a"]);
    assert.deepEqual(detect(events, withCfg({ maxAlertsPerListing: 2 })).map((a) => a.subject.id), ["b", "c"]);
  });

  test("exempt accounts (market makers) are neither judged nor tracked", () => {
    const v = venue();
    const events = toEvents([...history(v), v.buy("ins", L - 3 * DAY, "100000"), v.listing(L)]);
    assert.deepEqual(detect(events, withCfg({ exemptAccounts: ["ins"] })), []);
  });

  test("a market not quoted in yen is valued at the asset's JPY mid", () => {
    const v = venue();
    const events = toEvents([...history(v), v.snapshot(L - 4 * DAY, "BRIL/JPY", "18"), v.buy("ins", L - 3 * DAY, "100000", { market: "BRIL/USDT", price: "0.12" }), v.listing(L)]);
    const [a] = detect(events, only);
    assert.equal(a?.details?.netBoughtJpy, "1800000");
  });
});

describe("front-running-listing: live", () => {
  test("¥6.3M of BRIL by an account with none in its history, 99% of the market's buying: a live alert, once a window", () => {
    const v = venue();
    const events = toEvents([...history(v), v.buy("ins", 29 * DAY, "350000"), v.buy("ins", 29 * DAY + 5, "10000")]);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    const a = alerts[0]!;
    assert.equal(a.details?.kind, "live");
    assert.deepEqual(a.evidence, ["exa:tr-0061"]);
    assert.match(a.explanation, /^An account bought ¥6,300,000 of BRIL net in the last 7 days, with no listing announced yet: none of it bought in the 21\.8 days before; they bought nothing at all before; and 99\.8% of all buying of BRIL in the consortium in those days \(line 25%\)\.$/);
    assert.deepEqual(detect(events, withCfg({ live: { enabled: false } })), []);
  });

  test("live needs 14 days of history before the window, and its own stricter lines", () => {
    const v = venue();
    assert.deepEqual(detect(toEvents([...history(v).slice(0, 20), v.buy("ins", 20 * DAY, "350000")]), only), [], "13 days before the window");
    const w = venue();
    assert.deepEqual(detect(toEvents([...history(w), w.buy("ins", 29 * DAY, "270000")]), only), [], "¥4.86M is under ¥5M");
  });
});

describe("front-running-listing: state and input", () => {
  test("series are pruned in event time: nothing is held 37 days after the last trade", () => {
    const v = venue();
    const engine = createEngine(only);
    for (const e of toEvents(history(v))) engine.push(e);
    assert.ok(engine.stats().byTypology["front-running-listing"]!.keys >= 3);
    engine.push(toEvent(v.snapshot(29 * DAY + 38 * DAY, "BTC/JPY", "15000000")));
    engine.push(toEvent({ ...v.listing(29 * DAY + 38 * DAY + 2, "XEM") }));
    assert.equal(engine.stats().byTypology["front-running-listing"]!.keys, 0);
  });

  test("bad data is an error outcome, never a throw", () => {
    const v = venue();
    const [trade, listing] = toEvents([v.buy("a", 0, "1"), v.listing(1)]);
    const bad = { ...trade!, id: "bad-1", quantity: "1" } as unknown as Event;
    const badListing = { ...listing!, id: "bad-2", announcedAt: "soon" } as unknown as Event;
    const { outcomes } = replayWithOutcomes([trade!, bad, badListing], only);
    assert.deepEqual(outcomes.map((o) => o.kind), ["clear", "error", "error"]);
  });

  test("defaults are the documented ones", () => {
    assert.deepEqual(frontRunningDefaults, {
      windowDays: 7, baselineDays: 30, minValueJpy: 1_000_000, linkedValueFactor: 0.5, baselineMultiple: 5, activityMultiple: 2, minMarketShare: 0.05, minHistoryDays: 14, maxAlertsPerListing: 20,
      exemptAccounts: [], evidencePerGroup: 10, live: { enabled: true, minValueJpy: 5_000_000, baselineMultiple: 10, activityMultiple: 3, minMarketShare: 0.25, minHistoryDays: 14 },
    });
  });
});
