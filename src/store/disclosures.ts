// Disclosure requests, decisions and grants (migration 8) over the store's SQL port. This is storage,
// not policy: who may request, approve or read is decided by privacy/policy.ts in the disclosure use
// case (src/disclosure/service.ts). What the store does guarantee on its own:
//   - a request is decided once: approve and refuse only move a *pending* request, revoke only a
//     pending or approved one, each in one state-guarded UPDATE, so two supervisors approving at once,
//     or approving a refused request, get `conflict` (the loser changes nothing);
//   - a grant's approver is never its grantee (a CHECK constraint; `forbidden` if code ever tries);
//   - the written purpose and decision reasons are stored sealed only ("ks1." text from the privacy
//     Keyring); plaintext is refused, and no message here ever carries them.
// Disclosure requests belong to the consortium, not to one exchange (requesters are analysts,
// supervisors and regulators, who have no tenant), so these methods take no tenant.
import { badInput, KanshiError } from "../contracts/errors.ts";
import { isPersonalField, REQUESTER_ROLES, ROLES, type PersonalField, type Role } from "../privacy/policy.ts";
import { inspectSealed } from "../privacy/seal.ts";
import { toNumber, toStr, type Row, type SqlDatabase, type SqlQueryable } from "./sql.ts";

/** What is stored; `expired` is never stored but derived from the clock (see `disclosureState`). */
export type StoredDisclosureState = "pending" | "approved" | "refused" | "revoked";
export type DisclosureState = StoredDisclosureState | "expired";
export const DISCLOSURE_STATES: readonly DisclosureState[] = ["pending", "approved", "refused", "revoked", "expired"];

export type DisclosureDecisionKind = "approve" | "refuse" | "revoke";

export interface NewDisclosureRequest {
  readonly requestId: string;
  readonly entityId: string;
  readonly caseId: string;
  readonly requestedBy: string;
  readonly requesterRole: Role;
  /** The written purpose, sealed ("ks1." text form). */
  readonly purposeSealed: string;
  readonly fields: readonly PersonalField[];
  readonly durationMs: number;
  /** Epoch ms. */
  readonly requestedAt: number;
  /** Epoch ms: a request still pending after this instant has expired. */
  readonly pendingUntil: number;
}

export interface DisclosureDecisionRecord {
  readonly decision: DisclosureDecisionKind;
  readonly by: string;
  readonly role: Role;
  /** Epoch ms. */
  readonly at: number;
  /** Sealed reason ("ks1." text), or null when none was given. */
  readonly reasonSealed: string | null;
}

export interface DisclosureGrantRecord {
  readonly approvedBy: string;
  readonly approvedAt: number;
  /** Epoch ms, exclusive. */
  readonly expiresAt: number;
  /** Epoch ms, or null while not revoked. */
  readonly revokedAt: number | null;
}

export interface DisclosureRecord extends NewDisclosureRequest {
  readonly state: StoredDisclosureState;
  /** Present once approved (and kept, with revokedAt, when revoked afterwards). */
  readonly grant: DisclosureGrantRecord | null;
  /** In the order made. */
  readonly decisions: readonly DisclosureDecisionRecord[];
}

export interface DecisionInput {
  readonly by: string;
  readonly role: Role;
  /** Epoch ms. */
  readonly at: number;
  readonly reasonSealed?: string | undefined;
}

export interface DisclosureListQuery {
  /** Requests filed by this person (any role). */
  readonly requestedBy?: string;
  /** With requestedBy: also every request pending (and not expired) at `now`. Alone: only those. */
  readonly includePending?: boolean;
  readonly entityId?: string;
  /** Only requests in this state at `now`. */
  readonly state?: DisclosureState;
  /** Epoch ms: the instant states are evaluated at. */
  readonly now: number;
  /** 1..200, default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface DisclosurePage {
  /** Newest request first. */
  readonly items: DisclosureRecord[];
  readonly nextCursor: string | null;
}

