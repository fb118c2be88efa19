// The statistics behind wash-trade's market-wide tests: Benford's first-digit law, Pearson's χ²
// with its critical value for a chosen significance, the mean absolute deviation (Nigrini), and the
// digits of an exact quantity. Counts are integers; the test figures are floats, for decisions on
// statistics (not on money) and for explanations.

/** Benford's law: P(first significant digit = d) = log10(1 + 1/d), d = 1..9 (index d − 1). */
export const BENFORD: readonly number[] = Object.freeze(Array.from({ length: 9 }, (_, i) => Math.log10(1 + 1 / (i + 1))));

/** First significant digit (1–9) of a positive exact quantity (any fixed scale), 0 for zero or less. */
export function firstDigit(q: bigint): number {
  return q <= 0n ? 0 : q.toString().charCodeAt(0) - 48;
}

/** Significant digits of a positive exact quantity: 1 500 000 → 2 (trailing zeros are not significant). */
export function significantDigits(q: bigint): number {
  return q <= 0n ? 0 : significantOf(q.toString());
}

/** Significant digits of the decimal digits of a positive integer (no sign, no leading zeros). */
export function significantOf(digits: string): number {
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  return end;
}

/** Pearson's χ² of observed digit counts (9) against Benford's expectation. */
export function benfordChiSquare(counts: readonly number[]): number {
  let n = 0;
  for (const c of counts) n += c;
  if (n === 0) return 0;
  let x = 0;
  for (let d = 0; d < 9; d++) {
    const e = n * BENFORD[d]!;
    const o = counts[d] ?? 0;
    x += ((o - e) * (o - e)) / e;
  }
  return x;
}

/** Mean absolute deviation of observed digit shares from Benford's (Nigrini: > 0.015 is nonconformity). */
export function benfordMad(counts: readonly number[]): number {
  let n = 0;
  for (const c of counts) n += c;
  if (n === 0) return 0;
  let s = 0;
  for (let d = 0; d < 9; d++) s += Math.abs((counts[d] ?? 0) / n - BENFORD[d]!);
  return s / 9;
}

/**
 * P(X ≥ x) for X ~ χ² with an even number of degrees of freedom k, in closed form:
 * e^(−x/2) Σ_{i<k/2} (x/2)^i / i!.
 */
export function chiSquareSurvivalEven(x: number, k: number): number {
  if (!Number.isInteger(k) || k <= 0 || k % 2 !== 0) throw new RangeError("degrees of freedom must be a positive even integer");
  if (x <= 0) return 1;
  const h = x / 2;
  let term = 1;
  let sum = 1;
  for (let i = 1; i < k / 2; i++) {
    term *= h / i;
    sum += term;
  }
  return Math.min(1, Math.exp(-h) * sum);
}

/** The χ² critical value at significance α (P(X ≥ c) = α) for even k, by bisection to 1e-9. */
export function chiSquareCritical(alpha: number, k: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError("significance must be between 0 and 1");
  let lo = 0;
  let hi = 1;
  while (chiSquareSurvivalEven(hi, k) > alpha) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-9; i++) {
    const mid = (lo + hi) / 2;
    if (chiSquareSurvivalEven(mid, k) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}
