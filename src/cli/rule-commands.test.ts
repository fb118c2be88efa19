// `kanshi rules add|list|backtest|publish` through main(argv) on a data directory holding a small
// synthetic history, then `kanshi detect` picking up the published rule. All data synthetic.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Alert } from "../contracts/alerts.ts";
import type { StoredEventInput } from "../store/ports.ts";
import { createStoreTemplate } from "../store/testing/template.ts";
import { main } from "./main.ts";
import { captureIo } from "./testing.ts";

const RULE = { id: "big-out", name: "Large withdrawal after deposits", expression: 'event.type == "withdrawal" && event.valueJpy > 3000000 && account.deposits.count("24h") >= 5', score: 70 };

function wire(id: string, hour: number, body: Record<string, unknown>): Record<string, unknown> {
  return { id, ts: new Date(Date.UTC(2026, 10, 2, hour, 0, 0)).toISOString(), source: "exa", ...body };
}

const HISTORY = [
  ...[0, 1, 2, 3, 4].map((i) => wire(`d${i}`, 1 + i, { type: "deposit", accountId: "ac_1", asset: "JPY", amount: "900000", channel: "bank" })),
  wire("w1", 8, { type: "withdrawal", accountId: "ac_1", asset: "JPY", amount: "4000000", channel: "bank" }),
  wire("w2", 9, { type: "withdrawal", accountId: "ac_2", asset: "JPY", amount: "4000000", channel: "bank" }),
];

describe("kanshi rules", () => {
  let dir: string;
  const env = () => ({ KANSHI_DATA: join(dir, "data") });
  const run = async (argv: string[]) => {
    const io = captureIo({ cwd: dir, env: env() });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-rules-cli-"));
    const store = await (await createStoreTemplate()).open({ dataDir: join(dir, "data") });
    try {
      const stored: StoredEventInput[] = HISTORY.map((e) => ({ source: "exa", id: String(e.id), type: String(e.type), ts: String(e.ts), time: Date.parse(String(e.ts)), body: JSON.stringify(e) }));
      await store.appendEvents(stored);
    } finally {
      await store.close();
    }
    await writeFile(join(dir, "rule.json"), JSON.stringify(RULE));
    await writeFile(join(dir, "bad.json"), JSON.stringify({ ...RULE, expression: 'event.type == "withdrawal" &&\n  account.deposits.count(24) >= 5' }));
    await writeFile(join(dir, "events.ndjson"), HISTORY.map((e) => JSON.stringify(e)).join("\n") + "\n");
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("add refuses a rule that does not type-check, naming line and column; stores a good one as a draft", async () => {
    const bad = await run(["rules", "add", "bad.json"]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /rule\.expression:2:3: found no matching overload for 'Stream\.count\(int\)'/);
    const ok = await run(["rules", "add", "rule.json"]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /stored draft big-out v1 \(config [0-9a-f]{12}\)/);
  });

  it("publish needs a backtest on the stored history; then detect runs the published rule", async () => {
    const early = await run(["rules", "publish", "big-out"]);
    assert.equal(early.code, 1);
    assert.match(early.err, /no backtest on record/);

    const bt = await run(["rules", "backtest", "big-out"]);
    assert.equal(bt.code, 0, bt.err);
    assert.match(bt.out, /big-out v1 {2}draft +config [0-9a-f]{12} {2}backtest: 1 alert\(s\) on 1 subject\(s\) over 7 events/);

    const pub = await run(["rules", "publish", "big-out"]);
    assert.equal(pub.code, 0, pub.err);
    assert.match(pub.out, /published big-out v1 {2}published/);

    const list = await run(["rules", "list", "--json"]);
    const rows = JSON.parse(list.out) as Array<{ ruleId: string; status: string; backtest: { alerts: number } }>;
    assert.deepEqual(rows.map((r) => [r.ruleId, r.status, r.backtest.alerts]), [["big-out", "published", 1]]);

    const det = await run(["detect", "events.ndjson", "--out", "alerts.ndjson", "--no-entities"]);
    assert.equal(det.code, 0, det.err);
    assert.match(det.out, /store: 1 published rule\(s\)/);
    const alerts = (await readFile(join(dir, "alerts.ndjson"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as Alert);
    const mine = alerts.filter((a) => a.typology === "rule:big-out");
    assert.equal(mine.length, 1);
    assert.deepEqual([mine[0]!.typologyVersion, mine[0]!.subject.id, mine[0]!.evidence.at(-1)], ["1", "ac_1", "exa:w1"]);
  });

  it("retire and config; every change from the command line is an audit record by `cli`, written before the change", async () => {
    const ret = await run(["rules", "retire", "big-out"]);
    assert.equal(ret.code, 0, ret.err);
    assert.match(ret.out, /retired big-out v1 {2}retired/);

    await writeFile(join(dir, "pt.json"), JSON.stringify({ minDepositJpy: 300_000 }));
    const cfg = await run(["rules", "config", "pass-through", "pt.json"]);
    assert.equal(cfg.code, 0, cfg.err);
    assert.match(cfg.out, /stored pass-through config v1 \(config [0-9a-f]{12}\)/);

    const store = await (await createStoreTemplate()).open({ dataDir: join(dir, "data") });
    try {
      const records = await store.auditLog().read(0, await store.auditLog().size());
      assert.deepEqual(records.map((r) => [r.actor, r.action, r.target]), [
        ["cli", "rule.draft", "rule:big-out"],
        ["cli", "rule.publish", "rule:big-out"],
        ["cli", "rule.retire", "rule:big-out"],
        ["cli", "typology.config", "typology:pass-through"],
      ]);
      assert.deepEqual(await store.rules().typologyConfigs(), { "pass-through": { minDepositJpy: 300_000 } });
    } finally {
      await store.close();
    }
    const verify = await run(["audit", "verify"]);
    assert.equal(verify.code, 0, verify.out + verify.err);
  });
});
