// Blocking: only pairs that share at least one key are compared. Several keys, each robust to a
// different kind of change (a typo in the name, a move, a new surname on marriage, a new phone):
// reading + date of birth, kanji + date of birth, given name + date of birth, family name + date of
// birth, postal code + family reading, town + family reading, phone, e-mail, corporate number,
// account, social id.
import type { PreparedRecord } from "./prepare.ts";

export interface BlockingOptions {
  /** Blocks larger than this are skipped (a shared office phone, a placeholder e-mail). */
  maxBlockSize: number;
}

export interface BlockingResult {
  /** Candidate pairs as [i, j] with i < j (record indexes). */
  pairs: Array<[number, number]>;
  /** Which keys were skipped for being too large (key kind and size; never the value). */
  skipped: Array<{ kind: string; size: number }>;
  /** Number of blocks per key kind. */
  blocksByKind: Record<string, number>;
}

function nameValues(r: PreparedRecord): { fulls: string[]; families: string[]; givens: string[] } {
  const fulls = new Set<string>();
  const families = new Set<string>();
  const givens = new Set<string>();
  const add = (set: Set<string>, v: string | null | undefined, tag: string) => {
    if (v) set.add(`${tag}:${v}`);
  };
  add(fulls, r.full.reading, "r");
  add(fulls, r.full.kanji, "k");
  add(fulls, r.full.kana, "n");
  if (r.family && r.given) {
    add(fulls, r.family.reading && r.given.reading ? r.family.reading + r.given.reading : null, "r");
    add(families, r.family.reading, "r");
    add(families, r.family.kanji, "k");
    add(givens, r.given.reading, "r");
    add(givens, r.given.kanji, "k");
  }
  if (r.latinWords) {
    const w = r.latinWords;
    add(fulls, [...w.slice(1), w[0]].join(""), "r");
    add(fulls, [w[w.length - 1], ...w.slice(0, -1)].join(""), "r");
    add(families, w[0], "r");
    add(families, w[w.length - 1], "r");
    add(givens, w[0], "r");
    add(givens, w[w.length - 1], "r");
  }
  return { fulls: [...fulls], families: [...families], givens: [...givens] };
}

/** The blocking keys of one record, as "kind|value" strings. */
export function blockingKeys(r: PreparedRecord): string[] {
  const keys: string[] = [];
  const { fulls, families, givens } = nameValues(r);
  if (r.dob) {
    for (const f of fulls) keys.push(`name+dob|${f}|${r.dob}`);
    for (const g of givens) keys.push(`given+dob|${g}|${r.dob}`);
    for (const f of families) keys.push(`family+dob|${f}|${r.dob}`);
    // A typo anywhere after the first letters of the reading.
    if (r.full.reading && r.full.reading.length >= 4) keys.push(`prefix+dob|${r.full.reading.slice(0, 3)}|${r.dob}`);
  }
  for (const f of families) {
    if (r.postalCode) keys.push(`postal+family|${r.postalCode}|${f}`);
    if (r.addressTown) keys.push(`town+family|${r.addressTown}|${f}`);
  }
  for (const f of fulls) {
    if (r.postalCode) keys.push(`postal+name|${r.postalCode}|${f}`);
    if (r.addressTown) keys.push(`town+name|${r.addressTown}|${f}`);
  }
  if (r.phone) keys.push(`phone|${r.phone}`);
  if (r.email) keys.push(`email|${r.email}`);
  if (r.corporateNumber) keys.push(`corporateNumber|${r.corporateNumber}`);
  if (r.account) keys.push(`account|${r.account}`);
  for (const s of r.social) keys.push(`socialId|${s}`);
  return keys;
}

/** Candidate pairs from all blocking keys, each pair once. */
export function candidatePairs(records: readonly PreparedRecord[], opts: BlockingOptions): BlockingResult {
  const blocks = new Map<string, number[]>();
  for (const r of records) {
    for (const k of new Set(blockingKeys(r))) {
      const list = blocks.get(k);
      if (list) list.push(r.index);
      else blocks.set(k, [r.index]);
    }
  }
  const n = records.length;
  const seen = new Set<number>();
  const pairs: Array<[number, number]> = [];
  const skipped: Array<{ kind: string; size: number }> = [];
  const blocksByKind: Record<string, number> = {};
  for (const [key, members] of blocks) {
    if (members.length < 2) continue;
    const kind = key.slice(0, key.indexOf("|"));
    blocksByKind[kind] = (blocksByKind[kind] ?? 0) + 1;
    if (members.length > opts.maxBlockSize) {
      skipped.push({ kind, size: members.length });
      continue;
    }
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const i = Math.min(members[x] ?? 0, members[y] ?? 0);
        const j = Math.max(members[x] ?? 0, members[y] ?? 0);
        if (i === j) continue;
        const id = i * n + j;
        if (seen.has(id)) continue;
        seen.add(id);
        pairs.push([i, j]);
      }
    }
  }
  pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  return { pairs, skipped, blocksByKind };
}
