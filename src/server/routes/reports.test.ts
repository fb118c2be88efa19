// Reports over HTTP, end to end on a real store (PGlite, memory): a case from alerts, a disclosure
// requested and approved by two people, a goAML report that passes xmllint and a Japanese STR form,
// approval by another supervisor, filing, the regulator's statistics, all in a verified audit trail.
// The identity store's reader is a stand-in returning one synthetic KYC record (it is the disclosure
// service's port; its real adapter is tested with the identity store). All data synthetic.
import assert from "node:assert/strict";
import type { KeyObject } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Alert } from "../../contracts/alerts.ts";
import { createDisclosureService } from "../../disclosure/service.ts";
import { verifyAuditLog } from "../../privacy/index.ts";
import { scoreCaseId } from "../../cases/grouping.ts";
import { storedEvent, testAlert, testCaseUseCases } from "../../cases/testing.ts";
import { buildReportService } from "../../cli/report-commands.ts";
import { SAMPLE_EXCHANGE, xmllintValidate } from "../../reports/testing.ts";
import type { Store } from "../../store/ports.ts";
import { createStoreTemplate } from "../../store/testing/template.ts";
import type { KanshiApp } from "../app.ts";
import { buildTestApp, testPrincipal } from "../testing.ts";

const EX = "bitflyer";
const EVENTS = [
  storedEvent(EX, "dep-1", "2024-05-11T10:00:00+09:00", { type: "deposit", accountId: "ac_1", asset: "BTC", amount: "1.5", channel: "crypto", valueJpy: "15000000", network: "bitcoin", fromAddress: "bc1qsyntheticin", txHash: "d".repeat(64) }),
  storedEvent(EX, "wd-1", "2024-05-11T10:30:00+09:00", { type: "withdrawal", accountId: "ac_1", asset: "BTC", amount: "1.49", channel: "crypto", valueJpy: "14900000", toAddress: "bc1qsyntheticout", counterpartyVasp: "Island VASP", counterpartyCountry: "SC" }),
  storedEvent(EX, "tr-1", "2024-03-01T10:00:00+09:00", { type: "trade", tradeId: "t1", market: "BTC/JPY", price: "5000000", quantity: "30", buyAccountId: "ac_1", sellAccountId: "ac_mm" }),
  storedEvent(EX, "tr-2", "2024-06-01T10:00:00+09:00", { type: "trade", tradeId: "t2", market: "BTC/JPY", price: "9000000", quantity: "30", buyAccountId: "ac_mm2", sellAccountId: "ac_1" }),
];
const alert = (id: string, ts: string, evidence: string[]): Alert =>
  testAlert({ id, ts, score: 95, typology: "rapid-movement", subject: { kind: "entity", id: "ent_r1" }, accounts: ["ac_1"], evidence, explanation: "synthetic: deposit moved on within 30 minutes" });
const ALERTS = [alert("al_r1", "2024-05-11T10:30:00+09:00", ["bitflyer:dep-1", "bitflyer:wd-1"]), alert("al_r2", "2024-05-11T10:31:00+09:00", ["bitflyer:wd-1"]), alert("al_r3", "2024-05-11T10:32:00+09:00", ["bitflyer:wd-1"])];
const KYC = { name: "試験 三郎", nameKana: "シケン サブロウ", dateOfBirth: "1975-07-07", address: "東京都新宿区西新宿2-8-1", phone: "090-0000-0003" };

