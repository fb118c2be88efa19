// Turns identity records into what linkage compares: name units (variant-folded kanji, katakana,
// folded romaji), and blind digests for every equality-only field. Plaintext dates, phones, e-mails,
// corporate numbers and addresses do not survive this step: a PreparedRecord is plain JSON that holds
// only name readings and 48-bit HMAC digests, so it can be kept instead of the record.
import { splitLegalForm, splitLegalFormKana, splitLegalFormLatin } from "../normalize/corporate.ts";
import { foldRomaji, hasKanji, isKanaText, isLatinText, kanaToFoldedRomaji, toReadingKatakana } from "../normalize/kana.ts";
import { normalizeNameWithReader, writtenNameKey, type ReadingProvider } from "../normalize/name.ts";
import { parseAddress, defaultAddressIndex } from "../normalize/address.ts";
import type { AddressIndex } from "../normalize/address-data.ts";
import { normalizePhone } from "../normalize/phone.ts";
import { normalizeCorporateNumber, normalizeDate, normalizeEmail } from "../normalize/misc.ts";
import { nfkc } from "../normalize/text.ts";
import { BlindHasher } from "./blind.ts";
import type { IdentityRecord } from "./record.ts";

/** One name part in the forms it can be compared in. */
export interface NameUnit {
  /** Written form without spaces, variant kanji folded; null when the record has no kanji. */
  kanji: string | null;
  /** Reading in katakana (as given), null when unknown. */
  kana: string | null;
  /** Folded Hepburn romaji of the reading (or of the Latin spelling), null when unknown. */
  reading: string | null;
  /** The reading is a morphological guess from the kanji, not something the record said. */
  guessed?: boolean;
}

/** The name of a record as linkage compares it. */
export interface NameView {
  /** Family and given name, when the record shows where they split. */
  family: NameUnit | null;
  given: NameUnit | null;
  /** The whole name. */
  full: NameUnit;
  /** Latin words (folded romaji) when the name came only in Latin and its order is not known. */
  latinWords: string[] | null;
  /** A company: its name without the legal form, never split into family and given names. */
  corporate?: boolean;
}

export interface PreparedRecord extends NameView {
  recordId: string;
  source: string;
  /** Where the reading came from: the record's kana, its Latin spelling, or a morphological reader. */
  readingFrom: "kana" | "latin" | "reader" | null;
  /** Blind digests (blindDigest: the first 48 bits of the HMAC blind index); null when the field is
   *  missing or cannot be normalised. */
  dob: number | null;
  /** Digests of the dates one slip away from the date of birth (day and month swapped, the day one
   *  off within its month): a record whose date of birth is among another's is "near" it. */
  dobNear: number[];
  phone: number | null;
  email: number | null;
  corporateNumber: number | null;
  postalCode: number | null;
  account: number | null;
  social: number[];
  /** Address at three grains: municipality, town, and town + chome + block. */
  addressCity: number | null;
  addressTown: number | null;
  addressFull: number | null;
}

export interface PrepareOptions {
  /** The blind-index key, or a hasher under it (which remembers repeated values for one batch). */
  key: Uint8Array | BlindHasher;
  /** Reads kanji-only names (kuromoji); without it such names are compared on their kanji. */
  reader?: ReadingProvider | null;
  addressIndex?: AddressIndex;
}

function unit(kanji: string | null, kana: string | null, reading: string | null, guessed = false): NameUnit {
  const u: NameUnit = { kanji: kanji ? (kanji.includes(" ") ? kanji.replace(/ /g, "") : kanji) : null, kana: kana || null, reading: reading || null };
  if (guessed && u.reading !== null) u.guessed = true;
  return u;
}

function isKanaField(t: string | undefined): boolean {
  return t !== undefined && isKanaText(nfkc(t).trim());
}

function isLatinField(t: string | undefined): boolean {
  return t !== undefined && isLatinText(nfkc(t));
}

/** Fields whose values repeat across many records (remembered by the hasher during a batch);
 *  phones, e-mails, accounts and full addresses are mostly distinct and are not. */
const REPEATING = true;
const DISTINCT = false;

function digestOf(hasher: BlindHasher, field: string, value: string | null | undefined, repeats: boolean): number | null {
  return value ? hasher.digest(field, value, repeats) : null;
}

