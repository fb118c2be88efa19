// Spoofing and layering: orders placed to be seen, not filled. A large resting order (or a stack of
// orders at several price levels) on one side while the same account or entity fills on the other,
// cancelled soon after; and a cancel-to-trade ratio far out of line. See README.md.
//
// Semantics: a limit order is tracked from `order.placed` for cancelWithinSeconds (T). It is a
// *bait* when it is cancelled within T of its placement, was at most maxFilledShare filled, and the
// same subject (account, or entity with a resolver) had a fill on the opposite side of the same
// venue's market while it rested (placement ≤ fill ≤ cancellation). A bait that is large by itself
// (≥ largeMedianMultiple × the venue market's median order size before it, or ≥ largeDepthShare ×
// the depth within 1% of mid on its side) is *spoofing*; baits of one subject on one side at ≥
// layeringMinLevels distinct prices, cancelled within T of each other and together large, are
// *layering*. Cancel-to-trade: per subject, venue and market, cancellations over the window ≥
// minCancels and ≥ minRatio × max(1, fills).
import { formatMoney, keyOf, type Event, type Money } from "../../../contracts/index.ts";
import { clampScore, formatDuration, formatPercent, formatQuantity, formatShare, ppm, share } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, type AlertDraft, type EvalContext, type Outcome } from "../../types.ts";
import { atLeastShare, isAmount, marketParts, PPM } from "../../values.ts";
import { spoofingConfigSchema, spoofingDefaults, type SpoofingConfig } from "./config.ts";

export const id = "spoofing-layering";
export const version = "1.1.0";

const BUCKET_MS = 5 * 60_000;
type Side = "buy" | "sell";

/** A tracked resting limit order. */
interface Order {
  k: string;
  t: number;
  ts: string;
  a: string;
  subj: string;
  venue: string;
  market: string;
  side: Side;
  px: Money;
  q: Money;
  filled: Money;
  /** the venue market's median order size before it, when enough orders had been seen */
  median: Money | null;
  /** depth within 1% of mid on its side at placement, when known */
  depth: Money | null;
}

/** A fill of the subject (its side), kept for T. `id` is the trade event's id (its venue is the scope's). */
interface Fill {
  t: number;
  ts: string;
  id: string;
  side: Side;
  q: Money;
  a: string;
}

interface Bait {
  order: Order;
  /** cancellation */
  ct: number;
  cts: string;
  ck: string;
  filled: Money;
  fills: Fill[];
}

interface Sample {
  t: number;
  ts: string;
  k: string;
}

interface Scope {
  /**
   * event time of the subject's latest tracked limit order here: fills matter only within T of one.
   * NEVER_PLACED until one is seen: a finite number, so the state snapshots (the codec refuses
   * -Infinity), and below every event time (any Date is within ±8.64e15 ms).
   */
  lastPlaced: number;
  fills: Fill[];
  baits: Bait[];
  quietUntil: number;
  /** 5-minute buckets: start, cancellations, fills */
  buckets: Array<{ s: number; c: number; f: number }>;
  /** the most recent cancellations (at most maxEvidence) */
  cancels: Sample[];
  ratioQuietUntil: number;
}

/**
 * The venue market's last medianWindowOrders order sizes. They stay in their ring slot; what is kept
 * sorted is a list of slot numbers (small integers, cheap to shift), never the sizes themselves.
 */
export interface Book {
  /** order sizes, one per slot, in arrival order round the ring */
  ring: Money[];
  /** once the ring is full: the slot of the oldest size (overwritten next) */
  next: number;
  /** the ring's slots in ascending order of their sizes */
  order: number[];
}

/**
 * Keyed by venue first, then order id or market: nested maps, so no composite key string is built
 * (and hashed) per event.
 */
