// dormant-reactivation: an account that has not moved for 200 days to three years wakes up — a login
// from a device and an IP it never used (a taken-over or sold account) — and within 20 minutes to 20
// hours most of what it held (88–100%) leaves for destinations it never used: the coins to a fresh
// address, or (the yen variant) the yen to a bank account not its owner's.
//
// History: the account was funded long ago (a crypto deposit with its on-chain side, or a yen bank
// deposit, after a login) and then left alone; those events are in the stream's prologue, so a
// replay from the start knows the balance. The owner does nothing else during the period.
import { formatNumber } from "../market.ts";
import { DAY, HOUR, MINUTE } from "../time.ts";
import { yen, type Fixed } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

export const dormantReactivation: InjectionModule = {
  typology: "dormant-reactivation",
  summary: "an account idle 200 days to 3 years logs in from a new device and IP and sends 88–100% of its balance to new destinations within hours",
  plan(kit, count) {
    const { rng, ctx, markets, period } = kit;
    for (let i = 0; i < count; i++) {
      const yenVariant = i % 3 === 2;
      const tw = kit.off(ctx.start + Math.floor(rng.range(30 * MINUTE, Math.max(40 * MINUTE, period - 3 * HOUR))));
      const idle = Math.floor(rng.range(200, 1_100) * DAY);
      const tFund = kit.off(tw - idle);
      const a = kit.pickAccount((x) => !x.corporate && x.segment !== "whale" && x.openedAt < tFund - 3 * DAY, tFund);
      if (a === undefined) continue;
      kit.claim(a, true);
      // savings in line with what the owner declared (the drain, not the funding, is the finding)
      const declared = Number(kit.factory.kyc(a).declaredIncomeJpy ?? 0);
      const target = Math.min(4_500_000, Math.max(300_000, 2.5 * declared), Math.max(150_000, rng.logNormal(700_000, 0.9)));
      const asset = yenVariant ? undefined : kit.listedMajor(a);
      // the funding, long ago (its yen value at the time differs from today's: the coin's price moved)
      const history: Fixed[] = [];
      let held: string;
      let heldValueNow: number;
      if (asset === undefined) {
        const v = Math.round(target / 10_000) * 10_000;
        held = String(v);
        heldValueNow = v;
        const dep = kit.move(a, tFund, { kind: "deposit", channel: "bank", asset: "JPY", amount: held, value: v });
        history.push(kit.loginFor(a, dep), dep);
      } else {
        const price = markets.mid(asset, a.exchange, ctx.start);
        held = kit.quantity(asset, target, price);
        heldValueNow = Number(held) * price;
        const then = Math.round(heldValueNow * rng.range(0.4, 1.1));
        const dep = kit.move(a, tFund, { kind: "deposit", channel: "crypto", asset: asset.def.asset, amount: held, value: then });
        history.push(kit.loginFor(a, dep), dep);
      }
      // a last look a few days later, then nothing
      history.push(kit.login(a, tFund + Math.floor(rng.range(1, 10) * DAY)));
      kit.add(...history);

      // waking up: a new device and IP
      const wake = kit.login(a, tw);
      const w = wake.e as Extract<typeof wake.e, { type: "login" }>;
      w.deviceId = `dv-${rng.hex(16)}`;
      if (rng.chance(0.5)) {
        w.ip = `${rng.pick([5, 36, 41, 95, 185])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
        w.country = rng.pick(["RU", "NG", "CN", "VN"]);
      } else w.ip = `${rng.pick([60, 110, 126, 153, 180, 219])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
      const drainBy = Math.min(wake.t + Math.floor(rng.range(20 * MINUTE, 20 * HOUR)), ctx.end - 10 * MINUTE);
      const share = rng.range(0.88, 1);
      const legs = rng.chance(0.3) ? 2 : 1;
      const times = kit.spread(wake.t + 3 * MINUTE, Math.max(legs * 5 * MINUTE, drainBy - wake.t - 3 * MINUTE), legs, 4 * MINUTE);
      const drain: Fixed[] = [];
      let out = 0;
      if (asset === undefined) {
        const total = Math.floor((Number(held) * share) / 1_000) * 1_000;
        const first = legs === 1 ? total : Math.round((total * rng.range(0.4, 0.6)) / 1_000) * 1_000;
        const mule = rng.hex(64); // a bank account the owner never used
        for (const [j, v] of (legs === 1 ? [total] : [first, total - first]).entries()) {
          const f = kit.move(a, times[j]!, { kind: "withdrawal", channel: "bank", asset: "JPY", amount: String(v), value: v }, (e) => ({ ...e, bankAccountHash: mule }) as typeof e);
          drain.push(f);
          out += v;
        }
      } else {
        const dp = asset.def.qtyDp;
        const total = Number(held) * share;
        const parts = legs === 1 ? [total] : [total * 0.55, total * 0.45];
        for (const [j, q] of parts.entries()) {
          const t = times[j]!;
          const amount = formatNumber(Math.floor(q * 10 ** dp) / 10 ** dp, dp);
          const value = Math.round(Number(amount) * markets.mid(asset, a.exchange, t));
          drain.push(kit.move(a, t, { kind: "withdrawal", channel: "crypto", asset: asset.def.asset, amount, value }));
          out += value;
        }
      }
      kit.add(wake, ...drain);
      const idleDays = Math.round((tw - history[history.length - 1]!.t) / DAY);
      kit.label(
        a,
        [wake, ...drain],
        `idle ${idleDays} days holding ${asset === undefined ? yen(Number(held)) : `${held} ${asset.def.asset} (${yen(heldValueNow)})`}; login from a new device and IP, then ${drain.length} withdrawal(s) of ${yen(out)} (${(share * 100).toFixed(0)}%) to ${asset === undefined ? "a bank account never used" : "a fresh address"} within ${((drain[drain.length - 1]!.t - wake.t) / HOUR).toFixed(1)} h`,
      );
    }
  },
};
