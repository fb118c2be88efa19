// Event and account ids: unique per source by construction, stable for a seed, and uninformative.
// A per-(source, kind) counter goes through a keyed 48-bit Feistel permutation, so ids are distinct
// (a permutation never repeats) yet do not reveal creation order, and an injected deposit's id looks
// like any other deposit's.
import { fmix32, hashParts } from "./rng.ts";

const HALF = 0x1000000; // 2^24
const MASK = 0xffffff;

const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A 24-bit number as exactly five base-36 digits (36^5 > 2^24). */
function base36x5(v: number): string {
  const d4 = v % 36;
  v = (v - d4) / 36;
  const d3 = v % 36;
  v = (v - d3) / 36;
  const d2 = v % 36;
  v = (v - d2) / 36;
  const d1 = v % 36;
  const d0 = (v - d1) / 36;
  return DIGITS[d0]! + DIGITS[d1]! + DIGITS[d2]! + DIGITS[d3]! + DIGITS[d4]!;
}

export class IdScrambler {
  private readonly keys: readonly number[];
  constructor(seed: number) {
    this.keys = [0, 1, 2, 3].map((i) => hashParts(seed, ["id-key", i]));
  }
  /** A bijection on [0, 2^48) for each salt: counter → scrambled number. */
  permute(n: number, salt = 0): number {
    if (!Number.isInteger(n) || n < 0 || n >= HALF * HALF) throw new RangeError("id counter out of range");
    let l = Math.floor(n / HALF);
    let r = n % HALF;
    for (const k of this.keys) {
      const f = fmix32(r ^ k ^ salt) & MASK;
      const nl = r;
      r = (l ^ f) & MASK;
      l = nl;
    }
    return l * HALF + r;
  }
  /** The counter as 10 base-36 characters; each salt (a source and kind of id) permutes differently. */
  text(n: number, salt = 0): string {
    const x = this.permute(n, salt);
    return base36x5(Math.floor(x / HALF)) + base36x5(x % HALF);
  }
  /** The salt of a (source, kind) pair. */
  salt(source: string, prefix: string): number {
    return hashParts(this.keys[0]!, [source, prefix]);
  }
}

/** Per-(source, prefix) counters handing out ids such as `dp_0k2j3h4g5f`. */
export class IdAllocator {
  private readonly counters: Map<string, { n: number; salt: number }>;
  constructor(
    private readonly scrambler: IdScrambler,
    from?: IdAllocator,
  ) {
    this.counters = new Map([...(from?.counters ?? [])].map(([k, v]) => [k, { ...v }]));
  }
  next(source: string, prefix: string): string {
    const key = `${source}\u0000${prefix}`;
    let c = this.counters.get(key);
    if (c === undefined) this.counters.set(key, (c = { n: 0, salt: this.scrambler.salt(source, prefix) }));
    return `${prefix}_${this.scrambler.text(c.n++, c.salt)}`;
  }
  /** A copy that continues from this allocator's counters (each pass of the event stream starts from the plan's). */
  fork(): IdAllocator {
    return new IdAllocator(this.scrambler, this);
  }
}
