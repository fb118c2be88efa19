import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { accountId, type Event, type EventInput } from "../../../contracts/index.ts";
import { createEngine, detect } from "../../index.ts";
import { assertRestoresAtEveryPoint, at, replayWithOutcomes, toEvents } from "../../testkit.ts";
import { normalizeAddress } from "./address.ts";
import { illicitExposureDefaults } from "./config.ts";

const only = { typologies: ["illicit-exposure"] };
const addr = (c: string): string => `0x${c.repeat(40).slice(0, 40)}`;
const HACK = addr("4");

/** A small builder of the events this typology reads, with unique ids. */
function chain() {
  let n = 0;
  const id = (p: string) => `${p}-${String(++n).padStart(4, "0")}`;
  return {
    label: (address: string, label: string, hours = 0, o: { confidence?: number } = {}): EventInput => ({
      type: "address.label", id: id("al"), ts: at(hours), source: "labs", network: "ethereum", address, label: label as "hack", ...o,
    }),
    move: (from: string, to: string, amount: string, hours: number, asset = "ETH"): EventInput => ({
      type: "chain.transfer", id: id("tx"), ts: at(hours), source: "node", network: "ethereum", txHash: `0x${String(n).padStart(64, "0")}`,
      fromAddress: from, toAddress: to, asset, amount,
    }),
    deposit: (account: string, from: string, amount: string, hours: number, asset = "ETH"): EventInput => ({
      type: "deposit", id: id("dep"), ts: at(hours), source: "exa", accountId: account, asset, amount, channel: "crypto",
      valueJpy: String(Number(amount) * 500_000), fromAddress: from,
    }),
    withdrawal: (account: string, to: string, amount: string, hours: number, asset = "ETH"): EventInput => ({
      type: "withdrawal", id: id("wd"), ts: at(hours), source: "exa", accountId: account, asset, amount, channel: "crypto", toAddress: to,
    }),
  };
}

