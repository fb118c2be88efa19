// Building events in the public wire format (CONTRACT.md): one place that knows each event's fields,
// so the background, the market and the injections write the same shapes.
import type { EventInput } from "../contracts/index.ts";
import { BUREAUS, EXCHANGES, RESEARCH_FIRMS } from "./data/sources.ts";
import {
  bureauViewAt, canonicalLatin, renderAddress, renderCorporate, renderIndividual, renderLatinName, renderPersonName, renderPostal, socialViewAt, viewAt,
  type IdentityRecord, type RecordNote, type Rendered,
} from "./identity.ts";
import { blockHeight } from "./data/chains.ts";
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

/** Why a KYC changed: re-entered details, a reported move, a new family name (with or without a move). */
export type UpdateReason = "re-entry" | "move" | "rename" | "rename+move";

/** An identity-bearing event and what its record shows besides the person's current identity. */
export interface Noted {
  event: EventInput;
  notes: RecordNote[];
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

  /** The KYC an exchange recorded when the account was opened (as the customer's name and address stood then), and what it shows. */
  kycNoted(a: Account): Rendered {
    const p = this.owner(a);
    const rng = Rng.derive(this.seed, "kyc", a.index);
    const style = EXCHANGES[a.exchange]!.style;
    const r: Rendered =
      p.identity.kind === "corporate"
        ? { record: renderCorporate(rng, style, p.identity), notes: [] }
        : renderIndividual(rng, style, p.identity, { latin: true, contact: true, profile: true }, viewAt(p.identity, a.openedAt));
    if (a.kycPatch !== undefined) r.record = { ...r.record, ...a.kycPatch };
    return r;
  }

  kyc(a: Account): IdentityRecord {
    return this.kycNoted(a).record;
  }

  accountOpenedNoted(id: string, t: number, a: Account): Noted {
    const { record, notes } = this.kycNoted(a);
    return { event: { id, type: "account.opened", ts: jst(t), source: this.source(a), accountId: a.id, customerType: a.corporate ? "corporate" : "individual", kyc: record, riskRating: a.riskRating } as EventInput, notes };
  }

  accountOpened(id: string, t: number, a: Account): EventInput {
    return this.accountOpenedNoted(id, t, a).event;
  }

  /**
   * A change to the KYC: the customer re-entered their phone, address or e-mail (`re-entry`: the same
   * truth written again), reported a move (the new address and postal code), or a new family name
   * after a marriage (name, reading, sometimes the Latin name; with the new address when they moved
   * at the same time).
   */
  accountUpdatedNoted(id: string, t: number, a: Account, rng: Rng, reason: UpdateReason = "re-entry"): Noted {
    const p = this.owner(a);
    const style = EXCHANGES[a.exchange]!.style;
    const notes: RecordNote[] = [];
    let kyc: Partial<IdentityRecord>;
    if (reason === "re-entry" || p.identity.kind === "corporate") {
      const again = p.identity.kind === "corporate" ? { record: renderCorporate(rng, style, p.identity), notes: [] } : renderIndividual(rng, style, p.identity, { latin: false, contact: true, profile: false }, viewAt(p.identity, t));
      const r = again.record;
      const which = rng.int(0, 2);
      kyc = which === 0 && r.phone !== undefined ? { phone: r.phone } : which === 1 && r.address !== undefined ? { address: r.address, ...(r.postalCode !== undefined ? { postalCode: r.postalCode } : {}) } : { email: r.email ?? "" };
      if (kyc.email === "") delete kyc.email;
      const kept = kyc.phone !== undefined ? ["typo:phone"] : kyc.address !== undefined ? ["typo:address", "typo:postal", "former-address"] : ["typo:email"];
      for (const n of again.notes) if (kept.includes(n)) notes.push(n);
    } else {
      const id0 = p.identity;
      kyc = {};
      if (reason === "rename" || reason === "rename+move") {
        const { name, nameKana } = renderPersonName(rng, style, id0.name, notes);
        kyc.name = name;
        kyc.nameKana = nameKana;
        if (rng.chance(style.latin * 0.6)) kyc.nameLatin = renderLatinName(rng, id0.name, notes);
      }
      if ((reason === "move" || reason === "rename+move") && id0.address.kind === "jp") {
        kyc.postalCode = renderPostal(rng, style, id0.address.postalCode);
        kyc.address = renderAddress(rng, style, id0.address);
      }
    }
    return { event: { id, type: "account.updated", ts: jst(t), source: this.source(a), accountId: a.id, kyc } as EventInput, notes };
  }

