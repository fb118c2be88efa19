// The goAML suspicious transaction report (report_code STR), XML valid against the UNODC goAML 5.0.1
// schema (shared/data/goaml/goAMLSchema.xsd; the tests run xmllint on every report they generate).
// Pure: no I/O, no clock (the submission date is the report date).
//
// Only elements of schema version 5.0 are written: the schema file also carries 5.1 and 5.2 elements
// (goaml:supportedIn), which a 5.0 server refuses.
//
// How a crypto-asset exchange's report is shaped:
//   - every transaction is a `transaction` with t_from / t_to (the non-"my client" types: the
//     "my client" ones demand the individual number, birth date, phones and occupation of every
//     signatory, which an exchange rarely has complete and which reach a report only field by field
//     through an approved disclosure); amount_local is the value in yen;
//   - the client side is the account at the exchange (t_account: institution = the exchange,
//     account = the account id), with its holder as signatory (a person) or t_entity (a corporate)
//     when the holder's name was disclosed; otherwise the account alone;
//   - the other side of an on-chain transfer is the address (t_account: institution = the
//     counterparty VASP when known, else the unhosted wallet's network; account = the address), with
//     its country: a transfer abroad carries the counterparty's country;
//   - the crypto asset itself is a goods_services item: item_make the ticker, size and size_uom the
//     amount in coins, estimated_value its yen value, identification_number the transaction hash,
//     previously/presently_registered_to the sending/receiving address;
//   - a buy or sell on the exchange moves the asset between the exchange (t_entity) and the client;
//   - every subject (person, corporate, or the bare account when no name was disclosed) is listed
//     again under activity/report_parties with why it is reported.
// "-" is goAML's "unknown / not specified" in every code list (and is written where the schema
// requires a value Kanshi does not have, e.g. an unrecorded sending address).
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces.js";
import { badInput } from "../contracts/errors.ts";
import { charLength, cut, decimalText, jstDateTime, xsDecimal } from "./format.ts";
import { goamlCountry, parseGoamlCodes, type GoamlCodes, type GoamlCodesInput } from "./goaml-codes.ts";
import { isAbroad, type CorporateSubject, type PersonSubject, type ReportAccount, type ReportInput, type ReportTransaction, type Subject } from "./input.ts";
import { placeAddress, splitPersonName, splitPhone, subjectAddress, type PlacedAddress } from "./subjects.ts";

export interface GoamlOptions {
  /** The FIU's lookup codes (goaml-codes.ts); "-" wherever not given. */
  readonly codes?: GoamlCodesInput;
}

const UNKNOWN = "-";
/** sql_decimal's maximum, in Money units. */
const SQL_DECIMAL_MAX = 7_900_000_000_000_000n * 10n ** 18n;

/** Characters XML 1.0 cannot carry are dropped (C0 controls but tab, CR, LF; U+FFFE/FFFF; lone surrogates). */
export function xmlText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "");
}

function leaf(parent: XMLBuilder, name: string, value: string | number | boolean | undefined, max?: number): void {
  if (value === undefined) return;
  let v = typeof value === "string" ? xmlText(value) : typeof value === "boolean" ? (value ? "true" : "false") : String(value);
  if (max !== undefined) v = cut(v, max);
  parent.ele(name).txt(v);
}

/** Joins the defined parts with "; ", or undefined when none. */
function notes(...parts: (string | undefined | false)[]): string | undefined {
  const kept = parts.filter((p): p is string => typeof p === "string" && p !== "");
  return kept.length === 0 ? undefined : kept.join("; ");
}

interface Ctx {
  readonly input: ReportInput;
  readonly codes: GoamlCodes;
  readonly subjects: ReadonlyMap<string, Subject>;
  readonly accounts: ReadonlyMap<string, ReportAccount>;
}

