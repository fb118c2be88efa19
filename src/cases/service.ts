// The case use cases: group new alerts into cases (from batch detection, `kanshi start`'s replay and
// live detection on POST /v1/events), open cases by hand, move them through their states, assign,
// annotate and attach evidence; and read them as a principal may see them. Every change is a case
// history entry and an audit record (privacy AuditTrail over the store's audit log) naming ids,
// states and counts only: no personal data, and never a note's text. Notes are sealed at rest with
// the deployment's Keyring.
import { randomBytes } from "node:crypto";
import type { Alert } from "../contracts/alerts.ts";
import { badInput, KanshiError } from "../contracts/errors.ts";
import { accountId as toAccountId, caseId as toCaseId, tenantId } from "../contracts/ids.ts";
import type { AuditInput, AuditTrail, Keyring, Pseudonymizer } from "../privacy/index.ts";
import { createDisclosurePolicy, isPseudonym, type DisclosurePolicy, type EntityState, type Principal } from "../privacy/index.ts";
import { encodeSealed } from "../privacy/seal.ts";
import type { AlertedAccount, CaseGrowth, CaseQuery, CaseStore, CaseViewer, HistoryInput, NewCase, StoredEvidence } from "../store/cases.ts";
import { ALL_CASES } from "../store/cases.ts";
import { DEFAULT_CASE_CONFIG, planSubject, subjectOfAlert, type CaseConfig, type KnownAlert } from "./grouping.ts";
import {
  actorOf,
  canAnnotate,
  canAssign,
  canOpen,
  canReadCases,
  canTransition,
  caseTiming,
  checkGraph,
  checkNote,
  enforce,
  isCaseState,
  nextStates,
  SYSTEM_ACTOR,
  UNKNOWN_OWNER,
  type CaseHistoryEntry,
  type CaseNote,
  type CaseRecord,
  type CaseStateName,
  type Disposition,
  type EvidenceInput,
  type GraphSnapshot,
  type SubjectKind,
} from "./model.ts";
import { accountOwners, ownersOf } from "./owners.ts";
import { accountShower, showAlert, type AccountShower, type ShownAccount } from "./views.ts";

/** What the service needs of the store. */
export interface CaseServiceStore {
  cases(): CaseStore;
  saveAlerts(alerts: readonly Alert[]): Promise<{ inserted: number }>;
}

export interface CaseServiceDeps {
  readonly store: CaseServiceStore;
  readonly audit: AuditTrail;
  /** Seals notes at rest. */
  readonly keyring: Keyring;
  readonly pseudonyms: Pseudonymizer;
  /** For the disclosure threshold (suspicion) and account views; default createDisclosurePolicy(). */
  readonly policy?: DisclosurePolicy;
  readonly config?: CaseConfig;
  /** Wall clock, epoch ms; default Date.now. */
  readonly now?: () => number;
}

export interface SyncSummary {
  /** Alerts looked at (given, or found unattached in the store). */
  readonly alerts: number;
  /** Of those, about a market or an address: not grouped. */
  readonly notGrouped: number;
  readonly subjects: number;
  readonly opened: number;
  /** Existing cases that gained alerts. */
  readonly grown: number;
  /** Alerts that joined a case. */
  readonly joined: number;
}

/** A case as a principal sees it. */
export interface CaseView {
  readonly id: string;
  readonly subject: { readonly kind: SubjectKind; readonly id: string };
  readonly state: CaseStateName;
  readonly disposition: Disposition | null;
  readonly score: number;
  readonly lastScore: number;
  /** At or above the disclosure threshold and not closed: its subject is a suspect. */
  readonly suspect: boolean;
  readonly assignee: string | null;
  readonly openedBy: string;
  readonly openedReason: "score" | "manual";
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly closedAt: string | null;
  readonly reportedAt: string | null;
  readonly dueAt: string | null;
  readonly ageDays: number;
  readonly overdue: boolean;
  readonly firstAlertTs: string | null;
  readonly lastAlertTs: string | null;
  readonly alertCount: number;
  /** Exchanges whose accounts it touches. */
  readonly exchanges: readonly string[];
  readonly version: number;
  /** States this principal may move it to now. */
  readonly nextStates: readonly CaseStateName[];
}

export interface EvidenceView {
  readonly id: string;
  readonly kind: "event" | "alert" | "graph";
  readonly ref?: string;
  readonly graph?: GraphSnapshot;
  readonly addedBy: string;
  readonly addedAt: string;
}

