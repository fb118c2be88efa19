// Normal behaviour: who logs in when, what they trade, how money comes and goes.
//
// Retail customers follow the JST evening cycle, trade small heavy-tailed amounts (log-normal with a
// Pareto tail, no order taking more than half the book within 1% of mid), and move money (sized to their means: `meansFactor`) in "macros" that make economic sense: deposit yen and buy, buy and
// take the coins to their own wallet, sell and withdraw yen, deposit coins and sell, or just deposit /
// withdraw. Corporates trade larger, in office hours.
//
// Three shapes are kept out of the background because the detectors look for them (and labels would
// not explain them): several movements just under a reporting line (structuring), a large deposit
// mostly withdrawn again within a day without trading (pass-through), and a single transfer large
// next to its market (market-moving transfer). The design makes them rare (yen amounts cluster on
// round numbers, money moves mostly with trades, thin coins move in small amounts and every transfer
// is held under the thinnest venue's line); a per-person check then re-plans the few that still
// match, with margins so that near misses are not left behind either. How many needed it is
// reported (stats.background).
//
// Customers also move money to each other inside a venue (`transfer`): yen or coins to family, coins
// to a friend, and corporates (rarely individuals) rebalancing between their own accounts. Transfers
// between people stay under ¥300,000 and count as money leaving the sender in the pass-through check.
// Crypto movements carry their on-chain timing (chain.ts): a deposit is credited after its
// transaction's confirmations and later swept into the hot wallet; a withdrawal is broadcast later.
import { broadcastDelay, confirmationDelay, sweepDelay, within } from "./chain.ts";
import type { Account, Contact, Segment } from "./population.ts";
import { formatNumber, type AssetSeries, type BookSide, type Markets } from "./market.ts";
import type { OrderPlan, PlannedOp } from "./plan-types.ts";
import { Rng } from "./rng.ts";
import { DAY, HOUR, MINUTE, SECOND, offGrid, timeInDay } from "./time.ts";

export interface SegmentParams {
  /** Chance of a trading day. */
  pActive: number;
  sessionsMean: number;
  ordersMean: number;
  notionalMedian: number;
  notionalSigma: number;
  /** Share of market (vs limit) orders. */
  marketShare: number;
  /** Mean money movements a day. */
  macrosPerDay: number;
  jpyMedian: number;
  cryptoMedian: number;
  cycle: "retail" | "office";
}

export const SEGMENTS: Readonly<Record<Exclude<Segment, "market-maker">, SegmentParams>> = {
  casual: { pActive: 0.06, sessionsMean: 1.2, ordersMean: 1.8, notionalMedian: 8_000, notionalSigma: 1.1, marketShare: 0.7, macrosPerDay: 0.03, jpyMedian: 30_000, cryptoMedian: 20_000, cycle: "retail" },
  regular: { pActive: 0.22, sessionsMean: 1.4, ordersMean: 2.6, notionalMedian: 25_000, notionalSigma: 1.2, marketShare: 0.6, macrosPerDay: 0.07, jpyMedian: 100_000, cryptoMedian: 60_000, cycle: "retail" },
  active: { pActive: 0.8, sessionsMean: 2, ordersMean: 5, notionalMedian: 60_000, notionalSigma: 1.3, marketShare: 0.45, macrosPerDay: 0.18, jpyMedian: 200_000, cryptoMedian: 150_000, cycle: "retail" },
  whale: { pActive: 0.4, sessionsMean: 1.5, ordersMean: 3, notionalMedian: 1_200_000, notionalSigma: 1.0, marketShare: 0.5, macrosPerDay: 0.15, jpyMedian: 3_000_000, cryptoMedian: 2_000_000, cycle: "retail" },
  "corp-investor": { pActive: 0.3, sessionsMean: 1.2, ordersMean: 3, notionalMedian: 4_000_000, notionalSigma: 1.0, marketShare: 0.4, macrosPerDay: 0.1, jpyMedian: 20_000_000, cryptoMedian: 10_000_000, cycle: "office" },
  "trading-firm": { pActive: 0.85, sessionsMean: 3, ordersMean: 6, notionalMedian: 2_000_000, notionalSigma: 1.0, marketShare: 0.3, macrosPerDay: 0.2, jpyMedian: 30_000_000, cryptoMedian: 10_000_000, cycle: "office" },
};

