import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isKanshiError } from "../contracts/errors.ts";
import { DEFAULT_RISK_SCORE_CONFIG, riskScore, riskScoreConfig, severityOf, type ScoredAlert } from "./scoring.ts";

const DAY = 86_400_000;
const T0 = Date.parse("2024-04-01T00:00:00Z");
const at = (days: number) => new Date(T0 + days * DAY).toISOString();
const alert = (id: string, typology: string, score: number, days: number): ScoredAlert => ({ id, typology, score, ts: at(days) });

describe("risk score: figures", () => {
  it("one alert scores its own severity; it halves its weight after one half-life", () => {
    const a = [alert("a1", "structuring", 60, 0)];
    assert.equal(riskScore(a, T0).score, 60);
    assert.equal(riskScore(a, T0 + 30 * DAY).score, 30);
    assert.equal(riskScore(a, T0 + 60 * DAY).score, 15);
  });

  it("independent typologies combine as noisy-OR; a second alert of one typology is damped", () => {
    assert.equal(riskScore([alert("a", "structuring", 60, 0), alert("b", "pass-through", 60, 0)], T0).score, 84);
    // 1 − (1 − 0.6)(1 − 0.3) = 0.72
    assert.equal(riskScore([alert("a", "structuring", 60, 0), alert("b", "structuring", 60, 0)], T0).score, 72);
    const undamped = riskScoreConfig({ sameTypologyDamping: 1 });
    assert.equal(riskScore([alert("a", "structuring", 60, 0), alert("b", "structuring", 60, 0)], T0, undamped).score, 84);
  });

  it("typology weights scale an alert's severity, capped at certainty", () => {
    const cfg = riskScoreConfig({ typologyWeights: { "illicit-exposure": 2, "wash-trade": 0.5 } });
    assert.equal(riskScore([alert("a", "wash-trade", 80, 0)], T0, cfg).score, 40);
    assert.equal(riskScore([alert("a", "illicit-exposure", 80, 0)], T0, cfg).score, 100);
  });

  it("alerts after now are not counted; alerts beyond the horizon are dropped; a repeated id counts once", () => {
    const r = riskScore([alert("a", "structuring", 60, 0), alert("b", "pass-through", 90, 5), alert("c", "pass-through", 90, -300), alert("a", "structuring", 60, 0)], T0);
    assert.equal(r.score, 60);
    assert.equal(r.future, 1);
    assert.equal(r.expired, 1);
    assert.equal(r.contributions.length, 1);
    assert.match(r.explanation, /1 alert older than 240 days no longer count/);
    assert.match(r.explanation, /1 alert dated later are not counted yet/);
  });

  it("the explanation lists each contribution with its figures, and they add up to the score", () => {
    const alerts = [alert("s1", "structuring", 60, 0), alert("s2", "structuring", 50, 1), alert("p1", "pass-through", 80, 2), alert("x1", "illicit-exposure", 95, -1)];
    const r = riskScore(alerts, T0 + 3 * DAY);
    assert.equal(r.contributions.length, 4);
    const sum = r.contributions.reduce((s, c) => s + c.points, 0);
    assert.ok(Math.abs(sum - r.score) < 1e-9, `${sum} vs ${r.score}`);
    const top = r.contributions[0]!;
    assert.equal(top.alertId, "x1");
    assert.equal(top.severity, "critical");
    assert.equal(top.ageDays, 4);
    assert.equal(top.decay, Math.round(2 ** (-4 / 30) * 10_000) / 10_000);
    const s2 = r.contributions.find((c) => c.alertId === "s2")!;
    assert.equal(s2.rank, 2, "the weaker structuring alert is second of its typology");
    assert.match(r.explanation, /^Risk score [\d.]+ \(critical\) from 4 alerts, half-life 30 days: illicit-exposure x1 \+[\d.]+ \(alert score 95, 4 days old, ×0\.91\); pass-through p1 \+[\d.]+ \(alert score 80, 1 day old, ×0\.98\)/);
    assert.match(r.explanation, /structuring s2 \+[\d.]+ \(alert score 50, 2 days old, ×0\.95, 2nd of its typology\)/);
  });

  it("no alerts: zero, and the explanation says so", () => {
    const r = riskScore([], T0);
    assert.equal(r.score, 0);
    assert.equal(r.severity, "low");
    assert.match(r.explanation, /no alerts in the last 240 days/);
  });

  it("severity bands", () => {
    assert.deepEqual([95, 90, 89.9, 70, 69, 40, 39, 0].map(severityOf), ["critical", "critical", "high", "high", "medium", "medium", "low", "low"]);
  });

  it("bad input is named where it is", () => {
    const bad = (f: () => unknown, path: string) =>
      assert.throws(f, (e: unknown) => isKanshiError(e) && e.kind === "bad_input" && e.path === path);
    bad(() => riskScore([alert("a", "x", 60, 0), { ...alert("b", "x", 101, 0) }], T0), "alerts[1].score");
    bad(() => riskScore([{ ...alert("a", "x", 60, 0), ts: "yesterday" }], T0), "alerts[0].ts");
    bad(() => riskScore([], Number.NaN), "now");
    bad(() => riskScoreConfig({ halfLifeDays: 0 }), "risk score config.halfLifeDays");
    bad(() => riskScoreConfig({ typologyWeights: { x: 9 } }), "risk score config.typologyWeights.x");
    assert.equal(DEFAULT_RISK_SCORE_CONFIG.halfLifeDays, 30);
  });
});

