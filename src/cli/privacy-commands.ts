// Privacy verbs: `kanshi audit verify|log`. The audit trail lives in the store (store/audit-log.ts);
// keys come from the environment or the deployment's keys file (keys.ts).
import type { Command } from "commander";
import { badInput, KanshiError } from "../contracts/errors.ts";
import { generateApiKey, generatePassword, hashPassword, verifyPassword } from "../privacy/credentials.ts";
import { ROLES, type Role } from "../privacy/policy.ts";
import type { KeyObject } from "node:crypto";
import { AuditTrail, verifyAuditLog, type AuditFault, type AuditInput, type AuditRecord, type AuditVerdict } from "../privacy/index.ts";
import type { Store } from "../store/ports.ts";
import { line, warn, type CliIo } from "./io.ts";
import { loadAuditPublicKeys, loadDeploymentKeys } from "./keys.ts";
import { openConfiguredStore, withConfiguredStore } from "./store.ts";

/** An audit trail over the store's audit log, signing with the deployment's audit key. */
export async function openAuditTrail(io: CliIo, store: Store): Promise<AuditTrail> {
  const keys = await loadDeploymentKeys(io);
  return new AuditTrail({ log: store.auditLog(), signingKey: keys.auditSigningKey });
}

/** Appends records and signs a head over them (one batch, one head). */
export async function audit(io: CliIo, store: Store, inputs: readonly AuditInput[]): Promise<AuditRecord[]> {
  const trail = await openAuditTrail(io, store);
  return (await trail.appendBatch(inputs)).records;
}

/** One line naming the first fault: the record (seq) or the head (index) and why. */
export function describeFault(f: AuditFault): string {
  if (f.head !== undefined) {
    return `first bad tree head: #${f.head} (${f.code}): ${f.reason}; records from seq ${f.seq} on are not vouched for`;
  }
  return `first bad record: seq ${f.seq} (${f.code}): ${f.reason}`;
}

/** Verifies the store's audit trail: the verdict, and the line to print (stdout when ok, else stderr). */
export async function verifyStoredAudit(store: Store, publicKeys: readonly KeyObject[]): Promise<{ verdict: AuditVerdict; text: string }> {
  const verdict = await verifyAuditLog(store.auditLog(), publicKeys);
  if (!verdict.ok) return { verdict, text: `audit trail BROKEN — ${describeFault(verdict.firstBad)}` };
  const n = (x: number) => x.toLocaleString("en-US");
  let text = `audit trail intact: ${n(verdict.records)} records, ${n(verdict.heads)} signed tree heads, signed through record ${n(verdict.signedThrough)}`;
  if (verdict.signedThrough < verdict.records) {
    text += `\nnote: ${n(verdict.records - verdict.signedThrough)} record(s) after the latest signed head are protected by the hash chain only`;
  }
  return { verdict, text };
}

function wholeNumber(raw: string, name: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw badInput(`expected a whole number ≥ ${min}; got ${JSON.stringify(raw)}`, name);
  return n;
}

/** Who changes principals from the command line, as the audit trail names them. */
export const CLI_ACTOR = "cli@admin";

function roleOf(raw: string): Role {
  if (!(ROLES as readonly string[]).includes(raw)) throw badInput(`expected one of ${ROLES.join(", ")}; got ${JSON.stringify(raw)}`, "--role");
  return raw as Role;
}

const tenantDetails = (tenant: string | undefined): Record<string, string> => (tenant === undefined ? {} : { tenant });

/** Adds a user with a generated password (returned, to show once); audited as user.add. */
export async function addUser(io: CliIo, store: Store, u: { name: string; role: Role; tenant?: string }): Promise<string> {
  const password = generatePassword();
  await store.principals().addUser({ ...u, passwordHash: await hashPassword(password) });
  await audit(io, store, [{ actor: CLI_ACTOR, action: "user.add", target: `user:${u.name}`, details: { role: u.role, ...tenantDetails(u.tenant) } }]);
  return password;
}

