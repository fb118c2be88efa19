// Field comparators: each field of a record pair gets a level (exact / folded-equal / close /
// different for names; equal / different for blind-indexed fields; block / town / city / different
// for addresses), or null when one side lacks it. Names are compared on READINGS (folded romaji) with
// Jaro–Winkler, never by string distance on kanji; kanji count only when they are equal.
//
// Two forms of the same rules: on NameUnits of strings (compareUnits, compareNames: tests, the
// normaliser's explanations, and names that must be aligned), and on the integer columns of a
// RecordTable (PairComparer: every candidate pair, without allocating).
import { distance } from "fastest-levenshtein";
import type { NameUnit, NameView } from "./prepare.ts";
import { NONE, type RecordTable } from "./table.ts";

export interface FieldSpec {
  readonly name: string;
  /** Level names, weakest (disagreement) first. */
  readonly levels: readonly string[];
  /** Whether the field's agreement weight is adjusted by the frequency of the agreeing value. */
  readonly termFrequency: boolean;
}

export const NAME_LEVELS = ["different", "close", "folded-equal", "exact"] as const;
export const EQUAL_LEVELS = ["different", "equal"] as const;

export const FIELDS: readonly FieldSpec[] = [
  { name: "familyName", levels: NAME_LEVELS, termFrequency: true },
  { name: "givenName", levels: NAME_LEVELS, termFrequency: true },
  { name: "dateOfBirth", levels: ["different", "near", "equal"], termFrequency: false },
  { name: "address", levels: ["different", "same-city", "same-town", "same-block"], termFrequency: false },
  { name: "phone", levels: EQUAL_LEVELS, termFrequency: false },
  { name: "email", levels: EQUAL_LEVELS, termFrequency: false },
  { name: "corporateNumber", levels: EQUAL_LEVELS, termFrequency: false },
  { name: "account", levels: EQUAL_LEVELS, termFrequency: false },
  { name: "socialId", levels: EQUAL_LEVELS, termFrequency: false },
];

export const F_FAMILY = 0;
export const F_GIVEN = 1;
export const F_DOB = 2;
export const F_ADDRESS = 3;
export const F_PHONE = 4;
export const F_EMAIL = 5;
export const F_CORPORATE = 6;
export const F_ACCOUNT = 7;
export const F_SOCIAL = 8;

/** Jaro–Winkler similarity (prefix scale 0.1, prefix up to 4). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatch = new Uint8Array(a.length);
  const bMatch = new Uint8Array(b.length);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(b.length - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (bMatch[j] || a[i] !== b[j]) continue;
      aMatch[i] = 1;
      bMatch[j] = 1;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aMatch[i]) continue;
    while (!bMatch[k]) k++;
    if (a[i] !== b[k]) t++;
    k++;
  }
  const jaro = (matches / a.length + matches / b.length + (matches - t / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** Readings this similar (Jaro–Winkler on folded romaji) are "close". */
export const CLOSE_READING = 0.88;

/**
 * Level of two name units: exact (same folded kanji, or same katakana when kanji are missing),
 * folded-equal (same folded romaji reading, or same kanji read differently), close (readings within
 * Jaro–Winkler CLOSE_READING or one edit apart, when one side has no kanji), different (also: different
 * kanji with different readings, however alike); null when nothing is comparable (one side
 * has only kanji and the other only a reading, or a guessed reading disagrees with a name that has no
 * kanji to check it against).
 */
