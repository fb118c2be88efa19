// The simulator's plan: everything decided before the first event is written. Sessions are compact
// descriptions (a trading session's orders and their fates, a money movement's legs) expanded into
// events lazily, in time order, when the stream is read.
import type { EventInput } from "../contracts/index.ts";
import type { UpdateReason } from "./factory.ts";

/** One planned leg of a money movement or a planned trade. */
export interface PlannedOp {
  t: number;
  kind: "deposit" | "withdrawal" | "buy" | "sell" | "transfer";
  /** deposits and withdrawals only */
  channel?: "bank" | "crypto";
  /** JPY or a coin ticker */
  asset: string;
  /** Quantity as printed (coins, or yen for JPY). */
  amount: string;
  /** JPY value, whole yen. */
  value: number;
  /** buy / sell: number of fills against the market maker (1–3). */
  fills?: number;
  /** crypto withdrawals: send to one of the account's own wallets (else a fresh address). */
  ownWallet?: boolean;
  /** crypto deposits: when the transaction landed on chain (before `t`); withdrawals: when it was broadcast (after `t`; absent when past the period). */
  chainAt?: number;
  /** crypto deposits: when the exchange swept it into its hot wallet (absent when past the period). */
  sweepAt?: number;
  /** transfers: the receiving account index, and whether it belongs to the same owner. */
  to?: number;
  own?: boolean;
}

/** One order of a trading session, with its fate decided up front. */
export interface OrderPlan {
  t: number;
  asset: number;
  side: "buy" | "sell";
  kind: "market" | "limit";
  /** Quantity, as printed. */
  quantity: string;
  /** Limit price offset from mid, as a fraction (limit orders). */
  offset: number;
  /** market: 1–3 immediate fills; limit: 0 or 1 later fill. */
  fills: number;
  /** limit fill: when, and which share of the quantity. */
  fillAt: number;
  fillShare: number;
  /** limit cancel (of what is left): when, or -1 when it stays open. */
  cancelAt: number;
}

export type Session =
  | { kind: "snapshot"; t: number; k: number; n: number }
  | { kind: "quote"; t: number; q: number; n: number }
  | { kind: "open"; t: number; account: number; id: string; n: number }
  | { kind: "credit"; t: number; person: number; bureau: number; id: string; n: number }
  | { kind: "social"; t: number; person: number; account: number; bureau: number; handle: number; id: string; source: string; n: number }
  | { kind: "label"; t: number; label: number; id: string; n: number }
  | { kind: "trade"; t: number; account: number; no: number; orders: OrderPlan[]; n: number }
  | { kind: "macro"; t: number; account: number; no: number; ops: PlannedOp[]; n: number }
  | { kind: "fixed"; t: number; events: { t: number; e: EventInput }[]; n: number }
  | { kind: "login"; t: number; account: number; no: number; n: number }
  | { kind: "update"; t: number; account: number; no: number; id: string; reason: UpdateReason; n: number }
  | { kind: "close"; t: number; account: number; no: number; n: number }
  /** a background on-chain move: from / to one of `account`'s own wallets (or -1: between unhosted addresses) */
  | { kind: "chain"; t: number; no: number; asset: number; account: number; outgoing: boolean; n: number }
  /** an exchange moving funds between its hot and cold wallets */
  | { kind: "custody"; t: number; no: number; exchange: number; asset: number; toCold: boolean; n: number }
  | { kind: "listing"; t: number; id: string; exchange: number; asset: string; listingAt: number | null; n: number };

/** Events a trading session emits: a login, then per order its placement, fills and cancel. */
export function orderEventCount(o: OrderPlan): number {
  if (o.kind === "market") return 1 + o.fills;
  // a limit fill is the market maker's taking order plus the trade
  return 1 + 2 * o.fills + (o.cancelAt >= 0 ? 1 : 0);
}

/** Events a money-movement session emits: a login, each deposit / withdrawal, and for each trade its order and fills. */
export function opEventCount(op: PlannedOp): number {
  if (op.kind === "buy" || op.kind === "sell") return 1 + (op.fills ?? 1);
  return 1 + (op.chainAt !== undefined ? 1 : 0) + (op.sweepAt !== undefined ? 1 : 0);
}