function address(parent: XMLBuilder, name: string, a: PlacedAddress, codes: GoamlCodes): boolean {
  const city = a.city ?? a.prefecture;
  if (city === undefined) return false;
  const el = parent.ele(name);
  leaf(el, "address_type", codes.addressType);
  const long = charLength(a.line) > 100;
  leaf(el, "address", a.line, 100);
  leaf(el, "city", city, 255);
  if (a.postalCode !== undefined) leaf(el, "zip", a.postalCode, 10);
  leaf(el, "country_code", goamlCountry(a.country));
  if (a.prefecture !== undefined) leaf(el, "state", a.prefecture, 255);
  if (long) leaf(el, "comments", `full address: ${a.line}`, 8000);
  return true;
}

function phones(parent: XMLBuilder, raw: string | undefined, codes: GoamlCodes): void {
  const p = splitPhone(raw);
  if (p === undefined) return;
  const list = parent.ele("phones").ele("phone");
  leaf(list, "tph_contact_type", codes.phoneContactType);
  leaf(list, "tph_communication_type", codes.phoneCommunicationType);
  leaf(list, "tph_country_prefix", p.countryPrefix, 4);
  leaf(list, "tph_number", p.number, 50);
}

const residenceOf = (s: PersonSubject): string | undefined => {
  if (s.residency === "citizen" || s.residency === "resident_foreigner") return "JP";
  if (s.residency === "non_resident" && s.address !== undefined && s.address.country !== "JP") return goamlCountry(s.address.country);
  return undefined;
};

const RESIDENCY_EN = { citizen: "Japanese citizen", resident_foreigner: "foreign national resident in Japan", non_resident: "non-resident" } as const;

/** A t_person; false (nothing written) when no name was disclosed. */
function person(parent: XMLBuilder, name: string, s: PersonSubject, codes: GoamlCodes): XMLBuilder | undefined {
  const n = splitPersonName(s);
  if (n === undefined) return undefined;
  const el = parent.ele(name);
  leaf(el, "first_name", n.given ?? UNKNOWN, 100);
  leaf(el, "last_name", n.family, 100);
  if (s.dateOfBirth !== undefined) leaf(el, "birthdate", `${s.dateOfBirth}T00:00:00`);
  if (n.asWritten !== undefined) leaf(el, "alias", n.asWritten, 100);
  if (s.nationality !== undefined && goamlCountry(s.nationality) !== UNKNOWN) leaf(el, "nationality1", s.nationality);
  const residence = residenceOf(s);
  if (residence !== undefined && residence !== UNKNOWN) leaf(el, "residence", residence);
  phones(el, s.phone, codes);
  const a = subjectAddress(s);
  let addressNote: string | undefined;
  if (a !== undefined) {
    const wrap = el.ele("addresses");
    if (!address(wrap, "address", a, codes)) {
      wrap.remove();
      addressNote = `address (city not identified): ${a.line}`;
    }
  }
  if (s.email !== undefined) leaf(el, "email", s.email, 255);
  if (s.occupation !== undefined) leaf(el, "occupation", s.occupation, 255);
  const comments = notes(
    `Kanshi subject ${s.ref}`,
    n.given === undefined && "given name not separable from the disclosed name",
    s.nameKana !== undefined && `name reading (kana): ${s.nameKana}`,
    s.nameLatin !== undefined && n.asWritten === undefined && `name in Latin script: ${s.nameLatin}`,
    s.residency !== undefined && `residency: ${RESIDENCY_EN[s.residency]}`,
    s.purpose !== undefined && `declared purpose of transactions: ${s.purpose}`,
    addressNote,
  );
  leaf(el, "comments", comments, 8000);
  return el;
}

