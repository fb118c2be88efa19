// The shapes every typology and the engine share. A typology is a value: an id, a code version, a
// config schema with documented defaults, a state factory and an event handler that returns an
// outcome. The engine owns ordering, dispatch, shared context (markets, account profiles),
// keying (account → subject), alert ids and versions; a typology owns its windows and figures.
import type { z } from "zod";
import type { AccountId, CustomerType, Event, EventType, Identity, Money } from "../contracts/index.ts";

type CustomerTypeValue = z.output<typeof CustomerType>;

/**
 * What an alert is about: an account, or an entity once identity resolution is plugged in; a market
 * (`venue:market`, e.g. market-wide trade statistics) or an address for typologies about those.
 */
export interface SubjectRef {
  readonly kind: "account" | "entity" | "address" | "market";
  readonly id: string;
}

/** The latest known state of one market, from its most recent `market.snapshot`. */
export interface MarketView {
  /** Event key (`source:id`) of the snapshot these figures come from. */
  readonly key: string;
  readonly time: number;
  readonly ts: string;
  readonly midPrice: Money;
  readonly volume24h: Money | undefined;
  readonly depthBid1pct: Money | undefined;
  readonly depthAsk1pct: Money | undefined;
}

/**
 * What the engine offers a typology besides the event: keying and shared context. Everything here is
 * derived from events already replayed, so replay and live evaluation see the same values.
 */
export interface EngineContext {
  /** The key state is held under for this account (identity today; an entity id once resolved). */
  subjectOf(accountId: AccountId | string): string;
  /** The subject an alert names for this account. */
  subjectRefOf(accountId: AccountId | string): SubjectRef;
  /**
   * Latest snapshot of a market at or before the event being evaluated: the one published by
   * `venue` (the event's source, where the movement happened) when that venue has published one,
   * else the latest from any venue; undefined when none has been seen.
   */
  market(market: string, venue?: string): MarketView | undefined;
  /** From `account.opened`; undefined when the account's opening was never seen. */
  customerType(accountId: AccountId | string): CustomerTypeValue | undefined;
  /**
   * The linked cluster an account belongs to (accounts tied by shared identifiers: device, IP, bank
   * account, withdrawal address), or undefined when it is in none. Links are not identity merges:
   * a cluster may span several entities. Default: no clusters (always undefined).
   */
  linkedOf(accountId: AccountId | string): string | undefined;
  /**
   * The subject key (as `subjectOf` gives for that person's accounts) of a person named by identity
   * fields rather than an account (a `credit.report` subject), or undefined when identity resolution
   * is not plugged in or does not know them. Keep only derived features under it, never the identity.
   */
  subjectOfIdentity(identity: Identity, record: string): string | undefined;
}

export interface EvalContext<Params> extends EngineContext {
  /** The typology's runtime parameters, prepared once from its validated config. */
  readonly params: Params;
}

/** An alert as a typology produces it; the engine adds id, typology, versions. */
export interface AlertDraft {
  readonly subject: SubjectRef;
  /** Every account id involved. */
  readonly accounts: readonly string[];
  /** Event keys (`source:id`) that make the case, in event-time order. */
  readonly evidence: readonly string[];
  /** `ts` (as sent) of the last evidence event. */
  readonly ts: string;
  /** 0–100, by severity. */
  readonly score: number;
  /** One or two sentences quoting the figures that crossed the line. */
  readonly explanation: string;
  /** Raw figures: money as decimal strings, ratios as numbers. JSON-safe. */
  readonly details: Record<string, unknown>;
}

/**
 * The result of evaluating one event. Outcomes are values: bad data is an `error` outcome, an event
 * the typology cannot judge for a missing figure is a `skip`, never a thrown exception.
 */
export type Outcome =
  | { readonly kind: "clear" }
  | { readonly kind: "hit"; readonly alerts: readonly AlertDraft[] }
  | { readonly kind: "not-enough-history"; readonly reason: string }
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "error"; readonly reason: string };

export type OutcomeKind = Outcome["kind"];

export const CLEAR: Outcome = Object.freeze({ kind: "clear" });
export const hit = (alerts: readonly AlertDraft[]): Outcome => ({ kind: "hit", alerts });
export const skip = (reason: string): Outcome => ({ kind: "skip", reason });
export const notEnoughHistory = (reason: string): Outcome => ({ kind: "not-enough-history", reason });
export const error = (reason: string): Outcome => ({ kind: "error", reason });

/**
 * One typology. `State` must be serialisable by the engine's codec: plain objects, arrays, strings,
 * numbers, booleans, null, bigints and Maps (with string keys), nothing else (no class instances,
 * no functions), so that `snapshot()`/`restore()` round-trips it.
 */
export interface Typology<Config, Params, State> {
  readonly id: string;
  /** Code version (semver): bump when the logic changes what it alerts on. */
  readonly version: string;
  readonly description: string;
  readonly configSchema: z.ZodType<Config>;
  readonly defaultConfig: Config;
  /** The event types it needs; the engine dispatches only these. */
  readonly eventTypes: readonly EventType[];
  /** Turn a validated config into runtime parameters (exact thresholds as bigints, ms windows). */
  prepare(config: Config): Params;
  initialState(config: Config): State;
  onEvent(state: State, event: Event, ctx: EvalContext<Params>): Outcome;
  /** Drop state that can no longer matter at event time `now` (windows that have closed). */
  prune?(state: State, now: number, params: Params): void;
  /** Anything pending at end of stream. */
  flush?(state: State, ctx: EvalContext<Params>): Outcome;
  /** How many keys the state holds (for stats and boundedness tests). */
  size?(state: State): number;
  /**
   * For a typology that builds links between accounts (shared-identifiers): the linked cluster an
   * account is in by its state now, or undefined. When the engine is given no `linkedOf` option, the
   * first running typology that has this hook answers every typology's `ctx.linkedOf`.
   */
  linkedOf?(state: State, accountId: string, params: Params): string | undefined;
}

/** A typology with its types erased, as the registry and engine hold it (methods are bivariant). */
export type AnyTypology = Typology<unknown, unknown, unknown>;

/** Declare a typology with full typing; returns it type-erased for the registry. */
export function defineTypology<Config, Params, State>(t: Typology<Config, Params, State>): AnyTypology {
  return t as unknown as AnyTypology;
}
