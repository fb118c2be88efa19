// The disclosure policy: pure decisions over principals and state. No I/O, no clock of its own
// (`now` is passed in, epoch milliseconds), no mutable state. Every "no" carries a reason code and a
// message naming what was wrong, never any personal data or the request's written purpose.
//
// Personal data reaches a person by exactly two roads:
//   1. an exchange officer reads records its own exchange supplied (its own customers' KYC);
//   2. anyone else (analyst, supervisor, regulator) holds a disclosure grant: they asked, naming a
//      case, a written purpose and the fields; a DIFFERENT person acting as supervisor approved; the
//      entity is still a suspect (that case open, at or above the threshold) when they read; the
//      field is in the grant; the grant has not expired or been revoked.
// Data providers read nothing back; auditors read only the audit trail; admins read no personal data.
import { z } from "zod";
import { badInput } from "../contracts/errors.ts";
import type { Brand, CaseId, EntityId, TenantId } from "../contracts/ids.ts";

export const ROLES = ["exchange_officer", "analyst", "supervisor", "regulator", "data_provider", "auditor", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** A person (or service account): the one identity separation of duties compares. */
export type PrincipalId = Brand<string, "PrincipalId">;
export const principalId = (s: string): PrincipalId => s as PrincipalId;

/** Roles that belong to an organisation: the exchange (officer) or the supplying source (provider). */
export type TenantRole = "exchange_officer" | "data_provider";
export type ConsortiumRole = Exclude<Role, TenantRole>;

/**
 * Who is acting, in which ONE role (a person holding several roles acts in one at a time, like an
 * RBAC session). `tenant` is the organisation: the exchange id for an officer, the source id for a
 * data provider.
 */
export type Principal =
  | { readonly id: PrincipalId; readonly role: TenantRole; readonly tenant: TenantId }
  | { readonly id: PrincipalId; readonly role: ConsortiumRole };

/** Zod schema for principals built at the edge (e.g. from a verified token). */
export const PrincipalSchema = z.union([
  z.strictObject({ id: z.string().min(1).max(128), role: z.enum(["exchange_officer", "data_provider"]), tenant: z.string().min(1).max(64) }),
  z.strictObject({ id: z.string().min(1).max(128), role: z.enum(["analyst", "supervisor", "regulator", "auditor", "admin"]) }),
]).transform((p) => p as Principal);

/** Personal fields a grant can name (the KYC / subject fields, credit details, social handles). */
export const PERSONAL_FIELDS = [
  "name",
  "nameKana",
  "nameLatin",
  "dateOfBirth",
  "nationality",
  "residency",
  "postalCode",
  "address",
  "phone",
  "email",
  "occupation",
  "declaredIncomeJpy",
  "purpose",
  "corporateNumber",
  "creditScore",
  "annualIncomeJpy",
  "debtJpy",
  "delinquencies",
  "bankruptcy",
  "socialHandle",
] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];
const FIELD_SET: ReadonlySet<string> = new Set(PERSONAL_FIELDS);
export const isPersonalField = (s: string): s is PersonalField => FIELD_SET.has(s);

/** Roles that may ask for disclosure and hold a grant. */
export const REQUESTER_ROLES: readonly Role[] = ["analyst", "supervisor", "regulator"];

export interface CaseState {
  readonly caseId: CaseId;
  readonly status: "open" | "closed";
  /** 0–100. */
  readonly score: number;
}

/** What the policy needs to know about an entity: its cases (from the case store). */
export interface EntityState {
  readonly entityId: EntityId;
  readonly cases: readonly CaseState[];
}

export interface DisclosureRequest {
  readonly requestId: string;
  readonly entityId: EntityId;
  /** The case that makes the entity a suspect; it must stay open and at or above the threshold. */
  readonly caseId: CaseId;
  readonly requestedBy: PrincipalId;
  /** The role the requester acted in; only that person in that role can use the grant. */
  readonly requesterRole: Role;
  /** Why, in words (checked for length only; never echoed in messages). */
  readonly purpose: string;
  readonly fields: readonly PersonalField[];
  /** Epoch ms. */
  readonly requestedAt: number;
  /** How long the grant should last once approved. */
  readonly durationMs: number;
}