/** A t_entity; undefined (nothing written) when no name was disclosed. */
function entity(parent: XMLBuilder, name: string, s: CorporateSubject | { kind: "exchange"; input: ReportInput }, codes: GoamlCodes): XMLBuilder | undefined {
  if (s.kind === "exchange") {
    const r = s.input.reportingEntity;
    const el = parent.ele(name);
    leaf(el, "name", r.name, 255);
    if (r.corporateNumber !== undefined) leaf(el, "incorporation_number", r.corporateNumber);
    leaf(el, "business", "crypto-asset exchange service provider (暗号資産交換業者)");
    const wrap = el.ele("addresses");
    if (!address(wrap, "address", placeAddress(r.headOffice), codes)) wrap.remove();
    leaf(el, "incorporation_country_code", goamlCountry(r.headOffice.country));
    if (r.registrationNumber !== undefined) leaf(el, "comments", `registration: ${r.registrationNumber}`, 8000);
    return el;
  }
  const nm = s.name ?? s.nameLatin;
  if (nm === undefined) return undefined;
  const el = parent.ele(name);
  leaf(el, "name", nm, 255);
  if (s.name !== undefined && s.nameLatin !== undefined) leaf(el, "commercial_name", s.nameLatin, 255);
  if (s.corporateNumber !== undefined) leaf(el, "incorporation_number", s.corporateNumber, 50);
  if (s.business !== undefined) leaf(el, "business", s.business, 255);
  phones(el, s.phone, codes);
  const a = subjectAddress(s);
  let addressNote: string | undefined;
  if (a !== undefined) {
    const wrap = el.ele("addresses");
    if (!address(wrap, "address", a, codes)) {
      wrap.remove();
      addressNote = `address (city not identified): ${a.line}`;
    }
  }
  if (s.email !== undefined) leaf(el, "email", s.email, 255);
  // A 13-digit corporate number is issued by Japan's National Tax Agency.
  if (s.corporateNumber !== undefined) leaf(el, "incorporation_country_code", "JP");
  const comments = notes(
    `Kanshi subject ${s.ref}`,
    s.nameKana !== undefined && `name reading (kana): ${s.nameKana}`,
    s.purpose !== undefined && `declared purpose of transactions: ${s.purpose}`,
    addressNote,
  );
  leaf(el, "comments", comments, 8000);
  return el;
}

/** The client's account at the exchange, with its holder when the holder's name is known. */
function clientAccount(parent: XMLBuilder, name: string, accountId: string, ctx: Ctx): void {
  const r = ctx.input.reportingEntity;
  const acc = ctx.accounts.get(accountId);
  const holder = acc?.holder === undefined ? undefined : ctx.subjects.get(acc.holder);
  const el = parent.ele(name);
  leaf(el, "institution_name", acc?.exchangeName ?? r.name, 255);
  leaf(el, "institution_code", r.registrationNumber ?? String(r.goamlId), 50);
  leaf(el, "non_bank_institution", true);
  leaf(el, "branch", r.branch, 255);
  leaf(el, "account", accountId, 255);
  const holderName = holder === undefined ? undefined : holder.kind === "person" ? holder.name ?? holder.nameLatin : holder.name ?? holder.nameLatin;
  if (holderName !== undefined) leaf(el, "account_name", holderName, 255);
  if (holder?.kind === "corporate") entity(el, "t_entity", holder, ctx.codes);
  if (holder?.kind === "person" && splitPersonName(holder) !== undefined) {
    const sig = el.ele("signatory");
    leaf(sig, "is_primary", "1");
    person(sig, "t_person", holder, ctx.codes);
    leaf(sig, "role", ctx.codes.signatoryRole);
  }
  if (acc?.openedAt !== undefined) leaf(el, "opened", jstDateTime(acc.openedAt));
  if (acc?.closedAt !== undefined) leaf(el, "closed", jstDateTime(acc.closedAt));
  leaf(el, "comments", notes(`account at ${acc?.exchange ?? r.tenant}`, acc?.holder !== undefined && `held by Kanshi subject ${acc.holder}`), 8000);
}

/** The other side of an on-chain transfer: the address, at its VASP or on its network. */
function counterpartyAccount(parent: XMLBuilder, name: string, t: ReportTransaction): void {
  const el = parent.ele(name);
  const network = t.network ?? t.asset;
  leaf(el, "institution_name", t.counterpartyVasp ?? `unhosted or unidentified wallet on ${network}`, 255);
  leaf(el, "institution_code", t.counterpartyVasp ?? network, 50);
  leaf(el, "non_bank_institution", true);
  leaf(el, "account", t.counterpartyAddress ?? UNKNOWN, 255);
  leaf(el, "comments", notes(t.counterpartyAddress === undefined && "address not recorded", t.counterpartyCountry !== undefined && `country ${t.counterpartyCountry}`), 8000);
}

