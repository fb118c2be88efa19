// Cross-border-outflow parameters: which jurisdictions are high-risk, the amount lines per kind of
// destination (alone, and summed over a window), the Foreign Exchange Act reporting line and the
// travel-rule check. Change them here (or per deployment through `configs["cross-border-outflow"]`)
// and the configVersion on every alert changes; update the lists after each FATF plenary.
import { z } from "zod";

const country = z.string().regex(/^[A-Z]{2}$/, "expected an ISO 3166 alpha-2 code such as KP");
const yen = z.number().int("must be whole yen").nonnegative("must not be negative");

const lines = z.strictObject({
  /** One withdrawal worth at least this (whole yen, inclusive); 0 = any withdrawal. */
  singleJpy: yen,
  /** Withdrawals of this kind summed over windowDays reaching this (whole yen, inclusive); 0 = any. */
  sumJpy: yen,
});

export const crossBorderConfigSchema = z.strictObject({
  /** The exchanges' own jurisdiction: a counterparty elsewhere is abroad. */
  homeCountry: country,
  /** High-risk jurisdictions (FATF lists). */
  highRisk: z.strictObject({
    /** "High-risk jurisdictions subject to a call for action" (the black list). */
    callForAction: z.array(country).max(300),
    /** "Jurisdictions under increased monitoring" (the grey list). */
    increasedMonitoring: z.array(country).max(300),
  }),
  /** Lines per kind of destination, for individuals (and accounts whose opening was never seen). */
  lines: z.strictObject({
    callForAction: lines,
    increasedMonitoring: lines,
    /** A VASP (or bank) abroad, not on either list. */
    foreign: lines,
    /** A crypto withdrawal to an address with no counterparty VASP: a self-hosted wallet. */
    unhosted: lines,
  }),
  /** Corporates' amount lines are this multiple of the above (call-for-action lines excepted). */
  corporateLineMultiple: z.number().min(1, "at least 1").max(1000, "at most 1000"),
  /** Window the sums run over, in days (inclusive). */
  windowDays: z.number().positive("must be a positive number of days").max(366, "at most 366 days"),
  /** Foreign Exchange and Foreign Trade Act: a payment abroad over this (whole yen, exclusive) must be reported. */
  foreignExchangeReportJpy: z.number().int("must be whole yen").positive("must be positive"),
  /** Travel rule: crypto withdrawals to another VASP worth at least `minJpy` must carry originator and beneficiary. */
  travelRule: z.strictObject({
    enabled: z.boolean(),
    minJpy: yen,
  }),
});

export type CrossBorderConfig = z.output<typeof crossBorderConfigSchema>;

export const crossBorderDefaults: CrossBorderConfig = {
  homeCountry: "JP",
  highRisk: {
    // FATF, "High-Risk Jurisdictions subject to a Call for Action", 25 October 2024: DPRK, Iran, Myanmar.
    callForAction: ["KP", "IR", "MM"],
    // FATF, "Jurisdictions under Increased Monitoring", 25 October 2024 (24 jurisdictions).
    increasedMonitoring: [
      "DZ", "AO", "BG", "BF", "CM", "CI", "HR", "CD", "HT", "KE", "LB", "ML",
      "MC", "MZ", "NA", "NG", "PH", "ZA", "SS", "SY", "TZ", "VE", "VN", "YE",
    ],
  },
  lines: {
    callForAction: { singleJpy: 0, sumJpy: 0 },
    increasedMonitoring: { singleJpy: 1_000_000, sumJpy: 3_000_000 },
    foreign: { singleJpy: 3_000_000, sumJpy: 10_000_000 },
    unhosted: { singleJpy: 5_000_000, sumJpy: 10_000_000 },
  },
  corporateLineMultiple: 10,
  windowDays: 30,
  foreignExchangeReportJpy: 30_000_000,
  travelRule: { enabled: true, minJpy: 0 },
};
