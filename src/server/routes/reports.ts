// Reports over HTTP (the use cases are src/reports/service.ts):
//
//   POST /v1/cases/:id/reports          draft a goAML or Japanese STR report for a case (officer, analyst, supervisor)
//   GET  /v1/reports                    reports you may see, newest first
//   GET  /v1/reports/:id                one report's metadata (no content)
//   GET  /v1/reports/:id.xml            the goAML XML
//   GET  /v1/reports/:id.json|.csv|.html  the STR form: structured JSON, CSV (UTF-8 with BOM), printable HTML
//   POST /v1/reports/:id/approve        a supervisor other than the drafter approves
//   POST /v1/reports/:id/file           marks an approved report filed
//   GET  /v1/stats/reports              reports per exchange, typology and month (regulator, supervisor)
//   GET  /v1/stats/large-gains          people whose realised gains in a year reach ¥100,000,000 (regulator)
//
// Report content holds personal data: every export is audited (report.export), answered with
// Cache-Control: no-store, and the HTML with a Content-Security-Policy that allows no script and no
// external resource.
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { formatMoney, parseMoney, type Money } from "../../contracts/money.ts";
import type { ExportFormat, ReportService } from "../../reports/service.ts";
import { REPORT_KINDS, REPORT_STATUSES } from "../../store/reports.ts";
import { requirePrincipal } from "../auth.ts";
import { errorResponses } from "../schemas.ts";

export interface ReportRouteDeps {
  reports: ReportService;
}

const Kind = z.enum(REPORT_KINDS as ["goaml", "str"]);
const Status = z.enum(REPORT_STATUSES as ["draft", "approved", "filed"]);
const Time = z.string().describe("RFC 3339 UTC");
const ReportId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "expected a report id (letters, digits, '_' or '-')");
const IdParams = z.object({ id: ReportId });
const CaseParams = z.object({ id: z.string().min(1).max(256) });

const ReportViewSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    exchange: z.string().describe("the reporting exchange"),
    kind: Kind,
    status: Status,
    reportNumber: z.string().nullable(),
    typologies: z.array(z.string()).readonly(),
    subjects: z.number().int(),
    transactions: z.number().int(),
    contentSha256: z.string().describe("SHA-256 of the stored document (goAML XML, or the STR form's JSON)"),
    draftedBy: z.string(),
    draftedAt: Time,
    approvedBy: z.string().nullable(),
    approvedAt: Time.nullable(),
    filedBy: z.string().nullable(),
    filedAt: Time.nullable(),
  })
  .describe("A report's metadata (its content is served by the .xml/.json/.csv/.html routes)");

const DraftBody = z.object({
  kind: Kind.describe("goaml: the goAML 5.0.1 STR XML; str: the Japanese STR form (疑わしい取引の届出)"),
  exchange: z.string().min(1).max(64).optional().describe("the reporting exchange (officers: their own; others: one of the case's exchanges)"),
  reason: z.string().trim().min(1).max(8000).optional().describe("the reason for suspicion (default: a summary of the case's alerts)"),
  action: z.string().trim().min(1).max(8000).optional().describe("what the exchange did about it"),
  reportNumber: z.string().trim().min(1).max(64).optional().describe("the exchange's own report number (届出番号)"),
});

const DraftResultSchema = z.object({
  report: ReportViewSchema,
  omitted: z.array(z.object({ event: z.string(), why: z.string() })).readonly().describe("events the alerts named that could not be reported"),
  disclosedFields: z.array(z.string()).readonly().describe("personal fields in the report (none when nothing was disclosed)"),
});

const ListQuery = z.object({
  caseId: z.string().min(1).max(256).optional(),
  status: Status.optional(),
  kind: Kind.optional(),
  limit: z.coerce.number({ error: "expected a number" }).int("expected a whole number").min(1).max(200).optional().describe("page size, default 50"),
  cursor: z.string().min(1).max(512).optional(),
});

