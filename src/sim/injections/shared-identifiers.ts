// shared-identifiers: accounts of different people run from one place.
//
//  device farm      a handler logs into 3–5 mules' accounts (different people, at one to three
//                   exchanges) from one phone and one connection, minutes to hours apart.
//  shared bank      3–4 accounts of different people are funded from one bank account (¥30,000–
//                   ¥150,000 each, round amounts): the collector's, not theirs.
//  collector wallet 3–4 accounts of different people withdraw ETH worth ¥110,000–¥240,000 each to
//                   one fresh address (under ¥1M together and fewer than five: not a graph fan-in).
//  ring             four people chained by links no single identifier shows: A and B on one device,
//                   B and C one bank account, C and D one withdrawal address.
//
// The people are individuals with no family tie to anyone, with different birth dates and names (so
// they are different people to any reading); their background money movements and trading are
// switched off, so what a detector sees of them is the injection and their own logins.
import type { EventInput } from "../../contracts/index.ts";
import { syntheticAddress } from "../factory.ts";
import type { AssetSeries } from "../market.ts";
import type { Account } from "../population.ts";
import { HOUR, MINUTE } from "../time.ts";
import { hours, yen, type Fixed, type InjectionKit } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

type Variant = "device" | "bank" | "wallet" | "ring";
const VARIANTS: readonly Variant[] = ["device", "bank", "wallet", "ring"];

/** A bank-account hash like the background's (64 hex digits), fresh. */
const bankHash = (kit: InjectionKit): string => kit.rng.hex(64);

/**
 * `n` accounts of different, unrelated individuals (distinct birth dates and names), not injected yet,
 * existing before `before`; claimed. `ok` narrows the accounts (a venue listing ETH, …).
 */
function strangers(kit: InjectionKit, n: number, before: number, ok: (a: Account) => boolean = () => true): Account[] | undefined {
  const out: Account[] = [];
  const dobs = new Set<string>();
  const names = new Set<string>();
  for (let tries = 0; out.length < n && tries < n * 50; tries++) {
    const a = kit.pickAccount((x) => !x.corporate && x.segment !== "whale" && ok(x), before);
    if (a === undefined) return undefined;
    const p = kit.pop.people[a.owner]!;
    const id = p.identity;
    if (id.kind !== "individual" || p.relations.length > 0 || p.household !== null || p.country !== "JP") continue;
    const nm = `${id.name.family}${id.name.given}`;
    const former = id.formerName === undefined ? undefined : `${id.formerName.family}${id.formerName.given}`;
    if (dobs.has(id.dateOfBirth) || names.has(nm) || (former !== undefined && names.has(former))) continue;
    dobs.add(id.dateOfBirth);
    names.add(nm);
    if (former !== undefined) names.add(former);
    kit.claim(a, true);
    out.push(a);
  }
  return out.length === n ? out : undefined;
}

/** A login of `a` at t from `device` and `ip`. */
function loginFrom(kit: InjectionKit, a: Account, t: number, device: string, ip: string): Fixed {
  const l = kit.login(a, t);
  return { t: l.t, e: { ...l.e, deviceId: device, ip } as EventInput };
}

/** A yen bank deposit of `value` into `a` at t from the bank account `hash`. */
function bankDeposit(kit: InjectionKit, a: Account, t: number, value: number, hash: string): Fixed {
  return kit.move(a, t, { kind: "deposit", channel: "bank", asset: "JPY", amount: String(value), value }, (e) => ({ ...e, bankAccountHash: hash }) as EventInput);
}

/** A withdrawal of `asset` worth about `value` from `a` at t to `to`. */
function walletWithdrawal(kit: InjectionKit, a: Account, t: number, asset: AssetSeries, value: number, to: string): Fixed {
  const c = kit.cryptoOf(asset, a, t, value);
  return kit.move(a, t, { kind: "withdrawal", channel: "crypto", asset: asset.def.asset, amount: c.amount, value: c.value }, (e) => ({ ...e, toAddress: to }) as EventInput);
}

