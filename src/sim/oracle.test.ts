// The reference rules the simulator is checked with, checked themselves on hand-made days.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { EventInput } from "../contracts/index.ts";
import { referenceMatches } from "./oracle.ts";

let n = 0;
const T = (hhmm: string, day = 2) => `2026-11-${String(day).padStart(2, "0")}T${hhmm}:00.000+09:00`;
const opened = (accountId: string, customerType: "individual" | "corporate" = "individual"): EventInput =>
  ({ id: `o${n++}`, type: "account.opened", ts: T("00:00", 1), source: "ex", accountId, customerType, kyc: { name: "テスト" } }) as EventInput;
const move = (type: "deposit" | "withdrawal", accountId: string, ts: string, channel: "bank" | "crypto", asset: string, amount: string, valueJpy?: string): EventInput =>
  ({ id: `m${n++}`, type, ts, source: "ex", accountId, channel, asset, amount, ...(valueJpy !== undefined ? { valueJpy } : {}) }) as EventInput;
const trade = (ts: string, buy: string, sell: string, price: string, quantity: string): EventInput =>
  ({ id: `t${n++}`, type: "trade", ts, source: "ex", tradeId: `t${n}`, market: "BTC/JPY", price, quantity, buyAccountId: buy, sellAccountId: sell }) as EventInput;
const snap = (ts: string, market: string, mid: string, vol: string, bid: string, ask: string, source = "ex"): EventInput =>
  ({ id: `s${n++}`, type: "market.snapshot", ts, source, market, midPrice: mid, volume24h: vol, depthBid1pct: bid, depthAsk1pct: ask }) as EventInput;
const typologies = (events: EventInput[], opts = {}) => referenceMatches(events, opts).map((m) => `${m.typology}:${m.subject}`);

test("structuring: three in-band bank deposits within 7 days over the line; edges and other channels do not count", () => {
  const hit = [opened("A"), move("deposit", "A", T("10:00"), "bank", "JPY", "1600000"), move("deposit", "A", T("10:00", 5), "bank", "JPY", "1999999"), move("deposit", "A", T("09:59", 9), "bank", "JPY", "1800000")];
  assert.deepEqual(typologies(hit), ["structuring:A"]);
  const late = [opened("A"), move("deposit", "A", T("10:00"), "bank", "JPY", "1600000"), move("deposit", "A", T("10:00", 5), "bank", "JPY", "1999999"), move("deposit", "A", T("10:01", 9), "bank", "JPY", "1800000")];
  assert.deepEqual(typologies(late), []);
  const edge = [opened("A"), move("deposit", "A", T("10:00"), "bank", "JPY", "2000000"), move("deposit", "A", T("11:00"), "bank", "JPY", "1599999"), move("deposit", "A", T("12:00"), "bank", "JPY", "1900000")];
  assert.deepEqual(typologies(edge), []);
  const mixed = [opened("A"), move("deposit", "A", T("10:00"), "bank", "JPY", "1900000"), move("withdrawal", "A", T("11:00", 4), "bank", "JPY", "1900000"), move("deposit", "A", T("12:00", 4), "crypto", "BTC", "0.006", "90000")];
  assert.deepEqual(typologies(mixed), []);
  const crypto = [opened("A"), ...["80000", "85000", "99999"].map((v, i) => move("withdrawal", "A", T(`1${i}:00`), "crypto", "ETH", "0.15", v))];
  assert.deepEqual(typologies(crypto), ["structuring:A"]);
});

