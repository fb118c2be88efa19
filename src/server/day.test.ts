// A simulated consortium day end to end through the API alone, on the app `kanshi start` serves
// (cli/live.ts buildLiveApp: identities linked, replay, cases, disclosures, reports, live detection):
//
//   the history before the day is posted by each exchange, bureau and research firm with its own
//   credentials; the server restarts overnight (as `kanshi start` does: identities linked, log
//   replayed); the day's events are posted → alerts → cases (opened by score) → the analyst moves
//   a suspect's case through investigating and escalated → asks for disclosure, a different
//   supervisor approves, the fields are revealed → goAML report (xmllint against the goAML 5.0.1
//   schema) and Japanese STR form (JSON with the JAFIC fields, printable HTML) → a supervisor who did
//   not draft approves → filed: the case is `reported` → the audit trail verifies and holds every
//   step. Everything synthetic (src/sim, seed 7).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Alert } from "../contracts/alerts.ts";
import { buildLiveApp, type LiveApp } from "../cli/live.ts";
import { loadDeploymentKeys } from "../cli/keys.ts";
import { personalDataSealing } from "../cli/link.ts";
import { captureIo, type CapturedIo } from "../cli/testing.ts";
import { verifyAuditLog } from "../privacy/index.ts";
import { xmllintValidate } from "../reports/testing.ts";
import { simulate } from "../sim/simulate.ts";
import type { EventInput } from "../contracts/events.ts";
import type { Store } from "../store/ports.ts";
import { createStoreTemplate } from "../store/testing/template.ts";
import { testPrincipal } from "./testing.ts";

const SEED = 7;
const PEOPLE = 400;
const DAY_START = Date.parse("2026-11-02T00:00:00+09:00");
const EXCHANGES = new Set(["bitflyer", "coincheck", "bitbank", "gmo-coin", "sbi-vc"]);
const WINDOW = 1000;
const SHARED = resolve(process.cwd(), "../shared/data");

type Who = Awaited<ReturnType<typeof testPrincipal>>;

interface CaseView {
  id: string;
  subject: { kind: string; id: string };
  state: string;
  score: number;
  suspect: boolean;
  alertCount: number;
  exchanges: string[];
  version: number;
  disposition: string | null;
  reportedAt: string | null;
}

