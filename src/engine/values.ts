// Valuing movements and trades in yen, exactly. Shared by typologies so "the JPY value of a
// deposit" means one thing everywhere.
import { MONEY_SCALE, type Money } from "../contracts/index.ts";

/** 10^6: thresholds are kept as parts per million so comparisons stay in exact integers. */
export const PPM = 1_000_000n;

/** A market symbol's parts: `BASE/QUOTE` → base, quote, and the base asset's yen market `BASE/JPY`. */
export interface MarketParts {
  /** `market.slice(0, market.indexOf("/"))` */
  readonly base: string;
  /** `market.slice(market.indexOf("/") + 1)` */
  readonly quote: string;
  /** `${base}/JPY` */
  readonly jpy: string;
}

// Markets and assets are few; the memos save building (and hashing) the same strings for every
// trade. Bounded: past MEMO_MAX distinct symbols the parts are computed afresh each time.
const MEMO_MAX = 4096;
const partsMemo = new Map<string, MarketParts>();
const jpyMemo = new Map<string, string>();

/** The parts of a market symbol, exactly as slicing at its first "/" gives them (memoized). */
export function marketParts(market: string): MarketParts {
  let m = partsMemo.get(market);
  if (m === undefined) {
    const slash = market.indexOf("/");
    const base = market.slice(0, slash);
    m = { base, quote: market.slice(slash + 1), jpy: jpyMarket(base) };
    if (partsMemo.size < MEMO_MAX) partsMemo.set(market, m);
  }
  return m;
}

/** `${asset}/JPY` (memoized). */
export function jpyMarket(asset: string): string {
  let m = jpyMemo.get(asset);
  if (m === undefined) {
    m = `${asset}/JPY`;
    if (jpyMemo.size < MEMO_MAX) jpyMemo.set(asset, m);
  }
  return m;
}

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
