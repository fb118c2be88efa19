import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateAuditKeyPair, parseAuditSigningKey, AuditTrail } from "../privacy/index.ts";
import { migrate } from "../store/migrations.ts";
import { openPgliteDb, type PgliteDatabase } from "../store/pglite-db.ts";
import type { Store } from "../store/ports.ts";
import { createSqlStore } from "../store/sql-store.ts";
import { createStoreTemplate, type StoreTemplate } from "../store/testing/template.ts";
import { isKanshiError } from "../contracts/errors.ts";
import { parseApiKey } from "../privacy/credentials.ts";
import { loadDeploymentKeys } from "./keys.ts";
import { addUser, audit, createApiKey, loginUser, revokeApiKey, revokeUser, verifyStoredAudit } from "./privacy-commands.ts";
import { main } from "./main.ts";
import { captureIo } from "./testing.ts";

const RECORDS = 15; // three batches (4 + 5 + 6), each followed by a signed head
const HEADS = 3;
const BATCHES = [[0, 4], [1, 5], [2, 6]] as const;
const pick = (n: number) => Math.floor(Math.random() * n);
const inputs = (b: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ actor: `synthetic-${b}@supervisor`, action: "disclosure.approve", target: `grant:G${b}-${i}`, details: { batch: b, i } }));

let template: StoreTemplate;
before(async () => {
  template = await createStoreTemplate();
});

// Tampering with the stored tables by SQL, on an in-memory store (fast: no data directory to reopen),
// through the very function `kanshi audit verify` prints from. Each case tampers, verifies, restores.
describe("the stored audit trail, tampered with by SQL, is caught at the right position", () => {
  let db: PgliteDatabase;
  let store: Store;
  const keys = parseAuditSigningKey(generateAuditKeyPair().privateKey);
  const sql = async (statements: string[]) => {
    for (const s of statements) await db.query(s);
  };
  const report = async () => verifyStoredAudit(store, [keys.publicKey]);
  const ROUNDS = 4;

  before(async () => {
    db = await openPgliteDb({ template: template.blob });
    await migrate(db);
    store = createSqlStore(db);
    const trail = new AuditTrail({ log: store.auditLog(), signingKey: keys.privateKey });
    for (const [b, n] of BATCHES) await trail.appendBatch(inputs(b, n));
    assert.equal((await report()).verdict.ok, true);
  });
  after(async () => {
    await store?.close();
  });

  it("an altered record is named by its seq", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const k = pick(RECORDS);
      const column = ["target", "actor", "action", "ts", "details", "prev_hash", "hash"][pick(7)]!;
      const [saved] = await db.query(`SELECT ${column} AS v FROM audit_records WHERE seq = ${k}`);
      const altered = column === "details" ? `'{"batch":9}'` : column.endsWith("hash") ? `'${"ab".repeat(32)}'` : `${column} || 'x'`;
      await sql([`UPDATE audit_records SET ${column} = ${altered} WHERE seq = ${k}`]);
      const r = await report();
      await db.query(`UPDATE audit_records SET ${column} = $1 WHERE seq = ${k}`, [saved!.v]);
      assert.match(r.text, new RegExp(`BROKEN — first bad record: seq ${k} \\(`), `altered ${column} of seq ${k}`);
    }
    assert.equal((await report()).verdict.ok, true, "restored");
  });

  it("a deleted record is named by its position; deleting the last is caught by its head", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const k = round === 0 ? RECORDS - 1 : pick(RECORDS - 1);
      await sql([`CREATE TEMP TABLE saved AS SELECT * FROM audit_records WHERE seq = ${k}`, `DELETE FROM audit_records WHERE seq = ${k}`]);
      const r = await report();
      await sql([`INSERT INTO audit_records SELECT * FROM saved`, `DROP TABLE saved`]);
      if (k === RECORDS - 1) assert.match(r.text, new RegExp(`first bad tree head: #${HEADS - 1} \\(head_beyond_log\\).*from seq ${k} on`), "truncated");
      else assert.match(r.text, new RegExp(`first bad record: seq ${k} \\(seq_mismatch\\)`), `deleted seq ${k}`);
    }
    assert.equal((await report()).verdict.ok, true, "restored");
  });

  it("two records swapped are named at the first of them", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const k = pick(RECORDS - 1);
      const j = k + 1 + pick(RECORDS - 1 - k);
      const swap = [
        `UPDATE audit_records SET seq = 1000000 WHERE seq = ${k}`,
        `UPDATE audit_records SET seq = ${k} WHERE seq = ${j}`,
        `UPDATE audit_records SET seq = ${j} WHERE seq = 1000000`,
      ];
      await sql(swap);
      const r = await report();
      await sql(swap);
      assert.match(r.text, new RegExp(`first bad record: seq ${k} \\(`), `swapped ${k} and ${j}`);
    }
    assert.equal((await report()).verdict.ok, true, "restored");
  });

  it("an altered tree head is named by its index", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const h = pick(HEADS);
      const column = ["tree_size", "root_hash", "signed_ms", "signature"][pick(4)]!;
      const [row] = await db.query(`SELECT pos, ${column} AS v FROM audit_heads ORDER BY pos OFFSET ${h} LIMIT 1`);
      const altered = column === "root_hash" ? `'${"cd".repeat(32)}'` : column === "signature" ? `'${Buffer.alloc(64, 7).toString("base64")}'` : `${column} + 1`;
      await sql([`UPDATE audit_heads SET ${column} = ${altered} WHERE pos = ${String(row!.pos)}`]);
      const r = await report();
      await db.query(`UPDATE audit_heads SET ${column} = $1 WHERE pos = ${String(row!.pos)}`, [row!.v]);
      assert.match(r.text, new RegExp(`first bad tree head: #${h} \\(`), `altered ${column} of head ${h}`);
    }
    assert.equal((await report()).verdict.ok, true, "restored");
  });
});

