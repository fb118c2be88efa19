// Field encryption: every personal value is sealed on its own with AES-256-GCM under a random data
// key (DEK); the DEK is wrapped with AES-256 Key Wrap (RFC 3394) under a master key (KEK) named by a
// key id. Associated data binds the ciphertext to its record id and field, so a sealed value copied
// to another record or field does not open. `seal` draws a fresh DEK for each value; `recordSealer`
// draws one for a record and seals each of its fields under it with its own random nonce (the DEK is
// wrapped once; every field's sealed value still carries the wrapped DEK, so each opens, rewraps and
// is deleted on its own). Both give the same format, which `open` and `rewrap` read alike.
//
// Sealed format v1 (binary; `encodeSealed` gives the text form "ks1." + base64url of these bytes):
//
//   offset      size  content
//   0           1     version = 0x01
//   1           1     k = length of the key id (1..32)
//   2           k     key id (ASCII)
//   2+k         40    wrapped DEK (AES-256-KW of the 32-byte DEK under the KEK)
//   42+k        12    GCM nonce
//   54+k        16    GCM tag
//   70+k        n     ciphertext (n = plaintext length)
//
// The key id and the wrapped DEK sit outside the GCM associated data on purpose: `rewrap` replaces
// them (re-wrapping the DEK under the current KEK) without touching nonce, tag or ciphertext. A wrong
// or swapped key id cannot open anything: the wrap's integrity check or the GCM tag fails.
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import { inspect } from "node:util";
import { KanshiError, badInput } from "../contracts/errors.ts";
import { KEY_BYTES, KID_PATTERN, parseKeyList, type KeyEntry } from "./keys.ts";

export const SEAL_VERSION = 1;
const TEXT_PREFIX = "ks1.";
const WRAPPED_BYTES = KEY_BYTES + 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** RFC 3394 default initial value. */
const KW_IV = Buffer.from("A6A6A6A6A6A6A6A6", "hex");
const AAD_DOMAIN = Buffer.from("kanshi/seal/v1\0", "utf8");
const FIELD_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const MAX_RECORD_ID_BYTES = 512;

/** What a sealed value is bound to: opening it under any other record id or field fails. */
export interface SealContext {
  /** The id of the record the value belongs to (not personal data itself). */
  readonly recordId: string;
  /** The field name, e.g. `name` or `dateOfBirth`. */
  readonly field: string;
}

/** A sealed value as stored: the binary form, or the text form from `encodeSealed`. */
export type Sealed = Uint8Array | string;

export type SealErrorCode = "malformed" | "unknown_key" | "auth_failed";

/** Opening or re-wrapping failed. The message never carries plaintext or key material. */
export class SealError extends KanshiError {
  readonly code: SealErrorCode;
  constructor(code: SealErrorCode, message: string) {
    super("internal", message);
    this.name = "SealError";
    this.code = code;
  }
}

interface Parsed {
  readonly kid: string;
  readonly wrapped: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
  /** iv ‖ tag ‖ ciphertext, untouched by rewrap. */
  readonly body: Buffer;
}

function toBytes(sealed: Sealed): Buffer {
  if (typeof sealed === "string") return decodeSealed(sealed);
  return Buffer.isBuffer(sealed) ? sealed : Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
}

function parse(sealed: Sealed): Parsed {
  const buf = toBytes(sealed);
  if (buf.length < 2) throw new SealError("malformed", `sealed value is ${buf.length} bytes; too short`);
  if (buf[0] !== SEAL_VERSION) throw new SealError("malformed", `unknown sealed format version ${buf[0]}; this build reads version ${SEAL_VERSION}`);
  const k = buf[1] ?? 0;
  const bodyAt = 2 + k + WRAPPED_BYTES;
  if (k < 1 || k > 32 || buf.length < bodyAt + IV_BYTES + TAG_BYTES) {
    throw new SealError("malformed", `sealed value is ${buf.length} bytes; too short for format v${SEAL_VERSION}`);
  }
  const kid = buf.subarray(2, 2 + k).toString("latin1");
  if (!KID_PATTERN.test(kid)) throw new SealError("malformed", "sealed value carries an invalid key id");
  const body = buf.subarray(bodyAt);
  return {
    kid,
    wrapped: buf.subarray(2 + k, bodyAt),
    iv: body.subarray(0, IV_BYTES),
    tag: body.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
    ciphertext: body.subarray(IV_BYTES + TAG_BYTES),
    body,
  };
}

function assemble(kid: string, wrapped: Buffer, body: Buffer): Buffer {
  const kidBytes = Buffer.from(kid, "latin1");
  return Buffer.concat([Buffer.from([SEAL_VERSION, kidBytes.length]), kidBytes, wrapped, body]);
}

