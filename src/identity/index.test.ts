// The contract-level normalisers the CLI calls, through the room's public entry point.
import { test } from "node:test";
import assert from "node:assert/strict";
import { normalizeAddressLine, normalizeNameLine, normalizePhoneLine, resolve } from "./index.ts";

test("normalizeAddressLine gives exactly the contract's fields", () => {
  assert.deepEqual(normalizeAddressLine("〒530-0005 大阪府大阪市北区中之島１丁目３番２０号"), {
    input: "〒530-0005 大阪府大阪市北区中之島１丁目３番２０号",
    prefecture: "大阪府",
    city: "大阪市北区",
    town: "中之島",
    chome: 1,
    block: "3-20",
    building: null,
  });
});

test("normalizeNameLine gives {input, kanji, kana, romaji}", async () => {
  assert.deepEqual(await normalizeNameLine("渡邉　美由紀（わたなべ みゆき）"), {
    input: "渡邉　美由紀（わたなべ みゆき）",
    kanji: "渡辺 美由紀",
    kana: "ワタナベミユキ",
    romaji: "watanabemiyuki",
  });
  assert.deepEqual(await normalizeNameLine("Yamada, Taro"), { input: "Yamada, Taro", kanji: null, kana: "ヤマダタロ", romaji: "yamadataro" });
});

test("normalizePhoneLine gives {input, e164}", () => {
  assert.deepEqual(normalizePhoneLine("(03)1234-5678"), { input: "(03)1234-5678", e164: "+81312345678" });
});

test("resolve is exported with the contract's output fields", () => {
  const out = resolve([{ recordId: "r1", source: "s", name: "山田 太郎" }]);
  assert.equal(out.length, 1);
  assert.deepEqual(Object.keys(out[0] ?? {}).slice(0, 3), ["recordId", "entityId", "confidence"]);
});
