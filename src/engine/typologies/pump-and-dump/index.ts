// Pump-and-dump: in a thin market, a group of linked accounts buys in the days before, a burst of
// rush orders (aggressive buys from many accounts) lifts price and volume, and the group sells into
// it within minutes. See README.md.
//
// Semantics: per venue and JPY market whose 24h volume × mid is under thinMarketMaxVolumeJpy, rush
// orders (market buy orders, and aggressive buys seen only as trades, one per order id) are counted
// over a sliding burstWindowSeconds. A pump is detected when the window holds ≥ minRushOrders from
// ≥ minRushAccounts accounts, the highest trade price since its first rush order (the pump's start
// S) is ≥ (1 + minPriceRise) × the last trade price before S, and the value traded since S is ≥
// volumeMultiple × the 24h volume's average for one window. A group (linked cluster, else subject)
// whose net buying in the accumulationHours before S is ≥ minAccumulationShare of 24h volume and ≥
// minAccumulationJpy is a suspect; it is alerted when its sells in [S, S + dumpWithinMinutes] reach
// minDumpShare of that net position. The detection delay (alert time − S) is in the details.
import { formatMoney, keyOf, MONEY_SCALE, type Event, type Money } from "../../../contracts/index.ts";
import { clampScore, formatDuration, formatJpy, formatPercent, formatQuantity, formatShare, ppm, share, yen } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, notEnoughHistory, type AlertDraft, type EvalContext, type Outcome } from "../../types.ts";
import { isAmount, marketParts, notional, PPM } from "../../values.ts";
import { pumpConfigSchema, pumpDefaults, type PumpConfig } from "./config.ts";

export const id = "pump-and-dump";
export const version = "1.0.0";

const DAY_MS = 86_400_000;

interface Sample {
  t: number;
  ts: string;
  k: string;
}

/** A trade in a thin market: price and quantity. */
interface MTrade extends Sample {
  px: Money;
  q: Money;
}

/** A trade of one group: its side, account, price, quantity. */
interface GTrade extends MTrade {
  a: string;
  side: "buy" | "sell";
}

interface Rush extends Sample {
  a: string;
  /** order id, when known (one rush per order) */
  o: string | null;
}

interface Suspect {
  accounts: string[];
  /** net bought quantity before S, its average buy price and value */
  netQ: Money;
  avgPx: Money;
  netV: Money;
  buys: GTrade[];
  soldQ: Money;
  soldV: Money;
  sells: GTrade[];
  alerted: boolean;
}

interface Episode {
  start: Sample;
  detected: Sample;
  until: number;
  ref: Money;
  refFrom: "trade" | "snapshot";
  peak: Money;
  rushOrders: number;
  rushAccounts: number;
  value: Money;
  vol24h: Money;
  vol24hJpy: Money;
  suspects: Map<string, Suspect>;
}

interface Thin {
  /** snapshot key the figures come from */
  key: string;
  thin: boolean;
  vol24h: Money;
  vol24hJpy: Money;
  mid: Money;
  midTime: number;
}

interface Mkt {
  venue: string;
  market: string;
  trades: MTrade[];
  rush: Rush[];
  groups: Map<string, GTrade[]>;
  episode: Episode | null;
}

export interface PumpState {
  /** market → venue → its tracked state (thin markets, and any inside a pump episode) */
  markets: Map<string, Map<string, Mkt>>;
  /** market → venue → thinness from its latest snapshot */
  thin: Map<string, Map<string, Thin>>;
}

export interface PumpParams {
  c: PumpConfig;
  thinMax: Money;
  burstMs: number;
  refMs: number;
  accMs: number;
  dumpMs: number;
  risePpm: bigint;
  volumePpm: bigint;
  accSharePpm: bigint;
  accMin: Money;
  dumpPpm: bigint;
}

