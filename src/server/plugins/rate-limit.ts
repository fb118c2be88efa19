// Rate limits, in memory, per process.
//
// Requests: a token bucket per principal (`key:<name>` / `user:<name>`), or per client address for
// requests without one (the login, the explorer): `burst` tokens, refilled at `perSecond`. An empty
// bucket answers 429 rate_limited with Retry-After (whole seconds). Health, readiness and metrics are
// not limited (probes and scrapers).
//
// Failed credentials: `FailureThrottle` counts failures per key (a user name, a client address) and,
// after `freeFailures` of them, locks the key out for a time that doubles with every further
// failure (1 s, 2 s, 4 s … up to `maxLockMs`); a success clears the key. Used by the login (per name
// and per address) and by bearer-key authentication (per address).
import type { FastifyInstance } from "fastify";
import { KanshiError } from "../../contracts/errors.ts";

export interface RateLimitOptions {
  /** Sustained requests per second per principal (default 100). */
  perSecond?: number;
  /** Requests allowed at once (default 200). */
  burst?: number;
}

const EXEMPT: ReadonlySet<string> = new Set(["/healthz", "/readyz", "/metrics"]);
const MAX_KEYS = 50_000;

export function rateLimited(retryAfterMs: number): KanshiError {
  const s = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const e = new KanshiError("rate_limited", `too many requests; retry in ${s} s`);
  (e as KanshiError & { retryAfterSeconds: number }).retryAfterSeconds = s;
  return e;
}

export class TokenBuckets {
  readonly perSecond: number;
  readonly burst: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(opts: RateLimitOptions = {}) {
    this.perSecond = opts.perSecond ?? 100;
    this.burst = opts.burst ?? 200;
    if (!(this.perSecond > 0) || !Number.isFinite(this.perSecond)) throw new KanshiError("bad_input", "must be a positive number", "rate limit perSecond");
    if (!Number.isInteger(this.burst) || this.burst < 1) throw new KanshiError("bad_input", "must be a whole number ≥ 1", "rate limit burst");
  }

  /** Takes one token for `key` at `now` (ms): 0 when allowed, else the ms until one is available. */
  take(key: string, now: number): number {
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size >= MAX_KEYS) this.#prune(now);
      b = { tokens: this.burst, at: now };
      this.#buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) * this.perSecond) / 1000);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) * 1000) / this.perSecond);
  }

  /** Forgets buckets that have refilled (they would start full anyway). */
  #prune(now: number): void {
    for (const [k, b] of this.#buckets) if (b.tokens + ((now - b.at) * this.perSecond) / 1000 >= this.burst) this.#buckets.delete(k);
    if (this.#buckets.size >= MAX_KEYS) this.#buckets.clear();
  }
}

export interface FailureThrottleOptions {
  /** Failures allowed before lock-outs begin (default 5). */
  freeFailures?: number;
  /** The first lock-out, ms (default 1000); doubles with each further failure. */
  baseLockMs?: number;
  /** The longest lock-out, ms (default 15 min). */
  maxLockMs?: number;
  /** Failures older than this are forgotten, ms (default 15 min). */
  windowMs?: number;
}

export class FailureThrottle {
  readonly #free: number;
  readonly #base: number;
  readonly #max: number;
  readonly #window: number;
  readonly #keys = new Map<string, { failures: number; last: number; lockedUntil: number }>();

  constructor(opts: FailureThrottleOptions = {}) {
    this.#free = opts.freeFailures ?? 5;
    this.#base = opts.baseLockMs ?? 1000;
    this.#max = opts.maxLockMs ?? 15 * 60_000;
    this.#window = opts.windowMs ?? 15 * 60_000;
  }

  /** Ms until `key` may try again (0: now). */
  blockedFor(key: string, now: number): number {
    const k = this.#keys.get(key);
    if (k === undefined) return 0;
    if (now - k.last > this.#window && now >= k.lockedUntil) {
      this.#keys.delete(key);
      return 0;
    }
    return Math.max(0, k.lockedUntil - now);
  }

  fail(key: string, now: number): void {
    let k = this.#keys.get(key);
    if (k === undefined || (now - k.last > this.#window && now >= k.lockedUntil)) {
      if (this.#keys.size >= MAX_KEYS) this.#keys.clear();
      k = { failures: 0, last: now, lockedUntil: 0 };
      this.#keys.set(key, k);
    }
    k.failures++;
    k.last = now;
    if (k.failures > this.#free) k.lockedUntil = now + Math.min(this.#max, this.#base * 2 ** Math.min(30, k.failures - this.#free - 1));
  }

  succeed(key: string): void {
    this.#keys.delete(key);
  }
}

/** Limits every request but the exempt paths, per principal (set by auth, which runs first) or per address. */
export function installRateLimit(app: FastifyInstance, opts: RateLimitOptions & { now: () => number }): TokenBuckets {
  const buckets = new TokenBuckets(opts);
  app.addHook("onRequest", async (req) => {
    if (EXEMPT.has(req.url.split("?", 1)[0]!)) return;
    const p = (req as { principal?: { id: string } | null }).principal;
    const key = p ? `p:${p.id}` : `ip:${req.ip}`;
    const wait = buckets.take(key, opts.now());
    if (wait > 0) throw rateLimited(wait);
  });
  return buckets;
}
