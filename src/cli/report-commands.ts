// Report verbs: `kanshi report goaml <caseId> --out file.xml` and `kanshi report str <caseId> --out
// dir`; and the composition of the report service over a store, shared with the HTTP server
// (`buildReportService`).
//
// From the command line Kanshi acts as an exchange officer of the reporting exchange (`cli@<exchange>`):
// the report is stored as a draft (approval and filing are a supervisor's, over HTTP), its personal
// data is what the disclosure service reveals to that officer (the exchange's own KYC records), and
// the draft and the export are both in the audit trail.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { parseEvent } from "../contracts/events.ts";
import { KanshiError, usage } from "../contracts/errors.ts";
import { createDisclosureService, type DisclosureService } from "../disclosure/service.ts";
import { AuditTrail, encodeSealed, type Keyring } from "../privacy/index.ts";
import { principalId, type Principal } from "../privacy/policy.ts";
import { gainLegs } from "../reports/assemble.ts";
import type { GainTrade } from "../reports/gains.ts";
import type { GoamlCodesInput } from "../reports/goaml-codes.ts";
import { ReportingEntitySchema, issuePath, type ReportInputJson } from "../reports/input.ts";
import { createReportService, type AuditSink, type GainTradeSource, type ReportService } from "../reports/service.ts";
import { ALL_CASES } from "../store/cases.ts";
import type { Store } from "../store/ports.ts";
import { line, warn, type CliIo } from "./io.ts";
import { loadDeploymentKeys } from "./keys.ts";
import { openConfiguredStore } from "./store.ts";

export type ReportingProfiles = (tenant: string) => ReportInputJson["reportingEntity"] | undefined;

/** The environment variable naming the reporting-entity profiles file. */
export const PROFILES_VARIABLE = "KANSHI_REPORTING_ENTITIES";

/**
 * Reads the reporting-entity profiles: a JSON array of profiles, or an object of them by exchange
 * (tenant). Each is checked (name, goAML id, representative, head office, person in charge);
 * bad_input names the file and the place.
 */
export async function loadReportingProfiles(path: string): Promise<ReportingProfiles> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw usage(`cannot read the reporting-entity profiles file ${path}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new KanshiError("bad_input", "not JSON", path);
  }
  const list = Array.isArray(raw) ? raw : raw !== null && typeof raw === "object" ? Object.values(raw) : null;
  if (list === null) throw new KanshiError("bad_input", "expected an array of profiles or an object of them by exchange", path);
  const byTenant = new Map<string, ReportInputJson["reportingEntity"]>();
  list.forEach((p, i) => {
    const r = ReportingEntitySchema.safeParse(p);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new KanshiError("bad_input", issue.message, `${path}: [${i}].${issuePath(issue.path)}`);
    }
    byTenant.set(r.data.tenant, p as ReportInputJson["reportingEntity"]);
  });
  return (tenant) => byTenant.get(tenant);
}

/** People's trades from the stored log: each side's account mapped to its entity (the account itself when unresolved). */
export function storeGainTrades(store: Store): GainTradeSource {
  return {
    async trades(): Promise<GainTrade[]> {
      const assignments = await store.identities().entityAssignments();
      const personOf = (account: string) => assignments.accounts.get(account) ?? account;
      const out: GainTrade[] = [];
      for await (const page of store.scanEvents({ order: "event-time" })) {
        for (const row of page) {
          if (row.type !== "trade") continue;
          const r = parseEvent(JSON.parse(row.body));
          if (r.ok && r.event.type === "trade") out.push(...gainLegs(r.event, personOf));
        }
      }
      return out;
    },
  };
}

export interface ReportWiring {
  readonly store: Store;
  readonly keyring: Keyring;
  readonly audit: AuditSink;
  readonly profiles: ReportingProfiles;
  /** The disclosure service (reveal); without it, reports carry no personal data. */
  readonly disclosures?: Pick<DisclosureService, "reveal"> | undefined;
  readonly goamlCodes?: GoamlCodesInput | undefined;
  readonly now?: () => number;
}

/** The report service over a store: cases, disclosure grants, the disclosure service's reveal, the trades in the log. */
export function buildReportService(w: ReportWiring): ReportService {
  const cases = w.store.cases();
  return createReportService({
    reports: w.store.reports(),
    cases: {
      async get(id) {
        const c = await cases.get(ALL_CASES, id);
        return c === undefined ? undefined : { id: c.id, entityId: c.entityId, score: c.score, openedAt: c.openedAt, tenants: c.tenants };
      },
      alerts: (id) => cases.alerts(ALL_CASES, id),
      accounts: (id) => cases.accounts(ALL_CASES, id),
      eventsByKey: (keys) => cases.eventsByKey(keys),
    },
    grants: w.store.disclosures(),
    personalData: w.disclosures,
    profiles: w.profiles,
    sealer: { seal: (s, c) => w.keyring.seal(s, c), open: (s, c) => w.keyring.open(s, c) },
    encodeSealed,
    audit: w.audit,
    gainTrades: storeGainTrades(w.store),
    goamlCodes: w.goamlCodes,
    ...(w.now !== undefined ? { now: w.now } : {}),
  });
}

interface DraftOptions {
  out: string;
  exchange?: string;
  profiles?: string;
  reason?: string;
  action?: string;
  number?: string;
}

async function withReportService<T>(io: CliIo, opts: DraftOptions, fn: (s: ReportService, store: Store) => Promise<T>): Promise<T> {
  const profilesPath = opts.profiles ?? io.env[PROFILES_VARIABLE];
  if (!profilesPath) {
    throw usage(`give --profiles <file> (or set ${PROFILES_VARIABLE}): the reporting exchange's name, goAML id, representative, head office and person in charge`);
  }
  const profiles = await loadReportingProfiles(resolve(io.cwd, profilesPath));
  const keys = await loadDeploymentKeys(io);
  const store = await openConfiguredStore(io);
  try {
    const audit = new AuditTrail({ log: store.auditLog(), signingKey: keys.auditSigningKey });
    const disclosures = createDisclosureService({ repo: store.disclosures(), cases: store.cases(), personalData: store.identities(), audit, sealer: keys.keyring });
    return await fn(buildReportService({ store, keyring: keys.keyring, audit, profiles, disclosures }), store);
  } finally {
    await store.close();
  }
}

