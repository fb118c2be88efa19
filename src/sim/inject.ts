// Injected typologies: each module under injections/ builds its typology's cases to the detector's
// definition with margin on every line, and labels them (labels.ndjson) with the accounts, the person
// behind them, the time span, the event keys and, for market-level patterns, the market. The people
// injected do nothing else with money during the period (their background movements are switched
// off, and for some typologies their trading too), so what a detector sees on them is the injection.
//
// This file runs the registry (injections/index.ts) in order and gathers the plan.
import type { InjectionLabel } from "../contracts/index.ts";
import { INJECTIONS, InjectionKit, TYPOLOGIES, type InjectContext, type InjectionState } from "./injections/index.ts";
import type { Session } from "./plan-types.ts";

export { TYPOLOGIES };
export type { InjectContext };
/** A typology id the simulator injects. */
export type Typology = string;

export interface InjectionPlan {
  labels: InjectionLabel[];
  sessions: Session[];
  /** People whose background money movements are switched off. */
  quiet: Set<number>;
  /** People whose background trading is switched off too. */
  noTrading: Set<number>;
  /** Injections placed per typology (every registered typology, 0 when none). */
  counts: Record<string, number>;
  notes: string[];
}

/** Zero injections of every registered typology (a clean population). */
export function emptyCounts(): Record<string, number> {
  return Object.fromEntries(TYPOLOGIES.map((t) => [t, 0]));
}

export function emptyInjectionPlan(): InjectionPlan {
  return { labels: [], sessions: [], quiet: new Set(), noTrading: new Set(), counts: emptyCounts(), notes: [] };
}

/** Plan `perTypology` injections of every registered typology (or of those in `only`), in registry order. */
export function planInjections(ctx: InjectContext, perTypology: number, only?: ReadonlySet<string>): InjectionPlan {
  const state: InjectionState = { labels: [], events: [], quiet: new Set(), noTrading: new Set(), used: new Set(), counts: emptyCounts(), notes: [], marks: new Set() };
  for (const m of INJECTIONS) if (only === undefined || only.has(m.typology)) m.plan(new InjectionKit(ctx, state, m.typology), perTypology);
  const sessions: Session[] = [];
  if (state.events.length > 0) {
    const events = [...state.events].sort((x, y) => x.t - y.t);
    sessions.push({ kind: "fixed", t: events[0]!.t, events, n: events.length });
  }
  return { labels: state.labels, sessions, quiet: state.quiet, noTrading: state.noTrading, counts: state.counts, notes: state.notes };
}
