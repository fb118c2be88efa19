// What the simulator injected (`labels.ndjson`), one line per injection: the ground truth that
// recall and precision are measured against.
import { z } from "zod";

export const InjectionLabelSchema = z.object({
  injectionId: z.string(),
  typology: z.string(),
  accounts: z.array(z.string()).min(1).describe("the accounts that carry the pattern"),
  entity: z.string().optional().describe("the simulated person or corporate behind them"),
  from: z.string().describe("first event time of the injection (RFC 3339)"),
  to: z.string().describe("last event time of the injection (RFC 3339)"),
  events: z.array(z.string()).optional().describe("event keys (source:id) of the injected events"),
  subjects: z
    .array(z.object({ kind: z.enum(["market", "address"]), id: z.string() }))
    .optional()
    .describe("what a market-level pattern is about besides its accounts: a market as `venue:market` (an alert on that subject in the label's time window detects it)"),
  note: z.string().optional(),
});
export type InjectionLabel = z.infer<typeof InjectionLabelSchema>;
