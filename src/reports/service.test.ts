// The report use case over in-memory ports: who may draft, approve, file and read; what personal data
// goes in; what is audited. All data synthetic.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import type { Alert } from "../contracts/alerts.ts";
import { isKanshiError, KanshiError } from "../contracts/errors.ts";
import { moneyOf } from "../contracts/money.ts";
import { encodeSealed, Keyring, type AuditInput } from "../privacy/index.ts";
import { principalId, type Principal } from "../privacy/policy.ts";
import type { NewReport, ReportRecord, ReportStatus, ReportStore } from "../store/reports.ts";
import { createReportService, type GrantSource, type PersonalDataRevealer, type ReportServiceDeps } from "./service.ts";
import { SAMPLE_EXCHANGE, xmllintValidate } from "./testing.ts";

/** A ReportStore in memory with the SQL store's state rules (its own tests cover the SQL one). */
function memoryReports(): ReportStore {
  const rows = new Map<string, ReportRecord>();
  const conflict = (r: ReportRecord, want: ReportStatus) => new KanshiError("conflict", `report ${r.id} is ${r.status}; only a ${want} report`, "status");
  return {
    async create(r: NewReport) {
      if (rows.has(r.id)) throw new KanshiError("conflict", "exists", "id");
      const rec: ReportRecord = { ...r, status: "draft", approvedBy: null, approvedAt: null, filedBy: null, filedAt: null, version: 1 };
      rows.set(r.id, rec);
      return rec;
    },
    async get(v, id) {
      const r = rows.get(id);
      return r === undefined || (v.tenant !== null && v.tenant !== r.tenant) ? undefined : r;
    },
    async list(v, q = {}) {
      const items = [...rows.values()].filter((r) => (v.tenant === null || r.tenant === v.tenant) && (q.status === undefined || r.status === q.status) && (q.caseId === undefined || r.caseId === q.caseId));
      return { items: items.reverse(), nextCursor: null };
    },
    async approve(id, d) {
      const r = rows.get(id);
      if (r === undefined) throw new KanshiError("not_found", "no", "id");
      if (d.by === r.draftedBy) throw new KanshiError("forbidden", "drafter", "by");
      if (r.status !== "draft") throw conflict(r, "draft");
      const next = { ...r, status: "approved" as const, approvedBy: d.by, approvedAt: d.at, version: r.version + 1 };
      rows.set(id, next);
      return next;
    },
    async file(id, d) {
      const r = rows.get(id);
      if (r === undefined) throw new KanshiError("not_found", "no", "id");
      if (r.status !== "approved") throw conflict(r, "approved");
      const next = { ...r, status: "filed" as const, filedBy: d.by, filedAt: d.at, version: r.version + 1 };
      rows.set(id, next);
      return { ...next, caseMove: null };
    },
    async rewrapContents(keyring) {
      let rewrapped = 0;
      for (const [id, r] of rows) {
        if (!keyring.needsRewrap(r.contentSealed)) continue;
        rows.set(id, { ...r, contentSealed: keyring.rewrap(r.contentSealed) });
        rewrapped++;
      }
      return { rewrapped, unreadable: 0 };
    },
    async statRows(q = {}) {
      return [...rows.values()].filter((r) => q.status === undefined || r.status === q.status).map((r) => ({ tenant: r.tenant, kind: r.kind, status: r.status, typologies: r.typologies, draftedAt: r.draftedAt, filedAt: r.filedAt }));
    },
  };
}

const T0 = Date.parse("2024-05-20T01:00:00Z");
const officer: Principal = { id: principalId("key:officer"), role: "exchange_officer", tenant: "testex" as never };
const otherOfficer: Principal = { id: principalId("key:officer-2"), role: "exchange_officer", tenant: "otherex" as never };
const analyst: Principal = { id: principalId("user:analyst"), role: "analyst" };
const supA: Principal = { id: principalId("user:sup-a"), role: "supervisor" };
const supB: Principal = { id: principalId("user:sup-b"), role: "supervisor" };
const regulator: Principal = { id: principalId("user:fsa"), role: "regulator" };