function prepare(c: PumpConfig): PumpParams {
  return {
    c,
    thinMax: yen(c.thinMarketMaxVolumeJpy),
    burstMs: c.burstWindowSeconds * 1000,
    refMs: c.referenceMinutes * 60_000,
    accMs: c.accumulationHours * 3_600_000,
    dumpMs: c.dumpWithinMinutes * 60_000,
    risePpm: ppm(c.minPriceRise),
    volumePpm: ppm(c.volumeMultiple),
    accSharePpm: ppm(c.minAccumulationShare),
    accMin: yen(c.minAccumulationJpy),
    dumpPpm: ppm(c.minDumpShare),
  };
}

/** Thinness of a venue market from its latest snapshot (cached per snapshot). */
function thinOf(state: PumpState, venue: string, market: string, ctx: EvalContext<PumpParams>): Thin | undefined {
  if (!market.endsWith("/JPY")) return undefined;
  const snap = ctx.market(market, venue);
  if (snap === undefined || typeof snap.volume24h !== "bigint") return undefined;
  let byVenue = state.thin.get(market);
  if (byVenue === undefined) state.thin.set(market, (byVenue = new Map()));
  const cached = byVenue.get(venue);
  if (cached !== undefined && cached.key === snap.key) return cached;
  const vol24hJpy = notional(snap.volume24h, snap.midPrice);
  const t: Thin = { key: snap.key, thin: vol24hJpy < ctx.params.thinMax, vol24h: snap.volume24h, vol24hJpy, mid: snap.midPrice, midTime: snap.time };
  byVenue.set(venue, t);
  return t;
}

function mktOf(state: PumpState, venue: string, market: string): Mkt {
  let byVenue = state.markets.get(market);
  if (byVenue === undefined) state.markets.set(market, (byVenue = new Map()));
  let m = byVenue.get(venue);
  if (m === undefined) byVenue.set(venue, (m = { venue, market, trades: [], rush: [], groups: new Map(), episode: null }));
  return m;
}

const groupOf = (a: string, ctx: EvalContext<PumpParams>): string => {
  const c = ctx.linkedOf(a);
  return c === undefined ? `s|${ctx.subjectOf(a)}` : `c|${c}`;
};

function onEvent(state: PumpState, e: Event, ctx: EvalContext<PumpParams>): Outcome {
  if (e.type === "order.placed") {
    if (e.kind !== "market" || e.side !== "buy") return CLEAR;
    if (typeof e.accountId !== "string" || typeof e.market !== "string" || typeof e.orderId !== "string") return error("an order.placed without accountId, orderId or market");
    const existing = state.markets.get(e.market)?.get(e.source);
    const thin = thinOf(state, e.source, e.market, ctx);
    if (existing?.episode == null && thin?.thin !== true) return CLEAR;
    const m = existing ?? mktOf(state, e.source, e.market);
    addRush(m, { t: e.time, ts: e.ts, k: keyOf(e), a: e.accountId, o: e.orderId }, ctx.params);
    return detectPump(m, e.time, e.ts, thin, ctx);
  }
  if (e.type !== "trade") return CLEAR;
  if (typeof e.buyAccountId !== "string" || typeof e.sellAccountId !== "string" || typeof e.market !== "string") return error("a trade without buyAccountId, sellAccountId or market");
  if (!isAmount(e.quantity) || e.quantity === 0n || !isAmount(e.price) || e.price === 0n) return error("a trade whose quantity or price is not an exact positive amount");
  const existing = state.markets.get(e.market)?.get(e.source);
  const thin = thinOf(state, e.source, e.market, ctx);
  if (existing?.episode == null && thin?.thin !== true) return CLEAR;
  const p = ctx.params;
  const m = existing ?? mktOf(state, e.source, e.market);
  const k = keyOf(e);
  const tr: MTrade = { t: e.time, ts: e.ts, k, px: e.price, q: e.quantity };
  insertByTime(m.trades, tr);
  while (m.trades.length > 0 && m.trades[0]!.t < e.time - p.refMs - p.burstMs) m.trades.shift();
  addGroupTrade(m, tr, e.buyAccountId, "buy", ctx);
  addGroupTrade(m, tr, e.sellAccountId, "sell", ctx);
  if (e.aggressor === "buy") addRush(m, { t: e.time, ts: e.ts, k, a: e.buyAccountId, o: typeof e.buyOrderId === "string" ? e.buyOrderId : null }, p);

  const drafts: AlertDraft[] = [];
  const ep = m.episode;
  if (ep !== null && e.time > ep.until) m.episode = null;
  if (m.episode !== null) {
    // a sell by a suspect group inside the dump window
    const g = groupOf(e.sellAccountId, ctx);
    const s = m.episode.suspects.get(g);
    if (s !== undefined && !s.alerted && e.time >= m.episode.start.t) {
      addSell(s, groupTrade(tr, e.sellAccountId, "sell"));
      const d = dumpDraft(m, m.episode, s, e.time, e.ts, ctx);
      if (d !== undefined) drafts.push(d);
    }
    return drafts.length > 0 ? hit(drafts) : CLEAR;
  }
  return detectPump(m, e.time, e.ts, thin, ctx);
}

