// Dormant reactivation: an account idle for months wakes up, logs in from a device or IP it never
// used, and within a day sends most of what it held to destinations it never used: the mark of a
// taken-over (or sold) account being emptied. See README.md.
//
// Semantics (v1.0.0), per account:
//   balances per asset are tracked from deposits (+), withdrawals (−), transfers (− / +) and trades
//   (buyer + base, − quote; seller the reverse), floored at zero (history before the log is unknown);
//   an activity event (login, deposit, withdrawal, transfer, order.placed, order.cancelled, trade)
//   ≥ dormantDays after the previous one wakes the account at R. Its balances just before R are
//   valued in JPY (JPY 1:1; others at the latest market.snapshot mid of ASSET/JPY, from the event's
//   venue when it has one, else the last ASSET/JPY trade price, else the last unit value of a
//   movement with valueJpy): V.
//   When V ≥ minBalanceJpy, the account is watched for windowHours after R: once it has logged in from
//   a deviceId or ip not seen before R, and its withdrawals to destinations not used before R, less
//   what it deposited in the meantime, reach drainShare × V, one alert is raised.
import { formatMoney, keyOf, MONEY_SCALE, type Event, type Money } from "../../../contracts/index.ts";
import { clampScore, formatDuration, formatJpy, formatShare, ppm, share, yen } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, type AlertDraft, type EvalContext, type Outcome } from "../../types.ts";
import { atLeastShare, isAmount, jpyMarket, marketParts, notional } from "../../values.ts";
import { normalizeAddress } from "../illicit-exposure/address.ts";
import { dormantReactivationConfigSchema, dormantReactivationDefaults, type DormantReactivationConfig } from "./config.ts";

export const id = "dormant-reactivation";
export const version = "1.0.0";

/** What the typology knows of one account that holds something. */
interface Ledger {
  /** asset → balance held, boxed so an update is one lookup (exact, floored at zero; zero balances are removed) */
  b: Map<string, { v: bigint }>;
  /** last activity event time */
  last: number;
  /** device ids, IPs and withdrawal destinations (or deposit sources) it has used, most recent last */
  dev: string[];
  ip: string[];
  dst: string[];
}

/** An account that woke up from dormancy, watched for windowHours. */
interface Wake {
  /** the first activity after dormancy */
  t: number;
  ts: string;
  k: string;
  /** how long it had been idle */
  idle: number;
  /** JPY value of its balances at R, and the balances (asset, amount) */
  v0: bigint;
  held: Array<[string, bigint]>;
  /** assets held that had no price at R (not in v0) */
  unpriced: string[];
  /** what it had used before R */
  dev: string[];
  ip: string[];
  dst: string[];
  /** the first login from a new device or IP: key, time, what was new */
  access: [string, number, string] | null;
  /** JPY withdrawn to new destinations, and deposited, since R */
  w: bigint;
  d: bigint;
  /** withdrawals counted: key, time */
  ev: Array<[string, number]>;
}

export interface DormantReactivationState {
  /** account → ledger (only accounts holding a positive balance) */
  accounts: Map<string, Ledger>;
  /** account → its open reactivation watch */
  wakes: Map<string, Wake>;
  /** `ASSET/JPY` → last trade price; `ASSET` → last unit value of a valued movement (JPY, scaled) */
  px: Map<string, bigint>;
  /**
   * account → its last login (device, IP, time) while it held nothing, kept for a day: the login
   * just before a first deposit seeds the ledger, so the usual device is not mistaken for a new one.
   */
  recent: Map<string, [string | null, string | null, number]>;
}

export interface DormantReactivationParams {
  dormantMs: number;
  windowMs: number;
  drainShare: number;
  drainPpm: bigint;
  minBalance: Money;
}

const MAX_DEVICES = 16;
const MAX_IPS = 16;
const MAX_DESTINATIONS = 32;
const RECENT_MS = 86_400_000;

