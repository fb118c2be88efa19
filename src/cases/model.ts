// Cases: the shapes, the state machine and who may do what. Pure: no I/O, no clock.
//
// A case gathers the alerts on one subject: an entity (a person or company across exchanges, once
// identity resolution has linked its accounts) or, before that, one account. States:
//
//   open ──▶ investigating ──▶ escalated ──▶ reported ──▶ closed (disposition "reported")
//     │            │    ▲           │  │
//     │            │    └───────────┘  └──▶ closed (false_positive | no_further_action)
//     │            └──▶ closed (false_positive | no_further_action)
//     └──▶ closed (false_positive | no_further_action)
//   closed ──▶ investigating   (a supervisor reopens it)
//
// `reported` means a suspicious transaction report was filed; the entity stays a suspect (the
// regulator may still ask for disclosure) until the case is closed. For the disclosure policy a case
// is "open" in every state but `closed` (see `policyStatus`).
import { badInput, KanshiError } from "../contracts/errors.ts";
import type { CaseId, EntityId } from "../contracts/ids.ts";
import type { CaseState, EntityState, Principal, Role } from "../privacy/policy.ts";

export const CASE_STATES = ["open", "investigating", "escalated", "reported", "closed"] as const;
export type CaseStateName = (typeof CASE_STATES)[number];
export const DISPOSITIONS = ["false_positive", "no_further_action", "reported"] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export const isCaseState = (s: unknown): s is CaseStateName => typeof s === "string" && (CASE_STATES as readonly string[]).includes(s);
export const isDisposition = (s: unknown): s is Disposition => typeof s === "string" && (DISPOSITIONS as readonly string[]).includes(s);

/** What a case is about: an entity, or an account before identity resolution. */
export type SubjectKind = "entity" | "account";

/** The actor name of the automatic case logic in audit records and case history. */
export const SYSTEM_ACTOR = "system:cases";

/** An account a case touches, with the exchange (tenant) that holds it. */
export interface CaseAccount {
  readonly accountId: string;
  /** The exchange holding the account (the source of the events naming it); "?" when unknown. */
  readonly owner: string;
}

/** The owner recorded for an account no event names (it then shows as a pseudonym to everyone). */
export const UNKNOWN_OWNER = "?";

export interface CaseRecord {
  readonly id: CaseId;
  /** The entity id, or the account id when `subjectKind` is "account". */
  readonly entityId: EntityId;
  readonly subjectKind: SubjectKind;
  readonly state: CaseStateName;
  readonly disposition: Disposition | null;
  /** The highest risk score the subject reached while the case was open (0–100): what suspicion is judged by. */
  readonly score: number;
  /** The risk score at the latest alert that joined. */
  readonly lastScore: number;
  readonly assignee: string | null;
  /** A principal id, or SYSTEM_ACTOR for a case opened by the score. */
  readonly openedBy: string;
  readonly openedReason: "score" | "manual";
  /** Wall-clock instants (RFC 3339 UTC). */
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly closedAt: string | null;
  readonly reportedAt: string | null;
  readonly dueAt: string | null;
  /** Event time of the first and latest alert in the case (RFC 3339 as the alerts carry it). */
  readonly firstAlertTs: string | null;
  readonly lastAlertTs: string | null;
  readonly alertCount: number;
  /** Exchanges whose accounts the case touches (what an exchange officer's view is scoped by). */
  readonly tenants: readonly string[];
  /** Bumped on every change; a write names the version it read (optimistic concurrency). */
  readonly version: number;
}

