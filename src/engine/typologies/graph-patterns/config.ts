// Graph-pattern parameters: the window every pattern is looked for in, which moves count as edges,
// when a node is a service (hub) rather than a party, and the lines of each of IBM AMLSim's five
// laundering shapes: fan-in, fan-out, cycle, scatter-gather and gather-scatter.
import { z } from "zod";

const yen = (what: string) => z.number().int(`${what} must be whole yen`).min(0, `${what} must not be negative`);
const count = (min: number, max: number) =>
  z.number().int("must be a whole number").min(min, `at least ${min}`).max(max, `at most ${max.toLocaleString("en-US")}`);
const share = (what: string) => z.number().min(0, `${what} must not be negative`).max(10, `${what} must be at most 10`);

export const graphPatternsConfigSchema = z
  .strictObject({
    /** Every pattern is looked for among the moves of the last windowHours (inclusive). */
    windowHours: z.number().positive("must be a positive number of hours").max(24 * 400, "at most 9,600 hours (400 days)"),
    /** Moves worth less than this many yen are not edges (dust, fees); unvalued moves are kept. */
    minEdgeJpy: yen("minEdgeJpy"),
    /**
     * Moves worth more than this many yen are not edges; null: no upper line. For populations whose
     * laundering moves are small beside ordinary ones (the AMLSim 2019 samples).
     */
    maxEdgeJpy: yen("maxEdgeJpy").nullable(),
    /**
     * A node with at least this many distinct counterparties in the window is a service (an
     * exchange's wallet, a payment processor, a market maker), not a party: it is never a pattern's
     * main node and patterns do not pass through it.
     */
    hubCounterparties: count(3, 1_000_000),
    /** At most this many moves are held per node and direction (the oldest dropped first). */
    maxEdgesPerNode: count(8, 100_000),
    /**
     * A pattern already alerted on (same kind, same main node or ring) is raised again within the
     * window only once the parties in it have grown by this factor (2: doubled).
     */
    realertGrowth: z.number().min(1, "at least 1").max(100, "at most 100"),
    /** How long an address learned to be an exchange's own (deposit address, hot wallet) stays known, in days. */
    custodialRetentionDays: z.number().positive("must be a positive number of days").max(3_650, "at most 3,650 days"),
    /** Many senders → one receiver. */
    fanIn: z.strictObject({
      enabled: z.boolean(),
      /** Distinct senders in the window (inclusive). */
      minCounterparties: count(2, 100_000),
      /** What they sent together, in yen (inclusive; 0: any). */
      minTotalJpy: yen("fanIn.minTotalJpy"),
    }),
    /** One sender → many receivers. */
    fanOut: z.strictObject({
      enabled: z.boolean(),
      /** Distinct receivers in the window (inclusive). */
      minCounterparties: count(2, 100_000),
      /** What was sent to them together, in yen (inclusive; 0: any). */
      minTotalJpy: yen("fanOut.minTotalJpy"),
    }),
    /** Money that goes round through other parties and comes back to where it started, in time order. */
    cycle: z.strictObject({
      enabled: z.boolean(),
      /** Moves in the ring, the closing one included (inclusive; 3 leaves out A → B → A repayments). */
      minLength: count(2, 12),
      maxLength: count(2, 12),
      /** Every move of the ring is worth at least this much (inclusive). */
      minEdgeJpy: yen("cycle.minEdgeJpy"),
      /** Every later move is worth between minHopShare and maxHopShare of the first (inclusive): the same money goes round. */
      minHopShare: share("cycle.minHopShare"),
      maxHopShare: share("cycle.maxHopShare"),
      /** At most this many moves are looked at per search (a bound on work per event). */
      maxSearch: count(10, 1_000_000),
    }),
    /** One origin → several intermediaries → one beneficiary (fan-out, then fan-in). */
    scatterGather: z.strictObject({
      enabled: z.boolean(),
      /** Intermediaries that both received from the origin and then paid the beneficiary (inclusive). */
      minIntermediaries: count(2, 100_000),
      /** What the origin scattered through them, in yen (inclusive). */
      minTotalJpy: yen("scatterGather.minTotalJpy"),
      /** What they passed on to the beneficiary, as a share of what they got (inclusive bounds). */
      minGatheredShare: share("scatterGather.minGatheredShare"),
      maxGatheredShare: share("scatterGather.maxGatheredShare"),
    }),
    /** Several senders → one main node → several receivers (fan-in, then fan-out). */
    gatherScatter: z.strictObject({
      enabled: z.boolean(),
      /** Distinct senders to the main node in the window (inclusive). */
      minSenders: count(2, 100_000),
      /** Distinct receivers it paid after the first of them arrived (inclusive). */
      minReceivers: count(2, 100_000),
      /** What it gathered, in yen (inclusive). */
      minTotalJpy: yen("gatherScatter.minTotalJpy"),
      /** What it scattered, as a share of what it gathered (inclusive bounds). */
      minScatteredShare: share("gatherScatter.minScatteredShare"),
      maxScatteredShare: share("gatherScatter.maxScatteredShare"),
    }),
  })
  .refine((c) => c.cycle.minLength <= c.cycle.maxLength, { message: "cycle.minLength must not exceed cycle.maxLength", path: ["cycle", "minLength"] })
  .refine((c) => c.cycle.minHopShare <= c.cycle.maxHopShare, { message: "cycle.minHopShare must not exceed cycle.maxHopShare", path: ["cycle", "minHopShare"] })
  .refine((c) => c.scatterGather.minGatheredShare <= c.scatterGather.maxGatheredShare, { message: "must not exceed maxGatheredShare", path: ["scatterGather", "minGatheredShare"] })
  .refine((c) => c.gatherScatter.minScatteredShare <= c.gatherScatter.maxScatteredShare, { message: "must not exceed maxScatteredShare", path: ["gatherScatter", "minScatteredShare"] })
  .refine((c) => c.maxEdgeJpy === null || c.maxEdgeJpy >= c.minEdgeJpy, { message: "must not be below minEdgeJpy", path: ["maxEdgeJpy"] });

export type GraphPatternsConfig = z.output<typeof graphPatternsConfigSchema>;

export const graphPatternsDefaults: GraphPatternsConfig = {
  windowHours: 72,
  minEdgeJpy: 10_000,
  maxEdgeJpy: null,
  hubCounterparties: 50,
  maxEdgesPerNode: 256,
  realertGrowth: 2,
  custodialRetentionDays: 30,
  fanIn: { enabled: true, minCounterparties: 5, minTotalJpy: 1_000_000 },
  fanOut: { enabled: true, minCounterparties: 5, minTotalJpy: 1_000_000 },
  cycle: { enabled: true, minLength: 3, maxLength: 6, minEdgeJpy: 100_000, minHopShare: 0.5, maxHopShare: 1.1, maxSearch: 2_000 },
  scatterGather: { enabled: true, minIntermediaries: 3, minTotalJpy: 1_000_000, minGatheredShare: 0.5, maxGatheredShare: 1.1 },
  gatherScatter: { enabled: true, minSenders: 3, minReceivers: 3, minTotalJpy: 1_000_000, minScatteredShare: 0.5, maxScatteredShare: 1.1 },
};
