import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Event, EventInput } from "../../../contracts/index.ts";
import { createEngine, decodeState, detect } from "../../index.ts";
import { assertRestoresAtEveryPoint, at, replayWithOutcomes, toEvents } from "../../testkit.ts";
import { dormantReactivationDefaults } from "./config.ts";

const only = { typologies: ["dormant-reactivation"] };
const YEAR = 365 * 24;
const OWN = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
const NEW = "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l";

function builder() {
  let n = 0;
  const id = (p: string) => `${p}-${String(++n).padStart(4, "0")}`;
  return {
    login: (accountId: string, hours: number, deviceId = "dv-home", ip = "203.0.113.1"): EventInput => ({
      type: "login", id: id("lg"), ts: at(hours), source: "exa", accountId, ip, deviceId,
    }),
    deposit: (accountId: string, hours: number, amount: string, o: { asset?: string; valueJpy?: string; from?: string; bank?: string } = {}): EventInput => ({
      type: "deposit", id: id("dep"), ts: at(hours), source: "exa", accountId, asset: o.asset ?? "JPY", amount, channel: o.asset && o.asset !== "JPY" ? "crypto" : "bank",
      ...(o.valueJpy ? { valueJpy: o.valueJpy } : {}), ...(o.from ? { fromAddress: o.from } : {}), ...(o.bank ? { bankAccountHash: o.bank } : {}),
    }),
    withdrawal: (accountId: string, hours: number, amount: string, o: { asset?: string; valueJpy?: string; to?: string; bank?: string } = {}): EventInput => ({
      type: "withdrawal", id: id("wd"), ts: at(hours), source: "exa", accountId, asset: o.asset ?? "JPY", amount, channel: o.asset && o.asset !== "JPY" ? "crypto" : "bank",
      ...(o.valueJpy ? { valueJpy: o.valueJpy } : {}), ...(o.to ? { toAddress: o.to } : {}), ...(o.bank ? { bankAccountHash: o.bank } : {}),
    }),
    transfer: (from: string, to: string, hours: number, amount: string): EventInput => ({
      type: "transfer", id: id("tf"), ts: at(hours), source: "exa", fromAccountId: from, toAccountId: to, asset: "JPY", amount,
    }),
    trade: (buy: string, sell: string, hours: number, market: string, quantity: string, price: string): EventInput => ({
      type: "trade", id: id("tr"), ts: at(hours), source: "exa", tradeId: `t${n}`, market, price, quantity, buyAccountId: buy, sellAccountId: sell,
    }),
  };
}

/** Balances the typology holds, as decimal strings, from a snapshot. */
function balances(engine: ReturnType<typeof createEngine>): Record<string, Record<string, string>> {
  const snap = engine.snapshot();
  const state = decodeState(snap.typologies.find((t) => t.id === "dormant-reactivation")!.state) as { accounts: Map<string, { b: Map<string, { v: bigint }> }> };
  const out: Record<string, Record<string, string>> = {};
  for (const [a, l] of state.accounts) out[a] = Object.fromEntries([...l.b].map(([k, { v }]) => [k, (Number(v / 10n ** 12n) / 1e6).toString()]));
  return out;
}

