// The disclosure use cases: request, approve, refuse, revoke, read requests, and reveal personal data.
// Every decision is the privacy room's pure policy (privacy/policy.ts); this module only gathers what
// the policy needs (the entity's cases, the stored request), applies its answer to storage, and
// writes the audit trail. The rules, in short (see privacy/README.md for the whole table):
//   - a named analyst, supervisor or regulator asks, with a written purpose and a list of fields,
//     about an entity that is a suspect through a named case (open, at or above the threshold);
//   - a different person, acting as supervisor, approves or refuses; the request is decided once
//     (approving twice, or approving a refused request, is a conflict);
//   - the grant lets only the requester, in the role they asked in, read only the fields named, only
//     until it expires or is revoked, and only while the case still makes the entity a suspect;
//   - an exchange officer reads its own exchange's records of an entity without a grant, and never
//     another exchange's;
//   - every reveal (and every refused attempt) is an audit record naming who, which entity, which
//     fields, which grant and which records — never a value. The record is written before any value
//     is returned: if the audit trail cannot be written, nothing is revealed.
// The written purpose and decision reasons are personal-ish text: sealed at rest with the Keyring,
// shown only to the requester and supervisors, never written to the audit trail, a log or an error.
//
// Ports are declared here, each with only what is used: the case store's `entityState`, the identity
// store's `personalData`, the disclosure store, an audit sink, a sealer (the Keyring) and a clock.
import { randomBytes } from "node:crypto";
import { badInput, KanshiError, type ErrorKind } from "../contracts/errors.ts";
import { caseId as toCaseId, entityId as toEntityId, tenantId } from "../contracts/ids.ts";
import type { AuditInput, JsonObject, SealContext } from "../privacy/index.ts";
import { encodeSealed } from "../privacy/seal.ts";
import {
  createDisclosurePolicy,
  isPersonalField,
  PERSONAL_FIELDS,
  principalId,
  REQUESTER_ROLES,
  type Deny,
  type DenyReason,
  type DisclosureGrant,
  type DisclosurePolicy,
  type DisclosureRequest,
  type EntityState,
  type PersonalField,
  type Principal,
  type Role,
} from "../privacy/policy.ts";
import { disclosureState, type DisclosureRecord, type DisclosureState, type DisclosureStore } from "../store/disclosures.ts";

// ---- ports ----------------------------------------------------------------------------------------

/** The case store's view of an entity for the policy (store.cases()). */
export interface CaseLookup {
  entityState(entityId: string): Promise<EntityState>;
}

/** Whose records a read covers: one organisation's own, or every owner's under a grant. */
export type PersonalDataScope = { readonly tenant: string } | { readonly grant: string };

export interface PersonalDataRecord {
  readonly recordId: string;
  /** The organisation (exchange, bureau) that supplied the record. */
  readonly owner: string;
  /** The requested fields this record has, opened. */
  readonly fields: { readonly [field: string]: unknown };
}

/** The identity store's reader of sealed personal data (store.identities()). Called only after the policy allowed the read. */
export interface PersonalDataReader {
  personalData(scope: PersonalDataScope, entityId: string, fields: readonly PersonalField[]): Promise<{ readonly records: readonly PersonalDataRecord[] }>;
}

/** The audit trail (privacy AuditTrail): one batch, one signed head. */
export interface AuditSink {
  appendBatch(inputs: readonly AuditInput[]): Promise<unknown>;
}

/** The privacy Keyring, as far as purposes and reasons need it. */
export interface TextSealer {
  seal(plaintext: string, context: SealContext): Uint8Array;
  openString(sealed: string, context: SealContext): string;
}

export type DisclosureRepository = DisclosureStore;

export interface DisclosureServiceDeps {
  readonly repo: DisclosureRepository;
  readonly cases: CaseLookup;
  readonly personalData: PersonalDataReader;
  readonly audit: AuditSink;
  readonly sealer: TextSealer;
  readonly policy?: DisclosurePolicy;
  /** Epoch ms; default Date.now. */
  readonly now?: () => number;
  /** New request ids; default `dr_` + 16 random base64url characters. */
  readonly newId?: () => string;
}

