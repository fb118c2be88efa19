// The audit log port (storage), an in-memory adapter for tests, and `AuditTrail`, the use case that
// chains records, appends them and signs tree heads. The PostgreSQL adapter lives in store/ and must
// honour the same contract: atomic appends whose seqs continue the log exactly, nothing else.
import type { KeyObject } from "node:crypto";
import { KanshiError, badInput } from "../../contracts/errors.ts";
import { chainRecord, type AuditInput, type AuditRecord } from "./chain.ts";
import { signTreeHead, type SignedTreeHead } from "./heads.ts";
import { MerkleFrontier, consistencyProof as mkConsistency, inclusionProof as mkInclusion } from "./merkle.ts";
import type { InclusionProof } from "./verify.ts";

/** Storage for the audit trail. Append-only: there is deliberately no update or delete. */
export interface AuditLog {
  /**
   * Appends records atomically. The first record's seq must equal `size()` and seqs must be
   * consecutive; otherwise nothing is stored and the promise rejects with a `KanshiError` of kind
   * `conflict` (another writer got there first).
   */
  append(records: readonly AuditRecord[]): Promise<void>;
  /** The stored records from position `from` (inclusive) to `to` (exclusive), in seq order. */
  read(from: number, to: number): Promise<AuditRecord[]>;
  /** How many records are stored (the next seq). */
  size(): Promise<number>;
  /**
   * Stores a signed tree head. Heads only move forward: one whose tree size or timestamp is below
   * the latest stored head's is refused with a `conflict` (another writer signed a newer head while
   * this one was being made), so the stored heads are always in non-decreasing size and time.
   */
  appendHead(head: SignedTreeHead): Promise<void>;
  /** Every stored head, in the order stored. */
  heads(): Promise<SignedTreeHead[]>;
}

export const auditConflict = (message: string) => new KanshiError("conflict", message);

/**
 * An in-memory `AuditLog`. A snapshot can be loaded as is (not validated: checking is
 * `verifyAudit`'s job), which lets tests hand the verifier a tampered log.
 */
export class InMemoryAuditLog implements AuditLog {
  #records: AuditRecord[];
  #heads: SignedTreeHead[];

  constructor(snapshot: { records?: readonly AuditRecord[]; heads?: readonly SignedTreeHead[] } = {}) {
    this.#records = structuredClone([...(snapshot.records ?? [])]);
    this.#heads = structuredClone([...(snapshot.heads ?? [])]);
  }

  async append(records: readonly AuditRecord[]): Promise<void> {
    const base = this.#records.length;
    records.forEach((r, i) => {
      if (r.seq !== base + i) throw auditConflict(`audit append: expected seq ${base + i}, got ${r.seq}`);
    });
    this.#records.push(...structuredClone([...records]));
  }

  async read(from: number, to: number): Promise<AuditRecord[]> {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) throw badInput(`bad range ${from}..${to}`, "audit read");
    return structuredClone(this.#records.slice(from, to));
  }

  async size(): Promise<number> {
    return this.#records.length;
  }

  async appendHead(head: SignedTreeHead): Promise<void> {
    const latest = this.#heads.at(-1);
    if (latest && (head.treeSize < latest.treeSize || head.timestamp < latest.timestamp)) {
      throw auditConflict(`audit head: size ${head.treeSize} at ${head.timestamp} is behind the latest head (size ${latest.treeSize} at ${latest.timestamp})`);
    }
    this.#heads.push(structuredClone(head));
  }

