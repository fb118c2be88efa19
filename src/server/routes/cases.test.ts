// /v1/cases and /v1/entities/:id(/graph) through inject(), with API keys of synthetic principals.
// All data synthetic.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { scoreCaseId } from "../../cases/grouping.ts";
import { detectWithCases } from "../../cases/index.ts";
import { storedEvent, testAlert, testCaseUseCases, type TestCaseUseCases } from "../../cases/testing.ts";
import { tenantId } from "../../contracts/ids.ts";
import type { Store } from "../../store/ports.ts";
import { createStoreTemplate } from "../../store/testing/template.ts";
import type { KanshiApp } from "../app.ts";
import { buildTestApp, testCredentials, testPrincipal } from "../testing.ts";

type Headers = { authorization: string };

let store: Store;
let app: KanshiApp;
let uc: TestCaseUseCases;
let analyst: Headers;
let supervisor: Headers;
let bitflyer: Headers;
let zaif: Headers;
let auditor: Headers;
const CASE = scoreCaseId("ent_h1", "al_h2");
const ps = (t: string, a: string) => uc.pseudonyms.account(tenantId(t), a as never);

before(async () => {
  store = await (await createStoreTemplate()).open();
  uc = testCaseUseCases(store);
  app = await buildTestApp(store, { cases: uc, audit: uc.audit, pseudonyms: uc.pseudonyms });
  await store.appendEvents([
    storedEvent("bitflyer", "b1", "2024-04-01T09:00:00+09:00", { type: "deposit", accountId: "ac_h1", asset: "JPY", amount: "1000000", channel: "bank" }),
    storedEvent("bitflyer", "b2", "2024-04-01T09:10:00+09:00", { type: "withdrawal", accountId: "ac_h1", asset: "BTC", amount: "0.2", channel: "crypto", toAddress: "bc1qhttp0001", network: "bitcoin" }),
    storedEvent("coincheck", "c1", "2024-04-01T10:00:00+09:00", { type: "deposit", accountId: "ac_h2", asset: "BTC", amount: "0.2", channel: "crypto", fromAddress: "bc1qhttp0001", network: "bitcoin" }),
    storedEvent("coincheck", "c2", "2024-04-01T10:05:00+09:00", { type: "login", accountId: "ac_h3", ip: "192.0.2.1" }),
  ]);
  await uc.cases.syncAlerts([
    testAlert({ id: "al_h1", score: 50, ts: "2024-04-01T09:10:00+09:00", subject: { kind: "entity", id: "ent_h1" }, accounts: ["ac_h1"], evidence: ["bitflyer:b1", "bitflyer:b2"] }),
    testAlert({ id: "al_h2", score: 60, typology: "pass-through", ts: "2024-04-01T10:00:00+09:00", subject: { kind: "entity", id: "ent_h1" }, accounts: ["ac_h1", "ac_h2"], evidence: ["bitflyer:b2", "coincheck:c1"] }),
    testAlert({ id: "al_h3", score: 30, ts: "2024-04-01T10:05:00+09:00", subject: { kind: "account", id: "ac_h3" }, accounts: ["ac_h3"], evidence: ["coincheck:c2"] }),
  ]);
  [analyst, supervisor, bitflyer, zaif, auditor] = await Promise.all([
    testCredentials(store, "analyst"),
    testCredentials(store, "supervisor"),
    testCredentials(store, "exchange_officer", "bitflyer"),
    testCredentials(store, "exchange_officer", "zaif"),
    testCredentials(store, "auditor"),
  ]);
});
after(async () => {
  await app?.close();
  await store?.close();
});

const get = (url: string, headers?: Headers) => app.inject({ method: "GET", url, ...(headers ? { headers } : {}) });
const post = (url: string, headers: Headers, payload: unknown) => app.inject({ method: "POST", url, headers, payload: payload as object });
const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string; path?: string } }).error;

