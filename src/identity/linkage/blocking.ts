// Blocking: only pairs that share at least one key are compared. Several keys, each robust to a
// different kind of change (a typo in the name, a move, a new surname on marriage, a new phone):
// reading + date of birth, kanji + date of birth, given name + date of birth, family reading + the
// given name's first letters + date of birth, postal code or town + full name, postal code or town
// + family name (only for records without a birth date: WITHOUT_DOB_ONLY), phone, e-mail,
// corporate number, account, social id.
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
const K_PREFIX_DOB = 2;
const K_POSTAL_FAMILY = 3;
const K_TOWN_FAMILY = 4;
const K_POSTAL_NAME = 5;
const K_TOWN_NAME = 6;
const K_PHONE = 7;
const K_EMAIL = 8;
const K_CORPORATE = 9;
const K_ACCOUNT = 10;
const K_SOCIAL = 11;

/**
 * Key kinds that pair two records only when at least one of them has no date of birth: a family
 * name at an address finds the records of a person whose given name was mistyped and whose birth
 * date is missing, but between records that both carry a birth date it finds nothing the keys with
 * the birth date do not, and brings every household and every namesake on the street.
 */
export const WITHOUT_DOB_ONLY: ReadonlySet<number> = new Set([K_POSTAL_FAMILY, K_TOWN_FAMILY]);

/**
 * Key kinds whose pairs with one birth date are left to the name + birth date key, which finds
 * exactly those (the same name values with the birth date): a full name at an address pairs two
 * records only when a birth date is missing or the two differ.
 */
export const UNLESS_SAME_DOB: ReadonlySet<number> = new Set([K_POSTAL_NAME, K_TOWN_NAME]);

/** Whether a block of kind `kind` pairs records a and b (see WITHOUT_DOB_ONLY, UNLESS_SAME_DOB). */
export function pairsInBlock(t: RecordTable, kind: number, a: number, b: number): boolean {
  if (WITHOUT_DOB_ONLY.has(kind)) return (t.dob[a] ?? NONE) === NONE || (t.dob[b] ?? NONE) === NONE;
  if (UNLESS_SAME_DOB.has(kind)) {
    const da = t.dob[a] ?? NONE;
    return da === NONE || da !== t.dob[b];
  }
  return true;
}

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
export interface KeySink {
  key(kind: number, hash: number): void;
}

function pushUnique(list: number[], v: number): void {
  if (!list.includes(v)) list.push(v);
}

/** Gives `sink` each blocking key of record i (each (kind, hash) once). */
export function forEachKey(t: RecordTable, i: number, sink: KeySink): void {
  const pool = t.pool;
  const fulls: number[] = [];
  const families: number[] = [];
  const givens: number[] = [];
  const fullReading = t.fullReading[i] ?? NONE;
  const fullKanji = t.fullKanji[i] ?? NONE;
  // The reading and the written kanji. (Not the kana: two records with one kana have one reading.)
  if (fullReading !== NONE) pushUnique(fulls, pool.hash(fullReading));
  if (fullKanji !== NONE) pushUnique(fulls, pool.hash(fullKanji));
  const fullKana = fullReading === NONE ? (t.fullKana[i] ?? NONE) : NONE;
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
    for (const f of fulls) sink.key(K_NAME_DOB, keyOf(K_NAME_DOB, f, dob));
    for (const g of givens) sink.key(K_GIVEN_DOB, keyOf(K_GIVEN_DOB, g, dob));
    // A typo in the given name after its first letters: the family reading and the given name's
    // first two letters (for a name whose split is unknown, the reading's first three letters).
    // Not the family name alone: with a birth date, 佐藤 and 鈴木 still make blocks that grow with
    // the square of the batch, and the family name's typos are found by the given name + birth date.
    const fr = t.hasSplit(i) ? (t.famReading[i] ?? NONE) : NONE;
    const gr = t.hasSplit(i) ? (t.givReading[i] ?? NONE) : NONE;
    if (fr !== NONE && gr !== NONE) sink.key(K_PREFIX_DOB, keyOf(K_PREFIX_DOB, hashString(`${pool.strings[fr] ?? ""}|${(pool.strings[gr] ?? "").slice(0, 2)}`), dob));
    else {
      const reading = fullReading === NONE ? "" : (pool.strings[fullReading] ?? "");
      if (reading.length >= 4) sink.key(K_PREFIX_DOB, keyOf(K_PREFIX_DOB, hashString(reading.slice(0, 3)), dob));
    }
  }
  const postal = t.postalCode[i] ?? NONE;
  const town = t.addressTown[i] ?? NONE;
  for (const f of families) {
    if (postal !== NONE) sink.key(K_POSTAL_FAMILY, keyOf(K_POSTAL_FAMILY, f, postal));
    if (town !== NONE) sink.key(K_TOWN_FAMILY, keyOf(K_TOWN_FAMILY, f, town));
  }
  for (const f of fulls) {
    if (postal !== NONE) sink.key(K_POSTAL_NAME, keyOf(K_POSTAL_NAME, f, postal));
    if (town !== NONE) sink.key(K_TOWN_NAME, keyOf(K_TOWN_NAME, f, town));
  }
  const phone = t.phone[i] ?? NONE;
  if (phone !== NONE) sink.key(K_PHONE, keyOf(K_PHONE, 0, phone));
  const email = t.email[i] ?? NONE;
  if (email !== NONE) sink.key(K_EMAIL, keyOf(K_EMAIL, 0, email));
  const corp = t.corporateNumber[i] ?? NONE;
  if (corp !== NONE) sink.key(K_CORPORATE, keyOf(K_CORPORATE, 0, corp));
  const account = t.account[i] ?? NONE;
  if (account !== NONE) sink.key(K_ACCOUNT, keyOf(K_ACCOUNT, 0, account));
  const social = t.social.get(i);
  if (social) for (const s of new Set(social)) sink.key(K_SOCIAL, keyOf(K_SOCIAL, 0, s));
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

