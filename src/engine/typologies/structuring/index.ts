// Structuring (smurfing): several deposits, or several withdrawals, each just under a reporting
// line and together over it, inside a short window. See README.md for the why and the blind spots.
//
// Semantics (per subject, per direction, per channel):
//   a movement qualifies when its JPY value v satisfies lowerRatio × T ≤ v < T, T the channel's line;
//   an alert is raised when the qualifying movements of the last windowDays number ≥ minCount and
//   sum to more than T. Its evidence is every qualifying movement in the window. Once per burst:
//   for windowDays after an alert (from its last evidence event) further qualifying movements of the
//   same key belong to that burst and raise nothing; after that a new set must qualify on its own.
import { formatMoney, keyOf, type Event, type Money } from "../../../contracts/index.ts";
import { clampScore, formatDuration, formatJpy, formatShare, share, yen } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, skip, type AlertDraft, type EvalContext, type Outcome } from "../../types.ts";
import { ceilDiv, isAmount, jpyValueOf, PPM } from "../../values.ts";
import { structuringConfigSchema, structuringDefaults, type StructuringConfig } from "./config.ts";

export const id = "structuring";
export const version = "1.0.0";

/** One qualifying movement held in a window. */
interface Candidate {
  /** event time, ms */
  t: number;
  ts: string;
  /** event key */
  k: string;
  /** account id */
  a: string;
  /** JPY value */
  v: Money;
}

interface Window {
  /** qualifying movements not yet alerted on, oldest first */
  c: Candidate[];
  /** event time until which (inclusive) the key is inside an alerted burst; -1 when not */
  quietUntil: number;
}

export interface StructuringState {
  /** `${direction}|${channel}|${subject}` → its window. */
  windows: Map<string, Window>;
}

interface Line {
  threshold: Money;
  /** ⌈threshold × lowerRatio⌉ in money units: v ≥ lower ⟺ v ≥ lowerRatio × threshold, exactly. */
  lower: Money;
}

export interface StructuringParams {
  windowMs: number;
  minCount: number;
  lowerRatio: number;
  bank: Line;
  crypto: Line;
}

const NO_ACCOUNT: Outcome = error("a deposit or withdrawal without an accountId");
const NO_VALUE: Outcome = skip("a non-JPY movement without valueJpy cannot be compared with the reporting line");

function prepare(c: StructuringConfig): StructuringParams {
  const lowerPpm = BigInt(Math.round(c.lowerRatio * 1e6));
  const line = (jpy: number): Line => {
    const threshold = yen(jpy);
    return { threshold, lower: ceilDiv(threshold * lowerPpm, PPM) as Money };
  };
  return { windowMs: c.windowDays * 86_400_000, minCount: c.minCount, lowerRatio: c.lowerRatio, bank: line(c.thresholdJpy.bank), crypto: line(c.thresholdJpy.crypto) };
}

function onEvent(state: StructuringState, e: Event, ctx: EvalContext<StructuringParams>): Outcome {
  if (e.type !== "deposit" && e.type !== "withdrawal") return CLEAR;
  if (typeof e.accountId !== "string") return NO_ACCOUNT;
  const p = ctx.params;
  const channel = e.channel;
  if (channel !== "bank" && channel !== "crypto") return CLEAR; // internal moves have no reporting line
  const line = channel === "bank" ? p.bank : p.crypto;
  const v = jpyValueOf(e);
  if (v === undefined) return NO_VALUE;
  if (!isAmount(v)) return error(`${e.asset === "JPY" ? "amount" : "valueJpy"} is not an exact non-negative amount`);
  if (v >= line.threshold || v < line.lower) return CLEAR;

  const key = `${e.type === "deposit" ? "d" : "w"}|${channel}|${ctx.subjectOf(e.accountId)}`;
  let w = state.windows.get(key);
  if (w === undefined) state.windows.set(key, (w = { c: [], quietUntil: -1 }));
  if (e.time <= w.quietUntil) return CLEAR; // part of a burst already alerted on
  const list = w.c;
  dropBefore(list, e.time - p.windowMs);
  const c: Candidate = { t: e.time, ts: e.ts, k: keyOf(e), a: e.accountId, v };
  // Keep event-time order even if a live feed delivers one late.
  let at = list.length;
  while (at > 0 && list[at - 1]!.t > c.t) at--;
  list.splice(at, 0, c);

  if (list.length < p.minCount) return CLEAR;
  let sum = 0n;
  for (const x of list) sum += x.v;
  if (sum <= line.threshold) return CLEAR;
  const alerted = hit([draft(list, sum as Money, e.type, channel, line.threshold, p, ctx)]);
  w.c = [];
  w.quietUntil = list[list.length - 1]!.t + p.windowMs;
  return alerted;
}

function dropBefore(list: Candidate[], from: number): void {
  let i = 0;
  while (i < list.length && list[i]!.t < from) i++;
  if (i > 0) list.splice(0, i);
}

function draft(
  list: readonly Candidate[],
  sum: Money,
  type: "deposit" | "withdrawal",
  channel: "bank" | "crypto",
  threshold: Money,
  p: StructuringParams,
  ctx: EvalContext<StructuringParams>,
): AlertDraft {
  const first = list[0]!;
  const last = list[list.length - 1]!;
  const n = list.length;
  const span = last.t - first.t;
  // Severity: more movements, closer to the line and faster mean a more deliberate pattern.
  let closeness = 0;
  for (const x of list) closeness += (share(x.v, threshold) - p.lowerRatio) / (1 - p.lowerRatio);
  closeness /= n;
  const score = clampScore(55 + 10 * (n - p.minCount) + 25 * closeness + (span <= 86_400_000 ? 10 : 0));

  const noun = `${channel} ${type === "deposit" ? "deposits" : "withdrawals"}`;
  const shown = list.slice(0, 6).map((x) => formatJpy(x.v));
  const amounts = n <= 6 ? `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}` : `${shown.join(", ")} and ${n - 6} more`;
  const explanation =
    `${n} ${noun} of ${amounts} within ${formatDuration(span)}, each just under the ${formatJpy(threshold)} reporting line ` +
    `(${formatShare(p.lowerRatio)} to 100% of it), together ${formatJpy(sum)}.`;
  const accounts = [...new Set(list.map((x) => x.a))];
  return {
    subject: ctx.subjectRefOf(last.a),
    accounts,
    evidence: list.map((x) => x.k),
    ts: last.ts,
    score,
    explanation,
    details: {
      direction: type,
      channel,
      count: n,
      thresholdJpy: formatMoney(threshold),
      totalJpy: formatMoney(sum),
      valuesJpy: list.map((x) => formatMoney(x.v)),
      totalOverThreshold: share(sum, threshold),
      spanMs: span,
      windowDays: p.windowMs / 86_400_000,
    },
  };
}

export const structuring = defineTypology<StructuringConfig, StructuringParams, StructuringState>({
  id,
  version,
  description: "Several deposits or withdrawals each just under a reporting line (80–100%), together over it, within days.",
  configSchema: structuringConfigSchema,
  defaultConfig: structuringDefaults,
  eventTypes: ["deposit", "withdrawal"],
  prepare,
  initialState: () => ({ windows: new Map() }),
  onEvent,
  prune(state, now, p) {
    const from = now - p.windowMs;
    for (const [k, w] of state.windows) {
      dropBefore(w.c, from);
      if (w.c.length === 0 && w.quietUntil < now) state.windows.delete(k);
    }
  },
  size: (state) => state.windows.size,
});

export default structuring;
