// Graph patterns: the five money-laundering shapes IBM's AMLSim generates, looked for over the moves
// Kanshi knows between parties inside a window: fan-in, fan-out, cycle, scatter-gather and
// gather-scatter. See README.md.
//
// Semantics (v1.0.0):
//   - Nodes are parties: an account (keyed by its subject, so one entity's own accounts are one
//     node and moves between them are not edges) or an on-chain address (network + canonical
//     spelling, address.ts). Edges are moves: `transfer` (account → account), a crypto `deposit`
//     with its fromAddress (address → account), a crypto `withdrawal` with its toAddress (account →
//     address) and `chain.transfer` (address → address). Each edge carries its JPY value (the amount
//     for JPY, else valueJpy; unknown values count as parties but not as money).
//   - The same move seen twice (a deposit or withdrawal and its `chain.transfer`, by network and tx
//     hash) is one edge, the account's; the exchange's side of it (the deposit address, the hot
//     wallet) becomes custodial, and moves touching a custodial address (sweeps, hot/cold moves) are
//     the exchange's own, not edges. An address labelled `exchange` is another VASP: no move to or
//     from it is an edge.
//   - Only moves of the last windowHours count. A node with ≥ hubCounterparties distinct
//     counterparties in the window is a service (hub): never a main node, never passed through.
//   - Each new edge is checked for the patterns it can complete:
//       fan-in        the receiver has ≥ fanIn.minCounterparties distinct senders, together ≥ minTotalJpy;
//       fan-out       the sender has ≥ fanOut.minCounterparties distinct receivers, together ≥ minTotalJpy;
//       cycle         the new edge closes a ring back to where it started: moves in time order, ring
//                     length minLength..maxLength, every move ≥ cycle.minEdgeJpy and between
//                     minHopShare and maxHopShare of the first (the same money going round);
//       scatter-gather an origin paid ≥ minIntermediaries parties that each then paid one beneficiary,
//                     scattered ≥ minTotalJpy and gathered between the share bounds of it;
//       gather-scatter a node received from ≥ minSenders parties and paid ≥ minReceivers after the first
//                     of them arrived, gathered ≥ minTotalJpy and scattered between the share bounds of it.
//   - A pattern must involve at least one account: one among outside addresses alone is left to chain
//     analytics (illicit-exposure follows stolen funds into the exchanges).
//   - One alert per pattern and main node (or ring), again only once the window has passed or the
//     parties involved have grown by realertGrowth (doubled, by default).
import { formatMoney, keyOf, type Event, type Money } from "../../../contracts/index.ts";
import { clampScore, formatDuration, formatJpy, formatPercent, ppm, share, yen } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, type AlertDraft, type EvalContext, type Outcome, type SubjectRef } from "../../types.ts";
import { isAmount, PPM, sortedKeys } from "../../values.ts";
import { normalizeAddress } from "../illicit-exposure/address.ts";
import { graphPatternsConfigSchema, graphPatternsDefaults, type GraphPatternsConfig } from "./config.ts";

export const id = "graph-patterns";
export const version = "1.0.0";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MAX_EVIDENCE = 200;

export type Pattern = "fan-in" | "fan-out" | "cycle" | "scatter-gather" | "gather-scatter";

/** One move between two parties. */
interface Edge {
  /** from node, to node */
  f: string;
  to: string;
  t: number;
  ts: string;
  /** event key */
  k: string;
  /** JPY value, or null when unknown */
  v: Money | null;
  /** account ids at either end (null for an address) */
  fa: string | null;
  ta: string | null;
}

/** A move already seen under a tx hash: by an account event or on chain; its edge's ends and key. */
interface TxSeen {
  acct: boolean;
  f: string;
  to: string;
  k: string;
  t: number;
}

interface Alerted {
  n: number;
  until: number;
}

export interface GraphPatternsState {
  out: Map<string, Edge[]>;
  inn: Map<string, Edge[]>;
  txs: Map<string, TxSeen>;
  /** address node → last time seen on the exchange's side; -1 for a label (kept) */
  custodial: Map<string, number>;
  alerted: Map<string, Alerted>;
  /** next event time at which closed windows are swept */
  sweepAt: number | null;
}

