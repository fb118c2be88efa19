// wash-trade: trades that change nobody's position.
//
//  self-trades   one account's own orders cross: it rests a limit sell (or buy) near mid and takes it
//                with a market order, 2–6 times within minutes to hours, ¥60,000–¥1,000,000 a trade:
//                painting the tape of a thin coin (where the venue does not prevent self-matching).
//  entity pair   a corporate's main and sub-account at one venue trade a quantity and all of it back,
//                2–6 trades within hours (the same entity on both sides: seen once accounts are keyed
//                by entity).
//  volume bot    a trading firm's two accounts print 320–480 trades in one thin venue market over one
//                JST day (from just after midnight to the evening), each quantity bought back by the
//                other account next: sizes drawn uniformly from [5, 10) × 10^k base units (a
//                generator, not people: first digits 5–9 only), or
//  round-lot bot the same with fixed round lots (1, 2 or 5 × 10^k). Both are also labelled with their
//                market (`venue:market`): the day's first-digit (Benford) or round-size test fails.
//
// Prices stay within the spread of mid. Two bots never share a venue market's day.
import { EXCHANGES } from "../data/sources.ts";
import { formatNumber, type AssetSeries } from "../market.ts";
import type { Account } from "../population.ts";
import { DAY, HOUR, MINUTE, SECOND, jstMidnight } from "../time.ts";
import { yen, type Fixed, type InjectionKit } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

type Variant = "self" | "pair" | "benford-bot" | "round-bot";
const VARIANTS: readonly Variant[] = ["benford-bot", "self", "pair", "round-bot"];

/** The corporate (or whale) main + sub-account pairs at one venue, not injected yet. */
function pairs(kit: InjectionKit, ok: (main: Account) => boolean): [Account, Account][] {
  const out: [Account, Account][] = [];
  for (const sub of kit.pop.accounts) {
    if (!sub.sub || !kit.free(sub.owner)) continue;
    const main = kit.pop.people[sub.owner]!.accounts.map((i) => kit.pop.accounts[i]!).find((x) => x.exchange === sub.exchange && !x.sub);
    if (main !== undefined && ok(main)) out.push([main, sub]);
  }
  return out;
}

/**
 * One trade of `qty` between two orders of the group at t: `maker` rests a limit order on `side`, `taker`
 * takes it with a market order (maker and taker may be one account).
 */
function cross(kit: InjectionKit, t: number, asset: AssetSeries, maker: Account, taker: Account, makerSide: "buy" | "sell", qty: string): Fixed[] {
  const mid = kit.markets.mid(asset, maker.exchange, t);
  const price = mid * (1 + (makerSide === "sell" ? 1 : -1) * asset.def.halfSpread * kit.rng.range(0.2, 0.9));
  const rest = kit.limitOrder(maker, t, asset, makerSide, qty, price);
  const takerSide = makerSide === "sell" ? "buy" : "sell";
  const tt = kit.off(t + Math.floor(kit.rng.range(0.3, 4) * SECOND));
  const take = kit.limitOrder(taker, tt, asset, takerSide, qty, price);
  (take.e as { kind: string }).kind = "market";
  delete (take.e as { price?: string }).price;
  const m = { account: maker.id, order: (rest.e as { orderId: string }).orderId };
  const k = { account: taker.id, order: (take.e as { orderId: string }).orderId };
  const px = (rest.e as { price: string }).price;
  return [rest, take, kit.fill(tt, maker.exchange, asset, px, qty, makerSide === "sell" ? k : m, makerSide === "sell" ? m : k, takerSide)];
}

/** `seller` sells `qty` to `buyer`, either resting the order or taking the other's. */
function sellTo(kit: InjectionKit, t: number, asset: AssetSeries, seller: Account, buyer: Account, qty: string): Fixed[] {
  return kit.rng.chance(0.5) ? cross(kit, t, asset, seller, buyer, "sell", qty) : cross(kit, t, asset, buyer, seller, "buy", qty);
}

