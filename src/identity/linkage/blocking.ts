// Blocking: only pairs that share at least one key are compared. Several keys, each robust to a
// different kind of change (a typo in the name, a move, a new surname on marriage, a new phone):
// reading + date of birth, kanji + date of birth, given name + date of birth, family name + date of
// birth, reading prefix + date of birth, postal code or town + family name or full name, phone,
// e-mail, corporate number, account, social id.
//
// A key is a 32-bit hash of its kind and values (blind digests, name readings). Two different keys
// that share a hash only put a few more pairs in front of the comparators, which decide on the
// fields themselves; no key value is kept, only its hash.
//
// Batch: every record's (hash, record) entries of one kind go into one BigUint64Array (hash in the
// high word, record in the low word), sorted natively; runs of one hash are the blocks. The sorted
// arrays are then the index an incremental linker looks new records up in (binary search), with new
// keys in a small map until it is merged into the sorted base.
//
// Huge blocks are capped (`maxBlockSize`): a block of k records costs k(k−1)/2 comparisons, so one
// placeholder e-mail or one date of birth typed as 1900-01-01 by a thousand people would cost half
// a million comparisons and find nothing that the other keys do not find. A block with more records
// than the cap gives no pairs (batch); a new record is not paired through a block that already has
// `maxBlockSize` records (incremental: the first records of such a block were paired before it grew).
// Records in a skipped block still meet through their other keys (name + birth date, phone, postal
// code + name). Skipped blocks are counted in the stats (kind and size, never the value).
import { fmix32, hashString, mix32, NONE, type RecordTable } from "./table.ts";

export const KEY_KINDS = [
  "name+dob",
  "given+dob",
  "family+dob",
  "prefix+dob",
  "postal+family",
  "town+family",
  "postal+name",
  "town+name",
  "phone",
  "email",
  "corporateNumber",
  "account",
  "socialId",
] as const;
export type KeyKind = (typeof KEY_KINDS)[number];
const K_NAME_DOB = 0;
const K_GIVEN_DOB = 1;
const K_FAMILY_DOB = 2;
const K_PREFIX_DOB = 3;
const K_POSTAL_FAMILY = 4;
const K_TOWN_FAMILY = 5;
const K_POSTAL_NAME = 6;
const K_TOWN_NAME = 7;
const K_PHONE = 8;
const K_EMAIL = 9;
const K_CORPORATE = 10;
const K_ACCOUNT = 11;
const K_SOCIAL = 12;

export interface BlockingOptions {
  /** Blocks with more records than this give no pairs (see the header). */
  maxBlockSize: number;
}

// --- hashing -------------------------------------------------------------------------------------

function keyOf(kind: number, a: number, digest: number): number {
  return fmix32(mix32(mix32(mix32(kind + 1, a), digest >>> 0), Math.floor(digest / 4294967296)));
}

// --- keys of one record ---------------------------------------------------------------------------

/** Receives the keys of a record: kind index (KEY_KINDS) and 32-bit hash. */
export type KeySink = (kind: number, hash: number) => void;

function pushUnique(list: number[], v: number): void {
  if (!list.includes(v)) list.push(v);
}

