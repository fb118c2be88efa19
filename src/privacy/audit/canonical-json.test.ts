import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { canonicalJson } from "./canonical-json.ts";

/** Shuffles object keys at every level (a different insertion order, the same value). */
function reorder(v: unknown, rnd: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => reorder(x, rnd));
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).sort(() => rnd() - 0.5);
    const out: Record<string, unknown> = {};
    // defineProperty, so a "__proto__" key stays an own property.
    for (const k of keys) Object.defineProperty(out, k, { value: reorder((v as Record<string, unknown>)[k], rnd), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

describe("canonicalJson", () => {
  it("sorts keys at every level and writes no white space", () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: "x" } }), '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it("sorts by UTF-16 code units like RFC 8785 (its key-ordering example)", () => {
    const v = { "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis" };
    // RFC 8785 §3.2.3 gives this order; read it from the text (JS objects put "1" first on parsing).
    const keys = [...canonicalJson(v).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    assert.deepEqual(keys, ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"]);
  });

  it("writes numbers and strings as JSON.stringify does", () => {
    assert.equal(canonicalJson([0, -0, 1e21, 1.5, -1e-7, "a\"b\\c\n", "日本"]), '[0,0,1e+21,1.5,-1e-7,"a\\"b\\\\c\\n","日本"]');
    assert.equal(canonicalJson("\ud800"), '"\\ud800"');
  });

  it("omits undefined properties and refuses what JSON cannot carry, naming the path", () => {
    assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
    const cases: Array<[unknown, RegExp]> = [
      [{ a: NaN }, /details\.a: numbers must be finite/],
      [{ a: [1, Infinity] }, /details\.a\[1\]: numbers must be finite/],
      [{ a: 10n }, /details\.a: a bigint is not JSON/],
      [{ a: [undefined] }, /details\.a\[0\]: undefined is not JSON/],
      [{ a: new Date(0) }, /details\.a: only plain objects/],
      [{ a: new Map() }, /details\.a: only plain objects/],
      [{ f: () => 1 }, /details\.f: a function is not JSON/],
    ];
    for (const [v, re] of cases) assert.throws(() => canonicalJson(v, "details"), re);
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    assert.throws(() => canonicalJson(cyc, "details"), /details\.self: contains a cycle/);
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    assert.throws(() => canonicalJson(deep), /nested deeper than 64/);
  });

  it("allows the same object twice when it is not a cycle", () => {
    const shared = { x: 1 };
    assert.equal(canonicalJson({ a: shared, b: shared }), '{"a":{"x":1},"b":{"x":1}}');
  });

  it("is parseable, round-trips the value, and ignores key insertion order (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (v, seed) => {
        let s = seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
        const text = canonicalJson(v);
        assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(v)));
        assert.equal(canonicalJson(reorder(v, rnd)), text);
        assert.equal(canonicalJson(JSON.parse(text)), text);
        assert.ok(!/[\n\t]/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, "")));
      }),
      { numRuns: 300 },
    );
  });
});
