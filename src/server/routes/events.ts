// POST /v1/events: a batch of events (JSON array, one object, or NDJSON), each validated and answered
// on its own. Only a data provider or an exchange officer may submit, and only events whose `source`
// is its own organisation (policy.canWriteEvents); another source's events are rejected one by one
// at `events[i].source`, like any invalid event.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { badInput } from "../../contracts/errors.ts";
import { ingestBatch } from "../../ingest/ingest.ts";
import type { DisclosurePolicy } from "../../privacy/policy.ts";
import type { Store } from "../../store/ports.ts";
import { requireRole } from "../auth.ts";
import type { LivePipeline } from "../plugins/live.ts";
import { ErrorBodySchema, errorResponses } from "../schemas.ts";

export interface EventRouteDeps {
  store: Store;
  policy: DisclosurePolicy;
  live: LivePipeline;
}

const ItemResult = z.union([
  z.object({ index: z.number().int(), status: z.enum(["accepted", "duplicate", "not_stored"]), key: z.string().describe("source:id") }),
  z.object({ index: z.number().int(), status: z.literal("rejected"), errors: z.array(z.object({ path: z.string(), message: z.string() })) }),
]);

export const IngestResponseSchema = z.object({
  accepted: z.number().int(),
  duplicate: z.number().int(),
  rejected: z.number().int(),
  results: z.array(ItemResult).describe("one per event, in the order sent"),
});

export async function eventRoutes(app: FastifyInstance, deps: EventRouteDeps): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/v1/events",
    {
      schema: {
        summary: "Submit events",
        description:
          "A JSON array of events (CONTRACT.md), one event object, or NDJSON (application/x-ndjson, one event a line). Each event is answered in `results`: accepted, duplicate (already stored), or rejected with field paths. Roles: data_provider or exchange_officer, for events whose `source` is the caller's own organisation. `atomic=true` stores all or none. 400 when nothing was stored.",
        tags: ["events"],
        querystring: z.object({ atomic: z.enum(["true", "false", "1", "0"]).optional().describe("all or nothing") }),
        body: z.unknown().describe("an array of events, one event, or NDJSON text"),
        response: { ...errorResponses(413, 415), 200: IngestResponseSchema, 400: z.union([IngestResponseSchema, ErrorBodySchema]) },
      },
    },
    async (req, reply) => {
      const principal = requireRole(req, "data_provider", "exchange_officer");
      const atomic = req.query.atomic === "true" || req.query.atomic === "1";
      const body = req.body;
      let values: unknown[];
      if (Array.isArray(body)) values = body;
      else if (body !== null && typeof body === "object") values = [body];
      else throw badInput("expected a JSON array of events (or NDJSON, one event a line)", "body");
      const result = await ingestBatch(deps.store, values, {
        atomic,
        authorize: (e) => {
          const d = deps.policy.canWriteEvents(principal, e.source);
          return d.allow ? null : { path: "source", message: d.message };
        },
      });
      await deps.live.ingested(result);
      const nothingStored = result.accepted + result.duplicate === 0;
      return reply.status(nothingStored ? 400 : 200).send({ accepted: result.accepted, duplicate: result.duplicate, rejected: result.rejected, results: result.results });
    },
  );
}
