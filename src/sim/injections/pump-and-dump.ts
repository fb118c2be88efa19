// pump-and-dump: a pump called on a Telegram channel, in a thin JPY market, with its organiser.
//
// Timing and target come from the real announced pumps of `pump_telegram.csv` (La Morgia et al.,
// 1,109 pumps, 2017–2021): a row is drawn and its time of day (as recorded: mostly on the hour,
// 15:00–19:00) becomes the pump's start in JST; its exchange picks the venue by the same rank
// (binance, the largest, → coincheck, the venue with most thin coins; yobit → bitbank; cryptopia →
// gmo-coin; bittrex → bitflyer); its coin picks one of that venue's thin markets (by the symbol).
//
//  accumulation  the organiser (one person: their account at the venue, and its sub-account when it
//                has one) buys 0.8–2% of the market's 24h volume (at least ¥150,000) in 3–6 market
//                buys over the 2–48 hours before;
//  the call      minutes before the start the organiser rests 2–3 limit sells 4–18% above mid; at the
//                start 6–12 followers fire 12–24 market buys within 95 seconds (together 2.5–4.5% of
//                the day's volume) that climb 8–20% above mid, taking the market maker's asks and
//                then the organiser's;
//  the dump      what the followers did not take the organiser sells at market within minutes (so
//                60–100% of the position is out within 12 minutes of the start); a few followers sell
//                at a loss as the price falls back.
//
// Labelled with the organiser's accounts and the market (`venue:market`): the pump itself is a
// market-level alert. Pumps of one venue market are at least 3 hours apart.
import { EXCHANGES } from "../data/sources.ts";
import { formatNumber, type AssetSeries } from "../market.ts";
import type { Account } from "../population.ts";
import { loadAnnouncedPumps } from "../reference-data.ts";
import { hashParts } from "../rng.ts";
import { DAY, HOUR, MINUTE, SECOND, jstMidnight } from "../time.ts";
import { yen, type Fixed } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

/** Telegram pump exchanges → consortium venues, by rank of size (the thin-coin venues). */
const VENUE_OF: Readonly<Record<string, string>> = { binance: "coincheck", yobit: "bitbank", cryptopia: "gmo-coin", bittrex: "bitflyer", kucoin: "coincheck" };

