// The Japanese suspicious transaction report (疑わしい取引の届出) under the Act on Prevention of
// Transfer of Criminal Proceeds (犯罪による収益の移転防止に関する法律, art. 8), with the items its
// enforcement order (施行令 art. 16(2)) requires:
//   一 the reporting business's name and location             → notification (届出票)
//   二 date and place of the transaction                       → transactions[].date, .place
//   三 the business in which it arose                           → transactions[].business, .kind
//   四 the property involved                                    → transactions[].property, .quantity, .amountJpy
//   五 the identity-check items (Act art. 4(1)) the business knows → identityChecks (取引時確認事項)
//   六 the reason for reporting                                 → reason
// laid out as JAFIC's forms: 届出票 (別記様式第1号: report date, business name, representative,
// report number, person in charge, head-office address), 口座等情報 (別記様式第2号), 取引内容
// (別記様式第3号). Identity-check items come only from what was disclosed: a field not disclosed is
// null in JSON and 「開示なし」 in the CSV and HTML.
//
// Three renderings of one `StrForm`: structured JSON (the form itself), CSV (UTF-8 with a BOM and CRLF
// so Excel opens it as UTF-8; one row per item: 様式, 番号, 項目, 値; cells that a spreadsheet would
// run as a formula are prefixed with an apostrophe) and a printable, self-contained Japanese HTML page
// (every value escaped, no external resource, print CSS for A4). Pure.
import { z } from "zod";
import { badInput } from "../contracts/errors.ts";
import { groupedDecimal, japaneseDate, jstDate, jstJapanese } from "./format.ts";
import { isAbroad, issuePath, type ReportInput, type ReportTransaction, type Subject } from "./input.ts";
import { placeAddress, subjectAddress } from "./subjects.ts";

export const STR_FORM_VERSION = 1;

export interface StrNotification {
  /** 届出年月日 (YYYY-MM-DD). */
  readonly reportDate: string;
  /** 事業者名 */
  readonly businessName: string;
  /** 代表者名 */
  readonly representative: string;
  /** 届出番号 (null until the exchange assigns one). */
  readonly reportNumber: string | null;
  /** 担当者 */
  readonly personInCharge: { readonly name: string; readonly department: string | null; readonly title: string | null; readonly phone: string | null; readonly email: string | null };
  /** 本店所在地 */
  readonly headOffice: { readonly postalCode: string | null; readonly address: string };
  /** 登録番号 */
  readonly registrationNumber: string | null;
  /** 法人番号 */
  readonly corporateNumber: string | null;
}

export interface StrAccount {
  readonly no: number;
  /** 取扱事業者 */
  readonly institution: string;
  /** 取扱店 */
  readonly branch: string;
  /** 口座種別 */
  readonly accountType: string;
  /** 口座番号 (account id at the exchange) */
  readonly accountId: string;
  /** 名義人 (null: not disclosed) */
  readonly holderName: string | null;
  readonly holderNameKana: string | null;
  /** 個人 / 法人 / null (no holder known) */
  readonly holderKind: string | null;
  /** Kanshi's pseudonymous subject id of the holder. */
  readonly holderRef: string | null;
  /** 開設日 / 解約日 (YYYY-MM-DD, Japan) */
  readonly openedOn: string | null;
  readonly closedOn: string | null;
}

export interface StrTransaction {
  readonly no: number;
  /** Kanshi's event key. */
  readonly id: string;
  /** 取引年月日 (YYYY-MM-DD, Japan) and 取引時刻 (HH:MM). */
  readonly date: string;
  readonly time: string;
  /** 取引場所 */
  readonly place: string;
  /** 取引が発生した業務 */
  readonly business: string;
  /** 取引種別 */
  readonly kind: string;
  readonly accountId: string;
  /** 財産の種類 */
  readonly property: string;
  /** 数量 (units of the asset, exact decimal) */
  readonly quantity: string;
  /** 取引金額 (yen, exact decimal) */
  readonly amountJpy: string;
  /** 取引相手 (address, VASP, country) */
  readonly counterparty: string | null;
  readonly counterpartyCountry: string | null;
  /** 国外への移転 / 国外からの移転 */
  readonly crossBorder: boolean;
  readonly network: string | null;
  readonly txHash: string | null;
}

