// A fallback reading for names written only in kanji, from kuromoji's IPA dictionary. The dictionary
// is read by kuromoji from its own package folder (about 1.5 s, once); nothing here touches files.
// The reading of a rare name is a guess (陽菜 may come back as ヒサイ, not ヒナ): callers use it only
// when a record carries no kana, and linkage treats it as weaker evidence than a given reading.
import { createRequire } from "node:module";
import path from "node:path";
import kuromoji from "kuromoji";
import type { IpadicFeatures, Tokenizer } from "kuromoji";
import { hiraganaToKatakana } from "./kana.ts";
import type { NameReading, ReadingProvider } from "./name.ts";

/** The folder of kuromoji's bundled dictionary, resolved through Node's module resolution. */
export function kuromojiDictionaryPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("kuromoji/package.json")), "dict");
}

function readTokens(tokens: IpadicFeatures[]): NameReading | null {
  const words = tokens.filter((t) => t.pos_detail_1 !== "空白" && t.surface_form.trim() !== "");
  if (words.length === 0) return null;
  let reading = "";
  for (const t of words) {
    if (t.reading && t.reading !== "*") reading += t.reading;
    else if (/^[\u3041-\u3096\u30A1-\u30FCー]+$/u.test(t.surface_form)) reading += hiraganaToKatakana(t.surface_form);
    else return null; // an unknown kanji or a stray symbol: no honest reading
  }
  const out: NameReading = { reading };
  // 姓 tokens first, then the rest: that is where the family name ends.
  const firstGiven = words.findIndex((t) => t.pos_detail_3 !== "姓");
  if (firstGiven > 0 && words.slice(firstGiven).every((t) => t.pos_detail_3 !== "姓")) {
    const fam = words.slice(0, firstGiven);
    const giv = words.slice(firstGiven);
    out.split = {
      familyKanji: fam.map((t) => t.surface_form).join(""),
      familyKana: fam.map((t) => t.reading ?? hiraganaToKatakana(t.surface_form)).join(""),
      givenKanji: giv.map((t) => t.surface_form).join(""),
      givenKana: giv.map((t) => t.reading ?? hiraganaToKatakana(t.surface_form)).join(""),
    };
  }
  return out;
}

/** A ReadingProvider over an already built kuromoji tokenizer. */
export function kuromojiReader(tokenizer: Tokenizer<IpadicFeatures>): ReadingProvider {
  return { read: (text: string) => readTokens(tokenizer.tokenize(text)) };
}

/** Builds a kuromoji-backed ReadingProvider (asynchronous: kuromoji loads its dictionary). */
export function loadKuromojiReader(options: { dicPath?: string } = {}): Promise<ReadingProvider> {
  const dicPath = options.dicPath ?? kuromojiDictionaryPath();
  return new Promise((resolve, reject) => {
    kuromoji.builder({ dicPath }).build((err, tokenizer) => {
      if (err) reject(new Error(`kuromoji dictionary could not be loaded from its package folder: ${err.message}`));
      else resolve(kuromojiReader(tokenizer));
    });
  });
}

/**
 * Memoises a reader loader: the first call starts loading, later calls share the same promise; a
 * failed load is forgotten so that a later call may try again. The memo belongs to the caller
 * (index.ts keeps one for the process-wide default reader).
 */
export function memoReader(load: () => Promise<ReadingProvider>): () => Promise<ReadingProvider> {
  let pending: Promise<ReadingProvider> | null = null;
  return () => {
    pending ??= load().catch((e: unknown) => {
      pending = null;
      throw e;
    });
    return pending;
  };
}
