// Profile mismatch: money out of line with what the customer told the exchange (declared income) or
// with what a credit bureau reports (an income band, an adverse-credit flag), a new account whose
// first deposit is out of line with its profile, and a new account emptied the day of its first
// deposit. See README.md.
//
// Semantics (v1.0.0):
//   income-multiple   per subject: inflows (deposits, incoming transfers; JPY value) over windowDays
//                     ≥ minInflowJpy and ≥ incomeMultiple × the annual income: the largest income
//                     declared (account.opened / account.updated kyc.declaredIncomeJpy) by an account
//                     with inflows in the window, or the upper edge of the bureau income band.
//   adverse-flows     per subject with a delinquency or bankruptcy on file (credit.report resolved to
//                     the subject by ctx.subjectOfIdentity): inflows + outflows over windowDays ≥
//                     adverseFlowJpy.
//   first-deposit     per account opened ≤ newAccountDays before its first deposit: that deposit ≥
//                     firstDepositJpy and (no income declared, or ≥ firstDepositIncomeMultiple × it).
//   emptied-same-day  the same new accounts: withdrawals (and outgoing transfers) within
//                     wholeBalanceHours of the first deposit reach wholeBalanceShare of the deposits in
//                     that time, which total ≥ wholeBalanceMinJpy.
//   The subject-level rules alert once per burst (quiet for windowDays after an alert); the account
//   rules once per account. Only derived bureau features are kept: a band index, a flag, the time.
import { formatMoney, keyOf, type Event, type Money } from "../../../contracts/index.ts";
import { clampScore, formatDuration, formatJpy, formatShare, ppm, share, yen } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, notEnoughHistory, skip, type AlertDraft, type EvalContext, type Outcome } from "../../types.ts";
import { atLeastShare, isAmount, sortedKeys } from "../../values.ts";
import { profileMismatchConfigSchema, profileMismatchDefaults, type ProfileMismatchConfig } from "./config.ts";

export const id = "profile-mismatch";
export const version = "1.0.0";

/** One flow in a subject's window. */
interface Flow {
  t: number;
  ts: string;
  k: string;
  /** account */
  a: string;
  /** JPY value */
  v: bigint;
  /** inflow (true) or outflow */
  i: boolean;
}

interface Window {
  /** flows of the last windowDays, oldest first */
  f: Flow[];
  /**
   * Quiet until this event time (inclusive), -1 when not: after an alert, flows up to it belong to
   * that burst and are not counted again. Income rule, adverse rule.
   */
  qi: number;
  qa: number;
  /** running sums over the window: inflows after qi, all flows after qa */
  si: bigint;
  sa: bigint;
}

/** Derived, non-identifying bureau features of a subject. */
interface Bureau {
  /** income band index (0 = under the first edge), or null when the report gave no income */
  band: number | null;
  /** a delinquency or a bankruptcy on file */
  adverse: boolean;
  /** report event time and key */
  t: number;
  k: string;
}

/** A new account, from its opening until its first deposit (and the day after it). */
interface Fresh {
  open: number;
  /** first deposit: key, time, ts, JPY value (null when unvalued) */
  first: { k: string; t: number; ts: string; v: bigint | null } | null;
  /** valued deposits and outflows since the first deposit, within wholeBalanceHours */
  dep: bigint;
  out: bigint;
  ev: Array<[string, number]>;
  done: boolean;
}

export interface ProfileMismatchState {
  /** account → declared annual income (null: opened without one) */
  incomes: Map<string, bigint | null>;
  /** subject → its flows */
  windows: Map<string, Window>;
  /** subject → bureau features */
  bureau: Map<string, Bureau>;
  /** account → new-account watch */
  fresh: Map<string, Fresh>;
  /**
   * When each new-account watch may be dropped: a min-heap on time (parallel arrays: time, account),
   * one entry per watch opened or first deposit seen. `prune` pops what is due and drops the watch if
   * it is really over by then, instead of walking every watch each hour. Absent in snapshots taken
   * before it existed: rebuilt from `fresh`.
   */
  freshDueT?: number[];
  freshDueK?: string[];
}

export interface ProfileMismatchParams {
  windowMs: number;
  windowDays: number;
  incomeMultiple: number;
  incomeMultiplePpm: bigint;
  minInflow: Money;
  edges: Money[];
  adverseFlow: Money;
  bureauMaxAgeMs: number;
  newAccountMs: number;
  newAccountDays: number;
  firstDeposit: Money;
  firstMultiple: number;
  firstMultiplePpm: bigint;
  wholeShare: number;
  wholeSharePpm: bigint;
  wholeMs: number;
  wholeMin: Money;
}

