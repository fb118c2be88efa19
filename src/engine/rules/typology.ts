// A custom rule as the engine runs it: a typology-like evaluator with id `rule:<id>`, version the
// rule's version, config the rule's definition (so its configVersion changes with any edit). Its
// state is the declared aggregates' windows per account (or entity), plain data the engine
// snapshots and restores like any typology's.
import type { ParseResult } from "@marcbachmann/cel-js";
import { KanshiError, formatJpy, keyOf, type Event, type EventType, type Money } from "../../contracts/index.ts";
import type { Registry } from "../registry.ts";
import { CLEAR, error, hit, type AlertDraft, type AnyTypology, type EvalContext, type Outcome } from "../types.ts";
import {
  ACCOUNT_SCOPE,
  ENTITY_SCOPE,
  EventView,
  RULE_LIMITS,
  RuleDefinitionSchema,
  parseRule,
  ruleEnvironment,
  viewsOf,
  wholeYen,
  withReader,
  type AggregateDecl,
  type AggregateFn,
  type CheckedRule,
  type EventField,
  type RuleDefinition,
  type Scope,
  type StreamName,
  type StreamRef,
} from "./language.ts";

/** One event kept in a stream window: time, exact JPY value (0 when unknown), event key, distinct fields. */
interface Entry {
  t: number;
  v: bigint;
  k: string;
  /** Values of the stream's distinct fields, in the order of `StreamPlan.fields`. */
  f?: string[];
}

/** key (account or entity) → stream → entries in time order. */
type ScopeState = Map<string, Map<string, Entry[]>>;

interface RuleState {
  account: ScopeState;
  entity: ScopeState;
  /** subject key → time of its last alert (only with a cooldown). */
  lastAlert: Map<string, number>;
}

interface StreamPlan {
  scope: Scope;
  stream: StreamName;
  /** Longest window any aggregate asks of it. */
  keepMs: number;
  fields: EventField[];
}

interface Params {
  rule: CheckedRule;
  program: ParseResult;
  /** `${scope}.${stream}` → plan */
  plans: Map<string, StreamPlan>;
  on: Set<string>;
  /** Event types the rule needs dispatched: `on` plus those feeding its streams. */
  eventTypes: EventType[];
}

/** The prefix of every rule's typology id. */
export const RULE_PREFIX = "rule:";
const MAX_EVIDENCE = 50;

function plansOf(aggregates: readonly AggregateDecl[]): Map<string, StreamPlan> {
  const plans = new Map<string, StreamPlan>();
  for (const a of aggregates) {
    const k = `${a.scope}.${a.stream}`;
    let p = plans.get(k);
    if (p === undefined) plans.set(k, (p = { scope: a.scope, stream: a.stream, keepMs: 0, fields: [] }));
    p.keepMs = Math.max(p.keepMs, a.windowMs);
    if (a.field !== undefined && !p.fields.includes(a.field)) p.fields.push(a.field);
  }
  return plans;
}

const STREAM_EVENT: Record<StreamName, EventType> = {
  deposits: "deposit",
  withdrawals: "withdrawal",
  trades: "trade",
  logins: "login",
  orders: "order.placed",
  cancellations: "order.cancelled",
  transfersOut: "transfer",
  transfersIn: "transfer",
};

function prepare(def: RuleDefinition): Params {
  const rule = parseRule(def);
  const plans = plansOf(rule.aggregates);
  const types = new Set<EventType>(rule.on);
  for (const p of plans.values()) types.add(STREAM_EVENT[p.stream]);
  return { rule, program: ruleEnvironment.parse(rule.definition.expression), plans, on: new Set(rule.on), eventTypes: [...types] };
}

function insert(list: Entry[], e: Entry): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.t > e.t) i--;
  list.splice(i, 0, e);
  if (list.length > RULE_LIMITS.entriesPerStream) list.shift();
}

