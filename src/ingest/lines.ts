// Streaming NDJSON: split a byte stream into numbered lines without holding the whole input.
//
// Lines are split on bytes (a newline byte never occurs inside a multi-byte UTF-8 character) and
// each line is decoded on its own with Buffer#toString: several times faster than decoding whole
// chunks with TextDecoder, and an all-ASCII line becomes a one-byte string, which JSON.parse reads
// faster than the two-byte string a chunk with any Japanese text in it decodes to.
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";

export interface Line {
  /** 1-based line number in the input. */
  no: number;
  text: string;
}

/** true when `text` (the bytes buf[start, end) decoded) is not all white space, as String#trim sees it. */
function nonBlank(buf: Buffer, start: number, text: string): boolean {
  const b = buf[start]!;
  // A printable ASCII first byte is not white space: no need to trim (the usual case, `{`).
  return (b > 0x20 && b < 0x7f) || text.trim() !== "";
}

/**
 * Yields the non-blank lines of each chunk read, as one array per chunk (cheaper to iterate than a
 * line at a time). Handles \n and \r\n, a last line with no newline, and a UTF-8 byte order mark.
 */
export async function* readLineBatches(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Line[]> {
  let rest: Buffer | undefined;
  let no = 0;
  let bom = true;
  const decode = (buf: Buffer, start: number, end: number): string => {
    const text = buf.toString("utf8", start, end);
    if (!bom) return text;
    bom = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  };
  /** The line in buf[start, nl) (nl: its newline), if not blank, into `out`. */
  const take = (buf: Buffer, start: number, nl: number, out: Line[]) => {
    no++;
    const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
    if (end > start) {
      const text = decode(buf, start, end);
      if (nonBlank(buf, start, text)) out.push({ no, text });
    } else {
      bom = false;
    }
  };
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    const out: Line[] = [];
    let start = 0;
    let nl = buf.indexOf(10);
    if (rest !== undefined) {
      // A line cut by the chunk boundary: join only its two parts, not the whole chunk.
      if (nl < 0) {
        rest = Buffer.concat([rest, buf]);
        continue;
      }
      const joined = Buffer.concat([rest, buf.subarray(0, nl + 1)]);
      rest = undefined;
      take(joined, 0, joined.length - 1, out);
      start = nl + 1;
      nl = buf.indexOf(10, start);
    }
    while (nl >= 0) {
      take(buf, start, nl, out);
      start = nl + 1;
      nl = buf.indexOf(10, start);
    }
    if (start < buf.length) rest = buf.subarray(start);
    if (out.length > 0) yield out;
  }
  if (rest !== undefined) {
    const end = rest[rest.length - 1] === 13 ? rest.length - 1 : rest.length;
    if (end > 0) {
      const text = decode(rest, 0, end);
      if (nonBlank(rest, 0, text)) yield [{ no: no + 1, text }];
    }
  }
}

/** Yields every non-blank line with its line number. Handles \n and \r\n, and a last line with no newline. */
export async function* readLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(stream)) yield* batch;
}

/** Opens a file for line reading; `.gz` files are decompressed on the fly. */
export function openInput(path: string): Readable {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  return path.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
}
