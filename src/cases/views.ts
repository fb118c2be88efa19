// How accounts and alerts are shown to a principal: an exchange officer sees its own exchange's
// account ids; everyone else who may read cases sees pseudonyms (privacy/pseudonym.ts), also where
// an account id appears inside an alert's explanation or figures.
import type { Alert } from "../contracts/alerts.ts";
import { accountId as toAccountId, tenantId } from "../contracts/ids.ts";
import { viewAccount, type DisclosurePolicy, type Principal, type Pseudonymizer } from "../privacy/index.ts";
import { UNKNOWN_OWNER } from "./model.ts";

export interface ShownAccount {
  /** The account id (own exchange) or its pseudonym. */
  readonly id: string;
  readonly view: "raw" | "pseudonym";
  /** The exchange holding it, or null when unknown. */
  readonly exchange: string | null;
}

export interface AccountShower {
  /** How one account at `owner` is shown; null when the principal may not see accounts at all. */
  show(owner: string, accountId: string): ShownAccount | null;
  /** Among an account's owners, the one this principal sees it under (its own exchange first). */
  pick(owners: readonly string[]): string;
}

export function accountShower(policy: DisclosurePolicy, pseudonyms: Pseudonymizer, principal: Principal): AccountShower {
  const own = principal.role === "exchange_officer" ? principal.tenant : null;
  return {
    show(owner, accountId) {
      const v = viewAccount(policy, pseudonyms, principal, tenantId(owner), toAccountId(accountId));
      if (v.kind === "hidden") return null;
      return { id: v.id, view: v.kind, exchange: owner === UNKNOWN_OWNER ? null : owner };
    },
    pick(owners) {
      if (own !== null && owners.includes(own)) return own;
      return owners[0] ?? UNKNOWN_OWNER;
    },
  };
}

/** Replaces every occurrence of the keys of `ids` in strings inside `v` (objects and arrays walked). */
function replaceIn(v: unknown, ids: ReadonlyMap<string, string>, pattern: RegExp | null): unknown {
  if (pattern === null) return v;
  if (typeof v === "string") return v.replace(pattern, (m) => ids.get(m) ?? m);
  if (Array.isArray(v)) return v.map((x) => replaceIn(x, ids, pattern));
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceIn(x, ids, pattern)]));
  return v;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * An alert as `shower` presents it: its accounts (and an account subject) replaced by what the
 * principal may see, also inside the explanation and details. `owners`: account → exchanges, for the
 * alert's accounts and any other account whose id must not appear raw.
 */
export function showAlert(alert: Alert, owners: ReadonlyMap<string, readonly string[]>, shower: AccountShower): Alert & { readonly accountViews: readonly ShownAccount[] } {
  const ids = new Map<string, string>();
  const views: ShownAccount[] = [];
  // Every account the caller's context knows (the case's, the entity's), so an explanation naming an
  // account outside the alert's own list is covered too.
  const all = new Set([...alert.accounts, ...owners.keys()]);
  if (alert.subject.kind === "account" || all.has(alert.subject.id)) all.add(alert.subject.id);
  for (const a of all) {
    const owner = shower.pick(owners.get(a) ?? [UNKNOWN_OWNER]);
    const v = shower.show(owner, a);
    const shown = v?.id ?? "hidden";
    if (shown !== a) ids.set(a, shown);
    if (v && alert.accounts.includes(a)) views.push(v);
  }
  // Longest ids first, so an id that is a prefix of another is not replaced inside it.
  const keys = [...ids.keys()].filter((k) => k.length >= 3).sort((x, y) => y.length - x.length);
  const pattern = keys.length ? new RegExp(keys.map(escape).join("|"), "g") : null;
  const subjectId = ids.get(alert.subject.id) ?? alert.subject.id;
  const out: Alert = {
    ...alert,
    subject: { kind: alert.subject.kind, id: subjectId },
    accounts: alert.accounts.map((a) => ids.get(a) ?? a),
    explanation: replaceIn(alert.explanation, ids, pattern) as string,
  };
  if (alert.details !== undefined) out.details = replaceIn(alert.details, ids, pattern) as Record<string, unknown>;
  return { ...out, accountViews: views };
}