export function compareUnits(x: NameUnit, y: NameUnit): number | null {
  const kanjiBoth = x.kanji !== null && y.kanji !== null;
  const readBoth = x.reading !== null && y.reading !== null;
  const guess = x.guessed === true || y.guessed === true;
  if (kanjiBoth && x.kanji === y.kanji) {
    if (!readBoth || x.reading === y.reading || guess) return 3;
    return 2; // 中田 read なかた and なかだ
  }
  const kanaBoth = x.kana !== null && y.kana !== null && !guess;
  if (!kanjiBoth && kanaBoth && x.kana === y.kana) return 3;
  if (readBoth) {
    const a = x.reading ?? "";
    const b = y.reading ?? "";
    if (a === b) return 2;
    // Different kanji read almost alike (陽子 ヨウコ / 優子 ユウコ, twins' names) are different names: a
    // mistyped reading keeps its kanji.
    if (kanjiBoth) return 0;
    if (jaroWinkler(a, b) >= CLOSE_READING || (Math.min(a.length, b.length) >= 4 && distance(a, b) <= 1)) return 1;
    // Different kanji and different readings: different. A guessed reading that does not match a
    // name written only in kana or Latin says nothing (亮 may be リョウ or アキラ).
    if (guess && !kanjiBoth) return null;
    return 0;
  }
  if (kanjiBoth) return 0;
  return null;
}

function splitUnit(full: NameUnit, family: NameUnit): [NameUnit, NameUnit] | null {
  const cut = (s: string | null, prefix: string | null): [string | null, string | null] | null => {
    if (s === null || prefix === null) return [null, null];
    if (s.length > prefix.length && s.startsWith(prefix)) return [prefix, s.slice(prefix.length)];
    return null;
  };
  const k = cut(full.kanji, family.kanji);
  const r = cut(full.reading, family.reading);
  const n = cut(full.kana, family.kana);
  // Split when at least one form splits and no form contradicts the split.
  const forms = [k, r, n];
  if (forms.some((f) => f === null)) return null;
  if (!forms.some((f) => f !== null && f[0] !== null)) return null;
  return [
    { kanji: k?.[0] ?? null, reading: r?.[0] ?? null, kana: n?.[0] ?? null },
    { kanji: k?.[1] ?? null, reading: r?.[1] ?? null, kana: n?.[1] ?? null },
  ];
}

function wordUnits(words: string[], familyIndex: number): [NameUnit, NameUnit] {
  const fam = words[familyIndex] ?? "";
  const giv = words.filter((_, i) => i !== familyIndex).join("");
  return [
    { kanji: null, kana: null, reading: fam },
    { kanji: null, kana: null, reading: giv },
  ];
}

function score(levels: Array<number | null>): number {
  return levels.reduce<number>((s, l) => s + (l ?? 0), 0);
}

export interface NameComparison {
  family: number | null;
  given: number | null;
  /** The agreeing values, for term-frequency adjustment (null when not agreeing). */
  familyValue: string | null;
  givenValue: string | null;
}

function valueOf(u: NameUnit): string | null {
  return u.reading ?? u.kanji;
}

function fromUnits(af: NameUnit, ag: NameUnit, bf: NameUnit, bg: NameUnit): NameComparison {
  const family = compareUnits(af, bf);
  const given = compareUnits(ag, bg);
  return {
    family,
    given,
    familyValue: family !== null && family >= 2 ? valueOf(af) : null,
    givenValue: given !== null && given >= 2 ? valueOf(ag) : null,
  };
}

/** Candidate (family, given) readings of a record whose split is not known. */
function splitsOf(r: NameView, other: NameView): Array<[NameUnit, NameUnit]> {
  const out: Array<[NameUnit, NameUnit]> = [];
  if (r.family && r.given) return [[r.family, r.given]];
  if (r.latinWords) {
    out.push(wordUnits(r.latinWords, r.latinWords.length - 1));
    out.push(wordUnits(r.latinWords, 0));
  }
  if (other.family) {
    const s = splitUnit(r.full, other.family);
    if (s) out.push(s);
  }
  return out;
}

/** Family and given name levels of a pair, aligning a record without a known split to the other. */
export function compareNames(a: NameView, b: NameView): NameComparison {
  const as = splitsOf(a, b);
  const bs = splitsOf(b, a);
  let best: NameComparison | null = null;
  for (const [af, ag] of as) {
    for (const [bf, bg] of bs) {
      const c = fromUnits(af, ag, bf, bg);
      if (best === null || score([c.family, c.given]) > score([best.family, best.given])) best = c;
    }
  }
  // The same whole name split in two places (a foreign name of three words, グエン ドゥック ミン and
  // グエンドゥック ミン): the whole name's level stands for both parts.
  if (best !== null && ((best.family ?? 0) < 2 || (best.given ?? 0) < 2)) {
    const whole = compareUnits(a.full, b.full);
    if (whole !== null && whole >= 2) {
      const value = valueOf(a.full);
      return { family: whole, given: whole, familyValue: value, givenValue: value };
    }
  }
  if (best !== null) return best;
  // No alignment: compare whole names; the level stands for both parts.
  const level = compareUnits(a.full, b.full);
  const value = level !== null && level >= 2 ? valueOf(a.full) : null;
  return { family: level, given: level, familyValue: value, givenValue: value };
}

