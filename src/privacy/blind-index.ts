// Blind indexes: a keyed, deterministic digest of (field, normalised value), so records can be
// matched on equal values (blocking and linkage) without storing or comparing plaintext.
//
//   index = base64url( HMAC-SHA256( K_bidx, u16be(len field) ‖ field ‖ normalise(value) )[0 .. bytes) )
//   K_bidx = HKDF-SHA256(deployment key, salt = "", info = "kanshi/blind-index/v1")
//
// The field name is inside the MAC, so the same value in two fields gives unrelated indexes (a phone
// number's index cannot be joined against a postal code's). The HKDF step separates this key's use
// from any other use of the same configured secret (pseudonyms, sealing).
import { hkdfSync } from "node:crypto";
import { inspect } from "node:util";
import { badInput } from "../contracts/errors.ts";
import { HmacSha256 } from "../crypto/sha256.ts";
import { parseKeyList, type KeyEntry } from "./keys.ts";

const INFO = "kanshi/blind-index/v1";
const FIELD_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
export const DEFAULT_INDEX_BYTES = 16;

/**
 * The default normalisation: Unicode NFKC (full-width → half-width, compatibility forms folded),
 * lower case, runs of white space (ideographic space included) collapsed to one space, trimmed.
 * Domain normalisers (names, addresses, phones in `identity/`) run before this; pass them as `normalize`.
 */
export function normalizeForIndex(value: string): string {
  return value.normalize("NFKC").toLowerCase().replace(/\s+/gu, " ").trim();
}

export interface BlindIndexOptions {
  /** Bytes of HMAC output kept (8–32; default 16 = 128 bits, 22 base64url characters). */
  readonly bytes?: number;
  /** Normalisation applied to every value before hashing; default `normalizeForIndex`. */
  readonly normalize?: (value: string) => string;
}

interface IndexKey {
  readonly kid: string;
  /** HMAC-SHA256 under K_bidx, its key blocks precomputed. */
  readonly mac: HmacSha256;
}

const utf8 = new TextEncoder();

/**
 * Computes blind indexes under the current deployment key (`index`) and, while a key rotation is
 * being rolled out, under every configured key (`candidates`), so lookups find rows indexed under
 * either key until all rows are re-indexed.
 */
export class BlindIndexer {
  readonly #keys: readonly IndexKey[];
  readonly #bytes: number;
  readonly #normalize: (value: string) => string;
  /** The last MAC computed (only its first `bytes` bytes are read). */
  readonly #out = Buffer.alloc(32);

  /** @param keys the current key first. */
  constructor(keys: readonly KeyEntry[], options: BlindIndexOptions = {}) {
    if (keys.length === 0) throw badInput("needs at least one key", "blind index keys");
    const bytes = options.bytes ?? DEFAULT_INDEX_BYTES;
    if (!Number.isInteger(bytes) || bytes < 8 || bytes > 32) throw badInput("must be a whole number from 8 to 32", "blind index options.bytes");
    this.#bytes = bytes;
    this.#normalize = options.normalize ?? normalizeForIndex;
    this.#keys = keys.map((k) => {
      const derived = Buffer.from(hkdfSync("sha256", k.key, Buffer.alloc(0), INFO, 32));
      const mac = new HmacSha256(derived);
      derived.fill(0);
      return { kid: k.kid, mac };
    });
  }

  /** From configuration, e.g. `KANSHI_BLIND_INDEX_KEYS="b1:base64"` (current first). */
  static fromConfig(text: string | undefined, source = "KANSHI_BLIND_INDEX_KEYS", options: BlindIndexOptions = {}): BlindIndexer {
    return new BlindIndexer(parseKeyList(text, source), options);
  }

  /** The key id `index` uses. */
  get currentKid(): string {
    return this.#keys[0]!.kid;
  }

  #compute(key: IndexKey, field: string, value: string): string {
    if (typeof field !== "string" || !FIELD_PATTERN.test(field)) {
      throw badInput("must start with a letter and hold at most 64 letters, digits, '.', '_' or '-'", "blind index field");
    }
    if (typeof value !== "string") throw badInput("expected a string", `blind index value for ${field}`);
    const norm = this.#normalize(value);
    // The value is not echoed: it is personal data.
    if (norm.length === 0) throw badInput("is empty after normalisation; skip empty values instead of indexing them", `blind index value for ${field}`);
    // u16be(len field) ‖ field (ASCII, by FIELD_PATTERN) ‖ UTF-8 of the normalised value.
    const msg = key.mac.message(2 + field.length + 3 * norm.length);
    msg[0] = field.length >>> 8;
    msg[1] = field.length & 0xff;
    for (let i = 0; i < field.length; i++) msg[2 + i] = field.charCodeAt(i);
    const n = 2 + field.length + utf8.encodeInto(norm, msg.subarray(2 + field.length)).written;
    key.mac.mac(n, this.#out);
    return this.#out.toString("base64url", 0, this.#bytes);
  }

  /** The index of `value` in `field` under the current key. */
  index(field: string, value: string): string {
    return this.#compute(this.#keys[0]!, field, value);
  }

  /** The index of `value` in `field` under every key, current first (for lookups during rotation). */
  candidates(field: string, value: string): string[] {
    return this.#keys.map((k) => this.#compute(k, field, value));
  }

  toJSON(): { currentKid: string; kids: string[]; bytes: number } {
    return { currentKid: this.currentKid, kids: this.#keys.map((k) => k.kid), bytes: this.#bytes };
  }

  [inspect.custom](): string {
    return `BlindIndexer { current: ${this.currentKid}, bytes: ${this.#bytes} }`;
  }
}