/** Entries of `list` within [now - windowMs, now]. */
function inWindow(list: readonly Entry[] | undefined, now: number, windowMs: number): Entry[] {
  if (list === undefined) return [];
  const from = now - windowMs;
  const out: Entry[] = [];
  for (let i = list.length - 1; i >= 0; i--) {
    const e = list[i]!;
    if (e.t > now) continue;
    if (e.t < from) break;
    out.push(e);
  }
  return out;
}

function aggregate(entries: readonly Entry[], fn: AggregateFn, fieldIndex: number): bigint {
  switch (fn) {
    case "count":
      return BigInt(entries.length);
    case "sum": {
      let s = 0n;
      for (const e of entries) s += e.v;
      return wholeYen(s);
    }
    case "max": {
      let m = 0n;
      for (const e of entries) if (e.v > m) m = e.v;
      return wholeYen(m);
    }
    case "distinct": {
      const seen = new Set<string>();
      for (const e of entries) {
        const v = e.f?.[fieldIndex];
        if (v !== undefined && v !== "") seen.add(v);
      }
      return BigInt(seen.size);
    }
  }
}

function describeValue(view: { valueJpy: Money | undefined }): string {
  return view.valueJpy === undefined ? "" : ` of ${formatJpy(view.valueJpy)}`;
}

/** The typology that runs one checked rule. */
export function ruleTypology(input: RuleDefinition | CheckedRule): AnyTypology {
  const rule = "definition" in input ? input : parseRule(input);
  const def = rule.definition;
  const eventTypes = prepare(def).eventTypes;
  return {
    id: `${RULE_PREFIX}${def.id}`,
    version: String(def.version),
    description: def.description ?? def.name,
    configSchema: RuleDefinitionSchema as AnyTypology["configSchema"],
    defaultConfig: def,
    eventTypes,
    prepare: (config) => prepare(config as RuleDefinition),
    initialState: (): RuleState => ({ account: new Map(), entity: new Map(), lastAlert: new Map() }),
    onEvent: (state, event, ctx) => onEvent(state as RuleState, event, ctx as EvalContext<Params>),
    prune: (state, now, params) => prune(state as RuleState, now, params as Params),
    size: (state) => (state as RuleState).account.size + (state as RuleState).entity.size,
  };
}