/** A market trade as one group's (the same fields, in the same order, as `{ ...tr, a, side }`). */
const groupTrade = (tr: MTrade, a: string, side: "buy" | "sell"): GTrade => ({ t: tr.t, ts: tr.ts, k: tr.k, px: tr.px, q: tr.q, a, side });

function addGroupTrade(m: Mkt, tr: MTrade, a: string, side: "buy" | "sell", ctx: EvalContext<PumpParams>): void {
  const g = groupOf(a, ctx);
  let list = m.groups.get(g);
  if (list === undefined) m.groups.set(g, (list = []));
  insertByTime(list, groupTrade(tr, a, side));
  while (list.length > ctx.params.c.maxTradesPerGroup) list.shift();
}

function insertByTime<T extends { t: number }>(list: T[], x: T): void {
  let at = list.length;
  while (at > 0 && list[at - 1]!.t > x.t) at--;
  list.splice(at, 0, x);
}

function addRush(m: Mkt, r: Rush, p: PumpParams): void {
  if (r.o !== null && m.rush.some((x) => x.o === r.o)) return; // one rush per order
  insertByTime(m.rush, r);
  let i = 0;
  while (i < m.rush.length && m.rush[i]!.t <= r.t - p.burstMs) i++;
  if (i > 0) m.rush.splice(0, i);
}

function addSell(s: Suspect, x: GTrade): void {
  if (s.sells.some((y) => y.k === x.k)) return;
  s.sells.push(x);
  s.soldQ = (s.soldQ + x.q) as Money;
  s.soldV = (s.soldV + notional(x.q, x.px)) as Money;
}