/** The exchange the command line reports for: --exchange, or the case's only exchange. */
async function reportingExchange(store: Store, caseId: string, given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  const c = await store.cases().get(ALL_CASES, caseId);
  if (c === undefined) throw new KanshiError("not_found", `no case ${caseId}`, "caseId");
  const own = c.tenants.filter((t) => t !== "?");
  if (own.length === 1) return own[0]!;
  throw usage(`case ${caseId} touches ${own.length === 0 ? "no known exchange" : `several exchanges (${own.join(", ")})`}: name the reporting one with --exchange`);
}

const officer = (exchange: string): Principal => ({ id: principalId(`cli@${exchange}`), role: "exchange_officer", tenant: exchange as never });

function describeDraft(io: CliIo, r: Awaited<ReturnType<ReportService["draft"]>>): void {
  const v = r.report;
  line(io, `drafted ${v.kind} report ${v.id} for case ${v.caseId} (${v.exchange}): ${v.subjects} subject(s), ${v.transactions} transaction(s); status draft — a supervisor approves it before it is filed`);
  line(io, r.disclosedFields.length === 0 ? "personal data: none disclosed; subjects appear by their Kanshi id" : `personal data (disclosed to the exchange): ${r.disclosedFields.join(", ")}`);
  for (const o of r.omitted.slice(0, 10)) warn(io, `left out ${o.event}: ${o.why}`);
  if (r.omitted.length > 10) warn(io, `… and ${r.omitted.length - 10} more left out`);
}

export function registerReportCommands(program: Command, io: CliIo, _setCode: (code: number) => void): void {
  const report = program.command("report").description("suspicious transaction reports: goAML XML and the Japanese STR form (drafts; a supervisor approves them over HTTP)");
  const common = (c: Command) =>
    c
      .option("--exchange <id>", "the reporting exchange (default: the case's only exchange)")
      .option("--profiles <file>", `reporting-entity profiles (JSON; default $${PROFILES_VARIABLE})`)
      .option("--reason <text>", "the reason for suspicion (default: a summary of the case's alerts)")
      .option("--action <text>", "what the exchange did about it")
      .option("--number <n>", "the exchange's report number (届出番号)");

  common(
    report
      .command("goaml")
      .description("draft a goAML 5.0.1 STR for a case and write its XML")
      .argument("<caseId>", "the case")
      .requiredOption("--out <file>", "where to write the XML"),
  ).action(async (caseId: string, opts: DraftOptions) => {
    await withReportService(io, opts, async (service, store) => {
      const exchange = await reportingExchange(store, caseId, opts.exchange);
      const r = await service.draft(officer(exchange), caseId, { kind: "goaml", exchange, reason: opts.reason, action: opts.action, reportNumber: opts.number });
      const xml = await service.export(officer(exchange), r.report.id, "xml");
      const path = resolve(io.cwd, opts.out);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, xml.body, "utf8");
      describeDraft(io, r);
      line(io, `→ ${opts.out}`);
    });
  });

  common(
    report
      .command("str")
      .description("draft the Japanese STR form (疑わしい取引の届出) for a case and write it as JSON, CSV and printable HTML")
      .argument("<caseId>", "the case")
      .requiredOption("--out <dir>", "directory for <reportId>.json, .csv and .html"),
  ).action(async (caseId: string, opts: DraftOptions) => {
    await withReportService(io, opts, async (service, store) => {
      const exchange = await reportingExchange(store, caseId, opts.exchange);
      const r = await service.draft(officer(exchange), caseId, { kind: "str", exchange, reason: opts.reason, action: opts.action, reportNumber: opts.number });
      const dir = resolve(io.cwd, opts.out);
      await mkdir(dir, { recursive: true });
      const written: string[] = [];
      for (const format of ["json", "csv", "html"] as const) {
        const e = await service.export(officer(exchange), r.report.id, format);
        await writeFile(join(dir, e.filename), e.body, "utf8");
        written.push(join(opts.out, e.filename));
      }
      describeDraft(io, r);
      line(io, `→ ${written.join(", ")}`);
    });
  });
}
