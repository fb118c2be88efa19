// cross-border-outflow: money leaving for places that need a closer look.
//
//  grey-list sum    3–5 crypto withdrawals of ¥0.7–0.98M each (under the ¥1M single line) to a VASP
//                   in a jurisdiction under FATF increased monitoring (VN, PH, NG, ZA, KE), over hours
//                   or days, together ≥ ¥3.2M; travel-rule names present.
//  black list       one crypto withdrawal (¥50,000–¥2,000,000) to a VASP in IR, KP or MM.
//  foreign          one crypto withdrawal of ¥3.5–9M to a VASP in SG, HK, US, KR or AE.
//  travel rule      a crypto withdrawal to a domestic VASP with the beneficiary's (or originator's)
//                   name left out.
//  FX report        a corporate's bank payment abroad (US, SG, HK, GB) of ¥31–90M: over the Foreign
//                   Exchange Act's ¥30M reporting line (and the corporate foreign line).
//  unhosted         an individual's crypto withdrawal of ¥5.5–9M to a self-hosted wallet.
//
// Larger outflows are funded first, as customers do: a yen bank deposit (a round amount) and a buy of
// the coin some hours before, so nothing arrives and leaves untraded (which would be pass-through).
// VASP names are invented.
import type { EventInput } from "../../contracts/index.ts";
import { canonicalLatin } from "../identity.ts";
import type { AssetSeries } from "../market.ts";
import type { Account } from "../population.ts";
import { HOUR, MINUTE } from "../time.ts";
import { yen, type Fixed, type InjectionKit } from "./kit.ts";
import type { InjectionModule } from "./types.ts";

const VASPS: Readonly<Record<string, readonly string[]>> = {
  VN: ["Song Hong Digital Exchange", "Saigon Coin Hub"],
  PH: ["Manila Bay Crypto", "Visayas Digital Assets"],
  NG: ["Lagoon Crypto Exchange"],
  ZA: ["Table Mountain Digital"],
  KE: ["Rift Valley Coin"],
  IR: ["Zagros Digital Exchange"],
  KP: ["Taedong Trading Desk"],
  MM: ["Irrawaddy Coin Exchange"],
  SG: ["Marina Digital Exchange", "Straits Crypto"],
  HK: ["Harbour Digital Assets"],
  US: ["Golden Gate Digital", "Hudson Crypto Exchange"],
  KR: ["Han River Exchange"],
  AE: ["Creek Digital Assets"],
  JP: ["Sakura Digital Exchange", "Kanda Coin"],
  GB: ["Thames Digital"],
};
const GREY = ["VN", "PH", "NG", "ZA", "KE"];
const BLACK = ["IR", "KP", "MM"];
const FOREIGN = ["SG", "HK", "US", "KR", "AE"];

type Variant = "grey-sum" | "black" | "foreign" | "travel-rule" | "fx-report" | "unhosted";
const VARIANTS: readonly Variant[] = ["grey-sum", "black", "foreign", "travel-rule", "fx-report", "unhosted"];

function nameOf(kit: InjectionKit, a: Account): string {
  const id = kit.pop.people[a.owner]!.identity;
  return id.kind === "individual" ? canonicalLatin(id.name) : id.stemLatin;
}