export const washTrade: InjectionModule = {
  typology: "wash-trade",
  summary: "an account or one entity's two accounts trading with themselves; volume bots whose trade sizes fail the day's Benford or round-size test",
  plan(kit, count) {
    const { rng, ctx, markets, period } = kit;
    const thinAt = (e: number) => markets.listed[e]!.filter((x) => x.def.tier === "thin");
    const qtyFor = (asset: AssetSeries, value: number, price: number) => kit.quantity(asset, value, price);
    const days = Math.max(1, Math.floor(period / DAY));

    for (let i = 0, tries = 0; i < count && tries < count * 4; tries++) {
      let v = VARIANTS[i % VARIANTS.length]!;
      const bot = v === "benford-bot" || v === "round-bot";
      let group: Account[] | undefined;
      if (v !== "self") {
        const candidates = pairs(kit, (m) => (bot ? m.corporate : true) && thinAt(m.exchange).length > 0);
        if (candidates.length > 0) group = rng.pick(candidates);
        else if (!bot) v = "self";
        else continue;
      }
      if (group === undefined) {
        const t = ctx.start + HOUR;
        const a = kit.pickAccount((x) => thinAt(x.exchange).length > 0 && (x.segment === "active" || x.segment === "whale" || x.segment === "trading-firm"), t) ??
          kit.pickAccount((x) => thinAt(x.exchange).length > 0, t);
        if (a === undefined) continue;
        group = [a];
      }
      const [A, B] = [group[0]!, group[group.length - 1]!];
      const exchange = A.exchange;
      const venue = EXCHANGES[exchange]!.id;
      const injected: Fixed[] = [];
      let note: string;
      let subjects: { kind: "market"; id: string }[] | undefined;
      if (bot) {
        // one whole JST day in the period, a thin market of the venue no bot or pump uses that day
        const choices = thinAt(exchange);
        let asset: AssetSeries | undefined;
        let dayStart = 0;
        for (let k = 0; k < 12 && asset === undefined; k++) {
          const d = rng.int(0, days - 1);
          const x = rng.pick(choices);
          const ds = jstMidnight(ctx.start + d * DAY + HOUR);
          if (ds < ctx.start || ds + DAY > ctx.end) continue;
          if (kit.mark(`bot-day:${venue}:${x.def.market}:${ds}`)) {
            asset = x;
            dayStart = ds;
          }
        }
        if (asset === undefined) continue;
        for (const a of group) kit.claim(a, true);
        const n = 2 * rng.int(160, 240);
        const startAt = dayStart + Math.floor(rng.range(20, 90) * SECOND);
        const span = Math.floor(rng.range(18, 21) * HOUR);
        const price = markets.mid(asset, exchange, startAt);
        const e = Math.floor(Math.log10(rng.range(8_000, 40_000) / price));
        const sizes: string[] = [];
        for (let j = 0; j < n / 2; j++) {
          const u = v === "benford-bot" ? rng.range(5, 10) : rng.pick([1, 2, 5]);
          const q = u * 10 ** e;
          const dp = asset.def.qtyDp;
          const printed = v === "benford-bot" ? formatNumber(Math.max(q, 10 ** -dp), dp) : formatNumber(q, Math.max(0, Math.min(dp, -e)));
          sizes.push(printed, printed);
        }
        const times = kit.spread(startAt, span, n, 20 * SECOND);
        for (let j = 0; j < n; j++) {
          const t = times[j]!;
          // trade 2k: A sells to B; trade 2k + 1: B sells the same back to A (a single account plays both)
          injected.push(...sellTo(kit, t, asset, j % 2 === 0 ? A : B, j % 2 === 0 ? B : A, sizes[j]!));
        }
        subjects = [{ kind: "market", id: `${venue}:${asset.def.market}` }];
        note = `${v === "benford-bot" ? "volume bot" : "round-lot bot"}: ${n} trades between ${group.length === 2 ? "a corporate's main and sub-account" : "one account and itself"} on ${venue} ${asset.def.market} from ${new Date(startAt + 9 * HOUR).toISOString().slice(11, 19)} JST over ${(span / HOUR).toFixed(1)} h, sizes ${v === "benford-bot" ? `uniform in [5, 10) × 10^${e}` : `1, 2 or 5 × 10^${e}`}`;
      } else {
        const k = rng.int(1, 3) * 2;
        const span = rng.range(k * 2 * MINUTE, Math.min(6 * HOUR, period - 2 * HOUR));
        const t0 = ctx.start + Math.floor(rng.range(30 * MINUTE, period - span - 30 * MINUTE));
        for (const a of group) kit.claim(a, true);
        const asset = rng.chance(0.7) && thinAt(exchange).length > 0 ? rng.pick(thinAt(exchange)) : kit.listedMajor(A);
        const value = Math.min(1_000_000, Math.max(60_000, rng.logNormal(200_000, 0.7)));
        const qty = qtyFor(asset, value, markets.mid(asset, exchange, t0));
        const times = kit.spread(t0, Math.floor(span), k, MINUTE);
        for (let j = 0; j < k; j++) injected.push(...sellTo(kit, times[j]!, asset, j % 2 === 0 ? A : B, j % 2 === 0 ? B : A, qty));
        note = `${k} trades of ${qty} ${asset.def.asset} (about ${yen(value)} each) ${group.length === 2 ? "between a corporate's main and sub-account and back" : "between one account's own orders"} on ${venue} ${asset.def.market} within ${((times[k - 1]! - times[0]!) / MINUTE).toFixed(0)} min`;
      }
      kit.add(kit.login(A, injected[0]!.t), ...injected);
      kit.label(group, injected, note, subjects);
      i++;
    }
  },
};
