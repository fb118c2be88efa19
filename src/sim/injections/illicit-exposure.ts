// illicit-exposure: crypto from or to addresses labelled illicit, directly or a few hops away.
//
//  heist (the Coincheck case)  an exchange's XEM hot wallet (or, alternately, an Ethereum DeFi pool) is
//                   drained into a fresh address H; hours later a research firm labels H `hack`; H then
//                   scatters the loot into 10–16 small transfers to fresh addresses, some of which pass
//                   it on once more; 1.5–6 days after the theft, 3–5 of those addresses pay deposit
//                   addresses at several exchanges (2 hops from H, or 3), one in three after clean coins
//                   joined the forwarding address (a diluted share). Each deposit is one label (its
//                   account, a different person each: buyers of discounted stolen coins), and most
//                   depositors sell some of the coins soon after (what the book takes).
//  sanctioned       a BTC or ETH deposit straight from an OFAC-listed address (as republished before it).
//  scam             an ETH withdrawal to a published phishing / scam address, straight or through a
//                   fresh address the victim was told to use (2 hops).
//
// The taint is followed by the chain's own moves (chain.transfer, as kumo-intel feeds them); each
// deposit's and withdrawal's on-chain side is written like the background's.
import type { EventInput } from "../../contracts/index.ts";
import { EXCHANGES, RESEARCH_FIRMS } from "../data/sources.ts";
import { syntheticAddress, txHash } from "../factory.ts";
import { formatNumber, type AssetSeries } from "../market.ts";
import type { Account } from "../population.ts";
import { DAY, HOUR, MINUTE } from "../time.ts";
import { yen, type Fixed, type InjectionKit } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

const CHAIN = RESEARCH_FIRMS.chain;

type Variant = "heist-xem" | "sanctioned" | "heist-eth" | "scam";
const VARIANTS: readonly Variant[] = ["heist-xem", "sanctioned", "heist-eth", "scam"];

/** A chain.transfer of `units` (smallest units) of `asset` at t. */
function move(kit: InjectionKit, t: number, asset: AssetSeries, from: string, to: string, units: number): Fixed {
  const dp = asset.def.qtyDp;
  const amount = formatNumber(units / 10 ** dp, dp);
  const value = Math.max(1, Math.round(Number(amount) * kit.markets.mid(asset, asset.venues[0]!.exchange, t)));
  return { t, e: kit.factory.chainTransfer(kit.ids.next(CHAIN, "ct"), t, asset, txHash(kit.rng, asset.def.addressKind), from, to, amount, value) };
}

/** A crypto deposit of `units` from `from` into `a`, with its chain side (landing before it). */
function depositFrom(kit: InjectionKit, a: Account, t: number, asset: AssetSeries, from: string, units: number): Fixed {
  const dp = asset.def.qtyDp;
  const amount = formatNumber(units / 10 ** dp, dp);
  const value = Math.round(Number(amount) * kit.markets.mid(asset, a.exchange, t));
  return kit.move(a, t, { kind: "deposit", channel: "crypto", asset: asset.def.asset, amount, value }, (e) => ({ ...e, fromAddress: from }) as EventInput);
}