describe("kanshi audit verify|log over the stored trail", () => {
  let dir: string;
  let data: string;
  const io = () => captureIo({ cwd: dir, env: { KANSHI_DATA: data } });

  /** Runs `sql` against the data directory (the CLI holds no store open between commands). */
  async function sql(statements: string[]): Promise<void> {
    const db = await openPgliteDb({ dataDir: data });
    try {
      await db.transaction(async (tx) => {
        for (const s of statements) await tx.query(s);
      });
    } finally {
      await db.close();
    }
  }

  async function verify(): Promise<{ code: number; out: string; err: string }> {
    const c = io();
    const code = await main(["audit", "verify"], c);
    return { code, out: c.out(), err: c.err() };
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-audit-"));
    data = join(dir, "data");
    const store = await template.open({ dataDir: data });
    try {
      for (const [b, n] of BATCHES) await audit(io(), store, inputs(b, n));
    } finally {
      await store.close();
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("an intact trail verifies (exit 0); log prints the latest records", async () => {
    const r = await verify();
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`intact: ${RECORDS} records, ${HEADS} signed tree heads, signed through record ${RECORDS}`));
    const c = io();
    assert.equal(await main(["audit", "log", "--limit", "3"], c), 0);
    const lines = c.out().trim().split("\n");
    assert.deepEqual(lines.map((l) => Number(l.trim().split(/\s+/)[0])), [12, 13, 14]);
    const j = io();
    assert.equal(await main(["audit", "log", "--json", "--limit", "100"], j), 0);
    assert.deepEqual(j.out().trim().split("\n").map((l) => (JSON.parse(l) as { seq: number }).seq), Array.from({ length: RECORDS }, (_, i) => i));
    assert.equal(await main(["audit", "log", "--limit", "0"], io()), 1);
  });

  it("exits 1 naming an altered record", async () => {
    const k = pick(RECORDS);
    await sql([`UPDATE audit_records SET target = target || 'x' WHERE seq = ${k}`]);
    const r = await verify();
    assert.equal(r.code, 1, `altered seq ${k}`);
    assert.match(r.err, new RegExp(`first bad record: seq ${k} \\(hash_mismatch\\)`), `altered seq ${k}`);
  });

  it("verify without any audit key is a usage error and creates no keys", async () => {
    const c = captureIo({ cwd: dir, env: { KANSHI_DATA: join(dir, "elsewhere") } });
    assert.equal(await main(["audit", "verify"], c), 2);
    assert.match(c.err(), /no audit verification key/);
    await assert.rejects(stat(join(dir, "elsewhere", "keys.json")), /ENOENT/);
  });
});