/** Levels are -1 (missing on a side) to 3; a pair's pattern is the levels read as base-5 digits. */
export const PATTERN_BASE = 5;
export const PATTERN_COUNT = PATTERN_BASE ** FIELDS.length;

/** The levels of a pattern code (see PairComparer.pattern), into `out`. */
export function levelsOfPattern(code: number, out: Int8Array = new Int8Array(FIELDS.length)): Int8Array {
  let c = code;
  for (let f = 0; f < FIELDS.length; f++) {
    out[f] = (c % PATTERN_BASE) - 1;
    c = Math.floor(c / PATTERN_BASE);
  }
  return out;
}

/**
 * Compares record pairs of a RecordTable on every field, writing the levels into `levels` (FIELDS
 * order, -1 when missing on either side) and the pool ids of agreeing family / given values (for
 * term frequencies) into `familyValue` / `givenValue`. One comparer is reused for every pair: no
 * allocation unless a name must be aligned (a record without a known family / given split).
 */
export class PairComparer {
  readonly levels = new Int8Array(FIELDS.length);
  /** Pool id of the agreeing family / given value, -1 when not agreeing (or not in the pool). */
  familyValue = NONE;
  givenValue = NONE;
  readonly #t: RecordTable;

  constructor(table: RecordTable) {
    this.#t = table;
  }

  /** Compares records i and j; the result is in `levels`, `familyValue`, `givenValue`. */
  compare(i: number, j: number): void {
    const t = this.#t;
    const L = this.levels;
    this.names(i, j);
    L[F_DOB] = this.dobLevel(i, j);
    L[F_ADDRESS] = this.addressLevel(i, j);
    L[F_PHONE] = eqDigest(t.phone[i] ?? NONE, t.phone[j] ?? NONE);
    L[F_EMAIL] = eqDigest(t.email[i] ?? NONE, t.email[j] ?? NONE);
    L[F_CORPORATE] = eqDigest(t.corporateNumber[i] ?? NONE, t.corporateNumber[j] ?? NONE);
    L[F_ACCOUNT] = eqDigest(t.account[i] ?? NONE, t.account[j] ?? NONE);
    const si = t.social.get(i);
    const sj = t.social.get(j);
    L[F_SOCIAL] = si === undefined || sj === undefined ? -1 : si.some((s) => sj.includes(s)) ? 1 : 0;
  }

  /** Date of birth: 2 equal, 1 near (one is a slip of the other), 0 different, -1 missing. */
  dobLevel(i: number, j: number): number {
    const t = this.#t;
    const a = t.dob[i] ?? NONE;
    const b = t.dob[j] ?? NONE;
    if (a === NONE || b === NONE) return -1;
    if (a === b) return 2;
    return a === t.dobNear0[j] || a === t.dobNear1[j] || a === t.dobNear2[j] || b === t.dobNear0[i] || b === t.dobNear1[i] || b === t.dobNear2[i] ? 1 : 0;
  }

  /** The levels as one integer (base PATTERN_BASE, digit = level + 1, field 0 lowest). */
  pattern(): number {
    let code = 0;
    for (let f = FIELDS.length - 1; f >= 0; f--) code = code * PATTERN_BASE + ((this.levels[f] ?? -1) + 1);
    return code;
  }

