import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { createHash } from "node:crypto";
import { BlindHasher, BlindMac, blindDigest, blindIndex, sha256Hex } from "./blind.ts";
import { compareNames, compareUnits, F_ADDRESS, F_DOB, F_FAMILY, F_GIVEN, F_PHONE, FIELDS, jaroWinkler, levelsOfPattern, PairComparer } from "./compare.ts";
import { datesOneSlipAway, familyLexicon, prepareRecord, splitWithLexicon, type PreparedRecord } from "./prepare.ts";
import type { IdentityRecord } from "./record.ts";
import { RecordTable } from "./table.ts";

const key = new Uint8Array(32).fill(7);
const prep = (r: Omit<IdentityRecord, "recordId" | "source"> & { recordId?: string }, i = 0): PreparedRecord =>
  prepareRecord({ recordId: r.recordId ?? `r${i}`, source: "test", ...r }, { key });

/** Levels of a pair through the table comparer (what linkage runs). */
function comparePair(a: PreparedRecord, b: PreparedRecord): Int8Array {
  const t = new RecordTable();
  t.add(a);
  t.add(b);
  const c = new PairComparer(t);
  c.compare(0, 1);
  return Int8Array.from(c.levels);
}

test("blindIndex is HMAC-SHA256 over field, NUL and value; fields never collide", () => {
  const expected = createHmac("sha256", key).update(Buffer.from("phone\u0000+819012345678", "utf8")).digest("base64url");
  assert.equal(blindIndex(key, "phone", "+819012345678"), expected);
  assert.notEqual(blindIndex(key, "phone", "x"), blindIndex(key, "email", "x"));
  assert.throws(() => blindIndex(new Uint8Array(8), "phone", "x"), /at least 16 bytes/);
  assert.throws(() => blindIndex(key, "a\u0000b", "c"), /NUL/);
  assert.notEqual(blindIndex(key, "phone", "1"), blindIndex(new Uint8Array(32).fill(8), "phone", "1"), "another key, another index");
  // The digest linkage keeps is the index's first 48 bits.
  assert.equal(blindDigest(key, "phone", "+819012345678"), Buffer.from(blindIndex(key, "phone", "+819012345678"), "base64url").readUIntBE(0, 6));
});

test("BlindMac (precomputed key blocks, no allocation) gives exactly node:crypto's HMAC", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 100 }), fc.constantFrom("phone", "address.full", "dateOfBirth"), fc.string({ unit: "binary", maxLength: 120 }), (k, field, value) => {
      assert.equal(new BlindMac(k).digest48(field, value), blindDigest(k, field, value));
    }),
    { numRuns: 300 },
  );
  // Messages across block boundaries (55, 56, 64 bytes and more), one hasher reused.
  const k = randomBytes(32);
  const h = new BlindMac(k);
  for (let n = 0; n < 200; n++) assert.equal(h.digest48("f", "x".repeat(n)), blindDigest(k, "f", "x".repeat(n)), `length ${n}`);
  // The hasher that remembers repeated values gives the same digests.
  const memo = new BlindHasher(k);
  assert.equal(memo.digest("f", "1985-04-01"), blindDigest(k, "f", "1985-04-01"));
  assert.equal(memo.digest("f", "1985-04-01"), blindDigest(k, "f", "1985-04-01"));
  assert.throws(() => memo.digest("a\u0000b", "x"), /NUL/);
  // The entity ids' SHA-256 too.
  fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => assert.equal(sha256Hex(text), createHash("sha256").update(text).digest("hex"))), { numRuns: 200 });
});

