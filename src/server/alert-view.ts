// Alerts as a principal may see them (GET /v1/alerts and the live stream).
//
// Who holds an account is read from the alert's evidence: the source of a stored evidence event that
// names the account (an exchange's own account, deposit, withdrawal, order, trade, login or transfer
// events first). Each account is then shown as the disclosure policy's `accountIdView` says: its own
// id to an officer of the exchange that holds it, a pseudonym (`ps_…`, privacy/pseudonym.ts) to
// everyone else who may read analytics. The same replacement is made wherever the id appears in the
// alert (subject, explanation, details), so a raw id of another exchange never reaches an officer, and
// no raw account id reaches an analyst, supervisor or regulator.
//
// An exchange officer sees an alert only when it touches its exchange: one of its accounts, or one of
// the events it supplied. Of the evidence it sees only the keys of its own events. Consortium roles
// see all alerts and all evidence keys (event keys carry no personal data).
import type { Alert } from "../contracts/alerts.ts";
import { accountId, tenantId } from "../contracts/ids.ts";
import type { DisclosurePolicy, Principal } from "../privacy/policy.ts";
import type { Pseudonymizer } from "../privacy/pseudonym.ts";
import type { EvidenceEvent } from "../store/alert-feed.ts";
import { ACCOUNT_EVENT_TYPES } from "../cases/owners.ts";

/** Owner recorded for an account that no stored evidence event names. */
export const UNKNOWN_OWNER = "unattributed";


export interface AlertViewContext {
  readonly policy: DisclosurePolicy;
  readonly pseudonyms: Pseudonymizer;
  /** The stored evidence events of the alerts being viewed, by key. */
  readonly evidence: ReadonlyMap<string, EvidenceEvent>;
}

/** Every evidence key of these alerts (what the view needs looked up). */
export function evidenceKeys(alerts: readonly Alert[]): string[] {
  const keys = new Set<string>();
  for (const a of alerts) for (const k of a.evidence) keys.add(k);
  return [...keys];
}

/** The exchange that holds each account of `alert`, as far as its evidence tells. */
export function accountOwners(alert: Alert, evidence: ReadonlyMap<string, EvidenceEvent>): Map<string, string> {
  const held = new Map<string, string>();
  const named = new Map<string, string>();
  for (const k of alert.evidence) {
    const e = evidence.get(k);
    if (e === undefined) continue;
    const into = ACCOUNT_EVENT_TYPES.has(e.type) ? held : named;
    for (const a of e.accounts) {
      const prev = into.get(a);
      if (prev === undefined || e.source < prev) into.set(a, e.source);
    }
  }
  const owners = new Map<string, string>();
  for (const a of alert.accounts) owners.set(a, held.get(a) ?? named.get(a) ?? UNKNOWN_OWNER);
  if (alert.subject.kind === "account" && !owners.has(alert.subject.id)) {
    owners.set(alert.subject.id, held.get(alert.subject.id) ?? named.get(alert.subject.id) ?? UNKNOWN_OWNER);
  }
  return owners;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Replaces whole-token occurrences of each key of `map` in `text`. */
function replaceIds(text: string, map: ReadonlyMap<string, string>): string {
  if (map.size === 0) return text;
  const ids = [...map.keys()].sort((a, b) => b.length - a.length).map(escapeRe);
  const re = new RegExp(`(?<![A-Za-z0-9_-])(?:${ids.join("|")})(?![A-Za-z0-9_-])`, "g");
  return text.replace(re, (m) => map.get(m) ?? m);
}

function replaceDeep(v: unknown, map: ReadonlyMap<string, string>): unknown {
  if (typeof v === "string") return replaceIds(v, map);
  if (Array.isArray(v)) return v.map((x) => replaceDeep(x, map));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[replaceIds(k, map)] = replaceDeep(x, map);
    return out;
  }
  return v;
}

/** `alert` as `principal` may see it, or null when it may not see it at all. */
export function viewAlert(alert: Alert, principal: Principal, ctx: AlertViewContext): Alert | null {
  if (!ctx.policy.canReadAnalytics(principal).allow) return null;
  const owners = accountOwners(alert, ctx.evidence);
  const shown = new Map<string, string>();
  let touchesOwn = false;
  for (const [account, owner] of owners) {
    const view = ctx.policy.accountIdView(principal, tenantId(owner));
    if (view === "raw") {
      touchesOwn = true;
      continue;
    }
    if (view === "none") return null;
    shown.set(account, ctx.pseudonyms.account(tenantId(owner), accountId(account)));
  }
  let evidence = alert.evidence;
  if (principal.role === "exchange_officer") {
    const own = `${principal.tenant}:`;
    evidence = alert.evidence.filter((k) => k.startsWith(own));
    if (!touchesOwn && evidence.length === 0) return null;
  }
  const view: Alert = {
    ...alert,
    subject: alert.subject.kind === "account" ? { kind: "account", id: shown.get(alert.subject.id) ?? alert.subject.id } : { ...alert.subject },
    accounts: alert.accounts.map((a) => shown.get(a) ?? a),
    evidence: [...evidence],
    explanation: replaceIds(alert.explanation, shown),
  };
  if (alert.details !== undefined) view.details = replaceDeep(alert.details, shown) as Record<string, unknown>;
  return view;
}
