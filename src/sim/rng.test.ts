import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Rng, WeightedTable, hashParts } from "./rng.ts";
import { IdScrambler } from "./ids.ts";

test("the same seed and stream give the same numbers; derived streams differ", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const xs = Array.from({ length: 100 }, () => a.next());
  assert.deepEqual(Array.from({ length: 100 }, () => b.next()), xs);
  const c = new Rng(43);
  assert.notDeepEqual(Array.from({ length: 100 }, () => c.next()), xs);
  const d1 = Rng.derive(7, "kyc", 1).next();
  assert.equal(Rng.derive(7, "kyc", 1).next(), d1);
  assert.notEqual(Rng.derive(7, "kyc", 2).next(), d1);
  assert.notEqual(Rng.derive(7, "kya", 1).next(), d1);
  assert.notEqual(hashParts(1, ["a"]), hashParts(1 + 2 ** 32, ["a"]), "seeds above 2^32 are not folded");
});

test("uniform draws stay in range", () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (seed, lo, width) => {
      const r = new Rng(seed);
      for (let i = 0; i < 20; i++) {
        const f = r.float();
        assert.ok(f >= 0 && f < 1);
        const k = r.int(lo, lo + width);
        assert.ok(Number.isInteger(k) && k >= lo && k <= lo + width);
      }
    }),
    { numRuns: 200 },
  );
  assert.throws(() => new Rng(1).int(3, 2), /empty range/);
});

test("distributions have the shape they claim", () => {
  const r = new Rng(5);
  const N = 20_000;
  const normals = Array.from({ length: N }, () => r.normal(10, 2));
  const mean = normals.reduce((x, y) => x + y, 0) / N;
  const sd = Math.sqrt(normals.reduce((x, y) => x + (y - mean) ** 2, 0) / N);
  assert.ok(Math.abs(mean - 10) < 0.1 && Math.abs(sd - 2) < 0.1, `${mean} ${sd}`);
  const logs = Array.from({ length: N }, () => r.logNormal(1000, 1)).sort((x, y) => x - y);
  assert.ok(Math.abs(logs[N / 2]! / 1000 - 1) < 0.05, "log-normal median");
  const par = Array.from({ length: N }, () => r.pareto(1, 1.5));
  assert.ok(par.every((x) => x >= 1));
  assert.ok(par.filter((x) => x > 10).length / N > 0.02, "heavy tail: P(X > 10) = 10^-1.5 ≈ 3%");
  const pois = Array.from({ length: N }, () => r.poisson(3));
  assert.ok(Math.abs(pois.reduce((x, y) => x + y, 0) / N - 3) < 0.05);
  const table = new WeightedTable(["a", "b", "c"], [1, 0, 3]);
  const counts = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < N; i++) counts[table.draw(r) as "a" | "b" | "c"]++;
  assert.equal(counts.b, 0);
  assert.ok(Math.abs(counts.c / N - 0.75) < 0.02);
  assert.throws(() => new WeightedTable(["a"], [0]), /positive total/);
});

test("scrambled ids are distinct, fixed-width and stable", () => {
  const s = new IdScrambler(3);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.integer(), (x, y, salt) => {
      if (x !== y) assert.notEqual(s.text(x, salt), s.text(y, salt));
      assert.match(s.text(x, salt), /^[0-9a-z]{10}$/);
    }),
    { numRuns: 500 },
  );
  assert.equal(new IdScrambler(3).text(12345, 9), s.text(12345, 9));
  assert.throws(() => s.permute(2 ** 48), /out of range/);
});