function prepare(c: DormantReactivationConfig): DormantReactivationParams {
  return {
    dormantMs: c.dormantDays * 86_400_000,
    windowMs: c.windowHours * 3_600_000,
    drainShare: c.drainShare,
    drainPpm: ppm(c.drainShare),
    minBalance: yen(c.minBalanceJpy),
  };
}

function remember(list: string[], x: string, max: number): void {
  const i = list.indexOf(x);
  if (i >= 0) list.splice(i, 1);
  list.push(x);
  if (list.length > max) list.splice(0, list.length - max);
}

function add(l: Ledger, asset: string, x: bigint): void {
  if (x <= 0n) return;
  const cur = l.b.get(asset);
  if (cur === undefined) l.b.set(asset, { v: x });
  else cur.v += x;
}

function sub(l: Ledger, asset: string, x: bigint): void {
  const cur = l.b.get(asset);
  if (cur === undefined) return;
  if (cur.v > x) cur.v -= x;
  else l.b.delete(asset);
}

/** JPY per unit of an asset (scaled), or undefined when no price is known. */
function priceOf(state: DormantReactivationState, asset: string, venue: string, ctx: EvalContext<DormantReactivationParams>): bigint | undefined {
  if (asset === "JPY") return MONEY_SCALE;
  const market = jpyMarket(asset);
  return ctx.market(market, venue)?.midPrice ?? latest(state, asset, market);
}

/** The last trade price of ASSET/JPY, else the last unit value of a valued movement of ASSET. */
function latest(state: DormantReactivationState, asset: string, market: string): bigint | undefined {
  return state.px.get(market) ?? state.px.get(asset);
}

/** The JPY value of a movement: the amount for JPY, else valueJpy, else amount × the known price. */
function valueOf(state: DormantReactivationState, e: { asset: string; amount: Money; valueJpy?: Money | undefined; source: string }, ctx: EvalContext<DormantReactivationParams>): bigint | undefined {
  if (e.asset === "JPY") return e.amount;
  if (isAmount(e.valueJpy)) return e.valueJpy;
  const px = priceOf(state, e.asset, e.source, ctx);
  return px === undefined ? undefined : notional(e.amount, px as Money);
}

/** Learn unit prices from valued movements (keyed by asset) and trades (keyed by market, `XEM/JPY`). */
function learnPrice(state: DormantReactivationState, e: Event): void {
  if (e.type === "trade") state.px.set(e.market, e.price);
  else if ((e.type === "deposit" || e.type === "withdrawal" || e.type === "transfer") && e.asset !== "JPY" && isAmount(e.valueJpy) && e.amount > 0n) {
    state.px.set(e.asset, (e.valueJpy * MONEY_SCALE) / e.amount);
  }
}

const destinationOf = (e: { toAddress?: string | undefined; bankAccountHash?: string | undefined }): string | null =>
  typeof e.toAddress === "string" ? `addr:${normalizeAddress(e.toAddress)}` : typeof e.bankAccountHash === "string" ? `bank:${e.bankAccountHash}` : null;

