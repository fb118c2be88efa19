// Front-running a listing: parameters of "abnormal accumulation" of an asset before a listing
// announcement — the look-back window, the account's own baseline, the market's buying — for the
// alert raised when the announcement arrives and for the live alert on buying that is already
// abnormal before any announcement.
import { z } from "zod";

const share = (what: string) => z.number().gt(0, `${what} must be greater than 0`).max(1, `${what} must be at most 1`);

export const frontRunningConfigSchema = z.strictObject({
  /** Accumulation is measured over this many days before the announcement (whole hours). */
  windowDays: z.number().positive("must be a positive number of days").max(90, "at most 90 days"),
  /** The group's own baseline: its buying of the asset in this many days before the window. */
  baselineDays: z.number().positive("must be a positive number of days").max(365, "at most 365 days"),
  /** Net buying in the window must be worth at least this many yen (inclusive). */
  minValueJpy: z.number().int("must be whole yen").min(0, "must not be negative"),
  /** For a group of two or more accounts (an entity, a linked cluster), the value line is multiplied by this. */
  linkedValueFactor: share("linkedValueFactor"),
  /** Net buying in the window ≥ this × the baseline's buying scaled to the window (a group without baseline buying passes). */
  baselineMultiple: z.number().gt(1, "must be greater than 1").max(100_000, "at most 100,000"),
  /**
   * …and ≥ this × everything the group bought (all assets) in the baseline days, scaled to the window:
   * large for this group, not just new for it (a whale's first purchase of a coin is not abnormal for a whale).
   */
  activityMultiple: z.number().positive("must be positive").max(100_000, "at most 100,000"),
  /** Net buying in the window ≥ this share of all buying of the asset in the consortium in the window. */
  minMarketShare: share("minMarketShare"),
  /**
   * An announcement is judged only when this many days of history were observed before its window
   * (the stream's, not the account's): "abnormal against one's own baseline" needs a baseline.
   */
  minHistoryDays: z.number().min(0, "must not be negative").max(365, "at most 365 days"),
  /** At most this many groups are alerted per announcement (the largest buyers first). */
  maxAlertsPerListing: z.number().int("must be a whole number").min(1, "at least 1").max(1_000, "at most 1,000"),
  /** Accounts never judged nor tracked (the venues' own market makers, counterparty to everyone). */
  exemptAccounts: z.array(z.string().min(1).max(128)).max(10_000, "at most 10,000 accounts"),
  /** How many recent buys per group and asset are kept to quote as evidence. */
  evidencePerGroup: z.number().int("must be a whole number").min(1, "at least 1").max(100, "at most 100"),
  /** Live: buying that is already abnormal before any announcement (stricter lines, same window). */
  live: z.strictObject({
    enabled: z.boolean(),
    minValueJpy: z.number().int("must be whole yen").min(0, "must not be negative"),
    baselineMultiple: z.number().gt(1, "must be greater than 1").max(100_000, "at most 100,000"),
    activityMultiple: z.number().positive("must be positive").max(100_000, "at most 100,000"),
    minMarketShare: share("live.minMarketShare"),
    /** Live alerts need this many days of observed history before the window (the baseline must be real). */
    minHistoryDays: z.number().min(0, "must not be negative").max(365, "at most 365 days"),
  }),
});

export type FrontRunningConfig = z.output<typeof frontRunningConfigSchema>;

export const frontRunningDefaults: FrontRunningConfig = {
  windowDays: 7,
  baselineDays: 30,
  minValueJpy: 1_000_000,
  linkedValueFactor: 0.5,
  baselineMultiple: 5,
  activityMultiple: 2,
  minMarketShare: 0.05,
  minHistoryDays: 14,
  maxAlertsPerListing: 20,
  exemptAccounts: [],
  evidencePerGroup: 10,
  live: { enabled: true, minValueJpy: 5_000_000, baselineMultiple: 10, activityMultiple: 3, minMarketShare: 0.25, minHistoryDays: 14 },
};
