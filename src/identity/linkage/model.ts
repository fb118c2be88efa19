// Fellegi–Sunter: per field and level, m = P(level | same person) and u = P(level | different
// people). u is measured on random record pairs (almost all of which are different people); m and the
// share of matches among candidate pairs (λ) are estimated by expectation–maximisation on the
// candidate pairs themselves, so no labelled data is needed. Agreement on a common surname (佐藤, 鈴木)
// counts for less than agreement on a rare one (term-frequency adjustment).
import { FIELDS, F_FAMILY, F_GIVEN, levelsOfPattern } from "./compare.ts";
import { NONE, type RecordTable } from "./table.ts";

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
 * 20 000 a birth date (1 in 8 000 are a slip apart: day and month swapped, or the day one off); a
 * person's records disagree on birth date about 1 % of the time, more than half of those by such a
 * slip; members of a household share surname and address but not given name or birth date.
 */
export const PRIORS: Readonly<Record<string, { u: number[]; m: number[]; r: number[] }>> = {
  familyName: { u: [0.975, 0.01, 0.003, 0.012], m: [0.01, 0.01, 0.1, 0.88], r: [0.01, 0.01, 0.1, 0.88] },
  givenName: { u: [0.96, 0.02, 0.008, 0.012], m: [0.01, 0.01, 0.13, 0.85], r: [0.95, 0.02, 0.01, 0.02] },
  dateOfBirth: { u: [0.99983, 0.00012, 0.00005], m: [0.004, 0.006, 0.99], r: [0.928, 0.002, 0.07] },
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

/** How many compared pairs showed each pattern (PairComparer.pattern → count). */
export type PatternCounts = Map<number, number>;

/** u per field and level from the patterns of random pairs, with the prior as pseudo-pairs. */
export function estimateU(randomPatterns: PatternCounts): number[][] {
  const counts = FIELDS.map((f) => new Array<number>(f.levels.length).fill(0));
  const levels = new Int8Array(FIELDS.length);
  for (const [code, n] of randomPatterns) {
    levelsOfPattern(code, levels);
    for (let f = 0; f < FIELDS.length; f++) {
      const l = levels[f] ?? -1;
      if (l >= 0) (counts[f] as number[])[l] = ((counts[f] as number[])[l] ?? 0) + n;
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
 * Estimates the class shares, m and r by EM over the patterns of the candidate pairs, with u fixed
 * (measured on random pairs). A third class, related different people, absorbs the pairs that
 * blocking brings together without being one person (a household shares surname, address and
 * landline): with only "match" and "random" classes, EM would explain those pairs as matches that
 * disagree on given name and birth date, and learn that disagreement on those fields means little.
 *
 * Pairs with the same levels on every field behave alike, so EM runs over the distinct patterns (a
 * few thousand, whatever the number of pairs) weighted by their counts: every candidate pair counts,
 * and no sample is needed to keep EM fast.
 */
export function fitEm(patterns: PatternCounts, u: number[][], totalPairs: number, opts: EmOptions): ModelParams {
  let m = initial("m");
  let r = initial("r");
  let compared = 0;
  for (const n of patterns.values()) compared += n;
  // Class shares are over ALL record pairs, not over the candidate pairs: blocking selects pairs by
  // agreement, so among candidates a coincidence (two 鈴木 born the same day) is far more common than
  // u alone says. Pairs outside the candidate set are taken as unrelated.
  const all = Math.max(totalPairs, compared, 1);
  const share = (candidateShare: number) => (candidateShare * compared) / all;
  let shares = [share(0.4), share(0.3), 1 - share(0.7)];
  let iterations = 0;
  let converged = false;
  const F = FIELDS.length;
  if (compared === 0) {
    return { lambda: shares[0] ?? 0, relatedShare: shares[1] ?? 0, randomShare: shares[2] ?? 0, m, r, u, iterations, converged: true };
  }
  const list = [...patterns].sort((x, y) => x[0] - y[0]).map(([code, count]) => ({ levels: levelsOfPattern(code), count }));
  for (iterations = 1; iterations <= opts.maxIterations; iterations++) {
    const mCounts = FIELDS.map((f) => new Array<number>(f.levels.length).fill(0));
    const rCounts = FIELDS.map((f) => new Array<number>(f.levels.length).fill(0));
    const sums = [0, 0, 0];
    for (const { levels, count } of list) {
      const lm = Math.log(shares[0] ?? 1e-12) + logLik(levels, m);
      const lr = Math.log(shares[1] ?? 1e-12) + logLik(levels, r);
      const lu = Math.log(shares[2] ?? 1e-12) + logLik(levels, u);
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
        const l = levels[f] ?? -1;
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

/**
 * How often each name value occurs among the records (for term-frequency adjustment), by pool id:
 * a family value is any of a record's family reading or kanji, whole reading or kanji, or Latin
 * words; a given value any of its given reading or kanji, whole reading or kanji, or Latin words
 * joined. Grows as records are added.
 */
export class TermCounts {
  family = new Int32Array(0);
  given = new Int32Array(0);
  records = 0;
  readonly #seen: number[] = [];

  #bump(which: "family" | "given", ids: readonly number[]): void {
    const seen = this.#seen;
    seen.length = 0;
    for (const id of ids) {
      if (id === NONE || seen.includes(id)) continue;
      seen.push(id);
      let a = this[which];
      if (id >= a.length) {
        const b = new Int32Array(Math.max(id + 1, a.length * 2, 1024));
        b.set(a);
        this[which] = a = b;
      }
      a[id] = (a[id] ?? 0) + 1;
    }
  }

  /** Counts the name values of record i of the table. */
  add(t: RecordTable, i: number): void {
    const fullR = t.fullReading[i] ?? NONE;
    const fullK = t.fullKanji[i] ?? NONE;
    const words = t.latinWords.get(i) ?? [];
    const split = t.hasSplit(i);
    const fam = split ? [t.famReading[i] ?? NONE, t.famKanji[i] ?? NONE] : [];
    const giv = split ? [t.givReading[i] ?? NONE, t.givKanji[i] ?? NONE] : [];
    this.#bump("family", [...fam, fullR, fullK, ...words]);
    const joined = words.length > 0 ? [t.pool.intern(words.map((w) => t.pool.strings[w] ?? "").join(""))] : [];
    this.#bump("given", [...giv, fullR, fullK, ...joined]);
    this.records++;
  }

  familyCount(id: number): number {
    return id < 0 ? 0 : (this.family[id] ?? 0);
  }

  givenCount(id: number): number {
    return id < 0 ? 0 : (this.given[id] ?? 0);
  }
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

/** The largest factor by which a rare value may raise an agreement weight over the level's average. */
const MAX_RARITY_BOOST = 4;

/**
 * Scores compared pairs under a model: log2 tables per field and level computed once, so a pair
 * costs a few additions. `weight` is the posterior log2 odds that the pair is the same person
 * (against "related or random"); agreement on a family or given name is adjusted by how common the
 * agreeing value is (term frequency).
 */
export class Scorer {
  readonly params: ModelParams;
  readonly #lm: Float64Array;
  readonly #lr: Float64Array;
  readonly #lu: Float64Array;
  readonly #u: Float64Array;
  readonly #base: [number, number, number];
  /** Shared explanation entries of fields without a term-frequency adjustment. */
  readonly #plain: FieldWeight[];
  static readonly STRIDE = 4;

  constructor(params: ModelParams) {
    this.params = params;
    const S = Scorer.STRIDE;
    const n = FIELDS.length * S;
    this.#lm = new Float64Array(n);
    this.#lr = new Float64Array(n);
    this.#lu = new Float64Array(n);
    this.#u = new Float64Array(n);
    this.#plain = [];
    FIELDS.forEach((spec, f) => {
      for (let l = 0; l < S; l++) {
        const m = (params.m[f] as number[] | undefined)?.[l] ?? 1e-9;
        const r = (params.r[f] as number[] | undefined)?.[l] ?? 1e-9;
        const u = (params.u[f] as number[] | undefined)?.[l] ?? 1e-9;
        this.#lm[f * S + l] = Math.log2(m);
        this.#lr[f * S + l] = Math.log2(r);
        this.#lu[f * S + l] = Math.log2(u);
        this.#u[f * S + l] = u;
        this.#plain.push(Object.freeze({ field: spec.name, level: spec.levels[l] ?? String(l), weight: Math.log2(m / u), versusRelated: Math.log2(m / r) }));
      }
    });
    this.#base = [Math.log2(params.lambda), Math.log2(params.relatedShare), Math.log2(params.randomShare)];
  }

  /** u of a name field's agreeing level after the term-frequency adjustment, or -1 for none. */
  #tfU(f: number, l: number, value: number, tf: TermCounts | null): number {
    if (!tf || l < 2 || value === NONE || tf.records === 0) return -1;
    const count = f === F_FAMILY ? tf.familyCount(value) : tf.givenCount(value);
    if (count <= 0) return -1;
    return Math.max(count / tf.records, (this.#u[f * Scorer.STRIDE + l] ?? 1e-9) / MAX_RARITY_BOOST);
  }

  /** Posterior log2 odds that a compared pair is the same person. */
  weight(levels: Int8Array, familyValue: number, givenValue: number, tf: TermCounts | null): number {
    const S = Scorer.STRIDE;
    let lm = this.#base[0];
    let lr = this.#base[1];
    let lu = this.#base[2];
    for (let f = 0; f < FIELDS.length; f++) {
      const l = levels[f] ?? -1;
      if (l < 0) continue;
      const k = f * S + l;
      lm += this.#lm[k] ?? 0;
      lr += this.#lr[k] ?? 0;
      if (f === F_FAMILY || f === F_GIVEN) {
        const u = this.#tfU(f, l, f === F_FAMILY ? familyValue : givenValue, tf);
        lu += u < 0 ? (this.#lu[k] ?? 0) : Math.log2(u);
      } else lu += this.#lu[k] ?? 0;
    }
    // log2 of the odds "same person" against "related or random".
    const top = Math.max(lr, lu);
    return lm - (top + Math.log2(Math.pow(2, lr - top) + Math.pow(2, lu - top)));
  }

  /** The fields of a compared pair with their weights (the explanation of a link). */
  fields(levels: Int8Array, familyValue: number, givenValue: number, tf: TermCounts | null): FieldWeight[] {
    const S = Scorer.STRIDE;
    const out: FieldWeight[] = [];
    for (let f = 0; f < FIELDS.length; f++) {
      const l = levels[f] ?? -1;
      if (l < 0) continue;
      const plain = this.#plain[f * S + l] as FieldWeight;
      const u = f === F_FAMILY || f === F_GIVEN ? this.#tfU(f, l, f === F_FAMILY ? familyValue : givenValue, tf) : -1;
      if (u < 0) {
        out.push(plain);
        continue;
      }
      const count = f === F_FAMILY ? (tf?.familyCount(familyValue) ?? 0) : (tf?.givenCount(givenValue) ?? 0);
      const m = Math.pow(2, this.#lm[f * S + l] ?? 0);
      out.push({ ...plain, weight: Math.log2(m / u), termFrequency: count / (tf?.records ?? 1) });
    }
    return out;
  }
}

/** Probability from log2 odds. */
export function probabilityOf(weight: number): number {
  return 1 / (1 + Math.pow(2, -weight));
}

/**
 * The model a linker uses before any data: m, r and u from the priors (PRIORS), and class shares
 * for a population of `records` records in which a person has about two records and one related
 * person (household, twin) among the others: λ ≈ 2 / records, related ≈ 1 / records.
 */
export function defaultModel(records = 100_000): ModelParams {
  const n = Math.max(2, records);
  const lambda = 2 / n;
  const relatedShare = 1 / n;
  const pick = (kind: "m" | "r" | "u") => FIELDS.map((f) => [...prior(f.name, kind, f.levels.length)]);
  return { lambda, relatedShare, randomShare: 1 - lambda - relatedShare, m: pick("m"), r: pick("r"), u: pick("u"), iterations: 0, converged: true };
}
