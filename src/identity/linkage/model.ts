// Fellegi–Sunter: per field and level, m = P(level | same person) and u = P(level | different
// people). u is measured on random record pairs (almost all of which are different people); m and the
// share of matches among candidate pairs (λ) are estimated by expectation–maximisation on the
// candidate pairs themselves, so no labelled data is needed. Agreement on a common surname (佐藤, 鈴木)
// counts for less than agreement on a rare one (term-frequency adjustment).
import { FIELDS, F_FAMILY, F_GIVEN, type PairComparison } from "./compare.ts";

export interface ModelParams {
  /** Prior shares of the three classes among all record pairs: the same person (`lambda`), related
   *  different people (household, twins: `relatedShare`), unrelated (`randomShare`). */
  lambda: number;
  relatedShare: number;
  randomShare: number;
  /** m[field][level] = P(level | same person); r = P(level | related); u = P(level | random pair). */
  m: number[][];
  r: number[][];
  u: number[][];
  /** EM iterations run, and whether they converged. */
  iterations: number;
  converged: boolean;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same random pairs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Prior beliefs, used as pseudo-counts: they decide for a small batch (ten records cannot teach EM
 * anything) and fade as data grows (U_PRIOR_PAIRS random pairs and M_PRIOR_PAIRS matches'-worth). The
 * values are round figures for Japanese KYC data: about 1 % of random pairs share a surname, 1 in
 * 20 000 a birth date; a person's records disagree on birth date about 1 % of the time; members of a
 * household share surname and address but not given name or birth date.
 */
export const PRIORS: Readonly<Record<string, { u: number[]; m: number[]; r: number[] }>> = {
  familyName: { u: [0.975, 0.01, 0.003, 0.012], m: [0.01, 0.01, 0.1, 0.88], r: [0.01, 0.01, 0.1, 0.88] },
  givenName: { u: [0.96, 0.02, 0.008, 0.012], m: [0.01, 0.01, 0.13, 0.85], r: [0.95, 0.02, 0.01, 0.02] },
  dateOfBirth: { u: [0.99995, 0.00005], m: [0.01, 0.99], r: [0.93, 0.07] },
  address: { u: [0.97, 0.027, 0.0025, 0.0005], m: [0.1, 0.01, 0.02, 0.87], r: [0.02, 0.01, 0.02, 0.95] },
  phone: { u: [0.9999, 0.0001], m: [0.35, 0.65], r: [0.9, 0.1] },
  email: { u: [0.9999, 0.0001], m: [0.05, 0.95], r: [0.9, 0.1] },
  corporateNumber: { u: [0.9999, 0.0001], m: [0.02, 0.98], r: [0.99, 0.01] },
  account: { u: [0.9999, 0.0001], m: [0.5, 0.5], r: [0.999, 0.001] },
  socialId: { u: [0.9999, 0.0001], m: [0.3, 0.7], r: [0.99, 0.01] },
};
export const U_PRIOR_PAIRS = 2000;
export const M_PRIOR_PAIRS = 20;

function prior(field: string, kind: "u" | "m" | "r", levels: number): number[] {
  const p = PRIORS[field]?.[kind];
  if (!p || p.length !== levels) throw new Error(`no ${kind} prior for ${field}`);
  return p;
}

/** (counts + α·prior) / (n + α), per level. */
function withPrior(counts: number[], p: number[], alpha: number): number[] {
  const total = counts.reduce((s, c) => s + c, 0) + alpha;
  return counts.map((c, l) => (c + alpha * (p[l] ?? 0)) / total);
}

/** u per field and level from comparisons of random pairs, with the prior as pseudo-pairs. */
export function estimateU(randomComparisons: readonly PairComparison[]): number[][] {
  const counts = FIELDS.map((f) => new Array<number>(f.levels.length).fill(0));
  for (const c of randomComparisons) {
    for (let f = 0; f < FIELDS.length; f++) {
      const l = c.levels[f] ?? -1;
      if (l >= 0) (counts[f] as number[])[l] = ((counts[f] as number[])[l] ?? 0) + 1;
    }
  }
  return counts.map((c, f) => withPrior(c, prior(FIELDS[f]?.name ?? "", "u", c.length), U_PRIOR_PAIRS));
}

function initial(kind: "m" | "r"): number[][] {
  return FIELDS.map((f) => [...prior(f.name, kind, f.levels.length)]);
}

export interface EmOptions {
  maxIterations: number;
  tolerance: number;
}

function logLik(levels: Int8Array, p: number[][]): number {
  let s = 0;
  for (let f = 0; f < levels.length; f++) {
    const l = levels[f] ?? -1;
    if (l >= 0) s += Math.log((p[f] as number[])[l] ?? 1e-12);
  }
  return s;
}

/**
 * Estimates the class shares, m and r by EM over candidate-pair comparisons, with u fixed (measured
 * on random pairs). A third class, related different people, absorbs the pairs that blocking brings
 * together without being one person (a household shares surname, address and landline): with only
 * "match" and "random" classes, EM would explain those pairs as matches that disagree on given name
 * and birth date, and learn that disagreement on those fields means little.
 */
export function fitEm(comparisons: readonly PairComparison[], u: number[][], totalPairs: number, opts: EmOptions): ModelParams {
  let m = initial("m");
  let r = initial("r");
  // Class shares are over ALL record pairs, not over the candidate pairs: blocking selects pairs by
  // agreement, so among candidates a coincidence (two 鈴木 born the same day) is far more common than
  // u alone says. Pairs outside the candidate set are taken as unrelated.
  const all = Math.max(totalPairs, comparisons.length, 1);
  const share = (candidateShare: number) => (candidateShare * comparisons.length) / all;
  let shares = [share(0.4), share(0.3), 1 - share(0.7)];
  let iterations = 0;
  let converged = false;
  const F = FIELDS.length;
  if (comparisons.length === 0) {
    return { lambda: shares[0] ?? 0, relatedShare: shares[1] ?? 0, randomShare: shares[2] ?? 0, m, r, u, iterations, converged: true };
  }
  // Pairs with the same levels on every field behave alike: EM runs over the distinct patterns.
  const patterns = new Map<string, { levels: Int8Array; count: number }>();
  for (const c of comparisons) {
    const k = c.levels.join(",");
    const p = patterns.get(k);
    if (p) p.count++;
    else patterns.set(k, { levels: c.levels, count: 1 });
  }
  for (iterations = 1; iterations <= opts.maxIterations; iterations++) {
    const mCounts = FIELDS.map((f) => new Array<number>(f.levels.length).fill(0));
    const rCounts = FIELDS.map((f) => new Array<number>(f.levels.length).fill(0));
    const sums = [0, 0, 0];
    for (const { levels, count } of patterns.values()) {
      const c = { levels };
      const lm = Math.log(shares[0] ?? 1e-12) + logLik(c.levels, m);
      const lr = Math.log(shares[1] ?? 1e-12) + logLik(c.levels, r);
      const lu = Math.log(shares[2] ?? 1e-12) + logLik(c.levels, u);
      const top = Math.max(lm, lr, lu);
      const em = Math.exp(lm - top);
      const er = Math.exp(lr - top);
      const eu = Math.exp(lu - top);
      const z = em + er + eu;
      const gm = (count * em) / z;
      const gr = (count * er) / z;
      sums[0] = (sums[0] ?? 0) + gm;
      sums[1] = (sums[1] ?? 0) + gr;
      sums[2] = (sums[2] ?? 0) + (count * eu) / z;
      for (let f = 0; f < F; f++) {
        const l = c.levels[f] ?? -1;
        if (l < 0) continue;
        (mCounts[f] as number[])[l] = ((mCounts[f] as number[])[l] ?? 0) + gm;
        (rCounts[f] as number[])[l] = ((rCounts[f] as number[])[l] ?? 0) + gr;
      }
    }
    const sm = Math.max(sums[0] ?? 0, 0.5) / all;
    const sr = Math.max(sums[1] ?? 0, 0.5) / all;
    const newShares = [sm, sr, Math.max(1e-12, 1 - sm - sr)];
    const newM = mCounts.map((c, f) => withPrior(c, prior(FIELDS[f]?.name ?? "", "m", c.length), M_PRIOR_PAIRS));
    const newR = rCounts.map((c, f) => withPrior(c, prior(FIELDS[f]?.name ?? "", "r", c.length), M_PRIOR_PAIRS));
    let delta = 0;
    for (let k = 0; k < 3; k++) delta = Math.max(delta, Math.abs((newShares[k] ?? 0) - (shares[k] ?? 0)));
    for (let f = 0; f < F; f++) {
      for (let l = 0; l < (newM[f] as number[]).length; l++) {
        delta = Math.max(delta, Math.abs(((newM[f] as number[])[l] ?? 0) - ((m[f] as number[])[l] ?? 0)));
        delta = Math.max(delta, Math.abs(((newR[f] as number[])[l] ?? 0) - ((r[f] as number[])[l] ?? 0)));
      }
    }
    m = newM;
    r = newR;
    shares = newShares;
    if (delta < opts.tolerance) {
      converged = true;
      break;
    }
  }
  return {
    lambda: shares[0] ?? 0,
    relatedShare: shares[1] ?? 0,
    randomShare: shares[2] ?? 0,
    m,
    r,
    u,
    iterations: Math.min(iterations, opts.maxIterations),
    converged,
  };
}

/** How often each name value occurs among the records (for term-frequency adjustment). */
export interface TermFrequencies {
  family: ReadonlyMap<string, number>;
  given: ReadonlyMap<string, number>;
  records: number;
}

export interface FieldWeight {
  field: string;
  level: string;
  /** log2(m/u): the Fellegi–Sunter weight of this field against a random pair, after the
   *  term-frequency adjustment. */
  weight: number;
  /** log2(m/r): the same against a related different person (a family member). */
  versusRelated: number;
  /** Set when the weight was adjusted for how common the agreeing value is (its share of records). */
  termFrequency?: number;
}

export interface PairScore {
  /** Posterior log2 odds that the pair is the same person. */
  weight: number;
  /** Posterior probability that the pair is the same person. */
  probability: number;
  fields: FieldWeight[];
}

/** The largest factor by which a rare value may raise an agreement weight over the level's average. */
const MAX_RARITY_BOOST = 4;

/** Scores one compared pair under the model. */
export function scorePair(c: PairComparison, params: ModelParams, tf: TermFrequencies | null): PairScore {
  let lm = Math.log2(params.lambda);
  let lr = Math.log2(params.relatedShare);
  let lu = Math.log2(params.randomShare);
  const fields: FieldWeight[] = [];
  for (let f = 0; f < FIELDS.length; f++) {
    const l = c.levels[f] ?? -1;
    if (l < 0) continue;
    const spec = FIELDS[f];
    if (!spec) continue;
    const m = (params.m[f] as number[])[l] ?? 1e-9;
    const r = (params.r[f] as number[])[l] ?? 1e-9;
    let u = (params.u[f] as number[])[l] ?? 1e-9;
    let termFrequency: number | undefined;
    if (tf && spec.termFrequency && l >= 2) {
      const value = f === F_FAMILY ? c.familyValue : f === F_GIVEN ? c.givenValue : null;
      const table = f === F_FAMILY ? tf.family : tf.given;
      const count = value !== null ? (table.get(value) ?? 0) : 0;
      if (count > 0 && tf.records > 0) {
        termFrequency = count / tf.records;
        u = Math.max(termFrequency, u / MAX_RARITY_BOOST);
      }
    }
    lm += Math.log2(m);
    lr += Math.log2(r);
    lu += Math.log2(u);
    const fw: FieldWeight = { field: spec.name, level: spec.levels[l] ?? String(l), weight: Math.log2(m / u), versusRelated: Math.log2(m / r) };
    if (termFrequency !== undefined) fw.termFrequency = termFrequency;
    fields.push(fw);
  }
  // log2 of the odds "same person" against "related or random".
  const top = Math.max(lr, lu);
  const others = top + Math.log2(Math.pow(2, lr - top) + Math.pow(2, lu - top));
  const weight = lm - others;
  const probability = 1 / (1 + Math.pow(2, -weight));
  return { weight, probability, fields };
}
