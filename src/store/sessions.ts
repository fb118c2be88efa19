// Password sessions of people (migration 11) over the store's SQL port. Only SHA-256 hashes of the
// session id and of its CSRF token are stored (both are 32 random bytes, so a fast hash is enough);
// the cookie itself never reaches the database. Times are epoch ms from the server's clock, so
// expiry and idle timeouts are decided by the caller (server/auth.ts) against one clock.
// A session is valid only while its user is: reads join `users` and report the user's revocation.
import { badInput } from "../contracts/errors.ts";
import type { Role } from "../privacy/policy.ts";
import { toNumber, toStr, type Row, type SqlDatabase } from "./sql.ts";

export interface SessionRecord {
  readonly idHash: string;
  readonly userName: string;
  /** The user's role and tenant now (from `users`). */
  readonly role: Role;
  readonly tenant: string | null;
  readonly csrfHash: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
  /** Logged out (epoch ms), or null. */
  readonly revokedAt: number | null;
  /** When the user was revoked (epoch ms), or null while the user is active. */
  readonly userRevokedAt: number | null;
}

export interface SessionStore {
  /** Stores a new session for an existing user; bad_input for malformed hashes, times or an unknown user. */
  create(s: { idHash: string; userName: string; csrfHash: string; createdAt: number; expiresAt: number }): Promise<void>;
  get(idHash: string): Promise<SessionRecord | undefined>;
  /** Records activity at `at` (never moves lastSeenAt backwards). */
  touch(idHash: string, at: number): Promise<void>;
  /** Ends one session (logout); false when it was not active. */
  revoke(idHash: string, at: number): Promise<boolean>;
  /** Ends every active session of a user; how many. */
  revokeUser(userName: string, at: number): Promise<number>;
  /** Deletes sessions that expired, were logged out, or were idle since before `idleBefore`, at or before `before`; how many. */
  deleteEnded(before: number, idleBefore: number): Promise<number>;
}

const HASH = /^[0-9a-f]{64}$/;

function checkHash(v: unknown, where: string): string {
  if (typeof v !== "string" || !HASH.test(v)) throw badInput("expected a SHA-256 hex hash", where);
  return v;
}

function checkTime(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw badInput("expected epoch milliseconds", where);
  return v;
}

const msOrNull = (v: unknown, what: string): number | null => (v === null || v === undefined ? null : toNumber(v, what));
const dateMsOrNull = (v: unknown): number | null =>
  v === null || v === undefined ? null : v instanceof Date ? v.getTime() : new Date(toStr(v, "users.revoked_at")).getTime();

function sessionOf(r: Row): SessionRecord {
  return {
    idHash: toStr(r.id_hash, "sessions.id_hash"),
    userName: toStr(r.user_name, "sessions.user_name"),
    role: toStr(r.role, "users.role") as Role,
    tenant: r.tenant === null ? null : toStr(r.tenant, "users.tenant"),
    csrfHash: toStr(r.csrf_hash, "sessions.csrf_hash"),
    createdAt: toNumber(r.created_ms, "sessions.created_ms"),
    lastSeenAt: toNumber(r.last_seen_ms, "sessions.last_seen_ms"),
    expiresAt: toNumber(r.expires_ms, "sessions.expires_ms"),
    revokedAt: msOrNull(r.revoked_ms, "sessions.revoked_ms"),
    userRevokedAt: dateMsOrNull(r.user_revoked_at),
  };
}

export function createSqlSessionStore(db: SqlDatabase, live: () => void = () => undefined): SessionStore {
  return {
    async create(s) {
      live();
      const idHash = checkHash(s.idHash, "idHash");
      const csrfHash = checkHash(s.csrfHash, "csrfHash");
      const createdAt = checkTime(s.createdAt, "createdAt");
      const expiresAt = checkTime(s.expiresAt, "expiresAt");
      if (expiresAt <= createdAt) throw badInput("must be after createdAt", "expiresAt");
      if (typeof s.userName !== "string" || s.userName === "") throw badInput("expected a user name", "userName");
      const rows = await db.query(
        `INSERT INTO sessions (id_hash, user_name, csrf_hash, created_ms, last_seen_ms, expires_ms)
         SELECT $1, name, $3, $4, $4, $5 FROM users WHERE name = $2 RETURNING id_hash`,
        [idHash, s.userName, csrfHash, createdAt, expiresAt],
      );
      if (rows.length !== 1) throw badInput("no such user", "userName");
    },
    async get(idHash) {
      live();
      if (typeof idHash !== "string" || !HASH.test(idHash)) return undefined;
      const [r] = await db.query(
        `SELECT s.*, u.role, u.tenant, u.revoked_at AS user_revoked_at
           FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.id_hash = $1`,
        [idHash],
      );
      return r ? sessionOf(r) : undefined;
    },
    async touch(idHash, at) {
      live();
      await db.query("UPDATE sessions SET last_seen_ms = GREATEST(last_seen_ms, $2) WHERE id_hash = $1", [checkHash(idHash, "idHash"), checkTime(at, "at")]);
    },
    async revoke(idHash, at) {
      live();
      const rows = await db.query("UPDATE sessions SET revoked_ms = $2 WHERE id_hash = $1 AND revoked_ms IS NULL RETURNING id_hash", [
        checkHash(idHash, "idHash"),
        checkTime(at, "at"),
      ]);
      return rows.length === 1;
    },
    async revokeUser(userName, at) {
      live();
      const rows = await db.query("UPDATE sessions SET revoked_ms = $2 WHERE user_name = $1 AND revoked_ms IS NULL RETURNING id_hash", [userName, checkTime(at, "at")]);
      return rows.length;
    },
    async deleteEnded(before, idleBefore) {
      live();
      const rows = await db.query(
        "DELETE FROM sessions WHERE expires_ms <= $1 OR revoked_ms <= $1 OR last_seen_ms < $2 RETURNING id_hash",
        [checkTime(before, "before"), checkTime(idleBefore, "idleBefore")],
      );
      return rows.length;
    },
  };
}