export interface GraphPatternsParams {
  windowMs: number;
  windowHours: number;
  minEdge: Money;
  maxEdge: Money | null;
  hub: number;
  maxEdges: number;
  /** realertGrowth in ppm */
  growthPpm: bigint;
  custodialMs: number;
  fanIn: { on: boolean; k: number; total: Money };
  fanOut: { on: boolean; k: number; total: Money };
  cycle: { on: boolean; minLen: number; maxLen: number; minEdge: Money; minPpm: bigint; maxPpm: bigint; minShare: number; maxShare: number; maxSearch: number };
  sg: { on: boolean; k: number; total: Money; minPpm: bigint; maxPpm: bigint; minShare: number; maxShare: number };
  gs: { on: boolean; kIn: number; kOut: number; total: Money; minPpm: bigint; maxPpm: bigint; minShare: number; maxShare: number };
}

function prepare(c: GraphPatternsConfig): GraphPatternsParams {
  return {
    windowMs: c.windowHours * HOUR_MS,
    windowHours: c.windowHours,
    minEdge: yen(c.minEdgeJpy),
    maxEdge: c.maxEdgeJpy === null ? null : yen(c.maxEdgeJpy),
    hub: c.hubCounterparties,
    maxEdges: c.maxEdgesPerNode,
    growthPpm: ppm(c.realertGrowth),
    custodialMs: c.custodialRetentionDays * DAY_MS,
    fanIn: { on: c.fanIn.enabled, k: c.fanIn.minCounterparties, total: yen(c.fanIn.minTotalJpy) },
    fanOut: { on: c.fanOut.enabled, k: c.fanOut.minCounterparties, total: yen(c.fanOut.minTotalJpy) },
    cycle: {
      on: c.cycle.enabled, minLen: c.cycle.minLength, maxLen: c.cycle.maxLength, minEdge: yen(c.cycle.minEdgeJpy),
      minPpm: ppm(c.cycle.minHopShare), maxPpm: ppm(c.cycle.maxHopShare), minShare: c.cycle.minHopShare, maxShare: c.cycle.maxHopShare, maxSearch: c.cycle.maxSearch,
    },
    sg: {
      on: c.scatterGather.enabled, k: c.scatterGather.minIntermediaries, total: yen(c.scatterGather.minTotalJpy),
      minPpm: ppm(c.scatterGather.minGatheredShare), maxPpm: ppm(c.scatterGather.maxGatheredShare), minShare: c.scatterGather.minGatheredShare, maxShare: c.scatterGather.maxGatheredShare,
    },
    gs: {
      on: c.gatherScatter.enabled, kIn: c.gatherScatter.minSenders, kOut: c.gatherScatter.minReceivers, total: yen(c.gatherScatter.minTotalJpy),
      minPpm: ppm(c.gatherScatter.minScatteredShare), maxPpm: ppm(c.gatherScatter.maxScatteredShare), minShare: c.gatherScatter.minScatteredShare, maxShare: c.gatherScatter.maxScatteredShare,
    },
  };
}

/** Network, tx hash and one end of the move ("f" sender, "t" recipient, as a node). */
const txKey = (network: string, txHash: string, end: "f" | "t", node: string): string => `${network.toLowerCase()}\u0000${txHash}\u0000${end}\u0000${node}`;

const initialState = (): GraphPatternsState => ({ out: new Map(), inn: new Map(), txs: new Map(), custodial: new Map(), alerted: new Map(), sweepAt: null });

// ---------------------------------------------------------------------------------------------
// Nodes and edges

const accountNode = (subject: string): string => `a\u0000${subject}`;
const addressNode = (network: string, address: string): string => `c\u0000${network.toLowerCase()}\u0000${normalizeAddress(address)}`;
const isAddressNode = (n: string): boolean => n.startsWith("c\u0000");
/** `network:address` for an address node. */
const addressOf = (n: string): string => n.slice(2).replace("\u0000", ":");

