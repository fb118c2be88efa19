// The chains the simulated assets move on: how often a block comes and roughly which height a block
// had at a reference time, so `chain.transfer` events carry plausible, increasing block heights; and
// how long a deposit waits for confirmations before an exchange credits it. Approximate public
// figures (block explorers, late 2024), rounded; nothing depends on their exact values.

export interface ChainDef {
  /** Mean time between blocks (ledgers), ms. */
  blockMs: number;
  /** Height at REFERENCE_TIME. */
  refHeight: number;
  /** Typical wait before an exchange credits a deposit (confirmations × block time), ms: [min, max]. */
  confirm: readonly [number, number];
}

/** 2024-11-12T00:00:00Z. */
export const REFERENCE_TIME = Date.UTC(2024, 10, 12);

const S = 1_000;
const M = 60_000;

export const CHAINS: Readonly<Record<string, ChainDef>> = {
  bitcoin: { blockMs: 600 * S, refHeight: 870_000, confirm: [10 * M, 60 * M] },
  ethereum: { blockMs: 12 * S, refHeight: 21_180_000, confirm: [2 * M, 8 * M] },
  polygon: { blockMs: 2.1 * S, refHeight: 64_200_000, confirm: [1 * M, 6 * M] },
  xrpl: { blockMs: 3.9 * S, refHeight: 91_500_000, confirm: [10 * S, 60 * S] },
  nem: { blockMs: 60 * S, refHeight: 4_900_000, confirm: [2 * M, 10 * M] },
  monacoin: { blockMs: 90 * S, refHeight: 3_600_000, confirm: [8 * M, 30 * M] },
};

/** The block (ledger) a transaction at time t lands in, on a known chain; 0 for an unknown one. */
export function blockHeight(network: string, t: number): number {
  const c = CHAINS[network];
  if (c === undefined) return 0;
  return Math.max(0, c.refHeight + Math.floor((t - REFERENCE_TIME) / c.blockMs));
}
