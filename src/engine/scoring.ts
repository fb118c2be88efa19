// Entity (or account) risk score: 0–100 from the alerts raised on it, weighed by their severity and
// faded by age with a half-life. Pure and deterministic in event time: the caller passes `now` (epoch
// ms), alerts dated after it are not counted yet, and the same alerts and `now` always give the same
// score, contributions and explanation whatever order the alerts come in.
//
// Method (noisy-OR with decay and same-typology damping):
//
//   base_i      = min(1, alert.score / 100 × weight(typology))          the alert's own severity
//   decay_i     = 2^(−age_i / halfLife),  age_i = now − time(alert)      an alert a half-life old counts half
//   effective_i = base_i × decay_i × damping^(rank_i − 1)                rank 1 = strongest alert of its typology
//   score       = 100 × (1 − Π (1 − effective_i))
//
// One alert scoring 60 gives 60; two unrelated alerts of 60 give 84; a second alert of the SAME
// typology counts at half strength by default (damping 0.5: typologies often re-detect one behaviour
// in overlapping windows, which should not saturate the score as independent evidence would).
// Alerts older than `horizonHalfLives` half-lives are dropped (by default 8: they would count < 0.4%).
//
// Properties (tested with fast-check): bounded in [0, 100]; monotone in added alerts (adding an alert
// never lowers the score: order statistics only rise and each factor only shrinks); decays (for a
// fixed set of alerts, a later `now` never gives a higher score: every effective value is scaled by
// the same factor, so ranks are unchanged).
//
// Explanation: alerts are taken strongest first (effective value, then id) and each one's
// contribution is how many points it adds to the score of those before it, so the contributions,
// rounded to 0.01, add up exactly to the rounded score.
import { z } from "zod";
import { badInput } from "../contracts/errors.ts";

const DAY_MS = 86_400_000;

export interface RiskScoreConfig {
  /** Days after which an alert counts half as much. Default 30: a month-old alert counts half, a quarter-old one an eighth. */
  readonly halfLifeDays: number;
  /** Alerts older than this many half-lives are ignored. Default 8 (their weight would be under 0.4%). */
  readonly horizonHalfLives: number;
  /** Each further alert of one typology counts this much less than the one before it (0–1). Default 0.5. */
  readonly sameTypologyDamping: number;
  /** Per-typology (or rule id) multipliers of an alert's severity, 0–4; absent typologies weigh 1. Default none. */
  readonly typologyWeights: Readonly<Record<string, number>>;
}

export const DEFAULT_RISK_SCORE_CONFIG: RiskScoreConfig = Object.freeze({
  halfLifeDays: 30,
  horizonHalfLives: 8,
  sameTypologyDamping: 0.5,
  typologyWeights: Object.freeze({}),
});

export const RiskScoreConfigSchema = z.strictObject({
  halfLifeDays: z.number().positive().max(3650),
  horizonHalfLives: z.number().positive().max(64),
  sameTypologyDamping: z.number().min(0).max(1),
  typologyWeights: z.record(z.string().min(1).max(128), z.number().min(0).max(4)),
});

/** Checks a (partial) config over the defaults; throws bad_input naming the field. */
export function riskScoreConfig(partial: Partial<RiskScoreConfig> = {}): RiskScoreConfig {
  const r = RiskScoreConfigSchema.safeParse({ ...DEFAULT_RISK_SCORE_CONFIG, ...partial });
  if (!r.success) {
    const issue = r.error.issues[0];
    throw badInput(issue?.message ?? "invalid", `risk score config.${issue?.path.map(String).join(".") ?? ""}`);
  }
  return Object.freeze({ ...r.data, typologyWeights: Object.freeze({ ...r.data.typologyWeights }) });
}

/** What the score needs of an alert (the contract's Alert has all of it). */
export interface ScoredAlert {
  readonly id: string;
  readonly typology: string;
  /** RFC 3339 with offset: event time of the alert's last evidence. */
  readonly ts: string;
  /** 0–100, the typology's severity. */
  readonly score: number;
}

