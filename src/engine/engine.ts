// The detection engine: replays events in event time through every selected typology, keeps the
// shared context they need (latest market snapshot per market, account profiles), turns their
// drafts into stable, versioned alerts, and never lets one bad event stop the stream.
//
// Pure: no I/O and no wall clock. Time is the events' own time; windows prune as it advances.
import {
  KanshiError,
  keyOf,
  stableAlertId,
  type AccountId,
  type Alert,
  type Event,
  type EventKey,
  type Identity,
  type Money,
} from "../contracts/index.ts";
import { decodeState, encodeState, type Json } from "./codec.ts";
import { configVersionOf, resolveConfig } from "./config.ts";
import type { Registry } from "./registry.ts";
import { defaultRegistry } from "./typologies/index.ts";
import type { AlertDraft, AnyTypology, EngineContext, EvalContext, MarketView, Outcome, SubjectRef } from "./types.ts";

export interface EngineOptions {
  /** Per typology id: partial overrides merged over its defaults and validated by its schema. */
  configs?: Record<string, unknown>;
  /** Run only these typologies (default: every registered one), in registry order. */
  typologies?: string[];
  /** The typologies to choose from (default: the built-in registry). */
  registry?: Registry;
  /**
   * Keying: the entity an account belongs to. Defaults to the account itself (subject kind
   * "account"); when given, state is keyed and alerts are raised per entity (kind "entity").
   */
  entityOf?: (accountId: AccountId) => string;
  /**
   * Linked clusters: the cluster an account belongs to (shared identifiers), or undefined.
   * Typologies that look at colluding accounts (wash-trade, pump-and-dump, front-running-listing)
   * treat accounts of one cluster as acting together. Default: the clusters of the running
   * shared-identifiers typology (any typology with a `linkedOf` hook; its config `feedLinkedOf`),
   * as they stand when the event is evaluated; none when it does not run. Pass `() => undefined`
   * for no clusters at all.
   */
  linkedOf?: (accountId: AccountId) => string | undefined;
  /**
   * Identity resolution for events that name a person rather than an account (a `credit.report`'s
   * `subject`): the subject key that person's accounts are keyed under (what `entityOf` gives them;
   * one account id when the engine keys by account), or undefined when unresolved. `record` is the
   * event key, for resolvers that link records by key. The composition root supplies it from identity
   * resolution; the engine passes the identity through and never keeps it. Default: none (always
   * undefined), so typologies that need it skip those events.
   */
  subjectOfIdentity?: (identity: Identity, record: EventKey) => string | undefined;
  /** Called with every outcome (for tests, tracing and metrics); must not throw. */
  onOutcome?: (typology: string, event: Event, outcome: Outcome) => void;
  /** How often (in event time) closed windows are swept from state. Default one hour. */
  pruneIntervalMs?: number;
}

export interface TypologyStats {
  hit: number;
  clear: number;
  notEnoughHistory: number;
  skip: number;
  error: number;
  alerts: number;
  /** Keys currently held in its state. */
  keys: number;
}

export interface EngineIssue {
  typology: string;
  /** Event key (`source:id`). */
  event: string;
  kind: "skip" | "error" | "not-enough-history" | "rejected";
  reason: string;
}

export interface EngineStats {
  /** Events evaluated. */
  events: number;
  /** Events refused before evaluation (no usable event time). */
  rejected: number;
  /** Events whose time was earlier than one already seen (processed, but windows may differ). */
  late: number;
  alerts: number;
  /** Latest event time seen, RFC 3339 (UTC), or null. */
  watermark: string | null;
  markets: number;
  accounts: number;
  byTypology: Record<string, TypologyStats>;
  /** The most recent skip / error / not-enough-history / rejected outcomes (at most 20). */
  recentIssues: EngineIssue[];
}

export interface EngineSnapshot {
  format: "kanshi.engine/1";
  typologies: Array<{ id: string; version: string; configVersion: string; state: Json }>;
  shared: { markets: Json; venues: Json; profiles: Json };
  clock: { watermark: number | null; nextPruneAt: number | null };
  counters: Json;
}

