// The fast validation path for events: a plain-code validator per event type that accepts exactly
// the values the zod schemas in events.ts accept and builds the same Event (money as scaled bigints,
// the same keys in the same order, `time` from `ts`). It only ever says "valid, here is the event"
// or "not sure": on anything it does not accept, `parseEvent` asks zod, which stays the source of
// truth and explains the error. So a mistake here can at worst send a valid event to the slow
// path; fast-parse.test.ts proves with fast-check that whatever it accepts, zod accepts with a
// deep-equal result, and that the field lists below match the zod shapes key by key.
import { z } from "zod";
import type { Event } from "./events.ts";
import { SOURCE_ID_PATTERN } from "./ids.ts";
import { DECIMAL_PATTERN, MONEY_DECIMALS } from "./money.ts";
import { ASSET_PATTERN, CORPORATE_NUMBER_PATTERN, COUNTRY_PATTERN, MARKET_PATTERN, POSTAL_CODE_PATTERN } from "./patterns.ts";

/** "Not sure": the caller falls back to zod. */
const NO: unique symbol = Symbol("no");
type Parse = (v: unknown) => unknown;

// zod's own patterns and checks for its string formats, so they cannot differ.
export const DATETIME = z.regexes.datetime({ offset: true, local: false, precision: null });
export const DATE = z.regexes.date;
const IPV4 = z.regexes.ipv4;
const isValidIPv6 = z.core.isValidIPv6;

const string = (min: number, max: number): Parse => (v) => (typeof v === "string" && v.length >= min && v.length <= max ? v : NO);
const pattern = (re: RegExp): Parse => (v) => (typeof v === "string" && re.test(v) ? v : NO);
const timestamp: Parse = pattern(DATETIME);
const sourceId: Parse = (v) => (typeof v === "string" && v.length >= 1 && v.length <= 64 && SOURCE_ID_PATTERN.test(v) ? v : NO);
const ip: Parse = (v) => (typeof v === "string" && (IPV4.test(v) || isValidIPv6(v)) ? v : NO);
const oneOf = (...values: string[]): Parse => {
  const set = new Set(values);
  return (v) => (typeof v === "string" && set.has(v) ? v : NO);
};
const boolean: Parse = (v) => (typeof v === "boolean" ? v : NO);
const int = (min: number, max: number): Parse => (v) => (typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max ? v : NO);
const number = (min: number, max: number): Parse => (v) => (typeof v === "number" && Number.isFinite(v) && v >= min && v <= max ? v : NO);

const ZEROS = "0".repeat(MONEY_DECIMALS);
/** A decimal string as money (the same value as money.ts parseMoney), or NO. */
function decimal(v: unknown): bigint | typeof NO {
  if (typeof v !== "string" || !DECIMAL_PATTERN.test(v)) return NO;
  const dot = v.indexOf(".");
  // The pattern guarantees digits only around one optional dot, so one BigInt of sign, whole digits
  // and the fraction padded to the scale is whole × 10^18 + fraction, with the sign.
  return dot < 0 ? BigInt(v + ZEROS) : BigInt(v.slice(0, dot) + v.slice(dot + 1) + ZEROS.slice(v.length - dot - 1));
}

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);
/** Days from 1970-01-01 to the given proleptic Gregorian date (Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
/**
 * Epoch milliseconds of a timestamp that matched DATETIME (YYYY-MM-DDTHH:MM:SS[.f+](Z|±HH:MM)), the
 * same number Date.parse gives (fraction truncated to milliseconds), without its general parser.
 */
