// Pass-through (funnel / rapid movement of funds): a large deposit leaves again within hours with
// hardly any trading in between, so the account is a conduit, not an investor. See README.md.
//
// Semantics (per subject): each deposit worth ≥ minDepositJpy opens a watch for windowHours. Every
// later withdrawal in that window (any channel or asset, valued in JPY) adds to it; every trade on a
// */JPY market by the subject (buy or sell side, quantity × price) adds to its traded value. When the
// withdrawals reach withdrawnShare of the deposit while the traded value is still below
// maxTradedShare of it, one alert is raised for that deposit and its watch closes. Each deposit is
// judged on its own, so one withdrawal can complete two watched deposits (two alerts).
import { formatMoney, keyOf, type Event, type Money } from "../../../contracts/index.ts";
import { clampScore, formatDuration, formatJpy, formatPercent, formatShare, ppm, share, yen } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, skip, type AlertDraft, type EvalContext, type Outcome } from "../../types.ts";
import { isAmount, jpyValueOf, notional, shareLine } from "../../values.ts";
import { passThroughConfigSchema, passThroughDefaults, type PassThroughConfig } from "./config.ts";

export const id = "pass-through";
export const version = "1.0.0";

interface Outflow {
  k: string;
  ts: string;
  a: string;
  v: Money;
}

/** A watched deposit. */
interface Watch {
  t: number;
  ts: string;
  k: string;
  a: string;
  /** deposit value, JPY */
  v: Money;
  /** withdrawn since, JPY */
  out: Money;
  /** traded since, JPY */
  traded: Money;
  /** withdrawnShare of v (rounded up): out ≥ outLine crosses */
  outLine: Money;
  /** maxTradedShare of v (rounded up): traded ≥ tradedLine clears the watch */
  tradedLine: Money;
  w: Outflow[];
}

export interface PassThroughState {
  /** subject → watched deposits, oldest first. */
  open: Map<string, Watch[]>;
}

export interface PassThroughParams {
  minDeposit: Money;
  windowMs: number;
  withdrawnShare: number;
  withdrawnPpm: bigint;
  maxTradedShare: number;
  maxTradedPpm: bigint;
}

const NO_ACCOUNT: Outcome = error("a deposit or withdrawal without an accountId");
const NO_VALUE_WITHDRAWAL: Outcome = skip("a non-JPY withdrawal without valueJpy cannot be counted as outflow");
const NO_VALUE_DEPOSIT: Outcome = skip("a non-JPY deposit without valueJpy cannot be compared with minDepositJpy");

function prepare(c: PassThroughConfig): PassThroughParams {
  return {
    minDeposit: yen(c.minDepositJpy),
    windowMs: c.windowHours * 3_600_000,
    withdrawnShare: c.withdrawnShare,
    withdrawnPpm: ppm(c.withdrawnShare),
    maxTradedShare: c.maxTradedShare,
    maxTradedPpm: ppm(c.maxTradedShare),
  };
}

/** Drop watches whose window has closed by event time `now`. */
function expire(list: Watch[], now: number, windowMs: number): void {
  let i = 0;
  while (i < list.length && list[i]!.t < now - windowMs) i++;
  if (i > 0) list.splice(0, i);
}

