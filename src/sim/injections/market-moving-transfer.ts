// market-moving-transfer: one crypto transfer of 1.3–2.5× the largest venue's depth line on the side
// it would hit (50% of depth for individuals, 100% for corporates), mostly in thin markets; or a yen
// bank deposit of 1.3–2.5× the line against the BTC/JPY ask-side depth in yen.
import { formatNumber } from "../market.ts";
import { MINUTE } from "../time.ts";
import { yen, type Fixed } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

const VARIANTS: readonly { what: "thin" | "major" | "jpy"; dir: "deposit" | "withdrawal"; corporate: boolean }[] = [
  { what: "thin", dir: "deposit", corporate: false },
  { what: "thin", dir: "withdrawal", corporate: true },
  { what: "thin", dir: "deposit", corporate: true },
  { what: "jpy", dir: "deposit", corporate: false },
  { what: "thin", dir: "withdrawal", corporate: false },
  { what: "major", dir: "withdrawal", corporate: false },
  { what: "thin", dir: "deposit", corporate: false },
  { what: "jpy", dir: "deposit", corporate: true },
  { what: "major", dir: "deposit", corporate: true },
  { what: "thin", dir: "withdrawal", corporate: false },
];

export const marketMovingTransfer: InjectionModule = {
  typology: "market-moving-transfer",
  summary: "one transfer of 1.3–2.5× the depth line on the side it would hit, mostly in thin markets",
  plan(kit, count) {
    const { rng, ctx, period, markets } = kit;
    for (let i = 0; i < count; i++) {
      const v = VARIANTS[i % VARIANTS.length]!;
      const t = kit.off(ctx.start + Math.floor(rng.range(30 * MINUTE, period - 30 * MINUTE)));
      const wantTier = v.what === "major" ? "major" : "thin";
      const listsIt = (x: { exchange: number }) => v.what === "jpy" || markets.listed[x.exchange]!.some((s) => s.def.tier === wantTier);
      let a = kit.pickAccount((x) => x.corporate === v.corporate && listsIt(x), t);
      if (a === undefined && v.corporate) a = kit.pickAccount((x) => !x.corporate && listsIt(x), t);
      if (a === undefined) continue;
      kit.claim(a, false);
      const who = a.corporate ? "a corporate" : "an individual";
      const depthShare = a.corporate ? 1 : 0.5;
      const injected: Fixed[] = [];
      let note: string;
      if (v.what === "jpy") {
        const line = depthShare * markets.askDepthJpy(t, "max");
        const value = Math.ceil((line * rng.range(1.3, 2.5)) / 10_000) * 10_000;
        injected.push(kit.move(a, t, { kind: "deposit", channel: "bank", asset: "JPY", amount: String(value), value }));
        note = `bank deposit of ${yen(value)} by ${who}: ${(value / line).toFixed(2)}× the largest BTC/JPY ask-depth line (${depthShare * 100}% of depth in yen)`;
      } else {
        const choices = markets.listed[a.exchange]!.filter((s) => s.def.tier === wantTier);
        const asset = rng.pick(choices);
        const side = v.dir === "deposit" ? "bid" : "ask";
        const line = markets.highestDepthLine(asset, side, t, depthShare);
        const factor = rng.range(1.3, 2.5);
        const dp = asset.def.qtyDp;
        const amount = formatNumber(Math.ceil(line * factor * 10 ** dp) / 10 ** dp, dp);
        const value = Math.round(Number(amount) * markets.mid(asset, a.exchange, t));
        injected.push(kit.move(a, t, { kind: v.dir, channel: "crypto", asset: asset.def.asset, amount, value }));
        note = `${asset.def.asset} ${v.dir} of ${amount} (${yen(value)}) by ${who}: ${factor.toFixed(2)}× the largest ${side}-side depth line (${depthShare * 100}% of depth within 1% of mid) on ${asset.def.market}`;
      }
      kit.add(kit.loginFor(a, injected[0]!), ...injected);
      kit.label(a, injected, note);
    }
  },
};
