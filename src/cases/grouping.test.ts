import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { caseConfig, planSubject, scoreCaseId, subjectOfAlert, type GroupedAlert, type KnownAlert } from "./grouping.ts";

const DAY = 86_400_000;
const T0 = Date.parse("2024-04-01T00:00:00Z");
const at = (days: number) => new Date(T0 + days * DAY).toISOString();
const alert = (id: string, score: number, days: number, typology = "structuring", subject = "ent_a"): GroupedAlert => ({
  id,
  typology,
  score,
  ts: at(days),
  subject: { kind: "entity", id: subject },
  accounts: ["ac_1"],
});
const known = (a: GroupedAlert, caseId: string | null = null, dismissed = false): KnownAlert => ({ alert: a, caseId, dismissed });
const cfg = caseConfig({ openThreshold: 65 });

describe("which subject an alert is about", () => {
  it("entity, account, an entity id that is one of its accounts (no identity on record), nothing for markets", () => {
    assert.deepEqual(subjectOfAlert({ subject: { kind: "entity", id: "ent_1" }, accounts: ["a1"] }), { kind: "entity", id: "ent_1" });
    assert.deepEqual(subjectOfAlert({ subject: { kind: "account", id: "a1" }, accounts: ["a1"] }), { kind: "account", id: "a1" });
    assert.deepEqual(subjectOfAlert({ subject: { kind: "entity", id: "a1" }, accounts: ["a1", "a2"] }), { kind: "account", id: "a1" });
    assert.equal(subjectOfAlert({ subject: { kind: "market", id: "bitflyer:BTC/JPY" }, accounts: [] }), null);
    assert.equal(subjectOfAlert({ subject: { kind: "address", id: "0xabc" }, accounts: [] }), null);
  });
});

describe("planSubject", () => {
  it("a weak alert alone opens nothing; the next one that lifts the score over the line opens a case with both", () => {
    assert.equal(planSubject("ent_a", [known(alert("a1", 50, 0))], null, cfg), null);
    const plan = planSubject("ent_a", [known(alert("a1", 50, 0)), known(alert("a2", 40, 1, "pass-through"))], null, cfg)!;
    assert.equal(plan.opens, true);
    assert.equal(plan.openedBy, "a2");
    assert.equal(plan.caseId, scoreCaseId("ent_a", "a2"));
    assert.deepEqual(plan.alertIds, ["a1", "a2"]);
    // 1 − (1 − 0.5·2^(−1/30))(1 − 0.4) ≈ 69.31
    assert.ok(Math.abs(plan.score - 69.31) < 0.01, String(plan.score));
    assert.equal(plan.firstTs, at(0));
    assert.equal(plan.lastTs, at(1));
  });

  it("every new alert joins an active case, whatever its score; the peak never falls", () => {
    const plan = planSubject("ent_a", [known(alert("a1", 90, 0), "cs_x"), known(alert("a2", 10, 200))], { id: "cs_x", score: 90 }, cfg)!;
    assert.equal(plan.opens, false);
    assert.equal(plan.caseId, "cs_x");
    assert.deepEqual(plan.alertIds, ["a2"]);
    assert.equal(plan.score, 90, "the peak stays");
    assert.ok(plan.lastScore < 20, "a 200-day-old alert has decayed");
  });

  it("alerts of a case closed as a false positive no longer count", () => {
    const old = known(alert("a1", 80, 0), "cs_old", true);
    assert.equal(planSubject("ent_a", [old, known(alert("a2", 30, 1, "pass-through"))], null, cfg), null);
    const nfa = known(alert("a1", 80, 0), "cs_old", false);
    const plan = planSubject("ent_a", [nfa, known(alert("a2", 30, 1, "pass-through"))], null, cfg)!;
    assert.equal(plan.opens, true, "a case closed with no further action still counts");
    assert.deepEqual(plan.alertIds, ["a2"], "an alert already in a case is not taken again");
  });

  it("the case the score opens gathers the subject's earlier unattached alerts, also those too old to count", () => {
    const plan = planSubject("ent_a", [known(alert("a0", 60, -300)), known(alert("a1", 70, 0)), known(alert("a2", 20, 3))], null, cfg)!;
    assert.deepEqual(plan.alertIds, ["a0", "a1", "a2"]);
    assert.equal(plan.openedBy, "a1");
    assert.equal(plan.firstTs, at(-300));
  });

  it("nothing to do without unattached alerts", () => {
    assert.equal(planSubject("ent_a", [known(alert("a1", 90, 0), "cs_x")], { id: "cs_x", score: 90 }, cfg), null);
  });

  it("the same alerts give the same plan in any order; planning again after the plan changes nothing", () => {
    const arb = fc.uniqueArray(
      fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), score: fc.integer({ min: 0, max: 100 }), day: fc.integer({ min: 0, max: 120 }), typology: fc.constantFrom("structuring", "pass-through", "wash-trade") }),
      { selector: (a) => a.id, maxLength: 15 },
    );
    fc.assert(
      fc.property(arb, (list) => {
        const alerts = list.map((a) => known(alert(a.id, a.score, a.day, a.typology)));
        const p1 = planSubject("ent_a", alerts, null, cfg);
        const p2 = planSubject("ent_a", [...alerts].reverse(), null, cfg);
        assert.deepEqual(p1, p2);
        if (p1 === null) return;
        const joined = new Set(p1.alertIds);
        const after = alerts.map((k) => (joined.has(k.alert.id) ? known(k.alert, p1.caseId) : k));
        assert.equal(planSubject("ent_a", after, { id: p1.caseId, score: p1.score }, cfg), null, "idempotent");
        assert.ok(p1.alertIds.length === alerts.length, "an opened case takes every unattached alert");
      }),
      { numRuns: 300 },
    );
  });

  it("config is checked", () => {
    assert.throws(() => caseConfig({ openThreshold: 101 }), /case config\.openThreshold/);
    assert.throws(() => caseConfig({ risk: { halfLifeDays: -1 } }), /case config\.risk\.halfLifeDays/);
    assert.equal(caseConfig().openThreshold, 65);
  });
});