export interface SpoofingState {
  /** venue → orderId → resting limit order (kept for T) */
  orders: Map<string, Map<string, Order>>;
  /** venue → market → recent order sizes */
  books: Map<string, Map<string, Book>>;
  /** venue → market → subject → its scope (created by a limit order or a cancellation) */
  scopes: Map<string, Map<string, Map<string, Scope>>>;
}

export interface SpoofingParams {
  c: SpoofingConfig;
  depthPpm: bigint;
  filledPpm: bigint;
  multiplePpm: bigint;
  tMs: number;
  cooldownMs: number;
  windowMs: number;
  exempt: ReadonlySet<string>;
}

function prepare(c: SpoofingConfig): SpoofingParams {
  return {
    c,
    depthPpm: ppm(c.largeDepthShare),
    filledPpm: ppm(c.maxFilledShare),
    multiplePpm: ppm(c.largeMedianMultiple),
    tMs: c.cancelWithinSeconds * 1000,
    cooldownMs: c.cooldownMinutes * 60_000,
    windowMs: c.cancelToTrade.windowMinutes * 60_000,
    exempt: new Set(c.exemptAccounts),
  };
}

const NEVER_PLACED = Number.MIN_SAFE_INTEGER;

/** The inner map of a two-level map, created when missing. */
function inner<V>(outer: Map<string, Map<string, V>>, k: string): Map<string, V> {
  let m = outer.get(k);
  if (m === undefined) outer.set(k, (m = new Map()));
  return m;
}

function scopesOf(state: SpoofingState, venue: string, market: string): Map<string, Scope> | undefined {
  return state.scopes.get(venue)?.get(market);
}

function scopeOf(state: SpoofingState, venue: string, market: string, subject: string): Scope {
  const byMarket = inner(state.scopes, venue);
  let bySubject = byMarket.get(market);
  if (bySubject === undefined) byMarket.set(market, (bySubject = new Map()));
  let s = bySubject.get(subject);
  if (s === undefined) bySubject.set(subject, (s = { lastPlaced: NEVER_PLACED, fills: [], baits: [], quietUntil: -1, buckets: [], cancels: [], ratioQuietUntil: -1 }));
  return s;
}

function onEvent(state: SpoofingState, e: Event, ctx: EvalContext<SpoofingParams>): Outcome {
  switch (e.type) {
    case "order.placed":
      return onPlaced(state, e, ctx);
    case "trade":
      return onTrade(state, e, ctx);
    case "order.cancelled":
      return onCancelled(state, e, ctx);
    default:
      return CLEAR;
  }
}

/** The first position in `book.order` whose size is ≥ q. */
function lowerBound(book: Book, q: Money): number {
  const { ring, order } = book;
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ring[order[mid]!]! < q) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Add an order size to the book; once it holds `window` sizes, the oldest one leaves. */
export function addSize(book: Book, q: Money, window: number): void {
  let slot: number;
  if (book.ring.length < window) {
    slot = book.ring.length;
    book.ring.push(q);
  } else {
    slot = book.next;
    book.next = (slot + 1) % book.ring.length;
    // the oldest size's slot sits among the slots of sizes equal to it
    let at = lowerBound(book, book.ring[slot]!);
    while (book.order[at] !== slot) at++;
    book.order.splice(at, 1);
    book.ring[slot] = q;
  }
  book.order.splice(lowerBound(book, q), 0, slot);
}

/** The median order size (the lower middle for an even count: an actual order size). */
export const medianOf = (book: Book): Money => book.ring[book.order[(book.order.length - 1) >> 1]!]!;

