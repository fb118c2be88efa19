// Audit records and their hash chain.
//
//   hash(record) = SHA-256( prevHash (32 bytes) ‖ UTF-8( canonicalJson({ seq, ts, actor, action, target, details }) ) )
//
// The first record's prevHash is 32 zero bytes. Hashes are lower-case hex. Each record's hash is also
// its leaf in the Merkle tree that signed tree heads commit to (see heads.ts).
import { createHash } from "node:crypto";
import { badInput } from "../../contracts/errors.ts";
import { canonicalJson, type JsonObject } from "./canonical-json.ts";

export const GENESIS_HASH = "0".repeat(64);
export const HASH_HEX = /^[0-9a-f]{64}$/;
/** RFC 3339 UTC with milliseconds, as Date.prototype.toISOString writes it. */
export const TS_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_TEXT = 256;

/** What a caller records. `details` must not carry personal data: ids, field names, counts, reasons. */
export interface AuditInput {
  /** Who acted: a principal id with its role, or a system component (`alice@supervisor`, `system:engine`). */
  readonly actor: string;
  /** What happened, dotted lower case (`disclosure.request`, `disclosure.approve`, `pii.reveal`). */
  readonly action: string;
  /** What it happened to (`entity:E123`, `case:C9`, `grant:G4`). */
  readonly target: string;
  readonly details: JsonObject;
}

/** The part of a record its hash covers, besides the previous hash. */
export interface AuditBody extends AuditInput {
  /** 0, 1, 2, … without gaps. */
  readonly seq: number;
  /** When it was recorded, RFC 3339 UTC with milliseconds. */
  readonly ts: string;
}

export interface AuditRecord extends AuditBody {
  readonly prevHash: string;
  readonly hash: string;
}

/** The bytes a record's hash covers after prevHash. */
export function recordBodyJson(body: AuditBody): string {
  return canonicalJson({ seq: body.seq, ts: body.ts, actor: body.actor, action: body.action, target: body.target, details: body.details }, "audit record");
}

export function recordHash(prevHash: string, body: AuditBody): string {
  if (!HASH_HEX.test(prevHash)) throw badInput("must be 64 lower-case hex characters", "audit record.prevHash");
  return createHash("sha256").update(Buffer.from(prevHash, "hex")).update(recordBodyJson(body), "utf8").digest("hex");
}

function text(v: unknown, at: string): void {
  if (typeof v !== "string" || v.length === 0 || v.length > MAX_TEXT) throw badInput(`must be a string of 1–${MAX_TEXT} characters`, at);
}

/** Checks a caller's input; throws bad_input naming the field. */
export function validateAuditInput(input: AuditInput, at = "audit input"): void {
  if (input === null || typeof input !== "object") throw badInput("expected { actor, action, target, details }", at);
  text(input.actor, `${at}.actor`);
  text(input.action, `${at}.action`);
  if (!/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/.test(input.action)) throw badInput("must be dotted lower case, e.g. disclosure.approve", `${at}.action`);
  text(input.target, `${at}.target`);
  const d = input.details;
  if (d === null || typeof d !== "object" || Array.isArray(d)) throw badInput("must be a JSON object", `${at}.details`);
  canonicalJson(d, `${at}.details`);
}

/** The next record after `prev` (null for the first). */
export function chainRecord(prev: Pick<AuditRecord, "seq" | "hash"> | null, input: AuditInput, ts: string): AuditRecord {
  validateAuditInput(input);
  if (!TS_PATTERN.test(ts)) throw badInput("must be RFC 3339 UTC with milliseconds (toISOString)", "audit record.ts");
  const seq = prev === null ? 0 : prev.seq + 1;
  const prevHash = prev === null ? GENESIS_HASH : prev.hash;
  // A copy of details as hashed, so later changes to the caller's object cannot change the record.
  const details = JSON.parse(canonicalJson(input.details, "audit input.details")) as JsonObject;
  const body: AuditBody = { seq, ts, actor: input.actor, action: input.action, target: input.target, details };
  return { ...body, prevHash, hash: recordHash(prevHash, body) };
}