export interface CaseHistoryEntry {
  readonly seq: number;
  /** Wall clock, RFC 3339 UTC. */
  readonly at: string;
  readonly actor: string;
  /** `open`, `transition`, `assign`, `note`, `evidence`, `alerts` */
  readonly action: string;
  /** Ids, states, counts: never personal data and never note text. */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface CaseNote {
  readonly id: string;
  readonly at: string;
  readonly author: string;
  readonly text: string;
}

export interface GraphNode {
  readonly id: string;
  readonly kind: string;
  readonly label?: string;
}
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: string;
  /** Event keys behind the edge. */
  readonly events?: readonly string[];
}
export interface GraphSnapshot {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export type EvidenceInput =
  | { readonly kind: "event"; readonly ref: string; readonly label?: string }
  | { readonly kind: "alert"; readonly ref: string; readonly label?: string }
  | { readonly kind: "graph"; readonly label?: string; readonly graph: GraphSnapshot };

export type Evidence = EvidenceInput & { readonly id: string; readonly addedBy: string; readonly addedAt: string };

// ---- the state machine ---------------------------------------------------------------------------

interface TransitionRule {
  readonly from: CaseStateName;
  readonly to: CaseStateName;
  readonly roles: readonly Role[];
  /** Closing needs one of these; other transitions take none. */
  readonly dispositions?: readonly Disposition[];
}

const WORKERS: readonly Role[] = ["exchange_officer", "analyst", "supervisor"];
const DISMISS: readonly Disposition[] = ["false_positive", "no_further_action"];

/** Every allowed transition and who may make it. */
export const TRANSITIONS: readonly TransitionRule[] = [
  { from: "open", to: "investigating", roles: WORKERS },
  { from: "open", to: "closed", roles: ["analyst", "supervisor"], dispositions: DISMISS },
  { from: "investigating", to: "escalated", roles: WORKERS },
  { from: "investigating", to: "closed", roles: ["analyst", "supervisor"], dispositions: DISMISS },
  { from: "escalated", to: "investigating", roles: ["supervisor"] },
  { from: "escalated", to: "reported", roles: ["supervisor"] },
  { from: "escalated", to: "closed", roles: ["supervisor"], dispositions: DISMISS },
  { from: "reported", to: "closed", roles: ["supervisor"], dispositions: ["reported"] },
  { from: "closed", to: "investigating", roles: ["supervisor"] },
];

export type CaseDecision = { readonly allow: true } | { readonly allow: false; readonly kind: "forbidden" | "conflict" | "bad_input"; readonly message: string };
const ALLOW: CaseDecision = { allow: true };
const no = (kind: "forbidden" | "conflict" | "bad_input", message: string): CaseDecision => ({ allow: false, kind, message });

/** Throws the KanshiError a refusal stands for. */
export function enforce(d: CaseDecision, path?: string): void {
  if (!d.allow) throw new KanshiError(d.kind, d.message, path);
}

/** Which states `principal` may move a case in `from` to (for the UI; the server re-checks). */
export function nextStates(principal: Principal, from: CaseStateName): CaseStateName[] {
  return TRANSITIONS.filter((t) => t.from === from && t.roles.includes(principal.role)).map((t) => t.to);
}

/** May `principal` move a case from `from` to `to`, with this disposition? (Visibility is checked separately.) */
export function canTransition(principal: Principal, from: CaseStateName, to: unknown, disposition?: unknown): CaseDecision {
  if (!isCaseState(to)) return no("bad_input", `expected one of ${CASE_STATES.join(", ")}`);
  const rule = TRANSITIONS.find((t) => t.from === from && t.to === to);
  if (!rule) {
    const allowed = TRANSITIONS.filter((t) => t.from === from).map((t) => t.to);
    return no("conflict", `a ${from} case cannot move to ${to}; from ${from} it can go to ${allowed.join(" or ") || "nothing"}`);
  }
  if (!rule.roles.includes(principal.role)) return no("forbidden", `a ${principal.role} cannot move a case from ${from} to ${to} (${rule.roles.join(", ")} can)`);
  if (rule.dispositions) {
    if (disposition === undefined || disposition === null) return no("bad_input", `closing a ${from} case needs a disposition: ${rule.dispositions.join(" or ")}`);
    if (!isDisposition(disposition) || !rule.dispositions.includes(disposition)) {
      return no("bad_input", `a ${from} case closes as ${rule.dispositions.join(" or ")}, not ${JSON.stringify(String(disposition).slice(0, 32))}`);
    }
  } else if (disposition !== undefined && disposition !== null) {
    return no("bad_input", `only closing takes a disposition; moving to ${to} does not`);
  }
  return ALLOW;
}

const READERS: readonly Role[] = ["exchange_officer", "analyst", "supervisor", "regulator"];

/**
 * May `principal` see this case at all? Analysts, supervisors and regulators see every case; an
 * exchange officer only cases touching its exchange's accounts; others none.
 */
export function canSee(principal: Principal, c: Pick<CaseRecord, "tenants">): boolean {
  if (!READERS.includes(principal.role)) return false;
  if (principal.role === "exchange_officer") return typeof principal.tenant === "string" && principal.tenant !== "" && c.tenants.includes(principal.tenant);
  return true;
}

/** May `principal` read cases (list them)? Refusal names why. */
export function canReadCases(principal: Principal): CaseDecision {
  if (!READERS.includes(principal.role)) return no("forbidden", `a ${principal.role} cannot read cases`);
  if (principal.role === "exchange_officer" && (typeof principal.tenant !== "string" || principal.tenant === "")) return no("forbidden", "an exchange officer must act for an exchange");
  return ALLOW;
}

/** Notes and evidence: the people who work cases. */
export function canAnnotate(principal: Principal): CaseDecision {
  return WORKERS.includes(principal.role) ? ALLOW : no("forbidden", `a ${principal.role} cannot add notes or evidence to cases`);
}

/**
 * Assignment: analysts and supervisors assign anyone (or nobody); an exchange officer may take a case
 * itself or give up its own assignment. Due dates: analysts and supervisors.
 */
export function canAssign(principal: Principal, current: string | null, assignee: string | null, changesDue: boolean): CaseDecision {
  if (principal.role === "analyst" || principal.role === "supervisor") return ALLOW;
  if (principal.role === "exchange_officer") {
    if (changesDue) return no("forbidden", "an exchange officer cannot set due dates");
    if (assignee === principal.id) return ALLOW;
    if (assignee === null && current === principal.id) return ALLOW;
    return no("forbidden", "an exchange officer can assign a case only to itself");
  }
  return no("forbidden", `a ${principal.role} cannot assign cases`);
}

/** Opening a case by hand: analysts and supervisors on any subject; an officer on its own exchange's accounts. */
export function canOpen(principal: Principal, subjectKind: SubjectKind, accounts: readonly CaseAccount[]): CaseDecision {
  if (principal.role === "analyst" || principal.role === "supervisor") return ALLOW;
  if (principal.role === "exchange_officer") {
    if (subjectKind !== "account") return no("forbidden", "an exchange officer opens cases on its own accounts, not on entities");
    if (accounts.length === 0 || accounts.some((a) => a.owner !== principal.tenant)) return no("forbidden", "an exchange officer opens cases only on its own exchange's accounts");
    return ALLOW;
  }
  return no("forbidden", `a ${principal.role} cannot open cases`);
}

/** How the disclosure policy sees a case state. */
export const policyStatus = (state: CaseStateName): CaseState["status"] => (state === "closed" ? "closed" : "open");

/** The disclosure policy's view of an entity, from its cases. */
export function entityStateOf(entityId: EntityId, cases: readonly Pick<CaseRecord, "id" | "state" | "score">[]): EntityState {
  return { entityId, cases: cases.map((c) => ({ caseId: c.id, status: policyStatus(c.state), score: c.score })) };
}

/** A principal as case history and audit records name it (the same form as server/auth.ts's actorOf). */
export const actorOf = (p: Principal): string => ("tenant" in p ? `${p.id}@${p.role}/${p.tenant}` : `${p.id}@${p.role}`);

// ---- ages and due dates ----------------------------------------------------------------------------

export interface CaseTiming {
  /** Days since the case was opened (or until it closed), one decimal. */
  readonly ageDays: number;
  readonly overdue: boolean;
}

/** Age and overdue at `now` (epoch ms). A closed case's age stops at its closing. */
export function caseTiming(c: Pick<CaseRecord, "openedAt" | "closedAt" | "dueAt" | "state">, now: number): CaseTiming {
  const opened = Date.parse(c.openedAt);
  const end = c.closedAt !== null ? Date.parse(c.closedAt) : now;
  const ageDays = Math.max(0, Math.round(((end - opened) / 86_400_000) * 10) / 10);
  const overdue = c.state !== "closed" && c.state !== "reported" && c.dueAt !== null && Date.parse(c.dueAt) < now;
  return { ageDays, overdue };
}

// ---- checks of caller input ------------------------------------------------------------------------

export const MAX_NOTE_CHARS = 10_000;
export const MAX_GRAPH_NODES = 2_000;
export const MAX_GRAPH_EDGES = 10_000;

/** A note's text: trimmed, 1–10,000 characters. */
export function checkNote(text: unknown, path = "text"): string {
  if (typeof text !== "string") throw badInput("expected a string", path);
  const t = text.trim();
  if (t.length === 0) throw badInput("must not be empty", path);
  if (t.length > MAX_NOTE_CHARS) throw badInput(`at most ${MAX_NOTE_CHARS} characters`, path);
  if (t.includes("\0")) throw badInput("must not contain a NUL character", path);
  return t;
}

/** A graph snapshot's size and references: edges must join nodes it lists. */
export function checkGraph(g: GraphSnapshot, path = "graph"): GraphSnapshot {
  if (g === null || typeof g !== "object" || !Array.isArray(g.nodes) || !Array.isArray(g.edges)) throw badInput("expected { nodes: [...], edges: [...] }", path);
  if (g.nodes.length > MAX_GRAPH_NODES) throw badInput(`at most ${MAX_GRAPH_NODES} nodes`, `${path}.nodes`);
  if (g.edges.length > MAX_GRAPH_EDGES) throw badInput(`at most ${MAX_GRAPH_EDGES} edges`, `${path}.edges`);
  const ids = new Set<string>();
  g.nodes.forEach((n, i) => {
    if (n === null || typeof n !== "object" || typeof n.id !== "string" || n.id === "" || n.id.length > 256) throw badInput("expected a node id of 1–256 characters", `${path}.nodes[${i}].id`);
    if (typeof n.kind !== "string" || n.kind === "" || n.kind.length > 64) throw badInput("expected a kind of 1–64 characters", `${path}.nodes[${i}].kind`);
    if (ids.has(n.id)) throw badInput(`node ${JSON.stringify(n.id.slice(0, 64))} is listed twice`, `${path}.nodes[${i}].id`);
    ids.add(n.id);
  });
  g.edges.forEach((e, i) => {
    if (e === null || typeof e !== "object") throw badInput("expected an edge", `${path}.edges[${i}]`);
    if (!ids.has(e.from)) throw badInput("names no node of the snapshot", `${path}.edges[${i}].from`);
    if (!ids.has(e.to)) throw badInput("names no node of the snapshot", `${path}.edges[${i}].to`);
    if (typeof e.kind !== "string" || e.kind === "" || e.kind.length > 64) throw badInput("expected a kind of 1–64 characters", `${path}.edges[${i}].kind`);
  });
  return g;
}
