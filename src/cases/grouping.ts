// Grouping alerts into cases, pure: which subject an alert is about, when a subject's risk score
// crosses the opening threshold, and which alerts join which case. The service (service.ts) loads the
// inputs from the store, calls `planSubject` and writes the plan.
//
// Rules:
//   - one case per subject (an entity, or an account before identity resolution) at a time: alerts
//     on a subject with a case that is not closed join it, whatever their score;
//   - a subject without one gets a case when its risk score (engine/scoring.ts), computed at the
//     event time of a new alert over the subject's alerts up to then, reaches `openThreshold`; the case
//     gathers that alert and every earlier unattached alert of the subject;
//   - alerts of a case closed as a false positive no longer count towards the subject's score;
//   - alerts about a market or an address (no person behind them) are not grouped into cases.
// Alerts are taken in event-time order (then id), so the same alerts give the same cases whatever
// order they arrive in, and a case opened by the score has a stable id (a hash of subject and alert).
import { createHash } from "node:crypto";
import { badInput } from "../contracts/errors.ts";
import { caseId, type CaseId } from "../contracts/ids.ts";
import { alertTime, DEFAULT_RISK_SCORE_CONFIG, riskScore, riskScoreConfig, RiskScoreConfigSchema, type RiskScoreConfig } from "../engine/scoring.ts";
import type { SubjectKind } from "./model.ts";
import { z } from "zod";

export interface CaseConfig {
  /** A subject's risk score at or above this opens a case. Default 65 (one high alert, or two medium ones). */
  readonly openThreshold: number;
  /** Days from opening to the case's due date. Default 30. */
  readonly dueDays: number;
  readonly risk: RiskScoreConfig;
}

export const DEFAULT_CASE_CONFIG: CaseConfig = Object.freeze({ openThreshold: 65, dueDays: 30, risk: DEFAULT_RISK_SCORE_CONFIG });

const CaseConfigSchema = z.strictObject({
  openThreshold: z.number().min(0).max(100),
  dueDays: z.number().positive().max(3650),
  risk: RiskScoreConfigSchema.partial(),
});

/** A checked case config from a partial one over the defaults; throws bad_input naming the field. */
export function caseConfig(partial: { openThreshold?: number; dueDays?: number; risk?: Partial<RiskScoreConfig> } = {}): CaseConfig {
  const r = CaseConfigSchema.safeParse({ openThreshold: DEFAULT_CASE_CONFIG.openThreshold, dueDays: DEFAULT_CASE_CONFIG.dueDays, risk: {}, ...partial });
  if (!r.success) {
    const issue = r.error.issues[0];
    throw badInput(issue?.message ?? "invalid", `case config.${issue?.path.map(String).join(".") ?? ""}`);
  }
  return Object.freeze({ openThreshold: r.data.openThreshold, dueDays: r.data.dueDays, risk: riskScoreConfig(r.data.risk as Partial<RiskScoreConfig>) });
}

/** What grouping needs of an alert (the contract's Alert has all of it). */
export interface GroupedAlert {
  readonly id: string;
  readonly typology: string;
  readonly ts: string;
  readonly score: number;
  readonly subject: { readonly kind: string; readonly id: string };
  readonly accounts: readonly string[];
}

/**
 * The case subject of an alert: an entity, or an account (also when the engine names an account as
 * its entity because it has no identity on record); null for market and address alerts.
 */
export function subjectOfAlert(a: Pick<GroupedAlert, "subject" | "accounts">): { kind: SubjectKind; id: string } | null {
  if (a.subject.kind === "account") return { kind: "account", id: a.subject.id };
  if (a.subject.kind === "entity") return { kind: a.accounts.includes(a.subject.id) ? "account" : "entity", id: a.subject.id };
  return null;
}

/** The id of the case the score opens for `subject` at `alertId`: stable across replays. */
export function scoreCaseId(subject: string, alertId: string): CaseId {
  const h = createHash("sha256").update("kanshi-case\0").update(subject).update("\0").update(alertId).digest("base64url");
  return caseId(`cs_${h.slice(0, 22)}`);
}

/** One alert of the subject as the store knows it: in a case or not, and whether it still counts. */
export interface KnownAlert {
  readonly alert: GroupedAlert;
  /** The case it belongs to, or null while unattached. */
  readonly caseId: string | null;
  /** True when its case was closed as a false positive: it no longer counts towards the score. */
  readonly dismissed: boolean;
}

/** The subject's case that is not closed, as grouping needs it. */
export interface ActiveCase {
  readonly id: string;
  readonly score: number;
}

export interface SubjectPlan {
  readonly caseId: CaseId;
  /** True when the plan opens the case. */
  readonly opens: boolean;
  /** For a case the plan opens: the alert whose score crossed the threshold. */
  readonly openedBy: string | null;
  /** Alerts joining the case, in event-time order. */
  readonly alertIds: readonly string[];
  /** The case's peak score after the plan (never lower than before). */
  readonly score: number;
  /** The subject's score at the latest joining alert. */
  readonly lastScore: number;
  /** Event time (as the alerts carry it) of the earliest and latest joining alerts. */
  readonly firstTs: string;
  readonly lastTs: string;
}

const byTimeThenId = (x: { t: number; a: GroupedAlert }, y: { t: number; a: GroupedAlert }) =>
  x.t - y.t || (x.a.id < y.a.id ? -1 : x.a.id > y.a.id ? 1 : 0);

/**
 * What to do with a subject's unattached alerts: join its active case, open one, or nothing (null).
 * `known` holds every alert of the subject the store knows (attached or not, repeated ids once).
 */
export function planSubject(subject: string, known: readonly KnownAlert[], active: ActiveCase | null, config: CaseConfig = DEFAULT_CASE_CONFIG): SubjectPlan | null {
  const counted: GroupedAlert[] = [];
  const pending: { t: number; a: GroupedAlert }[] = [];
  const seen = new Set<string>();
  known.forEach((k, i) => {
    if (seen.has(k.alert.id)) return;
    seen.add(k.alert.id);
    const t = alertTime(k.alert.ts, `known[${i}].alert.ts`);
    if (!k.dismissed) counted.push(k.alert);
    if (k.caseId === null) pending.push({ t, a: k.alert });
  });
  if (pending.length === 0) return null;
  pending.sort(byTimeThenId);

  let id: CaseId | null = active ? caseId(active.id) : null;
  let openedBy: string | null = null;
  let peak = active ? active.score : 0;
  let last = 0;
  const joining: { t: number; a: GroupedAlert }[] = [];
  const waiting: { t: number; a: GroupedAlert }[] = [];
  for (const p of pending) {
    const r = riskScore(counted, p.t, config.risk);
    if (id === null) {
      waiting.push(p);
      if (r.score < config.openThreshold) continue;
      id = scoreCaseId(subject, p.a.id);
      openedBy = p.a.id;
      // The opening alert and every earlier unattached alert of the subject (also those too old to
      // count any more: they are its history, and a later run would otherwise pull them in anyway).
      joining.push(...waiting);
    } else {
      joining.push(p);
    }
    last = r.score;
    peak = Math.max(peak, r.score);
  }
  if (id === null || joining.length === 0) return null;
  joining.sort(byTimeThenId);
  return {
    caseId: id,
    opens: active === null,
    openedBy,
    alertIds: joining.map((j) => j.a.id),
    score: peak,
    lastScore: last,
    firstTs: joining[0]!.a.ts,
    lastTs: joining[joining.length - 1]!.a.ts,
  };
}
