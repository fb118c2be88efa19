// An injection module: one typology's labelled cases, planned into the simulated period. A module is
// a file under src/sim/injections/ and one line in index.ts.
import type { InjectionKit } from "./kit.ts";

export interface InjectionModule {
  /** The engine typology id the injections are labelled with (and scored against). */
  readonly typology: string;
  /** One line: what an injection looks like (README, summaries). */
  readonly summary: string;
  /**
   * Plan `count` injections with the kit: pick and claim accounts, add events, label each. A module
   * that cannot place one (no eligible account) places fewer; the plan notes the shortfall.
   */
  plan(kit: InjectionKit, count: number): void;
}
