import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { compareBytewise } from "./sql-store.ts";

it("compareBytewise orders strings as their UTF-8 bytes (PostgreSQL's C collation)", () => {
  const sign = (n: number) => Math.sign(n);
  const text = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: fc.constantFrom("a", "Z", "\uE000", "\uFFFF", "\u{10000}", "\u{1F600}", "日", "\u007F", "\u0080") }));
  fc.assert(
    fc.property(text, text, (a, b) => {
      assert.equal(sign(compareBytewise(a, b)), sign(Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"))));
    }),
    { numRuns: 2000 },
  );
  assert.ok(compareBytewise("\uFFFF", "\u{10000}") < 0, "U+FFFF before U+10000, unlike UTF-16 order");
  assert.ok("\uFFFF" > "\u{10000}", "(JavaScript's own order disagrees)");
});
