// Live detection that follows the stored detection settings (published custom rules and typology
// config overrides) without a restart: `kanshi start` pushes live events through `LiveDetection`.
//
// Two engines run side by side, fed the same events: one with the built-in typologies (and the
// stored config overrides), one with the published custom rules. `engine` is their composition (an
// `Engine`: push, flush, stats, snapshot, restore), giving the same alerts in the same order as one
// engine over built-ins and rules (a registry lists rules after the built-ins).
//
// When the settings change, the engine concerned is rebuilt with them and takes over its
// predecessor's state through a snapshot: every typology whose code version and config version are
// unchanged keeps its state (windows, counters, graph) exactly; a newly published rule, a new version
// of a rule, or a typology whose config changed starts with empty state (empty aggregates: a new rule
// sees only the events after it was published; `kanshi rules backtest` is how it is judged on
// history); a retired rule's state is dropped. Shared context (markets, account profiles) and the
// event clock carry over. A rule publish or retire rebuilds only the rules engine, so it costs a
// snapshot of the rules' state (and the account profiles), not of the built-ins'; a typology config
// change rebuilds the built-in engine (a snapshot of its whole state: seconds on a large day; rare).
// The swap is synchronous, between two pushes, so no event is lost or seen twice.
//
// How a change is noticed:
//   - a publish, retire or config change through this server's API calls `refresh()` before it
//     answers (the route's `onChange`), so the next event is judged by the new settings;
//   - a change made by another process (the CLI, another server on a shared PostgreSQL) is noticed by
//     polling the rules store (`startPolling`, every KANSHI_RULES_POLL_MS, default 5 s): a poll reads
//     the published rules and the newest typology overrides — a handful of rows — and swaps only when
//     their fingerprint differs from the one running.
import type { Alert } from "../contracts/alerts.ts";
import { KanshiError } from "../contracts/errors.ts";
import type { Event } from "../contracts/events.ts";
import {
  canonicalJson,
  configVersionOf,
  createEngine,
  decodeState,
  defaultRegistry,
  encodeState,
  type Engine,
  type EngineOptions,
  type EngineSnapshot,
  type EngineStats,
} from "../engine/index.ts";
import { RULE_PREFIX, withRules, type RuleDefinition } from "../engine/rules/index.ts";

/** The detection settings in force: published rule definitions and typology overrides. */
export interface DetectionSettings {
  readonly rules: readonly RuleDefinition[];
  readonly configs: Readonly<Record<string, Record<string, unknown>>>;
}

/** Where the settings are read from (store.rules()). */
export interface SettingsSource {
  published(): Promise<RuleDefinition[]>;
  typologyConfigs(): Promise<Record<string, Record<string, unknown>>>;
}

/** What a swap did, by typology id. */
export interface SwapResult {
  /** Kept their state (same code and config version). */
  readonly carried: readonly string[];
  /** Started empty (new rules, new rule versions, changed configs). */
  readonly fresh: readonly string[];
  /** No longer run (retired rules). */
  readonly dropped: readonly string[];
}

export type EngineBase = Omit<EngineOptions, "registry" | "configs" | "typologies">;

export interface LiveDetectionOptions {
  /** Keying and hooks every engine is built with (entityOf, linkedOf, subjectOfIdentity…). */
  readonly base?: EngineBase;
  readonly settings: DetectionSettings;
  /** Called after each swap (for a log line). */
  readonly onSwap?: (r: SwapResult) => void;
  /** Called when a poll fails (the store is unreachable); the running settings stay. */
  readonly onError?: (e: unknown) => void;
}

