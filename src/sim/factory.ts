// Building events in the public wire format (CONTRACT.md): one place that knows each event's fields,
// so the background, the market and the injections write the same shapes.
import type { EventInput } from "../contracts/index.ts";
import { BUREAUS, EXCHANGES, RESEARCH_FIRMS } from "./data/sources.ts";
import { canonicalLatin, renderCorporate, renderIndividual, type IdentityRecord } from "./identity.ts";
import { formatNumber, type AssetSeries, type Markets } from "./market.ts";
import type { Account, Person, Population } from "./population.ts";
import type { AddressLabelRecord } from "./reference-data.ts";
import type { IdScrambler } from "./ids.ts";
import { Rng, hashParts } from "./rng.ts";
import { QUOTE_INTERVAL, jst } from "./time.ts";

const USER_AGENTS = [
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
  "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "ExchangeApp/7.4.2 (iOS 18.1; iPhone15,2)",
  "ExchangeApp/7.4.1 (Android 14; SM-S918B)",
];

const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const RIPPLE58 = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A synthetic address of the asset's chain (right shape, random body; it belongs to nobody). */
export function syntheticAddress(rng: Rng, kind: AssetSeries["def"]["addressKind"]): string {
  switch (kind) {
    case "bech32": return `bc1q${rng.chars(BECH32, 38)}`;
    case "evm": return `0x${rng.hex(40)}`;
    case "xrpl": return `r${rng.chars(RIPPLE58, 33)}`;
    case "nem": return `N${rng.chars(BASE32, 39)}`;
    case "base58m": return `M${rng.chars(BASE58, 33)}`;
  }
}

export function txHash(rng: Rng, kind: AssetSeries["def"]["addressKind"]): string {
  return kind === "evm" ? `0x${rng.hex(64)}` : kind === "xrpl" ? rng.hex(64).toUpperCase() : rng.hex(64);
}

export interface MovementSpec {
  kind: "deposit" | "withdrawal";
  channel: "bank" | "crypto";
  asset: string;
  amount: string;
  value: number;
  /** crypto withdrawals: to one of the account's own wallets */
  ownWallet?: boolean;
}

export class EventFactory {
  constructor(
    private readonly seed: number,
    private readonly markets: Markets,
    private readonly pop: Population,
    private readonly scrambler: IdScrambler,
  ) {}

  source(a: Account): string {
    return EXCHANGES[a.exchange]!.id;
  }

  owner(a: Account): Person {
    return this.pop.people[a.owner]!;
  }

  login(id: string, t: number, a: Account, rng: Rng): EventInput {
    const p = this.owner(a);
    const travelling = p.country === "JP" && rng.chance(0.01);
    return {
      id, type: "login", ts: jst(t), source: this.source(a), accountId: a.id,
      ip: travelling ? `${rng.pick([8, 23, 43, 103])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}` : rng.chance(0.7) ? p.homeIp : p.mobileIp,
      deviceId: rng.pick(a.deviceIds),
      country: travelling ? rng.pick(["US", "KR", "TW", "TH", "SG"]) : p.country,
      userAgent: USER_AGENTS[hashParts(this.seed, ["ua", a.index]) % USER_AGENTS.length]!,
      language: p.language,
    };
  }

  /** One of the account's own wallets on a chain (the same few addresses every time). */
  ownWallet(a: Account, asset: AssetSeries, k: number): string {
    return syntheticAddress(Rng.derive(this.seed, "wallet", a.index, asset.def.network, k), asset.def.addressKind);
  }

  bankAccountHash(a: Account): string {
    return Rng.derive(this.seed, "bank", a.owner).hex(64);
  }

