// Japanese telephone numbers to E.164 (+81 and the national number without its trunk 0).
//
// Accepted: domestic writing with any separators and widths (090-1234-5678, (03)1234-5678,
// ０３－１２３４－５６７８, 03.1234.5678), international writing (+81 90 1234 5678, +81 (0)90…,
// 81-90-1234-5678, 0081…, 010-81… from a Japanese line). Numbers of another country, local numbers
// without an area code, and digit strings of the wrong length for their kind give null.
import { nfkc } from "./text.ts";

/** The `kanshi normalize phone` output line (CONTRACT.md). */
export interface PhoneParts {
  input: string;
  e164: string | null;
}

export type PhoneKind = "mobile" | "ip" | "m2m" | "pager" | "freephone" | "shared-cost" | "landline";

/** Kind and length (national significant number, without the trunk 0) by prefix. */
function classify(nsn: string): { kind: PhoneKind; length: number } | null {
  if (/^[789]0/u.test(nsn)) return { kind: "mobile", length: 10 }; // 070, 080, 090
  if (/^50/u.test(nsn)) return { kind: "ip", length: 10 }; // 050
  if (/^20/u.test(nsn)) return { kind: "m2m", length: 10 }; // 020
  if (/^60/u.test(nsn)) return { kind: "pager", length: 10 }; // 060 (reserved, still a valid plan)
  if (/^120/u.test(nsn)) return { kind: "freephone", length: 9 }; // 0120-xxx-xxx
  if (/^800/u.test(nsn)) return { kind: "freephone", length: 10 }; // 0800-xxx-xxxx
  if (/^570/u.test(nsn)) return { kind: "shared-cost", length: 9 }; // 0570 ナビダイヤル
  if (/^990/u.test(nsn)) return { kind: "shared-cost", length: 9 }; // 0990 (dial Q2, closed but numbered)
  if (/^[1-9]/u.test(nsn)) return { kind: "landline", length: 9 }; // 0 + area code + subscriber = 10 digits
  return null;
}

/** The national significant number (without +81 and the trunk 0) of a Japanese number, or null. */
export function nationalNumber(raw: string): string | null {
  let s = nfkc(raw).trim();
  if (s === "") return null;
  // Extensions ("内線", "ext.", "x123") are not part of the number.
  s = s.replace(/\s*(?:内線|ext\.?|x|#)\s*[0-9]+\s*$/iu, "");
  if (/[^0-9+\-().\s/]/u.test(s)) return null; // letters or other symbols: not a phone number
  const plus = s.trimStart().startsWith("+");
  // "+81 (0)90…": the trunk 0 in brackets after the country code is dropped.
  s = s.replace(/^\+?\s*81\s*\(\s*0\s*\)/u, "+81");
  let digits = s.replace(/[^0-9]/gu, "");
  if (plus) {
    if (!digits.startsWith("81")) return null; // another country
    digits = digits.slice(2);
    if (digits.startsWith("0")) digits = digits.slice(1); // "+81 090…", written by mistake
  } else if (digits.startsWith("0081")) digits = digits.slice(4);
  else if (digits.startsWith("01081")) digits = digits.slice(5);
  else if (digits.startsWith("00")) return null; // another country through an international prefix
  else if (digits.startsWith("0")) digits = digits.slice(1);
  else if (digits.startsWith("81")) {
    digits = digits.slice(2);
    if (digits.startsWith("0")) digits = digits.slice(1);
  } else return null; // no trunk prefix nor country code: a local number without area code
  const c = classify(digits);
  if (!c || digits.length !== c.length) return null;
  return digits;
}

/** E.164 (`+819012345678`) for a Japanese number, or null when it cannot be read as one. */
export function normalizePhone(raw: string): string | null {
  const nsn = nationalNumber(raw);
  return nsn === null ? null : `+81${nsn}`;
}

/** The kind of a Japanese number (mobile, landline, freephone…), or null. */
export function phoneKind(raw: string): PhoneKind | null {
  const nsn = nationalNumber(raw);
  return nsn === null ? null : (classify(nsn)?.kind ?? null);
}

/** Contract-level normaliser for one line. */
export function normalizePhoneLine(line: string): PhoneParts {
  return { input: line, e164: normalizePhone(line) };
}