describe("risk score: properties", () => {
  const typology = fc.constantFrom("structuring", "pass-through", "wash-trade", "illicit-exposure");
  const arbAlert = fc.record({
    id: fc.string({ minLength: 1, maxLength: 6 }),
    typology,
    score: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true })),
    days: fc.double({ min: -400, max: 0, noNaN: true }),
  }).map((a) => alert(a.id, a.typology, a.score, a.days));
  const arbConfig = fc.record({
    halfLifeDays: fc.double({ min: 0.5, max: 365, noNaN: true }),
    horizonHalfLives: fc.double({ min: 1, max: 20, noNaN: true }),
    sameTypologyDamping: fc.double({ min: 0, max: 1, noNaN: true }),
    typologyWeights: fc.dictionary(typology, fc.double({ min: 0, max: 4, noNaN: true })),
  }).map((c) => riskScoreConfig(c));
  const uniqueAlerts = fc.uniqueArray(arbAlert, { selector: (a) => a.id, maxLength: 25 });

  it("bounded in [0, 100], and the contributions add up to it", () => {
    fc.assert(
      fc.property(uniqueAlerts, arbConfig, (alerts, cfg) => {
        const r = riskScore(alerts, T0, cfg);
        assert.ok(r.score >= 0 && r.score <= 100, String(r.score));
        const sum = r.contributions.reduce((s, c) => s + c.points, 0);
        assert.ok(Math.abs(sum - r.score) < 1e-6);
        assert.ok(r.contributions.every((c) => c.points >= 0));
      }),
      { numRuns: 400 },
    );
  });

  it("monotone in added alerts: one more alert never lowers the score", () => {
    fc.assert(
      fc.property(uniqueAlerts, arbAlert, arbConfig, (alerts, extra, cfg) => {
        fc.pre(!alerts.some((a) => a.id === extra.id));
        const before = riskScore(alerts, T0, cfg).score;
        const after = riskScore([...alerts, extra], T0, cfg).score;
        assert.ok(after >= before, `${after} < ${before}`);
      }),
      { numRuns: 600 },
    );
  });

  it("decays: for the same alerts, a later now never gives a higher score", () => {
    fc.assert(
      fc.property(uniqueAlerts, arbConfig, fc.double({ min: 0, max: 800, noNaN: true }), (alerts, cfg, laterDays) => {
        const now = riskScore(alerts, T0, cfg).score;
        const later = riskScore(alerts, T0 + laterDays * DAY, cfg).score;
        assert.ok(later <= now, `${later} > ${now}`);
      }),
      { numRuns: 600 },
    );
  });

  it("deterministic: the order alerts come in does not matter", () => {
    fc.assert(
      fc.property(uniqueAlerts, fc.integer(), (alerts, seed) => {
        const shuffled = [...alerts];
        let s = seed;
        for (let i = shuffled.length - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) | 0;
          const j = Math.abs(s) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        assert.deepEqual(riskScore(shuffled, T0), riskScore(alerts, T0));
      }),
      { numRuns: 300 },
    );
  });
});