const Count = z.number().int();
const StatsSchema = z.object({
  status: z.string().describe("which reports were counted: filed (default), draft, approved or all"),
  total: Count,
  byExchange: z.array(z.object({ exchange: z.string(), reports: Count })).readonly(),
  byTypology: z.array(z.object({ typology: z.string(), reports: Count })).readonly(),
  byMonth: z.array(z.object({ month: z.string().describe("YYYY-MM, Japan time"), reports: Count })).readonly(),
  byExchangeTypologyMonth: z.array(z.object({ exchange: z.string(), typology: z.string(), month: z.string(), reports: Count })).readonly(),
});

const Yen = z.string().describe("yen, exact decimal");
const LargeGainsQuery = z.object({
  year: z.coerce.number({ error: "expected a year" }).int("expected a whole year").min(2000).max(9999).optional().describe("only this calendar year (Japan)"),
  threshold: z
    .string()
    .regex(/^(0|[1-9][0-9]*)(\.[0-9]{1,18})?$/, "expected a decimal number of yen")
    .optional()
    .describe("yen; default 100000000"),
});
const LargeGainsSchema = z.object({
  thresholdJpy: Yen,
  people: z
    .array(
      z.object({
        person: z.string().describe("the entity id (pseudonymous)"),
        year: z.number().int(),
        realisedGainJpy: Yen,
        proceedsJpy: Yen,
        exchanges: z.array(z.string()).readonly(),
        trades: Count,
        incomplete: z.boolean().describe("some sale exceeded the holding the trades show: the gain is an upper bound"),
        assets: z
          .array(z.object({ asset: z.string(), proceedsJpy: Yen, costJpy: Yen, saleFeesJpy: Yen, gainJpy: Yen, quantitySold: z.string(), uncoveredQuantity: z.string() }))
          .readonly(),
      }),
    )
    .readonly(),
});

const EXPORTS: readonly { ext: ExportFormat; summary: string; description: string }[] = [
  { ext: "xml", summary: "goAML report XML", description: "The goAML 5.0.1 STR, valid against the UNODC schema. goAML reports only." },
  { ext: "json", summary: "STR form as JSON", description: "The Japanese STR form (届出票, 口座等情報, 取引内容, 取引時確認事項, 理由) as structured JSON. STR reports only." },
  { ext: "csv", summary: "STR form as CSV", description: "The Japanese STR form as CSV: UTF-8 with a BOM, CRLF, one row per item (様式, 番号, 項目, 値). STR reports only." },
  { ext: "html", summary: "STR form as printable HTML", description: "The Japanese STR form as a self-contained printable Japanese HTML page. STR reports only." },
];

function sendDocument(reply: FastifyReply, doc: { format: ExportFormat; contentType: string; filename: string; body: string }): FastifyReply {
  reply.header("cache-control", "no-store").header("x-content-type-options", "nosniff").type(doc.contentType);
  if (doc.format === "html") reply.header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  else reply.header("content-disposition", `attachment; filename="${doc.filename}"`);
  return reply.send(doc.body);
}

const yen = (m: Money): string => formatMoney(m);

