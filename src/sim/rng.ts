// A small seeded PRNG (sfc32, Chris Doty-Humphrey's Small Fast Counting generator, 32-bit) and the
// distributions the simulator draws from. Never Math.random: the same seed gives the same day.
//
// Streams are derived, not shared: `Rng.derive(seed, "kyc", accountIndex)` gives an independent
// generator for one purpose and one index, so changing how many numbers one part of the simulator
// draws does not shift every other part.

/** murmur3's 32-bit finaliser: a good avalanche for mixing seeds and counters. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash a seed and a path of parts (numbers or strings) to 32 bits. */
export function hashParts(seed: number, parts: readonly (number | string)[]): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ (Math.floor(seed / 0x100000000) >>> 0));
  for (const p of parts) {
    if (typeof p === "number") {
      h = fmix32(h ^ fmix32((p >>> 0) + 0x7f4a7c15));
      // numbers above 2^32 (rare here) keep their high part too
      if (p > 0xffffffff) h = fmix32(h ^ Math.floor(p / 0x100000000));
    } else {
      for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p.charCodeAt(i), 0x01000193) >>> 0;
      h = fmix32(h ^ p.length);
    }
  }
  return h >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(seed: number, stream = 0) {
    this.a = fmix32((seed >>> 0) ^ 0xa5a5a5a5);
    this.b = fmix32(((seed / 0x100000000) >>> 0) ^ 0x3c6ef372 ^ stream);
    this.c = fmix32((stream >>> 0) ^ 0x5be0cd19);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** An independent generator for one purpose: `derive(seed, "kyc", 42)`. */
  static derive(seed: number, ...parts: (number | string)[]): Rng {
    return new Rng(hashParts(seed, parts), hashParts(seed ^ 0x1b873593, parts));
  }

  /** Next unsigned 32-bit integer. */
  next(): number {
    const a = this.a, b = this.b, c = this.c, d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = ((c << 21) | (c >>> 11)) + t;
    this.c |= 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 53 bits. */
  float(): number {
    return ((this.next() >>> 5) * 67108864 + (this.next() >>> 6)) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    if (hi < lo) throw new RangeError(`int(${lo}, ${hi}): empty range`);
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** Index drawn with the given (non-negative) weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal by Box–Muller (the second value is kept for the next call). */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + sd * z;
    }
    let u = this.float();
    while (u <= 1e-300) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and log-space standard deviation. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Pareto (type I) with scale xm and shape alpha: heavy right tail. */
  pareto(xm: number, alpha: number): number {
    return xm / Math.pow(1 - this.float(), 1 / alpha);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** Poisson count (Knuth for small means, normal approximation above 30). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const l = Math.exp(-mean);
    let k = 0;
    let p = this.float();
    while (p > l) {
      k++;
      p *= this.float();
    }
    return k;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** `n` lowercase hex digits. */
  hex(n: number): string {
    let s = "";
    while (s.length < n) s += this.next().toString(16).padStart(8, "0");
    return s.slice(0, n);
  }

  /** `n` characters drawn from an alphabet. */
  chars(alphabet: string, n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.float() * alphabet.length)];
    return s;
  }
}

/** Cumulative weights for repeated weighted draws by binary search (faster than `weighted`). */
export class WeightedTable<T> {
  private readonly cum: Float64Array;
  readonly total: number;
  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    if (items.length !== weights.length || items.length === 0) throw new RangeError("WeightedTable needs as many weights as items, at least one");
    this.cum = new Float64Array(items.length);
    let t = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      if (!(w >= 0)) throw new RangeError(`weight ${i} is not a non-negative number`);
      t += w;
      this.cum[i] = t;
    }
    if (t <= 0) throw new RangeError("WeightedTable needs a positive total weight");
    this.total = t;
  }
  draw(rng: Rng): T {
    const x = rng.float() * this.total;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}
