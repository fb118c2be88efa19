// Turns identity records into what linkage compares: name units (variant-folded kanji, katakana,
// folded romaji), and blind indexes for every equality-only field. Plaintext dates, phones, e-mails,
// corporate numbers and addresses do not survive this step.
import { foldRomaji, isKanaText, isLatinText } from "../normalize/kana.ts";
import { normalizeNameWithReader, type ReadingProvider } from "../normalize/name.ts";
import { parseAddress, defaultAddressIndex } from "../normalize/address.ts";
import type { AddressIndex } from "../normalize/address-data.ts";
import { normalizePhone } from "../normalize/phone.ts";
import { normalizeCorporateNumber, normalizeDate, normalizeEmail } from "../normalize/misc.ts";
import { nfkc } from "../normalize/text.ts";
import { blindIndex } from "./blind.ts";
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

export interface PreparedRecord {
  index: number;
  recordId: string;
  source: string;
  /** Family and given name, when the record shows where they split. */
  family: NameUnit | null;
  given: NameUnit | null;
  /** The whole name. */
  full: NameUnit;
  /** Latin words (folded romaji) when the name came only in Latin and its order is not known. */
  latinWords: string[] | null;
  /** Where the reading came from: the record's kana, its Latin spelling, or a morphological reader. */
  readingFrom: "kana" | "latin" | "reader" | null;
  /** Blind indexes (null when the field is missing or cannot be normalised). */
  dob: string | null;
  phone: string | null;
  email: string | null;
  corporateNumber: string | null;
  postalCode: string | null;
  account: string | null;
  social: string[];
  /** Address at three grains: municipality, town, and town + chome + block. */
  addressCity: string | null;
  addressTown: string | null;
  addressFull: string | null;
}

export interface PrepareOptions {
  key: Uint8Array;
  /** Reads kanji-only names (kuromoji); without it such names are compared on their kanji. */
  reader?: ReadingProvider | null;
  addressIndex?: AddressIndex;
}

function unit(kanji: string | null, kana: string | null, reading: string | null, guessed = false): NameUnit {
  const u: NameUnit = { kanji: kanji ? kanji.replace(/ /g, "") : null, kana: kana || null, reading: reading || null };
  if (guessed && u.reading !== null) u.guessed = true;
  return u;
}

/** Prepares one record (see PreparedRecord). */
export function prepareRecord(r: IdentityRecord, index: number, opts: PrepareOptions): PreparedRecord {
  const { key } = opts;
  const n = normalizeNameWithReader(r.name, r.nameKana ?? null, r.nameLatin ?? null, opts.reader ?? null);
  const isKana = (t: string | undefined) => t !== undefined && isKanaText(nfkc(t).trim());
  const latinSource = [r.name, r.nameLatin, r.nameKana].find((t) => t !== undefined && isLatinText(nfkc(t)));
  let readingFrom: PreparedRecord["readingFrom"] = null;
  if (n.romaji !== null) {
    if (isKana(r.nameKana) || isKana(r.name)) readingFrom = "kana";
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

  const bi = (field: string, value: string | null | undefined): string | null => (value ? blindIndex(key, field, value) : null);
  const dob = r.dateOfBirth ? normalizeDate(r.dateOfBirth) : null;
  const phone = r.phone ? normalizePhone(r.phone) : null;
  const email = r.email ? normalizeEmail(r.email) : null;
  const corp = r.corporateNumber ? normalizeCorporateNumber(r.corporateNumber) : null;
  const postalDigits = r.postalCode ? nfkc(r.postalCode).replace(/[^0-9]/gu, "") : "";
  let addressCity: string | null = null;
  let addressTown: string | null = null;
  let addressFull: string | null = null;
  let postal = postalDigits.length === 7 ? postalDigits : null;
  if (r.address && r.address.trim() !== "") {
    const a = parseAddress(r.address, opts.addressIndex ?? defaultAddressIndex());
    postal ??= a.postalCode;
    if (a.city !== null) {
      addressCity = bi("address.city", `${a.prefecture ?? ""}|${a.city}`);
      if (a.town !== null) {
        addressTown = bi("address.town", `${a.prefecture ?? ""}|${a.city}|${a.town}`);
        if (a.block !== null) addressFull = bi("address.full", `${a.prefecture ?? ""}|${a.city}|${a.town}|${a.chome ?? ""}|${a.block}`);
      }
    }
  }
  return {
    index,
    recordId: r.recordId,
    source: r.source,
    family,
    given,
    full: unit(n.kanji, n.kana, n.romaji, guessed),
    latinWords,
    readingFrom,
    dob: bi("dateOfBirth", dob),
    phone: bi("phone", phone),
    email: bi("email", email),
    corporateNumber: bi("corporateNumber", corp),
    postalCode: bi("postalCode", postal),
    account: r.accountId ? bi("account", `${r.source}\u0000${r.accountId}`) : null,
    social: (r.socialIds ?? []).map((s) => blindIndex(key, "social", nfkc(s).trim().toLowerCase())),
    addressCity,
    addressTown,
    addressFull,
  };
}

/** Family names seen with an explicit split, in every form, with how often each occurs. */
export interface FamilyLexicon {
  /** Family name in kanji → its readings seen (katakana → folded romaji). */
  byKanji: ReadonlyMap<string, ReadonlyMap<string | null, string | null>>;
  /** Family name in katakana → folded romaji. */
  byKana: ReadonlyMap<string, string | null>;
  /** Family readings (folded romaji) → count. */
  readings: ReadonlyMap<string, number>;
}

/** Builds the family-name lexicon of a batch from its records that show the split. */
export function familyLexicon(records: readonly PreparedRecord[]): FamilyLexicon {
  const byKanji = new Map<string, Map<string | null, string | null>>();
  const byKana = new Map<string, string | null>();
  const readings = new Map<string, number>();
  for (const r of records) {
    if (!r.family || !r.given || r.family.guessed) continue;
    const f = r.family;
    if (f.kanji) {
      const m = byKanji.get(f.kanji) ?? new Map<string | null, string | null>();
      if (!m.has(f.kana)) m.set(f.kana, f.reading);
      byKanji.set(f.kanji, m);
    }
    if (f.kana) byKana.set(f.kana, f.reading);
    if (f.reading) readings.set(f.reading, (readings.get(f.reading) ?? 0) + 1);
  }
  return { byKanji, byKana, readings };
}

function cutAt(s: string | null, prefix: string | null): [string | null, string | null] | null {
  if (s === null) return [null, null];
  if (prefix === null || !s.startsWith(prefix) || s.length === prefix.length) return null;
  return [prefix, s.slice(prefix.length)];
}

/**
 * Splits names written without a space (山本綾香 / ヤマモトアヤカ) or romanised in an unknown order
 * (AYAKA MURAKAMI) into family and given name, using the family names that other records of the
 * batch spell out. A split is made only when every form the record has (kanji, kana, reading) agrees
 * with one family name seen in those forms; otherwise the record keeps its whole name. Returns a new
 * record; the input is not changed.
 */
export function splitWithLexicon(r: PreparedRecord, lex: FamilyLexicon): PreparedRecord {
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
  const tryForms = (fk: string | null, fn: string | null, fr: string | null): PreparedRecord | null => {
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
