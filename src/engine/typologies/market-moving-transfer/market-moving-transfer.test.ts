import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEngine, detect } from "../../index.ts";
import { replayWithOutcomes, toEvent, toEvents, wireBuilder } from "../../testkit.ts";
import { marketMovingDefaults } from "./config.ts";

const only = { typologies: ["market-moving-transfer"] };
const xem = (b: ReturnType<typeof wireBuilder>, hours = 0, o: { volume24h?: string; depthBid1pct?: string; depthAsk1pct?: string } = { volume24h: "10000000" }) =>
  b.snapshot("XEM/JPY", hours, "5", o);
const xemDeposit = (b: ReturnType<typeof wireBuilder>, acc: string, hours: number, q: string) => b.deposit(acc, hours, q, { asset: "XEM", channel: "crypto" });

describe("market-moving-transfer", () => {
  test("exactly 5% of 24h volume is flagged for an individual; just under is not", () => {
    const b = wireBuilder();
    const events = toEvents([b.opened("i", "individual"), xem(b), xemDeposit(b, "i", 1, "500000"), xemDeposit(b, "i", 2, "499999.99")]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => a.evidence[0]), ["exa:dep-0003"]);
    assert.match(alerts[0]!.explanation, /5\.0% of XEM\/JPY 24h volume \(line 5%\)/);
    assert.equal(alerts[0]!.details?.customerType, "individual");
  });

  test("corporates have their own lines (10% volume, 100% depth); an unknown account gets the individual ones", () => {
    const b = wireBuilder();
    const events = toEvents([
      b.opened("c", "corporate"),
      xem(b, 0, { volume24h: "10000000", depthBid1pct: "1000000" }),
      xemDeposit(b, "c", 1, "999999"), // 9.99999% of volume, 99.9999% of depth: under both
      xemDeposit(b, "c", 2, "1000000"), // 10% and 100%: over both
      xemDeposit(b, "u", 3, "600000"), // unknown: 6% ≥ 5%
    ]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => a.evidence[0]), ["exa:dep-0004", "exa:dep-0005"]);
    assert.deepEqual(alerts[0]!.details?.crossed, ["volume", "depth"]);
    assert.match(alerts[1]!.explanation, /unknown type \(individual lines\)/);
  });

  test("deposits meet the bid side, withdrawals the ask side", () => {
    const b = wireBuilder();
    const events = toEvents([
      xem(b, 0, { depthBid1pct: "1000000", depthAsk1pct: "100000" }),
      xemDeposit(b, "a", 1, "60000"), // 6% of bid depth
      b.withdrawal("a", 2, "60000", { asset: "XEM", channel: "crypto" }), // 60% of ask depth
    ]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => a.evidence[0]), ["exa:wd-0003"]);
    assert.equal(alerts[0]!.details?.depthSide, "ask");
  });

  test("no snapshot yet, or one with no usable figure, is not-enough-history, not an alert", () => {
    const b = wireBuilder();
    const events = toEvents([
      xemDeposit(b, "a", 0, "9000000"),
      xem(b, 1, {}),
      xemDeposit(b, "a", 2, "9000000"),
      b.deposit("a", 3, "900000000"), // bank deposit, no BTC/JPY snapshot
    ]);
    const { alerts, outcomes } = replayWithOutcomes(events, only);
    assert.deepEqual(alerts, []);
    assert.deepEqual(outcomes.map((o) => o.kind), ["not-enough-history", "not-enough-history", "not-enough-history"]);
    assert.match(outcomes[0]!.reason!, /no XEM\/JPY market snapshot/);
    assert.match(outcomes[2]!.reason!, /no BTC\/JPY market snapshot/);
  });

  test("the latest snapshot at or before the event is used; an older one arriving late does not replace it", () => {
    const b = wireBuilder();
    const engine = createEngine(only);
    const push = (w: unknown) => engine.push(toEvent(w));
    push(xem(b, 0, { volume24h: "10000000" }));
    push(xem(b, 5, { volume24h: "100000000" }));
    push(xem(b, 1, { volume24h: "1000" })); // late, older: ignored
    assert.deepEqual(push(xemDeposit(b, "a", 6, "600000")), []); // 0.6% of the latest
    assert.equal(engine.stats().late, 1);
  });

  test("a JPY bank deposit is compared with the reference market's ask depth in JPY; the reference is configurable", () => {
    const b = wireBuilder();
    const events = toEvents([
      b.snapshot("BTC/JPY", 0, "10000000", { depthAsk1pct: "10" }), // ¥100,000,000
      b.snapshot("ETH/JPY", 0, "500000", { depthAsk1pct: "100" }), // ¥50,000,000
      b.deposit("a", 1, "40000000"),
    ]);
    assert.deepEqual(detect(events, only), []);
    const eth = detect(events, { ...only, configs: { "market-moving-transfer": { referenceMarket: "ETH/JPY" } } });
    assert.equal(eth.length, 1);
    assert.match(eth[0]!.explanation, /Bank deposit of ¥40,000,000 is 80\.0% of the ETH\/JPY ask-side depth within 1% of mid \(¥50,000,000; line 50%/);
  });

  test("bank withdrawals, internal moves and JPY on crypto rails are out of scope (clear)", () => {
    const b = wireBuilder();
    const events = toEvents([
      b.snapshot("BTC/JPY", 0, "10000000", { depthAsk1pct: "1" }),
      b.withdrawal("a", 1, "900000000"),
      b.deposit("a", 2, "5", { asset: "BTC", channel: "internal" }),
      b.deposit("a", 3, "900000000", { channel: "crypto" }),
    ]);
    const { alerts, outcomes } = replayWithOutcomes(events, only);
    assert.deepEqual(alerts, []);
    assert.ok(outcomes.every((o) => o.kind === "clear"));
  });

  test("score grows with the ratio", () => {
    const b = wireBuilder();
    const alerts = detect(toEvents([xem(b), xemDeposit(b, "a", 1, "500000"), xemDeposit(b, "b", 1, "2000000")]), only);
    assert.equal(alerts[0]!.score, 60);
    assert.equal(alerts[1]!.score, 100);
  });

  test("defaults are the documented ones", () => {
    assert.deepEqual(marketMovingDefaults, {
      referenceMarket: "BTC/JPY",
      individual: { volumeShare: 0.05, depthShare: 0.5 },
      corporate: { volumeShare: 0.1, depthShare: 1 },
    });
  });
});

test("market-moving-transfer: a movement is measured against its own venue's snapshot when there is one", () => {
  const a = wireBuilder("exa");
  const b = wireBuilder("exb");
  const events = toEvents([
    a.snapshot("XEM/JPY", 0, "5", { volume24h: "1000000" }), // thin venue
    b.snapshot("XEM/JPY", 1, "5", { volume24h: "100000000" }), // deep venue, and the latest overall
    a.deposit("x", 2, "60000", { asset: "XEM", channel: "crypto" }), // 6% of exa's volume
    b.deposit("y", 2, "60000", { asset: "XEM", channel: "crypto" }), // 0.06% of exb's
    wireBuilder("exc").deposit("z", 2, "60000", { asset: "XEM", channel: "crypto" }), // no own snapshot: latest any (exb)
  ]);
  const alerts = detect(events, only);
  assert.deepEqual(alerts.map((x) => x.evidence[0]), ["exa:dep-0002"]);
  assert.equal(alerts[0]!.details?.snapshot, "exa:snap-0001");
});
