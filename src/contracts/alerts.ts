// The alert format (CONTRACT.md, "Alerts"): what `kanshi detect` writes and the API returns.
import { createHash } from "node:crypto";
import { z } from "zod";

export const SubjectKind = z.enum(["account", "entity", "address", "market"]);

export const AlertSchema = z.object({
  id: z.string().describe("stable: the same events and config give the same alert id"),
  typology: z.string().describe("e.g. structuring, market-moving-transfer, pass-through"),
  typologyVersion: z.string(),
  configVersion: z.string(),
  ts: z.string().describe("event time of the last evidence event (RFC 3339)"),
  subject: z.object({ kind: SubjectKind, id: z.string() }),
  accounts: z.array(z.string()).describe("every account id involved"),
  score: z.number().min(0).max(100),
  evidence: z.array(z.string()).describe("event keys (source:id) that make the case"),
  explanation: z.string().describe("one or two sentences with the figures that crossed the line"),
  details: z.record(z.string(), z.unknown()).optional().describe("typology-specific figures (ratios, sums, counts)"),
});
export type Alert = z.infer<typeof AlertSchema>;

/**
 * A stable alert id: a hash of what produced it (typology, its config version, the subject) and the
 * evidence that makes it. Same events + same config → same id; no clock, no counter.
 */
export function stableAlertId(parts: {
  typology: string;
  configVersion: string;
  subject: { kind: string; id: string };
  evidence: readonly string[];
}): string {
  const h = createHash("sha256");
  h.update(parts.typology).update("\0").update(parts.configVersion).update("\0");
  h.update(parts.subject.kind).update("\0").update(parts.subject.id).update("\0");
  for (const e of parts.evidence) h.update(e).update("\0");
  return `al_${h.digest("base64url").slice(0, 22)}`;
}
