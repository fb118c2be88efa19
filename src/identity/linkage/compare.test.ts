import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { blindIndex } from "./blind.ts";
import { compareNames, comparePair, compareUnits, F_ADDRESS, F_DOB, F_FAMILY, F_GIVEN, F_PHONE, jaroWinkler } from "./compare.ts";
import { familyLexicon, prepareRecord, splitWithLexicon, type PreparedRecord } from "./prepare.ts";
import type { IdentityRecord } from "./record.ts";

const key = new Uint8Array(32).fill(7);
const prep = (r: Omit<IdentityRecord, "recordId" | "source"> & { recordId?: string }, i = 0): PreparedRecord =>
  prepareRecord({ recordId: r.recordId ?? `r${i}`, source: "test", ...r }, i, { key });

test("blindIndex is HMAC-SHA256 over field, NUL and value; fields never collide", () => {
  const expected = createHmac("sha256", key).update(Buffer.from("phone\u0000+819012345678", "utf8")).digest("base64url");
  assert.equal(blindIndex(key, "phone", "+819012345678"), expected);
  assert.notEqual(blindIndex(key, "phone", "x"), blindIndex(key, "email", "x"));
  assert.throws(() => blindIndex(new Uint8Array(8), "phone", "x"), /at least 16 bytes/);
  assert.throws(() => blindIndex(key, "a\u0000b", "c"), /NUL/);
  assert.notEqual(blindIndex(key, "phone", "1"), blindIndex(new Uint8Array(32).fill(8), "phone", "1"), "another key, another index");
});

test("Jaro–Winkler matches the published reference values", () => {
  // Winkler (1990) examples.
  assert.ok(Math.abs(jaroWinkler("MARTHA", "MARHTA") - 0.9611) < 1e-3);
  assert.ok(Math.abs(jaroWinkler("DWAYNE", "DUANE") - 0.84) < 1e-3);
  assert.ok(Math.abs(jaroWinkler("DIXON", "DICKSONX") - 0.8133) < 1e-3);
  assert.equal(jaroWinkler("sato", "sato"), 1);
  assert.equal(jaroWinkler("", "sato"), 0);
  assert.equal(jaroWinkler("abc", "xyz"), 0);
});

test("name units: exact, folded-equal, close, different, or not comparable", () => {
  assert.equal(compareUnits({ kanji: "渡辺", kana: "ワタナベ", reading: "watanabe" }, { kanji: "渡辺", kana: "ワタナベ", reading: "watanabe" }), 3);
  // Same reading, different kanji (渡辺 / 渡部): folded-equal.
  assert.equal(compareUnits({ kanji: "渡辺", kana: "ワタナベ", reading: "watanabe" }, { kanji: "渡部", kana: "ワタナベ", reading: "watanabe" }), 2);
  // A Latin spelling against kana: folded-equal.
  assert.equal(compareUnits({ kanji: null, kana: null, reading: "ono" }, { kanji: "大野", kana: "オオノ", reading: "ono" }), 2);
  // One kana mistyped.
  assert.equal(compareUnits({ kanji: null, kana: "タカハシ", reading: "takahashi" }, { kanji: null, kana: "タカバシ", reading: "takabashi" }), 1);
  assert.equal(compareUnits({ kanji: "佐藤", kana: "サトウ", reading: "sato" }, { kanji: "鈴木", kana: "スズキ", reading: "suzuki" }), 0);
  // Kanji only against reading only: nothing to compare.
  assert.equal(compareUnits({ kanji: "佐藤", kana: null, reading: null }, { kanji: null, kana: null, reading: "sato" }), null);
  // A guessed reading that disagrees with a romanised name says nothing (亮: リョウ or アキラ).
  assert.equal(compareUnits({ kanji: "亮", kana: "アキラ", reading: "akira", guessed: true }, { kanji: null, kana: null, reading: "ryo" }), null);
});

test("names without a space are aligned to the other record's split", () => {
  const a = prep({ name: "山本 綾香", nameKana: "ヤマモト アヤカ" }, 0);
  const b = prep({ name: "山本綾香", nameKana: "ヤマモトアヤカ" }, 1);
  assert.deepEqual(compareNames(a, b).family, 3);
  assert.deepEqual(compareNames(a, b).given, 3);
  // Married: the same given name under another surname, romanised in Western order.
  const c = prep({ name: "AYAKA MURAKAMI" }, 2);
  const lex = familyLexicon([a, prep({ name: "村上 一郎", nameKana: "ムラカミ イチロウ" }, 3)]);
  const c2 = splitWithLexicon(c, lex);
  assert.equal(c2.family?.reading, "murakami");
  assert.equal(c2.given?.reading, "ayaka");
  const n = compareNames(a, c2);
  assert.equal(n.family, 0);
  assert.equal(n.given, 2);
  // Kanji split, kana not: the kana is cut where a known reading of the family kanji ends.
  const d = splitWithLexicon(prep({ name: "山本 綾香", nameKana: "ヤマモトアヤカ" }, 4), lex);
  assert.equal(d.family?.reading, "yamamoto");
  assert.equal(d.given?.reading, "ayaka");
});

test("a pair is compared field by field through blind indexes", () => {
  const a = prep({ name: "髙橋 一郎", nameKana: "たかはし いちろう", dateOfBirth: "昭和60年4月1日", phone: "090-1234-5678", address: "東京都千代田区霞が関1-3-1" }, 0);
  const b = prep({ name: "高橋 一郎", nameKana: "ﾀｶﾊｼ ｲﾁﾛｳ", dateOfBirth: "1985-04-01", phone: "+81 90 1234 5678", address: "千代田区霞が関１丁目３番１号" }, 1);
  const c = comparePair(a, b);
  assert.equal(c.levels[F_FAMILY], 3);
  assert.equal(c.levels[F_GIVEN], 3);
  assert.equal(c.levels[F_DOB], 1);
  assert.equal(c.levels[F_PHONE], 1);
  assert.equal(c.levels[F_ADDRESS], 3);
  // No plaintext survives preparation.
  const text = JSON.stringify(a);
  for (const secret of ["1985", "9012345678", "霞が関"]) assert.ok(!text.includes(secret), `${secret} leaked into the prepared record`);
  const moved = prep({ name: "高橋 一郎", dateOfBirth: "1985-04-02", address: "東京都千代田区永田町1-7-1" }, 2);
  const m = comparePair(a, moved);
  assert.equal(m.levels[F_DOB], 0);
  assert.equal(m.levels[F_ADDRESS], 1, "same municipality, another town");
  assert.equal(m.levels[F_PHONE], -1, "missing on one side");
});