/** Per key kind, the (record, hash) words of a batch, appended without a method call per kind. */
class KindBuffers implements KeySink {
  record = 0;
  readonly words: Uint32Array[];
  readonly lengths: Int32Array;

  constructor(capacity: number) {
    this.words = KEY_KINDS.map(() => new Uint32Array(2 * capacity));
    this.lengths = new Int32Array(KEY_KINDS.length);
  }

  key(kind: number, hash: number): void {
    let w = this.words[kind] as Uint32Array;
    const n = this.lengths[kind] ?? 0;
    if (2 * n + 2 > w.length) {
      const bigger = new Uint32Array(w.length * 2 + 2);
      bigger.set(w);
      this.words[kind] = w = bigger;
    }
    w[2 * n] = this.record;
    w[2 * n + 1] = hash;
    this.lengths[kind] = n + 1;
  }

  /** Kind k's words sorted by (hash, record), trimmed. */
  sorted(kind: number): Uint32Array {
    const n = this.lengths[kind] ?? 0;
    const w = (this.words[kind] as Uint32Array).slice(0, 2 * n);
    new BigUint64Array(w.buffer, 0, n).sort();
    return w;
  }
}

/** Candidate pairs from all blocking keys of the records of the table, each pair once. */
export function candidatePairs(t: RecordTable, opts: BlockingOptions): BlockingResult {
  const n = t.size;
  const keys = new KindBuffers(Math.max(16, n));
  for (let i = 0; i < n; i++) {
    keys.record = i;
    forEachKey(t, i, keys);
  }
  // Pairs as [j, i] words; grown by doubling.
  let pw = new Uint32Array(Math.max(32, 8 * n));
  let pn = 0;
  const skipped: SkippedBlock[] = [];
  const blocksByKind: Record<string, number> = {};
  const sortedKeys: Uint32Array[] = [];
  const members: number[] = [];
  for (let kind = 0; kind < KEY_KINDS.length; kind++) {
    const w = keys.sorted(kind);
    keys.words[kind] = new Uint32Array(0);
    sortedKeys.push(w);
    const total = w.length >>> 1;
    const name = KEY_KINDS[kind] ?? String(kind);
    const filtered = WITHOUT_DOB_ONLY.has(kind) || UNLESS_SAME_DOB.has(kind);
    let k = 0;
    while (k < total) {
      const hash = w[2 * k + 1] ?? 0;
      let e = k + 1;
      while (e < total && w[2 * e + 1] === hash) e++;
      if (e - k >= 2) {
        members.length = 0;
        for (let x = k; x < e; x++) {
          const rec = w[2 * x] ?? 0;
          if (members.length === 0 || members[members.length - 1] !== rec) members.push(rec);
        }
        if (members.length >= 2) {
          blocksByKind[name] = (blocksByKind[name] ?? 0) + 1;
          if (members.length > opts.maxBlockSize) skipped.push({ kind: name as KeyKind, size: members.length });
          else {
            for (let x = 0; x < members.length; x++) {
              const i = members[x] ?? 0;
              for (let y = x + 1; y < members.length; y++) {
                const j = members[y] ?? 0;
                if (filtered && !pairsInBlock(t, kind, i, j)) continue;
                if (2 * pn + 2 > pw.length) {
                  const bigger = new Uint32Array(pw.length * 2);
                  bigger.set(pw);
                  pw = bigger;
                }
                pw[2 * pn] = j;
                pw[2 * pn + 1] = i;
                pn++;
              }
            }
          }
        }
      }
      k = e;
    }
  }
  // Each pair once: sort (i, j) and drop repeats in place.
  const all = pw.subarray(0, 2 * pn);
  new BigUint64Array(all.buffer, 0, pn).sort();
  let count = 0;
  for (let q = 0; q < pn; q++) {
    const j = all[2 * q] ?? 0;
    const i = all[2 * q + 1] ?? 0;
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