export interface Engine {
  /** Evaluate one event (live path); returns the alerts it raised. */
  push(event: Event): Alert[];
  /** Alerts pending at end of stream. */
  flush(): Alert[];
  stats(): EngineStats;
  /** The whole state as a JSON-safe value. */
  snapshot(): EngineSnapshot;
  /** Replace the state with a snapshot taken by an engine with the same typologies and configs. */
  restore(snapshot: EngineSnapshot): void;
  /** What runs: id, code version and config version of each typology. */
  readonly typologies: ReadonlyArray<{ id: string; version: string; configVersion: string; config: unknown }>;
}

const DEFAULT_PRUNE_MS = 3_600_000;
const MAX_ISSUES = 20;

type Counters = Omit<TypologyStats, "keys">;
const newCounters = (): Counters => ({ hit: 0, clear: 0, notEnoughHistory: 0, skip: 0, error: 0, alerts: 0 });

interface Slot {
  readonly t: AnyTypology;
  readonly config: unknown;
  readonly configVersion: string;
  readonly params: unknown;
  readonly ctx: EvalContext<unknown>;
  state: unknown;
  counters: Counters;
}

interface Shared {
  /** market → latest snapshot from any venue */
  markets: Map<string, MarketView>;
  /** venue (source) → market → latest snapshot it published */
  venues: Map<string, Map<string, MarketView>>;
  profiles: Map<string, "individual" | "corporate">;
}

function describeThrown(err: unknown): string {
  // Only the error's kind: a message may quote field values, and reasons end up in logs.
  if (err instanceof KanshiError) return err.message;
  return `${err instanceof Error ? err.name : typeof err} thrown while evaluating`;
}

/** Order of replay: event time, then source, then id (code-unit order, locale-free). */
export function compareEvents(a: Event, b: Event): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

function isMoney(v: unknown): v is Money {
  return typeof v === "bigint";
}

class EngineImpl implements Engine {
  readonly typologies: Engine["typologies"];
  private readonly slots: Slot[];
  private readonly dispatch = new Map<string, Slot[]>();
  private readonly shared: Shared = { markets: new Map(), venues: new Map(), profiles: new Map() };
  private readonly onOutcome: EngineOptions["onOutcome"];
  private readonly pruneMs: number;
  private watermark: number | null = null;
  private nextPruneAt: number | null = null;
  private events = 0;
  private rejected = 0;
  private late = 0;
  private alerts = 0;
  private issues: EngineIssue[] = [];

  constructor(opts: EngineOptions = {}) {
    const registry = opts.registry ?? defaultRegistry;
    const configs = opts.configs ?? {};
    if (typeof configs !== "object" || configs === null || Array.isArray(configs)) {
      throw new KanshiError("bad_input", "expected an object keyed by typology id", "configs");
    }
    for (const id of Object.keys(configs)) {
      if (!registry.has(id)) throw new KanshiError("bad_input", `unknown typology (known: ${registry.ids().join(", ")})`, id);
    }
    let chosen: readonly AnyTypology[] = registry.list();
    if (opts.typologies !== undefined) {
      if (!Array.isArray(opts.typologies)) throw new KanshiError("bad_input", "expected an array of typology ids", "typologies");
      const want = new Set<string>();
      opts.typologies.forEach((id, i) => {
        if (!registry.has(id)) throw new KanshiError("bad_input", `unknown typology ${JSON.stringify(id)} (known: ${registry.ids().join(", ")})`, `typologies[${i}]`);
        want.add(id);
      });
      chosen = chosen.filter((t) => want.has(t.id));
    }
    const pruneMs = opts.pruneIntervalMs ?? DEFAULT_PRUNE_MS;
    if (!Number.isFinite(pruneMs) || pruneMs <= 0) throw new KanshiError("bad_input", "must be a positive number of milliseconds", "pruneIntervalMs");
    this.pruneMs = pruneMs;
    this.onOutcome = opts.onOutcome;

    const entityOf = opts.entityOf;
    const linkedOf = opts.linkedOf;
    const subjectOfIdentity = opts.subjectOfIdentity;
    const shared = this.shared;
    // The typology that keeps the links (shared-identifiers), when no linkedOf is given: read
    // through its slot, so a restored state answers too.
    let linker: Slot | undefined;
    const base: EngineContext = {
      subjectOf: entityOf ? (a) => entityOf(a as AccountId) : (a) => a,
      subjectRefOf: entityOf
        ? (a): SubjectRef => ({ kind: "entity", id: entityOf(a as AccountId) })
        : (a): SubjectRef => ({ kind: "account", id: a }),
      market: (m, venue) => (venue === undefined ? undefined : shared.venues.get(venue)?.get(m)) ?? shared.markets.get(m),
      customerType: (a) => shared.profiles.get(a),
      linkedOf: linkedOf ? (a) => linkedOf(a as AccountId) : (a) => (linker === undefined ? undefined : linker.t.linkedOf!(linker.state, a, linker.params)),
      subjectOfIdentity: subjectOfIdentity ? (identity, record) => subjectOfIdentity(identity, record as EventKey) : () => undefined,
    };

    this.slots = chosen.map((t) => {
      const config = resolveConfig(t, (configs as Record<string, unknown>)[t.id]);
      const params = t.prepare(config);
      const ctx: EvalContext<unknown> = { ...base, params };
      return { t, config, configVersion: configVersionOf(config), params, ctx, state: t.initialState(config), counters: newCounters() };
    });
    if (linkedOf === undefined) linker = this.slots.find((s) => s.t.linkedOf !== undefined);
    for (const s of this.slots) {
      for (const type of s.t.eventTypes) {
        let list = this.dispatch.get(type);
        if (!list) this.dispatch.set(type, (list = []));
        list.push(s);
      }
    }
    this.typologies = Object.freeze(this.slots.map((s) => Object.freeze({ id: s.t.id, version: s.t.version, configVersion: s.configVersion, config: s.config })));
  }

