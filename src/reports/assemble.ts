// From a case to a report input: the case's alerts (typologies, explanations), the events they name
// (deposits, withdrawals and trades on the reporting exchange's accounts become transactions), the
// case's accounts at that exchange, and the subject with exactly the personal fields that were
// disclosed. Also trades → the legs the moving-average gains need. Pure.
import type { Alert } from "../contracts/alerts.ts";
import type { Event } from "../contracts/events.ts";
import { formatMoney, MONEY_SCALE, type Money } from "../contracts/money.ts";
import type { PersonalField } from "../privacy/policy.ts";
import type { GainTrade } from "./gains.ts";
import type { ReportInputJson } from "./input.ts";

/** Personal fields a report carries (the identity-check items; credit details never go in a report):
 *  a subset of the fields a disclosure grant can name (PERSONAL_FIELDS), checked by the compiler. */
export const REPORT_FIELDS = [
  "name",
  "nameKana",
  "nameLatin",
  "dateOfBirth",
  "nationality",
  "residency",
  "postalCode",
  "address",
  "phone",
  "email",
  "occupation",
  "purpose",
  "corporateNumber",
] as const satisfies readonly PersonalField[];
export type ReportField = (typeof REPORT_FIELDS)[number];

/** Disclosed records about the subject (as the disclosure service's reveal returns them). */
export interface DisclosedRecord {
  readonly owner: string;
  readonly fields: { readonly [field: string]: unknown };
}

export interface AssembleInput {
  readonly reportingEntity: ReportInputJson["reportingEntity"];
  readonly reportDate: string;
  readonly reportNumber?: string | undefined;
  readonly case: { readonly id: string; readonly entityId: string; readonly score: number; readonly openedAt: string };
  readonly alerts: readonly Alert[];
  /** The events the alerts name (any order; those not about the reporting exchange are left out). */
  readonly events: readonly Event[];
  /** The case's accounts with the exchange holding each. */
  readonly accounts: readonly { readonly accountId: string; readonly owner: string }[];
  /** What was disclosed about the case's subject; empty when nothing was. */
  readonly disclosed: readonly DisclosedRecord[];
  /** A corporate subject (from its KYC record's customer type, when known). */
  readonly corporate?: boolean;
  readonly reason?: string | undefined;
  readonly action?: string | undefined;
}

export interface Omitted {
  readonly event: string;
  readonly why: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : v instanceof Date ? v.toISOString().slice(0, 10) : undefined);

