// Spoofing and layering parameters: what makes a resting order large, how soon a bait order must be
// cancelled, how many price levels make a layer, and the cancel-to-trade line.
import { z } from "zod";

export const spoofingConfigSchema = z.strictObject({
  /** A limit order is large when its quantity ≥ this × the median size of the venue market's recent orders. */
  largeMedianMultiple: z.number().gt(1, "must be greater than 1").max(10_000, "at most 10,000"),
  /** …or when its quantity ≥ this share of the depth within 1% of mid on its side (latest snapshot at placement). */
  largeDepthShare: z.number().gt(0, "must be greater than 0").max(100, "at most 100 (10,000%)"),
  /** How many recent orders (per venue and market, all accounts, limit and market) the median is taken over. */
  medianWindowOrders: z.number().int("must be a whole number").min(5, "at least 5").max(5_000, "at most 5,000"),
  /** Below this many orders seen in a venue's market, the median line is not applied (the depth line still is). */
  medianMinOrders: z.number().int("must be a whole number").min(1, "at least 1").max(5_000, "at most 5,000"),
  /** A bait order is cancelled within this many seconds of being placed (inclusive). */
  cancelWithinSeconds: z.number().positive("must be a positive number of seconds").max(3_600, "at most 3,600 (one hour)"),
  /** A bait order was at most this share filled before it was cancelled (inclusive). */
  maxFilledShare: z.number().min(0, "must not be negative").lt(1, "must be less than 1"),
  /** Layering: bait orders on one side at this many distinct price levels or more. */
  layeringMinLevels: z.number().int("must be a whole number").min(2, "at least 2").max(50, "at most 50"),
  /** After an alert on an account (entity) in a venue's market, further baits there are quiet for this long. */
  cooldownMinutes: z.number().min(0, "must not be negative").max(7 * 24 * 60, "at most a week"),
  cancelToTrade: z.strictObject({
    enabled: z.boolean(),
    /** The ratio is taken over this many minutes (rolling, in 5-minute buckets). */
    windowMinutes: z.number().int("must be whole minutes").min(5, "at least 5").max(24 * 60, "at most 1,440").multipleOf(5, "must be a multiple of 5"),
    /** At least this many cancellations in the window (inclusive). */
    minCancels: z.number().int("must be a whole number").min(1, "at least 1"),
    /** cancellations / max(1, trades) ≥ this (inclusive). */
    minRatio: z.number().positive("must be positive"),
  }),
  /** Accounts never judged (designated market makers quoting both sides by contract). */
  exemptAccounts: z.array(z.string().min(1).max(128)).max(10_000, "at most 10,000 accounts"),
  /** How many event keys an alert quotes as evidence at most. */
  maxEvidence: z.number().int("must be a whole number").min(3, "at least 3").max(200, "at most 200"),
});

export type SpoofingConfig = z.output<typeof spoofingConfigSchema>;

export const spoofingDefaults: SpoofingConfig = {
  largeMedianMultiple: 10,
  largeDepthShare: 0.25,
  medianWindowOrders: 200,
  medianMinOrders: 30,
  cancelWithinSeconds: 60,
  maxFilledShare: 0.5,
  layeringMinLevels: 3,
  cooldownMinutes: 60,
  cancelToTrade: { enabled: true, windowMinutes: 60, minCancels: 50, minRatio: 20 },
  exemptAccounts: [],
  maxEvidence: 30,
};