export interface DisclosureStore {
  /** Throws `conflict` when the id exists, bad_input (naming the field) for a malformed request. */
  create(r: NewDisclosureRequest): Promise<DisclosureRecord>;
  get(requestId: string): Promise<DisclosureRecord | undefined>;
  list(q: DisclosureListQuery): Promise<DisclosurePage>;
  /**
   * pending → approved, storing the decision and the grant (for the requester in the role they
   * asked in) in one transaction. `not_found` for an unknown id; `conflict` unless pending;
   * `forbidden` when the approver is the requester.
   */
  approve(requestId: string, d: DecisionInput & { readonly expiresAt: number }): Promise<DisclosureRecord>;
  /** pending → refused. `not_found`; `conflict` unless pending. */
  refuse(requestId: string, d: DecisionInput): Promise<DisclosureRecord>;
  /** pending or approved → revoked (an approved one's grant gets revokedAt = d.at). `not_found`; `conflict` otherwise. */
  revoke(requestId: string, d: DecisionInput): Promise<DisclosureRecord>;
  /** Every request of `grantee` about `entityId` that was ever approved (revoked ones too), newest approval first. */
  grantsFor(entityId: string, grantee: string): Promise<DisclosureRecord[]>;
  /**
   * Key rotation: re-wraps every sealed purpose and reason under the keyring's current master key
   * (no plaintext is produced; a value changed meanwhile is left alone). `unreadable` counts values
   * under a key id the keyring does not hold.
   */
  rewrap(keyring: SealedRewrapper): Promise<{ rewrapped: number; unreadable: number }>;
}

/** What `rewrap` needs of the privacy Keyring. */
export interface SealedRewrapper {
  has(kid: string): boolean;
  needsRewrap(sealed: string): boolean;
  rewrap(sealed: string): string;
}

/** The state of a stored request at `now` (epoch ms). */
export function disclosureState(r: Pick<DisclosureRecord, "state" | "pendingUntil" | "grant">, now: number): DisclosureState {
  if (r.state === "pending" && now > r.pendingUntil) return "expired";
  if (r.state === "approved" && r.grant !== null && now >= r.grant.expiresAt) return "expired";
  return r.state;
}

// ---- validation -----------------------------------------------------------------------------------

const MAX_ID = 128;
const MAX_SEALED = 64 * 1024;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

function checkId(v: unknown, where: string): string {
  if (typeof v !== "string" || v.length === 0 || v.length > MAX_ID || [...v].some((c) => c.charCodeAt(0) < 0x20)) {
    throw badInput(`expected 1–${MAX_ID} characters without control characters`, where);
  }
  return v;
}

function checkTime(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw badInput("expected epoch milliseconds (a whole number ≥ 0)", where);
  return v;
}

function checkRole(v: unknown, where: string, allowed: readonly Role[] = ROLES): Role {
  if (typeof v !== "string" || !allowed.includes(v as Role)) throw badInput(`expected one of ${allowed.join(", ")}`, where);
  return v as Role;
}

/** Only the sealed text form is accepted; the value itself never appears in a message. */
function checkSealed(v: unknown, where: string): string {
  if (typeof v !== "string" || !/^ks1\.[A-Za-z0-9_-]+$/.test(v) || v.length > MAX_SEALED) {
    throw badInput("expected a sealed value (the Keyring's \"ks1.\" text form); plaintext is never stored", where);
  }
  return v;
}

function checkFields(v: unknown, where: string): PersonalField[] {
  if (!Array.isArray(v) || v.length === 0) throw badInput("expected a non-empty list of personal fields", where);
  const seen = new Set<string>();
  return v.map((f: unknown, i) => {
    if (typeof f !== "string" || !isPersonalField(f)) throw badInput("not a personal field", `${where}[${i}]`);
    if (seen.has(f)) throw badInput(`${f} named twice`, `${where}[${i}]`);
    seen.add(f);
    return f;
  });
}