describe("a simulated day through the API", { timeout: 120_000 }, () => {
  let dir: string;
  let io: CapturedIo;
  let store: Store;
  let live: LiveApp | undefined;
  const history: EventInput[] = [];
  const day: EventInput[] = [];
  const labels: { typology: string; accounts: readonly string[] }[] = [];
  const sources = new Map<string, Who>();
  const who = {} as Record<"analyst" | "supA" | "supB" | "regulator", Who>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-day-"));
    io = captureIo({ cwd: dir, env: { KANSHI_DATA: join(dir, "data"), LOG_LEVEL: "silent", KANSHI_SHARED_DATA: SHARED } });
    const template = await createStoreTemplate();
    store = await template.open({ personalData: () => personalDataSealing(io) });
    const sim = simulate({ seed: SEED, people: PEOPLE, days: 1, injections: true, dataDir: SHARED });
    for (const e of sim.events) (Date.parse(e.ts) < DAY_START ? history : day).push(e);
    labels.push(...sim.labels);
    for (const source of new Set([...history, ...day].map((e) => e.source))) {
      sources.set(source, await testPrincipal(store, EXCHANGES.has(source) ? "exchange_officer" : "data_provider", source));
    }
    who.analyst = await testPrincipal(store, "analyst");
    who.supA = await testPrincipal(store, "supervisor");
    who.supB = await testPrincipal(store, "supervisor");
    who.regulator = await testPrincipal(store, "regulator");
  });
  after(async () => {
    await live?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const app = () => live!.app;
  const req = (method: "GET" | "POST", url: string, as: Who, payload?: unknown) =>
    app().inject({ method, url, headers: as.headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

  /** Posts events as their sources do: consecutive windows, one batch per source in each, each with its own key. */
  async function postAll(events: readonly EventInput[]): Promise<{ accepted: number; duplicate: number; rejected: number; batches: number }> {
    const total = { accepted: 0, duplicate: 0, rejected: 0, batches: 0 };
    for (let i = 0; i < events.length; i += WINDOW) {
      const bySource = new Map<string, EventInput[]>();
      for (const e of events.slice(i, i + WINDOW)) {
        let list = bySource.get(e.source);
        if (!list) bySource.set(e.source, (list = []));
        list.push(e);
      }
      for (const [source, batch] of bySource) {
        const res = await app().inject({ method: "POST", url: "/v1/events", headers: sources.get(source)!.headers, payload: batch as unknown as Record<string, unknown>[] });
        assert.equal(res.statusCode, 200, res.body.slice(0, 500));
        const r = res.json() as { accepted: number; duplicate: number; rejected: number };
        total.accepted += r.accepted;
        total.duplicate += r.duplicate;
        total.rejected += r.rejected;
        total.batches++;
      }
    }
    return total;
  }

  async function allAlerts(as: Who): Promise<Alert[]> {
    const out: Alert[] = [];
    let cursor: string | null = null;
    do {
      const res = await req("GET", `/v1/alerts?limit=500${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`, as);
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json() as { items: Alert[]; nextCursor: string | null };
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return out;
  }

  it("the history is posted by each source with its own credentials; another source's events are refused", async () => {
    live = await buildLiveApp(io, store, { rateLimit: false });
    assert.ok(history.length > 1000 && day.length > 1000, `history ${history.length}, day ${day.length}`);
    const bitflyerEvent = history.find((e) => e.source === "bitflyer")!;
    const forged = await app().inject({ method: "POST", url: "/v1/events", headers: sources.get("coincheck")!.headers, payload: [bitflyerEvent] as unknown as Record<string, unknown>[] });
    assert.equal(forged.statusCode, 400);
    assert.equal((forged.json() as { results: { errors: { path: string }[] }[] }).results[0]!.errors[0]!.path, "events[0].source");
    const r = await postAll(history);
    assert.deepEqual([r.accepted, r.duplicate, r.rejected], [history.length, 0, 0]);
    const again = await postAll(history.slice(0, 50));
    assert.deepEqual([again.accepted, again.duplicate], [0, 50], "the same (source, id) is stored once");
    assert.equal(await store.countEvents(), history.length);
    await live.close();
    live = undefined;
  });

  it("overnight restart: identities are linked, the log replayed; the day's events are posted and detected live", async () => {
    live = await buildLiveApp(io, store, { rateLimit: false });
    assert.match(io.out(), /identity: [\d,]+ new records linked \(batch/);
    assert.match(io.out(), new RegExp(`detection: ${history.length.toLocaleString("en-US")} events replayed`));
    const before = new Set((await allAlerts(who.analyst)).map((a) => a.id));
    const r = await postAll(day);
    assert.deepEqual([r.accepted, r.rejected], [day.length, 0]);
    assert.equal(await store.countEvents(), history.length + day.length);
    await live.cases.cases.whenIdle();
    const raised = (await allAlerts(who.analyst)).filter((a) => !before.has(a.id));
    assert.ok(raised.length > 0, "the day raised alerts");
    // Each alert cites stored events only, and the typologies injected into the day are caught.
    const posted = new Set([...history, ...day].map((e) => `${e.source}:${e.id}`));
    for (const a of raised) for (const k of a.evidence) assert.ok(posted.has(k), `alert ${a.id} cites ${k}, which was never posted`);
    const injected = new Set(labels.map((l) => l.typology));
    const caught = [...injected].filter((t) => raised.some((a) => a.typology === t));
    assert.ok(caught.length >= injected.size - 2, `caught ${caught.join(", ")} of ${[...injected].join(", ")}`);
  });

  let suspect: CaseView;
  let exchange: string;
  let rawAccounts: string[] = [];
  let requestId = "";
  let revealedName = "";
  let goamlId = "";
  let strId = "";

  it("cases opened by score; a suspect's case moves through investigating and escalated", async () => {
    const res = await req("GET", "/v1/cases?limit=200&state=open", who.analyst);
    assert.equal(res.statusCode, 200, res.body);
    const cases = (res.json() as { items: CaseView[] }).items;
    assert.ok(cases.length > 0, "the day opened cases");
    for (const c of cases) assert.ok(c.score >= 65, `case ${c.id} opened by score at ${c.score}`);
    // The suspect: an entity (identity resolved overnight) at or above the disclosure threshold.
    const suspects = cases.filter((c) => c.subject.kind === "entity" && c.suspect && c.exchanges.length > 0).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    assert.ok(suspects.length > 0, `a suspect among ${JSON.stringify(cases.map((c) => [c.subject.kind, c.score]))}`);
    suspect = suspects[0]!;
    exchange = [...suspect.exchanges].sort()[0]!;
    assert.ok(suspect.alertCount >= 1);
    // The analyst sees the case's accounts as pseudonyms; the exchange's officer sees its own raw.
    const asAnalyst = (await req("GET", `/v1/cases/${suspect.id}`, who.analyst)).json() as { accounts: { id: string; view: string; exchange: string }[]; alerts: Alert[] };
    assert.ok(asAnalyst.accounts.length > 0 && asAnalyst.accounts.every((a) => a.view === "pseudonym" && a.id.startsWith("ps_")));
    assert.equal(asAnalyst.alerts.length, suspect.alertCount);
    const asOfficer = await req("GET", `/v1/cases/${suspect.id}`, sources.get(exchange)!);
    assert.equal(asOfficer.statusCode, 200, asOfficer.body);
    rawAccounts = (asOfficer.json() as { accounts: { id: string; view: string; exchange: string }[] }).accounts.filter((a) => a.view === "raw" && a.exchange === exchange).map((a) => a.id);
    assert.ok(rawAccounts.length > 0, "the officer sees its own accounts in the case");
    const injectedAccounts = new Set(labels.flatMap((l) => l.accounts));
    assert.ok(rawAccounts.some((a) => injectedAccounts.has(a)), "the top suspect is one the simulator planted");

    let version = suspect.version;
    for (const to of ["investigating", "escalated"]) {
      const moved = await req("POST", `/v1/cases/${suspect.id}/transitions`, who.analyst, { to, expectedVersion: version, note: `Synthetic: moving to ${to}.` });
      assert.equal(moved.statusCode, 200, moved.body);
      const c = moved.json() as CaseView;
      assert.equal(c.state, to);
      version = c.version;
    }
    // Only a supervisor may report an escalated case by hand; the filing below does it instead.
    assert.equal((await req("POST", `/v1/cases/${suspect.id}/transitions`, who.analyst, { to: "reported" })).statusCode, 403);
  });

  it("the analyst asks for disclosure, a different supervisor approves, the fields are revealed", async () => {
    const fields = ["name", "nameKana", "dateOfBirth", "address"];
    const asked = await req("POST", "/v1/disclosures", who.analyst, { entityId: suspect.subject.id, caseId: suspect.id, purpose: "Synthetic: preparing the suspicious transaction report for this escalated case.", fields });
    assert.equal(asked.statusCode, 201, asked.body);
    requestId = (asked.json() as { requestId: string; state: string }).requestId;
    assert.equal((asked.json() as { state: string }).state, "pending");
    // Nothing is revealed before approval, and the requester cannot approve its own request.
    assert.equal((await req("GET", `/v1/entities/${suspect.subject.id}/personal-data?fields=name&grant=${requestId}`, who.analyst)).statusCode, 403);
    const approved = await req("POST", `/v1/disclosures/${requestId}/approve`, who.supA, { reason: "Synthetic: purpose and case checked." });
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal((approved.json() as { state: string }).state, "approved");
    const shown = await req("GET", `/v1/entities/${suspect.subject.id}/personal-data?fields=${fields.join(",")}&grant=${requestId}`, who.analyst);
    assert.equal(shown.statusCode, 200, shown.body);
    const reveal = shown.json() as { via: string; records: { owner: string; fields: Record<string, unknown> }[] };
    assert.equal(reveal.via, "grant");
    assert.ok(reveal.records.length > 0, "the suspect's KYC records");
    const named = reveal.records.find((r) => typeof r.fields.name === "string" && r.owner === exchange) ?? reveal.records.find((r) => typeof r.fields.name === "string");
    assert.ok(named, "a record with a name");
    revealedName = named.fields.name as string;
  });

  it("goAML report (passes xmllint) and Japanese STR form are drafted through the API", async () => {
    const drafted = await req("POST", `/v1/cases/${suspect.id}/reports`, who.analyst, { kind: "goaml", exchange, reportNumber: "SIM-0001" });
    assert.equal(drafted.statusCode, 201, drafted.body);
    const d = drafted.json() as { report: { id: string; status: string; transactions: number; subjects: number }; disclosedFields: string[] };
    goamlId = d.report.id;
    assert.equal(d.report.status, "draft");
    assert.ok(d.report.subjects >= 1);
    assert.ok(d.disclosedFields.includes("name"), `disclosed: ${d.disclosedFields.join(", ")}`);
    const xml = await req("GET", `/v1/reports/${goamlId}.xml`, who.analyst);
    assert.equal(xml.statusCode, 200, xml.body);
    const lint = xmllintValidate(xml.body);
    assert.ok(lint.ok, lint.output);
    assert.ok(rawAccounts.some((a) => xml.body.includes(a)), "the suspect's account is in the report");
    const family = revealedName.split(/[\s\u3000]+/)[0]!;
    assert.ok(xml.body.includes(family), "the disclosed name is in the report");

    const str = await req("POST", `/v1/cases/${suspect.id}/reports`, who.analyst, { kind: "str", exchange, reason: "同一人物による不自然な取引が短時間に集中している（合成データ）。" });
    assert.equal(str.statusCode, 201, str.body);
    strId = (str.json() as { report: { id: string } }).report.id;
    const json = await req("GET", `/v1/reports/${strId}.json`, who.analyst);
    assert.equal(json.statusCode, 200, json.body);
    const form = json.json() as { form: string; notification: { businessName: string }; accounts: { accountId?: string }[]; transactions: unknown[]; identityChecks: { name: string | null; accounts: string[] }[]; reason: { caseId: string; text: string; alertCount: number } };
    assert.equal(form.form, "jp-str");
    assert.ok(form.notification.businessName.length > 0);
    assert.equal(form.reason.caseId, suspect.id);
    assert.equal(form.reason.alertCount, suspect.alertCount);
    assert.ok(form.identityChecks.some((c) => c.name !== null && c.name.includes(family)), "取引時確認事項 carries the disclosed name");
    assert.ok(form.identityChecks.some((c) => c.accounts.some((a) => rawAccounts.includes(a))), "and the suspect's account");
    const html = await req("GET", `/v1/reports/${strId}.html`, who.analyst);
    assert.equal(html.statusCode, 200);
    assert.match(html.body, /疑わしい取引の届出/);
    assert.ok(html.body.includes(family));
  });

  it("a supervisor who did not draft approves; filing makes the case reported", async () => {
    assert.equal((await req("POST", `/v1/reports/${goamlId}/approve`, who.analyst)).statusCode, 403, "the drafter (an analyst) cannot approve");
    assert.equal((await req("POST", `/v1/reports/${goamlId}/file`, who.analyst)).statusCode, 409, "not approved yet");
    const ok = await req("POST", `/v1/reports/${goamlId}/approve`, who.supB);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((ok.json() as { status: string }).status, "approved");
    const filed = await req("POST", `/v1/reports/${goamlId}/file`, who.analyst);
    assert.equal(filed.statusCode, 200, filed.body);
    assert.equal((filed.json() as { status: string }).status, "filed");
    const c = (await req("GET", `/v1/cases/${suspect.id}`, who.analyst)).json() as CaseView & { history: { action: string; details: Record<string, unknown> }[] };
    assert.equal(c.state, "reported");
    assert.equal(c.disposition, null);
    assert.ok(c.reportedAt !== null);
    assert.deepEqual(c.history.map((h) => [h.action, h.details.to ?? null]).filter(([a]) => a === "transition"), [["transition", "investigating"], ["transition", "escalated"], ["transition", "reported"]]);
    // The STR form of the same case files too; the case stays reported.
    assert.equal((await req("POST", `/v1/reports/${strId}/approve`, who.supA)).statusCode, 200);
    assert.equal((await req("POST", `/v1/reports/${strId}/file`, who.supA)).statusCode, 200);
    const again = (await req("GET", `/v1/cases/${suspect.id}`, who.analyst)).json() as CaseView;
    assert.deepEqual([again.state, again.version], [c.state, c.version]);
    // The regulator now reads the filed report.
    const reg = await req("GET", `/v1/reports/${goamlId}.xml`, who.regulator);
    assert.equal(reg.statusCode, 200);
    assert.ok(xmllintValidate(reg.body).ok);
  });

  it("all of it is in the audit trail, which verifies", async () => {
    const keys = await loadDeploymentKeys(io);
    const verdict = await verifyAuditLog(store.auditLog(), keys.auditPublicKeys);
    assert.ok(verdict.ok, JSON.stringify(verdict));
    const records = await store.auditLog().read(0, await store.auditLog().size());
    const on = (target: string) => records.filter((r) => r.target === target).map((r) => [r.action, (r.details as { to?: string }).to ?? null]);
    assert.deepEqual(
      on(`case:${suspect.id}`).filter(([a]) => a !== "case.alerts" && a !== "case.note"),
      [
        ["case.open", null],
        ["case.transition", "investigating"],
        ["case.transition", "escalated"],
        ["case.transition", "reported"],
      ],
    );
    const actions = (target: string) => records.filter((r) => r.target === target).map((r) => r.action);
    const report = actions(`report:${goamlId}`);
    for (const a of ["report.draft", "report.export", "report.approve", "report.file"]) assert.ok(report.includes(a), `${a} in ${report.join(", ")}`);
    for (const a of ["report.draft", "report.export", "report.approve", "report.file"]) assert.ok(actions(`report:${strId}`).includes(a));
    const all = records.map((r) => r.action);
    for (const a of ["disclosure.request", "disclosure.approve", "pii.reveal"]) assert.ok(all.includes(a), `${a} in the trail`);
    assert.ok(records.some((r) => r.action === "disclosure.approve" && JSON.stringify(r).includes(requestId)));
    assert.ok(!JSON.stringify(records).includes(revealedName), "no personal value in the audit trail");
  });
});
