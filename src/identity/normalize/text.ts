// Text primitives shared by the Japanese normalisers: Unicode width and compatibility folding,
// variant kanji, kanji numerals, hyphen forms. Pure functions over strings.
import variants from "../data/kanji-variants.json" with { type: "json" };

const VARIANT_MAP: ReadonlyMap<string, string> = new Map([
  ...Object.entries(variants.joyo),
  ...Object.entries(variants.names),
]);

/** How many variant pairs the fold knows (for documentation and tests). */
export const KANJI_VARIANT_COUNT = VARIANT_MAP.size;

/** The variant table as pairs, for tests and for callers that need to explain a fold. */
export function kanjiVariantPairs(): ReadonlyArray<readonly [string, string]> {
  return [...VARIANT_MAP.entries()];
}

// Ideographic variation selectors (IVS) and the standardized variation selectors.
const VARIATION_SELECTORS = /[\u{E0100}-\u{E01EF}\u{FE00}-\u{FE0F}]/gu;

/** Drops variation selectors: 辻 with one dot and 辻 with two dots are the same character for us. */
export function stripVariationSelectors(s: string): string {
  // Most text has none: a cheap scan for U+FE00–FE0F and the high surrogate of U+E0100–E01EF first.
  return MAY_HAVE_SELECTOR.test(s) ? s.replace(VARIATION_SELECTORS, "") : s;
}
const MAY_HAVE_SELECTOR = /[\uFE00-\uFE0F\uDB40]/;

/** NFKC (full-width ASCII to ASCII, half-width kana to full-width, compatibility ideographs to
 *  unified ones), without variation selectors. */
export function nfkc(s: string): string {
  return stripVariationSelectors(s).normalize("NFKC");
}

/** Folds variant kanji (髙→高, 﨑→崎, 邊/邉→辺, 齋/齊→斎, 澤→沢 …) code point by code point.
 *  Expects NFKC text (the compatibility ideographs are folded by NFKC, not by the table). */
export function foldKanjiVariants(s: string): string {
  let out = "";
  for (const ch of s) out += VARIANT_MAP.get(ch) ?? ch;
  return out;
}

/** Whitespace of any width collapsed to one ASCII space, trimmed. */
export function collapseSpaces(s: string): string {
  return s.replace(/[\s\u3000]+/gu, " ").trim();
}

/** Dashes and minus signs that people type for a hyphen; ー (the long-vowel mark) is handled
 *  separately because it is a real letter in katakana words. */
export const DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\uFE58\uFE63\uFF0D";
const DASH_RE = new RegExp(`[${DASHES}]`, "gu");

/** Every dash form to "-", and the long-vowel mark ー (or half-width ｰ) to "-" when it stands
 *  between two numbers (`1ー2`, `１ｰ２`, `三ー五`). Run after NFKC. */
export function normalizeHyphens(s: string): string {
  return s
    .replace(DASH_RE, "-")
    .replace(/(?<=[0-9〇一二三四五六七八九十百千壱弐参拾])[ーｰ](?=[0-9〇一二三四五六七八九十百千壱弐参拾])/gu, "-");
}

const KANJI_DIGITS: Readonly<Record<string, number>> = {
  〇: 0, 零: 0, 一: 1, 壱: 1, 壹: 1, 二: 2, 弐: 2, 貳: 2, 三: 3, 参: 3, 參: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const KANJI_UNITS: Readonly<Record<string, number>> = { 十: 10, 拾: 10, 百: 100, 千: 1000 };

/** Characters that may make up a kanji numeral. */
export const KANJI_NUMERAL_CHARS = "〇零一壱壹二弐貳三参參四五六七八九十拾百千廿";
/** A number written in ASCII digits or kanji numerals, as a regex source. */
export const NUMBER_SOURCE = `(?:[0-9]+|[${KANJI_NUMERAL_CHARS}]+)`;

/**
 * The value of a kanji numeral: `三` 3, `十二` 12, `二十三` 23, `百五` 105, `千二百` 1200, and positional
 * writing `一〇一` 101; also 壱弐参拾 and 廿 (20). ASCII digits are accepted too. Null if it is not a
 * number.
 */
export function parseJapaneseNumber(s: string): number | null {
  if (s.length === 0) return null;
  if (/^[0-9]+$/.test(s)) return Number.parseInt(s, 10);
  const chars = [...s.replace(/廿/g, "二十")];
  if (!chars.every((c) => c in KANJI_DIGITS || c in KANJI_UNITS)) return null;
  // Positional: digits only (一〇一, 二〇二三).
  if (chars.every((c) => c in KANJI_DIGITS)) {
    return chars.reduce((acc, c) => acc * 10 + (KANJI_DIGITS[c] ?? 0), 0);
  }
  let total = 0;
  let current = 0;
  let lastUnit = Infinity;
  for (const c of chars) {
    const d = KANJI_DIGITS[c];
    if (d !== undefined) {
      current = current * 10 + d;
      continue;
    }
    const unit = KANJI_UNITS[c];
    if (unit === undefined || unit >= lastUnit) return null; // 十百 is not a number
    total += (current === 0 ? 1 : current) * unit;
    current = 0;
    lastUnit = unit;
  }
  return total + current;
}

/** Replaces every run of kanji numerals by its ASCII value (`北一条西` → `北1条西`). Meant for
 *  building comparison keys, where both sides go through the same function. */
const KANJI_NUMERAL_RUN = new RegExp(`[${KANJI_NUMERAL_CHARS}]+`, "gu");

export function kanjiNumeralsToDigits(s: string): string {
  return s.replace(KANJI_NUMERAL_RUN, (m) => {
    const n = parseJapaneseNumber(m);
    return n === null ? m : String(n);
  });
}

/** Full-width digits to ASCII without touching anything else. */
export function asciiDigits(s: string): string {
  return s.replace(/[０-９]/gu, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}