function onEvent(state: DormantReactivationState, e: Event, ctx: EvalContext<DormantReactivationParams>): Outcome {
  switch (e.type) {
    case "login":
    case "order.placed":
    case "order.cancelled":
    case "deposit":
    case "withdrawal":
      if (typeof e.accountId !== "string") return error(`a ${e.type} without an accountId`);
      break;
    case "transfer":
      if (typeof e.fromAccountId !== "string" || typeof e.toAccountId !== "string") return error("a transfer without fromAccountId or toAccountId");
      break;
    case "trade":
      if (typeof e.buyAccountId !== "string" || typeof e.sellAccountId !== "string" || typeof e.market !== "string") return error("a trade without accounts or market");
      if (!isAmount(e.quantity) || !isAmount(e.price)) return error("a trade without an exact quantity and price");
      break;
    default:
      return CLEAR;
  }
  if ((e.type === "deposit" || e.type === "withdrawal" || e.type === "transfer") && !isAmount(e.amount)) return error("amount is not an exact non-negative amount");
  if ((e.type === "deposit" || e.type === "withdrawal" || e.type === "transfer") && e.valueJpy !== undefined && !isAmount(e.valueJpy)) return error("valueJpy is not an exact non-negative amount");
  learnPrice(state, e);
  const first = e.type === "transfer" ? e.fromAccountId : e.type === "trade" ? e.buyAccountId : e.accountId;
  const other = e.type === "transfer" ? e.toAccountId : e.type === "trade" ? e.sellAccountId : first;
  const dormantMs = ctx.params.dormantMs;
  const l1 = state.accounts.get(first);
  if (l1 !== undefined && e.time - l1.last >= dormantMs) wake(state, first, l1, e, ctx);
  if (other !== first) {
    const l2 = state.accounts.get(other);
    if (l2 !== undefined && e.time - l2.last >= dormantMs) wake(state, other, l2, e, ctx);
  }
  // (waking reads the ledgers and never changes them: the ones just read are passed on)
  apply(state, e, l1, other !== first ? state.accounts.get(other) : l1);
  if (state.wakes.size === 0) return CLEAR;
  const a = watch(state, first, e, ctx);
  const b = other !== first ? watch(state, other, e, ctx) : undefined;
  if (a === undefined && b === undefined) return CLEAR;
  return hit(a !== undefined && b !== undefined ? [a, b] : [(a ?? b)!]);
}

/** An activity event after ≥ dormantDays of silence opens a watch (when the balance is worth it). */
function wake(state: DormantReactivationState, account: string, l: Ledger, e: Event, ctx: EvalContext<DormantReactivationParams>): void {
  const idle = e.time - l.last;
  let v0 = 0n;
  const held: Array<[string, bigint]> = [];
  const unpriced: string[] = [];
  for (const [asset, { v: amount }] of [...l.b].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    held.push([asset, amount]);
    const px = priceOf(state, asset, e.source, ctx);
    if (px === undefined) unpriced.push(asset);
    else v0 += notional(amount as Money, px as Money);
  }
  if (v0 < ctx.params.minBalance || v0 === 0n) return;
  state.wakes.set(account, {
    t: e.time, ts: e.ts, k: keyOf(e), idle, v0, held, unpriced,
    dev: [...l.dev], ip: [...l.ip], dst: [...l.dst],
    access: null, w: 0n, d: 0n, ev: [],
  });
}

/** The account's ledger (`known`: what `state.accounts` holds for it, already looked up), created when missing. */
function ledgerFor(state: DormantReactivationState, account: string, now: number, known: Ledger | undefined): Ledger {
  let l = known;
  if (l === undefined) {
    state.accounts.set(account, (l = { b: new Map(), last: now, dev: [], ip: [], dst: [] }));
    const r = state.recent.get(account);
    if (r !== undefined) {
      if (r[0] !== null) l.dev.push(r[0]);
      if (r[1] !== null) l.ip.push(r[1]);
      state.recent.delete(account);
    }
  }
  return l;
}

function touch(l: Ledger | undefined, time: number): void {
  if (l !== undefined && time > l.last) l.last = time;
}

/** Forget an account that holds nothing. */
function drop(state: DormantReactivationState, account: string, l: Ledger): void {
  if (l.b.size === 0) state.accounts.delete(account);
}

/**
 * Update balances, last activity and what the account has used. `l1`, `l2`: what `state.accounts`
 * holds for the event's first account (accountId, fromAccountId, buyAccountId) and its other one
 * (toAccountId, sellAccountId; the first again when there is none), looked up by the caller.
 */
