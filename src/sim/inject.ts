// Injected typologies, built to the detectors' definitions with margin on every line, and labelled
// (labels.ndjson) with the accounts, the person behind them, the time span and the event keys.
//
//  structuring             3–6 deposits (or withdrawals) of one account within days, each 83–97% of
//                          the reporting line (bank ¥2,000,000; crypto ¥100,000 by valueJpy).
//  pass-through            a deposit of ¥600,000–¥10,000,000 of which 85–98% leaves again within
//                          1–20 hours, with at most a token trade (< 2% of it) in between.
//  market-moving-transfer  one crypto transfer of 1.3–2.5× the largest venue's depth line on the side
//                          it would hit (50% of depth for individuals, 100% for corporates), mostly in
//                          thin markets; or a yen bank deposit of 1.3–2.5× the line against the
//                          BTC/JPY ask-side depth in yen.
//
// The people injected do nothing else with money during the period (their background movements are
// switched off, and for pass-through their trading too), so what a detector sees on them is the
// injection alone.
import type { EventInput, InjectionLabel } from "../contracts/index.ts";
import { broadcastDelay, confirmationDelay, sweepDelay, within } from "./chain.ts";
import { RESEARCH_FIRMS } from "./data/sources.ts";
import type { EventFactory, MovementSpec } from "./factory.ts";
import type { IdAllocator } from "./ids.ts";
import { formatNumber, type AssetSeries, type Markets } from "./market.ts";
import type { Account, Population } from "./population.ts";
import type { Session } from "./plan-types.ts";
import { Rng } from "./rng.ts";
import { HOUR, MINUTE, jst, offGrid } from "./time.ts";

export const TYPOLOGIES = ["structuring", "pass-through", "market-moving-transfer"] as const;
export type Typology = (typeof TYPOLOGIES)[number];

export interface InjectionPlan {
  labels: InjectionLabel[];
  sessions: Session[];
  /** People whose background money movements are switched off. */
  quiet: Set<number>;
  /** People whose background trading is switched off too. */
  noTrading: Set<number>;
  counts: Record<Typology, number>;
}

export interface InjectContext {
  seed: number;
  start: number;
  end: number;
  markets: Markets;
  pop: Population;
  ids: IdAllocator;
  factory: EventFactory;
}

const CHAIN = RESEARCH_FIRMS.chain;
const yen = (v: number) => `¥${Math.round(v).toLocaleString("en-US")}`;
const hours = (ms: number) => (ms >= 48 * HOUR ? `${(ms / (24 * HOUR)).toFixed(1)} days` : `${(ms / HOUR).toFixed(1)} h`);

