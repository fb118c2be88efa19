// Signed tree heads: an Ed25519 signature over (tree size, timestamp, Merkle root) of the audit log.
//
// Signed message (binary, like RFC 6962's TreeHeadSignature):
//   "kanshi/sth/v1" 0x00 ‖ u64be treeSize ‖ u64be timestamp (epoch ms) ‖ root (32 bytes)
//
// Keys come from configuration as PEM (PKCS#8 private / SPKI public) or as raw base64 (the 32-byte
// Ed25519 seed for a private key, the 32-byte public key). Errors never echo key text.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { badInput } from "../../contracts/errors.ts";
import { decodeBase64Strict } from "../keys.ts";
import { HASH_BYTES } from "./merkle.ts";

export interface SignedTreeHead {
  /** Number of records the head covers (records 0 … treeSize − 1). */
  readonly treeSize: number;
  /** Merkle root of those records' hashes, lower-case hex. */
  readonly rootHash: string;
  /** When it was signed, epoch milliseconds. */
  readonly timestamp: number;
  /** Ed25519 signature over `treeHeadMessage`, base64. */
  readonly signature: string;
}

const DOMAIN = Buffer.from("kanshi/sth/v1\0", "utf8");
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");

/** The exact bytes a tree head signature covers. */
export function treeHeadMessage(treeSize: number, rootHash: string, timestamp: number): Buffer {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw badInput("must be a whole number ≥ 0", "tree head.treeSize");
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw badInput("must be epoch milliseconds", "tree head.timestamp");
  if (typeof rootHash !== "string" || !/^[0-9a-f]{64}$/.test(rootHash)) throw badInput("must be 64 lower-case hex characters", "tree head.rootHash");
  const out = Buffer.alloc(DOMAIN.length + 16 + HASH_BYTES);
  DOMAIN.copy(out, 0);
  out.writeBigUInt64BE(BigInt(treeSize), DOMAIN.length);
  out.writeBigUInt64BE(BigInt(timestamp), DOMAIN.length + 8);
  Buffer.from(rootHash, "hex").copy(out, DOMAIN.length + 16);
  return out;
}

function assertEd25519(key: KeyObject, type: "private" | "public", what: string): void {
  if (key.type !== type || key.asymmetricKeyType !== "ed25519") throw badInput(`must be an Ed25519 ${type} key`, what);
}

export function signTreeHead(privateKey: KeyObject, treeSize: number, rootHash: string, timestamp: number): SignedTreeHead {
  assertEd25519(privateKey, "private", "tree head signing key");
  const signature = sign(null, treeHeadMessage(treeSize, rootHash, timestamp), privateKey).toString("base64");
  return { treeSize, rootHash, timestamp, signature };
}

/** True when `head` is well formed and signed by one of `publicKeys`. Never throws. */
export function verifyTreeHead(head: SignedTreeHead, publicKeys: KeyObject | readonly KeyObject[]): boolean {
  let msg: Buffer;
  try {
    msg = treeHeadMessage(head.treeSize, head.rootHash, head.timestamp);
  } catch {
    return false;
  }
  if (typeof head.signature !== "string") return false;
  const sig = decodeBase64Strict(head.signature);
  if (sig === null || sig.length !== 64) return false;
  const keys = Array.isArray(publicKeys) ? (publicKeys as readonly KeyObject[]) : [publicKeys as KeyObject];
  return keys.some((k) => {
    try {
      return verify(null, msg, k, sig);
    } catch {
      return false;
    }
  });
}

/** A new Ed25519 key pair as raw base64 (private = the 32-byte seed), for configuration. */
export function generateAuditKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { privateKey: rawPrivate(privateKey).toString("base64"), publicKey: rawPublic(publicKey).toString("base64") };
}

function rawPrivate(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: "der", type: "pkcs8" }).subarray(PKCS8_ED25519.length));
}

/** The raw 32-byte public key, base64 (what auditors configure to verify). */
export function publicKeyBase64(key: KeyObject): string {
  return rawPublic(key).toString("base64");
}

function rawPublic(key: KeyObject): Buffer {
  const k = key.type === "private" ? createPublicKey(key) : key;
  return Buffer.from(k.export({ format: "der", type: "spki" }).subarray(SPKI_ED25519.length));
}

/**
 * The audit signing key from configuration (`KANSHI_AUDIT_SIGNING_KEY`): a PEM PKCS#8 Ed25519
 * private key, or the base64 32-byte seed. Returns the key pair.
 */
export function parseAuditSigningKey(text: string | undefined, source = "KANSHI_AUDIT_SIGNING_KEY"): { privateKey: KeyObject; publicKey: KeyObject } {
  if (text === undefined || text.trim() === "") throw badInput("is empty; expected a PEM Ed25519 private key or a base64 32-byte seed", source);
  const t = text.trim();
  let privateKey: KeyObject;
  if (t.startsWith("-----BEGIN")) {
    try {
      privateKey = createPrivateKey({ key: t, format: "pem" });
    } catch {
      throw badInput("is not a readable PEM private key", source);
    }
    if (privateKey.asymmetricKeyType !== "ed25519") throw badInput(`is a key of type ${privateKey.asymmetricKeyType ?? "unknown"}; expected Ed25519`, source);
  } else {
    const seed = decodeBase64Strict(t);
    if (seed === null) throw badInput("is neither PEM nor valid base64", source);
    if (seed.length !== 32) throw badInput(`decodes to ${seed.length} bytes; expected the 32-byte Ed25519 seed`, source);
    privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });
  }
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/**
 * An audit verification key from configuration (`KANSHI_AUDIT_PUBLIC_KEYS`, comma-separated for
 * rotation): each a PEM SPKI Ed25519 public key or the base64 32-byte public key.
 */
export function parseAuditPublicKeys(text: string | undefined, source = "KANSHI_AUDIT_PUBLIC_KEYS"): KeyObject[] {
  if (text === undefined || text.trim() === "") throw badInput("is empty; expected PEM or base64 Ed25519 public keys, comma-separated", source);
  const t = text.trim();
  // PEM blocks contain no commas; base64 keys neither.
  const parts = t.startsWith("-----BEGIN") ? t.split(/(?<=-----END PUBLIC KEY-----)\s*,?\s*/).filter((p) => p.trim() !== "") : t.split(",");
  return parts.map((raw, i) => {
    const at = `${source}[${i}]`;
    const p = raw.trim();
    let key: KeyObject;
    if (p.startsWith("-----BEGIN")) {
      // createPublicKey would accept a private key and derive its public half; refuse instead, so a
      // signing key is never copied into verifiers' configuration by mistake.
      if (p.includes("PRIVATE KEY")) throw badInput("is a private key; configure the public key here", at);
      try {
        key = createPublicKey({ key: p, format: "pem" });
      } catch {
        throw badInput("is not a readable PEM public key", at);
      }
      if (key.asymmetricKeyType !== "ed25519") throw badInput(`is a key of type ${key.asymmetricKeyType ?? "unknown"}; expected Ed25519`, at);
      return key;
    }
    const raw32 = decodeBase64Strict(p);
    if (raw32 === null) throw badInput("is neither PEM nor valid base64", at);
    if (raw32.length !== 32) throw badInput(`decodes to ${raw32.length} bytes; expected a 32-byte Ed25519 public key`, at);
    try {
      return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw32]), format: "der", type: "spki" });
    } catch {
      throw badInput("is not a valid Ed25519 public key", at);
    }
  });
}
