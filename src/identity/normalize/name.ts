// Personal names: the written form with variant kanji folded, the reading in katakana, and the
// folded Hepburn romaji in which two readings are compared.
import { badInput } from "../../contracts/errors.ts";
import {
  foldRomaji,
  hasKanji,
  isKanaText,
  isLatinText,
  kanaToFoldedRomaji,
  latinToKatakana,
  toReadingKatakana,
} from "./kana.ts";
import { collapseSpaces, foldKanjiVariants, nfkc } from "./text.ts";

/** One part of a name (family or given) in the three forms we know it in. */
export interface NamePart {
  kanji: string | null;
  kana: string | null;
  romaji: string | null;
}

/** A normalised personal name. `kana` has no spaces; `romaji` is folded Hepburn without spaces;
 *  `kanji` is the written name (NFKC, variants folded) with one ASCII space between its parts. */
export interface NormalizedName {
  kanji: string | null;
  kana: string | null;
  romaji: string | null;
  /** Family and given name when the input showed where one ends (a space, a comma, an upper-case
   *  surname, or a reading that splits); null when it did not. */
  family: NamePart | null;
  given: NamePart | null;
}

/** The `kanshi normalize name` output line (CONTRACT.md). */
export interface NameParts {
  input: string;
  kanji: string | null;
  kana: string | null;
  romaji: string | null;
}

/** A reading found by a morphological analyser when no kana was given (see reading.ts). */
export interface NameReading {
  /** The whole reading in katakana. */
  reading: string;
  /** Where family and given split, when the analyser tagged the parts as 姓 and 名. */
  split?: { familyKanji: string; familyKana: string; givenKanji: string; givenKana: string };
}

/** Anything that can read a written name aloud; kuromoji is the default (reading.ts). */
export interface ReadingProvider {
  read(writtenName: string): NameReading | null;
}

/** The written form of a name: NFKC (full-width letters and spaces, half-width kana), variant kanji
 *  folded, whitespace collapsed to single ASCII spaces. Middle dots and "=" between the parts of a
 *  foreign name written in katakana become spaces. */
export function normalizeWrittenName(name: string): string {
  return collapseSpaces(foldKanjiVariants(nfkc(name)).replace(/[・=＝]/gu, " "));
}

/** A comparison key for a written name: written form without any spaces. */
export function writtenNameKey(name: string): string {
  return normalizeWrittenName(name).replace(/ /g, "");
}

interface LatinName {
  /** Tokens in family-first order. */
  familyFirst: string[];
  /** Whether the order was decided by a sign in the text (comma, capitals) or assumed. */
  orderKnown: boolean;
}

/**
 * Orders the parts of a romanised name family-first. Signs read, in order: a comma ("Yamada, Taro");
 * one word in capitals among mixed-case words ("YAMADA Taro", "Taro YAMADA"). Without a sign, the
 * last word is taken as the family name, the Western order of cards and most Latin forms
 * ("TARO YAMADA" → YAMADA TARO), and `orderKnown` is false; except for romaji typed into a reading
 * field (`defaultFamilyFirst`), which follows the written name's order.
 */
function orderLatin(latin: string, defaultFamilyFirst: boolean): LatinName {
  const text = collapseSpaces(nfkc(latin));
  if (text.includes(",")) {
    const [fam = "", ...rest] = text.split(",");
    const given = rest.join(" ").trim().split(" ").filter(Boolean);
    return { familyFirst: [...fam.trim().split(" ").filter(Boolean), ...given], orderKnown: true };
  }
  const words = text.split(" ").filter(Boolean);
  if (words.length < 2) return { familyFirst: words, orderKnown: words.length === 1 };
  const caps = words.filter(isCapitalised);
  if (caps.length === 1) {
    const fam = caps[0] ?? "";
    return { familyFirst: [fam, ...words.filter((w) => w !== fam)], orderKnown: true };
  }
  if (defaultFamilyFirst) return { familyFirst: words, orderKnown: true };
  const last = words[words.length - 1] ?? "";
  return { familyFirst: [last, ...words.slice(0, -1)], orderKnown: false };
}

function isCapitalised(w: string): boolean {
  return w.length > 1 && w === w.toUpperCase() && w !== w.toLowerCase();
}

function splitWritten(text: string): [string, string] | null {
  const parts = text.split(" ");
  if (parts.length < 2) return null;
  return [parts[0] ?? "", parts.slice(1).join(" ")];
}

function nonEmpty(s: string | null | undefined): string | null {
  return s === null || s === undefined || s.trim() === "" ? null : s;
}

/**
 * A bounded memory of a pure function of a string: KYC data repeats its names and readings (a
 * million records hold a few hundred thousand distinct names, far fewer family names and readings),
 * and each normalisation runs a dozen regular expressions. It starts over when full; it never
 * changes a result. Values are shared: callers must not change them.
 */
class Memo<V> {
  #map = new Map<string, V>();
  readonly #fn: (key: string) => V;
  readonly #capacity: number;