  push(event: Event): Alert[] {
    const out: Alert[] = [];
    this.step(event, out);
    return out;
  }

  /** Evaluate one event, appending its alerts to `out`. */
  step(event: Event, out: Alert[]): void {
    let e = event;
    if (typeof e !== "object" || e === null || typeof e.type !== "string" || typeof e.source !== "string" || typeof e.id !== "string") {
      this.rejected++;
      this.issue("engine", undefined, "rejected", "not an event: type, source and id are required");
      return;
    }
    let time = e.time;
    if (typeof time !== "number" || !Number.isFinite(time)) {
      // A typed event always carries `time`; accept one that lost it if its `ts` still parses.
      time = typeof e.ts === "string" ? Date.parse(e.ts) : Number.NaN;
      if (!Number.isFinite(time)) {
        this.rejected++;
        this.issue("engine", e, "rejected", "event has no usable event time (ts)");
        return;
      }
      e = { ...e, time } as Event;
    }
    this.events++;
    if (this.watermark === null || time >= this.watermark) this.watermark = time;
    else this.late++;
    if (this.nextPruneAt === null) this.nextPruneAt = Math.floor(time / this.pruneMs) * this.pruneMs + this.pruneMs;
    else if (time >= this.nextPruneAt) this.prune(time);

    if (e.type === "market.snapshot" || e.type === "account.opened") this.updateShared(e);

    const slots = this.dispatch.get(e.type);
    if (slots === undefined) return;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      let o: Outcome;
      try {
        o = s.t.onEvent(s.state, e, s.ctx);
      } catch (err) {
        o = { kind: "error", reason: describeThrown(err) };
      }
      this.record(s, e, o, out);
    }
  }

  private record(s: Slot, e: Event, o: Outcome, out: Alert[]): void {
    const c = s.counters;
    switch (o.kind) {
      case "clear":
        c.clear++;
        break;
      case "hit":
        c.hit++;
        for (const d of o.alerts) {
          const a = this.toAlert(s, d);
          if (a === undefined) {
            c.error++;
            this.issue(s.t.id, e, "error", "typology produced an alert without evidence");
            continue;
          }
          c.alerts++;
          this.alerts++;
          out.push(a);
        }
        break;
      case "not-enough-history":
        c.notEnoughHistory++;
        this.issue(s.t.id, e, o.kind, o.reason);
        break;
      case "skip":
        c.skip++;
        this.issue(s.t.id, e, o.kind, o.reason);
        break;
      case "error":
        c.error++;
        this.issue(s.t.id, e, o.kind, o.reason);
        break;
    }
    if (this.onOutcome) this.onOutcome(s.t.id, e, o);
  }

  private toAlert(s: Slot, d: AlertDraft): Alert | undefined {
    if (d.evidence.length === 0) return undefined;
    const subject = { kind: d.subject.kind, id: d.subject.id };
    const evidence = [...d.evidence];
    const accounts = [...new Set(d.accounts)].sort();
    return {
      id: stableAlertId({ typology: s.t.id, configVersion: s.configVersion, subject, evidence }),
      typology: s.t.id,
      typologyVersion: s.t.version,
      configVersion: s.configVersion,
      ts: d.ts,
      subject,
      accounts,
      score: Number.isFinite(d.score) ? Math.max(0, Math.min(100, Math.round(d.score))) : 50,
      evidence,
      explanation: d.explanation,
      details: d.details,
    };
  }

  private issue(typology: string, e: Event | undefined, kind: EngineIssue["kind"], reason: string): void {
    const key = e && typeof e.source === "string" && typeof e.id === "string" ? keyOf(e) : "(unknown)";
    if (this.issues.length >= MAX_ISSUES) this.issues.shift();
    this.issues.push({ typology, event: key, kind, reason });
  }

  private updateShared(e: Event): void {
    if (e.type === "market.snapshot") {
      if (typeof e.market !== "string" || !isMoney(e.midPrice)) {
        this.issue("engine", e, "error", "market.snapshot without a market or an exact midPrice; ignored");
        return;
      }
      const opt = (v: unknown): Money | undefined => (isMoney(v) ? v : undefined);
      const view: MarketView = {
        key: keyOf(e),
        time: e.time,
        ts: e.ts,
        midPrice: e.midPrice,
        volume24h: opt(e.volume24h),
        depthBid1pct: opt(e.depthBid1pct),
        depthAsk1pct: opt(e.depthAsk1pct),
      };
      // Keep the latest in event time, per market and per venue; a late, older snapshot changes nothing.
      const prev = this.shared.markets.get(e.market);
      if (prev === undefined || prev.time <= e.time) this.shared.markets.set(e.market, view);
      let venue = this.shared.venues.get(e.source);
      if (venue === undefined) this.shared.venues.set(e.source, (venue = new Map()));
      const prevVenue = venue.get(e.market);
      if (prevVenue === undefined || prevVenue.time <= e.time) venue.set(e.market, view);
    } else if (e.type === "account.opened") {
      if (typeof e.accountId === "string" && (e.customerType === "individual" || e.customerType === "corporate")) {
        this.shared.profiles.set(e.accountId, e.customerType);
      } else {
        this.issue("engine", e, "error", "account.opened without an accountId or a known customerType; ignored");
      }
    }
  }

  private prune(now: number): void {
    for (const s of this.slots) {
      if (s.t.prune) {
        try {
          s.t.prune(s.state, now, s.params);
        } catch (err) {
          s.counters.error++;
          this.issues.push({ typology: s.t.id, event: "(prune)", kind: "error", reason: describeThrown(err) });
        }
      }
    }
    this.nextPruneAt = Math.floor(now / this.pruneMs) * this.pruneMs + this.pruneMs;
  }

  flush(): Alert[] {
    const out: Alert[] = [];
    for (const s of this.slots) {
      if (!s.t.flush) continue;
      let o: Outcome;
      try {
        o = s.t.flush(s.state, s.ctx);
      } catch (err) {
        o = { kind: "error", reason: describeThrown(err) };
      }
      if (o.kind === "hit") {
        s.counters.hit++;
        for (const d of o.alerts) {
          const a = this.toAlert(s, d);
          if (a) {
            s.counters.alerts++;
            this.alerts++;
            out.push(a);
          }
        }
      } else if (o.kind === "error") {
        s.counters.error++;
      }
    }
    return out;
  }

  stats(): EngineStats {
    const byTypology: Record<string, TypologyStats> = {};
    for (const s of this.slots) {
      let keys = 0;
      try {
        keys = s.t.size ? s.t.size(s.state) : 0;
      } catch {
        keys = -1;
      }
      byTypology[s.t.id] = { ...s.counters, keys };
    }
    return {
      events: this.events,
      rejected: this.rejected,
      late: this.late,
      alerts: this.alerts,
      watermark: this.watermark === null ? null : new Date(this.watermark).toISOString(),
      markets: this.shared.markets.size,
      accounts: this.shared.profiles.size,
      byTypology,
      recentIssues: this.issues.map((i) => ({ ...i })),
    };
  }

  snapshot(): EngineSnapshot {
    return {
      format: "kanshi.engine/1",
      typologies: this.slots.map((s) => ({
        id: s.t.id,
        version: s.t.version,
        configVersion: s.configVersion,
        state: encodeState(s.state, `${s.t.id}.state`),
      })),
      shared: {
        markets: encodeState(this.shared.markets, "markets"),
        venues: encodeState(this.shared.venues, "venues"),
        profiles: encodeState(this.shared.profiles, "profiles"),
      },
      clock: { watermark: this.watermark, nextPruneAt: this.nextPruneAt },
      counters: encodeState({
        events: this.events,
        rejected: this.rejected,
        late: this.late,
        alerts: this.alerts,
        byTypology: Object.fromEntries(this.slots.map((s) => [s.t.id, s.counters])),
      }),
    };
  }

  restore(snap: EngineSnapshot): void {
    if (typeof snap !== "object" || snap === null || snap.format !== "kanshi.engine/1") {
      throw new KanshiError("bad_input", 'expected an engine snapshot with format "kanshi.engine/1"', "snapshot.format");
    }
    if (!Array.isArray(snap.typologies) || snap.typologies.length !== this.slots.length) {
      throw new KanshiError("bad_input", `snapshot holds ${Array.isArray(snap.typologies) ? snap.typologies.length : 0} typologies; this engine runs ${this.slots.length}`, "snapshot.typologies");
    }
    const states = this.slots.map((s, i) => {
      const t = snap.typologies[i]!;
      const path = `snapshot.typologies[${i}]`;
      if (t.id !== s.t.id) throw new KanshiError("bad_input", `snapshot has typology ${JSON.stringify(t.id)} where this engine runs ${s.t.id}`, `${path}.id`);
      if (t.version !== s.t.version) throw new KanshiError("bad_input", `snapshot taken with ${s.t.id} ${t.version}; this engine runs ${s.t.version}`, `${path}.version`);
      if (t.configVersion !== s.configVersion) throw new KanshiError("bad_input", `snapshot taken with config ${t.configVersion}; this engine runs ${s.configVersion}`, `${path}.configVersion`);
      return decodeState(t.state, `${path}.state`);
    });
    const markets = decodeState(snap.shared?.markets, "snapshot.shared.markets");
    const venues = decodeState(snap.shared?.venues, "snapshot.shared.venues");
    const profiles = decodeState(snap.shared?.profiles, "snapshot.shared.profiles");
    if (!(markets instanceof Map) || !(venues instanceof Map) || !(profiles instanceof Map)) {
      throw new KanshiError("bad_input", "expected markets, venues and profiles maps", "snapshot.shared");
    }
    const counters = decodeState(snap.counters, "snapshot.counters") as {
      events?: number; rejected?: number; late?: number; alerts?: number; byTypology?: Record<string, Counters>;
    };
    const clock = snap.clock ?? { watermark: null, nextPruneAt: null };
    // Everything checked: now swap.
    this.slots.forEach((s, i) => {
      s.state = states[i];
      s.counters = { ...newCounters(), ...(counters.byTypology?.[s.t.id] ?? {}) };
    });
    this.shared.markets = markets as Map<string, MarketView>;
    this.shared.venues = venues as Map<string, Map<string, MarketView>>;
    this.shared.profiles = profiles as Map<string, "individual" | "corporate">;
    this.watermark = typeof clock.watermark === "number" ? clock.watermark : null;
    this.nextPruneAt = typeof clock.nextPruneAt === "number" ? clock.nextPruneAt : null;
    this.events = counters.events ?? 0;
    this.rejected = counters.rejected ?? 0;
    this.late = counters.late ?? 0;
    this.alerts = counters.alerts ?? 0;
    this.issues = [];
  }
}

