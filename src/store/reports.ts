// Suspicious transaction reports (migration 10) over the store's SQL port. This is storage: who may
// draft, approve, file or read is decided by the report service (src/reports/service.ts). What the
// store guarantees on its own:
//   - draft → approved → filed, each step one state-guarded UPDATE: approving twice, approving a
//     filed report or filing a draft is a `conflict` and changes nothing;
//   - the approver is a supervisor and never the drafter (CHECK constraints; `forbidden` if code
//     ever tries);
//   - the content is stored sealed only ("ks1." text from the privacy Keyring), with its SHA-256;
//     plaintext is refused, and no message here carries content;
//   - tenant-aware reads: every read takes a `ReportViewer`; an exchange's viewer sees only the
//     reports that exchange drafted.
import { badInput, KanshiError } from "../contracts/errors.ts";
import { ROLES, type Role } from "../privacy/policy.ts";
import { toNumber, toStr, type Row, type SqlDatabase } from "./sql.ts";
import type { SealedRewrapper } from "./disclosures.ts";
import { rewrapSealedColumn, type ColumnRewrapResult } from "./rewrap-column.ts";

export type ReportKind = "goaml" | "str";
export const REPORT_KINDS: readonly ReportKind[] = ["goaml", "str"];
export type ReportStatus = "draft" | "approved" | "filed";
export const REPORT_STATUSES: readonly ReportStatus[] = ["draft", "approved", "filed"];

export interface NewReport {
  readonly id: string;
  readonly caseId: string;
  /** The reporting exchange. */
  readonly tenant: string;
  readonly kind: ReportKind;
  /** The document (goAML XML, or the STR form's JSON), sealed ("ks1." text). */
  readonly contentSealed: string;
  /** SHA-256 (hex) of the document's UTF-8 bytes. */
  readonly contentSha256: string;
  readonly typologies: readonly string[];
  /** How many subjects and transactions it reports (for lists; not personal data). */
  readonly subjects: number;
  readonly transactions: number;
  readonly reportNumber: string | null;
  readonly draftedBy: string;
  readonly draftedRole: Role;
  /** Epoch ms. */
  readonly draftedAt: number;
}

export interface ReportRecord extends NewReport {
  readonly status: ReportStatus;
  readonly approvedBy: string | null;
  readonly approvedAt: number | null;
  readonly filedBy: string | null;
  readonly filedAt: number | null;
  /** Bumped on every change. */
  readonly version: number;
}

/** Whose view a read is for: an exchange sees only its own reports; null sees all. */
export interface ReportViewer {
  readonly tenant: string | null;
}
export const ALL_REPORTS: ReportViewer = Object.freeze({ tenant: null });

export interface ReportQuery {
  readonly caseId?: string;
  readonly status?: ReportStatus;
  readonly kind?: ReportKind;
  /** 1..200, default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface ReportPage {
  /** Newest draft first. */
  readonly items: ReportRecord[];
  readonly nextCursor: string | null;
}

/** What statistics need of a report: no content. */
export interface ReportStatRow {
  readonly tenant: string;
  readonly kind: ReportKind;
  readonly status: ReportStatus;
  readonly typologies: readonly string[];
  readonly draftedAt: number;
  readonly filedAt: number | null;
}

/** A case moved to `reported` by the filing of one of its reports. */
export interface CaseMoveOnFiling {
  readonly caseId: string;
  readonly from: "open" | "investigating" | "escalated";
  readonly to: "reported";
  /** The case's score (peak), for the audit record. */
  readonly score: number;
  /** The case's version after the move. */
  readonly version: number;
}

export interface FiledReport extends ReportRecord {
  readonly caseMove: CaseMoveOnFiling | null;
}

/** Case states a filing moves to `reported`. */
const REPORTABLE_CASE_STATES = ["open", "investigating", "escalated"] as const;

