// profile-mismatch: money out of line with who the customer said they are.
//
//  income-multiple  a customer declaring ≤ ¥3M a year (a part-timer, a student, a homemaker with ¥0)
//                   pays in 3.5–6× that (at least ¥3.6M) in 2–4 round bank deposits of ¥2.2M or more
//                   within days (or hours, in a one-day period), and buys coins with it.
//  adverse-flows    a customer whose latest credit report (before the period) shows a delinquency or
//                   a bankruptcy moves ≥ ¥5.2M in and out within days: a deposit of ¥2.6–3M (under
//                   the income line), a buy, a sell, and the yen out to the bank.
//  first-deposit    an account opened 1 hour to 20 days before makes its first deposit: ¥5.5–12M by
//                   bank, over the declared income (or with none), and buys coins.
//  emptied          an account opened 1 hour to 20 days before deposits ¥0.6–3M of yen, buys a coin
//                   with nearly all of it and withdraws the coin (about 97% of the deposit) within 2–12 h:
//                   the whole balance off the platform on day one (traded, so not pass-through).
import { BUREAUS } from "../data/sources.ts";
import type { AssetSeries } from "../market.ts";
import type { Account } from "../population.ts";
import { DAY, HOUR, MINUTE } from "../time.ts";
import { hours, yen, type Fixed, type InjectionKit } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

type Variant = "income-multiple" | "adverse-flows" | "first-deposit" | "emptied";
const VARIANTS: readonly Variant[] = ["income-multiple", "first-deposit", "adverse-flows", "emptied"];

/** Whether a person's credit reports make them adverse throughout [from, to]: the latest report before `from` flags a delinquency or bankruptcy, and none in between says otherwise. */
function adverseThroughout(kit: InjectionKit, person: number, from: number, to: number): string | undefined {
  const reports = kit.ctx.credits.filter((c) => c.person === person && c.t < to).sort((x, y) => x.t - y.t);
  const before = reports.filter((c) => c.t < from - HOUR);
  if (before.length === 0) return undefined;
  const p = kit.pop.people[person]!;
  let what: string | undefined;
  for (const c of reports.slice(before.length - 1)) {
    const e = kit.factory.creditReport(c.id, c.t, p, c.bureau) as { delinquencies?: number; bankruptcy?: boolean };
    const bad = (e.delinquencies ?? 0) > 0 || e.bankruptcy === true;
    if (!bad) return undefined;
    what = `${BUREAUS[c.bureau]!.id} report${(e.delinquencies ?? 0) > 0 ? ` with ${e.delinquencies} delinquenc${e.delinquencies === 1 ? "y" : "ies"}` : ""}${e.bankruptcy === true ? " and a bankruptcy" : ""}`;
  }
  return what;
}

