// The case sub-store on PGlite (memory). All data synthetic.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Alert } from "../contracts/alerts.ts";
import { isKanshiError } from "../contracts/errors.ts";
import { ALL_CASES, CASE_SORTS, type CaseStore, type CaseSyncWrite, type NewCase } from "./cases.ts";
import type { Store } from "./ports.ts";
import { openStore } from "./open.ts";
import { postgresAvailability, startPostgres, type PostgresServer } from "./testing/pg-server.ts";
import { createStoreTemplate, type StoreTemplate } from "./testing/template.ts";

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

async function rejectsKind(p: Promise<unknown>, kind: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isKanshiError(e), String(e));
    assert.equal(e.kind, kind, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const alert = (id: string, subject: string, accounts: string[], ts = "2024-04-01T09:00:00+09:00", kind: "entity" | "account" = "entity"): Alert => ({
  id,
  typology: "structuring",
  typologyVersion: "1.0.0",
  configVersion: "abc",
  ts,
  subject: { kind, id: subject },
  accounts,
  score: 70,
  evidence: [`bitflyer:e-${id}`],
  explanation: "synthetic",
});

const newCase = (id: string, entityId: string, over: Partial<NewCase> = {}): NewCase => ({
  id,
  entityId,
  subjectKind: "entity",
  score: 70,
  lastScore: 70,
  openedBy: "system:cases",
  openedReason: "score",
  openedAt: T0,
  dueAt: T0 + 30 * DAY,
  assignee: null,
  firstAlertTs: "2024-04-01T09:00:00+09:00",
  lastAlertTs: "2024-04-01T09:00:00+09:00",
  alertCount: 1,
  ...over,
});

const sync = (over: Partial<CaseSyncWrite>): CaseSyncWrite => ({ at: T0, newCases: [], growth: [], caseAlerts: [], caseAccounts: [], alertedAccounts: [], history: [], ...over });

function caseStoreSuite(name: string, open: () => Promise<Store>, teardown: () => Promise<void> = async () => undefined): void {
  describe(`case store (${name}): grouping writes and tenant-aware reads`, () => {
    let store: Store;
    let cases: CaseStore;
    before(async () => {
      store = await open();
      cases = store.cases();
      await store.saveAlerts([
        alert("al_1", "ent_a", ["ac_1", "ac_2"]),
        alert("al_2", "ent_a", ["ac_2"], "2024-04-02T09:00:00+09:00"),
        alert("al_3", "ac_9", ["ac_9"], "2024-04-03T09:00:00Z", "account"),
        alert("al_4", "ent_b", ["ac_5"]),
      ]);
      await store.appendEvents([{ source: "bitflyer", id: "e-al_1", type: "deposit", time: T0, ts: "2024-04-01T09:00:00+09:00", body: '{"type":"deposit","accountId":"ac_1"}' }]);
    });
    after(async () => {
      await store?.close();
      await teardown();
    });

    it("one sync writes cases, their alerts, accounts, history and tenants in one go", async () => {
      await cases.applySync(
        sync({
          newCases: [newCase("cs_a", "ent_a", { score: 80 }), newCase("cs_9", "ac_9", { subjectKind: "account", score: 66, openedAt: T0 + 1 })],
          caseAlerts: [
            { caseId: "cs_a", alertId: "al_1" },
            { caseId: "cs_9", alertId: "al_3" },
          ],
          caseAccounts: [
            { caseId: "cs_a", owner: "bitflyer", accountId: "ac_1" },
            { caseId: "cs_a", owner: "coincheck", accountId: "ac_2" },
            { caseId: "cs_9", owner: "zaif", accountId: "ac_9" },
            { caseId: "cs_9", owner: "?", accountId: "ac_x" },
          ],
          alertedAccounts: [
            { owner: "bitflyer", accountId: "ac_1", pseudonym: "ps_1" },
            { owner: "coincheck", accountId: "ac_2", pseudonym: "ps_2" },
            { owner: "zaif", accountId: "ac_9", pseudonym: "ps_9" },
          ],
          history: [{ caseId: "cs_a", actor: "system:cases", action: "open", details: { score: 80 } }],
        }),
      );
      const a = (await cases.get(ALL_CASES, "cs_a"))!;
      assert.equal(a.state, "open");
      assert.deepEqual(a.tenants, ["bitflyer", "coincheck"]);
      assert.equal(a.alertCount, 1);
      assert.equal(a.version, 1);
      assert.equal(a.dueAt, new Date(T0 + 30 * DAY).toISOString());
      assert.deepEqual((await cases.get(ALL_CASES, "cs_9"))!.tenants, ["zaif"], "an unknown owner is no tenant");
      assert.deepEqual((await cases.alerts(ALL_CASES, "cs_a")).map((x) => x.id), ["al_1"]);
      assert.deepEqual(await cases.accounts(ALL_CASES, "cs_a"), [
        { owner: "bitflyer", accountId: "ac_1", pseudonym: "ps_1" },
        { owner: "coincheck", accountId: "ac_2", pseudonym: "ps_2" },
      ]);
      const h = await cases.history(ALL_CASES, "cs_a");
      assert.deepEqual(h.map((x) => [x.actor, x.action, x.details]), [["system:cases", "open", { score: 80 }]]);
    });

    it("an exchange officer's view holds only cases touching its accounts", async () => {
      assert.equal(await cases.get({ tenant: "zaif" }, "cs_a"), undefined);
      assert.ok(await cases.get({ tenant: "coincheck" }, "cs_a"));
      assert.deepEqual((await cases.list({ tenant: "zaif" })).items.map((c) => c.id), ["cs_9"]);
      assert.deepEqual(await cases.alerts({ tenant: "zaif" }, "cs_a"), [], "parts of an unseen case read as nothing");
      assert.deepEqual(await cases.history({ tenant: "zaif" }, "cs_a"), []);
      const seen = await cases.subjectAlerts({ tenant: "coincheck" }, ["ent_a", "ac_9"]);
      assert.deepEqual(seen.map((r) => r.alert.id), ["al_1", "al_2"], "both name ac_2, held at coincheck; al_3 (zaif) is not shown");
      assert.deepEqual((await cases.subjectAlerts({ tenant: "bitflyer" }, ["ent_a"])).map((r) => r.alert.id), ["al_1"]);
      assert.deepEqual((await cases.alertedAccounts({ tenant: "bitflyer" }, ["ac_1", "ac_2"])).map((a) => a.accountId), ["ac_1"]);
      await assert.rejects(cases.list({ tenant: "" }), /viewer/);
    });

    it("growth needs the version read; a stale one changes nothing at all", async () => {
      await rejectsKind(
        cases.applySync(sync({ growth: [{ id: "cs_a", expectedVersion: 7, score: 90, lastScore: 90, addedAlerts: 1, firstAlertTs: null, lastAlertTs: null }], caseAlerts: [{ caseId: "cs_a", alertId: "al_2" }] })),
        "conflict",
      );
      assert.deepEqual((await cases.alerts(ALL_CASES, "cs_a")).map((x) => x.id), ["al_1"], "rolled back");
      await cases.applySync(
        sync({
          at: T0 + 5,
          growth: [{ id: "cs_a", expectedVersion: 1, score: 75, lastScore: 75, addedAlerts: 1, firstAlertTs: "2024-04-01T09:00:00+09:00", lastAlertTs: "2024-04-02T09:00:00+09:00" }],
          caseAlerts: [{ caseId: "cs_a", alertId: "al_2" }],
        }),
      );
      const a = (await cases.get(ALL_CASES, "cs_a"))!;
      assert.equal(a.score, 80, "the peak never falls");
      assert.equal(a.lastScore, 75);
      assert.equal(a.alertCount, 2);
      assert.equal(a.version, 2);
      assert.equal(a.updatedAt, new Date(T0 + 5).toISOString());
      await rejectsKind(cases.applySync(sync({ caseAlerts: [{ caseId: "cs_9", alertId: "al_2" }] })), "conflict", /grouped one of these alerts/);
    });

    it("one active case per subject: a second is a conflict, by sync or by hand", async () => {
      await rejectsKind(cases.applySync(sync({ newCases: [newCase("cs_a2", "ent_a")] })), "conflict");
      await rejectsKind(cases.create(newCase("cs_a3", "ent_a", { openedReason: "manual" }), [], { caseId: "cs_a3", actor: "user:x@analyst", action: "open", details: {} }, T0), "conflict", /subject already has an active case, cs_a/);
      assert.equal(await cases.get(ALL_CASES, "cs_a2"), undefined);
      const active = await cases.activeCases(["ent_a", "ac_9", "ent_zzz"]);
      assert.deepEqual([...active.keys()].sort(), ["ac_9", "ent_a"]);
    });

    it("updates: transitions, assignment, due dates; stale versions and unknown ids refused", async () => {
      const c = await cases.update("cs_9", 1, { state: "investigating", assignee: "user:ana" }, { caseId: "cs_9", actor: "user:ana@analyst", action: "transition", details: { from: "open", to: "investigating" } }, T0 + 10);
      assert.equal(c.state, "investigating");
      assert.equal(c.assignee, "user:ana");
      assert.equal(c.version, 2);
      await rejectsKind(cases.update("cs_9", 1, { state: "escalated" }, { caseId: "cs_9", actor: "x", action: "transition", details: {} }, T0), "conflict", /version 1, now 2/);
      await rejectsKind(cases.update("cs_nope", 1, { state: "escalated" }, { caseId: "cs_nope", actor: "x", action: "transition", details: {} }, T0), "not_found");
      // Closing needs a disposition and a closing time together (CHECK constraints behind the code).
      await assert.rejects(cases.update("cs_9", 2, { state: "closed" }, { caseId: "cs_9", actor: "x", action: "transition", details: {} }, T0));
      const closed = await cases.update("cs_9", 2, { state: "closed", disposition: "false_positive", closedAt: T0 + 20 }, { caseId: "cs_9", actor: "x", action: "transition", details: {} }, T0 + 20);
      assert.equal(closed.closedAt, new Date(T0 + 20).toISOString());
      const rows = await cases.subjectAlerts(ALL_CASES, ["ac_9"]);
      assert.deepEqual(rows.map((r) => [r.alert.id, r.caseId, r.dismissed]), [["al_3", "cs_9", true]]);
      // A new case for the subject may open now; reopening the old one then conflicts.
      await cases.create(newCase("cs_9b", "ac_9", { subjectKind: "account", openedReason: "manual", openedAt: T0 + 30 }), [{ owner: "zaif", accountId: "ac_9", pseudonym: "ps_9" }], { caseId: "cs_9b", actor: "x", action: "open", details: {} }, T0 + 30);
      await rejectsKind(cases.update("cs_9", 3, { state: "investigating", disposition: null, closedAt: null }, { caseId: "cs_9", actor: "x", action: "transition", details: {} }, T0 + 40), "conflict", /another active case/);
      assert.deepEqual((await cases.get(ALL_CASES, "cs_9b"))!.tenants, ["zaif"]);
    });

    it("filters, sorts and pages: every sort pages through exactly the whole sorted list", async () => {
      for (let i = 0; i < 9; i++) {
        await cases.create(
          newCase(`cs_p${i}`, `ent_p${i}`, { score: (i * 37) % 100, openedAt: T0 + 100 + (i % 4), dueAt: i % 3 === 0 ? null : T0 + i * DAY, assignee: i % 2 ? "user:bob" : null, openedReason: "manual" }),
          [],
          { caseId: `cs_p${i}`, actor: "x", action: "open", details: {} },
          T0 + 100 + i,
        );
      }
      const all = (await cases.list(ALL_CASES, { limit: 200 })).items;
      for (const sort of CASE_SORTS) {
        const full = (await cases.list(ALL_CASES, { sort, limit: 200 })).items.map((c) => c.id);
        assert.equal(full.length, all.length);
        const paged: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await cases.list(ALL_CASES, { sort, limit: 2, ...(cursor ? { cursor } : {}) });
          paged.push(...page.items.map((c) => c.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        assert.deepEqual(paged, full, sort);
      }
      const byScore = (await cases.list(ALL_CASES, { sort: "-score", limit: 200 })).items.map((c) => c.score);
      assert.deepEqual(byScore, [...byScore].sort((a, b) => b - a));
      const due = (await cases.list(ALL_CASES, { sort: "dueAt", limit: 200 })).items;
      assert.equal(due.at(-1)!.dueAt, null, "no due date sorts last");
      assert.deepEqual((await cases.list(ALL_CASES, { minScore: 40, maxScore: 80, limit: 200 })).items.every((c) => c.score >= 40 && c.score <= 80), true);
      assert.deepEqual((await cases.list(ALL_CASES, { assignee: "user:bob" })).items.map((c) => c.id).sort(), ["cs_p1", "cs_p3", "cs_p5", "cs_p7"]);
      assert.ok((await cases.list(ALL_CASES, { assignee: null, limit: 200 })).items.every((c) => c.assignee === null));
      assert.deepEqual((await cases.list(ALL_CASES, { states: ["closed"] })).items.map((c) => c.id), ["cs_9"]);
      assert.deepEqual((await cases.list(ALL_CASES, { entity: "ent_p4" })).items.map((c) => c.id), ["cs_p4"]);
      assert.deepEqual((await cases.list(ALL_CASES, { account: { accountId: "ac_2" } })).items.map((c) => c.id), ["cs_a"]);
      assert.deepEqual((await cases.list(ALL_CASES, { account: { accountId: "ac_2", owner: "bitflyer" } })).items, []);
      const cursor = (await cases.list(ALL_CASES, { sort: "score", limit: 1 })).nextCursor!;
      await rejectsKind(cases.list(ALL_CASES, { sort: "-score", cursor }), "bad_input", /belongs to sort "score"/);
      await rejectsKind(cases.list(ALL_CASES, { cursor: "nonsense" }), "bad_input", /cursor/);
      await rejectsKind(cases.list(ALL_CASES, { states: ["asleep" as never] }), "bad_input", /states\[0\]/);
      await rejectsKind(cases.list(ALL_CASES, { sort: "name" as never }), "bad_input", /sort/);
      await rejectsKind(cases.list(ALL_CASES, { minScore: 101 }), "bad_input", /minScore/);
    });

    it("entityState and wasEverSuspect for the disclosure policy and the purge", async () => {
      assert.deepEqual(await cases.entityState("ac_9"), {
        entityId: "ac_9",
        cases: [
          { caseId: "cs_9", status: "closed", score: 66 },
          { caseId: "cs_9b", status: "open", score: 70 },
        ],
      });
      assert.deepEqual(await cases.entityState("ent_nobody"), { entityId: "ent_nobody", cases: [] });
      assert.equal(await cases.wasEverSuspect("ent_a"), true);
      assert.equal(await cases.wasEverSuspect("ent_p0"), false, "score 0");
      assert.equal(await cases.wasEverSuspect("ent_p0", { threshold: 0 }), true);
      assert.equal(await cases.wasEverSuspect([], { accounts: ["ac_2"] }), true, "through an account its case touches");
      assert.equal(await cases.wasEverSuspect("ent_nobody", { accounts: ["ac_none"] }), false);
    });

    it("notes only sealed; evidence; events by key; unattached subjects; latest alert time", async () => {
      await rejectsKind(cases.addNote({ id: "nt_1", caseId: "cs_a", at: T0, author: "user:ana", textSealed: "plain words" }, { caseId: "cs_a", actor: "x", action: "note", details: {} }), "bad_input", /never stored in plaintext/);
      await cases.addNote({ id: "nt_1", caseId: "cs_a", at: T0 + 50, author: "user:ana", textSealed: "ks1.AAAA" }, { caseId: "cs_a", actor: "x", action: "note", details: { noteId: "nt_1" } });
      assert.deepEqual(await cases.notes(ALL_CASES, "cs_a"), [{ id: "nt_1", caseId: "cs_a", at: T0 + 50, author: "user:ana", textSealed: "ks1.AAAA" }]);
      await cases.addEvidence({ id: "ev_1", caseId: "cs_a", kind: "graph", graph: { nodes: [{ id: "n", kind: "entity" }], edges: [] }, addedBy: "user:ana", addedAt: T0 + 60 }, { caseId: "cs_a", actor: "x", action: "evidence", details: {} });
      await cases.addEvidence({ id: "ev_2", caseId: "cs_a", kind: "event", ref: "bitflyer:e-al_1", addedBy: "user:ana", addedAt: T0 + 61 }, { caseId: "cs_a", actor: "x", action: "evidence", details: {} });
      const ev = await cases.evidence(ALL_CASES, "cs_a");
      assert.deepEqual(ev.map((e) => e.kind), ["graph", "event"]);
      assert.deepEqual(ev[0]!.kind === "graph" && ev[0]!.graph, { nodes: [{ id: "n", kind: "entity" }], edges: [] });
      assert.deepEqual((await cases.eventsByKey(["bitflyer:e-al_1", "bitflyer:missing", "nocolon"])).map((e) => [e.source, e.id, e.type]), [["bitflyer", "e-al_1", "deposit"]]);
      assert.deepEqual(await cases.subjectsWithUnattachedAlerts(), ["ent_b"]);
      assert.equal(await cases.latestAlertTs(), "2024-04-03T09:00:00.000Z");
      assert.deepEqual((await cases.alertsById(["al_4", "al_x"])).map((a) => a.id), ["al_4"]);
      assert.deepEqual(await cases.accountByPseudonym("ps_2"), { owner: "coincheck", accountId: "ac_2", pseudonym: "ps_2" });
    });
  });
}

let template: StoreTemplate | undefined;
caseStoreSuite("PGlite", async () => (template ??= await createStoreTemplate()).open());
const availability = postgresAvailability();
if (availability.skip) {
  describe("case store (PostgreSQL server)", { skip: availability.skip }, () => {});
} else {
  let server: PostgresServer | undefined;
  caseStoreSuite(
    "PostgreSQL server",
    async () => {
      server = await startPostgres();
      return openStore({ databaseUrl: server.url });
    },
    async () => server?.stop(),
  );
}