export interface ReportStore {
  /** Stores a draft. `conflict` when the id exists; bad_input (naming the field) for a malformed one. */
  create(r: NewReport): Promise<ReportRecord>;
  get(viewer: ReportViewer, id: string): Promise<ReportRecord | undefined>;
  list(viewer: ReportViewer, q?: ReportQuery): Promise<ReportPage>;
  /**
   * draft → approved. `not_found`; `conflict` unless a draft; `forbidden` when the approver drafted it or is no
   * supervisor. A time before the previous step is raised to it (two processes' clocks may disagree).
   */
  approve(id: string, d: { readonly by: string; readonly role: Role; readonly at: number }): Promise<ReportRecord>;
  /**
   * approved → filed. `not_found`; `conflict` unless approved. A time before the approval is raised to it.
   * In the same transaction the report's case, when it is open, investigating or escalated, moves to
   * `reported` (its reported time set, version bumped, a `transition` history entry by `d.actor`,
   * default `d.by`): the filed STR is what makes a case reported. `caseMove` says what moved (null
   * when the case was already reported or closed, or is not in this store).
   */
  file(id: string, d: { readonly by: string; readonly at: number; readonly actor?: string }): Promise<FiledReport>;
  /** Every report's statistics row (status filter optional), drafted within [from, to) epoch ms when given. */
  statRows(q?: { readonly status?: ReportStatus; readonly from?: number; readonly to?: number }): Promise<ReportStatRow[]>;
  /**
   * Key rotation: re-wraps every sealed report content under the keyring's current master key (no
   * plaintext is produced; the content's SHA-256 stays true; a value changed meanwhile is left alone).
   * `unreadable` counts contents under a key id the keyring does not hold.
   */
  rewrapContents(keyring: SealedRewrapper): Promise<ColumnRewrapResult>;
}

// ---- validation -----------------------------------------------------------------------------------

const MAX_ID = 128;
const MAX_SEALED = 64 * 1024 * 1024;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

function checkId(v: unknown, where: string, max = MAX_ID): string {
  // eslint-disable-next-line no-control-regex
  if (typeof v !== "string" || v.length === 0 || v.length > max || /[\u0000-\u001f]/.test(v)) {
    throw badInput(`expected 1–${max} characters without control characters`, where);
  }
  return v;
}

function checkTime(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw badInput("expected epoch milliseconds (a whole number ≥ 0)", where);
  return v;
}

function checkCount(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw badInput("expected a whole number ≥ 0", where);
  return v;
}

function checkRole(v: unknown, where: string): Role {
  if (typeof v !== "string" || !(ROLES as readonly string[]).includes(v)) throw badInput(`expected one of ${ROLES.join(", ")}`, where);
  return v as Role;
}

function checkViewer(v: ReportViewer): string | null {
  if (v === null || typeof v !== "object" || (v.tenant !== null && (typeof v.tenant !== "string" || v.tenant === ""))) {
    throw badInput("expected { tenant: an exchange id, or null for the consortium-wide view }", "viewer");
  }
  return v.tenant;
}

function checkNew(r: NewReport): unknown[] {
  if (r === null || typeof r !== "object") throw badInput("expected a report", "report");
  const kind = r.kind;
  if (!REPORT_KINDS.includes(kind)) throw badInput("expected goaml or str", "kind");
  if (typeof r.contentSealed !== "string" || !r.contentSealed.startsWith("ks1.") || r.contentSealed.length > MAX_SEALED) {
    throw badInput("expected sealed text (ks1.…); plaintext content is never stored", "contentSealed");
  }
  if (typeof r.contentSha256 !== "string" || !/^[0-9a-f]{64}$/.test(r.contentSha256)) throw badInput("expected a SHA-256 hex digest", "contentSha256");
  if (!Array.isArray(r.typologies) || r.typologies.length > 100) throw badInput("expected at most 100 typology ids", "typologies");
  const typologies = r.typologies.map((t, i) => checkId(t, `typologies[${i}]`, 64));
  return [
    checkId(r.id, "id"),
    checkId(r.caseId, "caseId", 256),
    checkId(r.tenant, "tenant", 64),
    kind,
    r.contentSealed,
    r.contentSha256,
    typologies,
    checkCount(r.subjects, "subjects"),
    checkCount(r.transactions, "transactions"),
    r.reportNumber === null ? null : checkId(r.reportNumber, "reportNumber", 64),
    checkId(r.draftedBy, "draftedBy", 256),
    checkRole(r.draftedRole, "draftedRole"),
    checkTime(r.draftedAt, "draftedAt"),
  ];
}

// ---- rows -----------------------------------------------------------------------------------------

const COLUMNS = `id, case_id, tenant, kind, status, content_sealed, content_sha256, array_to_json(typologies)::text AS typologies,
  subjects, transactions, report_number, drafted_by, drafted_role, drafted_ms, approved_by, approved_ms, filed_by, filed_ms, version`;

const numOrNull = (v: unknown, what: string): number | null => (v === null || v === undefined ? null : toNumber(v, what));
const strOrNull = (v: unknown, what: string): string | null => (v === null || v === undefined ? null : toStr(v, what));
const textArray = (v: unknown, what: string): string[] => {
  const parsed: unknown = typeof v === "string" ? JSON.parse(v) : v;
  if (!Array.isArray(parsed)) throw new Error(`store: expected an array for ${what}`);
  return parsed.map((x) => toStr(x, what));
};