/** The holder of the client account as a party (person/entity) when named, else the account itself. */
function clientParty(parent: XMLBuilder, prefix: "from" | "to", accountId: string, ctx: Ctx): void {
  const acc = ctx.accounts.get(accountId);
  const holder = acc?.holder === undefined ? undefined : ctx.subjects.get(acc.holder);
  if (holder?.kind === "person" && splitPersonName(holder) !== undefined) return void person(parent, `${prefix}_person`, holder, ctx.codes);
  if (holder?.kind === "corporate" && (holder.name ?? holder.nameLatin) !== undefined) return void entity(parent, `${prefix}_entity`, holder, ctx.codes);
  clientAccount(parent, `${prefix}_account`, accountId, ctx);
}

type Side = { kind: "client" } | { kind: "client-holder" } | { kind: "counterparty" } | { kind: "exchange" };

function sides(t: ReportTransaction): { from: Side; to: Side } {
  switch (t.kind) {
    case "deposit":
      return t.channel === "crypto" ? { from: { kind: "counterparty" }, to: { kind: "client" } } : { from: { kind: "client-holder" }, to: { kind: "client" } };
    case "withdrawal":
      return t.channel === "crypto" ? { from: { kind: "client" }, to: { kind: "counterparty" } } : { from: { kind: "client" }, to: { kind: "client-holder" } };
    case "buy":
      return { from: { kind: "exchange" }, to: { kind: "client" } };
    case "sell":
      return { from: { kind: "client" }, to: { kind: "exchange" } };
  }
}

function writeSide(tx: XMLBuilder, prefix: "from" | "to", side: Side, t: ReportTransaction, ctx: Ctx): void {
  const wrap = tx.ele(prefix === "from" ? "t_from" : "t_to");
  const crypto = t.asset !== "JPY";
  leaf(wrap, `${prefix}_funds_code`, crypto ? ctx.codes.fundsCrypto : ctx.codes.fundsYen);
  leaf(wrap, `${prefix}_funds_comment`, crypto ? `crypto asset ${t.asset}` : "Japanese yen", 255);
  let country = ctx.input.reportingEntity.headOffice.country;
  switch (side.kind) {
    case "client":
      clientAccount(wrap, `${prefix}_account`, t.accountId, ctx);
      break;
    case "client-holder":
      clientParty(wrap, prefix, t.accountId, ctx);
      break;
    case "exchange":
      entity(wrap, `${prefix}_entity`, { kind: "exchange", input: ctx.input }, ctx.codes);
      break;
    case "counterparty":
      counterpartyAccount(wrap, `${prefix}_account`, t);
      country = t.counterpartyCountry ?? UNKNOWN;
      break;
  }
  leaf(wrap, `${prefix}_country`, goamlCountry(country));
}

const KIND_EN = { deposit: "deposit", withdrawal: "withdrawal", buy: "purchase", sell: "sale" } as const;

