import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { corporateCheckDigit, isValidCorporateNumber, normalizeCorporateNumber, normalizeDate, normalizeEmail } from "./misc.ts";

test("e-mail: trimmed, width-folded, lower-cased; the local part otherwise untouched", () => {
  assert.equal(normalizeEmail("  Taro.Yamada+kyc@Example.CO.JP "), "taro.yamada+kyc@example.co.jp");
  assert.equal(normalizeEmail("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"), "taro@example.jp");
  assert.equal(normalizeEmail("mailto:a@example.com"), "a@example.com");
  assert.equal(normalizeEmail("a.b.c@example.com"), "a.b.c@example.com", "dots are kept");
  assert.equal(normalizeEmail("user@例え.jp"), "user@xn--r8jz45g.jp");
  for (const bad of ["", "no-at-sign", "@example.com", "a@", "a b@example.com", "a@example", "a..b@example.com", "a@-example.com"]) {
    assert.equal(normalizeEmail(bad), null, bad);
  }
});

test("dates: Gregorian and Japanese era writings to ISO", () => {
  const cases: Array<[string, string]> = [
    ["1985/4/1", "1985-04-01"],
    ["1985-04-01", "1985-04-01"],
    ["1985.4.1", "1985-04-01"],
    ["19850401", "1985-04-01"],
    ["1985年4月1日", "1985-04-01"],
    ["１９８５年４月１日", "1985-04-01"],
    ["昭和60年4月1日", "1985-04-01"],
    ["昭和六十年四月一日", "1985-04-01"],
    ["S60.4.1", "1985-04-01"],
    ["s60/4/1", "1985-04-01"],
    ["昭60.4.1", "1985-04-01"],
    ["昭和64年1月7日", "1989-01-07"],
    ["平成元年1月8日", "1989-01-08"],
    ["H1.1.8", "1989-01-08"],
    ["平成31年4月30日", "2019-04-30"],
    ["令和元年5月1日", "2019-05-01"],
    ["R5.5.1", "2023-05-01"],
    ["大正15年12月24日", "1926-12-24"],
    ["昭和元年12月25日", "1926-12-25"],
    ["明治45年7月29日", "1912-07-29"],
    ["1985年4月1日生", "1985-04-01"],
    ["2000/2/29", "2000-02-29"],
  ];
  for (const [input, iso] of cases) assert.equal(normalizeDate(input), iso, input);
});

test("dates outside their era, impossible or ambiguous give null", () => {
  for (const bad of [
    "昭和64年1月8日", // 平成 had begun
    "平成31年5月1日", // 令和 had begun
    "令和1年4月30日",
    "昭和65年1月1日",
    "1985/2/30",
    "1900/2/29",
    "85/4/1", // two-digit year
    "4/1/1985", // month-first or day-first?
    "明治5年1月1日", // lunar calendar
    "S0.1.1",
    "",
    "yesterday",
  ]) {
    assert.equal(normalizeDate(bad), null, bad);
  }
});

test("corporate numbers: check digit of real numbers, and every one-digit error is caught", () => {
  // 国税庁 and a listed company, as published on the 法人番号公表サイト.
  assert.equal(isValidCorporateNumber("7000012050002"), true);
  assert.equal(isValidCorporateNumber("1180301018771"), true);
  assert.equal(normalizeCorporateNumber("7-0000-1205-0002"), "7000012050002");
  assert.equal(normalizeCorporateNumber("７０００－０１２０５０００２".replace("－", "")), "7000012050002");
  assert.equal(normalizeCorporateNumber("8000012050002"), null);
  assert.equal(normalizeCorporateNumber("700001205000"), null);
  assert.throws(() => corporateCheckDigit("123"), /12 digits/);
  fc.assert(
    fc.property(fc.stringMatching(/^[0-9]{12}$/), fc.integer({ min: 0, max: 11 }), fc.integer({ min: 1, max: 9 }), (base, pos, delta) => {
      const good = `${corporateCheckDigit(base)}${base}`;
      assert.equal(isValidCorporateNumber(good), true);
      const d = (Number(base[pos]) + delta) % 10;
      const changed = base.slice(0, pos) + String(d) + base.slice(pos + 1);
      // Changing one digit by anything other than ±9 (impossible in one digit)… is caught unless the
      // weighted difference is a multiple of 9: weight 1 and a change of 9 (0↔9) only.
      const weight = (12 - pos) % 2 === 1 ? 1 : 2;
      const diff = (d - Number(base[pos])) * weight;
      if (diff % 9 !== 0) assert.equal(isValidCorporateNumber(`${good[0]}${changed}`), false);
    }),
  );
});
