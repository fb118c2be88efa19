// Linkage measured on the simulator's identity sets: KYC at several exchanges (written differently),
// bureau and social subjects, with typos, moves, married names and hard negatives (households,
// twins, father and son of one name, namesakes). The bar is the identity issue's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { simulate } from "../sim/simulate.ts";
import { identityRecords, scoreLinkage } from "../sim/identity-records.ts";
import { defaultReadingProvider, resolve } from "./index.ts";

test("pairwise precision ≥ 0.99 and recall ≥ 0.97 on a simulated consortium's identity records; hard negatives stay apart", async () => {
  const sim = simulate({ seed: 31, people: 2500, days: 1 });
  const set = identityRecords(sim);
  const reader = await defaultReadingProvider();
  const resolved = resolve(set.records, { reader });
  const entityOf = new Map(resolved.map((r) => [r.recordId, r.entityId]));
  const score = scoreLinkage(set, entityOf);
  const hard = Object.entries(score.hardNegatives).map(([k, v]) => `${k} ${v.merged}/${v.pairs}`).join(", ");
  console.log(`${score.records} records: precision ${score.precision.toFixed(4)}, recall ${score.recall.toFixed(4)}; hard negatives merged: ${hard}`);
  assert.ok(score.records > 5000, `only ${score.records} records`);
  assert.ok(score.precision >= 0.99, `precision ${score.precision}`);
  assert.ok(score.recall >= 0.97, `recall ${score.recall}`);
  const hardPairs = Object.values(score.hardNegatives).reduce((n, v) => n + v.pairs, 0);
  const merged = Object.values(score.hardNegatives).reduce((n, v) => n + v.merged, 0);
  assert.ok(hardPairs > 20, `only ${hardPairs} hard-negative pairs to test`);
  assert.ok(merged <= hardPairs * 0.01, `${merged} of ${hardPairs} hard-negative pairs merged`);
});