describe("dormant-reactivation", () => {
  test("balances: deposits, trades (base and quote), transfers and withdrawals, floored at zero; empty accounts are dropped", () => {
    const b = builder();
    const engine = createEngine(only);
    for (const e of toEvents([
      b.deposit("a", 0, "1000000"),
      b.trade("a", "m", 1, "BTC/JPY", "0.05", "10000000"), // a: +0.05 BTC, −¥500,000; m sells BTC it was never seen to hold
      b.transfer("a", "c", 2, "100000"),
      b.withdrawal("c", 3, "300000"), // more than c holds: floored, c dropped
      b.deposit("d", 4, "1"), b.withdrawal("d", 5, "1"),
    ])) engine.push(e);
    assert.deepEqual(balances(engine), { a: { JPY: "400000", BTC: "0.05" }, m: { JPY: "500000" } });
  });

  test("balances: a transfer to itself and a self-trade leave the balance as it was", () => {
    const b = builder();
    const engine = createEngine(only);
    for (const e of toEvents([
      b.deposit("a", 0, "1000000"), b.deposit("b", 0, "2000000"),
      b.transfer("a", "a", 1, "1000000"), // all of it: the ledger is emptied, dropped, and credited again
      b.transfer("b", "b", 1, "500000"),
      b.trade("b", "b", 2, "BTC/JPY", "0.01", "10000000"),
      b.transfer("e", "a", 3, "5"), // from an account holding nothing
    ])) engine.push(e);
    assert.deepEqual(balances(engine), { a: { JPY: "1000005" }, b: { JPY: "2000000" } });
  });

  test("deposits during the watch count against the drain: fresh money in and out is not a dormant balance emptied", () => {
    const b = builder();
    const base = [b.login("a", 0), b.deposit("a", 0.1, "1000000", { bank: "bk-own" })];
    const passThrough = toEvents([...base, b.login("a", YEAR, "dv-new"), b.deposit("a", YEAR + 1, "5000000"), b.withdrawal("a", YEAR + 2, "5500000", { bank: "bk-new" })]);
    assert.deepEqual(detect(passThrough, only), []); // net ¥500,000 of ¥1,000,000: 50%
    const c = builder();
    const drained = toEvents([c.login("a", 0), c.deposit("a", 0.1, "1000000", { bank: "bk-own" }), c.login("a", YEAR, "dv-new"), c.deposit("a", YEAR + 1, "5000000"), c.withdrawal("a", YEAR + 2, "5800000", { bank: "bk-new" })]);
    const [alert] = detect(drained, only);
    assert.equal(alert!.details?.drainedShare, 0.8);
    assert.match(alert!.explanation, /net of ¥5,000,000 deposited meanwhile/);
  });

  test("the new login may come after the withdrawals, within the window", () => {
    const b = builder();
    const events = toEvents([b.login("a", 0), b.deposit("a", 0.1, "1000000"), b.withdrawal("a", YEAR, "900000", { bank: "bk-new" }), b.login("a", YEAR + 3, "dv-new")]);
    const [alert] = detect(events, only);
    assert.deepEqual(alert!.evidence, ["exa:wd-0003", "exa:lg-0004"]);
    assert.equal(alert!.ts, at(YEAR + 3));
  });

  test("known destinations: the bank account or wallet it used before is not new", () => {
    const b = builder();
    const events = toEvents([
      b.login("a", 0), b.deposit("a", 0.1, "1000000", { bank: "bk-own" }), b.login("a", YEAR, "dv-new"),
      b.withdrawal("a", YEAR + 1, "500000", { bank: "bk-own" }), b.withdrawal("a", YEAR + 2, "500000", { bank: "bk-new" }),
    ]);
    assert.deepEqual(detect(events, only), []); // only ¥500,000 (50%) to a new destination
    assert.equal(detect(events, { ...only, configs: { "dormant-reactivation": { drainShare: 0.5 } } }).length, 1);
  });

  test("a transfer to another account is a way out too", () => {
    const b = builder();
    const events = toEvents([b.login("a", 0), b.deposit("a", 0.1, "1000000"), b.login("a", YEAR, "dv-new"), b.transfer("a", "mule", YEAR + 1, "950000")]);
    assert.equal(detect(events, only).length, 1);
  });

  test("prices: a market snapshot, else the last unit price seen; an asset with no price is left out of the balance", () => {
    const b = builder();
    const priced = toEvents([
      b.login("a", 0), b.deposit("a", 0.1, "100", { asset: "XEM", from: OWN }), b.deposit("a", 0.2, "1", { asset: "ETH", valueJpy: "500000", from: OWN }),
      b.login("a", YEAR, "dv-new"), b.withdrawal("a", YEAR + 1, "1", { asset: "ETH", to: NEW }),
    ]);
    const [alert] = detect(priced, only);
    assert.deepEqual(alert!.details?.unpricedAssets, ["XEM"]);
    assert.equal(alert!.details?.balanceJpy, "500000");
    const c = builder();
    const unpriced = toEvents([c.login("a", 0), c.deposit("a", 0.1, "100000", { asset: "XEM", from: OWN }), c.login("a", YEAR, "dv-new"), c.withdrawal("a", YEAR + 1, "100000", { asset: "XEM", to: NEW })]);
    assert.deepEqual(detect(unpriced, only), []);
  });

  test("the login just before a first deposit is remembered; logins of accounts holding nothing are forgotten after a day", () => {
    const b = builder();
    const engine = createEngine(only);
    for (const e of toEvents([b.login("x", 0), b.login("y", 0)])) engine.push(e);
    assert.equal(engine.stats().byTypology["dormant-reactivation"]!.keys, 2);
    engine.push(toEvents([b.login("z", 26)])[0]!);
    assert.equal(engine.stats().byTypology["dormant-reactivation"]!.keys, 1);
  });

  test("bad data is an error outcome", () => {
    const b = builder();
    const good = toEvents([b.deposit("a", 0, "100")])[0]!;
    const { outcomes } = replayWithOutcomes([{ ...good, id: "bad", amount: "100" } as unknown as Event, { ...good, id: "bad2", accountId: undefined } as unknown as Event], only);
    assert.deepEqual(outcomes.map((o) => o.kind), ["error", "error"]);
  });

  test("snapshot mid-stream and restore give the same alerts as one run", () => {
    const b = builder();
    const events = toEvents([
      b.login("a", 0), b.deposit("a", 0.1, "600000"), b.trade("a", "m", 0.2, "ETH/JPY", "1", "500000"),
      b.login("a", YEAR, "dv-new", "198.51.100.1"), b.trade("m", "a", YEAR + 0.5, "ETH/JPY", "1", "510000"), b.withdrawal("a", YEAR + 1, "600000", { bank: "bk-new" }),
    ]);
    const full = detect(events, only);
    assert.equal(full.length, 1);
    assertRestoresAtEveryPoint(events, only, full);
  });

  test("defaults are the documented ones", () => {
    assert.deepEqual(dormantReactivationDefaults, { dormantDays: 180, windowHours: 24, drainShare: 0.8, minBalanceJpy: 100_000 });
  });
});