function apply(state: DormantReactivationState, e: Event, l1: Ledger | undefined, l2: Ledger | undefined): void {
  const t = e.time;
  switch (e.type) {
    case "login": {
      const l = l1;
      if (l !== undefined) {
        if (typeof e.deviceId === "string") remember(l.dev, e.deviceId, MAX_DEVICES);
        if (typeof e.ip === "string") remember(l.ip, e.ip, MAX_IPS);
      } else {
        const dev = typeof e.deviceId === "string" ? e.deviceId : null;
        const ip = typeof e.ip === "string" ? e.ip : null;
        const r = state.recent.get(e.accountId);
        if (r === undefined) state.recent.set(e.accountId, [dev, ip, t]);
        else {
          r[0] = dev;
          r[1] = ip;
          r[2] = t;
        }
      }
      touch(l, t);
      return;
    }
    case "order.placed":
    case "order.cancelled":
      touch(l1, t);
      return;
    case "deposit": {
      const l = ledgerFor(state, e.accountId, t, l1);
      add(l, e.asset, e.amount);
      if (typeof e.fromAddress === "string") remember(l.dst, `addr:${normalizeAddress(e.fromAddress)}`, MAX_DESTINATIONS);
      if (typeof e.bankAccountHash === "string") remember(l.dst, `bank:${e.bankAccountHash}`, MAX_DESTINATIONS);
      touch(l, t);
      drop(state, e.accountId, l);
      return;
    }
    case "withdrawal": {
      const l = l1;
      if (l === undefined) return;
      sub(l, e.asset, e.amount);
      const dst = destinationOf(e);
      if (dst !== null) remember(l.dst, dst, MAX_DESTINATIONS);
      touch(l, t);
      drop(state, e.accountId, l);
      return;
    }
    case "transfer": {
      const from = l1;
      if (from !== undefined) {
        sub(from, e.asset, e.amount);
        touch(from, t);
        drop(state, e.fromAccountId, from);
      }
      // (a transfer to itself: the ledger may just have been dropped)
      const to = ledgerFor(state, e.toAccountId, t, e.toAccountId === e.fromAccountId ? state.accounts.get(e.toAccountId) : l2);
      add(to, e.asset, e.amount);
      touch(to, t);
      drop(state, e.toAccountId, to);
      return;
    }
    case "trade": {
      const { base, quote } = marketParts(e.market);
      const cost = notional(e.quantity, e.price);
      if (e.buyAccountId === e.sellAccountId) {
        touch(l1, t);
        return;
      }
      const buyer = ledgerFor(state, e.buyAccountId, t, l1);
      add(buyer, base, e.quantity);
      sub(buyer, quote, cost);
      touch(buyer, t);
      drop(state, e.buyAccountId, buyer);
      const seller = ledgerFor(state, e.sellAccountId, t, l2);
      sub(seller, base, e.quantity);
      add(seller, quote, cost);
      touch(seller, t);
      drop(state, e.sellAccountId, seller);
      return;
    }
    default:
      return;
  }
}

/** Follow an open watch: a new device or IP, withdrawals to new destinations, deposits meanwhile. */
function watch(state: DormantReactivationState, account: string, e: Event, ctx: EvalContext<DormantReactivationParams>): AlertDraft | undefined {
  const w = state.wakes.get(account);
  if (w === undefined) return undefined;
  const p = ctx.params;
  if (e.time - w.t > p.windowMs || e.time < w.t) return undefined;
  if (e.type === "login" && w.access === null) {
    const newDevice = typeof e.deviceId === "string" && !w.dev.includes(e.deviceId);
    const newIp = typeof e.ip === "string" && !w.ip.includes(e.ip);
    if (newDevice || newIp) w.access = [keyOf(e), e.time, newDevice && newIp ? "device and IP" : newDevice ? "device" : "IP"];
  } else if (e.type === "withdrawal") {
    const dst = destinationOf(e);
    if (dst === null || !w.dst.includes(dst)) {
      const v = valueOf(state, e, ctx);
      if (v !== undefined) {
        w.w += v;
        w.ev.push([keyOf(e), e.time]);
      }
    }
  } else if (e.type === "deposit" || (e.type === "transfer" && e.toAccountId === account && e.fromAccountId !== account)) {
    const v = valueOf(state, e, ctx);
    if (v !== undefined) w.d += v;
  } else if (e.type === "transfer" && e.fromAccountId === account && e.toAccountId !== account) {
    // a move to another account is a way out as well: to a destination the watch never saw
    const v = valueOf(state, e, ctx);
    if (v !== undefined) {
      w.w += v;
      w.ev.push([keyOf(e), e.time]);
    }
  }
  if (w.access === null || w.ev.length === 0) return undefined;
  const net = w.w - w.d;
  if (net <= 0n || !atLeastShare(net, w.v0, p.drainPpm)) return undefined;
  state.wakes.delete(account);
  return draft(w, account, e, net, ctx);
}