export const illicitExposure: InjectionModule = {
  typology: "illicit-exposure",
  summary: "a heist scattered over fresh addresses reaching deposits at several exchanges days later (2–3 hops); deposits from sanctioned addresses; withdrawals to scam addresses",
  plan(kit, count) {
    const { rng, ctx, markets, factory, period } = kit;
    let placed = 0;
    const pickAt = (ok: (a: Account) => boolean, t: number) => kit.pickAccount((x) => !x.corporate && ok(x), t);
    const listing = (asset: AssetSeries) => (x: Account) => asset.venueOf[x.exchange]! >= 0;

    for (let round = 0; placed < count && round < count * 3; round++) {
      const v = VARIANTS[round % VARIANTS.length]!;
      if (v === "heist-xem" || v === "heist-eth") {
        const asset = markets.asset(v === "heist-xem" ? "XEM" : "ETH");
        const dp = asset.def.qtyDp;
        const price = markets.mid(asset, asset.venues[0]!.exchange, ctx.start);
        const units = (yenValue: number) => Math.max(1, Math.floor((yenValue / price) * 10 ** dp));
        // deposits in the period, the theft 1.5–6 days before the first of them
        const tDep0 = ctx.start + Math.floor(rng.range(30 * MINUTE, Math.max(31 * MINUTE, period - 3 * HOUR)));
        const tHeist = kit.off(tDep0 - Math.floor(rng.range(1.5, 6) * DAY));
        const victim = v === "heist-xem" ? factory.custodyWallet(asset.venues[0]!.exchange, asset, "hot") : factory.poolAddress(asset, rng.int(0, 1_000_000));
        const H = syntheticAddress(rng, asset.def.addressKind);
        const loot = units(rng.range(30_000_000, 120_000_000));
        const path: Fixed[] = [move(kit, tHeist, asset, victim, H, loot)];
        const tLabel = kit.off(tHeist + Math.floor(rng.range(2, 10) * HOUR));
        const record = {
          network: asset.def.network, address: H, label: "hack" as const, publisher: "threats" as const,
          entityName: v === "heist-xem" ? "Exchange hot-wallet heist (synthetic)" : "DeFi pool exploiter (synthetic)",
          reference: "tsurugi-labs heist tracking (synthetic)",
        };
        const labelEvent: Fixed = { t: tLabel, e: factory.addressLabel(kit.ids.next(RESEARCH_FIRMS.threats, "al"), tLabel, record, rng) };
        path.push(labelEvent);
        // scatter after the label; some forwarders pass it on once more
        const m = rng.int(10, 16);
        const hop1: { addr: string; units: number; at: number; scatter: Fixed }[] = [];
        let t = tLabel;
        for (let j = 0; j < m; j++) {
          t = kit.off(t + Math.floor(rng.range(5, 60) * MINUTE));
          const u = units(rng.range(300_000, 3_000_000));
          const addr = syntheticAddress(rng, asset.def.addressKind);
          const f = move(kit, t, asset, H, addr, u);
          path.push(f);
          hop1.push({ addr, units: u, at: t, scatter: f });
        }
        kit.add(...path);
        const k = Math.min(rng.int(3, 5), count - placed, m);
        const senders = rng.shuffle([...hop1]).slice(0, k);
        const venues = new Set<number>();
        senders.forEach((s, j) => {
          const tDep = kit.off(Math.min(ctx.end - 40 * MINUTE, tDep0 + Math.floor(rng.range(0, Math.min(2 * DAY, Math.max(MINUTE, ctx.end - tDep0 - 2 * HOUR))))));
          // prefer an exchange not used yet by this heist (several exchanges)
          const a = pickAt((x) => listing(asset)(x) && (!venues.has(x.exchange) || venues.size >= asset.venues.length), tDep) ?? pickAt(listing(asset), tDep);
          if (a === undefined) return;
          kit.claim(a, true);
          venues.add(a.exchange);
          const trail: Fixed[] = [labelEvent, s.scatter];
          let from = s.addr;
          let hops = 2;
          let held = s.units;
          if (j % 2 === 1) {
            // one more hop
            const next = syntheticAddress(rng, asset.def.addressKind);
            const tf = kit.off(Math.min(s.at + Math.floor(rng.range(1, 20) * HOUR), tDep - 3 * HOUR));
            const f = move(kit, Math.max(tf, s.at + MINUTE), asset, from, next, held);
            kit.add(f);
            trail.push(f);
            from = next;
            hops = 3;
          }
          let note = "";
          if (j % 3 === 2) {
            // clean coins join the forwarder before it pays the exchange: a diluted share
            const clean = Math.floor(held * rng.range(0.4, 1.2));
            const f = move(kit, kit.off(tDep - Math.floor(rng.range(1, 3) * HOUR)), asset, factory.poolAddress(asset, rng.int(0, 1_000_000)), from, clean);
            kit.add(f);
            note = `, after ${formatNumber(clean / 10 ** dp, dp)} clean ${asset.def.asset} joined it (about ${Math.round((100 * held) / (held + clean))}% tainted)`;
            held += clean;
          }
          const depUnits = Math.floor(held * rng.range(0.9, 1));
          const dep = depositFrom(kit, a, tDep, asset, from, depUnits);
          const after: Fixed[] = [];
          if (rng.chance(0.6)) {
            const ts = kit.off(tDep + Math.floor(rng.range(10, 180) * MINUTE));
            const price = markets.mid(asset, a.exchange, ts);
            const most = Math.floor((kit.bookCap(asset, a.exchange, ts, "sell") / price) * 10 ** dp);
            if (ts < ctx.end) after.push(...kit.marketOrder(a, ts, asset, "sell", formatNumber(Math.max(1, Math.min(most, Math.floor(depUnits * rng.range(0.5, 1)))) / 10 ** dp, dp)));
          }
          kit.add(kit.loginFor(a, dep), dep, ...after);
          kit.label(a, [...trail, dep, ...after], `${asset.def.asset} deposit of ${formatNumber(depUnits / 10 ** dp, dp)} (${yen(Number((dep.e as { valueJpy?: string }).valueJpy ?? 0))}) at ${EXCHANGES[a.exchange]!.id}, ${hops} hops from a hack address labelled ${Math.round((tLabel - tHeist) / HOUR)} h after the theft of ${yen((loot / 10 ** dp) * price)}${note}`);
          placed++;
        });
      } else if (v === "sanctioned") {
        const t = kit.off(ctx.start + Math.floor(rng.range(30 * MINUTE, period - 40 * MINUTE)));
        const known = ctx.labels.filter((l) => l.record.label === "sanctioned" && (l.record.network === "bitcoin" || l.record.network === "ethereum") && l.t < t - 2 * HOUR);
        if (known.length === 0) continue;
        const l = rng.pick(known);
        const asset = markets.asset(l.record.network === "bitcoin" ? "BTC" : "ETH");
        const a = pickAt(listing(asset), t);
        if (a === undefined) continue;
        kit.claim(a, true);
        const dp = asset.def.qtyDp;
        const u = Math.floor((rng.range(200_000, 5_000_000) / markets.mid(asset, a.exchange, t)) * 10 ** dp);
        const dep = depositFrom(kit, a, t, asset, l.record.address, u);
        kit.add(kit.loginFor(a, dep), dep);
        kit.label(a, [dep], `${asset.def.asset} deposit of ${formatNumber(u / 10 ** dp, dp)} straight from an OFAC-listed address`);
        placed++;
      } else {
        const t = kit.off(ctx.start + Math.floor(rng.range(30 * MINUTE, Math.max(31 * MINUTE, period - 5 * HOUR))));
        const known = ctx.labels.filter((l) => l.record.label === "scam" && l.record.network === "ethereum" && l.t < t - 2 * HOUR);
        if (known.length === 0) continue;
        const l = rng.pick(known);
        const asset = markets.asset("ETH");
        const a = pickAt(listing(asset), t);
        if (a === undefined) continue;
        kit.claim(a, true);
        const value = Math.min(3_000_000, Math.max(100_000, rng.logNormal(600_000, 0.8)));
        const c = kit.cryptoOf(asset, a, t, value);
        const twoHops = rng.chance(0.5);
        const dest = twoHops ? syntheticAddress(rng, asset.def.addressKind) : l.record.address;
        const wd = kit.move(a, t, { kind: "withdrawal", channel: "crypto", asset: "ETH", amount: c.amount, value: c.value }, (e) => ({ ...e, toAddress: dest }) as EventInput);
        const injected: Fixed[] = [wd];
        if (twoHops) {
          const dp = asset.def.qtyDp;
          const u = Math.floor(Number(c.amount) * rng.range(0.9, 1) * 10 ** dp);
          const onChain = kit.onChainAt(wd) ?? t;
          const tf = kit.off(onChain + Math.floor(rng.range(10 * MINUTE, 4 * HOUR)));
          if (tf < ctx.end) injected.push(move(kit, tf, asset, dest, l.record.address, u));
        }
        kit.add(kit.loginFor(a, wd), ...injected);
        kit.label(a, injected, `ETH withdrawal of ${c.amount} (${yen(c.value)}) ${twoHops ? "to a fresh address that paid" : "straight to"} a published phishing / scam address`);
        placed++;
      }
    }
  },
};
