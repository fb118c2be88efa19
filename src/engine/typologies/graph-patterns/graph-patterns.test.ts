import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EventInput } from "../../../contracts/index.ts";
import { createEngine, detect } from "../../index.ts";
import { assertRestoresAtEveryPoint, at, shuffle, toEvents } from "../../testkit.ts";
import { graphPatternsDefaults } from "./config.ts";

const only = { typologies: ["graph-patterns"] };

/** Synthetic addresses: 0x + 40 hex digits built from a number. */
const addr = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;

function builder(source = "exa") {
  let n = 0;
  const id = (p: string) => `${p}-${String(++n).padStart(4, "0")}`;
  return {
    transfer: (from: string, to: string, hours: number, yen: string): EventInput => ({
      type: "transfer", id: id("tf"), ts: at(hours), source, fromAccountId: from, toAccountId: to, asset: "JPY", amount: yen,
    }),
    withdrawTo: (accountId: string, hours: number, toAddress: string, yen: string, txHash?: string): EventInput => ({
      type: "withdrawal", id: id("wd"), ts: at(hours), source, accountId, asset: "ETH", amount: "1", channel: "crypto", valueJpy: yen, network: "ethereum", toAddress,
      ...(txHash !== undefined ? { txHash } : {}),
    }),
    depositFrom: (accountId: string, hours: number, fromAddress: string, yen: string, txHash?: string): EventInput => ({
      type: "deposit", id: id("dp"), ts: at(hours), source, accountId, asset: "ETH", amount: "1", channel: "crypto", valueJpy: yen, network: "ethereum", fromAddress,
      ...(txHash !== undefined ? { txHash } : {}),
    }),
    chain: (fromAddress: string, toAddress: string, hours: number, yen: string, txHash: string): EventInput => ({
      type: "chain.transfer", id: id("ct"), ts: at(hours), source: "chainfeed", network: "ethereum", txHash, fromAddress, toAddress, asset: "ETH", amount: "1", valueJpy: yen,
    }),
    label: (address: string, label: "exchange" | "scam"): EventInput => ({ type: "address.label", id: id("lb"), ts: at(-1), source: "intel", network: "ethereum", address, label }),
  };
}