describe("reports over HTTP", () => {
  let store: Store;
  let app: KanshiApp;
  let caseId: string;
  let publicKey: KeyObject;
  const who = {} as Record<"analyst" | "supA" | "supB" | "officer" | "regulator" | "auditor", Awaited<ReturnType<typeof testPrincipal>>>;

  before(async () => {
    const template = await createStoreTemplate();
    store = await template.open();
    await store.appendEvents(EVENTS);
    await store.saveAlerts(ALERTS);
    const uc = testCaseUseCases(store);
    publicKey = uc.auditPublicKey;
    await uc.cases.syncAlerts(ALERTS);
    caseId = scoreCaseId("ent_r1", "al_r1");
    const disclosures = createDisclosureService({
      repo: store.disclosures(),
      cases: store.cases(),
      personalData: {
        async personalData(_scope, entityId, fields) {
          const values = Object.fromEntries(fields.filter((f) => f in KYC).map((f) => [f, KYC[f as keyof typeof KYC]]));
          return { records: entityId === "ent_r1" ? [{ recordId: "bitflyer:open-1", owner: EX, fields: values }] : [] };
        },
      },
      audit: uc.audit,
      sealer: uc.keyring,
    });
    const reports = buildReportService({ store, keyring: uc.keyring, audit: uc.audit, profiles: (t) => (t === EX ? { ...SAMPLE_EXCHANGE, tenant: EX } : undefined), disclosures });
    app = await buildTestApp(store, { audit: uc.audit, disclosures, reports });
    who.analyst = await testPrincipal(store, "analyst");
    who.supA = await testPrincipal(store, "supervisor");
    who.supB = await testPrincipal(store, "supervisor");
    who.officer = await testPrincipal(store, "exchange_officer", EX);
    who.regulator = await testPrincipal(store, "regulator");
    who.auditor = await testPrincipal(store, "auditor");
  });
  after(async () => {
    await app?.close();
    await store?.close();
  });

  const req = (method: "GET" | "POST", url: string, as: keyof typeof who | null, payload?: Record<string, unknown>) =>
    app.inject({ method, url, headers: as === null ? {} : who[as].headers, ...(payload === undefined ? {} : { payload }) });

  let goamlId = "";
  let strId = "";

  it("the case is a suspect's; a disclosure is requested by an analyst and approved by a supervisor", async () => {
    assert.ok((await store.cases().entityState("ent_r1")).cases.some((c) => c.caseId === caseId && c.score >= 70), "the case reached the disclosure threshold");
    const asked = await req("POST", "/v1/disclosures", "analyst", { entityId: "ent_r1", caseId, purpose: "Synthetic: preparing a suspicious transaction report for this case.", fields: ["name", "nameKana", "dateOfBirth", "address"] });
    assert.equal(asked.statusCode, 201, asked.body);
    const approved = await req("POST", `/v1/disclosures/${(asked.json() as { requestId: string }).requestId}/approve`, "supA", {});
    assert.equal(approved.statusCode, 200, approved.body);
  });

  it("POST /v1/cases/:id/reports drafts a goAML report with exactly the disclosed fields; the XML passes xmllint", async () => {
    assert.equal((await req("POST", `/v1/cases/${caseId}/reports`, null, { kind: "goaml", exchange: EX })).statusCode, 401);
    assert.equal((await req("POST", `/v1/cases/${caseId}/reports`, "regulator", { kind: "goaml", exchange: EX })).statusCode, 403);
    assert.equal((await req("POST", `/v1/cases/${caseId}/reports`, "analyst", { kind: "pdf", exchange: EX })).statusCode, 400);
    assert.equal((await req("POST", `/v1/cases/nope/reports`, "analyst", { kind: "goaml", exchange: EX })).statusCode, 404);
    const res = await req("POST", `/v1/cases/${caseId}/reports`, "analyst", { kind: "goaml", exchange: EX, reportNumber: "2024-000001" });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json() as { report: { id: string; status: string; transactions: number }; disclosedFields: string[] };
    goamlId = body.report.id;
    assert.equal(body.report.status, "draft");
    assert.equal(body.report.transactions, 2);
    assert.deepEqual(body.disclosedFields, ["name", "nameKana", "dateOfBirth", "address"]);
    const xml = await req("GET", `/v1/reports/${goamlId}.xml`, "analyst");
    assert.equal(xml.statusCode, 200, xml.body);
    assert.match(String(xml.headers["content-type"]), /application\/xml/);
    assert.equal(xml.headers["cache-control"], "no-store");
    const lint = xmllintValidate(xml.body);
    assert.ok(lint.ok, lint.output);
    assert.ok(xml.body.includes("<last_name>試験</last_name>") && xml.body.includes("1975-07-07"));
    assert.ok(!xml.body.includes("090-0000-0003"), "the phone was not disclosed");
    assert.ok(xml.body.includes("<to_country>SC</to_country>"));
    assert.equal((await req("GET", `/v1/reports/${goamlId}.csv`, "analyst")).statusCode, 400);
  });

  it("an officer drafts the STR form: JSON, CSV with BOM and printable HTML", async () => {
    const res = await req("POST", `/v1/cases/${caseId}/reports`, "officer", { kind: "str", reason: "同一人物による入金直後の海外送付が繰り返されている。" });
    assert.equal(res.statusCode, 201, res.body);
    strId = (res.json() as { report: { id: string } }).report.id;
    const json = await req("GET", `/v1/reports/${strId}.json`, "officer");
    assert.equal(json.statusCode, 200);
    const form = json.json() as { notification: { businessName: string }; transactions: { crossBorder: boolean }[] };
    assert.equal(form.notification.businessName, SAMPLE_EXCHANGE.name);
    assert.deepEqual(form.transactions.map((t) => t.crossBorder), [false, true]);
    const csv = await req("GET", `/v1/reports/${strId}.csv`, "officer");
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers["content-type"]), /text\/csv/);
    assert.ok(csv.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), "UTF-8 BOM");
    assert.match(String(csv.headers["content-disposition"]), /attachment; filename="rp_/);
    const html = await req("GET", `/v1/reports/${strId}.html`, "officer");
    assert.equal(html.statusCode, 200);
    assert.match(String(html.headers["content-security-policy"]), /default-src 'none'/);
    assert.match(html.body, /疑わしい取引の届出/);
    assert.equal((await req("GET", `/v1/reports/${strId}.xml`, "officer")).statusCode, 400);
  });

  it("GET /v1/reports and /v1/reports/:id show metadata to those who may see it", async () => {
    const list = await req("GET", `/v1/reports?caseId=${caseId}`, "supA");
    assert.equal(list.statusCode, 200);
    assert.deepEqual((list.json() as { items: { id: string }[] }).items.map((r) => r.id).sort(), [goamlId, strId].sort());
    const one = await req("GET", `/v1/reports/${goamlId}`, "officer");
    assert.equal(one.statusCode, 200);
    assert.equal((one.json() as { reportNumber: string }).reportNumber, "2024-000001");
    assert.equal((await req("GET", `/v1/reports/${goamlId}`, "regulator")).statusCode, 404, "not filed yet");
    assert.equal((await req("GET", `/v1/reports/${goamlId}.xml`, "regulator")).statusCode, 404);
    assert.equal((await req("GET", "/v1/reports/rp_unknown", "supA")).statusCode, 404);
    assert.equal((await req("GET", "/v1/reports/bad!id", "supA")).statusCode, 400);
    assert.equal((await req("GET", "/v1/reports", "auditor")).statusCode, 403);
  });

  it("approve (a supervisor, not the drafter) then file; each once", async () => {
    assert.equal((await req("POST", `/v1/reports/${goamlId}/file`, "officer")).statusCode, 409);
    assert.equal((await req("POST", `/v1/reports/${goamlId}/approve`, "analyst")).statusCode, 403);
    const ok = await req("POST", `/v1/reports/${goamlId}/approve`, "supB");
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((ok.json() as { status: string; approvedBy: string }).status, "approved");
    assert.equal((await req("POST", `/v1/reports/${goamlId}/approve`, "supA")).statusCode, 409);
    const filed = await req("POST", `/v1/reports/${goamlId}/file`, "officer");
    assert.equal(filed.statusCode, 200, filed.body);
    assert.equal((filed.json() as { status: string }).status, "filed");
    // Filing made the case reported, in the same step (no separate supervisor transition).
    const c = await store.cases().get({ tenant: null }, caseId);
    assert.equal(c?.state, "reported");
    assert.ok(c?.reportedAt !== null);
    const reg = await req("GET", `/v1/reports/${goamlId}.xml`, "regulator");
    assert.equal(reg.statusCode, 200);
    assert.ok(xmllintValidate(reg.body).ok);
    assert.equal((await req("POST", `/v1/reports/${strId}/approve`, "officer")).statusCode, 403);
  });

  it("GET /v1/stats/reports and /v1/stats/large-gains are the regulator's", async () => {
    const stats = await req("GET", "/v1/stats/reports", "regulator");
    assert.equal(stats.statusCode, 200, stats.body);
    const s = stats.json() as { total: number; byExchange: unknown; byTypology: unknown; byMonth: { month: string }[] };
    assert.equal(s.total, 1);
    assert.deepEqual(s.byExchange, [{ exchange: EX, reports: 1 }]);
    assert.deepEqual(s.byTypology, [{ typology: "rapid-movement", reports: 1 }]);
    assert.equal(s.byMonth.length, 1);
    assert.equal(((await req("GET", "/v1/stats/reports?status=all", "regulator")).json() as { total: number }).total, 2);
    assert.equal((await req("GET", "/v1/stats/reports", "analyst")).statusCode, 403);
    const gains = await req("GET", "/v1/stats/large-gains?year=2024", "regulator");
    assert.equal(gains.statusCode, 200, gains.body);
    const g = gains.json() as { thresholdJpy: string; people: { person: string; realisedGainJpy: string; incomplete: boolean }[] };
    assert.equal(g.thresholdJpy, "100000000");
    // ac_1 bought 30 BTC at ¥5,000,000 and sold them at ¥9,000,000: ¥120,000,000 realised. The market
    // maker ac_mm sold 30 BTC it was never seen buying: ¥150,000,000 at most, flagged incomplete.
    // (No identity is linked in this store, so each account is its own person.)
    assert.deepEqual(g.people.map((p) => [p.person, p.realisedGainJpy, p.incomplete]), [
      ["ac_mm", "150000000", true],
      ["ac_1", "120000000", false],
    ]);
    assert.equal((await req("GET", "/v1/stats/large-gains?year=2024&threshold=200000000", "regulator")).json().people.length, 0);
    assert.equal((await req("GET", "/v1/stats/large-gains?year=abc", "regulator")).statusCode, 400);
    assert.equal((await req("GET", "/v1/stats/large-gains", "supA")).statusCode, 403);
  });

  it("everything is in the audit trail, which verifies, and carries no personal data", async () => {
    const verdict = await verifyAuditLog(store.auditLog(), [publicKey]);
    assert.ok(verdict.ok, JSON.stringify(verdict));
    const records = await store.auditLog().read(0, await store.auditLog().size());
    const actions = records.map((r) => r.action);
    assert.ok(records.some((r) => r.action === "case.transition" && r.target === `case:${caseId}` && (r.details as { to?: string; report?: string }).to === "reported" && (r.details as { report?: string }).report === goamlId), "the case's move to reported is audited");
    for (const a of ["disclosure.request", "disclosure.approve", "pii.reveal", "report.draft", "report.export", "report.approve", "report.file", "report.statistics", "report.large_gains"]) {
      assert.ok(actions.includes(a), `${a} in ${[...new Set(actions)].join(", ")}`);
    }
    const text = JSON.stringify(records);
    for (const v of Object.values(KYC)) assert.ok(!text.includes(v), "no personal value in the audit trail");
  });
});
