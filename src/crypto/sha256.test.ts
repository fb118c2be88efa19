// The JavaScript SHA-256 and HMAC-SHA256 give exactly node:crypto's output, for keys shorter and longer
// than a block and messages across block boundaries, and one HmacSha256 serves many messages.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { HmacSha256, sha256Hex } from "./sha256.ts";

test("HmacSha256 equals node:crypto's HMAC-SHA256 for any key and message, message after message", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 130 }), fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 5 }), (key, messages) => {
      const mac = new HmacSha256(key);
      const out = new Uint8Array(32);
      for (const m of messages) {
        mac.message(m.length).set(m);
        mac.mac(m.length, out);
        assert.equal(Buffer.from(out).toString("hex"), createHmac("sha256", key).update(m).digest("hex"));
      }
    }),
    { numRuns: 300 },
  );
});

test("sha256Hex equals node:crypto's SHA-256 of the UTF-8 text", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme", maxLength: 150 }), (text) => {
      assert.equal(sha256Hex(text), createHash("sha256").update(text, "utf8").digest("hex"));
    }),
    { numRuns: 300 },
  );
  for (const n of [0, 55, 56, 63, 64, 119, 120, 1000]) assert.equal(sha256Hex("a".repeat(n)), createHash("sha256").update("a".repeat(n)).digest("hex"), `length ${n}`);
});