const DAY = 86_400_000;

function prepare(c: ProfileMismatchConfig): ProfileMismatchParams {
  return {
    windowMs: c.windowDays * DAY,
    windowDays: c.windowDays,
    incomeMultiple: c.incomeMultiple,
    incomeMultiplePpm: ppm(c.incomeMultiple),
    minInflow: yen(c.minInflowJpy),
    edges: c.incomeBandEdgesJpy.map(yen),
    adverseFlow: yen(c.adverseFlowJpy),
    bureauMaxAgeMs: c.bureauMaxAgeDays * DAY,
    newAccountMs: c.newAccountDays * DAY,
    newAccountDays: c.newAccountDays,
    firstDeposit: yen(c.firstDepositJpy),
    firstMultiple: c.firstDepositIncomeMultiple,
    firstMultiplePpm: ppm(c.firstDepositIncomeMultiple),
    wholeShare: c.wholeBalanceShare,
    wholeSharePpm: ppm(c.wholeBalanceShare),
    wholeMs: c.wholeBalanceHours * 3_600_000,
    wholeMin: yen(c.wholeBalanceMinJpy),
  };
}

/** The band an income falls in: the number of edges at or below it. */
export function bandOf(income: bigint, edges: readonly bigint[]): number {
  let i = 0;
  while (i < edges.length && income >= edges[i]!) i++;
  return i;
}

const valueOf = (e: { asset: string; amount: Money; valueJpy?: Money | undefined }): bigint | undefined =>
  e.asset === "JPY" ? e.amount : e.valueJpy;

function onEvent(state: ProfileMismatchState, e: Event, ctx: EvalContext<ProfileMismatchParams>): Outcome {
  switch (e.type) {
    case "account.opened":
      return onOpened(state, e, ctx.params);
    case "account.updated":
      if (typeof e.accountId !== "string") return error("an account.updated without an accountId");
      if (e.kyc?.declaredIncomeJpy !== undefined) {
        if (!isAmount(e.kyc.declaredIncomeJpy)) return error("kyc.declaredIncomeJpy is not an exact non-negative amount");
        state.incomes.set(e.accountId, e.kyc.declaredIncomeJpy);
      }
      return CLEAR;
    case "account.closed":
      if (typeof e.accountId === "string") {
        state.incomes.delete(e.accountId);
        state.fresh.delete(e.accountId);
      }
      return CLEAR;
    case "credit.report":
      return onCreditReport(state, e, ctx);
    case "deposit":
    case "withdrawal": {
      if (typeof e.accountId !== "string") return error(`a ${e.type} without an accountId`);
      const v = valueOf(e);
      if (v === undefined) return skip(`a non-JPY ${e.type} without valueJpy cannot be valued`);
      if (!isAmount(v)) return error(`${e.asset === "JPY" ? "amount" : "valueJpy"} is not an exact non-negative amount`);
      return onFlow(state, e, e.accountId, v, e.type === "deposit", ctx);
    }
    case "transfer": {
      if (typeof e.fromAccountId !== "string" || typeof e.toAccountId !== "string") return error("a transfer without fromAccountId or toAccountId");
      const v = valueOf(e);
      if (v === undefined) return skip("a non-JPY transfer without valueJpy cannot be valued");
      if (!isAmount(v)) return error(`${e.asset === "JPY" ? "amount" : "valueJpy"} is not an exact non-negative amount`);
      const internal = ctx.subjectOf(e.fromAccountId) === ctx.subjectOf(e.toAccountId);
      return merge(onFlow(state, e, e.fromAccountId, v, false, ctx, internal), onFlow(state, e, e.toAccountId, v, true, ctx, internal));
    }
    default:
      return CLEAR;
  }
}

function merge(a: Outcome, b: Outcome): Outcome {
  if (a.kind === "hit" && b.kind === "hit") return hit([...a.alerts, ...b.alerts]);
  if (a.kind === "hit") return a;
  if (b.kind === "hit") return b;
  return a.kind === "clear" ? b : a;
}

/** Heap of (time, account), parallel arrays, smallest time first. */
function duePush(t: number[], k: string[], time: number, account: string): void {
  let i = t.length;
  t.push(time);
  k.push(account);
  while (i > 0) {
    const up = (i - 1) >> 1;
    if (t[up]! <= time) break;
    t[i] = t[up]!;
    k[i] = k[up]!;
    i = up;
  }
  t[i] = time;
  k[i] = account;
}

