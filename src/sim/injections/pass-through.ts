// pass-through: a deposit of ¥600,000–¥10,000,000 of which 85–98% leaves again within 1–20 hours,
// with at most a token trade (< 2% of it) in between; a third of them on an account opened shortly
// before. The person does nothing else with money or trading during the period.
import { formatNumber } from "../market.ts";
import { HOUR, MINUTE } from "../time.ts";
import { hours, yen, type Fixed } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

export const passThrough: InjectionModule = {
  typology: "pass-through",
  summary: "a deposit of ¥0.6–10M, 85–98% of it withdrawn within 1–20 h, at most a token trade in between",
  plan(kit, count) {
    const { rng, ctx, period, markets, factory, ids, pop } = kit;
    for (let i = 0; i < count; i++) {
      const variant = i % 3; // 0: bank in → crypto out; 1: crypto in → crypto out; 2: bank in → bank and crypto out
      const tD = kit.off(ctx.start + Math.floor(rng.range(30 * MINUTE, Math.max(40 * MINUTE, period - 6 * HOUR))));
      const lastMax = Math.min(tD + 20 * HOUR, ctx.end - 30 * MINUTE);
      const last = kit.off(tD + Math.floor(rng.range(Math.min(1 * HOUR, (lastMax - tD) / 2), lastMax - tD)));
      const mule = rng.chance(0.3);
      const a = kit.pickAccount((x) => !x.corporate && x.segment !== "whale", mule ? ctx.end : tD);
      if (a === undefined) continue;
      kit.claim(a, true);
      if (mule) a.openedAt = Math.max(ctx.start - 20 * 24 * HOUR, tD - Math.floor(rng.range(30 * MINUTE, 6 * HOUR)));
      const V = Math.round(Math.min(10_000_000, Math.max(600_000, rng.logNormal(2_500_000, 0.7))) / 10_000) * 10_000;
      const injected: Fixed[] = [];
      const inAsset = variant === 1 ? kit.listedMajor(a) : undefined;
      let depositValue = V;
      if (inAsset === undefined) {
        injected.push(kit.move(a, tD, { kind: "deposit", channel: "bank", asset: "JPY", amount: String(V), value: V }));
      } else {
        const c = kit.cryptoOf(inAsset, a, tD, V);
        depositValue = c.value;
        injected.push(kit.move(a, tD, { kind: "deposit", channel: "crypto", asset: inAsset.def.asset, amount: c.amount, value: c.value }));
      }
      kit.add(kit.loginFor(a, injected[0]!));
      // withdrawal legs: 85–98% of the deposit in 1–4 pieces, none of them near a structuring line
      const share = rng.range(0.85, 0.98);
      let pieces: number[] = [];
      for (let tries = 0; ; tries++) {
        const k = tries > 30 ? 1 : rng.int(1, 4);
        const w = Array.from({ length: k }, () => rng.range(0.5, 1.5));
        const sum = w.reduce((x, y) => x + y, 0);
        pieces = w.map((x) => (depositValue * share * x) / sum);
        const nearLine = pieces.some((p) => (p >= 1_400_000 && p <= 2_100_000) || (p >= 70_000 && p <= 110_000) || p < 120_000);
        if (!nearLine || k === 1) break;
      }
      const times = kit.spread(tD + 10 * MINUTE, Math.max(pieces.length * 25 * MINUTE, last - tD - 10 * MINUTE), pieces.length + 1, 20 * MINUTE).slice(1);
      // a token trade (< 2% of the deposit) between deposit and first withdrawal, sometimes
      const tradeEvents: Fixed[] = [];
      if (rng.chance(0.4)) {
        const asset = kit.listedMajor(a);
        const tt = kit.off(tD + Math.floor((times[0]! - tD) * rng.range(0.2, 0.8)));
        const price = markets.mid(asset, a.exchange, tt) * (1 + asset.def.halfSpread);
        const qty = formatNumber(Math.max(10 ** -asset.def.qtyDp, (depositValue * rng.range(0.003, 0.015)) / price), asset.def.qtyDp);
        const src = factory.source(a);
        const orderId = ids.next(src, "od");
        const q = factory.quoteIndex(tt);
        const mm = pop.accounts[pop.marketMakers[a.exchange]!]!;
        const px = formatNumber(price, asset.def.pxDp);
        tradeEvents.push({ t: tt, e: factory.orderPlaced(orderId, tt, a, asset.def.market, "buy", "market", qty) });
        tradeEvents.push({
          t: tt,
          e: factory.trade(ids.next(src, "tr"), tt, src, asset.def.market, px, qty, { account: a.id, order: orderId }, { account: mm.id, order: factory.quoteId(a.exchange, q, asset.index, "sell") }, "buy"),
        });
      }
      let out = 0;
      pieces.forEach((p, j) => {
        const t = times[j]!;
        const bankLeg = variant === 2 && j === 0;
        if (bankLeg) {
          const v = Math.round(p / 1_000) * 1_000;
          out += v;
          injected.push(kit.move(a, t, { kind: "withdrawal", channel: "bank", asset: "JPY", amount: String(v), value: v }));
        } else {
          const asset = variant === 1 && inAsset !== undefined && rng.chance(0.6) ? inAsset : kit.listedMajor(a);
          const c = kit.cryptoOf(asset, a, t, p);
          out += c.value;
          injected.push(kit.move(a, t, { kind: "withdrawal", channel: "crypto", asset: asset.def.asset, amount: c.amount, value: c.value }));
        }
      });
      const all = [...injected, ...tradeEvents].sort((x, y) => x.t - y.t);
      kit.add(...all);
      const inWhat = inAsset === undefined ? "bank deposit" : `${inAsset.def.asset} deposit`;
      kit.label(
        a,
        all,
        `${inWhat} of ${yen(depositValue)} then ${pieces.length} withdrawal(s) of ${yen(out)} (${((out / depositValue) * 100).toFixed(1)}%) within ${hours(injected[injected.length - 1]!.t - tD)}` +
          (tradeEvents.length > 0 ? ", one token trade in between" : ", no trading in between") +
          (mule ? "; account opened shortly before" : ""),
      );
    }
  },
};
