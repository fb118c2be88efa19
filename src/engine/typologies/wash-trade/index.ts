// Wash trading: trades whose buyer and seller are one and the same (one account, one entity, or
// one linked cluster of accounts) and whose net position comes back, so that volume prints without
// anyone's risk changing; and, per venue and market, daily statistics of trade sizes that betray
// machine-made volume (first-digit Benford χ², clustering at round sizes), raised as market alerts.
// See README.md.
//
// Semantics, self-matched trades: a trade is self-matched when subjectOf(buyer) = subjectOf(seller)
// (the same account, or accounts of one entity when an entity resolver is given), or else when
// linkedOf(buyer) = linkedOf(seller) ≠ undefined (a linked cluster). Per group (subject or
// cluster), venue and market, the self-matched trades of the last windowHours are held; an alert is
// raised when they number ≥ minTrades, are worth ≥ minValueJpy together, and every account involved
// is back within ±netTolerance: |bought − sold| ≤ netTolerance × max(bought, sold). Once per burst:
// for windowHours after the last evidence trade, further self-matched trades of that key are quiet.
//
// Semantics, market days: per venue and market, each trading day (dayOffsetMinutes from UTC)
// counts trades by the first significant digit of their quantity and by round size. A day is
// tested when it closes (the first trade or snapshot of a later day) or at end of stream, if it has
// ≥ minTrades trades: Benford fails when χ² (8 df) ≥ the critical value at `significance` and the
// MAD > benfordMinMad; round sizes fail when their share ≥ roundShareHigh (or < roundShareLow).
import { formatMoney, keyOf, MONEY_SCALE, parseMoney, type Event, type Money, type TradeEvent } from "../../../contracts/index.ts";
import { clampScore, formatDuration, formatJpy, formatPercent, formatQuantity, formatShare, ppm, yen } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, type AlertDraft, type EvalContext, type Outcome, type SubjectRef } from "../../types.ts";
import { isAmount, marketParts, notional, PPM } from "../../values.ts";
import { washTradeConfigSchema, washTradeDefaults, type WashTradeConfig } from "./config.ts";
import { BENFORD, benfordChiSquare, benfordMad, chiSquareCritical, significantOf } from "./stats.ts";

export const id = "wash-trade";
export const version = "1.0.0";

const DAY_MS = 86_400_000;

/** One self-matched trade held in a window. */
interface Held {
  t: number;
  ts: string;
  k: string;
  /** buyer, seller */
  b: string;
  s: string;
  q: Money;
  /** JPY value, or null when it cannot be valued */
  v: Money | null;
}

/** Bought and sold quantity of one account over the held trades. */
interface Position {
  a: string;
  b: Money;
  s: Money;
}

type Relation = "same-account" | "same-entity" | "linked-cluster";

interface Group {
  trades: Held[];
  pos: Position[];
  /** Event time until which (inclusive) the key is inside an alerted burst; -1 when not. */
  quietUntil: number;
}

interface Sample {
  t: number;
  ts: string;
  k: string;
}

/** One venue's market over one trading day. */
interface DayStat {
  day: number;
  venue: string;
  market: string;
  n: number;
  /** trades by first significant digit 1..9 (index d − 1) */
  digits: number[];
  round: number;
  /** the first evidenceSample trade keys per first digit */
  digitKeys: Sample[][];
  /** the first evidenceSample trades at round sizes */
  roundKeys: Sample[];
  /** round size (decimal string) → trades at it */
  roundSizes: Map<string, number>;
}

export interface WashTradeState {
  /** `${group}|${venue}|${market}` → its held self-matched trades. */
  groups: Map<string, Group>;
  /** `${venue}|${market}` → the open trading day. */
  days: Map<string, DayStat>;
  /** The latest trading day seen (days before it are closed); null before any. */
  day: number | null;
}

export interface WashTradeParams {
  windowMs: number;
  windowHours: number;
  minTrades: number;
  netTolerance: number;
  netPpm: bigint;
  minValue: Money;
  maxHeld: number;
  daily: WashTradeConfig["marketDaily"] & { offsetMs: number; critical: number };
}