function recordOf(r: Row): ReportRecord {
  return {
    id: toStr(r.id, "reports.id"),
    caseId: toStr(r.case_id, "reports.case_id"),
    tenant: toStr(r.tenant, "reports.tenant"),
    kind: toStr(r.kind, "reports.kind") as ReportKind,
    status: toStr(r.status, "reports.status") as ReportStatus,
    contentSealed: toStr(r.content_sealed, "reports.content_sealed"),
    contentSha256: toStr(r.content_sha256, "reports.content_sha256"),
    typologies: textArray(r.typologies, "reports.typologies"),
    subjects: toNumber(r.subjects, "reports.subjects"),
    transactions: toNumber(r.transactions, "reports.transactions"),
    reportNumber: strOrNull(r.report_number, "reports.report_number"),
    draftedBy: toStr(r.drafted_by, "reports.drafted_by"),
    draftedRole: toStr(r.drafted_role, "reports.drafted_role") as Role,
    draftedAt: toNumber(r.drafted_ms, "reports.drafted_ms"),
    approvedBy: strOrNull(r.approved_by, "reports.approved_by"),
    approvedAt: numOrNull(r.approved_ms, "reports.approved_ms"),
    filedBy: strOrNull(r.filed_by, "reports.filed_by"),
    filedAt: numOrNull(r.filed_ms, "reports.filed_ms"),
    version: toNumber(r.version, "reports.version"),
  };
}

const isUniqueViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === "23505";

function encodeCursor(drafted: number, id: string): string {
  return Buffer.from(JSON.stringify([drafted, id]), "utf8").toString("base64url");
}

function decodeCursor(c: string): [number, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(c, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === "string") return [v[0] as number, v[1]];
  } catch {
    // fall through
  }
  throw badInput("not a cursor this list gave out", "cursor");
}