describe("GET /v1/cases", () => {
  it("needs credentials; auditors may not read cases", async () => {
    assert.equal((await get("/v1/cases")).statusCode, 401);
    const res = await get("/v1/cases", auditor);
    assert.equal(res.statusCode, 403);
    assert.equal(errorOf(res).code, "forbidden");
  });

  it("an analyst sees the case under pseudonyms; an officer of another exchange sees nothing", async () => {
    const res = await get("/v1/cases", analyst);
    assert.equal(res.statusCode, 200);
    const body = res.json() as { items: { id: string; subject: { id: string }; exchanges: string[]; nextStates: string[] }[]; nextCursor: string | null };
    assert.deepEqual(body.items.map((c) => c.id), [CASE]);
    assert.deepEqual(body.items[0]!.exchanges, ["bitflyer", "coincheck"]);
    assert.deepEqual(body.items[0]!.nextStates, ["investigating", "closed"]);
    assert.ok(!res.body.includes("ac_h1"));
    assert.deepEqual((await get("/v1/cases", zaif)).json(), { items: [], nextCursor: null });
    assert.equal((await get(`/v1/cases/${CASE}`, zaif)).statusCode, 404);
  });

  it("filters, sorts and pages; bad queries name the parameter", async () => {
    assert.equal((await get("/v1/cases?state=closed", analyst)).json().items.length, 0);
    assert.equal((await get("/v1/cases?state=open,investigating&minScore=60&sort=-score", analyst)).json().items.length, 1);
    assert.equal((await get(`/v1/cases?account=${ps("coincheck", "ac_h2")}`, analyst)).json().items.length, 1);
    assert.equal((await get("/v1/cases?account=ac_h1", bitflyer)).json().items.length, 1, "an officer names its own account raw");
    assert.equal((await get("/v1/cases?account=ac_h1", analyst)).json().items.length, 0, "nobody else can");
    assert.equal((await get("/v1/cases?assignee=none", analyst)).json().items.length, 1);
    assert.equal((await get("/v1/cases?entity=ent_h1&limit=1", analyst)).json().nextCursor, null);
    const bad = await get("/v1/cases?state=asleep", analyst);
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad).path, "query.state");
    assert.equal(errorOf(await get("/v1/cases?sort=name", analyst)).path, "query.sort");
    assert.equal(errorOf(await get("/v1/cases?limit=0", analyst)).path, "query.limit");
    assert.equal(errorOf(await get("/v1/cases?cursor=zzz", analyst)).path, "query.cursor");
  });
});

