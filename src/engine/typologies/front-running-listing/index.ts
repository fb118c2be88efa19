// Front-running a listing: accounts (more so linked ones) that accumulate an asset in the days
// before an exchange announces its listing, raised when the announcement arrives; and, live,
// buying of an asset that is already abnormal against the group's own history and the market's
// buying. See README.md.
//
// Semantics: per group (linked cluster, else subject) and asset, buys and sells of the asset (any
// market, any venue, valued in yen) are kept in hourly buckets for windowDays + baselineDays. When
// `listing.announced` for the asset arrives, every group whose net buying in the windowDays before
// the announcement is ≥ minValueJpy (× linkedValueFactor for groups of ≥ 2 accounts), ≥
// baselineMultiple × its own buying of the asset in the baselineDays before (scaled to the window),
// ≥ activityMultiple × its buying of all assets in those days (scaled), and ≥ minMarketShare of all
// buying of the asset in the window is alerted (the largest first, at most
// maxAlertsPerListing). Live: the same test with the stricter `live` lines on every buy, once the
// typology has seen live.minHistoryDays before the window.
import { formatMoney, keyOf, type Event, type Money } from "../../../contracts/index.ts";
import { clampScore, formatJpy, formatPercent, formatShare, ppm, share, yen } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, notEnoughHistory, type AlertDraft, type EvalContext, type Outcome } from "../../types.ts";
import { isAmount, marketParts, notional, PPM } from "../../values.ts";
import { frontRunningConfigSchema, frontRunningDefaults, type FrontRunningConfig } from "./config.ts";

export const id = "front-running-listing";
export const version = "1.0.0";

const HOUR = 3_600_000;

/** One hour of a group's (or the market's) trading in an asset: bought and sold value in yen. */
interface Bucket {
  h: number;
  b: Money;
  s: Money;
}

/** Hourly buckets with running sums of the window and the baseline as of hour `at`. */
interface Series {
  x: Bucket[];
  /** index of the first bucket inside the window */
  w: number;
  at: number;
  winB: Money;
  winS: Money;
  baseB: Money;
}

interface Sample {
  t: number;
  ts: string;
  k: string;
}

/** A buy kept for evidence: its event's source and id (the key is built only for an alert). */
interface Buy {
  t: number;
  ts: string;
  src: string;
  id: string;
}

interface Entry {
  /** the group: its key and whether it is a linked cluster (else a subject) */
  g: string;
  c: boolean;
  sr: Series;
  /** accounts of the group that bought, with what they bought (over the entry's life) */
  acc: Array<{ a: string; v: Money }>;
  /** the most recent buys */
  keys: Buy[];
  /** live alerts are quiet until this time */
  quietUntil: number;
}

interface AssetState {
  mkt: Series;
  /** groups by subject (account, or entity with a resolver) */
  subjects: Map<string, Entry>;
  /** groups by linked cluster */
  clusters: Map<string, Entry>;
}

export interface FrontRunningState {
  assets: Map<string, AssetState>;
  /** every group's buying of all assets (its activity level), by subject and by cluster */
  activity: { subjects: Map<string, Series>; clusters: Map<string, Series> };
  /** event time of the first trade seen (the start of observed history); null before any */
  first: number | null;
}

export interface FrontRunningParams {
  c: FrontRunningConfig;
  winH: number;
  baseH: number;
  minValue: Money;
  multiplePpm: bigint;
  activityPpm: bigint;
  sharePpm: bigint;
  factorPpm: bigint;
  historyMs: number;
  exempt: ReadonlySet<string>;
  live: {
    minValue: Money;
    /** minValue × linkedValueFactor: the live value line of a group of ≥ 2 accounts */
    linkedMinValue: Money;
    multiplePpm: bigint;
    activityPpm: bigint;
    sharePpm: bigint;
    historyMs: number;
  };
}

function prepare(c: FrontRunningConfig): FrontRunningParams {
  return {
    c,
    winH: Math.max(1, Math.round(c.windowDays * 24)),
    baseH: Math.max(1, Math.round(c.baselineDays * 24)),
    minValue: yen(c.minValueJpy),
    multiplePpm: ppm(c.baselineMultiple),
    activityPpm: ppm(c.activityMultiple),
    sharePpm: ppm(c.minMarketShare),
    factorPpm: ppm(c.linkedValueFactor),
    historyMs: c.minHistoryDays * 86_400_000,
    exempt: new Set(c.exemptAccounts),
    live: {
      minValue: yen(c.live.minValueJpy),
      linkedMinValue: ((yen(c.live.minValueJpy) * ppm(c.linkedValueFactor)) / PPM) as Money,
      multiplePpm: ppm(c.live.baselineMultiple),
      activityPpm: ppm(c.live.activityMultiple),
      sharePpm: ppm(c.live.minMarketShare),
      historyMs: c.live.minHistoryDays * 86_400_000,
    },
  };
}