function checkField(field: unknown): asserts field is string {
  if (typeof field !== "string" || !FIELD_PATTERN.test(field)) {
    throw badInput("must start with a letter and hold at most 64 letters, digits, '.', '_' or '-'", "seal context.field");
  }
}

/** The associated data's record part: `"kanshi/seal/v1\0" ‖ u16 len ‖ recordId`. */
function aadPrefix(recordId: unknown): Buffer {
  if (typeof recordId !== "string" || recordId.length === 0) throw badInput("must be a non-empty string", "seal context.recordId");
  const ridBytes = Buffer.byteLength(recordId, "utf8");
  if (ridBytes > MAX_RECORD_ID_BYTES) throw badInput(`must be at most ${MAX_RECORD_ID_BYTES} bytes`, "seal context.recordId");
  const out = Buffer.allocUnsafe(AAD_DOMAIN.length + 2 + ridBytes);
  AAD_DOMAIN.copy(out, 0);
  out.writeUInt16BE(ridBytes, AAD_DOMAIN.length);
  out.write(recordId, AAD_DOMAIN.length + 2, "utf8");
  return out;
}

/** The whole associated data: the record part, then `u16 len ‖ field` (field names are ASCII by FIELD_PATTERN). */
function aadFor(prefix: Buffer, field: string): Buffer {
  const out = Buffer.allocUnsafe(prefix.length + 2 + field.length);
  prefix.copy(out, 0);
  out.writeUInt16BE(field.length, prefix.length);
  out.write(field, prefix.length + 2, "latin1");
  return out;
}

function aad(ctx: SealContext): Buffer {
  if (ctx === null || typeof ctx !== "object") throw badInput("expected { recordId, field }", "seal context");
  const { recordId, field } = ctx;
  checkField(field);
  return aadFor(aadPrefix(recordId), field);
}

/** The text form of a sealed value: `ks1.` + base64url. */
export function encodeSealed(sealed: Uint8Array): string {
  return TEXT_PREFIX + Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength).toString("base64url");
}

/** The binary form of a `ks1.` text. */
export function decodeSealed(text: string): Buffer {
  if (typeof text !== "string" || !text.startsWith(TEXT_PREFIX)) {
    throw new SealError("malformed", `sealed text must start with "${TEXT_PREFIX}"`);
  }
  const b64 = text.slice(TEXT_PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(b64) || b64.length % 4 === 1) throw new SealError("malformed", "sealed text is not base64url after its prefix");
  return Buffer.from(b64, "base64url");
}

/**
 * A sealed value's two parts: the key part (version, key id, wrapped data key), which `rewrap`
 * replaces and which the values of one `recordSealer` share, and the body (nonce, tag, ciphertext).
 * `keyPart ‖ body` is the value again.
 */
export function sealedParts(sealed: Uint8Array): { keyPart: Buffer; body: Buffer } {
  const buf = toBytes(sealed);
  const p = parse(buf);
  return { keyPart: buf.subarray(0, buf.length - p.body.length), body: p.body };
}

/** The format version and key id of a sealed value, without opening it (e.g. to find values to rewrap). */
export function inspectSealed(sealed: Sealed): { version: number; kid: string; bytes: number } {
  const p = parse(sealed);
  return { version: SEAL_VERSION, kid: p.kid, bytes: p.ciphertext.length };
}

function wrapKey(kek: KeyObject, dek: Buffer): Buffer {
  const c = createCipheriv("id-aes256-wrap", kek, KW_IV);
  return Buffer.concat([c.update(dek), c.final()]);
}

function unwrapKey(kek: KeyObject, wrapped: Buffer, kid: string): Buffer {
  try {
    const d = createDecipheriv("id-aes256-wrap", kek, KW_IV);
    const dek = Buffer.concat([d.update(wrapped), d.final()]);
    if (dek.length !== KEY_BYTES) throw new Error("bad length");
    return dek;
  } catch {
    throw new SealError("auth_failed", `data key did not unwrap under key id "${kid}": the sealed value was altered or its key id is wrong`);
  }
}

/**
 * Random bytes for data keys and IVs, drawn from the CSPRNG a page at a time: one system call per
 * ~90 seals instead of two per seal (at ingest, with a dozen sealed fields an identity event, the
 * calls were a tenth of the server's CPU). Each slice is handed out once and wiped from the page.
 */
class RandomPool {
  static readonly PAGE = 4096;
  #page: Buffer = Buffer.alloc(0);
  #pos = 0;

  take(n: number): Buffer {
    const out = Buffer.alloc(n);
    this.fill(out, 0, n);
    return out;
  }