// ---- results and errors ---------------------------------------------------------------------------

export interface DecisionView {
  readonly decision: "approve" | "refuse" | "revoke";
  readonly by: string;
  readonly role: Role;
  /** RFC 3339 UTC. */
  readonly at: string;
  /** The decider's written reason, when one was given. */
  readonly reason: string | null;
}

/** A request as its requester and supervisors see it. */
export interface DisclosureView {
  readonly requestId: string;
  readonly entityId: string;
  readonly caseId: string;
  readonly requestedBy: string;
  readonly requesterRole: Role;
  readonly purpose: string;
  readonly fields: readonly PersonalField[];
  readonly durationMs: number;
  readonly requestedAt: string;
  /** The state now: pending, approved, refused, revoked, or expired (derived from the clock). */
  readonly state: DisclosureState;
  /** Present once approved. */
  readonly grant: { readonly approvedBy: string; readonly approvedAt: string; readonly expiresAt: string; readonly revokedAt: string | null } | null;
  readonly decisions: readonly DecisionView[];
}

export interface RevealedRecord {
  readonly recordId: string;
  readonly owner: string;
  readonly fields: { readonly [field: string]: unknown };
}

export interface RevealResult {
  readonly entityId: string;
  /** Own exchange's records (officers) or a disclosure grant. */
  readonly via: "own_tenant" | "grant";
  /** The grant's request id (via grant), else null. */
  readonly grant: string | null;
  /** When the grant ends (via grant), else null. */
  readonly expiresAt: string | null;
  readonly fields: readonly PersonalField[];
  readonly records: readonly RevealedRecord[];
}

/** How each policy reason answers over HTTP (and on the command line): see ERROR_KINDS. */
export const DENY_KINDS: Readonly<Record<DenyReason, ErrorKind>> = {
  role_not_permitted: "forbidden",
  missing_tenant: "forbidden",
  cross_tenant: "forbidden",
  not_requester: "forbidden",
  not_grantee: "forbidden",
  entity_mismatch: "bad_input",
  unknown_case: "not_found",
  not_suspect: "forbidden",
  purpose_too_short: "bad_input",
  no_fields: "bad_input",
  unknown_field: "bad_input",
  duplicate_field: "bad_input",
  bad_duration: "bad_input",
  bad_time: "internal",
  request_stale: "conflict",
  self_approval: "forbidden",
  not_supervisor: "forbidden",
  grant_invalid: "forbidden",
  no_grant: "forbidden",
  not_yet_valid: "forbidden",
  expired: "forbidden",
  revoked: "forbidden",
  field_not_granted: "forbidden",
};

/** A policy "no" as an error: the kind from DENY_KINDS, and the reason code in the body. */
export class DisclosureDenied extends KanshiError {
  readonly reason: DenyReason;
  constructor(reason: DenyReason, message: string, path?: string) {
    super(DENY_KINDS[reason], message, path);
    this.name = "DisclosureDenied";
    this.reason = reason;
  }
  override toBody(): { error: { code: ErrorKind; message: string; path?: string; reason: DenyReason } } {
    return { error: { ...super.toBody().error, reason: this.reason } };
  }
}

const denied = (d: Deny, path?: string) => new DisclosureDenied(d.reason, d.message, path);

// ---- input checks ---------------------------------------------------------------------------------

export const MAX_PURPOSE = 4000;
export const MAX_REASON = 2000;
const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20);

function checkId(v: unknown, where: string): string {
  if (typeof v !== "string" || v.length === 0 || v.length > 128 || hasControl(v)) throw badInput("expected an id of 1–128 characters without control characters", where);
  return v;
}

/** Free text that is never echoed: the message names only the place and the limit. */
function checkText(v: unknown, where: string, max: number, required: boolean): string | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== "string") throw badInput("expected text", where);
  if (v.trim() === "") {
    if (required) throw badInput("must not be empty", where);
    return undefined;
  }
  if (v.length > max) throw badInput(`at most ${max} characters`, where);
  return v;
}

