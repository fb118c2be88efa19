// readLines splits bytes, not decoded text; it must yield exactly what a plain TextDecoder-based
// splitter yields, however the input is cut into chunks.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { readLineBatches, readLines, type Line } from "./lines.ts";

/** The reference: decode the stream as text, split on \n, drop a \r before it, skip blank lines. */
async function reference(chunks: readonly Buffer[]): Promise<Line[]> {
  const text = new TextDecoder("utf-8").decode(Buffer.concat(chunks));
  const out: Line[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() !== "") out.push({ no: i + 1, text: line });
  });
  return out;
}

async function collect(chunks: readonly (Buffer | string)[]): Promise<Line[]> {
  const out: Line[] = [];
  for await (const l of readLines((async function* () { yield* chunks; })())) out.push(l);
  return out;
}

const pieces = fc.constantFrom(
  '{"a":1}', '{"name":"太田　美羽"}', "", " ", "\t", "\u3000", "\r", "\r\r", "x", "\uFEFF", "\uFEFF{}", "😀", "é", "a\rb",
);
const rawBytes = fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe3, 0x81]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xef, 0xbb, 0xbf]));
const input = fc
  .array(fc.oneof(pieces.map((s) => Buffer.from(s, "utf8")), rawBytes, fc.constant(Buffer.from("\n")), fc.constant(Buffer.from("\r\n"))), { maxLength: 40 })
  .map((parts) => Buffer.concat(parts));

/** Cut `buf` at the given fractions. */
function cut(buf: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((f) => Math.floor(f * buf.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

describe("readLines (byte splitting)", () => {
  it("property: the same lines and numbers as decoding the whole input and splitting it, for any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(input, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), async (buf, at) => {
        assert.deepStrictEqual(await collect(cut(buf, at)), await reference([buf]));
      }),
      { numRuns: 1500 },
    );
  });
  it("string chunks, a leading byte order mark, CRLF and a last line without newline", async () => {
    assert.deepStrictEqual(await collect(["\uFEFF{\"a\":1}\r\n\r\n  \n", "{\"b\"", ":2}\r"]), [
      { no: 1, text: '{"a":1}' },
      { no: 4, text: '{"b":2}' },
    ]);
  });
  it("batches hold the lines of one chunk each", async () => {
    const batches: Line[][] = [];
    for await (const b of readLineBatches((async function* () { yield Buffer.from("a\nb\nc"); yield Buffer.from("d\n"); })())) batches.push(b);
    assert.deepStrictEqual(batches.map((b) => b.map((l) => l.text)), [["a", "b"], ["cd"]]);
  });
});