const newSeries = (): Series => ({ x: [], w: 0, at: Number.NEGATIVE_INFINITY, winB: 0n as Money, winS: 0n as Money, baseB: 0n as Money });

/** Move the series' sums forward to hour `h` (never backwards). */
function advance(sr: Series, h: number, p: FrontRunningParams): void {
  if (h <= sr.at) return;
  sr.at = h;
  const winFrom = h - p.winH + 1;
  const keepFrom = winFrom - p.baseH;
  while (sr.w < sr.x.length && sr.x[sr.w]!.h < winFrom) {
    const b = sr.x[sr.w]!;
    sr.winB = (sr.winB - b.b) as Money;
    sr.winS = (sr.winS - b.s) as Money;
    sr.baseB = (sr.baseB + b.b) as Money;
    sr.w++;
  }
  while (sr.x.length > 0 && sr.x[0]!.h < keepFrom) {
    const b = sr.x.shift()!;
    sr.baseB = (sr.baseB - b.b) as Money;
    sr.w--;
  }
}

/** Add bought / sold value at hour h (late hours land in their place). */
function addTo(sr: Series, h: number, b: Money, s: Money, p: FrontRunningParams): void {
  advance(sr, h, p);
  const winFrom = sr.at - p.winH + 1;
  if (h < winFrom - p.baseH) return; // older than anything kept
  let i = sr.x.length;
  while (i > 0 && sr.x[i - 1]!.h > h) i--;
  // (bigint sums allocate: only the non-zero side is added)
  if (i > 0 && sr.x[i - 1]!.h === h) {
    const x = sr.x[i - 1]!;
    if (b !== 0n) x.b = (x.b + b) as Money;
    if (s !== 0n) x.s = (x.s + s) as Money;
  } else {
    if (i === sr.x.length) sr.x.push({ h, b, s });
    else sr.x.splice(i, 0, { h, b, s });
    if (h < winFrom) sr.w++;
  }
  if (h >= winFrom) {
    if (b !== 0n) sr.winB = (sr.winB + b) as Money;
    if (s !== 0n) sr.winS = (sr.winS + s) as Money;
  } else if (b !== 0n) {
    sr.baseB = (sr.baseB + b) as Money;
  }
}

/** Sums as of hour h, by a scan (for announcements, whose time may lie before later buckets). */
function sumsAt(sr: Series, h: number, p: FrontRunningParams): { winB: Money; winS: Money; baseB: Money } {
  const winFrom = h - p.winH + 1;
  const baseFrom = winFrom - p.baseH;
  let winB = 0n;
  let winS = 0n;
  let baseB = 0n;
  for (const x of sr.x) {
    if (x.h > h || x.h < baseFrom) continue;
    if (x.h >= winFrom) {
      winB += x.b;
      winS += x.s;
    } else {
      baseB += x.b;
    }
  }
  return { winB: winB as Money, winS: winS as Money, baseB: baseB as Money };
}

function assetOf(state: FrontRunningState, asset: string): AssetState {
  let s = state.assets.get(asset);
  if (s === undefined) state.assets.set(asset, (s = { mkt: newSeries(), subjects: new Map(), clusters: new Map() }));
  return s;
}

/** The group entry of an account: its linked cluster's when it has one, else its subject's. */
function entryOf(as: AssetState, a: string, ctx: EvalContext<FrontRunningParams>): Entry {
  const c = ctx.linkedOf(a);
  const map = c === undefined ? as.subjects : as.clusters;
  const g = c ?? ctx.subjectOf(a);
  let e = map.get(g);
  if (e === undefined) map.set(g, (e = { g, c: c !== undefined, sr: newSeries(), acc: [], keys: [], quietUntil: -1 }));
  return e;
}

function activityOf(state: FrontRunningState, en: Entry): Series {
  const map = en.c ? state.activity.clusters : state.activity.subjects;
  let sr = map.get(en.g);
  if (sr === undefined) map.set(en.g, (sr = newSeries()));
  return sr;
}

function onEvent(state: FrontRunningState, e: Event, ctx: EvalContext<FrontRunningParams>): Outcome {
  if (e.type === "trade") return onTrade(state, e, ctx);
  if (e.type === "listing.announced") return onListing(state, e, ctx);
  return CLEAR;
}