  constructor(fn: (key: string) => V, capacity = 1 << 16) {
    this.#fn = fn;
    this.#capacity = capacity;
  }

  get(key: string): V {
    let v = this.#map.get(key);
    if (v === undefined) {
      v = this.#fn(key);
      if (this.#map.size >= this.#capacity) this.#map = new Map();
      this.#map.set(key, v);
    }
    return v;
  }
}

/** A reading field as given: kana, or romaji typed into it, or nothing usable. */
interface ReadingField {
  kanaText: string | null;
  latinText: string | null;
}

function readReadingField(kana: string): ReadingField {
  const text = collapseSpaces(nfkc(kana));
  if (text === "") return { kanaText: null, latinText: null };
  if (isKanaText(text)) return { kanaText: text, latinText: null };
  // A reading field that holds romaji is a romanised name, in the order of the written name
  // (family first), as a reading is. Neither kana nor Latin: unusable.
  return { kanaText: null, latinText: isLatinText(text) ? text : null };
}

/** A written name and what it is written in. */
interface Written {
  written: string;
  kind: "kanji" | "kana" | "latin" | "other";
  /** For kanji: split at the first space, when there is one. */
  kanjiSplit: [string, string] | null;
}

function readWritten(name: string): Written {
  const written = normalizeWrittenName(name);
  const kind = hasKanji(written) ? "kanji" : isKanaText(written) ? "kana" : isLatinText(written) ? "latin" : "other";
  return { written, kind, kanjiSplit: kind === "kanji" ? splitWritten(written) : null };
}

/** A kana reading: whole, and split at its first space when it has one. */
interface KanaReading {
  kana: string;
  romaji: string;
  split: { familyKana: string; familyRomaji: string; givenKana: string; givenRomaji: string } | null;
}

function readKana(kanaText: string): KanaReading {
  const parts = splitWritten(kanaText.replace(/[・=]/gu, " "));
  return {
    kana: toReadingKatakana(kanaText),
    romaji: kanaToFoldedRomaji(kanaText).replace(/ /g, ""),
    split: parts
      ? {
          familyKana: toReadingKatakana(parts[0]),
          familyRomaji: kanaToFoldedRomaji(parts[0]).replace(/ /g, ""),
          givenKana: toReadingKatakana(parts[1]),
          givenRomaji: kanaToFoldedRomaji(parts[1]).replace(/ /g, ""),
        }
      : null,
  };
}

/** A romanised name read in family-first order (the key ends in "\u0000F" when a reading field held
 *  it, which is family-first by convention). */
interface LatinReading {
  romaji: string | null;
  kana: string | null;
  split: { familyKana: string | null; familyRomaji: string | null; givenKana: string | null; givenRomaji: string | null } | null;
}

function readLatin(key: string): LatinReading {
  const familyFirst = key.endsWith("\u0000F");
  const latinText = key.slice(0, key.lastIndexOf("\u0000"));
  const ordered = orderLatin(latinText, familyFirst);
  const words = ordered.familyFirst;
  const romajiWords = words.map((w) => foldRomaji(w).replace(/ /g, "")).filter(Boolean);
  const kataWords = words.map((w) => latinToKatakana(w));
  return {
    romaji: romajiWords.length > 0 ? romajiWords.join("") : null,
    kana: kataWords.every((k) => k !== null) && kataWords.length > 0 ? kataWords.join("") : null,
    split:
      ordered.orderKnown && words.length >= 2
        ? {
            familyKana: kataWords[0] ?? null,
            givenKana: kataWords.slice(1).every((k) => k !== null) ? kataWords.slice(1).join("") : null,
            familyRomaji: romajiWords[0] ?? null,
            givenRomaji: romajiWords.slice(1).join("") || null,
          }
        : null,
  };
}

const readingFields = new Memo(readReadingField);
const writtenNames = new Memo(readWritten);
const kanaReadings = new Memo(readKana);
const latinReadings = new Memo(readLatin);

/**
 * Normalises one person's name from the fields a KYC record may carry: `name` as written (kanji,
 * kana or Latin), `kana` (the reading, hiragana or katakana, any width) and `latin` (romanised).
 * Synchronous: when only kanji is given, `kana` and `romaji` stay null; use `normalizeNameAsync` or
 * `normalizeNameLine` to fill them from a morphological reading.
 */
export function normalizeNameRecord(name: string, kana?: string | null, latin?: string | null): NormalizedName {
  const { written, kind, kanjiSplit } = writtenNames.get(name);
  const field = nonEmpty(kana) ? readingFields.get(kana ?? "") : null;
  let kanaText = field?.kanaText ?? null;
  let latinText = nonEmpty(latin) ? collapseSpaces(nfkc(latin ?? "")) : null;
  let latinFamilyFirst = false;
  if (field?.latinText && latinText === null) {
    latinText = field.latinText;
    latinFamilyFirst = true;
  }

  let kanji: string | null = null;
  if (kind === "kanji") kanji = written;
  else if (kind === "kana") kanaText ??= written;
  else if (kind === "latin") latinText ??= written;

  let family: NamePart | null = null;
  let given: NamePart | null = null;
  let kanaOut: string | null = null;
  let romajiOut: string | null = null;

  if (kanaText !== null) {
    const r = kanaReadings.get(kanaText);
    kanaOut = r.kana;
    romajiOut = r.romaji;
    if (r.split) {
      family = { kanji: kanjiSplit?.[0] ?? null, kana: r.split.familyKana, romaji: r.split.familyRomaji };
      given = { kanji: kanjiSplit?.[1] ?? null, kana: r.split.givenKana, romaji: r.split.givenRomaji };
    }
  } else if (latinText !== null) {
    const r = latinReadings.get(`${latinText}\u0000${latinFamilyFirst ? "F" : "W"}`);
    romajiOut = r.romaji;
    kanaOut = r.kana;
    if (r.split) {
      family = { kanji: kanjiSplit?.[0] ?? null, kana: r.split.familyKana, romaji: r.split.familyRomaji };
      given = { kanji: kanjiSplit?.[1] ?? null, kana: r.split.givenKana, romaji: r.split.givenRomaji };
    }
  }
  if (family === null && kanjiSplit) {
    family = { kanji: kanjiSplit[0], kana: null, romaji: null };
    given = { kanji: kanjiSplit[1], kana: null, romaji: null };
  }
  return { kanji, kana: kanaOut, romaji: romajiOut, family, given };
}

/** As normalizeNameRecord, and when there is kanji but no reading, asks `reader` (kuromoji by
 *  default in normalizeNameLine) for one. The reading from an analyser is a guess for rare names. */
export function normalizeNameWithReader(
  name: string,
  kana: string | null | undefined,
  latin: string | null | undefined,
  reader: ReadingProvider | null,
): NormalizedName {
  const base = normalizeNameRecord(name, kana, latin);
  if (base.kana !== null || base.kanji === null || reader === null) return base;
  // A reading from the Latin spelling is not available either: read the kanji.
  const parts = splitWritten(base.kanji);
  if (parts) {
    const f = reader.read(parts[0]);
    const g = reader.read(parts[1]);
    if (f === null || g === null) return base;
    const familyRomaji = kanaToFoldedRomaji(f.reading).replace(/ /g, "");
    const givenRomaji = kanaToFoldedRomaji(g.reading).replace(/ /g, "");
    return {
      kanji: base.kanji,
      kana: f.reading + g.reading,
      romaji: familyRomaji + givenRomaji,
      family: { kanji: parts[0], kana: f.reading, romaji: familyRomaji },
      given: { kanji: parts[1], kana: g.reading, romaji: givenRomaji },
    };
  }
  const r = reader.read(base.kanji);
  if (r === null) return base;
  const out: NormalizedName = {
    ...base,
    kana: r.reading,
    romaji: kanaToFoldedRomaji(r.reading).replace(/ /g, ""),
  };
  if (r.split) {
    out.family = { kanji: r.split.familyKanji, kana: r.split.familyKana, romaji: kanaToFoldedRomaji(r.split.familyKana).replace(/ /g, "") };
    out.given = { kanji: r.split.givenKanji, kana: r.split.givenKana, romaji: kanaToFoldedRomaji(r.split.givenKana).replace(/ /g, "") };
  }
  return out;
}

/** One input line of `kanshi normalize name` split into its fields: `name`, `name<TAB>kana`,
 *  `name<TAB>kana<TAB>latin`, or `name（reading）` with the reading in kana or Latin. */
export function splitNameLine(line: string): { name: string; kana: string | null; latin: string | null } {
  const trimmed = line.replace(/\r$/u, "");
  if (trimmed.includes("\t")) {
    const [name = "", kana = "", latin = ""] = trimmed.split("\t");
    return { name: name.trim(), kana: nonEmpty(kana.trim()), latin: nonEmpty(latin.trim()) };
  }
  const paren = /^(.+?)\s*[(（]([^()（）]+)[)）]\s*$/u.exec(trimmed);
  if (paren) {
    const name = (paren[1] ?? "").trim();
    const inner = collapseSpaces(nfkc(paren[2] ?? ""));
    if (isKanaText(inner)) return { name, kana: inner, latin: null };
    if (isLatinText(inner)) return { name, kana: null, latin: inner };
  }
  return { name: trimmed.trim(), kana: null, latin: null };
}

/** Contract-level normaliser for one line, with an explicit reader (null: no morphological
 *  reading). Throws a bad_input KanshiError when the line holds no name. */
export function normalizeNameLineWith(line: string, reader: ReadingProvider | null): NameParts {
  const { name, kana, latin } = splitNameLine(line);
  if (name.length === 0) throw badInput("expected a name, got an empty line", "name");
  const n = normalizeNameWithReader(name, kana, latin, reader);
  return { input: line, kanji: n.kanji, kana: n.kana, romaji: n.romaji };
}
