// Market-moving transfer: one deposit or withdrawal large enough, next to its market's liquidity,
// to move the price when it is sold or bought, the set-up for a pump-and-dump or for laundering
// through a thin market. See README.md.
//
// Semantics: a crypto deposit or withdrawal of asset A is compared with the latest snapshot of
// A/JPY at or before it (the one published by its own venue, the event's source, if any; else the
// latest from any venue). It is flagged when quantity ≥ volumeShare × volume24h, or quantity ≥
// depthShare × the depth within 1% of mid on the side it would hit (deposit → bid, it would be sold;
// withdrawal → ask, it was bought). A JPY bank deposit is flagged when its value ≥ depthShare × the
// reference market's ask-side depth in JPY (depthAsk1pct × midPrice). Lines depend on customer type.
import { formatMoney, keyOf, MONEY_SCALE, type Event, type Money } from "../../../contracts/index.ts";
import { clampScore, formatJpy, formatPercent, formatQuantity, formatShare, ppm, share } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, notEnoughHistory, type EvalContext, type MarketView, type Outcome } from "../../types.ts";
import { atLeastShare, isAmount, jpyMarket } from "../../values.ts";
import { marketMovingConfigSchema, marketMovingDefaults, type MarketMovingConfig } from "./config.ts";

export const id = "market-moving-transfer";
export const version = "1.0.0";

interface Lines {
  volumeShare: number;
  volumePpm: bigint;
  depthShare: number;
  depthPpm: bigint;
}

export interface MarketMovingParams {
  referenceMarket: string;
  individual: Lines;
  corporate: Lines;
}

/** Stateless: everything it needs is the shared market and profile context. */
export type MarketMovingState = Record<string, never>;

function prepare(c: MarketMovingConfig): MarketMovingParams {
  const lines = (l: MarketMovingConfig["individual"]): Lines => ({
    volumeShare: l.volumeShare,
    volumePpm: ppm(l.volumeShare),
    depthShare: l.depthShare,
    depthPpm: ppm(l.depthShare),
  });
  return { referenceMarket: c.referenceMarket, individual: lines(c.individual), corporate: lines(c.corporate) };
}

const positive = (m: Money | undefined): m is Money => typeof m === "bigint" && m > 0n;

/** Severity from the strongest crossing: at the line 60, twice the line 80, four times 100. */
const scoreOf = (timesLine: number): number => clampScore(60 + 20 * Math.log2(Math.max(1, timesLine)));

function onEvent(_state: MarketMovingState, e: Event, ctx: EvalContext<MarketMovingParams>): Outcome {
  if (e.type !== "deposit" && e.type !== "withdrawal") return CLEAR;
  if (typeof e.accountId !== "string" || typeof e.asset !== "string") return error(`a ${e.type} without an accountId or asset`);
  if (e.channel === "crypto" && e.asset !== "JPY") return cryptoMovement(e, ctx);
  if (e.channel === "bank" && e.type === "deposit" && e.asset === "JPY") return bankDeposit(e, ctx);
  return CLEAR;
}

function linesFor(accountId: string, ctx: EvalContext<MarketMovingParams>): { lines: Lines; customerType: string } {
  const ct = ctx.customerType(accountId);
  if (ct === "corporate") return { lines: ctx.params.corporate, customerType: "corporate" };
  return { lines: ctx.params.individual, customerType: ct ?? "unknown" };
}

const whoLabel = (customerType: string): string =>
  customerType === "corporate" ? "a corporate" : customerType === "individual" ? "an individual" : "an account of unknown type (individual lines)";