export function createEngine(opts?: EngineOptions): Engine {
  return new EngineImpl(opts);
}

/**
 * Batch replay: sorts the events by (time, source, id), drops exact key repeats, replays them
 * through a fresh engine and flushes it. The same set of events gives the same alerts in any order.
 */
export function detect(events: Iterable<Event>, opts?: EngineOptions): Alert[] {
  return replay(new EngineImpl(opts), events);
}

/** Replay and also return the engine's stats (for the CLI summary). */
export function detectWithStats(events: Iterable<Event>, opts?: EngineOptions): { alerts: Alert[]; stats: EngineStats } {
  const engine = new EngineImpl(opts);
  const alerts = replay(engine, events);
  return { alerts, stats: engine.stats() };
}

function isOrderable(e: Event): boolean {
  return typeof e === "object" && e !== null && typeof e.time === "number" && Number.isFinite(e.time) && typeof e.source === "string" && typeof e.id === "string";
}

function replay(engine: EngineImpl, events: Iterable<Event>): Alert[] {
  const out: Alert[] = [];
  if (Array.isArray(events)) {
    // Fast path: an array of valid events already in time order (the usual feed) is replayed in
    // place; only runs of equal time that are out of (source, id) order are sorted, as small copies.
    const arr = events as readonly Event[];
    let ok = true;
    for (let i = 0; i < arr.length && ok; i++) {
      const e = arr[i]!;
      if (!isOrderable(e) || (i > 0 && arr[i - 1]!.time > e.time)) ok = false;
    }
    if (ok) {
      replayTimeOrdered(engine, arr, out);
      for (const a of engine.flush()) out.push(a);
      return out;
    }
  }
  const ok: Event[] = [];
  for (const item of events) {
    let e = item;
    if (typeof e === "object" && e !== null && (typeof e.time !== "number" || !Number.isFinite(e.time))) {
      const time = typeof e.ts === "string" ? Date.parse(e.ts) : Number.NaN;
      if (Number.isFinite(time)) e = { ...e, time } as Event; // a typed event that lost its time
    }
    if (!isOrderable(e)) {
      engine.step(e, out); // counted as rejected, with a reason
      continue;
    }
    ok.push(e);
  }
  replayTimeOrdered(engine, sortByTime(ok), out);
  for (const a of engine.flush()) out.push(a);
  return out;
}