/**
 * How much money an individual moves in and out relative to their segment's typical customer: their
 * annual income against the segment's typical one (¥12M for whales, ¥4.5M for everyone else), to
 * the power 0.8, between 0.15 and 2; and, for someone whose credit is poor (latent credit quality
 * below average), less again — exp(0.7 × z), a half at one standard deviation below: people behind
 * on their payments do not have millions to spare. A part-timer on ¥1.5M moving the same hundreds of
 * thousands a month as a salaried ¥5M earner is not what exchanges see; a student's deposits are a
 * student's. Trading sizes are not scaled (they follow the segment). Corporates: their revenue
 * against ¥300M, to the power 0.8, between 0.15 and 3. Market makers have no money movements.
 */
export function meansFactor(segment: Segment, annualIncome: number, corporate: boolean, creditZ = 0): number {
  // a company's money follows its revenue (the median company: ¥300M a year)
  if (corporate) return Math.min(3, Math.max(0.15, (Math.max(0, annualIncome) / 300_000_000) ** 0.8));
  const typical = segment === "whale" ? 12_000_000 : 4_500_000;
  const income = Math.min(2, Math.max(0.15, (Math.max(0, annualIncome) / typical) ** 0.8));
  return income * Math.exp(0.7 * Math.min(0, creditZ));
}

/** Margins the background keeps from the detectors' lines (see the module comment). */
export const GUARD = {
  structuringLower: 0.75,
  structuringWindowMs: 7 * DAY + HOUR,
  passThroughMinDeposit: 400_000,
  passThroughWindowMs: 26 * HOUR,
  passThroughShare: 0.7,
  passThroughTraded: 0.15,
  /** Background transfers stay under this share of the thinnest reading of the market-moving line. */
  marketLineShare: 0.6,
  /** Transfers to another person stay under this (whole yen), far from the pass-through deposit line. */
  transferToOtherMax: 300_000,
  /** Neither side of a transfer is an account younger than this (new accounts are watched closely). */
  transferMinAccountAgeMs: 30 * DAY,
} as const;

/** Largest share of the 1%-depth on its side one background order takes (see `withinBook`). */
export const BOOK_SHARE = 0.5;

/** Mean transfers a day along one contact (sender → receiver). */
export const TRANSFER_RATES: Readonly<Record<Contact["kind"], number>> = { family: 0.015, friend: 0.006, own: 0.08 };

export interface BackgroundStats {
  /** People whose first plan matched a shape, before re-planning (natural rate). */
  naturalStructuring: number;
  naturalPassThrough: number;
  /** Transfers whose first draw was at or above the market-moving line itself (thinnest reading), before resizing. */
  naturalMarketMoving: number;
  /** Transfers whose first draw was above the background's margin (60% of that line) and were drawn again smaller. */
  resizedTransfers: number;
  /** People re-planned at least once, and people whose movements were dropped after four tries. */
  replanned: number;
  dropped: number;
}

export class BackgroundPlanner {
  readonly stats: BackgroundStats = { naturalStructuring: 0, naturalPassThrough: 0, naturalMarketMoving: 0, resizedTransfers: 0, replanned: 0, dropped: 0 };
  /** Counting natural rates only on a person's first plan. */
  private firstAttempt = true;

  /**
   * @param canReceive whether an account may receive a transfer at time t (it exists, is old enough,
   *   and its owner is not kept quiet by an injection).
   */
  constructor(
    private readonly seed: number,
    private readonly markets: Markets,
    private readonly start: number,
    private readonly end: number,
    private readonly canReceive: (account: number, t: number) => boolean = () => true,
    private readonly meansOf: (a: Account) => number = () => 1,
  ) {}

