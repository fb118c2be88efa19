// The report use case: draft a report for a case, approve it, mark it filed, export it, and the
// regulator's statistics. No I/O of its own: everything goes through the narrow ports below, which the
// composition roots (CLI, HTTP server) connect to the store, the disclosure service and the audit
// trail. Every decision and every export is an audit record (ids, kinds, digests; never content).
//
// Who may do what:
//   - draft: an exchange officer for its own exchange's accounts in the case, or a supervisor or
//     analyst naming the reporting exchange (one of the case's exchanges). Personal data enters only
//     through the disclosure service's reveal: the fields of the drafter's approved, unexpired grants
//     on the case's subject (supervisor, analyst), or an officer's own exchange's KYC records (the
//     policy's first road); with none, the report names the subject by its pseudonymous id only;
//   - approve: a supervisor who did not draft it;
//   - file: once approved, the drafter, an officer of the reporting exchange or a supervisor;
//   - read and export: an officer of the reporting exchange, a supervisor, the drafter, and a
//     regulator once it is filed; analysts otherwise see no report content (it holds personal data);
//   - statistics and large gains: regulators (and supervisors).
import { createHash, randomBytes } from "node:crypto";
import type { Alert } from "../contracts/alerts.ts";
import { badInput, KanshiError } from "../contracts/errors.ts";
import { parseEvent, type Event } from "../contracts/events.ts";
import { moneyOf, type Money } from "../contracts/money.ts";
import type { PersonalField, Principal, Role } from "../privacy/policy.ts";
import type { AuditInput, JsonObject } from "../privacy/index.ts";
import type { ReportKind, ReportRecord, ReportStatus, ReportStore, ReportViewer } from "../store/reports.ts";
import { assembleReportInput, REPORT_FIELDS, type DisclosedRecord, type Omitted } from "./assemble.ts";
import { largeGains, type GainTrade, type PersonYear } from "./gains.ts";
import { generateGoaml } from "./goaml.ts";
import type { GoamlCodesInput } from "./goaml-codes.ts";
import { parseReportInput, ReportingEntitySchema, type ReportInputJson } from "./input.ts";
import { jstDate } from "./format.ts";
import { reportStatistics, type ReportStatistics } from "./stats.ts";
import { buildStrForm, parseStrForm, strFormCsv, strFormHtml } from "./str.ts";

// ---- ports ----------------------------------------------------------------------------------------

/** The case store as reports need it (store.cases() with the consortium-wide viewer). */
export interface CaseSource {
  get(caseId: string): Promise<{ id: string; entityId: string; score: number; openedAt: string; tenants: readonly string[] } | undefined>;
  alerts(caseId: string): Promise<Alert[]>;
  accounts(caseId: string): Promise<{ accountId: string; owner: string }[]>;
  eventsByKey(keys: readonly string[]): Promise<{ body: string }[]>;
}

/** The drafter's approved disclosure grants on an entity (store.disclosures().grantsFor). */
export interface GrantSource {
  grantsFor(
    entityId: string,
    grantee: string,
  ): Promise<{ requestId: string; requesterRole: Role; fields: readonly PersonalField[]; grant: { expiresAt: number; revokedAt: number | null } | null; state: string }[]>;
}

/** The disclosure service's reveal: checks the policy (under `opts.grant` when named), reads, and audits the read itself. */
export interface PersonalDataRevealer {
  reveal(p: Principal, entityId: string, fields: readonly string[], opts?: { grant?: string }): Promise<{ records: readonly DisclosedRecord[] }>;
}

/** The audit trail (privacy AuditTrail): one batch, one signed head. */
export interface AuditSink {
  appendBatch(inputs: readonly AuditInput[]): Promise<unknown>;
}

/** The privacy Keyring, as far as report content needs it. */
export interface ContentSealer {
  seal(plaintext: string, context: { recordId: string; field: string }): Uint8Array;
  open(sealed: string, context: { recordId: string; field: string }): Buffer;
}

/** People's trades across exchanges, for the moving-average gains. */
export interface GainTradeSource {
  trades(): Promise<readonly GainTrade[]>;
}

