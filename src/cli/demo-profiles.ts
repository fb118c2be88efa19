// Reporting-entity profiles for the simulated exchanges of the demo (`kanshi start` on an empty
// store), so reports can be drafted out of the box. Every value is invented for the demo: the names
// say so, the goAML ids are the demo's own, the offices are in an invented town (デモ町) under a real Tokyo postal code. A
// deployment sets KANSHI_REPORTING_ENTITIES to its exchanges' real profiles instead.
import { ReportingEntitySchema, type ReportInputJson } from "../reports/input.ts";
import type { ReportingProfiles } from "./report-commands.ts";

const TENANTS = ["bitflyer", "coincheck", "bitbank", "gmo-coin", "sbi-vc"] as const;

/** The demo's profiles, one per simulated exchange, checked by the report schema like any other. */
export function demoReportingProfiles(): ReportingProfiles {
  const byTenant = new Map<string, ReportInputJson["reportingEntity"]>();
  TENANTS.forEach((tenant, i) => {
    const profile = {
      name: `デモ交換所 ${tenant}（架空）`,
      tenant,
      goamlId: 9000 + i + 1,
      registrationNumber: `デモ登録 第${String(i + 1).padStart(5, "0")}号`,
      representative: "デモ 代表者",
      headOffice: { line: `東京都千代田区デモ町一丁目${i + 1}番1号`, postalCode: "100-0001", prefecture: "東京都", city: "千代田区", country: "JP" },
      personInCharge: { name: "デモ 担当者", department: "コンプライアンス部" },
    };
    ReportingEntitySchema.parse(profile);
    byTenant.set(tenant, profile as ReportInputJson["reportingEntity"]);
  });
  return (tenant) => byTenant.get(tenant);
}
