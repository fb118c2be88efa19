import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Alert } from "../../contracts/index.ts";
import { diffAlerts } from "./backtest.ts";

function alert(id: string, typology: string, subject: string, evidence: string[], score = 50): Alert {
  return {
    id,
    typology,
    typologyVersion: "1.0.0",
    configVersion: "c",
    ts: `2026-11-02T0${evidence.length}:00:00Z`,
    subject: { kind: "account", id: subject },
    accounts: [subject],
    score,
    evidence,
    explanation: "x",
  };
}

describe("diffAlerts", () => {
  it("matches alerts across configs by typology, subject and trigger; counts gained, lost, changed per typology", () => {
    const a = [
      alert("a1", "structuring", "ac_1", ["x:1", "x:2", "x:3"]),
      alert("a2", "structuring", "ac_2", ["x:4", "x:5", "x:6"]),
      alert("a3", "pass-through", "ac_3", ["x:7", "x:8"], 60),
      alert("a4", "pass-through", "ac_4", ["x:9", "x:10", "x:11"]),
    ];
    const b = [
      alert("b1", "structuring", "ac_1", ["x:1", "x:2", "x:3"]), // unchanged (other id: other config)
      alert("b3", "pass-through", "ac_3", ["x:7", "x:8"], 70), // changed score
      alert("b4", "pass-through", "ac_4", ["x:9", "x:10"]), // same deposit, alerted one withdrawal earlier
      alert("b5", "pass-through", "ac_5", ["x:12", "x:13"]), // gained
    ];
    const d = diffAlerts(a, b);
    assert.deepEqual([d.before, d.after, d.gained, d.lost, d.changed], [4, 4, 1, 1, 2]);
    const st = d.typologies.find((t) => t.typology === "structuring")!;
    assert.deepEqual([st.before, st.after, st.unchanged, st.gained.length, st.lost.map((x) => x.id)], [2, 1, 1, 0, ["a2"]]);
    const pt = d.typologies.find((t) => t.typology === "pass-through")!;
    assert.deepEqual(pt.gained.map((x) => x.id), ["b5"]);
    assert.deepEqual(pt.changed.map((c) => [c.before.id, c.after.id]).sort(), [["a3", "b3"], ["a4", "b4"]]);
    assert.equal(pt.lost.length, 0);
  });

  it("identical runs differ in nothing; an empty side gains or loses everything", () => {
    const a = [alert("a1", "structuring", "ac_1", ["x:1"]), alert("a2", "wash-trade", "ac_2", ["x:2"])];
    const same = diffAlerts(a, a);
    assert.deepEqual([same.gained, same.lost, same.changed], [0, 0, 0]);
    assert.equal(diffAlerts([], a).gained, 2);
    assert.equal(diffAlerts(a, []).lost, 2);
    assert.deepEqual(diffAlerts(a, []).typologies.map((t) => t.typology), ["structuring", "wash-trade"]);
  });

  it("two alerts on one trigger are matched one to one", () => {
    const a = [alert("a1", "graph-patterns", "ac_1", ["x:1", "x:9"])];
    const b = [alert("b1", "graph-patterns", "ac_1", ["x:1", "x:9"]), alert("b2", "graph-patterns", "ac_1", ["x:2", "x:9"])];
    const d = diffAlerts(a, b);
    assert.deepEqual([d.gained, d.lost, d.changed], [1, 0, 0]);
  });
});