function isoDate(y: number, m: number, d: number): string | null {
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/**
 * The dates a slip of the pen away from an ISO date: day and month swapped (when that is another
 * date) and the day one off within the same month. These are the birth-date typos KYC data shows;
 * a year typed wrong is not among them (it would make namesakes a decade apart "near").
 */
export function datesOneSlipAway(iso: string): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(iso);
  if (!m) return [];
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const out: string[] = [];
  for (const c of [mo !== d ? isoDate(y, d, mo) : null, isoDate(y, mo, d - 1), isoDate(y, mo, d + 1)]) {
    if (c !== null && c !== iso && !out.includes(c)) out.push(c);
  }
  return out;
}

/** A character every written legal form holds (会社, 法人, (株), (有), (同), (名), (資), (財), (医), (福), (学), ㈱, ㈲). */
const MAY_BE_LEGAL_FORM = /[社法株有同名資財医福学㈱㈲]/u;
/** ガイシャ, カイシャ, ホウジン in katakana, half-width katakana or hiragana. */
const MAY_BE_LEGAL_FORM_KANA = /(?:ガ|カ|ｶﾞ|ｶ|が|か)(?:イ|ｲ|い)(?:シ|ｼ|し)(?:ャ|ｬ|ゃ)|(?:ホ|ﾎ|ほ)(?:ウ|ｳ|う)(?:ジ|ｼﾞ|じ)(?:ン|ﾝ|ん)/u;

/**
 * The name of a company (its written name or reading carries a legal form, or it has a corporate
 * number), without the legal form: 株式会社翠アセット, （株）翠アセット and 翠アセット㈱ are one name. The
 * reading comes from the kana (a Latin name is usually a translation, used only when no kana was
 * given). Null for a person.
 */
export function corporateName(r: Pick<IdentityRecord, "name" | "nameKana" | "nameLatin" | "corporateNumber">): {
  full: NameUnit;
  readingFrom: PreparedRecord["readingFrom"];
} | null {
  // Most records are people: a name without any character of a legal form, and a reading without
  // ガイシャ / カイシャ / ホウジン in any script, is not a company's.
  if (!r.corporateNumber && !MAY_BE_LEGAL_FORM.test(r.name) && !(r.nameKana && MAY_BE_LEGAL_FORM_KANA.test(r.nameKana))) return null;
  const written = splitLegalForm(r.name);
  const kanaIn = r.nameKana && isKanaText(nfkc(r.nameKana).trim()) ? splitLegalFormKana(r.nameKana) : null;
  if (written.form === null && (kanaIn?.form ?? null) === null && !r.corporateNumber) return null;
  const stem = written.stem;
  const latinIn = r.nameLatin && isLatinText(nfkc(r.nameLatin)) ? r.nameLatin : isLatinText(stem) ? stem : null;
  let kana = kanaIn?.stem || null;
  if (kana === null && isKanaText(stem)) kana = toReadingKatakana(stem);
  const latin = latinIn === null ? null : splitLegalFormLatin(latinIn).stem;
  const reading = kana !== null ? kanaToFoldedRomaji(kana).replace(/ /g, "") : latin !== null ? foldRomaji(latin).replace(/ /g, "") : "";
  return {
    full: { kanji: hasKanji(stem) ? writtenNameKey(stem) : null, kana, reading: reading || null },
    readingFrom: kana !== null ? "kana" : reading ? "latin" : null,
  };
}

/** The digests of a date of birth and of the dates one slip away (remembered per date by the hasher). */
function dateDigests(hasher: BlindHasher, iso: string): number[] {
  return [hasher.digest("dateOfBirth", iso, false), ...datesOneSlipAway(iso).map((d) => hasher.digest("dateOfBirth", d, false))];
}

