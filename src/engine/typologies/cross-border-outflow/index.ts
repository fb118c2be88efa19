// Cross-border outflow: withdrawals to high-risk jurisdictions, to VASPs (or banks) abroad and to
// self-hosted wallets, alone or summed over a window; crypto transfers to another VASP without the
// travel-rule data; payments abroad over the Foreign Exchange Act reporting line. See README.md.
//
// Semantics (v1.0.0), per withdrawal:
//   kind (the first that applies): counterpartyCountry on the call-for-action list → callForAction;
//   on the increased-monitoring list → increasedMonitoring; another country than homeCountry →
//   foreign; a crypto withdrawal with a toAddress and no counterpartyVasp → unhosted; else none.
//   For its kind's lines (corporates × corporateLineMultiple, call-for-action excepted):
//     single  value ≥ singleJpy;
//     sum     the subject's withdrawals of that kind over windowDays, not yet part of an alerted
//             burst, reach sumJpy (reported when more than this withdrawal is counted).
//   fx-report      a foreign counterparty (country ≠ homeCountry) and value > foreignExchangeReportJpy.
//   travel-rule    a crypto withdrawal to a counterpartyVasp worth ≥ travelRule.minJpy lacks
//                  travelRule.originatorName or .beneficiaryName.
//   One alert per withdrawal naming every reason.
import { formatMoney, keyOf, type Event, type Money } from "../../../contracts/index.ts";
import { clampScore, formatJpy, formatQuantity, ppm, yen } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, skip, type EvalContext, type Outcome } from "../../types.ts";
import { isAmount, PPM, sortedKeys } from "../../values.ts";
import { crossBorderConfigSchema, crossBorderDefaults, type CrossBorderConfig } from "./config.ts";

export const id = "cross-border-outflow";
export const version = "1.0.0";

export type DestinationKind = "callForAction" | "increasedMonitoring" | "foreign" | "unhosted";

interface Out {
  t: number;
  ts: string;
  k: string;
  a: string;
  v: bigint;
}

interface Sums {
  /** withdrawals of one kind over the window, oldest first */
  f: Out[];
  /** quiet until (inclusive): flows up to it belong to an alerted burst; -1 when not */
  q: number;
}

export interface CrossBorderState {
  /** `${kind}|${subject}` → its withdrawals */
  windows: Map<string, Sums>;
}

interface Lines {
  single: Money;
  sum: Money;
}

export interface CrossBorderParams {
  home: string;
  callForAction: ReadonlySet<string>;
  increasedMonitoring: ReadonlySet<string>;
  individual: Record<DestinationKind, Lines>;
  corporate: Record<DestinationKind, Lines>;
  windowMs: number;
  windowDays: number;
  fxLine: Money;
  travelRule: boolean;
  travelRuleMin: Money;
}

const KINDS: readonly DestinationKind[] = ["callForAction", "increasedMonitoring", "foreign", "unhosted"];

function prepare(c: CrossBorderConfig): CrossBorderParams {
  const mult = ppm(c.corporateLineMultiple);
  const individual = {} as Record<DestinationKind, Lines>;
  const corporate = {} as Record<DestinationKind, Lines>;
  for (const k of KINDS) {
    const l = c.lines[k];
    individual[k] = { single: yen(l.singleJpy), sum: yen(l.sumJpy) };
    corporate[k] =
      k === "callForAction"
        ? individual[k]
        : { single: ((yen(l.singleJpy) * mult) / PPM) as Money, sum: ((yen(l.sumJpy) * mult) / PPM) as Money };
  }
  return {
    home: c.homeCountry,
    callForAction: new Set(c.highRisk.callForAction),
    increasedMonitoring: new Set(c.highRisk.increasedMonitoring),
    individual,
    corporate,
    windowMs: c.windowDays * 86_400_000,
    windowDays: c.windowDays,
    fxLine: yen(c.foreignExchangeReportJpy),
    travelRule: c.travelRule.enabled,
    travelRuleMin: yen(c.travelRule.minJpy),
  };
}

type Withdrawal = Extract<Event, { type: "withdrawal" }>;

