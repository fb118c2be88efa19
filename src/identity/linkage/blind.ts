// Blind indexes: equality-only fields are compared as HMAC-SHA256 digests under a deployment key,
// so linkage never needs the plaintext of a date of birth, phone, e-mail or corporate number.
import { createHash, createHmac } from "node:crypto";

function checkKey(key: Uint8Array): void {
  if (key.length < 16) throw new Error("blindIndex: the key must be at least 16 bytes");
}

function checkField(field: string): void {
  if (field.includes("\u0000")) throw new Error("blindIndex: a field name may not contain NUL");
}

/**
 * HMAC-SHA256(key, field ‖ 0x00 ‖ normalisedValue), base64url. The field name is part of the message
 * so that one value in two fields (a phone number typed into the e-mail field) gives two different
 * indexes. The value must already be normalised (normalizePhone, normalizeDate …): the index is
 * equality-only.
 */
export function blindIndex(key: Uint8Array, field: string, normalisedValue: string): string {
  checkKey(key);
  checkField(field);
  return createHmac("sha256", key).update(field, "utf8").update("\u0000").update(normalisedValue, "utf8").digest("base64url");
}

/**
 * The first 48 bits of the blind index as a number (`blindIndex` decoded, bytes 0–5 big-endian):
 * what linkage keeps and compares. Two different values share a digest with probability 2⁻⁴⁸ per
 * compared pair; a number compares and hashes without allocating, a 43-character string does not.
 */
export function blindDigest(key: Uint8Array, field: string, normalisedValue: string): number {
  checkKey(key);
  checkField(field);
  return createHmac("sha256", key).update(field, "utf8").update("\u0000").update(normalisedValue, "utf8").digest().readUIntBE(0, 6);
}

// SHA-256 round constants (FIPS 180-4 §4.2.2).
const K256 = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV256 = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** One SHA-256 compression of the 64-byte block at `data[off..]` into `state`. (Indexes are in
 *  range by construction: the non-null assertions keep the hot loop free of undefined checks.) */