export interface ReportServiceDeps {
  readonly reports: ReportStore;
  readonly cases: CaseSource;
  /** Exchange details (the reporting entity) by tenant. */
  readonly profiles: (tenant: string) => ReportInputJson["reportingEntity"] | undefined;
  readonly sealer: ContentSealer;
  readonly encodeSealed: (sealed: Uint8Array) => string;
  readonly audit: AuditSink;
  /** Without these two, reports carry no personal data (subjects by pseudonymous id only). */
  readonly grants?: GrantSource | undefined;
  readonly personalData?: PersonalDataRevealer | undefined;
  readonly gainTrades?: GainTradeSource | undefined;
  readonly goamlCodes?: GoamlCodesInput | undefined;
  /** Epoch ms; default Date.now. */
  readonly now?: () => number;
  /** New report ids; default `rp_` + 16 random base64url characters. */
  readonly newId?: () => string;
}

// ---- views ----------------------------------------------------------------------------------------

export interface ReportView {
  readonly id: string;
  readonly caseId: string;
  readonly exchange: string;
  readonly kind: ReportKind;
  readonly status: ReportStatus;
  readonly reportNumber: string | null;
  readonly typologies: readonly string[];
  readonly subjects: number;
  readonly transactions: number;
  readonly contentSha256: string;
  readonly draftedBy: string;
  readonly draftedAt: string;
  readonly approvedBy: string | null;
  readonly approvedAt: string | null;
  readonly filedBy: string | null;
  readonly filedAt: string | null;
}

export type ExportFormat = "xml" | "json" | "csv" | "html";

export interface ExportedReport {
  readonly format: ExportFormat;
  readonly contentType: string;
  readonly filename: string;
  readonly body: string;
}

export interface DraftInput {
  readonly kind: ReportKind;
  /** The reporting exchange; an officer's is its own, others must name one of the case's exchanges. */
  readonly exchange?: string | undefined;
  /** The reason for suspicion; default: a summary of the case's alerts. */
  readonly reason?: string | undefined;
  readonly action?: string | undefined;
  readonly reportNumber?: string | undefined;
}

export interface DraftResult {
  readonly report: ReportView;
  /** Events the alerts named that could not be reported (no yen value, …). */
  readonly omitted: readonly Omitted[];
  /** Personal fields that went into the report (none when nothing was disclosed). */
  readonly disclosedFields: readonly string[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function viewOf(r: ReportRecord): ReportView {
  return {
    id: r.id,
    caseId: r.caseId,
    exchange: r.tenant,
    kind: r.kind,
    status: r.status,
    reportNumber: r.reportNumber,
    typologies: r.typologies,
    subjects: r.subjects,
    transactions: r.transactions,
    contentSha256: r.contentSha256,
    draftedBy: r.draftedBy,
    draftedAt: iso(r.draftedAt)!,
    approvedBy: r.approvedBy,
    approvedAt: iso(r.approvedAt),
    filedBy: r.filedBy,
    filedAt: iso(r.filedAt),
  };
}

export const actorOf = (p: Principal): string => ("tenant" in p ? `${p.id}@${p.role}/${p.tenant}` : `${p.id}@${p.role}`);
const forbidden = (message: string, path?: string) => new KanshiError("forbidden", message, path);
const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

const FORMATS: Record<ReportKind, readonly ExportFormat[]> = { goaml: ["xml"], str: ["json", "csv", "html"] };
const CONTENT_TYPES: Record<ExportFormat, string> = {
  xml: "application/xml; charset=utf-8",
  json: "application/json; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  html: "text/html; charset=utf-8",
};

export class ReportService {
  readonly #d: ReportServiceDeps;
  readonly #now: () => number;
  readonly #newId: () => string;

  constructor(deps: ReportServiceDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#newId = deps.newId ?? (() => `rp_${randomBytes(12).toString("base64url")}`);
  }

  #viewer(p: Principal): ReportViewer {
    return p.role === "exchange_officer" ? { tenant: p.tenant } : { tenant: null };
  }

  async #audit(inputs: AuditInput[]): Promise<void> {
    await this.#d.audit.appendBatch(inputs);
  }