function onEvent(state: PassThroughState, e: Event, ctx: EvalContext<PassThroughParams>): Outcome {
  const p = ctx.params;
  if ((e.type === "deposit" || e.type === "withdrawal") && typeof e.accountId !== "string") return NO_ACCOUNT;
  if (e.type === "deposit") {
    const v = jpyValueOf(e);
    if (v === undefined) return NO_VALUE_DEPOSIT;
    if (!isAmount(v)) return error(`deposit ${e.asset === "JPY" ? "amount" : "valueJpy"} is not an exact non-negative amount`);
    const subject = ctx.subjectOf(e.accountId);
    let list = state.open.get(subject);
    if (list !== undefined) expire(list, e.time, p.windowMs);
    if (v < p.minDeposit) {
      if (list !== undefined && list.length === 0) state.open.delete(subject);
      return CLEAR;
    }
    if (list === undefined) state.open.set(subject, (list = []));
    const watch: Watch = {
      t: e.time, ts: e.ts, k: keyOf(e), a: e.accountId, v, out: 0n as Money, traded: 0n as Money,
      outLine: shareLine(v, p.withdrawnPpm), tradedLine: shareLine(v, p.maxTradedPpm), w: [],
    };
    // Oldest first, even when a live feed delivers a deposit late.
    let at = list.length;
    while (at > 0 && list[at - 1]!.t > watch.t) at--;
    list.splice(at, 0, watch);
    return CLEAR;
  }
  if (e.type === "withdrawal") {
    const subject = ctx.subjectOf(e.accountId);
    const list = state.open.get(subject);
    if (list === undefined) return CLEAR;
    const v = jpyValueOf(e);
    if (v === undefined) return NO_VALUE_WITHDRAWAL;
    if (!isAmount(v)) return error(`withdrawal ${e.asset === "JPY" ? "amount" : "valueJpy"} is not an exact non-negative amount`);
    expire(list, e.time, p.windowMs);
    const flow: Outflow = { k: keyOf(e), ts: e.ts, a: e.accountId, v };
    let drafts: AlertDraft[] | undefined;
    for (let i = 0; i < list.length; ) {
      const d = list[i]!;
      if (d.t > e.time) break; // a deposit after this (late) withdrawal: not its outflow
      d.out = (d.out + v) as Money;
      d.w.push(flow);
      if (d.out >= d.outLine) {
        // Watches whose traded value reached the limit were closed when it did, so this one passes.
        (drafts ??= []).push(draft(d, e.time, p, ctx));
        list.splice(i, 1);
      } else i++;
    }
    if (list.length === 0) state.open.delete(subject);
    return drafts ? hit(drafts) : CLEAR;
  }
  if (e.type === "trade") {
    if (typeof e.buyAccountId !== "string" || typeof e.sellAccountId !== "string" || typeof e.market !== "string") {
      return error("a trade without buyAccountId, sellAccountId or market");
    }
    const buyer = ctx.subjectOf(e.buyAccountId);
    const seller = ctx.subjectOf(e.sellAccountId);
    const bl = state.open.get(buyer);
    const sl = buyer === seller ? undefined : state.open.get(seller);
    if (bl === undefined && sl === undefined) return CLEAR;
    if (!e.market.endsWith("/JPY")) return skip(`a trade on ${e.market} has no JPY price; not counted as traded value`);
    if (!isAmount(e.quantity) || !isAmount(e.price)) return error("trade quantity or price is not an exact non-negative amount");
    const value = notional(e.quantity, e.price);
    if (bl !== undefined) addTraded(state, buyer, bl, value, e.time, p);
    if (sl !== undefined) addTraded(state, seller, sl, value, e.time, p);
    return CLEAR;
  }
  return CLEAR;
}

function addTraded(state: PassThroughState, subject: string, list: Watch[], value: Money, now: number, p: PassThroughParams): void {
  expire(list, now, p.windowMs);
  for (let i = 0; i < list.length; ) {
    const d = list[i]!;
    if (d.t > now) break; // a deposit after this (late) trade
    d.traded = (d.traded + value) as Money;
    if (d.traded >= d.tradedLine) list.splice(i, 1); // it was traded: not a pass-through
    else i++;
  }
  if (list.length === 0) state.open.delete(subject);
}

function draft(d: Watch, now: number, p: PassThroughParams, ctx: EvalContext<PassThroughParams>): AlertDraft {
  const elapsed = now - d.t;
  const outShare = share(d.out, d.v);
  const tradedShare = share(d.traded, d.v);
  const last = d.w[d.w.length - 1]!;
  // Severity: the more of it leaves, the faster, and the larger the deposit, the worse.
  const score = clampScore(
    50 +
      20 * Math.min(1, Math.max(0, (outShare - p.withdrawnShare) / Math.max(1e-9, 1 - p.withdrawnShare))) +
      20 * Math.max(0, 1 - elapsed / p.windowMs) +
      10 * Math.min(1, Math.log10(Math.max(1, share(d.v, p.minDeposit)))),
  );
  const n = d.w.length;
  const explanation =
    `Deposit of ${formatJpy(d.v)} was followed within ${formatDuration(elapsed)} by ${n === 1 ? "a withdrawal of" : `${n} withdrawals totalling`} ` +
    `${formatJpy(d.out)} (${formatPercent(outShare)} of it; line ${formatShare(p.withdrawnShare)}), with ${formatJpy(d.traded)} traded in between ` +
    `(${formatPercent(tradedShare)}; limit ${formatShare(p.maxTradedShare)}).`;
  const accounts = [d.a];
  for (const w of d.w) if (!accounts.includes(w.a)) accounts.push(w.a);
  return {
    subject: ctx.subjectRefOf(d.a),
    accounts,
    evidence: [d.k, ...d.w.map((w) => w.k)],
    ts: last.ts,
    score,
    explanation,
    details: {
      depositJpy: formatMoney(d.v),
      withdrawnJpy: formatMoney(d.out),
      withdrawals: n,
      withdrawnShare: outShare,
      tradedJpy: formatMoney(d.traded),
      tradedShare,
      elapsedMs: elapsed,
      windowHours: p.windowMs / 3_600_000,
    },
  };
}

export const passThrough = defineTypology<PassThroughConfig, PassThroughParams, PassThroughState>({
  id,
  version,
  description: "A deposit of ¥500,000 or more mostly withdrawn again within 24 hours with almost no trading in between.",
  configSchema: passThroughConfigSchema,
  defaultConfig: passThroughDefaults,
  eventTypes: ["deposit", "withdrawal", "trade"],
  prepare,
  initialState: () => ({ open: new Map() }),
  onEvent,
  prune(state, now, p) {
    for (const [k, list] of state.open) {
      expire(list, now, p.windowMs);
      if (list.length === 0) state.open.delete(k);
    }
  },
  size: (state) => state.open.size,
});

export default passThrough;
