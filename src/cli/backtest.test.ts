// `kanshi backtest` through main(argv) on a small simulated day: lowering pass-through's deposit
// line and withdrawn share gains alerts and loses none; bad configs are refused naming the file and the field.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeSimulation } from "../sim/write.ts";
import type { BacktestRun } from "./backtest.ts";
import { main } from "./main.ts";
import { captureIo } from "./testing.ts";

describe("kanshi backtest", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-backtest-"));
    await writeSimulation(join(dir, "sim"), { seed: 3, people: 200, days: 1 });
    await writeFile(join(dir, "a.json"), JSON.stringify({ "pass-through": { minDepositJpy: 500_000 } }));
    await writeFile(join(dir, "b.json"), JSON.stringify({ "pass-through": { minDepositJpy: 20_000, withdrawnShare: 0.5 } }));
    await writeFile(join(dir, "bad.json"), JSON.stringify({ "pass-through": { minDepositJpy: -5 } }));
    await writeFile(join(dir, "unknown.json"), JSON.stringify({ structurin: {} }));
    const rule = { id: "big-out", version: 1, name: "Large withdrawal", expression: 'event.type == "withdrawal" && event.valueJpy >= 1000000', score: 40 };
    await writeFile(join(dir, "rule.json"), JSON.stringify({ rules: [rule] }));
    await writeFile(join(dir, "bad-rule.json"), JSON.stringify({ rules: [{ ...rule, expression: 'event.valueJpy >= "x"' }] }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lowering a threshold gains alerts of that typology only (JSON output)", async () => {
    const io = captureIo({ cwd: dir });
    assert.equal(await main(["backtest", "sim/events.ndjson", "--config", "a.json", "--config", "b.json", "--json", "--no-entities"], io), 0, io.err());
    const run = JSON.parse(io.out()) as BacktestRun;
    assert.equal(run.a.name, "a.json");
    assert.notEqual(run.a.configVersions["pass-through"], run.b.configVersions["pass-through"]);
    assert.equal(run.a.configVersions["structuring"], run.b.configVersions["structuring"]);
    const pt = run.diff.typologies.find((t) => t.typology === "pass-through");
    assert.ok(pt, "pass-through raised in the simulated day");
    assert.ok(pt.gained.length > 0, "a lower deposit line gains pass-through alerts");
    assert.equal(pt.lost.length, 0);
    assert.equal(pt.after - pt.before, pt.gained.length);
    // The gains are deposits under the old lines, alerted on the new ones.
    for (const g of pt.gained) {
      const m = /^Deposit of ¥([\d,]+) .*\(([\d.]+)% of it; line 50%\)/.exec(g.explanation);
      assert.ok(m, g.explanation);
      assert.ok(Number(m[1]!.replaceAll(",", "")) < 500_000 || Number(m[2]) < 80, g.explanation);
    }
    for (const t of run.diff.typologies) {
      if (t.typology === "pass-through") continue;
      assert.deepEqual([t.gained.length, t.lost.length, t.changed.length], [0, 0, 0], t.typology);
    }
    assert.equal(run.diff.after - run.diff.before, run.diff.gained - run.diff.lost);
  });

  it("prints a per-typology table; one --config compares against the defaults", async () => {
    const io = captureIo({ cwd: dir });
    assert.equal(await main(["backtest", "sim/events.ndjson", "--config", "b.json", "--no-entities", "--examples", "1"], io), 0, io.err());
    const out = io.out();
    assert.match(out, /A = defaults \(\d+ alerts\), B = b\.json/);
    assert.match(out, /configs differ for: pass-through \([0-9a-f]{12} → [0-9a-f]{12}\)/);
    const row = /^pass-through\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([+-]?\d+)$/m.exec(out);
    assert.ok(row, out);
    assert.ok(Number(row[3]) > 0);
    assert.match(out, /pass-through gained \(\d+(, first 1)?\):\n {2}\S+ {2}account:\S+ {2}score \d+ {2}Deposit of/);
  });

  it("a config's rules run beside the typologies: adding a rule gains only rule:<id> alerts", async () => {
    const io = captureIo({ cwd: dir });
    assert.equal(await main(["backtest", "sim/events.ndjson", "--config", "a.json", "--config", "rule.json", "--json", "--no-entities"], io), 0, io.err());
    const run = JSON.parse(io.out()) as BacktestRun;
    const r = run.diff.typologies.find((t) => t.typology === "rule:big-out");
    assert.ok(r && r.gained.length > 0 && r.before === 0 && r.after === r.gained.length);
    for (const g of r.gained) assert.match(g.explanation, /^Rule "Large withdrawal" \(v1\) matched a withdrawal of ¥[\d,]+\.$/);
    const io2 = captureIo({ cwd: dir });
    assert.equal(await main(["backtest", "sim/events.ndjson", "--config", "bad-rule.json"], io2), 1);
    assert.match(io2.err(), /bad-rule\.json: rules\[0\]\.expression:1:1: no such overload: int >= string/);
  });

  it("refuses a config its typology's schema rejects, or an unknown typology, naming file and field", async () => {
    const io = captureIo({ cwd: dir });
    assert.equal(await main(["backtest", "sim/events.ndjson", "--config", "a.json", "--config", "bad.json"], io), 1);
    assert.match(io.err(), /bad\.json: pass-through\.minDepositJpy: must be positive/);
    const io2 = captureIo({ cwd: dir });
    assert.equal(await main(["backtest", "sim/events.ndjson", "--config", "unknown.json"], io2), 1);
    assert.match(io2.err(), /unknown\.json: structurin: unknown typology/);
    const io3 = captureIo({ cwd: dir });
    assert.equal(await main(["backtest", "sim/events.ndjson"], io3), 2);
    assert.match(io3.err(), /give --config once/);
  });
});