  /** Writes `n` random bytes into `target` at `offset`. */
  fill(target: Buffer, offset: number, n: number): void {
    if (this.#pos + n > this.#page.length) {
      this.#page.fill(0);
      this.#page = randomBytes(RandomPool.PAGE);
      this.#pos = 0;
    }
    this.#page.copy(target, offset, this.#pos, this.#pos + n);
    this.#page.fill(0, this.#pos, this.#pos + n);
    this.#pos += n;
  }
}

/**
 * Seals the fields of one record under one data key, wrapped once (`Keyring.recordSealer`). Each
 * field gets its own random 96-bit nonce and its own associated data (record id, field), so fields
 * cannot be swapped or moved, and each sealed value is complete on its own (same format as
 * `Keyring.seal`: it carries the wrapped data key). A record has a handful of fields, far below
 * the 2^32 random nonces a GCM key may take. Call `dispose()` when done: it wipes the data key.
 */
export interface RecordSealer {
  /** The master key id the data key is wrapped under. */
  readonly kid: string;
  /** Seals one field's value (UTF-8 text or bytes); returns the binary form. A field is sealed at most once. */
  seal(field: string, plaintext: string | Uint8Array): Buffer;
  /** Wipes the data key; later seals are refused. */
  dispose(): void;
}

class FieldSealer implements RecordSealer {
  readonly #dek: Buffer;
  /** version ‖ kid length ‖ kid ‖ wrapped data key: the same for every field of the record. */
  readonly #header: Buffer;
  readonly #aadPrefix: Buffer;
  readonly #random: RandomPool;
  readonly #fields = new Set<string>();
  #disposed = false;
  readonly kid: string;

  constructor(dek: Buffer, header: Buffer, aadPrefixBytes: Buffer, random: RandomPool, kid: string) {
    this.#dek = dek;
    this.#header = header;
    this.#aadPrefix = aadPrefixBytes;
    this.#random = random;
    this.kid = kid;
  }