function description(t: ReportTransaction): string {
  const amount = `${decimalText(t.amount)} ${t.asset}`;
  const yen = `JPY ${decimalText(t.valueJpy, 2)}`;
  const parts: (string | undefined | false)[] = [];
  if (t.kind === "buy" || t.kind === "sell") {
    parts.push(`Crypto-asset ${KIND_EN[t.kind]} on the exchange: ${amount} for ${yen}${t.market ? ` on ${t.market}` : ""}${t.priceJpy !== undefined ? ` at JPY ${decimalText(t.priceJpy, 2)} per unit` : ""}`);
  } else if (t.channel === "crypto") {
    const dir = t.kind === "deposit" ? "received from" : "sent to";
    parts.push(`Crypto-asset ${KIND_EN[t.kind]}: ${amount} (${yen}) ${dir} ${t.counterpartyAddress ? `address ${t.counterpartyAddress}` : "an unrecorded address"}${t.network ? ` on ${t.network}` : ""}`);
    if (t.txHash) parts.push(`transaction hash ${t.txHash}`);
  } else {
    parts.push(`${t.asset === "JPY" ? "Yen" : "Asset"} ${KIND_EN[t.kind]} by ${t.channel === "bank" ? "bank transfer" : "internal transfer"}: ${amount}${t.asset === "JPY" ? "" : ` (${yen})`}`);
  }
  if (t.counterpartyVasp) parts.push(`counterparty VASP ${t.counterpartyVasp}`);
  if (isAbroad(t)) parts.push(`transfer ${t.kind === "deposit" ? "from" : "to"} abroad (${t.counterpartyCountry})`);
  return notes(...parts)!;
}

function transmode(t: ReportTransaction, codes: GoamlCodes): { code: string; comment: string } {
  if (t.kind === "buy" || t.kind === "sell") return { code: codes.transmodeInternal, comment: `exchange trade ${t.market ?? `${t.asset}/JPY`}` };
  if (t.channel === "crypto") return { code: codes.transmodeCrypto, comment: `virtual asset transfer (${t.asset})` };
  if (t.channel === "bank") return { code: codes.transmodeBank, comment: `bank transfer (${t.asset})` };
  return { code: codes.transmodeInternal, comment: `internal transfer (${t.asset})` };
}

function transaction(parent: XMLBuilder, t: ReportTransaction, ctx: Ctx): void {
  const tx = parent.ele("transaction");
  leaf(tx, "transactionnumber", t.id, 100);
  leaf(tx, "transaction_location", `online: ${ctx.accounts.get(t.accountId)?.exchangeName ?? ctx.input.reportingEntity.name}`, 255);
  leaf(tx, "transaction_description", description(t), 8000);
  leaf(tx, "date_transaction", jstDateTime(t.at));
  const mode = transmode(t, ctx.codes);
  leaf(tx, "transmode_code", mode.code);
  leaf(tx, "transmode_comment", mode.comment, 50);
  leaf(tx, "amount_local", xsDecimal(t.valueJpy, 13));
  const { from, to } = sides(t);
  writeSide(tx, "from", from, t, ctx);
  writeSide(tx, "to", to, t, ctx);
  if (t.asset !== "JPY") {
    const item = tx.ele("goods_services").ele("item");
    leaf(item, "item_type", ctx.codes.itemCryptoAsset);
    leaf(item, "item_make", t.asset, 255);
    leaf(item, "description", `crypto asset ${t.asset}${t.network ? ` (network ${t.network})` : ""}`, 8000);
    if (t.counterpartyAddress !== undefined && t.kind === "deposit") leaf(item, "previously_registered_to", t.counterpartyAddress, 500);
    if (t.counterpartyAddress !== undefined && t.kind === "withdrawal") leaf(item, "presently_registered_to", t.counterpartyAddress, 500);
    leaf(item, "estimated_value", xsDecimal(t.valueJpy, 13));
    leaf(item, "currency_code", "JPY");
    leaf(item, "size", xsDecimal(t.amount));
    leaf(item, "size_uom", t.asset, 250);
    if (t.txHash !== undefined) leaf(item, "identification_number", t.txHash, 255);
  }
  if (isAbroad(t)) leaf(tx, "comments", `transfer abroad: counterparty in ${t.counterpartyCountry}${t.counterpartyVasp ? ` (${t.counterpartyVasp})` : ""}`, 8000);
}