function onPlaced(state: SpoofingState, e: Extract<Event, { type: "order.placed" }>, ctx: EvalContext<SpoofingParams>): Outcome {
  if (typeof e.accountId !== "string" || typeof e.orderId !== "string" || typeof e.market !== "string") return error("an order.placed without accountId, orderId or market");
  const q = e.quantity;
  if (!isAmount(q) || q === 0n) return error("an order whose quantity is not an exact positive amount");
  const p = ctx.params;
  const books = inner(state.books, e.source);
  let book = books.get(e.market);
  if (book === undefined) books.set(e.market, (book = { ring: [], next: 0, order: [] }));
  const median = book.order.length >= p.c.medianMinOrders ? medianOf(book) : null;
  addSize(book, q, p.c.medianWindowOrders);

  if (e.kind !== "limit" || p.exempt.has(e.accountId)) return CLEAR;
  if (!isAmount(e.price)) return error("a limit order without an exact price");
  const snap = ctx.market(e.market, e.source);
  const d = snap === undefined ? undefined : e.side === "buy" ? snap.depthBid1pct : snap.depthAsk1pct;
  const subj = ctx.subjectOf(e.accountId);
  inner(state.orders, e.source).set(e.orderId, {
    k: keyOf(e), t: e.time, ts: e.ts, a: e.accountId, subj, venue: e.source, market: e.market,
    side: e.side, px: e.price, q, filled: 0n as Money, median, depth: typeof d === "bigint" && d > 0n ? d : null,
  });
  const scope = scopeOf(state, e.source, e.market, subj);
  if (e.time > scope.lastPlaced) scope.lastPlaced = e.time;
  return CLEAR;
}

function onTrade(state: SpoofingState, e: Extract<Event, { type: "trade" }>, ctx: EvalContext<SpoofingParams>): Outcome {
  if (typeof e.buyAccountId !== "string" || typeof e.sellAccountId !== "string" || typeof e.market !== "string") return error("a trade without buyAccountId, sellAccountId or market");
  const q = e.quantity;
  if (!isAmount(q) || q === 0n) return error("a trade whose quantity is not an exact positive amount");
  const orders = state.orders.get(e.source);
  if (orders !== undefined && orders.size > 0) {
    if (typeof e.buyOrderId === "string") fillOrder(orders, e.buyOrderId, q);
    if (typeof e.sellOrderId === "string") fillOrder(orders, e.sellOrderId, q);
  }
  // Only subjects with a scope here (they placed a limit order or cancelled one) can be judged.
  const bySubject = scopesOf(state, e.source, e.market);
  if (bySubject === undefined) return CLEAR;
  recordFill(bySubject, e, "buy", e.buyAccountId, q, ctx);
  recordFill(bySubject, e, "sell", e.sellAccountId, q, ctx);
  return CLEAR;
}

function fillOrder(orders: Map<string, Order>, orderId: string, q: Money): void {
  const o = orders.get(orderId);
  if (o === undefined) return;
  o.filled = (o.filled + q) as Money;
  if (o.filled >= o.q) orders.delete(orderId);
}

function recordFill(bySubject: Map<string, Scope>, e: Extract<Event, { type: "trade" }>, side: Side, a: string, q: Money, ctx: EvalContext<SpoofingParams>): void {
  const p = ctx.params;
  if (p.exempt.has(a)) return;
  const s = bySubject.get(ctx.subjectOf(a));
  if (s === undefined) return;
  if (p.c.cancelToTrade.enabled) bucket(s, e.time, p).f++;
  // a fill can be the opposite fill of a bait only if one of its orders was placed within T before it
  if (s.lastPlaced < e.time - p.tMs) return;
  dropFills(s, e.time - p.tMs);
  s.fills.push({ t: e.time, ts: e.ts, id: e.id, side, q, a });
  if (s.fills.length > 64) s.fills.shift();
}

function dropFills(s: Scope, from: number): void {
  let i = 0;
  while (i < s.fills.length && s.fills[i]!.t < from) i++;
  if (i > 0) s.fills.splice(0, i);
}

