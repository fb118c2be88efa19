// Linkage measured on the simulator's identity sets: KYC at several exchanges (written differently),
// bureau and social subjects, with typos, moves, married names and hard negatives (households,
// twins, father and son of one name, namesakes). The bar is the identity issue's, on small sets as
// well as large ones (on a few hundred records EM has little to learn from: the priors carry it),
// and the rule that no entity joins two people whose birth dates differ unless every other field
// agrees.
import { test } from "node:test";
import assert from "node:assert/strict";
import { simulate } from "../sim/simulate.ts";
import { identityRecords, scoreLinkage } from "../sim/identity-records.ts";
import { birthDateViolations } from "./linkage/evaluate.ts";
import { defaultReadingProvider, resolveWithReport } from "./index.ts";

const SETS: Array<{ people: number; seeds: number[] }> = [
  { people: 50, seeds: [1, 2, 3] },
  { people: 150, seeds: [1, 2, 3] },
  { people: 600, seeds: [4, 5] },
  { people: 2500, seeds: [31] },
];

test("pairwise precision ≥ 0.99 and recall ≥ 0.97 on simulated consortia of several sizes; hard negatives stay apart; no entity joins people born on different days", async () => {
  const reader = await defaultReadingProvider();
  const rows: string[] = ["people  seed  records  precision  recall  pairs(true)  EM-iterations  hard negatives merged (household/twins/father-son/namesake)"];
  let hardPairs = 0;
  let hardMerged = 0;
  for (const { people, seeds } of SETS) {
    for (const seed of seeds) {
      const sim = simulate({ seed, people, days: 1 });
      const set = identityRecords(sim);
      const report = resolveWithReport(set.records, { reader });
      const entityOf = new Map(report.results.map((r) => [r.recordId, r.entityId as string]));
      const score = scoreLinkage(set, entityOf);
      const hard = Object.values(score.hardNegatives);
      hardPairs += hard.reduce((n, v) => n + v.pairs, 0);
      hardMerged += hard.reduce((n, v) => n + v.merged, 0);
      rows.push(
        `${String(people).padStart(6)}  ${String(seed).padStart(4)}  ${String(score.records).padStart(7)}  ${score.precision.toFixed(4).padStart(9)}  ${score.recall.toFixed(4).padStart(6)}  ` +
          `${String(score.truePairs).padStart(11)}  ${String(report.stats.emIterations).padStart(13)}  ${hard.map((v) => `${v.merged}/${v.pairs}`).join(" ")}`,
      );
      const where = `${people} people, seed ${seed}`;
      assert.ok(score.records > people, `${where}: only ${score.records} records`);
      assert.ok(score.precision >= 0.99, `${where}: precision ${score.precision}`);
      assert.ok(score.recall >= 0.97, `${where}: recall ${score.recall}`);
      const birth = new Map(sim.people.map((p) => [p.personId, p.identity.dateOfBirth]));
      const broken = birthDateViolations(set.records, (id) => set.truth.get(id) ?? "", (p) => birth.get(p), (id) => entityOf.get(id) ?? id);
      assert.deepEqual(broken, [], `${where}: entities join people born on different days`);
    }
  }
  console.log(rows.join("\n"));
  assert.ok(hardPairs > 20, `only ${hardPairs} hard-negative pairs to test`);
  assert.ok(hardMerged <= hardPairs * 0.01, `${hardMerged} of ${hardPairs} hard-negative pairs merged`);
});
