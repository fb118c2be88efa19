// The injected typologies carry the properties their definitions require, checked from the generated
// events' own figures (exact decimals), and the background does not carry them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MONEY_SCALE, parseMoney, type EventInput, type InjectionLabel } from "../contracts/index.ts";
import { simulate } from "./simulate.ts";
import { REFERENCE_TYPOLOGIES, referenceMatches } from "./oracle.ts";
import { evaluate } from "./evaluate.ts";
import { TYPOLOGIES } from "./inject.ts";
import { injectionsPerTypology } from "./plan.ts";

const sim = simulate({ seed: 21, people: 2_500, days: 3 }); // 5 injections per typology
const events: EventInput[] = [...sim.events];
const byKey = new Map(events.map((e) => [`${e.source}:${e.id}`, e]));
const corporate = new Set(events.filter((e) => e.type === "account.opened" && e.customerType === "corporate").map((e) => (e as { accountId: string }).accountId));
const m = (s: string | undefined): bigint => {
  const v = s === undefined ? undefined : parseMoney(s);
  assert.ok(v !== undefined, `not a decimal: ${s}`);
  return v;
};
const Y = (n: number) => BigInt(n) * MONEY_SCALE;
type Movement = Extract<EventInput, { type: "deposit" | "withdrawal" }>;
const valueOf = (e: Movement) => (e.asset === "JPY" ? m(e.amount) : m(e.valueJpy));
const labelEvents = (l: InjectionLabel) => l.events!.map((k) => byKey.get(k)!);
const of = (typology: string) => sim.labels.filter((l) => l.typology === typology);

test("every typology is injected, in all its variants", () => {
  const want = injectionsPerTypology(2_500);
  for (const t of TYPOLOGIES) {
    if (t === "front-running-listing") assert.equal(of(t).length, 0, "an announcement needs three weeks of history: none in 3 days");
    else if (t === "ineligible-trader") assert.ok(of(t).length >= want, `${t}: ${of(t).length}`); // every non-resident too
    else assert.equal(of(t).length, want, t);
  }
  assert.ok(sim.notes.some((n) => n.startsWith("front-running-listing: 0 of")), "the plan says why front-running has none");
  const st = of("structuring").map((l) => labelEvents(l)[0] as Movement);
  assert.ok(st.some((e) => e.type === "deposit" && e.channel === "bank"));
  assert.ok(st.some((e) => e.type === "deposit" && e.channel === "crypto"));
  assert.ok(st.some((e) => e.type === "withdrawal" && e.channel === "bank"));
  assert.ok(st.some((e) => e.type === "withdrawal" && e.channel === "crypto"));
  const mmt = of("market-moving-transfer").map((l) => labelEvents(l)[0] as Movement);
  assert.ok(mmt.some((e) => corporate.has(e.accountId)) && mmt.some((e) => !corporate.has(e.accountId)));
  assert.ok(mmt.some((e) => e.asset === "JPY"));
  const thin = mmt.filter((e) => ["XEM", "MONA", "FNCT", "BRIL"].includes(e.asset)).length;
  assert.ok(thin > mmt.length / 2, "mostly thin markets");
});

test("structuring: 3–6 movements of one account, one direction, each in [80%, 100%) of the line, within 7 days, together over it", () => {
  for (const l of of("structuring")) {
    const evs = labelEvents(l) as Movement[];
    assert.ok(evs.length >= 3 && evs.length <= 6, `${l.injectionId}: ${evs.length} movements`);
    const first = evs[0]!;
    const line = first.channel === "bank" ? Y(2_000_000) : Y(100_000);
    let sum = 0n;
    for (const e of evs) {
      assert.equal(e.type, first.type);
      assert.equal(e.channel, first.channel);
      assert.equal(e.accountId, l.accounts[0]);
      const v = valueOf(e);
      assert.ok(v * 10n >= line * 8n && v < line, `${l.injectionId}: ${e.valueJpy ?? e.amount} is not in the band`);
      sum += v;
    }
    assert.ok(sum > line);
    const span = Date.parse(evs[evs.length - 1]!.ts) - Date.parse(first.ts);
    assert.ok(span <= 7 * 86_400_000 && span >= 3 * 3_600_000, `${l.injectionId}: spread over ${span / 3_600_000} h`);
  }
  // with a multi-day period, some are spread over days
  assert.ok(of("structuring").some((l) => Date.parse(l.to) - Date.parse(l.from) > 86_400_000));
});

