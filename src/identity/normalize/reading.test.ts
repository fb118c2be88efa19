// kuromoji's dictionary loads in about 1.5 s: one load for the whole file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadKuromojiReader } from "./reading.ts";
import { normalizeNameLine } from "../index.ts";

const readerPromise = loadKuromojiReader();

test("kuromoji reads common names and tags where the family name ends", async () => {
  const reader = await readerPromise;
  const r = reader.read("山田太郎");
  assert.equal(r?.reading, "ヤマダタロウ");
  assert.deepEqual(r?.split, { familyKanji: "山田", familyKana: "ヤマダ", givenKanji: "太郎", givenKana: "タロウ" });
  assert.equal(reader.read("渡辺")?.reading, "ワタナベ");
  assert.equal(reader.read("髙"), null, "a character outside the dictionary (an unfolded variant) has no honest reading");
});

test("normalizeNameLine fills the reading from kuromoji for kanji-only lines", async () => {
  const reader = await readerPromise;
  assert.deepEqual(await normalizeNameLine("髙橋 一郎", reader), { input: "髙橋 一郎", kanji: "高橋 一郎", kana: "タカハシイチロウ", romaji: "takahashiichiro" });
  assert.deepEqual(await normalizeNameLine("斎藤翔太", reader), { input: "斎藤翔太", kanji: "斎藤翔太", kana: "サイトウショウタ", romaji: "saitoshota" });
  // No reader needed when the line has its reading.
  assert.deepEqual(await normalizeNameLine("山田 太郎（やまだ たろう）", null), { input: "山田 太郎（やまだ たろう）", kanji: "山田 太郎", kana: "ヤマダタロウ", romaji: "yamadataro" });
});

test("loading from a folder without a dictionary fails with a clear message", async () => {
  await assert.rejects(loadKuromojiReader({ dicPath: "/nonexistent-kuromoji-dict" }), /kuromoji dictionary could not be loaded/);
});
