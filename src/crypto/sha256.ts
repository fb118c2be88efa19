// SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104) in plain JavaScript, for many short messages: the
// key's inner and outer pad blocks are compressed once, so a MAC costs the message's own blocks plus
// one outer block, with no allocation and no crossing into C++ (node:crypto's createHmac builds a
// native object and sets the key up again on every call: three to ten times the cost for messages of
// a few dozen bytes). A leaf of the code base, imported by privacy (blind indexes of personal data)
// and identity (linkage's 48-bit blind digests, entity ids). Output is exactly node:crypto's (tests
// check it on random keys and messages).
import { createHash } from "node:crypto";

// SHA-256 round constants (FIPS 180-4 §4.2.2).
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** One SHA-256 compression of the 64-byte block at `data[off..]` into `state`. */
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
    const t1 = (h + S1 + ch + K[t]! + w[t]!) | 0;
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

/** Writes SHA-256 padding at buf[n..] for `n` message bytes after `prefixBytes` already compressed (a key block); returns the padded length. */
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

/** The 32 bytes of a SHA-256 state (big-endian words) into `out`. */
function digestBytes(st: Int32Array, out: Uint8Array): void {
  for (let i = 0; i < 8; i++) {
    const v = st[i]!;
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = (v >>> 16) & 0xff;
    out[4 * i + 2] = (v >>> 8) & 0xff;
    out[4 * i + 3] = v & 0xff;
  }
}

/**
 * HMAC-SHA256 under one key. Not re-entrant (one scratch buffer), which is fine: it never yields.
 * The message is written into `message()` (grown on demand) and MACed with `mac(length, out)`.
 */
export class HmacSha256 {
  readonly #inner = new Int32Array(8);
  readonly #outer = new Int32Array(8);
  readonly #state = new Int32Array(8);
  readonly #w = new Int32Array(64);
  readonly #block = new Uint8Array(64);
  #buf = new Uint8Array(256);

  constructor(key: Uint8Array) {
    const k = new Uint8Array(64);
    k.set(key.length > 64 ? createHash("sha256").update(key).digest() : key);
    const p = new Uint8Array(64);
    for (let i = 0; i < 64; i++) p[i] = k[i]! ^ 0x36;
    this.#inner.set(IV);
    compress(this.#inner, this.#w, p, 0);
    for (let i = 0; i < 64; i++) p[i] = k[i]! ^ 0x5c;
    this.#outer.set(IV);
    compress(this.#outer, this.#w, p, 0);
    k.fill(0);
    p.fill(0);
  }

  /** A scratch buffer with room for a message of `bytes` bytes (plus padding); write the message at 0. */
  message(bytes: number): Uint8Array {
    if (bytes + 72 > this.#buf.length) this.#buf = new Uint8Array(Math.max(bytes + 72, this.#buf.length * 2));
    return this.#buf;
  }

  /** MACs the first `length` bytes of `message()`'s buffer; writes the 32-byte MAC into `out` (the buffer's tail is overwritten by padding). */
  mac(length: number, out: Uint8Array): void {
    const buf = this.message(length);
    const n = pad(buf, length, 64);
    const st = this.#state;
    st.set(this.#inner);
    for (let off = 0; off < n; off += 64) compress(st, this.#w, buf, off);
    const blk = this.#block;
    digestBytes(st, blk);
    blk[32] = 0x80;
    blk.fill(0, 33, 62);
    blk[62] = 0x03; // (64 + 32) * 8 = 768 bits
    blk[63] = 0x00;
    st.set(this.#outer);
    compress(st, this.#w, blk, 0);
    digestBytes(st, out);
  }
}

const utf8 = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** sha256Hex's working memory (it runs to completion, never re-entered). */
const shaScratch = { buf: new Uint8Array(256), state: new Int32Array(8), w: new Int32Array(64) };

/**
 * SHA-256 of a UTF-8 string, as lower-case hex, without node:crypto's per-call objects. Equal to
 * createHash("sha256").update(text).digest("hex") (a test checks it).
 */
export function sha256Hex(text: string): string {
  if (3 * text.length + 72 > shaScratch.buf.length) shaScratch.buf = new Uint8Array(3 * text.length + 72);
  const { buf, state: st, w } = shaScratch;
  const n = utf8.encodeInto(text, buf).written;
  const len = pad(buf, n, 0);
  st.set(IV);
  for (let off = 0; off < len; off += 64) compress(st, w, buf, off);
  let out = "";
  for (let i = 0; i < 8; i++) {
    const v = st[i]!;
    out += HEX[v >>> 24]!;
    out += HEX[(v >>> 16) & 0xff]!;
    out += HEX[(v >>> 8) & 0xff]!;
    out += HEX[v & 0xff]!;
  }
  return out;
}