export interface StrIdentityCheck {
  readonly ref: string;
  /** 個人 / 法人 */
  readonly kind: string;
  /** 氏名・名称 */
  readonly name: string | null;
  readonly nameKana: string | null;
  readonly nameLatin: string | null;
  /** 住居・本店又は主たる事務所の所在地 */
  readonly address: string | null;
  readonly postalCode: string | null;
  /** 生年月日 (individuals) */
  readonly dateOfBirth: string | null;
  /** 取引を行う目的 */
  readonly purpose: string | null;
  /** 職業 (individuals) / 事業の内容 (corporates) */
  readonly occupationOrBusiness: string | null;
  readonly nationality: string | null;
  readonly residency: string | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly corporateNumber: string | null;
  /** The subject's accounts in this report. */
  readonly accounts: readonly string[];
}

export interface StrReason {
  readonly caseId: string;
  /** 疑わしい取引の届出を行う理由 */
  readonly text: string;
  /** 講じた措置 */
  readonly action: string | null;
  readonly typologies: readonly { readonly id: string; readonly alerts: number; readonly description: string | null }[];
  readonly alertCount: number;
  readonly score: number | null;
}

export interface StrForm {
  readonly form: "jp-str";
  readonly version: number;
  readonly notification: StrNotification;
  readonly accounts: readonly StrAccount[];
  readonly transactions: readonly StrTransaction[];
  readonly identityChecks: readonly StrIdentityCheck[];
  readonly reason: StrReason;
}

const KIND_JA: Record<ReportTransaction["kind"], Record<ReportTransaction["channel"], string>> = {
  deposit: { crypto: "暗号資産の受入れ（移転による受領）", bank: "日本円の入金（銀行振込）", internal: "受入れ（取引所内振替）" },
  withdrawal: { crypto: "暗号資産の払出し（移転）", bank: "日本円の出金（銀行振込）", internal: "払出し（取引所内振替）" },
  buy: { crypto: "暗号資産の購入", bank: "暗号資産の購入", internal: "暗号資産の購入" },
  sell: { crypto: "暗号資産の売却", bank: "暗号資産の売却", internal: "暗号資産の売却" },
};

const RESIDENCY_JA = { citizen: "日本国籍", resident_foreigner: "在留外国人", non_resident: "非居住者" } as const;

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function counterpartyText(t: ReportTransaction): string | null {
  const parts: string[] = [];
  if (t.counterpartyVasp) parts.push(t.counterpartyVasp);
  if (t.counterpartyAddress) parts.push(`アドレス ${t.counterpartyAddress}`);
  if (t.counterpartyCountry) parts.push(`国 ${t.counterpartyCountry}`);
  return parts.length === 0 ? null : parts.join(" / ");
}

function identityCheck(s: Subject, accounts: readonly string[]): StrIdentityCheck {
  const a = subjectAddress(s);
  return {
    ref: s.ref,
    kind: s.kind === "person" ? "個人" : "法人",
    name: nul(s.name),
    nameKana: nul(s.nameKana),
    nameLatin: nul(s.nameLatin),
    address: a === undefined ? null : a.line,
    postalCode: a?.postalCode ?? null,
    dateOfBirth: s.kind === "person" ? nul(s.dateOfBirth) : null,
    purpose: nul(s.purpose),
    occupationOrBusiness: s.kind === "person" ? nul(s.occupation) : nul(s.business),
    nationality: s.kind === "person" ? nul(s.nationality) : null,
    residency: s.kind === "person" && s.residency !== undefined ? RESIDENCY_JA[s.residency] : null,
    phone: nul(s.phone),
    email: nul(s.email),
    corporateNumber: s.kind === "corporate" ? nul(s.corporateNumber) : null,
    accounts,
  };
}