  seal(field: string, plaintext: string | Uint8Array): Buffer {
    if (this.#disposed) throw new KanshiError("internal", "this record sealer was disposed");
    checkField(field);
    // One key, one nonce per field: sealing a field twice is refused rather than reasoned about.
    if (this.#fields.has(field)) throw badInput("was sealed already in this record", `seal context.field ${field}`);
    if (typeof plaintext !== "string" && !(plaintext instanceof Uint8Array)) throw badInput("expected a string or bytes", "seal plaintext");
    this.#fields.add(field);
    const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
    const h = this.#header.length;
    const out = Buffer.allocUnsafe(h + IV_BYTES + TAG_BYTES + data.length);
    this.#header.copy(out, 0);
    this.#random.fill(out, h, IV_BYTES);
    const c = createCipheriv("aes-256-gcm", this.#dek, out.subarray(h, h + IV_BYTES), { authTagLength: TAG_BYTES });
    c.setAAD(aadFor(this.#aadPrefix, field));
    const ct = c.update(data);
    const fin = c.final();
    c.getAuthTag().copy(out, h + IV_BYTES);
    ct.copy(out, h + IV_BYTES + TAG_BYTES);
    if (fin.length > 0) fin.copy(out, h + IV_BYTES + TAG_BYTES + ct.length);
    return out;
  }

  dispose(): void {
    this.#disposed = true;
    this.#dek.fill(0);
  }
}

/**
 * Master keys (key-encryption keys): the current one seals, every one opens. Rotation: put a new key
 * first, keep the old ones after it, run `rewrap` over stored values, then drop the old keys.
 *
 * Key material lives in `KeyObject`s in a private field; `toJSON` and `util.inspect` show key ids only.
 */
export class Keyring {
  readonly #keks: ReadonlyMap<string, KeyObject>;
  readonly #random = new RandomPool();
  /** The key id new seals use. */
  readonly currentKid: string;

  /** @param keys the current key first, then older ones. */
  constructor(keys: readonly KeyEntry[]) {
    if (keys.length === 0) throw badInput("a keyring needs at least one master key", "keyring");
    const map = new Map<string, KeyObject>();
    keys.forEach((k, i) => {
      if (!KID_PATTERN.test(k.kid)) throw badInput("key id must be 1–32 letters, digits, '.', '_' or '-'", `keyring[${i}]`);
      if (k.key.length !== KEY_BYTES) throw badInput(`key is ${k.key.length} bytes; expected ${KEY_BYTES}`, `keyring[${i}]`);
      if (map.has(k.kid)) throw badInput("duplicate key id", `keyring[${i}]`);
      map.set(k.kid, createSecretKey(Buffer.from(k.key)));
    });
    this.#keks = map;
    this.currentKid = keys[0]!.kid;
  }

  /** From configuration text, e.g. `KANSHI_MASTER_KEYS="k2:base64,k1:base64"` (current first). */
  static fromConfig(text: string | undefined, source = "KANSHI_MASTER_KEYS"): Keyring {
    return new Keyring(parseKeyList(text, source));
  }

  /** Every key id, current first. */
  get kids(): string[] {
    return [...this.#keks.keys()];
  }

  has(kid: string): boolean {
    return this.#keks.has(kid);
  }

  #kek(kid: string): KeyObject {
    const kek = this.#keks.get(kid);
    if (kek === undefined) {
      throw new SealError("unknown_key", `sealed under key id "${kid}", which is not in the keyring (have ${this.kids.join(", ")})`);
    }
    return kek;
  }

  /** Seals one value (UTF-8 text or bytes) for `context.recordId` / `context.field`; returns the binary form. */
  seal(plaintext: string | Uint8Array, context: SealContext): Buffer {
    const ad = aad(context);
    if (typeof plaintext !== "string" && !(plaintext instanceof Uint8Array)) throw badInput("expected a string or bytes", "seal plaintext");
    const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
    const dek = this.#random.take(KEY_BYTES);
    try {
      const iv = this.#random.take(IV_BYTES);
      const c = createCipheriv("aes-256-gcm", dek, iv, { authTagLength: TAG_BYTES });
      c.setAAD(ad);
      const ct = Buffer.concat([c.update(data), c.final()]);
      const wrapped = wrapKey(this.#kek(this.currentKid), dek);
      return assemble(this.currentKid, wrapped, Buffer.concat([iv, c.getAuthTag(), ct]));
    } finally {
      dek.fill(0);
    }
  }

  /**
   * A sealer for the fields of one record: one data key, wrapped once under the current master key,
   * a fresh nonce per field. Much cheaper than `seal` per field (one key wrap and one key draw a
   * record instead of one a field); the values open, rewrap and delete one by one exactly like
   * `seal`'s. Dispose of it when the record is done.
   */
  recordSealer(recordId: string): RecordSealer {
    const prefix = aadPrefix(recordId);
    const dek = this.#random.take(KEY_BYTES);
    try {
      const header = assemble(this.currentKid, wrapKey(this.#kek(this.currentKid), dek), Buffer.alloc(0));
      return new FieldSealer(dek, header, prefix, this.#random, this.currentKid);
    } catch (e) {
      dek.fill(0);
      throw e;
    }
  }

  /** Opens a sealed value for exactly the context it was sealed with; throws `SealError` otherwise. */
  open(sealed: Sealed, context: SealContext): Buffer {
    const ad = aad(context);
    const p = parse(sealed);
    const dek = unwrapKey(this.#kek(p.kid), p.wrapped, p.kid);
    try {
      const d = createDecipheriv("aes-256-gcm", dek, p.iv, { authTagLength: TAG_BYTES });
      d.setAAD(ad);
      d.setAuthTag(p.tag);
      return Buffer.concat([d.update(p.ciphertext), d.final()]);
    } catch {
      throw new SealError("auth_failed", "sealed value failed authentication: it was altered, or it belongs to another record or field");
    } finally {
      dek.fill(0);
    }
  }

  /** `open`, decoded as UTF-8 text. */
  openString(sealed: Sealed, context: SealContext): string {
    return this.open(sealed, context).toString("utf8");
  }

  /** True when the value is sealed under an older key and `rewrap` would change it. */
  needsRewrap(sealed: Sealed): boolean {
    return parse(sealed).kid !== this.currentKid;
  }

  /**
   * Re-wraps the value's data key under the current master key. Nonce, tag and ciphertext are kept
   * byte for byte; no plaintext is produced. Returns the input unchanged when it already uses the
   * current key, and the same form (binary or text) as the input otherwise.
   */
  rewrap(sealed: string): string;
  rewrap(sealed: Uint8Array): Buffer;
  rewrap(sealed: Sealed): Buffer | string {
    const p = parse(sealed);
    if (p.kid === this.currentKid) return typeof sealed === "string" ? sealed : toBytes(sealed);
    const dek = unwrapKey(this.#kek(p.kid), p.wrapped, p.kid);
    try {
      const out = assemble(this.currentKid, wrapKey(this.#kek(this.currentKid), dek), p.body);
      return typeof sealed === "string" ? encodeSealed(out) : out;
    } finally {
      dek.fill(0);
    }
  }

  toJSON(): { currentKid: string; kids: string[] } {
    return { currentKid: this.currentKid, kids: this.kids };
  }

  [inspect.custom](): string {
    return `Keyring { current: ${this.currentKid}, kids: [${this.kids.join(", ")}] }`;
  }
}