function onEvent(state: RuleState, event: Event, ctx: EvalContext<Params>): Outcome {
  const p = ctx.params;
  const views = viewsOf(event, (a) => ctx.customerType(a));
  if (views.length === 0) return CLEAR;
  const key = keyOf(event);
  // First every posting feeds its streams (so a trade counts for both sides before either is judged).
  for (const view of views) {
    if (view.stream === undefined) continue;
    for (const scope of ["account", "entity"] as const) {
      const plan = p.plans.get(`${scope}.${view.stream}`);
      if (plan === undefined) continue;
      const subject = scope === "account" ? view.accountId : ctx.subjectOf(view.accountId);
      const byStream = state[scope];
      let streams = byStream.get(subject);
      if (streams === undefined) byStream.set(subject, (streams = new Map()));
      let list = streams.get(view.stream);
      if (list === undefined) streams.set(view.stream, (list = []));
      const entry: Entry = { t: event.time, v: view.valueJpy ?? 0n, k: key };
      if (plan.fields.length > 0) entry.f = plan.fields.map((f) => String(view.fields[f]));
      insert(list, entry);
    }
  }
  if (!p.on.has(event.type)) return CLEAR;
  const drafts: AlertDraft[] = [];
  for (const view of views) {
    const subjectKey = ctx.subjectOf(view.accountId);
    const cooldown = p.rule.cooldownMs;
    if (cooldown !== undefined) {
      const last = state.lastAlert.get(subjectKey);
      if (last !== undefined && event.time - last < cooldown && event.time >= last) continue;
    }
    const read: Array<{ text: string; value: bigint; entries: Entry[] }> = [];
    let matched: unknown;
    try {
      matched = withReader(
        {
          read(ref: StreamRef, fn: AggregateFn, window: string, field?: string): bigint {
            const decl = p.rule.aggregates.find((a) => a.scope === ref.scope && a.stream === ref.stream && a.fn === fn && a.window === window && a.field === field);
            if (decl === undefined) throw new Error("undeclared aggregate");
            const plan = p.plans.get(`${ref.scope}.${ref.stream}`)!;
            const subject = ref.scope === "account" ? view.accountId : subjectKey;
            const entries = inWindow(state[ref.scope].get(subject)?.get(ref.stream), event.time, decl.windowMs);
            const value = aggregate(entries, fn, field === undefined ? -1 : plan.fields.indexOf(field as EventField));
            read.push({ text: decl.text, value, entries });
            return value;
          },
        },
        () => p.program({ event: new EventView(view.fields), account: ACCOUNT_SCOPE, entity: ENTITY_SCOPE }),
      );
    } catch (e) {
      const summary = (e as { summary?: unknown }).summary;
      return error(`rule ${p.rule.definition.id} could not be evaluated: ${typeof summary === "string" ? summary : e instanceof Error ? e.name : "error"}`);
    }
    if (matched !== true) continue;
    if (cooldown !== undefined) state.lastAlert.set(subjectKey, event.time);
    const evidence = new Map<string, number>();
    for (const r of read) for (const e of r.entries) evidence.set(e.k, e.t);
    evidence.set(key, event.time);
    let items = [...evidence].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (items.length > MAX_EVIDENCE) items = [...items.filter(([k]) => k !== key).slice(-(MAX_EVIDENCE - 1)), [key, event.time]];
    const figures = Object.fromEntries(read.map((r) => [r.text, r.value.toString()]));
    const accounts = new Set<string>([view.accountId]);
    const def = p.rule.definition;
    drafts.push({
      subject: ctx.subjectRefOf(view.accountId),
      accounts: [...accounts],
      evidence: items.map(([k]) => k),
      ts: event.ts,
      score: def.score,
      explanation: `Rule "${def.name}" (v${def.version}) matched a ${event.type}${describeValue(view)}${read.length > 0 ? `: ${read.map((r) => `${r.text} = ${r.value}`).join(", ")}` : ""}.`,
      details: { rule: def.id, ruleVersion: def.version, expression: def.expression, aggregates: figures, valueJpy: view.valueJpy === undefined ? null : wholeYen(view.valueJpy).toString() },
    });
  }
  return drafts.length > 0 ? hit(drafts) : CLEAR;
}

function prune(state: RuleState, now: number, p: Params): void {
  for (const scope of ["account", "entity"] as const) {
    const byKey = state[scope];
    for (const [subject, streams] of byKey) {
      for (const [stream, list] of streams) {
        const keep = p.plans.get(`${scope}.${stream}`)?.keepMs ?? 0;
        const from = now - keep;
        let i = 0;
        while (i < list.length && list[i]!.t < from) i++;
        if (i > 0) list.splice(0, i);
        if (list.length === 0) streams.delete(stream);
      }
      if (streams.size === 0) byKey.delete(subject);
    }
  }
  const cooldown = p.rule.cooldownMs;
  for (const [subject, t] of state.lastAlert) if (cooldown === undefined || t < now - cooldown) state.lastAlert.delete(subject);
}

/**
 * A registry of the built-in typologies plus rules (`rule:<id>`), for `createEngine({ registry })`.
 * Rule ids must be unique.
 */
export function withRules(base: Registry, rules: ReadonlyArray<RuleDefinition | CheckedRule>): Registry {
  const extra = rules.map(ruleTypology);
  const byId = new Map<string, AnyTypology>(base.list().map((t) => [t.id, t]));
  for (const t of extra) {
    if (byId.has(t.id)) throw new KanshiError("conflict", `${t.id} is given twice`);
    byId.set(t.id, t);
  }
  const list = Object.freeze([...byId.values()]);
  const ids = Object.freeze([...byId.keys()]);
  return Object.freeze({ list: () => list, ids: () => ids, get: (id: string) => byId.get(id), has: (id: string) => byId.has(id) });
}

