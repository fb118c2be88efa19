import { test } from "node:test";
import assert from "node:assert/strict";
import {
  foldRomaji,
  hiraganaToKatakana,
  kanaToFoldedRomaji,
  katakanaToHiragana,
  latinToKatakana,
  looseKanaKey,
  toReadingKatakana,
} from "./kana.ts";
import { normalizeNameLineWith, normalizeNameRecord, normalizeWrittenName, splitNameLine, writtenNameKey, type ReadingProvider } from "./name.ts";

test("hiragana and katakana convert both ways; half width and spaces fold in readings", () => {
  assert.equal(hiraganaToKatakana("やまだ たろう"), "ヤマダ タロウ");
  assert.equal(katakanaToHiragana("ヤマダ"), "やまだ");
  assert.equal(toReadingKatakana("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダタロウ");
  assert.equal(toReadingKatakana("やまだ　たろう"), "ヤマダタロウ");
  assert.equal(toReadingKatakana("ジョン・スミス"), "ジョンスミス");
});

test("the loose kana key meets bank-style large kana, the long-vowel mark and old kana", () => {
  assert.equal(looseKanaKey("ｷﾖｳｺ"), looseKanaKey("きょうこ"));
  assert.equal(looseKanaKey("ユーコ"), looseKanaKey("ゆうこ"));
  assert.equal(looseKanaKey("オーノ"), looseKanaKey("おおの"));
  assert.equal(looseKanaKey("ヂ"), looseKanaKey("ジ"));
  assert.equal(looseKanaKey("ヅ"), looseKanaKey("ズ"));
  assert.notEqual(looseKanaKey("サトウ"), looseKanaKey("サイトウ"));
});

test("folded romaji: one key for the Hepburn, Kunrei and passport spellings of one reading", () => {
  const groups: string[][] = [
    ["Ōno", "Ohno", "Oono", "ONO", "Ôno", "おおの", "オーノ"],
    ["Satō", "Satoh", "Satou", "SATO", "さとう"],
    ["Itō", "Itoh", "ITO", "いとう"],
    ["Yūko", "Yuuko", "Yuko", "ゆうこ", "ユーコ"],
    ["Shinbashi", "Shimbashi", "Sinbasi", "しんばし"],
    ["Tsuyoshi", "Tuyosi", "つよし"],
    ["Chieko", "Tieko", "ちえこ"],
    ["Junko", "Zyunko", "Jyunko", "じゅんこ"],
    ["Fujita", "Huzita", "Hujita", "ふじた", "ふぢた"],
    ["Shin'ichi", "Shinichi", "しんいち"],
    ["Kyōko", "Kyoko", "Kyouko", "きょうこ"],
    ["Hatchōbori", "Hacchobori", "はっちょうぼり"],
    ["Homma", "Honma", "ほんま"],
  ];
  for (const group of groups) {
    const keys = group.map((s) => (/[a-zA-Zōôū]/u.test(s) ? foldRomaji(s) : kanaToFoldedRomaji(s)));
    assert.equal(new Set(keys).size, 1, `${group.join(" / ")} → ${keys.join(" / ")}`);
  }
  assert.notEqual(foldRomaji("Sato"), foldRomaji("Saito"));
  assert.notEqual(foldRomaji("Ohashi"), foldRomaji("Oshi")); // oh before a vowel is not a long o
  assert.equal(foldRomaji("Ohashi"), "ohashi");
});

test("romanised names become katakana", () => {
  assert.equal(latinToKatakana("yamada"), "ヤマダ");
  assert.equal(latinToKatakana("Ōno"), "オウノ");
  assert.equal(latinToKatakana("Ohno"), "オオノ");
  assert.equal(latinToKatakana("Shin'ichi"), "シンイチ");
  assert.equal(latinToKatakana("Homma"), "ホンマ");
  assert.equal(latinToKatakana("Smith"), null);
});

test("written names: NFKC, variants folded, one space between the parts", () => {
  assert.equal(normalizeWrittenName("髙橋　一郎"), "高橋 一郎");
  assert.equal(normalizeWrittenName("  渡邉   美由紀 "), "渡辺 美由紀");
  assert.equal(normalizeWrittenName("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ タロウ");
  assert.equal(writtenNameKey("齋藤 翔太"), writtenNameKey("斉藤翔太"));
});

test("a name record gives kanji, reading and romaji, with family and given when they show", () => {
  const a = normalizeNameRecord("髙橋　一郎", "たかはし いちろう");
  assert.deepEqual(
    { kanji: a.kanji, kana: a.kana, romaji: a.romaji },
    { kanji: "高橋 一郎", kana: "タカハシイチロウ", romaji: "takahashiichiro" },
  );
  assert.deepEqual(a.family, { kanji: "高橋", kana: "タカハシ", romaji: "takahashi" });
  assert.deepEqual(a.given, { kanji: "一郎", kana: "イチロウ", romaji: "ichiro" });

  // Kana only, in the name field.
  const b = normalizeNameRecord("やまだ たろう");
  assert.equal(b.kanji, null);
  assert.equal(b.kana, "ヤマダタロウ");
  assert.equal(b.romaji, "yamadataro");

  // Half-width bank kana.
  assert.equal(normalizeNameRecord("山田太郎", "ﾔﾏﾀﾞ ﾀﾛｳ").kana, "ヤマダタロウ");

  // Romaji in the kana field is read as a romanised name.
  assert.equal(normalizeNameRecord("山田太郎", "Yamada Taro").romaji, "yamadataro");
});

test("name order in Latin: comma, capitals, or the Western order", () => {
  const comma = normalizeNameRecord("Yamada, Taro");
  const caps = normalizeNameRecord("YAMADA Taro");
  const capsLast = normalizeNameRecord("Taro YAMADA");
  const western = normalizeNameRecord("TARO YAMADA");
  for (const n of [comma, caps, capsLast, western]) {
    assert.equal(n.romaji, "yamadataro");
    assert.equal(n.kana, "ヤマダタロ");
  }
  assert.equal(comma.family?.romaji, "yamada");
  assert.equal(caps.family?.romaji, "yamada");
  assert.equal(capsLast.family?.romaji, "yamada");
  assert.equal(western.family, null, "an assumed order is not reported as a known split");
  // The reading wins over the Latin spelling when both are given.
  assert.equal(normalizeNameRecord("大野 太郎", "おおの たろう", "Taro Ohno").romaji, "onotaro");
});

test("a line may carry the reading in brackets or in tab-separated fields", () => {
  assert.deepEqual(splitNameLine("渡邉美由紀（わたなべ みゆき）"), { name: "渡邉美由紀", kana: "わたなべ みゆき", latin: null });
  assert.deepEqual(splitNameLine("山田太郎 (Taro Yamada)"), { name: "山田太郎", kana: null, latin: "Taro Yamada" });
  assert.deepEqual(splitNameLine("山田太郎\tやまだたろう\tTaro Yamada"), { name: "山田太郎", kana: "やまだたろう", latin: "Taro Yamada" });
  assert.deepEqual(splitNameLine("山田太郎"), { name: "山田太郎", kana: null, latin: null });
});

test("the contract line: reading from the reader only when no kana was given", () => {
  const calls: string[] = [];
  const reader: ReadingProvider = {
    read: (t) => {
      calls.push(t);
      return t === "山田" ? { reading: "ヤマダ" } : t === "太郎" ? { reading: "タロウ" } : null;
    },
  };
  assert.deepEqual(normalizeNameLineWith("山田 太郎", reader), { input: "山田 太郎", kanji: "山田 太郎", kana: "ヤマダタロウ", romaji: "yamadataro" });
  assert.deepEqual(calls, ["山田", "太郎"]);
  calls.length = 0;
  assert.deepEqual(normalizeNameLineWith("髙橋 一郎（タカハシ イチロウ）", reader), {
    input: "髙橋 一郎（タカハシ イチロウ）",
    kanji: "高橋 一郎",
    kana: "タカハシイチロウ",
    romaji: "takahashiichiro",
  });
  assert.deepEqual(calls, []);
  // A reader that cannot read leaves the reading null instead of guessing.
  assert.deepEqual(normalizeNameLineWith("鬮 太郎", reader), { input: "鬮 太郎", kanji: "鬮 太郎", kana: null, romaji: null });
  assert.deepEqual(normalizeNameLineWith("TARO YAMADA", null), { input: "TARO YAMADA", kanji: null, kana: "ヤマダタロ", romaji: "yamadataro" });
  assert.throws(() => normalizeNameLineWith("  ", null), /name: expected a name/);
});