export const profileMismatch: InjectionModule = {
  typology: "profile-mismatch",
  summary: "inflows 3.5–6× the declared income; ≥ ¥5M flows with adverse credit on file; a new account's first deposit of ¥5.5–12M; a new account emptied on day one",
  plan(kit, count) {
    const { rng, ctx, markets, period } = kit;
    const declared = (a: Account): number | undefined => {
      const d = kit.factory.kyc(a).declaredIncomeJpy;
      return d === undefined ? undefined : Number(d);
    };
    const buy = (a: Account, asset: AssetSeries, t: number, value: number): Fixed[] => {
      const price = markets.mid(asset, a.exchange, t) * (1 + asset.def.halfSpread);
      return kit.marketOrder(a, t, asset, "buy", kit.quantity(asset, value, price));
    };
    const bank = (a: Account, t: number, dir: "deposit" | "withdrawal", v: number) => kit.move(a, t, { kind: dir, channel: "bank", asset: "JPY", amount: String(v), value: v });
    /** An account opened shortly before `t` (a new relationship). */
    const openShortlyBefore = (a: Account, t: number) => {
      a.openedAt = Math.max(ctx.start - 20 * DAY, t - Math.floor(rng.range(HOUR, 20 * DAY)));
    };

    for (let i = 0, tries = 0; i < count && tries < count * 4; tries++) {
      const v = VARIANTS[i % VARIANTS.length]!;
      const events: Fixed[] = [];
      const injected: Fixed[] = [];
      let a: Account | undefined;
      let note = "";
      if (v === "income-multiple") {
        const n = rng.int(2, 4);
        const span = period >= 2 * DAY ? rng.range(DAY, Math.min(10 * DAY, period - 4 * HOUR)) : rng.range(2 * HOUR, period - 3 * HOUR);
        const t0 = ctx.start + Math.floor(rng.range(30 * MINUTE, period - span - 60 * MINUTE));
        a = kit.pickAccount((x) => !x.corporate && (declared(x) ?? Infinity) <= 3_000_000, t0);
        if (a === undefined) continue;
        kit.claim(a, true);
        const d = declared(a)!;
        const total = Math.max(3_600_000, d * rng.range(3.5, 6));
        const each = Math.max(2_200_000, Math.ceil(total / n / 100_000) * 100_000);
        const asset = kit.listedMajor(a);
        let sum = 0;
        for (const t of kit.spread(t0, Math.floor(span), n, 30 * MINUTE)) {
          const dep = bank(a, t, "deposit", each);
          injected.push(dep);
          events.push(kit.loginFor(a, dep), ...buy(a, asset, kit.off(t + Math.floor(rng.range(5, 50) * MINUTE)), each * rng.range(0.6, 0.95)));
          sum += each;
        }
        note = `${n} bank deposits of ${yen(each)} (${yen(sum)}) within ${hours(injected[injected.length - 1]!.t - injected[0]!.t)}; declared annual income ${yen(d)} (${d > 0 ? `${(sum / d).toFixed(1)}×` : "none"})`;
      } else if (v === "adverse-flows") {
        const span = period >= 2 * DAY ? rng.range(DAY, Math.min(6 * DAY, period - 4 * HOUR)) : rng.range(3 * HOUR, period - 3 * HOUR);
        const t0 = ctx.start + Math.floor(rng.range(30 * MINUTE, period - span - 30 * MINUTE));
        let why: string | undefined;
        a = kit.pickAccount((x) => {
          if (x.corporate || (declared(x) ?? 0) < 1_000_000) return false;
          why = adverseThroughout(kit, x.owner, t0, t0 + span + HOUR);
          return why !== undefined;
        }, t0);
        if (a === undefined) continue;
        kit.claim(a, true);
        const d = declared(a)!;
        // under the income line (3 × income, and ¥3M), over the adverse line with what goes out again
        const inflow = Math.floor(Math.min(2_990_000, 2.9 * d, rng.range(2_600_000, 3_000_000)) / 10_000) * 10_000;
        const asset = kit.listedMajor(a);
        const [tD, tB, tS, tW] = kit.spread(t0, Math.floor(span), 4, 20 * MINUTE) as [number, number, number, number];
        const dep = bank(a, tD, "deposit", inflow);
        const price = markets.mid(asset, a.exchange, tB) * (1 + asset.def.halfSpread);
        const qty = kit.quantity(asset, inflow * 0.97, price);
        const sellPx = markets.mid(asset, a.exchange, tS) * (1 - asset.def.halfSpread);
        const back = Number(qty) * sellPx;
        const out = Math.floor(Math.max(5_200_000 - inflow, back * rng.range(0.97, 0.995)) / 1_000) * 1_000;
        const wd = bank(a, tW, "withdrawal", out);
        injected.push(dep, wd);
        events.push(kit.loginFor(a, dep), ...kit.marketOrder(a, tB, asset, "buy", qty), kit.login(a, tS), ...kit.marketOrder(a, tS, asset, "sell", qty), kit.loginFor(a, wd));
        note = `${why}; ${yen(inflow)} in and ${yen(out)} out by bank within ${hours(tW - tD)} (flows ${yen(inflow + out)})`;
      } else if (v === "first-deposit") {
        const t = kit.off(ctx.start + Math.floor(rng.range(2 * HOUR, period - HOUR)));
        a = kit.pickAccount((x) => !x.corporate && x.segment !== "whale" && !x.sub && (declared(x) ?? 0) <= 5_000_000, t);
        if (a === undefined) continue;
        kit.claim(a, true);
        openShortlyBefore(a, t);
        const d = declared(a) ?? 0;
        const value = Math.round(Math.max(5_500_000, d * rng.range(1.1, 1.6), Math.min(12_000_000, rng.logNormal(7_000_000, 0.3))) / 100_000) * 100_000;
        const dep = bank(a, t, "deposit", value);
        injected.push(dep);
        events.push(kit.loginFor(a, dep), ...buy(a, kit.listedMajor(a), kit.off(t + Math.floor(rng.range(5, 90) * MINUTE)), value * rng.range(0.5, 0.95)));
        note = `first deposit of ${yen(value)} ${hours(t - a.openedAt)} after opening; declared annual income ${yen(d)}`;
      } else {
        const t = kit.off(ctx.start + Math.floor(rng.range(1 * HOUR, Math.max(1 * HOUR + MINUTE, period - 13 * HOUR))));
        a = kit.pickAccount((x) => !x.corporate && x.segment !== "whale" && !x.sub, t);
        if (a === undefined) continue;
        kit.claim(a, true);
        openShortlyBefore(a, t);
        const value = Math.round(Math.min(3_000_000, Math.max(600_000, rng.logNormal(1_200_000, 0.5))) / 10_000) * 10_000;
        const asset = kit.listedMajor(a);
        const dep = bank(a, t, "deposit", value);
        const tb = kit.off(t + Math.floor(rng.range(3, 45) * MINUTE));
        const price = markets.mid(asset, a.exchange, tb) * (1 + asset.def.halfSpread);
        const qty = kit.quantity(asset, value * rng.range(0.965, 0.995), price);
        const tw = kit.off(Math.min(ctx.end - 5 * MINUTE, t + Math.floor(rng.range(2 * HOUR, 12 * HOUR))));
        const out = kit.move(a, tw, { kind: "withdrawal", channel: "crypto", asset: asset.def.asset, amount: qty, value: Math.round(Number(qty) * markets.mid(asset, a.exchange, tw)) });
        injected.push(dep, out);
        events.push(kit.loginFor(a, dep), ...kit.marketOrder(a, tb, asset, "buy", qty), kit.loginFor(a, out));
        note = `new account (opened ${hours(t - a.openedAt)} before) deposits ${yen(value)}, buys ${qty} ${asset.def.asset} and withdraws all of it ${hours(tw - t)} later`;
      }
      kit.add(...events, ...injected);
      kit.label(a, [...injected, ...events.filter((f) => f.e.type !== "login")].sort((x, y) => x.t - y.t), `${v}: ${note}`);
      i++;
    }
  },
};
