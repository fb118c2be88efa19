// The nine market-abuse and profile injections carry what their typologies' definitions require,
// checked from the generated events themselves (not from the engine): who trades with whom, what
// the chain shows, when the pump was called, how long an account slept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MONEY_SCALE, parseMoney, type EventInput, type InjectionLabel } from "../contracts/index.ts";
import { loadAnnouncedPumps } from "./reference-data.ts";
import { defaultDataDir, simulate } from "./simulate.ts";

type Of<T extends EventInput["type"]> = Extract<EventInput, { type: T }>;

const sim = simulate({ seed: 23, people: 2_500, days: 2 });
const events: EventInput[] = [...sim.events];
const keyOf = (e: EventInput) => `${e.source}:${e.id}`;
const byKey = new Map(events.map((e) => [keyOf(e), e]));
const of = (typology: string) => sim.labels.filter((l) => l.typology === typology);
const labelEvents = (l: InjectionLabel) => l.events!.map((k) => byKey.get(k)!);
const num = (s: string | undefined) => Number((parseMoney(s ?? "0") ?? 0n) * 1_000_000n / MONEY_SCALE) / 1_000_000;
const t = (e: { ts: string }) => Date.parse(e.ts);
const JST = 9 * 3_600_000;

test("wash-trade: every trade is between the label's own accounts, each account ends where it started; bots fill a JST day of one thin venue market", () => {
  const labels = of("wash-trade");
  assert.ok(labels.length >= 5);
  let bots = 0;
  for (const l of labels) {
    const trades = labelEvents(l).filter((e): e is Of<"trade"> => e.type === "trade");
    assert.ok(trades.length >= 2, l.injectionId);
    const net = new Map<string, number>();
    for (const x of trades) {
      assert.ok(l.accounts.includes(x.buyAccountId) && l.accounts.includes(x.sellAccountId), `${l.injectionId}: a stranger in ${x.id}`);
      net.set(x.buyAccountId, (net.get(x.buyAccountId) ?? 0) + num(x.quantity));
      net.set(x.sellAccountId, (net.get(x.sellAccountId) ?? 0) - num(x.quantity));
    }
    for (const [a, q] of net) assert.ok(Math.abs(q) < 1e-9, `${l.injectionId}: ${a} is ${q} off`);
    if (l.subjects !== undefined) {
      bots++;
      const [venue, market] = l.subjects[0]!.id.split(":");
      assert.ok(trades.length >= 300, `${l.injectionId}: ${trades.length} trades`);
      assert.ok(trades.every((x) => x.source === venue && x.market === market));
      const day = (x: Of<"trade">) => Math.floor((t(x) + JST) / 86_400_000);
      assert.equal(new Set(trades.map(day)).size, 1, `${l.injectionId}: one JST day`);
      assert.ok(["XEM/JPY", "MONA/JPY", "FNCT/JPY", "BRIL/JPY"].includes(market!));
    }
  }
  assert.ok(bots >= 2, "volume bots among the variants");
  assert.ok(labels.some((l) => l.accounts.length === 1) && labels.some((l) => l.accounts.length === 2), "one account and two of one owner");
});

