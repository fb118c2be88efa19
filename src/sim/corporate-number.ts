// 法人番号 (corporate number): 13 digits, the first a check digit over the 12-digit base number
// (National Tax Agency, 法人番号の指定等に関する省令 第2条): with P(n) the n-th digit of the base counted
// from its lowest digit and Q(n) = 1 for odd n, 2 for even n, the check digit is
// 9 − (Σ P(n) × Q(n) mod 9).
import type { Rng } from "./rng.ts";

/** The check digit of a 12-digit base number. */
export function corporateCheckDigit(base: string): number {
  if (!/^\d{12}$/.test(base)) throw new RangeError("a corporate number's base is 12 digits");
  let sum = 0;
  for (let n = 1; n <= 12; n++) {
    const p = base.charCodeAt(12 - n) - 48;
    sum += p * (n % 2 === 1 ? 1 : 2);
  }
  return 9 - (sum % 9);
}

/** True when `s` is 13 digits whose first digit is the check digit of the other twelve. */
export function isValidCorporateNumber(s: string): boolean {
  return /^\d{13}$/.test(s) && corporateCheckDigit(s.slice(1)) === s.charCodeAt(0) - 48;
}

/**
 * A synthetic corporate number. Real bases of companies are the 12-digit 会社法人等番号 of their
 * registry office (4 digits) + kind (2: 01 株式会社, 02 有限会社, 03 合名・合資・合同会社) + serial (6);
 * we draw an office code in 0100–9999, the kind, and a serial.
 */
export function syntheticCorporateNumber(rng: Rng, kind: "01" | "02" | "03"): string {
  const office = String(rng.int(100, 9999)).padStart(4, "0");
  const serial = String(rng.int(0, 999_999)).padStart(6, "0");
  const base = office + kind + serial;
  return String(corporateCheckDigit(base)) + base;
}