function detectPump(m: Mkt, now: number, nowTs: string, thin: Thin | undefined, ctx: EvalContext<PumpParams>): Outcome {
  const p = ctx.params;
  if (m.episode !== null) {
    if (now > m.episode.until) m.episode = null;
    else return CLEAR;
  }
  // the window (now − burst, now]
  let i = 0;
  while (i < m.rush.length && m.rush[i]!.t <= now - p.burstMs) i++;
  if (i > 0) m.rush.splice(0, i);
  if (m.rush.length < p.c.minRushOrders || thin === undefined) return CLEAR;
  const accounts = new Set(m.rush.map((r) => r.a));
  if (accounts.size < p.c.minRushAccounts) return CLEAR;
  const first = m.rush[0]!;
  const S = first.t;
  // reference: the last trade before S within referenceMinutes, else a snapshot mid from before S
  let ref: Money | undefined;
  let refFrom: "trade" | "snapshot" = "trade";
  for (let j = m.trades.length - 1; j >= 0; j--) {
    const x = m.trades[j]!;
    if (x.t < S) {
      if (x.t >= S - p.refMs) ref = x.px;
      break;
    }
  }
  if (ref === undefined) {
    if (thin.midTime > S) return notEnoughHistory(`no ${m.market} trade or snapshot before the burst to measure its price rise against`);
    ref = thin.mid;
    refFrom = "snapshot";
  }
  let peak = 0n;
  let value = 0n;
  for (const x of m.trades) {
    if (x.t < S) continue;
    if (x.px > peak) peak = x.px;
    value += notional(x.q, x.px);
  }
  if (peak * PPM < ref * (PPM + p.risePpm)) return CLEAR;
  // value ≥ multiple × vol24hJpy × burst / day, exactly
  if (value * BigInt(DAY_MS) * PPM < p.volumePpm * thin.vol24hJpy * BigInt(p.burstMs)) return CLEAR;

  const last = m.rush[m.rush.length - 1]!;
  const ep: Episode = {
    start: { t: first.t, ts: first.ts, k: first.k },
    detected: { t: now, ts: nowTs, k: last.k },
    until: S + p.dumpMs,
    ref,
    refFrom,
    peak: peak as Money,
    rushOrders: m.rush.length,
    rushAccounts: accounts.size,
    value: value as Money,
    vol24h: thin.vol24h,
    vol24hJpy: thin.vol24hJpy,
    suspects: new Map(),
  };
  m.episode = ep;
  const drafts: AlertDraft[] = [];
  if (p.c.marketAlerts) drafts.push(pumpDraft(m, ep, ctx));
  findSuspects(m, ep, p);
  for (const s of ep.suspects.values()) {
    const d = dumpDraft(m, ep, s, now, ep.detected.ts, ctx);
    if (d !== undefined) drafts.push(d);
  }
  return drafts.length > 0 ? hit(drafts) : CLEAR;
}

function findSuspects(m: Mkt, ep: Episode, p: PumpParams): void {
  const S = ep.start.t;
  for (const [g, list] of m.groups) {
    let bq = 0n;
    let bv = 0n;
    let sq = 0n;
    const buys: GTrade[] = [];
    for (const x of list) {
      if (x.t >= S || x.t < S - p.accMs) continue;
      if (x.side === "buy") {
        bq += x.q;
        bv += notional(x.q, x.px);
        buys.push(x);
      } else {
        sq += x.q;
      }
    }
    const net = bq - sq;
    if (net <= 0n || bq === 0n) continue;
    const avgPx = ((bv * MONEY_SCALE) / bq) as Money;
    const netV = notional(net as Money, avgPx);
    if (net * PPM < p.accSharePpm * ep.vol24h || netV < p.accMin) continue;
    const s: Suspect = { accounts: [...new Set(list.map((x) => x.a))], netQ: net as Money, avgPx, netV, buys, soldQ: 0n as Money, soldV: 0n as Money, sells: [], alerted: false };
    for (const x of list) if (x.side === "sell" && x.t >= S) addSell(s, x);
    ep.suspects.set(g, s);
  }
}

