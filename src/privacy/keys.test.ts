import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { isKanshiError } from "../contracts/errors.ts";
import { decodeBase64Strict, generateKeyBase64, parseKeyList, parseSingleKey } from "./keys.ts";

const k = () => randomBytes(32).toString("base64");

/** Runs `fn`, expects a bad_input KanshiError, returns its message. */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isKanshiError(e), `expected a KanshiError, got ${String(e)}`);
    assert.equal(e.kind, "bad_input");
    return e.message;
  }
  assert.fail("expected an error");
}

describe("decodeBase64Strict", () => {
  it("accepts padded standard base64, unpadded standard and base64url", () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 0x01, 0x02]);
    assert.deepEqual(decodeBase64Strict(bytes.toString("base64")), bytes);
    assert.deepEqual(decodeBase64Strict(bytes.toString("base64").replace(/=+$/, "")), bytes);
    assert.deepEqual(decodeBase64Strict(bytes.toString("base64url")), bytes);
  });
  it("rejects stray characters, mixed alphabets, bad padding and non-canonical trailing bits", () => {
    for (const bad of ["", "ab$d", "+-AA", "AAA==", "A===", "AB=C", "A", "AB==AB==", "AQ=x", "AR=="]) {
      assert.equal(decodeBase64Strict(bad), null, bad);
    }
  });
  it("round-trips any bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (a) => {
        const b = Buffer.from(a);
        assert.deepEqual(decodeBase64Strict(b.toString("base64")), b);
        assert.deepEqual(decodeBase64Strict(b.toString("base64url")), b);
      }),
    );
  });
});

describe("parseKeyList", () => {
  it("parses kid:key pairs in order, current first, tolerating spaces", () => {
    const a = k();
    const b = k();
    const list = parseKeyList(` k2:${a} ,\n k1 : ${b}`, "KANSHI_MASTER_KEYS");
    assert.deepEqual(list.map((e) => e.kid), ["k2", "k1"]);
    assert.deepEqual(list[0]!.key, Buffer.from(a, "base64"));
    assert.deepEqual(list[1]!.key, Buffer.from(b, "base64"));
  });

  it("explains each mistake with the variable and entry position", () => {
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /^KANSHI_MASTER_KEYS: is empty/],
      ["  ", /^KANSHI_MASTER_KEYS: is empty/],
      [`k1:${k()},`, /^KANSHI_MASTER_KEYS\[1\]: empty entry/],
      [k(), /^KANSHI_MASTER_KEYS\[0\]: expected "kid:base64key" \(no ':' found\)/],
      [`:${k()}`, /^KANSHI_MASTER_KEYS\[0\]: key id must be/],
      [`k 1:${k()}`, /^KANSHI_MASTER_KEYS\[0\]: key id must be/],
      ["k1:not*base64", /^KANSHI_MASTER_KEYS\[0\]: key is not valid base64/],
      [`k1:${randomBytes(16).toString("base64")}`, /key decodes to 16 bytes; expected 32/],
      [`k1:${Buffer.alloc(32, 7).toString("base64")}`, /one byte repeated/],
    ];
    for (const [text, re] of cases) assert.match(failure(() => parseKeyList(text, "KANSHI_MASTER_KEYS")), re);
  });

  it("refuses a duplicate key id and a key reused under two ids", () => {
    const a = k();
    assert.match(failure(() => parseKeyList(`k1:${a},k1:${k()}`, "V")), /^V\[1\]: duplicate key id \(also at \[0\]\)/);
    assert.match(failure(() => parseKeyList(`k2:${a},k1:${a}`, "V")), /^V\[1\]: same key material as entry \[0\]/);
  });

  it("never echoes key material in an error, however the entry is mangled (property)", () => {
    const mangles = [
      (key: string) => key, // no kid at all
      (key: string) => `${key}:k1`, // kid and key swapped
      (key: string) => `k1:${key}`.replace(/.$/, "*"), // last character broken
      (key: string) => `k1:${key.slice(0, 30)}`, // truncated
      (key: string) => `k1:${key}${key.slice(0, 4)}`, // too long
      (key: string) => `k1:${key},k2:${key}`, // reused
      (key: string) => `k1:${key} x`, // trailing junk
      (key: string) => `${key.slice(0, 20)}:${key.slice(20)}`, // split by a colon inside the key
    ];
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat({ max: mangles.length - 1 }), (bytes, which) => {
        fc.pre(!bytes.every((b) => b === bytes[0]));
        const key = Buffer.from(bytes).toString("base64");
        const msg = failure(() => parseKeyList(mangles[which]!(key), "V"));
        // No 8-character run of the key's text appears in the message.
        for (let i = 0; i + 8 <= key.length; i++) assert.ok(!msg.includes(key.slice(i, i + 8)), `message leaks key text: ${msg}`);
      }),
      { numRuns: 200 },
    );
  });
});

describe("parseSingleKey", () => {
  it("parses one key and reports problems without echoing it", () => {
    const a = k();
    assert.deepEqual(parseSingleKey(a, "KANSHI_PSEUDONYM_KEY"), Buffer.from(a, "base64"));
    assert.match(failure(() => parseSingleKey(undefined, "KANSHI_PSEUDONYM_KEY")), /^KANSHI_PSEUDONYM_KEY: is empty/);
    const short = randomBytes(31).toString("base64");
    const msg = failure(() => parseSingleKey(short, "KANSHI_PSEUDONYM_KEY"));
    assert.match(msg, /decodes to 31 bytes/);
    assert.ok(!msg.includes(short.slice(0, 10)));
  });
  it("generateKeyBase64 gives keys the parser accepts, different each time", () => {
    const a = generateKeyBase64();
    const b = generateKeyBase64();
    assert.notEqual(a, b);
    assert.equal(parseSingleKey(a, "X").length, 32);
  });
});
