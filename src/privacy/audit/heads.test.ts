import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { isKanshiError } from "../../contracts/errors.ts";
import { generateAuditKeyPair, parseAuditPublicKeys, parseAuditSigningKey, publicKeyBase64, signTreeHead, treeHeadMessage, verifyTreeHead } from "./heads.ts";

// RFC 8032 §7.1, TEST 1.
const RFC_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC_PUB = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const RFC_SIG = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

const ROOT = "ab".repeat(32);

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isKanshiError(e), String(e));
    return e.message;
  }
  assert.fail("expected an error");
}

describe("tree head signing", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");

  it("signs the documented message and verifies", () => {
    const h = signTreeHead(privateKey, 42, ROOT, 1_700_000_000_000);
    assert.deepEqual(Object.keys(h).sort(), ["rootHash", "signature", "timestamp", "treeSize"]);
    const msg = treeHeadMessage(42, ROOT, 1_700_000_000_000);
    assert.equal(msg.subarray(0, 14).toString("utf8"), "kanshi/sth/v1\0");
    assert.equal(msg.readBigUInt64BE(14), 42n);
    assert.equal(msg.readBigUInt64BE(22), 1_700_000_000_000n);
    assert.equal(msg.subarray(30).toString("hex"), ROOT);
    assert.equal(msg.length, 62);
    assert.ok(verifyTreeHead(h, publicKey));
    assert.ok(verifyTreeHead(h, [generateKeyPairSync("ed25519").publicKey, publicKey]));
  });

  it("fails verification when any field changes, or under another key, and never throws", () => {
    const h = signTreeHead(privateKey, 42, ROOT, 1000);
    for (const changed of [
      { ...h, treeSize: 43 },
      { ...h, timestamp: 1001 },
      { ...h, rootHash: "ac" + ROOT.slice(2) },
      { ...h, signature: Buffer.alloc(64).toString("base64") },
      { ...h, signature: "not base64!" },
      { ...h, rootHash: "short" },
      { ...h, treeSize: -1 },
      { ...h, treeSize: 1.5 },
    ]) {
      assert.equal(verifyTreeHead(changed, publicKey), false, JSON.stringify(changed));
    }
    assert.equal(verifyTreeHead(h, generateKeyPairSync("ed25519").publicKey), false);
    assert.equal(verifyTreeHead(h, []), false);
  });

  it("refuses to sign with a non-Ed25519 key or bad fields", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    assert.throws(() => signTreeHead(ec.privateKey, 1, ROOT, 1), /must be an Ed25519 private key/);
    assert.throws(() => signTreeHead(publicKey, 1, ROOT, 1), /must be an Ed25519 private key/);
    assert.throws(() => signTreeHead(privateKey, 1, "AB".repeat(32), 1), /tree head.rootHash/);
    assert.throws(() => signTreeHead(privateKey, 1, ROOT, -5), /tree head.timestamp/);
  });
});

describe("audit keys from configuration", () => {
  it("reads a raw base64 seed: RFC 8032 test 1 gives the published public key and signature", () => {
    const { privateKey, publicKey } = parseAuditSigningKey(Buffer.from(RFC_SEED, "hex").toString("base64"));
    assert.equal(Buffer.from(publicKeyBase64(publicKey), "base64").toString("hex"), RFC_PUB);
    assert.equal(sign(null, Buffer.alloc(0), privateKey).toString("hex"), RFC_SIG);
    const [pub] = parseAuditPublicKeys(Buffer.from(RFC_PUB, "hex").toString("base64"));
    assert.equal(publicKeyBase64(pub!), publicKeyBase64(publicKey));
  });

  it("reads PEM keys, and several public keys for rotation", () => {
    const a = generateKeyPairSync("ed25519");
    const b = generateKeyPairSync("ed25519");
    const pemPriv = a.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const parsed = parseAuditSigningKey(pemPriv);
    assert.equal(publicKeyBase64(parsed.publicKey), publicKeyBase64(a.publicKey));
    const pemA = a.publicKey.export({ format: "pem", type: "spki" }).toString();
    const pemB = b.publicKey.export({ format: "pem", type: "spki" }).toString();
    assert.deepEqual(parseAuditPublicKeys(`${pemA}${pemB}`).map(publicKeyBase64), [publicKeyBase64(a.publicKey), publicKeyBase64(b.publicKey)]);
    assert.deepEqual(parseAuditPublicKeys(`${pemA},\n${pemB}`).map(publicKeyBase64), [publicKeyBase64(a.publicKey), publicKeyBase64(b.publicKey)]);
    const raw = `${publicKeyBase64(a.publicKey)}, ${publicKeyBase64(b.publicKey)}`;
    assert.equal(parseAuditPublicKeys(raw).length, 2);
  });

  it("generateAuditKeyPair gives a pair that works together", () => {
    const g = generateAuditKeyPair();
    const { privateKey } = parseAuditSigningKey(g.privateKey);
    const [pub] = parseAuditPublicKeys(g.publicKey);
    assert.ok(verifyTreeHead(signTreeHead(privateKey, 1, ROOT, 1), pub!));
  });

  it("explains mistakes without echoing key text", () => {
    const g = generateAuditKeyPair();
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const ecPem = ec.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const edPrivPem = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const cases: Array<[() => unknown, RegExp, string]> = [
      [() => parseAuditSigningKey(undefined), /^KANSHI_AUDIT_SIGNING_KEY: is empty/, ""],
      [() => parseAuditSigningKey(g.privateKey.slice(0, 20)), /decodes to 15 bytes; expected the 32-byte Ed25519 seed/, g.privateKey.slice(0, 20)],
      [() => parseAuditSigningKey(g.privateKey + "!"), /is neither PEM nor valid base64/, g.privateKey],
      [() => parseAuditSigningKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"), /is not a readable PEM private key/, "AAAA"],
      [() => parseAuditSigningKey(ecPem), /is a key of type ec; expected Ed25519/, ecPem.slice(40, 70)],
      [() => parseAuditPublicKeys(edPrivPem), /KANSHI_AUDIT_PUBLIC_KEYS\[0\]: is a private key; configure the public key here/, edPrivPem.slice(40, 70)],
      [() => parseAuditPublicKeys(`${g.publicKey},abc`), /KANSHI_AUDIT_PUBLIC_KEYS\[1\]: decodes to 2 bytes/, ""],
    ];
    for (const [fn, re, secret] of cases) {
      const msg = failure(fn);
      assert.match(msg, re);
      if (secret.length >= 8) assert.ok(!msg.includes(secret.slice(0, 12)), `leaks key text: ${msg}`);
    }
  });
});
