// Pass-through parameters: how big a deposit must be to be watched, how long its outflow window
// is, how much of it must leave, and how little trading may happen in between.
import { z } from "zod";

const fraction = (what: string) => z.number().gt(0, `${what} must be greater than 0`).max(1, `${what} must be at most 1`);

export const passThroughConfigSchema = z.strictObject({
  /** Smallest deposit watched, in whole yen (inclusive). */
  minDepositJpy: z.number().int("must be whole yen").positive("must be positive"),
  /** How long after the deposit withdrawals count, in hours (inclusive). */
  windowHours: z.number().positive("must be a positive number of hours").max(24 * 31, "at most 31 days"),
  /** Share of the deposit's value the withdrawals must reach (inclusive). */
  withdrawnShare: fraction("withdrawnShare"),
  /** Traded value between deposit and withdrawals must stay below this share of the deposit (exclusive). */
  maxTradedShare: fraction("maxTradedShare"),
});

export type PassThroughConfig = z.output<typeof passThroughConfigSchema>;

export const passThroughDefaults: PassThroughConfig = {
  minDepositJpy: 500_000,
  windowHours: 24,
  withdrawnShare: 0.8,
  maxTradedShare: 0.1,
};