  movement(id: string, t: number, a: Account, m: MovementSpec, rng: Rng): EventInput {
    const base = { id, type: m.kind, ts: jst(t), source: this.source(a), accountId: a.id, asset: m.asset, amount: m.amount, channel: m.channel, valueJpy: String(m.value) };
    if (m.channel === "bank") return { ...base, bankAccountHash: this.bankAccountHash(a) } as EventInput;
    const asset = this.markets.asset(m.asset);
    const own = m.ownWallet === true || (m.kind === "deposit" && rng.chance(0.4));
    const address = own ? this.ownWallet(a, asset, rng.int(0, 2)) : syntheticAddress(rng, asset.def.addressKind);
    const ex = { network: asset.def.network, txHash: txHash(rng, asset.def.addressKind) };
    return (m.kind === "deposit" ? { ...base, ...ex, fromAddress: address } : { ...base, ...ex, toAddress: address }) as EventInput;
  }

  /** The market maker's resting quote id on an exchange, for quote interval q, asset and side. */
  quoteId(exchange: number, q: number, asset: number, side: "buy" | "sell"): string {
    return `mq_${this.scrambler.text(q * 64 + asset * 2 + (side === "buy" ? 0 : 1), this.scrambler.salt(EXCHANGES[exchange]!.id, "mq"))}`;
  }

  quoteIndex(t: number): number {
    return Math.floor((t - this.markets.start) / QUOTE_INTERVAL);
  }

  orderPlaced(id: string, t: number, a: Account, market: string, side: "buy" | "sell", kind: "limit" | "market", quantity: string, price?: string): EventInput {
    const e: EventInput = { id, type: "order.placed", ts: jst(t), source: this.source(a), accountId: a.id, orderId: id, market, side, kind, quantity };
    if (price !== undefined) (e as { price?: string }).price = price;
    return e;
  }

  orderCancelled(id: string, t: number, a: Account, orderId: string, market: string, remaining?: string): EventInput {
    const e: EventInput = { id, type: "order.cancelled", ts: jst(t), source: this.source(a), accountId: a.id, orderId, market };
    if (remaining !== undefined) (e as { remainingQuantity?: string }).remainingQuantity = remaining;
    return e;
  }

  trade(id: string, t: number, source: string, market: string, price: string, quantity: string, buy: { account: string; order: string }, sell: { account: string; order: string }, aggressor: "buy" | "sell"): EventInput {
    return {
      id, type: "trade", ts: jst(t), source, tradeId: id, market, price, quantity,
      buyAccountId: buy.account, sellAccountId: sell.account, buyOrderId: buy.order, sellOrderId: sell.order, aggressor,
    };
  }

  snapshot(id: string, t: number, exchange: number, asset: AssetSeries, k: number): EventInput {
    const v = asset.venues[asset.venueOf[exchange]!]!;
    const dp = Math.min(asset.def.qtyDp, 4);
    return {
      id, type: "market.snapshot", ts: jst(t), source: EXCHANGES[exchange]!.id, market: asset.def.market,
      midPrice: formatNumber(v.mid[k]!, asset.def.pxDp),
      volume24h: formatNumber(v.volume24h[k]!, 2),
      depthBid1pct: formatNumber(v.depthBid[k]!, dp),
      depthAsk1pct: formatNumber(v.depthAsk[k]!, dp),
    };
  }

  /** The KYC an exchange recorded when the account was opened. */
  kyc(a: Account): IdentityRecord {
    const p = this.owner(a);
    const rng = Rng.derive(this.seed, "kyc", a.index);
    const style = EXCHANGES[a.exchange]!.style;
    return p.identity.kind === "corporate"
      ? renderCorporate(rng, style, p.identity)
      : renderIndividual(rng, style, p.identity, { latin: true, contact: true, profile: true });
  }

  accountOpened(id: string, t: number, a: Account): EventInput {
    return { id, type: "account.opened", ts: jst(t), source: this.source(a), accountId: a.id, customerType: a.corporate ? "corporate" : "individual", kyc: this.kyc(a), riskRating: a.riskRating } as EventInput;
  }