describe("working a case over HTTP", () => {
  it("GET /v1/cases/:id: accounts, alerts and history as the caller may see them", async () => {
    const a = await get(`/v1/cases/${CASE}`, analyst);
    assert.equal(a.statusCode, 200);
    const c = a.json() as { accounts: { id: string; view: string }[]; alerts: { id: string; accounts: string[] }[]; history: { action: string }[] };
    assert.deepEqual(c.accounts.map((x) => x.id).sort(), [ps("bitflyer", "ac_h1"), ps("coincheck", "ac_h2")].sort());
    assert.deepEqual(c.alerts.map((x) => x.id), ["al_h1", "al_h2"]);
    assert.deepEqual(c.history.map((h) => h.action), ["open"]);
    const b = (await get(`/v1/cases/${CASE}`, bitflyer)).json() as typeof c;
    assert.ok(b.accounts.some((x) => x.id === "ac_h1" && x.view === "raw"));
    assert.equal((await get("/v1/cases/cs_nothing", analyst)).statusCode, 404);
  });

  it("POST /v1/cases/:id/transitions: allowed moves, refusals with their status and place", async () => {
    let res = await post(`/v1/cases/${CASE}/transitions`, analyst, { to: "investigating", note: "Synthetic: checking the withdrawals." });
    assert.equal(res.statusCode, 200, res.body);
    const version = (res.json() as { version: number }).version;
    res = await post(`/v1/cases/${CASE}/transitions`, analyst, { to: "reported" });
    assert.equal(res.statusCode, 409);
    res = await post(`/v1/cases/${CASE}/transitions`, analyst, { to: "sideways" });
    assert.equal(res.statusCode, 400);
    assert.equal(errorOf(res).path, "body.to");
    res = await post(`/v1/cases/${CASE}/transitions`, analyst, { to: "closed" });
    assert.equal(res.statusCode, 400);
    assert.equal(errorOf(res).path, "body.disposition");
    res = await post(`/v1/cases/${CASE}/transitions`, analyst, { to: "escalated", expectedVersion: version + 5 });
    assert.equal(res.statusCode, 409);
    assert.equal(errorOf(res).path, "body.expectedVersion");
    res = await post(`/v1/cases/${CASE}/transitions`, bitflyer, { to: "escalated", expectedVersion: version });
    assert.equal(res.statusCode, 200, res.body);
    res = await post(`/v1/cases/${CASE}/transitions`, analyst, { to: "reported" });
    assert.equal(res.statusCode, 403);
    res = await post(`/v1/cases/${CASE}/transitions`, zaif, { to: "investigating" });
    assert.equal(res.statusCode, 404, "a case an officer may not see does not exist for it");
    res = await post(`/v1/cases/${CASE}/transitions`, supervisor, { to: "investigating" });
    assert.equal((res.json() as { state: string }).state, "investigating");
  });

  it("POST /v1/cases/:id/assign and /notes", async () => {
    const sup = await testPrincipal(store, "supervisor");
    let res = await post(`/v1/cases/${CASE}/assign`, analyst, { assignee: sup.principal.id, dueAt: "2099-01-01T00:00:00Z" });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as { assignee: string }).assignee, sup.principal.id);
    assert.equal((await get(`/v1/cases?assignee=${sup.principal.id}`, analyst)).json().items.length, 1);
    res = await post(`/v1/cases/${CASE}/assign`, bitflyer, { assignee: sup.principal.id });
    assert.equal(res.statusCode, 403);
    res = await post(`/v1/cases/${CASE}/assign`, analyst, { assignee: "not a principal" });
    assert.equal(errorOf(res).path, "body.assignee");
    res = await post(`/v1/cases/${CASE}/notes`, analyst, { text: "Synthetic note for the record." });
    assert.equal(res.statusCode, 201);
    assert.equal((res.json() as { text: string }).text, "Synthetic note for the record.");
    res = await post(`/v1/cases/${CASE}/notes`, analyst, { text: "" });
    assert.equal(res.statusCode, 400);
    assert.equal(errorOf(res).path, "body.text");
    const c = (await get(`/v1/cases/${CASE}`, supervisor)).json() as { notes: { text: string }[] };
    assert.equal(c.notes.length, 2);
  });

  it("POST /v1/cases/:id/evidence: an event, an alert, and the entity's graph as the endpoint gives it", async () => {
    let res = await post(`/v1/cases/${CASE}/evidence`, analyst, { kind: "event", ref: "bitflyer:b2" });
    assert.equal(res.statusCode, 201, res.body);
    res = await post(`/v1/cases/${CASE}/evidence`, analyst, { kind: "alert", ref: "al_h3" });
    assert.equal(res.statusCode, 201);
    res = await post(`/v1/cases/${CASE}/evidence`, analyst, { kind: "event", ref: "bitflyer:none" });
    assert.equal(res.statusCode, 404);
    res = await post(`/v1/cases/${CASE}/evidence`, analyst, { kind: "photo" });
    assert.equal(res.statusCode, 400);
    const graph = (await get("/v1/entities/ent_h1/graph", analyst)).json() as { nodes: { id: string; kind: string }[]; edges: { from: string; to: string; kind: string }[] };
    res = await post(`/v1/cases/${CASE}/evidence`, analyst, { kind: "graph", graph: { nodes: graph.nodes.map((n) => ({ id: n.id, kind: n.kind })), edges: graph.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind })) } });
    assert.equal(res.statusCode, 201, res.body);
    res = await post(`/v1/cases/${CASE}/evidence`, analyst, { kind: "graph", graph: { nodes: [{ id: "ac_h1", kind: "account" }], edges: [] } });
    assert.equal(res.statusCode, 400);
    assert.equal(errorOf(res).path, "body.graph.nodes[0].id");
    const c = (await get(`/v1/cases/${CASE}`, analyst)).json() as { evidence: { kind: string }[] };
    assert.deepEqual(c.evidence.map((e) => e.kind), ["event", "alert", "graph"]);
  });

  it("POST /v1/cases: open by hand on a pseudonym; a second active case is a conflict", async () => {
    const subject = ps("coincheck", "ac_h3");
    let res = await post("/v1/cases", analyst, { subject, note: "Synthetic tip-off." });
    assert.equal(res.statusCode, 201, res.body);
    const c = res.json() as { subject: { kind: string; id: string }; alerts: { id: string }[]; openedReason: string };
    assert.deepEqual(c.subject, { kind: "account", id: subject });
    assert.deepEqual(c.alerts.map((a) => a.id), ["al_h3"]);
    res = await post("/v1/cases", analyst, { subject });
    assert.equal(res.statusCode, 409);
    res = await post("/v1/cases", analyst, { subject: "ent_nobody" });
    assert.equal(res.statusCode, 404);
    res = await post("/v1/cases", auditor, { subject });
    assert.equal(res.statusCode, 403);
    res = await post("/v1/cases", bitflyer, { subject: "ac_h9", dueAt: "2099-01-01T00:00:00Z" });
    assert.equal(res.statusCode, 403, "officers do not set due dates");
    res = await post("/v1/cases", bitflyer, { subject: "ac_h9" });
    assert.equal(res.statusCode, 201, res.body);
  });
});

