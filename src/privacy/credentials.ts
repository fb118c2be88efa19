// Credentials: password hashes (scrypt) for people and API keys for machines. Pure: no storage.
//
// Passwords: scrypt (N = 2^15, r = 8, p = 1, 16-byte salt, 32-byte hash), stored as
// `scrypt$15$8$1$<salt b64url>$<hash b64url>` so parameters can be raised later. Generated passwords
// are 18 random bytes in base64url (144 bits).
// API keys: `kk_<id>_<secret>`: the id (12 hex) is public and names the key (for revocation, logs,
// audit); the secret is 32 random bytes. Only SHA-256 of the secret is stored: the secret has full
// entropy, so a slow hash would add nothing. Comparisons are constant-time.
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { badInput } from "../contracts/errors.ts";

const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;

function scryptAsync(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, KEY_LEN, { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** A fresh random password to show once. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== "string" || password.length < 12) throw badInput("must be at least 12 characters", "password");
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, LOG_N, R, P);
  return `scrypt$${LOG_N}$${R}$${P}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** True when `password` matches `stored`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{43})$/.exec(stored);
  if (!m || typeof password !== "string") return false;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const expected = Buffer.from(m[5]!, "base64url");
  const key = await scryptAsync(password, Buffer.from(m[4]!, "base64url"), logN, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export const API_KEY_PATTERN = /^kk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** A new API key: the full key (show once), its public id, and the hash to store. */
export function generateApiKey(): { key: string; id: string; hash: string } {
  const id = randomBytes(6).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return { key: `kk_${id}_${secret}`, id, hash: sha256(secret) };
}

/** The id and secret hash of a presented key, or null when it is not shaped like a key. */
export function parseApiKey(key: string): { id: string; hash: string } | null {
  const m = typeof key === "string" ? API_KEY_PATTERN.exec(key.trim()) : null;
  return m ? { id: m[1]!, hash: sha256(m[2]!) } : null;
}

/** Constant-time comparison of two stored-form hashes (hex). */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}