function evidenceOf(samples: Sample[], max: number, must: Sample): { keys: string[]; ts: string } {
  const seen = new Map<string, Sample>();
  for (const x of samples) seen.set(x.k, x);
  seen.set(must.k, must);
  let list = [...seen.values()].sort((a, b) => a.t - b.t || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  if (list.length > max) {
    const keep = list.slice(list.length - max + 1);
    list = [list[0]!, ...keep];
  }
  return { keys: list.map((x) => x.k), ts: list[list.length - 1]!.ts };
}

/** A price for people: yen, to 4 decimal places (half up). */
const yenPrice = (m: Money): string => {
  const unit = 10n ** 14n;
  return `¥${formatQuantity((((m + unit / 2n) / unit) * unit) as Money)}`;
};

/** A detection delay to the second under 90 s ("72 seconds"), else "5 minutes", "3.2 hours". */
const formatDelay = (ms: number): string => (ms < 90_000 ? `${Math.round(ms / 1000)} second${Math.round(ms / 1000) === 1 ? "" : "s"}` : formatDuration(ms));

function pumpDraft(m: Mkt, ep: Episode, ctx: EvalContext<PumpParams>): AlertDraft {
  const p = ctx.params;
  const rise = share(ep.peak, ep.ref) - 1;
  const avgWindow = (ep.vol24hJpy * BigInt(p.burstMs)) / BigInt(DAY_MS);
  const delay = ep.detected.t - ep.start.t;
  const ev = evidenceOf(m.rush, p.c.maxEvidence, m.rush[m.rush.length - 1]!);
  return {
    subject: { kind: "market", id: `${m.venue}:${m.market}` },
    accounts: [],
    evidence: ev.keys,
    ts: ev.ts,
    score: clampScore(55 + 20 * Math.min(1, rise / (4 * p.c.minPriceRise))),
    explanation:
      `Pump in ${m.market} on ${m.venue} (24h volume ${formatJpy(ep.vol24hJpy)}, thin under ${formatJpy(p.thinMax)}): ${ep.rushOrders} rush orders from ${ep.rushAccounts} accounts ` +
      `within ${formatDuration(p.burstMs)} lifted the price ${formatPercent(rise)} (${yenPrice(ep.ref)} → ${yenPrice(ep.peak)}; line ${formatShare(p.c.minPriceRise)}) on ${formatJpy(ep.value)} traded ` +
      `(${avgWindow > 0n ? `${share(ep.value, avgWindow).toFixed(1)}×` : "far over"} the 24h average for that time; line ${p.c.volumeMultiple}×); detected ${formatDelay(delay)} after its first rush order.`,
    details: {
      kind: "pump",
      venue: m.venue,
      market: m.market,
      pumpStart: ep.start.ts,
      pumpStartEvent: ep.start.k,
      detectedAt: ep.detected.ts,
      detectionDelayMs: delay,
      rushOrders: ep.rushOrders,
      rushAccounts: ep.rushAccounts,
      referencePrice: formatMoney(ep.ref),
      referenceFrom: ep.refFrom,
      peakPrice: formatMoney(ep.peak),
      priceRise: Math.round(rise * 1e6) / 1e6,
      valueJpy: formatMoney(ep.value),
      volume24hJpy: formatMoney(ep.vol24hJpy),
      volumeMultiple: avgWindow > 0n ? share(ep.value, avgWindow) : null,
      burstWindowSeconds: p.c.burstWindowSeconds,
    },
  };
}

function dumpDraft(m: Mkt, ep: Episode, s: Suspect, now: number, nowTs: string, ctx: EvalContext<PumpParams>): AlertDraft | undefined {
  const p = ctx.params;
  if (s.alerted || s.soldQ * PPM < p.dumpPpm * s.netQ) return undefined;
  s.alerted = true;
  const { base } = marketParts(m.market);
  const soldAvg = s.soldQ > 0n ? (((s.soldV * MONEY_SCALE) / s.soldQ) as Money) : (0n as Money);
  const delay = now - ep.start.t;
  const accounts = [...new Set([...s.accounts, ...s.sells.map((x) => x.a)])].sort();
  // evidence: the latest accumulation buys, the pump's first rush order, the sells (the last one included)
  const lastSell = s.sells.reduce((a, b) => (b.t > a.t || (b.t === a.t && b.k > a.k) ? b : a));
  const samples: Sample[] = [...s.buys.slice(-10), ep.start, ...s.sells];
  const ev = evidenceOf(samples, p.c.maxEvidence, lastSell);
  // the subject: the account that bought most
  const bought = new Map<string, bigint>();
  for (const b of s.buys) bought.set(b.a, (bought.get(b.a) ?? 0n) + b.q);
  let lead = accounts[0]!;
  let most = -1n;
  for (const [a, q] of [...bought].sort(([x], [y]) => (x < y ? -1 : 1))) if (q > most) [lead, most] = [a, q];
  const multi = accounts.length > 1;
  const gain = share(soldAvg, s.avgPx) - 1;
  const firstBuy = s.buys[0]!;
  return {
    subject: ctx.subjectRefOf(lead),
    accounts,
    evidence: ev.keys,
    ts: ev.ts,
    score: clampScore(75 + (multi ? 10 : 0) + (delay <= 10 * 60_000 ? 5 : 0) + (gain > 0 ? 5 : 0)),
    explanation:
      `${multi ? `${accounts.length} linked accounts` : "An account"} bought ${formatQuantity(s.netQ)} ${base} net of ${m.market} on ${m.venue} (${formatPercent(share(s.netQ, ep.vol24h))} of 24h volume, ` +
      `${formatJpy(s.netV)} at ${yenPrice(s.avgPx)} on average) in the ${formatDuration(ep.start.t - firstBuy.t)} before a pump, then sold ${formatQuantity(s.soldQ)} ${base} ` +
      `(${formatPercent(share(s.soldQ, s.netQ))}; line ${formatShare(p.c.minDumpShare)}) into it at ${yenPrice(soldAvg)} on average within ${formatDuration(delay)} of its start ` +
      `(${ep.rushOrders} rush orders, price up ${formatPercent(share(ep.peak, ep.ref) - 1)}); detected ${formatDelay(delay)} after the pump began.`,
    details: {
      kind: "pump-and-dump",
      venue: m.venue,
      market: m.market,
      pumpStart: ep.start.ts,
      pumpStartEvent: ep.start.k,
      pumpDetectedAt: ep.detected.ts,
      alertAt: nowTs,
      detectionDelayMs: delay,
      accumulatedQuantity: formatMoney(s.netQ),
      accumulatedValueJpy: formatMoney(s.netV),
      averageBuyPrice: formatMoney(s.avgPx),
      accumulationShareOf24h: share(s.netQ, ep.vol24h),
      soldQuantity: formatMoney(s.soldQ),
      soldValueJpy: formatMoney(s.soldV),
      averageSellPrice: formatMoney(soldAvg),
      dumpShare: share(s.soldQ, s.netQ),
      priceGain: Math.round(gain * 1e6) / 1e6,
      rushOrders: ep.rushOrders,
      rushAccounts: ep.rushAccounts,
      referencePrice: formatMoney(ep.ref),
      peakPrice: formatMoney(ep.peak),
      linkedAccounts: accounts.length,
    },
  };
}

export const pumpAndDump = defineTypology<PumpConfig, PumpParams, PumpState>({
  id,
  version,
  description:
    "In a thin market (24h volume < ¥100M), a burst of ≥ 10 rush orders from ≥ 5 accounts in 2 minutes lifts price ≥ 5% and volume ≥ 10×; accounts (entity, linked cluster) that accumulated in the 72 h before sell ≥ 50% of it within 30 minutes.",
  configSchema: pumpConfigSchema,
  defaultConfig: pumpDefaults,
  eventTypes: ["order.placed", "trade"],
  prepare,
  initialState: () => ({ markets: new Map(), thin: new Map() }),
  onEvent,
  prune(state, now, p) {
    const from = now - p.accMs - p.dumpMs;
    for (const [market, byVenue] of state.markets) for (const [venue, m] of byVenue) {
      if (m.episode !== null && now > m.episode.until) m.episode = null;
      while (m.trades.length > 0 && m.trades[0]!.t < now - p.refMs - p.burstMs) m.trades.shift();
      while (m.rush.length > 0 && m.rush[0]!.t <= now - p.burstMs) m.rush.shift();
      for (const [g, list] of m.groups) {
        let i = 0;
        while (i < list.length && list[i]!.t < from) i++;
        if (i > 0) list.splice(0, i);
        if (list.length === 0) m.groups.delete(g);
      }
      if (m.episode === null && m.trades.length === 0 && m.rush.length === 0 && m.groups.size === 0) {
        byVenue.delete(venue);
        if (byVenue.size === 0) state.markets.delete(market);
      }
    }
  },
  size: (state) => {
    let n = 0;
    for (const byVenue of state.markets.values()) for (const m of byVenue.values()) n += 1 + m.groups.size;
    return n;
  },
});

export default pumpAndDump;
