// A deterministic stream of plain typed events (deposits, withdrawals, trades, snapshots, logins)
// for throughput measurements and property tests of the engine. Not the consortium simulator (that
// is src/sim/): no people, no labels, just volume with a sprinkling of near-threshold amounts so
// every typology has work to do.
import { MONEY_SCALE, type AccountId, type Event, type Money, type SourceId } from "../contracts/index.ts";

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticOptions {
  /** How many events. */
  count: number;
  seed?: number;
  /** Distinct accounts (default count / 50, at least 10). */
  accounts?: number;
  /** Mean gap between events in ms (default 50 ms: a million events ≈ 14 hours). */
  meanGapMs?: number;
  /** Event time of the first event (default 2025-01-06T00:00:00Z). */
  start?: number;
  source?: string;
}

const yen = (n: number): Money => (BigInt(Math.round(n)) * MONEY_SCALE) as Money;
/** A decimal quantity with 4 places, exactly. */
const qty = (n: number): Money => ((BigInt(Math.round(n * 10_000)) * MONEY_SCALE) / 10_000n) as Money;

const MARKETS = [
  { asset: "BTC", market: "BTC/JPY", price: 10_000_000, volume: 3_000, depth: 40 },
  { asset: "ETH", market: "ETH/JPY", price: 500_000, volume: 50_000, depth: 600 },
  { asset: "XEM", market: "XEM/JPY", price: 5, volume: 20_000_000, depth: 1_500_000 },
] as const;

/** A standard normal draw (Box–Muller). */
function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** `count` events in non-decreasing event time, the same for the same options. */
export function syntheticEvents(opts: SyntheticOptions): Event[] {
  const r = rng(opts.seed ?? 1);
  const n = opts.count;
  const nAcc = Math.max(10, opts.accounts ?? Math.floor(n / 50));
  const gap = opts.meanGapMs ?? 50;
  const source = (opts.source ?? "syn") as SourceId;
  let t = opts.start ?? Date.UTC(2025, 0, 6);
  const out: Event[] = new Array(n);
  const acc = (): AccountId => `acc-${Math.floor(r() * nAcc)}` as AccountId;
  let seq = 0;
  // Each type is built as one literal with a fixed key order, as parseEvent's output has: objects of
  // one type share a shape, which is what the engine sees in production.
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * 2 * gap);
    const id = `e${++seq}`;
    const ts = new Date(t).toISOString();
    const x = r();
    const m = MARKETS[Math.floor(r() * MARKETS.length)]!;
    let e: unknown;
    if (i < nAcc && i % 7 === 0) {
      e = { id, ts, source, type: "account.opened", accountId: `acc-${i}`, customerType: i % 5 === 0 ? "corporate" : "individual", kyc: { name: "Synthetic" }, time: t };
    } else if (x < 0.02) {
      e = {
        id, ts, source, type: "market.snapshot", market: m.market, midPrice: yen(m.price * (0.95 + r() * 0.1)),
        volume24h: qty(m.volume * (0.5 + r())), depthBid1pct: qty(m.depth * (0.5 + r())), depthAsk1pct: qty(m.depth * (0.5 + r())), time: t,
      };
    } else if (x < 0.3) {
      const bank = r() < 0.5;
      const near = r() < 0.05;
      // Retail-like sizes: log-normal around ¥100,000 (bank) / ¥50,000 (crypto), a long tail past
      // ¥1,000,000, and a few just under the reporting lines.
      const typical = (median: number) => Math.min(50_000_000, Math.max(1_000, median * Math.exp(1.2 * normal(r))));
      const value = bank ? (near ? 1_600_000 + r() * 399_999 : typical(100_000)) : near ? 80_000 + r() * 19_999 : typical(50_000);
      const type = r() < 0.55 ? "deposit" : "withdrawal";
      e = bank
        ? { id, ts, source, type, accountId: acc(), asset: "JPY", amount: yen(value), channel: "bank", valueJpy: undefined, time: t }
        : { id, ts, source, type, accountId: acc(), asset: m.asset, amount: qty(value / m.price), channel: "crypto", valueJpy: yen(value), time: t };
    } else if (x < 0.75) {
      const q = qty((20_000 + r() * 500_000) / m.price);
      e = { id, ts, source, type: "trade", tradeId: `t${seq}`, market: m.market, price: yen(m.price), quantity: q, buyAccountId: acc(), sellAccountId: acc(), time: t };
    } else {
      e = { id, ts, source, type: "login", accountId: acc(), ip: "192.0.2.1", time: t };
    }
    out[i] = e as Event;
  }
  return out;
}
