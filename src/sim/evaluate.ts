// Scoring alerts against the simulator's labels, per typology.
//
// An injection is detected when some alert of its typology, at a time within [from, to + slack],
// involves any of its accounts (the alert's `accounts`, or its subject when that is an account) or is
// about one of its subjects (a market-level alert, `accounts: []`, whose subject kind and id are a
// label's `subjects` entry: a pump on `coincheck:XEM/JPY`, a wash-traded market day). Slack defaults
// to 24 h, the time a detector may need to see the pattern complete.
//
// An alert is a true positive when it shares an account with some injection of its typology
// (whenever it fired), or when its subject is a subject of one within [from, to + slack]. An alert that
// is not is a **co-detection** when it names accounts and every one of them carries an injection of
// another typology (a mule that breaks its declared profile too, a hacked-funds deposit emptied
// within the day): not background, so it is counted apart and left out of precision. Every other
// alert is a false positive.
// recall = detected / injections, precision = truePositive / (alerts − coDetections); each is 1 when
// there is nothing to divide (no injections, no alerts).
import { badInput, type Alert, type InjectionLabel } from "../contracts/index.ts";

export interface Evaluation {
  typology: string;
  injections: number;
  detected: number;
  recall: number;
  alerts: number;
  truePositive: number;
  /** Alerts on accounts injected with other typologies only (not counted in precision). */
  coDetections: number;
  precision: number;
}

export interface EvaluateOptions {
  /** How long after an injection's last event an alert still counts as detecting it (ms). Default 24 h. */
  slackMs?: number;
}

export const DEFAULT_SLACK_MS = 24 * 3_600_000;

type AlertLike = Pick<Alert, "typology" | "accounts" | "subject" | "ts">;

function accountsOf(a: AlertLike): readonly string[] {
  return a.subject.kind === "account" && !a.accounts.includes(a.subject.id) ? [...a.accounts, a.subject.id] : a.accounts;
}

const subjectKey = (kind: string, id: string) => `${kind}\u0000${id}`;

function time(ts: string, where: string): number {
  const t = Date.parse(ts);
  if (!Number.isFinite(t)) throw badInput(`expected an RFC 3339 timestamp; got ${JSON.stringify(ts)}`, where);
  return t;
}

export function evaluate(labels: readonly InjectionLabel[], alerts: readonly AlertLike[], typology: string, opts: EvaluateOptions = {}): Evaluation {
  const slack = opts.slackMs ?? DEFAULT_SLACK_MS;
  if (!Number.isFinite(slack) || slack < 0) throw badInput("expected a non-negative number of milliseconds", "slackMs");
  const windows = labels.map((l, i) => ({ l, from: time(l.from, `labels[${i}].from`), to: time(l.to, `labels[${i}].to`) + slack }));
  const injections = windows.filter((w) => w.l.typology === typology);
  const mine: { a: AlertLike; t: number; accounts: readonly string[] }[] = [];
  alerts.forEach((a, i) => {
    if (a.typology === typology) mine.push({ a, t: time(a.ts, `alerts[${i}].ts`), accounts: accountsOf(a) });
  });

  // account / subject → alert times (of this typology)
  const byAccount = new Map<string, number[]>();
  const bySubject = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, t: number) => {
    const list = m.get(k);
    if (list === undefined) m.set(k, [t]);
    else list.push(t);
  };
  for (const x of mine) {
    for (const acct of x.accounts) push(byAccount, acct, x.t);
    push(bySubject, subjectKey(x.a.subject.kind, x.a.subject.id), x.t);
  }

  let detected = 0;
  const injectedAccounts = new Set<string>();
  const subjectWindows = new Map<string, { from: number; to: number }[]>();
  for (const w of injections) {
    for (const a of w.l.accounts) injectedAccounts.add(a);
    for (const s of w.l.subjects ?? []) {
      const k = subjectKey(s.kind, s.id);
      const list = subjectWindows.get(k);
      if (list === undefined) subjectWindows.set(k, [{ from: w.from, to: w.to }]);
      else list.push({ from: w.from, to: w.to });
    }
    const inWindow = (t: number) => t >= w.from && t <= w.to;
    const byAcct = w.l.accounts.some((a) => (byAccount.get(a) ?? []).some(inWindow));
    const bySubj = (w.l.subjects ?? []).some((s) => (bySubject.get(subjectKey(s.kind, s.id)) ?? []).some(inWindow));
    if (byAcct || bySubj) detected++;
  }
  const otherAccounts = new Set<string>();
  for (const w of windows) if (w.l.typology !== typology) for (const a of w.l.accounts) otherAccounts.add(a);

  let truePositive = 0;
  let coDetections = 0;
  for (const x of mine) {
    const onAccount = x.accounts.some((acct) => injectedAccounts.has(acct));
    const onSubject = (subjectWindows.get(subjectKey(x.a.subject.kind, x.a.subject.id)) ?? []).some((w) => x.t >= w.from && x.t <= w.to);
    if (onAccount || onSubject) truePositive++;
    else if (x.accounts.length > 0 && x.accounts.every((acct) => otherAccounts.has(acct))) coDetections++;
  }
  const judged = mine.length - coDetections;
  return {
    typology,
    injections: injections.length,
    detected,
    recall: injections.length === 0 ? 1 : detected / injections.length,
    alerts: mine.length,
    truePositive,
    coDetections,
    precision: judged === 0 ? 1 : truePositive / judged,
  };
}
