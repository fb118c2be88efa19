// What a suspicious transaction report is made from: the reporting exchange, the case, the subjects
// (with ONLY the personal fields an approved disclosure let through: any of them may be missing),
// their accounts and the transactions. Pure: no I/O, no clock.
//
// `ReportInputSchema` checks the JSON form (amounts as decimal strings, as on the wire) and gives the
// typed form the generators take (amounts as exact `Money`). Every problem names its place
// (`transactions[2].valueJpy: …`).
import { z } from "zod";
import { badInput } from "../contracts/errors.ts";
import { DECIMAL_PATTERN, parseMoney, type Money } from "../contracts/money.ts";

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `at most ${max} characters`);
const opt = (max: number) => text(max).optional();
const decimal = z
  .string({ error: "expected a decimal string" })
  .regex(DECIMAL_PATTERN, 'expected a decimal string such as "2000000" or "0.0015" (at most 18 decimal places)')
  .transform((s) => parseMoney(s) as Money);
const positive = decimal.refine((m) => m > 0n, "must be greater than zero");
const nonNegative = decimal.refine((m) => m >= 0n, "must not be negative");
const timestamp = z.iso.datetime({ offset: true, error: "expected an RFC 3339 timestamp with offset" });
const date = z.iso.date({ error: "expected a date YYYY-MM-DD" });
const country = z.string().regex(/^[A-Z]{2}$/, "expected an ISO 3166 alpha-2 code such as JP");
const asset = z.string().regex(/^[A-Z0-9]{2,12}$/, "expected an upper-case ticker such as JPY, BTC or XEM");

/** An address: the line as written, and what is known of its parts. */
export const PostalAddressSchema = z.strictObject({
  /** The whole address as written (Japanese order: prefecture, city, town, block, building). */
  line: text(512),
  postalCode: z.string().regex(/^\d{3}-?\d{4}$/, "expected a postal code such as 100-0001").optional(),
  /** 都道府県 */
  prefecture: opt(64),
  /** 市区町村 */
  city: opt(128),
  country: country.default("JP"),
});
export type PostalAddress = z.output<typeof PostalAddressSchema>;

const address = z.union([text(512).transform((line): PostalAddress => ({ line, country: "JP" })), PostalAddressSchema]);

export const ReportingEntitySchema = z.strictObject({
  /** 事業者名: the exchange's registered business name. */
  name: text(255),
  /** The exchange's id in Kanshi (its tenant / event source). */
  tenant: text(64),
  /** Its reporting-entity id at the FIU (goAML rentity_id, a whole number ≥ 1). */
  goamlId: z.number().int("expected a whole number").min(1).max(2_147_483_647),
  /** Branch or office the report comes from (goAML rentity_branch); default 本店 (head office). */
  branch: text(255).default("本店"),
  /** 登録番号 (crypto-asset exchange service provider registration), e.g. 関東財務局長 第00000号. */
  registrationNumber: opt(50),
  /** 法人番号, 13 digits. */
  corporateNumber: z.string().regex(/^\d{13}$/, "expected a 13-digit corporate number").optional(),
  /** 代表者名 */
  representative: text(200),
  /** 本店所在地 */
  headOffice: PostalAddressSchema,
  /** 担当者: who prepared the report and answers the authority's questions. */
  personInCharge: z.strictObject({
    name: text(200),
    department: opt(200),
    title: opt(100),
    phone: opt(32),
    email: opt(254),
  }),
});
export type ReportingEntity = z.output<typeof ReportingEntitySchema>;

const subjectCommon = {
  /** The subject's pseudonymous id in Kanshi (entity id, or account id before resolution). */
  ref: text(256),
  name: opt(256),
  nameKana: opt(256),
  nameLatin: opt(256),
  address: address.optional(),
  phone: opt(32),
  email: opt(254),
  /** 取引を行う目的 */
  purpose: opt(256),
};

export const PersonSubjectSchema = z.strictObject({
  kind: z.literal("person"),
  ...subjectCommon,
  dateOfBirth: date.optional(),
  nationality: country.optional(),
  residency: z.enum(["citizen", "resident_foreigner", "non_resident"]).optional(),
  /** 職業 */
  occupation: opt(128),
});
export const CorporateSubjectSchema = z.strictObject({
  kind: z.literal("corporate"),
  ...subjectCommon,
  corporateNumber: z.string().regex(/^\d{13}$/, "expected a 13-digit corporate number").optional(),
  /** 事業の内容 */
  business: opt(255),
});
export const SubjectSchema = z.discriminatedUnion("kind", [PersonSubjectSchema, CorporateSubjectSchema]);
export type PersonSubject = z.output<typeof PersonSubjectSchema>;
export type CorporateSubject = z.output<typeof CorporateSubjectSchema>;
export type Subject = z.output<typeof SubjectSchema>;

export const ReportAccountSchema = z.strictObject({
  /** The account id at its exchange. */
  accountId: text(128),
  /** The exchange holding it (Kanshi tenant id). */
  exchange: text(64),
  /** The exchange's business name, when not the reporting entity's. */
  exchangeName: opt(255),
  /** The subject (`ref`) holding the account, when known. */
  holder: opt(256),
  openedAt: timestamp.optional(),
  closedAt: timestamp.optional(),
});
export type ReportAccount = z.output<typeof ReportAccountSchema>;

export const TRANSACTION_KINDS = ["deposit", "withdrawal", "buy", "sell"] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