function onTrade(state: FrontRunningState, e: Extract<Event, { type: "trade" }>, ctx: EvalContext<FrontRunningParams>): Outcome {
  if (typeof e.buyAccountId !== "string" || typeof e.sellAccountId !== "string" || typeof e.market !== "string") return error("a trade without buyAccountId, sellAccountId or market");
  if (!isAmount(e.quantity) || e.quantity === 0n || !isAmount(e.price)) return error("a trade whose quantity or price is not an exact positive amount");
  const p = ctx.params;
  if (state.first === null || e.time < state.first) state.first = e.time;
  const parts = marketParts(e.market);
  const asset = parts.base;
  let value: Money;
  if (parts.quote === "JPY") value = notional(e.quantity, e.price);
  else {
    const snap = ctx.market(parts.jpy, e.source);
    if (snap === undefined) return CLEAR; // cannot be valued in yen: not counted
    value = notional(e.quantity, snap.midPrice);
  }
  const h = Math.floor(e.time / HOUR);
  const as = assetOf(state, asset);
  addTo(as.mkt, h, value, 0n as Money, p);
  const zero = 0n as Money;
  if (!p.exempt.has(e.sellAccountId)) addTo(entryOf(as, e.sellAccountId, ctx).sr, h, zero, value, p);
  if (p.exempt.has(e.buyAccountId)) return CLEAR;
  const buyer = entryOf(as, e.buyAccountId, ctx);
  addTo(buyer.sr, h, value, zero, p);
  const activity = activityOf(state, buyer);
  addTo(activity, h, value, zero, p);
  let acc: { a: string; v: Money } | undefined;
  for (let i = 0; i < buyer.acc.length; i++) if (buyer.acc[i]!.a === e.buyAccountId) acc = buyer.acc[i];
  if (acc === undefined) buyer.acc.push((acc = { a: e.buyAccountId, v: zero }));
  acc.v = (acc.v + value) as Money;
  buyer.keys.push({ t: e.time, ts: e.ts, src: e.source, id: e.id });
  if (buyer.keys.length > p.c.evidencePerGroup) buyer.keys.shift();

  if (!p.c.live.enabled || e.time <= buyer.quietUntil || state.first === null) return CLEAR;
  // cheap first: the net buying must reach the (linked) value line before anything else is computed
  const lowest = buyer.acc.length >= 2 ? p.live.linkedMinValue : p.live.minValue;
  // (sold value is never negative: bought alone below the line means net below it too, with no subtraction)
  if (buyer.sr.winB < lowest || buyer.sr.winB - buyer.sr.winS < lowest) return CLEAR;
  const winStart = (buyer.sr.at - p.winH + 1) * HOUR;
  if (winStart - state.first < p.live.historyMs) return CLEAR;
  const f = figures({ winB: buyer.sr.winB, winS: buyer.sr.winS, baseB: buyer.sr.baseB }, activity.baseB, as.mkt.winB, winStart, state.first, p);
  if (!passes(f, buyer, p.live.minValue, p.live.multiplePpm, p.live.activityPpm, p.live.sharePpm, p)) return CLEAR;
  buyer.quietUntil = e.time + p.winH * HOUR;
  return hit([draft("live", asset, buyer, f, undefined, ctx)]);
}

interface Figures {
  net: Money;
  bought: Money;
  sold: Money;
  baseline: Money;
  /** the group's buying of all assets in the baseline hours */
  activity: Money;
  /** hours of baseline actually observed (≤ baselineDays × 24) */
  baseHours: number;
  market: Money;
  winStart: number;
}

function figures(s: { winB: Money; winS: Money; baseB: Money }, activity: Money, market: Money, winStart: number, first: number, p: FrontRunningParams): Figures {
  const net = (s.winB > s.winS ? s.winB - s.winS : 0n) as Money;
  const observed = Math.floor((winStart - Math.floor(first / HOUR) * HOUR) / HOUR);
  const baseHours = Math.max(0, Math.min(p.baseH, observed));
  return { net, bought: s.winB, sold: s.winS, baseline: s.baseB, activity, baseHours, market, winStart };
}