/** Prepares one record (see PreparedRecord). */
export function prepareRecord(r: IdentityRecord, opts: PrepareOptions): PreparedRecord {
  const hasher = opts.key instanceof BlindHasher ? opts.key : new BlindHasher(opts.key, 0);
  const corporate = corporateName(r);
  if (corporate !== null) {
    const p = withBlindFields(r, hasher, opts, null, null, corporate.full, null, corporate.readingFrom);
    p.corporate = true;
    return p;
  }
  const n = normalizeNameWithReader(r.name, r.nameKana ?? null, r.nameLatin ?? null, opts.reader ?? null);
  let readingFrom: PreparedRecord["readingFrom"] = null;
  let latinSource: string | undefined;
  if (n.romaji !== null) {
    latinSource = isLatinField(r.name) ? r.name : isLatinField(r.nameLatin) ? r.nameLatin : isLatinField(r.nameKana) ? r.nameKana : undefined;
    if (isKanaField(r.nameKana) || isKanaField(r.name)) readingFrom = "kana";
    else if (latinSource !== undefined) readingFrom = "latin";
    else readingFrom = "reader";
  }

  let latinWords: string[] | null = null;
  if (n.family === null && readingFrom === "latin" && latinSource !== undefined) {
    const words = foldRomaji(latinSource.replace(/,/g, " ")).split(" ").filter(Boolean);
    if (words.length >= 2) latinWords = words;
  }
  const guessed = readingFrom === "reader";
  const family = n.family ? unit(n.family.kanji, n.family.kana, n.family.romaji, guessed) : null;
  const given = n.given ? unit(n.given.kanji, n.given.kana, n.given.romaji, guessed) : null;

  return withBlindFields(r, hasher, opts, family, given, unit(n.kanji, n.kana, n.romaji, guessed), latinWords, readingFrom);
}

/** The prepared record: the name as given, every other field normalised and blind-indexed. */
function withBlindFields(
  r: IdentityRecord,
  hasher: BlindHasher,
  opts: PrepareOptions,
  family: NameUnit | null,
  given: NameUnit | null,
  full: NameUnit,
  latinWords: string[] | null,
  readingFrom: PreparedRecord["readingFrom"],
): PreparedRecord {
  const dob = r.dateOfBirth ? normalizeDate(r.dateOfBirth) : null;
  const dobDigests = dob ? hasher.remembered("dateOfBirth+near", dob, dateDigests) : null;
  const phone = r.phone ? normalizePhone(r.phone) : null;
  const email = r.email ? normalizeEmail(r.email) : null;
  const corp = r.corporateNumber ? normalizeCorporateNumber(r.corporateNumber) : null;
  const postalDigits = r.postalCode ? nfkc(r.postalCode).replace(/[^0-9]/gu, "") : "";
  let addressCity: number | null = null;
  let addressTown: number | null = null;
  let addressFull: number | null = null;
  let postal = postalDigits.length === 7 ? postalDigits : null;
  if (r.address && r.address.trim() !== "") {
    const a = parseAddress(r.address, opts.addressIndex ?? defaultAddressIndex());
    postal ??= a.postalCode;
    if (a.city !== null) {
      // Remembered by their parts (strings of the address index, whose hashes V8 keeps): no key
      // string is built for a municipality or town seen before.
      const pref = a.prefecture ?? "";
      addressCity = hasher.digestOfParts("address.city", pref, a.city, null);
      if (a.town !== null) {
        addressTown = hasher.digestOfParts("address.town", pref, a.city, a.town);
        if (a.block !== null) addressFull = hasher.digest("address.full", `${pref}|${a.city}|${a.town}|${a.chome ?? ""}|${a.block}`, DISTINCT);
      }
    }
  }
  const social: number[] = [];
  if (r.socialIds) for (const s of r.socialIds) social.push(hasher.digest("social", nfkc(s).trim().toLowerCase(), DISTINCT));
  return {
    recordId: r.recordId,
    source: r.source,
    family,
    given,
    full,
    latinWords,
    readingFrom,
    dob: dobDigests ? (dobDigests[0] ?? null) : null,
    dobNear: dobDigests ? dobDigests.slice(1) : [],
    phone: digestOf(hasher, "phone", phone, DISTINCT),
    email: digestOf(hasher, "email", email, DISTINCT),
    corporateNumber: digestOf(hasher, "corporateNumber", corp, DISTINCT),
    postalCode: digestOf(hasher, "postalCode", postal, REPEATING),
    account: r.accountId ? hasher.digest("account", `${r.source}\u0000${r.accountId}`, DISTINCT) : null,
    social,
    addressCity,
    addressTown,
    addressFull,
  };
}

/**
 * Family names seen with an explicit split, in every form, with how often each occurs. Grows as
 * records are added (`add`), so an incremental linker keeps one for all the records it has seen.
 */
export class FamilyLexicon {
  /** Family name in kanji → its readings seen (katakana → folded romaji). */
  readonly byKanji = new Map<string, Map<string | null, string | null>>();
  /** Family name in katakana → folded romaji. */
  readonly byKana = new Map<string, string | null>();
  /** Family readings (folded romaji) → count. */
  readonly readings = new Map<string, number>();

