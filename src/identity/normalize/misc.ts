// E-mail addresses, dates (Gregorian and Japanese era), and corporate numbers (法人番号).
import { domainToASCII } from "node:url";
import { nfkc, parseJapaneseNumber } from "./text.ts";

// ---------------------------------------------------------------------------------------------
// E-mail

/**
 * An e-mail address trimmed, width-folded (NFKC: ＠ and full-width letters typed on a Japanese
 * keyboard), and lower-cased as a whole; an internationalised domain is turned into its ASCII
 * (punycode) form. The local part is otherwise left alone: dots and "+tags" are kept, because only
 * some providers ignore them and merging two mailboxes by guess would link two people. Lower-casing
 * the local part is a deliberate simplification (RFC 5321 allows case-sensitive local parts; no
 * Japanese provider uses them). Null when it is not shaped like local@domain.tld.
 */
export function normalizeEmail(raw: string): string | null {
  const s = nfkc(raw).trim().replace(/^mailto:/iu, "");
  const at = s.lastIndexOf("@");
  if (at <= 0 || at === s.length - 1) return null;
  const local = s.slice(0, at);
  const domainRaw = s.slice(at + 1).replace(/\.$/u, "");
  if (/[\s@<>()[\],;:"]/u.test(local) || local.length > 64) return null;
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return null;
  // An ASCII domain without punycode labels, whose last label is not a number (which WHATWG reads
  // as IPv4), is its own ASCII form; domainToASCII is slow.
  const lower = domainRaw.toLowerCase();
  const tld = lower.slice(lower.lastIndexOf(".") + 1);
  const plain = /^[a-z0-9.-]+$/u.test(lower) && !lower.includes("xn--") && /[a-z]/u.test(tld) && !/^0x[0-9a-f]*$/u.test(tld);
  const domain = plain ? lower : domainToASCII(lower);
  if (domain === "" || !/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/u.test(domain)) return null;
  return `${local.toLowerCase()}@${domain}`;
}

// ---------------------------------------------------------------------------------------------
// Dates

interface Era {
  names: readonly string[];
  /** The Gregorian year of the era's first year (元年). */
  year1: number;
  /** First day of the era. */
  start: readonly [number, number, number];
  /** Last day of the era (inclusive), or null for the current one. */
  end: readonly [number, number, number] | null;
}

const ERAS: readonly Era[] = [
  { names: ["明治", "明", "M"], year1: 1868, start: [1873, 1, 1], end: [1912, 7, 29] },
  { names: ["大正", "大", "T"], year1: 1912, start: [1912, 7, 30], end: [1926, 12, 24] },
  { names: ["昭和", "昭", "S"], year1: 1926, start: [1926, 12, 25], end: [1989, 1, 7] },
  { names: ["平成", "平", "H"], year1: 1989, start: [1989, 1, 8], end: [2019, 4, 30] },
  { names: ["令和", "令", "R"], year1: 2019, start: [2019, 5, 1], end: null },
];
// Japan adopted the Gregorian calendar on 明治6年1月1日 (1873-01-01); month and day of earlier era
// dates are lunar and cannot be converted by arithmetic, so 明治 is accepted from 明治6年 only.

const NUMBER = "([0-9]+|[〇一二三四五六七八九十百千]+|元)";

function ymdValid(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return false;
  if (m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

function cmp(a: readonly [number, number, number], b: readonly [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function iso(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  if (s === "元") return 1;
  return parseJapaneseNumber(s);
}

/**
 * A date of birth or any calendar date to ISO `YYYY-MM-DD`: `1985/4/1`, `1985-04-01`, `1985.4.1`,
 * `19850401`, `1985年4月1日`, `昭和60年4月1日`, `昭和六十年四月一日`, `S60.4.1`, `S60/4/1`, `平成元年1月8日`,
 * `H1.1.8`, `R5.5.1`, full-width digits. An era date outside its era (`昭和65年`, `平成31年5月1日`) and
 * impossible dates (`2月30日`) give null, as do two-digit years and day-first writings, which are
 * ambiguous.
 */
export function normalizeDate(raw: string): string | null {
  let s = nfkc(raw).trim().replace(/\s+/gu, "");
  s = s.replace(/(?:生まれ|生|\([^)]*\))$/u, ""); // "…日生", a weekday in brackets
  // Gregorian.
  let m = /^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})$/u.exec(s) ?? /^([0-9]{4})([0-9]{2})([0-9]{2})$/u.exec(s);
  if (!m) m = new RegExp(`^(?:西暦)?([0-9]{4})年${NUMBER}月${NUMBER}日$`, "u").exec(s);
  if (m) {
    const y = Number(m[1]);
    const mo = num(m[2]);
    const d = num(m[3]);
    if (mo === null || d === null || !ymdValid(y, mo, d)) return null;
    return iso(y, mo, d);
  }
  // Japanese era.
  for (const era of ERAS) {
    for (const name of era.names) {
      if (!s.toUpperCase().startsWith(name)) continue;
      const rest = s.slice(name.length);
      const em =
        new RegExp(`^${NUMBER}年${NUMBER}月${NUMBER}日$`, "u").exec(rest) ??
        /^([0-9]{1,2}|元)[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})$/u.exec(rest);
      if (!em) continue;
      const ey = num(em[1]);
      const mo = num(em[2]);
      const d = num(em[3]);
      if (ey === null || mo === null || d === null || ey < 1) return null;
      const y = era.year1 + ey - 1;
      if (!ymdValid(y, mo, d)) return null;
      const date: [number, number, number] = [y, mo, d];
      if (cmp(date, era.start) < 0 || (era.end !== null && cmp(date, era.end) > 0)) return null;
      return iso(y, mo, d);
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Corporate number (法人番号)

/**
 * The check digit of a corporate number's 12-digit base (法人番号の指定等に関する省令 第2条):
 * 9 − (Σ Pn × Qn mod 9), where Pn is the n-th digit counted from the right and Qn is 1 for odd n,
 * 2 for even n.
 */
export function corporateCheckDigit(base12: string): number {
  if (!/^[0-9]{12}$/u.test(base12)) throw new Error("corporateCheckDigit: expected 12 digits");
  let sum = 0;
  for (let n = 1; n <= 12; n++) {
    const p = Number(base12[12 - n]);
    sum += p * (n % 2 === 1 ? 1 : 2);
  }
  return 9 - (sum % 9);
}

/** True when the 13 digits carry a correct check digit (the first digit). */
export function isValidCorporateNumber(digits13: string): boolean {
  return /^[0-9]{13}$/u.test(digits13) && Number(digits13[0]) === corporateCheckDigit(digits13.slice(1));
}

/** A corporate number as 13 digits (separators and full-width digits removed) when its check digit
 *  is right; null otherwise. */
export function normalizeCorporateNumber(raw: string): string | null {
  const s = nfkc(raw).trim().replace(/[\s-]/gu, "");
  return isValidCorporateNumber(s) ? s : null;
}
