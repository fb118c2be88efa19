// Realised crypto-asset gains per person and calendar year with the moving-average cost method
// (移動平均法), over the person's trades at every exchange together, and the regulator's figure: people
// whose realised gains in a year reach ¥100,000,000. Pure; exact (Money, bigint scaled 10^18).
//
// The method, per person and asset, in trade order (time, then id):
//   - a purchase adds its yen consideration plus its fee to the holding's cost, and its quantity to
//     the holding; the average cost is cost / quantity;
//   - a sale takes cost out of the holding in proportion to the quantity sold:
//     cost out = cost × sold / held (truncated toward zero: the remainder stays in the holding, so a
//     holding sold to zero has given up exactly its whole cost, and no rounding accumulates);
//     realised gain = consideration − fee − cost out;
//   - a sale of more than is held (the asset came from outside the trades Kanshi sees) takes the
//     whole holding's cost for the part held and no cost for the rest; that quantity is reported as
//     `uncoveredQuantity`, so the gain is an upper bound, and the figure says so.
// A fee is given in yen (its yen value when paid in another asset). A fee charged in the asset bought
// is a smaller quantity received: pass the net quantity. Holdings carry over from year to year; a
// year is the calendar year in Japan (UTC+9). Gains and losses of all assets in a year are summed
// (crypto-asset gains are one income category, 雑所得).
import { badInput } from "../contracts/errors.ts";
import { moneyOf, mulDiv, ZERO, type Money } from "../contracts/money.ts";

export interface GainTrade {
  /** Whose trade (an entity id: the person across all their accounts and exchanges). */
  readonly person: string;
  readonly exchange: string;
  /** Unique per trade (an event key with the side): breaks ties of time deterministically. */
  readonly id: string;
  /** Epoch ms. */
  readonly time: number;
  readonly asset: string;
  readonly side: "buy" | "sell";
  /** Net units acquired or disposed of; > 0. */
  readonly quantity: Money;
  /** Yen consideration (paid for a buy, received for a sale); ≥ 0. */
  readonly valueJpy: Money;
  /** Yen fee; ≥ 0. */
  readonly feeJpy?: Money;
}

export interface AssetYear {
  readonly asset: string;
  readonly proceedsJpy: Money;
  /** Cost taken out of the holding by the year's sales. */
  readonly costJpy: Money;
  /** Fees on the year's sales (those on purchases are in the cost). */
  readonly saleFeesJpy: Money;
  readonly gainJpy: Money;
  readonly quantitySold: Money;
  /** Sold beyond what the trades show was held (acquired outside them): costed at zero. */
  readonly uncoveredQuantity: Money;
}

export interface PersonYear {
  readonly person: string;
  readonly year: number;
  readonly realisedGainJpy: Money;
  readonly proceedsJpy: Money;
  readonly assets: readonly AssetYear[];
  /** Exchanges of the year's trades. */
  readonly exchanges: readonly string[];
  readonly trades: number;
  /** True when some sale exceeded the holding: the gain is then an upper bound. */
  readonly incomplete: boolean;
}

const JST_MS = 9 * 3_600_000;
/** The calendar year in Japan of an instant (epoch ms). */
export const jstYear = (time: number): number => new Date(time + JST_MS).getUTCFullYear();

function check(t: GainTrade, i: number): void {
  const at = `trades[${i}]`;
  if (typeof t.person !== "string" || t.person === "") throw badInput("expected a person id", `${at}.person`);
  if (typeof t.id !== "string" || t.id === "") throw badInput("expected an id", `${at}.id`);
  if (!Number.isSafeInteger(t.time)) throw badInput("expected epoch milliseconds", `${at}.time`);
  if (t.side !== "buy" && t.side !== "sell") throw badInput("expected buy or sell", `${at}.side`);
  if (typeof t.quantity !== "bigint" || t.quantity <= 0n) throw badInput("must be greater than zero", `${at}.quantity`);
  if (typeof t.valueJpy !== "bigint" || t.valueJpy < 0n) throw badInput("must not be negative", `${at}.valueJpy`);
  if (t.feeJpy !== undefined && (typeof t.feeJpy !== "bigint" || t.feeJpy < 0n)) throw badInput("must not be negative", `${at}.feeJpy`);
}

interface Holding {
  qty: Money;
  cost: Money;
}

