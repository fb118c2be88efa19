// The privacy room's `AuditLog` port (privacy/audit/log.ts) over the store's SQL port: tables
// audit_records and audit_heads (migration 4). Append-only: nothing here updates or deletes.
//
// Conflict rule: a batch is stored only when its first seq equals the current size and its seqs are
// consecutive; otherwise nothing is stored and the call rejects with `conflict`. Appends take a
// transaction-scoped advisory lock, so the size check and the insert are one step for every writer
// (processes sharing a PostgreSQL server included); the seq primary key backs that up.
//
// Reading is by seq: `read(from, to)` returns the stored rows with from ≤ seq < to in seq order, and
// `size()` is max(seq) + 1. For an intact log these are positions and the count; for a tampered one
// (a row deleted or its seq changed by hand) they hand the verifier exactly what is stored, and it
// names the first position out of place.
import { badInput } from "../contracts/errors.ts";
import { auditConflict, canonicalJson, type AuditLog, type AuditRecord, type JsonObject, type SignedTreeHead } from "../privacy/index.ts";
import { toNumber, toStr, type Row, type SqlDatabase } from "./sql.ts";

/** Advisory lock key for audit appends ("audit" in ASCII); distinct from the migration lock. */
export const AUDIT_LOCK_KEY = 0x6175646974;

const MAX_READ = 50_000;

function checkText(v: unknown, where: string): string {
  if (typeof v !== "string") throw badInput("expected a string", where);
  if (v.includes("\0")) throw badInput("must not contain a NUL character", where);
  return v;
}

function checkWhole(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw badInput("expected a whole number ≥ 0", where);
  return v;
}

function recordRow(r: AuditRecord, i: number) {
  const at = `records[${i}]`;
  if (r === null || typeof r !== "object") throw badInput("expected an audit record", at);
  return {
    seq: checkWhole(r.seq, `${at}.seq`),
    ts: checkText(r.ts, `${at}.ts`),
    actor: checkText(r.actor, `${at}.actor`),
    action: checkText(r.action, `${at}.action`),
    target: checkText(r.target, `${at}.target`),
    // Canonical JSON escapes control characters, so the text never holds a NUL.
    details: canonicalJson(r.details, `${at}.details`),
    prev_hash: checkText(r.prevHash, `${at}.prevHash`),
    hash: checkText(r.hash, `${at}.hash`),
  };
}

/**
 * A stored row back as a record. Nothing is repaired or refused here: a row edited by hand comes back
 * as it is (details that are not a JSON object come back as null), for the verifier to name.
 */
function fromRow(r: Row): AuditRecord {
  let details: unknown = null;
  try {
    const v: unknown = JSON.parse(toStr(r.details, "audit_records.details"));
    if (v !== null && typeof v === "object" && !Array.isArray(v)) details = v;
  } catch {
    details = null;
  }
  return {
    seq: toNumber(r.seq, "audit_records.seq"),
    ts: toStr(r.ts, "audit_records.ts"),
    actor: toStr(r.actor, "audit_records.actor"),
    action: toStr(r.action, "audit_records.action"),
    target: toStr(r.target, "audit_records.target"),
    details: details as JsonObject,
    prevHash: toStr(r.prev_hash, "audit_records.prev_hash"),
    hash: toStr(r.hash, "audit_records.hash"),
  };
}

const isUniqueViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === "23505";

export function createSqlAuditLog(db: SqlDatabase, live: () => void = () => undefined): AuditLog {
  return {
    async append(records: readonly AuditRecord[]): Promise<void> {
      live();
      if (!Array.isArray(records)) throw badInput("expected an array of audit records", "records");
      if (records.length === 0) return;
      const rows = records.map(recordRow);
      rows.forEach((r, i) => {
        if (i > 0 && r.seq !== rows[0]!.seq + i) throw auditConflict(`audit append: records[${i}].seq is ${r.seq}; expected ${rows[0]!.seq + i} (consecutive)`);
      });
      try {
        await db.transaction(async (tx) => {
          await tx.query("SELECT pg_advisory_xact_lock($1)", [AUDIT_LOCK_KEY]);
          const [top] = await tx.query("SELECT coalesce(max(seq) + 1, 0) AS size FROM audit_records");
          const size = toNumber(top?.size, "audit size");
          if (rows[0]!.seq !== size) throw auditConflict(`audit append: expected seq ${size}, got ${rows[0]!.seq}`);
          await tx.query(
            `INSERT INTO audit_records (seq, ts, actor, action, target, details, prev_hash, hash)
             SELECT seq, ts, actor, action, target, details, prev_hash, hash
             FROM json_to_recordset($1::json) AS x(seq int8, ts text, actor text, action text, target text, details text, prev_hash text, hash text)
             ORDER BY seq`,
            [JSON.stringify(rows)],
          );
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw auditConflict(`audit append: seq ${rows[0]!.seq} was stored by another writer`);
        throw e;
      }
    },

    async read(from: number, to: number): Promise<AuditRecord[]> {
      live();
      if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) throw badInput(`bad range ${from}..${to}`, "audit read");
      if (to - from > MAX_READ) throw badInput(`at most ${MAX_READ} records per read`, "audit read");
      if (to === from) return [];
      const rows = await db.query(
        "SELECT seq, ts, actor, action, target, details, prev_hash, hash FROM audit_records WHERE seq >= $1 AND seq < $2 ORDER BY seq",
        [from, to],
      );
      return rows.map(fromRow);
    },

    async size(): Promise<number> {
      live();
      const [row] = await db.query("SELECT coalesce(max(seq) + 1, 0) AS size FROM audit_records");
      return toNumber(row?.size, "audit size");
    },

    async appendHead(head: SignedTreeHead): Promise<void> {
      live();
      if (head === null || typeof head !== "object") throw badInput("expected a signed tree head", "head");
      const values = [
        checkWhole(head.treeSize, "head.treeSize"),
        checkText(head.rootHash, "head.rootHash"),
        checkWhole(head.timestamp, "head.timestamp"),
        checkText(head.signature, "head.signature"),
      ];
      await db.transaction(async (tx) => {
        // Under the audit lock, so a head is checked against the latest and stored in one step.
        await tx.query("SELECT pg_advisory_xact_lock($1)", [AUDIT_LOCK_KEY]);
        const [latest] = await tx.query("SELECT tree_size, signed_ms FROM audit_heads ORDER BY pos DESC LIMIT 1");
        if (latest && (toNumber(latest.tree_size, "audit_heads.tree_size") > head.treeSize || toNumber(latest.signed_ms, "audit_heads.signed_ms") > head.timestamp)) {
          throw auditConflict(`audit head: size ${head.treeSize} is behind the latest stored head (size ${String(latest.tree_size)})`);
        }
        await tx.query("INSERT INTO audit_heads (tree_size, root_hash, signed_ms, signature) VALUES ($1, $2, $3, $4)", values);
      });
    },

    async heads(): Promise<SignedTreeHead[]> {
      live();
      const rows = await db.query("SELECT tree_size, root_hash, signed_ms, signature FROM audit_heads ORDER BY pos");
      return rows.map((r) => ({
        treeSize: toNumber(r.tree_size, "audit_heads.tree_size"),
        rootHash: toStr(r.root_hash, "audit_heads.root_hash"),
        timestamp: toNumber(r.signed_ms, "audit_heads.signed_ms"),
        signature: toStr(r.signature, "audit_heads.signature"),
      }));
    },
  };
}
