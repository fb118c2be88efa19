// The e2e benchmark's SQL is checked, not just timed: on a tiny file with one planted structuring,
// pass-through and fan-in (and a near miss of each), DuckDB finds exactly the planted ones, and so
// does Kanshi with every typology on.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDuckDb, runKanshi } from "./e2e.ts";

let duckdbMissing: string | undefined;
try {
  await import("@duckdb/node-api");
} catch (e) {
  duckdbMissing = `@duckdb/node-api did not load (${(e as Error).message.split("\n")[0]}); run npm ci`;
}

const at = (h: number) => new Date(Date.UTC(2026, 10, 2, 0, 0, 0) + h * 3_600_000).toISOString().replace("Z", "+00:00");
let n = 0;
const ev = (type: string, h: number, fields: Record<string, unknown>) => ({ id: `e${++n}`, type, ts: at(h), source: "bf", ...fields });
const opened = (id: string) => ev("account.opened", -1000, { accountId: id, customerType: "individual", kyc: { name: "Synthetic Person" } });
const deposit = (acct: string, h: number, jpy: number) => ev("deposit", h, { accountId: acct, asset: "JPY", amount: String(jpy), channel: "bank" });
const withdrawal = (acct: string, h: number, jpy: number) => ev("withdrawal", h, { accountId: acct, asset: "JPY", amount: String(jpy), channel: "bank" });
const transfer = (from: string, to: string, h: number, jpy: number) => ev("transfer", h, { fromAccountId: from, toAccountId: to, asset: "JPY", amount: String(jpy) });
const trade = (buyer: string, seller: string, h: number, qty: string, price: string) =>
  ev("trade", h, { tradeId: `t${n}`, market: "BTC/JPY", price, quantity: qty, buyAccountId: buyer, sellAccountId: seller });

function plantedDay(): unknown[] {
  const accounts = ["s1", "s2", "p1", "p2", "r1", "r2", "mm", ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `f${i}`)];
  const events = accounts.map(opened);
  // Structuring: three bank deposits at 95% of ¥2,000,000 within two days (s1); only two for s2.
  events.push(deposit("s1", 0, 1_900_000), deposit("s1", 20, 1_850_000), deposit("s1", 40, 1_950_000));
  events.push(deposit("s2", 1, 1_900_000), deposit("s2", 30, 1_900_000), deposit("s2", 60, 1_000_000));
  // Pass-through: ¥1,000,000 in, ¥900,000 out two hours later, no trading (p1); p2 trades 20% first.
  events.push(deposit("p1", 50, 1_000_000), withdrawal("p1", 52, 900_000));
  events.push(deposit("p2", 50.5, 1_000_000), trade("p2", "mm", 51, "0.02", "10000000"), withdrawal("p2", 53, 900_000));
  // Fan-in: five senders pay r1 ¥300,000 each within an hour; r2 gets from four only.
  for (let i = 1; i <= 5; i++) events.push(transfer(`f${i}`, "r1", 70 + i / 10, 300_000));
  for (let i = 6; i <= 9; i++) events.push(transfer(`f${i}`, "r2", 70 + i / 10, 400_000));
  return events.sort((a, b) => ((a as { ts: string }).ts < (b as { ts: string }).ts ? -1 : 1));
}

describe("e2e bench: the three rules as SQL find what was planted", { skip: duckdbMissing }, () => {
  let dir = "";
  let file = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-e2e-"));
    file = join(dir, "events.ndjson");
    await writeFile(file, plantedDay().map((e) => JSON.stringify(e)).join("\n") + "\n");
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("DuckDB: one structuring, one pass-through, one fan-in", async () => {
    const d = await runDuckDb(file, 1);
    assert.equal(d.events, plantedDay().length);
    assert.deepStrictEqual({ structuring: d.structuring, passThrough: d.passThrough, fanIn: d.fanIn }, { structuring: 1, passThrough: 1, fanIn: 1 });
  });

  test("Kanshi with every typology: the same three", async () => {
    const k = await runKanshi(file);
    assert.equal(k.rejected, 0);
    assert.deepStrictEqual({ structuring: k.structuring, passThrough: k.passThrough, fanIn: k.fanIn }, { structuring: 1, passThrough: 1, fanIn: 1 });
  });
});