export type Severity = "critical" | "high" | "medium" | "low";

/** The band an alert score falls in: ≥ 90 critical, ≥ 70 high, ≥ 40 medium, else low. */
export function severityOf(score: number): Severity {
  return score >= 90 ? "critical" : score >= 70 ? "high" : score >= 40 ? "medium" : "low";
}

export interface Contribution {
  readonly alertId: string;
  readonly typology: string;
  readonly ts: string;
  readonly alertScore: number;
  readonly severity: Severity;
  /** now − alert time, in days (3 decimals). */
  readonly ageDays: number;
  /** 2^(−age / halfLife) (4 decimals). */
  readonly decay: number;
  /** Position among the counted alerts of its typology, strongest first (1-based). */
  readonly rank: number;
  /** The alert's effective strength after weight, decay and damping, 0–100 (2 decimals). */
  readonly effective: number;
  /** Points it adds to the score (2 decimals); the contributions add up to the score. */
  readonly points: number;
}

export interface RiskScore {
  /** 0–100, 2 decimals. */
  readonly score: number;
  /** The `now` it was computed at (ISO, UTC). */
  readonly asOf: string;
  readonly severity: Severity;
  /** Counted alerts, largest contribution first. */
  readonly contributions: readonly Contribution[];
  /** Alerts dated after `now` (not counted yet). */
  readonly future: number;
  /** Alerts older than the horizon (no longer counted). */
  readonly expired: number;
  /** Sentences a person can read: the score and its main contributions with their figures. */
  readonly explanation: string;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
const byteCompare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Epoch ms of an RFC 3339 timestamp; throws bad_input at `where`. */
export function alertTime(ts: unknown, where: string): number {
  const t = typeof ts === "string" && /^\d{4}-\d{2}-\d{2}T/.test(ts) ? Date.parse(ts) : NaN;
  if (!Number.isFinite(t)) throw badInput("expected an RFC 3339 timestamp with offset", where);
  return t;
}

/** How many contributions the explanation names before summarising the rest. */
const EXPLAINED = 5;

/**
 * The risk score of one entity (or account) at `now` from its alerts. Repeated alert ids count once.
 * Throws bad_input (`alerts[i].score`, `alerts[i].ts`, `now`) for malformed input.
 */
export function riskScore(alerts: readonly ScoredAlert[], now: number, config: RiskScoreConfig = DEFAULT_RISK_SCORE_CONFIG): RiskScore {
  if (typeof now !== "number" || !Number.isFinite(now)) throw badInput("expected epoch milliseconds", "now");
  if (!Array.isArray(alerts)) throw badInput("expected an array of alerts", "alerts");
  const halfLifeMs = config.halfLifeDays * DAY_MS;
  const horizonMs = config.horizonHalfLives * halfLifeMs;

  interface Item {
    a: ScoredAlert;
    age: number;
    decay: number;
    base: number;
    decayed: number;
    rank: number;
    effective: number;
  }
  const seen = new Set<string>();
  const byTypology = new Map<string, Item[]>();
  let future = 0;
  let expired = 0;
  alerts.forEach((a, i) => {
    if (a === null || typeof a !== "object") throw badInput("expected an alert", `alerts[${i}]`);
    if (typeof a.id !== "string" || a.id === "") throw badInput("expected a non-empty id", `alerts[${i}].id`);
    if (typeof a.typology !== "string" || a.typology === "") throw badInput("expected a typology id", `alerts[${i}].typology`);
    if (typeof a.score !== "number" || !(a.score >= 0 && a.score <= 100)) throw badInput("expected a number from 0 to 100", `alerts[${i}].score`);
    const t = alertTime(a.ts, `alerts[${i}].ts`);
    if (seen.has(a.id)) return;
    seen.add(a.id);
    const age = now - t;
    if (age < 0) return void future++;
    if (age > horizonMs) return void expired++;
    const decay = Math.pow(2, -age / halfLifeMs);
    const base = Math.min(1, (a.score / 100) * (config.typologyWeights[a.typology] ?? 1));
    const item: Item = { a, age, decay, base, decayed: base * decay, rank: 0, effective: 0 };
    const list = byTypology.get(a.typology);
    if (list) list.push(item);
    else byTypology.set(a.typology, [item]);
  });

  const items: Item[] = [];
  for (const list of byTypology.values()) {
    list.sort((x, y) => y.decayed - x.decayed || byteCompare(x.a.id, y.a.id));
    let damp = 1;
    list.forEach((it, k) => {
      it.rank = k + 1;
      it.effective = it.decayed * damp;
      damp *= config.sameTypologyDamping;
      items.push(it);
    });
  }
  items.sort((x, y) => y.effective - x.effective || byteCompare(x.a.id, y.a.id));

  let keep = 1; // Π (1 − effective) so far
  let before = 0; // rounded score before this alert
  const contributions: Contribution[] = items.map((it) => {
    keep *= 1 - it.effective;
    const cum = r2(100 * (1 - keep));
    const points = r2(cum - before);
    before = cum;
    return {
      alertId: it.a.id,
      typology: it.a.typology,
      ts: it.a.ts,
      alertScore: it.a.score,
      severity: severityOf(it.a.score),
      ageDays: r3(it.age / DAY_MS),
      decay: r4(it.decay),
      rank: it.rank,
      effective: r2(100 * it.effective),
      points,
    };
  });
  const score = Math.min(100, Math.max(0, before));
  contributions.sort((x, y) => y.points - x.points || y.effective - x.effective || byteCompare(x.alertId, y.alertId));
  return {
    score,
    asOf: new Date(now).toISOString(),
    severity: severityOf(score),
    contributions,
    future,
    expired,
    explanation: explain(score, contributions, future, expired, config),
  };
}

function explain(score: number, cs: readonly Contribution[], future: number, expired: number, config: RiskScoreConfig): string {
  const fmt = (x: number) => x.toFixed(2).replace(/\.?0+$/, "");
  const tail: string[] = [];
  if (expired > 0) tail.push(`${expired} alert${expired === 1 ? "" : "s"} older than ${fmt(config.horizonHalfLives * config.halfLifeDays)} days no longer count`);
  if (future > 0) tail.push(`${future} alert${future === 1 ? "" : "s"} dated later are not counted yet`);
  const rest = tail.length ? ` ${tail.join("; ")}.` : "";
  if (cs.length === 0) return `Risk score 0: no alerts in the last ${fmt(config.horizonHalfLives * config.halfLifeDays)} days.${rest}`;
  const parts = cs.slice(0, EXPLAINED).map((c) => {
    const damp = c.rank > 1 ? `, ${ordinal(c.rank)} of its typology` : "";
    return `${c.typology} ${c.alertId} +${fmt(c.points)} (alert score ${fmt(c.alertScore)}, ${fmt(c.ageDays)} day${c.ageDays === 1 ? "" : "s"} old, ×${fmt(c.decay)}${damp})`;
  });
  const more = cs.length > EXPLAINED ? `; ${cs.length - EXPLAINED} more alert${cs.length - EXPLAINED === 1 ? "" : "s"} +${fmt(r2(cs.slice(EXPLAINED).reduce((s, c) => s + c.points, 0)))}` : "";
  return `Risk score ${fmt(score)} (${severityOf(score)}) from ${cs.length} alert${cs.length === 1 ? "" : "s"}, half-life ${fmt(config.halfLifeDays)} days: ${parts.join("; ")}${more}.${rest}`;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : n % 10 === 1 ? "st" : n % 10 === 2 ? "nd" : n % 10 === 3 ? "rd" : "th";
  return `${n}${s}`;
}
