// Shared response schemas of the HTTP API (zod, turned into the OpenAPI document by
// fastify-type-provider-zod): the one error shape, and a helper that lists it for the statuses a
// route can answer with.
import { z } from "zod";
import { ERROR_KINDS, type ErrorKind } from "../contracts/errors.ts";

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_KINDS) as [ErrorKind, ...ErrorKind[]]).describe("the error kind (contracts/errors.ts)"),
      message: z.string().describe("what was wrong and where"),
      path: z.string().optional().describe("where in the request: query.limit, body.cases[2].state, events[3].amount"),
    }),
  })
  .describe("The one error shape of the API");

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503;

/**
 * `{ 401: ErrorBody, 403: ErrorBody, … }` for a route's `schema.response`. Every authenticated route
 * can answer 401, 403 and 429, so those are always included.
 */
export function errorResponses(...statuses: ErrorStatus[]): Record<number, typeof ErrorBodySchema> {
  const out: Record<number, typeof ErrorBodySchema> = {};
  for (const s of [401, 403, 429, ...statuses]) out[s] = ErrorBodySchema;
  return out;
}
