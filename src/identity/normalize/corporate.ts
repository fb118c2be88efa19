// Corporate names: the legal form (株式会社, (株), 合同会社, カブシキガイシャ, Co., Ltd. …) split from the
// name, before or after it, so that one company written three ways compares as one name. The forms
// are data (data/legal-forms.json).
import forms from "../data/legal-forms.json" with { type: "json" };
import { toReadingKatakana } from "./kana.ts";
import { collapseSpaces, nfkc } from "./text.ts";

/** Written forms after NFKC (㈱ and （株） are (株)), longest first. */
const WRITTEN: readonly string[] = forms.forms.flatMap((f) => f.written.map((w) => nfkc(w))).sort((a, b) => b.length - a.length);
/** Kana readings, longest first. */
const KANA: readonly string[] = forms.forms.flatMap((f) => f.kana).sort((a, b) => b.length - a.length);
/** Latin suffixes as compared: lower case, without dots, commas and spaces; longest first. */
const LATIN: readonly string[] = [...new Set(forms.latin.map(latinKey))].sort((a, b) => b.length - a.length);

function latinKey(s: string): string {
  return s.toLowerCase().replace(/[.,\s]/gu, "");
}

/** A name and the legal form split from it (null when none was written). */
export interface LegalFormSplit {
  /** The name without its legal form, trimmed; the input when no form was found. */
  stem: string;
  form: string | null;
}

function stripAt(text: string, candidates: readonly string[]): LegalFormSplit {
  for (const f of candidates) {
    if (text.length > f.length && text.startsWith(f)) return { stem: text.slice(f.length).trim(), form: f };
    if (text.length > f.length && text.endsWith(f)) return { stem: text.slice(0, -f.length).trim(), form: f };
  }
  return { stem: text, form: null };
}

/** The legal form of a written company name (株式会社翠アセット, (株)翠アセット, 翠アセット㈱), split off. */
export function splitLegalForm(name: string): LegalFormSplit {
  return stripAt(collapseSpaces(nfkc(name)), WRITTEN);
}

/** The same for a kana reading (カブシキガイシャミドリアセット → ミドリアセット), as katakana without spaces. */
export function splitLegalFormKana(kana: string): LegalFormSplit {
  return stripAt(toReadingKatakana(kana), KANA);
}

/** The same for a Latin name (MIDORI ASSET CO., LTD. → MIDORI ASSET); suffixes only. */
export function splitLegalFormLatin(latin: string): LegalFormSplit {
  const text = collapseSpaces(nfkc(latin));
  // The longest tail of whole words that is a form (so "Co., Ltd." wins over "Ltd.").
  for (let cut = 1; cut < text.length; cut++) {
    if (!/[\s,]/u.test(text[cut - 1] ?? "") && !/^[\s,]/u.test(text.slice(cut))) continue;
    const tail = latinKey(text.slice(cut));
    if (tail !== "" && LATIN.includes(tail)) {
      const stem = text.slice(0, cut).replace(/[\s,]+$/u, "");
      if (stem !== "") return { stem, form: text.slice(cut).trim() };
    }
  }
  return { stem: text, form: null };
}