function prepare(c: WashTradeConfig): WashTradeParams {
  return {
    windowMs: c.windowHours * 3_600_000,
    windowHours: c.windowHours,
    minTrades: c.minTrades,
    netTolerance: c.netTolerance,
    netPpm: ppm(c.netTolerance),
    minValue: yen(c.minValueJpy),
    maxHeld: c.maxHeldTrades,
    daily: { ...c.marketDaily, offsetMs: c.marketDaily.dayOffsetMinutes * 60_000, critical: chiSquareCritical(c.marketDaily.significance, 8) },
  };
}

const dayOf = (t: number, p: WashTradeParams): number => Math.floor((t + p.daily.offsetMs) / DAY_MS);
const dayLabel = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

function onEvent(state: WashTradeState, e: Event, ctx: EvalContext<WashTradeParams>): Outcome {
  if (e.type !== "trade" && e.type !== "market.snapshot") return CLEAR;
  const p = ctx.params;
  const drafts: AlertDraft[] = [];
  let late = false;
  if (p.daily.enabled) {
    const d = dayOf(e.time, p);
    if (state.day === null || d > state.day) {
      if (state.day !== null) closeDaysBefore(state, d, p, drafts);
      state.day = d;
    } else if (d < state.day) {
      late = true;
    }
  }
  if (e.type === "trade") {
    const o = onTrade(state, e, ctx, late, drafts);
    if (o !== undefined) return o;
  }
  return drafts.length > 0 ? hit(drafts) : CLEAR;
}

function onTrade(state: WashTradeState, e: TradeEvent, ctx: EvalContext<WashTradeParams>, late: boolean, drafts: AlertDraft[]): Outcome | undefined {
  if (typeof e.buyAccountId !== "string" || typeof e.sellAccountId !== "string" || typeof e.market !== "string") {
    return error("a trade without buyAccountId, sellAccountId or market");
  }
  const q = e.quantity;
  const price = e.price;
  if (!isAmount(q) || q === 0n || !isAmount(price)) return error("a trade whose quantity or price is not an exact positive amount");
  const p = ctx.params;
  if (p.daily.enabled && !late) countForDay(state, e, q, p);

  const buyer = e.buyAccountId;
  const seller = e.sellAccountId;
  let groupKey: string;
  let relation: Relation;
  const sb = ctx.subjectOf(buyer);
  if (sb === ctx.subjectOf(seller)) {
    groupKey = `s|${sb}`;
    relation = buyer === seller ? "same-account" : "same-entity";
  } else {
    const lb = ctx.linkedOf(buyer);
    if (lb === undefined || lb !== ctx.linkedOf(seller)) return undefined;
    groupKey = `c|${lb}`;
    relation = "linked-cluster";
  }
  const key = `${groupKey}|${e.source}|${e.market}`;
  let g = state.groups.get(key);
  if (g === undefined) state.groups.set(key, (g = { trades: [], pos: [], quietUntil: -1 }));
  if (e.time <= g.quietUntil) return undefined; // part of a burst already alerted on
  dropBefore(g, e.time - p.windowMs);
  const held: Held = { t: e.time, ts: e.ts, k: keyOf(e), b: buyer, s: seller, q, v: valueJpy(e, q, price, ctx) };
  let at = g.trades.length;
  while (at > 0 && g.trades[at - 1]!.t > held.t) at--;
  g.trades.splice(at, 0, held);
  addPosition(g.pos, held, 1n);
  while (g.trades.length > p.maxHeld) addPosition(g.pos, g.trades.shift()!, -1n);

  if (g.trades.length < p.minTrades) return undefined;
  for (const x of g.pos) {
    const net = x.b > x.s ? x.b - x.s : x.s - x.b;
    const big = x.b > x.s ? x.b : x.s;
    if (net * PPM > p.netPpm * big) return undefined;
  }
  let value = 0n;
  let unvalued = 0;
  for (const x of g.trades) {
    if (x.v === null) unvalued++;
    else value += x.v;
  }
  // The value line applies to what could be valued; a window with no valued trade is judged on count.
  if (unvalued < g.trades.length && value < p.minValue) return undefined;
  // Relation of the whole set: the loosest tie among its trades.
  const rel = g.trades.some((x) => x.b !== x.s) ? (groupKey.startsWith("c|") ? "linked-cluster" : "same-entity") : relation;
  drafts.push(selfTradeDraft(g, rel, groupKey, e, value as Money, unvalued, ctx));
  g.quietUntil = g.trades[g.trades.length - 1]!.t + p.windowMs;
  g.trades = [];
  g.pos = [];
  return undefined;
}

