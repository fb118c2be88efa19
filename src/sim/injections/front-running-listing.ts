// front-running-listing: buying a coin in the days before a venue announces it will list it.
//
// A venue announces a JPY market for a coin other consortium venues already trade (gmo-coin adding
// MONA/JPY, bitflyer adding XEM/JPY, …), in office hours, listing it 7–21 days later. In the 2–6.5
// days before, an insider (one person: a casual or regular customer who never bought the coin; with
// two accounts at venues that trade it, now and then) buys it in 3–8 market buys at those venues: a
// position that matters in a thin coin, 25–50% of what the whole consortium usually buys of a thin
// coin in a week (about ¥600 a customer a day in the simulated population), between ¥1.5M and ¥9M,
// split into orders of at most 40% of the book within 1% of mid (3 to 40 of them); after the
// announcement they sell half or more, within two days. A coin whose week before the
// announcement has a wash-trading bot day on one of its markets is not chosen (the bot's volume
// would swamp the week).
//
// The announcement comes at least 22 days into the period, so that three weeks of everybody's
// trading precede it (what "abnormal against one's own history" needs); a shorter period gets none
// of these (the plan's notes say so).
import { EXCHANGES } from "../data/sources.ts";
import type { AssetSeries } from "../market.ts";
import type { Account } from "../population.ts";
import { DAY, HOUR, MINUTE, jstMidnight, timeInDay } from "../time.ts";
import { yen, type Fixed } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

/** What the simulated population buys of one thin coin, in yen a customer a day (measured on clean runs: ¥200–900). */
const THIN_BUYING_PER_PERSON_DAY = 600;

/** Days of the period before the earliest announcement. */
export const FRONT_RUNNING_MIN_DAYS = 22;

export const frontRunningListing: InjectionModule = {
  typology: "front-running-listing",
  summary: "an insider buys ¥1.2–3.5M of a coin in the days before a venue announces it will list it (announced ≥ 22 days into the period)",
  plan(kit, count) {
    const { rng, ctx, markets, period } = kit;
    if (period < (FRONT_RUNNING_MIN_DAYS + 1) * DAY) {
      if (count > 0) kit.note(`0 of ${count} injections placed: an announcement needs ${FRONT_RUNNING_MIN_DAYS} days of trading before it (simulate ${FRONT_RUNNING_MIN_DAYS + 1} days or more)`);
      return;
    }
    // (venue, coin) pairs: a thin coin traded elsewhere in the consortium but not at this venue
    const pairs: { e: number; asset: AssetSeries }[] = [];
    EXCHANGES.forEach((_, e) => {
      for (const asset of markets.assets) if (asset.def.tier === "thin" && asset.venueOf[e]! < 0) pairs.push({ e, asset });
    });
    const used = new Set<string>();
    const announced: { asset: string; t: number }[] = [];
    for (let i = 0, tries = 0; i < count && tries < count * 6; tries++) {
      const free = pairs.filter((p) => !used.has(`${p.e}|${p.asset.def.asset}`));
      const { e, asset } = rng.pick(free.length > 0 ? free : pairs);
      const firstDay = FRONT_RUNNING_MIN_DAYS;
      const lastDay = Math.floor(period / DAY) - 1;
      const day = ctx.start + rng.int(firstDay, lastDay) * DAY;
      const tau = kit.off(timeInDay(rng, day, "office"));
      if (tau >= ctx.end - HOUR || tau < ctx.start + FRONT_RUNNING_MIN_DAYS * DAY) continue;
      // one announcement of a coin at a time (another venue announcing it the same week would judge the same buying twice)
      if (announced.some((x) => x.asset === asset.def.asset && Math.abs(x.t - tau) < 10 * DAY)) continue;
      // no wash-trading bot in the coin's markets that week
      const botWeek = asset.venues.some((v) => Array.from({ length: 9 }, (_, d) => jstMidnight(tau) - (7 - d) * DAY).some((ds) => kit.marked(`bot-day:${EXCHANGES[v.exchange]!.id}:${asset.def.market}:${ds}`)));
      if (botWeek) continue;
      // the insider: a casual or regular customer at a venue trading the coin
      const trades = (x: Account) => asset.venueOf[x.exchange]! >= 0;
      const a = kit.pickAccount((x) => !x.corporate && !x.sub && (x.segment === "casual" || x.segment === "regular") && trades(x), tau - 8 * DAY);
      if (a === undefined) continue;
      kit.claim(a, false);
      const second = kit.pop.people[a.owner]!.accounts.map((j) => kit.pop.accounts[j]!).find((x) => x !== a && trades(x) && x.openedAt < tau - 8 * DAY);
      const group = second !== undefined && rng.chance(0.5) ? [a, second] : [a];
      used.add(`${e}|${asset.def.asset}`);
      announced.push({ asset: asset.def.asset, t: tau });
      const weekly = THIN_BUYING_PER_PERSON_DAY * kit.pop.individuals * 7;
      const total = Math.min(9_000_000, Math.max(1_500_000, weekly * rng.range(0.25, 0.5)));
      const series = asset.venues[asset.venueOf[a.exchange]!]!;
      const book = Math.min(series.depthAsk[markets.tickBefore(tau)]!, series.depthBid[markets.tickBefore(tau)]!) * series.mid[markets.tickBefore(tau)]!;
      const n = Math.min(40, Math.max(3, Math.ceil(total / (0.4 * book)), rng.int(3, 8)));
      const from = tau - Math.floor(rng.range(2, 6.5) * DAY);
      const times = kit.spread(from, tau - 2 * HOUR - from, n, 5 * MINUTE);
      const weights = Array.from({ length: n }, () => rng.range(0.6, 1.4));
      const wsum = weights.reduce((x, y) => x + y, 0);
      const events: Fixed[] = [];
      const bought = new Map<Account, number>();
      times.forEach((t, j) => {
        const who = group[j % group.length]!;
        const value = (total * weights[j]!) / wsum;
        const price = markets.mid(asset, who.exchange, t) * (1 + asset.def.halfSpread);
        const qty = kit.quantity(asset, value, price);
        bought.set(who, (bought.get(who) ?? 0) + Number(qty));
        events.push(kit.login(who, t), ...kit.marketOrder(who, t, asset, "buy", qty));
      });
      const listingAt = tau + rng.int(7, 21) * DAY;
      const announcement: Fixed = { t: tau, e: kit.factory.listingAnnounced(kit.ids.next(EXCHANGES[e]!.id, "la"), tau, e, asset.def.asset, listingAt) };
      const after: Fixed[] = [];
      for (const [who, q] of bought) {
        const t = kit.off(tau + Math.floor(rng.range(20 * MINUTE, 2 * DAY)));
        if (t >= ctx.end) continue;
        const dp = asset.def.qtyDp;
        after.push(...kit.marketOrder(who, t, asset, "sell", (Math.floor(q * rng.range(0.5, 1) * 10 ** dp) / 10 ** dp).toFixed(dp)));
      }
      kit.add(...events, announcement, ...after);
      const venues = [...new Set(group.map((x) => EXCHANGES[x.exchange]!.id))].join(" and ");
      kit.label(
        group,
        [...events.filter((f) => f.e.type !== "login"), announcement, ...after],
        `${yen(total)} of ${asset.def.asset} bought in ${n} market buys on ${venues} over the ${((tau - times[0]!) / DAY).toFixed(1)} days before ${EXCHANGES[e]!.id} announced ${asset.def.market}; ${after.length > 0 ? "sold into the rise after it" : "held"}`,
      );
      i++;
    }
  },
};