function cryptoMovement(e: Extract<Event, { type: "deposit" | "withdrawal" }>, ctx: EvalContext<MarketMovingParams>): Outcome {
  const market = jpyMarket(e.asset);
  const snap = ctx.market(market, e.source);
  if (snap === undefined) return notEnoughHistory(`no ${market} market snapshot at or before this event`);
  const q = e.amount;
  if (!isAmount(q)) return error("amount is not an exact non-negative amount");
  const side = e.type === "deposit" ? "bid" : "ask";
  const depth = side === "bid" ? snap.depthBid1pct : snap.depthAsk1pct;
  const hasVolume = positive(snap.volume24h);
  const hasDepth = positive(depth);
  if (!hasVolume && !hasDepth) return notEnoughHistory(`the ${market} snapshot has neither a 24h volume nor ${side}-side depth`);
  const { lines, customerType } = linesFor(e.accountId, ctx);
  const volHit = hasVolume && atLeastShare(q, snap.volume24h!, lines.volumePpm);
  const depthHit = hasDepth && atLeastShare(q, depth!, lines.depthPpm);
  if (!volHit && !depthHit) return CLEAR;

  const volRatio = hasVolume ? share(q, snap.volume24h!) : undefined;
  const depthRatio = hasDepth ? share(q, depth!) : undefined;
  const parts: string[] = [];
  if (volRatio !== undefined) parts.push(`${formatPercent(volRatio)} of ${market} 24h volume (line ${formatShare(lines.volumeShare)})`);
  if (depthRatio !== undefined) parts.push(`${formatPercent(depthRatio)} of the ${side}-side depth within 1% of mid (line ${formatShare(lines.depthShare)})`);
  const noun = e.type === "deposit" ? "Crypto deposit" : "Crypto withdrawal";
  const explanation =
    `${noun} of ${formatQuantity(q)} ${e.asset} is ${parts.join(" and ")}, for ${whoLabel(customerType)}; ` +
    `${e.type === "deposit" ? "sold at once it would push the price down" : "bought at once it would have pushed the price up"} (snapshot ${snap.ts}).`;
  const times = Math.max(volHit ? volRatio! / lines.volumeShare : 0, depthHit ? depthRatio! / lines.depthShare : 0);
  return hit([
    {
      subject: ctx.subjectRefOf(e.accountId),
      accounts: [e.accountId],
      evidence: [keyOf(e)],
      ts: e.ts,
      score: scoreOf(times),
      explanation,
      details: {
        market,
        direction: e.type,
        quantity: formatMoney(q),
        customerType,
        volume24h: snap.volume24h === undefined ? null : formatMoney(snap.volume24h),
        volumeShare: volRatio ?? null,
        volumeLine: lines.volumeShare,
        depthSide: side,
        depth1pct: depth === undefined ? null : formatMoney(depth),
        depthShare: depthRatio ?? null,
        depthLine: lines.depthShare,
        crossed: [...(volHit ? ["volume"] : []), ...(depthHit ? ["depth"] : [])],
        snapshot: snap.key,
        snapshotTs: snap.ts,
      },
    },
  ]);
}

function bankDeposit(e: Extract<Event, { type: "deposit" }>, ctx: EvalContext<MarketMovingParams>): Outcome {
  const market = ctx.params.referenceMarket;
  const snap: MarketView | undefined = ctx.market(market, e.source);
  if (snap === undefined) return notEnoughHistory(`no ${market} market snapshot at or before this event`);
  const depthAsk = snap.depthAsk1pct;
  if (!positive(depthAsk)) return notEnoughHistory(`the ${market} snapshot has no ask-side depth`);
  const v = e.amount;
  if (!isAmount(v)) return error("amount is not an exact non-negative amount");
  const depthJpy = ((depthAsk * snap.midPrice) / MONEY_SCALE) as Money;
  if (depthJpy <= 0n) return notEnoughHistory(`the ${market} ask-side depth is worth nothing at its mid price`);
  const { lines, customerType } = linesFor(e.accountId, ctx);
  if (!atLeastShare(v, depthJpy, lines.depthPpm)) return CLEAR;
  const r = share(v, depthJpy);
  const explanation =
    `Bank deposit of ${formatJpy(v)} is ${formatPercent(r)} of the ${market} ask-side depth within 1% of mid ` +
    `(${formatJpy(depthJpy)}; line ${formatShare(lines.depthShare)} for ${whoLabel(customerType)}); spent at once it would push the price up.`;
  return hit([
    {
      subject: ctx.subjectRefOf(e.accountId),
      accounts: [e.accountId],
      evidence: [keyOf(e)],
      ts: e.ts,
      score: scoreOf(r / lines.depthShare),
      explanation,
      details: {
        market,
        direction: "deposit",
        valueJpy: formatMoney(v),
        customerType,
        depthSide: "ask",
        depthAsk1pct: formatMoney(depthAsk),
        midPrice: formatMoney(snap.midPrice),
        depthJpy: formatMoney(depthJpy),
        depthShare: r,
        depthLine: lines.depthShare,
        crossed: ["depth"],
        snapshot: snap.key,
        snapshotTs: snap.ts,
      },
    },
  ]);
}

export const marketMovingTransfer = defineTypology<MarketMovingConfig, MarketMovingParams, MarketMovingState>({
  id,
  version,
  description:
    "A deposit or withdrawal large against its market: ≥ 5% of 24h volume or ≥ 50% of the 1% depth it would hit (corporates 10% / 100%); JPY bank deposits against the reference market's ask depth.",
  configSchema: marketMovingConfigSchema,
  defaultConfig: marketMovingDefaults,
  eventTypes: ["deposit", "withdrawal"],
  prepare,
  initialState: () => ({}),
  onEvent,
  size: () => 0,
});

export default marketMovingTransfer;