/** The structured form of `input`. */
export function buildStrForm(input: ReportInput): StrForm {
  const r = input.reportingEntity;
  const head = placeAddress(r.headOffice);
  const subjects = new Map(input.subjects.map((s) => [s.ref, s]));
  const accounts: StrAccount[] = input.accounts.map((a, i) => {
    const h = a.holder === undefined ? undefined : subjects.get(a.holder);
    return {
      no: i + 1,
      institution: a.exchangeName ?? r.name,
      branch: r.branch,
      accountType: "暗号資産交換業の利用者口座",
      accountId: a.accountId,
      holderName: nul(h?.name ?? h?.nameLatin),
      holderNameKana: nul(h?.nameKana),
      holderKind: h === undefined ? null : h.kind === "person" ? "個人" : "法人",
      holderRef: nul(a.holder),
      openedOn: a.openedAt === undefined ? null : jstDate(a.openedAt),
      closedOn: a.closedAt === undefined ? null : jstDate(a.closedAt),
    };
  });
  const byId = new Map(input.accounts.map((a) => [a.accountId, a]));
  const transactions: StrTransaction[] = input.transactions.map((t, i) => {
    const at = jstJapanese(t.at);
    return {
      no: i + 1,
      id: t.id,
      date: jstDate(t.at),
      time: at.slice(at.indexOf(" ") + 1),
      place: `インターネット取引（${byId.get(t.accountId)?.exchangeName ?? r.name}）`,
      business: "暗号資産交換業",
      kind: KIND_JA[t.kind][t.channel],
      accountId: t.accountId,
      property: t.asset === "JPY" ? "日本円" : `暗号資産（${t.asset}）`,
      quantity: groupedDecimal(t.amount).replaceAll(",", ""),
      amountJpy: groupedDecimal(t.valueJpy).replaceAll(",", ""),
      counterparty: counterpartyText(t),
      counterpartyCountry: nul(t.counterpartyCountry),
      crossBorder: isAbroad(t),
      network: nul(t.network),
      txHash: nul(t.txHash),
    };
  });
  const identityChecks = input.subjects.map((s) => identityCheck(s, input.accounts.filter((a) => a.holder === s.ref).map((a) => a.accountId)));
  return {
    form: "jp-str",
    version: STR_FORM_VERSION,
    notification: {
      reportDate: input.reportDate,
      businessName: r.name,
      representative: r.representative,
      reportNumber: nul(input.reportNumber),
      personInCharge: {
        name: r.personInCharge.name,
        department: nul(r.personInCharge.department),
        title: nul(r.personInCharge.title),
        phone: nul(r.personInCharge.phone),
        email: nul(r.personInCharge.email),
      },
      headOffice: { postalCode: nul(head.postalCode), address: r.headOffice.line },
      registrationNumber: nul(r.registrationNumber),
      corporateNumber: nul(r.corporateNumber),
    },
    accounts,
    transactions,
    identityChecks,
    reason: {
      caseId: input.case.id,
      text: input.case.reason,
      action: nul(input.case.action),
      typologies: input.case.typologies.map((t) => ({ id: t.id, alerts: t.alerts, description: nul(t.description) })),
      alertCount: input.case.alertCount,
      score: nul(input.case.score),
    },
  };
}

// ---- the rows every rendering shares --------------------------------------------------------------

const NOT_DISCLOSED = "開示なし";
const NONE = "—";

/** One labelled item of a section; `personal` items show 「開示なし」 when missing. */
interface Item {
  readonly label: string;
  readonly value: string | null;
  readonly personal?: boolean;
}