/** The edges of a node's list inside [from, to] (lists are in time order). */
function firstAt(list: readonly Edge[], from: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.t < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(list: Edge[], e: Edge): void {
  let at = list.length;
  while (at > 0 && list[at - 1]!.t > e.t) at--;
  list.splice(at, 0, e);
}

function addEdge(state: GraphPatternsState, e: Edge, p: GraphPatternsParams): void {
  let o = state.out.get(e.f);
  if (o === undefined) state.out.set(e.f, (o = []));
  insertSorted(o, e);
  if (o.length > p.maxEdges) o.shift();
  let i = state.inn.get(e.to);
  if (i === undefined) state.inn.set(e.to, (i = []));
  insertSorted(i, e);
  if (i.length > p.maxEdges) i.shift();
  if (state.sweepAt === null) state.sweepAt = e.t + p.windowMs;
}

function removeEdge(state: GraphPatternsState, f: string, to: string, k: string): void {
  const drop = (m: Map<string, Edge[]>, node: string) => {
    const list = m.get(node);
    if (list === undefined) return;
    const i = list.findIndex((x) => x.k === k);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) m.delete(node);
  };
  drop(state.out, f);
  drop(state.inn, to);
}

/** Distinct counterparties of a node in [from, to], both directions, stopping at `limit`. */
function counterparties(state: GraphPatternsState, node: string, from: number, to: number, limit: number): number {
  const seen = new Set<string>();
  for (const [m, other] of [[state.inn, "f"], [state.out, "to"]] as const) {
    const list = m.get(node);
    if (list === undefined) continue;
    for (let i = firstAt(list, from); i < list.length; i++) {
      const e = list[i]!;
      if (e.t > to) break;
      seen.add(e[other]);
      if (seen.size >= limit) return seen.size;
    }
  }
  return seen.size;
}

const isHub = (state: GraphPatternsState, node: string, now: number, p: GraphPatternsParams): boolean =>
  counterparties(state, node, now - p.windowMs, now, p.hub) >= p.hub;

// ---------------------------------------------------------------------------------------------
// Alerts

interface Found {
  pattern: Pattern;
  /** the node the alert is about, and an account id of it when it is an account */
  main: string;
  mainAccount: string | null;
  nodes: string[];
  edges: Edge[];
  explanation: string;
  score: number;
  details: Record<string, unknown>;
}

function mayAlert(state: GraphPatternsState, key: string, n: number, now: number, p: GraphPatternsParams): boolean {
  const a = state.alerted.get(key);
  if (a !== undefined && now <= a.until && BigInt(n) * PPM < BigInt(a.n) * p.growthPpm) return false;
  state.alerted.set(key, { n, until: now + p.windowMs });
  return true;
}

function subjectOf(f: Found, ctx: EvalContext<GraphPatternsParams>): SubjectRef {
  if (f.mainAccount !== null) return ctx.subjectRefOf(f.mainAccount);
  return { kind: "address", id: addressOf(f.main) };
}

function toDraft(f: Found, trigger: Edge, ctx: EvalContext<GraphPatternsParams>): AlertDraft {
  const accounts: string[] = [];
  const add = (a: string | null) => {
    if (a !== null && !accounts.includes(a)) accounts.push(a);
  };
  if (f.mainAccount !== null) add(f.mainAccount);
  for (const e of f.edges) {
    add(e.fa);
    add(e.ta);
  }
  let keys = sortedKeys(f.edges.map((e): [string, number] => [e.k, e.t]));
  if (keys.length > MAX_EVIDENCE) keys = [...keys.filter((k) => k !== trigger.k).slice(0, MAX_EVIDENCE - 1), trigger.k];
  const addresses = f.nodes.filter(isAddressNode).map(addressOf);
  return {
    subject: subjectOf(f, ctx),
    accounts,
    evidence: keys,
    ts: trigger.ts,
    score: f.score,
    explanation: f.explanation,
    details: { pattern: f.pattern, parties: f.nodes.length, ...f.details, ...(addresses.length > 0 ? { addresses: addresses.slice(0, 50) } : {}), windowHours: ctx.params.windowHours },
  };
}

const sum = (edges: readonly Edge[]): Money => {
  let s = 0n;
  for (const e of edges) if (e.v !== null) s += e.v;
  return s as Money;
};