interface AssetAcc {
  proceeds: Money;
  cost: Money;
  fees: Money;
  sold: Money;
  uncovered: Money;
}

interface YearAcc {
  assets: Map<string, AssetAcc>;
  exchanges: Set<string>;
  trades: number;
}

const add = (a: Money, b: Money): Money => (a + b) as Money;
const sub = (a: Money, b: Money): Money => (a - b) as Money;

/** Realised gains per person and year (every person-year with a trade), by person then year. */
export function realisedGains(trades: readonly GainTrade[]): PersonYear[] {
  trades.forEach(check);
  const byPerson = new Map<string, GainTrade[]>();
  for (const t of trades) {
    let list = byPerson.get(t.person);
    if (list === undefined) byPerson.set(t.person, (list = []));
    list.push(t);
  }
  const out: PersonYear[] = [];
  for (const person of [...byPerson.keys()].sort()) {
    const list = byPerson.get(person)!.slice().sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const holdings = new Map<string, Holding>();
    const years = new Map<number, YearAcc>();
    for (const t of list) {
      const year = jstYear(t.time);
      let y = years.get(year);
      if (y === undefined) years.set(year, (y = { assets: new Map(), exchanges: new Set(), trades: 0 }));
      y.trades++;
      y.exchanges.add(t.exchange);
      let h = holdings.get(t.asset);
      if (h === undefined) holdings.set(t.asset, (h = { qty: ZERO, cost: ZERO }));
      const fee = t.feeJpy ?? ZERO;
      if (t.side === "buy") {
        h.qty = add(h.qty, t.quantity);
        h.cost = add(h.cost, add(t.valueJpy, fee));
        continue;
      }
      let acc = y.assets.get(t.asset);
      if (acc === undefined) y.assets.set(t.asset, (acc = { proceeds: ZERO, cost: ZERO, fees: ZERO, sold: ZERO, uncovered: ZERO }));
      const covered = t.quantity <= h.qty ? t.quantity : h.qty;
      const costOut = covered === h.qty ? h.cost : mulDiv(h.cost, covered, h.qty);
      h.cost = sub(h.cost, costOut);
      h.qty = sub(h.qty, covered);
      acc.proceeds = add(acc.proceeds, t.valueJpy);
      acc.cost = add(acc.cost, costOut);
      acc.fees = add(acc.fees, fee);
      acc.sold = add(acc.sold, t.quantity);
      acc.uncovered = add(acc.uncovered, sub(t.quantity, covered));
    }
    for (const year of [...years.keys()].sort((a, b) => a - b)) {
      const y = years.get(year)!;
      const assets: AssetYear[] = [...y.assets.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([asset, a]) => ({
          asset,
          proceedsJpy: a.proceeds,
          costJpy: a.cost,
          saleFeesJpy: a.fees,
          gainJpy: sub(sub(a.proceeds, a.fees), a.cost),
          quantitySold: a.sold,
          uncoveredQuantity: a.uncovered,
        }));
      out.push({
        person,
        year,
        realisedGainJpy: assets.reduce((s, a) => add(s, a.gainJpy), ZERO),
        proceedsJpy: assets.reduce((s, a) => add(s, a.proceedsJpy), ZERO),
        assets,
        exchanges: [...y.exchanges].sort(),
        trades: y.trades,
        incomplete: assets.some((a) => a.uncoveredQuantity > 0n),
      });
    }
  }
  return out;
}

/** The regulator's threshold: ¥100,000,000 of realised gains in a year. */
export const LARGE_GAIN_THRESHOLD_JPY = moneyOf(100_000_000);

/**
 * People whose realised gains in a year reach `threshold` (default ¥100,000,000), largest first;
 * only `year` when given.
 */
export function largeGains(trades: readonly GainTrade[], opts: { readonly thresholdJpy?: Money; readonly year?: number } = {}): PersonYear[] {
  const threshold = opts.thresholdJpy ?? LARGE_GAIN_THRESHOLD_JPY;
  return realisedGains(trades)
    .filter((p) => p.realisedGainJpy >= threshold && (opts.year === undefined || p.year === opts.year))
    .sort((a, b) => (a.realisedGainJpy > b.realisedGainJpy ? -1 : a.realisedGainJpy < b.realisedGainJpy ? 1 : a.person < b.person ? -1 : a.person > b.person ? 1 : a.year - b.year));
}
