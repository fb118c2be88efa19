// Illicit exposure: crypto that reaches an exchange from an address labelled illicit (sanctioned,
// hack, ransomware, darknet, mixer, scam), directly or within a few on-chain hops, and crypto an
// exchange sends to such an address, directly or a few hops later. See README.md.
//
// Semantics (v1.0.0), per asset, over normalised addresses (address.ts):
//   - `address.label` events with a graded kind (config `grades`) make that address a taint source.
//     Informational kinds (grade null: exchange, gambling) neither start nor carry taint.
//   - Direct: a crypto deposit whose fromAddress, or a crypto withdrawal whose toAddress, is a source.
//   - Incoming indirect (haircut): every `chain.transfer` out of a source carries all of its value as
//     tainted to the receiving address (hop 1). An address holding taint keeps a balance `bal` (value
//     received since taint first reached it) and a tainted balance `amt`; a move of x out of it
//     carries x × amt / max(bal, x) tainted (its current share, in proportion to value) and lowers
//     both. A deposit from such an address at hop h (moves from the source) is exposure at h + 1
//     hops; it is alerted when h + 1 ≤ maxHops and its tainted share ≥ minTaintShare.
//   - Outgoing indirect: each crypto withdrawal starts a trace at its toAddress (hop 1) that moves
//     on over `chain.transfer` the same proportional way; a traced move into a source at hop
//     h + 1 ≤ maxHops carrying ≥ minTaintShare of the withdrawal's amount alerts on the withdrawal
//     (once per withdrawal).
//   - Bounds: only value from sources (or from withdrawals) is followed; taint or a trace is dropped
//     maxAgeDays after it last reached an address; an address stops passing it on after maxFanOut
//     moves; at most maxTrackedAddresses addresses are held (least recently fed dropped first).
import { formatMoney, keyOf, type Event, type Money } from "../../../contracts/index.ts";
import { clampScore, formatJpy, formatPercent, formatQuantity, formatShare, ppm, share } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, type AlertDraft, type EvalContext, type Outcome } from "../../types.ts";
import { atLeastShare, isAmount } from "../../values.ts";
import { normalizeAddress } from "./address.ts";
import { illicitExposureConfigSchema, illicitExposureDefaults, type IllicitExposureConfig } from "./config.ts";

export { normalizeAddress } from "./address.ts";

export const id = "illicit-exposure";
export const version = "1.1.0";

export type LabelKind = keyof IllicitExposureConfig["grades"];

/** The most severe label known for an address. */
interface LabelInfo {
  kind: LabelKind;
  /** label event key */
  k: string;
  /** label event time */
  t: number;
  /** who labelled it (the event's source) */
  by: string;
}

/** One move of a path: event key and event time. */
type Step = [string, number];

/** Taint held at an address (from one or more sources). */
interface Taint {
  /** tainted balance held, asset units (exact) */
  amt: bigint;
  /** moves from the nearest source to here */
  hop: number;
  /** the nearest source's label (the most severe among equally near ones) */
  kind: LabelKind;
  src: string;
  lk: string;
  lt: number;
  by: string;
  /** the moves from that source to here */
  path: Step[];
}

/** A crypto withdrawal followed forward. */
interface Trace {
  /** withdrawal event key */
  w: string;
  /** its transaction hash (its own on-chain side carries this hash), or null */
  tx: string | null;
  wt: number;
  /** account that withdrew */
  a: string;
  /** withdrawn amount and its JPY value (null when unknown) */
  amt0: bigint;
  v0: bigint | null;
  /** amount of it held here */
  amt: bigint;
  /** moves from the exchange to here (the withdrawal is 1) */
  hop: number;
  /** chain moves after the withdrawal */
  path: Step[];
}

interface AddressNode {
  /** value received since first reached by taint or a trace, less value sent */
  bal: bigint;
  tn: Taint | null;
  tr: Trace[];
  /** moves that passed taint or traces on */
  fan: number;
  /** last time taint or a trace arrived */
  t: number;
}

