// GET /healthz (the process answers) and GET /readyz (the store answers), without credentials.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { KanshiError } from "../../contracts/errors.ts";
import type { Store } from "../../store/ports.ts";
import { ErrorBodySchema } from "../schemas.ts";

export async function healthRoutes(app: FastifyInstance, deps: { store: Store }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/healthz",
    { schema: { summary: "Liveness", tags: ["operations"], security: [], response: { 200: z.object({ status: z.literal("ok") }) } } },
    async () => ({ status: "ok" as const }),
  );
  r.get(
    "/readyz",
    {
      schema: {
        summary: "Readiness: the store answers",
        tags: ["operations"],
        security: [],
        response: { 200: z.object({ status: z.literal("ready"), events: z.number().int() }), 503: ErrorBodySchema },
      },
    },
    async (_req, reply) => {
      try {
        const events = await deps.store.countEvents();
        return { status: "ready" as const, events };
      } catch {
        return reply.status(503).send(new KanshiError("unavailable", "the store is not reachable").toBody());
      }
    },
  );
}
