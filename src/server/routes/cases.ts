// Cases over HTTP (the use cases are src/cases/service.ts; who may do what src/cases/model.ts):
//
//   GET  /v1/cases                      cases you may see: filters state, assignee, entity, account,
//                                       minScore, maxScore; sort; cursor pages
//   POST /v1/cases                      open a case by hand on a subject
//   GET  /v1/cases/:id                  one case: accounts, alerts, history, notes, evidence
//   POST /v1/cases/:id/transitions      move it (closing needs a disposition)
//   POST /v1/cases/:id/assign           assign / unassign, set the due date
//   POST /v1/cases/:id/notes            add a note (sealed at rest, never logged or audited as text)
//   POST /v1/cases/:id/evidence         attach a stored event, a stored alert or a graph snapshot
//
// Analysts, supervisors and regulators see every case; an exchange officer only cases touching its
// exchange's accounts (others answer 404); accounts of other exchanges appear as pseudonyms.
// Every change is audited (case.open, case.transition, case.assign, case.note, case.evidence).
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AlertSchema } from "../../contracts/alerts.ts";
import { KanshiError } from "../../contracts/errors.ts";
import { CASE_STATES, DISPOSITIONS, isCaseState, type CaseService, type CaseStateName } from "../../cases/index.ts";
import { CASE_SORTS } from "../../store/cases.ts";
import { requirePrincipal } from "../auth.ts";
import { errorResponses } from "../schemas.ts";

export interface CaseRouteDeps {
  cases: CaseService;
}

/** A service error about the request body, named where it is in the request (`body.to`). */
export async function inRequest<T>(where: "body" | "query", fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof KanshiError && e.path !== undefined && !e.path.startsWith(`${where}.`)) {
      const message = e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message;
      throw new KanshiError(e.kind, message, `${where}.${e.path}`);
    }
    throw e;
  }
}

const Time = z.string().describe("RFC 3339");
const State = z.enum(CASE_STATES);
const Disposition = z.enum(DISPOSITIONS);
const Id = z.string().min(1).max(256);

export const ShownAccountSchema = z.object({
  id: z.string().describe("the account id (your own exchange's) or its pseudonym ps_…"),
  view: z.enum(["raw", "pseudonym"]),
  exchange: z.string().nullable().describe("the exchange holding it; null when unknown"),
});

export const CaseViewSchema = z
  .object({
    id: z.string(),
    subject: z.object({ kind: z.enum(["entity", "account"]), id: z.string().describe("entity id, or the account as you may see it") }),
    state: State,
    disposition: Disposition.nullable(),
    score: z.number().describe("the highest risk score (0–100) its subject reached while the case was open: what suspicion is judged by"),
    lastScore: z.number().describe("the risk score at the latest alert that joined"),
    suspect: z.boolean().describe("not closed and at or above the disclosure threshold: its subject is a suspect"),
    assignee: z.string().nullable(),
    openedBy: z.string(),
    openedReason: z.enum(["score", "manual"]),
    openedAt: Time,
    updatedAt: Time,
    closedAt: Time.nullable(),
    reportedAt: Time.nullable(),
    dueAt: Time.nullable(),
    ageDays: z.number(),
    overdue: z.boolean(),
    firstAlertTs: Time.nullable().describe("event time of its first alert"),
    lastAlertTs: Time.nullable(),
    alertCount: z.number().int(),
    exchanges: z.array(z.string()).readonly().describe("exchanges whose accounts it touches"),
    version: z.number().int().describe("pass as expectedVersion to change it only if nobody else did meanwhile"),
    nextStates: z.array(State).readonly().describe("states you may move it to now"),
  })
  .describe("A case as you may see it");

const GraphSchema = z.object({
  nodes: z.array(z.object({ id: z.string().min(1).max(256), kind: z.string().min(1).max(64) })).max(2000).readonly(),
  edges: z
    .array(z.object({ from: z.string().min(1).max(256), to: z.string().min(1).max(256), kind: z.string().min(1).max(64), events: z.array(z.string().max(256)).max(100).readonly().optional() }))
    .max(10_000)
    .readonly(),
});

const EvidenceViewSchema = z.object({
  id: z.string(),
  kind: z.enum(["event", "alert", "graph"]),
  ref: z.string().optional().describe("event key source:id, or alert id"),
  graph: GraphSchema.optional(),
  addedBy: z.string(),
  addedAt: Time,
});

