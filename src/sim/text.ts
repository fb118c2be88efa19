// Writing the same thing differently, the way Japanese records do: half-width katakana, hiragana,
// full-width digits, kanji numerals, Hepburn spelled with or without long vowels.

const FULL_KATA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッー・";
const HALF_KATA = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰ･";
const DAKUTEN = "ガギグゲゴザジズゼゾダヂヅデドバビブベボ";
const HANDAKUTEN = "パピプペポ";

const HALF_MAP = new Map<string, string>();
for (let i = 0; i < FULL_KATA.length; i++) HALF_MAP.set(FULL_KATA[i]!, HALF_KATA[i]!);
for (const ch of DAKUTEN) HALF_MAP.set(ch, HALF_MAP.get(String.fromCharCode(ch.charCodeAt(0) - 1))! + "ﾞ");
for (const ch of HANDAKUTEN) HALF_MAP.set(ch, HALF_MAP.get(String.fromCharCode(ch.charCodeAt(0) - 2))! + "ﾟ");
HALF_MAP.set("ヴ", "ｳﾞ");
HALF_MAP.set("　", " ");

/** Full-width katakana → half-width (ガ → ｶﾞ); other characters unchanged. */
export function toHalfWidthKana(s: string): string {
  let out = "";
  for (const ch of s) out += HALF_MAP.get(ch) ?? ch;
  return out;
}

/** Katakana → hiragana (ー and ・ unchanged). */
export function toHiragana(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out += c >= 0x30a1 && c <= 0x30f6 ? String.fromCharCode(c - 0x60) : ch;
  }
  return out;
}

/** ASCII digits, letters, hyphen and some punctuation → full width (1-2 → １－２). */
export function toFullWidth(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === " ") out += "　";
    else if (ch === "-") out += "－";
    else if (c >= 0x21 && c <= 0x7e) out += String.fromCharCode(c + 0xfee0);
    else out += ch;
  }
  return out;
}

/** Digits only → full width; letters and punctuation kept. */
export function fullWidthDigits(s: string): string {
  return s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
}

const KANJI_DIGITS = "〇一二三四五六七八九";

/** 1–99 as kanji numerals (一, 十二, 二十三). */
export function kanjiNumber(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) return String(n);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return (tens === 0 ? "" : tens === 1 ? "十" : KANJI_DIGITS[tens]! + "十") + (ones === 0 ? "" : KANJI_DIGITS[ones]!);
}

/** Hepburn spellings of a romaji with macrons: passport (Ō → O), wāpuro (OU), "oh" style, and with macrons. */
export type RomajiStyle = "passport" | "wapuro" | "oh" | "macron";

export function romaji(s: string, style: RomajiStyle): string {
  switch (style) {
    case "macron":
      return s;
    case "passport":
      return s.replace(/[ōŌ]/g, (c) => (c === "ō" ? "o" : "O")).replace(/[ūŪ]/g, (c) => (c === "ū" ? "u" : "U"));
    case "wapuro":
      return s.replace(/[ōŌ]/g, (c) => (c === "ō" ? "ou" : "Ou")).replace(/[ūŪ]/g, (c) => (c === "ū" ? "uu" : "Uu"));
    case "oh":
      // "oh" only at the end of a syllable before a consonant or at the end (Satoh, Ohta); ū stays u
      return s.replace(/ō/g, "oh").replace(/Ō/g, "Oh").replace(/[ūŪ]/g, (c) => (c === "ū" ? "u" : "U"));
  }
}

/** ASCII folding for handles and e-mail local parts (Satō → sato). */
export function asciiLower(s: string): string {
  return romaji(s, "passport").toLowerCase().replace(/[^a-z0-9]/g, "");
}