/**
 * Events in time order (ties in input order; `replayTimeOrdered` then orders each tie by source and
 * id). Sorts packed numeric keys (time offset × 2^k + index) with the engine's native typed-array
 * sort, much faster than a comparator over a million scattered objects; falls back to the comparator
 * when the keys would not fit exactly in a double.
 */
function sortByTime(events: Event[]): Event[] {
  const n = events.length;
  if (n < 2) return events;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integral = true;
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const t = events[i]!.time;
    if (t < min) min = t;
    if (t > max) max = t;
    if (!Number.isInteger(t)) integral = false;
    if (i > 0 && events[i - 1]!.time > t) sorted = false;
  }
  if (sorted) return events;
  const scale = 2 ** Math.ceil(Math.log2(n));
  if (!integral || (max - min + 1) * scale > Number.MAX_SAFE_INTEGER) return events.sort(compareEvents);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (events[i]!.time - min) * scale + i;
  keys.sort();
  const out: Event[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = events[keys[i]! % scale]!;
  return out;
}

/**
 * Replay events already in time order, putting each run of equal times in (source, id) order and
 * skipping repeats of an idempotency key.
 */
function replayTimeOrdered(engine: EngineImpl, events: readonly Event[], out: Alert[]): void {
  const n = events.length;
  for (let i = 0; i < n; ) {
    const t = events[i]!.time;
    let j = i + 1;
    let inOrder = true;
    while (j < n && events[j]!.time === t) {
      if (inOrder && compareEvents(events[j - 1]!, events[j]!) > 0) inOrder = false;
      j++;
    }
    if (j - i === 1) {
      engine.step(events[i]!, out);
    } else {
      const run = inOrder ? events : events.slice(i, j).sort(compareEvents);
      const from = inOrder ? i : 0;
      const to = inOrder ? j : j - i;
      for (let k = from; k < to; k++) {
        const e = run[k]!;
        if (k > from) {
          const p = run[k - 1]!;
          if (p.source === e.source && p.id === e.id) continue; // idempotency key repeat
        }
        engine.step(e, out);
      }
    }
    i = j;
  }
}
