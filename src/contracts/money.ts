// Money is exact: a decimal string on the wire, a scaled bigint in memory. Never a JS float in
// state or sums. Every amount uses the same scale (18 decimal places, an ETH wei), so sums and
// comparisons across events need no rescaling.
export type Money = bigint & { readonly __money: true };

export const MONEY_DECIMALS = 18;
export const MONEY_SCALE = 10n ** BigInt(MONEY_DECIMALS);
export const DECIMAL_PATTERN = /^-?(0|[1-9][0-9]*)(\.[0-9]{1,18})?$/;
const PAD = "0".repeat(MONEY_DECIMALS);

/** Parse a decimal string ("2000000", "0.00150000"). Returns undefined when it is not one. */
export function parseMoney(text: string): Money | undefined {
  if (!DECIMAL_PATTERN.test(text)) return undefined;
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  const dot = body.indexOf(".");
  const whole = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? "" : body.slice(dot + 1);
  const units = BigInt(whole) * MONEY_SCALE + BigInt((frac + PAD).slice(0, MONEY_DECIMALS));
  return (negative ? -units : units) as Money;
}

export function money(text: string): Money {
  const m = parseMoney(text);
  if (m === undefined) throw new RangeError(`not a decimal string: ${JSON.stringify(text)}`);
  return m;
}

/** From a whole number of units (yen, coins). */
export function moneyOf(units: number | bigint): Money {
  if (typeof units === "number" && !Number.isInteger(units)) throw new RangeError("moneyOf takes whole units");
  return (BigInt(units) * MONEY_SCALE) as Money;
}

/** Canonical decimal string: no trailing zeros, no trailing dot. */
export function formatMoney(m: Money | bigint): string {
  const negative = m < 0n;
  const abs = negative ? -m : m;
  const whole = abs / MONEY_SCALE;
  const frac = (abs % MONEY_SCALE).toString().padStart(MONEY_DECIMALS, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${frac ? "." + frac : ""}`;
}

export const ZERO = 0n as Money;
export const addMoney = (a: Money, b: Money): Money => (a + b) as Money;
export const subMoney = (a: Money, b: Money): Money => (a - b) as Money;

/** a × num / den, truncated toward zero: percentages of an amount, exactly. */
export function mulDiv(a: Money, num: bigint, den: bigint): Money {
  return ((a * num) / den) as Money;
}

/** a / b as a float, for reporting ratios only (never stored in sums). */
export function ratio(a: Money, b: Money): number {
  if (b === 0n) return a === 0n ? 0 : Number.POSITIVE_INFINITY;
  // Keep 9 significant decimal places of the quotient exactly, then convert.
  return Number((a * 1_000_000_000n) / b) / 1_000_000_000;
}

/** Whole units as a float, for display ("¥1,950,000"). */
export function toNumber(m: Money): number {
  return Number(m / 10n ** 9n) / 1e9;
}

export function formatJpy(m: Money): string {
  return `¥${Math.round(toNumber(m)).toLocaleString("en-US")}`;
}
