// graph-patterns: AMLSim's five laundering shapes, as `transfer`s between accounts of different people
// at one exchange, within hours.
//
//  fan-in          5–7 mules each move ¥220,000–¥600,000 into one collector (¥1.3M or more together).
//  fan-out         one distributor moves ¥220,000–¥600,000 to each of 5–7 accounts.
//  cycle           ¥1M–¥3M goes round 3–5 accounts and back to the first, each hop 90–99% of the one
//                  before, 20 minutes to 4 hours apart.
//  scatter-gather  an origin moves ¥300,000–¥800,000 to each of 3–5 intermediaries, which then pass
//                  90–98% of it on to one beneficiary.
//  gather-scatter  3–5 senders move ¥300,000–¥800,000 each into one account, which then moves 90–98%
//                  of the total on to 3–5 other accounts.
//
// Everyone is an individual with no other injection; receivers declare an income at least their
// inflow, so the money is not out of line with their profile (profile-mismatch stays quiet). Their
// background money movements are switched off.
import type { Account } from "../population.ts";
import { HOUR, MINUTE } from "../time.ts";
import { hours, yen, type Fixed } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

type Variant = "fan-in" | "fan-out" | "cycle" | "scatter-gather" | "gather-scatter";
const VARIANTS: readonly Variant[] = ["fan-in", "cycle", "scatter-gather", "fan-out", "gather-scatter"];

/** Whole thousands of yen. */
const round = (v: number): number => Math.max(1_000, Math.round(v / 1_000) * 1_000);

