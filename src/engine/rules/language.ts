// The custom-rule language: CEL (a non-Turing-complete expression language, here
// @marcbachmann/cel-js) over one typed `event` and declared window aggregates per account or entity,
// e.g. `event.type == "withdrawal" && event.valueJpy > 3000000 && account.deposits.count("24h") >= 5`.
//
// A rule is type-checked when saved: parse and type errors name the line and column. Aggregates are
// declared by the text itself: every `account.<stream>.<fn>(...)` / `entity.<stream>.<fn>(...)` call
// with literal arguments is found in the parsed tree, so the engine keeps exactly those streams for
// exactly the longest window asked of each, and state stays bounded. Anything else is refused:
// non-literal windows, `account`/`entity` used other than in such a call, `matches` (a JavaScript
// regular expression could backtrack without bound), more than one list macro, and expressions past
// the size limits below.
import { Environment, type ASTNode } from "@marcbachmann/cel-js";
import { z } from "zod";
import { EVENT_TYPES, KanshiError, MONEY_SCALE, type Event, type EventType, type Money } from "../../contracts/index.ts";
import { jpyValueOf, notional } from "../values.ts";

/** Limits on a rule's text. CEL has no loops or recursion; these bound its size and cost. */
export const RULE_LIMITS = Object.freeze({
  expressionChars: 2_000,
  astNodes: 400,
  depth: 32,
  listElements: 64,
  mapEntries: 64,
  callArguments: 4,
  aggregates: 16,
  /** List macros (all, exists, exists_one, map, filter) per rule. */
  macros: 1,
  /** Longest aggregate window or cooldown. */
  windowMs: 31 * 86_400_000,
  /** Entries kept per account (or entity) and stream; past it the oldest are dropped. */
  entriesPerStream: 10_000,
});

/** The streams an aggregate can read, and the events that feed them (per account involved). */
export const STREAMS = {
  deposits: "deposit",
  withdrawals: "withdrawal",
  trades: "trade",
  logins: "login",
  orders: "order.placed",
  cancellations: "order.cancelled",
  transfersOut: "transfer",
  transfersIn: "transfer",
} as const satisfies Record<string, EventType>;
export type StreamName = keyof typeof STREAMS;
export const STREAM_NAMES = Object.keys(STREAMS) as StreamName[];

export type AggregateFn = "count" | "sum" | "max" | "distinct";
export type Scope = "account" | "entity";

/**
 * The fields a rule sees as `event`. Every field is always present (so expressions stay typed):
 * strings are "" and numbers 0 when the event does not carry them. `valueJpy` is whole yen (int):
 * a JPY movement's amount, another asset's `valueJpy` as sent, a trade's or order's price × quantity
 * in a JPY market. `amount` is in the asset's units (double, for comparisons only).
 */
export const EVENT_FIELDS = {
  type: "string",
  source: "string",
  id: "string",
  ts: "string",
  accountId: "string",
  counterpartyAccountId: "string",
  customerType: "string",
  asset: "string",
  market: "string",
  side: "string",
  kind: "string",
  channel: "string",
  network: "string",
  address: "string",
  counterpartyVasp: "string",
  counterpartyCountry: "string",
  country: "string",
  ip: "string",
  deviceId: "string",
  language: "string",
  valueJpy: "int",
  amount: "double",
} as const;
export type EventField = keyof typeof EVENT_FIELDS;

/** Fields `distinct(field, window)` may count: the string fields but the event's own ids and times. */
export const DISTINCT_FIELDS: readonly EventField[] = (Object.keys(EVENT_FIELDS) as EventField[]).filter(
  (f) => EVENT_FIELDS[f] === "string" && f !== "id" && f !== "ts" && f !== "type",
);

/** The event types a rule can be evaluated on: those about an account. */
export const RULE_EVENT_TYPES = [
  "account.opened", "account.updated", "account.closed", "login", "deposit", "withdrawal", "transfer",
  "order.placed", "order.cancelled", "trade",
] as const satisfies readonly EventType[];
const RULE_EVENT_TYPE_SET = new Set<string>(RULE_EVENT_TYPES);

