// Field comparators: each field of a record pair gets a level (exact / folded-equal / close /
// different for names; equal / different for blind-indexed fields; block / town / city / different
// for addresses), or null when one side lacks it. Names are compared on READINGS (folded romaji) with
// Jaro–Winkler, never by string distance on kanji; kanji count only when they are equal.
import { distance } from "fastest-levenshtein";
import type { NameUnit, PreparedRecord } from "./prepare.ts";

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
  { name: "dateOfBirth", levels: EQUAL_LEVELS, termFrequency: false },
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
function splitsOf(r: PreparedRecord, other: PreparedRecord): Array<[NameUnit, NameUnit]> {
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
export function compareNames(a: PreparedRecord, b: PreparedRecord): NameComparison {
  const as = splitsOf(a, b);
  const bs = splitsOf(b, a);
  let best: NameComparison | null = null;
  for (const [af, ag] of as) {
    for (const [bf, bg] of bs) {
      const c = fromUnits(af, ag, bf, bg);
      if (best === null || score([c.family, c.given]) > score([best.family, best.given])) best = c;
    }
  }
  if (best !== null) return best;
  // No alignment: compare whole names; the level stands for both parts.
  const level = compareUnits(a.full, b.full);
  const value = level !== null && level >= 2 ? valueOf(a.full) : null;
  return { family: level, given: level, familyValue: value, givenValue: value };
}

function eq(x: string | null, y: string | null): number | null {
  if (x === null || y === null) return null;
  return x === y ? 1 : 0;
}

function compareAddress(a: PreparedRecord, b: PreparedRecord): number | null {
  if (a.addressCity !== null && b.addressCity !== null) {
    if (a.addressFull !== null && a.addressFull === b.addressFull) return 3;
    if (a.addressTown !== null && a.addressTown === b.addressTown) return 2;
    if (a.addressCity === b.addressCity) return a.postalCode !== null && a.postalCode === b.postalCode ? 2 : 1;
    return 0;
  }
  // No parsed address on one side: the postal code stands for the town.
  if (a.postalCode !== null && b.postalCode !== null) return a.postalCode === b.postalCode ? 2 : 0;
  return null;
}

export interface PairComparison {
  /** Level per field (FIELDS order), -1 when missing on either side. */
  levels: Int8Array;
  familyValue: string | null;
  givenValue: string | null;
}

/** Compares a record pair on every field. */
export function comparePair(a: PreparedRecord, b: PreparedRecord): PairComparison {
  const levels = new Int8Array(FIELDS.length).fill(-1);
  const names = compareNames(a, b);
  const set = (i: number, l: number | null) => {
    levels[i] = l === null ? -1 : l;
  };
  set(F_FAMILY, names.family);
  set(F_GIVEN, names.given);
  set(F_DOB, eq(a.dob, b.dob));
  set(F_ADDRESS, compareAddress(a, b));
  set(F_PHONE, eq(a.phone, b.phone));
  set(F_EMAIL, eq(a.email, b.email));
  set(F_CORPORATE, eq(a.corporateNumber, b.corporateNumber));
  set(F_ACCOUNT, eq(a.account, b.account));
  set(F_SOCIAL, a.social.length > 0 && b.social.length > 0 ? (a.social.some((s) => b.social.includes(s)) ? 1 : 0) : null);
  return { levels, familyValue: names.familyValue, givenValue: names.givenValue };
}
