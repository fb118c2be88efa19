// Time in the simulator: epoch milliseconds inside, RFC 3339 in Japan Standard Time (+09:00) outside,
// and the daily rhythm of a Japanese retail crypto market (quiet before dawn, a lunch bump, the
// evening peak between 20:00 and 23:00 JST).
import { badInput } from "../contracts/index.ts";
import type { Rng } from "./rng.ts";
import { WeightedTable } from "./rng.ts";

export const SECOND = 1_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** A mean Gregorian year. */
export const YEAR = 365.2425 * DAY;
const JST_OFFSET = 9 * HOUR;

/** Market snapshots come every 15 minutes, and market makers requote on the same beat. */
export const SNAPSHOT_INTERVAL = 15 * MINUTE;
export const QUOTE_INTERVAL = 15 * MINUTE;

const pad2 = (n: number) => (n < 10 ? "0" : "") + n;
const pad3 = (n: number) => (n < 10 ? "00" : n < 100 ? "0" : "") + n;

/** Formats JST timestamps, remembering the date part of the last day it saw (formatting is hot). */
class JstFormatter {
  private day = Number.NaN;
  private prefix = "";
  format(t: number): string {
    const local = t + JST_OFFSET;
    const day = Math.floor(local / DAY);
    if (day !== this.day) {
      this.day = day;
      this.prefix = new Date(day * DAY).toISOString().slice(0, 11);
    }
    let ms = local - day * DAY;
    const h = Math.floor(ms / HOUR);
    ms -= h * HOUR;
    const m = Math.floor(ms / MINUTE);
    ms -= m * MINUTE;
    const s = Math.floor(ms / SECOND);
    ms -= s * SECOND;
    return `${this.prefix}${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(ms)}+09:00`;
  }
}
const formatter = new JstFormatter();

/** RFC 3339 with millisecond precision and the +09:00 offset: `2026-11-02T21:04:05.123+09:00`. */
export function jst(t: number): string {
  if (!Number.isInteger(t)) t = Math.floor(t);
  return formatter.format(t);
}

/** `YYYY-MM-DD` of the JST calendar day containing t. */
export function jstDate(t: number): string {
  return new Date(t + JST_OFFSET).toISOString().slice(0, 10);
}

/** Midnight JST at the start of the calendar day containing t. */
export function jstMidnight(t: number): number {
  return t - ((((t + JST_OFFSET) % DAY) + DAY) % DAY);
}

/** Hour of day in JST (0–23). */
export function jstHour(t: number): number {
  return Math.floor((((t + JST_OFFSET) % DAY) + DAY) % DAY / HOUR);
}

/**
 * The start of the simulation: an ISO date (`2026-11-02`, midnight JST) or an RFC 3339 timestamp
 * with offset. Anything else is bad input.
 */
export function parseStart(text: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const t = Date.parse(`${text}T00:00:00+09:00`);
    if (Number.isFinite(t) && jstDate(t) === text) return t;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    const t = Date.parse(text);
    if (Number.isFinite(t)) return t;
  }
  throw badInput(`expected an ISO date such as 2026-11-02 or an RFC 3339 timestamp with offset; got ${JSON.stringify(text)}`, "start");
}

/**
 * Relative activity by JST hour for retail customers: an evening peak (20–23h), a lunch bump, a
 * trough at 3–5h. Institutional desks follow office hours instead.
 */
export const RETAIL_HOURLY = [
  3.0, 2.0, 1.2, 0.8, 0.6, 0.7, 1.2, 2.2, 3.0, 3.6, 3.6, 3.8, 4.6, 3.8, 3.4, 3.4, 3.5, 3.9, 4.5, 5.2, 6.2, 6.8, 6.5, 4.8,
] as const;
export const OFFICE_HOURLY = [
  0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 1.0, 3.0, 5.0, 5.5, 5.0, 2.5, 4.5, 5.0, 5.0, 4.5, 3.5, 2.0, 1.2, 0.8, 0.6, 0.4, 0.3,
] as const;

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const retailTable = new WeightedTable(HOURS, RETAIL_HOURLY);
const officeTable = new WeightedTable(HOURS, OFFICE_HOURLY);

/** A moment within the JST day starting at `dayStart`, following a daily cycle. */
export function timeInDay(rng: Rng, dayStart: number, cycle: "retail" | "office"): number {
  const h = (cycle === "retail" ? retailTable : officeTable).draw(rng);
  return dayStart + h * HOUR + Math.floor(rng.float() * HOUR);
}

/** Activity multiplier at time t relative to the daily mean (retail cycle), used for market depth and volume. */
export function retailIntensity(t: number): number {
  const mean = RETAIL_HOURLY.reduce((a, b) => a + b, 0) / 24;
  return RETAIL_HOURLY[jstHour(t)]! / mean;
}

/**
 * Customer events never fall exactly on a 15-minute boundary from `origin` (the simulation start),
 * where market snapshots and market-maker requotes live, so "the latest snapshot before an event" is
 * never a tie.
 */
export function offGrid(t: number, origin: number): number {
  return (((t - origin) % QUOTE_INTERVAL) + QUOTE_INTERVAL) % QUOTE_INTERVAL === 0 ? t + 1 : t;
}