test("pump-and-dump: called at a time of day from pump_telegram.csv, ≥ 10 market buys by ≥ 5 followers within two minutes climbing ≥ 5%, the organiser sells ≥ half within 30 minutes", () => {
  const { pumps } = loadAnnouncedPumps(defaultDataDir());
  const times = new Set(pumps.map((p) => p.hour * 60 + p.minute));
  const labels = of("pump-and-dump");
  assert.ok(labels.length >= 5);
  for (const l of labels) {
    const evs = labelEvents(l);
    const [venue, market] = l.subjects![0]!.id.split(":");
    const rush = evs.filter((e): e is Of<"order.placed"> => e.type === "order.placed" && e.kind === "market" && e.side === "buy" && !l.accounts.includes(e.accountId)).sort((x, y) => t(x) - t(y));
    const S = t(rush[0]!);
    const inBurst = rush.filter((e) => t(e) - S <= 120_000);
    assert.ok(inBurst.length >= 10 && new Set(inBurst.map((e) => e.accountId)).size >= 5, `${l.injectionId}: ${inBurst.length} rush orders`);
    const local = new Date(S + JST);
    assert.ok(times.has(local.getUTCHours() * 60 + local.getUTCMinutes()), `${l.injectionId}: called at ${local.toISOString().slice(11, 16)} JST, not a time of the list`);
    const trades = evs.filter((e): e is Of<"trade"> => e.type === "trade" && e.source === venue && e.market === market);
    const before = trades.filter((x) => t(x) < S);
    const ref = num(before[before.length - 1]!.price);
    const peak = Math.max(...trades.filter((x) => t(x) >= S && t(x) - S <= 120_000).map((x) => num(x.price)));
    assert.ok(peak >= ref * 1.05, `${l.injectionId}: peak ${peak} vs ${ref}`);
    let bought = 0;
    let sold = 0;
    for (const x of trades) {
      if (l.accounts.includes(x.buyAccountId) && t(x) < S) bought += num(x.quantity);
      if (l.accounts.includes(x.sellAccountId) && t(x) >= S && t(x) - S <= 30 * 60_000) sold += num(x.quantity);
    }
    assert.ok(bought > 0 && sold >= 0.5 * bought, `${l.injectionId}: sold ${sold} of ${bought}`);
  }
});

test("illicit-exposure: every heist deposit comes 2–3 chain moves from an address labelled before the scatter; sanctioned and scam addresses are published labels", () => {
  const labelled = new Map(events.filter((e): e is Of<"address.label"> => e.type === "address.label").map((e) => [e.address.toLowerCase(), t(e)]));
  const chain = events.filter((e): e is Of<"chain.transfer"> => e.type === "chain.transfer");
  const into = new Map<string, Of<"chain.transfer">[]>();
  for (const c of chain) into.set(c.toAddress.toLowerCase(), [...(into.get(c.toAddress.toLowerCase()) ?? []), c]);
  /** Fewest moves back from `addr` to a labelled address whose label came before the move out of it. */
  const hopsBack = (addr: string, before: number, depth: number): number => {
    if (labelled.has(addr) && labelled.get(addr)! <= before) return 0;
    if (depth === 0) return Infinity;
    let best = Infinity;
    for (const c of into.get(addr) ?? []) if (t(c) < before) best = Math.min(best, 1 + hopsBack(c.fromAddress.toLowerCase(), t(c), depth - 1));
    return best;
  };
  const labels = of("illicit-exposure");
  assert.ok(labels.length >= 5);
  let heists = 0;
  for (const l of labels) {
    const mv = labelEvents(l).find((e): e is Of<"deposit"> | Of<"withdrawal"> => e.type === "deposit" || e.type === "withdrawal")!;
    if (mv.type === "deposit") {
      const hops = 1 + hopsBack(mv.fromAddress!.toLowerCase(), t(mv), 3);
      assert.ok(hops <= 3, `${l.injectionId}: ${hops} hops`);
      if (hops >= 2) heists++;
    } else {
      const to = mv.toAddress!.toLowerCase();
      const reaches = labelled.has(to) || chain.some((c) => c.fromAddress.toLowerCase() === to && labelled.has(c.toAddress.toLowerCase()) && t(c) > t(mv));
      assert.ok(reaches, `${l.injectionId}: the withdrawal reaches no labelled address`);
    }
  }
  assert.ok(heists >= 3, "heist deposits at 2–3 hops");
  // one heist reaches several exchanges
  const venues = new Map<string, Set<string>>();
  for (const l of labels) {
    const lab = labelEvents(l).find((e) => e.type === "address.label");
    if (lab !== undefined) venues.set(keyOf(lab), new Set([...(venues.get(keyOf(lab)) ?? []), l.accounts[0]!.split("-")[0]!]));
  }
  assert.ok([...venues.values()].some((s) => s.size >= 2), "a heist reaches deposit addresses at several exchanges");
});