export function planInjections(ctx: InjectContext, perTypology: number): InjectionPlan {
  const rng = Rng.derive(ctx.seed, "inject");
  const plan: InjectionPlan = { labels: [], sessions: [], quiet: new Set(), noTrading: new Set(), counts: { structuring: 0, "pass-through": 0, "market-moving-transfer": 0 } };
  const period = ctx.end - ctx.start;
  const used = new Set<number>();
  const { pop, markets, factory, ids } = ctx;
  const majors = ["BTC", "ETH", "XRP"];

  /** A random account matching `ok`, of a person not injected yet, that exists before `before`. */
  const pickAccount = (ok: (a: Account) => boolean, before: number): Account | undefined => {
    for (let tries = 0; tries < 20_000; tries++) {
      const a = pop.accounts[rng.int(0, pop.accounts.length - 1)]!;
      if (a.segment === "market-maker" || used.has(a.owner) || a.openedAt >= before - HOUR || !ok(a)) continue;
      return a;
    }
    return undefined;
  };
  const claim = (a: Account, noTrading: boolean) => {
    used.add(a.owner);
    plan.quiet.add(a.owner);
    if (noTrading) plan.noTrading.add(a.owner);
  };
  const listedMajor = (a: Account): AssetSeries => {
    const l = markets.listed[a.exchange]!.filter((s) => majors.includes(s.def.asset));
    return rng.pick(l);
  };

  type Fixed = { t: number; e: EventInput };
  const events: Fixed[] = [];
  const keyOf = (e: EventInput) => `${e.source}:${e.id}`;
  const login = (a: Account, t: number): Fixed => {
    const tl = offGrid(t - Math.floor(rng.range(1, 10) * MINUTE), ctx.start);
    return { t: tl, e: factory.login(ids.next(factory.source(a), "lg"), tl, a, rng) };
  };
  /** Logins come before the first event of a movement (for a crypto deposit, before its transaction lands on chain). */
  const firstOf = new Map<Fixed, number>();
  const loginFor = (a: Account, f: Fixed): Fixed => {
    const l = login(a, firstOf.get(f) ?? f.t);
    // an account opened shortly before (a mule's) was opened before this login too
    if (a.openedAt >= l.t - MINUTE) a.openedAt = l.t - MINUTE - Math.floor(rng.range(0, 30 * MINUTE));
    return l;
  };
  /** A deposit or withdrawal, with its on-chain side timed as the background's (chain.ts) added to the events. */
  const move = (a: Account, t: number, m: MovementSpec): Fixed => {
    const prefix = m.kind === "deposit" ? "dp" : "wd";
    const f: Fixed = { t, e: factory.movement(ids.next(factory.source(a), prefix), t, a, m, rng) };
    if (m.channel === "crypto") {
      const asset = markets.asset(m.asset);
      if (m.kind === "deposit") {
        const tc = offGrid(t - confirmationDelay(rng, asset.def.network), ctx.start);
        firstOf.set(f, tc);
        events.push({ t: tc, e: factory.chainMirror(ids.next(CHAIN, "ct"), tc, a, f.e) });
        const sweep = within(t, sweepDelay(rng), ctx.start, ctx.end);
        if (sweep !== undefined) events.push({ t: sweep, e: factory.depositSweep(ids.next(CHAIN, "ct"), sweep, a, f.e, rng) });
      } else {
        const sent = within(t, broadcastDelay(rng), ctx.start, ctx.end);
        if (sent !== undefined) events.push({ t: sent, e: factory.chainMirror(ids.next(CHAIN, "ct"), sent, a, f.e) });
      }
    }
    return f;
  };
  const cryptoOf = (asset: AssetSeries, a: Account, t: number, value: number): { amount: string; value: number } => {
    const price = markets.mid(asset, a.exchange, t);
    const amount = formatNumber(Math.max(10 ** -asset.def.qtyDp, value / price), asset.def.qtyDp);
    return { amount, value: Math.round(Number(amount) * price) };
  };
  const label = (typology: Typology, a: Account, injected: Fixed[], note: string) => {
    plan.counts[typology]++;
    const times = injected.map((f) => f.t).sort((x, y) => x - y);
    plan.labels.push({
      injectionId: `${typology}-${String(plan.counts[typology]).padStart(4, "0")}`,
      typology,
      accounts: [a.id],
      entity: pop.people[a.owner]!.personId,
      from: jst(times[0]!),
      to: jst(times[times.length - 1]!),
      events: injected.map((f) => keyOf(f.e)),
      note,
    });
  };
  /** n sorted times: the first at t0, the last at t0 + span, neighbours at least `gap` apart (span ≥ (n − 1) × gap). */
  const spread = (t0: number, span: number, n: number, gap: number): number[] => {
    if (n === 1) return [offGrid(t0, ctx.start)];
    const free = Math.max(0, span - (n - 1) * gap);
    const w = Array.from({ length: n - 1 }, () => rng.range(0.2, 1));
    const total = w.reduce((x, y) => x + y, 0);
    const out = [t0];
    for (const x of w) out.push(out[out.length - 1]! + gap + (free * x) / total);
    return out.map((t) => offGrid(Math.floor(t), ctx.start));
  };

  // ----- structuring: bank deposits, crypto deposits, bank withdrawals, crypto withdrawals
  for (let i = 0; i < perTypology; i++) {
    const kind = i % 4;
    const channel = kind === 0 || kind === 2 ? "bank" : "crypto";
    const dir = kind < 2 ? "deposit" : "withdrawal";
    const n = rng.int(3, 6);
    const span = period >= 2 * 24 * HOUR ? rng.range(24 * HOUR, Math.min(5 * 24 * HOUR, period - 4 * HOUR)) : rng.range(3 * HOUR, Math.min(18 * HOUR, period - 2 * HOUR));
    const t0 = ctx.start + Math.floor(rng.range(30 * MINUTE, period - span - 30 * MINUTE));
    const a = pickAccount((x) => !x.corporate, t0);
    if (a === undefined) continue;
    claim(a, false);
    const line = channel === "bank" ? 2_000_000 : 100_000;
    const asset = channel === "crypto" ? listedMajor(a) : undefined;
    const injected: Fixed[] = [];
    const values: number[] = [];
    for (const t of spread(t0, Math.floor(span), n, 20 * MINUTE)) {
      let m: MovementSpec;
      if (asset === undefined) {
        const v = Math.round((line * rng.range(0.83, 0.97)) / 1_000) * 1_000;
        m = { kind: dir, channel: "bank", asset: "JPY", amount: String(v), value: v };
      } else {
        const c = cryptoOf(asset, a, t, line * rng.range(0.84, 0.96));
        m = { kind: dir, channel: "crypto", asset: asset.def.asset, amount: c.amount, value: c.value };
      }
      values.push(m.value);
      const f = move(a, t, m);
      events.push(loginFor(a, f));
      injected.push(f);
      events.push(f);
    }
    const sorted = [...values].sort((x, y) => x - y);
    label("structuring", a, injected, `${n} ${channel} ${dir}s of ${yen(sorted[0]!)}–${yen(sorted[sorted.length - 1]!)} (line ${yen(line)}) within ${hours(injected[injected.length - 1]!.t - injected[0]!.t)}`);
  }

  // ----- pass-through: a deposit, most of it out again within hours, hardly any trading
  for (let i = 0; i < perTypology; i++) {
    const variant = i % 3; // 0: bank in → crypto out; 1: crypto in → crypto out; 2: bank in → bank and crypto out
    const tD = offGrid(ctx.start + Math.floor(rng.range(30 * MINUTE, Math.max(40 * MINUTE, period - 6 * HOUR))), ctx.start);
    const lastMax = Math.min(tD + 20 * HOUR, ctx.end - 30 * MINUTE);
    const last = offGrid(tD + Math.floor(rng.range(Math.min(1 * HOUR, (lastMax - tD) / 2), lastMax - tD)), ctx.start);
    const mule = rng.chance(0.3);
    const a = pickAccount((x) => !x.corporate && x.segment !== "whale", mule ? ctx.end : tD);
    if (a === undefined) continue;
    claim(a, true);
    if (mule) a.openedAt = Math.max(ctx.start - 20 * 24 * HOUR, tD - Math.floor(rng.range(30 * MINUTE, 6 * HOUR)));
    const V = Math.round(Math.min(10_000_000, Math.max(600_000, rng.logNormal(2_500_000, 0.7))) / 10_000) * 10_000;
    const injected: Fixed[] = [];
    const inAsset = variant === 1 ? listedMajor(a) : undefined;
    let depositValue = V;
    if (inAsset === undefined) {
      injected.push(move(a, tD, { kind: "deposit", channel: "bank", asset: "JPY", amount: String(V), value: V }));
    } else {
      const c = cryptoOf(inAsset, a, tD, V);
      depositValue = c.value;
      injected.push(move(a, tD, { kind: "deposit", channel: "crypto", asset: inAsset.def.asset, amount: c.amount, value: c.value }));
    }
    events.push(loginFor(a, injected[0]!));
    // withdrawal legs: 85–98% of the deposit in 1–4 pieces, none of them near a structuring line
    const share = rng.range(0.85, 0.98);
    let pieces: number[] = [];
    for (let tries = 0; ; tries++) {
      const k = tries > 30 ? 1 : rng.int(1, 4);
      const w = Array.from({ length: k }, () => rng.range(0.5, 1.5));
      const sum = w.reduce((x, y) => x + y, 0);
      pieces = w.map((x) => (depositValue * share * x) / sum);
      const nearLine = pieces.some((p) => (p >= 1_400_000 && p <= 2_100_000) || (p >= 70_000 && p <= 110_000) || p < 120_000);
      if (!nearLine || k === 1) break;
    }
    const times = spread(tD + 10 * MINUTE, Math.max(pieces.length * 25 * MINUTE, last - tD - 10 * MINUTE), pieces.length + 1, 20 * MINUTE).slice(1);
    // a token trade (< 2% of the deposit) between deposit and first withdrawal, sometimes
    const tradeEvents: Fixed[] = [];
    if (rng.chance(0.4)) {
      const asset = listedMajor(a);
      const tt = offGrid(tD + Math.floor((times[0]! - tD) * rng.range(0.2, 0.8)), ctx.start);
      const price = markets.mid(asset, a.exchange, tt) * (1 + asset.def.halfSpread);
      const qty = formatNumber(Math.max(10 ** -asset.def.qtyDp, (depositValue * rng.range(0.003, 0.015)) / price), asset.def.qtyDp);
      const src = factory.source(a);
      const orderId = ids.next(src, "od");
      const q = factory.quoteIndex(tt);
      const mm = pop.accounts[pop.marketMakers[a.exchange]!]!;
      const px = formatNumber(price, asset.def.pxDp);
      tradeEvents.push({ t: tt, e: factory.orderPlaced(orderId, tt, a, asset.def.market, "buy", "market", qty) });
      tradeEvents.push({
        t: tt,
        e: factory.trade(ids.next(src, "tr"), tt, src, asset.def.market, px, qty, { account: a.id, order: orderId }, { account: mm.id, order: factory.quoteId(a.exchange, q, asset.index, "sell") }, "buy"),
      });
    }
    let out = 0;
    pieces.forEach((p, j) => {
      const t = times[j]!;
      const bankLeg = variant === 2 && j === 0;
      if (bankLeg) {
        const v = Math.round(p / 1_000) * 1_000;
        out += v;
        injected.push(move(a, t, { kind: "withdrawal", channel: "bank", asset: "JPY", amount: String(v), value: v }));
      } else {
        const asset = variant === 1 && inAsset !== undefined && rng.chance(0.6) ? inAsset : listedMajor(a);
        const c = cryptoOf(asset, a, t, p);
        out += c.value;
        injected.push(move(a, t, { kind: "withdrawal", channel: "crypto", asset: asset.def.asset, amount: c.amount, value: c.value }));
      }
    });
    const all = [...injected, ...tradeEvents].sort((x, y) => x.t - y.t);
    events.push(...all);
    const inWhat = inAsset === undefined ? "bank deposit" : `${inAsset.def.asset} deposit`;
    label(
      "pass-through",
      a,
      all,
      `${inWhat} of ${yen(depositValue)} then ${pieces.length} withdrawal(s) of ${yen(out)} (${((out / depositValue) * 100).toFixed(1)}%) within ${hours(injected[injected.length - 1]!.t - tD)}` +
        (tradeEvents.length > 0 ? ", one token trade in between" : ", no trading in between") +
        (mule ? "; account opened shortly before" : ""),
    );
  }

  // ----- market-moving transfers
  const variants: { what: "thin" | "major" | "jpy"; dir: "deposit" | "withdrawal"; corporate: boolean }[] = [
    { what: "thin", dir: "deposit", corporate: false },
    { what: "thin", dir: "withdrawal", corporate: true },
    { what: "thin", dir: "deposit", corporate: true },
    { what: "jpy", dir: "deposit", corporate: false },
    { what: "thin", dir: "withdrawal", corporate: false },
    { what: "major", dir: "withdrawal", corporate: false },
    { what: "thin", dir: "deposit", corporate: false },
    { what: "jpy", dir: "deposit", corporate: true },
    { what: "major", dir: "deposit", corporate: true },
    { what: "thin", dir: "withdrawal", corporate: false },
  ];
  for (let i = 0; i < perTypology; i++) {
    const v = variants[i % variants.length]!;
    const t = offGrid(ctx.start + Math.floor(rng.range(30 * MINUTE, period - 30 * MINUTE)), ctx.start);
    const wantTier = v.what === "major" ? "major" : "thin";
    let a = pickAccount((x) => x.corporate === v.corporate && (v.what === "jpy" || markets.listed[x.exchange]!.some((s) => s.def.tier === wantTier)), t);
    if (a === undefined && v.corporate) a = pickAccount((x) => !x.corporate && (v.what === "jpy" || markets.listed[x.exchange]!.some((s) => s.def.tier === wantTier)), t);
    if (a === undefined) continue;
    claim(a, false);
    const who = a.corporate ? "corporate" : "individual";
    const depthShare = a.corporate ? 1 : 0.5;
    const injected: Fixed[] = [];
    let note: string;
    if (v.what === "jpy") {
      const line = depthShare * markets.askDepthJpy(t, "max");
      const value = Math.ceil((line * rng.range(1.3, 2.5)) / 10_000) * 10_000;
      injected.push(move(a, t, { kind: "deposit", channel: "bank", asset: "JPY", amount: String(value), value }));
      note = `bank deposit of ${yen(value)} by ${who === "corporate" ? "a corporate" : "an individual"}: ${(value / line).toFixed(2)}× the largest BTC/JPY ask-depth line (${depthShare * 100}% of depth in yen)`;
    } else {
      const choices = markets.listed[a.exchange]!.filter((s) => s.def.tier === wantTier);
      const asset = rng.pick(choices);
      const side = v.dir === "deposit" ? "bid" : "ask";
      const line = markets.highestDepthLine(asset, side, t, depthShare);
      const factor = rng.range(1.3, 2.5);
      const dp = asset.def.qtyDp;
      const amount = formatNumber(Math.ceil(line * factor * 10 ** dp) / 10 ** dp, dp);
      const value = Math.round(Number(amount) * markets.mid(asset, a.exchange, t));
      injected.push(move(a, t, { kind: v.dir, channel: "crypto", asset: asset.def.asset, amount, value }));
      note = `${asset.def.asset} ${v.dir} of ${amount} (${yen(value)}) by ${who === "corporate" ? "a corporate" : "an individual"}: ${factor.toFixed(2)}× the largest ${side}-side depth line (${depthShare * 100}% of depth within 1% of mid) on ${asset.def.market}`;
    }
    events.push(loginFor(a, injected[0]!), ...injected);
    label("market-moving-transfer", a, injected, note);
  }

  if (events.length > 0) {
    events.sort((x, y) => x.t - y.t);
    plan.sessions.push({ kind: "fixed", t: events[0]!.t, events, n: events.length });
  }
  return plan;
}

