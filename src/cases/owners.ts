// Which exchange holds an account, learnt from the events that name it: an exchange reports events
// about the accounts it holds, so the source of an account-bearing event is the account's owner.
// (Social links come from researchers and may name an account held elsewhere: they are not used.)
// Pure.
import { UNKNOWN_OWNER } from "./model.ts";

/** Event types whose source holds the accounts they name. */
export const ACCOUNT_EVENT_TYPES: ReadonlySet<string> = new Set([
  "account.opened",
  "account.updated",
  "account.closed",
  "login",
  "deposit",
  "withdrawal",
  "transfer",
  "order.placed",
  "order.cancelled",
  "trade",
]);

const ACCOUNT_FIELDS = ["accountId", "fromAccountId", "toAccountId", "buyAccountId", "sellAccountId"] as const;

/** The account ids an event body names (any of the account fields). */
export function accountsNamed(body: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const f of ACCOUNT_FIELDS) {
    const v = body[f];
    if (typeof v === "string" && v !== "" && !out.includes(v)) out.push(v);
  }
  return out;
}

/** Parses a stored event body; null when it is not a JSON object (never throws). */
export function parseBody(body: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(body);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** account id → the exchanges holding it, from events `{ source, type, body }`. */
export function accountOwners(events: Iterable<{ readonly source: string; readonly type: string; readonly body: string }>): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  for (const e of events) {
    if (!ACCOUNT_EVENT_TYPES.has(e.type)) continue;
    const body = parseBody(e.body);
    if (body === null) continue;
    for (const a of accountsNamed(body)) {
      const s = owners.get(a);
      if (s) s.add(e.source);
      else owners.set(a, new Set([e.source]));
    }
  }
  return owners;
}

/** The owners of `accountId` (sorted), or [UNKNOWN_OWNER] when no event names it. */
export function ownersOf(owners: ReadonlyMap<string, ReadonlySet<string>>, accountId: string): string[] {
  const s = owners.get(accountId);
  return s && s.size > 0 ? [...s].sort() : [UNKNOWN_OWNER];
}
