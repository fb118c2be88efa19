import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { inspect } from "node:util";
import fc from "fast-check";
import { BlindIndexer, normalizeForIndex } from "./blind-index.ts";
import { generateKeyBase64 } from "./keys.ts";

const key = randomBytes(32);
const idx = new BlindIndexer([{ kid: "b1", key }]);

describe("normalizeForIndex", () => {
  it("folds width, case and white space", () => {
    assert.equal(normalizeForIndex("  ＴＡＲＯ\u3000 Yamada\t"), "taro yamada");
    assert.equal(normalizeForIndex("０９０－１２３４"), "090-1234");
    assert.equal(normalizeForIndex("ｶﾞ"), "ガ");
  });
  it("is idempotent (property)", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (s) => normalizeForIndex(normalizeForIndex(s)) === normalizeForIndex(s)));
  });
});

describe("BlindIndexer", () => {
  it("matches an independent computation of the documented construction", () => {
    const mac = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), "kanshi/blind-index/v1", 32));
    const expected = createHmac("sha256", mac)
      .update(Buffer.from([0, 5]))
      .update("phone")
      .update("+819012345678")
      .digest()
      .subarray(0, 16)
      .toString("base64url");
    assert.equal(idx.index("phone", "+819012345678"), expected);
    assert.equal(expected.length, 22);
  });

  it("equals node:crypto's HMAC of the documented construction for any field, value, key and width (property)", () => {
    // The MAC is computed in JavaScript (precomputed key blocks): byte-identical indexes are what
    // linkage and the stored identity_blind_indexes rows depend on.
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 150 }).filter((s) => normalizeForIndex(s) !== ""),
        fc.integer({ min: 8, max: 32 }),
        (k, field, value, bytes) => {
          const mac = Buffer.from(hkdfSync("sha256", Buffer.from(k), Buffer.alloc(0), "kanshi/blind-index/v1", 32));
          const f = Buffer.from(field, "utf8");
          const len = Buffer.alloc(2);
          len.writeUInt16BE(f.length);
          const expected = createHmac("sha256", mac).update(len).update(f).update(normalizeForIndex(value), "utf8").digest().subarray(0, bytes).toString("base64url");
          const ix = new BlindIndexer([{ kid: "b1", key: Buffer.from(k) }], { bytes });
          assert.equal(ix.index(field, value), expected);
          assert.equal(ix.index(field, value), expected, "again, with the scratch buffers reused");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is deterministic and equal for values that normalise alike", () => {
    assert.equal(idx.index("name", "山田 太郎"), idx.index("name", "山田　太郎 "));
    assert.equal(idx.index("email", "Taro@Example.JP"), idx.index("email", "taro@example.jp"));
    assert.equal(new BlindIndexer([{ kid: "b1", key }]).index("name", "x"), idx.index("name", "x"));
  });

  it("gives distinct indexes for distinct fields, values and keys (property)", () => {
    const other = new BlindIndexer([{ kid: "b2", key: randomBytes(32) }]);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }).filter((s) => normalizeForIndex(s) !== ""), (v) => {
        const a = idx.index("phone", v);
        assert.notEqual(a, idx.index("postalCode", v));
        assert.notEqual(a, idx.index("phon", "e" + v)); // field/value boundary is length-prefixed
        assert.notEqual(a, other.index("phone", v));
        assert.notEqual(a, idx.index("phone", v + "0"));
      }),
    );
  });

  it("does not contain the value", () => {
    const v = "canary-1234567890";
    const out = idx.index("email", v);
    assert.ok(!out.includes("canary") && !out.includes("1234"));
  });

  it("truncates to the configured length", () => {
    assert.equal(new BlindIndexer([{ kid: "b1", key }], { bytes: 8 }).index("name", "x").length, 11);
    assert.equal(new BlindIndexer([{ kid: "b1", key }], { bytes: 32 }).index("name", "x").length, 43);
    // A shorter index is a prefix of the longer one's bytes.
    const short = Buffer.from(new BlindIndexer([{ kid: "b1", key }], { bytes: 8 }).index("name", "x"), "base64url");
    assert.deepEqual(short, Buffer.from(idx.index("name", "x"), "base64url").subarray(0, 8));
    assert.throws(() => new BlindIndexer([{ kid: "b1", key }], { bytes: 4 }), /options.bytes: must be a whole number from 8 to 32/);
  });

  it("accepts a domain normaliser", () => {
    const digits = new BlindIndexer([{ kid: "b1", key }], { normalize: (s) => s.replace(/\D/g, "") });
    assert.equal(digits.index("phone", "090-1234-5678"), digits.index("phone", "09012345678"));
  });

  it("offers candidates under every key during rotation, current first", () => {
    const k1 = { kid: "b1", key };
    const k2 = { kid: "b2", key: randomBytes(32) };
    const rotating = new BlindIndexer([k2, k1]);
    const c = rotating.candidates("name", "佐藤");
    assert.deepEqual(c, [new BlindIndexer([k2]).index("name", "佐藤"), idx.index("name", "佐藤")]);
    assert.equal(rotating.index("name", "佐藤"), c[0]);
    assert.equal(rotating.currentKid, "b2");
  });

  it("rejects bad fields and empty values without echoing the value", () => {
    assert.throws(() => idx.index("", "x"), /blind index field: must start with a letter/);
    assert.throws(() => idx.index("na me", "x"), /blind index field/);
    assert.throws(() => idx.index("name", " \u3000 "), (e: Error) => /value for name: is empty after normalisation/.test(e.message));
  });

  it("is configured from KANSHI_BLIND_INDEX_KEYS and never shows its key", () => {
    const b64 = generateKeyBase64();
    const fromCfg = BlindIndexer.fromConfig(`b1:${b64}`);
    assert.equal(fromCfg.currentKid, "b1");
    const shown = inspect(fromCfg, { showHidden: true }) + JSON.stringify(fromCfg);
    assert.ok(!shown.includes(b64.slice(0, 12)));
    assert.throws(() => BlindIndexer.fromConfig(""), /KANSHI_BLIND_INDEX_KEYS: is empty/);
  });
});