/** JPY value of a trade: its notional when quoted in JPY, else quantity × the base asset's latest JPY mid. */
function valueJpy(e: TradeEvent, q: Money, price: Money, ctx: EvalContext<WashTradeParams>): Money | null {
  const { base, quote, jpy } = marketParts(e.market);
  if (quote === "JPY") return notional(q, price);
  if (base === "JPY") return q;
  const snap = ctx.market(jpy, e.source);
  return snap === undefined ? null : notional(q, snap.midPrice);
}

function addPosition(pos: Position[], h: Held, sign: bigint): void {
  const add = (a: string, bought: boolean) => {
    let x = pos.find((y) => y.a === a);
    if (x === undefined) pos.push((x = { a, b: 0n as Money, s: 0n as Money }));
    if (bought) x.b = (x.b + sign * h.q) as Money;
    else x.s = (x.s + sign * h.q) as Money;
  };
  add(h.b, true);
  add(h.s, false);
  for (let i = pos.length - 1; i >= 0; i--) if (pos[i]!.b === 0n && pos[i]!.s === 0n) pos.splice(i, 1);
}

function dropBefore(g: Group, from: number): void {
  let i = 0;
  while (i < g.trades.length && g.trades[i]!.t < from) addPosition(g.pos, g.trades[i++]!, -1n);
  if (i > 0) g.trades.splice(0, i);
}

const RELATION_TEXT: Record<Relation, string> = {
  "same-account": "buyer and seller were the same account",
  "same-entity": "buyer and seller were accounts of the same entity",
  "linked-cluster": "buyer and seller were accounts of one linked cluster (shared identifiers)",
};

