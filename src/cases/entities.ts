// The entity views: what Kanshi knows about one subject (an entity, or an account before identity
// resolution), under pseudonyms: the accounts in its alerts as the caller may see them, its risk
// score with the contribution of each alert, its alerts and cases; and its link graph. Exchange
// officers see subjects touching their exchange's accounts only.
import type { Alert } from "../contracts/alerts.ts";
import { KanshiError } from "../contracts/errors.ts";
import { riskScore, type RiskScore } from "../engine/scoring.ts";
import { tenantId, accountId as toAccountId } from "../contracts/ids.ts";
import type { Principal } from "../privacy/index.ts";
import { ALL_CASES } from "../store/cases.ts";
import { buildLinkGraph, type LinkGraph } from "./graph.ts";
import { UNKNOWN_OWNER } from "./model.ts";
import type { CaseService, CaseServiceStore, CaseView } from "./service.ts";
import { showAlert, type ShownAccount } from "./views.ts";
import type { Pseudonymizer } from "../privacy/index.ts";

export interface EntityAccount extends ShownAccount {
  /** "subject": the account the subject is; "involved": an account named in its alerts. */
  readonly role: "subject" | "involved";
}

export interface EntityView {
  /** The subject as the caller names it: the entity id, or the account as the caller may see it. */
  readonly id: string;
  readonly kind: "entity" | "account";
  readonly accounts: readonly EntityAccount[];
  readonly score: RiskScore;
  /** True when one of its cases is open at or above the disclosure threshold. */
  readonly suspect: boolean;
  /** Its alerts the caller may see, newest first (at most `ALERTS_SHOWN`). */
  readonly alerts: readonly Alert[];
  readonly alertCount: number;
  readonly cases: readonly CaseView[];
}

export const ALERTS_SHOWN = 200;
/** Events read for one link graph at most. */
export const GRAPH_EVENTS = 5000;

export class EntityViews {
  readonly #service: CaseService;
  readonly #store: CaseServiceStore;
  readonly #pseudonyms: Pseudonymizer;

  constructor(deps: { service: CaseService; store: CaseServiceStore; pseudonyms: Pseudonymizer }) {
    this.#service = deps.service;
    this.#store = deps.store;
    this.#pseudonyms = deps.pseudonyms;
  }

  /** Resolves the subject and loads what the caller may see of it; `not_found` when it may see nothing. */
  async #load(principal: Principal, id: string) {
    const subject = await this.#service.resolveSubject(principal, id);
    const viewer = this.#service.viewerOf(principal);
    const cases = this.#store.cases();
    const all = await cases.subjectAlerts(ALL_CASES, [subject.id]);
    const visible = viewer.tenant === null ? all : await cases.subjectAlerts(viewer, [subject.id]);
    const caseViews = await this.#service.ofSubject(principal, subject.id);
    const ownAccount = subject.kind === "account" && viewer.tenant !== null && subject.owner === viewer.tenant;
    if (viewer.tenant !== null && visible.length === 0 && caseViews.length === 0 && !ownAccount) throw new KanshiError("not_found", `no entity ${id.slice(0, 64)}`);
    const accountIds = [...new Set([...all.flatMap((r) => r.alert.accounts), ...(subject.kind === "account" ? [subject.id] : [])])];
    const owners = new Map<string, string[]>();
    for (const a of await cases.alertedAccounts(ALL_CASES, accountIds)) owners.set(a.accountId, [...(owners.get(a.accountId) ?? []), a.owner]);
    if (subject.kind === "account" && subject.owner !== null && !owners.has(subject.id)) owners.set(subject.id, [subject.owner]);
    return { subject, all, visible, cases: caseViews, accountIds, owners };
  }

  async view(principal: Principal, id: string, opts: { at?: number } = {}): Promise<EntityView> {
    const { subject, all, visible, cases, accountIds, owners } = await this.#load(principal, id);
    const shower = this.#service.shower(principal);
    const shownId = (raw: string) => shower.show(shower.pick(owners.get(raw) ?? [UNKNOWN_OWNER]), raw);
    const accounts: EntityAccount[] = accountIds.sort().flatMap((a) => {
      const v = shownId(a);
      return v ? [{ ...v, role: subject.kind === "account" && a === subject.id ? ("subject" as const) : ("involved" as const) }] : [];
    });
    let at = opts.at;
    if (at === undefined) {
      const latest = await this.#store.cases().latestAlertTs();
      at = latest === null ? Date.now() : Date.parse(latest);
    }
    const counted = all.filter((r) => !r.dismissed).map((r) => r.alert);
    const state = await this.#service.entityState(subject.id);
    const newest = [...visible].reverse().slice(0, ALERTS_SHOWN);
    return {
      id: subject.kind === "account" ? (shownId(subject.id)?.id ?? "hidden") : subject.id,
      kind: subject.kind,
      accounts,
      score: riskScore(counted, at, this.#service.config.risk),
      suspect: this.#service.policy.isSuspect(state),
      alerts: newest.map((r) => {
        const { accountViews: _v, ...shown } = showAlert(r.alert, owners, shower);
        return shown;
      }),
      alertCount: visible.length,
      cases,
    };
  }

  /** The link graph from the events behind the subject's alerts (those the caller may see) and its cases' event evidence. */
  async graph(principal: Principal, id: string): Promise<LinkGraph & { readonly truncated: boolean }> {
    const { subject, visible, cases, owners } = await this.#load(principal, id);
    const shower = this.#service.shower(principal);
    const keys = new Set<string>();
    for (const r of visible) for (const k of r.alert.evidence) keys.add(k);
    const viewer = this.#service.viewerOf(principal);
    for (const c of cases) for (const e of await this.#store.cases().evidence(viewer, c.id)) if (e.kind === "event") keys.add(e.ref);
    const truncated = keys.size > GRAPH_EVENTS;
    const events = await this.#store.cases().eventsByKey([...keys].sort().slice(0, GRAPH_EVENTS));
    const accounts = new Map<string, string>();
    for (const r of visible) for (const a of r.alert.accounts) accounts.set(a, shower.pick(owners.get(a) ?? [UNKNOWN_OWNER]));
    if (subject.kind === "account") accounts.set(subject.id, shower.pick(owners.get(subject.id) ?? [subject.owner ?? UNKNOWN_OWNER]));
    const subjectShown = subject.kind === "account" ? (shower.show(accounts.get(subject.id)!, subject.id)?.id ?? "hidden") : subject.id;
    const g = buildLinkGraph({
      subject: { id: subjectShown, kind: subject.kind },
      accounts: subject.kind === "account" ? new Map([...accounts].filter(([a]) => a !== subject.id)) : accounts,
      events,
      showAccount: (owner, raw) => shower.show(owner === UNKNOWN_OWNER ? shower.pick(owners.get(raw) ?? [UNKNOWN_OWNER]) : owner, raw)?.id ?? null,
      identifier: (kind, value) => this.#pseudonyms.account(tenantId(`id:${kind}`), toAccountId(value)),
    });
    return { ...g, truncated };
  }
}