export interface DisclosureGrant extends DisclosureRequest {
  readonly approvedBy: PrincipalId;
  readonly approverRole: "supervisor";
  /** Epoch ms. */
  readonly approvedAt: number;
  /** Epoch ms, exclusive: approvedAt + durationMs. */
  readonly expiresAt: number;
  /** Epoch ms; from this instant on the grant is void. */
  readonly revokedAt?: number;
}

export type DenyReason =
  | "role_not_permitted"
  | "missing_tenant"
  | "cross_tenant"
  | "not_requester"
  | "not_grantee"
  | "entity_mismatch"
  | "unknown_case"
  | "not_suspect"
  | "purpose_too_short"
  | "no_fields"
  | "unknown_field"
  | "duplicate_field"
  | "bad_duration"
  | "bad_time"
  | "request_stale"
  | "self_approval"
  | "not_supervisor"
  | "grant_invalid"
  | "no_grant"
  | "not_yet_valid"
  | "expired"
  | "revoked"
  | "field_not_granted";

export type Deny = { readonly allow: false; readonly reason: DenyReason; readonly message: string };
export type Decision = { readonly allow: true } | Deny;
export type ReadDecision = { readonly allow: true; readonly via: "own_tenant" | "grant" } | Deny;
export type ApprovalDecision = { readonly allow: true; readonly grant: DisclosureGrant } | Deny;

export interface DisclosurePolicyConfig {
  /** A case at or above this score (0–100) makes its entity a suspect. */
  readonly disclosureThreshold: number;
  /** Minimum written purpose, in characters (code points) after trimming. */
  readonly minPurposeLength: number;
  /** Longest grant, ms. */
  readonly maxGrantMs: number;
  /** A request not approved within this long must be asked again, ms. */
  readonly maxPendingMs: number;
}

export const DEFAULT_POLICY_CONFIG: DisclosurePolicyConfig = {
  disclosureThreshold: 70,
  minPurposeLength: 20,
  maxGrantMs: 72 * 3600_000,
  maxPendingMs: 14 * 24 * 3600_000,
};

export const DisclosurePolicyConfigSchema = z.strictObject({
  disclosureThreshold: z.number().min(0).max(100),
  minPurposeLength: z.number().int().min(1).max(10_000),
  maxGrantMs: z.number().int().min(1),
  maxPendingMs: z.number().int().min(1),
});

const ALLOW: Decision = { allow: true };
const deny = (reason: DenyReason, message: string): Deny => ({ allow: false, reason, message });

/** A caller-supplied name, quoted and cut short, for messages. */
const quote = (s: unknown): string => JSON.stringify(String(s).slice(0, 64));

const isTime = (t: unknown): t is number => typeof t === "number" && Number.isSafeInteger(t) && t >= 0;

/** The pure decision functions, bound to one configuration. */
export interface DisclosurePolicy {
  readonly config: DisclosurePolicyConfig;
  /** True when `caseId` (or, without it, any case) of the entity is open at or above the threshold. */
  isSuspect(entity: EntityState, caseId?: CaseId): boolean;
  /** May `principal` file `request` now? (The request must name the principal as requester.) */
  canRequestDisclosure(principal: Principal, entity: EntityState, request: DisclosureRequest, now: number): Decision;
  /** May `approver` approve `request` now? */
  canApprove(approver: Principal, entity: EntityState, request: DisclosureRequest, now: number): Decision;
  /** `canApprove`, and on success the grant to store (expiring `durationMs` after `now`). */
  approve(approver: Principal, entity: EntityState, request: DisclosureRequest, now: number): ApprovalDecision;
  /** May `principal` read `field` of `entity` under `grant` now? Re-checks everything, suspicion included. */
  canReveal(principal: Principal, entity: EntityState, grant: DisclosureGrant, field: string, now: number): Decision;
  /**
   * The one question the read path asks: may `principal` read `field` of a personal-data record
   * supplied by organisation `owner` about `entity`? Own-exchange records for officers; a grant for
   * everyone else; nothing for providers, auditors and admins.
   */
  canReadPersonalData(principal: Principal, access: PersonalDataAccess): ReadDecision;
  /** How an account held at exchange `owner` is shown to `principal`: its id, a pseudonym, or not at all. */
  accountIdView(principal: Principal, owner: TenantId): "raw" | "pseudonym" | "none";
  /** Alerts, cases, scores and behaviour under pseudonyms. */
  canReadAnalytics(principal: Principal): Decision;
  canReadAuditTrail(principal: Principal): Decision;
  /** May `principal` submit events as `source`? */
  canWriteEvents(principal: Principal, source: string): Decision;
}