function bucket(s: Scope, t: number, p: SpoofingParams): { s: number; c: number; f: number } {
  const start = Math.floor(t / BUCKET_MS) * BUCKET_MS;
  const from = start - p.windowMs + BUCKET_MS;
  let i = 0;
  while (i < s.buckets.length && s.buckets[i]!.s < from) i++;
  if (i > 0) s.buckets.splice(0, i);
  // late events land in their own bucket, kept in order
  let at = s.buckets.length;
  while (at > 0 && s.buckets[at - 1]!.s > start) at--;
  if (at > 0 && s.buckets[at - 1]!.s === start) return s.buckets[at - 1]!;
  const b = { s: start, c: 0, f: 0 };
  s.buckets.splice(at, 0, b);
  return b;
}

function onCancelled(state: SpoofingState, e: Extract<Event, { type: "order.cancelled" }>, ctx: EvalContext<SpoofingParams>): Outcome {
  if (typeof e.accountId !== "string" || typeof e.orderId !== "string" || typeof e.market !== "string") return error("an order.cancelled without accountId, orderId or market");
  const p = ctx.params;
  const drafts: AlertDraft[] = [];
  if (!p.exempt.has(e.accountId) && p.c.cancelToTrade.enabled) {
    const s = scopeOf(state, e.source, e.market, ctx.subjectOf(e.accountId));
    bucket(s, e.time, p).c++;
    s.cancels.push({ t: e.time, ts: e.ts, k: keyOf(e) });
    if (s.cancels.length > p.c.maxEvidence) s.cancels.shift();
    const d = cancelRatio(s, e, ctx);
    if (d !== undefined) drafts.push(d);
  }
  const orders = state.orders.get(e.source);
  const o = orders?.get(e.orderId);
  if (o !== undefined) {
    orders!.delete(e.orderId);
    const d = judgeCancel(state, o, e, ctx);
    if (d !== undefined) drafts.push(d);
  }
  return drafts.length > 0 ? hit(drafts) : CLEAR;
}

function judgeCancel(state: SpoofingState, o: Order, e: Extract<Event, { type: "order.cancelled" }>, ctx: EvalContext<SpoofingParams>): AlertDraft | undefined {
  const p = ctx.params;
  const life = e.time - o.t;
  if (life < 0 || life > p.tMs) return undefined;
  let filled = o.filled;
  if (isAmount(e.remainingQuantity) && e.remainingQuantity <= o.q) {
    const byRemaining = (o.q - e.remainingQuantity) as Money;
    if (byRemaining > filled) filled = byRemaining;
  }
  if (filled * PPM > p.filledPpm * o.q) return undefined;
  const s = scopeOf(state, o.venue, o.market, o.subj);
  const fills = s.fills.filter((f) => f.side !== o.side && f.t >= o.t && f.t <= e.time);
  if (fills.length === 0) return undefined;
  if (e.time <= s.quietUntil) return undefined; // inside a burst already alerted on
  // baits of the last T (by cancellation) stay for layering
  let i = 0;
  while (i < s.baits.length && s.baits[i]!.ct < e.time - p.tMs) i++;
  if (i > 0) s.baits.splice(0, i);
  const bait: Bait = { order: o, ct: e.time, cts: e.ts, ck: keyOf(e), filled, fills };
  s.baits.push(bait);

  const sameSide = s.baits.filter((b) => b.order.side === o.side);
  const levels = new Set(sameSide.map((b) => b.order.px.toString()));
  let draft: AlertDraft | undefined;
  if (levels.size >= p.c.layeringMinLevels) {
    let total = 0n;
    for (const b of sameSide) total += b.order.q;
    const first = sameSide[0]!.order;
    const line = largeness(total as Money, first, p);
    if (line.large) draft = layeringDraft(sameSide, levels.size, total as Money, line, ctx);
  }
  if (draft === undefined) {
    const line = largeness(o.q, o, p);
    if (line.large) draft = spoofDraft(bait, line, ctx);
  }
  if (draft === undefined) return undefined;
  s.quietUntil = e.time + p.cooldownMs;
  s.baits = s.baits.filter((b) => b.order.side !== o.side);
  return draft;
}