/** What kind of destination a withdrawal goes to, by the first rule that applies. */
export function destinationOf(e: Pick<Withdrawal, "channel" | "toAddress" | "counterpartyVasp" | "counterpartyCountry">, p: Pick<CrossBorderParams, "home" | "callForAction" | "increasedMonitoring">): DestinationKind | undefined {
  const c = e.counterpartyCountry;
  if (c !== undefined) {
    if (p.callForAction.has(c)) return "callForAction";
    if (p.increasedMonitoring.has(c)) return "increasedMonitoring";
    if (c !== p.home) return "foreign";
  }
  if (e.channel === "crypto" && e.toAddress !== undefined && e.counterpartyVasp === undefined) return "unhosted";
  return undefined;
}

const KIND_TEXT: Record<DestinationKind, string> = {
  callForAction: "a jurisdiction under an FATF call for action",
  increasedMonitoring: "a jurisdiction under FATF increased monitoring",
  foreign: "a counterparty abroad",
  unhosted: "a self-hosted wallet (no counterparty VASP)",
};
const BASE: Record<string, number> = { callForAction: 90, increasedMonitoring: 65, foreign: 50, unhosted: 50, "fx-report": 60, "travel-rule": 60 };

const filled = (s: unknown): boolean => typeof s === "string" && s.trim().length > 0;


function dropBefore(s: Sums, from: number): void {
  let i = 0;
  while (i < s.f.length && s.f[i]!.t < from) i++;
  if (i > 0) s.f.splice(0, i);
}

function onEvent(state: CrossBorderState, e: Event, ctx: EvalContext<CrossBorderParams>): Outcome {
  if (e.type !== "withdrawal") return CLEAR;
  if (typeof e.accountId !== "string" || typeof e.asset !== "string") return error("a withdrawal without an accountId or asset");
  const p = ctx.params;
  const v = e.asset === "JPY" ? e.amount : e.valueJpy;
  if (v !== undefined && !isAmount(v)) return error(`${e.asset === "JPY" ? "amount" : "valueJpy"} is not an exact non-negative amount`);
  const kind = destinationOf(e, p);
  const corporate = ctx.customerType(e.accountId) === "corporate";
  const reasons: string[] = [];
  const parts: string[] = [];
  const evidence: Array<[string, number]> = [[keyOf(e), e.time]];
  const details: Record<string, unknown> = {};
  let unvalued = false;

  if (kind !== undefined) {
    const lines = (corporate ? p.corporate : p.individual)[kind];
    details.destination = kind;
    details.singleLineJpy = formatMoney(lines.single);
    details.sumLineJpy = formatMoney(lines.sum);
    if (v === undefined) {
      if (lines.single === 0n) {
        reasons.push(kind);
        parts.push(`to ${KIND_TEXT[kind]}`);
      } else unvalued = true;
    } else {
      const single = v >= lines.single;
      if (single) {
        reasons.push(kind);
        parts.push(`to ${KIND_TEXT[kind]}${lines.single > 0n ? ` (line ${formatJpy(lines.single)})` : ""}`);
      }
      const key = `${kind}|${ctx.subjectOf(e.accountId)}`;
      let s = state.windows.get(key);
      if (s === undefined) state.windows.set(key, (s = { f: [], q: -1 }));
      dropBefore(s, e.time - p.windowMs);
      let at = s.f.length;
      while (at > 0 && s.f[at - 1]!.t > e.time) at--;
      s.f.splice(at, 0, { t: e.time, ts: e.ts, k: keyOf(e), a: e.accountId, v });
      if (e.time > s.q) {
        const counted = s.f.filter((f) => f.t > s.q);
        const sum = counted.reduce((x, f) => x + f.v, 0n);
        if (counted.length > 1 && sum >= lines.sum) {
          if (!single) reasons.push(kind);
          reasons.push("sum");
          parts.push(`${single ? "and " : `to ${KIND_TEXT[kind]}: `}${counted.length} such withdrawals total ${formatJpy(sum as Money)} within ${p.windowDays} days (line ${formatJpy(lines.sum)})`);
          for (const f of counted) evidence.push([f.k, f.t]);
          details.sumJpy = formatMoney(sum);
          details.sumCount = counted.length;
          s.q = e.time + p.windowMs;
        }
      }
    }
  }

  const country = e.counterpartyCountry;
  if (country !== undefined && country !== p.home && v !== undefined && v > p.fxLine) {
    reasons.push("fx-report");
    parts.push(`over the ${formatJpy(p.fxLine)} line above which a payment abroad must be reported under the Foreign Exchange Act`);
  }

  if (p.travelRule && e.channel === "crypto" && e.counterpartyVasp !== undefined && (v === undefined ? p.travelRuleMin === 0n : v >= p.travelRuleMin)) {
    const missing = [["originatorName", e.travelRule?.originatorName], ["beneficiaryName", e.travelRule?.beneficiaryName]].filter(([, x]) => !filled(x)).map(([name]) => name as string);
    if (missing.length > 0) {
      reasons.push("travel-rule");
      parts.push(`to another VASP without the travel-rule ${missing.join(" and ")}`);
      details.travelRuleMissing = missing;
    }
  }

  if (reasons.length === 0) return unvalued ? skip("a non-JPY withdrawal without valueJpy cannot be compared with the lines") : CLEAR;

  const amount = e.asset === "JPY" ? formatJpy(e.amount) : `${formatQuantity(e.amount)} ${e.asset}${v !== undefined ? ` (${formatJpy(v as Money)})` : ""}`;
  const where = [country !== undefined ? `counterparty in ${country}` : undefined, e.counterpartyVasp !== undefined ? "a VASP" : undefined].filter((x) => x !== undefined).join(", ");
  const explanation = `${e.channel === "crypto" ? "Crypto" : e.channel === "bank" ? "Bank" : "Internal"} withdrawal of ${amount}${where ? ` (${where})` : ""}: ${parts.join("; ")}.`;
  const bases = reasons.filter((r) => r !== "sum").map((r) => BASE[r] ?? 50);
  const score = clampScore(Math.max(...bases) + 5 * (reasons.length - 1));
  const keys = sortedKeys(evidence);
  return hit([
    {
      subject: ctx.subjectRefOf(e.accountId),
      accounts: [...new Set([e.accountId, ...evidenceAccounts(state, e, ctx, keys)])],
      evidence: keys,
      ts: e.ts,
      score,
      explanation,
      details: {
        reasons,
        counterpartyCountry: country ?? null,
        counterpartyVasp: e.counterpartyVasp ?? null,
        valueJpy: v === undefined ? null : formatMoney(v),
        customerType: ctx.customerType(e.accountId) ?? "unknown",
        ...details,
      },
    },
  ]);
}