/** Calls `emit` for each blocking key of record i (each (kind, hash) once). */
export function forEachKey(t: RecordTable, i: number, emit: KeySink): void {
  const pool = t.pool;
  const fulls: number[] = [];
  const families: number[] = [];
  const givens: number[] = [];
  const fullReading = t.fullReading[i] ?? NONE;
  const fullKanji = t.fullKanji[i] ?? NONE;
  const fullKana = t.fullKana[i] ?? NONE;
  if (fullReading !== NONE) pushUnique(fulls, pool.hash(fullReading));
  if (fullKanji !== NONE) pushUnique(fulls, pool.hash(fullKanji));
  if (fullKana !== NONE) pushUnique(fulls, pool.hash(fullKana));
  if (t.hasSplit(i)) {
    const fr = t.famReading[i] ?? NONE;
    const gr = t.givReading[i] ?? NONE;
    const fk = t.famKanji[i] ?? NONE;
    const gk = t.givKanji[i] ?? NONE;
    if (fr !== NONE && gr !== NONE) pushUnique(fulls, hashString((pool.strings[fr] ?? "") + (pool.strings[gr] ?? "")));
    if (fr !== NONE) pushUnique(families, pool.hash(fr));
    if (fk !== NONE) pushUnique(families, pool.hash(fk));
    if (gr !== NONE) pushUnique(givens, pool.hash(gr));
    if (gk !== NONE) pushUnique(givens, pool.hash(gk));
  }
  const words = t.latinWords.get(i);
  if (words && words.length > 0) {
    const w = words.map((id) => pool.strings[id] ?? "");
    const first = w[0] ?? "";
    const last = w[w.length - 1] ?? "";
    pushUnique(fulls, hashString([...w.slice(1), first].join("")));
    pushUnique(fulls, hashString([last, ...w.slice(0, -1)].join("")));
    pushUnique(families, hashString(first));
    pushUnique(families, hashString(last));
    pushUnique(givens, hashString(first));
    pushUnique(givens, hashString(last));
  }
  const dob = t.dob[i] ?? NONE;
  if (dob !== NONE) {
    for (const f of fulls) emit(K_NAME_DOB, keyOf(K_NAME_DOB, f, dob));
    for (const g of givens) emit(K_GIVEN_DOB, keyOf(K_GIVEN_DOB, g, dob));
    for (const f of families) emit(K_FAMILY_DOB, keyOf(K_FAMILY_DOB, f, dob));
    // A typo anywhere after the first letters of the reading.
    const reading = fullReading === NONE ? "" : (pool.strings[fullReading] ?? "");
    if (reading.length >= 4) emit(K_PREFIX_DOB, keyOf(K_PREFIX_DOB, hashString(reading.slice(0, 3)), dob));
  }
  const postal = t.postalCode[i] ?? NONE;
  const town = t.addressTown[i] ?? NONE;
  for (const f of families) {
    if (postal !== NONE) emit(K_POSTAL_FAMILY, keyOf(K_POSTAL_FAMILY, f, postal));
    if (town !== NONE) emit(K_TOWN_FAMILY, keyOf(K_TOWN_FAMILY, f, town));
  }
  for (const f of fulls) {
    if (postal !== NONE) emit(K_POSTAL_NAME, keyOf(K_POSTAL_NAME, f, postal));
    if (town !== NONE) emit(K_TOWN_NAME, keyOf(K_TOWN_NAME, f, town));
  }
  const phone = t.phone[i] ?? NONE;
  if (phone !== NONE) emit(K_PHONE, keyOf(K_PHONE, 0, phone));
  const email = t.email[i] ?? NONE;
  if (email !== NONE) emit(K_EMAIL, keyOf(K_EMAIL, 0, email));
  const corp = t.corporateNumber[i] ?? NONE;
  if (corp !== NONE) emit(K_CORPORATE, keyOf(K_CORPORATE, 0, corp));
  const account = t.account[i] ?? NONE;
  if (account !== NONE) emit(K_ACCOUNT, keyOf(K_ACCOUNT, 0, account));
  const social = t.social.get(i);
  if (social) for (const s of new Set(social)) emit(K_SOCIAL, keyOf(K_SOCIAL, 0, s));
}

// --- growable word buffers ------------------------------------------------------------------------

/** Pairs of 32-bit words (low, high) that sort as unsigned 64-bit integers. */
export class WordPairs {
  words: Uint32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.words = new Uint32Array(Math.max(2, capacity * 2));
  }

  push(low: number, high: number): void {
    if (this.length * 2 + 2 > this.words.length) {
      const bigger = new Uint32Array(this.words.length * 2);
      bigger.set(this.words);
      this.words = bigger;
    }
    this.words[this.length * 2] = low;
    this.words[this.length * 2 + 1] = high;
    this.length++;
  }

  /** Sorts by (high, low) and returns the sorted words, trimmed. */
  sorted(): Uint32Array {
    const w = this.words.subarray(0, this.length * 2);
    new BigUint64Array(w.buffer, w.byteOffset, this.length).sort();
    return w;
  }
}

// --- batch ----------------------------------------------------------------------------------------

export interface SkippedBlock {
  kind: KeyKind;
  size: number;
}

export interface BlockingResult {
  /** Candidate pairs, interleaved [j0, i0, j1, i1, …] with i < j, sorted by (i, j), each once. */
  pairs: Uint32Array;
  /** Number of candidate pairs. */
  count: number;
  /** Blocks skipped for being too large (key kind and size; never the value). */
  skipped: SkippedBlock[];
  /** Number of blocks with two records or more, per key kind. */
  blocksByKind: Record<string, number>;
  /** Per key kind, the sorted (record, hash) words: the index an incremental linker starts from. */
  sortedKeys: Uint32Array[];
}