function checkDecision(d: DecisionInput, where: string): { by: string; role: Role; at: number; reason: string | null } {
  if (d === null || typeof d !== "object") throw badInput("expected { by, role, at }", where);
  return {
    by: checkId(d.by, `${where}.by`),
    role: checkRole(d.role, `${where}.role`),
    at: checkTime(d.at, `${where}.at`),
    reason: d.reasonSealed === undefined ? null : checkSealed(d.reasonSealed, `${where}.reasonSealed`),
  };
}

// ---- rows -----------------------------------------------------------------------------------------

const SELECT = `
SELECT r.request_id, r.entity_id, r.case_id, r.requested_by, r.requester_role, r.purpose_sealed, r.fields,
       r.duration_ms, r.requested_at_ms, r.pending_until_ms, r.state,
       g.approved_by, g.approved_at_ms, g.expires_at_ms, g.revoked_at_ms,
       (SELECT json_agg(json_build_object('decision', d.decision, 'by', d.decided_by, 'role', d.decider_role,
                                          'at', d.decided_at_ms, 'reason', d.reason_sealed)
                        ORDER BY d.decided_at_ms, d.stored_at)::text
          FROM disclosure_decisions d WHERE d.request_id = r.request_id) AS decisions
FROM disclosure_requests r
LEFT JOIN disclosure_grants g ON g.request_id = r.request_id`;

/** The derived state in SQL, mirroring `disclosureState`; $1 is now. */
const STATE_AT = `CASE WHEN r.state = 'pending' AND $1::int8 > r.pending_until_ms THEN 'expired'
                       WHEN r.state = 'approved' AND $1::int8 >= g.expires_at_ms THEN 'expired'
                       ELSE r.state END`;

function textArray(v: unknown, what: string): string[] {
  if (Array.isArray(v)) return v.map((x) => toStr(x, what));
  // Some drivers hand back a text[] as its literal ({a,b}); field names never need quoting.
  const s = toStr(v, what);
  if (!/^\{[A-Za-z,]*\}$/.test(s)) throw new Error(`store: unexpected array literal for ${what}`);
  return s === "{}" ? [] : s.slice(1, -1).split(",");
}

const optNumber = (v: unknown, what: string): number | null => (v === null || v === undefined ? null : toNumber(v, what));

function recordOf(r: Row): DisclosureRecord {
  const decisions: DisclosureDecisionRecord[] = [];
  if (r.decisions !== null && r.decisions !== undefined) {
    const raw: unknown = JSON.parse(toStr(r.decisions, "decisions"));
    for (const d of raw as Array<Record<string, unknown>>) {
      decisions.push({
        decision: toStr(d.decision, "decision") as DisclosureDecisionKind,
        by: toStr(d.by, "decided_by"),
        role: toStr(d.role, "decider_role") as Role,
        at: toNumber(d.at, "decided_at_ms"),
        reasonSealed: d.reason === null ? null : toStr(d.reason, "reason_sealed"),
      });
    }
  }
  const approvedAt = optNumber(r.approved_at_ms, "approved_at_ms");
  return {
    requestId: toStr(r.request_id, "request_id"),
    entityId: toStr(r.entity_id, "entity_id"),
    caseId: toStr(r.case_id, "case_id"),
    requestedBy: toStr(r.requested_by, "requested_by"),
    requesterRole: toStr(r.requester_role, "requester_role") as Role,
    purposeSealed: toStr(r.purpose_sealed, "purpose_sealed"),
    fields: textArray(r.fields, "fields") as PersonalField[],
    durationMs: toNumber(r.duration_ms, "duration_ms"),
    requestedAt: toNumber(r.requested_at_ms, "requested_at_ms"),
    pendingUntil: toNumber(r.pending_until_ms, "pending_until_ms"),
    state: toStr(r.state, "state") as StoredDisclosureState,
    grant:
      approvedAt === null
        ? null
        : {
            approvedBy: toStr(r.approved_by, "approved_by"),
            approvedAt,
            expiresAt: toNumber(r.expires_at_ms, "expires_at_ms"),
            revokedAt: optNumber(r.revoked_at_ms, "revoked_at_ms"),
          },
    decisions,
  };
}