  async heads(): Promise<SignedTreeHead[]> {
    return structuredClone(this.#heads);
  }

  /** A copy of everything stored, for tests. */
  snapshot(): { records: AuditRecord[]; heads: SignedTreeHead[] } {
    return { records: structuredClone(this.#records), heads: structuredClone(this.#heads) };
  }
}

export interface AuditTrailOptions {
  readonly log: AuditLog;
  /** The Ed25519 private key heads are signed with (see `parseAuditSigningKey`). */
  readonly signingKey: KeyObject;
  /** Epoch ms; defaults to Date.now. */
  readonly now?: () => number;
  /** Page size when loading the log; default 1000. */
  readonly pageSize?: number;
  /** How often to re-chain and retry when another writer appended first; default 5. */
  readonly retries?: number;
}

interface TrailState {
  size: number;
  last: { seq: number; hash: string } | null;
  frontier: MerkleFrontier;
  lastHeadTs: number;
}

/**
 * Writes the audit trail: chains each record to the previous one, appends batches atomically and
 * signs a tree head after each batch. Appends from one process are serialised; appends from several
 * processes are safe too (a lost race surfaces as `conflict` from the log; the trail reloads and
 * re-chains).
 */
export class AuditTrail {
  readonly #log: AuditLog;
  readonly #key: KeyObject;
  readonly #now: () => number;
  readonly #pageSize: number;
  readonly #retries: number;
  #state: TrailState | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: AuditTrailOptions) {
    if (options.signingKey.type !== "private" || options.signingKey.asymmetricKeyType !== "ed25519") {
      throw badInput("must be an Ed25519 private key", "audit trail signingKey");
    }
    this.#log = options.log;
    this.#key = options.signingKey;
    this.#now = options.now ?? Date.now;
    this.#pageSize = options.pageSize ?? 1000;
    this.#retries = options.retries ?? 5;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #load(): Promise<TrailState> {
    if (this.#state !== null) return this.#state;
    const [size, heads] = await Promise.all([this.#log.size(), this.#log.heads()]);
    const frontier = new MerkleFrontier();
    let last: TrailState["last"] = null;
    for (let from = 0; from < size; from += this.#pageSize) {
      for (const r of await this.#log.read(from, Math.min(size, from + this.#pageSize))) {
        frontier.push(Buffer.from(r.hash, "hex"));
        last = { seq: r.seq, hash: r.hash };
      }
    }
    const lastHeadTs = heads.reduce((t, h) => Math.max(t, h.timestamp), 0);
    this.#state = { size, last, frontier, lastHeadTs };
    return this.#state;
  }

  #ts(): number {
    const t = this.#now();
    if (!Number.isSafeInteger(t) || t < 0) throw badInput("clock must give epoch milliseconds", "audit trail now()");
    return t;
  }

  async #appendLocked(inputs: readonly AuditInput[]): Promise<AuditRecord[]> {
    for (let attempt = 0; ; attempt++) {
      const state = await this.#load();
      const iso = new Date(this.#ts()).toISOString();
      const records: AuditRecord[] = [];
      let prev = state.last;
      for (const input of inputs) {
        const r = chainRecord(prev, input, iso);
        records.push(r);
        prev = r;
      }
      try {
        await this.#log.append(records);
      } catch (e) {
        // Whatever happened, what is stored is now uncertain: reload before the next append.
        this.#state = null;
        if (e instanceof KanshiError && e.kind === "conflict" && attempt < this.#retries) continue;
        throw e;
      }
      for (const r of records) state.frontier.push(Buffer.from(r.hash, "hex"));
      state.size += records.length;
      state.last = prev;
      return records;
    }
  }

  async #signLocked(): Promise<SignedTreeHead> {
    for (let attempt = 0; ; attempt++) {
      const state = await this.#load();
      const ts = Math.max(this.#ts(), state.lastHeadTs);
      const head = signTreeHead(this.#key, state.size, state.frontier.root().toString("hex"), ts);
      try {
        await this.#log.appendHead(head);
      } catch (e) {
        // Another writer appended records or signed a newer head meanwhile: reload and sign again.
        this.#state = null;
        if (e instanceof KanshiError && e.kind === "conflict" && attempt < this.#retries) continue;
        throw e;
      }
      state.lastHeadTs = ts;
      return head;
    }
  }

  /** Appends one record (no head: call `signHead` or use `appendBatch`). */
  async append(input: AuditInput): Promise<AuditRecord> {
    const [r] = await this.#serial(() => this.#appendLocked([input]));
    return r!;
  }

  /** Appends records atomically, then signs a tree head over the whole log. */
  async appendBatch(inputs: readonly AuditInput[]): Promise<{ records: AuditRecord[]; head: SignedTreeHead }> {
    if (inputs.length === 0) throw badInput("needs at least one record", "audit appendBatch");
    return this.#serial(async () => {
      const records = await this.#appendLocked(inputs);
      return { records, head: await this.#signLocked() };
    });
  }

  /** Signs a head over the log as it is now (also when nothing changed: a fresh timestamp shows liveness). */
  signHead(): Promise<SignedTreeHead> {
    return this.#serial(() => this.#signLocked());
  }

  async #hashes(treeSize: number): Promise<Buffer[]> {
    const out: Buffer[] = [];
    for (let from = 0; from < treeSize; from += this.#pageSize) {
      for (const r of await this.#log.read(from, Math.min(treeSize, from + this.#pageSize))) out.push(Buffer.from(r.hash, "hex"));
    }
    return out;
  }

  /** The audit path proving record `seq` is in the tree of size `treeSize` (a signed head's size). */
  async inclusionProof(seq: number, treeSize: number): Promise<InclusionProof> {
    const size = await this.#log.size();
    if (!Number.isSafeInteger(treeSize) || treeSize < 1 || treeSize > size) throw badInput(`must be from 1 to ${size}`, "inclusion proof treeSize");
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= treeSize) throw badInput(`must be from 0 to ${treeSize - 1}`, "inclusion proof seq");
    const path = mkInclusion(await this.#hashes(treeSize), seq, treeSize).map((b) => b.toString("hex"));
    return { leafIndex: seq, treeSize, path };
  }

  /** The proof that the tree of size `n` extends the tree of size `m` (two signed heads' sizes). */
  async consistencyProof(m: number, n: number): Promise<string[]> {
    const size = await this.#log.size();
    if (!Number.isSafeInteger(n) || n < 0 || n > size) throw badInput(`must be from 0 to ${size}`, "consistency proof n");
    if (!Number.isSafeInteger(m) || m < 0 || m > n) throw badInput(`must be from 0 to ${n}`, "consistency proof m");
    return mkConsistency(await this.#hashes(n), m, n).map((b) => b.toString("hex"));
  }
}