  /** The segment's money-movement medians, scaled to the customer's means (see `meansFactor`). */
  private money(a: Account): { jpyMedian: number; cryptoMedian: number } {
    const p = this.params(a);
    const m = this.meansOf(a);
    return { jpyMedian: p.jpyMedian * m, cryptoMedian: p.cryptoMedian * m };
  }

  private params(a: Account): SegmentParams {
    if (a.segment === "market-maker") throw new RangeError("market makers have no background plan");
    return SEGMENTS[a.segment];
  }

  private pickAsset(rng: Rng, a: Account, thinWeight = 1): AssetSeries {
    const listed = this.markets.listed[a.exchange]!;
    return listed[rng.weighted(listed.map((s) => s.def.popularity * (s.def.tier === "thin" ? thinWeight : 1)))]!;
  }

  /** A heavy-tailed amount: log-normal body, Pareto tail for a few. */
  private heavy(rng: Rng, median: number, sigma: number): number {
    let x = rng.logNormal(median, sigma);
    if (rng.chance(0.03)) x *= Math.min(20, rng.pareto(1, 1.6));
    return Math.min(x, median * 60);
  }

  private qty(a: AssetSeries, value: number, price: number): string {
    const dp = a.def.qtyDp;
    const min = 10 ** -dp;
    return formatNumber(Math.max(min, value / price), dp);
  }

  /**
   * An order's yen value as a trader sizes it against the book: at most half of what rests within 1% of
   * mid on the side it takes (the venue's depth at the latest snapshot), drawn between a quarter and a
   * half of it when the wish is larger. A whale does not buy twice a thin coin's daily volume at once.
   */
  private withinBook(rng: Rng, a: AssetSeries, exchange: number, t: number, side: "buy" | "sell", notional: number): number {
    const v = a.venues[a.venueOf[exchange]!];
    if (v === undefined) return notional;
    const k = this.markets.tickBefore(t);
    const cap = (side === "buy" ? v.depthAsk[k]! : v.depthBid[k]!) * v.mid[k]! * BOOK_SHARE;
    return notional <= cap ? notional : cap * rng.range(0.5, 1);
  }

  // ---------------------------------------------------------------------------------------------
  // Trading sessions

  /** The orders of one session starting at t0 (login at t0). */
  planTradeSession(rng: Rng, a: Account, t0: number): OrderPlan[] {
    const p = this.params(a);
    const orders: OrderPlan[] = [];
    const n = 1 + rng.poisson(p.ordersMean - 1);
    let t = t0 + 5 * SECOND + Math.floor(rng.float() * 55 * SECOND);
    for (let i = 0; i < n; i++) {
      t = offGrid(t, this.start);
      if (t >= this.end) break;
      const asset = this.pickAsset(rng, a, 0.7);
      const side = rng.chance(0.52) ? "buy" : "sell";
      const mid = this.markets.mid(asset, a.exchange, t);
      const notional = this.withinBook(rng, asset, a.exchange, t, side, this.heavy(rng, p.notionalMedian * (asset.def.tier === "thin" ? 0.4 : 1), p.notionalSigma));
      const quantity = this.qty(asset, notional, mid);
      const o: OrderPlan = { t, asset: asset.index, side, kind: "market", quantity, offset: 0, fills: 0, fillAt: -1, fillShare: 1, cancelAt: -1 };
      if (rng.chance(p.marketShare)) {
        o.fills = 1 + rng.weighted([0.7, 0.22, 0.08]);
      } else {
        o.kind = "limit";
        o.offset = rng.range(0.001, 0.02);
        if (rng.chance(0.35)) {
          o.fills = 1;
          o.fillAt = offGrid(t + 1 + Math.floor(Math.min(6 * HOUR, rng.exponential(20 * MINUTE))), this.start);
          o.fillShare = rng.chance(0.75) ? 1 : rng.range(0.3, 0.9);
          if (o.fillShare < 1) o.cancelAt = offGrid(o.fillAt + 1 + Math.floor(Math.min(6 * HOUR, rng.exponential(30 * MINUTE))), this.start);
        } else if (rng.chance(0.8)) {
          o.cancelAt = offGrid(t + 1 + Math.floor(Math.min(8 * HOUR, rng.exponential(40 * MINUTE))), this.start);
        }
        if (o.fillAt >= this.end) {
          o.fills = 0;
          o.fillAt = -1;
          o.fillShare = 1;
        }
        if (o.cancelAt >= this.end) o.cancelAt = -1;
      }
      orders.push(o);
      t += 2 * SECOND + Math.floor(rng.exponential(2 * MINUTE));
    }
    return orders;
  }

