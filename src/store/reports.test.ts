// The report sub-store on PGlite (memory). All data synthetic.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { isKanshiError } from "../contracts/errors.ts";
import { encodeSealed, Keyring } from "../privacy/index.ts";
import type { Store } from "./ports.ts";
import { migrate } from "./migrations.ts";
import { openPgliteDb } from "./pglite-db.ts";
import { ALL_REPORTS, createSqlReportStore, type NewReport, type ReportStore } from "./reports.ts";
import { createStoreTemplate, type StoreTemplate } from "./testing/template.ts";

const ring = new Keyring([{ kid: "t1", key: randomBytes(32) }]);
const T0 = 1_716_000_000_000;

function draft(id: string, over: Partial<NewReport> = {}): NewReport {
  const content = `<report>${id}</report>`;
  return {
    id,
    caseId: "case-1",
    tenant: "ex-a",
    kind: "goaml",
    contentSealed: encodeSealed(ring.seal(content, { recordId: `report:${id}`, field: "content" })),
    contentSha256: createHash("sha256").update(content).digest("hex"),
    typologies: ["structuring"],
    subjects: 2,
    transactions: 5,
    reportNumber: null,
    draftedBy: "key:officer-1",
    draftedRole: "exchange_officer",
    draftedAt: T0,
    ...over,
  };
}

