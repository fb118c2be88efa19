// The human summary of a detection run: alerts by typology and the accounts most alerted on.
import type { Alert } from "../contracts/alerts.ts";

export function formatAlertSummary(alerts: readonly Alert[], topN = 10): string {
  const byTypology = new Map<string, number>();
  const byAccount = new Map<string, { count: number; maxScore: number; typologies: Set<string> }>();
  for (const a of alerts) {
    byTypology.set(a.typology, (byTypology.get(a.typology) ?? 0) + 1);
    for (const acc of a.accounts) {
      const s = byAccount.get(acc) ?? { count: 0, maxScore: 0, typologies: new Set<string>() };
      s.count++;
      s.maxScore = Math.max(s.maxScore, a.score);
      s.typologies.add(a.typology);
      byAccount.set(acc, s);
    }
  }
  const out: string[] = ["alerts by typology:"];
  const typologies = [...byTypology].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (typologies.length === 0) out.push("  (none)");
  for (const [t, n] of typologies) out.push(`  ${t.padEnd(28)} ${String(n).padStart(7)}`);
  const top = [...byAccount].sort((a, b) => b[1].maxScore - a[1].maxScore || b[1].count - a[1].count || a[0].localeCompare(b[0])).slice(0, topN);
  if (top.length) {
    out.push(`top accounts (of ${byAccount.size} alerted):`);
    for (const [acc, s] of top) out.push(`  ${acc.padEnd(28)} score ${String(s.maxScore).padStart(3)}  ${s.count} alert(s): ${[...s.typologies].sort().join(", ")}`);
  }
  return out.join("\n");
}