  /**
   * The records the drafter may put in a report about `entityId`: an officer's own exchange's, or
   * what each of the drafter's live grants covers (one reveal per grant, newest first; the disclosure
   * service re-checks the policy and audits every read). Nothing without the ports.
   */
  async #disclosed(p: Principal, entityId: string, now: number): Promise<{ fields: string[]; records: DisclosedRecord[] }> {
    const { grants, personalData } = this.#d;
    if (personalData === undefined) return { fields: [], records: [] };
    if (p.role === "exchange_officer") {
      try {
        const r = await personalData.reveal(p, entityId, [...REPORT_FIELDS]);
        return { fields: [...REPORT_FIELDS], records: [...r.records] };
      } catch (e) {
        // Nothing on record at the officer's exchange: the report names the subject by id only.
        if (e instanceof KanshiError && e.kind === "not_found") return { fields: [], records: [] };
        throw e;
      }
    }
    if (grants === undefined) return { fields: [], records: [] };
    const live = (await grants.grantsFor(entityId, p.id)).filter(
      (g) => g.requesterRole === p.role && g.grant !== null && g.state === "approved" && g.grant.revokedAt === null && now < g.grant.expiresAt,
    );
    const fields = new Set<string>();
    const records: DisclosedRecord[] = [];
    for (const g of live) {
      const wanted = REPORT_FIELDS.filter((f) => g.fields.includes(f));
      if (wanted.length === 0) continue;
      const r = await personalData.reveal(p, entityId, wanted, { grant: g.requestId });
      for (const f of wanted) fields.add(f);
      records.push(...r.records);
    }
    return { fields: REPORT_FIELDS.filter((f) => fields.has(f)), records };
  }

  async draft(p: Principal, caseId: string, input: DraftInput): Promise<DraftResult> {
    if (!(["exchange_officer", "analyst", "supervisor"] as Role[]).includes(p.role)) throw forbidden(`a ${p.role} does not draft reports`);
    if (input.kind !== "goaml" && input.kind !== "str") throw badInput("expected goaml or str", "kind");
    const c = await this.#d.cases.get(caseId);
    if (c === undefined) throw new KanshiError("not_found", `no case ${caseId}`, "caseId");
    let exchange: string;
    if (p.role === "exchange_officer") {
      if (input.exchange !== undefined && input.exchange !== p.tenant) throw forbidden("an exchange officer reports for its own exchange only", "exchange");
      exchange = p.tenant;
    } else {
      if (input.exchange === undefined) throw badInput(`name the reporting exchange (one of ${c.tenants.join(", ") || "none"})`, "exchange");
      exchange = input.exchange;
    }
    if (!c.tenants.includes(exchange)) throw forbidden(`case ${caseId} touches no account of ${exchange}`, "exchange");
    const profileRaw = this.#d.profiles(exchange);
    if (profileRaw === undefined) throw new KanshiError("unavailable", `no reporting-entity profile is configured for exchange ${exchange}`, "exchange");
    const profile = ReportingEntitySchema.safeParse(profileRaw);
    if (!profile.success) throw badInput(profile.error.issues[0]?.message ?? "invalid", `profiles.${exchange}`);

    const now = this.#now();
    const [alerts, accounts] = await Promise.all([this.#d.cases.alerts(caseId), this.#d.cases.accounts(caseId)]);
    const keys = [...new Set(alerts.flatMap((a) => a.evidence))];
    const events: Event[] = [];
    for (const row of keys.length === 0 ? [] : await this.#d.cases.eventsByKey(keys)) {
      const r = parseEvent(JSON.parse(row.body));
      if (r.ok) events.push(r.event);
    }
    const disclosed = await this.#disclosed(p, c.entityId, now);
    const { input: json, omitted } = assembleReportInput({
      reportingEntity: profileRaw,
      reportDate: jstDate(new Date(now).toISOString()),
      reportNumber: input.reportNumber,
      case: { id: c.id, entityId: c.entityId, score: c.score, openedAt: c.openedAt },
      alerts,
      events,
      accounts,
      disclosed: disclosed.records,
      reason: input.reason,
      action: input.action,
    });
    const parsed = parseReportInput(json);
    const content = input.kind === "goaml" ? generateGoaml(parsed, { codes: this.#d.goamlCodes ?? {} }) : JSON.stringify(buildStrForm(parsed));
    const id = this.#newId();
    const record = await this.#d.reports.create({
      id,
      caseId: c.id,
      tenant: exchange,
      kind: input.kind,
      contentSealed: this.#d.encodeSealed(this.#d.sealer.seal(content, { recordId: `report:${id}`, field: "content" })),
      contentSha256: sha256(content),
      typologies: parsed.case.typologies.map((t) => t.id),
      subjects: parsed.subjects.length,
      transactions: parsed.transactions.length,
      reportNumber: input.reportNumber ?? null,
      draftedBy: p.id,
      draftedRole: p.role,
      draftedAt: now,
    });
    const usedFields = disclosed.records.length === 0 ? [] : disclosed.fields.filter((f) => disclosed.records.some((r) => r.fields[f] !== undefined));
    await this.#audit([
      {
        actor: actorOf(p),
        action: "report.draft",
        target: `report:${id}`,
        details: {
          case: c.id,
          exchange,
          kind: input.kind,
          sha256: record.contentSha256,
          subjects: record.subjects,
          transactions: record.transactions,
          omitted: omitted.length,
          personalFields: usedFields,
        },
      },
    ]);
    return { report: viewOf(record), omitted, disclosedFields: usedFields };
  }

  /** The report's metadata; `not_found` when the caller may not see it. */
  async get(p: Principal, id: string): Promise<ReportView> {
    return viewOf(await this.#readable(p, id));
  }

  async list(p: Principal, q: { caseId?: string; status?: ReportStatus; kind?: ReportKind; limit?: number; cursor?: string } = {}): Promise<{ items: ReportView[]; nextCursor: string | null }> {
    if (!(["exchange_officer", "analyst", "supervisor", "regulator"] as Role[]).includes(p.role)) throw forbidden(`a ${p.role} does not read reports`);
    const regulator = p.role === "regulator";
    if (regulator && q.status !== undefined && q.status !== "filed") return { items: [], nextCursor: null };
    const page = await this.#d.reports.list(this.#viewer(p), regulator ? { ...q, status: "filed" } : q);
    return { items: page.items.map(viewOf), nextCursor: page.nextCursor };
  }

  async #readable(p: Principal, id: string): Promise<ReportRecord> {
    const r = await this.#d.reports.get(this.#viewer(p), id);
    const visible =
      r !== undefined &&
      (p.role === "exchange_officer" || p.role === "supervisor" || (p.role === "analyst" && r.draftedBy === p.id) || (p.role === "regulator" && r.status === "filed"));
    if (!visible) throw new KanshiError("not_found", `no report ${id} that you may read`, "id");
    return r;
  }

  async approve(p: Principal, id: string): Promise<ReportView> {
    if (p.role !== "supervisor") throw forbidden(`only a supervisor approves a report; acting as ${p.role}`);
    const r = await this.#d.reports.approve(id, { by: p.id, role: p.role, at: this.#now() });
    await this.#audit([{ actor: actorOf(p), action: "report.approve", target: `report:${id}`, details: { case: r.caseId, kind: r.kind, sha256: r.contentSha256, draftedBy: r.draftedBy } }]);
    return viewOf(r);
  }

  async file(p: Principal, id: string): Promise<ReportView> {
    const current = await this.#d.reports.get(this.#viewer(p), id);
    if (current === undefined) throw new KanshiError("not_found", `no report ${id}`, "id");
    const may = p.role === "supervisor" || (p.role === "exchange_officer" && p.tenant === current.tenant) || current.draftedBy === p.id;
    if (!may) throw forbidden("a report is marked filed by its drafter, an officer of its exchange or a supervisor");
    const actor = actorOf(p);
    // Filing moves the case to `reported` in the same transaction (the store does both, or neither).
    const r = await this.#d.reports.file(id, { by: p.id, at: this.#now(), actor });
    const audit: AuditInput[] = [
      { actor, action: "report.file", target: `report:${id}`, details: { case: r.caseId, kind: r.kind, sha256: r.contentSha256, approvedBy: r.approvedBy ?? "", caseMovedTo: r.caseMove?.to ?? null } },
    ];
    if (r.caseMove !== null) {
      const m = r.caseMove;
      audit.push({ actor, action: "case.transition", target: `case:${m.caseId}`, details: { from: m.from, to: m.to, score: m.score, reason: "report filed", report: id, kind: r.kind } });
    }
    await this.#audit(audit);
    return viewOf(r);
  }

  /** The document in `format` (goAML: xml; STR: json, csv, html). Audited as report.export. */
  async export(p: Principal, id: string, format: ExportFormat): Promise<ExportedReport> {
    const r = await this.#readable(p, id);
    if (!FORMATS[r.kind].includes(format)) throw badInput(`a ${r.kind} report exports as ${FORMATS[r.kind].join(", ")}`, "format");
    const content = this.#d.sealer.open(r.contentSealed, { recordId: `report:${r.id}`, field: "content" }).toString("utf8");
    if (sha256(content) !== r.contentSha256) throw new KanshiError("internal", `report ${r.id}: its content does not match its recorded digest`);
    let body: string;
    if (r.kind === "goaml") body = content;
    else {
      const form = parseStrForm(content);
      body = format === "json" ? JSON.stringify(form, null, 2) + "\n" : format === "csv" ? strFormCsv(form) : strFormHtml(form);
    }
    const details: JsonObject = { case: r.caseId, kind: r.kind, format, status: r.status, sha256: sha256(body), bytes: Buffer.byteLength(body, "utf8") };
    await this.#audit([{ actor: actorOf(p), action: "report.export", target: `report:${r.id}`, details }]);
    return { format, contentType: CONTENT_TYPES[format], filename: `${r.id}.${format}`, body };
  }

  /** Reports per exchange, typology and month (filed ones by default, counted at filing). */
  async statistics(p: Principal, q: { status?: ReportStatus | "all" } = {}): Promise<ReportStatistics & { status: string }> {
    if (p.role !== "regulator" && p.role !== "supervisor") throw forbidden(`a ${p.role} does not read report statistics; regulators do`);
    const status = q.status ?? "filed";
    const rows = await this.#d.reports.statRows(status === "all" ? {} : { status });
    const stats = reportStatistics(rows.map((r) => ({ exchange: r.tenant, typologies: r.typologies, at: new Date(r.filedAt ?? r.draftedAt).toISOString() })));
    await this.#audit([{ actor: actorOf(p), action: "report.statistics", target: "reports", details: { status, total: stats.total } }]);
    return { status, ...stats };
  }

  /** People whose realised gains in a year reach the threshold (default ¥100,000,000). Regulators. */
  async largeGains(p: Principal, q: { year?: number; thresholdJpy?: Money } = {}): Promise<PersonYear[]> {
    if (p.role !== "regulator") throw forbidden(`a ${p.role} does not run the large-gains report; regulators do`);
    if (this.#d.gainTrades === undefined) throw new KanshiError("unavailable", "no trade source is configured for the gains report");
    if (q.year !== undefined && (!Number.isInteger(q.year) || q.year < 2000 || q.year > 9999)) throw badInput("expected a year such as 2024", "year");
    if (q.thresholdJpy !== undefined && q.thresholdJpy < 0n) throw badInput("must not be negative", "threshold");
    const out = largeGains(await this.#d.gainTrades.trades(), { thresholdJpy: q.thresholdJpy ?? moneyOf(100_000_000), ...(q.year !== undefined ? { year: q.year } : {}) });
    await this.#audit([{ actor: actorOf(p), action: "report.large_gains", target: "trades", details: { year: q.year ?? null, people: out.length } }]);
    return out;
  }
}

export function createReportService(deps: ReportServiceDeps): ReportService {
  return new ReportService(deps);
}