  /** Trading sessions and browse-only logins of one account over the period: [start time, orders | null]. */
  planDays(a: Account): { t: number; orders: OrderPlan[] | null }[] {
    const p = this.params(a);
    const rng = Rng.derive(this.seed, "days", a.index);
    const out: { t: number; orders: OrderPlan[] | null }[] = [];
    const days = Math.ceil((this.end - this.start) / DAY);
    const pActive = Math.min(0.97, p.pActive * a.activity);
    for (let d = 0; d < days; d++) {
      const dayStart = this.start + d * DAY;
      if (rng.chance(pActive)) {
        const sessions = 1 + rng.poisson(p.sessionsMean - 1);
        for (let s = 0; s < sessions; s++) {
          const t = offGrid(timeInDay(rng, dayStart, p.cycle), this.start);
          if (t <= a.openedAt + MINUTE || t >= this.end) continue;
          const orders = this.planTradeSession(rng, a, t);
          if (orders.length > 0) out.push({ t, orders });
        }
      } else if (rng.chance(0.06)) {
        const t = offGrid(timeInDay(rng, dayStart, p.cycle), this.start);
        if (t > a.openedAt + MINUTE && t < this.end) out.push({ t, orders: null });
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Money movements

  /** Round yen the way people type them: often 1, 2, 3 or 5 × 10^k, else to the thousand. */
  private niceYen(rng: Rng, x: number): number {
    x = Math.max(1_000, x);
    if (rng.chance(0.55)) {
      const k = 10 ** Math.floor(Math.log10(x));
      const m = x / k;
      return (m < 1.5 ? 1 : m < 2.5 ? 2 : m < 4 ? 3 : m < 7.5 ? 5 : 10) * k;
    }
    return Math.round(x / 1_000) * 1_000;
  }

  /** A bank deposit's yen, kept under the reference market's ask-depth line. */
  private jpyDeposit(rng: Rng, median: number, t: number): number {
    const exact = 0.5 * this.markets.askDepthJpy(t, "min");
    const line = GUARD.marketLineShare * exact;
    let v = this.niceYen(rng, this.heavy(rng, median, 1.0));
    if (this.firstAttempt && v >= exact) this.stats.naturalMarketMoving++;
    for (let i = 0; i < 3 && v > line; i++) v = this.niceYen(rng, this.heavy(rng, median, 1.0));
    if (v > line) {
      if (this.firstAttempt) this.stats.resizedTransfers++;
      v = Math.max(1_000, Math.floor((line * rng.range(0.4, 0.9)) / 10_000) * 10_000);
    }
    return v;
  }

  /** A crypto transfer's quantity for a wanted JPY value, kept under the market-moving line on its side. */
  private cryptoTransfer(rng: Rng, a: AssetSeries, exchange: number, value: number, t: number, side: BookSide): { amount: string; value: number } {
    const price = this.markets.mid(a, exchange, t);
    const exact = this.markets.lowestLine(a, side, t, 0.05, 0.5);
    const line = GUARD.marketLineShare * exact;
    let q = value / price;
    if (this.firstAttempt && q >= exact) this.stats.naturalMarketMoving++;
    if (q > line) {
      if (this.firstAttempt) this.stats.resizedTransfers++;
      q = line * rng.range(0.3, 0.95);
    }
    const amount = this.qty(a, q * price, price);
    return { amount, value: Math.max(1, Math.round(Number(amount) * price)) };
  }

  private trade(rng: Rng, t: number, kind: "buy" | "sell", a: AssetSeries, exchange: number, notional: number): PlannedOp {
    const price = this.markets.mid(a, exchange, t);
    const amount = this.qty(a, this.withinBook(rng, a, exchange, t, kind, notional), price);
    return { t, kind, asset: a.def.asset, amount, value: Math.round(Number(amount) * price), fills: 1 + rng.weighted([0.75, 0.2, 0.05]) };
  }

  /** One money movement starting at t0, as legs (deposits, withdrawals, trades). */
  private macro(rng: Rng, a: Account, t0: number): PlannedOp[] {
    const p = this.money(a);
    const ex = a.exchange;
    const ops: PlannedOp[] = [];
    const at = (t: number) => offGrid(Math.floor(t), this.start);
    switch (rng.weighted([0.3, 0.08, 0.2, 0.15, 0.1, 0.07, 0.06, 0.04])) {
      case 0: {
        // deposit yen, buy with most of it
        const v = this.jpyDeposit(rng, p.jpyMedian, t0);
        ops.push({ t: t0, kind: "deposit", channel: "bank", asset: "JPY", amount: String(v), value: v });
        const asset = this.pickAsset(rng, a, 0.5);
        let t = t0 + rng.range(2, 60) * MINUTE;
        const total = v * rng.range(0.6, 1);
        const legs = rng.chance(0.3) ? 2 : 1;
        for (let i = 0; i < legs; i++) {
          ops.push(this.trade(rng, at(t), "buy", asset, ex, total / legs));
          t += rng.range(1, 30) * MINUTE;
        }
        break;
      }
      case 1: {
        // deposit yen, buy, take the coins to an own wallet
        const v = this.jpyDeposit(rng, p.jpyMedian, t0);
        ops.push({ t: t0, kind: "deposit", channel: "bank", asset: "JPY", amount: String(v), value: v });
        const asset = this.pickAsset(rng, a, 0.2);
        const tb = at(t0 + rng.range(2, 40) * MINUTE);
        const buy = this.trade(rng, tb, "buy", asset, ex, v * rng.range(0.9, 1));
        ops.push(buy);
        const tw = at(tb + rng.range(10, 360) * MINUTE);
        const w = this.cryptoTransfer(rng, asset, ex, buy.value * rng.range(0.5, 1), tw, "ask");
        ops.push(this.withChain(rng, { t: tw, kind: "withdrawal", channel: "crypto", asset: asset.def.asset, amount: w.amount, value: w.value, ownWallet: true }));
        break;
      }
      case 2: {
        // sell coins held, withdraw yen
        const asset = this.pickAsset(rng, a, 0.5);
        const sell = this.trade(rng, t0, "sell", asset, ex, this.heavy(rng, p.cryptoMedian * 1.5, 1.0));
        ops.push(sell);
        const v = Math.max(1_000, Math.round((sell.value * rng.range(0.5, 1)) / 1_000) * 1_000);
        ops.push({ t: at(t0 + rng.range(5, 180) * MINUTE), kind: "withdrawal", channel: "bank", asset: "JPY", amount: String(v), value: v });
        break;
      }
      case 3: {
        // deposit coins from elsewhere, sell most
        // the coins are sent at t0 and credited after the chain's confirmations
        const asset = this.pickAsset(rng, a, 0.6);
        const scale = asset.def.tier === "thin" ? 0.25 : 1;
        const tc = at(t0 + confirmationDelay(rng, asset.def.network));
        const d = this.cryptoTransfer(rng, asset, ex, this.heavy(rng, p.cryptoMedian * scale, 1.1), tc, "bid");
        ops.push(this.withChain(rng, { t: tc, kind: "deposit", channel: "crypto", asset: asset.def.asset, amount: d.amount, value: d.value, chainAt: t0 }));
        ops.push(this.trade(rng, at(tc + rng.range(5, 90) * MINUTE), "sell", asset, ex, d.value * rng.range(0.5, 1)));
        break;
      }
      case 4: {
        const asset = this.pickAsset(rng, a, 0.6);
        const scale = asset.def.tier === "thin" ? 0.25 : 1;
        const tc = at(t0 + confirmationDelay(rng, asset.def.network));
        const d = this.cryptoTransfer(rng, asset, ex, this.heavy(rng, p.cryptoMedian * scale, 1.1), tc, "bid");
        ops.push(this.withChain(rng, { t: tc, kind: "deposit", channel: "crypto", asset: asset.def.asset, amount: d.amount, value: d.value, chainAt: t0 }));
        break;
      }
      case 5: {
        const asset = this.pickAsset(rng, a, 0.6);
        const scale = asset.def.tier === "thin" ? 0.25 : 1;
        const w = this.cryptoTransfer(rng, asset, ex, this.heavy(rng, p.cryptoMedian * scale, 1.1), t0, "ask");
        ops.push(this.withChain(rng, { t: t0, kind: "withdrawal", channel: "crypto", asset: asset.def.asset, amount: w.amount, value: w.value, ownWallet: rng.chance(0.7) }));
        break;
      }
      case 6: {
        const v = this.jpyDeposit(rng, p.jpyMedian, t0);
        ops.push({ t: t0, kind: "deposit", channel: "bank", asset: "JPY", amount: String(v), value: v });
        break;
      }
      default: {
        const v = this.niceYen(rng, this.heavy(rng, p.jpyMedian, 1.0));
        ops.push({ t: t0, kind: "withdrawal", channel: "bank", asset: "JPY", amount: String(v), value: v });
      }
    }
    // legs past the end of the period are not part of this day
    return ops.filter((op) => op.t < this.end - MINUTE);
  }

  /** A crypto deposit's sweep into the hot wallet, a withdrawal's broadcast: when they fall inside the period. */
  private withChain(rng: Rng, op: PlannedOp): PlannedOp {
    if (op.kind === "deposit") {
      const sweep = within(op.t, sweepDelay(rng), this.start, this.end);
      if (sweep !== undefined) op.sweepAt = sweep;
    } else if (op.kind === "withdrawal") {
      const sent = within(op.t, broadcastDelay(rng), this.start, this.end);
      if (sent !== undefined) op.chainAt = sent;
    }
    return op;
  }

  /**
   * One transfer along a contact: yen to family (an allowance, a share of a bill), mostly coins to a
   * friend, yen or coins between a corporate's (or a whale's) own accounts, larger.
   */
  private transferOp(rng: Rng, a: Account, c: Contact, t: number): PlannedOp | undefined {
    const p = this.params(a);
    const yenShare = c.kind === "family" ? 0.75 : c.kind === "friend" ? 0.35 : 0.5;
    const cap = Math.min(c.cap, c.kind === "own" ? p.jpyMedian * 5 : GUARD.transferToOtherMax);
    const wanted = c.kind === "family" ? this.heavy(rng, 30_000, 1.0) : c.kind === "friend" ? this.heavy(rng, 10_000, 1.0) : this.heavy(rng, p.jpyMedian, 1.0);
    if (rng.chance(yenShare)) {
      const v = Math.min(Math.floor(cap / 1_000) * 1_000, this.niceYen(rng, wanted));
      return { t, kind: "transfer", asset: "JPY", amount: String(v), value: v, to: c.to, own: c.kind === "own" };
    }
    const asset = this.pickAsset(rng, a, 0.3);
    const x = this.cryptoTransfer(rng, asset, a.exchange, Math.min(cap * 0.9, wanted), t, "ask");
    if (x.value > cap) return undefined;
    return { t, kind: "transfer", asset: asset.def.asset, amount: x.amount, value: x.value, to: c.to, own: c.kind === "own" };
  }

  /** All money movements of one account, for one planning attempt: [login time, legs]. */
  planMacros(a: Account, attempt: number): { t: number; ops: PlannedOp[] }[] {
    const p = this.params(a);
    const rng = Rng.derive(this.seed, "macros", a.index, attempt);
    const out: { t: number; ops: PlannedOp[] }[] = [];
    const days = Math.ceil((this.end - this.start) / DAY);
    for (let d = 0; d < days; d++) {
      const count = rng.poisson(p.macrosPerDay * a.activity);
      for (let i = 0; i < count; i++) {
        const login = offGrid(timeInDay(rng, this.start + d * DAY, p.cycle), this.start);
        if (login <= a.openedAt + MINUTE || login >= this.end - 2 * MINUTE) continue;
        const t0 = offGrid(login + SECOND * rng.int(20, 400), this.start);
        const ops = this.macro(rng, a, t0);
        if (ops.length > 0) out.push({ t: login, ops });
      }
    }
    // transfers to family, friends and the owner's other account at this venue
    for (const c of a.contacts) {
      for (let d = 0; d < days; d++) {
        const count = rng.poisson(TRANSFER_RATES[c.kind] * (c.kind === "own" && a.corporate ? 1.5 : 1));
        for (let i = 0; i < count; i++) {
          const login = offGrid(timeInDay(rng, this.start + d * DAY, p.cycle), this.start);
          const t = offGrid(login + SECOND * rng.int(20, 400), this.start);
          const op = this.transferOp(rng, a, c, t);
          if (op === undefined || login <= a.openedAt + GUARD.transferMinAccountAgeMs || t >= this.end - MINUTE || !this.canReceive(c.to, t)) continue;
          out.push({ t: login, ops: [op] });
        }
      }
    }
    return out;
  }

  /**
   * Money movements for every account of one person, re-planned while they match a watched shape
   * (with margins; see GUARD). Returns per account the sessions to emit.
   */
  planPerson(accounts: readonly Account[]): Map<number, { t: number; ops: PlannedOp[] }[]> {
    for (let attempt = 0; attempt < 4; attempt++) {
      this.firstAttempt = attempt === 0;
      const plan = new Map<number, { t: number; ops: PlannedOp[] }[]>();
      const all: PlannedOp[] = [];
      for (const a of accounts) {
        const m = this.planMacros(a, attempt);
        plan.set(a.index, m);
        for (const s of m) all.push(...s.ops);
      }
      const v = shapeViolations(all);
      if (attempt === 0) {
        if (v.structuring) this.stats.naturalStructuring++;
        if (v.passThrough) this.stats.naturalPassThrough++;
        if (v.structuring || v.passThrough) this.stats.replanned++;
      }
      if (!v.structuring && !v.passThrough) return plan;
    }
    this.stats.dropped++;
    return new Map(accounts.map((a) => [a.index, []]));
  }
}

/**
 * Does one person's set of legs (all accounts together, as a detector resolving them to one entity
 * would see them) come near structuring or pass-through? Deliberately wider than the definitions.
 */
export function shapeViolations(opsIn: readonly PlannedOp[]): { structuring: boolean; passThrough: boolean } {
  // either shape needs at least two movements
  if (opsIn.length < 2) return { structuring: false, passThrough: false };
  const ops = [...opsIn].sort((x, y) => x.t - y.t);
  let structuring = false;
  for (const dir of ["deposit", "withdrawal"] as const) {
    const times: number[] = [];
    for (const op of ops) {
      if (op.kind !== dir) continue;
      const line = op.channel === "bank" ? 2_000_000 : op.channel === "crypto" ? 100_000 : 0;
      if (line > 0 && op.value >= GUARD.structuringLower * line && op.value <= line) times.push(op.t);
    }
    for (let i = 0; i + 2 < times.length; i++) if (times[i + 2]! - times[i]! <= GUARD.structuringWindowMs) structuring = true;
  }
  let passThrough = false;
  for (let i = 0; i < ops.length && !passThrough; i++) {
    const d = ops[i]!;
    if (d.kind !== "deposit" || d.value < GUARD.passThroughMinDeposit) continue;
    let out = 0;
    let traded = 0;
    for (let j = i + 1; j < ops.length; j++) {
      const o = ops[j]!;
      if (o.t - d.t > GUARD.passThroughWindowMs) break;
      if (o.kind === "buy" || o.kind === "sell") traded += o.value;
      else if (o.kind === "withdrawal" || (o.kind === "transfer" && o.own !== true)) {
        out += o.value;
        if (out >= GUARD.passThroughShare * d.value && traded < GUARD.passThroughTraded * d.value) {
          passThrough = true;
          break;
        }
      }
    }
  }
  return { structuring, passThrough };
}