export interface PersonalDataAccess {
  /** The organisation that supplied the record (an exchange for KYC, a bureau for credit data). */
  readonly owner: TenantId;
  readonly entity: EntityState;
  readonly field: string;
  readonly grant?: DisclosureGrant | undefined;
  readonly now: number;
}

export function createDisclosurePolicy(config: DisclosurePolicyConfig = DEFAULT_POLICY_CONFIG): DisclosurePolicy {
  const parsed = DisclosurePolicyConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badInput(issue?.message ?? "invalid", `disclosure policy config.${issue?.path.join(".") ?? ""}`);
  }
  const cfg: DisclosurePolicyConfig = Object.freeze({ ...parsed.data });

  const isSuspect = (entity: EntityState, caseId?: CaseId): boolean =>
    entity.cases.some((c) => (caseId === undefined || c.caseId === caseId) && c.status === "open" && c.score >= cfg.disclosureThreshold);

  const suspectCheck = (entity: EntityState, caseId: CaseId): Decision => {
    const c = entity.cases.find((x) => x.caseId === caseId);
    if (c === undefined) return deny("unknown_case", `case ${caseId} is not a case of entity ${entity.entityId}`);
    if (c.status !== "open") return deny("not_suspect", `case ${caseId} is ${c.status}; only an open case makes its entity a suspect`);
    if (!(c.score >= cfg.disclosureThreshold)) {
      return deny("not_suspect", `case ${caseId} scores ${c.score}, below the disclosure threshold ${cfg.disclosureThreshold}`);
    }
    return ALLOW;
  };

  const fieldsCheck = (fields: readonly string[]): Decision => {
    if (!Array.isArray(fields) || fields.length === 0) return deny("no_fields", "a request must name at least one field");
    const seen = new Set<string>();
    for (const [i, f] of fields.entries()) {
      if (!isPersonalField(f)) return deny("unknown_field", `fields[${i}]: not a personal field`);
      if (seen.has(f)) return deny("duplicate_field", `fields[${i}]: ${f} named twice`);
      seen.add(f);
    }
    return ALLOW;
  };

  /** Checks that do not depend on who acts: the request's own shape and the entity's state. */
  const requestCheck = (entity: EntityState, r: DisclosureRequest): Decision => {
    if (r.entityId !== entity.entityId) return deny("entity_mismatch", `the request is about entity ${r.entityId}, not ${entity.entityId}`);
    if (!isTime(r.requestedAt)) return deny("bad_time", "requestedAt must be epoch milliseconds");
    const purpose = typeof r.purpose === "string" ? [...r.purpose.trim()].length : 0;
    if (purpose < cfg.minPurposeLength) {
      return deny("purpose_too_short", `the written purpose has ${purpose} characters; at least ${cfg.minPurposeLength} are required`);
    }
    const f = fieldsCheck(r.fields);
    if (!f.allow) return f;
    if (!Number.isSafeInteger(r.durationMs) || r.durationMs <= 0 || r.durationMs > cfg.maxGrantMs) {
      return deny("bad_duration", `durationMs must be from 1 to ${cfg.maxGrantMs}`);
    }
    return suspectCheck(entity, r.caseId);
  };

  const canRequestDisclosure = (p: Principal, entity: EntityState, r: DisclosureRequest, now: number): Decision => {
    if (!REQUESTER_ROLES.includes(p.role)) return deny("role_not_permitted", `a ${p.role} cannot request disclosure`);
    if (r.requestedBy !== p.id || r.requesterRole !== p.role) return deny("not_requester", "a request must be filed by the person and role it names");
    if (!isTime(now) || now < r.requestedAt) return deny("bad_time", "a request cannot be dated after it is filed");
    return requestCheck(entity, r);
  };

  const canApprove = (a: Principal, entity: EntityState, r: DisclosureRequest, now: number): Decision => {
    if (a.role !== "supervisor") return deny("not_supervisor", `only a supervisor can approve disclosure; acting as ${a.role}`);
    if (a.id === r.requestedBy) return deny("self_approval", "the requester cannot approve their own request");
    if (!REQUESTER_ROLES.includes(r.requesterRole)) return deny("role_not_permitted", `a ${r.requesterRole} cannot hold a disclosure grant`);
    if (!isTime(now)) return deny("bad_time", "now must be epoch milliseconds");
    const shape = requestCheck(entity, r);
    if (!shape.allow) return shape;
    if (now < r.requestedAt) return deny("bad_time", "approval cannot precede the request");
    if (now - r.requestedAt > cfg.maxPendingMs) return deny("request_stale", `the request is older than ${cfg.maxPendingMs} ms; it must be filed again`);
    return ALLOW;
  };

  const approve = (a: Principal, entity: EntityState, r: DisclosureRequest, now: number): ApprovalDecision => {
    const d = canApprove(a, entity, r, now);
    if (!d.allow) return d;
    const grant: DisclosureGrant = {
      requestId: r.requestId,
      entityId: r.entityId,
      caseId: r.caseId,
      requestedBy: r.requestedBy,
      requesterRole: r.requesterRole,
      purpose: r.purpose,
      fields: [...r.fields],
      requestedAt: r.requestedAt,
      durationMs: r.durationMs,
      approvedBy: a.id,
      approverRole: "supervisor",
      approvedAt: now,
      expiresAt: now + r.durationMs,
    };
    return { allow: true, grant };
  };

  /** A stored grant is re-validated on every use: it may come back from storage altered. */
  const grantCheck = (g: DisclosureGrant): Decision => {
    if (g.approverRole !== "supervisor") return deny("grant_invalid", "the grant was not approved by a supervisor");
    if (g.approvedBy === g.requestedBy) return deny("self_approval", "the grant was approved by its own requester");
    if (!REQUESTER_ROLES.includes(g.requesterRole)) return deny("grant_invalid", `a ${g.requesterRole} cannot hold a disclosure grant`);
    if (!isTime(g.requestedAt) || !isTime(g.approvedAt) || !isTime(g.expiresAt) || g.approvedAt < g.requestedAt) {
      return deny("grant_invalid", "the grant's times are not in order");
    }
    if (g.expiresAt - g.approvedAt !== g.durationMs || g.durationMs <= 0 || g.durationMs > cfg.maxGrantMs) {
      return deny("grant_invalid", `the grant's lifetime must equal its durationMs, at most ${cfg.maxGrantMs} ms`);
    }
    if (g.approvedAt - g.requestedAt > cfg.maxPendingMs) return deny("grant_invalid", "the grant was approved after its request went stale");
    if (typeof g.purpose !== "string" || [...g.purpose.trim()].length < cfg.minPurposeLength) {
      return deny("grant_invalid", `the grant's written purpose is shorter than ${cfg.minPurposeLength} characters`);
    }
    if (g.revokedAt !== undefined && !isTime(g.revokedAt)) return deny("grant_invalid", "revokedAt must be epoch milliseconds");
    const f = fieldsCheck(g.fields);
    return f.allow ? ALLOW : deny("grant_invalid", `the grant's ${f.message}`);
  };

  const canReveal = (p: Principal, entity: EntityState, g: DisclosureGrant, field: string, now: number): Decision => {
    if (!REQUESTER_ROLES.includes(p.role)) return deny("role_not_permitted", `a ${p.role} cannot read personal data through a grant`);
    if (g.requestedBy !== p.id || g.requesterRole !== p.role) return deny("not_grantee", "the grant belongs to another person or role");
    const valid = grantCheck(g);
    if (!valid.allow) return valid;
    if (g.entityId !== entity.entityId) return deny("entity_mismatch", `the grant is for entity ${g.entityId}, not ${entity.entityId}`);
    if (!isPersonalField(field)) return deny("unknown_field", `${quote(field)} is not a personal field`);
    if (!isTime(now)) return deny("bad_time", "now must be epoch milliseconds");
    if (g.revokedAt !== undefined && now >= g.revokedAt) return deny("revoked", "the grant was revoked");
    if (now < g.approvedAt) return deny("not_yet_valid", "the grant is not valid before its approval");
    if (now >= g.expiresAt) return deny("expired", "the grant has expired");
    if (!g.fields.includes(field)) return deny("field_not_granted", `${field} is not among the granted fields`);
    return suspectCheck(entity, g.caseId);
  };

  const canReadPersonalData = (p: Principal, access: PersonalDataAccess): ReadDecision => {
    switch (p.role) {
      case "exchange_officer": {
        if (typeof p.tenant !== "string" || p.tenant === "") return deny("missing_tenant", "an exchange officer must act for an exchange");
        if (!isPersonalField(access.field)) return deny("unknown_field", `${quote(access.field)} is not a personal field`);
        if (access.owner === p.tenant) return { allow: true, via: "own_tenant" };
        return deny("cross_tenant", "another exchange's customers are shown only as pseudonyms");
      }
      case "analyst":
      case "supervisor":
      case "regulator": {
        if (access.grant === undefined) return deny("no_grant", "personal data needs an approved disclosure grant");
        const d = canReveal(p, access.entity, access.grant, access.field, access.now);
        return d.allow ? { allow: true, via: "grant" } : d;
      }
      case "data_provider":
        return deny("role_not_permitted", "a data provider reads nothing back");
      case "auditor":
        return deny("role_not_permitted", "an auditor reads only the audit trail");
      case "admin":
        return deny("role_not_permitted", "an admin reads no personal data");
    }
  };

  const accountIdView = (p: Principal, owner: TenantId): "raw" | "pseudonym" | "none" => {
    switch (p.role) {
      case "exchange_officer":
        return typeof p.tenant === "string" && p.tenant !== "" && p.tenant === owner ? "raw" : "pseudonym";
      case "analyst":
      case "supervisor":
      case "regulator":
        return "pseudonym";
      case "data_provider":
      case "auditor":
      case "admin":
        return "none";
    }
  };

  const canReadAnalytics = (p: Principal): Decision => {
    switch (p.role) {
      case "exchange_officer":
        return typeof p.tenant === "string" && p.tenant !== "" ? ALLOW : deny("missing_tenant", "an exchange officer must act for an exchange");
      case "analyst":
      case "supervisor":
      case "regulator":
        return ALLOW;
      case "data_provider":
        return deny("role_not_permitted", "a data provider reads nothing back");
      case "auditor":
        return deny("role_not_permitted", "an auditor reads only the audit trail");
      case "admin":
        return deny("role_not_permitted", "an admin manages the system, not cases");
    }
  };

  const canReadAuditTrail = (p: Principal): Decision =>
    p.role === "auditor" ? ALLOW : deny("role_not_permitted", `a ${p.role} cannot read the audit trail; auditors do`);

  const canWriteEvents = (p: Principal, source: string): Decision => {
    if (p.role !== "exchange_officer" && p.role !== "data_provider") return deny("role_not_permitted", `a ${p.role} does not submit events`);
    if (typeof p.tenant !== "string" || p.tenant === "") return deny("missing_tenant", `a ${p.role} must act for an organisation`);
    if (p.tenant !== source) return deny("cross_tenant", `acting for ${p.tenant}; cannot submit events as ${quote(source)}`);
    return ALLOW;
  };

  return {
    config: cfg,
    isSuspect,
    canRequestDisclosure,
    canApprove,
    approve,
    canReveal,
    canReadPersonalData,
    accountIdView,
    canReadAnalytics,
    canReadAuditTrail,
    canWriteEvents,
  };
}