export const pumpAndDump: InjectionModule = {
  typology: "pump-and-dump",
  summary: "an organiser accumulates a thin coin, followers' market buys lift it 8–20% within 95 s at a time drawn from real announced pumps, the organiser sells into them",
  plan(kit, count) {
    const { rng, ctx, markets } = kit;
    const { pumps, notes } = loadAnnouncedPumps(ctx.dataDir);
    for (const n of notes) kit.note(n);
    const days = Math.max(1, Math.round((ctx.end - ctx.start) / DAY));
    const calls = new Map<string, number[]>();
    for (let i = 0, tries = 0; i < count && tries < count * 6; tries++) {
      const row = rng.pick(pumps);
      const venueId = VENUE_OF[row.exchange] ?? "coincheck";
      const e = EXCHANGES.findIndex((x) => x.id === venueId);
      const thin = markets.listed[e]!.filter((x) => x.def.tier === "thin");
      if (thin.length === 0) continue;
      const asset: AssetSeries = thin[hashParts(0, [row.symbol]) % thin.length]!;
      const market = asset.def.market;
      // the day: the time of day must leave room for accumulation before and the dump after
      const d = rng.int(0, days - 1);
      const dayStart = jstMidnight(ctx.start + d * DAY + HOUR);
      const S = kit.off(dayStart + row.hour * HOUR + row.minute * MINUTE + Math.floor(rng.range(0, 20) * SECOND));
      if (S < ctx.start + 4 * HOUR || S > ctx.end - 45 * MINUTE) continue;
      // pumps of one venue market stay 3 hours apart (each has its own before and after)
      const others = calls.get(`${venueId}:${market}`) ?? [];
      if (others.some((t) => Math.abs(t - S) < 3 * HOUR)) continue;
      const organiser = kit.pickAccount((x) => x.exchange === e && !x.corporate && !x.sub, S - 48 * HOUR);
      if (organiser === undefined) continue;
      kit.claim(organiser, true);
      const sub = kit.pop.people[organiser.owner]!.accounts.map((j) => kit.pop.accounts[j]!).find((x) => x.sub && x.exchange === e);
      const group = sub === undefined ? [organiser] : [organiser, sub];
      const followers: Account[] = [];
      for (let k = rng.int(6, 12); k > 0; k--) {
        const f = kit.pickAccount((x) => x.exchange === e && !x.corporate, S);
        if (f === undefined) break;
        kit.reserve(f.owner);
        followers.push(f);
      }
      if (followers.length < 6) continue;

      calls.set(`${venueId}:${market}`, [...others, S]);
      const series = asset.venues[asset.venueOf[e]!]!;
      const k = markets.tickBefore(S);
      const vol = series.volume24h[k]!;
      const ref = markets.mid(asset, e, S);
      const volJpy = vol * series.mid[k]!;
      const dp = asset.def.qtyDp;
      const units = (q: number) => Math.max(1, Math.floor(q * 10 ** dp));
      const print = (u: number) => formatNumber(u / 10 ** dp, dp);
      const events: Fixed[] = [];

      // accumulation
      const accUnits = units(Math.max(vol * rng.range(0.008, 0.02), 150_000 / ref));
      const buys = rng.int(3, 6);
      const accFrom = Math.max(ctx.start + 20 * MINUTE, S - Math.floor(rng.range(2, 48) * HOUR));
      const accTimes = kit.spread(accFrom, Math.max(buys * 10 * MINUTE, S - 40 * MINUTE - accFrom), buys, 5 * MINUTE);
      const held = new Map<Account, number>();
      let left = accUnits;
      accTimes.forEach((t, j) => {
        const who = group[j % group.length]!;
        const u = j === buys - 1 ? left : Math.floor((accUnits / buys) * rng.range(0.6, 1.4));
        const take = Math.max(1, Math.min(u, left - (buys - 1 - j)));
        left -= take;
        held.set(who, (held.get(who) ?? 0) + take);
        events.push(kit.login(who, t), ...kit.marketOrder(who, t, asset, "buy", print(take)));
      });

      // the organiser's asks, minutes before the call
      const rise = rng.range(0.08, 0.2);
      const asks: { who: Account; order: Fixed; px: number; left: number }[] = [];
      const askUnits = Math.floor(accUnits * rng.range(0.6, 1));
      const nAsks = rng.int(2, 3);
      let placedUnits = 0;
      for (let j = 0; j < nAsks; j++) {
        const who = group[j % group.length]!;
        const u = j === nAsks - 1 ? askUnits - placedUnits : Math.floor(askUnits / nAsks);
        if (u <= 0 || (held.get(who) ?? 0) < u) continue;
        placedUnits += u;
        held.set(who, held.get(who)! - u);
        const px = ref * (1 + rise * rng.range(0.35, 0.9));
        const order = kit.limitOrder(who, kit.off(S - Math.floor(rng.range(1, 4) * MINUTE)), asset, "sell", print(u), px);
        asks.push({ who, order, px: Number((order.e as { price: string }).price), left: u });
      }
      asks.sort((x, y) => x.px - y.px);
      events.push(...asks.map((a) => a.order));

      // the call: followers' market buys climbing the book
      const r = rng.int(12, 24);
      const rushValue = volJpy * rng.range(0.025, 0.045);
      const weights = Array.from({ length: r }, () => rng.logNormal(1, 0.5));
      const wsum = weights.reduce((x, y) => x + y, 0);
      const rushTimes = [S, ...Array.from({ length: r - 1 }, () => S + Math.floor(rng.range(1, 95) * SECOND))].sort((x, y) => x - y).map((t) => kit.off(t));
      const src = EXCHANGES[e]!.id;
      let sold = 0;
      let peak = 0;
      for (let j = 0; j < r; j++) {
        const t = rushTimes[j]!;
        const who = j < followers.length ? followers[j]! : rng.pick(followers);
        const px = ref * (1 + asset.def.halfSpread + rise * ((j + 1) / r) ** 0.7);
        let want = units((rushValue * weights[j]!) / wsum / px);
        const orderId = kit.ids.next(src, "od");
        events.push({ t, e: kit.factory.orderPlaced(orderId, t, who, market, "buy", "market", print(want)) });
        const me = { account: who.id, order: orderId };
        for (const ask of asks) {
          if (want === 0 || j < r * 0.35 || ask.left === 0 || ask.px > px) continue;
          const take = Math.min(want, ask.left);
          ask.left -= take;
          want -= take;
          sold += take;
          peak = Math.max(peak, ask.px);
          events.push(kit.fill(t, e, asset, (ask.order.e as { price: string }).price, print(take), me, { account: ask.who.id, order: (ask.order.e as { orderId: string }).orderId }, "buy"));
        }
        if (want > 0) {
          peak = Math.max(peak, px);
          events.push(kit.fill(t, e, asset, formatNumber(px, asset.def.pxDp), print(want), me, kit.quote(e, asset, t, "sell"), "buy"));
        }
      }
      // what the followers did not take: cancelled and sold at market as the price turns
      const dumpEnd = S + Math.floor(rng.range(4, 12) * MINUTE);
      for (const ask of asks) {
        if (ask.left === 0) continue;
        const tc = kit.off(S + Math.floor(rng.range(100, 150) * SECOND));
        events.push(kit.cancel(ask.who, tc, ask.order, print(ask.left)));
        held.set(ask.who, (held.get(ask.who) ?? 0) + ask.left);
        ask.left = 0;
      }
      const target = Math.floor(accUnits * rng.range(0.6, 1));
      for (const who of group) {
        const u = Math.min(held.get(who) ?? 0, Math.max(0, target - sold));
        if (u <= 0) continue;
        const t = kit.off(S + Math.floor(rng.range(150 * SECOND, dumpEnd - S)));
        events.push(...kit.marketOrder(who, t, asset, "sell", print(u), ref * (1 + rise * rng.range(0.2, 0.5))));
        sold += u;
      }
      // a few followers sell at a loss
      for (const f of rng.shuffle([...followers]).slice(0, rng.int(2, 4))) {
        const t = kit.off(S + Math.floor(rng.range(6, 25) * MINUTE));
        events.push(...kit.marketOrder(f, t, asset, "sell", print(units((rushValue / r / ref) * rng.range(0.3, 0.9))), ref * rng.range(0.95, 1.01)));
      }
      kit.add(...events);
      const jst = new Date(S + 9 * HOUR).toISOString().slice(11, 16);
      kit.label(
        group,
        events.filter((f) => f.e.type !== "login"),
        `pump at ${jst} JST on ${venueId} ${market} (announced-pump row: ${row.symbol} on ${row.exchange} at ${String(row.hour).padStart(2, "0")}:${String(row.minute).padStart(2, "0")}): ` +
          `${print(accUnits)} ${asset.def.asset} accumulated (${((accUnits / 10 ** dp / vol) * 100).toFixed(1)}% of 24h volume); ${r} market buys by ${followers.length} followers within ${((rushTimes[r - 1]! - S) / SECOND).toFixed(0)} s (${yen(rushValue)}, ${((rushValue / volJpy) * 100).toFixed(1)}% of the day's volume) up to ${((peak / ref - 1) * 100).toFixed(1)}%; ` +
          `${((sold / accUnits) * 100).toFixed(0)}% of the position sold within ${((dumpEnd - S) / MINUTE).toFixed(0)} min`,
        [{ kind: "market", id: `${venueId}:${market}` }],
      );
      i++;
    }
  },
};