/**
 * A deposit's own on-chain side seen before the deposit (the chain shows the transaction, the exchange
 * credits it after confirmations): what that move carried out of its sender, judged when the deposit
 * arrives instead of taking it out of the sender a second time.
 */
interface Landed {
  /** when the move was seen */
  t: number;
  /** tainted amount it carried and the sender's taint (hop, source) as it stood */
  tainted: bigint;
  taint: Taint;
}

export interface IllicitExposureState {
  /** normalised address → its most severe label */
  labels: Map<string, LabelInfo>;
  /** `asset|address` → what it holds; insertion order = order last fed (oldest first) */
  nodes: Map<string, AddressNode>;
  /** withdrawal key → time of its alert, for withdrawals already alerted by a trace */
  traced: Map<string, number>;
  /** `txHash|sender` → a tainted move a deposit with that hash from that sender has not claimed yet */
  landed: Map<string, Landed>;
  /** `txHash|sender` → time a deposit took taint out of that sender before its chain side was seen */
  credited: Map<string, number>;
  /** addresses dropped by the maxTrackedAddresses cap so far */
  evicted: number;
}

export interface IllicitExposureParams {
  grades: IllicitExposureConfig["grades"];
  maxHops: number;
  minTaintShare: number;
  minSharePpm: bigint;
  maxAgeMs: number;
  maxFanOut: number;
  maxTracked: number;
  minConfidence: number;
  trace: boolean;
}

/** Most traces one address holds (the largest kept): a collector fed by many withdrawals stays small. */
const MAX_TRACES_PER_ADDRESS = 16;

function prepare(c: IllicitExposureConfig): IllicitExposureParams {
  return {
    grades: c.grades,
    maxHops: c.maxHops,
    minTaintShare: c.minTaintShare,
    minSharePpm: ppm(c.minTaintShare),
    maxAgeMs: c.maxAgeDays * 86_400_000,
    maxFanOut: c.maxFanOut,
    maxTracked: c.maxTrackedAddresses,
    minConfidence: c.minConfidence,
    trace: c.traceWithdrawals,
  };
}

const gradeOf = (p: IllicitExposureParams, kind: LabelKind): number | null => p.grades[kind];
const rank = (p: IllicitExposureParams, kind: LabelKind): number => p.grades[kind] ?? 0;

/** Severity: the label's grade, less for a diluted share and for every hop past the first. */
function scoreOf(grade: number, hops: number, taintShare: number): number {
  return Math.max(1, clampScore(grade * (0.5 + 0.5 * Math.min(1, taintShare)) - 10 * (hops - 1)));
}

function onEvent(state: IllicitExposureState, e: Event, ctx: EvalContext<IllicitExposureParams>): Outcome {
  switch (e.type) {
    case "address.label":
      return onLabel(state, e, ctx.params);
    case "chain.transfer":
      return onChainTransfer(state, e, ctx);
    case "deposit":
      return onDeposit(state, e, ctx);
    case "withdrawal":
      return onWithdrawal(state, e, ctx);
    default:
      return CLEAR;
  }
}

function onLabel(state: IllicitExposureState, e: Extract<Event, { type: "address.label" }>, p: IllicitExposureParams): Outcome {
  if (typeof e.address !== "string" || typeof e.label !== "string" || !(e.label in p.grades)) return error("an address.label without an address or a known label");
  if ((e.confidence ?? 1) < p.minConfidence) return CLEAR;
  const addr = normalizeAddress(e.address);
  const kind = e.label as LabelKind;
  const prev = state.labels.get(addr);
  if (prev === undefined || rank(p, kind) > rank(p, prev.kind)) state.labels.set(addr, { kind, k: keyOf(e), t: e.time, by: e.source });
  return CLEAR;
}

/** A graded label of this address, if it is a taint source. */
function sourceAt(state: IllicitExposureState, p: IllicitExposureParams, addr: string): (LabelInfo & { grade: number }) | undefined {
  const l = state.labels.get(addr);
  if (l === undefined) return undefined;
  const grade = gradeOf(p, l.kind);
  return grade === null ? undefined : { ...l, grade };
}

