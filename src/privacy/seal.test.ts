import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { inspect } from "node:util";
import fc from "fast-check";
import { Keyring, SealError, decodeSealed, encodeSealed, inspectSealed, sealedParts } from "./seal.ts";
import { generateKeyBase64 } from "./keys.ts";

const entry = (kid: string) => ({ kid, key: randomBytes(32) });
const ctx = { recordId: "kyc-000123", field: "name" };

function sealError(fn: () => unknown): SealError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SealError, `expected SealError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a SealError");
}

describe("Keyring.seal / open", () => {
  const ring = new Keyring([entry("k1")]);

  it("round-trips text and bytes, in binary and text form (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 80 }), fc.uint8Array({ maxLength: 200 }), fc.string({ minLength: 1, maxLength: 40 }), (text, bytes, recordId) => {
        const c = { recordId, field: "address" };
        assert.equal(ring.openString(ring.seal(text, c), c), text);
        assert.deepEqual(ring.open(encodeSealed(ring.seal(bytes, c)), c), Buffer.from(bytes));
      }),
      { numRuns: 150 },
    );
  });

  it("uses a fresh data key and nonce each time: the same value seals differently", () => {
    const a = ring.seal("山田太郎", ctx);
    const b = ring.seal("山田太郎", ctx);
    assert.notDeepEqual(a, b);
    // Wrapped DEKs (bytes 4..44 for kid "k1") differ, not only the nonce.
    assert.notDeepEqual(a.subarray(4, 44), b.subarray(4, 44));
  });

  it("never repeats a data key or nonce across many seals (well past one page of the random pool)", () => {
    const c = { recordId: "kyc-pool", field: "name" };
    const wrapped = new Set<string>();
    const nonces = new Set<string>();
    const n = 1000; // 44 random bytes a seal: about ten pages of 4 KiB
    for (let i = 0; i < n; i++) {
      const sealed = ring.seal("同じ値", c);
      // Layout: version, kid length, kid, wrapped data key (40 bytes), nonce (12), tag, ciphertext.
      const at = 2 + inspectSealed(sealed).kid.length;
      wrapped.add(sealed.subarray(at, at + 40).toString("hex"));
      nonces.add(sealed.subarray(at + 40, at + 52).toString("hex"));
      assert.equal(ring.openString(sealed, c), "同じ値");
    }
    assert.equal(wrapped.size, n, "every seal has its own data key");
    assert.equal(nonces.size, n, "every seal has its own nonce");
  });

  it("has the documented layout and overhead: 70 bytes + key id", () => {
    const s = ring.seal("abc", ctx);
    assert.equal(s[0], 1);
    assert.equal(s[1], 2);
    assert.equal(s.subarray(2, 4).toString(), "k1");
    assert.equal(s.length, 70 + 2 + 3);
    assert.deepEqual(inspectSealed(s), { version: 1, kid: "k1", bytes: 3 });
    assert.match(encodeSealed(s), /^ks1\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeSealed(encodeSealed(s)), s);
  });

  it("detects any flipped bit anywhere in the sealed value (property)", () => {
    const sealed = ring.seal("0312345678", { recordId: "r-9", field: "phone" });
    fc.assert(
      fc.property(fc.nat({ max: sealed.length - 1 }), fc.integer({ min: 0, max: 7 }), (pos, bit) => {
        const bad = Buffer.from(sealed);
        bad[pos]! ^= 1 << bit;
        const e = sealError(() => ring.open(bad, { recordId: "r-9", field: "phone" }));
        assert.ok(["malformed", "unknown_key", "auth_failed"].includes(e.code));
      }),
      { numRuns: 300 },
    );
    // And exhaustively for every byte position, one bit each.
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i]! ^= 0x80;
      assert.throws(() => ring.open(bad, { recordId: "r-9", field: "phone" }), SealError, `byte ${i}`);
    }
  });

  it("detects truncation and extension", () => {
    const s = ring.seal("hello", ctx);
    for (let n = 0; n < s.length; n++) assert.throws(() => ring.open(s.subarray(0, n), ctx), SealError, `length ${n}`);
    assert.throws(() => ring.open(Buffer.concat([s, Buffer.from([0])]), ctx), SealError);
  });

  it("refuses a value moved to another record or field (wrong associated data)", () => {
    const s = ring.seal("1980-04-01", { recordId: "rec-1", field: "dateOfBirth" });
    assert.equal(sealError(() => ring.open(s, { recordId: "rec-2", field: "dateOfBirth" })).code, "auth_failed");
    assert.equal(sealError(() => ring.open(s, { recordId: "rec-1", field: "phone" })).code, "auth_failed");
    // Same lengths, different names: the names themselves are bound, not only their lengths.
    const ph = ring.seal("090-0000-0000", { recordId: "rec-1", field: "phone" });
    assert.equal(sealError(() => ring.open(ph, { recordId: "rec-1", field: "email" })).code, "auth_failed");
    assert.equal(sealError(() => ring.open(ph, { recordId: "rec-2", field: "phone" })).code, "auth_failed");
    // Length-prefixed: shifting characters between record id and field is not the same context.
    const t = ring.seal("x", { recordId: "ab", field: "c" });
    assert.throws(() => ring.open(t, { recordId: "a", field: "bc" }), SealError);
    assert.equal(ring.openString(s, { recordId: "rec-1", field: "dateOfBirth" }), "1980-04-01");
  });

  it("does not open under a keyring without the key, and says which key id is missing", () => {
    const s = ring.seal("x", ctx);
    const other = new Keyring([entry("k9")]);
    const e = sealError(() => other.open(s, ctx));
    assert.equal(e.code, "unknown_key");
    assert.match(e.message, /key id "k1".*have k9/);
    // Same kid, different key material: the wrap check fails.
    assert.equal(sealError(() => new Keyring([entry("k1")]).open(s, ctx)).code, "auth_failed");
  });

  it("keeps plaintext out of the sealed value in every form", () => {
    const canary = "CANARY-鈴木一郎-0000-canary@example.invalid";
    const s = ring.seal(canary, ctx);
    const text = encodeSealed(s);
    for (const needle of [canary, "CANARY", "canary@example", "鈴木一郎"]) {
      assert.equal(s.indexOf(Buffer.from(needle, "utf8")), -1, needle);
      assert.ok(!text.includes(needle), needle);
      assert.ok(!text.includes(Buffer.from(needle).toString("base64url").slice(0, 8)), needle);
    }
  });

  it("rejects a bad context with a clear error", () => {
    assert.throws(() => ring.seal("x", { recordId: "", field: "name" }), /seal context.recordId: must be a non-empty string/);
    assert.throws(() => ring.seal("x", { recordId: "r", field: "1name" }), /seal context.field/);
    assert.throws(() => ring.seal("x", { recordId: "r".repeat(513), field: "name" }), /at most 512 bytes/);
  });

  it("rejects malformed input with a malformed code", () => {
    assert.equal(sealError(() => ring.open("ks1.!!", ctx)).code, "malformed");
    assert.equal(sealError(() => ring.open("xyz", ctx)).code, "malformed");
    assert.equal(sealError(() => ring.open(Buffer.from([2, 2, 0]), ctx)).code, "malformed");
  });
});

describe("Keyring rotation", () => {
  const k1 = entry("k1");
  const k2 = entry("k2");
  const old = new Keyring([k1]);
  const rotated = new Keyring([k2, k1]);
  const retired = new Keyring([k2]);

  it("seals with the current key and still opens values sealed under older keys", () => {
    const before = old.seal("旧住所", ctx);
    assert.equal(rotated.openString(before, ctx), "旧住所");
    const after = rotated.seal("新住所", ctx);
    assert.equal(inspectSealed(after).kid, "k2");
    assert.throws(() => old.open(after, ctx), SealError);
  });

  it("rewrap moves the data key under the current key and keeps nonce, tag and ciphertext byte for byte", () => {
    const before = old.seal("東京都千代田区1-1", ctx);
    assert.ok(rotated.needsRewrap(before));
    const after = rotated.rewrap(before);
    assert.equal(inspectSealed(after).kid, "k2");
    assert.ok(!rotated.needsRewrap(after));
    const body = (b: Buffer) => b.subarray(2 + 2 + 40);
    assert.deepEqual(body(after), body(before));
    assert.notDeepEqual(after.subarray(4, 44), before.subarray(4, 44));
    // Once rewrapped, the old key can be retired.
    assert.equal(retired.openString(after, ctx), "東京都千代田区1-1");
    assert.throws(() => retired.open(before, ctx), SealError);
  });

  it("rewrap keeps the text form and leaves current values unchanged", () => {
    const t = encodeSealed(old.seal("x", ctx));
    const r = rotated.rewrap(t);
    assert.equal(typeof r, "string");
    assert.equal(rotated.openString(r, ctx), "x");
    assert.equal(rotated.rewrap(r), r);
    const cur = rotated.seal("y", ctx);
    assert.deepEqual(rotated.rewrap(cur), cur);
  });

  it("rewrap refuses a value whose wrapped key was altered", () => {
    const before = old.seal("x", ctx);
    before[10]! ^= 1;
    assert.equal(sealError(() => rotated.rewrap(before)).code, "auth_failed");
  });

  it("rewrap under a different key id cannot be redirected by editing the key id", () => {
    // Change kid "k1" into "k2" without re-wrapping: the wrapped key does not unwrap under k2.
    const s = old.seal("x", ctx);
    s[3] = "2".charCodeAt(0);
    assert.equal(sealError(() => rotated.open(s, ctx)).code, "auth_failed");
  });
});

describe("Keyring configuration", () => {
  it("reads KANSHI_MASTER_KEYS, current first", () => {
    const ring = Keyring.fromConfig(`k2:${generateKeyBase64()},k1:${generateKeyBase64()}`);
    assert.equal(ring.currentKid, "k2");
    assert.deepEqual(ring.kids, ["k2", "k1"]);
    assert.ok(ring.has("k1") && !ring.has("k3"));
  });
  it("names the variable in errors", () => {
    assert.throws(() => Keyring.fromConfig(undefined), /^KanshiError: KANSHI_MASTER_KEYS: is empty/);
    assert.throws(() => Keyring.fromConfig("k1:not*b64", "MY_KEYS"), /MY_KEYS\[0\]: key is not valid base64/);
  });
  it("never shows key material when logged or serialised", () => {
    const key = randomBytes(32);
    const ring = new Keyring([{ kid: "k1", key }]);
    const shown = [inspect(ring, { showHidden: true, depth: 10 }), JSON.stringify(ring), String(ring)].join("\n");
    for (const enc of ["base64", "hex", "base64url"] as const) assert.ok(!shown.includes(key.toString(enc).slice(0, 12)), enc);
    assert.match(inspect(ring), /Keyring \{ current: k1/);
  });
  it("refuses an empty keyring and keys of the wrong size", () => {
    assert.throws(() => new Keyring([]), /at least one master key/);
    assert.throws(() => new Keyring([{ kid: "k1", key: randomBytes(16) }]), /16 bytes; expected 32/);
  });
});

describe("Keyring.recordSealer: the fields of one record under one data key", () => {
  const k1 = entry("k1");
  const ring = new Keyring([k1]);
  const fieldsOf = (rid: string) => {
    const sealer = ring.recordSealer(rid);
    try {
      return {
        name: sealer.seal("kyc.name", '"試験 花子"'),
        dob: sealer.seal("kyc.dateOfBirth", '"1980-02-03"'),
        bytes: sealer.seal("kyc._extra", Buffer.from([0, 1, 2, 255])),
        kid: sealer.kid,
      };
    } finally {
      sealer.dispose();
    }
  };

  it("each value opens alone with open(), in the format seal() writes; one wrapped key, a nonce per field", () => {
    const v = fieldsOf("ex1:o-1");
    assert.equal(v.kid, "k1");
    assert.equal(ring.openString(v.name, { recordId: "ex1:o-1", field: "kyc.name" }), '"試験 花子"');
    assert.equal(ring.openString(encodeSealed(v.dob), { recordId: "ex1:o-1", field: "kyc.dateOfBirth" }), '"1980-02-03"');
    assert.deepEqual(ring.open(v.bytes, { recordId: "ex1:o-1", field: "kyc._extra" }), Buffer.from([0, 1, 2, 255]));
    for (const s of [v.name, v.dob, v.bytes]) assert.deepEqual(inspectSealed(s), { version: 1, kid: "k1", bytes: s.length - 72 });
    // Layout: version, kid length, kid (2), wrapped data key (40), nonce (12), tag (16), ciphertext.
    assert.equal(new Set([v.name, v.dob, v.bytes].map((s) => s.subarray(4, 44).toString("hex"))).size, 1, "wrapped once");
    assert.equal(new Set([v.name, v.dob, v.bytes].map((s) => s.subarray(44, 56).toString("hex"))).size, 3, "a nonce per field");
    const other = fieldsOf("ex1:o-1");
    assert.notEqual(other.name.subarray(4, 44).toString("hex"), v.name.subarray(4, 44).toString("hex"), "a fresh data key per record");
  });

  it("a value does not open under another field of the same record, nor under another record", () => {
    const v = fieldsOf("ex1:o-1");
    assert.equal(sealError(() => ring.open(v.name, { recordId: "ex1:o-1", field: "kyc.dateOfBirth" })).code, "auth_failed");
    assert.equal(sealError(() => ring.open(v.name, { recordId: "ex1:o-2", field: "kyc.name" })).code, "auth_failed");
    // Swapping ciphertexts between two fields that share the data key: still bound by the associated data.
    const swapped = Buffer.concat([v.dob.subarray(0, 44), v.name.subarray(44)]);
    assert.equal(sealError(() => ring.open(swapped, { recordId: "ex1:o-1", field: "kyc.dateOfBirth" })).code, "auth_failed");
    for (let i = 0; i < v.name.length; i++) {
      const bad = Buffer.from(v.name);
      bad[i]! ^= 0x01;
      assert.throws(() => ring.open(bad, { recordId: "ex1:o-1", field: "kyc.name" }), SealError, `byte ${i}`);
    }
  });

  it("values rewrap one by one, keeping nonce, tag and ciphertext", () => {
    const v = fieldsOf("r-7");
    const rotated = new Keyring([entry("k2"), k1]);
    for (const [field, s] of [["kyc.name", v.name], ["kyc.dateOfBirth", v.dob]] as const) {
      assert.equal(rotated.needsRewrap(s), true);
      const fresh = rotated.rewrap(s);
      assert.deepEqual(fresh.subarray(44), s.subarray(44), "nonce, tag and ciphertext kept");
      assert.equal(rotated.needsRewrap(fresh), false);
      assert.equal(new Keyring([entry("k2")]).has("k1"), false);
      assert.equal(rotated.openString(fresh, { recordId: "r-7", field }), field === "kyc.name" ? '"試験 花子"' : '"1980-02-03"');
    }
    assert.throws(() => new Keyring([entry("k3")]).rewrap(v.name), SealError, "an unknown key id cannot be rewrapped");
  });

  it("sealedParts splits a value into its key part (shared by the record's values) and its body", () => {
    const v = fieldsOf("r-8");
    const a = sealedParts(v.name);
    const b = sealedParts(v.dob);
    assert.equal(a.keyPart.length, 2 + 2 + 40);
    assert.deepEqual(a.keyPart, b.keyPart);
    assert.deepEqual(Buffer.concat([a.keyPart, a.body]), v.name);
    assert.equal(sealError(() => sealedParts(Buffer.from([1, 2, 3]))).code, "malformed");
  });

  it("refuses a field sealed twice, bad names, and use after dispose", () => {
    const sealer = ring.recordSealer("r-1");
    sealer.seal("name", "x");
    assert.throws(() => sealer.seal("name", "y"), /sealed already/);
    assert.throws(() => sealer.seal("1bad", "y"), /seal context.field/);
    sealer.dispose();
    assert.throws(() => sealer.seal("other", "y"), /disposed/);
    assert.throws(() => ring.recordSealer(""), /seal context.recordId/);
    assert.throws(() => ring.recordSealer("r".repeat(513)), /at most 512 bytes/);
  });
});

describe("format v1 known answer: values sealed by earlier builds still open", () => {
  it("opens a value built by hand from the documented layout (fixed keys, nonce and data key)", () => {
    // Synthetic fixed keys: the KEK, the data key and the nonce; the layout as the header comment documents it.
    const kek = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) kek[i] = (i * 7 + 3) & 0xff;
    const dek = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) dek[i] = (i * 13 + 5) & 0xff;
    const iv = Buffer.from("000102030405060708090a0b", "hex");
    const w = createCipheriv("id-aes256-wrap", kek, Buffer.from("A6A6A6A6A6A6A6A6", "hex"));
    const wrapped = Buffer.concat([w.update(dek), w.final()]);
    const rid = Buffer.from("ex1:o-1");
    const field = Buffer.from("kyc.name");
    const aad = Buffer.concat([Buffer.from("kanshi/seal/v1\0"), Buffer.from([0, rid.length]), rid, Buffer.from([0, field.length]), field]);
    const c = createCipheriv("aes-256-gcm", dek, iv, { authTagLength: 16 });
    c.setAAD(aad);
    const ct = Buffer.concat([c.update('"試験 花子"', "utf8"), c.final()]);
    const sealed = Buffer.concat([Buffer.from([1, 2]), Buffer.from("k1"), wrapped, iv, c.getAuthTag(), ct]);
    // Pinned: the bytes this construction gives (AES-KW and GCM are deterministic for fixed inputs).
    assert.equal(encodeSealed(sealed), KNOWN_V1);
    const ring = new Keyring([{ kid: "k2", key: randomBytes(32) }, { kid: "k1", key: kek }]);
    assert.equal(ring.openString(KNOWN_V1, { recordId: "ex1:o-1", field: "kyc.name" }), '"試験 花子"');
    assert.equal(ring.openString(ring.rewrap(KNOWN_V1), { recordId: "ex1:o-1", field: "kyc.name" }), '"試験 花子"');
  });
});

const KNOWN_V1 = "ks1.AQJrMZQegA64X7qvTf8rteomUk5OWBo8bO619hC8xLtgwdGSIIBJfalnVZkAAQIDBAUGBwgJCgvGTAdAfWsq5CoH36kLeex7HgDH9RiFi2YXuoz-9O4Q";