function draft(w: Wake, account: string, e: Event, net: bigint, ctx: EvalContext<DormantReactivationParams>): AlertDraft {
  const p = ctx.params;
  const drained = share(net, w.v0);
  const steps: Array<[string, number]> = [[w.k, w.t], [w.access![0], w.access![1]], ...w.ev];
  const seen = new Set<string>();
  const evidence: string[] = [];
  for (const [k] of steps.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (!seen.has(k)) {
      seen.add(k);
      evidence.push(k);
    }
  }
  const explanation =
    `Account dormant for ${formatDuration(w.idle)} woke up; within ${formatDuration(e.time - w.t)} it logged in from a new ${w.access![2]} ` +
    `and sent ${formatJpy(net as Money)} to destinations it had never used${w.d > 0n ? ` (net of ${formatJpy(w.d as Money)} deposited meanwhile)` : ""}: ` +
    `${(drained * 100).toFixed(1)}% of the ${formatJpy(w.v0 as Money)} it held when it woke (line ${formatShare(p.drainShare)} within ${formatDuration(p.windowMs)}).`;
  return {
    subject: ctx.subjectRefOf(account),
    accounts: [account],
    evidence,
    ts: e.ts,
    score: clampScore(60 + 20 * Math.min(1, Math.max(0, (drained - p.drainShare) / (1 - p.drainShare || 1))) + (w.idle >= 365 * 86_400_000 ? 10 : 0) + (e.time - w.t <= 3_600_000 ? 10 : 0)),
    explanation,
    details: {
      idleMs: w.idle,
      wokeAt: w.ts,
      wakeEvent: w.k,
      newAccess: w.access![2],
      accessEvent: w.access![0],
      balanceJpy: formatMoney(w.v0),
      held: Object.fromEntries(w.held.map(([a, x]) => [a, formatMoney(x)])),
      unpricedAssets: w.unpriced,
      withdrawnJpy: formatMoney(w.w),
      depositedJpy: formatMoney(w.d),
      drainedShare: drained,
      line: p.drainShare,
      withinMs: e.time - w.t,
    },
  };
}

export const dormantReactivation = defineTypology<DormantReactivationConfig, DormantReactivationParams, DormantReactivationState>({
  id,
  version,
  description:
    "An account idle ≥ 180 days logs in from a new device or IP and within 24 h sends ≥ 80% of the balance it held (valued in JPY) to destinations it never used.",
  configSchema: dormantReactivationConfigSchema,
  defaultConfig: dormantReactivationDefaults,
  eventTypes: ["login", "order.placed", "order.cancelled", "deposit", "withdrawal", "transfer", "trade"],
  prepare,
  initialState: () => ({ accounts: new Map(), wakes: new Map(), px: new Map(), recent: new Map() }),
  onEvent,
  prune(state, now, p) {
    for (const [k, w] of state.wakes) if (now - w.t > p.windowMs) state.wakes.delete(k);
    for (const [k, r] of state.recent) if (now - r[2] > RECENT_MS) state.recent.delete(k);
  },
  size: (state) => state.accounts.size + state.wakes.size + state.recent.size,
});

export default dormantReactivation;