export const ReportTransactionSchema = z
  .strictObject({
    /** The event key (`source:id`): unique within the report. */
    id: text(100),
    kind: z.enum(TRANSACTION_KINDS),
    at: timestamp,
    /** The account at the reporting exchange the transaction is on. */
    accountId: text(128),
    /** `crypto` (on-chain), `bank` (yen by bank transfer) or `internal` (within the exchange). */
    channel: z.enum(["crypto", "bank", "internal"]),
    asset,
    /** Units of `asset` (coins for a crypto asset, yen for JPY). */
    amount: positive,
    /** What it was worth in yen at the time: required, the report's amounts are in yen. */
    valueJpy: nonNegative,
    network: opt(32),
    txHash: opt(128),
    /** The other side's address: the sending address of a deposit, the receiving one of a withdrawal. */
    counterpartyAddress: opt(255),
    /** The other side's crypto-asset service provider (travel rule), when known. */
    counterpartyVasp: opt(128),
    /** Its country (ISO alpha-2); a country other than JP makes the transaction a transfer abroad. */
    counterpartyCountry: country.optional(),
    /** For buy/sell: the market (BTC/JPY) and unit price in yen. */
    market: z.string().regex(/^[A-Z0-9]{2,12}\/[A-Z0-9]{2,12}$/, "expected a market such as BTC/JPY").optional(),
    priceJpy: positive.optional(),
  })
  .superRefine((t, ctx) => {
    if (t.asset === "JPY" && t.valueJpy !== t.amount) ctx.addIssue({ code: "custom", path: ["valueJpy"], message: "a JPY transaction's valueJpy must equal its amount" });
    if ((t.kind === "buy" || t.kind === "sell") && t.asset === "JPY") ctx.addIssue({ code: "custom", path: ["asset"], message: "a buy or sell names the crypto asset bought or sold, not JPY" });
    if (t.channel === "crypto" && t.asset === "JPY") ctx.addIssue({ code: "custom", path: ["channel"], message: "JPY does not move on a chain; use bank or internal" });
  });
export type ReportTransaction = z.output<typeof ReportTransactionSchema>;

export const ReportCaseSchema = z.strictObject({
  id: text(128),
  /** 疑わしい取引の届出を行う理由: the reason for suspicion, in words. */
  reason: text(8000),
  /** What the exchange did about it (account frozen, withdrawal refused, …). */
  action: opt(8000),
  /** The typologies behind the case, with how many alerts each raised. */
  typologies: z
    .array(z.strictObject({ id: text(64), alerts: z.number().int().min(0), description: opt(500) }))
    .max(100),
  alertCount: z.number().int().min(0),
  /** Peak risk score, 0–100. */
  score: z.number().min(0).max(100).optional(),
  openedAt: timestamp.optional(),
});
export type ReportCase = z.output<typeof ReportCaseSchema>;

export const ReportInputSchema = z
  .strictObject({
    reportingEntity: ReportingEntitySchema,
    /** 届出年月日 (Japan date). */
    reportDate: date,
    /** 届出番号: the exchange's own number for this report (year and serial), when assigned. */
    reportNumber: opt(64),
    case: ReportCaseSchema,
    subjects: z.array(SubjectSchema).max(1000),
    accounts: z.array(ReportAccountSchema).max(10_000),
    transactions: z.array(ReportTransactionSchema).max(100_000),
  })
  .superRefine((r, ctx) => {
    const refs = new Set<string>();
    r.subjects.forEach((s, i) => {
      if (refs.has(s.ref)) ctx.addIssue({ code: "custom", path: ["subjects", i, "ref"], message: `subject ${s.ref} appears twice` });
      refs.add(s.ref);
    });
    const accounts = new Set<string>();
    r.accounts.forEach((a, i) => {
      if (accounts.has(a.accountId)) ctx.addIssue({ code: "custom", path: ["accounts", i, "accountId"], message: "account listed twice" });
      accounts.add(a.accountId);
      if (a.holder !== undefined && !refs.has(a.holder)) ctx.addIssue({ code: "custom", path: ["accounts", i, "holder"], message: "not a subject of this report" });
    });
    const ids = new Set<string>();
    r.transactions.forEach((t, i) => {
      if (ids.has(t.id)) ctx.addIssue({ code: "custom", path: ["transactions", i, "id"], message: "transaction listed twice" });
      ids.add(t.id);
      if (!accounts.has(t.accountId)) ctx.addIssue({ code: "custom", path: ["transactions", i, "accountId"], message: "not among the report's accounts" });
    });
    if (r.subjects.length === 0 && r.transactions.length === 0) {
      ctx.addIssue({ code: "custom", path: ["transactions"], message: "a report needs at least one subject or transaction" });
    }
  });
export type ReportInputJson = z.input<typeof ReportInputSchema>;
export type ReportInput = z.output<typeof ReportInputSchema>;

/** The first problem as `path: message`, the house style. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

/** Parses the JSON form; throws bad_input naming the first problem's place (prefixed by `where`). */
export function parseReportInput(v: unknown, where = ""): ReportInput {
  const r = ReportInputSchema.safeParse(v);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const p = issuePath(issue.path);
  throw badInput(issue.message, where === "" ? p || "report input" : p === "" ? where : `${where}.${p}`);
}

/** A transaction with the other side in another country (a withdrawal or deposit to or from abroad). */
export const isAbroad = (t: Pick<ReportTransaction, "counterpartyCountry">): boolean => t.counterpartyCountry !== undefined && t.counterpartyCountry !== "JP";
