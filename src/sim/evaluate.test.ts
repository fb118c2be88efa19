import { test } from "node:test";
import assert from "node:assert/strict";
import type { InjectionLabel } from "../contracts/index.ts";
import { isKanshiError } from "../contracts/index.ts";
import { evaluate } from "./evaluate.ts";

const label = (injectionId: string, typology: string, accounts: string[], from: string, to: string): InjectionLabel => ({ injectionId, typology, accounts, from, to });
const alert = (typology: string, accounts: string[], ts: string, subject?: string) => ({
  typology,
  accounts,
  ts,
  subject: subject === undefined ? { kind: "entity" as const, id: "E1" } : { kind: "account" as const, id: subject },
});

const labels = [
  label("s1", "structuring", ["A"], "2026-11-02T10:00:00+09:00", "2026-11-02T12:00:00+09:00"),
  label("s2", "structuring", ["B"], "2026-11-02T10:00:00+09:00", "2026-11-02T11:00:00+09:00"),
  label("p1", "pass-through", ["C", "D"], "2026-11-02T08:00:00+09:00", "2026-11-02T09:00:00+09:00"),
];

test("recall counts injections with an alert of their typology on one of their accounts within [from, to + slack]", () => {
  const alerts = [
    alert("structuring", ["A"], "2026-11-02T12:30:00+09:00"), // detects s1
    alert("structuring", ["X"], "2026-11-02T11:00:00+09:00"), // background: false positive
    alert("structuring", [], "2026-11-03T12:00:00+09:00", "B"), // on s2's account (as subject) but 25 h after its end
    alert("structuring", ["B"], "2026-11-02T09:00:00+09:00"), // on s2's account, before it started
    alert("pass-through", ["A"], "2026-11-02T12:30:00+09:00"), // A carries structuring, not pass-through: a co-detection
    alert("pass-through", ["A", "X"], "2026-11-02T12:30:00+09:00"), // X is background: a false positive
  ];
  assert.deepEqual(evaluate(labels, alerts, "structuring"), {
    typology: "structuring",
    injections: 2,
    detected: 1,
    recall: 0.5,
    alerts: 4,
    truePositive: 3,
    coDetections: 0,
    precision: 0.75,
  });
  // a longer slack reaches the late alert on B
  assert.equal(evaluate(labels, alerts, "structuring", { slackMs: 26 * 3_600_000 }).detected, 2);
  // no slack: only alerts inside [from, to] count
  assert.equal(evaluate(labels, alerts, "structuring", { slackMs: 0 }).detected, 0);
  assert.deepEqual(evaluate(labels, alerts, "pass-through"), {
    typology: "pass-through",
    injections: 1,
    detected: 0,
    recall: 0,
    alerts: 2,
    truePositive: 0,
    coDetections: 1,
    precision: 0,
  });
});

test("any account of a multi-account injection counts; timestamps in other offsets compare as instants", () => {
  const r = evaluate(labels, [alert("pass-through", ["Z", "D"], "2026-11-02T00:30:00Z")], "pass-through");
  assert.equal(r.detected, 1);
  assert.equal(r.truePositive, 1);
  assert.equal(r.precision, 1);
});

test("nothing to divide gives 1", () => {
  const r = evaluate(labels, [], "market-moving-transfer");
  assert.deepEqual(r, { typology: "market-moving-transfer", injections: 0, detected: 0, recall: 1, alerts: 0, truePositive: 0, coDetections: 0, precision: 1 });
  // only co-detections: nothing judged
  const co = evaluate(labels, [alert("market-moving-transfer", ["A", "C"], "2026-11-02T11:00:00+09:00")], "market-moving-transfer");
  assert.equal(co.coDetections, 1);
  assert.equal(co.precision, 1);
  assert.equal(evaluate([], [alert("structuring", ["X"], "2026-11-02T11:00:00+09:00")], "structuring").precision, 0);
});

test("a bad timestamp or slack is bad input naming where", () => {
  assert.throws(
    () => evaluate(labels, [alert("structuring", ["A"], "noon")], "structuring"),
    (e: unknown) => isKanshiError(e) && e.path === "alerts[0].ts",
  );
  assert.throws(
    () => evaluate([label("x", "structuring", ["A"], "later", "2026-11-02T12:00:00+09:00")], [], "structuring"),
    (e: unknown) => isKanshiError(e) && e.path === "labels[0].from",
  );
  assert.throws(() => evaluate(labels, [], "structuring", { slackMs: -1 }), (e: unknown) => isKanshiError(e) && e.path === "slackMs");
});

test("a market-level alert (no accounts) detects an injection labelled with its subject, inside the time window only", () => {
  const pump: InjectionLabel = { ...label("pd1", "pump-and-dump", ["G1", "G2"], "2026-11-02T17:00:00+09:00", "2026-11-02T17:20:00+09:00"), subjects: [{ kind: "market", id: "coincheck:XEM/JPY" }] };
  const market = (id: string, ts: string) => ({ typology: "pump-and-dump", accounts: [], ts, subject: { kind: "market" as const, id } });
  const alerts = [
    market("coincheck:XEM/JPY", "2026-11-02T17:01:30+09:00"), // detects pd1
    market("coincheck:XEM/JPY", "2026-11-04T09:00:00+09:00"), // same market, two days later: a false positive
    market("bitbank:XEM/JPY", "2026-11-02T17:01:30+09:00"), // another venue: a false positive
  ];
  const r = evaluate([pump], alerts, "pump-and-dump");
  assert.equal(r.detected, 1);
  assert.equal(r.truePositive, 1);
  assert.equal(r.coDetections, 0, "an alert without accounts is never a co-detection");
  assert.equal(r.precision, 1 / 3);
  // the market alert alone detects it; an account alert on the group does too
  assert.equal(evaluate([pump], [alerts[0]!], "pump-and-dump").recall, 1);
  assert.equal(evaluate([pump], [alert("pump-and-dump", ["G2"], "2026-11-02T17:10:00+09:00")], "pump-and-dump").recall, 1);
  assert.equal(evaluate([pump], [alerts[1]!, alerts[2]!], "pump-and-dump").recall, 0);
});
