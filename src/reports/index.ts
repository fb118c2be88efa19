// Suspicious transaction reports: the goAML 5.0.1 STR XML, the Japanese STR form (JSON, CSV,
// printable HTML), the regulator's statistics and the moving-average large-gains figure; and the use
// case that drafts, approves, files and exports them over narrow ports.
export { parseReportInput, ReportInputSchema, isAbroad, type ReportInput, type ReportInputJson, type Subject, type ReportTransaction, type ReportAccount } from "./input.ts";
export { generateGoaml, type GoamlOptions } from "./goaml.ts";
export { GOAML_COUNTRIES, GOAML_ENUMS, GoamlCodesSchema, parseGoamlCodes, type GoamlCodes, type GoamlCodesInput } from "./goaml-codes.ts";
export { buildStrForm, parseStrForm, strFormCsv, strFormHtml, type StrForm } from "./str.ts";
export { realisedGains, largeGains, jstYear, LARGE_GAIN_THRESHOLD_JPY, type GainTrade, type PersonYear, type AssetYear } from "./gains.ts";
export { reportStatistics, jstMonth, type ReportStatRecord, type ReportStatistics } from "./stats.ts";
export { assembleReportInput, defaultReason, gainLegs, mergeDisclosed, REPORT_FIELDS, type AssembleInput, type DisclosedRecord, type Omitted } from "./assemble.ts";
export {
  createReportService,
  ReportService,
  viewOf,
  type CaseSource,
  type GrantSource,
  type PersonalDataRevealer,
  type ContentSealer,
  type GainTradeSource,
  type ReportServiceDeps,
  type ReportView,
  type DraftInput,
  type DraftResult,
  type ExportFormat,
  type ExportedReport,
} from "./service.ts";