function duePop(t: number[], k: string[]): void {
  const lastT = t.pop()!;
  const lastK = k.pop()!;
  const n = t.length;
  if (n === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const m = r < n && t[r]! < t[l]! ? r : l;
    if (t[m]! >= lastT) break;
    t[i] = t[m]!;
    k[i] = k[m]!;
    i = m;
  }
  t[i] = lastT;
  k[i] = lastK;
}

/** The time after which a watch is over (dropped by `prune` once `now` is past it). */
const freshUntil = (f: Fresh, p: ProfileMismatchParams): number => (f.first === null ? f.open + p.newAccountMs : f.first.t + p.wholeMs);

function watchFresh(state: ProfileMismatchState, account: string, f: Fresh, p: ProfileMismatchParams): void {
  if (state.freshDueT === undefined || state.freshDueK === undefined) return; // rebuilt from `fresh` at the next prune
  duePush(state.freshDueT, state.freshDueK, freshUntil(f, p), account);
}

function onOpened(state: ProfileMismatchState, e: Extract<Event, { type: "account.opened" }>, p: ProfileMismatchParams): Outcome {
  if (typeof e.accountId !== "string") return error("an account.opened without an accountId");
  const inc = e.kyc?.declaredIncomeJpy;
  if (inc !== undefined && !isAmount(inc)) return error("kyc.declaredIncomeJpy is not an exact non-negative amount");
  state.incomes.set(e.accountId, inc ?? null);
  if (!state.fresh.has(e.accountId)) {
    const f: Fresh = { open: e.time, first: null, dep: 0n, out: 0n, ev: [], done: false };
    state.fresh.set(e.accountId, f);
    watchFresh(state, e.accountId, f, p);
  }
  return CLEAR;
}

function onCreditReport(state: ProfileMismatchState, e: Extract<Event, { type: "credit.report" }>, ctx: EvalContext<ProfileMismatchParams>): Outcome {
  if (typeof e.subject !== "object" || e.subject === null) return error("a credit.report without a subject");
  const subject = ctx.subjectOfIdentity(e.subject, keyOf(e));
  if (subject === undefined) return skip("credit.report subject not resolved to an account or entity (identity resolution not plugged in or no match)");
  const income = e.annualIncomeJpy;
  if (income !== undefined && !isAmount(income)) return error("annualIncomeJpy is not an exact non-negative amount");
  const prev = state.bureau.get(subject);
  if (prev !== undefined && prev.t > e.time) return CLEAR; // an older report arriving late
  // Derived features only: the band and one flag. The report itself (score, amounts, names) is not kept.
  state.bureau.set(subject, {
    band: income === undefined ? null : bandOf(income, ctx.params.edges),
    adverse: (typeof e.delinquencies === "number" && e.delinquencies > 0) || e.bankruptcy === true,
    t: e.time,
    k: keyOf(e),
  });
  return CLEAR;
}

function onFlow(
  state: ProfileMismatchState,
  e: Extract<Event, { type: "deposit" | "withdrawal" | "transfer" }>,
  account: string,
  v: bigint,
  inflow: boolean,
  ctx: EvalContext<ProfileMismatchParams>,
  internal = false,
): Outcome {
  const p = ctx.params;
  const alerts: AlertDraft[] = [];
  let pending: Outcome = CLEAR;
  const subject = ctx.subjectOf(account);
  if (!internal) {
    let w = state.windows.get(subject);
    if (w === undefined) state.windows.set(subject, (w = { f: [], qi: -1, qa: -1, si: 0n, sa: 0n }));
    dropBefore(w, e.time - p.windowMs);
    const f: Flow = { t: e.time, ts: e.ts, k: keyOf(e), a: account, v, i: inflow };
    let at = w.f.length;
    while (at > 0 && w.f[at - 1]!.t > f.t) at--;
    if (at === w.f.length) w.f.push(f);
    else w.f.splice(at, 0, f);
    if (inflow && f.t > w.qi) w.si += v;
    if (f.t > w.qa) w.sa += v;
    const bureau = bureauOf(state, subject, e.time, p);
    if (inflow && e.time > w.qi) {
      const r = incomeRule(state, w, bureau, account, ctx);
      if (r === "unknown") pending = notEnoughHistory("no declared or bureau-reported income to compare the inflows with");
      else if (r !== undefined) {
        alerts.push(r);
        w.qi = Date.parse(r.ts) + p.windowMs;
        w.si = 0n; // every flow in the window now belongs to the alerted burst
      }
    }
    if (bureau?.adverse === true && e.time > w.qa) {
      const r = adverseRule(w, bureau, account, ctx);
      if (r !== undefined) {
        alerts.push(r);
        w.qa = Date.parse(r.ts) + p.windowMs;
        w.sa = 0n;
      }
    }
  }
  if (e.type !== "transfer" || !inflow) {
    const r = freshRules(state, e, account, v, inflow, ctx);
    if (r !== undefined) alerts.push(r);
  }
  return alerts.length > 0 ? hit(alerts) : pending;
}

