// The public event format (CONTRACT.md, "Events"): the executable form of that page.
// Events are validated once at the edge (`parseEvent`), then travel as typed values: money as
// exact scaled bigints, ids branded, the timestamp also as epoch milliseconds (`time`).
import { z } from "zod";
import { AccountIdSchema, AddressSchema, SourceIdSchema, type EventKey } from "./ids.ts";
import { DECIMAL_PATTERN, formatMoney, parseMoney, type Money } from "./money.ts";
import { fastParseEvent } from "./fast-parse.ts";
import { ASSET_PATTERN, CORPORATE_NUMBER_PATTERN, COUNTRY_PATTERN, MARKET_PATTERN, POSTAL_CODE_PATTERN } from "./patterns.ts";

const decimal = z
  .string({ error: "expected a decimal string" })
  .regex(DECIMAL_PATTERN, 'expected a decimal string such as "2000000" or "0.0015" (at most 18 decimal places)')
  .transform((s) => parseMoney(s) as Money);
const positiveDecimal = decimal.refine((m) => m > 0n, "must be greater than zero");
const nonNegativeDecimal = decimal.refine((m) => m >= 0n, "must not be negative");

const asset = z.string().regex(ASSET_PATTERN, "expected an upper-case ticker such as JPY, BTC or XEM");
const market = z.string().regex(MARKET_PATTERN, "expected a market such as BTC/JPY");
const timestamp = z.iso.datetime({ offset: true, error: "expected an RFC 3339 timestamp with offset" });
const country = z.string().regex(COUNTRY_PATTERN, "expected an ISO 3166 alpha-2 code such as JP");
const text = (max = 512) => z.string().max(max);
const network = z.string().min(1).max(32);

export const Residency = z.enum(["citizen", "resident_foreigner", "non_resident"]);
export const CustomerType = z.enum(["individual", "corporate"]);
export const Channel = z.enum(["bank", "crypto", "internal"]);
export const Side = z.enum(["buy", "sell"]);
export const AddressLabelKind = z.enum(["sanctioned", "hack", "mixer", "darknet", "scam", "ransomware", "exchange", "gambling"]);

/** Identity fields (`kyc`, `subject`): all optional but `name`. */
export const IdentityFields = z.object({
  name: text(256).min(1, "must not be empty"),
  nameKana: text(256).optional(),
  nameLatin: text(256).optional(),
  dateOfBirth: z.iso.date({ error: "expected a date YYYY-MM-DD" }).optional(),
  nationality: country.optional(),
  residency: Residency.optional(),
  postalCode: z.string().regex(POSTAL_CODE_PATTERN, "expected a postal code such as 100-0001").optional(),
  address: text(512).optional(),
  phone: text(32).optional(),
  email: text(254).optional(),
  occupation: text(128).optional(),
  declaredIncomeJpy: nonNegativeDecimal.optional(),
  purpose: text(256).optional(),
  corporateNumber: z.string().regex(CORPORATE_NUMBER_PATTERN, "expected a 13-digit corporate number").optional(),
});
export type Identity = z.output<typeof IdentityFields>;

const common = {
  id: z.string().min(1, "must not be empty").max(128, "at most 128 characters"),
  ts: timestamp,
  source: SourceIdSchema,
};

const obj = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ ...common, type: z.literal(type), ...shape });