export const graphPatterns: InjectionModule = {
  typology: "graph-patterns",
  summary: "AMLSim shapes as transfers between different people at one exchange within hours: fan-in, fan-out, cycle, scatter-gather, gather-scatter",
  plan(kit, count) {
    const { rng, ctx, factory, ids, pop, period } = kit;
    const income = (a: Account): number => {
      const id = pop.people[a.owner]!.identity;
      return id.kind === "individual" ? id.incomeJpy : 0;
    };
    /**
     * `n` accounts of different individuals at one exchange, existing before `before`, claimed: the
     * first (the main account) declares an income of at least `mainInflow`, every other one of at
     * least `otherInflow`, so what they receive is not out of line with their profile.
     */
    const group = (n: number, before: number, mainInflow: number, otherInflow: number): Account[] | undefined => {
      const person = (x: Account) => !x.corporate && x.segment !== "whale";
      const main = kit.pickAccount((x) => person(x) && income(x) >= mainInflow, before);
      if (main === undefined) return undefined;
      const out = [main];
      const others: Account[] = [];
      for (let i = 1; i < n; i++) {
        const a = kit.pickAccount((x) => person(x) && x.exchange === main.exchange && income(x) >= otherInflow && !others.some((o) => o.owner === x.owner) && x.owner !== main.owner, before);
        if (a === undefined) return undefined;
        others.push(a);
      }
      for (const a of [main, ...others]) kit.claim(a, false);
      return [...out, ...others];
    };
    const transfer = (from: Account, to: Account, t: number, value: number): [Account, Fixed] => [
      from,
      { t, e: factory.transfer(ids.next(factory.source(from), "tf"), t, from, to, "JPY", String(value), value) },
    ];
    /** Start and n sorted times over `span` at least `gap` apart, inside the period. */
    const times = (n: number, span: number, gap: number): number[] => {
      const room = Math.max((n - 1) * gap + MINUTE, Math.min(span, period - 2 * HOUR));
      const t0 = ctx.start + HOUR + Math.floor(rng.range(0, Math.max(0, period - 2 * HOUR - room)));
      return kit.spread(t0, room, n, gap);
    };
    let placed = 0;
    for (let r = 0; placed < count && r < count * 4; r++) {
      const v = VARIANTS[placed % VARIANTS.length]!;
      const injected: Array<[Account, Fixed]> = [];
      let accounts: Account[] | undefined;
      let note = "";
      if (v === "fan-in" || v === "fan-out") {
        const n = rng.int(5, 7);
        const values = Array.from({ length: n }, () => round(rng.range(220_000, 600_000)));
        const total = values.reduce((x, y) => x + y, 0);
        if (total < 1_300_000) values[0] = round(values[0]! + 1_300_000 - total);
        const sum = values.reduce((x, y) => x + y, 0);
        const ts = times(n, rng.range(1, 20) * HOUR, 10 * MINUTE);
        // the collector receives it all; a distributor's receivers get one part each
        accounts = v === "fan-in" ? group(n + 1, ts[0]!, sum, 0) : group(n + 1, ts[0]!, 0, Math.max(...values));
        if (accounts === undefined) continue;
        const [main, ...others] = accounts as [Account, ...Account[]];
        others.forEach((o, i) => injected.push(v === "fan-in" ? transfer(o, main, ts[i]!, values[i]!) : transfer(main, o, ts[i]!, values[i]!)));
        note = v === "fan-in"
          ? `${n} accounts move ${yen(sum)} (${values.map(yen).join(", ")}) into one collector within ${hours(ts[n - 1]! - ts[0]!)}`
          : `one account moves ${yen(sum)} (${values.map(yen).join(", ")}) out to ${n} accounts within ${hours(ts[n - 1]! - ts[0]!)}`;
      } else if (v === "cycle") {
        const n = rng.int(3, 5);
        const first = round(rng.range(1_000_000, 3_000_000));
        const values = [first];
        for (let i = 1; i < n; i++) values.push(round(values[i - 1]! * rng.range(0.9, 0.99)));
        const gaps = Array.from({ length: n - 1 }, () => Math.floor(rng.range(20 * MINUTE, 4 * HOUR)));
        const span = gaps.reduce((x, y) => x + y, 0);
        const ts = times(n, span, 20 * MINUTE);
        accounts = group(n, ts[0]!, first, first);
        if (accounts === undefined) continue;
        for (let i = 0; i < n; i++) injected.push(transfer(accounts[i]!, accounts[(i + 1) % n]!, ts[i]!, values[i]!));
        note = `${yen(first)} goes round ${n} accounts and comes back as ${yen(values[n - 1]!)} within ${hours(ts[n - 1]! - ts[0]!)}`;
      } else {
        const k = rng.int(3, 5);
        const parts = Array.from({ length: k }, () => round(rng.range(300_000, 800_000)));
        const total = parts.reduce((x, y) => x + y, 0);
        if (total < 1_200_000) parts[0] = round(parts[0]! + 1_200_000 - total);
        const sum = parts.reduce((x, y) => x + y, 0);
        const ts = times(2 * k, rng.range(3, 20) * HOUR, 10 * MINUTE);
        if (v === "scatter-gather") {
          // the beneficiary receives nearly all of it, each intermediary one part
          const g = group(k + 2, ts[0]!, sum, Math.max(...parts));
          if (g === undefined) continue;
          const [beneficiary, origin, ...mids] = g as [Account, Account, ...Account[]];
          accounts = [origin, ...mids, beneficiary];
          const passed = parts.map((p) => round(p * rng.range(0.9, 0.98)));
          mids.forEach((m, i) => injected.push(transfer(origin, m, ts[i]!, parts[i]!)));
          mids.forEach((m, i) => injected.push(transfer(m, beneficiary, ts[k + i]!, passed[i]!)));
          note = `one account scatters ${yen(sum)} to ${k} accounts, which pass ${yen(passed.reduce((x, y) => x + y, 0))} on to one beneficiary within ${hours(ts[2 * k - 1]! - ts[0]!)}`;
        } else {
          const g = group(2 * k + 1, ts[0]!, sum, Math.round(sum * 0.6));
          if (g === undefined) continue;
          const [main, ...rest] = g as [Account, ...Account[]];
          const senders = rest.slice(0, k);
          const receivers = rest.slice(k);
          accounts = [main, ...senders, ...receivers];
          const out = round(sum * rng.range(0.9, 0.98));
          const w = Array.from({ length: k }, () => rng.range(0.6, 1.4));
          const ws = w.reduce((x, y) => x + y, 0);
          const pieces = w.map((x) => round((out * x) / ws));
          senders.forEach((s, i) => injected.push(transfer(s, main, ts[i]!, parts[i]!)));
          receivers.forEach((d, i) => injected.push(transfer(main, d, ts[k + i]!, pieces[i]!)));
          note = `one account gathers ${yen(sum)} from ${k} accounts and scatters ${yen(pieces.reduce((x, y) => x + y, 0))} to ${k} others within ${hours(ts[2 * k - 1]! - ts[0]!)}`;
        }
      }
      for (const [from, f] of injected) kit.add(kit.login(from, f.t), f);
      kit.label(accounts, injected.map(([, f]) => f), note);
      placed++;
    }
  },
};