const events = [
  { id: "dep-1", ts: "2024-05-11T01:00:00Z", source: "testex", type: "deposit", accountId: "acct-1", asset: "BTC", amount: "0.5", channel: "crypto", valueJpy: "5000000", network: "bitcoin", txHash: "c".repeat(64), fromAddress: "bc1qsynthetic" },
  { id: "wd-1", ts: "2024-05-11T02:00:00Z", source: "testex", type: "withdrawal", accountId: "acct-1", asset: "BTC", amount: "0.49", channel: "crypto", valueJpy: "4900000", toAddress: "bc1qabroad", counterpartyVasp: "Far VASP", counterpartyCountry: "SG" },
  { id: "wd-2", ts: "2024-05-11T03:00:00Z", source: "testex", type: "withdrawal", accountId: "acct-1", asset: "ETH", amount: "1", channel: "crypto" },
  { id: "tr-1", ts: "2024-05-11T04:00:00Z", source: "testex", type: "trade", tradeId: "x1", market: "BTC/JPY", price: "10000000", quantity: "0.01", buyAccountId: "acct-1", sellAccountId: "acct-9" },
  { id: "dep-9", ts: "2024-05-11T01:00:00Z", source: "otherex", type: "deposit", accountId: "acct-o", asset: "JPY", amount: "100", channel: "bank" },
];
const alert = (typology: string, evidence: string[]): Alert => ({
  id: `al_${typology}`,
  typology,
  typologyVersion: "1",
  configVersion: "1",
  ts: "2024-05-11T04:00:00Z",
  subject: { kind: "entity", id: "ent-1" },
  accounts: ["acct-1"],
  score: 80,
  evidence,
  explanation: `synthetic ${typology} explanation`,
});

interface Harness {
  service: ReturnType<typeof createReportService>;
  audit: AuditInput[];
  reveals: { who: string; fields: readonly string[]; grant?: string }[];
  now: { t: number };
}

function harness(over: Partial<ReportServiceDeps> = {}, grants: Record<string, string[]> = {}): Harness {
  const ring = new Keyring([{ kid: "t", key: randomBytes(32) }]);
  const audit: AuditInput[] = [];
  const reveals: { who: string; fields: readonly string[]; grant?: string }[] = [];
  const now = { t: T0 };
  let n = 0;
  const KYC: Record<string, string> = { name: "試験 二郎", nameKana: "シケン ジロウ", dateOfBirth: "1990-02-03", address: "東京都港区芝公園4-2-8", occupation: "自営業", creditScore: "700" };
  const revealer: PersonalDataRevealer = {
    async reveal(p, _entity, fields, opts) {
      reveals.push({ who: p.id, fields, ...(opts?.grant !== undefined ? { grant: opts.grant } : {}) });
      return { records: [{ owner: "testex", fields: Object.fromEntries(fields.filter((f) => KYC[f] !== undefined).map((f) => [f, KYC[f]])) }] };
    },
  };
  const grantSource: GrantSource = {
    async grantsFor(_entity, grantee) {
      const f = grants[grantee];
      return f === undefined ? [] : [{ requestId: "dr_1", requesterRole: grantee === "user:fsa" ? "regulator" : grantee.startsWith("user:sup") ? "supervisor" : "analyst", fields: f as never, state: "approved", grant: { expiresAt: T0 + 3_600_000, revokedAt: null } }];
    },
  };
  const service = createReportService({
    reports: memoryReports(),
    cases: {
      async get(id) {
        return id === "case-1" ? { id, entityId: "ent-1", score: 82, openedAt: "2024-05-12T00:00:00Z", tenants: ["testex", "otherex"] } : undefined;
      },
      async alerts() {
        return [alert("rapid-movement", ["testex:dep-1", "testex:wd-1", "testex:wd-2"]), alert("structuring", ["testex:tr-1", "otherex:dep-9"])];
      },
      async accounts() {
        return [
          { accountId: "acct-1", owner: "testex" },
          { accountId: "acct-o", owner: "otherex" },
        ];
      },
      async eventsByKey(keys) {
        return events.filter((e) => keys.includes(`${e.source}:${e.id}`)).map((e) => ({ body: JSON.stringify(e) }));
      },
    },
    profiles: (t) => (t === "testex" ? SAMPLE_EXCHANGE : undefined),
    sealer: { seal: (s, c) => ring.seal(s, c), open: (s, c) => ring.open(s, c) },
    encodeSealed,
    audit: { appendBatch: async (b) => void audit.push(...b) },
    grants: grantSource,
    personalData: revealer,
    now: () => now.t,
    newId: () => `rp_${++n}`,
    gainTrades: {
      async trades() {
        return [
          { person: "ent-1", exchange: "testex", id: "a", time: Date.parse("2024-01-01T00:00:00Z"), asset: "BTC", side: "buy", quantity: moneyOf(10), valueJpy: moneyOf(50_000_000) },
          { person: "ent-1", exchange: "otherex", id: "b", time: Date.parse("2024-09-01T00:00:00Z"), asset: "BTC", side: "sell", quantity: moneyOf(10), valueJpy: moneyOf(160_000_000) },
          { person: "ent-2", exchange: "testex", id: "c", time: Date.parse("2024-01-01T00:00:00Z"), asset: "BTC", side: "buy", quantity: moneyOf(1), valueJpy: moneyOf(5_000_000) },
        ];
      },
    },
    ...over,
  });
  return { service, audit, reveals, now };
}