/** A rule as stored and versioned: data, never code. */
export const RuleDefinitionSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,47}$/, "expected lower-case letters, digits and '-' (at most 48), starting with a letter"),
  version: z.number().int("must be a whole number").min(1, "must be at least 1"),
  name: z.string().min(1, "must not be empty").max(120, "at most 120 characters"),
  description: z.string().max(2_000, "at most 2000 characters").optional(),
  expression: z.string().min(1, "must not be empty").max(RULE_LIMITS.expressionChars, `at most ${RULE_LIMITS.expressionChars} characters`),
  /** Alert score 0–100. */
  score: z.number().int("must be a whole number").min(0).max(100),
  /** Event types to evaluate on; default: those the expression requires by `event.type == "…"`, else all it can. */
  on: z.array(z.enum(RULE_EVENT_TYPES)).min(1, "must name at least one event type").optional(),
  /** After an alert, no other alert for the same subject within this window (e.g. "24h"). */
  cooldown: z.string().optional(),
});
export type RuleDefinition = z.output<typeof RuleDefinitionSchema>;

/** One declared aggregate: what the engine keeps and how a call reads it. */
export interface AggregateDecl {
  scope: Scope;
  stream: StreamName;
  fn: AggregateFn;
  /** For `distinct`: the field counted. */
  field?: EventField;
  /** The window as written ("24h") and in ms. */
  window: string;
  windowMs: number;
  /** The call as written, e.g. `account.deposits.count("24h")`. */
  text: string;
}