describe("GET /v1/entities/:id and /graph", () => {
  it("the pseudonymous view with the score's explanation", async () => {
    const res = await get("/v1/entities/ent_h1?at=2024-04-02T00:00:00Z", analyst);
    assert.equal(res.statusCode, 200, res.body);
    const v = res.json() as { kind: string; score: { score: number; contributions: { alertId: string; points: number }[]; explanation: string }; alerts: unknown[]; cases: { id: string }[]; accounts: { id: string }[] };
    assert.equal(v.kind, "entity");
    assert.deepEqual(v.score.contributions.map((c) => c.alertId).sort(), ["al_h1", "al_h2"]);
    assert.match(v.score.explanation, /from 2 alerts/);
    assert.deepEqual(v.cases.map((c) => c.id), [CASE]);
    assert.ok(!res.body.includes("ac_h1"));
    assert.equal(errorOf(await get("/v1/entities/ent_h1?at=tomorrow", analyst)).path, "query.at");
    assert.equal((await get("/v1/entities/ent_none", analyst)).statusCode, 404);
    assert.equal((await get("/v1/entities/ent_h1", zaif)).statusCode, 404);
    assert.equal((await get("/v1/entities/ent_h1", auditor)).statusCode, 403);
    const own = (await get("/v1/entities/ac_h1", bitflyer)).json() as { kind: string; id: string };
    assert.deepEqual([own.kind, own.id], ["account", "ac_h1"]);
  });

  it("the link graph under pseudonyms", async () => {
    const res = await get("/v1/entities/ent_h1/graph", analyst);
    assert.equal(res.statusCode, 200);
    const g = res.json() as { nodes: { id: string; kind: string }[]; edges: { from: string; to: string; kind: string; count: number }[]; truncated: boolean };
    assert.ok(g.edges.some((e) => e.from === ps("bitflyer", "ac_h1") && e.to === "bitcoin:bc1qhttp0001" && e.kind === "withdrawal"));
    assert.ok(g.edges.some((e) => e.from === "bitcoin:bc1qhttp0001" && e.to === ps("coincheck", "ac_h2") && e.kind === "deposit"));
    assert.equal(g.truncated, false);
    assert.ok(!res.body.includes("ac_h1"));
    assert.equal((await get("/v1/entities/ent_none/graph", analyst)).statusCode, 404);
  });
});

describe("the live path: events posted are detected and their alerts grouped into cases", () => {
  it("POST /v1/events → detect → a case the posting exchange's officer can see", async () => {
    const live = await buildTestApp(store, {
      cases: uc,
      audit: uc.audit,
      pseudonyms: uc.pseudonyms,
      // A stand-in detector: every deposit of 5,000,000 or more raises a high alert on its account.
      detect: detectWithCases(
        (events) =>
          events.flatMap((e) =>
            e.type === "deposit" && e.amount >= 5_000_000n * 10n ** 18n
              ? [testAlert({ id: `al_live_${e.id}`, score: 85, ts: e.ts, subject: { kind: "account", id: e.accountId }, accounts: [e.accountId], evidence: [`${e.source}:${e.id}`] })]
              : [],
          ),
        uc.cases,
      ),
    });
    try {
      const gmo = await testCredentials(store, "exchange_officer", "gmo");
      const res = await live.inject({
        method: "POST",
        url: "/v1/events",
        headers: gmo,
        payload: [
          { id: "live-1", type: "deposit", ts: "2024-04-05T09:00:00+09:00", source: "gmo", accountId: "ac_live1", asset: "JPY", amount: "6000000", channel: "bank" },
          { id: "live-2", type: "deposit", ts: "2024-04-05T09:01:00+09:00", source: "gmo", accountId: "ac_live2", asset: "JPY", amount: "1000", channel: "bank" },
        ],
      });
      assert.equal(res.statusCode, 200, res.body);
      await uc.cases.whenIdle();
      const list = (await live.inject({ method: "GET", url: "/v1/cases?entity=ac_live1", headers: gmo })).json() as { items: { subject: { id: string }; score: number; exchanges: string[] }[] };
      assert.equal(list.items.length, 1);
      assert.deepEqual([list.items[0]!.subject.id, list.items[0]!.score, list.items[0]!.exchanges], ["ac_live1", 85, ["gmo"]]);
      assert.equal((await live.inject({ method: "GET", url: "/v1/cases?entity=ac_live2", headers: gmo })).json().items.length, 0);
    } finally {
      await live.close();
    }
  });
});
