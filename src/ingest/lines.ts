// Streaming NDJSON: split a byte stream into numbered lines without holding the whole input.
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";

export interface Line {
  /** 1-based line number in the input. */
  no: number;
  text: string;
}

/** Yields every non-blank line with its line number. Handles \n and \r\n, and a last line with no newline. */
export async function* readLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Line> {
  let rest = "";
  let no = 0;
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of stream) {
    const text = rest + (typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf("\n", start)) >= 0) {
      no++;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end > start) {
        const line = text.slice(start, end);
        if (line.trim() !== "") yield { no, text: line };
      }
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.decode();
  if (rest.trim() !== "") yield { no: no + 1, text: rest.replace(/\r$/, "") };
}

/** Opens a file for line reading; `.gz` files are decompressed on the fly. */
export function openInput(path: string): Readable {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  return path.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
}
