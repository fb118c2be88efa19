// Verifying the audit trail: the hash chain record by record, and every signed tree head against the
// Merkle root of the records it covers, in log order, stopping at the FIRST thing that is wrong.
//
// What each check catches:
//   - a record altered in place (hash no longer matches)          → hash_mismatch at that seq
//   - a record deleted, or records reordered                      → seq_mismatch at the first position
//   - a record inserted with a valid-looking hash                 → seq_mismatch / prev_hash_mismatch
//                                                                   at the record after it (the first
//                                                                   whose link is broken)
//   - records rewritten AND re-hashed from some point on           → head_root_mismatch at the first
//     (the chain alone cannot see that)                              signed head covering them; seq is
//                                                                   the first record not vouched for
//   - records deleted from the end (truncation)                   → head_beyond_log, seq = first missing
//   - a tree head altered or forged                               → head_signature
//   - heads out of order (size or time going backwards)           → head_order
// Records appended after the latest signed head are protected by the chain only: truncating them is
// not detectable until a head covers them, so heads should be signed often (every batch).
import type { KeyObject } from "node:crypto";
import { GENESIS_HASH, HASH_HEX, recordHash, type AuditBody, type AuditRecord } from "./chain.ts";
import { verifyTreeHead, type SignedTreeHead } from "./heads.ts";
import { MerkleFrontier, verifyConsistency, verifyInclusion } from "./merkle.ts";
import type { AuditLog } from "./log.ts";

export type AuditFaultCode =
  | "malformed"
  | "seq_mismatch"
  | "prev_hash_mismatch"
  | "hash_mismatch"
  | "head_malformed"
  | "head_order"
  | "head_signature"
  | "head_root_mismatch"
  | "head_beyond_log";

export interface AuditFault {
  readonly code: AuditFaultCode;
  /**
   * Record faults: the sequence number (= position) of the first bad record. Head faults: the first
   * record the log can no longer vouch for (the size of the last good head), or for truncation the
   * first missing record.
   */
  readonly seq: number;
  /** For head faults, the index of the bad head in the list given. */
  readonly head?: number;
  /** What was wrong, in words (sequence numbers and field names only, never record contents). */
  readonly reason: string;
}

export type AuditVerdict =
  | { readonly ok: true; readonly records: number; readonly heads: number; readonly signedThrough: number }
  | { readonly ok: false; readonly firstBad: AuditFault };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === "string";

function malformedRecord(r: unknown): string | null {
  if (!isObj(r)) return "is not an object";
  if (!Number.isSafeInteger(r.seq)) return "seq is not a whole number";
  for (const k of ["ts", "actor", "action", "target"] as const) if (!isText(r[k])) return `${k} is not a string`;
  if (!isObj(r.details)) return "details is not an object";
  if (!isText(r.prevHash) || !HASH_HEX.test(r.prevHash)) return "prevHash is not 64 hex characters";
  if (!isText(r.hash) || !HASH_HEX.test(r.hash)) return "hash is not 64 hex characters";
  return null;
}

function malformedHead(h: unknown): string | null {
  if (!isObj(h)) return "is not an object";
  if (!Number.isSafeInteger(h.treeSize) || (h.treeSize as number) < 0) return "treeSize is not a whole number";
  if (!Number.isSafeInteger(h.timestamp) || (h.timestamp as number) < 0) return "timestamp is not epoch milliseconds";
  if (!isText(h.rootHash) || !HASH_HEX.test(h.rootHash)) return "rootHash is not 64 hex characters";
  if (!isText(h.signature)) return "signature is not a string";
  return null;
}

/**
 * Streams records in order through the checks; heads are checked as soon as the records they cover
 * have been seen. Memory is O(log n): suitable for verifying a large log page by page.
 */
export class AuditVerifier {
  readonly #heads: readonly SignedTreeHead[];
  readonly #keys: KeyObject | readonly KeyObject[];
  readonly #frontier = new MerkleFrontier();
  #count = 0;
  #prevHash = GENESIS_HASH;
  #nextHead = 0;
  #vouched = 0;
  #prevHead: SignedTreeHead | null = null;
  #fault: AuditFault | null = null;

