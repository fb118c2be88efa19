// `kanshi cases list|show|open|transition|sync` through main(argv), on a PGlite data directory
// started from the migrated template. Synthetic data.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { storedEvent, testAlert } from "../cases/testing.ts";
import { createStoreTemplate } from "../store/testing/template.ts";
import { caseConfigFromEnv, formatSyncSummary } from "./case-commands.ts";
import { accountId, tenantId } from "../contracts/ids.ts";
import { loadDeploymentKeys } from "./keys.ts";
import { main } from "./main.ts";
import { captureIo } from "./testing.ts";

let dir: string;
let env: { KANSHI_DATA: string };
const run = async (...argv: string[]) => {
  const io = captureIo({ cwd: dir, env });
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kanshi-cases-cli-"));
  env = { KANSHI_DATA: join(dir, "data") };
  const store = await (await createStoreTemplate()).open({ dataDir: env.KANSHI_DATA });
  try {
    await store.appendEvents([
      storedEvent("bitflyer", "e1", "2024-04-01T09:00:00+09:00", { type: "deposit", accountId: "ac_cli1", asset: "JPY", amount: "3000000", channel: "bank" }),
      storedEvent("zaif", "e2", "2024-04-01T09:30:00+09:00", { type: "login", accountId: "ac_cli2", ip: "192.0.2.55" }),
    ]);
    await store.saveAlerts([
      testAlert({ id: "al_c1", score: 80, ts: "2024-04-01T09:00:00+09:00", subject: { kind: "account", id: "ac_cli1" }, accounts: ["ac_cli1"], evidence: ["bitflyer:e1"] }),
      testAlert({ id: "al_c2", score: 20, ts: "2024-04-01T09:30:00+09:00", subject: { kind: "account", id: "ac_cli2" }, accounts: ["ac_cli2"], evidence: ["zaif:e2"] }),
      testAlert({ id: "al_m", score: 90, ts: "2024-04-01T09:30:00+09:00", subject: { kind: "market", id: "zaif:XEM/JPY" }, accounts: [], evidence: [] }),
    ]);
  } finally {
    await store.close();
  }
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("kanshi cases", () => {
  let caseId = "";
  it("sync groups the stored alerts; list prints them, --json as the contract says", async () => {
    const sync = await run("cases", "sync");
    assert.equal(sync.code, 0, sync.err);
    assert.match(sync.out, /cases: 2 alerts on 2 subjects → 1 cases opened, 0 grew, 1 alerts joined/);
    const list = await run("cases", "list", "--json");
    assert.equal(list.code, 0, list.err);
    const items = JSON.parse(list.out) as { id: string; entity: string; subjectKind: string; state: string; score: number; alertCount: number }[];
    assert.equal(items.length, 1);
    caseId = items[0]!.id;
    assert.match(items[0]!.entity, /^ps_[a-z2-7]{26}$/, "the operator sees accounts under pseudonyms");
    assert.deepEqual([items[0]!.state, items[0]!.score, items[0]!.alertCount], ["open", 80, 1]);
    assert.ok(!list.out.includes("ac_cli1"));
    const text = await run("cases", "list", "--as", "exchange_officer", "--tenant", "bitflyer");
    assert.match(text.out, new RegExp(`${caseId}  open +score  80\\.0 +1 alerts  account:ac_cli1`), "an officer sees its own account");
  });

  it("transition, show, open; refusals exit with the catalogue's codes", async () => {
    const t = await run("cases", "transition", caseId, "investigating", "--as", "analyst", "--note", "Synthetic: reviewing.");
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /is now investigating/);
    const denied = await run("cases", "transition", caseId, "escalated", "--as", "auditor");
    assert.equal(denied.code, 2, "forbidden");
    const bad = await run("cases", "transition", caseId, "closed");
    assert.equal(bad.code, 1);
    assert.match(bad.err, /disposition/);
    const show = await run("cases", "show", caseId);
    assert.equal(show.code, 0, show.err);
    assert.match(show.out, /note .* cli:[^ ]+: Synthetic: reviewing\./);
    assert.match(show.out, /history .* cli:[^@]+@analyst transition \{.*"from":"open".*\}/);
    const keys = await loadDeploymentKeys(captureIo({ cwd: dir, env }));
    const ps = keys.pseudonymizer.account(tenantId("zaif"), accountId("ac_cli2"));
    const open = await run("cases", "open", ps, "--as", "analyst", "--note", "Synthetic tip-off.");
    assert.equal(open.code, 0, open.err);
    assert.match(open.out, new RegExp(`opened cs_[A-Za-z0-9_-]+ on account:${ps} with 1 alert\\(s\\), score 20\\.0`));
    assert.equal((await run("cases", "open", ps)).code, 1, "a second active case is a conflict");
    const badState = await run("cases", "list", "--state", "asleep");
    assert.equal(badState.code, 1);
    assert.match(badState.err, /states\[0\]/);
  });

  it("case grouping is tuned from the environment; bad values name the variable", () => {
    const c = caseConfigFromEnv({ KANSHI_CASE_OPEN_THRESHOLD: "80", KANSHI_CASE_DUE_DAYS: "14", KANSHI_RISK_HALF_LIFE_DAYS: "90" });
    assert.deepEqual([c.openThreshold, c.dueDays, c.risk.halfLifeDays], [80, 14, 90]);
    assert.deepEqual([caseConfigFromEnv({}).openThreshold, caseConfigFromEnv({}).risk.halfLifeDays], [65, 30]);
    assert.throws(() => caseConfigFromEnv({ KANSHI_CASE_OPEN_THRESHOLD: "150" }), /^KanshiError: KANSHI_CASE_OPEN_THRESHOLD: /);
    assert.throws(() => caseConfigFromEnv({ KANSHI_RISK_HALF_LIFE_DAYS: "soon" }), /KANSHI_RISK_HALF_LIFE_DAYS: expected a number/);
  });

  it("the summary line", () => {
    assert.equal(formatSyncSummary({ alerts: 1200, notGrouped: 3, subjects: 40, opened: 5, grown: 2, joined: 30 }), "cases: 1,200 alerts on 40 subjects → 5 cases opened, 2 grew, 30 alerts joined; 3 about markets or addresses are not grouped");
  });
});
