// Expanding the plan into events, in non-decreasing time order, without holding the day in memory.
// Sessions are taken in start order; each schedules builders for its events (at or after its start)
// in a min-heap, and a builder runs (allocating ids, formatting timestamps) when no later session can
// produce anything earlier. Builders run in (time, schedule order), so ids come out the same every run.
import type { EventInput } from "../contracts/index.ts";
import type { Plan } from "./plan.ts";
import type { OrderPlan, PlannedOp, Session } from "./plan-types.ts";
import type { Account } from "./population.ts";
import type { AssetSeries } from "./market.ts";
import { formatNumber } from "./market.ts";
import { Rng } from "./rng.ts";
import { EXCHANGES, RESEARCH_FIRMS } from "./data/sources.ts";
import { txHash } from "./factory.ts";

const CHAIN = RESEARCH_FIRMS.chain;

/** What the heap holds: a function that builds the event(s) due at its time, called when they are due. */
type Due = () => EventInput | EventInput[];

/**
 * Binary min-heap on (t, seq), in parallel arrays. It holds builders, not events: events are made
 * (ids allocated, timestamps formatted) only when due, so little lives long between session start and
 * the events' time.
 */
class DueHeap {
  private t: number[] = [];
  private q: number[] = [];
  private f: Due[] = [];
  get size(): number {
    return this.f.length;
  }
  peekT(): number {
    return this.t[0]!;
  }
  private less(i: number, j: number): boolean {
    const ti = this.t[i]!;
    const tj = this.t[j]!;
    return ti < tj || (ti === tj && this.q[i]! < this.q[j]!);
  }
  private swap(i: number, j: number): void {
    const t = this.t[i]!;
    this.t[i] = this.t[j]!;
    this.t[j] = t;
    const q = this.q[i]!;
    this.q[i] = this.q[j]!;
    this.q[j] = q;
    const f = this.f[i]!;
    this.f[i] = this.f[j]!;
    this.f[j] = f;
  }
  push(t: number, seq: number, f: Due): void {
    this.t.push(t);
    this.q.push(seq);
    this.f.push(f);
    let i = this.f.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): Due {
    const top = this.f[0]!;
    const n = this.f.length - 1;
    if (n > 0) this.swap(0, n);
    this.t.pop();
    this.q.pop();
    this.f.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/** Quantities as integers of the asset's smallest printed unit, so splitting them is exact. */
function toUnits(q: string, dp: number): number {
  return Math.round(Number(q) * 10 ** dp);
}
function fromUnits(units: number, dp: number): string {
  if (dp === 0) return String(units);
  const s = String(units).padStart(dp + 1, "0");
  return `${s.slice(0, -dp)}.${s.slice(-dp)}`;
}

export function* streamEvents(plan: Plan): Generator<EventInput, void, undefined> {
  const { markets, pop, factory } = plan;
  const ids = plan.ids.fork();
  const seed = plan.options.seed;
  const heap = new DueHeap();
  let seq = 0;
  const at = (t: number, f: Due) => heap.push(t, seq++, f);

  const mmOf = (a: Account): Account => pop.accounts[pop.marketMakers[a.exchange]!]!;

  /** A marketable order and its fills against the market maker's resting quote, all at time t. */
  const marketOrder = (a: Account, t: number, asset: AssetSeries, side: "buy" | "sell", quantity: string, fills: number, rng: Rng): EventInput[] => {
    const src = factory.source(a);
    const market = asset.def.market;
    const orderId = ids.next(src, "od");
    const out: EventInput[] = [factory.orderPlaced(orderId, t, a, market, side, "market", quantity)];
    const dp = asset.def.qtyDp;
    const units = toUnits(quantity, dp);
    const mm = mmOf(a);
    const quote = factory.quoteId(a.exchange, factory.quoteIndex(t), asset.index, side === "buy" ? "sell" : "buy");
    const mid = markets.mid(asset, a.exchange, t);
    const me = { account: a.id, order: orderId };
    const them = { account: mm.id, order: quote };
    let left = units;
    for (let f = 0; f < fills; f++) {
      const take = f === fills - 1 ? left : Math.max(1, Math.min(left - (fills - 1 - f), Math.floor(units * rng.range(0.2, 0.6))));
      left -= take;
      // fills walk the book away from mid; a part of zero units (tiny orders) still prints one unit
      const px = formatNumber(mid * (1 + (side === "buy" ? 1 : -1) * asset.def.halfSpread * (1 + 0.6 * f)), asset.def.pxDp);
      out.push(factory.trade(ids.next(src, "tr"), t, src, market, px, fromUnits(Math.max(1, take), dp), side === "buy" ? me : them, side === "buy" ? them : me, side));
    }
    return out;
  };

  /** A resting limit order: placed now; filled by the market maker and / or cancelled later. */
  const limitOrder = (a: Account, o: OrderPlan, asset: AssetSeries) => {
    const src = factory.source(a);
    const market = asset.def.market;
    const dp = asset.def.qtyDp;
    const placed = { id: "", price: "" };
    at(o.t, () => {
      placed.id = ids.next(src, "od");
      const mid = markets.mid(asset, a.exchange, o.t);
      placed.price = formatNumber(mid * (o.side === "buy" ? 1 - o.offset : 1 + o.offset), asset.def.pxDp);
      return factory.orderPlaced(placed.id, o.t, a, market, o.side, "limit", o.quantity, placed.price);
    });
    const units = toUnits(o.quantity, dp);
    const filled = o.fills === 0 ? 0 : o.fillShare >= 1 ? units : Math.max(1, Math.min(units, Math.floor(units * o.fillShare)));
    if (filled > 0) {
      at(o.fillAt, () => {
        const mm = mmOf(a);
        const mmSide = o.side === "buy" ? "sell" : "buy";
        const qty = fromUnits(filled, dp);
        const mmOrder = ids.next(src, "od");
        const me = { account: a.id, order: placed.id };
        const them = { account: mm.id, order: mmOrder };
        return [
          factory.orderPlaced(mmOrder, o.fillAt, mm, market, mmSide, "market", qty),
          factory.trade(ids.next(src, "tr"), o.fillAt, src, market, placed.price, qty, o.side === "buy" ? me : them, o.side === "buy" ? them : me, mmSide),
        ];
      });
    }
    if (o.cancelAt >= 0) at(o.cancelAt, () => factory.orderCancelled(ids.next(src, "oc"), o.cancelAt, a, placed.id, market, fromUnits(Math.max(0, units - filled), dp)));
  };

  const op = (a: Account, x: PlannedOp, rng: Rng) => {
    if (x.kind === "buy" || x.kind === "sell") {
      const kind = x.kind;
      at(x.t, () => marketOrder(a, x.t, markets.asset(x.asset), kind, x.amount, x.fills ?? 1, rng));
      return;
    }
    if (x.kind === "transfer") {
      at(x.t, () => factory.transfer(ids.next(factory.source(a), "tf"), x.t, a, pop.accounts[x.to!]!, x.asset, x.amount, x.value));
      return;
    }
    const kind = x.kind;
    const spec = { kind, channel: x.channel ?? "bank", asset: x.asset, amount: x.amount, value: x.value, ...(x.ownWallet !== undefined ? { ownWallet: x.ownWallet } : {}) };
    const build = () => factory.movement(ids.next(factory.source(a), kind === "deposit" ? "dp" : "wd"), x.t, a, spec, rng);
    const sweep = (dep: EventInput) => {
      if (x.sweepAt !== undefined) {
        const ts = x.sweepAt;
        at(ts, () => factory.depositSweep(ids.next(CHAIN, "ct"), ts, a, dep, rng));
      }
    };
    if (kind === "deposit" && x.chainAt !== undefined) {
      // the transaction lands on chain first; the exchange credits it after its confirmations
      const tc = x.chainAt;
      at(tc, () => {
        const dep = build();
        at(x.t, () => dep);
        sweep(dep);
        return factory.chainMirror(ids.next(CHAIN, "ct"), tc, a, dep);
      });
      return;
    }
    at(x.t, () => {
      const e = build();
      if (kind === "withdrawal" && x.chainAt !== undefined) {
        const tc = x.chainAt;
        at(tc, () => factory.chainMirror(ids.next(CHAIN, "ct"), tc, a, e));
      }
      if (kind === "deposit") sweep(e);
      return e;
    });
  };

  const login = (a: Account, t: number, rng: Rng) => at(t, () => factory.login(ids.next(factory.source(a), "lg"), t, a, rng));

  /** A background on-chain move: a customer's own wallet paying an unhosted address or being paid by one, or two unhosted addresses. */
  const unhosted = (s: Extract<Session, { kind: "chain" }>): EventInput => {
    const rng = Rng.derive(seed, "chain", s.no);
    const asset = markets.assets[s.asset]!;
    const pool = plan.chainPool;
    const k = rng.int(0, pool - 1);
    const other = factory.poolAddress(asset, k);
    let from: string;
    let to: string;
    if (s.account >= 0) {
      const own = factory.ownWallet(pop.accounts[s.account]!, asset, rng.int(0, 2));
      from = s.outgoing ? own : other;
      to = s.outgoing ? other : own;
    } else {
      from = other;
      to = factory.poolAddress(asset, (k + rng.int(1, pool - 1)) % pool);
    }
    const price = markets.mid(asset, asset.venues[0]!.exchange, s.t);
    const value = Math.min(rng.logNormal(40_000, 1.3), 5_000_000) * (asset.def.tier === "thin" ? 0.3 : 1);
    const amount = formatNumber(Math.max(10 ** -asset.def.qtyDp, value / price), asset.def.qtyDp);
    return factory.chainTransfer(ids.next(CHAIN, "ct"), s.t, asset, txHash(rng, asset.def.addressKind), from, to, amount, Math.max(1, Math.round(Number(amount) * price)));
  };

  const expand = (s: Session) => {
    switch (s.kind) {
      case "snapshot":
        at(s.t, () => {
          const out: EventInput[] = [];
          for (const asset of markets.assets) for (const v of asset.venues) out.push(factory.snapshot(ids.next(EXCHANGES[v.exchange]!.id, "ms"), s.t, v.exchange, asset, s.k));
          return out;
        });
        return;
      case "quote":
        at(s.t, () => {
          const rng = Rng.derive(seed, "quote", s.q);
          const k = markets.tickBefore(s.t + 1);
          const out: EventInput[] = [];
          for (const asset of markets.assets) {
            for (const v of asset.venues) {
              const mm = pop.accounts[pop.marketMakers[v.exchange]!]!;
              const src = factory.source(mm);
              const mid = markets.mid(asset, v.exchange, s.t);
              if (s.q > 0) for (const side of ["buy", "sell"] as const) out.push(factory.orderCancelled(ids.next(src, "oc"), s.t, mm, factory.quoteId(v.exchange, s.q - 1, asset.index, side), asset.def.market));
              for (const side of ["buy", "sell"] as const) {
                const depth = side === "buy" ? v.depthBid[k]! : v.depthAsk[k]!;
                const qty = formatNumber(Math.max(10 ** -asset.def.qtyDp, depth * rng.range(0.03, 0.1)), asset.def.qtyDp);
                const px = formatNumber(mid * (side === "buy" ? 1 - asset.def.halfSpread : 1 + asset.def.halfSpread), asset.def.pxDp);
                out.push(factory.orderPlaced(factory.quoteId(v.exchange, s.q, asset.index, side), s.t, mm, asset.def.market, side, "limit", qty, px));
              }
            }
          }
          return out;
        });
        return;
      case "open":
        at(s.t, () => factory.accountOpened(s.id, s.t, pop.accounts[s.account]!));
        return;
      case "credit":
        at(s.t, () => factory.creditReport(s.id, s.t, pop.people[s.person]!, s.bureau));
        return;
      case "social":
        at(s.t, () => factory.socialLink(s.id, s.t, pop.people[s.person]!, s.handle, s.account >= 0 ? { account: pop.accounts[s.account]! } : { bureau: s.bureau }));
        return;
      case "label":
        at(s.t, () => factory.addressLabel(s.id, s.t, plan.labelsData[s.label]!, Rng.derive(seed, "label", s.label)));
        return;
      case "trade": {
        const a = pop.accounts[s.account]!;
        const rng = Rng.derive(seed, "x", s.no);
        login(a, s.t, rng);
        for (const o of s.orders) {
          const asset = markets.assets[o.asset]!;
          if (o.kind === "market") at(o.t, () => marketOrder(a, o.t, asset, o.side, o.quantity, o.fills, rng));
          else limitOrder(a, o, asset);
        }
        return;
      }
      case "macro": {
        const a = pop.accounts[s.account]!;
        const rng = Rng.derive(seed, "x", s.no);
        login(a, s.t, rng);
        for (const x of s.ops) op(a, x, rng);
        return;
      }
      case "login":
        login(pop.accounts[s.account]!, s.t, Rng.derive(seed, "x", s.no));
        return;
      case "update": {
        const a = pop.accounts[s.account]!;
        at(s.t, () => factory.accountUpdated(s.id, s.t, a, Rng.derive(seed, "x", s.no), s.reason));
        return;
      }
      case "chain":
        at(s.t, () => unhosted(s));
        return;
      case "custody":
        at(s.t, () => factory.custodyMove(ids.next(CHAIN, "ct"), s.t, s.exchange, markets.assets[s.asset]!, s.toCold, Rng.derive(seed, "custody", s.no)));
        return;
      case "listing":
        at(s.t, () => factory.listingAnnounced(s.id, s.t, s.exchange, s.asset, s.listingAt));
        return;
      case "close": {
        const a = pop.accounts[s.account]!;
        at(s.t, () => factory.accountClosed(ids.next(factory.source(a), "ac"), s.t, a, Rng.derive(seed, "x", s.no)));
        return;
      }
      case "fixed":
        for (const f of s.events) at(f.t, () => f.e);
        return;
    }
  };

  for (const s of plan.sessions) {
    while (heap.size > 0 && heap.peekT() < s.t) {
      const due = heap.pop()();
      if (Array.isArray(due)) yield* due;
      else yield due;
    }
    expand(s);
  }
  while (heap.size > 0) {
    const due = heap.pop()();
    if (Array.isArray(due)) yield* due;
    else yield due;
  }
}