  /** A re-entered part of the KYC (the customer fixed their phone, address or e-mail): the same truth, written again. */
  accountUpdated(id: string, t: number, a: Account, rng: Rng): EventInput {
    const p = this.owner(a);
    const style = EXCHANGES[a.exchange]!.style;
    const again = p.identity.kind === "corporate" ? renderCorporate(rng, style, p.identity) : renderIndividual(rng, style, p.identity, { latin: false, contact: true, profile: false });
    const which = rng.int(0, 2);
    const kyc: Partial<IdentityRecord> =
      which === 0 && again.phone !== undefined ? { phone: again.phone } : which === 1 && again.address !== undefined ? { address: again.address, ...(again.postalCode !== undefined ? { postalCode: again.postalCode } : {}) } : { email: again.email ?? "" };
    if (kyc.email === "") delete kyc.email;
    return { id, type: "account.updated", ts: jst(t), source: this.source(a), accountId: a.id, kyc } as EventInput;
  }

  accountClosed(id: string, t: number, a: Account, rng: Rng): EventInput {
    return { id, type: "account.closed", ts: jst(t), source: this.source(a), accountId: a.id, reason: rng.pick(["customer request", "dormant", "customer request", "moved abroad"]) };
  }

  creditReport(id: string, t: number, p: Person, bureau: number): EventInput {
    if (p.identity.kind !== "individual") throw new RangeError("credit reports are about individuals");
    const b = BUREAUS[bureau]!;
    const rng = Rng.derive(this.seed, "credit", p.index, bureau);
    const subject = renderIndividual(rng, b.style, p.identity, { latin: true, contact: b.kind === "national" || rng.chance(0.6), profile: false });
    const z = p.creditZ + rng.normal(0, 0.25);
    const score = Math.max(0, Math.min(1000, Math.round(620 + 115 * z)));
    const delinquencies = rng.poisson(0.08 * Math.exp(-1.3 * z));
    const e: Record<string, unknown> = { id, type: "credit.report", ts: jst(t), source: b.id, bureau: b.id, subject, creditScore: score };
    if (rng.chance(0.8)) e.annualIncomeJpy = String(Math.round((p.identity.incomeJpy * rng.range(0.85, 1.1)) / 10_000) * 10_000);
    e.debtJpy = String(Math.round((rng.chance(0.45) ? rng.logNormal(1_500_000 * Math.exp(-0.3 * z), 1.3) : 0) / 1_000) * 1_000);
    e.delinquencies = delinquencies;
    if (z < -2.3 && rng.chance(0.5)) e.bankruptcy = true;
    else if (rng.chance(0.3)) e.bankruptcy = false;
    return e as EventInput;
  }

  /** A social-media link: from an exchange (by account) or from a bureau (by identity subject). */
  socialLink(id: string, t: number, p: Person, handle: number, via: { account: Account } | { bureau: number }): EventInput {
    const h = p.social[handle]!;
    if ("account" in via) {
      return { id, type: "social.link", ts: jst(t), source: this.source(via.account), platform: h.platform, handle: h.handle, accountId: via.account.id, verified: hashParts(this.seed, ["verified", p.index, handle]) % 3 === 0 };
    }
    const b = BUREAUS[via.bureau]!;
    if (p.identity.kind !== "individual") throw new RangeError("bureau social links are about individuals");
    const rng = Rng.derive(this.seed, "social-subject", p.index, handle);
    const full = renderIndividual(rng, b.style, p.identity, { latin: false, contact: false, profile: false });
    const subject: IdentityRecord = { name: full.name, ...(full.nameKana !== undefined ? { nameKana: full.nameKana } : {}), ...(full.dateOfBirth !== undefined ? { dateOfBirth: full.dateOfBirth } : {}), nameLatin: canonicalLatin(p.identity.name) };
    return { id, type: "social.link", ts: jst(t), source: b.id, platform: h.platform, handle: h.handle, subject, verified: false } as EventInput;
  }

  addressLabel(id: string, t: number, l: AddressLabelRecord, rng: Rng): EventInput {
    return {
      id, type: "address.label", ts: jst(t), source: RESEARCH_FIRMS[l.publisher], network: l.network, address: l.address, label: l.label,
      entityName: l.entityName, confidence: l.label === "sanctioned" ? 1 : Math.round(rng.range(0.8, 0.99) * 100) / 100, reference: l.reference,
    };
  }
}