test("pass-through: a deposit ≥ ¥500,000, ≥ 80% withdrawn within 24 h, < 10% traded in between", () => {
  for (const l of of("pass-through")) {
    const evs = labelEvents(l);
    const dep = evs[0] as Movement;
    assert.equal(dep.type, "deposit");
    const v = valueOf(dep);
    assert.ok(v >= Y(500_000));
    const t0 = Date.parse(dep.ts);
    const outs = evs.filter((e): e is Movement => e.type === "withdrawal");
    assert.ok(outs.length >= 1);
    let out = 0n;
    let last = t0;
    for (const w of outs) {
      const t = Date.parse(w.ts);
      assert.ok(t > t0 && t - t0 <= 24 * 3_600_000, `${l.injectionId}: withdrawal ${(t - t0) / 3_600_000} h after`);
      out += valueOf(w);
      last = Math.max(last, t);
    }
    assert.ok(out * 10n >= v * 8n, `${l.injectionId}: only ${out * 100n / v}% withdrawn`);
    // every trade of the account between deposit and last withdrawal, from the whole stream
    let traded = 0n;
    for (const e of events) {
      if (e.type !== "trade" || (e.buyAccountId !== l.accounts[0] && e.sellAccountId !== l.accounts[0])) continue;
      const t = Date.parse(e.ts);
      if (t > t0 && t <= last) traded += (m(e.quantity) * m(e.price)) / MONEY_SCALE;
    }
    assert.ok(traded * 10n < v, `${l.injectionId}: traded ${traded / MONEY_SCALE} of ${v / MONEY_SCALE}`);
  }
});

test("market-moving transfer: over the line against the latest snapshot, whichever venue's snapshot is read", () => {
  // latest snapshot per market (any source) and per (source, market), as the stream goes
  const latest = new Map<string, Extract<EventInput, { type: "market.snapshot" }>>();
  const wanted = new Map(of("market-moving-transfer").map((l) => [l.events![0]!, l]));
  let checked = 0;
  for (const e of events) {
    if (e.type === "market.snapshot") {
      latest.set(e.market, e);
      latest.set(`${e.source}|${e.market}`, e);
      continue;
    }
    const l = wanted.get(`${e.source}:${e.id}`);
    if (l === undefined) continue;
    const mv = e as Movement;
    const corp = corporate.has(mv.accountId);
    for (const key of mv.asset === "JPY" ? ["BTC/JPY", `${e.source}|BTC/JPY`] : [`${mv.asset}/JPY`, `${e.source}|${mv.asset}/JPY`]) {
      const s = latest.get(key);
      assert.ok(s !== undefined, `${l.injectionId}: no snapshot ${key}`);
      assert.ok(Date.parse(s.ts) < Date.parse(e.ts));
      if (mv.asset === "JPY") {
        assert.equal(mv.type, "deposit");
        assert.equal(mv.channel, "bank");
        const depthJpy = (m(s.depthAsk1pct) * m(s.midPrice)) / MONEY_SCALE;
        const v = m(mv.amount);
        assert.ok(corp ? v >= depthJpy : v * 2n >= depthJpy, `${l.injectionId}: ¥${v / MONEY_SCALE} vs depth ¥${depthJpy / MONEY_SCALE}`);
      } else {
        assert.equal(mv.channel, "crypto");
        const q = m(mv.amount);
        const depth = m(mv.type === "deposit" ? s.depthBid1pct : s.depthAsk1pct);
        const vol = m(s.volume24h);
        const hit = corp ? q >= depth || q * 10n >= vol : q * 2n >= depth || q * 100n >= vol * 5n;
        assert.ok(hit, `${l.injectionId}: ${mv.amount} ${mv.asset} vs depth ${depth / MONEY_SCALE}`);
        if (corp) assert.ok(q * 2n >= depth, "a corporate's transfer also crosses the individual line");
      }
    }
    checked++;
  }
  assert.equal(checked, wanted.size);
});

test("reference rules find every injection and nothing in the background, under every reading", () => {
  const owner = new Map<string, string>();
  for (const p of sim.people) for (const a of p.accounts) owner.set(a.accountId, p.personId);
  for (const snapshotScope of ["market", "source"] as const) {
    for (const perPerson of [false, true]) {
      const matches = referenceMatches(events, { snapshotScope, ...(perPerson ? { subjectOf: (a: string) => owner.get(a)! } : {}) });
      const alerts = matches.map((x) => ({ typology: x.typology, accounts: x.accounts, subject: { kind: "account" as const, id: x.accounts[0]! }, ts: x.ts }));
      for (const t of REFERENCE_TYPOLOGIES) {
        const r = evaluate(sim.labels, alerts, t);
        const reading = `${t} (snapshot per ${snapshotScope}, subject per ${perPerson ? "person" : "account"})`;
        assert.equal(r.recall, 1, `${reading}: recall ${r.recall}`);
        assert.equal(r.precision, 1, `${reading}: ${r.alerts - r.truePositive} background alerts`);
      }
    }
  }
});

test("the background re-plans few people and the numbers are reported", () => {
  const b = sim.stats.background;
  assert.ok(b.replanned <= sim.stats.people * 0.01, JSON.stringify(b));
  assert.equal(b.dropped, 0);
});
