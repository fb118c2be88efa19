// ineligible-trader: trading by customers who should not be trading on a Japanese venue.
//
//  non-resident          every non-resident the population holds (0.3% of individuals: a foreign
//                        address, a foreign phone, logins from abroad) trades in the period: 1–3
//                        sessions of 1–4 market orders. Each is labelled (one label per person);
//                        these come on top of the `count` injections below.
//  nationality-residency a resident foreigner whose KYC at one exchange declares residency
//                        `citizen` (a Japanese citizen's status claimed with a foreign nationality:
//                        a false or borrowed identity) trades in the period.
//  foreign-access        a Japanese citizen's account logs in 5–8 times within hours to days from a
//                        foreign IP (CN, VN, RU, KR, HK, NG) with that country's browser language, or
//                        from a Japanese IP with a foreign browser language (a VPN), on a device it
//                        never used, and trades: the account is used by someone else, abroad (the
//                        FSA reference case).
import type { Account } from "../population.ts";
import { HOUR, MINUTE, SECOND } from "../time.ts";
import type { Fixed, InjectionKit } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

const ABROAD: readonly { country: string; language: string; firsts: readonly number[] }[] = [
  { country: "CN", language: "zh-CN", firsts: [36, 39, 58, 101, 117] },
  { country: "VN", language: "vi-VN", firsts: [14, 27, 113, 171] },
  { country: "RU", language: "ru-RU", firsts: [5, 31, 46, 95] },
  { country: "KR", language: "ko-KR", firsts: [1, 14, 175, 211] },
  { country: "HK", language: "zh-HK", firsts: [14, 42, 113] },
  { country: "NG", language: "en-NG", firsts: [41, 102, 105, 197] },
];

/** A session: a login, then 1–4 market orders (small, heavy-tailed) in the account's listed markets over minutes. */
function session(kit: InjectionKit, a: Account, t: number, login?: Fixed): Fixed[] {
  const { rng, markets } = kit;
  const out: Fixed[] = [login ?? kit.login(a, t)];
  let at = t;
  for (let i = rng.int(1, 4); i > 0; i--) {
    at = kit.off(at + Math.floor(rng.range(20 * SECOND, 8 * MINUTE)));
    if (at >= kit.ctx.end) break;
    const asset = rng.chance(0.8) ? kit.listedMajor(a) : rng.pick(markets.listed[a.exchange]!);
    const value = Math.min(800_000, rng.logNormal(60_000, 0.9));
    const price = markets.mid(asset, a.exchange, at);
    out.push(...kit.marketOrder(a, at, asset, rng.chance(0.6) ? "buy" : "sell", kit.quantity(asset, value, price), undefined));
  }
  return out;
}

const randomIp = (kit: InjectionKit, firsts: readonly number[]) => `${kit.rng.pick(firsts)}.${kit.rng.int(0, 255)}.${kit.rng.int(0, 255)}.${kit.rng.int(1, 254)}`;

export const ineligibleTrader: InjectionModule = {
  typology: "ineligible-trader",
  summary: "non-residents trading; a KYC whose nationality and residency contradict; a resident's account used from abroad",
  plan(kit, count) {
    const { rng, ctx, pop, period } = kit;
    const inPeriod = (from: number) => kit.off(Math.max(from, ctx.start + 20 * MINUTE) + Math.floor(rng.float() * Math.max(0, ctx.end - 40 * MINUTE - Math.max(from, ctx.start + 20 * MINUTE))));

    // every non-resident: their trading is the finding (they should not hold the account at all)
    for (const p of pop.people) {
      if (p.identity.kind !== "individual" || p.identity.residency !== "non_resident" || !kit.free(p.index)) continue;
      const accounts = p.accounts.map((i) => pop.accounts[i]!).filter((a) => a.openedAt < ctx.end - 2 * HOUR);
      kit.claimPerson(p.index, true);
      if (accounts.length === 0) continue;
      const events: Fixed[] = [];
      for (const a of accounts) {
        for (let s = rng.int(1, Math.min(3, 1 + Math.floor(period / (8 * HOUR)))); s > 0; s--) events.push(...session(kit, a, inPeriod(a.openedAt + HOUR)));
      }
      kit.add(...events);
      const where = p.country;
      kit.label(accounts, events.filter((f) => f.e.type !== "login"), `non-resident (address and logins in ${where}) placing ${events.filter((f) => f.e.type === "order.placed").length} orders`);
    }

    for (let i = 0; i < count; i++) {
      if (i % 2 === 0) {
        // nationality-residency: a foreign national who declared residency "citizen" at one exchange
        const t = inPeriod(ctx.start);
        const a = kit.pickAccount((x) => {
          const id = pop.people[x.owner]!.identity;
          return !x.corporate && id.kind === "individual" && id.residency === "resident_foreigner";
        }, t);
        if (a === undefined) continue;
        kit.claim(a, true);
        a.kycPatch = { residency: "citizen" };
        const events: Fixed[] = [];
        for (let s = rng.int(1, 2); s > 0; s--) events.push(...session(kit, a, s === 1 ? t : inPeriod(ctx.start)));
        kit.add(...events);
        const nat = (pop.people[a.owner]!.identity as { nationality: string }).nationality;
        kit.label(a, events.filter((f) => f.e.type !== "login"), `KYC declares residency "citizen" with nationality ${nat}; ${events.filter((f) => f.e.type === "order.placed").length} orders in the period`);
      } else {
        // foreign-access: 5–8 foreign-looking logins on a new device within hours (or days), and trades
        const n = rng.int(5, 8);
        const span = Math.min(period - 2 * HOUR, rng.range(3 * HOUR, Math.max(3 * HOUR, Math.min(4 * 24 * HOUR, period - 2 * HOUR))));
        const t0 = ctx.start + Math.floor(rng.range(30 * MINUTE, period - span - 30 * MINUTE));
        const a = kit.pickAccount((x) => {
          const id = pop.people[x.owner]!.identity;
          return !x.corporate && id.kind === "individual" && id.residency === "citizen";
        }, t0);
        if (a === undefined) continue;
        kit.claim(a, true);
        const where = rng.pick(ABROAD);
        const vpn = rng.chance(0.3); // a Japanese exit IP, the foreign browser gives it away
        const device = `dv-${rng.hex(16)}`;
        const events: Fixed[] = [];
        for (const t of kit.spread(t0, Math.floor(span), n, 15 * MINUTE)) {
          const l = kit.login(a, t + 5 * MINUTE);
          const e = l.e as Extract<typeof l.e, { type: "login" }>;
          e.deviceId = device;
          e.language = where.language;
          if (vpn) e.ip = randomIp(kit, [60, 110, 126, 153, 180, 219]);
          else {
            e.ip = randomIp(kit, where.firsts);
            e.country = where.country;
          }
          events.push(...(rng.chance(0.5) ? session(kit, a, l.t, l) : [l]));
        }
        kit.add(...events);
        kit.label(a, events, `${n} logins on a new device with browser language ${where.language} ${vpn ? "from a Japanese IP (VPN)" : `from ${where.country}`} within ${((events[events.length - 1]!.t - events[0]!.t) / HOUR).toFixed(1)} h; resident citizen`);
      }
    }
  },
};