/** A list of personal fields: non-empty, known, no repeats; `fields[i]` names a bad one. */
export function parseFields(v: unknown, where = "fields"): PersonalField[] {
  if (!Array.isArray(v) || v.length === 0) throw badInput(`expected one or more of ${PERSONAL_FIELDS.join(", ")}`, where);
  if (v.length > PERSONAL_FIELDS.length) throw badInput(`at most ${PERSONAL_FIELDS.length} fields`, where);
  const seen = new Set<string>();
  return v.map((f: unknown, i) => {
    if (typeof f !== "string" || !isPersonalField(f)) throw badInput(`not a personal field; expected one of ${PERSONAL_FIELDS.join(", ")}`, `${where}[${i}]`);
    if (seen.has(f)) throw badInput(`${f} named twice`, `${where}[${i}]`);
    seen.add(f);
    return f;
  });
}

export interface RequestInput {
  readonly entityId: string;
  readonly caseId: string;
  readonly purpose: string;
  readonly fields: readonly string[];
  /** How long the grant lasts once approved, ms; default 24 h (or the policy's maximum when shorter). */
  readonly durationMs?: number | undefined;
}

export interface ListInput {
  /** For supervisors: `mine` (own requests), `pending` (everyone's pending), default both. Others always see their own. */
  readonly scope?: "mine" | "pending" | undefined;
  readonly state?: DisclosureState | undefined;
  readonly entityId?: string | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

// ---- the service ----------------------------------------------------------------------------------

const iso = (ms: number) => new Date(ms).toISOString();

/** How the audit trail names a principal (as server/auth.ts does). */
export const actorOf = (p: Principal): string => ("tenant" in p ? `${p.id}@${p.role}/${p.tenant}` : `${p.id}@${p.role}`);

const sealContext = (requestId: string, field: string): SealContext => ({ recordId: `disclosure:${requestId}`, field });

const DEFAULT_DURATION_MS = 24 * 3600_000;

export class DisclosureService {
  readonly policy: DisclosurePolicy;
  readonly #repo: DisclosureRepository;
  readonly #cases: CaseLookup;
  readonly #reader: PersonalDataReader;
  readonly #audit: AuditSink;
  readonly #sealer: TextSealer;
  readonly #now: () => number;
  readonly #newId: () => string;

  constructor(deps: DisclosureServiceDeps) {
    this.#repo = deps.repo;
    this.#cases = deps.cases;
    this.#reader = deps.personalData;
    this.#audit = deps.audit;
    this.#sealer = deps.sealer;
    this.policy = deps.policy ?? createDisclosurePolicy();
    this.#now = deps.now ?? Date.now;
    this.#newId = deps.newId ?? (() => `dr_${randomBytes(12).toString("base64url")}`);
  }

  #clock(): number {
    const t = this.#now();
    if (!Number.isSafeInteger(t) || t < 0) throw new KanshiError("internal", "the disclosure clock must give epoch milliseconds");
    return t;
  }

  #seal(requestId: string, field: string, text: string): string {
    return encodeSealed(this.#sealer.seal(text, sealContext(requestId, field)));
  }

