// Blind indexes: equality-only fields are compared as HMAC-SHA256 digests under a deployment key,
// so linkage never needs the plaintext of a date of birth, phone, e-mail or corporate number.
import { createHmac } from "node:crypto";
import { HmacSha256 } from "../../crypto/sha256.ts";

export { sha256Hex } from "../../crypto/sha256.ts";

const utf8 = new TextEncoder();

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

/**
 * blindDigest under one key without node:crypto's per-call objects: HMAC-SHA256 with the key's pad
 * blocks compressed once (src/crypto/sha256.ts), so a digest costs the message's own blocks and one
 * outer block, with no allocation. Gives exactly blindDigest (tests check it against node:crypto).
 */
export class BlindMac {
  readonly #mac: HmacSha256;
  readonly #out = new Uint8Array(32);

  constructor(key: Uint8Array) {
    checkKey(key);
    this.#mac = new HmacSha256(key);
  }

  /** The first 48 bits of HMAC-SHA256(key, field ‖ 0x00 ‖ value), as blindDigest. */
  digest48(field: string, value: string): number {
    const buf = this.#mac.message(3 * (field.length + value.length) + 1);
    let n = utf8.encodeInto(field, buf).written;
    buf[n++] = 0;
    n += utf8.encodeInto(value, buf.subarray(n)).written;
    const o = this.#out;
    this.#mac.mac(n, o);
    return ((o[0]! << 16) | (o[1]! << 8) | o[2]!) * 0x1000000 + ((o[3]! << 16) | (o[4]! << 8) | o[5]!);
  }
}

/**
 * blindDigest under one key, remembering the digests of values it has seen (a batch repeats birth
 * dates, postal codes and municipalities thousands of times; an HMAC costs about 2 µs). The memory
 * holds plaintext, so a hasher lives for one batch or one linker and is never persisted; its
 * `forget()` drops what it remembered. At most `capacity` values are kept (then it starts over).
 */
export class BlindHasher {
  readonly #hmac: BlindMac;
  readonly #capacity: number;
  #memo = new Map<string, Map<string, number>>();
  #derived = new Map<string, Map<string, unknown>>();
  #parts = new Map<string, Map<string, Map<string, Map<string, number>>>>();
  #size = 0;

  /** `capacity` 0 remembers nothing (every digest is an HMAC). */
  constructor(key: Uint8Array, capacity = 1 << 20) {
    this.#hmac = new BlindMac(key);
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