export interface RuleProblem {
  /** Where: `expression` at line:column, or a field of the definition. */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/** A checked rule, ready to run. */
export interface CheckedRule {
  definition: RuleDefinition;
  aggregates: AggregateDecl[];
  /** Event types it is evaluated on. */
  on: EventType[];
  cooldownMs: number | undefined;
}

const WINDOW = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "90s", "30m", "24h", "7d" → ms; undefined when malformed or outside 1 s – 31 days. */
export function parseWindow(text: string): number | undefined {
  const m = WINDOW.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms >= 1_000 && ms <= RULE_LIMITS.windowMs ? ms : undefined;
}

/**
 * What a `Stream` value is at evaluation time: the CEL functions call back into the evaluator that
 * set `current` (one synchronous evaluation at a time).
 */
export class StreamRef {
  constructor(
    readonly scope: Scope,
    readonly stream: StreamName,
  ) {}
}
export class ScopeRef {
  [stream: string]: StreamRef | Scope;
  constructor(readonly scope: Scope) {
    for (const s of STREAM_NAMES) this[s] = new StreamRef(scope, s);
  }
}

/** The `event` a rule sees: a class instance, so the evaluator reads its fields without converting. */
export class EventView {
  constructor(fields: Record<EventField, string | bigint | number>) {
    Object.assign(this, fields);
  }
}

/** Reads aggregates for the evaluation in progress (set by the rule typology around each call). */
export interface AggregateReader {
  read(ref: StreamRef, fn: AggregateFn, window: string, field?: string): bigint;
}
let current: AggregateReader | undefined;
export function withReader<T>(reader: AggregateReader, run: () => T): T {
  const prev = current;
  current = reader;
  try {
    return run();
  } finally {
    current = prev;
  }
}
function reader(): AggregateReader {
  if (current === undefined) throw new KanshiError("internal", "aggregate read outside a rule evaluation");
  return current;
}

function buildEnvironment(): Environment {
  const scopeFields = Object.fromEntries(STREAM_NAMES.map((s) => [s, "Stream"]));
  return new Environment({
    limits: {
      maxAstNodes: RULE_LIMITS.astNodes,
      maxDepth: RULE_LIMITS.depth,
      maxListElements: RULE_LIMITS.listElements,
      maxMapEntries: RULE_LIMITS.mapEntries,
      maxCallArguments: RULE_LIMITS.callArguments,
    },
  })
    .registerType("Stream", { ctor: StreamRef, fields: {} })
    .registerType("Scope", { ctor: ScopeRef, fields: scopeFields })
    .registerType("Event", { ctor: EventView, fields: { ...EVENT_FIELDS } })
    .registerVariable("event", "Event")
    .registerVariable("account", "Scope")
    .registerVariable("entity", "Scope")
    .registerFunction("Stream.count(string): int", (s: StreamRef, w: string) => reader().read(s, "count", w))
    .registerFunction("Stream.sum(string): int", (s: StreamRef, w: string) => reader().read(s, "sum", w))
    .registerFunction("Stream.max(string): int", (s: StreamRef, w: string) => reader().read(s, "max", w))
    .registerFunction("Stream.distinct(string, string): int", (s: StreamRef, f: string, w: string) => reader().read(s, "distinct", w, f));
}

/** One environment for every rule: registrations are fixed, parsing is per rule. */
export const ruleEnvironment = buildEnvironment();
export const ACCOUNT_SCOPE = new ScopeRef("account");
export const ENTITY_SCOPE = new ScopeRef("entity");

const MACROS = new Set(["all", "exists", "exists_one", "map", "filter"]);
const FORBIDDEN_CALLS = new Set(["matches"]);

/** line:column (1-based) of an offset in the text. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      col = 1;
    } else col++;
  }
  return { line, column: col };
}

function problemAt(text: string, offset: number, message: string): RuleProblem {
  const { line, column } = lineColumn(text, offset);
  return { path: `expression:${line}:${column}`, line, column, message };
}

function firstLine(message: string): string {
  const i = message.indexOf("\n");
  return i < 0 ? message : message.slice(0, i);
}

function isId(node: ASTNode, name?: string): boolean {
  return node.op === "id" && (name === undefined || node.args === name);
}

function stringLiteral(node: ASTNode | undefined): string | undefined {
  return node !== undefined && node.op === "value" && typeof node.args === "string" ? node.args : undefined;
}

/** Walks the tree: aggregates declared, problems found. */
function analyse(text: string, root: ASTNode): { aggregates: AggregateDecl[]; problems: RuleProblem[]; types: Set<string> | undefined } {
  const aggregates: AggregateDecl[] = [];
  const problems: RuleProblem[] = [];
  let macros = 0;
  const visit = (node: ASTNode): void => {
    if (node.op === "rcall") {
      const [fn, receiver, args] = node.args;
      if (receiver.op === "." && isId(receiver.args[0] as ASTNode) && ((receiver.args[0] as ASTNode).args === "account" || (receiver.args[0] as ASTNode).args === "entity")) {
        const scope = (receiver.args[0] as ASTNode).args as Scope;
        const stream = receiver.args[1] as StreamName;
        const call = text.slice(node.start, node.end);
        const literals = args.map(stringLiteral);
        if (literals.some((l) => l === undefined)) {
          problems.push(problemAt(text, node.start, `aggregate arguments must be string literals, e.g. ${scope}.${stream}.count("24h")`));
          return;
        }
        const window = fn === "distinct" ? literals[1] : literals[0];
        const windowMs = window === undefined ? undefined : parseWindow(window);
        if (window === undefined || windowMs === undefined) {
          problems.push(problemAt(text, node.start, `window ${JSON.stringify(window ?? "")} must be a whole number of s, m, h or d between 1s and 31d, e.g. "24h"`));
          return;
        }
        const decl: AggregateDecl = { scope, stream, fn: fn as AggregateFn, window, windowMs, text: call };
        if (fn === "distinct") {
          const field = literals[0]!;
          if (!(DISTINCT_FIELDS as readonly string[]).includes(field)) {
            problems.push(problemAt(text, node.start, `distinct counts one of ${DISTINCT_FIELDS.join(", ")}; not ${JSON.stringify(field)}`));
            return;
          }
          decl.field = field as EventField;
        }
        aggregates.push(decl);
        return;
      }
      if (FORBIDDEN_CALLS.has(fn)) problems.push(problemAt(text, node.start, `${fn}() is not allowed in rules (unbounded regular expressions); use contains, startsWith or endsWith`));
      if (MACROS.has(fn) && ++macros > RULE_LIMITS.macros) problems.push(problemAt(text, node.start, `at most ${RULE_LIMITS.macros} list macro (all, exists, exists_one, map, filter) per rule`));
      visit(receiver);
      for (const a of args) visit(a);
      return;
    }
    if (node.op === "id") {
      if (node.args === "account" || node.args === "entity") {
        problems.push(problemAt(text, node.start, `${node.args} is only read through an aggregate call, e.g. ${node.args}.deposits.count("24h")`));
      }
      return;
    }
    if (node.op === "call") {
      const [fn, args] = node.args;
      if (FORBIDDEN_CALLS.has(fn)) problems.push(problemAt(text, node.start, `${fn}() is not allowed in rules (unbounded regular expressions); use contains, startsWith or endsWith`));
      for (const a of args) visit(a);
      return;
    }
    const args: unknown = node.args;
    if (Array.isArray(args)) {
      for (const a of args) {
        if (isNode(a)) visit(a);
        else if (Array.isArray(a)) for (const b of a) if (isNode(b)) visit(b);
      }
    } else if (isNode(args)) visit(args);
  };
  visit(root);
  if (aggregates.length > RULE_LIMITS.aggregates) problems.push({ path: "expression", message: `at most ${RULE_LIMITS.aggregates} aggregate calls per rule; found ${aggregates.length}` });
  return { aggregates, problems, types: requiredTypes(root) };
}

function isNode(v: unknown): v is ASTNode {
  return typeof v === "object" && v !== null && "op" in v && "args" in v && "start" in v;
}

/** The event types the expression insists on: `event.type == "x"` (or `in [...]`) among its top-level `&&` terms. */
function requiredTypes(root: ASTNode): Set<string> | undefined {
  const terms: ASTNode[] = [];
  const collect = (n: ASTNode) => {
    if (n.op === "&&") {
      collect(n.args[0]);
      collect(n.args[1]);
    } else terms.push(n);
  };
  collect(root);
  let out: Set<string> | undefined;
  const isEventType = (n: ASTNode) => n.op === "." && isId(n.args[0] as ASTNode, "event") && n.args[1] === "type";
  for (const t of terms) {
    let types: string[] | undefined;
    if (t.op === "==") {
      const [l, r] = t.args as [ASTNode, ASTNode];
      const lit = isEventType(l) ? stringLiteral(r) : isEventType(r) ? stringLiteral(l) : undefined;
      if (lit !== undefined) types = [lit];
    } else if (t.op === "in") {
      const [l, r] = t.args as [ASTNode, ASTNode];
      if (isEventType(l) && r.op === "list") {
        const lits = r.args.map(stringLiteral);
        if (lits.every((x) => x !== undefined)) types = lits as string[];
      }
    }
    if (types !== undefined) out = out === undefined ? new Set(types) : new Set(types.filter((x) => out!.has(x)));
  }
  return out;
}

/**
 * Check a rule definition: its fields, its expression's syntax and types (it must be a bool), its
 * aggregates and limits. Returns every problem found (empty when the rule can be saved).
 */
export function checkRule(input: unknown): { ok: true; rule: CheckedRule } | { ok: false; problems: RuleProblem[] } {
  const parsed = RuleDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({ path: i.path.length === 0 ? "rule" : i.path.map(String).join("."), message: i.message })),
    };
  }
  const def = parsed.data;
  const text = def.expression;
  let ast: ASTNode;
  try {
    ast = ruleEnvironment.parse(text).ast;
  } catch (e) {
    return { ok: false, problems: [celProblem(text, e)] };
  }
  const checked = ruleEnvironment.check(text);
  if (!checked.valid) return { ok: false, problems: [celProblem(text, checked.error)] };
  if (checked.type !== "bool") return { ok: false, problems: [{ path: "expression", message: `must be a condition (bool); this expression is ${checked.type ?? "of unknown type"}` }] };
  const { aggregates, problems, types } = analyse(text, ast);
  let cooldownMs: number | undefined;
  if (def.cooldown !== undefined) {
    cooldownMs = parseWindow(def.cooldown);
    if (cooldownMs === undefined) problems.push({ path: "cooldown", message: `${JSON.stringify(def.cooldown)} must be a whole number of s, m, h or d between 1s and 31d, e.g. "24h"` });
  }
  let on: EventType[];
  if (def.on !== undefined) on = [...new Set(def.on)];
  else if (types !== undefined) {
    const bad = [...types].filter((t) => !RULE_EVENT_TYPE_SET.has(t));
    if (bad.length > 0) {
      const known = (EVENT_TYPES as readonly string[]).includes(bad[0]!);
      problems.push({ path: "expression", message: known ? `rules run on events about an account (${RULE_EVENT_TYPES.join(", ")}); not ${bad[0]}` : `unknown event type ${JSON.stringify(bad[0])} (known: ${RULE_EVENT_TYPES.join(", ")})` });
    }
    on = [...types].filter((t) => RULE_EVENT_TYPE_SET.has(t)) as EventType[];
    if (on.length === 0 && bad.length === 0) problems.push({ path: "expression", message: "no event type can satisfy its event.type conditions" });
  } else on = [...RULE_EVENT_TYPES];
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, rule: { definition: def, aggregates, on, cooldownMs } };
}