async function rejects(p: Promise<unknown>, kind: string, path?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isKanshiError(e), `expected a KanshiError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (path !== undefined) assert.equal(e.path, path);
    return true;
  });
}

describe("report store", () => {
  let template: StoreTemplate;
  let store: Store;
  let reports: ReportStore;
  before(async () => {
    template = await createStoreTemplate();
    store = await template.open();
    reports = store.reports();
  });
  after(async () => {
    await store.close();
  });

  it("stores a draft sealed, and reads it back", async () => {
    const r = await reports.create(draft("r1"));
    assert.equal(r.status, "draft");
    assert.equal(r.version, 1);
    assert.equal(r.approvedBy, null);
    assert.deepEqual(r.typologies, ["structuring"]);
    const back = await reports.get(ALL_REPORTS, "r1");
    assert.deepEqual(back, r);
    assert.equal(ring.open(back!.contentSealed, { recordId: "report:r1", field: "content" }).toString("utf8"), "<report>r1</report>");
  });

  it("refuses plaintext content, a bad digest and a duplicate id", async () => {
    await rejects(reports.create(draft("r-plain", { contentSealed: "<report/>" })), "bad_input", "contentSealed");
    await rejects(reports.create(draft("r-hash", { contentSha256: "abc" })), "bad_input", "contentSha256");
    await rejects(reports.create(draft("r-kind", { kind: "pdf" as never })), "bad_input", "kind");
    await reports.create(draft("r-dup"));
    await rejects(reports.create(draft("r-dup")), "conflict", "id");
  });

  it("draft → approved → filed; a supervisor other than the drafter approves; each step once", async () => {
    await reports.create(draft("r2", { draftedBy: "user:sup-a", draftedRole: "supervisor" }));
    await rejects(reports.file("r2", { by: "user:x", at: T0 + 1 }), "conflict", "status");
    await rejects(reports.approve("r2", { by: "user:sup-a", role: "supervisor", at: T0 + 1 }), "forbidden", "by");
    await rejects(reports.approve("r2", { by: "user:analyst", role: "analyst", at: T0 + 1 }), "forbidden", "role");
    const a = await reports.approve("r2", { by: "user:sup-b", role: "supervisor", at: T0 + 10 });
    assert.deepEqual([a.status, a.approvedBy, a.approvedAt, a.version], ["approved", "user:sup-b", T0 + 10, 2]);
    await rejects(reports.approve("r2", { by: "user:sup-c", role: "supervisor", at: T0 + 11 }), "conflict", "status");
    const f = await reports.file("r2", { by: "key:officer-1", at: T0 + 20 });
    assert.deepEqual([f.status, f.filedBy, f.filedAt, f.version], ["filed", "key:officer-1", T0 + 20, 3]);
    await rejects(reports.file("r2", { by: "key:officer-1", at: T0 + 21 }), "conflict", "status");
    await rejects(reports.approve("nope", { by: "user:sup-b", role: "supervisor", at: T0 }), "not_found", "id");
    await rejects(reports.file("nope", { by: "x", at: T0 }), "not_found", "id");
  });

  it("filing a report moves its case to reported in the same transaction, with a history entry; once", async () => {
    const cases = store.cases();
    const open = (id: string, entityId: string) =>
      cases.create(
        { id, entityId, subjectKind: "entity", score: 82, lastScore: 82, openedBy: "system:cases", openedReason: "score", openedAt: T0, dueAt: null, assignee: null, firstAlertTs: null, lastAlertTs: null, alertCount: 0 },
        [],
        { caseId: id, actor: "system:cases", action: "open", details: {} },
        T0,
      );
    const c = await open("cs_file_1", "ent_file_1");
    const escalated = await cases.update(c.id, c.version, { state: "escalated" }, { caseId: c.id, actor: "user:a@analyst", action: "transition", details: {} }, T0 + 1);
    const approveAndFile = async (id: string, at: number) => {
      await reports.create(draft(id, { caseId: c.id }));
      await reports.approve(id, { by: "user:sup-b", role: "supervisor", at });
      return reports.file(id, { by: "key:officer-1", at: at + 1, actor: "key:officer-1@exchange_officer/ex-a" });
    };
    const f = await approveAndFile("r-case-1", T0 + 100);
    assert.equal(f.status, "filed");
    assert.deepEqual(f.caseMove, { caseId: c.id, from: "escalated", to: "reported", score: 82, version: escalated.version + 1 });
    const after1 = (await cases.get({ tenant: null }, c.id))!;
    assert.deepEqual([after1.state, after1.disposition, after1.reportedAt, after1.version], ["reported", null, new Date(T0 + 101).toISOString(), escalated.version + 1]);
    const last = (await cases.history({ tenant: null }, c.id)).at(-1)!;
    assert.equal(last.action, "transition");
    assert.equal(last.actor, "key:officer-1@exchange_officer/ex-a");
    assert.deepEqual(last.details, { from: "escalated", to: "reported", score: 82, reason: "report filed", report: "r-case-1", kind: "goaml" });
    // A second report on the reported case (the STR form, say) changes nothing on the case.
    const g = await approveAndFile("r-case-2", T0 + 200);
    assert.equal(g.caseMove, null);
    assert.equal((await cases.get({ tenant: null }, c.id))!.version, after1.version);
    // A closed case stays closed; a report on a case this store does not hold just files.
    const closed = await cases.update(c.id, after1.version, { state: "closed", disposition: "reported", closedAt: T0 + 300 }, { caseId: c.id, actor: "user:s@supervisor", action: "transition", details: {} }, T0 + 300);
    await reports.create(draft("r-case-3", { caseId: c.id }));
    await reports.approve("r-case-3", { by: "user:sup-b", role: "supervisor", at: T0 + 400 });
    assert.equal((await reports.file("r-case-3", { by: "key:officer-1", at: T0 + 401 })).caseMove, null);
    assert.equal((await cases.get({ tenant: null }, c.id))!.state, closed.state);
    // A failed filing (a draft) moves no case.
    const d = await open("cs_file_2", "ent_file_2");
    await reports.create(draft("r-case-4", { caseId: d.id }));
    await rejects(reports.file("r-case-4", { by: "key:officer-1", at: T0 + 500 }), "conflict", "status");
    assert.equal((await cases.get({ tenant: null }, d.id))!.state, "open");
  });

  it("two supervisors approving at once: exactly one wins", async () => {
    await reports.create(draft("r-race"));
    const results = await Promise.allSettled([
      reports.approve("r-race", { by: "user:s1", role: "supervisor", at: T0 + 5 }),
      reports.approve("r-race", { by: "user:s2", role: "supervisor", at: T0 + 5 }),
    ]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    assert.ok(isKanshiError(lost.reason) && lost.reason.kind === "conflict");
  });

  it("the database itself refuses self-approval, a non-supervisor approver and plaintext", async () => {
    const db = await openPgliteDb({ template: template.blob });
    try {
      await migrate(db);
      const r = createSqlReportStore(db);
      await r.create(draft("r-sql", { draftedBy: "user:z" }));
      const approve = (by: string, role: string) =>
        db.query("UPDATE reports SET status = 'approved', approved_by = $1, approved_role = $2, approved_ms = $3 WHERE id = 'r-sql'", [by, role, T0 + 1]);
      await assert.rejects(approve("user:z", "supervisor"), /check constraint/);
      await assert.rejects(approve("user:y", "analyst"), /check constraint/);
      await assert.rejects(db.query("UPDATE reports SET content_sealed = '<report/>' WHERE id = 'r-sql'"), /check constraint/);
      await approve("user:y", "supervisor");
      assert.equal((await r.get(ALL_REPORTS, "r-sql"))?.status, "approved");
    } finally {
      await db.close();
    }
  });

  it("an exchange sees only its own reports; lists page newest first", async () => {
    const r = reports;
    for (let i = 0; i < 5; i++) await r.create(draft(`p${i}`, { tenant: i % 2 === 0 ? "ex-c" : "ex-d", draftedAt: T0 + 1000 + i, caseId: `case-p${i % 2}` }));
    assert.equal(await r.get({ tenant: "ex-d" }, "p0"), undefined);
    assert.equal((await r.get({ tenant: "ex-c" }, "p0"))?.id, "p0");
    const first = await r.list(ALL_REPORTS, { limit: 2 });
    assert.deepEqual(first.items.map((x) => x.id), ["p4", "p3"]);
    const second = await r.list(ALL_REPORTS, { limit: 2, cursor: first.nextCursor! });
    assert.deepEqual(second.items.map((x) => x.id), ["p2", "p1"]);
    assert.deepEqual((await r.list({ tenant: "ex-d" })).items.map((x) => x.id), ["p3", "p1"]);
    const ofCase = await r.list({ tenant: "ex-c" }, { caseId: "case-p0", limit: 2 });
    assert.deepEqual(ofCase.items.map((x) => x.id), ["p4", "p2"]);
    const rest = await r.list({ tenant: "ex-c" }, { caseId: "case-p0", limit: 2, cursor: ofCase.nextCursor! });
    assert.deepEqual(rest.items.map((x) => x.id), ["p0"]);
    assert.equal(rest.nextCursor, null);
    await rejects(r.list(ALL_REPORTS, { cursor: "garbage" }), "bad_input", "cursor");
    await rejects(r.list({ tenant: "" }), "bad_input", "viewer");
    await r.approve("p2", { by: "user:sup", role: "supervisor", at: T0 + 2000 });
    await r.file("p2", { by: "user:off", at: T0 + 3000 });
    const filed = (await r.statRows({ status: "filed" })).filter((x) => x.tenant === "ex-c");
    assert.deepEqual(filed, [{ tenant: "ex-c", kind: "goaml", status: "filed", typologies: ["structuring"], draftedAt: T0 + 1002, filedAt: T0 + 3000 }]);
    assert.equal((await r.statRows({ from: T0 + 1001, to: T0 + 1003 })).length, 2);
  });
});
