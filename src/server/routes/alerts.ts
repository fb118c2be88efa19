// GET /v1/alerts: alerts newest first with filters and cursor paging, as the caller may see them
// (alert-view.ts): roles that may read analytics (policy.canReadAnalytics); an exchange officer only
// alerts that touch its exchange, other exchanges' accounts as pseudonyms; consortium roles every
// alert with pseudonyms for account ids. `account` matches the account as the caller sees it: its own
// raw id (officers) or a pseudonym `ps_…`.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AlertSchema, type Alert } from "../../contracts/alerts.ts";
import type { DisclosurePolicy, Principal } from "../../privacy/policy.ts";
import { isPseudonym, type Pseudonymizer } from "../../privacy/pseudonym.ts";
import type { AlertQuery, Store } from "../../store/ports.ts";
import { evidenceKeys, viewAlert } from "../alert-view.ts";
import { requireAllowed, requirePrincipal } from "../auth.ts";
import { errorResponses } from "../schemas.ts";

export interface AlertRouteDeps {
  store: Store;
  policy: DisclosurePolicy;
  pseudonyms: Pseudonymizer;
}

const timestamp = z.iso.datetime({ offset: true, error: "expected an RFC 3339 timestamp with offset" });

export const AlertQuerySchema = z.object({
  typology: z.string().min(1).max(128).optional().describe("only this typology"),
  account: z.string().min(1).max(128).optional().describe("only alerts naming this account as you see it: your own account id, or a pseudonym ps_…"),
  from: timestamp.optional().describe("ts at or after (inclusive)"),
  to: timestamp.optional().describe("ts before (exclusive)"),
  limit: z.coerce.number({ error: "expected a number" }).int("expected a whole number").min(1).max(500).optional().describe("page size, default 50"),
  cursor: z.string().min(1).max(512).optional().describe("nextCursor of the previous page"),
});

export const AlertPageSchema = z.object({
  items: z.array(AlertSchema),
  nextCursor: z.string().nullable().describe("pass as cursor for the next page; null on the last page. A page may hold fewer than limit items"),
});

/** Store pages read at most to fill one answer page for a caller who sees few of the alerts. */
const MAX_SCAN_PAGES = 20;

/**
 * Alerts as `principal` sees them, with the evidence looked up once per batch. Shared by the list
 * and the live stream.
 */
export async function viewAlerts(store: Store, deps: Omit<AlertRouteDeps, "store">, principal: Principal, alerts: readonly Alert[]): Promise<Alert[]> {
  if (alerts.length === 0) return [];
  const evidence = await store.alertFeed().evidence(evidenceKeys(alerts));
  const ctx = { policy: deps.policy, pseudonyms: deps.pseudonyms, evidence };
  const out: Alert[] = [];
  for (const a of alerts) {
    const v = viewAlert(a, principal, ctx);
    if (v !== null) out.push(v);
  }
  return out;
}

export async function alertRoutes(app: FastifyInstance, deps: AlertRouteDeps): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/v1/alerts",
    {
      schema: {
        summary: "List alerts",
        description:
          "Newest first (ts, then id, descending), keyset-paginated. Roles: exchange_officer (alerts touching its exchange; other exchanges' accounts as pseudonyms), analyst, supervisor, regulator (account ids as pseudonyms).",
        tags: ["alerts"],
        querystring: AlertQuerySchema,
        response: { 200: AlertPageSchema, ...errorResponses(400) },
      },
    },
    async (req) => {
      const principal = requirePrincipal(req);
      requireAllowed(deps.policy.canReadAnalytics(principal));
      const { account, ...rest } = req.query;
      const storeQuery: AlertQuery = { ...rest };
      // A raw id can be pushed down to the store; a pseudonym is matched after viewing.
      if (account !== undefined && !isPseudonym(account)) storeQuery.account = account;
      let cursor = req.query.cursor;
      for (let pages = 1; ; pages++) {
        const page = await deps.store.listAlerts(cursor === undefined ? storeQuery : { ...storeQuery, cursor });
        let items = await viewAlerts(deps.store, deps, principal, page.items);
        if (account !== undefined) items = items.filter((a) => a.accounts.includes(account) || (a.subject.kind === "account" && a.subject.id === account));
        if (items.length > 0 || page.nextCursor === null || pages >= MAX_SCAN_PAGES) return { items, nextCursor: page.nextCursor };
        cursor = page.nextCursor;
      }
    },
  );
}