/** The four lines, exactly: value (× factor for linked groups), own baseline in the asset, own activity, market share. */
function passes(f: Figures, en: Entry, minValue: Money, multiplePpm: bigint, activityPpm: bigint, sharePpm: bigint, p: FrontRunningParams): boolean {
  if (f.net === 0n) return false;
  const linked = en.acc.length >= 2;
  const line = linked ? (minValue * p.factorPpm) / PPM : minValue;
  if (f.net < line) return false;
  // net ≥ multiple × baseline × winH / baseHours ⟺ net × 1e6 × baseHours ≥ multiplePpm × baseline × winH
  if (f.baseHours > 0 && f.net * PPM * BigInt(f.baseHours) < multiplePpm * f.baseline * BigInt(p.winH)) return false;
  if (f.baseHours > 0 && f.net * PPM * BigInt(f.baseHours) < activityPpm * f.activity * BigInt(p.winH)) return false;
  return f.net * PPM >= sharePpm * f.market;
}

function onListing(state: FrontRunningState, e: Extract<Event, { type: "listing.announced" }>, ctx: EvalContext<FrontRunningParams>): Outcome {
  if (typeof e.asset !== "string" || typeof e.market !== "string") return error("a listing.announced without asset or market");
  const announced = Date.parse(e.announcedAt);
  if (!Number.isFinite(announced)) return error("a listing.announced whose announcedAt is not a timestamp");
  const p = ctx.params;
  const as = state.assets.get(e.asset);
  if (as === undefined || state.first === null) return CLEAR;
  const tau = Math.min(announced, e.time);
  const h = Math.floor(tau / HOUR);
  const winStart = (h - p.winH + 1) * HOUR;
  if (winStart - state.first < p.historyMs) {
    return notEnoughHistory(`${Math.max(0, (winStart - state.first) / 86_400_000).toFixed(1)} days of trading observed before the window; ${p.c.minHistoryDays} needed for a baseline`);
  }
  const market = sumsAt(as.mkt, h, p).winB;
  const found: Array<{ en: Entry; f: Figures }> = [];
  for (const en of [...as.subjects.values(), ...as.clusters.values()]) {
    const act = (en.c ? state.activity.clusters : state.activity.subjects).get(en.g);
    const f = figures(sumsAt(en.sr, h, p), act === undefined ? (0n as Money) : sumsAt(act, h, p).baseB, market, winStart, state.first, p);
    if (passes(f, en, p.minValue, p.multiplePpm, p.activityPpm, p.sharePpm, p)) found.push({ en, f });
  }
  if (found.length === 0) return CLEAR;
  found.sort((x, y) => (x.f.net > y.f.net ? -1 : x.f.net < y.f.net ? 1 : 0));
  const ann: Sample = { t: e.time, ts: e.ts, k: keyOf(e) };
  return hit(found.slice(0, p.c.maxAlertsPerListing).map(({ en, f }) => draft("announcement", e.asset, en, f, { ann, tau, venue: e.source, market: e.market, listingAt: e.listingAt }, ctx)));
}

interface Announcement {
  ann: Sample;
  tau: number;
  venue: string;
  market: string;
  listingAt: string | undefined;
}