/** One value per field: the reporting exchange's own record first, then the others by owner. */
export function mergeDisclosed(records: readonly DisclosedRecord[], reportingTenant: string): Partial<Record<ReportField, string>> {
  const ordered = [...records].sort((a, b) => (a.owner === reportingTenant ? -1 : b.owner === reportingTenant ? 1 : a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
  const out: Partial<Record<ReportField, string>> = {};
  for (const f of REPORT_FIELDS) {
    for (const r of ordered) {
      const v = str(r.fields[f]);
      if (v !== undefined) {
        out[f] = v;
        break;
      }
    }
  }
  return out;
}

const truncateText = (s: string, max: number) => ([...s].length <= max ? s : [...s].slice(0, max - 1).join("") + "…");

/** The default reason: what Kanshi detected, typology by typology, in Japanese. */
export function defaultReason(alerts: readonly Alert[], score: number): string {
  const byTypology = new Map<string, Alert[]>();
  for (const a of alerts) {
    const list = byTypology.get(a.typology) ?? [];
    list.push(a);
    byTypology.set(a.typology, list);
  }
  const lines = [`監視システム（Kanshi）が本件の対象について${alerts.length}件の警告を検知した（リスクスコア ${Math.round(score)}）。`];
  for (const [typology, list] of [...byTypology.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`・${typology}（${list.length}件）: ${truncateText(list[list.length - 1]!.explanation, 400)}`);
  }
  return truncateText(lines.join("\n"), 8000);
}

const valueOf = (price: Money, quantity: Money): Money => ((price * quantity) / MONEY_SCALE) as Money;
const dec = (m: Money): string => formatMoney(m);

/** The report's transactions from the events, and the events left out with why. */
export function transactionsOf(events: readonly Event[], tenant: string, accounts: ReadonlySet<string>): { transactions: ReportInputJson["transactions"]; omitted: Omitted[] } {
  const transactions: ReportInputJson["transactions"] = [];
  const omitted: Omitted[] = [];
  const seen = new Set<string>();
  const sorted = [...events].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
  for (const e of sorted) {
    const key = `${e.source}:${e.id}`;
    if (seen.has(key) || e.source !== tenant) continue;
    seen.add(key);
    if (e.type === "deposit" || e.type === "withdrawal") {
      if (!accounts.has(e.accountId)) continue;
      const value = e.valueJpy ?? (e.asset === "JPY" ? e.amount : undefined);
      if (value === undefined) {
        omitted.push({ event: key, why: "no yen value (valueJpy) on the event" });
        continue;
      }
      const counterpartyAddress = e.type === "deposit" ? e.fromAddress : e.toAddress;
      const vasp = e.counterpartyVasp ?? (e.type === "withdrawal" ? e.travelRule?.beneficiaryVasp : undefined);
      transactions.push({
        id: key.slice(0, 100),
        kind: e.type,
        at: e.ts,
        accountId: e.accountId,
        channel: e.asset === "JPY" && e.channel === "crypto" ? "internal" : e.channel,
        asset: e.asset,
        amount: dec(e.amount),
        valueJpy: dec(e.asset === "JPY" ? e.amount : value),
        ...(e.network !== undefined ? { network: e.network } : {}),
        ...(e.txHash !== undefined ? { txHash: e.txHash } : {}),
        ...(counterpartyAddress !== undefined ? { counterpartyAddress: counterpartyAddress.slice(0, 255) } : {}),
        ...(vasp !== undefined ? { counterpartyVasp: vasp } : {}),
        ...(e.counterpartyCountry !== undefined ? { counterpartyCountry: e.counterpartyCountry } : {}),
      });
    } else if (e.type === "trade") {
      const [base, quote] = e.market.split("/") as [string, string];
      for (const side of ["buy", "sell"] as const) {
        const account = side === "buy" ? e.buyAccountId : e.sellAccountId;
        if (!accounts.has(account)) continue;
        if (quote !== "JPY") {
          omitted.push({ event: key, why: `a ${e.market} trade has no yen price` });
          continue;
        }
        transactions.push({
          id: `${key}:${side}`.slice(0, 100),
          kind: side,
          at: e.ts,
          accountId: account,
          channel: "internal",
          asset: base,
          amount: dec(e.quantity),
          valueJpy: dec(valueOf(e.price, e.quantity)),
          market: e.market,
          priceJpy: dec(e.price),
        });
      }
    } else if (e.type === "transfer") {
      omitted.push({ event: key, why: "transfers between accounts are not reported as transactions" });
    }
  }
  return { transactions, omitted };
}

/** The report input for a case (JSON form; check it with parseReportInput), and what was left out. */
export function assembleReportInput(a: AssembleInput): { input: ReportInputJson; omitted: Omitted[] } {
  const tenant = a.reportingEntity.tenant;
  const own = a.accounts.filter((x) => x.owner === tenant);
  const ownIds = new Set(own.map((x) => x.accountId));
  const { transactions, omitted } = transactionsOf(a.events, tenant, ownIds);
  const d = mergeDisclosed(a.disclosed, tenant);
  const corporate = a.corporate ?? d.corporateNumber !== undefined;
  const ref = a.case.entityId;
  const residency = d.residency === "citizen" || d.residency === "resident_foreigner" || d.residency === "non_resident" ? d.residency : undefined;
  const address = d.address === undefined ? undefined : { line: d.address, ...(d.postalCode !== undefined && /^\d{3}-?\d{4}$/.test(d.postalCode) ? { postalCode: d.postalCode } : {}) };
  const common = {
    ref,
    ...(d.name !== undefined ? { name: d.name } : {}),
    ...(d.nameKana !== undefined ? { nameKana: d.nameKana } : {}),
    ...(d.nameLatin !== undefined ? { nameLatin: d.nameLatin } : {}),
    ...(address !== undefined ? { address } : {}),
    ...(d.phone !== undefined ? { phone: d.phone } : {}),
    ...(d.email !== undefined ? { email: d.email } : {}),
    ...(d.purpose !== undefined ? { purpose: d.purpose } : {}),
  };
  const subject: ReportInputJson["subjects"][number] = corporate
    ? { kind: "corporate", ...common, ...(d.corporateNumber !== undefined && /^\d{13}$/.test(d.corporateNumber) ? { corporateNumber: d.corporateNumber } : {}), ...(d.occupation !== undefined ? { business: d.occupation } : {}) }
    : {
        kind: "person",
        ...common,
        ...(d.dateOfBirth !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(d.dateOfBirth) ? { dateOfBirth: d.dateOfBirth } : {}),
        ...(d.nationality !== undefined && /^[A-Z]{2}$/.test(d.nationality) ? { nationality: d.nationality } : {}),
        ...(residency !== undefined ? { residency } : {}),
        ...(d.occupation !== undefined ? { occupation: d.occupation } : {}),
      };
  const typologyCounts = new Map<string, number>();
  for (const al of a.alerts) typologyCounts.set(al.typology, (typologyCounts.get(al.typology) ?? 0) + 1);
  const input: ReportInputJson = {
    reportingEntity: a.reportingEntity,
    reportDate: a.reportDate,
    ...(a.reportNumber !== undefined ? { reportNumber: a.reportNumber } : {}),
    case: {
      id: a.case.id,
      reason: a.reason ?? defaultReason(a.alerts, a.case.score),
      ...(a.action !== undefined ? { action: a.action } : {}),
      typologies: [...typologyCounts.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([id, alerts]) => ({ id, alerts })),
      alertCount: a.alerts.length,
      score: a.case.score,
      openedAt: a.case.openedAt,
    },
    subjects: [subject],
    accounts: own.map((x) => ({ accountId: x.accountId, exchange: x.owner, holder: ref })),
    transactions,
  };
  return { input, omitted };
}

/** A trade event as the legs of the people on each side (for the gains), given who holds each account. */
export function gainLegs(e: Extract<Event, { type: "trade" }>, personOf: (accountId: string) => string | undefined): GainTrade[] {
  const [base, quote] = e.market.split("/") as [string, string];
  if (quote !== "JPY") return [];
  const value = valueOf(e.price, e.quantity);
  const legs: GainTrade[] = [];
  for (const side of ["buy", "sell"] as const) {
    const account = side === "buy" ? e.buyAccountId : e.sellAccountId;
    const person = personOf(account);
    if (person === undefined) continue;
    legs.push({ person, exchange: e.source, id: `${e.source}:${e.id}:${side}`, time: e.time, asset: base, side, quantity: e.quantity, valueJpy: value });
  }
  return legs;
}