interface Sent {
  tainted: bigint;
  taint: Taint | null;
  traces: Array<{ tr: Trace; moved: bigint }>;
  /** whether the sender may still pass taint and traces on (fan-out cap) */
  passes: boolean;
}

/** Take x out of an address: the tainted and traced parts leave in proportion to value (haircut). */
function send(state: IllicitExposureState, key: string, node: AddressNode, x: bigint, p: IllicitExposureParams): Sent {
  const base = node.bal > x ? node.bal : x;
  let tainted = 0n;
  const taint = node.tn;
  if (taint !== null) {
    tainted = (taint.amt * x) / base;
    taint.amt -= tainted;
  }
  const traces: Sent["traces"] = [];
  if (node.tr.length > 0) {
    for (const tr of node.tr) {
      const moved = (tr.amt * x) / base;
      if (moved > 0n) {
        tr.amt -= moved;
        traces.push({ tr, moved });
      }
    }
    node.tr = node.tr.filter((tr) => tr.amt > 0n);
  }
  node.bal = node.bal > x ? node.bal - x : 0n;
  const passes = node.fan < p.maxFanOut;
  if (tainted > 0n || traces.length > 0) node.fan++;
  const snapshot = taint === null ? null : { ...taint };
  if (taint !== null && taint.amt === 0n) node.tn = null;
  if (node.bal === 0n && node.tn === null && node.tr.length === 0) state.nodes.delete(key);
  return { tainted, taint: snapshot, traces, passes };
}

/** Feed value into an address; taint and traces only create state where there is something to carry. */
function receive(
  state: IllicitExposureState,
  p: IllicitExposureParams,
  key: string,
  x: bigint,
  now: number,
  taint: Taint | null,
  traces: readonly Trace[],
): void {
  let node = state.nodes.get(key);
  const carries = taint !== null || traces.length > 0;
  if (node === undefined) {
    if (!carries) return;
    node = { bal: 0n, tn: null, tr: [], fan: 0, t: now };
  } else if (carries) {
    state.nodes.delete(key); // re-inserted below: the map stays in order of last feed
  }
  node.bal += x;
  if (taint !== null) {
    const cur = node.tn;
    if (cur === null) node.tn = taint;
    else {
      const amt = cur.amt + taint.amt;
      const nearer = taint.hop < cur.hop || (taint.hop === cur.hop && rank(p, taint.kind) > rank(p, cur.kind));
      node.tn = nearer ? { ...taint, amt } : { ...cur, amt };
    }
  }
  for (const tr of traces) {
    const same = node.tr.find((x) => x.w === tr.w);
    if (same === undefined) node.tr.push(tr);
    else {
      same.amt += tr.amt;
      if (tr.hop < same.hop) {
        same.hop = tr.hop;
        same.path = tr.path;
      }
    }
  }
  if (node.tr.length > MAX_TRACES_PER_ADDRESS) {
    node.tr.sort((a, b) => (a.amt > b.amt ? -1 : a.amt < b.amt ? 1 : a.wt - b.wt));
    node.tr.length = MAX_TRACES_PER_ADDRESS;
  }
  if (carries) {
    node.t = now;
    state.nodes.set(key, node);
    while (state.nodes.size > p.maxTracked) {
      const oldest = state.nodes.keys().next().value as string;
      state.nodes.delete(oldest);
      state.evicted++;
    }
  }
}

