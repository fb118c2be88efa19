import { test } from "node:test";
import assert from "node:assert/strict";
import { nationalNumber, normalizePhone, normalizePhoneLine, phoneKind } from "./phone.ts";

test("Japanese numbers in every common writing become E.164", () => {
  const cases: Array<[string, string]> = [
    ["090-1234-5678", "+819012345678"],
    ["09012345678", "+819012345678"],
    ["０９０－１２３４－５６７８", "+819012345678"],
    ["090 1234 5678", "+819012345678"],
    ["+81 90-1234-5678", "+819012345678"],
    ["+81 (0)90 1234 5678", "+819012345678"],
    ["+81-090-1234-5678", "+819012345678"],
    ["81-90-1234-5678", "+819012345678"],
    ["819012345678", "+819012345678"],
    ["0081-90-1234-5678", "+819012345678"],
    ["010-81-90-1234-5678", "+819012345678"],
    ["(03)1234-5678", "+81312345678"],
    ["03-1234-5678", "+81312345678"],
    ["０３－１２３４－５６７８", "+81312345678"],
    ["03.1234.5678", "+81312345678"],
    ["06-6208-8181", "+81662088181"], // 大阪市役所
    ["0166-26-1111", "+81166261111"], // 旭川市役所 (4-digit area code)
    ["0120-123-456", "+81120123456"],
    ["0800-123-4567", "+818001234567"],
    ["050-1234-5678", "+815012345678"],
    ["070-1234-5678", "+817012345678"],
    ["0570-000-123", "+81570000123"],
    ["03-1234-5678 内線 123", "+81312345678"],
  ];
  for (const [input, e164] of cases) assert.equal(normalizePhone(input), e164, input);
});

test("numbers that are not Japanese or not complete give null", () => {
  for (const input of [
    "+1 212 555 0100", // United States
    "+44 20 7946 0000",
    "001-1-212-555-0100", // an international call from Japan to another country
    "1234-5678", // local number without area code
    "090-1234-567", // one digit short
    "090-1234-56789", // one digit long
    "03-1234-56789",
    "0120-123-4567",
    "abc",
    "090-ABCD-5678",
    "",
  ]) {
    assert.equal(normalizePhone(input), null, input);
  }
});

test("kind and national number", () => {
  assert.equal(phoneKind("090-1234-5678"), "mobile");
  assert.equal(phoneKind("03-1234-5678"), "landline");
  assert.equal(phoneKind("0120-123-456"), "freephone");
  assert.equal(nationalNumber("(03)1234-5678"), "312345678");
});

test("the contract line keeps the input", () => {
  assert.deepEqual(normalizePhoneLine("090-1234-5678"), { input: "090-1234-5678", e164: "+819012345678" });
  assert.deepEqual(normalizePhoneLine("+1 212 555 0100"), { input: "+1 212 555 0100", e164: null });
});