/** Candidate pairs from all blocking keys of the first `n` records of the table, each pair once. */
export function candidatePairs(t: RecordTable, opts: BlockingOptions): BlockingResult {
  const n = t.size;
  const perKind = KEY_KINDS.map(() => new WordPairs(Math.max(16, n)));
  for (let i = 0; i < n; i++) forEachKey(t, i, (kind, hash) => perKind[kind]?.push(i, hash));
  const pairs = new WordPairs(Math.max(16, n * 4));
  const skipped: SkippedBlock[] = [];
  const blocksByKind: Record<string, number> = {};
  const sortedKeys: Uint32Array[] = [];
  const members: number[] = [];
  perKind.forEach((buf, kind) => {
    const w = buf.sorted();
    sortedKeys.push(w);
    const total = buf.length;
    let k = 0;
    while (k < total) {
      const hash = w[2 * k + 1] ?? 0;
      members.length = 0;
      let e = k;
      while (e < total && w[2 * e + 1] === hash) {
        const rec = w[2 * e] ?? 0;
        if (members.length === 0 || members[members.length - 1] !== rec) members.push(rec);
        e++;
      }
      k = e;
      if (members.length < 2) continue;
      const name = KEY_KINDS[kind] ?? String(kind);
      blocksByKind[name] = (blocksByKind[name] ?? 0) + 1;
      if (members.length > opts.maxBlockSize) {
        skipped.push({ kind: name as KeyKind, size: members.length });
        continue;
      }
      for (let x = 0; x < members.length; x++) {
        const i = members[x] ?? 0;
        for (let y = x + 1; y < members.length; y++) pairs.push(members[y] ?? 0, i);
      }
    }
  });
  // Each pair once: sort (i, j) and drop repeats in place.
  const all = pairs.sorted();
  let count = 0;
  for (let k = 0; k < pairs.length; k++) {
    const j = all[2 * k] ?? 0;
    const i = all[2 * k + 1] ?? 0;
    if (count > 0 && all[2 * count - 2] === j && all[2 * count - 1] === i) continue;
    all[2 * count] = j;
    all[2 * count + 1] = i;
    count++;
  }
  return { pairs: all.slice(0, count * 2), count, skipped, blocksByKind, sortedKeys };
}

// --- incremental ----------------------------------------------------------------------------------

/** First position in sorted words `w` (entries of [record, hash]) whose hash is ≥ `hash`. */
function lowerBound(w: Uint32Array, hash: number): number {
  let lo = 0;
  let hi = w.length >>> 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((w[2 * mid + 1] ?? 0) < hash) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The blocking index of an incremental linker: per key kind, sorted (record, hash) words and a map
 * of keys added since, merged into the sorted words when it grows past an eighth of them.
 */
export class BlockIndex {
  #base: Uint32Array[];
  #delta: Array<Map<number, number[]>>;
  #deltaSize = 0;
  #baseSize = 0;

  constructor(sortedKeys?: Uint32Array[]) {
    this.#base = KEY_KINDS.map((_, k) => sortedKeys?.[k] ?? new Uint32Array(0));
    this.#baseSize = this.#base.reduce((s, w) => s + (w.length >>> 1), 0);
    this.#delta = KEY_KINDS.map(() => new Map<number, number[]>());
  }

  /** Records holding the key (ascending within the sorted part, then in insertion order); each
   *  record once. */
  members(kind: number, hash: number, out: number[]): void {
    out.length = 0;
    const w = this.#base[kind];
    if (w && w.length > 0) {
      for (let p = lowerBound(w, hash); 2 * p < w.length && w[2 * p + 1] === hash; p++) {
        const rec = w[2 * p] ?? 0;
        if (out.length === 0 || out[out.length - 1] !== rec) out.push(rec);
      }
    }
    const d = this.#delta[kind]?.get(hash);
    if (d) for (const rec of d) if (!out.includes(rec)) out.push(rec);
  }

  add(kind: number, hash: number, record: number): void {
    const m = this.#delta[kind];
    if (!m) return;
    const list = m.get(hash);
    if (list) {
      if (!list.includes(record)) list.push(record);
    } else m.set(hash, [record]);
    this.#deltaSize++;
    if (this.#deltaSize > Math.max(1 << 16, this.#baseSize >>> 3)) this.compact();
  }

  /** Merges the keys added since the last merge into the sorted words. */
  compact(): void {
    if (this.#deltaSize === 0) return;
    this.#base = this.#base.map((w, kind) => {
      const d = this.#delta[kind];
      if (!d || d.size === 0) return w;
      const buf = new WordPairs((w.length >>> 1) + this.#deltaSize);
      for (let p = 0; 2 * p < w.length; p++) buf.push(w[2 * p] ?? 0, w[2 * p + 1] ?? 0);
      for (const [hash, recs] of d) for (const r of recs) buf.push(r, hash);
      return buf.sorted().slice();
    });
    this.#delta = KEY_KINDS.map(() => new Map<number, number[]>());
    this.#baseSize = this.#base.reduce((s, w) => s + (w.length >>> 1), 0);
    this.#deltaSize = 0;
  }
}
