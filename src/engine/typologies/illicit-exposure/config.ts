// Illicit-exposure parameters: how severe each address label is, how far taint is followed and how
// much state following it may take. Change them here (or per deployment through
// `configs["illicit-exposure"]`) and the configVersion on every alert changes.
import { z } from "zod";

/** Base score of a label kind (1–100), or null: the label is informational (no alert, no taint). */
const grade = z.number().int("must be a whole number").min(1, "at least 1").max(100, "at most 100").nullable();

export const illicitExposureConfigSchema = z.strictObject({
  /**
   * Per `address.label` kind: the base score of an exposure to it, or null to ignore it as a source.
   * Kinds with a grade are taint sources; `exchange` and `gambling` are informational by default.
   */
  grades: z.strictObject({
    sanctioned: grade,
    hack: grade,
    ransomware: grade,
    darknet: grade,
    mixer: grade,
    scam: grade,
    exchange: grade,
    gambling: grade,
  }),
  /**
   * Longest path followed, in on-chain moves from the labelled address to the exchange, the deposit
   * (or withdrawal) itself included: 1 = direct exposure only; 3 = labelled → a → b → exchange.
   */
  maxHops: z.number().int("must be a whole number").min(1, "at least 1").max(10, "at most 10"),
  /** Smallest share of a movement's value traced to a labelled address that is alerted (inclusive). */
  minTaintShare: z.number().gt(0, "must be greater than 0").max(1, "at most 1"),
  /** Taint (or a withdrawal's trace) held at an address is dropped this long after it last arrived there. */
  maxAgeDays: z.number().positive("must be a positive number of days").max(3650, "at most 3650 days"),
  /**
   * An address that has passed taint on in this many moves stops passing it on (it behaves like a
   * service: a hot wallet, a payment processor). Labelled addresses themselves are never capped.
   */
  maxFanOut: z.number().int("must be a whole number").min(1, "at least 1").max(1_000_000, "at most 1,000,000"),
  /** Most addresses holding taint or traces at once; beyond it the least recently fed are dropped. */
  maxTrackedAddresses: z.number().int("must be a whole number").min(1, "at least 1").max(10_000_000, "at most 10,000,000"),
  /** Labels with a `confidence` below this are ignored (a label without one counts as 1). */
  minConfidence: z.number().min(0, "at least 0").max(1, "at most 1"),
  /** Follow each crypto withdrawal forward over `chain.transfer` moves (outgoing indirect exposure). */
  traceWithdrawals: z.boolean(),
});

export type IllicitExposureConfig = z.output<typeof illicitExposureConfigSchema>;

export const illicitExposureDefaults: IllicitExposureConfig = {
  grades: { sanctioned: 95, hack: 85, ransomware: 85, darknet: 80, mixer: 70, scam: 65, exchange: null, gambling: null },
  maxHops: 3,
  minTaintShare: 0.01,
  maxAgeDays: 30,
  maxFanOut: 1000,
  maxTrackedAddresses: 200_000,
  minConfidence: 0.5,
  traceWithdrawals: true,
};