describe("users, API keys and logins: stored as hashes, every change audited", () => {
  let dir: string;
  let store: Store;
  let io: ReturnType<typeof captureIo>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-principals-"));
    io = captureIo({ cwd: dir, env: { KANSHI_DATA: join(dir, "data") } });
    store = await template.open();
  });
  after(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("add, login, revoke a user and create, revoke a key; the trail records each and verifies", async () => {
    const password = await addUser(io, store, { name: "officer-1", role: "exchange_officer", tenant: "bitflyer" });
    assert.match(password, /^[A-Za-z0-9_-]{24}$/);
    const stored = await store.principals().getUser("officer-1");
    assert.ok(stored && stored.passwordHash.startsWith("scrypt$") && !stored.passwordHash.includes(password));
    assert.deepEqual(await loginUser(io, store, "officer-1", password), { role: "exchange_officer", tenant: "bitflyer" });
    const unauthorized = (e: unknown) => isKanshiError(e) && e.kind === "unauthorized" && !e.message.includes(password);
    await assert.rejects(loginUser(io, store, "officer-1", password + "x"), unauthorized);
    await assert.rejects(loginUser(io, store, "nobody", password), unauthorized);
    const key = await createApiKey(io, store, { name: "bureau-feed", role: "data_provider", tenant: "cic" });
    const parsed = parseApiKey(key.key);
    assert.equal(parsed?.id, key.id);
    assert.equal((await store.principals().getApiKey(key.id))?.keyHash, parsed?.hash);
    await revokeApiKey(io, store, key.id);
    await assert.rejects(revokeApiKey(io, store, key.id), (e: unknown) => isKanshiError(e) && e.kind === "not_found");
    await revokeUser(io, store, "officer-1");
    await assert.rejects(loginUser(io, store, "officer-1", password), unauthorized);

    const log = store.auditLog();
    const records = await log.read(0, await log.size());
    assert.deepEqual(records.map((r) => [r.action, r.target, r.details.outcome ?? null]), [
      ["user.add", "user:officer-1", null],
      ["auth.login", "user:officer-1", "ok"],
      ["auth.login", "user:officer-1", "bad_password"],
      ["auth.login", "user:unknown", "unknown_user"],
      ["apikey.create", `apikey:${key.id}`, null],
      ["apikey.revoke", `apikey:${key.id}`, null],
      ["user.revoke", "user:officer-1", null],
      ["auth.login", "user:officer-1", "revoked"],
    ]);
    assert.deepEqual(records[0]!.details, { role: "exchange_officer", tenant: "bitflyer" });
    const text = JSON.stringify(records);
    assert.ok(!text.includes(password) && !text.includes(key.key.slice(16)), "no secret in the trail");
    assert.equal((await verifyStoredAudit(store, (await loadDeploymentKeys(io)).auditPublicKeys)).verdict.ok, true);
  });

  it("kanshi users add | login | keys create, end to end: secrets printed once, roles checked", async () => {
    const env = { KANSHI_DATA: join(dir, "cli") };
    await (await template.open({ dataDir: env.KANSHI_DATA })).close(); // skip initdb: start from the migrated template
    const add = captureIo({ cwd: dir, env });
    assert.equal(await main(["users", "add", "sup-1", "--role", "supervisor"], add), 0, add.err());
    const password = /password \(shown once[^:]*\): (\S+)/.exec(add.out())?.[1];
    assert.ok(password);
    const login = captureIo({ cwd: dir, env, stdin: `${password}\n` });
    assert.equal(await main(["login", "sup-1"], login), 0, login.err());
    assert.match(login.out(), /signed in as sup-1 \(supervisor\)/);
    const bad = captureIo({ cwd: dir, env });
    assert.equal(await main(["keys", "create", "--name", "feed", "--role", "data_provider"], bad), 1);
    assert.match(bad.err(), /tenant: role data_provider needs a tenant/);
    const list = captureIo({ cwd: dir, env });
    assert.equal(await main(["users", "list", "--json"], list), 0);
    assert.deepEqual((JSON.parse(list.out()) as { name: string; role: string }[]).map((u) => [u.name, u.role]), [["sup-1", "supervisor"]]);
    assert.ok(!list.out().includes("scrypt"), "hashes are not listed");
  });
});