const kindIs = (kind: string, path?: string) => (e: unknown) => isKanshiError(e) && e.kind === kind && (path === undefined || e.path === path);

describe("report service", () => {
  it("an officer drafts a goAML report for its exchange: its own KYC, its transactions, what was left out; audited", async () => {
    const h = harness();
    const r = await h.service.draft(officer, "case-1", { kind: "goaml" });
    assert.equal(r.report.status, "draft");
    assert.equal(r.report.exchange, "testex");
    // dep-1, wd-1, the buy leg of tr-1; wd-2 has no yen value; otherex's deposit is not this exchange's.
    assert.equal(r.report.transactions, 3);
    assert.deepEqual(r.omitted, [{ event: "testex:wd-2", why: "no yen value (valueJpy) on the event" }]);
    assert.deepEqual(r.report.typologies, ["rapid-movement", "structuring"]);
    assert.deepEqual(h.reveals.map((x) => x.who), ["key:officer"]);
    assert.ok(!h.reveals[0]!.fields.includes("creditScore"), "credit details are never asked for");
    assert.deepEqual(r.disclosedFields, ["name", "nameKana", "dateOfBirth", "address", "occupation"]);
    assert.equal(h.audit.at(-1)!.action, "report.draft");
    assert.equal(JSON.stringify(h.audit).includes("試験"), false, "no personal data in the audit trail");

    const xml = await h.service.export(officer, r.report.id, "xml");
    assert.equal(xml.contentType, "application/xml; charset=utf-8");
    const lint = xmllintValidate(xml.body);
    assert.ok(lint.ok, lint.output);
    assert.ok(xml.body.includes("<last_name>試験</last_name>"));
    assert.ok(xml.body.includes("<to_country>SG</to_country>"), "the transfer abroad");
    assert.equal(h.audit.at(-1)!.action, "report.export");
    await assert.rejects(h.service.export(officer, r.report.id, "csv"), kindIs("bad_input", "format"));
    await assert.rejects(h.service.draft(officer, "case-1", { kind: "goaml", exchange: "otherex" }), kindIs("forbidden", "exchange"));
    await assert.rejects(h.service.draft(officer, "case-x", { kind: "goaml" }), kindIs("not_found", "caseId"));
  });

  it("an analyst's report carries exactly the fields of their live grant, or none", async () => {
    const none = harness();
    const bare = await none.service.draft(analyst, "case-1", { kind: "str", exchange: "testex" });
    assert.deepEqual(bare.disclosedFields, []);
    assert.equal(none.reveals.length, 0, "nothing is read without a grant");
    const form = JSON.parse((await none.service.export(analyst, bare.report.id, "json")).body) as { identityChecks: { name: unknown }[] };
    assert.equal(form.identityChecks[0]!.name, null);

    const granted = harness({}, { "user:analyst": ["name", "creditScore"] });
    const r = await granted.service.draft(analyst, "case-1", { kind: "str", exchange: "testex", reason: "二つの取引所を経由した短時間の送金が、申告された職業及び収入に照らして不自然である。" });
    assert.deepEqual(granted.reveals, [{ who: "user:analyst", fields: ["name"], grant: "dr_1" }]);
    assert.deepEqual(r.disclosedFields, ["name"]);
    const csv = (await granted.service.export(analyst, r.report.id, "csv")).body;
    assert.ok(csv.startsWith("\uFEFF"));
    assert.ok(csv.includes("試験 二郎") && !csv.includes("1990"), "the name, and not the date of birth");
    await assert.rejects(granted.service.draft(analyst, "case-1", { kind: "str" }), kindIs("bad_input", "exchange"));
    await assert.rejects(granted.service.draft(regulator, "case-1", { kind: "str", exchange: "testex" }), kindIs("forbidden"));
  });

  it("draft → approved (by another supervisor) → filed; regulators read filed reports only; all audited", async () => {
    const h = harness();
    const { report } = await h.service.draft(supA, "case-1", { kind: "str", exchange: "testex" });
    await assert.rejects(h.service.file(supA, report.id), kindIs("conflict"));
    await assert.rejects(h.service.approve(supA, report.id), kindIs("forbidden", "by"));
    await assert.rejects(h.service.approve(analyst, report.id), kindIs("forbidden"));
    await assert.rejects(h.service.export(regulator, report.id, "html"), kindIs("not_found", "id"));
    await assert.rejects(h.service.export(analyst, report.id, "html"), kindIs("not_found", "id"));
    await assert.rejects(h.service.export(otherOfficer, report.id, "html"), kindIs("not_found", "id"));
    h.now.t += 60_000;
    const approved = await h.service.approve(supB, report.id);
    assert.equal(approved.approvedBy, "user:sup-b");
    await assert.rejects(h.service.file(otherOfficer, report.id), kindIs("not_found"));
    await assert.rejects(h.service.file(analyst, report.id), kindIs("forbidden"));
    const filed = await h.service.file(officer, report.id);
    assert.equal(filed.status, "filed");
    assert.equal(filed.filedBy, "key:officer");
    const html = await h.service.export(regulator, report.id, "html");
    assert.match(html.body, /<html lang="ja">/);
    assert.deepEqual(
      h.audit.map((a) => a.action),
      ["report.draft", "report.approve", "report.file", "report.export"],
    );
    assert.deepEqual((await h.service.list(regulator)).items.map((x) => x.id), [report.id]);
    assert.deepEqual((await h.service.list(regulator, { status: "draft" })).items, []);
  });

  it("statistics and large gains are the regulator's", async () => {
    const h = harness();
    const a = await h.service.draft(officer, "case-1", { kind: "goaml" });
    await h.service.approve(supA, a.report.id);
    await h.service.file(officer, a.report.id);
    await h.service.draft(officer, "case-1", { kind: "str" });
    const filed = await h.service.statistics(regulator);
    assert.equal(filed.total, 1);
    assert.deepEqual(filed.byExchange, [{ exchange: "testex", reports: 1 }]);
    assert.deepEqual(filed.byMonth, [{ month: "2024-05", reports: 1 }]);
    assert.equal((await h.service.statistics(regulator, { status: "all" })).total, 2);
    await assert.rejects(h.service.statistics(officer), kindIs("forbidden"));
    const big = await h.service.largeGains(regulator, { year: 2024 });
    assert.deepEqual(big.map((p) => [p.person, p.realisedGainJpy]), [["ent-1", moneyOf(110_000_000)]]);
    assert.deepEqual(big[0]!.exchanges, ["otherex", "testex"]);
    await assert.rejects(h.service.largeGains(supA), kindIs("forbidden"));
    await assert.rejects(h.service.largeGains(regulator, { year: 12 }), kindIs("bad_input", "year"));
    assert.ok(h.audit.some((x) => x.action === "report.large_gains"));
  });
});
