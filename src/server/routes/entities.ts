// Entities over HTTP (src/cases/entities.ts), under pseudonyms:
//
//   GET /v1/entities/:id          the subject's accounts as you may see them, its risk score with each
//                                 alert's contribution, its alerts and cases
//   GET /v1/entities/:id/graph    its link graph: accounts, addresses, shared identifiers (IPs,
//                                 devices, bank accounts, as pseudonyms), and the moves between them
//
// `:id` is an entity id, an account pseudonym `ps_…`, or (exchange officers) an account id of their
// own exchange. An officer sees subjects touching its exchange's accounts only (404 otherwise).
// (GET /v1/entities/:id/personal-data is the disclosure room's, routes/disclosures.ts.)
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AlertSchema } from "../../contracts/alerts.ts";
import type { EntityViews } from "../../cases/index.ts";
import { requirePrincipal } from "../auth.ts";
import { errorResponses } from "../schemas.ts";
import { CaseViewSchema, ShownAccountSchema } from "./cases.ts";

export interface EntityRouteDeps {
  entities: EntityViews;
}

const Id = z.string().min(1).max(256);

const RiskScoreSchema = z
  .object({
    score: z.number().describe("0–100"),
    asOf: z.string().describe("the event time it was computed at"),
    severity: z.enum(["critical", "high", "medium", "low"]),
    contributions: z
      .array(
        z.object({
          alertId: z.string(),
          typology: z.string(),
          ts: z.string(),
          alertScore: z.number(),
          severity: z.enum(["critical", "high", "medium", "low"]),
          ageDays: z.number(),
          decay: z.number().describe("2^(−age / half-life)"),
          rank: z.number().int().describe("position among the alerts of its typology (later ones are damped)"),
          effective: z.number().describe("its strength after weight, decay and damping, 0–100"),
          points: z.number().describe("what it adds to the score; the points add up to the score"),
        }),
      )
      .readonly(),
    future: z.number().int(),
    expired: z.number().int(),
    explanation: z.string(),
  })
  .describe("An entity's risk score (engine/scoring.ts): noisy-OR of its alerts' severities, decayed with a half-life");

const EntityViewSchema = z.object({
  id: z.string(),
  kind: z.enum(["entity", "account"]),
  accounts: z.array(ShownAccountSchema.extend({ role: z.enum(["subject", "involved"]) })).readonly(),
  score: RiskScoreSchema,
  suspect: z.boolean().describe("one of its cases is open at or above the disclosure threshold"),
  alerts: z.array(AlertSchema).readonly().describe("newest first, at most 200"),
  alertCount: z.number().int(),
  cases: z.array(CaseViewSchema).readonly(),
});

const LinkGraphSchema = z.object({
  nodes: z.array(z.object({ id: z.string(), kind: z.string().describe("entity, account, address, ip, device, bank_account"), exchange: z.string().optional() })).readonly(),
  edges: z
    .array(z.object({ from: z.string(), to: z.string(), kind: z.string().describe("alerted, login, device, deposit, withdrawal, transfer, trade, chain"), events: z.array(z.string()).readonly().optional(), count: z.number().int() }))
    .readonly(),
  truncated: z.boolean().describe("more events than one graph reads (5,000) were behind it"),
});

const ViewQuery = z.object({
  at: z.iso.datetime({ offset: true, error: "expected an RFC 3339 timestamp with offset" }).optional().describe("compute the score as of this instant (default: the newest alert's event time)"),
});

export async function entityRoutes(app: FastifyInstance, deps: EntityRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/v1/entities/:id",
    {
      schema: {
        summary: "One entity (pseudonymous view)",
        description: "Its accounts as you may see them, its risk score with each alert's contribution, its alerts and its cases.",
        tags: ["entities"],
        params: z.object({ id: Id }),
        querystring: ViewQuery,
        response: { 200: EntityViewSchema, ...errorResponses(400, 404) },
      },
    },
    async (req) => deps.entities.view(requirePrincipal(req), req.params.id, req.query.at === undefined ? {} : { at: Date.parse(req.query.at) }),
  );
  r.get(
    "/v1/entities/:id/graph",
    {
      schema: {
        summary: "An entity's link graph",
        description: "Nodes and edges from the events behind its alerts and its cases' evidence: accounts, blockchain addresses, and shared identifiers (IPs, devices, bank accounts) as pseudonyms.",
        tags: ["entities"],
        params: z.object({ id: Id }),
        response: { 200: LinkGraphSchema, ...errorResponses(400, 404) },
      },
    },
    async (req) => deps.entities.graph(requirePrincipal(req), req.params.id),
  );
}
