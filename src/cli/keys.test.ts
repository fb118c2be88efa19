import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isKanshiError } from "../contracts/errors.ts";
import { accountId, tenantId } from "../contracts/ids.ts";
import { generateAuditKeyPair, generateKeyBase64, publicKeyBase64, signTreeHead, verifyTreeHead } from "../privacy/index.ts";
import { KEY_VARIABLES, loadAuditPublicKeys, loadDeploymentKeys } from "./keys.ts";
import { captureIo } from "./testing.ts";

describe("deployment keys", () => {
  let dir: string;
  let n = 0;
  const fresh = () => join(dir, `d${++n}`);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-keys-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("generates <dataDir>/keys.json once, mode 0600, and reuses it", async () => {
    const data = fresh();
    const io = captureIo({ cwd: dir, env: { KANSHI_DATA: data } });
    const a = await loadDeploymentKeys(io);
    const file = join(data, "keys.json");
    assert.equal(a.file, file);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(Object.values(a.origin), KEY_VARIABLES.map(() => "keys file"));
    const b = await loadDeploymentKeys(io);
    const acct = [tenantId("bitflyer"), accountId("A-1")] as const;
    assert.equal(b.pseudonymizer.account(...acct), a.pseudonymizer.account(...acct));
    const sealed = a.keyring.seal("synthetic value", { recordId: "r1", field: "name" });
    assert.equal(b.keyring.openString(sealed, { recordId: "r1", field: "name" }), "synthetic value");
    assert.equal(b.blindIndexer.index("phone", "+819000000000"), a.blindIndexer.index("phone", "+819000000000"));
    assert.equal(publicKeyBase64(b.auditSigningKey), publicKeyBase64(a.auditSigningKey));
    assert.equal(io.out() + io.err(), "", "keys are never printed");
    // Another deployment gets other keys.
    const c = await loadDeploymentKeys(captureIo({ cwd: dir, env: { KANSHI_DATA: fresh() } }));
    assert.notEqual(c.pseudonymizer.account(...acct), a.pseudonymizer.account(...acct));
  });

  it("processes starting at once end up with one keys file", async () => {
    const data = fresh();
    const loads = await Promise.all(Array.from({ length: 6 }, () => loadDeploymentKeys(captureIo({ cwd: dir, env: { KANSHI_DATA: data } }))));
    const pubs = new Set(loads.map((k) => publicKeyBase64(k.auditSigningKey)));
    assert.equal(pubs.size, 1);
    const onDisk = JSON.parse(await readFile(join(data, "keys.json"), "utf8")) as Record<string, string>;
    assert.equal(publicKeyBase64((await loadDeploymentKeys(captureIo({ cwd: dir, env: { KANSHI_DATA: data } }))).auditSigningKey), [...pubs][0]);
    assert.deepEqual(Object.keys(onDisk).sort(), [...KEY_VARIABLES].sort());
  });

  it("takes every key from the environment when set, and then writes no file", async () => {
    const data = fresh();
    const pair = generateAuditKeyPair();
    const env = {
      KANSHI_DATA: data,
      KANSHI_MASTER_KEYS: `k9:${generateKeyBase64()}`,
      KANSHI_BLIND_INDEX_KEYS: `b9:${generateKeyBase64()}`,
      KANSHI_PSEUDONYM_KEY: generateKeyBase64(),
      KANSHI_AUDIT_SIGNING_KEY: pair.privateKey,
    };
    const k = await loadDeploymentKeys(captureIo({ cwd: dir, env }));
    assert.deepEqual(Object.values(k.origin), KEY_VARIABLES.map(() => "environment"));
    assert.equal(publicKeyBase64(k.auditSigningKey), pair.publicKey);
    await assert.rejects(stat(join(data, "keys.json")), /ENOENT/);
    // Mixed: one variable set, the rest from a generated file.
    const mixed = await loadDeploymentKeys(captureIo({ cwd: dir, env: { KANSHI_DATA: data, KANSHI_AUDIT_SIGNING_KEY: pair.privateKey } }));
    assert.equal(mixed.origin.KANSHI_AUDIT_SIGNING_KEY, "environment");
    assert.equal(mixed.origin.KANSHI_MASTER_KEYS, "keys file");
  });

  it("verification keys: public keys variable, else the signing key's public half; never creates the file", async () => {
    const data = fresh();
    const io = captureIo({ cwd: dir, env: { KANSHI_DATA: data } });
    await assert.rejects(loadAuditPublicKeys(io), (e: unknown) => isKanshiError(e) && e.kind === "usage" && /KANSHI_AUDIT_PUBLIC_KEYS/.test(e.message));
    await assert.rejects(stat(join(data, "keys.json")), /ENOENT/);
    const k = await loadDeploymentKeys(io);
    const head = signTreeHead(k.auditSigningKey, 0, "0".repeat(64), 1);
    assert.equal(verifyTreeHead(head, await loadAuditPublicKeys(io)), true);
    const other = generateAuditKeyPair();
    const viaEnv = await loadAuditPublicKeys(captureIo({ cwd: dir, env: { KANSHI_DATA: data, KANSHI_AUDIT_PUBLIC_KEYS: other.publicKey } }));
    assert.equal(verifyTreeHead(head, viaEnv), false);
  });

  it("refuses a keys file others can read, and malformed keys, without echoing key material", async () => {
    const data = fresh();
    const io = captureIo({ cwd: dir, env: { KANSHI_DATA: data } });
    await loadDeploymentKeys(io);
    const file = join(data, "keys.json");
    await chmod(file, 0o644);
    await assert.rejects(loadDeploymentKeys(io), (e: unknown) => isKanshiError(e) && /chmod 600/.test(e.message));
    await chmod(file, 0o600);
    const secret = generateKeyBase64().slice(0, 30);
    await assert.rejects(loadDeploymentKeys(captureIo({ cwd: dir, env: { KANSHI_DATA: data, KANSHI_PSEUDONYM_KEY: secret } })), (e: unknown) => {
      assert.ok(isKanshiError(e));
      assert.match(e.message, /KANSHI_PSEUDONYM_KEY/);
      assert.ok(!e.message.includes(secret));
      return true;
    });
  });
});
