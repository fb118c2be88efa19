// Structuring parameters. Defaults follow the reporting lines of Japan's Act on Prevention of
// Transfer of Criminal Proceeds (犯罪収益移転防止法) as the simulator injects them; change them here
// (or per deployment through `configs.structuring`) and the configVersion on every alert changes.
import { z } from "zod";

export const structuringConfigSchema = z.strictObject({
  /** Length of the window the near-threshold movements must fall in, in days (first to last, inclusive). */
  windowDays: z.number().positive("must be a positive number of days").max(366, "at most 366 days"),
  /** How many near-threshold movements in one direction make a pattern. */
  minCount: z.number().int("must be a whole number").min(2, "at least 2").max(100, "at most 100"),
  /** Lower edge of the "just under" band, as a fraction of the threshold (inclusive); the upper edge is the threshold (exclusive). */
  lowerRatio: z.number().gt(0, "must be greater than 0").lt(1, "must be less than 1"),
  /** The reporting line per channel, in whole yen. */
  thresholdJpy: z.strictObject({
    /** Bank (fiat) movements: the ¥2,000,000 line for cash-like one-off transactions. */
    bank: z.number().int("must be whole yen").positive("must be positive"),
    /** Crypto movements: the ¥100,000 line for transfers. */
    crypto: z.number().int("must be whole yen").positive("must be positive"),
  }),
});

export type StructuringConfig = z.output<typeof structuringConfigSchema>;

export const structuringDefaults: StructuringConfig = {
  windowDays: 7,
  minCount: 3,
  lowerRatio: 0.8,
  thresholdJpy: { bank: 2_000_000, crypto: 100_000 },
};
