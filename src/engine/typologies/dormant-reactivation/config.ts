// Dormant-reactivation parameters: how long an account must have been idle, how soon after waking
// up it must be drained, how much of its balance is "most", and the smallest balance worth watching.
// Change them here (or per deployment through `configs["dormant-reactivation"]`) and the
// configVersion on every alert changes.
import { z } from "zod";

export const dormantReactivationConfigSchema = z.strictObject({
  /** No activity event for at least this many days (inclusive) makes an account dormant. */
  dormantDays: z.number().positive("must be a positive number of days").max(3650, "at most 3650 days"),
  /** The drain must happen within this many hours of the first activity after dormancy (inclusive). */
  windowHours: z.number().positive("must be a positive number of hours").max(720, "at most 720 hours"),
  /** Net withdrawals to new destinations reaching this share of the balance held at reactivation (inclusive). */
  drainShare: z.number().gt(0, "must be greater than 0").max(1, "at most 1"),
  /** The balance held at reactivation must be worth at least this (whole yen, inclusive). */
  minBalanceJpy: z.number().int("must be whole yen").nonnegative("must not be negative"),
});

export type DormantReactivationConfig = z.output<typeof dormantReactivationConfigSchema>;

export const dormantReactivationDefaults: DormantReactivationConfig = {
  dormantDays: 180,
  windowHours: 24,
  drainShare: 0.8,
  minBalanceJpy: 100_000,
};
