// Disclosure over HTTP (the use cases are src/disclosure/service.ts; the rules privacy/policy.ts):
//
//   POST /v1/disclosures                       file a request (analyst, supervisor, regulator)
//   GET  /v1/disclosures                       your requests; supervisors also everyone's pending ones
//   GET  /v1/disclosures/:id                   one request (its requester, supervisors)
//   POST /v1/disclosures/:id/approve|refuse    a supervisor other than the requester decides, once
//   POST /v1/disclosures/:id/revoke            the requester (withdraw) or a supervisor ends it now
//   GET  /v1/entities/:id/personal-data?fields=name,dateOfBirth[&grant=dr_…]
//                                              reveal: an officer its own exchange's records; a grant
//                                              holder the granted fields while the grant lasts
//
// A policy "no" answers with its reason code in the error body (`error.reason`: not_suspect,
// self_approval, field_not_granted, expired, cross_tenant, …) and its kind's status: 403 for a
// refusal, 409 for a state conflict (deciding a decided request, a stale one), 404 for an unknown
// request or case, 400 for a malformed request. No answer, error or log line carries personal data;
// the written purpose is shown only to the requester and supervisors.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { DISCLOSURE_STATES } from "../../store/disclosures.ts";
import { MAX_PURPOSE, MAX_REASON, parseFields, type DisclosureService } from "../../disclosure/service.ts";
import { PERSONAL_FIELDS, ROLES } from "../../privacy/policy.ts";
import { requirePrincipal } from "../auth.ts";
import { ErrorBodySchema } from "../schemas.ts";

export interface DisclosureRouteDeps {
  disclosures: DisclosureService;
}

const DisclosureErrorSchema = z
  .object({
    error: ErrorBodySchema.shape.error.extend({
      reason: z.string().optional().describe("the disclosure policy's reason code, when the policy said no (not_suspect, self_approval, field_not_granted, expired, …)"),
    }),
  })
  .describe("The API's error shape, with the policy's reason code");

type Status = 400 | 404 | 409;
function errors(...statuses: Status[]): Record<number, typeof DisclosureErrorSchema> {
  const out: Record<number, typeof DisclosureErrorSchema> = {};
  for (const s of [401, 403, 429, ...statuses]) out[s] = DisclosureErrorSchema;
  return out;
}

const Field = z.enum(PERSONAL_FIELDS);
const Time = z.string().describe("RFC 3339 UTC");
const Id = z.string().min(1).max(128);

const DisclosureViewSchema = z
  .object({
    requestId: z.string(),
    entityId: z.string(),
    caseId: z.string(),
    requestedBy: z.string().describe("the requester's principal id"),
    requesterRole: z.enum(ROLES),
    purpose: z.string().describe("the written purpose (shown to the requester and supervisors only)"),
    fields: z.array(Field).readonly(),
    durationMs: z.number().int(),
    requestedAt: Time,
    state: z.enum(DISCLOSURE_STATES as ["pending", "approved", "refused", "revoked", "expired"]).describe("expired: pending too long, or the grant ran out"),
    grant: z.object({ approvedBy: z.string(), approvedAt: Time, expiresAt: Time, revokedAt: Time.nullable() }).nullable(),
    decisions: z.array(z.object({ decision: z.enum(["approve", "refuse", "revoke"]), by: z.string(), role: z.enum(ROLES), at: Time, reason: z.string().nullable() })).readonly(),
  })
  .describe("A disclosure request and what became of it");

const RequestBody = z.object({
  entityId: Id.describe("the entity whose personal data is asked for"),
  caseId: Id.describe("the open case, at or above the disclosure threshold, that makes the entity a suspect"),
  purpose: z.string().min(1).max(MAX_PURPOSE).describe("why, in words (at least the policy's minimum length); never logged"),
  fields: z.array(Field).min(1).max(PERSONAL_FIELDS.length).describe("the personal fields wanted"),
  durationMs: z.number().int().min(1).optional().describe("how long the grant lasts once approved, ms (default 24 h, at most the policy's maximum)"),
});

const ReasonBody = z.object({ reason: z.string().min(1).max(MAX_REASON).optional().describe("a note for the record (sealed; never logged)") }).optional();
const RefuseBody = z.object({ reason: z.string().min(1).max(MAX_REASON).describe("why not (sealed; shown to the requester and supervisors)") });
const IdParams = z.object({ id: Id });

const ListQuery = z.object({
  scope: z.enum(["mine", "pending"]).optional().describe("supervisors: only your requests, or only everyone's pending ones (default both)"),
  state: z.enum(DISCLOSURE_STATES as ["pending", "approved", "refused", "revoked", "expired"]).optional(),
  entityId: Id.optional(),
  limit: z.coerce.number({ error: "expected a number" }).int("expected a whole number").min(1).max(200).optional().describe("page size, default 50"),
  cursor: z.string().min(1).max(512).optional(),
});