/** Like `checkRule`, but throws KanshiError("bad_input") naming the first problem's place. */
export function parseRule(input: unknown, where = "rule"): CheckedRule {
  const r = checkRule(input);
  if (r.ok) return r.rule;
  const p = r.problems[0]!;
  const more = r.problems.length > 1 ? ` (and ${r.problems.length - 1} more)` : "";
  throw new KanshiError("bad_input", `${p.message}${more}`, `${where}.${p.path}`);
}

function celProblem(text: string, e: unknown): RuleProblem {
  const err = e as { message?: string; summary?: string; range?: { start: number } } | undefined;
  const message = err?.summary ?? firstLine(err?.message ?? String(e));
  if (err?.range !== undefined) return problemAt(text, err.range.start, message);
  return { path: "expression", message };
}

const ZERO_FIELDS: Record<EventField, string | bigint | number> = Object.fromEntries(
  (Object.keys(EVENT_FIELDS) as EventField[]).map((f) => [f, EVENT_FIELDS[f] === "string" ? "" : EVENT_FIELDS[f] === "int" ? 0n : 0]),
) as Record<EventField, string | bigint | number>;

/** Whole yen (truncated) of an exact amount, as a CEL int. */
export function wholeYen(m: Money | bigint | undefined): bigint {
  return m === undefined ? 0n : m / MONEY_SCALE;
}