test("pass-through: ≥ 80% out within 24 h of a ≥ ¥500,000 deposit, unless 10% was traded first", () => {
  const base = [opened("A"), opened("M"), move("deposit", "A", T("10:00"), "bank", "JPY", "1000000")];
  assert.deepEqual(typologies([...base, move("withdrawal", "A", T("15:00"), "crypto", "BTC", "0.05", "500000"), move("withdrawal", "A", T("10:00", 3), "crypto", "XRP", "900", "300000")]), ["pass-through:A"]);
  assert.deepEqual(typologies([...base, move("withdrawal", "A", T("15:00"), "crypto", "BTC", "0.05", "790000")]), []);
  assert.deepEqual(typologies([...base, move("withdrawal", "A", T("10:01", 3), "bank", "JPY", "900000")]), []);
  // ¥100,000 traded in between: 10%, not below it
  assert.deepEqual(typologies([...base, trade(T("11:00"), "A", "M", "10000000", "0.01"), move("withdrawal", "A", T("15:00"), "bank", "JPY", "900000")]), []);
  assert.deepEqual(typologies([...base, trade(T("11:00"), "A", "M", "10000000", "0.0099"), move("withdrawal", "A", T("15:00"), "bank", "JPY", "900000")]), ["pass-through:A"]);
  const small = [opened("A"), move("deposit", "A", T("10:00"), "bank", "JPY", "499999"), move("withdrawal", "A", T("11:00"), "bank", "JPY", "499999")];
  assert.deepEqual(typologies(small), []);
  // per person: a deposit at one exchange and a withdrawal at another
  const split = [opened("A"), opened("B"), move("deposit", "A", T("10:00"), "bank", "JPY", "1000000"), move("withdrawal", "B", T("11:00"), "bank", "JPY", "900000")];
  assert.deepEqual(typologies(split), []);
  assert.deepEqual(typologies(split, { subjectOf: () => "P1" }), ["pass-through:P1"]);
});

test("market-moving transfer: volume or depth on the side it would hit, corporate lines, JPY against BTC ask depth", () => {
  const s = snap(T("10:00"), "XEM/JPY", "3", "1000000", "100000", "40000");
  assert.deepEqual(typologies([opened("A"), s, move("deposit", "A", T("10:05"), "crypto", "XEM", "50000", "150000")]), ["market-moving-transfer:A"]); // 50% of bid depth
  assert.deepEqual(typologies([opened("A"), s, move("deposit", "A", T("10:05"), "crypto", "XEM", "49999", "150000")]), []);
  assert.deepEqual(typologies([opened("A"), s, move("withdrawal", "A", T("10:05"), "crypto", "XEM", "20000", "60000")]), ["market-moving-transfer:A"]); // 50% of ask depth
  assert.deepEqual(typologies([opened("C", "corporate"), s, move("withdrawal", "C", T("10:05"), "crypto", "XEM", "20000", "60000")]), []);
  assert.deepEqual(typologies([opened("C", "corporate"), s, move("withdrawal", "C", T("10:05"), "crypto", "XEM", "40000", "120000")]), ["market-moving-transfer:C"]);
  const thinVol = snap(T("10:00"), "MONA/JPY", "60", "1000", "5000", "5000");
  assert.deepEqual(typologies([opened("A"), thinVol, move("deposit", "A", T("10:05"), "crypto", "MONA", "50", "3000")]), ["market-moving-transfer:A"]); // 5% of volume
  assert.deepEqual(typologies([opened("A"), move("deposit", "A", T("10:05"), "crypto", "MONA", "5000", "300000")]), []); // no snapshot yet
  const btc = snap(T("10:00"), "BTC/JPY", "15000000", "1000", "10", "10");
  assert.deepEqual(typologies([opened("A"), btc, move("deposit", "A", T("10:05"), "bank", "JPY", "75000000")]), ["market-moving-transfer:A"]);
  assert.deepEqual(typologies([opened("A"), btc, move("deposit", "A", T("10:05"), "bank", "JPY", "74999999")]), []);
  // whose snapshot: the latest from any source, or the same source's
  const other = snap(T("10:01"), "XEM/JPY", "3", "100000000", "1000000", "1000000", "elsewhere");
  const ev = [opened("A"), s, other, move("deposit", "A", T("10:05"), "crypto", "XEM", "60000", "180000")];
  assert.deepEqual(typologies(ev), []);
  assert.deepEqual(typologies(ev, { snapshotScope: "source" }), ["market-moving-transfer:A"]);
});
