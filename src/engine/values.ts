// Valuing movements and trades in yen, exactly. Shared by typologies so "the JPY value of a
// deposit" means one thing everywhere.
import { MONEY_SCALE, type Money } from "../contracts/index.ts";

/** 10^6: thresholds are kept as parts per million so comparisons stay in exact integers. */
export const PPM = 1_000_000n;

/**
 * The JPY value of a deposit or withdrawal: the amount itself when the asset is JPY, else the
 * source's `valueJpy`; undefined when neither is known.
 */
export function jpyValueOf(e: { asset: string; amount: Money; valueJpy?: Money | undefined }): Money | undefined {
  return e.asset === "JPY" ? e.amount : e.valueJpy;
}

/** quantity × price in the quote currency (both scaled by 10^18), truncated toward zero. */
export function notional(quantity: Money, price: Money): Money {
  return ((quantity * price) / MONEY_SCALE) as Money;
}

/** `x ≥ share × base` where share is in ppm: exact. */
export function atLeastShare(x: bigint, base: bigint, sharePpm: bigint): boolean {
  return x * PPM >= base * sharePpm;
}

/** True when the value is an exact non-negative amount (a bigint). */
export function isAmount(v: unknown): v is Money {
  return typeof v === "bigint" && v >= 0n;
}

/** ⌈a / b⌉ for a ≥ 0, b > 0: with it, `x ≥ ⌈base × share⌉` is the exact form of `x ≥ base × share`. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** The smallest amount that is at least `sharePpm` of `base`: x ≥ shareLine(...) ⟺ atLeastShare(x, ...). */
export function shareLine(base: bigint, sharePpm: bigint): Money {
  return ceilDiv(base * sharePpm, PPM) as Money;
}

/**
 * Evidence keys `(key, time)` in event-time order (ties by key), each once: the order alerts list
 * their evidence in.
 */
export function sortedKeys(items: ReadonlyArray<[string, number]>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const [k] of [...items].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (!seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  }
  return out;
}
