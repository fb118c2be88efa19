// The Japanese STR form: structure, CSV and printable HTML. All data synthetic.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isKanshiError } from "../contracts/errors.ts";
import { parseReportInput, type ReportInputJson } from "./input.ts";
import { buildStrForm, csvCell, parseStrForm, strFormCsv, strFormHtml } from "./str.ts";
import { sampleReportInput } from "./testing.ts";

const form = (json: ReportInputJson = sampleReportInput()) => buildStrForm(parseReportInput(json));

/** A minimal RFC 4180 reader for the test (quotes, doubled quotes, CRLF). */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  return rows;
}

describe("Japanese STR form", () => {
  it("届出票: report date, business name, representative, report number, person in charge, head office", () => {
    const f = form();
    assert.equal(f.form, "jp-str");
    assert.deepEqual(f.notification, {
      reportDate: "2024-05-20",
      businessName: "テスト暗号資産取引所株式会社",
      representative: "代表 太郎",
      reportNumber: "2024-000017",
      personInCharge: { name: "担当 花子", department: "コンプライアンス部", title: "部長", phone: "03-0000-0000", email: "compliance@example.invalid" },
      headOffice: { postalCode: "100-0005", address: "東京都千代田区丸の内1-1-1 テストビル5F" },
      registrationNumber: "関東財務局長 第00099号",
      corporateNumber: "1234567890123",
    });
  });

  it("口座等情報 and 取引内容: Japan dates, place, kind, property, quantity and yen amounts, transfers abroad", () => {
    const f = form();
    assert.equal(f.accounts.length, 3);
    assert.deepEqual(
      { id: f.accounts[0]!.accountId, holder: f.accounts[0]!.holderName, kana: f.accounts[0]!.holderNameKana, opened: f.accounts[0]!.openedOn, kind: f.accounts[0]!.holderKind },
      { id: "acct-1001", holder: "試験 一郎", kana: "シケン イチロウ", opened: "2023-01-15", kind: "個人" },
    );
    assert.equal(f.accounts[2]!.holderName, null);
    const [dep, wd] = f.transactions;
    // 2024-05-11T01:02:03Z is 10:02 in Japan.
    assert.deepEqual({ date: dep!.date, time: dep!.time, kind: dep!.kind, property: dep!.property, quantity: dep!.quantity, yen: dep!.amountJpy, abroad: dep!.crossBorder }, {
      date: "2024-05-11",
      time: "10:02",
      kind: "暗号資産の受入れ（移転による受領）",
      property: "暗号資産（BTC）",
      quantity: "0.75",
      yen: "7500000",
      abroad: false,
    });
    assert.equal(wd!.crossBorder, true);
    assert.equal(wd!.counterpartyCountry, "KY");
    assert.match(wd!.counterparty!, /Offshore Test VASP Ltd\. \/ アドレス bc1q.* \/ 国 KY/);
    assert.equal(wd!.amountJpy, "7010000.5");
    assert.equal(f.transactions[2]!.property, "日本円");
    assert.equal(f.transactions[3]!.kind, "暗号資産の購入");
    assert.match(f.transactions[0]!.place, /インターネット取引/);
  });

  it("取引時確認事項 carry only what was disclosed (null otherwise), and the reason", () => {
    const f = form();
    const [p, c, u] = f.identityChecks;
    assert.equal(p!.name, "試験 一郎");
    assert.equal(p!.dateOfBirth, "1985-04-01");
    assert.equal(p!.residency, "日本国籍");
    assert.equal(p!.occupationOrBusiness, "会社員");
    assert.deepEqual(p!.accounts, ["acct-1001"]);
    assert.equal(c!.kind, "法人");
    assert.equal(c!.corporateNumber, "9876543210987");
    assert.equal(c!.address, null);
    for (const [k, v] of Object.entries(u!)) if (!["ref", "kind", "accounts"].includes(k)) assert.equal(v, null, k);
    assert.equal(f.reason.caseId, "case-0001");
    assert.equal(f.reason.alertCount, 4);
    assert.deepEqual(f.reason.typologies.map((t) => t.id), ["rapid-movement", "structuring"]);
  });

  it("CSV: UTF-8 BOM, CRLF, one row per item, 開示なし for what was not disclosed, formulas defused", () => {
    const json = sampleReportInput();
    json.case.reason = '=HYPERLINK("http://x.invalid") and, "quoted"\nnext line';
    const csv = strFormCsv(form(json));
    assert.ok(csv.startsWith("\uFEFF様式,番号,項目,値\r\n"));
    assert.ok(csv.endsWith("\r\n"));
    const rows = readCsv(csv.slice(1));
    assert.ok(rows.every((r) => r.length === 4), "every row has four cells");
    const find = (section: string, no: string, label: string) => rows.find((r) => r[0]!.startsWith(section) && r[1] === no && r[2] === label)?.[3];
    assert.equal(find("届出票", "", "事業者名"), "テスト暗号資産取引所株式会社");
    assert.equal(find("届出票", "", "届出年月日"), "2024年5月20日");
    assert.equal(find("取引内容", "2", "取引金額（円）"), "7,010,000.5円");
    assert.equal(find("取引内容", "2", "国外との移転"), "該当（KY）");
    assert.equal(find("取引時確認事項", "3", "氏名"), "開示なし");
    assert.equal(find("口座等情報", "3", "名義人"), "開示なし");
    assert.equal(find("疑わしい取引の届出を行う理由", "", "理由"), `'${json.case.reason}`);
    assert.equal(csvCell("-5"), "'-5");
    assert.equal(csvCell("plain"), "plain");
    assert.equal(csvCell(" padded"), '" padded"');
  });

  it("HTML: printable, self-contained, Japanese, every value escaped", () => {
    const json = sampleReportInput();
    json.subjects[0] = { ...json.subjects[0]!, name: '<script>alert("x")</script> 一郎' } as ReportInputJson["subjects"][number];
    const html = strFormHtml(form(json));
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.match(html, /<html lang="ja">/);
    assert.match(html, /@media print/);
    assert.match(html, /@page \{ size: A4/);
    assert.ok(!html.includes("<script"), "no script element");
    assert.ok(html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 一郎"));
    assert.ok(!/\b(src|href)=/.test(html), "no external resource");
    for (const title of ["届出票", "口座等情報", "取引内容", "取引時確認事項", "疑わしい取引の届出を行う理由", "別記様式第1号", "別記様式第2号", "別記様式第3号"]) assert.ok(html.includes(title), title);
    assert.ok(html.includes('<td class="none">開示なし</td>'));
  });

  it("a stored form reads back identically; a damaged one is refused naming the place", () => {
    const f = form();
    assert.deepEqual(parseStrForm(JSON.stringify(f)), f);
    const broken = JSON.parse(JSON.stringify(f)) as { transactions: { amountJpy: unknown }[] };
    broken.transactions[1]!.amountJpy = 5;
    assert.throws(() => parseStrForm(JSON.stringify(broken)), (e: unknown) => isKanshiError(e) && e.path === "str form.transactions[1].amountJpy");
    assert.throws(() => parseStrForm("{"), (e: unknown) => isKanshiError(e) && e.kind === "bad_input");
  });
});