describe("illicit-exposure: address normalisation", () => {
  test("EVM addresses compare case-insensitively (EIP-55 checksum case)", () => {
    assert.equal(normalizeAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    assert.equal(normalizeAddress(" 0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED "), "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
  });

  test("bech32 in one case is lower-cased; mixed case (invalid) is kept verbatim", () => {
    assert.equal(normalizeAddress("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"), "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    assert.equal(normalizeAddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"), "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    assert.equal(normalizeAddress("bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"), "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
  });

  test("NEM addresses lose their dashes and take upper case", () => {
    const bare = "NHACK3DVBMKI2RI6EMDRS3C2EKEKVI75XRNHR5JR";
    assert.equal(normalizeAddress("nhack3-dvbmki-2ri6em-drs3c2-ekekvi-75xrnh-r5jr"), bare);
    assert.equal(normalizeAddress(bare), bare);
  });

  test("base58 is case-sensitive and kept as written", () => {
    assert.equal(normalizeAddress("1BoatSLRHtKNngkdXEeobR76b53LETtpyT"), "1BoatSLRHtKNngkdXEeobR76b53LETtpyT");
    assert.equal(normalizeAddress("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"), "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh");
  });
});

describe("illicit-exposure", () => {
  test("hop count and taint share are reported; maxHops is configurable", () => {
    const c = chain();
    const a1 = addr("5"), a2 = addr("6"), a3 = addr("7");
    const events = toEvents([
      c.label(HACK, "hack"),
      c.move(HACK, a1, "5", 1), c.move(a1, a2, "3", 2), c.move(a2, a3, "2", 3), // each keeps some
      c.deposit("acc-2", a1, "1", 4), c.deposit("acc-3", a2, "1", 4), c.deposit("acc-4", a3, "1", 4),
    ]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => [a.accounts[0], a.details?.hops, a.details?.taintShare]), [["acc-2", 2, 1], ["acc-3", 3, 1]]);
    const four = detect(events, { ...only, configs: { "illicit-exposure": { maxHops: 4 } } });
    assert.deepEqual(four.map((a) => a.details?.hops), [2, 3, 4]);
    assert.deepEqual(detect(events, { ...only, configs: { "illicit-exposure": { maxHops: 1 } } }), []);
  });

  test("haircut: clean money received after the taint dilutes it in proportion to value", () => {
    const c = chain();
    const mid = addr("5"), clean = addr("9");
    const events = toEvents([
      c.label(HACK, "scam"),
      c.move(HACK, mid, "1", 1),
      c.move(clean, mid, "3", 2), // mid: 4 ETH, 1 tainted (25%)
      c.deposit("acc", mid, "2", 3), // carries 0.5 tainted, mid keeps 2 ETH with 0.5 tainted
      c.deposit("acc", mid, "2", 4),
    ]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => [a.details?.taintedAmount, a.details?.taintShare]), [["0.5", 0.25], ["0.5", 0.25]]);
    assert.match(alerts[0]!.explanation, /25\.0% of it is traced to that address by haircut/);
    // a 30% line is not reached by a 25% share
    assert.deepEqual(detect(events, { ...only, configs: { "illicit-exposure": { minTaintShare: 0.3 } } }), []);
  });

  test("a move bigger than what an address was seen to receive carries at most its tainted balance", () => {
    const c = chain();
    const mid = addr("5");
    const [a] = detect(toEvents([c.label(HACK, "hack"), c.move(HACK, mid, "1", 1), c.deposit("acc", mid, "4", 2)]), only);
    assert.equal(a!.details?.taintedAmount, "1");
    assert.equal(a!.details?.taintShare, 0.25);
  });

  test("the nearest source names the exposure; among equally near ones, the most severe", () => {
    const c = chain();
    const scam = addr("1"), sanc = addr("2"), mid = addr("5");
    const events = toEvents([
      c.label(scam, "scam"), c.label(sanc, "sanctioned"),
      c.move(scam, mid, "1", 1), c.move(sanc, mid, "1", 2),
      c.deposit("acc", mid, "2", 3),
    ]);
    const [a] = detect(events, only);
    assert.equal(a!.details?.label, "sanctioned");
    assert.equal(a!.details?.taintShare, 1);
    assert.equal(a!.score, 95 - 10);
  });

  test("a more severe label replaces a milder one for the same address, never the reverse", () => {
    const c = chain();
    const x = addr("3");
    const events = toEvents([c.label(x, "mixer"), c.label(x, "sanctioned", 1), c.label(x, "scam", 2), c.deposit("acc", x, "1", 3)]);
    const [a] = detect(events, only);
    assert.equal(a!.details?.label, "sanctioned");
    assert.equal(a!.score, 95);
    assert.deepEqual(a!.evidence, ["labs:al-0002", "exa:dep-0004"]);
  });

  test("informational labels neither alert nor carry taint by default; given a grade they are sources like any other", () => {
    const c = chain();
    const ex = addr("e"), after = addr("f");
    const events = toEvents([
      c.label(ex, "exchange"), c.label(HACK, "hack"),
      c.move(HACK, ex, "5", 1), c.move(ex, after, "5", 2),
      c.deposit("acc-1", ex, "1", 3), c.deposit("acc-2", after, "1", 3),
    ]);
    assert.deepEqual(detect(events, only), []);
    const graded = detect(events, { ...only, configs: { "illicit-exposure": { grades: { exchange: 20 } } } });
    assert.deepEqual(graded.map((a) => [a.accounts[0], a.details?.label, a.score]), [["acc-1", "exchange", 20], ["acc-2", "exchange", 10]]);
  });

  test("fan-out cap: an address that has passed taint on maxFanOut times passes no more", () => {
    const c = chain();
    const hub = addr("5");
    const outs = ["a", "b", "c"].map(addr);
    const events = toEvents([
      c.label(HACK, "hack"), c.move(HACK, hub, "9", 1),
      ...outs.map((o, i) => c.move(hub, o, "3", 2 + i)),
      ...outs.map((o, i) => c.deposit(`acc-${i}`, o, "3", 10)),
    ]);
    assert.equal(detect(events, only).length, 3);
    const capped = detect(events, { ...only, configs: { "illicit-exposure": { maxFanOut: 2 } } });
    assert.deepEqual(capped.map((a) => a.accounts[0]), ["acc-0", "acc-1"]);
  });

  test("state is bounded: the address cap evicts the least recently fed, and old taint is pruned", () => {
    const c = chain();
    const wire: EventInput[] = [c.label(HACK, "hack")];
    for (let i = 0; i < 50; i++) wire.push(c.move(HACK, `0x${i.toString(16).padStart(40, "0")}`, "1", 1 + i / 100));
    const engine = createEngine({ ...only, configs: { "illicit-exposure": { maxTrackedAddresses: 20 } } });
    for (const e of toEvents(wire)) engine.push(e);
    assert.equal(engine.stats().byTypology["illicit-exposure"]!.keys, 20 + 1); // 20 addresses + 1 label
    // the first 30 were evicted: a deposit from one of them is no longer exposure
    assert.deepEqual(engine.push(toEvents([c.deposit("acc", `0x${(0).toString(16).padStart(40, "0")}`, "1", 2)])[0]!), []);
    assert.equal(engine.push(toEvents([c.deposit("acc", `0x${(49).toString(16).padStart(40, "0")}`, "1", 2)])[0]!).length, 1);
    engine.push(toEvents([c.label(addr("b"), "scam", 24 * 31 + 2)])[0]!);
    assert.equal(engine.stats().byTypology["illicit-exposure"]!.keys, 2); // only the two labels remain
  });

  test("a withdrawal is traced forward and alerted once, however many traced moves reach the source", () => {
    const c = chain();
    const w = addr("5"), mixer = addr("m");
    const events = toEvents([
      c.label(mixer, "mixer"),
      c.withdrawal("acc", w, "4", 1),
      c.move(w, mixer, "1", 2), c.move(w, mixer, "1", 3),
    ]);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0]!.evidence, ["labs:al-0001", "exa:wd-0002", "node:tx-0003"]);
    assert.equal(alerts[0]!.details?.hops, 2);
    assert.equal(alerts[0]!.details?.taintShare, 0.25);
    assert.deepEqual(detect(events, { ...only, configs: { "illicit-exposure": { traceWithdrawals: false } } }), []);
  });

  test("a deposit and its own chain side (same transaction) are one move, whichever is seen first", () => {
    const c = chain();
    const a1 = addr("5"), depositAddress = addr("d"), hot = addr("e");
    const tx = `0x${"ab".repeat(32)}`;
    const side = { ...c.move(a1, depositAddress, "3", 3), txHash: tx } as EventInput;
    const credit: EventInput = { ...c.deposit("acc", a1, "3", 3.2), txHash: tx, network: "ethereum" } as EventInput;
    const sweep = c.move(depositAddress, hot, "3", 4);
    const head = [c.label(HACK, "hack"), c.move(HACK, a1, "3", 1)];
    // as exchanges report it: the transaction lands on chain, the deposit is credited after confirmations
    for (const order of [[...head, side, credit, sweep], [...head, credit, side, sweep]]) {
      const alerts = detect(toEvents(order), only);
      assert.equal(alerts.length, 1);
      assert.deepEqual([alerts[0]!.details?.hops, alerts[0]!.details?.taintShare, alerts[0]!.details?.taintedAmount], [2, 1, "3"]);
    }
    // a second deposit from the same sender finds nothing left: the first move took it all
    const again = detect(toEvents([...head, side, credit, { ...c.deposit("acc-2", a1, "1", 5), txHash: `0x${"cd".repeat(32)}` } as EventInput]), only);
    assert.equal(again.length, 1);
  });

  test("a withdrawal's own chain side does not count its value twice at the destination", () => {
    const c = chain();
    const w = addr("5"), mixer = addr("m"), hot = addr("e");
    const tx = `0x${"ef".repeat(32)}`;
    const events = toEvents([
      c.label(mixer, "mixer"),
      { ...c.withdrawal("acc", w, "4", 1), txHash: tx } as EventInput,
      { ...c.move(hot, w, "4", 1.1), txHash: tx } as EventInput,
      c.move(w, mixer, "3", 2),
    ]);
    const [a] = detect(events, only);
    assert.equal(a?.details?.taintShare, 0.75);
  });

  test("with an entity resolver, the alert names the entity", () => {
    const c = chain();
    const [a] = detect(toEvents([c.label(HACK, "ransomware"), c.deposit("acc-1", HACK, "1", 1)]), { ...only, entityOf: (x) => (x === accountId("acc-1") ? "ent-9" : x) });
    assert.deepEqual(a!.subject, { kind: "entity", id: "ent-9" });
    assert.deepEqual(a!.accounts, ["acc-1"]);
  });

  test("bank movements and crypto ones without an address are out of scope; bad data is an error outcome", () => {
    const c = chain();
    const good = toEvents([c.deposit("acc", HACK, "1", 1)])[0]!;
    const events = [
      ...toEvents([
        c.label(HACK, "hack"),
        { type: "deposit", id: "bank-1", ts: at(1), source: "exa", accountId: "acc", asset: "JPY", amount: "1000000", channel: "bank" },
        { type: "withdrawal", id: "nowhere-1", ts: at(1), source: "exa", accountId: "acc", asset: "ETH", amount: "1", channel: "crypto" },
      ]),
      { ...good, id: "bad-1", amount: 5 } as unknown as Event,
    ];
    const { alerts, outcomes } = replayWithOutcomes(events, only);
    assert.deepEqual(alerts, []);
    assert.deepEqual(outcomes.map((o) => o.kind), ["clear", "clear", "clear", "error"]);
  });

  test("property: taint is conserved, never created: alerted tainted amounts never exceed what left the sources", () => {
    const nodes = ["1", "2", "3", "4", "5"].map(addr);
    const moveArb = fc.record({ from: fc.nat(5), to: fc.nat(4), amount: fc.integer({ min: 1, max: 20 }), deposit: fc.boolean() });
    fc.assert(
      fc.property(fc.array(moveArb, { minLength: 1, maxLength: 40 }), (moves) => {
        const c = chain();
        const wire: EventInput[] = [c.label(HACK, "hack")];
        let fromSource = 0;
        moves.forEach((m, i) => {
          const from = m.from === 5 ? HACK : nodes[m.from]!;
          if (m.deposit) wire.push(c.deposit(`acc-${i}`, from, String(m.amount), 1 + i));
          else {
            const to = nodes[m.to]!;
            if (to === from) return;
            if (from === HACK) fromSource += m.amount;
            wire.push(c.move(from, to, String(m.amount), 1 + i));
          }
        });
        const alerts = detect(toEvents(wire), { ...only, configs: { "illicit-exposure": { maxHops: 10, minTaintShare: 0.000001 } } });
        let indirect = 0;
        for (const a of alerts) {
          const s = a.details?.taintShare as number;
          assert.ok(s > 0 && s <= 1, `share ${s}`);
          if (a.details?.exposure === "indirect") indirect += Number(a.details?.taintedAmount);
        }
        assert.ok(indirect <= fromSource + 1e-9, `${indirect} tainted deposited > ${fromSource} sent by the source`);
      }),
      { numRuns: 200, seed: 20180126 },
    );
  });

  test("snapshot mid-stream and restore give the same alerts as one run", () => {
    const c = chain();
    const mid = addr("5"), w = addr("6"), mixer = addr("7");
    const events = toEvents([
      c.label(HACK, "hack"), c.label(mixer, "mixer"), c.move(HACK, mid, "2", 1), c.withdrawal("acc-w", w, "3", 2),
      c.deposit("acc-1", mid, "1", 3), c.move(w, mixer, "3", 4), c.deposit("acc-2", mid, "1", 5),
    ]);
    const full = detect(events, only);
    assert.equal(full.length, 3);
    assertRestoresAtEveryPoint(events, only, full);
  });

  test("defaults are the documented ones", () => {
    assert.deepEqual(illicitExposureDefaults, {
      grades: { sanctioned: 95, hack: 85, ransomware: 85, darknet: 80, mixer: 70, scam: 65, exchange: null, gambling: null },
      maxHops: 3, minTaintShare: 0.01, maxAgeDays: 30, maxFanOut: 1000, maxTrackedAddresses: 200_000, minConfidence: 0.5, traceWithdrawals: true,
    });
  });
});