test("dormant-reactivation: the account did nothing for ≥ 180 days, logs in on a device it never used, and most of its balance leaves within a day", () => {
  const labels = of("dormant-reactivation");
  assert.ok(labels.length >= 5);
  for (const l of labels) {
    const a = l.accounts[0]!;
    const from = Date.parse(l.from);
    const mine = events.filter((e) => (e as { accountId?: string }).accountId === a && e.type !== "account.opened" && e.type !== "account.updated");
    const before = mine.filter((e) => t(e) < from);
    assert.ok(before.length > 0, `${l.injectionId}: no history`);
    assert.ok(from - t(before[before.length - 1]!) >= 180 * 86_400_000, `${l.injectionId}: active ${((from - t(before[before.length - 1]!)) / 86_400_000).toFixed(0)} days before`);
    const devices = new Set(before.filter((e): e is Of<"login"> => e.type === "login").map((e) => e.deviceId));
    const wake = labelEvents(l).find((e): e is Of<"login"> => e.type === "login")!;
    assert.ok(!devices.has(wake.deviceId), `${l.injectionId}: the waking device was used before`);
    const funded = before.filter((e): e is Of<"deposit"> => e.type === "deposit").reduce((x, e) => x + num(e.amount), 0);
    const drained = labelEvents(l).filter((e): e is Of<"withdrawal"> => e.type === "withdrawal");
    assert.ok(drained.reduce((x, e) => x + num(e.amount), 0) >= 0.85 * funded, `${l.injectionId}: little drained`);
    assert.ok(t(drained[drained.length - 1]!) - t(wake) <= 24 * 3_600_000);
  }
});

test("spoofing-layering: baits rest under a minute, unfilled, while the same account takes the other side; churners cancel ≥ 50 orders and trade at most twice", () => {
  const labels = of("spoofing-layering");
  assert.ok(labels.length >= 5);
  for (const l of labels) {
    const evs = labelEvents(l);
    const cancels = evs.filter((e): e is Of<"order.cancelled"> => e.type === "order.cancelled");
    const trades = evs.filter((e): e is Of<"trade"> => e.type === "trade");
    if (cancels.length >= 50) {
      assert.ok(trades.length <= 2, l.injectionId);
      continue;
    }
    const placed = new Map(evs.filter((e): e is Of<"order.placed"> => e.type === "order.placed").map((e) => [e.orderId, e]));
    for (const c of cancels) {
      const o = placed.get(c.orderId)!;
      assert.ok(t(c) - t(o) <= 60_000, `${l.injectionId}: rested ${(t(c) - t(o)) / 1000} s`);
      assert.equal(c.remainingQuantity, o.quantity, "unfilled");
      const opposite = trades.some((x) => (o.side === "buy" ? x.sellAccountId : x.buyAccountId) === o.accountId && t(x) >= t(o) && t(x) <= t(c));
      assert.ok(opposite, `${l.injectionId}: no fill on the other side while the bait rested`);
    }
  }
});

test("ineligible-trader: every non-resident's trading is labelled; declared residency contradicts nationality; foreign-looking logins ≥ 5", () => {
  const opened = new Map(events.filter((e): e is Of<"account.opened"> => e.type === "account.opened").map((e) => [e.accountId, e]));
  const labels = of("ineligible-trader");
  const labelled = new Set(labels.flatMap((l) => l.accounts));
  // every non-resident who trades in the period is a label
  for (const e of events) {
    if (e.type !== "order.placed") continue;
    if (opened.get(e.accountId)?.kyc.residency === "non_resident") assert.ok(labelled.has(e.accountId), `non-resident ${e.accountId} trades unlabelled`);
  }
  let misfits = 0;
  let foreign = 0;
  for (const l of labels) {
    const kyc = opened.get(l.accounts[0]!)!.kyc;
    if (kyc.residency === "citizen" && kyc.nationality !== "JP") misfits++;
    const logins = labelEvents(l).filter((e): e is Of<"login"> => e.type === "login");
    if (logins.length >= 5) {
      assert.ok(logins.every((x) => x.country !== "JP" || !(x.language ?? "ja").startsWith("ja")), l.injectionId);
      foreign++;
    }
  }
  assert.ok(misfits >= 2 && foreign >= 2, `${misfits} misfits, ${foreign} used from abroad`);
});

