// Market state over the simulated period: one mid-price path per asset (minute resolution, a
// geometric random walk), a small constant basis per venue, and per venue a 24h volume and an order
// book depth within 1% of mid on each side that wander (mean-reverting in log space) and thin out at
// night. Snapshots are taken every 15 minutes from the start; every figure the simulator reasons
// with is the figure printed in the snapshot, so what the generator believes and what a detector
// reads agree.
import { EXCHANGES } from "./data/sources.ts";
import { MARKETS, type MarketDef } from "./data/markets.ts";
import { Rng } from "./rng.ts";
import { MINUTE, SNAPSHOT_INTERVAL, retailIntensity } from "./time.ts";

export interface VenueSeries {
  exchange: number;
  /** Constant price basis of this venue against the reference path. */
  basis: number;
  /** Per snapshot tick, as printed (rounded) in the snapshot. */
  mid: Float64Array;
  volume24h: Float64Array;
  depthBid: Float64Array;
  depthAsk: Float64Array;
}

export interface AssetSeries {
  def: MarketDef;
  index: number;
  /** Mid price per minute from the start (reference path, before venue basis). */
  path: Float64Array;
  venues: VenueSeries[];
  /** venue index in `venues` by exchange index, or -1 when not listed there. */
  venueOf: Int16Array;
}

/** Which snapshot a transfer is measured against, and on which side. */
export type BookSide = "bid" | "ask";

export function formatNumber(x: number, dp: number): string {
  return x.toFixed(dp);
}
const roundTo = (x: number, dp: number): number => Number(x.toFixed(dp));

export class Markets {
  readonly assets: AssetSeries[];
  readonly bySymbol: Map<string, AssetSeries>;
  readonly ticks: number;
  /** Assets listed per exchange index. */
  readonly listed: AssetSeries[][];

  constructor(
    seed: number,
    readonly start: number,
    readonly end: number,
  ) {
    const minutes = Math.ceil((end - start) / MINUTE) + 1;
    this.ticks = Math.ceil((end - start) / SNAPSHOT_INTERVAL);
    this.assets = MARKETS.map((def, index) => this.buildAsset(seed, def, index, minutes));
    this.bySymbol = new Map(this.assets.map((a) => [a.def.asset, a]));
    this.listed = EXCHANGES.map((_, e) => this.assets.filter((a) => a.venueOf[e]! >= 0));
  }

  private buildAsset(seed: number, def: MarketDef, index: number, minutes: number): AssetSeries {
    const rng = Rng.derive(seed, "price", def.asset);
    const path = new Float64Array(minutes);
    const sigma = def.dailyVol / Math.sqrt(1440);
    let x = Math.log(def.price * Math.exp(rng.normal(0, def.dailyVol * 2)));
    for (let i = 0; i < minutes; i++) {
      path[i] = Math.exp(x);
      x += rng.normal(-0.5 * sigma * sigma, sigma);
    }
    const venueOf = new Int16Array(EXCHANGES.length).fill(-1);
    const venues: VenueSeries[] = [];
    EXCHANGES.forEach((ex, e) => {
      const liq = def.venues[ex.id];
      if (liq === undefined) return;
      venueOf[e] = venues.length;
      const vr = Rng.derive(seed, "venue", def.asset, ex.id);
      const basis = Math.exp(vr.normal(0, 0.0007));
      const mid = new Float64Array(this.ticks);
      const volume24h = new Float64Array(this.ticks);
      const depthBid = new Float64Array(this.ticks);
      const depthAsk = new Float64Array(this.ticks);
      // log deviations: AR(1) with stationary sd 0.15 (volume) and 0.2 (depth)
      let yv = vr.normal(0, 0.15);
      let yb = vr.normal(0, 0.2);
      let ya = vr.normal(0, 0.2);
      const ev = 0.15 * Math.sqrt(1 - 0.98 * 0.98);
      const ed = 0.2 * Math.sqrt(1 - 0.9 * 0.9);
      const depthDp = Math.min(def.qtyDp, 4);
      for (let k = 0; k < this.ticks; k++) {
        const t = this.start + k * SNAPSHOT_INTERVAL;
        const m = Math.floor((t - this.start) / MINUTE);
        mid[k] = roundTo(path[m]! * basis, def.pxDp);
        const dayFactor = 0.8 + 0.2 * Math.min(1, retailIntensity(t));
        volume24h[k] = roundTo(liq.volume24h * Math.exp(yv), 2);
        depthBid[k] = roundTo(liq.depth1pct * dayFactor * Math.exp(yb), depthDp);
        depthAsk[k] = roundTo(liq.depth1pct * dayFactor * Math.exp(ya), depthDp);
        yv = 0.98 * yv + vr.normal(0, ev);
        yb = 0.9 * yb + vr.normal(0, ed);
        ya = 0.9 * ya + vr.normal(0, ed);
      }
      venues.push({ exchange: e, basis, mid, volume24h, depthBid, depthAsk });
    });
    return { def, index, path, venues, venueOf };
  }