interface Section {
  /** 様式 */
  readonly form: string;
  readonly title: string;
  /** Repeated sections (accounts, transactions, subjects) have one group per entry. */
  readonly groups: readonly { readonly no: number | null; readonly heading: string | null; readonly items: readonly Item[] }[];
}

const shown = (i: Item): string => i.value ?? (i.personal ? NOT_DISCLOSED : NONE);

function yenOf(decimal: string): string {
  const [whole, frac] = decimal.split(".") as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${grouped}${frac ? "." + frac : ""}円`;
}

function sections(f: StrForm): Section[] {
  const n = f.notification;
  const p = n.personInCharge;
  return [
    {
      form: "別記様式第1号",
      title: "届出票",
      groups: [
        {
          no: null,
          heading: null,
          items: [
            { label: "届出年月日", value: japaneseDate(n.reportDate) },
            { label: "事業者名", value: n.businessName },
            { label: "代表者名", value: n.representative },
            { label: "届出番号", value: n.reportNumber },
            { label: "担当者名", value: p.name },
            { label: "部署名", value: p.department },
            { label: "役職", value: p.title },
            { label: "担当者電話番号", value: p.phone },
            { label: "担当者電子メール", value: p.email },
            { label: "本店所在地（郵便番号）", value: n.headOffice.postalCode },
            { label: "本店所在地", value: n.headOffice.address },
            { label: "登録番号", value: n.registrationNumber },
            { label: "法人番号", value: n.corporateNumber },
          ],
        },
      ],
    },
    {
      form: "別記様式第2号",
      title: "口座等情報",
      groups: f.accounts.map((a) => ({
        no: a.no,
        heading: `口座 ${a.no}`,
        items: [
          { label: "取扱事業者", value: a.institution },
          { label: "取扱店", value: a.branch },
          { label: "口座種別", value: a.accountType },
          { label: "口座番号", value: a.accountId },
          { label: "名義人", value: a.holderName, personal: true },
          { label: "名義人（フリガナ）", value: a.holderNameKana, personal: true },
          { label: "名義人区分", value: a.holderKind },
          { label: "開設年月日", value: a.openedOn === null ? null : japaneseDate(a.openedOn) },
          { label: "解約年月日", value: a.closedOn === null ? null : japaneseDate(a.closedOn) },
        ],
      })),
    },
    {
      form: "別記様式第3号",
      title: "取引内容",
      groups: f.transactions.map((t) => ({
        no: t.no,
        heading: `取引 ${t.no}`,
        items: [
          { label: "取引年月日", value: japaneseDate(t.date) },
          { label: "取引時刻", value: t.time },
          { label: "取引場所", value: t.place },
          { label: "業務の内容", value: t.business },
          { label: "取引種別", value: t.kind },
          { label: "口座番号", value: t.accountId },
          { label: "財産の種類", value: t.property },
          { label: "数量", value: t.quantity },
          { label: "取引金額（円）", value: yenOf(t.amountJpy) },
          { label: "取引相手", value: t.counterparty },
          { label: "国外との移転", value: t.crossBorder ? `該当（${t.counterpartyCountry}）` : "非該当" },
          { label: "ネットワーク", value: t.network },
          { label: "トランザクションID", value: t.txHash },
        ],
      })),
    },
    {
      form: "取引時確認事項",
      title: "取引時確認事項（犯罪収益移転防止法第4条第1項）",
      groups: f.identityChecks.map((c, i) => ({
        no: i + 1,
        heading: `${c.kind} ${i + 1}（Kanshi 識別子 ${c.ref}）`,
        items: [
          { label: c.kind === "法人" ? "名称" : "氏名", value: c.name, personal: true },
          { label: "フリガナ", value: c.nameKana, personal: true },
          { label: "ローマ字表記", value: c.nameLatin, personal: true },
          { label: c.kind === "法人" ? "本店又は主たる事務所の所在地" : "住居", value: c.address, personal: true },
          { label: "郵便番号", value: c.postalCode, personal: true },
          ...(c.kind === "法人"
            ? [{ label: "法人番号", value: c.corporateNumber, personal: true }]
            : [
                { label: "生年月日", value: c.dateOfBirth === null ? null : japaneseDate(c.dateOfBirth), personal: true },
                { label: "国籍", value: c.nationality, personal: true },
                { label: "居住区分", value: c.residency, personal: true },
              ]),
          { label: "取引を行う目的", value: c.purpose, personal: true },
          { label: c.kind === "法人" ? "事業の内容" : "職業", value: c.occupationOrBusiness, personal: true },
          { label: "電話番号", value: c.phone, personal: true },
          { label: "電子メール", value: c.email, personal: true },
          { label: "口座", value: c.accounts.length === 0 ? null : c.accounts.join("、") },
        ],
      })),
    },
    {
      form: "届出理由",
      title: "疑わしい取引の届出を行う理由",
      groups: [
        {
          no: null,
          heading: null,
          items: [
            { label: "理由", value: f.reason.text },
            { label: "講じた措置", value: f.reason.action },
            { label: "検知類型", value: f.reason.typologies.length === 0 ? null : f.reason.typologies.map((t) => `${t.id}（${t.alerts}件${t.description ? `、${t.description}` : ""}）`).join("、") },
            { label: "アラート件数", value: String(f.reason.alertCount) },
            { label: "リスクスコア", value: f.reason.score === null ? null : String(f.reason.score) },
            { label: "Kanshi 事案番号", value: f.reason.caseId },
          ],
        },
      ],
    },
  ];
}

// ---- CSV ------------------------------------------------------------------------------------------

/** A cell: quoted when needed; a leading =, +, -, @, tab or CR gets an apostrophe so no spreadsheet runs it. */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The form as CSV: BOM, CRLF, header 様式,番号,項目,値, one row per item. */
export function strFormCsv(f: StrForm): string {
  const rows: string[][] = [["様式", "番号", "項目", "値"]];
  for (const s of sections(f)) {
    for (const g of s.groups) for (const i of g.items) rows.push([s.title, g.no === null ? "" : String(g.no), i.label, shown(i)]);
  }
  return "\uFEFF" + rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

// ---- HTML -----------------------------------------------------------------------------------------

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const CSS = `
  @page { size: A4; margin: 15mm 12mm; }
  * { box-sizing: border-box; }
  body { font-family: "Hiragino Mincho ProN", "Yu Mincho", "Noto Serif CJK JP", serif; font-size: 10.5pt; color: #000; background: #fff; margin: 0 auto; max-width: 190mm; line-height: 1.5; }
  h1 { font-size: 16pt; text-align: center; letter-spacing: 0.3em; margin: 0 0 4mm; }
  h2 { font-size: 12pt; border-bottom: 1.5pt solid #000; margin: 7mm 0 2mm; padding-bottom: 1mm; }
  h2 .form { font-weight: normal; font-size: 9pt; margin-left: 1em; }
  h3 { font-size: 10.5pt; margin: 4mm 0 1mm; }
  table { width: 100%; border-collapse: collapse; table-layout: fixed; page-break-inside: avoid; break-inside: avoid; }
  th, td { border: 0.75pt solid #000; padding: 1.2mm 2mm; vertical-align: top; text-align: left; overflow-wrap: anywhere; white-space: pre-wrap; }
  th { width: 34%; background: #f2f2f2; font-weight: normal; }
  td.none { color: #666; }
  p.meta { text-align: right; font-size: 9pt; margin: 0; }
  p.note { font-size: 8.5pt; color: #333; }
  @media print { th { background: #f2f2f2 !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; } a { color: #000; text-decoration: none; } }
`;

/** A printable, self-contained Japanese HTML page of the form. */
export function strFormHtml(f: StrForm): string {
  const out: string[] = [];
  out.push("<!DOCTYPE html>");
  out.push('<html lang="ja">');
  out.push("<head>");
  out.push('<meta charset="utf-8">');
  out.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>疑わしい取引の届出 ${escapeHtml(f.notification.reportNumber ?? f.reason.caseId)}</title>`);
  out.push(`<style>${CSS}</style>`);
  out.push("</head>");
  out.push("<body>");
  out.push("<h1>疑わしい取引の届出</h1>");
  out.push(`<p class="meta">犯罪による収益の移転防止に関する法律第8条第1項に基づく届出</p>`);
  for (const s of sections(f)) {
    out.push(`<h2>${escapeHtml(s.title)}<span class="form">${escapeHtml(s.form)}</span></h2>`);
    if (s.groups.length === 0) out.push(`<p class="note">該当なし</p>`);
    for (const g of s.groups) {
      if (g.heading !== null) out.push(`<h3>${escapeHtml(g.heading)}</h3>`);
      out.push("<table>");
      for (const i of g.items) {
        const missing = i.value === null;
        out.push(`<tr><th scope="row">${escapeHtml(i.label)}</th><td${missing ? ' class="none"' : ""}>${escapeHtml(shown(i))}</td></tr>`);
      }
      out.push("</table>");
    }
  }
  out.push(`<p class="note">「${NOT_DISCLOSED}」は、承認された開示請求によって開示されていない項目です。「${NONE}」は該当する情報がない項目です。</p>`);
  out.push("</body>");
  out.push("</html>");
  return out.join("\n") + "\n";
}

// ---- reading a stored form back -------------------------------------------------------------------

const s = z.string();
const ns = z.string().nullable();
const ymd = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const StrFormSchema = z.strictObject({
  form: z.literal("jp-str"),
  version: z.literal(STR_FORM_VERSION),
  notification: z.strictObject({
    reportDate: ymd,
    businessName: s,
    representative: s,
    reportNumber: ns,
    personInCharge: z.strictObject({ name: s, department: ns, title: ns, phone: ns, email: ns }),
    headOffice: z.strictObject({ postalCode: ns, address: s }),
    registrationNumber: ns,
    corporateNumber: ns,
  }),
  accounts: z.array(
    z.strictObject({
      no: z.number().int(),
      institution: s,
      branch: s,
      accountType: s,
      accountId: s,
      holderName: ns,
      holderNameKana: ns,
      holderKind: ns,
      holderRef: ns,
      openedOn: ymd.nullable(),
      closedOn: ymd.nullable(),
    }),
  ),
  transactions: z.array(
    z.strictObject({
      no: z.number().int(),
      id: s,
      date: ymd,
      time: s,
      place: s,
      business: s,
      kind: s,
      accountId: s,
      property: s,
      quantity: s,
      amountJpy: s,
      counterparty: ns,
      counterpartyCountry: ns,
      crossBorder: z.boolean(),
      network: ns,
      txHash: ns,
    }),
  ),
  identityChecks: z.array(
    z.strictObject({
      ref: s,
      kind: s,
      name: ns,
      nameKana: ns,
      nameLatin: ns,
      address: ns,
      postalCode: ns,
      dateOfBirth: ymd.nullable(),
      purpose: ns,
      occupationOrBusiness: ns,
      nationality: ns,
      residency: ns,
      phone: ns,
      email: ns,
      corporateNumber: ns,
      accounts: z.array(s),
    }),
  ),
  reason: z.strictObject({
    caseId: s,
    text: s,
    action: ns,
    typologies: z.array(z.strictObject({ id: s, alerts: z.number().int(), description: ns })),
    alertCount: z.number().int(),
    score: z.number().nullable(),
  }),
});

/** A stored form (its JSON text) read back; bad_input naming the place when it is not one. */
export function parseStrForm(text: string): StrForm {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw badInput("not JSON", "str form");
  }
  const r = StrFormSchema.safeParse(v);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw badInput(issue.message, `str form.${issuePath(issue.path)}`);
}