function selfTradeDraft(g: Group, relation: Relation, groupKey: string, e: TradeEvent, value: Money, unvalued: number, ctx: EvalContext<WashTradeParams>): AlertDraft {
  const p = ctx.params;
  const list = g.trades;
  const first = list[0]!;
  const last = list[list.length - 1]!;
  const n = list.length;
  const span = last.t - first.t;
  const { base } = marketParts(e.market);
  let gross = 0n;
  for (const x of list) gross += x.q;
  let worst = 0;
  const positions = g.pos.map((x) => {
    const net = x.b > x.s ? x.b - x.s : x.s - x.b;
    const big = x.b > x.s ? x.b : x.s;
    const r = big === 0n ? 0 : Number((net * 1_000_000_000n) / big) / 1e9;
    if (r > worst) worst = r;
    return { account: x.a, bought: formatMoney(x.b), sold: formatMoney(x.s), netShare: Math.round(r * 1e6) / 1e6 };
  });
  const accounts = [...new Set(list.flatMap((x) => [x.b, x.s]))].sort();
  const valued = unvalued < n;
  const valueText = valued ? `; together worth ${formatJpy(value)}${unvalued > 0 ? ` (${unvalued} not valued)` : ""}` : "; no JPY value known";
  const explanation =
    `${n} trades in ${e.market} on ${e.source} within ${formatDuration(span)} where ${RELATION_TEXT[relation]}: ` +
    `${formatQuantity(gross as Money)} ${base} changed hands and every account's net position came back within ${formatPercent(worst)} ` +
    `(line ±${formatShare(p.netTolerance)})${valueText}.`;
  const tie = relation === "same-account" ? 15 : relation === "same-entity" ? 10 : 5;
  const valueBoost = valued && value > 0n ? 5 * Math.max(0, Math.log10(Number(value / MONEY_SCALE) / 100_000)) : 0;
  // A cluster is not an identity: the alert names the buyer of the last trade; `accounts` names all.
  const subject: SubjectRef = ctx.subjectRefOf(last.b);
  return {
    subject,
    accounts,
    evidence: list.map((x) => x.k),
    ts: last.ts,
    score: clampScore(60 + tie + 5 * Math.log2(n / p.minTrades) + valueBoost),
    explanation,
    details: {
      kind: "self-matched",
      relation,
      ...(relation === "linked-cluster" ? { cluster: groupKey.slice(2) } : {}),
      venue: e.source,
      market: e.market,
      trades: n,
      quantity: formatMoney(gross),
      valueJpy: valued ? formatMoney(value) : null,
      unvaluedTrades: unvalued,
      positions,
      worstNetShare: Math.round(worst * 1e6) / 1e6,
      netTolerance: p.netTolerance,
      spanMs: span,
      windowHours: p.windowHours,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Market days

function countForDay(state: WashTradeState, e: TradeEvent, q: Money, p: WashTradeParams): void {
  const key = `${e.source}|${e.market}`;
  let s = state.days.get(key);
  const day = dayOf(e.time, p);
  if (s === undefined || s.day !== day) {
    s = { day, venue: e.source, market: e.market, n: 0, digits: [0, 0, 0, 0, 0, 0, 0, 0, 0], round: 0, digitKeys: [[], [], [], [], [], [], [], [], []], roundKeys: [], roundSizes: new Map() };
    state.days.set(key, s);
  }
  const digits = q.toString(); // q > 0: its digits, once
  const d = digits.charCodeAt(0) - 48;
  s.n++;
  s.digits[d - 1]!++;
  const cap = p.daily.evidenceSample;
  const dk = s.digitKeys[d - 1]!;
  if (dk.length < cap) dk.push({ t: e.time, ts: e.ts, k: keyOf(e) });
  if (significantOf(digits) <= p.daily.roundMaxSignificantDigits) {
    s.round++;
    if (s.roundKeys.length < cap) s.roundKeys.push({ t: e.time, ts: e.ts, k: keyOf(e) });
    const size = formatMoney(q);
    s.roundSizes.set(size, (s.roundSizes.get(size) ?? 0) + 1);
  }
}

function closeDaysBefore(state: WashTradeState, day: number, p: WashTradeParams, drafts: AlertDraft[]): void {
  const closing = [...state.days.entries()].filter(([, s]) => s.day < day).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, s] of closing) {
    state.days.delete(key);
    const d = testDay(s, p);
    if (d !== undefined) drafts.push(d);
  }
}

/** The figures of one venue's market day and the alert when a test fails. */
export function testDay(s: DayStat, p: WashTradeParams): AlertDraft | undefined {
  const c = p.daily;
  if (s.n < c.minTrades) return undefined;
  const chi2 = benfordChiSquare(s.digits);
  const mad = benfordMad(s.digits);
  const benfordFails = chi2 >= c.critical && mad > c.benfordMinMad;
  const roundShare = s.round / s.n;
  const roundHigh = c.roundShareHigh !== null && roundShare >= c.roundShareHigh;
  const roundLow = c.roundShareLow !== null && roundShare < c.roundShareLow;
  if (!benfordFails && !roundHigh && !roundLow) return undefined;

  // Evidence: trades of the most over-represented first digit (Benford) and at round sizes.
  let over = 0;
  let overBy = Number.NEGATIVE_INFINITY;
  for (let d = 0; d < 9; d++) {
    const excess = s.digits[d]! / s.n - BENFORD[d]!;
    if (excess > overBy) {
      overBy = excess;
      over = d;
    }
  }
  const picked = new Map<string, Sample>();
  if (benfordFails) for (const x of s.digitKeys[over]!) picked.set(x.k, x);
  if (roundHigh) for (const x of s.roundKeys) picked.set(x.k, x);
  if (picked.size === 0) for (const x of s.digitKeys[over]!) picked.set(x.k, x); // round share too low: no round trade to quote
  const evidence = [...picked.values()].sort((a, b) => a.t - b.t || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  let topSize: string | null = null;
  let topCount = 0;
  for (const [size, count] of s.roundSizes) {
    if (count > topCount || (count === topCount && topSize !== null && size < topSize)) {
      topSize = size;
      topCount = count;
    }
  }

  const date = dayLabel(s.day);
  const parts: string[] = [];
  if (benfordFails) {
    parts.push(
      `the first digits of trade sizes depart from Benford's law: χ² = ${chi2.toFixed(1)} (8 df, critical ${c.critical.toFixed(2)} at α = ${c.significance}), ` +
        `MAD ${mad.toFixed(4)} (line ${c.benfordMinMad}); digit ${over + 1} is ${formatPercent(s.digits[over]! / s.n)} of trades against ${formatPercent(BENFORD[over]!)} expected`,
    );
  }
  if (roundHigh) {
    parts.push(`${formatPercent(roundShare)} of trades are at round sizes (line ${formatShare(c.roundShareHigh!)})${topSize !== null ? `, ${topCount} at ${formatQuantity(parseMoney(topSize) ?? 0n)}` : ""}`);
  }
  if (roundLow) parts.push(`only ${formatPercent(roundShare)} of trades are at round sizes (line ${formatShare(c.roundShareLow!)}), none of the clustering human flow shows`);
  const explanation = `${s.market} on ${s.venue}, trading day ${date}: ${s.n} trades; ${parts.join("; and ")}.`;
  const severity = (benfordFails ? Math.min(20, 5 * Math.log2(chi2 / c.critical) + 10) : 0) + (roundHigh || roundLow ? 10 : 0);
  return {
    subject: { kind: "market", id: `${s.venue}:${s.market}` },
    accounts: [],
    evidence: evidence.map((x) => x.k),
    ts: evidence[evidence.length - 1]!.ts,
    score: clampScore(40 + severity),
    explanation,
    details: {
      kind: "market-day",
      venue: s.venue,
      market: s.market,
      day: date,
      dayOffsetMinutes: c.dayOffsetMinutes,
      trades: s.n,
      firstDigitCounts: [...s.digits],
      benfordExpected: BENFORD.map((x) => Math.round(x * s.n * 100) / 100),
      chiSquare: Math.round(chi2 * 1000) / 1000,
      degreesOfFreedom: 8,
      significance: c.significance,
      criticalValue: Math.round(c.critical * 1000) / 1000,
      mad: Math.round(mad * 1e6) / 1e6,
      madLine: c.benfordMinMad,
      benford: benfordFails ? "fails" : "passes",
      roundTrades: s.round,
      roundShare: Math.round(roundShare * 1e6) / 1e6,
      roundShareHigh: c.roundShareHigh,
      roundShareLow: c.roundShareLow,
      roundMaxSignificantDigits: c.roundMaxSignificantDigits,
      topRoundSize: topSize,
      topRoundSizeTrades: topCount,
      failed: [...(benfordFails ? ["benford"] : []), ...(roundHigh ? ["round-high"] : []), ...(roundLow ? ["round-low"] : [])],
    },
  };
}

export const washTrade = defineTypology<WashTradeConfig, WashTradeParams, WashTradeState>({
  id,
  version,
  description:
    "Self-matched trades (one account, entity or linked cluster on both sides) whose net position comes back within ±1% over 24 h; per venue and market, daily Benford χ² and round-size tests of trade sizes as market alerts.",
  configSchema: washTradeConfigSchema,
  defaultConfig: washTradeDefaults,
  eventTypes: ["trade", "market.snapshot"],
  prepare,
  initialState: () => ({ groups: new Map(), days: new Map(), day: null }),
  onEvent,
  prune(state, now, p) {
    const from = now - p.windowMs;
    for (const [k, g] of state.groups) {
      dropBefore(g, from);
      if (g.trades.length === 0 && g.quietUntil < now) state.groups.delete(k);
    }
  },
  flush(state, ctx) {
    // End of stream: the open trading days are tested as they stand.
    const drafts: AlertDraft[] = [];
    if (ctx.params.daily.enabled) closeDaysBefore(state, Number.POSITIVE_INFINITY, ctx.params, drafts);
    return drafts.length > 0 ? hit(drafts) : CLEAR;
  },
  size: (state) => state.groups.size + state.days.size,
});

export default washTrade;