/** Revokes a user; audited as user.revoke. Throws not_found when no active user has that name. */
export async function revokeUser(io: CliIo, store: Store, name: string): Promise<void> {
  if (!(await store.principals().revokeUser(name))) throw new KanshiError("not_found", `no active user named ${name}`, "name");
  await audit(io, store, [{ actor: CLI_ACTOR, action: "user.revoke", target: `user:${name}`, details: {} }]);
}

/** Creates an API key (the full key is returned, to show once); audited as apikey.create. */
export async function createApiKey(io: CliIo, store: Store, k: { name: string; role: Role; tenant?: string }): Promise<{ id: string; key: string }> {
  const { key, id, hash } = generateApiKey();
  await store.principals().addApiKey({ ...k, id, keyHash: hash });
  await audit(io, store, [{ actor: CLI_ACTOR, action: "apikey.create", target: `apikey:${id}`, details: { name: k.name, role: k.role, ...tenantDetails(k.tenant) } }]);
  return { id, key };
}

export async function revokeApiKey(io: CliIo, store: Store, id: string): Promise<void> {
  if (!(await store.principals().revokeApiKey(id))) throw new KanshiError("not_found", `no active API key with id ${id}`, "id");
  await audit(io, store, [{ actor: CLI_ACTOR, action: "apikey.revoke", target: `apikey:${id}`, details: {} }]);
}

/**
 * A person's login by password. Every attempt is audited as auth.login with its outcome (never the
 * password); the same `unauthorized` error for an unknown name, a revoked user or a wrong password.
 */
export async function loginUser(io: CliIo, store: Store, name: string, password: string): Promise<{ role: Role; tenant: string | null }> {
  const user = await store.principals().getUser(name).catch(() => undefined);
  let outcome: "ok" | "unknown_user" | "revoked" | "bad_password";
  if (user === undefined) outcome = "unknown_user";
  else if (user.revokedAt !== null) outcome = "revoked";
  else outcome = (await verifyPassword(password, user.passwordHash)) ? "ok" : "bad_password";
  const target = user === undefined ? "user:unknown" : `user:${user.name}`;
  await audit(io, store, [{ actor: user === undefined ? "anonymous" : `${user.name}@${user.role}`, action: "auth.login", target, details: { outcome, method: "password" } }]);
  if (outcome !== "ok" || user === undefined) throw new KanshiError("unauthorized", "wrong user name or password, or the user is revoked");
  return { role: user.role, tenant: user.tenant };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += typeof chunk === "string" ? chunk : (chunk as Buffer).toString("utf8");
  return text;
}