describe("graph-patterns", () => {
  test("fan-in: five senders into one collector within hours; raised at the fifth", () => {
    const b = builder();
    const events = toEvents([1, 2, 3, 4, 5].map((i) => b.transfer(`mule-${i}`, "collector", i, "250000")));
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a!.details?.pattern, "fan-in");
    assert.deepEqual(a!.subject, { kind: "account", id: "collector" });
    assert.deepEqual(a!.accounts, ["collector", "mule-1", "mule-2", "mule-3", "mule-4", "mule-5"]);
    assert.deepEqual(a!.evidence, ["exa:tf-0001", "exa:tf-0002", "exa:tf-0003", "exa:tf-0004", "exa:tf-0005"]);
    assert.equal(a!.details?.totalJpy, "1250000");
    assert.match(a!.explanation, /Account collector received 5 moves from 5 different senders \(line 5\) within 4 hours, ¥1,250,000 together \(line ¥1,000,000\)/);
  });

  test("fan-in near misses: four senders; five worth under ¥1M; five spread over more than 72 hours; one sender five times", () => {
    const b = builder();
    const four = [1, 2, 3, 4].map((i) => b.transfer(`m4-${i}`, "c4", i, "400000"));
    const small = [1, 2, 3, 4, 5].map((i) => b.transfer(`ms-${i}`, "cs", i, "190000"));
    const slow = [0, 20, 40, 60, 80].map((h, i) => b.transfer(`ml-${i}`, "cl", h, "400000"));
    const same = [1, 2, 3, 4, 5].map((i) => b.transfer("one", "co", i, "400000"));
    assert.deepEqual(detect(toEvents([...four, ...small, ...slow, ...same]), only), []);
  });

  test("fan-in to an outside address: five customers withdrawing to one wallet name the address", () => {
    const b = builder();
    const scam = addr(0xbeef);
    const events = toEvents([1, 2, 3, 4, 5].map((i) => b.withdrawTo(`victim-${i}`, i, i % 2 === 0 ? scam.toUpperCase().replace("0X", "0x") : scam, "300000")));
    const [a, ...rest] = detect(events, only);
    assert.equal(rest.length, 0);
    assert.deepEqual(a!.subject, { kind: "address", id: `ethereum:${scam}` });
    assert.deepEqual(a!.accounts, ["victim-1", "victim-2", "victim-3", "victim-4", "victim-5"]);
  });

  test("fan-out: one account pays five others", () => {
    const b = builder();
    const events = toEvents([1, 2, 3, 4, 5].map((i) => b.transfer("payer", `r-${i}`, i, "300000")));
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => [a.details?.pattern, a.subject.id]), [["fan-out", "payer"]]);
  });

  test("a fan raised again once its parties have doubled, not before", () => {
    const b = builder();
    const events = toEvents(Array.from({ length: 10 }, (_, i) => b.transfer(`s-${i}`, "hubless", i / 2, "250000")));
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => a.details?.counterparties), [5, 10]);
    const nine = detect(events.slice(0, 9), only);
    assert.equal(nine.length, 1);
  });

  test("cycle: money goes round three parties in time order and comes back", () => {
    const b = builder();
    const events = toEvents([b.transfer("A", "B", 1, "1000000"), b.transfer("B", "C", 2, "950000"), b.transfer("C", "A", 3, "900000")]);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a!.details?.pattern, "cycle");
    assert.deepEqual(a!.subject, { kind: "account", id: "A" });
    assert.deepEqual(a!.accounts, ["A", "B", "C"]);
    assert.equal(a!.details?.returnedShare, 0.9);
    assert.match(a!.explanation, /Account A sent ¥1,000,000 that came back as ¥900,000 \(90\.0%\) after passing through 2 other parties in 2 hours/);
  });

  test("cycle near misses: out of time order; A → B → A repayment; the money shrinks below half; a small ring", () => {
    const b = builder();
    const order = [b.transfer("A", "B", 3, "1000000"), b.transfer("B", "C", 2, "950000"), b.transfer("C", "A", 4, "900000")];
    const back = [b.transfer("D", "E", 1, "1000000"), b.transfer("E", "D", 2, "1000000")];
    const shrink = [b.transfer("F", "G", 1, "1000000"), b.transfer("G", "H", 2, "400000"), b.transfer("H", "F", 3, "390000")];
    const small = [b.transfer("J", "K", 1, "90000"), b.transfer("K", "L", 2, "90000"), b.transfer("L", "J", 3, "90000")];
    assert.deepEqual(detect(toEvents([...order, ...back, ...shrink, ...small]), only), []);
  });

  test("scatter-gather: one origin through three intermediaries to one beneficiary", () => {
    const b = builder();
    const events = toEvents([
      b.transfer("O", "M1", 1, "400000"), b.transfer("O", "M2", 1.5, "400000"), b.transfer("O", "M3", 2, "400000"),
      b.transfer("M1", "B", 5, "380000"), b.transfer("M2", "B", 6, "380000"), b.transfer("M3", "B", 7, "380000"),
    ]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => a.details?.pattern), ["scatter-gather"]);
    const [a] = alerts;
    assert.deepEqual(a!.subject, { kind: "account", id: "O" });
    assert.deepEqual(a!.accounts, ["B", "M1", "M2", "M3", "O"]);
    assert.equal(a!.details?.intermediaries, 3);
    assert.equal(a!.details?.gatheredShare, 0.95);
  });

  test("scatter-gather near misses: gathered before scattered; under half passed on", () => {
    const b = builder();
    const early = [
      b.transfer("P1", "B1", 1, "380000"), b.transfer("P2", "B1", 1, "380000"), b.transfer("P3", "B1", 1, "380000"),
      b.transfer("O1", "P1", 5, "400000"), b.transfer("O1", "P2", 6, "400000"), b.transfer("O1", "P3", 7, "400000"),
    ];
    const little = [
      b.transfer("O2", "Q1", 1, "400000"), b.transfer("O2", "Q2", 1, "400000"), b.transfer("O2", "Q3", 1, "400000"),
      b.transfer("Q1", "B2", 5, "150000"), b.transfer("Q2", "B2", 6, "150000"), b.transfer("Q3", "B2", 7, "150000"),
    ];
    assert.deepEqual(detect(toEvents([...early, ...little]), only), []);
  });

  test("gather-scatter: three senders in, then three receivers out of about the same money", () => {
    const b = builder();
    const events = toEvents([
      b.transfer("S1", "M", 1, "500000"), b.transfer("S2", "M", 2, "500000"), b.transfer("S3", "M", 3, "500000"),
      b.transfer("M", "R1", 5, "480000"), b.transfer("M", "R2", 6, "480000"), b.transfer("M", "R3", 7, "480000"),
    ]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => [a.details?.pattern, a.subject.id]), [["gather-scatter", "M"]]);
    assert.equal(alerts[0]!.details?.scatteredShare, 0.96);
    // paid out before it was paid in: not a gather-scatter
    const c = builder();
    const reversed = toEvents([
      c.transfer("N", "R1", 1, "480000"), c.transfer("N", "R2", 2, "480000"), c.transfer("N", "R3", 3, "480000"),
      c.transfer("S1", "N", 5, "500000"), c.transfer("S2", "N", 6, "500000"), c.transfer("S3", "N", 7, "500000"),
    ]);
    assert.deepEqual(detect(reversed, only), []);
  });

  test("one entity's own accounts are one party: moves between them are not edges", () => {
    const b = builder();
    const events = toEvents([1, 2, 3, 4, 5].map((i) => b.transfer(`own-${i}`, "own-main", i, "400000")));
    assert.equal(detect(events, only).length, 1);
    assert.deepEqual(detect(events, { ...only, entityOf: () => "E-1" }), []);
  });

  test("exchange plumbing is not a pattern: a deposit and its chain view are one move; sweeps and the hot wallet are the exchange's own", () => {
    const b = builder();
    const hot = addr(0x407);
    const wire: EventInput[] = [];
    for (let i = 1; i <= 8; i++) {
      const sender = addr(0x1000 + i);
      const depositAddress = addr(0x2000 + i);
      // on chain first, then credited, then swept into the hot wallet
      wire.push(b.chain(sender, depositAddress, i, "300000", `0xdep${i}`), b.depositFrom(`cust-${i}`, i + 0.3, sender, "300000", `0xdep${i}`), b.chain(depositAddress, hot, i + 2, "300000", `0xswp${i}`));
      // withdrawals are paid from the hot wallet minutes after the customer asks
      const recipient = addr(0x3000 + i);
      wire.push(b.withdrawTo(`cust-${i}`, i + 4, recipient, "250000", `0xwd${i}`), b.chain(hot, recipient, i + 4.2, "250000", `0xwd${i}`));
    }
    const events = toEvents(wire);
    assert.deepEqual(detect(events, only), []);
    // the chain moves alone (no account involved) are chain analytics' business, never an alert
    assert.deepEqual(detect(events.filter((e) => e.type === "chain.transfer"), only), []);
  });

  test("an address labelled exchange (a shared deposit address with memo tags) is a VASP, not a collector", () => {
    const b = builder();
    const vasp = addr(0x7a5);
    const sends = [1, 2, 3, 4, 5, 6].map((i) => b.withdrawTo(`cust-${i}`, i, vasp, "300000"));
    const fan = detect(toEvents(sends), only);
    assert.deepEqual(fan.map((a) => [a.details?.pattern, a.subject.id]), [["fan-in", `ethereum:${vasp}`]]);
    assert.deepEqual(detect(toEvents([b.label(vasp, "exchange"), ...sends]), only), []);
  });

  test("a hub (≥ 50 counterparties in the window) is a service, not a party", () => {
    const b = builder();
    const events = toEvents(Array.from({ length: 60 }, (_, i) => b.transfer(`payer-${i}`, "merchant", i / 10, "100000")));
    const alerts = detect(events, only);
    // raised at 10 senders (¥1,000,000), again at 20 and 40; from 50 on it is a hub and quiet
    assert.deepEqual(alerts.map((a) => a.details?.counterparties), [10, 20, 40]);
    const quiet = detect(events, { ...only, configs: { "graph-patterns": { hubCounterparties: 5 } } });
    assert.deepEqual(quiet, []);
  });

  test("edges outside [minEdgeJpy, maxEdgeJpy] are ignored", () => {
    const b = builder();
    const events = toEvents([1, 2, 3, 4, 5].map((i) => b.transfer(`x-${i}`, "y", i, "250000")));
    assert.equal(detect(events, only).length, 1);
    assert.deepEqual(detect(events, { ...only, configs: { "graph-patterns": { maxEdgeJpy: 200_000 } } }), []);
    assert.deepEqual(detect(events, { ...only, configs: { "graph-patterns": { minEdgeJpy: 300_000 } } }), []);
  });

  test("state is bounded: moves leave the window, per-node lists are capped", () => {
    const b = builder();
    const engine = createEngine({ ...only, configs: { "graph-patterns": { maxEdgesPerNode: 8 } } });
    for (const e of toEvents(Array.from({ length: 40 }, (_, i) => b.transfer(`s-${i}`, `t-${i % 3}`, i / 10, "20000")))) engine.push(e);
    assert.ok(engine.stats().byTypology["graph-patterns"]!.keys <= 43);
    for (const e of toEvents([b.transfer("late-a", "late-b", 24 * 10, "20000"), b.transfer("late-c", "late-d", 24 * 20, "20000")])) engine.push(e);
    assert.ok(engine.stats().byTypology["graph-patterns"]!.keys <= 4, `${engine.stats().byTypology["graph-patterns"]!.keys} keys`);
  });

  test("the same events in any order give the same alerts; snapshot at any point and replay gives them too", () => {
    const b = builder();
    const wire = [
      ...[1, 2, 3, 4, 5].map((i) => b.transfer(`m-${i}`, "coll", i, "250000")),
      b.transfer("A", "B", 1, "1000000"), b.transfer("B", "C", 2, "950000"), b.transfer("C", "A", 3, "900000"),
      b.transfer("S1", "M", 1, "500000"), b.transfer("S2", "M", 2, "500000"), b.transfer("S3", "M", 3, "500000"),
      b.transfer("M", "R1", 5, "480000"), b.transfer("M", "R2", 6, "480000"), b.transfer("M", "R3", 7, "480000"),
      b.chain(addr(1), addr(2), 2, "300000", "0xa"), b.depositFrom("cust", 2.5, addr(1), "300000", "0xa"),
    ];
    const events = toEvents(wire);
    const full = detect(events, only);
    assert.deepEqual(full.map((a) => a.details?.pattern).sort(), ["cycle", "fan-in", "gather-scatter"]);
    assert.deepEqual(detect(shuffle(events, 3), only), full);
    const ordered = [...events].sort((x, y) => x.time - y.time || (x.id < y.id ? -1 : 1));
    assertRestoresAtEveryPoint(ordered, only, full);
  });

  test("bad events are error outcomes", () => {
    const engine = createEngine(only);
    engine.push({ type: "transfer", id: "x", ts: at(1), time: Date.parse(at(1)), source: "exa", toAccountId: "b", asset: "JPY", amount: 1n } as never);
    assert.equal(engine.stats().byTypology["graph-patterns"]!.error, 1);
  });

  test("defaults are the documented ones", () => {
    assert.deepEqual(graphPatternsDefaults, {
      windowHours: 72,
      minEdgeJpy: 10_000,
      maxEdgeJpy: null,
      hubCounterparties: 50,
      maxEdgesPerNode: 256,
      realertGrowth: 2,
      custodialRetentionDays: 30,
      fanIn: { enabled: true, minCounterparties: 5, minTotalJpy: 1_000_000 },
      fanOut: { enabled: true, minCounterparties: 5, minTotalJpy: 1_000_000 },
      cycle: { enabled: true, minLength: 3, maxLength: 6, minEdgeJpy: 100_000, minHopShare: 0.5, maxHopShare: 1.1, maxSearch: 2_000 },
      scatterGather: { enabled: true, minIntermediaries: 3, minTotalJpy: 1_000_000, minGatheredShare: 0.5, maxGatheredShare: 1.1 },
      gatherScatter: { enabled: true, minSenders: 3, minReceivers: 3, minTotalJpy: 1_000_000, minScatteredShare: 0.5, maxScatteredShare: 1.1 },
    });
  });

  test("a config with crossed bounds is refused with its path", () => {
    assert.throws(() => createEngine({ ...only, configs: { "graph-patterns": { cycle: { minLength: 5, maxLength: 4 } } } }), /graph-patterns\.cycle\.minLength/);
  });
});
