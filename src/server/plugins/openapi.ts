// The OpenAPI 3 document, generated from the routes' zod schemas (@fastify/swagger with
// fastify-type-provider-zod's transform), served at /openapi.json, and the Swagger UI explorer at
// /docs (@fastify/swagger-ui, assets served from the package, no CDN). Both are public. Every route
// needs credentials unless its schema says `security: []`.
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { CSRF_HEADER, SESSION_COOKIE } from "../auth.ts";

export const API_VERSION = "1.0.0";

export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Kanshi API",
        version: API_VERSION,
        description:
          "Surveillance of crypto-asset trading across a consortium of exchanges. Errors share one shape: `{ error: { code, message, path? } }`. " +
          `Machines authenticate with \`Authorization: Bearer kk_…\` (an API key); people log in with POST /v1/session and send the \`${SESSION_COOKIE}\` cookie, plus the \`${CSRF_HEADER}\` header on POST/PUT/PATCH/DELETE. ` +
          "Requests are rate limited per principal (429 rate_limited with Retry-After).",
      },
      components: {
        securitySchemes: {
          apiKey: { type: "http", scheme: "bearer", bearerFormat: "kk_<id>_<secret>", description: "An API key (kanshi keys create)" },
          session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: `A login session (POST /v1/session); unsafe methods also need the ${CSRF_HEADER} header` },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list", deepLinking: true }, staticCSP: true });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
