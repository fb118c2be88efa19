// Pump-and-dump parameters: what a thin market is, what a pump looks like (a burst of rush orders
// that lifts price and volume), and what an accumulate-then-dump group is. Defaults are set against
// the announced pumps in ../shared/data/pump-and-dump/pump_telegram.csv (La Morgia et al.): the price
// peaks within a couple of minutes of the announcement and the organisers sell into the first
// minutes of it, after buying in the hours and days before.
import { z } from "zod";

export const pumpConfigSchema = z.strictObject({
  /** A JPY market is thin when its 24h volume × mid (latest snapshot) is under this many yen. */
  thinMarketMaxVolumeJpy: z.number().int("must be whole yen").positive("must be positive"),
  /** Rush orders are counted over this sliding window (seconds). */
  burstWindowSeconds: z.number().int("must be whole seconds").min(10, "at least 10").max(3_600, "at most 3,600"),
  /** At least this many rush orders (aggressive buys) in the window (inclusive). */
  minRushOrders: z.number().int("must be a whole number").min(2, "at least 2"),
  /** …from at least this many distinct accounts (inclusive). */
  minRushAccounts: z.number().int("must be a whole number").min(1, "at least 1"),
  /** The highest trade price since the burst began ≥ (1 + this) × the last trade price before it. */
  minPriceRise: z.number().gt(0, "must be greater than 0").max(100, "at most 100 (10,000%)"),
  /** Traded value since the burst began ≥ this × the 24h volume's average for one window. */
  volumeMultiple: z.number().gt(1, "must be greater than 1").max(100_000, "at most 100,000"),
  /** The reference price is the last trade at most this many minutes before the burst (else the snapshot mid). */
  referenceMinutes: z.number().int("must be whole minutes").min(1, "at least 1").max(24 * 60, "at most 1,440"),
  /** Raise a market alert (subject kind "market") when a pump is detected. */
  marketAlerts: z.boolean(),
  /** Accumulation is the group's net buying in this many hours before the pump began. */
  accumulationHours: z.number().positive("must be positive").max(24 * 31, "at most 744 hours (31 days)"),
  /** Net bought quantity ≥ this share of the market's 24h volume (inclusive). */
  minAccumulationShare: z.number().gt(0, "must be greater than 0").max(100, "at most 100"),
  /** …and worth at least this many yen at the prices paid (inclusive). */
  minAccumulationJpy: z.number().int("must be whole yen").min(0, "must not be negative"),
  /** The group sells within this many minutes of the pump's start… */
  dumpWithinMinutes: z.number().positive("must be positive").max(24 * 60, "at most 1,440"),
  /** …at least this share of what it accumulated (inclusive). */
  minDumpShare: z.number().gt(0, "must be greater than 0").max(1, "at most 1"),
  /** At most this many trades are held per group and market (oldest dropped first). */
  maxTradesPerGroup: z.number().int("must be a whole number").min(10, "at least 10").max(100_000, "at most 100,000"),
  /** How many event keys an alert quotes at most. */
  maxEvidence: z.number().int("must be a whole number").min(3, "at least 3").max(200, "at most 200"),
});

export type PumpConfig = z.output<typeof pumpConfigSchema>;

export const pumpDefaults: PumpConfig = {
  thinMarketMaxVolumeJpy: 100_000_000,
  burstWindowSeconds: 120,
  minRushOrders: 10,
  minRushAccounts: 5,
  minPriceRise: 0.05,
  volumeMultiple: 10,
  referenceMinutes: 60,
  marketAlerts: true,
  accumulationHours: 72,
  minAccumulationShare: 0.005,
  minAccumulationJpy: 100_000,
  dumpWithinMinutes: 30,
  minDumpShare: 0.5,
  maxTradesPerGroup: 500,
  maxEvidence: 30,
};
