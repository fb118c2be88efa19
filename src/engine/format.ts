// How figures read in explanations: "¥1,950,000", "1,200,000.5 XEM", "12.4%", "3.2 hours".
// Formatting is for people only; decisions are taken on exact bigints before any of this runs.
import { formatJpy, formatMoney, MONEY_SCALE, ratio, type Money } from "../contracts/index.ts";

export { formatJpy };

const group = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** An exact quantity with thousands separators: `1,200,000.5`. */
export function formatQuantity(m: Money | bigint): string {
  const s = formatMoney(m);
  const neg = s.startsWith("-");
  const body = neg ? s.slice(1) : s;
  const dot = body.indexOf(".");
  const whole = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? "" : body.slice(dot);
  return `${neg ? "-" : ""}${group(whole)}${frac}`;
}

/** A fraction as a percentage with one decimal: 0.1243 → "12.4%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return "∞%";
  return `${(fraction * 100).toFixed(1)}%`;
}

/** A configured fraction as a short percentage: 0.05 → "5%", 0.125 → "12.5%". */
export function formatShare(fraction: number): string {
  return `${Number((fraction * 100).toFixed(4))}%`;
}

/** a / b for reporting, rounded to 6 decimals (JSON-friendly). */
export function share(a: Money | bigint, b: Money | bigint): number {
  const r = ratio(a as Money, b as Money);
  return Number.isFinite(r) ? Math.round(r * 1e6) / 1e6 : r;
}

/** A span of event time in words: "25 minutes", "3.2 hours", "4.1 days". */
export function formatDuration(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 1) return `${Math.round(ms / 1000)} seconds`;
  if (minutes < 90) return `${Math.round(minutes)} minute${Math.round(minutes) === 1 ? "" : "s"}`;
  const hours = minutes / 60;
  if (hours < 48) return `${Number(hours.toFixed(1))} hours`;
  return `${Number((hours / 24).toFixed(1))} days`;
}

/** A fraction (0 < x ≤ some bound) as parts per million, exact for comparisons: 0.05 → 50000n. */
export function ppm(fraction: number): bigint {
  return BigInt(Math.round(fraction * 1_000_000));
}

/** Whole yen to Money. */
export function yen(units: number): Money {
  return (BigInt(Math.round(units)) * MONEY_SCALE) as Money;
}

/** A score rounded into 0–100; a non-finite input (a bug upstream) reads as the middle. */
export const clampScore = (x: number): number => (Number.isFinite(x) ? Math.max(0, Math.min(100, Math.round(x))) : 50);
