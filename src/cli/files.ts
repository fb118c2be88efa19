// File helpers shared by the verbs.
import { createWriteStream } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { once } from "node:events";
import { badInput } from "../contracts/errors.ts";

/** The size of an input file; a missing one is bad input naming the path. */
export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    throw badInput(`cannot read ${path}: no such file`, "file");
  }
}

/** Writes one JSON value a line, respecting back-pressure. */
export async function writeNdjson(path: string, rows: Iterable<unknown>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  for (const row of rows) {
    if (!out.write(JSON.stringify(row) + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}
