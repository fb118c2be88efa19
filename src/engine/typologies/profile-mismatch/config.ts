// Profile-mismatch parameters: how far money may run ahead of what a customer declared (and of what
// a credit bureau reports, as a band), what a new account's first deposit may be, and how fast it may
// leave again. Change them here (or per deployment through `configs["profile-mismatch"]`) and the
// configVersion on every alert changes.
import { z } from "zod";

const yen = z.number().int("must be whole yen").nonnegative("must not be negative");
const positiveYen = z.number().int("must be whole yen").positive("must be positive");

export const profileMismatchConfigSchema = z.strictObject({
  /** Window the inflows (and, for adverse-credit subjects, all flows) are summed over, in days. */
  windowDays: z.number().positive("must be a positive number of days").max(366, "at most 366 days"),
  /** Inflows over the window reaching this multiple of the annual income are out of line (inclusive). */
  incomeMultiple: z.number().gt(0, "must be greater than 0").max(1000, "at most 1000"),
  /**
   * ...and at least this much, in whole yen: with the default multiple, an income under ¥1,000,000
   * (¥0 included: students, homemakers investing household savings) is judged as ¥1,000,000.
   */
  minInflowJpy: yen,
  /**
   * Edges of the income bands a bureau-reported income is reduced to, in whole yen, ascending. The
   * engine keeps only the band; the line uses the band's upper edge (the most generous reading), and
   * the open top band never crosses.
   */
  incomeBandEdgesJpy: z
    .array(positiveYen)
    .min(1, "at least one edge")
    .max(32, "at most 32 edges")
    .refine((a) => a.every((x, i) => i === 0 || x > a[i - 1]!), "must be strictly ascending"),
  /** Flows (in + out) over the window of a subject with a delinquency or bankruptcy on file (inclusive). */
  adverseFlowJpy: positiveYen,
  /** Bureau features older than this (from the report's event time) are no longer used. */
  bureauMaxAgeDays: z.number().positive("must be a positive number of days").max(3650, "at most 3650 days"),
  /** An account is new for this many days after its account.opened (inclusive). */
  newAccountDays: z.number().positive("must be a positive number of days").max(366, "at most 366 days"),
  /** A new account's first deposit at least this large (whole yen, inclusive)... */
  firstDepositJpy: positiveYen,
  /** ...and at least this multiple of its declared income (or with no income declared) is out of line. */
  firstDepositIncomeMultiple: z.number().gt(0, "must be greater than 0").max(1000, "at most 1000"),
  /** "The whole balance": withdrawals reaching this share of what a new account deposited (inclusive)... */
  wholeBalanceShare: z.number().gt(0, "must be greater than 0").max(1, "at most 1"),
  /** ...within this many hours of its first deposit (inclusive)... */
  wholeBalanceHours: z.number().positive("must be a positive number of hours").max(168, "at most 168 hours"),
  /** ...when it deposited at least this much in that time (whole yen, inclusive). */
  wholeBalanceMinJpy: yen,
});

export type ProfileMismatchConfig = z.output<typeof profileMismatchConfigSchema>;

export const profileMismatchDefaults: ProfileMismatchConfig = {
  windowDays: 30,
  incomeMultiple: 3,
  minInflowJpy: 3_000_000,
  incomeBandEdgesJpy: [2_000_000, 4_000_000, 6_000_000, 8_000_000, 10_000_000, 15_000_000, 20_000_000],
  adverseFlowJpy: 5_000_000,
  bureauMaxAgeDays: 400,
  newAccountDays: 30,
  firstDepositJpy: 5_000_000,
  firstDepositIncomeMultiple: 1,
  wholeBalanceShare: 0.9,
  wholeBalanceHours: 24,
  wholeBalanceMinJpy: 500_000,
};
