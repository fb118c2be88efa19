// Market-moving transfer parameters: what share of a market's 24h volume, or of its order-book depth
// within 1% of mid, a single transfer may be before it is flagged; one pair of lines for
// individuals and a looser pair for corporates (customerType from account.opened).
import { z } from "zod";

const lines = z.strictObject({
  /** Quantity as a share of the market's 24h volume (inclusive): 0.05 = 5%. */
  volumeShare: z.number().gt(0, "must be greater than 0").max(100, "at most 100 (10,000%)"),
  /** Quantity (or JPY value, for bank deposits) as a share of the depth within 1% of mid on the side it would hit (inclusive). */
  depthShare: z.number().gt(0, "must be greater than 0").max(100, "at most 100 (10,000%)"),
});

export const marketMovingConfigSchema = z.strictObject({
  /** Market whose ask-side depth (in JPY) a JPY bank deposit is compared with. */
  referenceMarket: z.string().regex(/^[A-Z0-9]{2,12}\/JPY$/, "expected a JPY market such as BTC/JPY"),
  /** Lines for individuals, and for accounts whose opening was never seen. */
  individual: lines,
  /** Lines for corporate accounts. */
  corporate: lines,
});

export type MarketMovingConfig = z.output<typeof marketMovingConfigSchema>;

export const marketMovingDefaults: MarketMovingConfig = {
  referenceMarket: "BTC/JPY",
  individual: { volumeShare: 0.05, depthShare: 0.5 },
  corporate: { volumeShare: 0.1, depthShare: 1 },
};