function encodeCursor(r: DisclosureRecord): string {
  return Buffer.from(JSON.stringify([r.requestedAt, r.requestId]), "utf8").toString("base64url");
}

function decodeCursor(c: string): [number, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(c, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === "string") return [v[0] as number, v[1]];
  } catch {
    // fall through
  }
  throw badInput("not a cursor this API returned", "cursor");
}

const REWRAP_PAGE = 500;

const pgCode = (e: unknown) => (e as { code?: unknown } | null)?.code;

// ---- the store ------------------------------------------------------------------------------------

export function createSqlDisclosureStore(db: SqlDatabase, live: () => void = () => undefined): DisclosureStore {
  const getIn = async (q: SqlQueryable, requestId: string): Promise<DisclosureRecord | undefined> => {
    const [r] = await q.query(`${SELECT} WHERE r.request_id = $1`, [requestId]);
    return r ? recordOf(r) : undefined;
  };

  /** The error for a transition that found no row in an allowed state. */
  const refusal = async (q: SqlQueryable, requestId: string, verb: string, allowed: string): Promise<KanshiError> => {
    const [row] = await q.query("SELECT state FROM disclosure_requests WHERE request_id = $1", [requestId]);
    if (!row) return new KanshiError("not_found", `no disclosure request ${requestId}`, "requestId");
    return new KanshiError("conflict", `disclosure request ${requestId} is ${toStr(row.state, "state")}; only ${allowed} request can be ${verb}`);
  };

  const decide = async (
    requestId: string,
    kind: DisclosureDecisionKind,
    d: DecisionInput,
    step: (tx: SqlQueryable, dec: ReturnType<typeof checkDecision>) => Promise<boolean>,
    verb: string,
    allowed: string,
  ): Promise<DisclosureRecord> => {
    live();
    const id = checkId(requestId, "requestId");
    const dec = checkDecision(d, "decision");
    try {
      return await db.transaction(async (tx) => {
        if (!(await step(tx, dec))) throw await refusal(tx, id, verb, allowed);
        await tx.query(
          "INSERT INTO disclosure_decisions (request_id, decision, decided_by, decider_role, decided_at_ms, reason_sealed) VALUES ($1, $2, $3, $4, $5, $6)",
          [id, kind, dec.by, dec.role, dec.at, dec.reason],
        );
        const rec = await getIn(tx, id);
        if (rec === undefined) throw new KanshiError("internal", `disclosure request ${id} vanished while being decided`);
        return rec;
      });
    } catch (e) {
      // The state-guarded UPDATE already makes a second decision a conflict; the key is the backstop.
      if (pgCode(e) === "23505") throw new KanshiError("conflict", `disclosure request ${id} was already ${verb}`);
      if (pgCode(e) === "23514") throw new KanshiError("forbidden", "the requester cannot approve their own request");
      throw e;
    }
  };

  return {
    async create(r) {
      live();
      if (r === null || typeof r !== "object") throw badInput("expected a disclosure request", "request");
      const requestId = checkId(r.requestId, "requestId");
      const row = [
        requestId,
        checkId(r.entityId, "entityId"),
        checkId(r.caseId, "caseId"),
        checkId(r.requestedBy, "requestedBy"),
        checkRole(r.requesterRole, "requesterRole", REQUESTER_ROLES),
        checkSealed(r.purposeSealed, "purposeSealed"),
        checkFields(r.fields, "fields"),
      ] as const;
      const durationMs = checkTime(r.durationMs, "durationMs");
      if (durationMs === 0) throw badInput("must be at least 1", "durationMs");
      const requestedAt = checkTime(r.requestedAt, "requestedAt");
      const pendingUntil = checkTime(r.pendingUntil, "pendingUntil");
      if (pendingUntil < requestedAt) throw badInput("must not precede requestedAt", "pendingUntil");
      try {
        await db.query(
          `INSERT INTO disclosure_requests (request_id, entity_id, case_id, requested_by, requester_role, purpose_sealed, fields,
                                            duration_ms, requested_at_ms, pending_until_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10)`,
          [...row, durationMs, requestedAt, pendingUntil],
        );
      } catch (e) {
        if (pgCode(e) === "23505") throw new KanshiError("conflict", `a disclosure request ${requestId} exists`, "requestId");
        throw e;
      }
      const rec = await getIn(db, requestId);
      if (rec === undefined) throw new KanshiError("internal", `disclosure request ${requestId} was not stored`);
      return rec;
    },

    async get(requestId) {
      live();
      if (typeof requestId !== "string" || requestId.length === 0 || requestId.length > MAX_ID) return undefined;
      return getIn(db, requestId);
    },

    async list(q) {
      live();
      if (q === null || typeof q !== "object") throw badInput("expected a query", "query");
      const now = checkTime(q.now, "query.now");
      const limit = q.limit ?? DEFAULT_LIMIT;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw badInput(`expected 1–${MAX_LIMIT}`, "query.limit");
      const params: unknown[] = [now];
      const where: string[] = [];
      const pendingNow = `(r.state = 'pending' AND $1::int8 <= r.pending_until_ms)`;
      if (q.requestedBy !== undefined) {
        params.push(checkId(q.requestedBy, "query.requestedBy"));
        where.push(q.includePending === true ? `(r.requested_by = $${params.length} OR ${pendingNow})` : `r.requested_by = $${params.length}`);
      } else if (q.includePending === true) {
        where.push(pendingNow);
      }
      if (q.entityId !== undefined) {
        params.push(checkId(q.entityId, "query.entityId"));
        where.push(`r.entity_id = $${params.length}`);
      }
      if (q.state !== undefined) {
        if (!DISCLOSURE_STATES.includes(q.state)) throw badInput(`expected one of ${DISCLOSURE_STATES.join(", ")}`, "query.state");
        params.push(q.state);
        where.push(`(${STATE_AT}) = $${params.length}`);
      }
      if (q.cursor !== undefined) {
        const [at, id] = decodeCursor(q.cursor);
        params.push(at, id);
        where.push(`(r.requested_at_ms, r.request_id) < ($${params.length - 1}::int8, $${params.length}::text)`);
      }
      params.push(limit + 1);
      const sql = `${SELECT} WHERE $1::int8 IS NOT NULL${where.map((w) => ` AND ${w}`).join("")}
        ORDER BY r.requested_at_ms DESC, r.request_id DESC LIMIT $${params.length}`;
      const rows = (await db.query(sql, params)).map(recordOf);
      const items = rows.slice(0, limit);
      return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]!) : null };
    },

    approve(requestId, d) {
      return decide(
        requestId,
        "approve",
        d,
        async (tx, dec) => {
          const expiresAt = checkTime(d.expiresAt, "decision.expiresAt");
          if (expiresAt <= dec.at) throw badInput("must be after the approval", "decision.expiresAt");
          const rows = await tx.query(
            "UPDATE disclosure_requests SET state = 'approved' WHERE request_id = $1 AND state = 'pending' RETURNING entity_id, requested_by, requester_role",
            [requestId],
          );
          const r = rows[0];
          if (!r) return false;
          await tx.query(
            `INSERT INTO disclosure_grants (request_id, entity_id, grantee, grantee_role, approved_by, approved_at_ms, expires_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [requestId, r.entity_id, r.requested_by, r.requester_role, dec.by, dec.at, expiresAt],
          );
          return true;
        },
        "approved",
        "a pending",
      );
    },

    refuse(requestId, d) {
      return decide(
        requestId,
        "refuse",
        d,
        async (tx) => (await tx.query("UPDATE disclosure_requests SET state = 'refused' WHERE request_id = $1 AND state = 'pending' RETURNING 1", [requestId])).length === 1,
        "refused",
        "a pending",
      );
    },

    revoke(requestId, d) {
      return decide(
        requestId,
        "revoke",
        d,
        async (tx, dec) => {
          const rows = await tx.query(
            "UPDATE disclosure_requests SET state = 'revoked' WHERE request_id = $1 AND state IN ('pending', 'approved') RETURNING 1",
            [requestId],
          );
          if (rows.length !== 1) return false;
          await tx.query("UPDATE disclosure_grants SET revoked_at_ms = $2 WHERE request_id = $1 AND revoked_at_ms IS NULL", [requestId, dec.at]);
          return true;
        },
        "revoked",
        "a pending or approved",
      );
    },

    async rewrap(keyring) {
      live();
      let rewrapped = 0;
      let unreadable = 0;
      const fresh = (sealed: string): string | undefined => {
        if (!keyring.needsRewrap(sealed)) return undefined;
        if (!keyring.has(inspectSealed(sealed).kid)) {
          unreadable++;
          return undefined;
        }
        return keyring.rewrap(sealed);
      };
      // Purposes, then reasons, a page at a time in key order; each update only where the value is still the one read.
      const tables = [
        { select: "SELECT request_id AS k, '' AS d, purpose_sealed AS s FROM disclosure_requests", key: "request_id", update: "UPDATE disclosure_requests t SET purpose_sealed = x.n FROM json_to_recordset($1::json) AS x(k text, d text, o text, n text) WHERE t.request_id = x.k AND t.purpose_sealed = x.o" },
        {
          select: "SELECT request_id AS k, decision AS d, reason_sealed AS s FROM disclosure_decisions",
          key: "request_id, decision",
          update:
            "UPDATE disclosure_decisions t SET reason_sealed = x.n FROM json_to_recordset($1::json) AS x(k text, d text, o text, n text) WHERE t.request_id = x.k AND t.decision = x.d AND t.reason_sealed = x.o",
        },
      ];
      for (const t of tables) {
        let after: [string, string] = ["", ""];
        for (;;) {
          const where = t.key === "request_id" ? "WHERE request_id > $1" : "WHERE reason_sealed IS NOT NULL AND (request_id, decision) > ($1, $2::text)";
          const params = t.key === "request_id" ? [after[0], REWRAP_PAGE] : [after[0], after[1], REWRAP_PAGE];
          const rows = await db.query(`${t.select} ${where} ORDER BY ${t.key} LIMIT $${params.length}`, params);
          if (rows.length === 0) break;
          const last = rows[rows.length - 1]!;
          after = [toStr(last.k, "key"), toStr(last.d, "decision")];
          const updates: { k: string; d: string; o: string; n: string }[] = [];
          for (const r of rows) {
            const old = toStr(r.s, "sealed");
            const n = fresh(old);
            if (n !== undefined) updates.push({ k: toStr(r.k, "key"), d: toStr(r.d, "decision"), o: old, n });
          }
          if (updates.length > 0) {
            const res = await db.query(`WITH u AS (${t.update} RETURNING 1) SELECT count(*)::int4 AS n FROM u`, [JSON.stringify(updates)]);
            rewrapped += toNumber(res[0]?.n, "n");
          }
          if (rows.length < REWRAP_PAGE) break;
        }
      }
      return { rewrapped, unreadable };
    },

    async grantsFor(entityId, grantee) {
      live();
      const rows = await db.query(`${SELECT} WHERE g.entity_id = $1 AND g.grantee = $2 ORDER BY g.approved_at_ms DESC, r.request_id DESC LIMIT 100`, [
        checkId(entityId, "entityId"),
        checkId(grantee, "grantee"),
      ]);
      return rows.map(recordOf);
    },
  };
}