function onChainTransfer(state: IllicitExposureState, e: Extract<Event, { type: "chain.transfer" }>, ctx: EvalContext<IllicitExposureParams>): Outcome {
  const p = ctx.params;
  if (typeof e.fromAddress !== "string" || typeof e.toAddress !== "string" || typeof e.asset !== "string") return error("a chain.transfer without fromAddress, toAddress or asset");
  const x = e.amount;
  if (!isAmount(x) || x === 0n) return error("amount is not an exact positive amount");
  const from = normalizeAddress(e.fromAddress);
  const to = normalizeAddress(e.toAddress);
  if (from === to) return CLEAR;
  const step: Step = [keyOf(e), e.time];
  const toLabel = state.labels.get(to);
  const toSource = sourceAt(state, p, to);
  // Labelled addresses are sources (graded) or known pooled services (informational): neither is
  // tracked as an intermediate; taint stops there.
  const toTracked = toLabel === undefined;

  const tx = typeof e.txHash === "string" && e.txHash !== "" ? e.txHash : null;
  const txKey = tx === null ? null : `${tx}|${from}`;
  // the chain side of a deposit already credited (and judged) from this sender: it left the sender then
  if (txKey !== null && state.credited.delete(txKey)) {
    receive(state, p, `${e.asset}|${to}`, x, e.time, null, []);
    return CLEAR;
  }
  // the chain side of a withdrawal already followed from its event: the value is there already
  const toNode = tx === null ? undefined : state.nodes.get(`${e.asset}|${to}`);
  const mirrorsWithdrawal = toNode !== undefined && toNode.tr.some((tr) => tr.tx === tx);
  const src = sourceAt(state, p, from);
  if (src !== undefined) {
    if (toTracked && p.maxHops >= 2) {
      const taint: Taint = { amt: x, hop: 1, kind: src.kind, src: from, lk: src.k, lt: src.t, by: src.by, path: [step] };
      receive(state, p, `${e.asset}|${to}`, x, e.time, taint, []);
    }
    return CLEAR;
  }
  const fromKey = `${e.asset}|${from}`;
  const node = state.nodes.get(fromKey);
  if (node === undefined) {
    if (toTracked && !mirrorsWithdrawal) receive(state, p, `${e.asset}|${to}`, x, e.time, null, []);
    return CLEAR;
  }
  const sent = send(state, fromKey, node, x, p);
  if (txKey !== null && sent.tainted > 0n && sent.taint !== null) state.landed.set(txKey, { t: e.time, tainted: sent.tainted, taint: sent.taint });
  const alerts: AlertDraft[] = [];
  let taint: Taint | null = null;
  if (sent.passes && toTracked && sent.tainted > 0n && sent.taint !== null && sent.taint.hop + 1 <= p.maxHops - 1) {
    taint = { ...sent.taint, amt: sent.tainted, hop: sent.taint.hop + 1, path: [...sent.taint.path, step] };
  }
  const onward: Trace[] = [];
  for (const { tr, moved } of sent.traces) {
    const hop = tr.hop + 1;
    if (toSource !== undefined) {
      if (hop <= p.maxHops && !state.traced.has(tr.w) && atLeastShare(moved, tr.amt0, p.minSharePpm)) {
        state.traced.set(tr.w, e.time);
        alerts.push(traceAlert(tr, moved, hop, step, toSource, to, e, ctx));
      }
    } else if (sent.passes && toTracked && hop <= p.maxHops - 1) {
      onward.push({ ...tr, amt: moved, hop, path: [...tr.path, step] });
    }
  }
  if (toTracked) receive(state, p, `${e.asset}|${to}`, mirrorsWithdrawal ? 0n : x, e.time, taint, onward);
  return alerts.length > 0 ? hit(alerts) : CLEAR;
}

function onDeposit(state: IllicitExposureState, e: Extract<Event, { type: "deposit" }>, ctx: EvalContext<IllicitExposureParams>): Outcome {
  if (e.channel !== "crypto" || e.fromAddress === undefined) return CLEAR;
  if (typeof e.accountId !== "string" || typeof e.fromAddress !== "string") return error("a deposit without an accountId or a usable fromAddress");
  const x = e.amount;
  if (!isAmount(x) || x === 0n) return error("amount is not an exact positive amount");
  const p = ctx.params;
  const from = normalizeAddress(e.fromAddress);
  const src = sourceAt(state, p, from);
  if (src !== undefined) {
    return hit([movementAlert(e, from, ctx, { hops: 1, tainted: x, src: from, kind: src.kind, grade: src.grade, lk: src.k, lt: src.t, by: src.by, path: [] })]);
  }
  const txKey = typeof e.txHash === "string" && e.txHash !== "" ? `${e.txHash}|${from}` : null;
  let t: Taint | null;
  let tainted: bigint;
  const seen = txKey === null ? undefined : state.landed.get(txKey);
  if (seen !== undefined) {
    // its transaction was already seen on chain: judge what that move carried
    state.landed.delete(txKey!);
    t = seen.taint;
    tainted = seen.tainted > x ? x : seen.tainted;
  } else {
    const key = `${e.asset}|${from}`;
    const node = state.nodes.get(key);
    if (node === undefined) return CLEAR;
    const sent = send(state, key, node, x, p);
    t = sent.taint;
    tainted = sent.tainted;
    // when its chain side comes later, it must not take the value out of the sender again
    if (txKey !== null && tainted > 0n) state.credited.set(txKey, e.time);
  }
  if (t === null || tainted === 0n || t.hop + 1 > p.maxHops) return CLEAR;
  if (!atLeastShare(tainted, x, p.minSharePpm)) return CLEAR;
  const grade = gradeOf(p, t.kind);
  if (grade === null) return CLEAR; // the config no longer grades it (cannot happen within one run)
  return hit([movementAlert(e, from, ctx, { hops: t.hop + 1, tainted, src: t.src, kind: t.kind, grade, lk: t.lk, lt: t.lt, by: t.by, path: t.path })]);
}