/** Accounts of the withdrawals a sum counted (several accounts when keyed by entity). */
function evidenceAccounts(state: CrossBorderState, e: Withdrawal, ctx: EvalContext<CrossBorderParams>, keys: readonly string[]): string[] {
  if (keys.length <= 1) return [];
  const kind = destinationOf(e, ctx.params);
  const s = kind === undefined ? undefined : state.windows.get(`${kind}|${ctx.subjectOf(e.accountId)}`);
  if (s === undefined) return [];
  const wanted = new Set(keys);
  return s.f.filter((f) => wanted.has(f.k)).map((f) => f.a);
}

export const crossBorderOutflow = defineTypology<CrossBorderConfig, CrossBorderParams, CrossBorderState>({
  id,
  version,
  description:
    "Withdrawals to FATF high-risk jurisdictions, VASPs abroad or self-hosted wallets over their lines (alone or over 30 days), VASP transfers without travel-rule data, and payments abroad over the ¥30M Foreign Exchange Act reporting line.",
  configSchema: crossBorderConfigSchema,
  defaultConfig: crossBorderDefaults,
  eventTypes: ["withdrawal"],
  prepare,
  initialState: () => ({ windows: new Map() }),
  onEvent,
  prune(state, now, p) {
    const from = now - p.windowMs;
    for (const [k, s] of state.windows) {
      dropBefore(s, from);
      if (s.f.length === 0 && s.q < now) state.windows.delete(k);
    }
  },
  size: (state) => state.windows.size,
});

export default crossBorderOutflow;