export interface CaseDetail extends CaseView {
  readonly accounts: readonly ShownAccount[];
  readonly alerts: readonly Alert[];
  readonly history: readonly CaseHistoryEntry[];
  readonly notes: readonly CaseNote[];
  readonly evidence: readonly EvidenceView[];
}

export interface CaseListView {
  readonly items: CaseView[];
  readonly nextCursor: string | null;
}

/** A subject as callers name it: an entity id, an account pseudonym, or (officers) their own account id. */
export interface ResolvedSubject {
  readonly kind: SubjectKind;
  /** The entity id, or the raw account id. */
  readonly id: string;
  /** For an account: the exchange holding it. */
  readonly owner: string | null;
}

const RETRIES = 5;
/** Subjects grouped per transaction in a sync from the store. */
const SYNC_BATCH = 2000;
const ASSIGNEE = /^(user|key):[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

const newId = (prefix: string) => `${prefix}_${randomBytes(16).toString("base64url").slice(0, 22)}`;

export class CaseService {
  readonly #store: CaseServiceStore;
  readonly #cases: CaseStore;
  readonly #audit: AuditTrail;
  readonly #keyring: Keyring;
  readonly #pseudonyms: Pseudonymizer;
  readonly policy: DisclosurePolicy;
  readonly config: CaseConfig;
  readonly #now: () => number;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: CaseServiceDeps) {
    this.#store = deps.store;
    this.#cases = deps.store.cases();
    this.#audit = deps.audit;
    this.#keyring = deps.keyring;
    this.#pseudonyms = deps.pseudonyms;
    this.policy = deps.policy ?? createDisclosurePolicy();
    this.config = deps.config ?? DEFAULT_CASE_CONFIG;
    this.#now = deps.now ?? Date.now;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves when every grouping queued so far has finished (failed ones included). */
  async whenIdle(): Promise<void> {
    await this.#queue;
  }

  #time(): number {
    const t = this.#now();
    if (!Number.isSafeInteger(t) || t < 0) throw new KanshiError("internal", "case service clock must give epoch milliseconds");
    return t;
  }

  #suspect(c: Pick<CaseRecord, "state" | "score">): boolean {
    return c.state !== "closed" && c.score >= this.policy.config.disclosureThreshold;
  }

  // ---- grouping ---------------------------------------------------------------------------------

  /**
   * Groups new alerts (stored first if they are not yet: saving is idempotent) into cases: alerts on
   * a subject with an active case join it; a subject whose risk score reaches the threshold gets a
   * case. Safe to call again with the same alerts (nothing changes the second time).
   */
  async syncAlerts(alerts: readonly Alert[]): Promise<SyncSummary> {
    if (!Array.isArray(alerts)) throw badInput("expected an array of alerts", "alerts");
    if (alerts.length === 0) return { alerts: 0, notGrouped: 0, subjects: 0, opened: 0, grown: 0, joined: 0 };
    const subjects = new Set<string>();
    let notGrouped = 0;
    for (const a of alerts) {
      const s = subjectOfAlert(a);
      if (s === null) notGrouped++;
      else subjects.add(s.id);
    }
    // Saved inside the queue, so alerts from calls made in detection order are stored in that order.
    const r = await this.#serial(async () => {
      for (let i = 0; i < alerts.length; i += 1000) await this.#store.saveAlerts(alerts.slice(i, i + 1000));
      return this.#syncWithRetries([...subjects].sort());
    });
    return { ...r, alerts: alerts.length, notGrouped };
  }

  /** Groups every stored alert that is in no case yet (`kanshi cases sync`, or after a batch detect). */
  async syncStored(): Promise<SyncSummary> {
    const subjects = await this.#cases.subjectsWithUnattachedAlerts();
    let total: SyncSummary = { alerts: 0, notGrouped: 0, subjects: 0, opened: 0, grown: 0, joined: 0 };
    for (let i = 0; i < subjects.length; i += SYNC_BATCH) {
      const r = await this.#syncSubjects(subjects.slice(i, i + SYNC_BATCH));
      total = { alerts: total.alerts + r.alerts, notGrouped: 0, subjects: total.subjects + r.subjects, opened: total.opened + r.opened, grown: total.grown + r.grown, joined: total.joined + r.joined };
    }
    return total;
  }

  #syncSubjects(subjects: readonly string[]): Promise<Omit<SyncSummary, "notGrouped">> {
    return this.#serial(() => this.#syncWithRetries(subjects));
  }

  /** One grouping run; another writer's change first (a conflict) means reading again and re-planning. */
  async #syncWithRetries(subjects: readonly string[]): Promise<Omit<SyncSummary, "notGrouped">> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#syncOnce(subjects);
      } catch (e) {
        if (e instanceof KanshiError && e.kind === "conflict" && attempt < RETRIES) continue;
        throw e;
      }
    }
  }

  async #syncOnce(subjects: readonly string[]): Promise<Omit<SyncSummary, "notGrouped">> {
    const empty = { alerts: 0, subjects: 0, opened: 0, grown: 0, joined: 0 };
    if (subjects.length === 0) return empty;
    const rows = await this.#cases.subjectAlerts(ALL_CASES, subjects);
    const active = await this.#cases.activeCases(subjects);
    const bySubject = new Map<string, { kind: SubjectKind; known: KnownAlert[] }>();
    for (const r of rows) {
      const s = subjectOfAlert(r.alert);
      if (s === null) continue;
      let g = bySubject.get(s.id);
      if (!g) bySubject.set(s.id, (g = { kind: s.kind, known: [] }));
      // An alert naming the subject as one of its accounts makes the whole subject an account.
      if (s.kind === "account") g.kind = "account";
      g.known.push({ alert: r.alert, caseId: r.caseId, dismissed: r.dismissed });
    }
    const at = this.#time();
    const pending = rows.filter((r) => r.caseId === null).map((r) => r.alert);

    // Owners of the accounts of every pending alert, from the events they cite.
    const owners = accountOwners(await this.#cases.eventsByKey([...new Set(pending.flatMap((a) => a.evidence))]));
    const alerted = new Map<string, AlertedAccount>();
    const register = (accountId: string): string[] => {
      const os = ownersOf(owners, accountId);
      for (const owner of os) {
        const k = `${owner}\u0000${accountId}`;
        if (!alerted.has(k)) alerted.set(k, { owner, accountId, pseudonym: this.#pseudonyms.account(tenantId(owner), toAccountId(accountId)) });
      }
      return os;
    };
    for (const a of pending) for (const acc of a.accounts) register(acc);

    const write: { newCases: NewCase[]; growth: CaseGrowth[]; caseAlerts: { caseId: string; alertId: string }[]; caseAccounts: { caseId: string; owner: string; accountId: string }[]; history: HistoryInput[] } = {
      newCases: [],
      growth: [],
      caseAlerts: [],
      caseAccounts: [],
      history: [],
    };
    const auditInputs: AuditInput[] = [];
    const byId = new Map(pending.map((a) => [a.id, a]));
    let opened = 0;
    let grown = 0;
    let joined = 0;
    for (const [subject, g] of bySubject) {
      const current = active.get(subject) ?? null;
      const plan = planSubject(subject, g.known, current === null ? null : { id: current.id, score: current.score }, this.config);
      if (plan === null) continue;
      const joining = plan.alertIds.map((id) => byId.get(id)!).filter(Boolean);
      joined += joining.length;
      for (const a of joining) {
        write.caseAlerts.push({ caseId: plan.caseId, alertId: a.id });
        for (const acc of a.accounts) for (const owner of register(acc)) write.caseAccounts.push({ caseId: plan.caseId, owner, accountId: acc });
      }
      if (g.kind === "account") for (const owner of register(subject)) write.caseAccounts.push({ caseId: plan.caseId, owner, accountId: subject });
      const typologies = [...new Set(joining.map((a) => a.typology))].sort();
      const suspect = plan.score >= this.policy.config.disclosureThreshold;
      if (plan.opens) {
        opened++;
        write.newCases.push({
          id: plan.caseId,
          entityId: subject,
          subjectKind: g.kind,
          score: plan.score,
          lastScore: plan.lastScore,
          openedBy: SYSTEM_ACTOR,
          openedReason: "score",
          openedAt: at,
          dueAt: at + Math.round(this.config.dueDays * 86_400_000),
          assignee: null,
          firstAlertTs: plan.firstTs,
          lastAlertTs: plan.lastTs,
          alertCount: joining.length,
        });
        const details = { reason: "score", subjectKind: g.kind, score: plan.score, threshold: this.config.openThreshold, alerts: joining.length, openingAlert: plan.openedBy ?? "", typologies, suspect };
        write.history.push({ caseId: plan.caseId, actor: SYSTEM_ACTOR, action: "open", details });
        auditInputs.push({ actor: SYSTEM_ACTOR, action: "case.open", target: `case:${plan.caseId}`, details });
      } else if (current !== null) {
        grown++;
        const first = earliest(current.firstAlertTs, plan.firstTs);
        const last = latest(current.lastAlertTs, plan.lastTs);
        write.growth.push({ id: current.id, expectedVersion: current.version, score: plan.score, lastScore: plan.lastScore, addedAlerts: joining.length, firstAlertTs: first, lastAlertTs: last });
        const details = { added: joining.length, alertIds: joining.map((a) => a.id).slice(0, 50), score: plan.score, lastScore: plan.lastScore, typologies, suspect, becameSuspect: suspect && !this.#suspect(current) };
        write.history.push({ caseId: current.id, actor: SYSTEM_ACTOR, action: "alerts", details });
        auditInputs.push({ actor: SYSTEM_ACTOR, action: "case.alerts", target: `case:${current.id}`, details });
      }
    }
    if (alerted.size === 0 && write.caseAlerts.length === 0) return { ...empty, alerts: pending.length, subjects: bySubject.size };
    await this.#cases.applySync({ at, ...write, alertedAccounts: [...alerted.values()] });
    if (auditInputs.length) await this.#audit.appendBatch(auditInputs);
    return { alerts: pending.length, subjects: bySubject.size, opened, grown, joined };
  }

  // ---- reading ----------------------------------------------------------------------------------

  /** The store view of a principal; `forbidden` for roles that do not read cases. */
  viewerOf(principal: Principal): CaseViewer {
    enforce(canReadCases(principal));
    return principal.role === "exchange_officer" ? { tenant: principal.tenant } : ALL_CASES;
  }

  shower(principal: Principal): AccountShower {
    return accountShower(this.policy, this.#pseudonyms, principal);
  }

  /** The case, visible to `principal`, or `not_found` (also for a case it may not see). */
  async #visible(principal: Principal, id: string): Promise<CaseRecord> {
    const c = await this.#cases.get(this.viewerOf(principal), typeof id === "string" ? id : "");
    if (!c) throw new KanshiError("not_found", `no case ${String(id).slice(0, 64)}`);
    return c;
  }

  /** Account subjects shown as the principal may see them (owners looked up in one query). */
  async #views(principal: Principal, cases: readonly CaseRecord[]): Promise<CaseView[]> {
    const shower = this.shower(principal);
    const accountSubjects = [...new Set(cases.filter((c) => c.subjectKind === "account").map((c) => c.entityId as string))];
    const owners = new Map<string, string[]>();
    for (const a of await this.#cases.alertedAccounts(ALL_CASES, accountSubjects)) owners.set(a.accountId, [...(owners.get(a.accountId) ?? []), a.owner]);
    const now = this.#time();
    return cases.map((c) => {
      let subjectId: string = c.entityId;
      if (c.subjectKind === "account") subjectId = shower.show(shower.pick(owners.get(c.entityId) ?? [UNKNOWN_OWNER]), c.entityId)?.id ?? "hidden";
      const t = caseTiming(c, now);
      return {
        id: c.id,
        subject: { kind: c.subjectKind, id: subjectId },
        state: c.state,
        disposition: c.disposition,
        score: c.score,
        lastScore: c.lastScore,
        suspect: this.#suspect(c),
        assignee: c.assignee,
        openedBy: c.openedBy,
        openedReason: c.openedReason,
        openedAt: c.openedAt,
        updatedAt: c.updatedAt,
        closedAt: c.closedAt,
        reportedAt: c.reportedAt,
        dueAt: c.dueAt,
        ageDays: t.ageDays,
        overdue: t.overdue,
        firstAlertTs: c.firstAlertTs,
        lastAlertTs: c.lastAlertTs,
        alertCount: c.alertCount,
        exchanges: c.tenants,
        version: c.version,
        nextStates: nextStates(principal, c.state),
      };
    });
  }

  /**
   * Cases the principal may see, filtered and sorted (see CaseQuery). `entity` and `account` are named
   * as the caller sees them: an entity id, a pseudonym `ps_…`, or an officer's own account id.
   */
  async list(principal: Principal, q: Omit<CaseQuery, "account"> & { account?: string } = {}): Promise<CaseListView> {
    const viewer = this.viewerOf(principal);
    const { account, ...rest } = q;
    let query: CaseQuery = rest;
    const unknown = (e: unknown) => {
      if (e instanceof KanshiError && e.kind === "not_found") return null;
      throw e;
    };
    if (q.entity !== undefined) {
      const s = await this.resolveSubject(principal, q.entity, "entity").catch(unknown);
      if (s === null) return { items: [], nextCursor: null };
      query = { ...query, entity: s.id };
    }
    if (account !== undefined) {
      const a = await this.#resolveAccount(principal, account);
      if (a === null) return { items: [], nextCursor: null };
      query = { ...query, account: a };
    }
    const page = await this.#cases.list(viewer, query);
    return { items: await this.#views(principal, page.items), nextCursor: page.nextCursor };
  }

  /** Every case about a subject already resolved (`resolveSubject`), newest first, as the principal may see them. */
  async ofSubject(principal: Principal, subjectId: string): Promise<CaseView[]> {
    const viewer = this.viewerOf(principal);
    const out: CaseRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#cases.list(viewer, { entity: subjectId, limit: 200, ...(cursor ? { cursor } : {}) });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && out.length < 1000);
    return this.#views(principal, out);
  }

  async get(principal: Principal, id: string): Promise<CaseDetail> {
    const c = await this.#visible(principal, id);
    const viewer = this.viewerOf(principal);
    const [view] = await this.#views(principal, [c]);
    const [accounts, alerts, history, notes, evidence] = await Promise.all([
      this.#cases.accounts(viewer, c.id),
      this.#cases.alerts(viewer, c.id),
      this.#cases.history(viewer, c.id),
      this.#cases.notes(viewer, c.id),
      this.#cases.evidence(viewer, c.id),
    ]);
    const shower = this.shower(principal);
    const owners = new Map<string, string[]>();
    for (const a of accounts) owners.set(a.accountId, [...(owners.get(a.accountId) ?? []), a.owner]);
    const missing = [...new Set(alerts.flatMap((a) => a.accounts))].filter((a) => !owners.has(a));
    for (const a of await this.#cases.alertedAccounts(ALL_CASES, missing)) owners.set(a.accountId, [...(owners.get(a.accountId) ?? []), a.owner]);
    return {
      ...view!,
      accounts: accounts.flatMap((a) => shower.show(a.owner, a.accountId) ?? []),
      alerts: alerts.map((a) => {
        const { accountViews: _views, ...shown } = showAlert(a, owners, shower);
        return shown;
      }),
      history,
      notes: notes.map((n) => ({ id: n.id, at: new Date(n.at).toISOString(), author: n.author, text: this.#keyring.openString(n.textSealed, noteContext(n.id)) })),
      evidence: evidence.map(evidenceView),
    };
  }

  /** The disclosure policy's view of an entity (every case about it). */
  entityState(entityId: string): Promise<EntityState> {
    return this.#cases.entityState(entityId);
  }

  /**
   * Resolves how a caller names a subject: `ps_…` (an account's pseudonym), an officer's own account
   * id, or an entity id. `not_found` when Kanshi knows nothing of it or the caller may not name it.
   */
  async resolveSubject(principal: Principal, id: string, path = "id"): Promise<ResolvedSubject> {
    this.viewerOf(principal);
    if (typeof id !== "string" || id.length === 0 || id.length > 256) throw badInput("expected an entity id, an account pseudonym (ps_…) or, for an exchange officer, its own account id", path);
    if (isPseudonym(id)) {
      const a = await this.#cases.accountByPseudonym(id);
      if (!a) throw new KanshiError("not_found", `no account with pseudonym ${id} has been seen in an alert`);
      return { kind: "account", id: a.accountId, owner: a.owner };
    }
    if (principal.role === "exchange_officer") {
      const [own] = await this.#cases.alertedAccounts({ tenant: principal.tenant }, [id]);
      if (own) return { kind: "account", id: own.accountId, owner: own.owner };
    }
    // An entity id; account ids of other exchanges are never accepted raw (they are shown as pseudonyms).
    const [known] = await this.#cases.alertedAccounts(ALL_CASES, [id]);
    if (known) throw new KanshiError("not_found", `no entity ${id.slice(0, 64)}`);
    const state = await this.#cases.entityState(id);
    if (state.cases.length === 0 && (await this.#cases.subjectAlerts(ALL_CASES, [id])).length === 0) throw new KanshiError("not_found", `no entity ${id.slice(0, 64)}`);
    return { kind: "entity", id, owner: null };
  }

  /** An account as the caller names it (a pseudonym, or an officer's own id), or null when unknown to it. */
  async #resolveAccount(principal: Principal, ref: string): Promise<{ accountId: string; owner: string } | null> {
    if (typeof ref !== "string" || ref.length === 0 || ref.length > 256) throw badInput("expected an account pseudonym (ps_…) or, for an exchange officer, its own account id", "account");
    if (isPseudonym(ref)) {
      const a = await this.#cases.accountByPseudonym(ref);
      return a ? { accountId: a.accountId, owner: a.owner } : null;
    }
    if (principal.role !== "exchange_officer") return null;
    return { accountId: ref, owner: principal.tenant };
  }

  // ---- changes ----------------------------------------------------------------------------------

  /**
   * Opens a case by hand on a subject (an entity id, an account pseudonym, or an officer's own
   * account id); its unattached alerts join it. `conflict` when the subject has an active case.
   */
  async open(principal: Principal, input: { subject: string; note?: string; assignee?: string | null; dueAt?: string | null }): Promise<CaseDetail> {
    if (input === null || typeof input !== "object") throw badInput("expected { subject, note?, assignee?, dueAt? }", "body");
    let subject: ResolvedSubject;
    if (principal.role === "exchange_officer" && typeof input.subject === "string" && !isPseudonym(input.subject)) {
      // An officer may open a case on any account its exchange holds, alerted or not.
      subject = { kind: "account", id: input.subject, owner: principal.tenant };
      if (input.subject.length === 0 || input.subject.length > 128) throw badInput("expected an account id of 1–128 characters", "subject");
    } else {
      subject = await this.resolveSubject(principal, input.subject, "subject");
    }
    const accounts: AlertedAccount[] = subject.kind === "account" ? [{ owner: subject.owner ?? UNKNOWN_OWNER, accountId: subject.id, pseudonym: this.#pseudonyms.account(tenantId(subject.owner ?? UNKNOWN_OWNER), toAccountId(subject.id)) }] : [];
    enforce(canOpen(principal, subject.kind, accounts));
    const note = input.note === undefined ? undefined : checkNote(input.note, "note");
    const assignee = input.assignee === undefined || input.assignee === null ? null : checkAssignee(input.assignee);
    if (assignee !== null) enforce(canAssign(principal, null, assignee, false), "assignee");
    const at = this.#time();
    const due = input.dueAt === undefined ? at + Math.round(this.config.dueDays * 86_400_000) : input.dueAt === null ? null : checkDue(input.dueAt, at);
    if (input.dueAt !== undefined) enforce(canAssign(principal, null, assignee, true), "dueAt");
    const id = toCaseId(newId("cs"));
    const actor = actorOf(principal);
    const details = { reason: "manual", subjectKind: subject.kind, assigned: assignee !== null, dueAt: due === null ? null : new Date(due).toISOString() };
    await this.#serial(() =>
      this.#cases.create(
        { id, entityId: subject.id, subjectKind: subject.kind, score: 0, lastScore: 0, openedBy: principal.id, openedReason: "manual", openedAt: at, dueAt: due, assignee, firstAlertTs: null, lastAlertTs: null, alertCount: 0 },
        accounts,
        { caseId: id, actor, action: "open", details },
        at,
      ),
    );
    await this.#audit.appendBatch([{ actor, action: "case.open", target: `case:${id}`, details }]);
    if (note !== undefined) await this.#note(principal, id, note);
    await this.#syncSubjects([subject.id]);
    return this.get(principal, id);
  }

  /** Moves a case to another state (closing needs a disposition), optionally with a note. */
  async transition(principal: Principal, id: string, input: { to: string; disposition?: string | null; note?: string; expectedVersion?: number }): Promise<CaseDetail> {
    if (input === null || typeof input !== "object") throw badInput("expected { to, disposition?, note?, expectedVersion? }", "body");
    const c = await this.#visible(principal, id);
    const decision = canTransition(principal, c.state, input.to, input.disposition ?? undefined);
    enforce(decision, !decision.allow && decision.kind === "bad_input" ? (isCaseState(input.to) ? "disposition" : "to") : undefined);
    const note = input.note === undefined ? undefined : checkNote(input.note, "note");
    const version = expectVersion(c, input.expectedVersion);
    const to = input.to as CaseStateName;
    const at = this.#time();
    const closing = to === "closed";
    const disposition = closing ? (input.disposition as Disposition) : null;
    const patch = {
      state: to,
      disposition,
      closedAt: closing ? at : null,
      ...(to === "reported" ? { reportedAt: at } : {}),
    };
    const details: Record<string, unknown> = { from: c.state, to, score: c.score };
    if (disposition !== null) details.disposition = disposition;
    if (c.state === "closed") details.reopened = true;
    details.suspect = !closing && c.score >= this.policy.config.disclosureThreshold;
    const actor = actorOf(principal);
    const updated = await this.#cases.update(c.id, version, patch, { caseId: c.id, actor, action: "transition", details }, at);
    await this.#audit.appendBatch([{ actor, action: "case.transition", target: `case:${c.id}`, details: details as AuditInput["details"] }]);
    if (note !== undefined) await this.#note(principal, updated.id, note);
    return this.get(principal, updated.id);
  }

  /** Assigns (or unassigns, with null) and/or sets the due date (RFC 3339, or null for none). */
  async assign(principal: Principal, id: string, input: { assignee?: string | null; dueAt?: string | null; expectedVersion?: number }): Promise<CaseDetail> {
    if (input === null || typeof input !== "object" || (input.assignee === undefined && input.dueAt === undefined)) throw badInput("expected { assignee?, dueAt? } with at least one of them", "body");
    const c = await this.#visible(principal, id);
    if (c.state === "closed") throw new KanshiError("conflict", `case ${c.id} is closed; reopen it first`);
    const assignee = input.assignee === undefined ? c.assignee : input.assignee === null ? null : checkAssignee(input.assignee);
    const at = this.#time();
    const due = input.dueAt === undefined ? undefined : input.dueAt === null ? null : checkDue(input.dueAt, at);
    enforce(canAssign(principal, c.assignee, assignee, due !== undefined));
    const version = expectVersion(c, input.expectedVersion);
    const patch: { assignee?: string | null; dueAt?: number | null } = {};
    const details: Record<string, unknown> = {};
    if (input.assignee !== undefined) {
      patch.assignee = assignee;
      details.assignee = assignee;
      details.previous = c.assignee;
    }
    if (due !== undefined) {
      patch.dueAt = due;
      details.dueAt = due === null ? null : new Date(due).toISOString();
    }
    const actor = actorOf(principal);
    await this.#cases.update(c.id, version, patch, { caseId: c.id, actor, action: "assign", details }, at);
    await this.#audit.appendBatch([{ actor, action: "case.assign", target: `case:${c.id}`, details: details as AuditInput["details"] }]);
    return this.get(principal, c.id);
  }

  /** Adds a note (sealed at rest); its text never reaches history or the audit trail. */
  async addNote(principal: Principal, id: string, text: string): Promise<CaseNote> {
    const c = await this.#visible(principal, id);
    enforce(canAnnotate(principal));
    return this.#note(principal, c.id, checkNote(text, "text"));
  }

  async #note(principal: Principal, caseId: string, text: string): Promise<CaseNote> {
    const id = newId("nt");
    const at = this.#time();
    const sealed = encodeSealed(this.#keyring.seal(text, noteContext(id)));
    const actor = actorOf(principal);
    const details = { noteId: id, chars: [...text].length };
    await this.#cases.addNote({ id, caseId, at, author: principal.id, textSealed: sealed }, { caseId, actor, action: "note", details });
    await this.#audit.appendBatch([{ actor, action: "case.note", target: `case:${caseId}`, details }]);
    return { id, at: new Date(at).toISOString(), author: principal.id, text };
  }

  /**
   * Attaches evidence: a stored event (by `source:id`), a stored alert (by id), or a graph snapshot.
   * Account nodes of a snapshot must be pseudonyms; an officer's own account ids are turned into
   * theirs, so stored evidence never carries an account id another exchange could read.
   */
  async addEvidence(principal: Principal, id: string, input: EvidenceInput): Promise<EvidenceView> {
    const c = await this.#visible(principal, id);
    enforce(canAnnotate(principal));
    if (c.state === "closed") throw new KanshiError("conflict", `case ${c.id} is closed; reopen it first`);
    if (input === null || typeof input !== "object") throw badInput("expected { kind, ref } or { kind: \"graph\", graph }", "body");
    let stored: EvidenceInput;
    if (input.kind === "event") {
      const ref = typeof input.ref === "string" ? input.ref : "";
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*:.+$/.test(ref)) throw badInput("expected an event key source:id", "ref");
      if ((await this.#cases.eventsByKey([ref])).length === 0) throw new KanshiError("not_found", `no stored event ${ref.slice(0, 128)}`, "ref");
      stored = { kind: "event", ref };
    } else if (input.kind === "alert") {
      const ref = typeof input.ref === "string" ? input.ref : "";
      if (ref === "" || ref.length > 256) throw badInput("expected an alert id", "ref");
      if ((await this.#cases.alertsById([ref])).length === 0) throw new KanshiError("not_found", `no stored alert ${ref.slice(0, 128)}`, "ref");
      stored = { kind: "alert", ref };
    } else if (input.kind === "graph") {
      stored = { kind: "graph", graph: await this.#pseudonymousGraph(principal, checkGraph(input.graph)) };
    } else {
      throw badInput("expected event, alert or graph", "kind");
    }
    const evidenceId = newId("ev");
    const at = this.#time();
    const actor = actorOf(principal);
    const details: Record<string, unknown> = { evidenceId, kind: stored.kind };
    if (stored.kind === "graph") Object.assign(details, { nodes: stored.graph.nodes.length, edges: stored.graph.edges.length });
    else details.ref = stored.ref;
    const row = { ...stored, id: evidenceId, caseId: c.id, addedBy: principal.id, addedAt: at } as StoredEvidence;
    await this.#cases.addEvidence(row, { caseId: c.id, actor, action: "evidence", details });
    await this.#audit.appendBatch([{ actor, action: "case.evidence", target: `case:${c.id}`, details: details as AuditInput["details"] }]);
    return evidenceView(row);
  }

  async #pseudonymousGraph(principal: Principal, g: GraphSnapshot): Promise<GraphSnapshot> {
    const KINDS = new Set(["entity", "account", "address", "ip", "device", "bank_account", "market"]);
    const PSEUDONYMOUS = new Set(["account", "ip", "device", "bank_account"]);
    const rename = new Map<string, string>();
    const own = principal.role === "exchange_officer" ? await this.#cases.alertedAccounts({ tenant: principal.tenant }, g.nodes.filter((n) => n.kind === "account" && !isPseudonym(n.id)).map((n) => n.id)) : [];
    const ownIds = new Map(own.map((a) => [a.accountId, a.pseudonym]));
    const nodes = g.nodes.map((n, i) => {
      if (!KINDS.has(n.kind)) throw badInput(`expected one of ${[...KINDS].join(", ")}`, `graph.nodes[${i}].kind`);
      let id = n.id;
      if (PSEUDONYMOUS.has(n.kind) && !isPseudonym(id)) {
        const ps = n.kind === "account" ? ownIds.get(id) : undefined;
        if (ps === undefined) throw badInput(`${n.kind} nodes must be pseudonyms (ps_…), as the graph endpoint gives them`, `graph.nodes[${i}].id`);
        rename.set(id, ps);
        id = ps;
      }
      return { id, kind: n.kind };
    });
    const edges = g.edges.map((e) => {
      const out: { from: string; to: string; kind: string; events?: string[] } = { from: rename.get(e.from) ?? e.from, to: rename.get(e.to) ?? e.to, kind: e.kind };
      if (Array.isArray(e.events)) out.events = e.events.filter((k): k is string => typeof k === "string").slice(0, 100).map((k) => k.slice(0, 256));
      return out;
    });
    return { nodes, edges };
  }
}

// ---- helpers ------------------------------------------------------------------------------------------

const noteContext = (noteId: string) => ({ recordId: `case-note:${noteId}`, field: "text" });

function evidenceView(e: StoredEvidence): EvidenceView {
  const base = { id: e.id, kind: e.kind, addedBy: e.addedBy, addedAt: new Date(e.addedAt).toISOString() };
  return e.kind === "graph" ? { ...base, graph: e.graph } : { ...base, ref: e.ref };
}

function checkAssignee(v: unknown): string {
  if (typeof v !== "string" || !ASSIGNEE.test(v)) throw badInput("expected a principal id such as user:alice or key:batch-loader", "assignee");
  return v;
}

function checkDue(v: unknown, now: number): number {
  const t = typeof v === "string" && /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw badInput("expected an RFC 3339 timestamp with offset", "dueAt");
  if (t < now - 86_400_000) throw badInput("a due date cannot be in the past", "dueAt");
  return t;
}

function expectVersion(c: CaseRecord, expected: unknown): number {
  if (expected === undefined) return c.version;
  if (typeof expected !== "number" || !Number.isSafeInteger(expected)) throw badInput("expected the case version you read", "expectedVersion");
  if (expected !== c.version) throw new KanshiError("conflict", `case ${c.id} is at version ${c.version}, not ${expected}; read it again`, "expectedVersion");
  return expected;
}

const instant = (ts: string | null) => (ts === null ? NaN : Date.parse(ts));
const earliest = (a: string | null, b: string): string => (a !== null && instant(a) <= instant(b) ? a : b);
const latest = (a: string | null, b: string): string => (a !== null && instant(a) >= instant(b) ? a : b);