function dropBefore(w: Window, from: number): void {
  let i = 0;
  while (i < w.f.length && w.f[i]!.t < from) {
    const f = w.f[i]!;
    if (f.i && f.t > w.qi) w.si -= f.v;
    if (f.t > w.qa) w.sa -= f.v;
    i++;
  }
  if (i > 0) w.f.splice(0, i);
}

const sum = (flows: readonly Flow[]): bigint => flows.reduce((s, f) => s + f.v, 0n);

function bureauOf(state: ProfileMismatchState, subject: string, now: number, p: ProfileMismatchParams): Bureau | undefined {
  const b = state.bureau.get(subject);
  return b !== undefined && now - b.t <= p.bureauMaxAgeMs ? b : undefined;
}

const bandText = (band: number, edges: readonly bigint[]): string =>
  band === 0 ? `under ${formatJpy(edges[0] as Money)}` : band >= edges.length ? `${formatJpy(edges[edges.length - 1] as Money)} or more` : `${formatJpy(edges[band - 1] as Money)}–${formatJpy(edges[band] as Money)}`;


function incomeRule(state: ProfileMismatchState, w: Window, bureau: Bureau | undefined, account: string, ctx: EvalContext<ProfileMismatchParams>): AlertDraft | "unknown" | undefined {
  const p = ctx.params;
  if (w.si < p.minInflow) return undefined;
  const inflows = w.f.filter((f) => f.i && f.t > w.qi);
  const inSum = w.si;
  let declared: bigint | undefined;
  for (const f of inflows) {
    const inc = state.incomes.get(f.a);
    if (typeof inc === "bigint" && (declared === undefined || inc > declared)) declared = inc;
  }
  const upper = bureau !== undefined && bureau.band !== null && bureau.band < p.edges.length ? p.edges[bureau.band]! : undefined;
  if (declared === undefined && (bureau === undefined || bureau.band === null)) return "unknown";
  const overDeclared = declared !== undefined && atLeastShare(inSum, declared, p.incomeMultiplePpm);
  const overBureau = upper !== undefined && atLeastShare(inSum, upper, p.incomeMultiplePpm);
  if (!overDeclared && !overBureau) return undefined;

  const first = inflows[0]!;
  const last = inflows[inflows.length - 1]!;
  const parts: string[] = [];
  if (overDeclared) parts.push(`${declared === 0n ? "a declared annual income of ¥0" : `${share(inSum, declared!).toFixed(1)}× the declared annual income of ${formatJpy(declared as Money)}`}`);
  if (overBureau) parts.push(`${share(inSum, upper).toFixed(1)}× the top of the bureau-reported income band (${bandText(bureau!.band!, p.edges)})`);
  const explanation =
    `Inflows of ${formatJpy(inSum as Money)} in ${inflows.length} movement${inflows.length === 1 ? "" : "s"} within ${formatDuration(last.t - first.t)} are ${parts.join(" and ")}; ` +
    `the line is ${p.incomeMultiple}× annual income over ${p.windowDays} days, and at least ${formatJpy(p.minInflow)}.`;
  const times = Math.max(overDeclared && declared! > 0n ? share(inSum, declared!) : overDeclared ? 8 * p.incomeMultiple : 0, overBureau ? share(inSum, upper) : 0);
  const evidence: Array<[string, number]> = inflows.map((f) => [f.k, f.t]);
  if (overBureau) evidence.push([bureau!.k, bureau!.t]);
  return {
    subject: ctx.subjectRefOf(account),
    accounts: [...new Set(inflows.map((f) => f.a))],
    evidence: sortedKeys(evidence),
    ts: last.ts,
    score: clampScore(50 + 10 * Math.log2(Math.max(1, times / p.incomeMultiple))),
    explanation,
    details: {
      rule: "income-multiple",
      inflowsJpy: formatMoney(inSum),
      count: inflows.length,
      declaredIncomeJpy: declared === undefined ? null : formatMoney(declared),
      bureauIncomeBand: bureau?.band ?? null,
      bureauBandUpperJpy: upper === undefined ? null : formatMoney(upper),
      crossed: [...(overDeclared ? ["declared"] : []), ...(overBureau ? ["bureau"] : [])],
      multiple: p.incomeMultiple,
      windowDays: p.windowDays,
    },
  };
}

