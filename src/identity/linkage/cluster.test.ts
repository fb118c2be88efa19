import { test } from "node:test";
import assert from "node:assert/strict";
import { clusterPairs } from "./cluster.ts";

test("merges strongest first and never chains two conflicting records through a third", () => {
  // 0–1 and 1–2 look like matches, but 0 and 2 conflict (birth dates differ): 2 must stay apart
  // from 0 whatever order the edges come in.
  const edges = [
    { i: 0, j: 1, weight: 20, probability: 0.999 },
    { i: 1, j: 2, weight: 15, probability: 0.99 },
    { i: 3, j: 4, weight: 12, probability: 0.98 },
    { i: 4, j: 5, weight: 1, probability: 0.6 },
  ];
  const conflict = (a: number, b: number) => ((a === 0 && b === 2) || (a === 2 && b === 0) ? "dates of birth differ" : null);
  const c = clusterPairs(6, edges, { threshold: 0.9, conflict });
  assert.equal(c.clusterOf[0], c.clusterOf[1]);
  assert.notEqual(c.clusterOf[2], c.clusterOf[0]);
  assert.equal(c.clusterOf[3], c.clusterOf[4]);
  assert.notEqual(c.clusterOf[5], c.clusterOf[4], "below the threshold");
  assert.deepEqual(c.refused, [{ i: 1, j: 2, a: 0, b: 2, reason: "dates of birth differ" }]);
  // The stronger link wins when the order is reversed: 1–2 first, then 0–1 is refused.
  const c2 = clusterPairs(3, [{ i: 0, j: 1, weight: 10, probability: 0.95 }, { i: 1, j: 2, weight: 30, probability: 0.9999 }], { threshold: 0.9, conflict });
  assert.equal(c2.clusterOf[1], c2.clusterOf[2]);
  assert.notEqual(c2.clusterOf[0], c2.clusterOf[1]);
});
