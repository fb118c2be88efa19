// Small formatting helpers the report generators share: Japan time, lengths in characters (code
// points, as XML Schema and the forms count them), exact decimals. Pure.
import { formatMoney, MONEY_DECIMALS, type Money } from "../contracts/money.ts";

const JST_OFFSET_MS = 9 * 3_600_000;

/** The wall-clock parts of an instant in Japan (UTC+9, no daylight saving). */
export function jstParts(iso: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`not a timestamp: ${JSON.stringify(iso)}`);
  const d = new Date(ms + JST_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

const p2 = (n: number) => String(n).padStart(2, "0");

/** `2024-05-01T13:45:00`: Japan local time without an offset (goAML's sql_date). */
export function jstDateTime(iso: string): string {
  const t = jstParts(iso);
  return `${String(t.year).padStart(4, "0")}-${p2(t.month)}-${p2(t.day)}T${p2(t.hour)}:${p2(t.minute)}:${p2(t.second)}`;
}

/** `2024-05-01`: the Japan date of an instant. */
export function jstDate(iso: string): string {
  return jstDateTime(iso).slice(0, 10);
}

/** `2024年5月1日 13:45` */
export function jstJapanese(iso: string): string {
  const t = jstParts(iso);
  return `${t.year}年${t.month}月${t.day}日 ${p2(t.hour)}:${p2(t.minute)}`;
}

/** `2024年5月1日` from `2024-05-01`. */
export function japaneseDate(ymd: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) throw new RangeError(`not a date: ${JSON.stringify(ymd)}`);
  return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`;
}

/** Length in code points. */
export const charLength = (s: string): number => [...s].length;

/** At most `max` code points. */
export function cut(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max).join("");
}

/** A decimal with at most `digits` fractional digits (truncated toward zero), no exponent. */
export function decimalText(m: Money, digits = MONEY_DECIMALS): string {
  const scale = 10n ** BigInt(MONEY_DECIMALS - digits);
  return formatMoney(((m / scale) * scale) as Money);
}

/**
 * An xs:decimal that every schema validator takes: at most `maxFrac` fractional digits and at most 24
 * digits in all (libxml2's limit), truncating the smallest fractional digits when needed.
 */
export function xsDecimal(m: Money, maxFrac = MONEY_DECIMALS): string {
  const abs = m < 0n ? -m : m;
  const wholeDigits = (abs / 10n ** BigInt(MONEY_DECIMALS)).toString().length;
  return decimalText(m, Math.max(0, Math.min(maxFrac, 24 - wholeDigits)));
}

/** `1,234,567.5` (grouped thousands, exact). */
export function groupedDecimal(m: Money, digits = MONEY_DECIMALS): string {
  const s = decimalText(m, digits);
  const negative = s.startsWith("-");
  const body = negative ? s.slice(1) : s;
  const [whole, frac] = body.split(".") as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${frac ? "." + frac : ""}`;
}

/** Yen, rounded half up to whole yen, grouped: `1,950,000円`. */
export function yenText(m: Money): string {
  const scale = 10n ** BigInt(MONEY_DECIMALS);
  const negative = m < 0n;
  const abs = negative ? -m : m;
  const whole = (abs + scale / 2n) / scale;
  return `${negative ? "-" : ""}${whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")}円`;
}