export function timestampMs(ts: string): number {
  const days = daysFromCivil(digit(ts, 0) * 1000 + digit(ts, 1) * 100 + two(ts, 2), two(ts, 5), two(ts, 8));
  let ms = days * 86_400_000 + two(ts, 11) * 3_600_000 + two(ts, 14) * 60_000 + two(ts, 17) * 1000;
  let i = 19;
  if (ts.charCodeAt(i) === 46) {
    // Milliseconds: the first three fraction digits; the rest are cut off. Past nine digits V8's
    // Date.parse has quirks of its own (it drops leading zeros), so leave those to it.
    const from = ++i;
    let unit = 100;
    for (; i < ts.length; i++) {
      const c = ts.charCodeAt(i);
      if (c < 48 || c > 57) break;
      ms += (c - 48) * unit;
      unit = unit === 1 ? 0 : unit / 10;
    }
    if (i - from > 9) return Date.parse(ts);
  }
  const sign = ts.charCodeAt(i);
  if (sign === 43 || sign === 45) {
    const offset = two(ts, i + 1) * 3_600_000 + two(ts, i + 4) * 60_000;
    ms += sign === 43 ? -offset : offset;
  }
  return ms;
}
const positive: Parse = (v) => {
  const m = decimal(v);
  return m !== NO && m > 0n ? m : NO;
};
const nonNegative: Parse = (v) => {
  const m = decimal(v);
  return m !== NO && m >= 0n ? m : NO;
};

/** One field of an object: its key, how it is checked, and whether it may be absent. */
export interface FastField {
  readonly key: string;
  readonly parse: Parse;
  readonly optional: boolean;
}
const req = (key: string, parse: Parse): FastField => ({ key, parse, optional: false });
const opt = (key: string, parse: Parse): FastField => ({ key, parse, optional: true });

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks `fields` of `input` into `out` in order (unknown keys are dropped, as zod does). */
function fill(input: Record<string, unknown>, fields: readonly FastField[], out: Record<string, unknown>): boolean {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const v = input[f.key];
    if (v === undefined) {
      // Absent and optional: skipped. Present but undefined: zod keeps the key; leave that to zod.
      if (f.optional && !(f.key in input)) continue;
      return false;
    }
    const r = f.parse(v);
    if (r === NO) return false;
    out[f.key] = r;
  }
  return true;
}

const object = (fields: readonly FastField[]): Parse => (v) => {
  if (!isPlainObject(v)) return NO;
  const out: Record<string, unknown> = {};
  return fill(v, fields, out) ? out : NO;
};

const text = (max: number) => string(0, max);
const id128 = string(1, 128);
const address = string(1, 256);
const asset = pattern(ASSET_PATTERN);
const market = pattern(MARKET_PATTERN);
const country = pattern(COUNTRY_PATTERN);
const network = string(1, 32);

/** IdentityFields in events.ts (`kyc`, `subject`). */
export const IDENTITY_FIELDS: readonly FastField[] = [
  req("name", string(1, 256)),
  opt("nameKana", text(256)),
  opt("nameLatin", text(256)),
  opt("dateOfBirth", pattern(DATE)),
  opt("nationality", country),
  opt("residency", oneOf("citizen", "resident_foreigner", "non_resident")),
  opt("postalCode", pattern(POSTAL_CODE_PATTERN)),
  opt("address", text(512)),
  opt("phone", text(32)),
  opt("email", text(254)),
  opt("occupation", text(128)),
  opt("declaredIncomeJpy", nonNegative),
  opt("purpose", text(256)),
  opt("corporateNumber", pattern(CORPORATE_NUMBER_PATTERN)),
];
const identity = object(IDENTITY_FIELDS);
const partialIdentity = object(IDENTITY_FIELDS.map((f) => opt(f.key, f.parse)));

const channel = oneOf("bank", "crypto", "internal");
const side = oneOf("buy", "sell");
const movement: FastField[] = [
  req("accountId", id128),
  req("asset", asset),
  req("amount", positive),
  req("channel", channel),
  opt("valueJpy", nonNegative),
  opt("network", network),
  opt("txHash", text(128)),
  opt("bankAccountHash", text(128)),
  opt("counterpartyVasp", text(128)),
  opt("counterpartyCountry", country),
];