function compress(state: Int32Array, w: Int32Array, data: Uint8Array, off: number): void {
  for (let t = 0; t < 16; t++) {
    const p = off + 4 * t;
    w[t] = (data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K256[t]! + w[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

const utf8 = new TextEncoder();

/** Writes SHA-256 padding for a message of `n` bytes at buf[n..], after `prefixBytes` bytes already
 *  compressed (a key block); returns the padded length. */
function pad(buf: Uint8Array, n0: number, prefixBytes: number): number {
  let n = n0;
  const bits = (prefixBytes + n0) * 8;
  buf[n++] = 0x80;
  while (n % 64 !== 56) buf[n++] = 0;
  buf[n++] = 0;
  buf[n++] = 0;
  buf[n++] = 0;
  buf[n++] = Math.floor(bits / 2 ** 32) & 0xff;
  buf[n++] = (bits >>> 24) & 0xff;
  buf[n++] = (bits >>> 16) & 0xff;
  buf[n++] = (bits >>> 8) & 0xff;
  buf[n++] = bits & 0xff;
  return n;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * SHA-256 of a UTF-8 string, as lower-case hex, without node:crypto's per-call objects (the batch
 * names hundreds of thousands of entities). Equal to createHash("sha256").update(text).digest("hex")
 * (a test checks it).
 */
export function sha256Hex(text: string): string {
  if (3 * text.length + 72 > shaScratch.buf.length) shaScratch.buf = new Uint8Array(3 * text.length + 72);
  const { buf, state: st, w } = shaScratch;
  const n = utf8.encodeInto(text, buf).written;
  const len = pad(buf, n, 0);
  st.set(IV256);
  for (let off = 0; off < len; off += 64) compress(st, w, buf, off);
  let out = "";
  for (let i = 0; i < 8; i++) {
    const v = st[i] ?? 0;
    out += HEX[v >>> 24] ?? "";
    out += HEX[(v >>> 16) & 0xff] ?? "";
    out += HEX[(v >>> 8) & 0xff] ?? "";
    out += HEX[v & 0xff] ?? "";
  }
  return out;
}

/** sha256Hex's working memory (it runs to completion, never re-entered). */
const shaScratch = { buf: new Uint8Array(256), state: new Int32Array(8), w: new Int32Array(64) };

/**
 * HMAC-SHA256 under one key, for many short messages: the key's inner and outer blocks are
 * compressed once (RFC 2104's precomputation), so a digest costs the message's own blocks and one
 * outer block, with no allocation. Node's createHmac builds objects and crosses into C++ for every
 * call, about ten times the cost for messages this short. Gives exactly blindDigest (tests check it
 * against node:crypto).
 */
export class HmacSha256 {
  readonly #inner = new Int32Array(8);
  readonly #outer = new Int32Array(8);
  readonly #state = new Int32Array(8);
  readonly #w = new Int32Array(64);
  #buf = new Uint8Array(256);
  readonly #block = new Uint8Array(64);

  constructor(key: Uint8Array) {
    checkKey(key);
    const k = new Uint8Array(64);
    k.set(key.length > 64 ? createHash("sha256").update(key).digest() : key);
    const pad = new Uint8Array(64);
    for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x36;
    this.#inner.set(IV256);
    compress(this.#inner, this.#w, pad, 0);
    for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x5c;
    this.#outer.set(IV256);
    compress(this.#outer, this.#w, pad, 0);
  }

  /** The first 48 bits of HMAC-SHA256(key, field ‖ 0x00 ‖ value), as blindDigest. */
  digest48(field: string, value: string): number {
    // The message, then SHA-256 padding: 0x80, zeros, the bit length of (key block + message).
    const need = 3 * (field.length + value.length) + 1 + 72;
    if (need > this.#buf.length) this.#buf = new Uint8Array(Math.max(need, this.#buf.length * 2));
    const buf = this.#buf;
    let n = utf8.encodeInto(field, buf).written;
    buf[n++] = 0;
    n += utf8.encodeInto(value, buf.subarray(n)).written;
    n = pad(buf, n, 64);
    const st = this.#state;
    st.set(this.#inner);
    for (let off = 0; off < n; off += 64) compress(st, this.#w, buf, off);
    // Outer hash: the 32-byte inner digest, padded to one block, after the outer key block.
    const blk = this.#block;
    for (let i = 0; i < 8; i++) {
      const v = st[i] ?? 0;
      blk[4 * i] = v >>> 24;
      blk[4 * i + 1] = (v >>> 16) & 0xff;
      blk[4 * i + 2] = (v >>> 8) & 0xff;
      blk[4 * i + 3] = v & 0xff;
    }
    blk[32] = 0x80;
    blk.fill(0, 33, 62);
    blk[62] = 0x03; // (64 + 32) * 8 = 768 bits = 0x0300
    blk[63] = 0x00;
    st.set(this.#outer);
    compress(st, this.#w, blk, 0);
    const hi = (st[0] ?? 0) >>> 0;
    const lo = ((st[1] ?? 0) >>> 16) & 0xffff;
    return hi * 65536 + lo;
  }
}

/**
 * blindDigest under one key, remembering the digests of values it has seen (a batch repeats birth
 * dates, postal codes and municipalities thousands of times; an HMAC costs about 2 µs). The memory
 * holds plaintext, so a hasher lives for one batch or one linker and is never persisted; its
 * `forget()` drops what it remembered. At most `capacity` values are kept (then it starts over).
 */
export class BlindHasher {
  readonly #hmac: HmacSha256;
  readonly #capacity: number;
  #memo = new Map<string, Map<string, number>>();
  #derived = new Map<string, Map<string, unknown>>();
  #parts = new Map<string, Map<string, Map<string, Map<string, number>>>>();
  #size = 0;

  /** `capacity` 0 remembers nothing (every digest is an HMAC). */
  constructor(key: Uint8Array, capacity = 1 << 20) {
    this.#hmac = new HmacSha256(key);
    this.#capacity = capacity;
  }

  /** The digest of a value; `remember` (default true) keeps it for the next time the value comes:
   *  worth it for values that repeat (birth dates, postal codes), not for mostly distinct ones
   *  (phones, e-mails), whose lookups in a large memory cost more than they save. */
  digest(field: string, normalisedValue: string, remember = true): number {
    if (this.#capacity === 0 || !remember) return this.#digest(field, normalisedValue);
    let m = this.#memo.get(field);
    if (m === undefined) this.#memo.set(field, (m = new Map()));
    const hit = m.get(normalisedValue);
    if (hit !== undefined) return hit;
    const d = this.#digest(field, normalisedValue);
    if (this.#size >= this.#capacity) this.forget();
    const memo = this.#memo.get(field);
    if (memo) memo.set(normalisedValue, d);
    else this.#memo.set(field, new Map([[normalisedValue, d]]));
    this.#size++;
    return d;
  }

  /**
   * The digest of `a|b` (or `a|b|c`), remembered by its parts in nested maps: the same as
   * digest(field, [a, b, c].join("|")) without building the joined string for a value seen before.
   */
  digestOfParts(field: string, a: string, b: string, c: string | null): number {
    if (this.#capacity === 0) return this.#digest(field, c === null ? `${a}|${b}` : `${a}|${b}|${c}`);
    let byA = this.#parts.get(field);
    if (byA === undefined) this.#parts.set(field, (byA = new Map()));
    let byB = byA.get(a);
    if (byB === undefined) byA.set(a, (byB = new Map()));
    let byC = byB.get(b);
    if (byC === undefined) byB.set(b, (byC = new Map()));
    const k = c ?? "";
    const hit = byC.get(k);
    if (hit !== undefined) return hit;
    const d = this.#digest(field, c === null ? `${a}|${b}` : `${a}|${b}|${c}`);
    if (this.#size >= this.#capacity) this.forget();
    this.#parts.get(field)?.get(a)?.get(b)?.set(k, d);
    this.#size++;
    return d;
  }

  /**
   * A value computed from `value` by `compute` (several digests of one date of birth), remembered
   * under `kind` like a digest: once per distinct value in a batch.
   */
  remembered<T>(kind: string, value: string, compute: (hasher: BlindHasher, value: string) => T): T {
    if (this.#capacity === 0) return compute(this, value);
    let m = this.#derived.get(kind);
    if (m === undefined) this.#derived.set(kind, (m = new Map()));
    if (m.has(value)) return m.get(value) as T;
    const v = compute(this, value);
    if (this.#size >= this.#capacity) this.forget();
    const memo = this.#derived.get(kind);
    if (memo) memo.set(value, v);
    else this.#derived.set(kind, new Map([[value, v]]));
    this.#size++;
    return v;
  }

  #digest(field: string, value: string): number {
    checkField(field);
    return this.#hmac.digest48(field, value);
  }

  forget(): void {
    this.#memo = new Map();
    this.#derived = new Map();
    this.#parts = new Map();
    this.#size = 0;
  }
}