test("cross-border-outflow and profile-mismatch: the lines their variants cross, from the events' own fields", () => {
  for (const l of of("cross-border-outflow")) {
    const w = labelEvents(l).filter((e): e is Of<"withdrawal"> => e.type === "withdrawal");
    const total = w.reduce((x, e) => x + num(e.asset === "JPY" ? e.amount : e.valueJpy), 0);
    const e = w[0]!;
    const country = e.counterpartyCountry;
    const reason =
      country !== undefined && ["KP", "IR", "MM"].includes(country) ? "black" :
      country !== undefined && country !== "JP" && e.channel === "bank" ? (total > 30_000_000 ? "fx" : "") :
      country !== undefined && country !== "JP" ? (total >= 3_000_000 ? "over a line" : "") :
      e.counterpartyVasp !== undefined ? (e.travelRule?.beneficiaryName === undefined || e.travelRule?.originatorName === undefined ? "travel rule" : "") :
      total >= 5_000_000 ? "unhosted" : "";
    assert.notEqual(reason, "", `${l.injectionId}: crosses no line (${l.note})`);
  }
  const opened = new Map(events.filter((e): e is Of<"account.opened"> => e.type === "account.opened").map((e) => [e.accountId, e]));
  for (const l of of("profile-mismatch")) {
    const acct = opened.get(l.accounts[0]!)!;
    const deposits = labelEvents(l).filter((e): e is Of<"deposit"> => e.type === "deposit");
    const inflow = deposits.reduce((x, e) => x + num(e.amount), 0);
    const income = num(acct.kyc.declaredIncomeJpy);
    if (l.note!.startsWith("income-multiple")) assert.ok(inflow >= 3 * income && inflow >= 3_000_000, l.injectionId);
    if (l.note!.startsWith("first-deposit") || l.note!.startsWith("emptied")) assert.ok(t(deposits[0]!) - t(acct) <= 30 * 86_400_000, `${l.injectionId}: not a new account`);
    if (l.note!.startsWith("first-deposit")) assert.ok(inflow >= 5_000_000 && inflow >= income, l.injectionId);
    if (l.note!.startsWith("emptied")) {
      const out = labelEvents(l).filter((e): e is Of<"withdrawal"> => e.type === "withdrawal").reduce((x, e) => x + num(e.valueJpy), 0);
      assert.ok(out >= 0.9 * inflow, `${l.injectionId}: ${out} of ${inflow} out`);
    }
  }
});

test("front-running-listing: an insider buys a coin other venues trade in the week before a venue announces it, three weeks into the period", () => {
  const month = simulate({ seed: 29, people: 300, days: 24, injections: ["front-running-listing"] });
  const evs = [...month.events];
  const keys = new Map(evs.map((e) => [keyOf(e), e]));
  const start = Date.parse(month.stats.from);
  assert.ok(month.labels.length >= 4);
  assert.ok(month.labels.every((l) => l.typology === "front-running-listing"));
  for (const l of month.labels) {
    const mine = l.events!.map((k) => keys.get(k)!);
    const ann = mine.find((e): e is Of<"listing.announced"> => e.type === "listing.announced")!;
    assert.ok(t(ann) - start >= 22 * 86_400_000, `${l.injectionId}: announced ${(t(ann) - start) / 86_400_000} days in`);
    const traded = new Set(evs.filter((e): e is Of<"trade"> => e.type === "trade" && e.market === ann.market).map((e) => e.source));
    assert.ok(!traded.has(ann.source) && traded.size > 0, `${l.injectionId}: ${ann.market} is traded elsewhere, not at ${ann.source}`);
    const buys = mine.filter((e): e is Of<"trade"> => e.type === "trade" && l.accounts.includes(e.buyAccountId) && t(e) < t(ann));
    assert.ok(buys.length >= 3 && buys.every((b) => t(ann) - t(b) <= 7 * 86_400_000));
    const value = buys.reduce((x, b) => x + num(b.price) * num(b.quantity), 0);
    assert.ok(value >= 1_000_000, `${l.injectionId}: ¥${value}`);
    // nothing of that coin bought by them in the three weeks before
    const earlier = evs.filter((e): e is Of<"trade"> => e.type === "trade" && e.market === ann.market && l.accounts.includes(e.buyAccountId) && t(e) < t(buys[0]!));
    assert.equal(earlier.length, 0, `${l.injectionId}: bought it before`);
  }
});