export function registerPrivacyCommands(program: Command, io: CliIo, setCode: (code: number) => void): void {
  const auditCmd = program.command("audit").description("the audit trail: verify its hash chain and signed tree heads, or list records");

  auditCmd
    .command("verify")
    .description("check every record's hash chain and every signed tree head; exit 0 only if the trail is intact, else 1 naming the first bad record or head")
    .option("--json", "print the verdict as JSON")
    .action(async (opts: { json?: boolean }) => {
      const keys = await loadAuditPublicKeys(io);
      const store = await openConfiguredStore(io);
      try {
        const { verdict, text } = await verifyStoredAudit(store, keys);
        if (opts.json) line(io, JSON.stringify(verdict));
        else if (verdict.ok) line(io, text);
        if (!verdict.ok) {
          warn(io, text);
          setCode(1);
        }
      } finally {
        await store.close();
      }
    });

  auditCmd
    .command("log")
    .description("print the latest audit records, oldest first")
    .option("--limit <n>", "how many of the latest records", "20")
    .option("--json", "print one JSON record a line")
    .action(async (opts: { limit: string; json?: boolean }) => {
      const limit = wholeNumber(opts.limit, "--limit", 1);
      if (limit > 50_000) throw badInput("at most 50000", "--limit");
      const store = await openConfiguredStore(io);
      try {
        const log = store.auditLog();
        const size = await log.size();
        const records = await log.read(Math.max(0, size - limit), size);
        for (const r of records) {
          if (opts.json) line(io, JSON.stringify(r));
          else line(io, `${String(r.seq).padStart(6)}  ${r.ts}  ${r.actor}  ${r.action}  ${r.target}  ${JSON.stringify(r.details)}`);
        }
        if (records.length === 0 && !opts.json) line(io, "the audit trail is empty");
      } finally {
        await store.close();
      }
    });

  const users = program.command("users").description("people who sign in (passwords stored as scrypt hashes); every change is audited");
  users
    .command("add")
    .description("add a user with a generated password, printed once")
    .argument("<name>", "user name (letters, digits, . _ @ -)")
    .requiredOption("--role <role>", ROLES.join(" | "))
    .option("--tenant <id>", "the exchange (exchange_officer) or source (data_provider) the user acts for")
    .action(async (name: string, opts: { role: string; tenant?: string }) => {
      const role = roleOf(opts.role);
      const password = await withConfiguredStore(io, (store) => addUser(io, store, { name, role, ...(opts.tenant !== undefined ? { tenant: opts.tenant } : {}) }));
      line(io, `added user ${name} (${role}${opts.tenant !== undefined ? `, tenant ${opts.tenant}` : ""})`);
      line(io, `password (shown once; it is stored only as a hash): ${password}`);
    });
  users
    .command("list")
    .description("list users: name, role, tenant, created, revoked")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const list = await withConfiguredStore(io, (store) => store.principals().listUsers());
      const view = list.map((u) => ({ name: u.name, role: u.role, tenant: u.tenant, createdAt: u.createdAt, revokedAt: u.revokedAt }));
      if (opts.json) return void line(io, JSON.stringify(view, null, 2));
      for (const u of view) line(io, `${u.name.padEnd(24)} ${u.role.padEnd(16)} ${(u.tenant ?? "-").padEnd(16)} created ${u.createdAt}${u.revokedAt ? `  REVOKED ${u.revokedAt}` : ""}`);
      if (view.length === 0) line(io, "no users");
    });
  users
    .command("revoke")
    .description("revoke a user (kept for the audit trail; the name is not reused)")
    .argument("<name>")
    .action(async (name: string) => {
      await withConfiguredStore(io, (store) => revokeUser(io, store, name));
      line(io, `revoked user ${name}`);
    });

  program
    .command("login")
    .description("check a user's password (read from standard input); the attempt is audited")
    .argument("<name>")
    .action(async (name: string) => {
      const password = (await readAll(io.stdin)).replace(/\r?\n$/, "");
      const who = await withConfiguredStore(io, (store) => loginUser(io, store, name, password));
      line(io, `signed in as ${name} (${who.role}${who.tenant !== null ? `, tenant ${who.tenant}` : ""})`);
    });

  const keys = program.command("keys").description("API keys for machines (stored as hashes); every change is audited");
  keys
    .command("create")
    .description("create an API key, printed once")
    .requiredOption("--name <name>", "what the key is for")
    .requiredOption("--role <role>", ROLES.join(" | "))
    .option("--tenant <id>", "the exchange (exchange_officer) or source (data_provider) the key acts for")
    .action(async (opts: { name: string; role: string; tenant?: string }) => {
      const role = roleOf(opts.role);
      const k = await withConfiguredStore(io, (store) => createApiKey(io, store, { name: opts.name, role, ...(opts.tenant !== undefined ? { tenant: opts.tenant } : {}) }));
      line(io, `created API key ${k.id} (${opts.name}, ${role}${opts.tenant !== undefined ? `, tenant ${opts.tenant}` : ""})`);
      line(io, `key (shown once; it is stored only as a hash): ${k.key}`);
    });
  keys
    .command("revoke")
    .description("revoke an API key by its id")
    .argument("<id>", "the key id (12 hex characters, as printed by keys create)")
    .action(async (id: string) => {
      await withConfiguredStore(io, (store) => revokeApiKey(io, store, id));
      line(io, `revoked API key ${id}`);
    });
}