function adverseRule(w: Window, bureau: Bureau, account: string, ctx: EvalContext<ProfileMismatchParams>): AlertDraft | undefined {
  const p = ctx.params;
  if (w.sa < p.adverseFlow) return undefined;
  const flows = w.f.filter((f) => f.t > w.qa);
  const inSum = sum(flows.filter((f) => f.i));
  const outSum = sum(flows.filter((f) => !f.i));
  const total = inSum + outSum;
  if (total < p.adverseFlow) return undefined;
  const first = flows[0]!;
  const last = flows[flows.length - 1]!;
  const explanation =
    `Flows of ${formatJpy(total as Money)} (${formatJpy(inSum as Money)} in, ${formatJpy(outSum as Money)} out) within ${formatDuration(last.t - first.t)} ` +
    `by a customer with a delinquency or bankruptcy on file at a credit bureau (line ${formatJpy(p.adverseFlow)} over ${p.windowDays} days).`;
  return {
    subject: ctx.subjectRefOf(account),
    accounts: [...new Set(flows.map((f) => f.a))],
    evidence: sortedKeys([...flows.map((f): [string, number] => [f.k, f.t]), [bureau.k, bureau.t]]),
    ts: last.ts,
    score: clampScore(55 + 10 * Math.log2(Math.max(1, share(total, p.adverseFlow)))),
    explanation,
    details: {
      rule: "adverse-flows",
      flowsJpy: formatMoney(total),
      inflowsJpy: formatMoney(inSum),
      outflowsJpy: formatMoney(outSum),
      lineJpy: formatMoney(p.adverseFlow),
      adverseCredit: true,
      windowDays: p.windowDays,
    },
  };
}

/** First-deposit and emptied-the-same-day rules for accounts seen opening. */
function freshRules(
  state: ProfileMismatchState,
  e: Extract<Event, { type: "deposit" | "withdrawal" | "transfer" }>,
  account: string,
  v: bigint,
  inflow: boolean,
  ctx: EvalContext<ProfileMismatchParams>,
): AlertDraft | undefined {
  const p = ctx.params;
  const fr = state.fresh.get(account);
  if (fr === undefined) return undefined;
  if (fr.first === null) {
    if (!inflow || e.type !== "deposit") return undefined; // outflows before any deposit: nothing to judge
    if (e.time - fr.open > p.newAccountMs) {
      state.fresh.delete(account);
      return undefined;
    }
    fr.first = { k: keyOf(e), t: e.time, ts: e.ts, v };
    watchFresh(state, account, fr, p);
    fr.dep = v;
    fr.ev.push([keyOf(e), e.time]);
    const inc = state.incomes.get(account);
    if (v >= p.firstDeposit && (inc === null || inc === undefined || atLeastShare(v, inc, p.firstMultiplePpm))) {
      return firstDepositAlert(e, account, v, inc ?? null, fr, ctx);
    }
    return undefined;
  }
  if (fr.done || e.time - fr.first.t > p.wholeMs || e.time < fr.first.t) return undefined;
  fr.ev.push([keyOf(e), e.time]);
  if (inflow) {
    fr.dep += v;
    return undefined;
  }
  fr.out += v;
  if (fr.dep < p.wholeMin || !atLeastShare(fr.out, fr.dep, p.wholeSharePpm)) return undefined;
  fr.done = true;
  const explanation =
    `A new account (opened ${formatDuration(fr.first.t - fr.open)} before its first deposit) sent out ${formatJpy(fr.out as Money)}, ` +
    `${(share(fr.out, fr.dep) * 100).toFixed(1)}% of the ${formatJpy(fr.dep as Money)} it took in, within ${formatDuration(e.time - fr.first.t)} of its first deposit ` +
    `(line ${formatShare(p.wholeShare)} within ${formatDuration(p.wholeMs)}).`;
  return {
    subject: ctx.subjectRefOf(account),
    accounts: [account],
    evidence: sortedKeys(fr.ev),
    ts: e.ts,
    score: clampScore(60 + 20 * (1 - (e.time - fr.first.t) / p.wholeMs) + 10 * Math.min(1, share(fr.dep, p.wholeMin) / 20)),
    explanation,
    details: {
      rule: "emptied-same-day",
      depositedJpy: formatMoney(fr.dep),
      withdrawnJpy: formatMoney(fr.out),
      withdrawnShare: share(fr.out, fr.dep),
      line: p.wholeShare,
      sinceFirstDepositMs: e.time - fr.first.t,
      accountAgeMs: fr.first.t - fr.open,
    },
  };
}

