// Wash-trade parameters: when trades between one account, one entity or one linked cluster count
// as a wash (self-matched trades whose net position comes back), and the market-wide daily tests
// (first-digit Benford χ² of trade sizes, clustering at round sizes) raised as market alerts.
import { z } from "zod";

const fraction = (what: string) => z.number().gt(0, `${what} must be greater than 0`).lt(1, `${what} must be less than 1`);

export const washTradeConfigSchema = z.strictObject({
  /** Self-matched trades of one group in one market are looked at together over this many hours. */
  windowHours: z.number().positive("must be a positive number of hours").max(24 * 31, "at most 744 hours (31 days)"),
  /** How many self-matched trades in the window make a pattern (inclusive). */
  minTrades: z.number().int("must be a whole number").min(1, "at least 1").max(10_000, "at most 10,000"),
  /**
   * "Net position back": for every account involved, |bought − sold| over the window's self-matched
   * trades ≤ netTolerance × max(bought, sold). 0.01 = ±1%.
   */
  netTolerance: z.number().min(0, "must not be negative").max(0.5, "at most 0.5 (50%)"),
  /** The window's self-matched trades together must be worth at least this many yen (inclusive); 0 disables. */
  minValueJpy: z.number().int("must be whole yen").min(0, "must not be negative"),
  /** At most this many self-matched trades are held per group and market (oldest dropped first). */
  maxHeldTrades: z.number().int("must be a whole number").min(2, "at least 2").max(100_000, "at most 100,000"),
  /** Per venue and market, per trading day: statistics of trade sizes raised as market alerts. */
  marketDaily: z.strictObject({
    enabled: z.boolean(),
    /** The trading day's offset from UTC in minutes (540 = JST, days run 00:00–24:00 +09:00). */
    dayOffsetMinutes: z.number().int("must be whole minutes").min(-720, "at least -720").max(840, "at most 840"),
    /** A venue's market needs at least this many trades in the day to be tested (inclusive). */
    minTrades: z.number().int("must be a whole number").min(50, "at least 50 (the χ² test needs ≥ 5 expected per digit)"),
    /** Significance of the χ² test (8 degrees of freedom); the critical value is derived from it. */
    significance: fraction("significance").max(0.2, "at most 0.2"),
    /**
     * Effect size: the first-digit distribution must also depart from Benford's by a mean absolute
     * deviation above this (Nigrini's nonconformity line 0.015), so that a large sample's tiny,
     * harmless deviations do not alert on χ² alone.
     */
    benfordMinMad: z.number().min(0, "must not be negative").max(0.2, "at most 0.2"),
    /** A size is round when it has at most this many significant digits (1: 0.5, 3, 200, 0.01). */
    roundMaxSignificantDigits: z.number().int("must be a whole number").min(1, "at least 1").max(3, "at most 3"),
    /** Alert when at least this share of the day's trades are at round sizes (bots trading fixed round lots); null disables. */
    roundShareHigh: fraction("roundShareHigh").nullable(),
    /**
     * Alert when fewer than this share of the day's trades are at round sizes: authentic human flow
     * clusters at round sizes and wash-trading bots do not (Cong et al. 2023). null disables (the
     * default: the level depends on the venue and must be calibrated on its own history first).
     */
    roundShareLow: fraction("roundShareLow").nullable(),
    /** How many trade keys an alert quotes as evidence (the first in the over-represented digit, or round sizes). */
    evidenceSample: z.number().int("must be a whole number").min(1, "at least 1").max(100, "at most 100"),
  }),
});

export type WashTradeConfig = z.output<typeof washTradeConfigSchema>;

export const washTradeDefaults: WashTradeConfig = {
  windowHours: 24,
  minTrades: 2,
  netTolerance: 0.01,
  minValueJpy: 100_000,
  maxHeldTrades: 1_000,
  marketDaily: {
    enabled: true,
    dayOffsetMinutes: 540,
    minTrades: 300,
    significance: 0.001,
    benfordMinMad: 0.015,
    roundMaxSignificantDigits: 1,
    roundShareHigh: 0.5,
    roundShareLow: null,
    evidenceSample: 10,
  },
};