const PersonalDataQuery = z.object({
  fields: z.string().min(1).max(1000).describe(`comma-separated personal fields: ${PERSONAL_FIELDS.join(", ")}`),
  grant: Id.optional().describe("the disclosure request whose grant to use (default: your newest grant that covers every field)"),
});

const RevealSchema = z
  .object({
    entityId: z.string(),
    via: z.enum(["own_tenant", "grant"]),
    grant: z.string().nullable(),
    expiresAt: Time.nullable(),
    fields: z.array(Field).readonly(),
    records: z.array(z.object({ recordId: z.string(), owner: z.string(), fields: z.record(z.string(), z.unknown()) })).readonly(),
  })
  .describe("Personal data, audited as pii.reveal");

export async function disclosureRoutes(app: FastifyInstance, deps: DisclosureRouteDeps): Promise<void> {
  const svc = deps.disclosures;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    "/v1/disclosures",
    {
      schema: {
        summary: "Request disclosure",
        description: "An analyst, supervisor or regulator asks for named personal fields of a suspect entity, naming the case and a written purpose. Answers the pending request.",
        tags: ["disclosures"],
        body: RequestBody,
        response: { 201: DisclosureViewSchema, ...errors(400, 404, 409) },
      },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const fields = parseFields(req.body.fields, "body.fields");
      return reply.status(201).send(await svc.request(p, { ...req.body, fields }));
    },
  );

  r.get(
    "/v1/disclosures",
    {
      schema: {
        summary: "List disclosure requests",
        description: "Your own requests, newest first; supervisors also see everyone's pending requests.",
        tags: ["disclosures"],
        querystring: ListQuery,
        response: { 200: z.object({ items: z.array(DisclosureViewSchema), nextCursor: z.string().nullable() }), ...errors(400) },
      },
    },
    async (req) => svc.list(requirePrincipal(req), req.query),
  );

  r.get(
    "/v1/disclosures/:id",
    {
      schema: {
        summary: "One disclosure request",
        description: "Visible to its requester and to supervisors (404 for anyone else).",
        tags: ["disclosures"],
        params: IdParams,
        response: { 200: DisclosureViewSchema, ...errors(400, 404) },
      },
    },
    async (req) => svc.get(requirePrincipal(req), req.params.id),
  );

  r.post(
    "/v1/disclosures/:id/approve",
    {
      schema: {
        summary: "Approve a disclosure request",
        description: "A supervisor other than the requester; the entity must still be a suspect. 409 when the request is no longer pending.",
        tags: ["disclosures"],
        params: IdParams,
        body: ReasonBody,
        response: { 200: DisclosureViewSchema, ...errors(400, 404, 409) },
      },
    },
    async (req) => svc.approve(requirePrincipal(req), req.params.id, { reason: req.body?.reason }),
  );

  r.post(
    "/v1/disclosures/:id/refuse",
    {
      schema: {
        summary: "Refuse a disclosure request",
        description: "A supervisor other than the requester, with a written reason. 409 when the request is no longer pending.",
        tags: ["disclosures"],
        params: IdParams,
        body: RefuseBody,
        response: { 200: DisclosureViewSchema, ...errors(400, 404, 409) },
      },
    },
    async (req) => svc.refuse(requirePrincipal(req), req.params.id, { reason: req.body.reason }),
  );

  r.post(
    "/v1/disclosures/:id/revoke",
    {
      schema: {
        summary: "Revoke a disclosure request or grant",
        description: "Its requester (withdrawing) or a supervisor ends a pending request or an approved grant at once.",
        tags: ["disclosures"],
        params: IdParams,
        body: ReasonBody,
        response: { 200: DisclosureViewSchema, ...errors(400, 404, 409) },
      },
    },
    async (req) => svc.revoke(requirePrincipal(req), req.params.id, { reason: req.body?.reason }),
  );

  r.get(
    "/v1/entities/:id/personal-data",
    {
      schema: {
        summary: "Reveal an entity's personal data",
        description:
          "An exchange officer: its own exchange's records of the entity. An analyst, supervisor or regulator: every owner's records under an approved, unexpired grant that names every field, while the entity is still a suspect. All fields or none; every reveal and refusal is audited.",
        tags: ["disclosures"],
        params: IdParams,
        querystring: PersonalDataQuery,
        response: { 200: RevealSchema, ...errors(400, 404, 409) },
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const fields = parseFields(
        req.query.fields.split(",").map((f) => f.trim()),
        "query.fields",
      );
      return svc.reveal(p, req.params.id, fields, { grant: req.query.grant });
    },
  );
}