/** The fields of each event type after the common ones (`id`, `ts`, `source`, `type`), in the zod shapes' order. */
export const FAST_EVENT_FIELDS: Readonly<Record<string, readonly FastField[]>> = {
  "account.opened": [
    req("accountId", id128),
    req("customerType", oneOf("individual", "corporate")),
    req("kyc", identity),
    opt("riskRating", oneOf("low", "medium", "high")),
  ],
  "account.updated": [req("accountId", id128), req("kyc", partialIdentity)],
  "account.closed": [req("accountId", id128), opt("reason", text(256))],
  login: [
    req("accountId", id128),
    req("ip", ip),
    opt("deviceId", text(128)),
    opt("country", country),
    opt("userAgent", text(512)),
    opt("language", text(35)),
  ],
  deposit: [...movement, opt("fromAddress", address)],
  withdrawal: [
    ...movement,
    opt("toAddress", address),
    opt("travelRule", object([opt("originatorName", text(256)), opt("beneficiaryName", text(256)), opt("beneficiaryVasp", text(128))])),
  ],
  transfer: [req("fromAccountId", id128), req("toAccountId", id128), req("asset", asset), req("amount", positive), opt("valueJpy", nonNegative)],
  "order.placed": [
    req("accountId", id128),
    req("orderId", id128),
    req("market", market),
    req("side", side),
    req("kind", oneOf("limit", "market")),
    req("quantity", positive),
    opt("price", positive),
  ],
  "order.cancelled": [req("accountId", id128), req("orderId", id128), req("market", market), opt("remainingQuantity", nonNegative)],
  trade: [
    req("tradeId", id128),
    req("market", market),
    req("price", positive),
    req("quantity", positive),
    req("buyAccountId", id128),
    req("sellAccountId", id128),
    opt("buyOrderId", text(128)),
    opt("sellOrderId", text(128)),
    opt("aggressor", side),
  ],
  "chain.transfer": [
    req("network", network),
    req("txHash", id128),
    req("fromAddress", address),
    req("toAddress", address),
    req("asset", asset),
    req("amount", positive),
    opt("valueJpy", nonNegative),
    opt("blockHeight", int(0, Number.MAX_SAFE_INTEGER)),
  ],
  "market.snapshot": [
    req("market", market),
    req("midPrice", positive),
    opt("volume24h", nonNegative),
    opt("depthBid1pct", nonNegative),
    opt("depthAsk1pct", nonNegative),
  ],
  "listing.announced": [req("asset", asset), req("market", market), req("announcedAt", timestamp), opt("listingAt", timestamp)],
  "credit.report": [
    req("bureau", string(1, 64)),
    req("subject", identity),
    req("creditScore", int(0, 1000)),
    opt("annualIncomeJpy", nonNegative),
    opt("debtJpy", nonNegative),
    opt("delinquencies", int(0, Number.MAX_SAFE_INTEGER)),
    opt("bankruptcy", boolean),
  ],
  "social.link": [
    req("platform", string(1, 32)),
    req("handle", id128),
    opt("accountId", id128),
    opt("subject", identity),
    opt("verified", boolean),
  ],
  "address.label": [
    req("network", network),
    req("address", address),
    req("label", oneOf("sanctioned", "hack", "mixer", "darknet", "scam", "ransomware", "exchange", "gambling")),
    opt("entityName", text(256)),
    opt("confidence", number(0, 1)),
    opt("reference", text(512)),
  ],
};
const BY_TYPE = new Map(Object.entries(FAST_EVENT_FIELDS));

/**
 * The event `value` validates to, when this path is sure it is valid; undefined otherwise (then
 * ask zod: the value may still be valid in a way this path leaves to zod, or it is invalid and zod
 * says why). Never throws on bad input.
 */
export function fastParseEvent(value: unknown): Event | undefined {
  if (!isPlainObject(value)) return undefined;
  const type = value.type;
  const fields = typeof type === "string" ? BY_TYPE.get(type) : undefined;
  if (fields === undefined) return undefined;
  const id = value.id;
  const ts = value.ts;
  const source = value.source;
  if (id128(id) === NO || timestamp(ts) === NO || sourceId(source) === NO) return undefined;
  const out: Record<string, unknown> = { id, ts, source, type };
  if (!fill(value, fields, out)) return undefined;
  // social.link's refinement: an account or a subject.
  if (type === "social.link" && out.accountId === undefined && out.subject === undefined) return undefined;
  out.time = timestampMs(ts as string);
  return out as unknown as Event;
}