export const AccountOpened = obj("account.opened", {
  accountId: AccountIdSchema,
  customerType: CustomerType,
  kyc: IdentityFields,
  riskRating: z.enum(["low", "medium", "high"]).optional(),
});
export const AccountUpdated = obj("account.updated", { accountId: AccountIdSchema, kyc: IdentityFields.partial() });
export const AccountClosed = obj("account.closed", { accountId: AccountIdSchema, reason: text(256).optional() });
export const Login = obj("login", {
  accountId: AccountIdSchema,
  ip: z.union([z.ipv4(), z.ipv6()], { error: "expected an IPv4 or IPv6 address" }),
  deviceId: text(128).optional(),
  country: country.optional(),
  userAgent: text(512).optional(),
  language: text(35).optional(),
});
const movement = {
  accountId: AccountIdSchema,
  asset,
  amount: positiveDecimal,
  channel: Channel,
  valueJpy: nonNegativeDecimal.optional(),
  network: network.optional(),
  txHash: text(128).optional(),
  bankAccountHash: text(128).optional(),
  counterpartyVasp: text(128).optional(),
  counterpartyCountry: country.optional(),
};
export const Deposit = obj("deposit", { ...movement, fromAddress: AddressSchema.optional() });
export const Withdrawal = obj("withdrawal", {
  ...movement,
  toAddress: AddressSchema.optional(),
  travelRule: z
    .object({ originatorName: text(256).optional(), beneficiaryName: text(256).optional(), beneficiaryVasp: text(128).optional() })
    .optional(),
});
export const Transfer = obj("transfer", {
  fromAccountId: AccountIdSchema,
  toAccountId: AccountIdSchema,
  asset,
  amount: positiveDecimal,
  valueJpy: nonNegativeDecimal.optional(),
});
export const OrderPlaced = obj("order.placed", {
  accountId: AccountIdSchema,
  orderId: z.string().min(1).max(128),
  market,
  side: Side,
  kind: z.enum(["limit", "market"]),
  quantity: positiveDecimal,
  price: positiveDecimal.optional(),
});
export const OrderCancelled = obj("order.cancelled", {
  accountId: AccountIdSchema,
  orderId: z.string().min(1).max(128),
  market,
  remainingQuantity: nonNegativeDecimal.optional(),
});
export const Trade = obj("trade", {
  tradeId: z.string().min(1).max(128),
  market,
  price: positiveDecimal,
  quantity: positiveDecimal,
  buyAccountId: AccountIdSchema,
  sellAccountId: AccountIdSchema,
  buyOrderId: z.string().max(128).optional(),
  sellOrderId: z.string().max(128).optional(),
  aggressor: Side.optional(),
});
export const ChainTransfer = obj("chain.transfer", {
  network,
  txHash: z.string().min(1).max(128),
  fromAddress: AddressSchema,
  toAddress: AddressSchema,
  asset,
  amount: positiveDecimal,
  valueJpy: nonNegativeDecimal.optional(),
  blockHeight: z.number().int().nonnegative().optional(),
});
export const MarketSnapshot = obj("market.snapshot", {
  market,
  midPrice: positiveDecimal,
  volume24h: nonNegativeDecimal.optional(),
  depthBid1pct: nonNegativeDecimal.optional(),
  depthAsk1pct: nonNegativeDecimal.optional(),
});
export const ListingAnnounced = obj("listing.announced", { asset, market, announcedAt: timestamp, listingAt: timestamp.optional() });
export const CreditReport = obj("credit.report", {
  bureau: z.string().min(1).max(64),
  subject: IdentityFields,
  creditScore: z.number().int().min(0).max(1000),
  annualIncomeJpy: nonNegativeDecimal.optional(),
  debtJpy: nonNegativeDecimal.optional(),
  delinquencies: z.number().int().nonnegative().optional(),
  bankruptcy: z.boolean().optional(),
});
export const SocialLink = obj("social.link", {
  platform: z.string().min(1).max(32),
  handle: z.string().min(1).max(128),
  accountId: AccountIdSchema.optional(),
  subject: IdentityFields.optional(),
  verified: z.boolean().optional(),
}).refine((e) => e.accountId !== undefined || e.subject !== undefined, {
  message: "either accountId or subject is required",
  path: ["accountId"],
});
export const AddressLabel = obj("address.label", {
  network,
  address: AddressSchema,
  label: AddressLabelKind,
  entityName: text(256).optional(),
  confidence: z.number().min(0).max(1).optional(),
  reference: text(512).optional(),
});

export const EVENT_TYPES = [
  "account.opened", "account.updated", "account.closed", "login", "deposit", "withdrawal", "transfer",
  "order.placed", "order.cancelled", "trade", "chain.transfer", "market.snapshot", "listing.announced",
  "credit.report", "social.link", "address.label",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EventSchema = z.discriminatedUnion("type", [
  AccountOpened, AccountUpdated, AccountClosed, Login, Deposit, Withdrawal, Transfer, OrderPlaced,
  OrderCancelled, Trade, ChainTransfer, MarketSnapshot, ListingAnnounced, CreditReport, SocialLink, AddressLabel,
]);

/** An event as validated: typed fields, plus `time` (epoch ms of `ts`). */
export type Event = z.output<typeof EventSchema> & { readonly time: number };
/** An event as sent on the wire (decimal strings). */
export type EventInput = z.input<typeof EventSchema>;
export type EventOf<T extends EventType> = Extract<Event, { type: T }>;

export type DepositEvent = EventOf<"deposit">;
export type WithdrawalEvent = EventOf<"withdrawal">;
export type TradeEvent = EventOf<"trade">;

/** One validation problem: where (a path like `amount` or `kyc.name`) and what. */
export interface FieldIssue {
  path: string;
  message: string;
}

export type ParseResult = { ok: true; event: Event } | { ok: false; issues: FieldIssue[] };

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/**
 * Validate one decoded JSON value as an event. Never throws on bad input. Valid events take the
 * fast path (fast-parse.ts); anything it is not sure of goes through zod, which explains errors.
 */
export function parseEvent(value: unknown): ParseResult {
  const event = fastParseEvent(value);
  return event !== undefined ? { ok: true, event } : parseEventWithZod(value);
}

/** parseEvent through the zod schemas alone (the source of truth; the fast path is tested against it). */
export function parseEventWithZod(value: unknown): ParseResult {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, issues: [{ path: "", message: "expected a JSON object" }] };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string" || !(EVENT_TYPES as readonly string[]).includes(type)) {
    return {
      ok: false,
      issues: [{ path: "type", message: `expected one of ${EVENT_TYPES.join(", ")}; got ${JSON.stringify(type ?? null)}` }],
    };
  }
  const r = EventSchema.safeParse(value);
  if (!r.success) {
    return { ok: false, issues: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
  }
  const event = r.data as Event;
  (event as { time: number }).time = Date.parse(event.ts);
  return { ok: true, event };
}

/** The idempotency key of an event: `source:id`. */
export function keyOf(e: { source: string; id: string }): EventKey {
  return `${e.source}:${e.id}` as EventKey;
}

/** Serialise a typed event back to its wire form (decimal strings, no `time`). */
export function toWire(event: Event): EventInput {
  return JSON.parse(JSON.stringify(event, (k, v) => (typeof v === "bigint" ? formatMoney(v) : k === "time" ? undefined : v)));
}

/** The JSON Schema of the event format (`kanshi schema`). */
export function eventJsonSchema(): unknown {
  return z.toJSONSchema(EventSchema, { io: "input", target: "draft-2020-12" });
}
