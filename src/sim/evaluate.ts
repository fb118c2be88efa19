// Scoring alerts against the simulator's labels, per typology.
//
// An injection is detected when some alert of its typology involves any of its accounts (the alert's
// `accounts`, or its subject when that is an account) at a time within [from, to + slack]; slack
// defaults to 24 h, the time a detector may need to see the pattern complete. An alert is a true
// positive when it shares an account with some injection of its typology, whenever it fired.
// recall = detected / injections, precision = truePositive / alerts; each is 1 when there is nothing
// to divide (no injections, no alerts).
import { badInput, type Alert, type InjectionLabel } from "../contracts/index.ts";

export interface Evaluation {
  typology: string;
  injections: number;
  detected: number;
  recall: number;
  alerts: number;
  truePositive: number;
  precision: number;
}

export interface EvaluateOptions {
  /** How long after an injection's last event an alert still counts as detecting it (ms). Default 24 h. */
  slackMs?: number;
}

export const DEFAULT_SLACK_MS = 24 * 3_600_000;

type AlertLike = Pick<Alert, "typology" | "accounts" | "subject" | "ts">;

function accountsOf(a: AlertLike): string[] {
  return a.subject.kind === "account" && !a.accounts.includes(a.subject.id) ? [...a.accounts, a.subject.id] : a.accounts;
}

function time(ts: string, where: string): number {
  const t = Date.parse(ts);
  if (!Number.isFinite(t)) throw badInput(`expected an RFC 3339 timestamp; got ${JSON.stringify(ts)}`, where);
  return t;
}

export function evaluate(labels: readonly InjectionLabel[], alerts: readonly AlertLike[], typology: string, opts: EvaluateOptions = {}): Evaluation {
  const slack = opts.slackMs ?? DEFAULT_SLACK_MS;
  if (!Number.isFinite(slack) || slack < 0) throw badInput("expected a non-negative number of milliseconds", "slackMs");
  const injections = labels.filter((l) => l.typology === typology);
  const mine = alerts.filter((a) => a.typology === typology);

  // account → alert times (of this typology)
  const alertTimes = new Map<string, number[]>();
  mine.forEach((a, i) => {
    const t = time(a.ts, `alerts[${i}].ts`);
    for (const acct of accountsOf(a)) {
      let list = alertTimes.get(acct);
      if (list === undefined) alertTimes.set(acct, (list = []));
      list.push(t);
    }
  });

  let detected = 0;
  const injectedAccounts = new Set<string>();
  injections.forEach((l, i) => {
    const from = time(l.from, `labels[${i}].from`);
    const to = time(l.to, `labels[${i}].to`) + slack;
    for (const a of l.accounts) injectedAccounts.add(a);
    if (l.accounts.some((a) => (alertTimes.get(a) ?? []).some((t) => t >= from && t <= to))) detected++;
  });
  const truePositive = mine.filter((a) => accountsOf(a).some((acct) => injectedAccounts.has(acct))).length;
  return {
    typology,
    injections: injections.length,
    detected,
    recall: injections.length === 0 ? 1 : detected / injections.length,
    alerts: mine.length,
    truePositive,
    precision: mine.length === 0 ? 1 : truePositive / mine.length,
  };
}