interface Largeness {
  large: boolean;
  byMedian: boolean;
  byDepth: boolean;
  median: Money | null;
  depth: Money | null;
}

function largeness(q: Money, o: Order, p: SpoofingParams): Largeness {
  // q ≥ multiple × median ⟺ q × 1e6 ≥ multiplePpm × median, exactly
  const byMedian = o.median !== null && q * PPM >= p.multiplePpm * o.median;
  const byDepth = o.depth !== null && atLeastShare(q, o.depth, p.depthPpm);
  return { large: byMedian || byDepth, byMedian, byDepth, median: o.median, depth: o.depth };
}

function sizeText(q: Money, base: string, l: Largeness, side: Side, p: SpoofingParams): string {
  const parts: string[] = [];
  if (l.median !== null) parts.push(`${share(q, l.median).toFixed(1)}× the market's median order of ${formatQuantity(l.median)} ${base} (line ${p.c.largeMedianMultiple}×)`);
  if (l.depth !== null) parts.push(`${formatPercent(share(q, l.depth))} of the ${side === "buy" ? "bid" : "ask"}-side depth within 1% of mid (line ${formatShare(p.c.largeDepthShare)})`);
  return parts.join(" and ");
}

const fillSample = (f: Fill, venue: string): Sample => ({ t: f.t, ts: f.ts, k: `${venue}:${f.id}` });

