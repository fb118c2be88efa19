// Background transfers inside a venue, on-chain moves around the exchanges, listing announcements:
// present, consistent with the rest of the stream, and not the shapes the injected typologies have.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MONEY_SCALE, parseEvent, parseMoney, type EventInput } from "../contracts/index.ts";
import { referenceMatches } from "./oracle.ts";
import { simulate } from "./simulate.ts";

type Of<T extends EventInput["type"]> = Extract<EventInput, { type: T }>;

const sim = simulate({ seed: 17, people: 3_000, days: 3 });
const events: EventInput[] = [...sim.events];
const start = Date.parse(sim.stats.from);
const end = Date.parse(sim.stats.to);
const of = <T extends EventInput["type"]>(type: T): Of<T>[] => events.filter((e): e is Of<T> => e.type === type);
const ownerOf = new Map<string, string>();
for (const p of sim.people) for (const a of p.accounts) ownerOf.set(a.accountId, p.personId);
const person = new Map(sim.people.map((p) => [p.personId, p]));
const injectedAccounts = new Set(sim.labels.flatMap((l) => l.accounts));
const injectedPeople = new Set(sim.labels.map((l) => l.entity));
const injectedKeys = new Set(sim.labels.flatMap((l) => l.events ?? []));
/** Addresses injected events name (a heist's trail, a sanctioned sender, a scam recipient). */
const injectedAddresses = new Set<string>();
for (const e of events) {
  if (!injectedKeys.has(`${e.source}:${e.id}`)) continue;
  const x = e as { fromAddress?: string; toAddress?: string; address?: string };
  for (const a of [x.fromAddress, x.toAddress, x.address]) if (a !== undefined) injectedAddresses.add(a.toLowerCase());
}
const opened = new Map(of("account.opened").map((e) => [e.accountId, Date.parse(e.ts)]));
const yen = (s: string | undefined) => Number((parseMoney(s ?? "0") ?? 0n) / MONEY_SCALE);

test("the new event types parse and are counted", () => {
  for (const t of ["transfer", "chain.transfer", "listing.announced"] as const) {
    const list = of(t);
    assert.ok(list.length > 0, `no ${t}`);
    for (const e of list) {
      const r = parseEvent(e);
      if (!r.ok) assert.fail(`${t} ${e.id}: ${JSON.stringify(r.issues)}`);
    }
  }
  assert.equal(events.length, sim.stats.events);
});

test("transfers: inside one venue, between old accounts of family, friends or one owner, small between people", () => {
  const kinds = { family: 0, friend: 0, own: 0 };
  for (const e of of("transfer")) {
    if (injectedKeys.has(`${e.source}:${e.id}`)) continue; // an injection's own transfer (graph patterns)
    const from = ownerOf.get(e.fromAccountId)!;
    const to = ownerOf.get(e.toAccountId)!;
    assert.ok(from !== undefined && to !== undefined, `${e.id}: unknown account`);
    assert.notEqual(e.fromAccountId, e.toAccountId);
    // one venue: both accounts at the event's source
    const at = (acct: string, p: string) => person.get(p)!.accounts.find((a) => a.accountId === acct)!.source;
    assert.equal(at(e.fromAccountId, from), e.source);
    assert.equal(at(e.toAccountId, to), e.source);
    const t = Date.parse(e.ts);
    for (const a of [e.fromAccountId, e.toAccountId]) assert.ok(t - opened.get(a)! >= 30 * 86_400_000, `${e.id}: ${a} is younger than 30 days`);
    assert.ok(t >= start && t < end);
    assert.ok(!injectedAccounts.has(e.fromAccountId) && !injectedAccounts.has(e.toAccountId), `${e.id} touches an injected account`);
    const value = yen(e.valueJpy);
    assert.ok(value > 0);
    if (e.asset === "JPY") assert.equal(yen(e.amount), value);
    if (from === to) kinds.own++;
    else {
      assert.ok(value <= 300_000, `${e.id}: ¥${value} to another person`);
      if ((person.get(from)!.relations ?? []).some((r) => r.personId === to)) kinds.family++;
      else kinds.friend++;
    }
  }
  assert.ok(kinds.family > 0 && kinds.friend > 0 && kinds.own > 0, JSON.stringify(kinds));
  assert.ok(sim.stats.contacts.subAccounts > 0);
});