/** Who a node is, for explanations: "account X" or "address network:addr" (the subject for entities). */
function partyName(node: string, account: string | null, ctx: EvalContext<GraphPatternsParams>): string {
  if (isAddressNode(node)) return `address ${addressOf(node)}`;
  const ref = account === null ? undefined : ctx.subjectRefOf(account);
  return ref === undefined ? "an account" : `${ref.kind} ${ref.id}`;
}

/** Kanshi alerts are about customers: a pattern among outside addresses alone is chain analytics' business. */
const involvesAccount = (edges: readonly Edge[]): boolean => edges.some((e) => e.fa !== null || e.ta !== null);

const between = (x: bigint, base: bigint, minPpm: bigint, maxPpm: bigint): boolean => x * PPM >= base * minPpm && x * PPM <= base * maxPpm;

// ---------------------------------------------------------------------------------------------
// The patterns

/** Fan-in at `node` (direction "in") or fan-out from it ("out"). */
function fan(state: GraphPatternsState, node: string, dir: "in" | "out", now: number, ctx: EvalContext<GraphPatternsParams>): Found | undefined {
  const p = ctx.params;
  const rule = dir === "in" ? p.fanIn : p.fanOut;
  if (!rule.on) return undefined;
  const list = (dir === "in" ? state.inn : state.out).get(node);
  if (list === undefined || list.length < rule.k) return undefined;
  const by = new Map<string, Edge[]>();
  const from = now - p.windowMs;
  for (let i = firstAt(list, from); i < list.length; i++) {
    const e = list[i]!;
    if (e.t > now) break;
    const other = dir === "in" ? e.f : e.to;
    let l = by.get(other);
    if (l === undefined) by.set(other, (l = []));
    l.push(e);
  }
  if (by.size < rule.k) return undefined;
  const edges = [...by.values()].flat();
  const total = sum(edges);
  if (total < rule.total) return undefined;
  if (!involvesAccount(edges) || isHub(state, node, now, p)) return undefined;
  const pattern: Pattern = dir === "in" ? "fan-in" : "fan-out";
  if (!mayAlert(state, `${pattern}\u0000${node}`, by.size, now, p)) return undefined;
  const mainAccount = (dir === "in" ? edges.find((e) => e.ta !== null)?.ta : edges.find((e) => e.fa !== null)?.fa) ?? null;
  const span = now - Math.min(...edges.map((e) => e.t));
  const who = partyName(node, mainAccount, ctx);
  const explanation =
    dir === "in"
      ? `${cap(who)} received ${edges.length} moves from ${by.size} different senders (line ${rule.k}) within ${formatDuration(span)}, ${formatJpy(total)} together (line ${formatJpy(rule.total)}).`
      : `${cap(who)} sent ${edges.length} moves to ${by.size} different receivers (line ${rule.k}) within ${formatDuration(span)}, ${formatJpy(total)} together (line ${formatJpy(rule.total)}).`;
  return {
    pattern, main: node, mainAccount, nodes: [node, ...by.keys()], edges,
    explanation,
    score: clampScore(55 + 5 * Math.min(6, by.size - rule.k) + 10 * Math.min(1, Math.log10(Math.max(1, share(total, rule.total > 0n ? rule.total : 1n))))),
    details: { counterparties: by.size, moves: edges.length, totalJpy: formatMoney(total), spanMs: span },
  };
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A ring closed by `closing` (u → v, the latest move): a path v → … → u of moves in time order inside
 * the window, each worth between the hop shares of the first, none through a hub.
 */
function cycle(state: GraphPatternsState, closing: Edge, ctx: EvalContext<GraphPatternsParams>): Found | undefined {
  const p = ctx.params;
  const c = p.cycle;
  if (!c.on || closing.v === null || closing.v < c.minEdge) return undefined;
  const start = closing.to;
  const target = closing.f;
  if (start === target) return undefined;
  const from = closing.t - p.windowMs;
  let budget = c.maxSearch;
  const path: Edge[] = [];
  const onPath = new Set<string>([start]);
  const hubs = new Map<string, boolean>();
  const hubAt = (n: string) => {
    let h = hubs.get(n);
    if (h === undefined) hubs.set(n, (h = isHub(state, n, closing.t, p)));
    return h;
  };
  if (hubAt(start) || hubAt(target)) return undefined;
  // the first move's value decides the band every other move (the closing one too) must be in
  const closingV = closing.v;
  const dfs = (node: string, after: number): boolean => {
    const list = state.out.get(node);
    if (list === undefined) return false;
    for (let i = firstAt(list, after); i < list.length; i++) {
      const e = list[i]!;
      if (e.t > closing.t) break;
      if (e.k === closing.k) continue;
      if (--budget < 0) return false;
      if (e.v === null || e.v < c.minEdge) continue;
      const first = path.length === 0 ? e.v : path[0]!.v!;
      if (path.length === 0 ? !between(closingV, e.v, c.minPpm, c.maxPpm) : !between(e.v, first, c.minPpm, c.maxPpm)) continue;
      const len = path.length + 2; // this move and the closing one
      if (e.to === target) {
        if (len < c.minLen) continue;
        path.push(e);
        return true;
      }
      if (len >= c.maxLen || onPath.has(e.to) || hubAt(e.to)) continue;
      path.push(e);
      onPath.add(e.to);
      if (dfs(e.to, e.t)) return true;
      path.pop();
      onPath.delete(e.to);
    }
    return false;
  };
  if (!dfs(start, from)) return undefined;
  const edges = [...path, closing];
  if (!involvesAccount(edges)) return undefined;
  const nodes = edges.map((e) => e.f);
  if (!mayAlert(state, `cycle\u0000${[...nodes].sort().join("\u0001")}`, nodes.length, closing.t, p)) return undefined;
  const mainAccount = edges[0]!.fa;
  const span = closing.t - edges[0]!.t;
  const firstV = edges[0]!.v!;
  const returned = share(closingV, firstV);
  return {
    pattern: "cycle", main: start, mainAccount, nodes, edges,
    explanation:
      `${cap(partyName(start, mainAccount, ctx))} sent ${formatJpy(firstV)} that came back as ${formatJpy(closingV)} (${formatPercent(returned)}) after passing through ` +
      `${nodes.length - 1} other part${nodes.length === 2 ? "y" : "ies"} in ${formatDuration(span)}; every move was ${formatPercent(c.minShare)}–${formatPercent(c.maxShare)} of the first.`,
    score: clampScore(65 + 5 * Math.min(4, nodes.length - c.minLen) + 10 * Math.max(0, Math.min(1, returned))),
    details: { length: edges.length, firstJpy: formatMoney(firstV), returnedJpy: formatMoney(closingV), returnedShare: returned, spanMs: span },
  };
}

/** Scatter-gather completed by the gather move `g` (intermediary → beneficiary). */
function scatterGather(state: GraphPatternsState, g: Edge, ctx: EvalContext<GraphPatternsParams>): Found | undefined {
  const p = ctx.params;
  const r = p.sg;
  if (!r.on) return undefined;
  const b = g.to;
  const now = g.t;
  const from = now - p.windowMs;
  const into = state.inn.get(b);
  if (into === undefined || into.length < r.k) return undefined;
  // the beneficiary's senders in the window: sender → its moves to b
  const senders = new Map<string, Edge[]>();
  for (let i = firstAt(into, from); i < into.length; i++) {
    const e = into[i]!;
    if (e.t > now) break;
    let l = senders.get(e.f);
    if (l === undefined) senders.set(e.f, (l = []));
    l.push(e);
  }
  if (senders.size < r.k) return undefined;
  const m = g.f;
  const toM = state.inn.get(m);
  if (toM === undefined) return undefined;
  const tried = new Set<string>();
  for (let i = firstAt(toM, from); i < toM.length; i++) {
    const o = toM[i]!.f;
    if (toM[i]!.t > now) break;
    if (o === b || o === m || tried.has(o)) continue;
    tried.add(o);
    const outs = state.out.get(o);
    if (outs === undefined) continue;
    const scattered: Edge[] = [];
    const gathered: Edge[] = [];
    const mids = new Set<string>();
    for (let j = firstAt(outs, from); j < outs.length; j++) {
      const s = outs[j]!;
      if (s.t > now) break;
      if (s.to === b || s.to === o) continue;
      const legs = senders.get(s.to)?.filter((x) => x.t >= s.t);
      if (legs === undefined || legs.length === 0) continue;
      scattered.push(s);
      if (!mids.has(s.to)) {
        mids.add(s.to);
        for (const x of legs) gathered.push(x);
      }
    }
    if (mids.size < r.k) continue;
    const sc = sum(scattered);
    const ga = sum(gathered);
    if (sc < r.total || !between(ga, sc, r.minPpm, r.maxPpm)) continue;
    if (!involvesAccount(scattered) && !involvesAccount(gathered)) continue;
    if (isHub(state, o, now, p) || isHub(state, b, now, p) || [...mids].some((x) => isHub(state, x, now, p))) continue;
    if (!mayAlert(state, `scatter-gather\u0000${o}\u0000${b}`, mids.size, now, p)) return undefined;
    const mainAccount = scattered[0]!.fa;
    const benAccount = gathered.find((x) => x.ta !== null)?.ta ?? null;
    const edges = [...scattered, ...gathered];
    const span = now - Math.min(...edges.map((e) => e.t));
    const gs = share(ga, sc);
    return {
      pattern: "scatter-gather", main: o, mainAccount, nodes: [o, ...mids, b], edges,
      explanation:
        `${cap(partyName(o, mainAccount, ctx))} scattered ${formatJpy(sc)} to ${mids.size} parties (line ${r.k}) that passed ${formatJpy(ga)} (${formatPercent(gs)}) on to ` +
        `${partyName(b, benAccount, ctx)} within ${formatDuration(span)}.`,
      score: clampScore(70 + 5 * Math.min(4, mids.size - r.k) + 10 * Math.min(1, Math.log10(Math.max(1, share(sc, r.total > 0n ? r.total : 1n))))),
      details: { intermediaries: mids.size, scatteredJpy: formatMoney(sc), gatheredJpy: formatMoney(ga), gatheredShare: gs, spanMs: span },
    };
  }
  return undefined;
}

/** Gather-scatter around `m` at time `now`: received from ≥ kIn senders, then paid ≥ kOut receivers. */
function gatherScatter(state: GraphPatternsState, m: string, now: number, ctx: EvalContext<GraphPatternsParams>): Found | undefined {
  const p = ctx.params;
  const r = p.gs;
  if (!r.on) return undefined;
  const ins = state.inn.get(m);
  const outs = state.out.get(m);
  if (ins === undefined || outs === undefined || ins.length < r.kIn || outs.length < r.kOut) return undefined;
  const from = now - p.windowMs;
  const gathered: Edge[] = [];
  const senders = new Set<string>();
  for (let i = firstAt(ins, from); i < ins.length; i++) {
    const e = ins[i]!;
    if (e.t > now) break;
    gathered.push(e);
    senders.add(e.f);
  }
  if (senders.size < r.kIn) return undefined;
  const t0 = gathered[0]!.t;
  const scattered: Edge[] = [];
  const receivers = new Set<string>();
  for (let i = firstAt(outs, t0); i < outs.length; i++) {
    const e = outs[i]!;
    if (e.t > now) break;
    scattered.push(e);
    receivers.add(e.to);
  }
  if (receivers.size < r.kOut) return undefined;
  const ga = sum(gathered);
  const sc = sum(scattered);
  if (ga < r.total || !between(sc, ga, r.minPpm, r.maxPpm)) return undefined;
  if ((!involvesAccount(gathered) && !involvesAccount(scattered)) || isHub(state, m, now, p)) return undefined;
  if (!mayAlert(state, `gather-scatter\u0000${m}`, senders.size + receivers.size, now, p)) return undefined;
  const mainAccount = gathered.find((e) => e.ta !== null)?.ta ?? scattered.find((e) => e.fa !== null)?.fa ?? null;
  const edges = [...gathered, ...scattered];
  const span = now - t0;
  const ss = share(sc, ga);
  return {
    pattern: "gather-scatter", main: m, mainAccount, nodes: [m, ...senders, ...[...receivers].filter((x) => !senders.has(x))], edges,
    explanation:
      `${cap(partyName(m, mainAccount, ctx))} gathered ${formatJpy(ga)} from ${senders.size} senders (line ${r.kIn}) and scattered ${formatJpy(sc)} (${formatPercent(ss)}) ` +
      `to ${receivers.size} receivers (line ${r.kOut}) within ${formatDuration(span)}.`,
    score: clampScore(65 + 5 * Math.min(4, Math.min(senders.size - r.kIn, receivers.size - r.kOut)) + 10 * Math.min(1, Math.log10(Math.max(1, share(ga, r.total > 0n ? r.total : 1n))))),
    details: { senders: senders.size, receivers: receivers.size, gatheredJpy: formatMoney(ga), scatteredJpy: formatMoney(sc), scatteredShare: ss, spanMs: span },
  };
}

// ---------------------------------------------------------------------------------------------
// Events

const valueOf = (e: { asset: string; amount: Money; valueJpy?: Money | undefined }): Money | null => {
  const v = e.asset === "JPY" ? e.amount : e.valueJpy;
  return isAmount(v) ? v : null;
};

function touchCustodial(state: GraphPatternsState, node: string, t: number): void {
  const prev = state.custodial.get(node);
  if (prev === -1) return;
  if (prev === undefined || t > prev) state.custodial.set(node, t);
}

function onEvent(state: GraphPatternsState, e: Event, ctx: EvalContext<GraphPatternsParams>): Outcome {
  const p = ctx.params;
  let edge: Edge;
  switch (e.type) {
    case "transfer": {
      if (typeof e.fromAccountId !== "string" || typeof e.toAccountId !== "string") return error("a transfer without fromAccountId or toAccountId");
      const f = ctx.subjectOf(e.fromAccountId);
      const to = ctx.subjectOf(e.toAccountId);
      if (f === to) return CLEAR; // one party's own accounts
      edge = { f: accountNode(f), to: accountNode(to), t: e.time, ts: e.ts, k: keyOf(e), v: valueOf(e), fa: e.fromAccountId, ta: e.toAccountId };
      break;
    }
    case "deposit":
    case "withdrawal": {
      if (typeof e.accountId !== "string") return error(`a ${e.type} without an accountId`);
      const address = e.type === "deposit" ? e.fromAddress : e.toAddress;
      if (e.channel !== "crypto" || typeof address !== "string" || address.trim() === "") return CLEAR;
      const network = e.network ?? e.asset;
      const a = addressNode(network, address);
      // another exchange's labelled address (one shared deposit address with memo tags, as for XRP): a VASP, not a party
      if (state.custodial.get(a) === -1) return CLEAR;
      const acct = accountNode(ctx.subjectOf(e.accountId));
      edge = e.type === "deposit"
        ? { f: a, to: acct, t: e.time, ts: e.ts, k: keyOf(e), v: valueOf(e), fa: null, ta: e.accountId }
        : { f: acct, to: a, t: e.time, ts: e.ts, k: keyOf(e), v: valueOf(e), fa: e.accountId, ta: null };
      if (typeof e.txHash === "string" && e.txHash !== "") {
        // a deposit is matched on chain by its sender, a withdrawal by its recipient
        const tx = txKey(network, e.txHash, e.type === "deposit" ? "f" : "t", e.type === "deposit" ? edge.f : edge.to);
        const seen = state.txs.get(tx);
        if (seen?.acct === true) return CLEAR; // the same movement reported again
        if (seen !== undefined) {
          // its chain.transfer came first: the account's edge replaces it; the exchange's end is custodial
          removeEdge(state, seen.f, seen.to, seen.k);
          touchCustodial(state, e.type === "deposit" ? seen.to : seen.f, e.time);
        }
        state.txs.set(tx, { acct: true, f: edge.f, to: edge.to, k: edge.k, t: e.time });
      }
      break;
    }
    case "chain.transfer": {
      if (typeof e.fromAddress !== "string" || typeof e.toAddress !== "string" || typeof e.network !== "string") return error("a chain.transfer without fromAddress, toAddress or network");
      const f = addressNode(e.network, e.fromAddress);
      const to = addressNode(e.network, e.toAddress);
      const byFrom = txKey(e.network, e.txHash, "f", f);
      const byTo = txKey(e.network, e.txHash, "t", to);
      const dep = state.txs.get(byFrom);
      const wd = state.txs.get(byTo);
      // the chain's view of a deposit (sender → deposit address) or a withdrawal (hot wallet → recipient)
      if (dep?.acct === true) {
        touchCustodial(state, to, e.time);
        return CLEAR;
      }
      if (wd?.acct === true) {
        touchCustodial(state, f, e.time);
        return CLEAR;
      }
      if (dep !== undefined || wd !== undefined) return CLEAR; // the same on-chain move reported again
      if (f === to || state.custodial.has(f) || state.custodial.has(to)) {
        if (state.custodial.has(f)) touchCustodial(state, f, e.time);
        if (state.custodial.has(to)) touchCustodial(state, to, e.time);
        return CLEAR; // the exchange's own move (a sweep, hot to cold)
      }
      edge = { f, to, t: e.time, ts: e.ts, k: keyOf(e), v: valueOf(e), fa: null, ta: null };
      const rec: TxSeen = { acct: false, f, to, k: edge.k, t: e.time };
      state.txs.set(byFrom, rec);
      state.txs.set(byTo, { ...rec });
      break;
    }
    case "address.label": {
      if (e.label === "exchange" && typeof e.address === "string" && typeof e.network === "string") state.custodial.set(addressNode(e.network, e.address), -1);
      return CLEAR;
    }
    default:
      return CLEAR;
  }
  if (edge.f === edge.to) return CLEAR;
  if (edge.v !== null && (edge.v < p.minEdge || (p.maxEdge !== null && edge.v > p.maxEdge))) return CLEAR;
  addEdge(state, edge, p);

  const found: Found[] = [];
  const push = (f: Found | undefined) => {
    if (f !== undefined) found.push(f);
  };
  push(fan(state, edge.to, "in", edge.t, ctx));
  push(fan(state, edge.f, "out", edge.t, ctx));
  push(cycle(state, edge, ctx));
  push(scatterGather(state, edge, ctx));
  push(gatherScatter(state, edge.f, edge.t, ctx));
  push(gatherScatter(state, edge.to, edge.t, ctx));
  return found.length > 0 ? hit(found.map((f) => toDraft(f, edge, ctx))) : CLEAR;
}

/** Drops moves, tx hashes, custodial addresses and cooldowns that can no longer matter. */
function prune(state: GraphPatternsState, now: number, p: GraphPatternsParams): void {
  if (state.sweepAt === null || now < state.sweepAt) return;
  const from = now - p.windowMs;
  for (const m of [state.out, state.inn]) {
    for (const [node, list] of m) {
      const i = firstAt(list, from);
      if (i >= list.length) m.delete(node);
      else if (i > 0) list.splice(0, i);
    }
  }
  const txFrom = now - Math.max(p.windowMs, DAY_MS);
  for (const [k, x] of state.txs) if (x.t < txFrom) state.txs.delete(k);
  for (const [k, t] of state.custodial) if (t !== -1 && t < now - p.custodialMs) state.custodial.delete(k);
  for (const [k, a] of state.alerted) if (a.until < now) state.alerted.delete(k);
  // sweep again after an eighth of the window (at least an hour) when anything is left
  state.sweepAt = state.out.size + state.txs.size + state.alerted.size > 0 ? now + Math.max(HOUR_MS, Math.floor(p.windowMs / 8)) : null;
}

export const graphPatterns = defineTypology<GraphPatternsConfig, GraphPatternsParams, GraphPatternsState>({
  id,
  version,
  description:
    "AMLSim's laundering shapes over transfers and on-chain moves within 72 h: fan-in or fan-out of 5+ parties (¥1M+), cycles of 3–6 moves returning 50–110% of the money, scatter-gather and gather-scatter through 3+ parties.",
  configSchema: graphPatternsConfigSchema,
  defaultConfig: graphPatternsDefaults,
  eventTypes: ["transfer", "deposit", "withdrawal", "chain.transfer", "address.label"],
  prepare,
  initialState,
  onEvent,
  prune,
  size: (state) => state.out.size + state.inn.size,
});

export default graphPatterns;