function draft(kind: "announcement" | "live", asset: string, en: Entry, f: Figures, an: Announcement | undefined, ctx: EvalContext<FrontRunningParams>): AlertDraft {
  const p = ctx.params;
  const until = an === undefined ? Number.POSITIVE_INFINITY : an.tau;
  const buys: Sample[] = en.keys.filter((x) => x.t >= f.winStart && x.t < until).map((x) => ({ t: x.t, ts: x.ts, k: `${x.src}:${x.id}` }));
  const samples = an === undefined ? buys : [...buys, an.ann];
  const evidence = samples.sort((a, b) => a.t - b.t || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const accounts = en.acc.map((x) => x.a).sort();
  let lead = en.acc[0]!;
  for (const x of en.acc) if (x.v > lead.v || (x.v === lead.v && x.a < lead.a)) lead = x;
  const linked = accounts.length >= 2;
  const perWindow = f.baseHours > 0 ? ((f.baseline * BigInt(p.winH)) / BigInt(f.baseHours)) as Money : null;
  const multiple = perWindow === null ? null : perWindow === 0n ? null : share(f.net, perWindow);
  const marketShare = f.market > 0n ? share(f.net, f.market) : 1;
  const who = linked ? `${accounts.length} linked accounts` : "An account";
  const days = `${Number(p.c.windowDays.toFixed(2))} days`;
  const baseText =
    f.baseHours === 0
      ? "no history before the window to compare with"
      : perWindow === 0n
        ? `none of it bought in the ${Number((f.baseHours / 24).toFixed(1))} days before`
        : `${multiple!.toFixed(1)}× their own buying of it (${formatJpy(perWindow!)} per ${days} over the ${Number((f.baseHours / 24).toFixed(1))} days before; line ${kind === "live" ? p.c.live.baselineMultiple : p.c.baselineMultiple}×)`;
  const actPerWindow = f.baseHours > 0 ? ((f.activity * BigInt(p.winH)) / BigInt(f.baseHours)) as Money : null;
  const actMultiple = actPerWindow === null || actPerWindow === 0n ? null : share(f.net, actPerWindow);
  const actLine = kind === "live" ? p.c.live.activityMultiple : p.c.activityMultiple;
  const actText =
    actPerWindow === null
      ? ""
      : actPerWindow === 0n
        ? "; they bought nothing at all before"
        : `; ${actMultiple!.toFixed(1)}× all they usually buy in ${days} (${formatJpy(actPerWindow)}; line ${actLine}×)`;
  const shareLine = kind === "live" ? p.c.live.minMarketShare : p.c.minMarketShare;
  const head =
    an === undefined
      ? `${who} bought ${formatJpy(f.net)} of ${asset} net in the last ${days}, with no listing announced yet`
      : `In the ${days} before ${asset}'s listing on ${an.venue} (${an.market}) was announced, ${who.charAt(0).toLowerCase()}${who.slice(1)} bought ${formatJpy(f.net)} of ${asset} net`;
  const explanation = `${head}: ${baseText}${actText}; and ${formatPercent(marketShare)} of all buying of ${asset} in the consortium in those days (line ${formatShare(shareLine)}).`;
  const strength = multiple === null ? 2 : Math.min(3, Math.log10(Math.max(1, multiple)));
  return {
    subject: ctx.subjectRefOf(lead.a),
    accounts,
    evidence: evidence.map((x) => x.k),
    ts: evidence[evidence.length - 1]!.ts,
    score: clampScore((kind === "announcement" ? 65 : 55) + (linked ? 10 : 0) + 5 * strength + 10 * Math.min(1, marketShare)),
    explanation,
    details: {
      kind,
      asset,
      ...(an === undefined ? {} : { venue: an.venue, market: an.market, announcedAt: new Date(an.tau).toISOString(), listingAt: an.listingAt ?? null }),
      windowDays: p.c.windowDays,
      windowStart: new Date(f.winStart).toISOString(),
      netBoughtJpy: formatMoney(f.net),
      boughtJpy: formatMoney(f.bought),
      soldJpy: formatMoney(f.sold),
      baselineBoughtJpy: formatMoney(f.baseline),
      baselineDaysObserved: Math.round((f.baseHours / 24) * 100) / 100,
      baselineMultiple: multiple,
      activityBaselineJpy: actPerWindow === null ? null : formatMoney(actPerWindow),
      activityMultiple: actMultiple,
      marketBoughtJpy: formatMoney(f.market),
      marketShare,
      linkedAccounts: accounts.length,
      accountsBought: en.acc.map((x) => ({ account: x.a, boughtJpy: formatMoney(x.v) })).sort((a, b) => (a.account < b.account ? -1 : 1)),
    },
  };
}

export const frontRunningListing = defineTypology<FrontRunningConfig, FrontRunningParams, FrontRunningState>({
  id,
  version,
  description:
    "Net buying of an asset in the 7 days before its listing.announced: ≥ ¥1M (¥500k for linked accounts), ≥ 5× the group's own 30-day buying of it, ≥ 2× its usual buying of everything, ≥ 5% of all buying of the asset; live on stricter lines (¥5M, 10×, 3×, 25%).",
  configSchema: frontRunningConfigSchema,
  defaultConfig: frontRunningDefaults,
  eventTypes: ["trade", "listing.announced"],
  prepare,
  initialState: () => ({ assets: new Map(), activity: { subjects: new Map(), clusters: new Map() }, first: null }),
  onEvent,
  prune(state, now, p) {
    const h = Math.floor(now / HOUR);
    for (const [asset, as] of state.assets) {
      advance(as.mkt, h, p);
      for (const map of [as.subjects, as.clusters]) {
        for (const [g, en] of map) {
          advance(en.sr, h, p);
          if (en.sr.x.length === 0 && en.quietUntil < now) map.delete(g);
        }
      }
      if (as.subjects.size === 0 && as.clusters.size === 0 && as.mkt.x.length === 0) state.assets.delete(asset);
    }
    for (const map of [state.activity.subjects, state.activity.clusters]) {
      for (const [g, sr] of map) {
        advance(sr, h, p);
        if (sr.x.length === 0) map.delete(g);
      }
    }
  },
  size: (state) => {
    let n = state.assets.size;
    for (const as of state.assets.values()) n += as.subjects.size + as.clusters.size;
    n += state.activity.subjects.size + state.activity.clusters.size;
    return n;
  },
});

export default frontRunningListing;