const NoteSchema = z.object({ id: z.string(), at: Time, author: z.string(), text: z.string() });

export const CaseDetailSchema = CaseViewSchema.extend({
  accounts: z.array(ShownAccountSchema).readonly(),
  alerts: z.array(AlertSchema).readonly().describe("its alerts, accounts shown as you may see them"),
  history: z.array(z.object({ seq: z.number(), at: Time, actor: z.string(), action: z.string(), details: z.record(z.string(), z.unknown()) })).readonly(),
  notes: z.array(NoteSchema).readonly(),
  evidence: z.array(EvidenceViewSchema).readonly(),
}).describe("A case with its accounts, alerts, history, notes and evidence");

const ListQuery = z.object({
  state: z
    .string()
    .max(200)
    .optional()
    .describe(`comma-separated states: ${CASE_STATES.join(", ")}`),
  assignee: z.string().min(1).max(128).optional().describe("principal id, or none for unassigned cases"),
  entity: Id.optional().describe("entity id, account pseudonym ps_…, or (officers) your own account id"),
  account: Id.optional().describe("cases touching this account: a pseudonym ps_…, or (officers) your own account id"),
  minScore: z.coerce.number({ error: "expected a number" }).min(0).max(100).optional(),
  maxScore: z.coerce.number({ error: "expected a number" }).min(0).max(100).optional(),
  sort: z.enum(CASE_SORTS).optional().describe("default -openedAt (newest first); - for descending"),
  limit: z.coerce.number({ error: "expected a number" }).int("expected a whole number").min(1).max(200).optional().describe("page size, default 50"),
  cursor: z.string().min(1).max(512).optional(),
});

const OpenBody = z.object({
  subject: Id.describe("an entity id, an account pseudonym ps_…, or (officers) your own exchange's account id"),
  note: z.string().min(1).max(10_000).optional().describe("why (sealed; never logged)"),
  assignee: z.string().min(1).max(128).nullable().optional(),
  dueAt: Time.nullable().optional().describe("default: 30 days from now"),
});

const TransitionBody = z.object({
  to: State,
  disposition: Disposition.nullable().optional().describe("closing only: false_positive, no_further_action, or reported (a reported case)"),
  note: z.string().min(1).max(10_000).optional(),
  expectedVersion: z.number().int().min(1).optional(),
});

const AssignBody = z.object({
  assignee: z.string().min(1).max(128).nullable().optional().describe("principal id (user:alice, key:…), null to unassign"),
  dueAt: Time.nullable().optional().describe("null for none"),
  expectedVersion: z.number().int().min(1).optional(),
});

const NoteBody = z.object({ text: z.string().min(1).max(10_000) });

const EvidenceBody = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("event"), ref: z.string().min(3).max(300).describe("event key source:id") }),
  z.object({ kind: z.literal("alert"), ref: Id.describe("alert id") }),
  z.object({ kind: z.literal("graph"), graph: GraphSchema.describe("nodes and edges, as GET /v1/entities/:id/graph gives them (accounts as pseudonyms)") }),
]);

const IdParams = z.object({ id: Id });

function states(raw: string | undefined): CaseStateName[] | undefined {
  if (raw === undefined) return undefined;
  const list = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  list.forEach((s, i) => {
    if (!isCaseState(s)) throw new KanshiError("bad_input", `expected ${CASE_STATES.join(", ")}; got ${JSON.stringify(s.slice(0, 32))} (item ${i + 1})`, "query.state");
  });
  return list.length ? (list as CaseStateName[]) : undefined;
}

