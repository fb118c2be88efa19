// structuring: 3–6 deposits (or withdrawals) of one account within days, each 83–97% of the
// reporting line (bank ¥2,000,000 by amount; crypto ¥100,000 by valueJpy). Bank and crypto, both
// directions.
import type { MovementSpec } from "../factory.ts";
import { HOUR, MINUTE } from "../time.ts";
import { hours, yen, type Fixed } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

export const structuring: InjectionModule = {
  typology: "structuring",
  summary: "3–6 movements of one account, each 83–97% of a reporting line, within hours or days",
  plan(kit, count) {
    const { rng, ctx, period } = kit;
    for (let i = 0; i < count; i++) {
      const kind = i % 4;
      const channel = kind === 0 || kind === 2 ? "bank" : "crypto";
      const dir = kind < 2 ? "deposit" : "withdrawal";
      const n = rng.int(3, 6);
      const span = period >= 2 * 24 * HOUR ? rng.range(24 * HOUR, Math.min(5 * 24 * HOUR, period - 4 * HOUR)) : rng.range(3 * HOUR, Math.min(18 * HOUR, period - 2 * HOUR));
      const t0 = ctx.start + Math.floor(rng.range(30 * MINUTE, period - span - 30 * MINUTE));
      const a = kit.pickAccount((x) => !x.corporate, t0);
      if (a === undefined) continue;
      kit.claim(a, false);
      const line = channel === "bank" ? 2_000_000 : 100_000;
      const asset = channel === "crypto" ? kit.listedMajor(a) : undefined;
      const injected: Fixed[] = [];
      const values: number[] = [];
      for (const t of kit.spread(t0, Math.floor(span), n, 20 * MINUTE)) {
        let m: MovementSpec;
        if (asset === undefined) {
          const v = Math.round((line * rng.range(0.83, 0.97)) / 1_000) * 1_000;
          m = { kind: dir, channel: "bank", asset: "JPY", amount: String(v), value: v };
        } else {
          const c = kit.cryptoOf(asset, a, t, line * rng.range(0.84, 0.96));
          m = { kind: dir, channel: "crypto", asset: asset.def.asset, amount: c.amount, value: c.value };
        }
        values.push(m.value);
        const f = kit.move(a, t, m);
        kit.add(kit.loginFor(a, f), f);
        injected.push(f);
      }
      const sorted = [...values].sort((x, y) => x - y);
      kit.label(a, injected, `${n} ${channel} ${dir}s of ${yen(sorted[0]!)}–${yen(sorted[sorted.length - 1]!)} (line ${yen(line)}) within ${hours(injected[injected.length - 1]!.t - injected[0]!.t)}`);
    }
  },
};