function reportParties(parent: XMLBuilder, ctx: Ctx): boolean {
  const input = ctx.input;
  const entries: ((el: XMLBuilder) => boolean)[] = [];
  const reason = `subject of Kanshi case ${input.case.id}`;
  for (const s of input.subjects) {
    const named = s.kind === "person" ? splitPersonName(s) !== undefined : (s.name ?? s.nameLatin) !== undefined;
    if (named) {
      entries.push((el) => {
        const party = el.ele("report_party");
        if (s.kind === "person") person(party, "person", s, ctx.codes);
        else entity(party, "entity", s, ctx.codes);
        leaf(party, "reason", reason, 8000);
        return true;
      });
      continue;
    }
    // No name disclosed: the subject is reported through its accounts.
    for (const a of input.accounts.filter((x) => x.holder === s.ref)) {
      entries.push((el) => {
        const party = el.ele("report_party");
        clientAccount(party, "account", a.accountId, ctx);
        leaf(party, "reason", `${reason} (identity not disclosed; reported by account)`, 8000);
        return true;
      });
    }
  }
  if (entries.length === 0) return false;
  const wrap = parent.ele("activity").ele("report_parties");
  for (const write of entries) write(wrap);
  return true;
}

function reportingPerson(parent: XMLBuilder, input: ReportInput, codes: GoamlCodes): void {
  const p = input.reportingEntity.personInCharge;
  const n = splitPersonName({ name: p.name });
  const el = parent.ele("reporting_person");
  leaf(el, "first_name", n?.given ?? UNKNOWN, 100);
  leaf(el, "last_name", n?.family ?? p.name, 100);
  phones(el, p.phone, codes);
  if (p.email !== undefined) leaf(el, "email", p.email, 255);
  const role = notes(p.title, p.department);
  if (role !== undefined) leaf(el, "occupation", role, 255);
  leaf(el, "employer_name", input.reportingEntity.name, 255);
}

/** The goAML STR XML for `input` (UTF-8, with declaration). Throws bad_input for a report it cannot write. */
export function generateGoaml(input: ReportInput, options: GoamlOptions = {}): string {
  const codes = parseGoamlCodes(options.codes ?? {});
  const r = input.reportingEntity;
  const ctx: Ctx = {
    input,
    codes,
    subjects: new Map(input.subjects.map((s) => [s.ref, s])),
    accounts: new Map(input.accounts.map((a) => [a.accountId, a])),
  };
  input.transactions.forEach((t, i) => {
    if (t.valueJpy > SQL_DECIMAL_MAX) throw badInput("above goAML's largest amount (7,900,000,000,000,000)", `transactions[${i}].valueJpy`);
  });
  const head = placeAddress(r.headOffice);
  if (head.city === undefined && head.prefecture === undefined) {
    throw badInput("the city could not be read from the address; give headOffice.city", "reportingEntity.headOffice.city");
  }
  const doc = create({ version: "1.0", encoding: "UTF-8" });
  const report = doc.ele("report");
  leaf(report, "rentity_id", r.goamlId);
  leaf(report, "rentity_branch", r.branch, 255);
  leaf(report, "submission_code", "E");
  leaf(report, "report_code", "STR");
  leaf(report, "entity_reference", input.reportNumber ?? `kanshi-case-${input.case.id}`, 255);
  leaf(report, "submission_date", `${input.reportDate}T00:00:00`);
  leaf(report, "currency_code_local", "JPY");
  reportingPerson(report, input, codes);
  address(report, "location", head, codes);
  leaf(report, "reason", input.case.reason, 8000);
  if (input.case.action !== undefined) leaf(report, "action", input.case.action, 8000);
  for (const t of input.transactions) transaction(report, t, ctx);
  const parties = reportParties(report, ctx);
  if (input.transactions.length === 0 && !parties) {
    throw badInput("nothing to report: no transactions, and no subject with a disclosed name or an account", "transactions");
  }
  const indicators = report.ele("report_indicators");
  const codesUsed = new Set(input.case.typologies.map((t) => codes.indicators[t.id] ?? codes.defaultIndicator));
  if (codesUsed.size === 0) codesUsed.add(codes.defaultIndicator);
  for (const c of codesUsed) leaf(indicators, "indicator", c);
  return doc.end({ prettyPrint: true });
}