test("on chain: every crypto deposit lands first and is swept later, withdrawals are broadcast after, all with the same tx hash", () => {
  const chain = of("chain.transfer");
  const byHash = new Map<string, Of<"chain.transfer">[]>();
  for (const c of chain) byHash.set(c.txHash, [...(byHash.get(c.txHash) ?? []), c]);
  const depositAddresses = new Set<string>();
  const hot = new Set<string>();
  let deposits = 0;
  let withdrawals = 0;
  let mirrored = 0;
  for (const e of [...of("deposit"), ...of("withdrawal")]) {
    if (e.channel !== "crypto") continue;
    const m = byHash.get(e.txHash!) ?? [];
    if (e.type === "deposit") {
      deposits++;
      assert.equal(m.length, 1, `deposit ${e.id}: ${m.length} on-chain transactions`);
      const c = m[0]!;
      assert.ok(Date.parse(c.ts) <= Date.parse(e.ts), `deposit ${e.id} credited before it landed`);
      assert.equal(c.fromAddress, e.fromAddress);
      assert.equal(c.amount, e.amount);
      assert.equal(c.asset, e.asset);
      depositAddresses.add(c.toAddress);
    } else {
      withdrawals++;
      if (m.length === 0) continue;
      mirrored++;
      const c = m[0]!;
      assert.ok(Date.parse(c.ts) >= Date.parse(e.ts));
      assert.equal(c.toAddress, e.toAddress);
      assert.equal(c.amount, e.amount);
      hot.add(c.fromAddress);
    }
  }
  assert.ok(deposits > 20 && withdrawals > 20);
  assert.ok(mirrored / withdrawals > 0.9, `${mirrored} of ${withdrawals} withdrawals on chain`);
  const sweeps = chain.filter((c) => depositAddresses.has(c.fromAddress));
  assert.ok(sweeps.length > deposits * 0.5, `${sweeps.length} sweeps for ${deposits} deposits`);
  // sweeps go to a few hot wallets (one per venue and chain), the ones withdrawals are paid from
  const targets = new Set(sweeps.map((s) => s.toAddress));
  assert.ok(targets.size <= 30, `${targets.size} sweep targets`);
  assert.ok([...targets].filter((t) => hot.has(t)).length >= targets.size * 0.6, "sweeps do not go to hot wallets");
  const exchangeHashes = new Set([...of("deposit"), ...of("withdrawal")].map((e) => e.txHash));
  const custody = chain.filter((c) => !exchangeHashes.has(c.txHash) && !depositAddresses.has(c.fromAddress) && (hot.has(c.fromAddress) || hot.has(c.toAddress)));
  assert.ok(custody.some((c) => hot.has(c.fromAddress)) && custody.some((c) => hot.has(c.toAddress)), "no moves between hot and cold wallets");
  const known = new Set([...depositAddresses, ...hot, ...custody.flatMap((c) => [c.fromAddress, c.toAddress])]);
  const unhosted = chain.filter((c) => !exchangeHashes.has(c.txHash) && !known.has(c.fromAddress) && !known.has(c.toAddress));
  assert.ok(unhosted.length > 50, `${unhosted.length} background moves between unhosted addresses`);
  // block heights grow with time on each chain
  const last = new Map<string, number>();
  for (const c of chain) {
    const h = c.blockHeight!;
    assert.ok(h >= (last.get(c.network) ?? 0), `${c.network} height goes back at ${c.id}`);
    last.set(c.network, h);
  }
  // nothing on chain touches a labelled address but what an injection moved (illicit exposure)
  const labelled = new Set(of("address.label").map((l) => l.address.toLowerCase()));
  for (const c of chain) {
    const touches = [c.fromAddress, c.toAddress].map((a) => a.toLowerCase()).filter((a) => labelled.has(a));
    for (const a of touches) assert.ok(injectedAddresses.has(a), `${c.id} touches a labelled address no injection names`);
  }
});

test("injected crypto movements are on chain the same way (no tell)", () => {
  const hashes = new Set(of("chain.transfer").map((c) => c.txHash));
  const byKey = new Map(events.map((e) => [`${e.source}:${e.id}`, e]));
  let n = 0;
  for (const l of sim.labels) {
    for (const k of l.events ?? []) {
      const e = byKey.get(k)!;
      if ((e.type === "deposit" || e.type === "withdrawal") && e.channel === "crypto") {
        n++;
        if (e.type === "deposit") assert.ok(hashes.has(e.txHash!), `${k} not on chain`);
      }
    }
  }
  assert.ok(n > 5);
  assert.ok(injectedPeople.size > 0);
});

test("listings: venues' current thin markets were announced before the period; new tokens are announced, not traded, listed later", () => {
  const traded = new Set(of("market.snapshot").map((s) => `${s.source}|${s.market}`));
  const simulated = new Set(of("market.snapshot").map((s) => s.market));
  const list = of("listing.announced");
  assert.ok(list.some((l) => Date.parse(l.ts) < start && traded.has(`${l.source}|${l.market}`)), "no past listing of a market the venue trades");
  for (const l of list) {
    assert.equal(l.announcedAt, l.ts);
    assert.equal(l.market, `${l.asset}/JPY`);
    if (simulated.has(l.market)) {
      assert.ok(traded.has(`${l.source}|${l.market}`), `${l.id}: ${l.market} announced at ${l.source} but never traded there`);
      assert.ok(l.listingAt !== undefined && Date.parse(l.listingAt) < start && Date.parse(l.listingAt) >= Date.parse(l.ts));
    } else {
      assert.ok(l.listingAt === undefined || Date.parse(l.listingAt) >= end, `${l.id}: ${l.market} listed inside the period without trading`);
    }
  }
  // over ten days a few announcements fall inside the period
  const long = simulate({ seed: 17, people: 200, days: 10 });
  const lStart = Date.parse(long.stats.from);
  const inside = [...long.events].filter((e) => e.type === "listing.announced" && Date.parse(e.ts) >= lStart);
  assert.ok(inside.length >= 2, `${inside.length} announcements in ten days`);
});

test("a clean population with transfers and on-chain moves still has nothing the reference rules flag", () => {
  const clean = simulate({ seed: 23, people: 1_500, days: 3, injections: false });
  const list = [...clean.events];
  assert.ok(list.some((e) => e.type === "transfer") && list.some((e) => e.type === "chain.transfer"));
  const owner = new Map<string, string>();
  for (const p of clean.people) for (const a of p.accounts) owner.set(a.accountId, p.personId);
  for (const snapshotScope of ["market", "source"] as const) {
    assert.deepEqual(referenceMatches(list, { snapshotScope }), []);
    assert.deepEqual(referenceMatches(list, { snapshotScope, subjectOf: (a) => owner.get(a) ?? a }), []);
  }
});