function evidenceOf(samples: Sample[], max: number): { keys: string[]; ts: string } {
  const seen = new Map<string, Sample>();
  for (const x of samples) seen.set(x.k, x);
  let list = [...seen.values()].sort((a, b) => a.t - b.t || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  if (list.length > max) list = [...list.slice(0, max - 1), list[list.length - 1]!];
  return { keys: list.map((x) => x.k), ts: list[list.length - 1]!.ts };
}

/** Who filled on the other side: the order's own account, or (with an entity resolver) another account of its entity. */
const who = (accounts: readonly string[]): string => (accounts.length === 1 ? "the same account" : "the same entity");

function spoofDraft(b: Bait, l: Largeness, ctx: EvalContext<SpoofingParams>): AlertDraft {
  const p = ctx.params;
  const o = b.order;
  const { base } = marketParts(o.market);
  let filledOpp = 0n;
  for (const f of b.fills) filledOpp += f.q;
  const accounts = [...new Set([o.a, ...b.fills.map((f) => f.a)])].sort();
  const ev = evidenceOf([{ t: o.t, ts: o.ts, k: o.k }, ...b.fills.map((f) => fillSample(f, o.venue)), { t: b.ct, ts: b.cts, k: b.ck }], p.c.maxEvidence);
  const life = b.ct - o.t;
  const explanation =
    `Large ${o.side} order of ${formatQuantity(o.q)} ${base} at ${formatQuantity(o.px)} in ${o.market} on ${o.venue} (${sizeText(o.q, base, l, o.side, p)}) ` +
    `rested ${formatDuration(life)} while ${who(accounts)} ${o.side === "buy" ? "sold" : "bought"} ${formatQuantity(filledOpp as Money)} ${base} on the other side in ${b.fills.length} fill${b.fills.length === 1 ? "" : "s"}, ` +
    `then was cancelled ${formatPercent(1 - share(b.filled, o.q))} unfilled (line: within ${p.c.cancelWithinSeconds} s).`;
  const times = Math.max(l.byMedian && l.median !== null ? share(o.q, l.median) / p.c.largeMedianMultiple : 0, l.byDepth && l.depth !== null ? share(o.q, l.depth) / p.c.largeDepthShare : 0);
  return {
    subject: ctx.subjectRefOf(o.a),
    accounts,
    evidence: ev.keys,
    ts: ev.ts,
    score: clampScore(70 + 10 * Math.log2(Math.max(1, times)) + (life <= p.tMs / 4 ? 5 : 0)),
    explanation,
    details: {
      kind: "spoofing",
      venue: o.venue,
      market: o.market,
      side: o.side,
      price: formatMoney(o.px),
      quantity: formatMoney(o.q),
      filled: formatMoney(b.filled),
      lifetimeMs: life,
      oppositeFills: b.fills.length,
      oppositeQuantity: formatMoney(filledOpp),
      medianOrder: l.median === null ? null : formatMoney(l.median),
      medianMultiple: l.median === null ? null : share(o.q, l.median),
      depth1pct: l.depth === null ? null : formatMoney(l.depth),
      depthShare: l.depth === null ? null : share(o.q, l.depth),
      crossed: [...(l.byMedian ? ["median"] : []), ...(l.byDepth ? ["depth"] : [])],
      cancelWithinSeconds: p.c.cancelWithinSeconds,
    },
  };
}

function layeringDraft(baits: Bait[], levels: number, total: Money, l: Largeness, ctx: EvalContext<SpoofingParams>): AlertDraft {
  const p = ctx.params;
  const first = baits[0]!.order;
  const last = baits[baits.length - 1]!;
  const { base } = marketParts(first.market);
  const fills = new Map<string, Fill>();
  for (const b of baits) for (const f of b.fills) fills.set(f.id, f);
  let filledOpp = 0n;
  for (const f of fills.values()) filledOpp += f.q;
  const accounts = [...new Set([...baits.map((b) => b.order.a), ...[...fills.values()].map((f) => f.a)])].sort();
  const samples: Sample[] = [];
  for (const b of baits) samples.push({ t: b.order.t, ts: b.order.ts, k: b.order.k }, { t: b.ct, ts: b.cts, k: b.ck });
  for (const f of fills.values()) samples.push(fillSample(f, first.venue));
  const ev = evidenceOf(samples, p.c.maxEvidence);
  const prices = [...new Set(baits.map((b) => b.order.px))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const span = last.ct - Math.min(...baits.map((b) => b.order.t));
  const explanation =
    `${baits.length} ${first.side} orders in ${first.market} on ${first.venue} stacked at ${levels} price levels (${prices.map((x) => formatQuantity(x)).join(", ")}), ` +
    `together ${formatQuantity(total)} ${base} (${sizeText(total, base, l, first.side, p)}), each cancelled within ${p.c.cancelWithinSeconds} s of being placed ` +
    `while ${who(accounts)} ${first.side === "buy" ? "sold" : "bought"} ${formatQuantity(filledOpp as Money)} ${base} on the other side; all within ${formatDuration(span)}.`;
  return {
    subject: ctx.subjectRefOf(first.a),
    accounts,
    evidence: ev.keys,
    ts: ev.ts,
    score: clampScore(75 + 5 * (levels - p.c.layeringMinLevels)),
    explanation,
    details: {
      kind: "layering",
      venue: first.venue,
      market: first.market,
      side: first.side,
      orders: baits.length,
      levels,
      prices: prices.map((x) => formatMoney(x)),
      quantity: formatMoney(total),
      oppositeFills: fills.size,
      oppositeQuantity: formatMoney(filledOpp),
      medianOrder: l.median === null ? null : formatMoney(l.median),
      depth1pct: l.depth === null ? null : formatMoney(l.depth),
      crossed: [...(l.byMedian ? ["median"] : []), ...(l.byDepth ? ["depth"] : [])],
      spanMs: span,
      cancelWithinSeconds: p.c.cancelWithinSeconds,
    },
  };
}

function cancelRatio(s: Scope, e: Extract<Event, { type: "order.cancelled" }>, ctx: EvalContext<SpoofingParams>): AlertDraft | undefined {
  const p = ctx.params;
  const r = p.c.cancelToTrade;
  if (e.time <= s.ratioQuietUntil) return undefined;
  const from = Math.floor(e.time / BUCKET_MS) * BUCKET_MS - p.windowMs + BUCKET_MS;
  let cancels = 0;
  let fills = 0;
  for (const b of s.buckets) {
    if (b.s < from) continue;
    cancels += b.c;
    fills += b.f;
  }
  if (cancels < r.minCancels || cancels < r.minRatio * Math.max(1, fills)) return undefined;
  s.ratioQuietUntil = e.time + p.windowMs;
  const inWindow = s.cancels.filter((x) => x.t >= from);
  const ev = evidenceOf(inWindow, p.c.maxEvidence);
  const ratio = cancels / Math.max(1, fills);
  return {
    subject: ctx.subjectRefOf(e.accountId),
    accounts: [e.accountId],
    evidence: ev.keys,
    ts: ev.ts,
    score: clampScore(55 + 10 * Math.log2(ratio / r.minRatio)),
    explanation:
      `${cancels} order cancellations against ${fills} trade${fills === 1 ? "" : "s"} in ${e.market} on ${e.source} within ${r.windowMinutes} minutes: ` +
      `a cancel-to-trade ratio of ${fills === 0 ? `${cancels}:0` : ratio.toFixed(1)} (line ${r.minRatio}, at least ${r.minCancels} cancellations).`,
    details: {
      kind: "cancel-to-trade",
      venue: e.source,
      market: e.market,
      cancels,
      trades: fills,
      ratio: Math.round(ratio * 1000) / 1000,
      minRatio: r.minRatio,
      minCancels: r.minCancels,
      windowMinutes: r.windowMinutes,
      evidenceCancels: ev.keys.length,
    },
  };
}

export const spoofingLayering = defineTypology<SpoofingConfig, SpoofingParams, SpoofingState>({
  id,
  version,
  description:
    "A large resting order (≥ 10× the median order or ≥ 25% of 1% depth), or orders at ≥ 3 price levels, cancelled within 60 s while the same account/entity fills on the other side; cancel-to-trade ratio ≥ 20 with ≥ 50 cancellations in an hour.",
  configSchema: spoofingConfigSchema,
  defaultConfig: spoofingDefaults,
  eventTypes: ["order.placed", "order.cancelled", "trade"],
  prepare,
  initialState: () => ({ orders: new Map(), books: new Map(), scopes: new Map() }),
  onEvent,
  prune(state, now, p) {
    const from = now - p.tMs;
    for (const [venue, orders] of state.orders) {
      for (const [k, o] of orders) if (o.t < from) orders.delete(k);
      if (orders.size === 0) state.orders.delete(venue);
    }
    const bucketFrom = Math.floor(now / BUCKET_MS) * BUCKET_MS - p.windowMs + BUCKET_MS;
    for (const [venue, byMarket] of state.scopes) {
      for (const [market, bySubject] of byMarket) {
        for (const [k, s] of bySubject) {
          dropFills(s, from);
          if (s.baits.length > 0) s.baits = s.baits.filter((b) => b.ct >= from);
          if (s.buckets.length > 0) s.buckets = s.buckets.filter((b) => b.s >= bucketFrom);
          if (s.cancels.length > 0) s.cancels = s.cancels.filter((c) => c.t >= bucketFrom);
          if (s.lastPlaced < from && s.fills.length === 0 && s.baits.length === 0 && s.buckets.length === 0 && s.quietUntil < now && s.ratioQuietUntil < now) bySubject.delete(k);
        }
        if (bySubject.size === 0) byMarket.delete(market);
      }
      if (byMarket.size === 0) state.scopes.delete(venue);
    }
  },
  size: (state) => {
    let n = 0;
    for (const orders of state.orders.values()) n += orders.size;
    for (const books of state.books.values()) n += books.size;
    for (const byMarket of state.scopes.values()) for (const bySubject of byMarket.values()) n += bySubject.size;
    return n;
  },
});

export default spoofingLayering;