  /** Family and given levels only (also the conflict check's given-name test). */
  names(i: number, j: number): void {
    const t = this.#t;
    const L = this.levels;
    if (t.hasSplit(i) && t.hasSplit(j)) {
      const fam = this.#unit(t.famKanji, t.famKana, t.famReading, t.familyGuessed(i), t.familyGuessed(j), i, j);
      const giv = this.#unit(t.givKanji, t.givKana, t.givReading, t.givenGuessed(i), t.givenGuessed(j), i, j);
      if (fam < 2 || giv < 2) {
        // One whole name split in two places (see compareNames).
        const whole = this.#unit(t.fullKanji, t.fullKana, t.fullReading, t.fullGuessed(i), t.fullGuessed(j), i, j);
        if (whole >= 2) {
          L[F_FAMILY] = L[F_GIVEN] = whole;
          this.familyValue = this.givenValue = valueId(t.fullReading[i] ?? NONE, t.fullKanji[i] ?? NONE);
          return;
        }
      }
      L[F_FAMILY] = fam;
      L[F_GIVEN] = giv;
      this.familyValue = fam >= 2 ? valueId(t.famReading[i] ?? NONE, t.famKanji[i] ?? NONE) : NONE;
      this.givenValue = giv >= 2 ? valueId(t.givReading[i] ?? NONE, t.givKanji[i] ?? NONE) : NONE;
      return;
    }
    const c = compareNames(t.nameView(i), t.nameView(j));
    L[F_FAMILY] = c.family ?? -1;
    L[F_GIVEN] = c.given ?? -1;
    this.familyValue = c.familyValue === null ? NONE : t.pool.idOf(c.familyValue);
    this.givenValue = c.givenValue === null ? NONE : t.pool.idOf(c.givenValue);
  }

  /** compareUnits on pool ids (same rules; -1 for null). */
  #unit(K: Int32Array, N: Int32Array, R: Int32Array, gi: boolean, gj: boolean, i: number, j: number): number {
    const xk = K[i] ?? NONE;
    const yk = K[j] ?? NONE;
    const xr = R[i] ?? NONE;
    const yr = R[j] ?? NONE;
    const kanjiBoth = xk !== NONE && yk !== NONE;
    const readBoth = xr !== NONE && yr !== NONE;
    const guess = gi || gj;
    if (kanjiBoth && xk === yk) {
      if (!readBoth || xr === yr || guess) return 3;
      return 2;
    }
    if (!kanjiBoth && !guess) {
      const xn = N[i] ?? NONE;
      if (xn !== NONE && xn === N[j]) return 3;
    }
    if (readBoth) {
      if (xr === yr) return 2;
      if (kanjiBoth) return 0;
      const pool = this.#t.pool.strings;
      const a = pool[xr] ?? "";
      const b = pool[yr] ?? "";
      if (jaroWinkler(a, b) >= CLOSE_READING || (Math.min(a.length, b.length) >= 4 && distance(a, b) <= 1)) return 1;
      if (guess) return -1;
      return 0;
    }
    if (kanjiBoth) return 0;
    return -1;
  }

  /** Address: 3 same block, 2 same town (or postal code), 1 same municipality, 0 different, -1 missing. */
  addressLevel(i: number, j: number): number {
    const t = this.#t;
    const ci = t.addressCity[i] ?? NONE;
    const cj = t.addressCity[j] ?? NONE;
    const pi = t.postalCode[i] ?? NONE;
    const pj = t.postalCode[j] ?? NONE;
    if (ci !== NONE && cj !== NONE) {
      const fi = t.addressFull[i] ?? NONE;
      if (fi !== NONE && fi === t.addressFull[j]) return 3;
      const ti = t.addressTown[i] ?? NONE;
      if (ti !== NONE && ti === t.addressTown[j]) return 2;
      if (ci === cj) return pi !== NONE && pi === pj ? 2 : 1;
      return 0;
    }
    // No parsed address on one side: the postal code stands for the town.
    if (pi !== NONE && pj !== NONE) return pi === pj ? 2 : 0;
    return -1;
  }
}

function valueId(reading: number, kanji: number): number {
  return reading !== NONE ? reading : kanji;
}

function eqDigest(x: number, y: number): number {
  if (x === NONE || y === NONE) return -1;
  return x === y ? 1 : 0;
}