  /** Learns the family name of a record that shows its split (others are ignored). */
  add(r: NameView): void {
    if (!r.family || !r.given || r.family.guessed) return;
    this.addFamily(r.family.kanji, r.family.kana, r.family.reading);
  }

  /** Learns one family name seen split from its given name (not a guessed reading). */
  addFamily(kanji: string | null, kana: string | null, reading: string | null): void {
    if (kanji) {
      let m = this.byKanji.get(kanji);
      if (!m) this.byKanji.set(kanji, (m = new Map()));
      if (!m.has(kana)) m.set(kana, reading);
    }
    if (kana) this.byKana.set(kana, reading);
    if (reading) this.readings.set(reading, (this.readings.get(reading) ?? 0) + 1);
  }
}

/** Builds the family-name lexicon of a batch from its records that show the split. */
export function familyLexicon(records: Iterable<NameView>): FamilyLexicon {
  const lex = new FamilyLexicon();
  for (const r of records) lex.add(r);
  return lex;
}

function cutAt(s: string | null, prefix: string | null): [string | null, string | null] | null {
  if (s === null) return [null, null];
  if (prefix === null || !s.startsWith(prefix) || s.length === prefix.length) return null;
  return [prefix, s.slice(prefix.length)];
}

/**
 * Splits names written without a space (山本綾香 / ヤマモトアヤカ) or romanised in an unknown order
 * (AYAKA MURAKAMI) into family and given name, using the family names that other records spell
 * out. A split is made only when every form the record has (kanji, kana, reading) agrees with one
 * family name seen in those forms; otherwise the record keeps its whole name. Returns the new name,
 * or the same object when nothing changes; the input is not changed.
 */
export function splitWithLexicon<T extends NameView>(r: T, lex: FamilyLexicon): T {
  if (r.corporate) return r;
  if (r.family && r.given) {
    // Split kanji, unsplit reading (佐藤 修 / サトウオサム): cut the reading where a known reading of
    // that family kanji ends.
    if (r.family.reading !== null || r.full.reading === null || r.family.kanji === null) return r;
    for (const [fn, fr] of lex.byKanji.get(r.family.kanji) ?? []) {
      const n = cutAt(r.full.kana, fn);
      const rd = cutAt(r.full.reading, fr);
      if (!n || !rd || rd[0] === null) continue;
      return { ...r, family: { ...r.family, kana: n[0], reading: rd[0] }, given: { ...r.given, kana: n[1], reading: rd[1] } };
    }
    return r;
  }
  if (r.latinWords && r.latinWords.length >= 2) {
    const words = r.latinWords;
    const first = lex.readings.get(words[0] ?? "") ?? 0;
    const last = lex.readings.get(words[words.length - 1] ?? "") ?? 0;
    if (first === last) return r;
    const famIdx = last > first ? words.length - 1 : 0;
    const fam = words[famIdx] ?? "";
    const giv = words.filter((_, i) => i !== famIdx).join("");
    return { ...r, family: { kanji: null, kana: null, reading: fam }, given: { kanji: null, kana: null, reading: giv } };
  }
  const { kanji, kana, reading } = r.full;
  const tryForms = (fk: string | null, fn: string | null, fr: string | null): T | null => {
    const k = cutAt(kanji, fk);
    const n = cutAt(kana, fn);
    const rd = cutAt(reading, fr);
    if (!k || !n || !rd) return null;
    const g = r.full.guessed ? { guessed: true } : {};
    return {
      ...r,
      family: { kanji: k[0], kana: n[0], reading: rd[0], ...g },
      given: { kanji: k[1], kana: n[1], reading: rd[1], ...g },
    };
  };
  if (kanji !== null) {
    for (let len = kanji.length - 1; len >= 1; len--) {
      const readingsOf = lex.byKanji.get(kanji.slice(0, len));
      if (!readingsOf) continue;
      for (const [fn, fr] of readingsOf) {
        const out = tryForms(kanji.slice(0, len), fn, fr);
        if (out) return out;
      }
    }
    return r;
  }
  if (kana !== null) {
    for (let len = kana.length - 1; len >= 1; len--) {
      const fn = kana.slice(0, len);
      if (!lex.byKana.has(fn)) continue;
      const out = tryForms(null, fn, lex.byKana.get(fn) ?? null);
      if (out) return out;
    }
  }
  return r;
}
