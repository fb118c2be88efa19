// Kanshi's simulator: a seeded, deterministic consortium of five exchanges, five credit bureaus and
// two research firms over one or more days, written as public-format events, with labels of the
// typologies injected into it and the ground truth of who is who. See README.md.
//
//   const sim = simulate({ seed: 7, people: 5_000 });
//   for (const e of sim.events) …        // EventInput, non-decreasing ts; iterate as often as needed
//   sim.labels                           // InjectionLabel[] (labels.ndjson)
//   sim.people                           // PersonTruth[] (people.ndjson)
//   sim.stats.events                     // exact count the stream yields
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { badInput, type EventInput, type InjectionLabel } from "../contracts/index.ts";
import type { UpdateReason } from "./factory.ts";
import type { RecordNote } from "./identity.ts";
import { identityEventsOf, type RecordKind } from "./identity-events.ts";
import { buildPlan, buildTruth, type PersonTruth, type SimulationStats } from "./plan.ts";
import { TYPOLOGIES } from "./inject.ts";
import { streamEvents } from "./stream.ts";
import { parseStart } from "./time.ts";

export type { IdentityStats, PersonTruth, SimulationStats } from "./plan.ts";
export type { RecordKind } from "./identity-events.ts";
export type { RecordNote } from "./identity.ts";
export type { UpdateReason } from "./factory.ts";

/** An identity-bearing event with the truth about it. */
export interface IdentityEventTruth {
  /** account.opened, account.updated, credit.report or social.link, exactly as in `events`. */
  event: EventInput;
  /** Whom it is about (people.ndjson). */
  personId: string;
  kind: RecordKind;
  /** The account it belongs to (KYC, KYC changes, exchange social links). */
  accountId?: string;
  /** KYC changes: why (re-entered details, a move, a new family name). */
  reason?: UpdateReason;
  /** What its record shows besides the person's current identity: a former name or address, a slip. */
  notes: RecordNote[];
}

export interface SimulateOptions {
  /** Any integer; the same seed (and options) always gives the same events. */
  seed: number;
  /** Individuals (corporates are added: 2% of this, plus one market maker per exchange). Default 5,000. */
  people?: number;
  /** Whole days, 1–31. Default 1. */
  days?: number;
  /** ISO date (midnight JST) or RFC 3339 timestamp with offset. Default 2026-11-02. */
  start?: string;
  /**
   * Inject labelled typologies. Default true (every typology the simulator knows, `TYPOLOGIES`); false
   * gives a clean population; a list injects those typologies only (the rest of the population is
   * the same background).
   */
  injections?: boolean | readonly string[];
  /** The shared reference data folder (ofac/, forta/). Default: ../shared/data next to the repository. */
  dataDir?: string;
}

export interface ResolvedSimulateOptions {
  seed: number;
  people: number;
  days: number;
  start: string;
  injections: boolean | string[];
  dataDir: string;
}

export interface Simulation {
  options: ResolvedSimulateOptions;
  /**
   * The events, in non-decreasing `ts`. Each iteration regenerates the stream from the plan (same
   * events every time) without holding the day in memory.
   */
  events: Iterable<EventInput>;
  /** What was injected (labels.ndjson). Empty for a clean population. */
  labels: InjectionLabel[];
  /** Who owns which account and which identity records (people.ndjson). Synthetic; built on first access. */
  readonly people: PersonTruth[];
  /**
   * The identity-bearing events only (account.opened, account.updated, credit.report, social.link),
   * in stream order and identical to those in `events`, each with whom it is about and what it shows;
   * generated without the rest of the stream (cheap for linkage test sets).
   */
  identityEvents: Iterable<IdentityEventTruth>;
  /** Things a reader should know (e.g. the reference data folder was missing). */
  notes: string[];
  stats: SimulationStats;
}

export const DEFAULT_START = "2026-11-02";
export const DEFAULT_PEOPLE = 5_000;

/** `../shared/data` relative to the repository root. */
export function defaultDataDir(): string {
  const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
  return resolve(repoRoot, "../shared/data");
}

function wholeNumber(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw badInput(`expected a whole number from ${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}; got ${JSON.stringify(v)}`, name);
  }
  return v;
}

export function resolveOptions(opts: SimulateOptions): ResolvedSimulateOptions {
  if (typeof opts !== "object" || opts === null) throw badInput("expected an options object with at least a seed", "options");
  const seed = wholeNumber(opts.seed, "seed", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const people = opts.people === undefined ? DEFAULT_PEOPLE : wholeNumber(opts.people, "people", 1, 5_000_000);
  const days = opts.days === undefined ? 1 : wholeNumber(opts.days, "days", 1, 31);
  const start = opts.start ?? DEFAULT_START;
  if (typeof start !== "string") throw badInput("expected an ISO date such as 2026-11-02", "start");
  let injections: boolean | string[] = true;
  if (Array.isArray(opts.injections)) {
    injections = (opts.injections as readonly unknown[]).map((t, i) => {
      if (typeof t !== "string" || !TYPOLOGIES.includes(t)) throw badInput(`expected one of ${TYPOLOGIES.join(", ")}; got ${JSON.stringify(t)}`, `injections[${i}]`);
      return t;
    });
  } else if (opts.injections !== undefined) {
    if (typeof opts.injections !== "boolean") throw badInput("expected true, false or a list of typologies", "injections");
    injections = opts.injections;
  }
  if (opts.dataDir !== undefined && (typeof opts.dataDir !== "string" || opts.dataDir.length === 0)) throw badInput("expected a folder path", "dataDir");
  return { seed, people, days, start, injections, dataDir: opts.dataDir ?? defaultDataDir() };
}

/** Plan a simulated consortium period; events are produced when `events` is iterated. */
export function simulate(opts: SimulateOptions): Simulation {
  const options = resolveOptions(opts);
  const plan = buildPlan({
    seed: options.seed,
    people: options.people,
    days: options.days,
    start: parseStart(options.start),
    injections: options.injections,
    dataDir: options.dataDir,
  });
  let truth: PersonTruth[] | undefined;
  return {
    options,
    events: { [Symbol.iterator]: () => streamEvents(plan) },
    labels: plan.labels,
    get people() {
      return (truth ??= buildTruth(plan));
    },
    identityEvents: {
      *[Symbol.iterator]() {
        for (const r of identityEventsOf(plan)) {
          const out: IdentityEventTruth = { event: r.event, personId: plan.pop.people[r.person]!.personId, kind: r.kind, notes: r.notes };
          if (r.accountId !== undefined) out.accountId = r.accountId;
          if (r.reason !== undefined) out.reason = r.reason;
          yield out;
        }
      },
    },
    notes: plan.notes,
    stats: plan.stats,
  };
}