export const crossBorderOutflow: InjectionModule = {
  typology: "cross-border-outflow",
  summary: "withdrawals to FATF-listed jurisdictions, foreign VASPs or self-hosted wallets over their lines; a missing travel-rule name; a payment abroad over ¥30M",
  plan(kit, count) {
    const { rng, ctx, markets, period } = kit;
    /** Fund `value` yen of `asset` some hours before t: a round bank deposit and a market buy. */
    const fund = (a: Account, asset: AssetSeries, t: number, value: number): Fixed[] => {
      const tb = kit.off(Math.max(ctx.start + 10 * MINUTE, t - Math.floor(rng.range(1 * HOUR, 10 * HOUR))));
      const v = Math.ceil((value * 1.02) / 100_000) * 100_000;
      const dep = kit.move(a, kit.off(tb - Math.floor(rng.range(5, 40) * MINUTE)), { kind: "deposit", channel: "bank", asset: "JPY", amount: String(v), value: v });
      const price = markets.mid(asset, a.exchange, tb) * (1 + asset.def.halfSpread);
      return [kit.loginFor(a, dep), dep, ...kit.marketOrder(a, tb, asset, "buy", kit.quantity(asset, value * 1.01, price))];
    };
    const withdrawal = (a: Account, t: number, asset: AssetSeries, value: number, fields: (e: EventInput) => EventInput): Fixed => {
      const c = kit.cryptoOf(asset, a, t, value);
      return kit.move(a, t, { kind: "withdrawal", channel: "crypto", asset: asset.def.asset, amount: c.amount, value: c.value }, fields);
    };
    const toVasp = (a: Account, country: string, names: "both" | "no-beneficiary" | "no-originator") => (e: EventInput): EventInput => {
      const vasp = rng.pick(VASPS[country]!);
      const me = nameOf(kit, a);
      const travelRule: Record<string, string> = { beneficiaryVasp: vasp };
      if (names !== "no-originator") travelRule.originatorName = me;
      if (names !== "no-beneficiary") travelRule.beneficiaryName = rng.chance(0.7) ? me : "ACCOUNT HOLDER";
      return { ...e, counterpartyVasp: vasp, counterpartyCountry: country, travelRule } as EventInput;
    };

    for (let i = 0; i < count; i++) {
      const v = VARIANTS[i % VARIANTS.length]!;
      const t = kit.off(ctx.start + Math.floor(rng.range(6 * HOUR, Math.max(6 * HOUR + MINUTE, period - 40 * MINUTE))));
      const corporate = v === "fx-report";
      // large outflows by people whose declared income makes them plausible (not a profile mismatch too)
      const needs = v === "unhosted" ? 9_000_000 / 2.6 : v === "foreign" ? 3_500_000 / 2.6 : v === "grey-sum" ? 5_000_000 / 2.6 : 0;
      const a = kit.pickAccount((x) => x.corporate === corporate && (corporate || declared(x) >= needs), t - 10 * HOUR);
      if (a === undefined) continue;
      kit.claim(a, false);
      const events: Fixed[] = [];
      const injected: Fixed[] = [];
      let note: string;
      const asset = kit.listedMajor(a);
      switch (v) {
        case "grey-sum": {
          const country = rng.pick(GREY);
          const n = rng.int(3, 5);
          const values: number[] = [];
          while (values.length < n || values.reduce((x, y) => x + y, 0) < 3_200_000) values.push(rng.range(700_000, 980_000));
          const span = rng.range(values.length * 30 * MINUTE, Math.max(values.length * 30 * MINUTE, Math.min(5 * 24 * HOUR, period - 8 * HOUR)));
          const t0 = ctx.start + Math.floor(rng.range(6 * HOUR, Math.max(6 * HOUR + MINUTE, period - span - 30 * MINUTE)));
          const times = kit.spread(t0, Math.floor(span), values.length, 20 * MINUTE);
          const total = values.reduce((x, y) => x + y, 0);
          events.push(...fund(a, asset, times[0]!, total));
          values.forEach((x, j) => injected.push(withdrawal(a, times[j]!, asset, x, toVasp(a, country, "both"))));
          note = `${values.length} ${asset.def.asset} withdrawals of ${yen(Math.min(...values))}–${yen(Math.max(...values))} (together ${yen(total)}) to a VASP in ${country} (FATF increased monitoring)`;
          break;
        }
        case "black": {
          const country = rng.pick(BLACK);
          const value = Math.min(2_000_000, Math.max(50_000, rng.logNormal(300_000, 0.8)));
          injected.push(withdrawal(a, t, asset, value, toVasp(a, country, "both")));
          note = `${asset.def.asset} withdrawal of ${yen(value)} to a VASP in ${country} (FATF call for action)`;
          break;
        }
        case "foreign": {
          const country = rng.pick(FOREIGN);
          const value = rng.range(3_500_000, Math.max(3_500_000, Math.min(9_000_000, 2.6 * declared(a))));
          events.push(...fund(a, asset, t, value));
          injected.push(withdrawal(a, t, asset, value, toVasp(a, country, "both")));
          note = `${asset.def.asset} withdrawal of ${yen(value)} to a VASP in ${country}`;
          break;
        }
        case "travel-rule": {
          const value = Math.min(3_000_000, Math.max(30_000, rng.logNormal(250_000, 0.9)));
          const missing = rng.chance(0.7) ? "no-beneficiary" : "no-originator";
          injected.push(withdrawal(a, t, asset, value, toVasp(a, "JP", missing)));
          note = `${asset.def.asset} withdrawal of ${yen(value)} to a domestic VASP without the ${missing === "no-beneficiary" ? "beneficiary" : "originator"}'s name (travel rule)`;
          break;
        }
        case "fx-report": {
          const country = rng.pick(["US", "SG", "HK", "GB"]);
          const value = Math.round(rng.range(31_000_000, 90_000_000) / 100_000) * 100_000;
          injected.push(
            kit.move(a, t, { kind: "withdrawal", channel: "bank", asset: "JPY", amount: String(value), value }, (e) => ({ ...e, counterpartyCountry: country }) as EventInput),
          );
          note = `a corporate's bank payment of ${yen(value)} to ${country}: over the ¥30,000,000 Foreign Exchange Act reporting line`;
          break;
        }
        case "unhosted": {
          const value = rng.range(5_500_000, Math.max(5_500_000, Math.min(9_000_000, 2.6 * declared(a))));
          events.push(...fund(a, asset, t, value));
          injected.push(withdrawal(a, t, asset, value, (e) => e));
          note = `${asset.def.asset} withdrawal of ${yen(value)} to a self-hosted wallet`;
          break;
        }
      }
      if (events.length === 0) events.push(kit.loginFor(a, injected[0]!));
      kit.add(...events, ...injected);
      kit.label(a, injected, note);
    }

    /** The annual income the account's KYC declares (what a detector reads), 0 when none. */
    function declared(x: Account): number {
      return Number(kit.factory.kyc(x).declaredIncomeJpy ?? 0);
    }
  },
};
