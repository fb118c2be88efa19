// Secret keys from configuration: strict base64 decoding and "kid:base64,kid:base64" key lists.
//
// Error messages name the variable and the entry's position, never the key id or the key material: a mistyped key must not end up in a log or a CI transcript.
import { randomBytes } from "node:crypto";
import { badInput } from "../contracts/errors.ts";

/** Every symmetric key in this room is 256 bits. */
export const KEY_BYTES = 32;

/** A key id: short, printable, never secret (it is written into every sealed value). */
export const KID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

export interface KeyEntry {
  /** The key id, e.g. `k2`. */
  readonly kid: string;
  /** 32 bytes of key material. */
  readonly key: Buffer;
}

/**
 * Decodes standard base64 (padding optional) or base64url (no padding) strictly: no stray
 * characters, no mixed alphabets, no non-zero trailing bits. Returns null when `text` is not
 * canonical base64, so callers can word their own error without echoing the text.
 */
export function decodeBase64Strict(text: string): Buffer | null {
  const s = text.trim();
  if (s.length === 0) return null;
  const std = /[+/]/.test(s);
  const url = /[-_]/.test(s);
  if (std && url) return null;
  const m = /^([A-Za-z0-9+/_-]*)(=*)$/.exec(s);
  if (!m) return null;
  const body = m[1] ?? "";
  const pad = (m[2] ?? "").length;
  if (pad > 2) return null;
  if (pad > 0 && (body.length + pad) % 4 !== 0) return null;
  if (body.length % 4 === 1) return null;
  const buf = Buffer.from(body, url ? "base64url" : "base64");
  // Canonical form only: re-encoding must give back exactly the same characters.
  const again = url ? buf.toString("base64url") : buf.toString("base64").replace(/=+$/, "");
  if (again !== body) return null;
  return buf;
}

/** Checks one decoded key; returns a problem description or null. Never mentions the bytes. */
function keyProblem(buf: Buffer | null): string | null {
  if (buf === null) return "key is not valid base64";
  if (buf.length !== KEY_BYTES) return `key decodes to ${buf.length} bytes; expected ${KEY_BYTES}`;
  if (buf.every((b) => b === buf[0])) return "key is one byte repeated; generate a random key";
  return null;
}

/**
 * Parses one base64 key (32 bytes) from configuration.
 * @param source the variable name, used in error messages (`KANSHI_PSEUDONYM_KEY`).
 */
export function parseSingleKey(text: string | undefined, source: string): Buffer {
  if (text === undefined || text.trim() === "") throw badInput(`is empty; expected a base64 ${KEY_BYTES}-byte key`, source);
  const buf = decodeBase64Strict(text);
  const problem = keyProblem(buf);
  if (problem !== null || buf === null) throw badInput(problem ?? "key is not valid base64", source);
  return buf;
}

/**
 * Parses a key list `kid:base64[,kid:base64…]`, the CURRENT key first, older keys after it.
 * Entries are separated by commas (spaces and newlines around them are ignored).
 * @param source the variable name, used in error messages (`KANSHI_MASTER_KEYS`).
 */
export function parseKeyList(text: string | undefined, source: string): KeyEntry[] {
  const expected = `expected "kid:base64key[,kid:base64key…]" with the current key first`;
  if (text === undefined || text.trim() === "") throw badInput(`is empty; ${expected}`, source);
  const parts = text.split(",");
  const out: KeyEntry[] = [];
  const kidAt = new Map<string, number>();
  const materialAt = new Map<string, number>();
  parts.forEach((raw, i) => {
    const at = `${source}[${i}]`;
    const entry = raw.trim();
    if (entry === "") throw badInput(`empty entry; ${expected}`, at);
    const colon = entry.indexOf(":");
    if (colon < 0) throw badInput(`expected "kid:base64key" (no ':' found)`, at);
    const kid = entry.slice(0, colon).trim();
    // An invalid kid is not echoed: it may be key material pasted in the wrong place.
    if (!KID_PATTERN.test(kid)) {
      throw badInput("key id must be 1–32 letters, digits, '.', '_' or '-', starting with a letter or digit", at);
    }
    // The kid is not echoed either: if the entry is mangled (a colon inside the key, say) it could be a
    // fragment of key material. The position is enough to find the entry.
    const where = at;
    const buf = decodeBase64Strict(entry.slice(colon + 1));
    const problem = keyProblem(buf);
    if (problem !== null || buf === null) throw badInput(problem ?? "key is not valid base64", where);
    const prev = kidAt.get(kid);
    if (prev !== undefined) throw badInput(`duplicate key id (also at [${prev}])`, where);
    const fp = buf.toString("hex");
    const same = materialAt.get(fp);
    if (same !== undefined) throw badInput(`same key material as entry [${same}]; every key id needs its own key`, where);
    kidAt.set(kid, i);
    materialAt.set(fp, i);
    out.push({ kid, key: buf });
  });
  return out;
}

/** A fresh random 32-byte key in standard base64, for `kid:` + this in configuration. */
export function generateKeyBase64(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}
