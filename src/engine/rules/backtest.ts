// Comparing two detection runs over the same events: which alerts a change of configuration (or a
// new rule) gains and which it loses, per typology, so a threshold change is judged before it goes
// live. Pure: alerts in, a diff out.
//
// Alert ids cannot be compared across configurations (the config version is part of the id), so an
// alert is matched by what it is about and when it was raised: typology, subject, and the event that
// triggered it (its last evidence), then what is left by the event that opened the case (its first
// evidence). Matched alerts whose trigger, evidence or score differ are "changed".
import type { Alert } from "../../contracts/index.ts";

export interface BacktestAlertRef {
  id: string;
  ts: string;
  subject: string;
  score: number;
  explanation: string;
}

export interface BacktestTypologyDiff {
  typology: string;
  /** Alerts in the baseline run (A). */
  before: number;
  /** Alerts in the candidate run (B). */
  after: number;
  gained: BacktestAlertRef[];
  lost: BacktestAlertRef[];
  /** The same case in both runs (typology, subject, and trigger or opening event) with another trigger, evidence or score. */
  changed: Array<{ before: BacktestAlertRef; after: BacktestAlertRef }>;
  unchanged: number;
}

export interface BacktestDiff {
  before: number;
  after: number;
  gained: number;
  lost: number;
  changed: number;
  /** Per typology (or `rule:<id>`) that raised anything in either run, sorted by id. */
  typologies: BacktestTypologyDiff[];
}

function matchKey(a: Alert): string {
  const trigger = a.evidence.length > 0 ? a.evidence[a.evidence.length - 1]! : a.ts;
  return `${a.typology}\0${a.subject.kind}:${a.subject.id}\0${trigger}`;
}

function startKey(a: Alert): string {
  return `${a.typology}\0${a.subject.kind}:${a.subject.id}\0${a.evidence[0] ?? a.ts}`;
}

function ref(a: Alert): BacktestAlertRef {
  return { id: a.id, ts: a.ts, subject: `${a.subject.kind}:${a.subject.id}`, score: a.score, explanation: a.explanation };
}

function sameCase(a: Alert, b: Alert): boolean {
  if (a.score !== b.score || a.evidence.length !== b.evidence.length) return false;
  for (let i = 0; i < a.evidence.length; i++) if (a.evidence[i] !== b.evidence[i]) return false;
  return true;
}

const byTsThenId = (x: BacktestAlertRef, y: BacktestAlertRef) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

/** Alerts gained and lost going from run A (`before`) to run B (`after`). */
export function diffAlerts(before: readonly Alert[], after: readonly Alert[]): BacktestDiff {
  const per = new Map<string, BacktestTypologyDiff>();
  const slot = (typology: string): BacktestTypologyDiff => {
    let d = per.get(typology);
    if (d === undefined) per.set(typology, (d = { typology, before: 0, after: 0, gained: [], lost: [], changed: [], unchanged: 0 }));
    return d;
  };
  // Several alerts can share a key (a typology raising twice on one trigger); match them in order.
  const pending = new Map<string, Alert[]>();
  for (const a of before) {
    slot(a.typology).before++;
    const k = matchKey(a);
    const list = pending.get(k);
    if (list) list.push(a);
    else pending.set(k, [a]);
  }
  const afterById = new Map<string, Alert>();
  for (const b of after) {
    afterById.set(b.id, b);
    const d = slot(b.typology);
    d.after++;
    const list = pending.get(matchKey(b));
    const a = list?.shift();
    if (a === undefined) d.gained.push(ref(b));
    else if (sameCase(a, b)) d.unchanged++;
    else d.changed.push({ before: ref(a), after: ref(b) });
  }
  // Second pass: an alert raised on another trigger but opened by the same first evidence event (the
  // same deposit alerted earlier or later) is the same case, changed, rather than one lost and one
  // gained.
  const byStart = new Map<string, Alert[]>();
  for (const list of pending.values()) {
    for (const a of list) {
      const k = startKey(a);
      const l = byStart.get(k);
      if (l) l.push(a);
      else byStart.set(k, [a]);
    }
  }
  for (const d of per.values()) {
    const still: BacktestAlertRef[] = [];
    for (const g of d.gained) {
      const b = afterById.get(g.id)!;
      const a = byStart.get(startKey(b))?.shift();
      if (a === undefined) still.push(g);
      else d.changed.push({ before: ref(a), after: g });
    }
    d.gained = still;
  }
  for (const list of byStart.values()) for (const a of list) slot(a.typology).lost.push(ref(a));
  const typologies = [...per.values()].sort((x, y) => (x.typology < y.typology ? -1 : x.typology > y.typology ? 1 : 0));
  for (const d of typologies) {
    d.gained.sort(byTsThenId);
    d.lost.sort(byTsThenId);
    d.changed.sort((x, y) => byTsThenId(x.after, y.after));
  }
  return {
    before: before.length,
    after: after.length,
    gained: typologies.reduce((n, d) => n + d.gained.length, 0),
    lost: typologies.reduce((n, d) => n + d.lost.length, 0),
    changed: typologies.reduce((n, d) => n + d.changed.length, 0),
    typologies,
  };
}