function assetUnits(m: Money): number {
  return Number(m / 10n ** 9n) / 1e9;
}

function jpyOfQuote(market: string, quantity: Money, price: Money | undefined): Money | undefined {
  return price !== undefined && market.endsWith("/JPY") ? notional(quantity, price) : undefined;
}

/** One evaluation of an event for one of the accounts it is about (trades and transfers have two). */
export interface RuleView {
  accountId: string;
  /** Exact JPY value (scaled 10^18), undefined when unknown. */
  valueJpy: Money | undefined;
  fields: Record<EventField, string | bigint | number>;
  /** Which stream this posting feeds. */
  stream: StreamName | undefined;
}

/**
 * The postings of an event: for each account it is about, the `event` fields a rule sees and the
 * stream it feeds. Events about no account give none.
 */
export function viewsOf(e: Event, customerType: (accountId: string) => string | undefined): RuleView[] {
  const base = (accountId: string, extra: Partial<Record<EventField, string | bigint | number>>, valueJpy: Money | undefined, stream: StreamName | undefined): RuleView => {
    const fields = { ...ZERO_FIELDS, type: e.type, source: e.source, id: e.id, ts: e.ts, accountId, customerType: customerType(accountId) ?? "", ...extra };
    fields.valueJpy = wholeYen(valueJpy);
    return { accountId, valueJpy, fields, stream };
  };
  switch (e.type) {
    case "deposit":
    case "withdrawal": {
      const v = jpyValueOf(e);
      const address = e.type === "deposit" ? e.fromAddress : e.toAddress;
      return [base(e.accountId, {
        asset: e.asset, channel: e.channel, network: e.network ?? "", address: address ?? "",
        counterpartyVasp: e.counterpartyVasp ?? "", counterpartyCountry: e.counterpartyCountry ?? "", amount: assetUnits(e.amount),
      }, v, e.type === "deposit" ? "deposits" : "withdrawals")];
    }
    case "transfer": {
      const v = e.asset === "JPY" ? e.amount : e.valueJpy;
      const common = { asset: e.asset, amount: assetUnits(e.amount) };
      return [
        base(e.fromAccountId, { ...common, counterpartyAccountId: e.toAccountId, side: "out" }, v, "transfersOut"),
        base(e.toAccountId, { ...common, counterpartyAccountId: e.fromAccountId, side: "in" }, v, "transfersIn"),
      ];
    }
    case "trade": {
      const v = jpyOfQuote(e.market, e.quantity, e.price);
      const common = { market: e.market, asset: e.market.slice(0, e.market.indexOf("/")), amount: assetUnits(e.quantity) };
      return [
        base(e.buyAccountId, { ...common, side: "buy", counterpartyAccountId: e.sellAccountId }, v, "trades"),
        base(e.sellAccountId, { ...common, side: "sell", counterpartyAccountId: e.buyAccountId }, v, "trades"),
      ];
    }
    case "order.placed":
      return [base(e.accountId, { market: e.market, asset: e.market.slice(0, e.market.indexOf("/")), side: e.side, kind: e.kind, amount: assetUnits(e.quantity) }, jpyOfQuote(e.market, e.quantity, e.price), "orders")];
    case "order.cancelled":
      return [base(e.accountId, { market: e.market, asset: e.market.slice(0, e.market.indexOf("/")) }, undefined, "cancellations")];
    case "login":
      return [base(e.accountId, { ip: e.ip, deviceId: e.deviceId ?? "", country: e.country ?? "", language: e.language ?? "" }, undefined, "logins")];
    case "account.opened":
    case "account.updated":
    case "account.closed":
      return [base(e.accountId, {}, undefined, undefined)];
    default:
      return [];
  }
}