  accountUpdated(id: string, t: number, a: Account, rng: Rng, reason: UpdateReason = "re-entry"): EventInput {
    return this.accountUpdatedNoted(id, t, a, rng, reason).event;
  }

  accountClosed(id: string, t: number, a: Account, rng: Rng): EventInput {
    return { id, type: "account.closed", ts: jst(t), source: this.source(a), accountId: a.id, reason: rng.pick(["customer request", "dormant", "customer request", "moved abroad"]) };
  }

  /** A bureau's report: its subject as the bureau holds the person (a name or address it has not updated yet) and credit figures. */
  creditReportNoted(id: string, t: number, p: Person, bureau: number): Noted {
    if (p.identity.kind !== "individual") throw new RangeError("credit reports are about individuals");
    const b = BUREAUS[bureau]!;
    const rng = Rng.derive(this.seed, "credit", p.index, bureau);
    const view = bureauViewAt(Rng.derive(this.seed, "credit-view", p.index, bureau), p.identity, t);
    const { record: subject, notes } = renderIndividual(rng, b.style, p.identity, { latin: true, contact: b.kind === "national" || rng.chance(0.6), profile: false }, view);
    const z = p.creditZ + rng.normal(0, 0.25);
    const score = Math.max(0, Math.min(1000, Math.round(620 + 115 * z)));
    const delinquencies = rng.poisson(0.08 * Math.exp(-1.3 * z));
    const e: Record<string, unknown> = { id, type: "credit.report", ts: jst(t), source: b.id, bureau: b.id, subject, creditScore: score };
    if (rng.chance(0.8)) e.annualIncomeJpy = String(Math.round((p.identity.incomeJpy * rng.range(0.85, 1.1)) / 10_000) * 10_000);
    e.debtJpy = String(Math.round((rng.chance(0.45) ? rng.logNormal(1_500_000 * Math.exp(-0.3 * z), 1.3) : 0) / 1_000) * 1_000);
    e.delinquencies = delinquencies;
    if (z < -2.3 && rng.chance(0.5)) e.bankruptcy = true;
    else if (rng.chance(0.3)) e.bankruptcy = false;
    return { event: e as EventInput, notes };
  }

  creditReport(id: string, t: number, p: Person, bureau: number): EventInput {
    return this.creditReportNoted(id, t, p, bureau).event;
  }

  /** A social-media link: from an exchange (by account) or from a bureau (by identity subject, often under the name the profile was opened with). */
  socialLinkNoted(id: string, t: number, p: Person, handle: number, via: { account: Account } | { bureau: number }): Noted {
    const h = p.social[handle]!;
    if ("account" in via) {
      return { event: { id, type: "social.link", ts: jst(t), source: this.source(via.account), platform: h.platform, handle: h.handle, accountId: via.account.id, verified: hashParts(this.seed, ["verified", p.index, handle]) % 3 === 0 }, notes: [] };
    }
    const b = BUREAUS[via.bureau]!;
    if (p.identity.kind !== "individual") throw new RangeError("bureau social links are about individuals");
    const rng = Rng.derive(this.seed, "social-subject", p.index, handle);
    const view = socialViewAt(Rng.derive(this.seed, "social-view", p.index, handle), p.identity, t);
    const full = renderIndividual(rng, b.style, p.identity, { latin: false, contact: false, profile: false }, view);
    const r = full.record;
    const shown = view.formerName && p.identity.formerName !== undefined ? p.identity.formerName : p.identity.name;
    const subject: IdentityRecord = { name: r.name, ...(r.nameKana !== undefined ? { nameKana: r.nameKana } : {}), ...(r.dateOfBirth !== undefined ? { dateOfBirth: r.dateOfBirth } : {}), nameLatin: canonicalLatin(shown) };
    const notes = full.notes.filter((n) => n === "former-name" || n === "typo:kana" || n === "typo:kanji" || n === "typo:dob");
    return { event: { id, type: "social.link", ts: jst(t), source: b.id, platform: h.platform, handle: h.handle, subject, verified: false } as EventInput, notes };
  }

  socialLink(id: string, t: number, p: Person, handle: number, via: { account: Account } | { bureau: number }): EventInput {
    return this.socialLinkNoted(id, t, p, handle, via).event;
  }

  /** An account-to-account move inside one venue (family, a friend, the owner's other account). */
  transfer(id: string, t: number, from: Account, to: Account, asset: string, amount: string, value: number): EventInput {
    return { id, type: "transfer", ts: jst(t), source: this.source(from), fromAccountId: from.id, toAccountId: to.id, asset, amount, valueJpy: String(value) };
  }

