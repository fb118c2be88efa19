// Synthetic report inputs for tests (every name, number and address here is invented). Also the
// xmllint check the tests run on every generated goAML report.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ReportInputJson } from "./input.ts";

export const SAMPLE_EXCHANGE = {
  name: "テスト暗号資産取引所株式会社",
  tenant: "testex",
  goamlId: 4321,
  branch: "本店",
  registrationNumber: "関東財務局長 第00099号",
  corporateNumber: "1234567890123",
  representative: "代表 太郎",
  headOffice: { line: "東京都千代田区丸の内1-1-1 テストビル5F", postalCode: "100-0005" },
  personInCharge: { name: "担当 花子", department: "コンプライアンス部", title: "部長", phone: "03-0000-0000", email: "compliance@example.invalid" },
} satisfies ReportInputJson["reportingEntity"];

/** A full report: a fully disclosed person, a partly disclosed corporate, an undisclosed person; every kind of transaction. */
export function sampleReportInput(over: Partial<ReportInputJson> = {}): ReportInputJson {
  return {
    reportingEntity: SAMPLE_EXCHANGE,
    reportDate: "2024-05-20",
    reportNumber: "2024-000017",
    case: {
      id: "case-0001",
      reason: "短期間に複数の取引所から入金された暗号資産を、直後に海外の交換業者へ送付しており、資金の出所が説明されていない。",
      action: "出金を保留し、顧客に取引目的を照会した。",
      typologies: [
        { id: "rapid-movement", alerts: 3, description: "入金直後の出金" },
        { id: "structuring", alerts: 1 },
      ],
      alertCount: 4,
      score: 86,
      openedAt: "2024-05-10T09:00:00+09:00",
    },
    subjects: [
      {
        kind: "person",
        ref: "ent_synthetic_01",
        name: "試験 一郎",
        nameKana: "シケン イチロウ",
        nameLatin: "Ichiro SHIKEN",
        dateOfBirth: "1985-04-01",
        nationality: "JP",
        residency: "citizen",
        address: "大阪府大阪市北区梅田3-1-1",
        phone: "090-0000-0001",
        email: "ichiro@example.invalid",
        occupation: "会社員",
        purpose: "資産運用",
      },
      { kind: "corporate", ref: "ent_synthetic_02", name: "架空商事合同会社", corporateNumber: "9876543210987", business: "貿易業" },
      { kind: "person", ref: "ent_synthetic_03" },
    ],
    accounts: [
      { accountId: "acct-1001", exchange: "testex", holder: "ent_synthetic_01", openedAt: "2023-01-15T10:00:00+09:00" },
      { accountId: "acct-2002", exchange: "testex", holder: "ent_synthetic_02" },
      { accountId: "acct-3003", exchange: "testex", holder: "ent_synthetic_03" },
    ],
    transactions: [
      {
        id: "testex:dep-1",
        kind: "deposit",
        at: "2024-05-11T01:02:03Z",
        accountId: "acct-1001",
        channel: "crypto",
        asset: "BTC",
        amount: "0.75",
        valueJpy: "7500000",
        network: "bitcoin",
        txHash: "a".repeat(64),
        counterpartyAddress: "bc1qsyntheticaddress0000000000000000000",
      },
      {
        id: "testex:wd-1",
        kind: "withdrawal",
        at: "2024-05-11T03:00:00Z",
        accountId: "acct-1001",
        channel: "crypto",
        asset: "BTC",
        amount: "0.7",
        valueJpy: "7010000.5",
        network: "bitcoin",
        txHash: "b".repeat(64),
        counterpartyAddress: "bc1qforeignvaspaddress00000000000000000",
        counterpartyVasp: "Offshore Test VASP Ltd.",
        counterpartyCountry: "KY",
      },
      { id: "testex:dep-2", kind: "deposit", at: "2024-05-12T00:00:00Z", accountId: "acct-2002", channel: "bank", asset: "JPY", amount: "3000000", valueJpy: "3000000" },
      { id: "testex:trade-1", kind: "buy", at: "2024-05-12T01:00:00Z", accountId: "acct-2002", channel: "internal", asset: "ETH", amount: "5", valueJpy: "2990000", market: "ETH/JPY", priceJpy: "598000" },
      { id: "testex:wd-2", kind: "withdrawal", at: "2024-05-12T02:00:00Z", accountId: "acct-2002", channel: "crypto", asset: "ETH", amount: "4.99", valueJpy: "2984020", network: "ethereum", counterpartyAddress: "0x00000000000000000000000000000000000000aa" },
      { id: "testex:dep-3", kind: "deposit", at: "2024-05-13T00:00:00Z", accountId: "acct-3003", channel: "crypto", asset: "USDT", amount: "10000", valueJpy: "1550000", network: "tron" },
      { id: "testex:trade-2", kind: "sell", at: "2024-05-13T01:00:00Z", accountId: "acct-3003", channel: "internal", asset: "USDT", amount: "10000", valueJpy: "1549000", market: "USDT/JPY" },
      { id: "testex:wd-3", kind: "withdrawal", at: "2024-05-13T02:00:00Z", accountId: "acct-3003", channel: "bank", asset: "JPY", amount: "1548000", valueJpy: "1548000" },
    ],
    ...over,
  };
}

export const GOAML_XSD = path.resolve(import.meta.dirname, "../../../shared/data/goaml/goAMLSchema.xsd");

/**
 * Validates `xml` with `xmllint --noout --schema` against the goAML schema. Throws (never skips) when
 * xmllint is missing: CI installs it (.ci/run), and a developer needs `apt-get install libxml2-utils`.
 */
export function xmllintValidate(xml: string, xsd = GOAML_XSD): { ok: boolean; output: string } {
  const probe = spawnSync("xmllint", ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined) {
    throw new Error("xmllint is not installed: the goAML tests validate every report with it. Install it with `apt-get install -y libxml2-utils` (.ci/run does).");
  }
  const dir = mkdtempSync(path.join(tmpdir(), "kanshi-goaml-"));
  try {
    const file = path.join(dir, "report.xml");
    writeFileSync(file, xml, "utf8");
    const r = spawnSync("xmllint", ["--noout", "--schema", xsd, file], { encoding: "utf8" });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