function firstDepositAlert(
  e: Extract<Event, { type: "deposit" | "withdrawal" | "transfer" }>,
  account: string,
  v: bigint,
  inc: bigint | null,
  fr: Fresh,
  ctx: EvalContext<ProfileMismatchParams>,
): AlertDraft {
  const p = ctx.params;
  const profile = inc === null ? "no income declared" : inc === 0n ? "a declared annual income of ¥0" : `${share(v, inc).toFixed(1)}× its declared annual income of ${formatJpy(inc as Money)}`;
  const explanation =
    `First deposit of ${formatJpy(v as Money)} into an account opened ${formatDuration(e.time - fr.open)} before, with ${profile} ` +
    `(lines ${formatJpy(p.firstDeposit)} and ${p.firstMultiple}× declared income, for accounts up to ${p.newAccountDays} days old).`;
  return {
    subject: ctx.subjectRefOf(account),
    accounts: [account],
    evidence: [keyOf(e)],
    ts: e.ts,
    score: clampScore(55 + 10 * Math.log2(Math.max(1, share(v, p.firstDeposit))) + (inc === null || inc === 0n ? 10 : 0)),
    explanation,
    details: {
      rule: "first-deposit",
      depositJpy: formatMoney(v),
      declaredIncomeJpy: inc === null ? null : formatMoney(inc),
      accountAgeMs: e.time - fr.open,
      lineJpy: formatMoney(p.firstDeposit),
      incomeMultiple: p.firstMultiple,
    },
  };
}

export const profileMismatch = defineTypology<ProfileMismatchConfig, ProfileMismatchParams, ProfileMismatchState>({
  id,
  version,
  description:
    "Money out of line with the profile: 30-day inflows ≥ 3× declared or bureau-band income; ≥ ¥5M flows with adverse credit on file; a new account's ≥ ¥5M first deposit out of line; a new account emptied within 24 h of its first deposit.",
  configSchema: profileMismatchConfigSchema,
  defaultConfig: profileMismatchDefaults,
  eventTypes: ["account.opened", "account.updated", "account.closed", "credit.report", "deposit", "withdrawal", "transfer"],
  prepare,
  initialState: () => ({ incomes: new Map(), windows: new Map(), bureau: new Map(), fresh: new Map(), freshDueT: [], freshDueK: [] }),
  onEvent,
  prune(state, now, p) {
    const from = now - p.windowMs;
    for (const [k, w] of state.windows) {
      dropBefore(w, from);
      if (w.f.length === 0 && w.qi < now && w.qa < now) state.windows.delete(k);
    }
    for (const [k, b] of state.bureau) if (now - b.t > p.bureauMaxAgeMs) state.bureau.delete(k);
    if (state.freshDueT === undefined || state.freshDueK === undefined || state.freshDueT.length !== state.freshDueK.length) {
      state.freshDueT = [];
      state.freshDueK = [];
      for (const [k, f] of state.fresh) duePush(state.freshDueT, state.freshDueK, freshUntil(f, p), k);
    }
    const dueT = state.freshDueT;
    const dueK = state.freshDueK;
    // A watch is over when now is past its time; an entry whose watch moved on (first deposit seen,
    // account closed and opened again) is only dropped: the watch's current time has its own entry.
    while (dueT.length > 0 && dueT[0]! < now) {
      const k = dueK[0]!;
      duePop(dueT, dueK);
      const f = state.fresh.get(k);
      if (f !== undefined && now > freshUntil(f, p)) state.fresh.delete(k);
    }
  },
  size: (state) => state.incomes.size + state.windows.size + state.bureau.size + state.fresh.size,
});

export default profileMismatch;