/** A fingerprint of settings: equal settings, equal fingerprint, whatever the order they were read in. */
export function settingsFingerprint(s: DetectionSettings): string {
  const rules = [...s.rules].map((r) => [r.id, r.version, configVersionOf(r)] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return configVersionOf({ rules, configs: JSON.parse(canonicalJson(s.configs)) as unknown });
}

export async function readSettings(source: SettingsSource): Promise<DetectionSettings> {
  const [rules, configs] = await Promise.all([source.published(), source.typologyConfigs()]);
  return { rules, configs };
}

/** The built-in typologies with the stored overrides. */
function builtinEngine(base: EngineBase, s: DetectionSettings): Engine {
  return createEngine({ ...base, registry: defaultRegistry, configs: { ...s.configs } });
}

/** The published rules only (none: an engine that keeps only the shared context). */
function rulesEngine(base: EngineBase, s: DetectionSettings): Engine {
  return createEngine({ ...base, registry: s.rules.length === 0 ? defaultRegistry : withRules(defaultRegistry, s.rules), typologies: s.rules.map((r) => `${RULE_PREFIX}${r.id}`) });
}

const configsFingerprint = (s: DetectionSettings) => configVersionOf(JSON.parse(canonicalJson(s.configs)) as unknown);

const MAX_ISSUES = 20;

/**
 * Two engines fed the same events as one: the built-ins' alerts, then the rules'. Snapshots hold the
 * built-ins' typologies then the rules', with the built-in engine's shared context and clock.
 */
export class PairedEngine implements Engine {
  constructor(
    readonly builtins: Engine,
    readonly rules: Engine,
  ) {}

  get typologies(): Engine["typologies"] {
    return [...this.builtins.typologies, ...this.rules.typologies];
  }

  push(event: Event): Alert[] {
    const a = this.builtins.push(event);
    const b = this.rules.push(event);
    return b.length === 0 ? a : a.length === 0 ? b : a.concat(b);
  }

  flush(): Alert[] {
    return [...this.builtins.flush(), ...this.rules.flush()];
  }

  stats(): EngineStats {
    const a = this.builtins.stats();
    const b = this.rules.stats();
    return { ...a, alerts: a.alerts + b.alerts, byTypology: { ...a.byTypology, ...b.byTypology }, recentIssues: [...a.recentIssues, ...b.recentIssues.filter((i) => i.typology !== "engine")].slice(-MAX_ISSUES) };
  }

  snapshot(): EngineSnapshot {
    const a = this.builtins.snapshot();
    const b = this.rules.snapshot();
    const ca = decodeState(a.counters, "snapshot.counters") as Counters;
    const cb = decodeState(b.counters, "snapshot.counters") as Counters;
    const counters = encodeState({ ...ca, alerts: (ca.alerts ?? 0) + (cb.alerts ?? 0), byTypology: { ...ca.byTypology, ...cb.byTypology } });
    return { ...a, typologies: [...a.typologies, ...b.typologies], counters };
  }

  restore(snap: EngineSnapshot): void {
    if (typeof snap !== "object" || snap === null || !Array.isArray(snap.typologies)) {
      throw new KanshiError("bad_input", "expected an engine snapshot with typologies", "snapshot.typologies");
    }
    const n = this.builtins.typologies.length;
    const counters = decodeState(snap.counters, "snapshot.counters") as Counters;
    const part = (from: number, to: number): EngineSnapshot => {
      const typologies = snap.typologies.slice(from, to);
      const ids = new Set(typologies.map((t) => t.id));
      const byTypology = Object.fromEntries(Object.entries(counters.byTypology ?? {}).filter(([id]) => ids.has(id)));
      return { ...snap, typologies, counters: encodeState({ ...counters, byTypology }) };
    };
    // Checked before either engine changes: a snapshot taken with other typologies is refused whole.
    const running = this.typologies;
    if (snap.typologies.length !== running.length) {
      throw new KanshiError("bad_input", `snapshot holds ${snap.typologies.length} typologies; this engine runs ${running.length}`, "snapshot.typologies");
    }
    snap.typologies.forEach((t, i) => {
      const r = running[i]!;
      if (t.id !== r.id || t.version !== r.version || t.configVersion !== r.configVersion) {
        throw new KanshiError("bad_input", `snapshot has ${t.id} ${t.version} (config ${t.configVersion}) where this engine runs ${r.id} ${r.version} (config ${r.configVersion})`, `snapshot.typologies[${i}]`);
      }
    });
    this.builtins.restore(part(0, n));
    this.rules.restore(part(n, snap.typologies.length));
  }
}

interface Counters {
  events?: number;
  rejected?: number;
  late?: number;
  alerts?: number;
  byTypology?: Record<string, unknown>;
}

/**
 * `next` takes over `old`'s state: typologies with the same id, code version and config version keep
 * theirs; the others keep `next`'s own (empty) state.
 */
export function carryOver(old: Engine, next: Engine): SwapResult {
  const from = old.snapshot();
  const fresh = next.snapshot();
  const before = new Map(from.typologies.map((t) => [t.id, t]));
  const carried: string[] = [];
  const started: string[] = [];
  const typologies = fresh.typologies.map((t) => {
    const o = before.get(t.id);
    if (o !== undefined && o.version === t.version && o.configVersion === t.configVersion) {
      carried.push(t.id);
      return o;
    }
    started.push(t.id);
    return t;
  });
  const keep = new Set(carried);
  const counters = decodeState(from.counters, "snapshot.counters") as Counters;
  const byTypology = Object.fromEntries(Object.entries(counters.byTypology ?? {}).filter(([id]) => keep.has(id)));
  const merged: EngineSnapshot = {
    format: fresh.format,
    typologies,
    shared: from.shared,
    clock: from.clock,
    counters: encodeState({ ...counters, byTypology }),
  };
  next.restore(merged);
  const now = new Set(fresh.typologies.map((t) => t.id));
  return { carried, fresh: started, dropped: from.typologies.map((t) => t.id).filter((id) => !now.has(id)) };
}

export class LiveDetection {
  readonly #base: EngineBase;
  readonly #onSwap: ((r: SwapResult) => void) | undefined;
  readonly #onError: ((e: unknown) => void) | undefined;
  #engine: PairedEngine;
  #fingerprint: string;
  #rules: string;
  #configs: string;
  #refreshing: Promise<SwapResult | null> = Promise.resolve(null);
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(opts: LiveDetectionOptions) {
    this.#base = opts.base ?? {};
    this.#onSwap = opts.onSwap;
    this.#onError = opts.onError;
    this.#engine = new PairedEngine(builtinEngine(this.#base, opts.settings), rulesEngine(this.#base, opts.settings));
    this.#fingerprint = settingsFingerprint(opts.settings);
    this.#rules = settingsFingerprint({ rules: opts.settings.rules, configs: {} });
    this.#configs = configsFingerprint(opts.settings);
  }

  /** The engine running now (replaced on each swap: do not keep it). */
  get engine(): Engine {
    return this.#engine;
  }

  /** The fingerprint of the settings running now. */
  get fingerprint(): string {
    return this.#fingerprint;
  }

  push(event: Event): Alert[] {
    return this.#engine.push(event);
  }

  /** Swap to `settings` now (no-op, null, when they are the ones running). Rebuilds only the engine whose settings changed. */
  apply(settings: DetectionSettings): SwapResult | null {
    const fp = settingsFingerprint(settings);
    if (fp === this.#fingerprint) return null;
    const rulesFp = settingsFingerprint({ rules: settings.rules, configs: {} });
    const configsFp = configsFingerprint(settings);
    const old = this.#engine;
    const results: SwapResult[] = [];
    let builtins = old.builtins;
    let rules = old.rules;
    // Both new engines are built (and take over state) before either replaces the running one.
    if (configsFp !== this.#configs) {
      builtins = builtinEngine(this.#base, settings);
      results.push(carryOver(old.builtins, builtins));
    }
    if (rulesFp !== this.#rules) {
      rules = rulesEngine(this.#base, settings);
      results.push(carryOver(old.rules, rules));
    }
    this.#engine = new PairedEngine(builtins, rules);
    this.#fingerprint = fp;
    this.#rules = rulesFp;
    this.#configs = configsFp;
    const fresh = results.flatMap((r) => r.fresh);
    const r: SwapResult = {
      carried: this.#engine.typologies.map((t) => t.id).filter((id) => !fresh.includes(id)),
      fresh,
      dropped: results.flatMap((x) => x.dropped),
    };
    this.#onSwap?.(r);
    return r;
  }

  /** Read the settings from `source` and swap if they changed. Calls run one after another. */
  refresh(source: SettingsSource): Promise<SwapResult | null> {
    const run = this.#refreshing.then(
      async () => this.apply(await readSettings(source)),
      async () => this.apply(await readSettings(source)),
    );
    this.#refreshing = run.catch(() => null);
    return run;
  }

  /** Poll `source` every `ms` (changes by other processes); returns the stop function. */
  startPolling(source: SettingsSource, ms: number): () => void {
    this.stopPolling();
    const timer = setInterval(() => {
      this.refresh(source).catch((e: unknown) => this.#onError?.(e));
    }, ms);
    timer.unref();
    this.#timer = timer;
    return () => this.stopPolling();
  }

  stopPolling(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Waits for a refresh under way (before closing the store). */
  async idle(): Promise<void> {
    await this.#refreshing;
  }
}
