import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  foldKanjiVariants,
  KANJI_VARIANT_COUNT,
  kanjiNumeralsToDigits,
  kanjiVariantPairs,
  nfkc,
  normalizeHyphens,
  parseJapaneseNumber,
  stripVariationSelectors,
} from "./text.ts";

test("the variant table folds the name variants people actually write", () => {
  const cases: Array<[string, string]> = [
    ["髙橋", "高橋"],
    ["山﨑", "山崎"],
    ["渡邊", "渡辺"],
    ["渡邉", "渡辺"],
    ["齋藤", "斎藤"],
    ["齊藤", "斎藤"],
    ["斉藤", "斎藤"],
    ["澤田", "沢田"],
    ["濱田", "浜田"],
    ["國分", "国分"],
    ["櫻井", "桜井"],
    ["廣瀬", "広瀬"],
    ["德永", "徳永"],
    ["嶋田", "島田"],
    ["𠮷田", "吉田"],
    ["冨田", "富田"],
    ["瀧本", "滝本"],
    ["槇原", "槙原"],
  ];
  for (const [variant, folded] of cases) assert.equal(foldKanjiVariants(nfkc(variant)), folded, variant);
  assert.ok(KANJI_VARIANT_COUNT >= 300, `table has ${KANJI_VARIANT_COUNT} pairs`);
});

test("the variant table is idempotent, single code points, and stable under NFKC", () => {
  const pairs = kanjiVariantPairs();
  const keys = new Set(pairs.map(([k]) => k));
  for (const [k, v] of pairs) {
    assert.equal([...k].length, 1, `key ${k}`);
    assert.equal([...v].length, 1, `value ${v}`);
    assert.ok(!keys.has(v), `${k}→${v} but ${v} is itself folded`);
    assert.equal(k.normalize("NFKC"), k, `${k} is changed by NFKC, the table would never see it`);
    assert.notEqual(k, v);
  }
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...pairs.map(([k]) => k), "田", "中", "a", " ") }), (s) => {
      const once = foldKanjiVariants(s);
      assert.equal(foldKanjiVariants(once), once);
    }),
  );
});

test("NFKC folds widths and compatibility ideographs; variation selectors are dropped", () => {
  assert.equal(nfkc("ＡＢＣ　１２３"), "ABC 123");
  assert.equal(nfkc("ﾔﾏﾀﾞ"), "ヤマダ");
  assert.equal(nfkc("\uFA10"), "塚"); // compatibility 塚
  assert.equal(stripVariationSelectors("辻\u{E0100}"), "辻");
  assert.equal(nfkc("葛\u{E0100}飾"), "葛飾");
});

test("kanji numerals read as numbers", () => {
  const cases: Array<[string, number | null]> = [
    ["三", 3],
    ["十", 10],
    ["十二", 12],
    ["二十", 20],
    ["二十三", 23],
    ["百五", 105],
    ["千二百三十四", 1234],
    ["一〇一", 101],
    ["七九〇", 790],
    ["壱", 1],
    ["弐拾", 20],
    ["参", 3],
    ["廿", 20],
    ["42", 42],
    ["十百", null],
    ["", null],
    ["山", null],
  ];
  for (const [s, n] of cases) assert.equal(parseJapaneseNumber(s), n, s);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9999 }), (n) => {
      const digits = "〇一二三四五六七八九";
      const kanji = (v: number): string => {
        let out = "";
        const th = Math.floor(v / 1000), h = Math.floor((v % 1000) / 100), t = Math.floor((v % 100) / 10), o = v % 10;
        if (th) out += (th > 1 ? digits[th] : "") + "千";
        if (h) out += (h > 1 ? digits[h] : "") + "百";
        if (t) out += (t > 1 ? digits[t] : "") + "十";
        if (o) out += digits[o];
        return out;
      };
      assert.equal(parseJapaneseNumber(kanji(n)), n);
    }),
  );
  assert.equal(kanjiNumeralsToDigits("北一条西二丁目"), "北1条西2丁目");
});

test("hyphen forms become one, and ー only between numbers", () => {
  assert.equal(normalizeHyphens(nfkc("1－2‐3−4―5")), "1-2-3-4-5");
  assert.equal(normalizeHyphens("1ー2ｰ3"), "1-2-3");
  assert.equal(normalizeHyphens("センター1ー2"), "センター1-2");
  assert.equal(normalizeHyphens("三ー五"), "三-五");
});