  #open(requestId: string, field: string, sealed: string): string {
    return this.#sealer.openString(sealed, sealContext(requestId, field));
  }

  /** The request as the policy sees it (purpose opened in memory: the policy checks its length). */
  #policyRequest(rec: DisclosureRecord): DisclosureRequest {
    return {
      requestId: rec.requestId,
      entityId: toEntityId(rec.entityId),
      caseId: toCaseId(rec.caseId),
      requestedBy: principalId(rec.requestedBy),
      requesterRole: rec.requesterRole,
      purpose: this.#open(rec.requestId, "purpose", rec.purposeSealed),
      fields: rec.fields,
      requestedAt: rec.requestedAt,
      durationMs: rec.durationMs,
    };
  }

  /** The stored grant as the policy sees it; every field is re-validated by the policy on use. */
  #policyGrant(rec: DisclosureRecord): DisclosureGrant | undefined {
    if (rec.grant === null) return undefined;
    const approval = rec.decisions.find((d) => d.decision === "approve");
    const g = rec.grant;
    return {
      ...this.#policyRequest(rec),
      approvedBy: principalId(g.approvedBy),
      approverRole: (approval?.role ?? "unknown") as "supervisor",
      approvedAt: g.approvedAt,
      expiresAt: g.expiresAt,
      ...(g.revokedAt === null ? {} : { revokedAt: g.revokedAt }),
    };
  }

  #view(rec: DisclosureRecord, now: number): DisclosureView {
    return {
      requestId: rec.requestId,
      entityId: rec.entityId,
      caseId: rec.caseId,
      requestedBy: rec.requestedBy,
      requesterRole: rec.requesterRole,
      purpose: this.#open(rec.requestId, "purpose", rec.purposeSealed),
      fields: rec.fields,
      durationMs: rec.durationMs,
      requestedAt: iso(rec.requestedAt),
      state: disclosureState(rec, now),
      grant:
        rec.grant === null
          ? null
          : {
              approvedBy: rec.grant.approvedBy,
              approvedAt: iso(rec.grant.approvedAt),
              expiresAt: iso(rec.grant.expiresAt),
              revokedAt: rec.grant.revokedAt === null ? null : iso(rec.grant.revokedAt),
            },
      decisions: rec.decisions.map((d) => ({
        decision: d.decision,
        by: d.by,
        role: d.role,
        at: iso(d.at),
        reason: d.reasonSealed === null ? null : this.#open(rec.requestId, `reason.${d.decision}`, d.reasonSealed),
      })),
    };
  }

  /** Requests are visible to their requester (as a person) and to supervisors. */
  #visible(p: Principal, rec: DisclosureRecord): boolean {
    return p.id === rec.requestedBy || p.role === "supervisor";
  }

  async #load(p: Principal, requestId: string): Promise<DisclosureRecord> {
    const id = checkId(requestId, "requestId");
    const rec = await this.#repo.get(id);
    // An invisible request answers like a missing one: its existence is not the caller's business.
    if (rec === undefined || !this.#visible(p, rec)) throw new KanshiError("not_found", `no disclosure request ${id}`, "requestId");
    return rec;
  }

  async #audited(inputs: readonly AuditInput[]): Promise<void> {
    await this.#audit.appendBatch(inputs);
  }

  /**
   * A decision: its audit record first, then the stored change, so a decision never takes effect
   * unrecorded (if the trail cannot be written, nothing changes; a crash in between leaves a record
   * of a decision that did not take effect, never the reverse). The record carries the decision's
   * time (`decidedAt`), which the stored decision carries too: (request, decision, time) ties the two.
   * When the store refuses after the record was written (another decision won the race), a
   * `….aborted` record follows.
   */
  async #decided<T>(record: AuditInput, apply: () => Promise<T>): Promise<T> {
    await this.#audited([record]);
    try {
      return await apply();
    } catch (e) {
      const kind: ErrorKind = e instanceof KanshiError ? e.kind : "internal";
      await this.#audit.appendBatch([{ ...record, action: `${record.action}.aborted`, details: { ...record.details, error: kind } }]).catch(() => undefined);
      throw e;
    }
  }

  /** Files a request. Answers the stored request, pending. */
  async request(p: Principal, input: RequestInput): Promise<DisclosureView> {
    if (input === null || typeof input !== "object") throw badInput("expected { entityId, caseId, purpose, fields, durationMs? }", "body");
    if (!REQUESTER_ROLES.includes(p.role)) throw new DisclosureDenied("role_not_permitted", `a ${p.role} cannot request disclosure`);
    const entityId = checkId(input.entityId, "entityId");
    const caseId = checkId(input.caseId, "caseId");
    const purpose = checkText(input.purpose, "purpose", MAX_PURPOSE, true)!;
    const fields = parseFields(input.fields);
    const durationMs = input.durationMs ?? Math.min(DEFAULT_DURATION_MS, this.policy.config.maxGrantMs);
    const requestId = checkId(this.#newId(), "new request id");
    const now = this.#clock();
    const request: DisclosureRequest = {
      requestId,
      entityId: toEntityId(entityId),
      caseId: toCaseId(caseId),
      requestedBy: p.id,
      requesterRole: p.role,
      purpose,
      fields,
      requestedAt: now,
      durationMs,
    };
    const entity = await this.#cases.entityState(entityId);
    const d = this.policy.canRequestDisclosure(p, entity, request, now);
    if (!d.allow) throw denied(d);
    const purposeSealed = this.#seal(requestId, "purpose", purpose);
    const rec = await this.#decided(
      { actor: actorOf(p), action: "disclosure.request", target: `disclosure:${requestId}`, details: { entity: entityId, case: caseId, fields, durationMs } },
      () =>
        this.#repo.create({
          requestId,
          entityId,
          caseId,
          requestedBy: p.id,
          requesterRole: p.role,
          purposeSealed,
          fields,
          durationMs,
          requestedAt: now,
          pendingUntil: now + this.policy.config.maxPendingMs,
        }),
    );
    return this.#view(rec, now);
  }

  /** A supervisor other than the requester approves a pending request about a current suspect. */
  async approve(p: Principal, requestId: string, input: { reason?: string | undefined } = {}): Promise<DisclosureView> {
    if (p.role !== "supervisor") throw new DisclosureDenied("not_supervisor", `only a supervisor can approve disclosure; acting as ${p.role}`);
    const reason = checkText(input.reason, "reason", MAX_REASON, false);
    const rec = await this.#load(p, requestId);
    if (p.id === rec.requestedBy) throw new DisclosureDenied("self_approval", "the requester cannot approve their own request");
    const now = this.#clock();
    if (rec.state !== "pending") throw new KanshiError("conflict", `disclosure request ${rec.requestId} is ${rec.state}; only a pending request can be approved`);
    const entity = await this.#cases.entityState(rec.entityId);
    const d = this.policy.approve(p, entity, this.#policyRequest(rec), now);
    if (!d.allow) throw denied(d);
    const reasonSealed = reason === undefined ? undefined : this.#seal(rec.requestId, "reason.approve", reason);
    const stored = await this.#decided(
      {
        actor: actorOf(p),
        action: "disclosure.approve",
        target: `disclosure:${rec.requestId}`,
        details: { entity: rec.entityId, case: rec.caseId, requestedBy: rec.requestedBy, fields: rec.fields, expiresAt: iso(d.grant.expiresAt), decidedAt: iso(now) },
      },
      () => this.#repo.approve(rec.requestId, { by: p.id, role: p.role, at: now, expiresAt: d.grant.expiresAt, reasonSealed }),
    );
    return this.#view(stored, now);
  }

  /** A supervisor other than the requester refuses a pending request, with a written reason. */
  async refuse(p: Principal, requestId: string, input: { reason: string }): Promise<DisclosureView> {
    if (p.role !== "supervisor") throw new DisclosureDenied("not_supervisor", `only a supervisor can refuse disclosure; acting as ${p.role}`);
    const reason = checkText(input?.reason, "reason", MAX_REASON, true)!;
    const rec = await this.#load(p, requestId);
    if (p.id === rec.requestedBy) throw new DisclosureDenied("self_approval", "the requester cannot decide their own request; withdraw it with revoke");
    const now = this.#clock();
    if (rec.state !== "pending") throw new KanshiError("conflict", `disclosure request ${rec.requestId} is ${rec.state}; only a pending request can be refused`);
    const reasonSealed = this.#seal(rec.requestId, "reason.refuse", reason);
    const stored = await this.#decided(
      { actor: actorOf(p), action: "disclosure.refuse", target: `disclosure:${rec.requestId}`, details: { entity: rec.entityId, case: rec.caseId, requestedBy: rec.requestedBy, decidedAt: iso(now) } },
      () => this.#repo.refuse(rec.requestId, { by: p.id, role: p.role, at: now, reasonSealed }),
    );
    return this.#view(stored, now);
  }

  /** Ends a pending request or an approved grant now: its requester (withdrawing) or any supervisor. */
  async revoke(p: Principal, requestId: string, input: { reason?: string | undefined } = {}): Promise<DisclosureView> {
    const reason = checkText(input.reason, "reason", MAX_REASON, false);
    const rec = await this.#load(p, requestId);
    if (p.role !== "supervisor" && p.id !== rec.requestedBy) throw new DisclosureDenied("not_requester", "only the requester or a supervisor can revoke");
    const now = this.#clock();
    if (rec.state !== "pending" && rec.state !== "approved") {
      throw new KanshiError("conflict", `disclosure request ${rec.requestId} is ${rec.state}; only a pending or approved request can be revoked`);
    }
    const reasonSealed = reason === undefined ? undefined : this.#seal(rec.requestId, "reason.revoke", reason);
    const stored = await this.#decided(
      { actor: actorOf(p), action: "disclosure.revoke", target: `disclosure:${rec.requestId}`, details: { entity: rec.entityId, case: rec.caseId, was: rec.state, decidedAt: iso(now) } },
      () => this.#repo.revoke(rec.requestId, { by: p.id, role: p.role, at: now, reasonSealed }),
    );
    return this.#view(stored, now);
  }

  async get(p: Principal, requestId: string): Promise<DisclosureView> {
    return this.#view(await this.#load(p, requestId), this.#clock());
  }

  /** Requesters see their own requests; supervisors their own and everyone's pending ones. */
  async list(p: Principal, q: ListInput = {}): Promise<{ items: DisclosureView[]; nextCursor: string | null }> {
    if (!REQUESTER_ROLES.includes(p.role)) throw new DisclosureDenied("role_not_permitted", `a ${p.role} has no disclosure requests to list`);
    const now = this.#clock();
    const scope = p.role === "supervisor" ? (q.scope ?? "all") : "mine";
    const page = await this.#repo.list({
      ...(scope === "pending" ? {} : { requestedBy: p.id }),
      includePending: scope !== "mine",
      ...(q.state === undefined ? {} : { state: q.state }),
      ...(q.entityId === undefined ? {} : { entityId: checkId(q.entityId, "entityId") }),
      ...(q.limit === undefined ? {} : { limit: q.limit }),
      ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      now,
    });
    return { items: page.items.map((r) => this.#view(r, now)), nextCursor: page.nextCursor };
  }

  /**
   * Personal data of `entityId`, the named fields: an officer its own exchange's records; a grant
   * holder every owner's under its grant (the one named, or else the newest that allows every field).
   * All or nothing: one field not allowed refuses the whole read. Audited before anything is returned.
   */
  async reveal(p: Principal, entityIdText: string, fieldsInput: readonly string[], opts: { grant?: string | undefined } = {}): Promise<RevealResult> {
    const entityId = checkId(entityIdText, "entityId");
    const fields = parseFields(fieldsInput);
    const now = this.#clock();
    const actor = actorOf(p);
    const target = `entity:${entityId}`;
    const refuse = async (d: Deny, grant: string | null): Promise<never> => {
      await this.#audited([{ actor, action: "pii.reveal.denied", target, details: { fields, grant, reason: d.reason } }]);
      throw denied(d);
    };

    if (p.role === "exchange_officer") {
      const decision = this.policy.canReadPersonalData(p, { owner: tenantId(p.tenant), entity: { entityId: toEntityId(entityId), cases: [] }, field: fields[0]!, now });
      if (!decision.allow) return refuse(decision, null);
      const read = await this.#reader.personalData({ tenant: p.tenant }, entityId, fields);
      // Only the officer's own exchange's records, whatever the reader returned; each field checked.
      const records = read.records.filter((r) =>
        fields.every((field) => this.policy.canReadPersonalData(p, { owner: tenantId(r.owner), entity: { entityId: toEntityId(entityId), cases: [] }, field, now }).allow),
      );
      if (records.length === 0) {
        await this.#audited([{ actor, action: "pii.reveal.denied", target, details: { fields, grant: null, reason: "no_records" } }]);
        throw new KanshiError("not_found", `your exchange holds no personal data of entity ${entityId}`, "entityId");
      }
      return this.#release(actor, target, entityId, fields, records, "own_tenant", null, null);
    }

    if (!REQUESTER_ROLES.includes(p.role)) {
      const d = this.policy.canReadPersonalData(p, { owner: tenantId(""), entity: { entityId: toEntityId(entityId), cases: [] }, field: fields[0]!, now });
      return refuse(d.allow ? { allow: false, reason: "role_not_permitted", message: `a ${p.role} reads no personal data` } : d, null);
    }

    // Grant holders: find the grant, and check every field before anything is read.
    let candidates: DisclosureRecord[];
    if (opts.grant !== undefined) {
      const id = checkId(opts.grant, "grant");
      const rec = await this.#repo.get(id);
      if (rec === undefined || rec.requestedBy !== p.id) throw new KanshiError("not_found", `you hold no disclosure request ${id}`, "grant");
      if (rec.grant === null) return refuse({ allow: false, reason: "no_grant", message: `disclosure request ${id} is ${rec.state}; it grants nothing` }, id);
      candidates = [rec];
    } else {
      candidates = (await this.#repo.grantsFor(entityId, p.id)).filter((r) => r.requesterRole === p.role);
    }
    if (candidates.length === 0) return refuse({ allow: false, reason: "no_grant", message: `personal data of entity ${entityId} needs an approved disclosure grant` }, null);
    const entity = await this.#cases.entityState(entityId);
    let firstDeny: { d: Deny; grant: string } | undefined;
    for (const rec of candidates) {
      const grant = this.#policyGrant(rec)!;
      let deny: Deny | undefined;
      for (const field of fields) {
        const d = this.policy.canReadPersonalData(p, { owner: tenantId(""), entity, field, grant, now });
        if (!d.allow) {
          deny = d;
          break;
        }
      }
      if (deny === undefined) {
        const read = await this.#reader.personalData({ grant: rec.requestId }, entityId, fields);
        return this.#release(actor, target, entityId, fields, read.records, "grant", rec.requestId, grant.expiresAt);
      }
      firstDeny ??= { d: deny, grant: rec.requestId };
    }
    return refuse(firstDeny!.d, firstDeny!.grant);
  }

  /** Audits the reveal (ids, fields, records; never values), then hands over only the requested fields. */
  async #release(
    actor: string,
    target: string,
    entityId: string,
    fields: readonly PersonalField[],
    records: readonly PersonalDataRecord[],
    via: "own_tenant" | "grant",
    grant: string | null,
    expiresAt: number | null,
  ): Promise<RevealResult> {
    const out: RevealedRecord[] = records.map((r) => {
      const kept: Record<string, unknown> = {};
      for (const f of fields) if (Object.hasOwn(r.fields, f) && r.fields[f] !== undefined) kept[f] = r.fields[f];
      return { recordId: r.recordId, owner: r.owner, fields: kept };
    });
    const details: JsonObject = {
      via,
      grant,
      fields: [...fields],
      records: out.length,
      owners: [...new Set(out.map((r) => r.owner))].sort(),
      recordIds: out.slice(0, 100).map((r) => r.recordId),
      values: out.reduce((n, r) => n + Object.keys(r.fields).length, 0),
    };
    await this.#audited([{ actor, action: "pii.reveal", target, details }]);
    return { entityId, via, grant, expiresAt: expiresAt === null ? null : iso(expiresAt), fields, records: out };
  }
}

export function createDisclosureService(deps: DisclosureServiceDeps): DisclosureService {
  return new DisclosureService(deps);
}

/**
 * The service over one store's sub-stores (disclosures, cases' entityState, identities' personalData):
 * what a composition root passes to buildApp as `disclosures`. Share the app's AuditTrail (`audit`),
 * and pass the deployment's Keyring as `sealer`.
 */
export function disclosureServiceFor(
  store: { disclosures(): DisclosureRepository; cases(): CaseLookup; identities(): PersonalDataReader },
  deps: Omit<DisclosureServiceDeps, "repo" | "cases" | "personalData">,
): DisclosureService {
  return new DisclosureService({ ...deps, repo: store.disclosures(), cases: store.cases(), personalData: store.identities() });
}