function onWithdrawal(state: IllicitExposureState, e: Extract<Event, { type: "withdrawal" }>, ctx: EvalContext<IllicitExposureParams>): Outcome {
  if (e.channel !== "crypto" || e.toAddress === undefined) return CLEAR;
  if (typeof e.accountId !== "string" || typeof e.toAddress !== "string") return error("a withdrawal without an accountId or a usable toAddress");
  const x = e.amount;
  if (!isAmount(x) || x === 0n) return error("amount is not an exact positive amount");
  const p = ctx.params;
  const to = normalizeAddress(e.toAddress);
  const src = sourceAt(state, p, to);
  if (src !== undefined) {
    return hit([movementAlert(e, to, ctx, { hops: 1, tainted: x, src: to, kind: src.kind, grade: src.grade, lk: src.k, lt: src.t, by: src.by, path: [] })]);
  }
  if (state.labels.has(to)) return CLEAR; // an informational label (exchange, gambling): a known service
  const trace: Trace[] =
    p.trace && p.maxHops >= 2
      ? [{ w: keyOf(e), tx: typeof e.txHash === "string" && e.txHash !== "" ? e.txHash : null, wt: e.time, a: e.accountId, amt0: x, v0: isAmount(e.valueJpy) ? e.valueJpy : null, amt: x, hop: 1, path: [] }]
      : [];
  receive(state, p, `${e.asset}|${to}`, x, e.time, null, trace);
  return CLEAR;
}

interface Exposure {
  hops: number;
  /** the part of the movement traced to the source */
  tainted: bigint;
  src: string;
  kind: LabelKind;
  grade: number;
  lk: string;
  lt: number;
  by: string;
  path: readonly Step[];
}

function sortedEvidence(steps: ReadonlyArray<Step>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const [k] of [...steps].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (!seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  }
  return out;
}

const moneyText = (x: bigint, asset: string, valueJpy: bigint | undefined | null): string =>
  `${formatQuantity(x)} ${asset}${typeof valueJpy === "bigint" ? ` (${formatJpy(valueJpy as Money)})` : ""}`;