export async function caseRoutes(app: FastifyInstance, deps: CaseRouteDeps): Promise<void> {
  const svc = deps.cases;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/v1/cases",
    {
      schema: {
        summary: "List cases",
        description: "Cases you may see (an exchange officer: those touching its accounts), filtered and sorted, a page at a time.",
        tags: ["cases"],
        querystring: ListQuery,
        response: { 200: z.object({ items: z.array(CaseViewSchema), nextCursor: z.string().nullable() }), ...errorResponses(400) },
      },
    },
    async (req) => {
      const q = req.query;
      const st = states(q.state);
      return inRequest("query", () =>
        svc.list(requirePrincipal(req), {
          ...(st ? { states: st } : {}),
          ...(q.assignee !== undefined ? { assignee: q.assignee === "none" ? null : q.assignee } : {}),
          ...(q.entity !== undefined ? { entity: q.entity } : {}),
          ...(q.account !== undefined ? { account: q.account } : {}),
          ...(q.minScore !== undefined ? { minScore: q.minScore } : {}),
          ...(q.maxScore !== undefined ? { maxScore: q.maxScore } : {}),
          ...(q.sort !== undefined ? { sort: q.sort } : {}),
          ...(q.limit !== undefined ? { limit: q.limit } : {}),
          ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        }),
      );
    },
  );

  r.post(
    "/v1/cases",
    {
      schema: {
        summary: "Open a case",
        description: "An analyst or supervisor on any subject, an exchange officer on its own exchange's accounts. The subject's alerts in no case join it. 409 when the subject already has an active case.",
        tags: ["cases"],
        body: OpenBody,
        response: { 201: CaseDetailSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const c = await inRequest("body", () =>
        svc.open(requirePrincipal(req), { subject: b.subject, ...(b.note !== undefined ? { note: b.note } : {}), ...(b.assignee !== undefined ? { assignee: b.assignee } : {}), ...(b.dueAt !== undefined ? { dueAt: b.dueAt } : {}) }),
      );
      return reply.status(201).send(c);
    },
  );

  r.get(
    "/v1/cases/:id",
    {
      schema: { summary: "One case", description: "404 also for a case you may not see.", tags: ["cases"], params: IdParams, response: { 200: CaseDetailSchema, ...errorResponses(404) } },
    },
    async (req) => svc.get(requirePrincipal(req), req.params.id),
  );

  r.post(
    "/v1/cases/:id/transitions",
    {
      schema: {
        summary: "Move a case to another state",
        description:
          "open → investigating → escalated → reported → closed; open, investigating and escalated cases close as false_positive or no_further_action, a reported one as reported; a supervisor sends an escalated case back or reopens a closed one. 403 for a role that may not, 409 for a move the state does not allow or a stale expectedVersion.",
        tags: ["cases"],
        params: IdParams,
        body: TransitionBody,
        response: { 200: CaseDetailSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (req) => {
      const b = req.body;
      return inRequest("body", () =>
        svc.transition(requirePrincipal(req), req.params.id, {
          to: b.to,
          ...(b.disposition !== undefined ? { disposition: b.disposition } : {}),
          ...(b.note !== undefined ? { note: b.note } : {}),
          ...(b.expectedVersion !== undefined ? { expectedVersion: b.expectedVersion } : {}),
        }),
      );
    },
  );

  r.post(
    "/v1/cases/:id/assign",
    {
      schema: {
        summary: "Assign a case, set its due date",
        description: "Analysts and supervisors assign anyone and set due dates; an exchange officer may take a case itself or give up its own assignment.",
        tags: ["cases"],
        params: IdParams,
        body: AssignBody,
        response: { 200: CaseDetailSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (req) => {
      const b = req.body;
      return inRequest("body", () =>
        svc.assign(requirePrincipal(req), req.params.id, {
          ...(b.assignee !== undefined ? { assignee: b.assignee } : {}),
          ...(b.dueAt !== undefined ? { dueAt: b.dueAt } : {}),
          ...(b.expectedVersion !== undefined ? { expectedVersion: b.expectedVersion } : {}),
        }),
      );
    },
  );

  r.post(
    "/v1/cases/:id/notes",
    {
      schema: {
        summary: "Add a note to a case",
        description: "Sealed at rest; its text is never logged and never in the audit trail (which records its id and length).",
        tags: ["cases"],
        params: IdParams,
        body: NoteBody,
        response: { 201: NoteSchema, ...errorResponses(400, 404) },
      },
    },
    async (req, reply) => reply.status(201).send(await inRequest("body", () => svc.addNote(requirePrincipal(req), req.params.id, req.body.text))),
  );

  r.post(
    "/v1/cases/:id/evidence",
    {
      schema: {
        summary: "Attach evidence to a case",
        description: "A stored event (source:id), a stored alert, or a graph snapshot whose account, IP, device and bank-account nodes are pseudonyms (an officer's own account ids are turned into theirs).",
        tags: ["cases"],
        params: IdParams,
        body: EvidenceBody,
        response: { 201: EvidenceViewSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (req, reply) => reply.status(201).send(await inRequest("body", () => svc.addEvidence(requirePrincipal(req), req.params.id, req.body))),
  );
}