  asset(symbol: string): AssetSeries {
    const a = this.bySymbol.get(symbol);
    if (a === undefined) throw new RangeError(`no market for ${symbol}`);
    return a;
  }

  /** Venue mid price at time t (minute path × venue basis), unrounded. */
  mid(a: AssetSeries, exchange: number, t: number): number {
    const m = Math.min(a.path.length - 1, Math.max(0, Math.floor((t - this.start) / MINUTE)));
    const v = a.venueOf[exchange]!;
    const basis = v >= 0 ? a.venues[v]!.basis : 1;
    return a.path[m]! * basis;
  }

  /** Index of the latest snapshot strictly before t (clamped to the first). */
  tickBefore(t: number): number {
    const k = Math.ceil((t - this.start) / SNAPSHOT_INTERVAL) - 1;
    return Math.min(this.ticks - 1, Math.max(0, k));
  }

  tickTime(k: number): number {
    return this.start + k * SNAPSHOT_INTERVAL;
  }

  /**
   * The smallest quantity that any plausible reading of "the latest snapshot before t" would call
   * market-moving: the minimum over venues listing the asset, over the latest and the previous
   * snapshot, of min(volumeShare × volume24h, depthShare × depth on `side`). Background transfers are
   * kept well under it.
   */
  lowestLine(a: AssetSeries, side: BookSide, t: number, volumeShare: number, depthShare: number): number {
    const k = this.tickBefore(t);
    let best = Number.POSITIVE_INFINITY;
    for (const v of a.venues) {
      for (const kk of k > 0 ? [k, k - 1] : [k]) {
        const depth = side === "bid" ? v.depthBid[kk]! : v.depthAsk[kk]!;
        best = Math.min(best, volumeShare * v.volume24h[kk]!, depthShare * depth);
      }
    }
    return best;
  }

  /** The largest depth line over venues at the latest snapshot before t: an injection above it crosses any reading. */
  highestDepthLine(a: AssetSeries, side: BookSide, t: number, depthShare: number): number {
    const k = this.tickBefore(t);
    let best = 0;
    for (const v of a.venues) best = Math.max(best, depthShare * (side === "bid" ? v.depthBid[k]! : v.depthAsk[k]!));
    return best;
  }

  /** JPY value of the reference market's (BTC/JPY) ask-side depth: min or max over venues, latest (and previous) snapshot. */
  askDepthJpy(t: number, which: "min" | "max"): number {
    const a = this.asset("BTC");
    const k = this.tickBefore(t);
    let best = which === "min" ? Number.POSITIVE_INFINITY : 0;
    for (const v of a.venues) {
      for (const kk of which === "min" && k > 0 ? [k, k - 1] : [k]) {
        const x = v.depthAsk[kk]! * v.mid[kk]!;
        best = which === "min" ? Math.min(best, x) : Math.max(best, x);
      }
    }
    return best;
  }
}