export async function reportRoutes(app: FastifyInstance, deps: ReportRouteDeps): Promise<void> {
  const svc = deps.reports;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    "/v1/cases/:id/reports",
    {
      schema: {
        summary: "Draft a report for a case",
        description:
          "An exchange officer (for its own exchange), analyst or supervisor drafts a goAML or Japanese STR report from the case's alerts and their events. Personal data comes only through the disclosure service: the drafter's approved grants (analyst, supervisor) or the officer's own exchange's records. Audited as report.draft.",
        tags: ["reports"],
        params: CaseParams,
        body: DraftBody,
        response: { 201: DraftResultSchema, ...errorResponses(400, 404, 409, 503) },
      },
    },
    async (req, reply) => reply.status(201).send(await svc.draft(requirePrincipal(req), req.params.id, req.body)),
  );

  r.get(
    "/v1/reports",
    {
      schema: {
        summary: "List reports",
        description: "Newest draft first. Officers see their exchange's reports; analysts and supervisors all; regulators filed ones.",
        tags: ["reports"],
        querystring: ListQuery,
        response: { 200: z.object({ items: z.array(ReportViewSchema), nextCursor: z.string().nullable() }), ...errorResponses(400) },
      },
    },
    async (req) => svc.list(requirePrincipal(req), req.query),
  );

  for (const e of EXPORTS) {
    r.get(
      `/v1/reports/:id.${e.ext}`,
      {
        schema: {
          summary: e.summary,
          description: `${e.description} Readable by an officer of the reporting exchange, a supervisor, the drafter, and a regulator once filed. Audited as report.export.`,
          tags: ["reports"],
          params: IdParams,
          response: { ...errorResponses(400, 404, 500) },
        },
      },
      async (req, reply) => sendDocument(reply, await svc.export(requirePrincipal(req), req.params.id, e.ext)),
    );
  }

  r.get(
    "/v1/reports/:id",
    {
      schema: { summary: "Get a report", description: "The report's metadata, without content.", tags: ["reports"], params: IdParams, response: { 200: ReportViewSchema, ...errorResponses(404) } },
    },
    async (req) => svc.get(requirePrincipal(req), req.params.id),
  );

  r.post(
    "/v1/reports/:id/approve",
    {
      schema: {
        summary: "Approve a report",
        description: "A supervisor who did not draft it approves a draft. Audited as report.approve.",
        tags: ["reports"],
        params: IdParams,
        response: { 200: ReportViewSchema, ...errorResponses(404, 409) },
      },
    },
    async (req) => svc.approve(requirePrincipal(req), req.params.id),
  );

  r.post(
    "/v1/reports/:id/file",
    {
      schema: {
        summary: "Mark a report filed",
        description: "Once approved: its drafter, an officer of its exchange or a supervisor marks it filed with the authority. Audited as report.file.",
        tags: ["reports"],
        params: IdParams,
        response: { 200: ReportViewSchema, ...errorResponses(404, 409) },
      },
    },
    async (req) => svc.file(requirePrincipal(req), req.params.id),
  );

  r.get(
    "/v1/stats/reports",
    {
      schema: {
        summary: "Report statistics",
        description: "Reports per exchange, typology and month (Japan time); filed reports by default, counted in the month filed. Regulators and supervisors.",
        tags: ["reports"],
        querystring: z.object({ status: z.enum(["draft", "approved", "filed", "all"]).optional() }),
        response: { 200: StatsSchema, ...errorResponses(400) },
      },
    },
    async (req) => svc.statistics(requirePrincipal(req), req.query),
  );

  r.get(
    "/v1/stats/large-gains",
    {
      schema: {
        summary: "Large realised crypto gains",
        description:
          "People (entity ids) whose realised crypto-asset gains across all their exchanges reach the threshold (default ¥100,000,000) in a calendar year, by the moving-average cost method over their trades. Regulators.",
        tags: ["reports"],
        querystring: LargeGainsQuery,
        response: { 200: LargeGainsSchema, ...errorResponses(400, 503) },
      },
    },
    async (req) => {
      const threshold = req.query.threshold === undefined ? parseMoney("100000000")! : parseMoney(req.query.threshold)!;
      const people = await svc.largeGains(requirePrincipal(req), { thresholdJpy: threshold, ...(req.query.year !== undefined ? { year: req.query.year } : {}) });
      return {
        thresholdJpy: yen(threshold),
        people: people.map((p) => ({
          person: p.person,
          year: p.year,
          realisedGainJpy: yen(p.realisedGainJpy),
          proceedsJpy: yen(p.proceedsJpy),
          exchanges: p.exchanges,
          trades: p.trades,
          incomplete: p.incomplete,
          assets: p.assets.map((a) => ({
            asset: a.asset,
            proceedsJpy: yen(a.proceedsJpy),
            costJpy: yen(a.costJpy),
            saleFeesJpy: yen(a.saleFeesJpy),
            gainJpy: yen(a.gainJpy),
            quantitySold: formatMoney(a.quantitySold),
            uncoveredQuantity: formatMoney(a.uncoveredQuantity),
          })),
        })),
      };
    },
  );
}
