// Timing of the on-chain side of exchange movements, shared by the background and the injections so
// that an injected deposit or withdrawal looks like any other from the chain too: a deposit is
// credited once its transaction has enough confirmations (minutes for BTC, seconds for XRP) and is
// later swept from the customer's deposit address into the exchange's hot wallet; a withdrawal is
// broadcast from the hot wallet a little after the customer asks (exchanges batch them).
import { CHAINS } from "./data/chains.ts";
import type { Rng } from "./rng.ts";
import { HOUR, MINUTE, SECOND, offGrid } from "./time.ts";

/** How long after its transaction a deposit on `network` is credited. */
export function confirmationDelay(rng: Rng, network: string): number {
  const c = CHAINS[network];
  const [lo, hi] = c?.confirm ?? [5 * MINUTE, 20 * MINUTE];
  return Math.floor(rng.range(lo, hi));
}

/** How long after the customer's request a withdrawal is broadcast: mostly minutes, now and then hours. */
export function broadcastDelay(rng: Rng): number {
  return 30 * SECOND + Math.floor(Math.min(3 * HOUR, rng.exponential(12 * MINUTE)));
}

/** How long after a deposit is credited the exchange sweeps it into its hot wallet. */
export function sweepDelay(rng: Rng): number {
  return 10 * MINUTE + Math.floor(Math.min(6 * HOUR, rng.exponential(90 * MINUTE)));
}

/** A time after `t` by `delay`, off the 15-minute grid, or undefined when it falls past `limit`. */
export function within(t: number, delay: number, origin: number, limit: number): number | undefined {
  const at = offGrid(t + delay, origin);
  return at < limit ? at : undefined;
}