  /** The address an exchange gave an account for deposits on a chain (one per account and network). */
  depositAddress(a: Account, asset: AssetSeries): string {
    return syntheticAddress(Rng.derive(this.seed, "deposit-address", a.index, asset.def.network), asset.def.addressKind);
  }

  /** An exchange's hot (withdrawals are paid from it, deposits swept into it) and cold wallet on a chain. */
  custodyWallet(exchange: number, asset: AssetSeries, kind: "hot" | "cold"): string {
    return syntheticAddress(Rng.derive(this.seed, "custody", exchange, asset.def.network, kind), asset.def.addressKind);
  }

  chainTransfer(id: string, t: number, asset: AssetSeries, txHash: string, from: string, to: string, amount: string, value: number): EventInput {
    return {
      id, type: "chain.transfer", ts: jst(t), source: RESEARCH_FIRMS.chain, network: asset.def.network, txHash, fromAddress: from, toAddress: to,
      asset: asset.def.asset, amount, valueJpy: String(value), blockHeight: blockHeight(asset.def.network, t),
    };
  }

  /**
   * The on-chain side of a crypto deposit (its sender → the account's deposit address) or withdrawal
   * (the exchange's hot wallet → its recipient): the same transaction hash, seen from the chain.
   */
  chainMirror(id: string, t: number, a: Account, movement: EventInput): EventInput {
    const m = movement as Extract<EventInput, { type: "deposit" | "withdrawal" }>;
    const asset = this.markets.asset(m.asset);
    const value = Number(m.valueJpy ?? 0);
    const txHash = m.txHash ?? "";
    if (m.type === "deposit") return this.chainTransfer(id, t, asset, txHash, String(m.fromAddress), this.depositAddress(a, asset), String(m.amount), value);
    return this.chainTransfer(id, t, asset, txHash, this.custodyWallet(a.exchange, asset, "hot"), String(m.toAddress), String(m.amount), value);
  }

  /** The exchange sweeping a credited deposit from the account's deposit address into its hot wallet. */
  depositSweep(id: string, t: number, a: Account, deposit: EventInput, rng: Rng): EventInput {
    const d = deposit as Extract<EventInput, { type: "deposit" }>;
    const asset = this.markets.asset(d.asset);
    return this.chainTransfer(id, t, asset, txHash(rng, asset.def.addressKind), this.depositAddress(a, asset), this.custodyWallet(a.exchange, asset, "hot"), String(d.amount), Number(d.valueJpy ?? 0));
  }

  /** An exchange moving part of an asset between its hot and cold wallets (a share of the venue's daily volume). */
  custodyMove(id: string, t: number, exchange: number, asset: AssetSeries, toCold: boolean, rng: Rng): EventInput {
    const v = asset.venues[asset.venueOf[exchange]!]!;
    const k = this.markets.tickBefore(t);
    const qty = v.volume24h[k]! * rng.range(0.01, 0.08);
    const amount = formatNumber(Math.max(10 ** -asset.def.qtyDp, qty), asset.def.qtyDp);
    const value = Math.round(Number(amount) * this.markets.mid(asset, exchange, t));
    const hot = this.custodyWallet(exchange, asset, "hot");
    const cold = this.custodyWallet(exchange, asset, "cold");
    return this.chainTransfer(id, t, asset, txHash(rng, asset.def.addressKind), toCold ? hot : cold, toCold ? cold : hot, amount, value);
  }

  /** An unhosted address of the wider chain (payments, DeFi, other people's wallets). */
  poolAddress(asset: AssetSeries, k: number): string {
    return syntheticAddress(Rng.derive(this.seed, "pool", asset.def.network, k), asset.def.addressKind);
  }

  /** An exchange announcing a new market. */
  listingAnnounced(id: string, t: number, exchange: number, asset: string, listingAt: number | null): EventInput {
    const e: EventInput = { id, type: "listing.announced", ts: jst(t), source: EXCHANGES[exchange]!.id, asset, market: `${asset}/JPY`, announcedAt: jst(t) };
    if (listingAt !== null) (e as { listingAt?: string }).listingAt = jst(listingAt);
    return e;
  }

  addressLabel(id: string, t: number, l: AddressLabelRecord, rng: Rng): EventInput {
    return {
      id, type: "address.label", ts: jst(t), source: RESEARCH_FIRMS[l.publisher], network: l.network, address: l.address, label: l.label,
      entityName: l.entityName, confidence: l.label === "sanctioned" ? 1 : Math.round(rng.range(0.8, 0.99) * 100) / 100, reference: l.reference,
    };
  }
}
