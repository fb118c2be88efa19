// spoofing-layering: orders placed to be seen, not filled.
//
//  spoof            a large limit order (35–90% of the 1%-depth on its side in the venue's latest
//                   snapshot) rests just inside the book; 3–20 s later the same account sells (buys)
//                   a little at market on the other side; 15–55 s after placing it the bait is
//                   cancelled, unfilled.
//  layering         3–5 limit orders on one side at distinct prices a few ticks apart (together
//                   45–100% of the depth), an opposite market order, all cancelled within a minute
//                   of their placement.
//  cancel-to-trade  an algorithm places and cancels 55–90 small limit orders away from mid within
//                   20–50 minutes, trading once or twice.
//
// Accounts: trading firms, whales and active traders; they do no other trading in the period.
import { EXCHANGES } from "../data/sources.ts";
import { formatNumber } from "../market.ts";
import type { Account } from "../population.ts";
import { HOUR, MINUTE, SECOND } from "../time.ts";
import type { Fixed } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

type Variant = "spoof" | "layering" | "cancel-to-trade";
const VARIANTS: readonly Variant[] = ["spoof", "layering", "cancel-to-trade"];

export const spoofingLayering: InjectionModule = {
  typology: "spoofing-layering",
  summary: "a large bait order cancelled within a minute while the same account trades the other side; layered baits; 50+ cancellations an hour with hardly a trade",
  plan(kit, count) {
    const { rng, ctx, markets, period } = kit;
    const traders = (x: Account) => x.segment === "trading-firm" || x.segment === "whale" || x.segment === "active";
    for (let i = 0; i < count; i++) {
      const v = VARIANTS[i % VARIANTS.length]!;
      const t0 = kit.off(ctx.start + Math.floor(rng.range(30 * MINUTE, period - HOUR)));
      const a = kit.pickAccount(traders, t0) ?? kit.pickAccount((x) => !x.corporate, t0);
      if (a === undefined) continue;
      kit.claim(a, true);
      const venue = EXCHANGES[a.exchange]!.id;
      // thin markets for most, a major for corporates' desks now and then
      const thin = markets.listed[a.exchange]!.filter((x) => x.def.tier === "thin");
      const asset = thin.length > 0 && rng.chance(0.7) ? rng.pick(thin) : kit.listedMajor(a);
      const series = asset.venues[asset.venueOf[a.exchange]!]!;
      const k = markets.tickBefore(t0);
      const mid = markets.mid(asset, a.exchange, t0);
      const events: Fixed[] = [];
      let note: string;
      if (v === "spoof" || v === "layering") {
        const baitSide = rng.chance(0.5) ? "buy" : "sell";
        const depth = baitSide === "buy" ? series.depthBid[k]! : series.depthAsk[k]!;
        const levels = v === "spoof" ? 1 : rng.int(3, 5);
        const share = v === "spoof" ? rng.range(0.35, 0.9) : rng.range(0.45, 1);
        const baits: Fixed[] = [];
        const dp = asset.def.qtyDp;
        let total = 0;
        for (let j = 0; j < levels; j++) {
          const t = kit.off(t0 + j * Math.floor(rng.range(0.5, 3) * SECOND));
          const q = (depth * share) / levels;
          const qty = formatNumber(Math.max(10 ** -dp, q), dp);
          total += Number(qty);
          const offset = asset.def.halfSpread * (1.2 + j * 0.8) + rng.range(0, 0.0005);
          baits.push(kit.limitOrder(a, t, asset, baitSide, qty, mid * (baitSide === "buy" ? 1 - offset : 1 + offset)));
        }
        const lastPlaced = baits[baits.length - 1]!.t;
        const tf = kit.off(lastPlaced + Math.floor(rng.range(3, 15) * SECOND));
        const fillValue = Math.min(400_000, Math.max(20_000, total * mid * rng.range(0.02, 0.1)));
        const fill = kit.marketOrder(a, tf, asset, baitSide === "buy" ? "sell" : "buy", kit.quantity(asset, fillValue, mid));
        const cancels = baits.map((b) => kit.cancel(a, kit.off(Math.max(tf + SECOND, b.t + Math.floor(rng.range(15, 55) * SECOND))), b, (b.e as { quantity: string }).quantity));
        events.push(...baits, ...fill, ...cancels);
        const life = Math.max(...cancels.map((c, j) => c.t - baits[j]!.t)) / SECOND;
        note =
          v === "spoof"
            ? `${baitSide} bait of ${baits[0]!.e.type === "order.placed" ? (baits[0]!.e as { quantity: string }).quantity : ""} ${asset.def.asset} (${(share * 100).toFixed(0)}% of the ${baitSide === "buy" ? "bid" : "ask"} depth) on ${venue} ${asset.def.market}, a ${baitSide === "buy" ? "sell" : "buy"} at market meanwhile, cancelled after ${life.toFixed(0)} s`
            : `${levels} ${baitSide} orders at ${levels} prices (together ${(share * 100).toFixed(0)}% of the depth) on ${venue} ${asset.def.market}, a ${baitSide === "buy" ? "sell" : "buy"} at market meanwhile, all cancelled within ${life.toFixed(0)} s`;
      } else {
        const n = rng.int(55, 90);
        const span = Math.floor(rng.range(20, 50) * MINUTE);
        const times = kit.spread(t0, span, n, 10 * SECOND);
        const trades = rng.int(1, 2);
        const tradeAt = new Set(rng.shuffle(Array.from({ length: n }, (_, j) => j)).slice(0, trades));
        for (const [j, t] of times.entries()) {
          const side = rng.chance(0.5) ? "buy" : "sell";
          const offset = rng.range(0.005, 0.03);
          const o = kit.limitOrder(a, t, asset, side, kit.quantity(asset, rng.range(5_000, 60_000), mid), mid * (side === "buy" ? 1 - offset : 1 + offset));
          events.push(o, kit.cancel(a, kit.off(t + Math.floor(rng.range(2, 40) * SECOND)), o, (o.e as { quantity: string }).quantity));
          if (tradeAt.has(j)) events.push(...kit.marketOrder(a, kit.off(t + Math.floor(rng.range(1, 5) * SECOND)), asset, side, kit.quantity(asset, rng.range(10_000, 80_000), mid)));
        }
        note = `${n} limit orders placed and cancelled within ${(span / MINUTE).toFixed(0)} min on ${venue} ${asset.def.market}, ${trades} trade(s)`;
      }
      events.sort((x, y) => x.t - y.t);
      kit.add(kit.login(a, events[0]!.t), ...events);
      kit.label(a, events, note);
    }
  },
};