test("dates one slip away: day and month swapped, the day one off within its month", () => {
  assert.deepEqual(datesOneSlipAway("1985-04-07"), ["1985-07-04", "1985-04-06", "1985-04-08"]);
  assert.deepEqual(datesOneSlipAway("1985-04-30"), ["1985-04-29"], "no 30 April swapped (month 30), no 31 April");
  assert.deepEqual(datesOneSlipAway("1985-04-04"), ["1985-04-03", "1985-04-05"]);
  assert.deepEqual(datesOneSlipAway("2000-03-01"), ["2000-01-03", "2000-03-02"]);
  assert.deepEqual(datesOneSlipAway("not a date"), []);
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
  assert.equal(c[F_FAMILY], 3);
  assert.equal(c[F_GIVEN], 3);
  assert.equal(c[F_DOB], 2, "equal");
  assert.equal(c[F_PHONE], 1);
  assert.equal(c[F_ADDRESS], 3);
  // No plaintext survives preparation.
  const text = JSON.stringify(a);
  for (const secret of ["1985", "9012345678", "霞が関"]) assert.ok(!text.includes(secret), `${secret} leaked into the prepared record`);
  const moved = prep({ name: "高橋 一郎", dateOfBirth: "1985-04-02", address: "東京都千代田区永田町1-7-1" }, 2);
  const m = comparePair(a, moved);
  assert.equal(m[F_DOB], 1, "a day off: near");
  assert.equal(m[F_ADDRESS], 1, "same municipality, another town");
  assert.equal(m[F_PHONE], -1, "missing on one side");
  assert.equal(comparePair(a, prep({ name: "高橋 一郎", dateOfBirth: "1985-01-04" }, 3))[F_DOB], 1, "day and month swapped: near");
  assert.equal(comparePair(a, prep({ name: "高橋 一郎", dateOfBirth: "1958-04-01" }, 4))[F_DOB], 0, "another year: different");
});

test("one whole name split in two places is the same name (foreign names of three words)", () => {
  const a = prep({ name: "NGUYEN DUC MINH", nameKana: "ｸﾞｴﾝﾄﾞｩｯｸ ﾐﾝ" }, 0);
  const b = prep({ name: "NGUYEN DUC MINH", nameKana: "グエン　ドゥック ミン" }, 1);
  const c = comparePair(a, b);
  assert.equal(c[F_FAMILY], 3);
  assert.equal(c[F_GIVEN], 3);
  assert.equal(compareNames(a, b).given, 3);
});

test("the table comparer gives the levels of the string comparators, pattern codes round-trip", () => {
  const families = [["佐藤", "サトウ"], ["佐藤", "サトオ"], ["斎藤", "サイトウ"], ["渡辺", "ワタナベ"], ["渡部", "ワタナベ"], [null, "タカハシ"], ["高橋", null]] as const;
  const givens = [["一郎", "イチロウ"], ["一朗", "イチロウ"], ["花子", "ハナコ"], [null, "ハナコ"], ["陽子", "ヨウコ"], ["優子", "ユウコ"]] as const;
  const nameOf = (f: number, g: number, spaced: boolean) => {
    const [fk, fn] = families[f % families.length]!;
    const [gk, gn] = givens[g % givens.length]!;
    const sep = spaced ? " " : "";
    const written = `${fk ?? fn}${sep}${gk ?? gn}`;
    const kana = fn && gn ? `${fn}${sep}${gn}` : undefined;
    return { name: written, ...(kana ? { nameKana: kana } : {}) };
  };
  fc.assert(
    fc.property(fc.nat(50), fc.nat(50), fc.boolean(), fc.nat(50), fc.nat(50), fc.boolean(), (f1, g1, s1, f2, g2, s2) => {
      const a = prep(nameOf(f1, g1, s1), 0);
      const b = prep(nameOf(f2, g2, s2), 1);
      const levels = comparePair(a, b);
      const want = compareNames(a, b);
      assert.equal(levels[F_FAMILY], want.family ?? -1);
      assert.equal(levels[F_GIVEN], want.given ?? -1);
    }),
    { numRuns: 400 },
  );
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -1, max: 3 }), { minLength: FIELDS.length, maxLength: FIELDS.length }), (levels) => {
      let code = 0;
      for (let f = FIELDS.length - 1; f >= 0; f--) code = code * 5 + ((levels[f] ?? -1) + 1);
      assert.deepEqual([...levelsOfPattern(code)], levels);
    }),
  );
});