export function createSqlReportStore(db: SqlDatabase, live: () => void = () => undefined): ReportStore {
  async function getAny(id: string): Promise<ReportRecord | undefined> {
    const [r] = await db.query(`SELECT ${COLUMNS} FROM reports WHERE id = $1`, [id]);
    return r ? recordOf(r) : undefined;
  }

  /** Why a guarded UPDATE changed nothing: unknown id, or the wrong state. */
  async function explain(id: string, want: ReportStatus, step: string): Promise<never> {
    const now = await getAny(id);
    if (now === undefined) throw new KanshiError("not_found", `no report ${id}`, "id");
    throw new KanshiError("conflict", `report ${id} is ${now.status}; only a ${want} report can be ${step}`, "status");
  }

  return {
    async create(r) {
      live();
      const values = checkNew(r);
      try {
        const [row] = await db.query(
          `INSERT INTO reports (id, case_id, tenant, kind, status, content_sealed, content_sha256, typologies, subjects, transactions,
             report_number, drafted_by, drafted_role, drafted_ms)
           VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${COLUMNS}`,
          values,
        );
        return recordOf(row!);
      } catch (e) {
        if (isUniqueViolation(e)) throw new KanshiError("conflict", `a report with id ${String(values[0])} exists`, "id");
        throw e;
      }
    },

    async get(viewer, id) {
      live();
      const tenant = checkViewer(viewer);
      const rec = await getAny(checkId(id, "id"));
      return rec === undefined || (tenant !== null && rec.tenant !== tenant) ? undefined : rec;
    },

    async list(viewer, q = {}) {
      live();
      const tenant = checkViewer(viewer);
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, v: unknown) => {
        params.push(v);
        where.push(sql.replace("?", `$${params.length}`));
      };
      if (tenant !== null) add("tenant = ?", tenant);
      if (q.caseId !== undefined) add("case_id = ?", checkId(q.caseId, "caseId", 256));
      if (q.status !== undefined) {
        if (!REPORT_STATUSES.includes(q.status)) throw badInput("expected draft, approved or filed", "status");
        add("status = ?", q.status);
      }
      if (q.kind !== undefined) {
        if (!REPORT_KINDS.includes(q.kind)) throw badInput("expected goaml or str", "kind");
        add("kind = ?", q.kind);
      }
      if (q.cursor !== undefined) {
        const [ms, id] = decodeCursor(q.cursor);
        params.push(ms, id);
        where.push(`(drafted_ms, id) < ($${params.length - 1}, $${params.length})`);
      }
      const limit = q.limit ?? DEFAULT_LIMIT;
      if (!Number.isSafeInteger(limit) || limit < 1) throw badInput(`expected 1..${MAX_LIMIT}`, "limit");
      const take = Math.min(limit, MAX_LIMIT);
      params.push(take + 1);
      const rows = await db.query(
        `SELECT ${COLUMNS} FROM reports ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY drafted_ms DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      const items = rows.slice(0, take).map(recordOf);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > take && last ? encodeCursor(last.draftedAt, last.id) : null };
    },

    async approve(id, d) {
      live();
      checkId(id, "id");
      const by = checkId(d.by, "by", 256);
      const role = checkRole(d.role, "role");
      const at = checkTime(d.at, "at");
      if (role !== "supervisor") throw new KanshiError("forbidden", `only a supervisor approves a report; acting as ${role}`, "role");
      const current = await getAny(id);
      if (current === undefined) throw new KanshiError("not_found", `no report ${id}`, "id");
      if (current.draftedBy === by) throw new KanshiError("forbidden", "the drafter of a report cannot approve it; another supervisor must", "by");
      const rows = await db.query(
        `UPDATE reports SET status = 'approved', approved_by = $2, approved_role = $3, approved_ms = GREATEST($4::bigint, drafted_ms), version = version + 1
         WHERE id = $1 AND status = 'draft' AND drafted_by <> $2 RETURNING ${COLUMNS}`,
        [id, by, role, at],
      );
      return rows[0] ? recordOf(rows[0]) : explain(id, "draft", "approved");
    },

    async file(id, d) {
      live();
      checkId(id, "id");
      const by = checkId(d.by, "by", 256);
      const at = checkTime(d.at, "at");
      const actor = d.actor === undefined ? by : checkId(d.actor, "actor", 256);
      const filed = await db.transaction(async (tx): Promise<FiledReport | undefined> => {
        const rows = await tx.query(
          `UPDATE reports SET status = 'filed', filed_by = $2, filed_ms = GREATEST($3::bigint, approved_ms), version = version + 1
           WHERE id = $1 AND status = 'approved' RETURNING ${COLUMNS}`,
          [id, by, at],
        );
        if (!rows[0]) return undefined;
        const report = recordOf(rows[0]);
        const [c] = await tx.query("SELECT state FROM cases WHERE id = $1 FOR UPDATE", [report.caseId]);
        const from = c === undefined ? undefined : toStr(c.state, "cases.state");
        if (from === undefined || !(REPORTABLE_CASE_STATES as readonly string[]).includes(from)) return { ...report, caseMove: null };
        const filedAt = report.filedAt ?? at;
        const [moved] = await tx.query(
          `UPDATE cases SET state = 'reported', reported_ms = $2::int8, updated_ms = GREATEST(updated_ms, $2::int8), version = version + 1
           WHERE id = $1 RETURNING score, version`,
          [report.caseId, filedAt],
        );
        const caseMove: CaseMoveOnFiling = {
          caseId: report.caseId,
          from: from as CaseMoveOnFiling["from"],
          to: "reported",
          score: toNumber(moved!.score, "cases.score"),
          version: toNumber(moved!.version, "cases.version"),
        };
        await tx.query("INSERT INTO case_history (case_id, at_ms, actor, action, details) VALUES ($1, $2::int8, $3, 'transition', $4::jsonb)", [
          report.caseId,
          filedAt,
          actor,
          JSON.stringify({ from, to: "reported", score: caseMove.score, reason: "report filed", report: report.id, kind: report.kind }),
        ]);
        return { ...report, caseMove };
      });
      return filed ?? explain(id, "approved", "filed");
    },

    async rewrapContents(keyring) {
      live();
      // Contents can be large (up to 64 MiB sealed): a few per page.
      return rewrapSealedColumn(db, { table: "reports", key: "id", column: "content_sealed", page: 20 }, keyring);
    },

    async statRows(q = {}) {
      live();
      const where: string[] = [];
      const params: unknown[] = [];
      if (q.status !== undefined) {
        if (!REPORT_STATUSES.includes(q.status)) throw badInput("expected draft, approved or filed", "status");
        params.push(q.status);
        where.push(`status = $${params.length}`);
      }
      if (q.from !== undefined) {
        params.push(checkTime(q.from, "from"));
        where.push(`drafted_ms >= $${params.length}`);
      }
      if (q.to !== undefined) {
        params.push(checkTime(q.to, "to"));
        where.push(`drafted_ms < $${params.length}`);
      }
      const rows = await db.query(
        `SELECT tenant, kind, status, array_to_json(typologies)::text AS typologies, drafted_ms, filed_ms FROM reports
         ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY drafted_ms, id`,
        params,
      );
      return rows.map((r) => ({
        tenant: toStr(r.tenant, "reports.tenant"),
        kind: toStr(r.kind, "reports.kind") as ReportKind,
        status: toStr(r.status, "reports.status") as ReportStatus,
        typologies: textArray(r.typologies, "reports.typologies"),
        draftedAt: toNumber(r.drafted_ms, "reports.drafted_ms"),
        filedAt: numOrNull(r.filed_ms, "reports.filed_ms"),
      }));
    },
  };
}