  /** @param heads in the order they were signed (non-decreasing size and time). */
  constructor(heads: readonly SignedTreeHead[], publicKeys: KeyObject | readonly KeyObject[]) {
    this.#heads = heads;
    this.#keys = publicKeys;
  }

  /** The first fault found so far, if any. */
  get fault(): AuditFault | null {
    return this.#fault;
  }

  #fail(f: AuditFault): AuditFault {
    this.#fault = f;
    return f;
  }

  /** Checks heads whose size the records seen so far have reached. */
  #checkHeads(final: boolean): AuditFault | null {
    while (this.#nextHead < this.#heads.length) {
      const i = this.#nextHead;
      const h = this.#heads[i] as unknown;
      const bad = malformedHead(h);
      if (bad !== null) return this.#fail({ code: "head_malformed", seq: this.#vouched, head: i, reason: `tree head #${i}: ${bad}` });
      const head = h as SignedTreeHead;
      if (head.treeSize > this.#count && !final) return null;
      const prev = this.#prevHead;
      if (head.treeSize < this.#count || (prev !== null && (head.treeSize < prev.treeSize || head.timestamp < prev.timestamp))) {
        return this.#fail({ code: "head_order", seq: this.#vouched, head: i, reason: `tree head #${i} (size ${head.treeSize}) goes back in size or time after the head before it` });
      }
      if (!verifyTreeHead(head, this.#keys)) {
        return this.#fail({ code: "head_signature", seq: this.#vouched, head: i, reason: `tree head #${i} (size ${head.treeSize}): signature does not verify under the audit public key; the head was altered or forged` });
      }
      if (head.treeSize > this.#count) {
        return this.#fail({
          code: "head_beyond_log",
          seq: this.#count,
          head: i,
          reason: `tree head #${i} was signed over ${head.treeSize} records but the log has ${this.#count}: records from seq ${this.#count} on were removed`,
        });
      }
      if (this.#frontier.root().toString("hex") !== head.rootHash) {
        return this.#fail({
          code: "head_root_mismatch",
          seq: this.#vouched,
          head: i,
          reason: `records ${this.#vouched}–${head.treeSize - 1} do not match signed tree head #${i}: rewritten (and re-hashed) after it was signed`,
        });
      }
      this.#vouched = head.treeSize;
      this.#prevHead = head;
      this.#nextHead++;
    }
    return null;
  }

  /** Checks the next record (they must come in log order). Returns the first fault, once there is one. */
  push(record: unknown): AuditFault | null {
    if (this.#fault !== null) return this.#fault;
    const early = this.#checkHeads(false);
    if (early !== null) return early;
    const i = this.#count;
    const bad = malformedRecord(record);
    if (bad !== null) return this.#fail({ code: "malformed", seq: i, reason: `record at position ${i}: ${bad}` });
    const r = record as unknown as AuditRecord;
    if (r.seq !== i) {
      const reason =
        r.seq > i
          ? `record seq ${i} is missing (the record at position ${i} has seq ${r.seq}): deleted or reordered`
          : `record seq ${r.seq} appears again at position ${i}: duplicated or reordered`;
      return this.#fail({ code: "seq_mismatch", seq: i, reason });
    }
    if (r.prevHash !== this.#prevHash) {
      return this.#fail({ code: "prev_hash_mismatch", seq: i, reason: `record ${i} does not link to record ${i - 1}: a record was inserted, removed or replaced before it` });
    }
    let h: string;
    try {
      h = recordHash(r.prevHash, r as AuditBody);
    } catch {
      return this.#fail({ code: "malformed", seq: i, reason: `record ${i}: its contents are not canonical JSON` });
    }
    if (h !== r.hash) return this.#fail({ code: "hash_mismatch", seq: i, reason: `record ${i} was altered: its contents do not match its hash` });
    this.#frontier.push(Buffer.from(h, "hex"));
    this.#prevHash = h;
    this.#count++;
    return null;
  }

  /** Call after the last record: checks the remaining heads and gives the verdict. */
  finish(): AuditVerdict {
    const f = this.#fault ?? this.#checkHeads(true);
    if (f !== null) return { ok: false, firstBad: f };
    return { ok: true, records: this.#count, heads: this.#heads.length, signedThrough: this.#vouched };
  }
}

/** Verifies a whole trail: the chain, then every head, in log order; names the first bad record or head. */
export function verifyAudit(records: Iterable<unknown>, heads: readonly SignedTreeHead[], publicKeys: KeyObject | readonly KeyObject[]): AuditVerdict {
  const v = new AuditVerifier(heads, publicKeys);
  for (const r of records) if (v.push(r) !== null) break;
  return v.finish();
}

/** Verifies a trail held behind the `AuditLog` port, page by page (O(page) memory). */
export async function verifyAuditLog(log: AuditLog, publicKeys: KeyObject | readonly KeyObject[], options: { pageSize?: number } = {}): Promise<AuditVerdict> {
  const pageSize = options.pageSize ?? 1000;
  const [heads, size] = await Promise.all([log.heads(), log.size()]);
  const v = new AuditVerifier(heads, publicKeys);
  for (let from = 0; from < size; from += pageSize) {
    const page = await log.read(from, Math.min(size, from + pageSize));
    for (const r of page) if (v.push(r) !== null) return v.finish();
  }
  return v.finish();
}

export type InclusionCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface InclusionProof {
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Sibling hashes from the leaf up, lower-case hex. */
  readonly path: readonly string[];
}

/**
 * Proves to a third party that `record` is in the log a signed head commits to: the record's own
 * hash, the head's signature and the audit path must all check out.
 */
export function verifyRecordInclusion(record: AuditRecord, proof: InclusionProof, head: SignedTreeHead, publicKeys: KeyObject | readonly KeyObject[]): InclusionCheck {
  const bad = malformedRecord(record);
  if (bad !== null) return { ok: false, reason: `record ${bad}` };
  let h: string;
  try {
    h = recordHash(record.prevHash, record);
  } catch {
    return { ok: false, reason: "record contents are not canonical JSON" };
  }
  if (h !== record.hash) return { ok: false, reason: "record contents do not match its hash" };
  if (!verifyTreeHead(head, publicKeys)) return { ok: false, reason: "tree head signature does not verify" };
  if (proof.treeSize !== head.treeSize) return { ok: false, reason: `proof is for tree size ${proof.treeSize}, head is for ${head.treeSize}` };
  if (proof.leafIndex !== record.seq) return { ok: false, reason: `proof is for position ${proof.leafIndex}, record has seq ${record.seq}` };
  if (!Array.isArray(proof.path) || proof.path.some((p) => typeof p !== "string" || !HASH_HEX.test(p))) return { ok: false, reason: "proof path must be 64-hex hashes" };
  const ok = verifyInclusion(
    Buffer.from(h, "hex"),
    proof.leafIndex,
    proof.treeSize,
    proof.path.map((p) => Buffer.from(p, "hex")),
    Buffer.from(head.rootHash, "hex"),
  );
  return ok ? { ok: true } : { ok: false, reason: "audit path does not lead to the head's root" };
}

/**
 * Proves to a third party holding an older signed head that the log only grew since: both heads
 * must be validly signed and the consistency proof must link their roots.
 */
export function verifyHeadConsistency(older: SignedTreeHead, newer: SignedTreeHead, proof: readonly string[], publicKeys: KeyObject | readonly KeyObject[]): InclusionCheck {
  if (!verifyTreeHead(older, publicKeys)) return { ok: false, reason: "older tree head signature does not verify" };
  if (!verifyTreeHead(newer, publicKeys)) return { ok: false, reason: "newer tree head signature does not verify" };
  if (older.treeSize > newer.treeSize) return { ok: false, reason: "older head is larger than the newer one" };
  if (!Array.isArray(proof) || proof.some((p) => typeof p !== "string" || !HASH_HEX.test(p))) return { ok: false, reason: "proof must be 64-hex hashes" };
  const ok = verifyConsistency(
    older.treeSize,
    newer.treeSize,
    Buffer.from(older.rootHash, "hex"),
    Buffer.from(newer.rootHash, "hex"),
    proof.map((p) => Buffer.from(p, "hex")),
  );
  return ok ? { ok: true } : { ok: false, reason: "the newer head does not extend the older one" };
}