export const sharedIdentifiers: InjectionModule = {
  typology: "shared-identifiers",
  summary: "3–5 different people's accounts on one device, funded from one bank account or paying one wallet; a ring of four chained by a device, a bank account and a wallet",
  plan(kit, count) {
    const { rng, ctx, markets, pop, period } = kit;
    const eth = markets.asset("ETH");
    const listsEth = (a: Account) => eth.venueOf[a.exchange]! >= 0;
    /** Sorted times inside the period: n of them over `span`, at least `gap` apart, starting after the first hour. */
    const times = (n: number, span: number, gap: number) => {
      const room = Math.max(n * gap, Math.min(span, period - 2 * HOUR));
      const t0 = ctx.start + HOUR + Math.floor(rng.range(0, Math.max(0, period - 2 * HOUR - room)));
      return kit.spread(t0, room, n, gap);
    };
    let placed = 0;
    for (let round = 0; placed < count && round < count * 3; round++) {
      const v = VARIANTS[round % VARIANTS.length]!;
      const injected: Fixed[] = [];
      let group: Account[] | undefined;
      let note = "";
      if (v === "device") {
        const n = rng.int(3, 5);
        const ts = times(n, rng.range(1, 10) * HOUR, 5 * MINUTE);
        group = strangers(kit, n, ts[0]!);
        if (group === undefined) continue;
        const device = `dv-${rng.hex(16)}`;
        const ip = pop.people[group[0]!.owner]!.homeIp;
        group.forEach((a, i) => injected.push(loginFrom(kit, a, ts[i]!, device, ip)));
        note = `${n} accounts of ${n} different people log in from one device within ${hours(ts[n - 1]! - ts[0]!)}`;
      } else if (v === "bank") {
        const n = rng.int(3, 4);
        const ts = times(n, rng.range(2, 16) * HOUR, 10 * MINUTE);
        group = strangers(kit, n, ts[0]!);
        if (group === undefined) continue;
        const hash = bankHash(kit);
        const values = group.map(() => 10_000 * rng.int(3, 15));
        group.forEach((a, i) => {
          const d = bankDeposit(kit, a, ts[i]!, values[i]!, hash);
          injected.push(d);
          kit.add(kit.loginFor(a, d));
        });
        note = `${n} accounts of ${n} different people funded from one bank account (${values.map(yen).join(", ")}) within ${hours(ts[n - 1]! - ts[0]!)}`;
      } else if (v === "wallet") {
        const n = rng.int(3, 4);
        const ts = times(n, rng.range(2, 16) * HOUR, 10 * MINUTE);
        group = strangers(kit, n, ts[0]!, listsEth);
        if (group === undefined) continue;
        const to = syntheticAddress(rng, eth.def.addressKind);
        const values: number[] = [];
        group.forEach((a, i) => {
          const w = walletWithdrawal(kit, a, ts[i]!, eth, rng.range(110_000, 240_000), to);
          values.push(Number((w.e as { valueJpy?: string }).valueJpy ?? 0));
          injected.push(w);
          kit.add(kit.loginFor(a, w));
        });
        note = `${n} accounts of ${n} different people withdraw ETH (${values.map(yen).join(", ")}) to one address within ${hours(ts[n - 1]! - ts[0]!)}`;
      } else {
        const ts = times(6, rng.range(3, 16) * HOUR, 10 * MINUTE);
        group = strangers(kit, 4, ts[0]!, listsEth);
        if (group === undefined) continue;
        const [A, B, C, D] = group as [Account, Account, Account, Account];
        const device = `dv-${rng.hex(16)}`;
        const ip = pop.people[A.owner]!.homeIp;
        injected.push(loginFrom(kit, A, ts[0]!, device, ip), loginFrom(kit, B, ts[1]!, device, ip));
        const hash = bankHash(kit);
        for (const [a, t] of [[B, ts[2]!], [C, ts[3]!]] as const) {
          const d = bankDeposit(kit, a, t, 10_000 * rng.int(3, 15), hash);
          injected.push(d);
          kit.add(kit.loginFor(a, d));
        }
        const to = syntheticAddress(rng, eth.def.addressKind);
        for (const [a, t] of [[C, ts[4]!], [D, ts[5]!]] as const) {
          const w = walletWithdrawal(kit, a, t, eth, rng.range(110_000, 240_000), to);
          injected.push(w);
          kit.add(kit.loginFor(a, w));
        }
        note = `a ring of 4 different people within ${hours(ts[5]! - ts[0]!)}: two on one device, two funded from one bank account, two paying one ETH address`;
      }
      kit.add(...injected);
      kit.label(group, injected, note);
      placed++;
    }
  },
};
