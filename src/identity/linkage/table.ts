// The records linkage holds, column by column: names as ids into a string pool (so two readings
// compare as two integers, and each distinct reading is stored once), blind digests as 48-bit
// numbers in Float64Arrays (-1 when missing). A million records take about 110 bytes each here,
// against a kilobyte and more as objects; comparisons read the columns without allocating.
import type { NameUnit, NameView, PreparedRecord } from "./prepare.ts";

function mix32(h: number, k0: number): number {
  let k = Math.imul(k0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let x = h ^ k;
  x = (x << 13) | (x >>> 19);
  return (Math.imul(x, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finaliser: spreads the bits of a 32-bit value. */
export function fmix32(h0: number): number {
  let h = h0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One 32-bit step of MurmurHash3 (mixes the word `k` into the state `h`). */
export { mix32 };

/** A 32-bit hash of a string (MurmurHash3 steps over its UTF-16 code units). */
export function hashString(s: string): number {
  let h = 0x9747b28c ^ s.length;
  for (let i = 0; i < s.length; i++) h = mix32(h, s.charCodeAt(i));
  return fmix32(h);
}

/** Interned strings: each distinct string gets a small integer id (and its hash, for blocking). */
export class StringPool {
  readonly #ids = new Map<string, number>();
  readonly strings: string[] = [];
  #hashes = new Uint32Array(1024);

  /** The id of `s`, adding it when new. */
  intern(s: string): number {
    let id = this.#ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.#ids.set(s, id);
      if (id >= this.#hashes.length) {
        const bigger = new Uint32Array(this.#hashes.length * 2);
        bigger.set(this.#hashes);
        this.#hashes = bigger;
      }
      this.#hashes[id] = hashString(s);
    }
    return id;
  }

  /** hashString of the string with this id. */
  hash(id: number): number {
    return this.#hashes[id] ?? 0;
  }

  /** The id of `s`, or -1 when the pool has never seen it. */
  idOf(s: string): number {
    return this.#ids.get(s) ?? -1;
  }

  get size(): number {
    return this.strings.length;
  }
}

/** Name-unit flags. */
const HAS_SPLIT = 1;
const FULL_GUESSED = 2;
const FAMILY_GUESSED = 4;
const GIVEN_GUESSED = 8;
const CORPORATE = 16;

/** A growable typed array. */
function grow<T extends Int32Array | Float64Array | Uint8Array>(a: T, size: number, make: (n: number) => T, fill: number): T {
  if (size <= a.length) return a;
  const b = make(Math.max(size, a.length * 2, 16));
  b.set(a);
  b.fill(fill, a.length);
  return b;
}

export const NONE = -1;

/** The typed columns of a table, in a fixed order. */
const COLUMNS = [
  "fullKanji",
  "fullKana",
  "fullReading",
  "famKanji",
  "famKana",
  "famReading",
  "givKanji",
  "givKana",
  "givReading",
  "nameFlags",
  "dob",
  "dobNear0",
  "dobNear1",
  "dobNear2",
  "phone",
  "email",
  "corporateNumber",
  "postalCode",
  "account",
  "addressCity",
  "addressTown",
  "addressFull",
  "readingFrom",
] as const;
type ColumnName = (typeof COLUMNS)[number];
/** Columns that hold ids into the string pool. */
const POOLED: ReadonlySet<ColumnName> = new Set(["fullKanji", "fullKana", "fullReading", "famKanji", "famKana", "famReading", "givKanji", "givKana", "givReading"]);

/**
 * Prepared records in transferable form: what a worker thread sends back after preparing a slice
 * of a batch (typed columns, the strings its pool ids refer to, and the sparse parts).
 */
export interface PreparedChunk {
  size: number;
  strings: string[];
  columns: Record<ColumnName, Int32Array | Float64Array | Uint8Array>;
  recordIds: string[];
  sources: string[];
  latinWords: Array<[number, number[]]>;
  social: Array<[number, number[]]>;
}

/** Columns of prepared records, indexed 0..size-1 in the order they were added. */
export class RecordTable {
  readonly pool = new StringPool();
  size = 0;
  readonly recordIds: string[] = [];
  readonly sources: string[] = [];
  readonly #indexOf = new Map<string, number>();
  // Names: pool ids, NONE when missing.
  fullKanji = new Int32Array(0);
  fullKana = new Int32Array(0);
  fullReading = new Int32Array(0);
  famKanji = new Int32Array(0);
  famKana = new Int32Array(0);
  famReading = new Int32Array(0);
  givKanji = new Int32Array(0);
  givKana = new Int32Array(0);
  givReading = new Int32Array(0);
  nameFlags = new Uint8Array(0);
  /** Latin words (pool ids) of records romanised in an unknown order. */
  readonly latinWords = new Map<number, number[]>();
  // Blind digests, NONE when missing.
  dob = new Float64Array(0);
  /** Digests of the dates one slip away from the date of birth (datesOneSlipAway: up to three;
   *  NONE when fewer). */
  dobNear0 = new Float64Array(0);
  dobNear1 = new Float64Array(0);
  dobNear2 = new Float64Array(0);
  phone = new Float64Array(0);
  email = new Float64Array(0);
  corporateNumber = new Float64Array(0);
  postalCode = new Float64Array(0);
  account = new Float64Array(0);
  addressCity = new Float64Array(0);
  addressTown = new Float64Array(0);
  addressFull = new Float64Array(0);
  /** Social-id digests of the records that have any. */
  readonly social = new Map<number, number[]>();
  /** Where each record's reading came from (0 none, 1 kana, 2 latin, 3 reader). */
  readingFrom = new Uint8Array(0);

  #reserve(n: number): void {
    if (n <= this.fullKanji.length) return;
    const i32 = (k: number) => new Int32Array(k);
    const f64 = (k: number) => new Float64Array(k);
    const u8 = (k: number) => new Uint8Array(k);
    this.fullKanji = grow(this.fullKanji, n, i32, NONE);
    this.fullKana = grow(this.fullKana, n, i32, NONE);
    this.fullReading = grow(this.fullReading, n, i32, NONE);
    this.famKanji = grow(this.famKanji, n, i32, NONE);
    this.famKana = grow(this.famKana, n, i32, NONE);
    this.famReading = grow(this.famReading, n, i32, NONE);
    this.givKanji = grow(this.givKanji, n, i32, NONE);
    this.givKana = grow(this.givKana, n, i32, NONE);
    this.givReading = grow(this.givReading, n, i32, NONE);
    this.nameFlags = grow(this.nameFlags, n, u8, 0);
    this.dob = grow(this.dob, n, f64, NONE);
    this.dobNear0 = grow(this.dobNear0, n, f64, NONE);
    this.dobNear1 = grow(this.dobNear1, n, f64, NONE);
    this.dobNear2 = grow(this.dobNear2, n, f64, NONE);
    this.phone = grow(this.phone, n, f64, NONE);
    this.email = grow(this.email, n, f64, NONE);
    this.corporateNumber = grow(this.corporateNumber, n, f64, NONE);
    this.postalCode = grow(this.postalCode, n, f64, NONE);
    this.account = grow(this.account, n, f64, NONE);
    this.addressCity = grow(this.addressCity, n, f64, NONE);
    this.addressTown = grow(this.addressTown, n, f64, NONE);
    this.addressFull = grow(this.addressFull, n, f64, NONE);
    this.readingFrom = grow(this.readingFrom, n, u8, 0);
  }

  /** Room for `n` records in all, so that a batch does not grow the columns one doubling at a time. */
  reserve(n: number): void {
    this.#reserve(n);
  }

  /** Distinct record ids held (less than `size` when an id came twice: the first index is kept). */
  get distinctIds(): number {
    return this.#indexOf.size;
  }

  /** The index of a record id, or -1. */
  indexOf(recordId: string): number {
    return this.#indexOf.get(recordId) ?? -1;
  }

  #id(s: string | null | undefined): number {
    return s === null || s === undefined ? NONE : this.pool.intern(s);
  }

  /** Adds a record; returns its index. The record id must be new (callers check). */
  add(p: PreparedRecord): number {
    const i = this.size;
    this.#reserve(i + 1);
    this.size = i + 1;
    this.recordIds.push(p.recordId);
    this.sources.push(p.source);
    if (!this.#indexOf.has(p.recordId)) this.#indexOf.set(p.recordId, i);
    this.set(i, p);
    return i;
  }

  /** Replaces record i (same record id) with another preparation of it. */
  set(i: number, p: PreparedRecord): void {
    this.setName(i, p);
    this.dob[i] = p.dob ?? NONE;
    this.dobNear0[i] = p.dobNear[0] ?? NONE;
    this.dobNear1[i] = p.dobNear[1] ?? NONE;
    this.dobNear2[i] = p.dobNear[2] ?? NONE;
    this.phone[i] = p.phone ?? NONE;
    this.email[i] = p.email ?? NONE;
    this.corporateNumber[i] = p.corporateNumber ?? NONE;
    this.postalCode[i] = p.postalCode ?? NONE;
    this.account[i] = p.account ?? NONE;
    this.addressCity[i] = p.addressCity ?? NONE;
    this.addressTown[i] = p.addressTown ?? NONE;
    this.addressFull[i] = p.addressFull ?? NONE;
    if (p.social.length > 0) this.social.set(i, [...p.social]);
    else this.social.delete(i);
    this.readingFrom[i] = p.readingFrom === "kana" ? 1 : p.readingFrom === "latin" ? 2 : p.readingFrom === "reader" ? 3 : 0;
  }

  /** The table as a PreparedChunk (columns trimmed to its size: copies, safe to transfer). */
  toChunk(): PreparedChunk {
    const n = this.size;
    const columns = {} as Record<ColumnName, Int32Array | Float64Array | Uint8Array>;
    for (const name of COLUMNS) columns[name] = this[name].slice(0, n);
    return {
      size: n,
      strings: [...this.pool.strings],
      columns: columns as PreparedChunk["columns"],
      recordIds: [...this.recordIds],
      sources: [...this.sources],
      latinWords: [...this.latinWords],
      social: [...this.social],
    };
  }

  /**
   * Appends the records of a chunk prepared elsewhere (another thread): its pool ids are mapped into
   * this table's pool. Record ids must be new (callers check). Returns the index of its first record.
   */
  appendChunk(chunk: PreparedChunk): number {
    const first = this.size;
    const n = chunk.size;
    this.#reserve(first + n);
    const map = new Int32Array(chunk.strings.length);
    chunk.strings.forEach((s, id) => (map[id] = this.pool.intern(s)));
    for (const name of COLUMNS) {
      const src = chunk.columns[name];
      const dst = this[name];
      if (POOLED.has(name)) for (let k = 0; k < n; k++) dst[first + k] = (src[k] ?? NONE) === NONE ? NONE : (map[src[k] ?? 0] ?? NONE);
      else dst.set(src.subarray(0, n), first);
    }
    for (let k = 0; k < n; k++) {
      const id = chunk.recordIds[k] ?? "";
      this.recordIds.push(id);
      this.sources.push(chunk.sources[k] ?? "");
      if (!this.#indexOf.has(id)) this.#indexOf.set(id, first + k);
    }
    for (const [k, words] of chunk.latinWords) this.latinWords.set(first + k, words.map((w) => map[w] ?? NONE));
    for (const [k, digests] of chunk.social) this.social.set(first + k, [...digests]);
    this.size = first + n;
    return first;
  }

  /** Sets (or replaces, after a split) the name of record i. */
  setName(i: number, n: NameView): void {
    this.fullKanji[i] = this.#id(n.full.kanji);
    this.fullKana[i] = this.#id(n.full.kana);
    this.fullReading[i] = this.#id(n.full.reading);
    let flags = (n.full.guessed ? FULL_GUESSED : 0) | (n.corporate ? CORPORATE : 0);
    if (n.family && n.given) {
      flags |= HAS_SPLIT;
      if (n.family.guessed) flags |= FAMILY_GUESSED;
      if (n.given.guessed) flags |= GIVEN_GUESSED;
      this.famKanji[i] = this.#id(n.family.kanji);
      this.famKana[i] = this.#id(n.family.kana);
      this.famReading[i] = this.#id(n.family.reading);
      this.givKanji[i] = this.#id(n.given.kanji);
      this.givKana[i] = this.#id(n.given.kana);
      this.givReading[i] = this.#id(n.given.reading);
    } else {
      this.famKanji[i] = this.famKana[i] = this.famReading[i] = NONE;
      this.givKanji[i] = this.givKana[i] = this.givReading[i] = NONE;
    }
    this.nameFlags[i] = flags;
    if (n.latinWords && n.latinWords.length > 0) this.latinWords.set(i, n.latinWords.map((w) => this.pool.intern(w)));
    else this.latinWords.delete(i);
  }

  hasSplit(i: number): boolean {
    return ((this.nameFlags[i] ?? 0) & HAS_SPLIT) !== 0;
  }

  fullGuessed(i: number): boolean {
    return ((this.nameFlags[i] ?? 0) & FULL_GUESSED) !== 0;
  }

  familyGuessed(i: number): boolean {
    return ((this.nameFlags[i] ?? 0) & FAMILY_GUESSED) !== 0;
  }

  givenGuessed(i: number): boolean {
    return ((this.nameFlags[i] ?? 0) & GIVEN_GUESSED) !== 0;
  }

  str(id: number): string | null {
    return id < 0 ? null : (this.pool.strings[id] ?? null);
  }

  #unit(k: number, n: number, r: number, guessed: boolean): NameUnit {
    const u: NameUnit = { kanji: this.str(k), kana: this.str(n), reading: this.str(r) };
    if (guessed) u.guessed = true;
    return u;
  }

  /** The name of record i as strings (for the rare comparisons that align unsplit names). */
  nameView(i: number): NameView {
    const split = this.hasSplit(i);
    const words = this.latinWords.get(i);
    return {
      full: this.#unit(this.fullKanji[i] ?? NONE, this.fullKana[i] ?? NONE, this.fullReading[i] ?? NONE, this.fullGuessed(i)),
      family: split ? this.#unit(this.famKanji[i] ?? NONE, this.famKana[i] ?? NONE, this.famReading[i] ?? NONE, this.familyGuessed(i)) : null,
      given: split ? this.#unit(this.givKanji[i] ?? NONE, this.givKana[i] ?? NONE, this.givReading[i] ?? NONE, this.givenGuessed(i)) : null,
      latinWords: words ? words.map((w) => this.pool.strings[w] ?? "") : null,
      ...(((this.nameFlags[i] ?? 0) & CORPORATE) !== 0 ? { corporate: true } : {}),
    };
  }

  /** Record i as a PreparedRecord (blind digests and name readings only). */
  get(i: number): PreparedRecord {
    const d = (v: number | undefined) => (v === undefined || v === NONE ? null : v);
    const rf = this.readingFrom[i] ?? 0;
    return {
      recordId: this.recordIds[i] ?? "",
      source: this.sources[i] ?? "",
      ...this.nameView(i),
      readingFrom: rf === 1 ? "kana" : rf === 2 ? "latin" : rf === 3 ? "reader" : null,
      dob: d(this.dob[i]),
      dobNear: [this.dobNear0[i], this.dobNear1[i], this.dobNear2[i]].filter((x): x is number => x !== undefined && x !== NONE),
      phone: d(this.phone[i]),
      email: d(this.email[i]),
      corporateNumber: d(this.corporateNumber[i]),
      postalCode: d(this.postalCode[i]),
      account: d(this.account[i]),
      social: [...(this.social.get(i) ?? [])],
      addressCity: d(this.addressCity[i]),
      addressTown: d(this.addressTown[i]),
      addressFull: d(this.addressFull[i]),
    };
  }
}
