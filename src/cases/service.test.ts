// The case use cases over a real store (PGlite, memory): grouping, views under pseudonyms, the state
// machine with audit records, sealed notes, evidence, entity views and the link graph. Synthetic data.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Alert } from "../contracts/alerts.ts";
import { isKanshiError } from "../contracts/errors.ts";
import { tenantId } from "../contracts/ids.ts";
import { principalId, verifyAuditLog, type Principal } from "../privacy/index.ts";
import type { Store } from "../store/ports.ts";
import { createStoreTemplate } from "../store/testing/template.ts";
import { scoreCaseId } from "./grouping.ts";
import { storedEvent, testAlert, testCaseUseCases, type TestCaseUseCases } from "./testing.ts";

const officer = (tenant: string, id = `user:${tenant}-officer`): Principal => ({ id: principalId(id), role: "exchange_officer", tenant: tenantId(tenant) });
const analyst: Principal = { id: principalId("user:ana"), role: "analyst" };
const analyst2: Principal = { id: principalId("user:ken"), role: "analyst" };
const supervisor: Principal = { id: principalId("user:sue"), role: "supervisor" };
const auditor: Principal = { id: principalId("user:aud"), role: "auditor" };

async function rejectsKind(p: Promise<unknown>, kind: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isKanshiError(e), String(e));
    assert.equal(e.kind, kind, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

// Entity ent_p1 holds ac_b1 at bitflyer and ac_c1 at coincheck; ac_b2 (bitflyer) has no identity on
// record; they share an IP; ac_b1 withdraws to an address that ac_c1 deposits from.
const EVENTS = [
  storedEvent("bitflyer", "b-dep1", "2024-04-01T09:00:00+09:00", { type: "deposit", accountId: "ac_b1", asset: "JPY", amount: "900000", channel: "bank", bankAccountHash: "bank-h1" }),
  storedEvent("bitflyer", "b-log1", "2024-04-01T09:05:00+09:00", { type: "login", accountId: "ac_b1", ip: "203.0.113.7", deviceId: "dev-1" }),
  storedEvent("bitflyer", "b-log2", "2024-04-01T09:06:00+09:00", { type: "login", accountId: "ac_b2", ip: "203.0.113.7" }),
  storedEvent("bitflyer", "b-wd1", "2024-04-01T10:00:00+09:00", { type: "withdrawal", accountId: "ac_b1", asset: "BTC", amount: "0.1", channel: "crypto", toAddress: "bc1qsynthetic0001", network: "bitcoin" }),
  storedEvent("coincheck", "c-dep1", "2024-04-01T11:00:00+09:00", { type: "deposit", accountId: "ac_c1", asset: "BTC", amount: "0.1", channel: "crypto", fromAddress: "bc1qsynthetic0001", network: "bitcoin" }),
  storedEvent("coincheck", "c-tr1", "2024-04-02T11:00:00+09:00", { type: "transfer", fromAccountId: "ac_c1", toAccountId: "ac_c2", asset: "JPY", amount: "100" }),
  storedEvent("coincheck", "c-log9", "2024-04-02T00:00:00Z", { type: "login", accountId: "ac_c9", ip: "198.51.100.9" }),
  storedEvent("jicc", "j-soc", "2024-04-01T08:00:00+09:00", { type: "social.link", platform: "x", handle: "h", accountId: "ac_b1" }),
];

const entityAlert = (id: string, score: number, ts: string, evidence: string[], accounts = ["ac_b1", "ac_c1"], typology = "structuring"): Alert =>
  testAlert({ id, score, ts, evidence, accounts, typology, subject: { kind: "entity", id: "ent_p1" }, explanation: `Deposits into ac_b1 and ac_c1 crossed the line (${id}).`, details: { accounts: accounts.join(",") } });

let store: Store;
let uc: TestCaseUseCases;
let clock = Date.parse("2024-05-01T00:00:00Z");
before(async () => {
  store = await (await createStoreTemplate()).open();
  await store.appendEvents(EVENTS);
  uc = testCaseUseCases(store, { now: () => clock });
});
after(async () => {
  await store?.close();
});

describe("grouping alerts into cases", () => {
  it("a weak alert opens nothing but its accounts become known under their exchanges", async () => {
    const r = await uc.cases.syncAlerts([entityAlert("al_1", 50, "2024-04-01T10:00:00+09:00", ["bitflyer:b-dep1", "bitflyer:b-log1", "bitflyer:b-wd1", "jicc:j-soc"], ["ac_b1"])]);
    assert.deepEqual(r, { alerts: 1, notGrouped: 0, subjects: 1, opened: 0, grown: 0, joined: 0 });
    const known = await store.cases().alertedAccounts({ tenant: null }, ["ac_b1"]);
    assert.deepEqual(known.map((a) => a.owner), ["bitflyer"], "the researcher's social link does not make it an owner");
    assert.equal(known[0]!.pseudonym, uc.pseudonyms.account(tenantId("bitflyer"), "ac_b1" as never));
  });

  it("the alert that lifts the score over the threshold opens a case with the earlier one; market alerts are not grouped", async () => {
    const market = testAlert({ id: "al_m", ts: "2024-04-01T12:00:00+09:00", subject: { kind: "market", id: "bitflyer:BTC/JPY" }, accounts: [], evidence: [] });
    const r = await uc.cases.syncAlerts([entityAlert("al_2", 38, "2024-04-01T11:00:00+09:00", ["coincheck:c-dep1"], ["ac_c1"], "pass-through"), market]);
    assert.deepEqual(r, { alerts: 2, notGrouped: 1, subjects: 1, opened: 1, grown: 0, joined: 2 });
    const id = scoreCaseId("ent_p1", "al_2");
    const c = await uc.cases.get(analyst, id);
    assert.equal(c.state, "open");
    assert.equal(c.openedReason, "score");
    assert.equal(c.openedBy, "system:cases");
    assert.deepEqual(c.exchanges, ["bitflyer", "coincheck"]);
    assert.ok(c.score >= 65 && c.score < 70, String(c.score));
    assert.equal(c.suspect, false, "below the disclosure threshold");
    assert.equal(c.dueAt, new Date(clock + 30 * 86_400_000).toISOString());
    assert.deepEqual(c.alerts.map((a) => a.id), ["al_1", "al_2"]);
    assert.deepEqual(c.history.map((h) => h.action), ["open"]);
    assert.deepEqual((await uc.cases.entityState("ent_p1")).cases, [{ caseId: id, status: "open", score: c.score }]);
  });

  it("new alerts on the entity join its case, and the case becomes a suspect's; the same alerts again change nothing", async () => {
    const a3 = entityAlert("al_3", 80, "2024-04-02T11:00:00+09:00", ["coincheck:c-tr1"], ["ac_c1", "ac_c2"], "pass-through");
    const r = await uc.cases.syncAlerts([a3]);
    assert.deepEqual(r, { alerts: 1, notGrouped: 0, subjects: 1, opened: 0, grown: 1, joined: 1 });
    const id = scoreCaseId("ent_p1", "al_2");
    const c = await uc.cases.get(analyst, id);
    assert.equal(c.alertCount, 3, "alertCount counts alerts joined after opening too");
    assert.equal(c.alerts.length, 3);
    assert.ok(c.score >= 70);
    assert.equal(c.suspect, true);
    assert.equal(c.lastAlertTs, "2024-04-02T11:00:00+09:00");
    const auditBefore = await store.auditLog().size();
    assert.deepEqual(await uc.cases.syncAlerts([a3]), { alerts: 1, notGrouped: 0, subjects: 1, opened: 0, grown: 0, joined: 0 });
    assert.equal(await store.auditLog().size(), auditBefore, "nothing to audit the second time");
    const last = (await store.auditLog().read(auditBefore - 1, auditBefore))[0]!;
    assert.equal(last.action, "case.alerts");
    assert.equal(last.details.becameSuspect, true);
  });

  it("alerts stored by batch detection are grouped by a sync from the store", async () => {
    await store.saveAlerts([testAlert({ id: "al_s1", score: 90, ts: "2024-04-01T09:06:00+09:00", subject: { kind: "account", id: "ac_b2" }, accounts: ["ac_b2"], evidence: ["bitflyer:b-log2"] })]);
    const r = await uc.cases.syncStored();
    assert.equal(r.opened, 1);
    assert.equal(r.joined, 1);
    const page = await uc.cases.list(analyst, { entity: uc.pseudonyms.account(tenantId("bitflyer"), "ac_b2" as never) });
    assert.equal(page.items.length, 1);
    assert.equal(page.items[0]!.subject.kind, "account");
    assert.deepEqual((await uc.cases.syncStored()).joined, 0);
  });

  it("two services syncing the same alerts at once make one case (the loser retries)", async () => {
    const other = testCaseUseCases(store, { now: () => clock });
    const alerts = [testAlert({ id: "al_r1", score: 95, ts: "2024-04-03T00:00:00Z", subject: { kind: "entity", id: "ent_race" }, accounts: ["ac_b1"], evidence: ["bitflyer:b-dep1"] })];
    await Promise.all([uc.cases.syncAlerts(alerts), other.cases.syncAlerts(alerts)]);
    const page = await uc.cases.list(analyst, { entity: "ent_race" });
    assert.equal(page.items.length, 1);
    assert.equal((await uc.cases.get(analyst, page.items[0]!.id)).alerts.length, 1);
  });
});

describe("what each principal sees", () => {
  const id = scoreCaseId("ent_p1", "al_2");
  it("analysts see pseudonyms everywhere, also inside explanations; officers their own accounts raw", async () => {
    const ps = (t: string, a: string) => uc.pseudonyms.account(tenantId(t), a as never);
    const a = await uc.cases.get(analyst, id);
    assert.deepEqual(a.accounts.map((x) => [x.id, x.view, x.exchange]).sort(), [
      [ps("bitflyer", "ac_b1"), "pseudonym", "bitflyer"],
      [ps("coincheck", "ac_c1"), "pseudonym", "coincheck"],
      [ps("coincheck", "ac_c2"), "pseudonym", "coincheck"],
    ].sort());
    const text = JSON.stringify(a);
    for (const raw of ["ac_b1", "ac_c1", "ac_c2"]) assert.ok(!text.includes(raw), `${raw} leaked to an analyst`);
    assert.match(a.alerts[0]!.explanation, new RegExp(`Deposits into ${ps("bitflyer", "ac_b1")} and ${ps("coincheck", "ac_c1")}`));
    const b = await uc.cases.get(officer("bitflyer"), id);
    assert.ok(b.accounts.some((x) => x.id === "ac_b1" && x.view === "raw"));
    assert.ok(b.accounts.some((x) => x.id === ps("coincheck", "ac_c1") && x.view === "pseudonym"));
    assert.ok(!JSON.stringify(b).includes("ac_c1"));
    assert.deepEqual(b.nextStates, ["investigating"]);
    await rejectsKind(uc.cases.get(officer("zaif"), id), "not_found");
    assert.deepEqual((await uc.cases.list(officer("zaif"))).items, []);
    await rejectsKind(uc.cases.get(auditor, id), "forbidden");
    const account = (await uc.cases.list(officer("bitflyer"), { entity: "ac_b2" })).items[0]!;
    assert.deepEqual(account.subject, { kind: "account", id: "ac_b2" }, "an officer names and sees its own account raw");
    assert.deepEqual((await uc.cases.list(officer("coincheck"), { entity: "ac_b2" })).items, [], "another exchange's raw id names nothing");
  });
});

describe("working a case", () => {
  const id = scoreCaseId("ent_p1", "al_2");
  it("open → investigating → escalated → reported → closed, each by a role allowed to, each audited", async () => {
    clock += 1000;
    let c = await uc.cases.transition(analyst, id, { to: "investigating", note: "Looking at the bitflyer deposits." });
    assert.equal(c.state, "investigating");
    assert.equal(c.notes.length, 1);
    await rejectsKind(uc.cases.transition(analyst, id, { to: "reported" }), "conflict", /investigating case cannot move to reported/);
    await rejectsKind(uc.cases.transition(analyst, id, { to: "escalated", expectedVersion: 1 }), "conflict", /version/);
    c = await uc.cases.transition(officer("coincheck"), id, { to: "escalated", expectedVersion: c.version });
    await rejectsKind(uc.cases.transition(analyst, id, { to: "reported" }), "forbidden", /supervisor can/);
    await rejectsKind(uc.cases.transition(supervisor, id, { to: "closed", disposition: "reported" }), "bad_input", /false_positive or no_further_action/);
    c = await uc.cases.transition(supervisor, id, { to: "reported" });
    assert.ok(c.reportedAt);
    assert.equal(c.suspect, true, "a reported case keeps its entity a suspect");
    c = await uc.cases.transition(supervisor, id, { to: "closed", disposition: "reported" });
    assert.equal(c.state, "closed");
    assert.equal(c.disposition, "reported");
    assert.equal(c.suspect, false);
    assert.deepEqual(c.history.map((h) => [h.action, h.details.to ?? null]), [["open", null], ["alerts", null], ["transition", "investigating"], ["note", null], ["transition", "escalated"], ["transition", "reported"], ["transition", "closed"]]);
    assert.equal(c.history[4]!.actor, "user:coincheck-officer@exchange_officer/coincheck");
    assert.equal(await store.cases().wasEverSuspect("ent_p1"), true);
  });

  it("the audit trail verifies and carries no account ids and no note text", async () => {
    const v = await verifyAuditLog(store.auditLog(), [uc.auditPublicKey]);
    assert.equal(v.ok, true);
    const records = await store.auditLog().read(0, await store.auditLog().size());
    const transitions = records.filter((r) => r.action === "case.transition" && r.target === `case:${id}`).map((r) => [r.details.from, r.details.to]);
    assert.deepEqual(transitions, [["open", "investigating"], ["investigating", "escalated"], ["escalated", "reported"], ["reported", "closed"]]);
    const text = JSON.stringify(records);
    for (const secret of ["ac_b1", "ac_c1", "ac_b2", "bitflyer deposits"]) assert.ok(!text.includes(secret), `${secret} in the audit trail`);
  });

  it("notes are sealed at rest and opened for readers", async () => {
    const n = await uc.cases.addNote(analyst, id, "Synthetic note: 山田 called back.");
    const stored = (await store.cases().notes({ tenant: null }, id)).find((x) => x.id === n.id)!;
    assert.match(stored.textSealed, /^ks1\./);
    assert.ok(!stored.textSealed.includes("called"));
    const c = await uc.cases.get(supervisor, id);
    assert.equal(c.notes.at(-1)!.text, "Synthetic note: 山田 called back.");
    await rejectsKind(uc.cases.addNote({ id: principalId("user:reg"), role: "regulator" }, id, "x"), "forbidden");
    await rejectsKind(uc.cases.addNote(analyst, id, "  "), "bad_input", /text: must not be empty/);
  });

  it("a supervisor reopens; assignment and due dates with their rules", async () => {
    let c = await uc.cases.transition(supervisor, id, { to: "investigating" });
    assert.equal(c.state, "investigating");
    assert.equal(c.disposition, null);
    assert.equal(c.closedAt, null);
    c = await uc.cases.assign(analyst, id, { assignee: "user:ken", dueAt: "2024-06-01T00:00:00+09:00" });
    assert.equal(c.assignee, "user:ken");
    assert.equal(c.dueAt, "2024-05-31T15:00:00.000Z");
    assert.deepEqual((await uc.cases.list(analyst2, { assignee: "user:ken" })).items.map((x) => x.id), [id]);
    await rejectsKind(uc.cases.assign(officer("bitflyer"), id, { assignee: "user:ken" }), "forbidden", /only to itself/);
    c = await uc.cases.assign(officer("bitflyer"), id, { assignee: "user:bitflyer-officer" });
    assert.equal(c.assignee, "user:bitflyer-officer");
    await rejectsKind(uc.cases.assign(analyst, id, { assignee: "Alice Smith" }), "bad_input", /assignee/);
    await rejectsKind(uc.cases.assign(analyst, id, { dueAt: "yesterday" }), "bad_input", /dueAt/);
    await rejectsKind(uc.cases.assign(analyst, id, {}), "bad_input");
  });

  it("evidence: stored events and alerts by reference, graph snapshots only under pseudonyms", async () => {
    const e1 = await uc.cases.addEvidence(analyst, id, { kind: "event", ref: "bitflyer:b-wd1" });
    assert.equal(e1.ref, "bitflyer:b-wd1");
    await rejectsKind(uc.cases.addEvidence(analyst, id, { kind: "event", ref: "bitflyer:nope" }), "not_found");
    await rejectsKind(uc.cases.addEvidence(analyst, id, { kind: "alert", ref: "al_nope" }), "not_found");
    await uc.cases.addEvidence(analyst, id, { kind: "alert", ref: "al_m" });
    const ps = uc.pseudonyms.account(tenantId("bitflyer"), "ac_b1" as never);
    await rejectsKind(
      uc.cases.addEvidence(analyst, id, { kind: "graph", graph: { nodes: [{ id: "ac_b1", kind: "account" }], edges: [] } }),
      "bad_input",
      /graph\.nodes\[0\]\.id: account nodes must be pseudonyms/,
    );
    const g = await uc.cases.addEvidence(officer("bitflyer"), id, {
      kind: "graph",
      graph: { nodes: [{ id: "ac_b1", kind: "account" }, { id: "bitcoin:bc1qsynthetic0001", kind: "address" }], edges: [{ from: "ac_b1", to: "bitcoin:bc1qsynthetic0001", kind: "withdrawal" }] },
    });
    assert.deepEqual(g.graph, { nodes: [{ id: ps, kind: "account" }, { id: "bitcoin:bc1qsynthetic0001", kind: "address" }], edges: [{ from: ps, to: "bitcoin:bc1qsynthetic0001", kind: "withdrawal" }] });
    const c = await uc.cases.get(analyst, id);
    assert.deepEqual(c.evidence.map((e) => e.kind), ["event", "alert", "graph"]);
  });

  it("opening by hand: on a pseudonym its unattached alerts join; one active case per subject; officers only their own accounts", async () => {
    const psB2 = uc.pseudonyms.account(tenantId("bitflyer"), "ac_b2" as never);
    await rejectsKind(uc.cases.open(analyst, { subject: psB2 }), "conflict", /active case/);
    await store.saveAlerts([testAlert({ id: "al_c9", score: 20, ts: "2024-04-02T00:00:00Z", subject: { kind: "account", id: "ac_c9" }, accounts: ["ac_c9"], evidence: ["coincheck:c-log9"] })]);
    await uc.cases.syncStored();
    const psC9 = (await store.cases().alertedAccounts({ tenant: null }, ["ac_c9"]))[0]!.pseudonym;
    assert.deepEqual((await uc.cases.list(analyst, { entity: psC9 })).items, [], "a score of 20 opens nothing");
    const c = await uc.cases.open(analyst, { subject: psC9, note: "Opened by hand after a tip-off." });
    assert.equal(c.openedReason, "manual");
    assert.equal(c.openedBy, "user:ana");
    assert.deepEqual(c.alerts.map((a) => a.id), ["al_c9"]);
    assert.deepEqual(c.exchanges, ["coincheck"]);
    assert.equal(c.notes.length, 1);
    assert.deepEqual(c.history.map((h) => h.action), ["open", "note", "alerts"]);
    await rejectsKind(uc.cases.open(officer("bitflyer"), { subject: psC9 }), "forbidden", /own exchange's accounts/);
    const own = await uc.cases.open(officer("bitflyer"), { subject: "ac_b9" });
    assert.deepEqual(own.subject, { kind: "account", id: "ac_b9" });
    assert.deepEqual(own.exchanges, ["bitflyer"]);
    await rejectsKind(uc.cases.open(analyst, { subject: "ent_unknown" }), "not_found");
    await rejectsKind(uc.cases.open(analyst, { subject: "ac_b1" }), "not_found", /no entity/);
  });

  it("closing as a false positive keeps the dismissed alerts from opening the next case", async () => {
    await uc.cases.syncAlerts([testAlert({ id: "al_f1", score: 70, ts: "2024-04-05T00:00:00Z", subject: { kind: "entity", id: "ent_fp" }, accounts: ["ac_b1"], evidence: [] })]);
    const [c] = (await uc.cases.list(analyst, { entity: "ent_fp" })).items;
    await uc.cases.transition(analyst, c!.id, { to: "closed", disposition: "false_positive" });
    const r = await uc.cases.syncAlerts([testAlert({ id: "al_f2", score: 40, ts: "2024-04-06T00:00:00Z", subject: { kind: "entity", id: "ent_fp" }, accounts: ["ac_b1"], evidence: [] })]);
    assert.equal(r.opened, 0);
    assert.equal((await uc.cases.list(analyst, { entity: "ent_fp" })).items.length, 1);
  });
});

describe("entity views", () => {
  it("the score explains each alert's contribution; accounts and alerts under the caller's view", async () => {
    const v = await uc.entities.view(analyst, "ent_p1", { at: Date.parse("2024-04-03T00:00:00Z") });
    assert.equal(v.kind, "entity");
    assert.deepEqual(v.score.contributions.map((c) => c.alertId).sort(), ["al_1", "al_2", "al_3"]);
    assert.ok(v.score.score > 70);
    assert.match(v.score.explanation, /^Risk score [\d.]+ \((high|critical)\) from 3 alerts/);
    assert.equal(v.alertCount, 3);
    assert.deepEqual(v.alerts.map((a) => a.id), ["al_3", "al_2", "al_1"], "newest first");
    assert.equal(v.cases.length, 1);
    assert.ok(!JSON.stringify(v).includes("ac_b1"));
    const b = await uc.entities.view(officer("bitflyer"), "ent_p1");
    assert.ok(b.accounts.some((a) => a.id === "ac_b1" && a.view === "raw"));
    assert.deepEqual(b.alerts.map((a) => a.id), ["al_1"], "an officer sees the alerts touching its exchange");
    await rejectsKind(uc.entities.view(officer("zaif"), "ent_p1"), "not_found");
    const acc = await uc.entities.view(officer("bitflyer"), "ac_b2");
    assert.deepEqual([acc.kind, acc.id], ["account", "ac_b2"]);
    assert.deepEqual(acc.accounts.map((a) => [a.id, a.role]), [["ac_b2", "subject"]]);
    assert.equal(acc.cases.length, 1);
    const psB2 = uc.pseudonyms.account(tenantId("bitflyer"), "ac_b2" as never);
    const byPseudonym = await uc.entities.view(analyst, psB2);
    assert.deepEqual([byPseudonym.kind, byPseudonym.id, byPseudonym.cases.length, byPseudonym.alertCount], ["account", psB2, 1, 1]);
    assert.ok(!JSON.stringify(byPseudonym).includes("ac_b2"));
  });

  it("the link graph: accounts, an address both used, a shared IP and device, a bank account, under pseudonyms", async () => {
    const g = await uc.entities.graph(analyst, "ent_p1");
    const ps = (t: string, a: string) => uc.pseudonyms.account(tenantId(t), a as never);
    const nodes = new Map(g.nodes.map((n) => [n.id, n.kind]));
    assert.equal(g.nodes[0]!.id, "ent_p1");
    assert.equal(nodes.get(ps("bitflyer", "ac_b1")), "account");
    assert.equal(nodes.get("bitcoin:bc1qsynthetic0001"), "address");
    const ip = uc.pseudonyms.account(tenantId("id:ip"), "203.0.113.7" as never);
    assert.equal(nodes.get(ip), "ip");
    const has = (from: string, to: string, kind: string) => g.edges.some((e) => e.from === from && e.to === to && e.kind === kind);
    assert.ok(has(ps("bitflyer", "ac_b1"), "bitcoin:bc1qsynthetic0001", "withdrawal"));
    assert.ok(has("bitcoin:bc1qsynthetic0001", ps("coincheck", "ac_c1"), "deposit"));
    assert.ok(has(ps("bitflyer", "ac_b1"), ip, "login"));
    assert.ok(has(ps("coincheck", "ac_c1"), ps("coincheck", "ac_c2"), "transfer"));
    assert.ok(has("ent_p1", ps("coincheck", "ac_c2"), "alerted"));
    const text = JSON.stringify(g);
    for (const raw of ["ac_b1", "203.0.113.7", "dev-1", "bank-h1"]) assert.ok(!text.includes(raw), `${raw} in the graph`);
    assert.equal(g.truncated, false);
    // The shared IP links ac_b2 through its own graph.
    const g2 = await uc.entities.graph(officer("bitflyer"), "ac_b2");
    assert.ok(g2.edges.some((e) => e.from === "ac_b2" && e.to === ip && e.kind === "login"));
  });
});
