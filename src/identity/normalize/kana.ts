// Kana and romaji: hiragana ↔ katakana, small kana and the long-vowel mark, and the folded Hepburn
// romaji in which readings are compared (so that オオノ, Ōno, Ohno and ONO meet).
import * as wanakana from "wanakana";
import { nfkc } from "./text.ts";

/** Hiragana to katakana, code point by code point (ゝゞ to ヽヾ); everything else unchanged. */
export function hiraganaToKatakana(s: string): string {
  return s.replace(/[\u3041-\u3096\u309D\u309E]/gu, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/** Katakana to hiragana (the inverse of hiraganaToKatakana). */
export function katakanaToHiragana(s: string): string {
  return s.replace(/[\u30A1-\u30F6\u30FD\u30FE]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

/** True when the text is kana (either script), the long-vowel mark, middle dots and spaces only. */
export function isKanaText(s: string): boolean {
  return s.length > 0 && /^[\u3041-\u3096\u309D\u309E\u30A1-\u30FA\u30FC-\u30FE・=\s\u3000]+$/u.test(s);
}

/** True when the text holds at least one kanji (CJK unified ideograph, incl. extension planes). */
export function hasKanji(s: string): boolean {
  return /[\p{Script=Han}]/u.test(s);
}

/** True when the text looks like a romanised name (Latin letters, spaces, comma, dot, hyphen,
 *  apostrophe, macrons). */
export function isLatinText(s: string): boolean {
  return /^[\p{Script=Latin}\s,.'’-]+$/u.test(s) && /\p{Script=Latin}/u.test(s);
}

/**
 * A reading in katakana: NFKC (half-width ｶﾅ to full width), hiragana to katakana, middle dots and
 * spaces removed. Small kana and ー are kept: this is the reading as written, not a matching key.
 */
export function toReadingKatakana(s: string): string {
  return hiraganaToKatakana(nfkc(s)).replace(/[\s\u3000・=]/gu, "");
}

const SMALL_TO_LARGE: Readonly<Record<string, string>> = {
  ァ: "ア", ィ: "イ", ゥ: "ウ", ェ: "エ", ォ: "オ", ッ: "ツ", ャ: "ヤ", ュ: "ユ", ョ: "ヨ", ヮ: "ワ", ヵ: "カ", ヶ: "ケ",
};
const VOWEL_OF = (() => {
  const rows: Array<[string, string]> = [
    ["ア", "アカガサザタダナハバパマヤャラワァヮヵ"],
    ["イ", "イキギシジチヂニヒビピミリヰィ"],
    ["ウ", "ウクグスズツヅヌフブプムユュルゥヴ"],
    ["エ", "エケゲセゼテデネヘベペメレヱェヶ"],
    ["オ", "オコゴソゾトドノホボポモヨョロヲォ"],
  ];
  const m = new Map<string, string>();
  for (const [vowel, chars] of rows) for (const c of chars) m.set(c, vowel);
  return m;
})();

/**
 * A loose kana matching key: katakana, small kana made large (全銀 bank names write キヨウコ for
 * キョウコ), ヂ→ジ, ヅ→ズ, ヲ→オ, ヰ→イ, ヱ→エ, ヴ→ブ, ー and the iteration marks spelled out
 * (ユーコ → ユウコ, ヽ repeats). Spaces and dots removed.
 */
export function looseKanaKey(s: string): string {
  const kata = toReadingKatakana(s);
  let out = "";
  for (const ch of kata) {
    const prev = out.at(-1) ?? "";
    if (ch === "ー") {
      out += VOWEL_OF.get(prev) ?? "";
      continue;
    }
    if (ch === "ヽ") {
      out += prev;
      continue;
    }
    if (ch === "ヾ") {
      out += prev ? String.fromCharCode(prev.charCodeAt(0) + 1) : "";
      continue;
    }
    let c = SMALL_TO_LARGE[ch] ?? ch;
    if (c === "ヂ") c = "ジ";
    else if (c === "ヅ") c = "ズ";
    else if (c === "ヲ") c = "オ";
    else if (c === "ヰ") c = "イ";
    else if (c === "ヱ") c = "エ";
    else if (c === "ヴ") c = "ブ";
    out += c;
  }
  return out;
}

/** Kana spelled with ー resolved into the vowel it lengthens (for romanisation). */
function spellOutLongVowels(kata: string): string {
  let out = "";
  for (const ch of kata) {
    if (ch === "ー") out += VOWEL_OF.get(out.at(-1) ?? "") ?? "";
    else if (ch === "ヵ") out += "カ";
    else if (ch === "ヶ") out += "ケ";
    else out += ch;
  }
  return out;
}

/**
 * Folded Hepburn romaji of one word or phrase, the key in which readings are compared:
 * lower case ASCII letters only; macrons and circumflexes dropped (ō→o); long vowels folded
 * (ou, oo, oh before a consonant or at the end → o; uu → u); Kunrei/Nihon-shiki to Hepburn
 * (si→shi, ti→chi, tu→tsu, hu→fu, zi/di→ji, du→zu, sy/ty/zy/jy/dy → sh/ch/j), wo→o,
 * m before b/m/p → n (Namba/Nanba), cch → tch (Hacchō/Hatchō), apostrophes and hyphens dropped.
 * Spaces separate words and are kept as single spaces.
 */
export function foldRomaji(s: string): string {
  const base = nfkc(s)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/gu, "")
    .toLowerCase()
    .replace(/[’'\-.]/gu, "")
    .replace(/[^a-z\s]/gu, " ");
  return base
    .split(/\s+/u)
    .filter((w) => w.length > 0)
    .map(foldRomajiWord)
    .join(" ");
}

function foldRomajiWord(w0: string): string {
  let w = w0;
  // Kunrei / Nihon-shiki and variant spellings to Hepburn.
  w = w
    .replace(/sy/g, "sh")
    .replace(/ty/g, "ch")
    .replace(/(?:zy|jy|dy)/g, "j")
    .replace(/dzu/g, "zu")
    .replace(/si/g, "shi")
    .replace(/ti/g, "chi")
    .replace(/tu/g, "tsu")
    .replace(/(?<![sc])hu/g, "fu")
    .replace(/(?:zi|di)/g, "ji")
    .replace(/du/g, "zu")
    .replace(/cch/g, "tch")
    .replace(/(?<=[^aeiou]|^)wo/g, "o")
    .replace(/m(?=[bmp])/g, "n");
  // Long vowels, applied until stable (ooo, ouu …).
  let prev = "";
  while (prev !== w) {
    prev = w;
    w = w
      .replace(/oh(?=[^aeiouy]|$)/g, "o")
      .replace(/ou/g, "o")
      .replace(/oo/g, "o")
      .replace(/uu/g, "u");
  }
  return w;
}

/**
 * Folded romaji of single kana words, remembered: readings repeat (a million records hold a few
 * thousand family and given names) and wanakana's romanisation is the slowest step of a name. A
 * cache of a pure function, bounded (it starts over past 65 536 words); it changes no result.
 */
const romajiOfWord = new Map<string, string>();

function foldedRomajiOfWord(w: string): string {
  let out = romajiOfWord.get(w);
  if (out === undefined) {
    out = foldRomaji(wanakana.toRomaji(spellOutLongVowels(hiraganaToKatakana(w))));
    if (romajiOfWord.size >= 1 << 16) romajiOfWord.clear();
    romajiOfWord.set(w, out);
  }
  return out;
}

/** The folded romaji of a kana reading (via wanakana's Hepburn romanisation), words kept apart by
 *  spaces where the kana had them. */
export function kanaToFoldedRomaji(kana: string): string {
  return nfkc(kana)
    .split(/[\s\u3000・=]+/u)
    .filter((w) => w.length > 0)
    .map(foldedRomajiOfWord)
    .filter((w) => w.length > 0)
    .join(" ");
}

/**
 * Katakana for a romanised name: macrons spelled out (ō→ou, ū→uu), Hepburn oh before a consonant as
 * おお, m before b/m/p as ン, tch as ッチ, then wanakana's romaji-to-katakana. Letters it cannot
 * place (a stray "x") make the result null rather than a half-converted string.
 */
export function latinToKatakana(latin: string): string | null {
  let s = nfkc(latin)
    .toLowerCase()
    .replace(/ō|ô/g, "ou")
    .replace(/ū|û/g, "uu")
    .replace(/ā|â/g, "aa")
    .replace(/ē|ê/g, "ee")
    .replace(/ī|î/g, "ii")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/gu, "")
    .replace(/’/gu, "'")
    .replace(/[-.,]/gu, "")
    .replace(/\s+/gu, "");
  s = s
    .replace(/oh(?=[^aeiouy]|$)/g, "oo")
    .replace(/m(?=[bmp])/g, "n")
    .replace(/tch/g, "cch");
  if (s.length === 0) return null;
  const kata = wanakana.toKatakana(s);
  return /^[\u30A1-\u30FC]+$/u.test(kata) ? kata : null;
}