function movementAlert(
  e: Extract<Event, { type: "deposit" | "withdrawal" }>,
  counterparty: string,
  ctx: EvalContext<IllicitExposureParams>,
  x: Exposure,
): AlertDraft {
  const amount = e.amount;
  const taintShare = share(x.tainted, amount);
  const deposit = e.type === "deposit";
  const direct = x.hops === 1;
  const what = `Crypto ${deposit ? "deposit" : "withdrawal"} of ${moneyText(amount, e.asset, e.valueJpy)}`;
  const label = `an address labelled ${x.kind} (label by ${x.by})`;
  const explanation = direct
    ? `${what} ${deposit ? "came straight from" : "went straight to"} ${label}: direct exposure, all of its value.`
    : `${what} came ${x.hops} hops from ${label}: ${formatPercent(taintShare)} of it is traced to that address by haircut ` +
      `(taint passed on in proportion to value at every hop; line ${formatShare(ctx.params.minTaintShare)}, at most ${ctx.params.maxHops} hops).`;
  const taintedJpy = typeof e.valueJpy === "bigint" ? (e.valueJpy * x.tainted) / amount : null;
  return {
    subject: ctx.subjectRefOf(e.accountId),
    accounts: [e.accountId],
    evidence: sortedEvidence([[x.lk, x.lt], ...x.path, [keyOf(e), e.time]]),
    ts: e.ts,
    score: scoreOf(x.grade, x.hops, taintShare),
    explanation,
    details: {
      direction: e.type,
      exposure: direct ? "direct" : "indirect",
      method: "haircut",
      label: x.kind,
      labelledBy: x.by,
      labelEvent: x.lk,
      sourceAddress: x.src,
      counterpartyAddress: counterparty,
      hops: x.hops,
      asset: e.asset,
      amount: formatMoney(amount),
      taintedAmount: formatMoney(x.tainted),
      taintShare,
      taintedJpy: taintedJpy === null ? null : formatMoney(taintedJpy),
      path: x.path.map(([k]) => k),
    },
  };
}

function traceAlert(
  tr: Trace,
  moved: bigint,
  hops: number,
  step: Step,
  src: LabelInfo & { grade: number },
  srcAddress: string,
  e: Extract<Event, { type: "chain.transfer" }>,
  ctx: EvalContext<IllicitExposureParams>,
): AlertDraft {
  const reached = share(moved, tr.amt0);
  const explanation =
    `Crypto withdrawal of ${moneyText(tr.amt0, e.asset, tr.v0)} reached an address labelled ${src.kind} (label by ${src.by}) ` +
    `${hops} hops later: ${formatPercent(reached)} of its value, traced by haircut (line ${formatShare(ctx.params.minTaintShare)}, at most ${ctx.params.maxHops} hops).`;
  const path = [...tr.path, step];
  return {
    subject: ctx.subjectRefOf(tr.a),
    accounts: [tr.a],
    evidence: sortedEvidence([[tr.w, tr.wt], [src.k, src.t], ...path]),
    ts: e.ts,
    score: scoreOf(src.grade, hops, reached),
    explanation,
    details: {
      direction: "withdrawal",
      exposure: "indirect",
      method: "haircut",
      label: src.kind,
      labelledBy: src.by,
      labelEvent: src.k,
      sourceAddress: srcAddress,
      hops,
      asset: e.asset,
      amount: formatMoney(tr.amt0),
      taintedAmount: formatMoney(moved),
      taintShare: reached,
      taintedJpy: tr.v0 === null ? null : formatMoney((tr.v0 * moved) / tr.amt0),
      withdrawal: tr.w,
      path: path.map(([k]) => k),
    },
  };
}

export const illicitExposure = defineTypology<IllicitExposureConfig, IllicitExposureParams, IllicitExposureState>({
  id,
  version,
  description:
    "Crypto from or to an address labelled sanctioned, hack, ransomware, darknet, mixer or scam: directly, or within 3 on-chain hops with the tainted share traced by haircut.",
  configSchema: illicitExposureConfigSchema,
  defaultConfig: illicitExposureDefaults,
  eventTypes: ["address.label", "chain.transfer", "deposit", "withdrawal"],
  prepare,
  initialState: () => ({ labels: new Map(), nodes: new Map(), traced: new Map(), landed: new Map(), credited: new Map(), evicted: 0 }),
  onEvent,
  prune(state, now, p) {
    const from = now - p.maxAgeMs;
    // Nodes are in order of last feed: stop at the first one still fresh.
    for (const [k, n] of state.nodes) {
      if (n.t >= from) break;
      state.nodes.delete(k);
    }
    for (const [k, t] of state.traced) if (t < from) state.traced.delete(k);
    for (const [k, x] of state.landed) if (x.t < from) state.landed.delete(k);
    for (const [k, t] of state.credited) if (t < from) state.credited.delete(k);
  },
  size: (state) => state.nodes.size + state.labels.size + state.landed.size + state.credited.size,
});

export default illicitExposure;
