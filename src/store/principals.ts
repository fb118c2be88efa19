// Users and API keys (migration 5) over the store's SQL port. Only hashes are stored (computed by the
// caller with privacy/credentials.ts); nothing is ever deleted, revocation sets revoked_at.
import { badInput, KanshiError } from "../contracts/errors.ts";
import { PrincipalSchema, type Role } from "../privacy/policy.ts";
import { toStr, type Row, type SqlDatabase } from "./sql.ts";

export interface PrincipalRecord {
  readonly role: Role;
  /** The exchange (officer) or source (data provider); null for consortium roles. */
  readonly tenant: string | null;
  readonly createdAt: string;
  /** When revoked (RFC 3339), or null while active. */
  readonly revokedAt: string | null;
}

export interface UserRecord extends PrincipalRecord {
  readonly name: string;
  readonly passwordHash: string;
}

export interface ApiKeyRecord extends PrincipalRecord {
  readonly id: string;
  readonly name: string;
  readonly keyHash: string;
}

export interface PrincipalStore {
  /** Throws `conflict` when a user of that name exists (revoked or not), bad_input for a bad role/tenant. */
  addUser(u: { name: string; role: Role; tenant?: string; passwordHash: string }): Promise<void>;
  getUser(name: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** True when an active user was revoked now; false when none by that name was active. */
  revokeUser(name: string): Promise<boolean>;
  addApiKey(k: { id: string; name: string; role: Role; tenant?: string; keyHash: string }): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string): Promise<boolean>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function checkName(v: unknown, where: string): string {
  if (typeof v !== "string" || !NAME.test(v)) throw badInput("expected 1–64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit", where);
  return v;
}

/** Role and tenant as the policy's PrincipalSchema allows them (a tenant exactly for officer and provider). */
function checkRole(role: unknown, tenant: unknown): { role: Role; tenant: string | null } {
  const p = PrincipalSchema.safeParse(tenant === undefined ? { id: "x", role } : { id: "x", role, tenant });
  if (!p.success) {
    if (role === "exchange_officer" || role === "data_provider") throw badInput(`role ${role} needs a tenant (its exchange or source id, 1–64 characters)`, "tenant");
    if (typeof role === "string" && ["analyst", "supervisor", "regulator", "auditor", "admin"].includes(role)) throw badInput(`role ${role} takes no tenant`, "tenant");
    throw badInput("expected exchange_officer, analyst, supervisor, regulator, data_provider, auditor or admin", "role");
  }
  const v = p.data as { role: Role; tenant?: string };
  return { role: v.role, tenant: v.tenant ?? null };
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : new Date(toStr(v, "timestamp")).toISOString());

function base(r: Row): PrincipalRecord {
  return { role: toStr(r.role, "role") as Role, tenant: r.tenant === null ? null : toStr(r.tenant, "tenant"), createdAt: iso(r.created_at)!, revokedAt: iso(r.revoked_at) };
}

const userOf = (r: Row): UserRecord => ({ name: toStr(r.name, "users.name"), ...base(r), passwordHash: toStr(r.password_hash, "users.password_hash") });
const keyOf = (r: Row): ApiKeyRecord => ({ id: toStr(r.id, "api_keys.id"), name: toStr(r.name, "api_keys.name"), ...base(r), keyHash: toStr(r.key_hash, "api_keys.key_hash") });

const isUniqueViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === "23505";

export function createSqlPrincipalStore(db: SqlDatabase, live: () => void = () => undefined): PrincipalStore {
  return {
    async addUser(u) {
      live();
      const name = checkName(u.name, "name");
      const { role, tenant } = checkRole(u.role, u.tenant);
      if (typeof u.passwordHash !== "string" || !u.passwordHash.startsWith("scrypt$")) throw badInput("expected a scrypt hash", "passwordHash");
      try {
        await db.query("INSERT INTO users (name, role, tenant, password_hash) VALUES ($1, $2, $3, $4)", [name, role, tenant, u.passwordHash]);
      } catch (e) {
        if (isUniqueViolation(e)) throw new KanshiError("conflict", `a user named ${name} already exists (names are never reused, even after revocation)`, "name");
        throw e;
      }
    },
    async getUser(name) {
      live();
      const [r] = await db.query("SELECT * FROM users WHERE name = $1", [checkName(name, "name")]);
      return r ? userOf(r) : undefined;
    },
    async listUsers() {
      live();
      return (await db.query("SELECT * FROM users ORDER BY name")).map(userOf);
    },
    async revokeUser(name) {
      live();
      const rows = await db.query("UPDATE users SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING name", [checkName(name, "name")]);
      return rows.length === 1;
    },
    async addApiKey(k) {
      live();
      if (typeof k.id !== "string" || !/^[0-9a-f]{12}$/.test(k.id)) throw badInput("expected 12 hex characters", "id");
      const name = checkName(k.name, "name");
      const { role, tenant } = checkRole(k.role, k.tenant);
      if (typeof k.keyHash !== "string" || !/^[0-9a-f]{64}$/.test(k.keyHash)) throw badInput("expected a SHA-256 hex hash", "keyHash");
      try {
        await db.query("INSERT INTO api_keys (id, name, role, tenant, key_hash) VALUES ($1, $2, $3, $4, $5)", [k.id, name, role, tenant, k.keyHash]);
      } catch (e) {
        if (isUniqueViolation(e)) throw new KanshiError("conflict", "an API key with this id exists; generate another", "id");
        throw e;
      }
    },
    async getApiKey(id) {
      live();
      if (typeof id !== "string" || !/^[0-9a-f]{12}$/.test(id)) return undefined;
      const [r] = await db.query("SELECT * FROM api_keys WHERE id = $1", [id]);
      return r ? keyOf(r) : undefined;
    },
    async listApiKeys() {
      live();
      return (await db.query("SELECT * FROM api_keys ORDER BY created_at, id")).map(keyOf);
    },
    async revokeApiKey(id) {
      live();
      if (typeof id !== "string" || !/^[0-9a-f]{12}$/.test(id)) throw badInput("expected a key id (12 hex characters)", "id");
      const rows = await db.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id", [id]);
      return rows.length === 1;
    },
  };
}
