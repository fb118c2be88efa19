// GET /v1/alerts/stream: new alerts as server-sent events, as the caller may see them (alert-view.ts).
//
// Each alert is one event: `id: <feed position>`, `event: alert`, `data: <alert JSON>`. A follower
// that reconnects with `Last-Event-ID: n` (browsers' EventSource do this by themselves) gets every
// alert stored after position n from the store's alert feed, then the new ones; without it, only
// alerts stored after it connected (or after `?after=n`). Alerts the caller may not see advance the
// position silently (an `id:` line with no data). A comment line (`: heartbeat`) is sent every
// `heartbeatMs` (default 15 s) so proxies keep the connection open; each heartbeat also reads the
// feed, which picks up alerts saved by other processes.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { ServerResponse } from "node:http";
import { z } from "zod";
import { badInput } from "../../contracts/errors.ts";
import type { DisclosurePolicy } from "../../privacy/policy.ts";
import type { Pseudonymizer } from "../../privacy/pseudonym.ts";
import type { Store } from "../../store/ports.ts";
import { requireAllowed, requirePrincipal } from "../auth.ts";
import type { LivePipeline } from "../plugins/live.ts";
import { errorResponses } from "../schemas.ts";
import { viewAlerts } from "./alerts.ts";

export interface StreamOptions {
  /** ms between heartbeats (default 15000). */
  heartbeatMs?: number;
  /** Alerts read from the feed per query (default 200). */
  pageSize?: number;
}

export interface StreamRouteDeps extends StreamOptions {
  store: Store;
  policy: DisclosurePolicy;
  pseudonyms: Pseudonymizer;
  live: LivePipeline;
}

function parsePosition(v: unknown, where: string): number | undefined {
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "string" || !/^\d{1,15}$/.test(v)) throw badInput("expected a feed position (a whole number)", where);
  return Number(v);
}

function write(res: ServerResponse, text: string): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.resolve();
  if (res.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

export async function streamRoutes(app: FastifyInstance, deps: StreamRouteDeps): Promise<void> {
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const pageSize = deps.pageSize ?? 200;
  const open = new Set<ServerResponse>();
  app.addHook("preClose", async () => {
    for (const res of open) res.end();
  });

  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/alerts/stream",
    {
      schema: {
        summary: "Follow new alerts (server-sent events)",
        description:
          "text/event-stream: `event: alert` with `id:` (feed position) and `data:` (the alert as you may see it, like GET /v1/alerts). Resume with the Last-Event-ID header (or `after`). Heartbeat comments keep the connection open. Roles: those that may list alerts.",
        tags: ["alerts"],
        querystring: z.object({ after: z.string().regex(/^\d{1,15}$/, "expected a feed position (a whole number)").optional().describe("start after this feed position") }),
        headers: z.object({ "last-event-id": z.string().optional() }).passthrough(),
        response: { 200: z.string().describe("text/event-stream"), ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      const principal = requirePrincipal(req);
      requireAllowed(deps.policy.canReadAnalytics(principal));
      const feed = deps.store.alertFeed();
      let cursor = parsePosition(req.headers["last-event-id"], "headers.last-event-id") ?? parsePosition(req.query.after, "query.after") ?? (await feed.head());

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      open.add(res);
      let sentThrough = cursor;
      let running: Promise<void> | null = null;
      let again = false;

      const pump = async (): Promise<void> => {
        for (;;) {
          const rows = await feed.since(cursor, pageSize);
          if (rows.length === 0) break;
          const visible = new Map((await viewAlerts(deps.store, deps, principal, rows.map((r) => r.alert))).map((a) => [a.id, a]));
          let text = "";
          for (const r of rows) {
            const a = visible.get(r.alert.id);
            if (a !== undefined) {
              text += `id: ${r.seq}\nevent: alert\ndata: ${JSON.stringify(a)}\n\n`;
              sentThrough = r.seq;
            }
          }
          cursor = rows.at(-1)!.seq;
          if (cursor !== sentThrough) {
            text += `id: ${cursor}\n\n`;
            sentThrough = cursor;
          }
          await write(res, text);
          if (rows.length < pageSize) break;
        }
      };
      // One pump at a time; a wake-up during a pump runs one more afterwards.
      const wake = () => {
        if (running) {
          again = true;
          return;
        }
        running = (async () => {
          do {
            again = false;
            await pump();
          } while (again && !res.destroyed);
        })()
          .catch((e: unknown) => {
            req.log.error({ err: { message: (e as Error).message } }, "alert stream failed");
            res.end();
          })
          .finally(() => {
            running = null;
          });
      };

      const unsubscribe = deps.live.subscribe(wake);
      const beat = setInterval(() => {
        void write(res, ": heartbeat\n\n");
        wake();
      }, heartbeatMs);
      beat.unref();
      res.on("close", () => {
        clearInterval(beat);
        unsubscribe();
        open.delete(res);
      });
      await write(res, `retry: 3000\n: connected at feed position ${cursor}\n\n`);
      wake();
    },
  );
}
