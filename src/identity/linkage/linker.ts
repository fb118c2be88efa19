// Incremental linkage: a new record joins an existing entity, bridges several into one, or starts a
// new one, without recomputing the others. The model (m, r, u, class shares) is estimated once, by a
// batch (resolveToLinker) or given (createLinker); candidates come from the blocking index; scores,
// the threshold and the merge-conflict rule are the batch's. A linker holds only name readings and
// blind digests, never the plaintext of dates, phones, e-mails or addresses; it does no I/O and is
// deterministic: the same records in the same order give the same entities and explanations.
//
// How it differs from a batch over the same records, and why it stays as accurate (the test in
// linker.test.ts measures both on the simulator's sets):
// - a batch merges its strongest links first over all records; the linker merges a new record's
//   links strongest first when it arrives, so an early weak link may be taken before a later strong
//   one would have refused it. The conflict rule (birth dates, corporate numbers, given names) is
//   checked against every member either way, so no entity ever mixes two birth dates;
// - names written without a space are split with the family names seen so far, and term
//   frequencies are those of the records seen so far;
// - a block that outgrows the cap stops pairing new members (the batch skips it entirely).
// Entity ids are stable: a joined entity keeps its id, a new one gets the id of its record (the
// batch's rule for one record), and when a record bridges entities the one whose smallest record
// id is smallest keeps its id; the others are reported as absorbed.
import { badInput } from "../../contracts/errors.ts";
import type { EntityId } from "../../contracts/ids.ts";
import type { AddressIndex } from "../normalize/address-data.ts";
import type { ReadingProvider } from "../normalize/name.ts";
import { BlindHasher } from "./blind.ts";
import { BlockIndex, forEachKey, pairsInBlock } from "./blocking.ts";
import { Clusters } from "./cluster.ts";
import { PairComparer } from "./compare.ts";
import { defaultModel, probabilityOf, Scorer, TermCounts, type FieldWeight, type ModelParams } from "./model.ts";
import { FamilyLexicon, prepareRecord, splitWithLexicon, type PreparedRecord } from "./prepare.ts";
import type { IdentityRecord } from "./record.ts";
import { conflictRule, entityIdOfSmallest, resolveBatch, RESOLVE_DEFAULTS, type Explanation, type ResolveOptions, type ResolveReport } from "./resolve.ts";
import { RecordTable } from "./table.ts";

export interface LinkerOptions {
  /** Blind-index key (≥ 16 bytes): the deployment key, so that digests stay comparable. */
  key: Uint8Array;
  /** The model: ResolveReport.model of a batch, or one kept from an earlier run. Default: the
   *  priors (defaultModel), for a linker that starts empty. */
  model?: ModelParams;
  /** Morphological reader for kanji-only names (kuromoji); null or absent: compare their kanji. */
  reader?: ReadingProvider | null;
  /** Posterior match probability at or above which records are merged (default 0.9). */
  threshold?: number;
  /** A block with this many records pairs no new member (default 200). */
  maxBlockSize?: number;
  addressIndex?: AddressIndex;
}

export interface LinkDecision {
  recordId: string;
  entityId: EntityId;
  /** new: an entity of its own; joined: into one existing entity; merged: it linked two or more
   *  existing entities, which are now one (`absorbed` lists the ids that ended). */
  outcome: "new" | "joined" | "merged";
  /** Entity ids that no longer exist: their records are now in `entityId`. */
  absorbed: EntityId[];
  /** The probability of its strongest link into the entity; for a new entity, one minus the
   *  probability of its best candidate. */
  confidence: number;
  explanation: Explanation;
  /** Records it was compared with (its candidates through the blocking keys). */
  candidates: number;
}

interface Link {
  other: number;
  weight: number;
  familyValue: number;
  givenValue: number;
  levels: Int8Array;
}

/** See the header of linker.ts. */
export class Linker {
  readonly model: ModelParams;
  readonly threshold: number;
  readonly maxBlockSize: number;
  readonly #hasher: BlindHasher;
  readonly #reader: ReadingProvider | null;
  readonly #addressIndex: AddressIndex | undefined;
  readonly #table: RecordTable;
  readonly #lexicon: FamilyLexicon;
  readonly #tf: TermCounts;
  readonly #blocks: BlockIndex;
  readonly #clusters: Clusters;
  readonly #entityOfRoot: Map<number, EntityId>;
  readonly #smallestOfRoot: Map<number, string>;
  readonly #rootOfEntity = new Map<EntityId, number>();
  readonly #scorer: Scorer;
  readonly #comparer: PairComparer;
  readonly #conflict: (a: number, b: number) => string | null;

  /** Use createLinker or resolveToLinker. */
  constructor(
    options: LinkerOptions,
    state?: {
      table: RecordTable;
      lexicon: FamilyLexicon;
      tf: TermCounts;
      sortedKeys: Uint32Array[];
      clusters: Clusters;
      entityOfRoot: Map<number, EntityId>;
      smallestOfRoot: Map<number, string>;
    },
  ) {
    this.model = options.model ?? defaultModel();
    this.threshold = options.threshold ?? RESOLVE_DEFAULTS.threshold;
    this.maxBlockSize = options.maxBlockSize ?? RESOLVE_DEFAULTS.maxBlockSize;
    // No memory of values: a linker may live long, and the memory would hold plaintext.
    this.#hasher = new BlindHasher(options.key, 0);
    this.#reader = options.reader ?? null;
    this.#addressIndex = options.addressIndex;
    this.#table = state?.table ?? new RecordTable();
    this.#lexicon = state?.lexicon ?? new FamilyLexicon();
    this.#tf = state?.tf ?? new TermCounts();
    this.#blocks = new BlockIndex(state?.sortedKeys);
    this.#clusters = state?.clusters ?? new Clusters();
    this.#entityOfRoot = state?.entityOfRoot ?? new Map();
    this.#smallestOfRoot = state?.smallestOfRoot ?? new Map();
    for (const [root, id] of this.#entityOfRoot) this.#rootOfEntity.set(id, root);
    this.#scorer = new Scorer(this.model);
    this.#comparer = new PairComparer(this.#table);
    this.#conflict = conflictRule(this.#table, new PairComparer(this.#table));
  }

  /** Records held. */
  get size(): number {
    return this.#table.size;
  }

  /** Entities held. */
  get entities(): number {
    return this.#entityOfRoot.size;
  }

  /** The entity of a record, or undefined when the linker does not hold it. */
  entityOf(recordId: string): EntityId | undefined {
    const i = this.#table.indexOf(recordId);
    return i < 0 ? undefined : this.#entityOfRoot.get(this.#clusters.find(i));
  }

  /** The record ids of an entity (empty when unknown or absorbed). */
  membersOf(entityId: string): string[] {
    const root = this.#rootOfEntity.get(entityId as EntityId);
    if (root === undefined) return [];
    return this.#clusters
      .members(root)
      .map((i) => this.#table.recordIds[i] ?? "")
      .sort();
  }

  /** A record as the linker keeps it: name readings and blind digests only (plain JSON). Keep it
   *  instead of the record to restore a linker without the plaintext (see `restore`). */
  prepare(record: IdentityRecord): PreparedRecord {
    checkRecord(record, "record");
    return prepareRecord(record, { key: this.#hasher, reader: this.#reader, ...(this.#addressIndex ? { addressIndex: this.#addressIndex } : {}) });
  }

  /**
   * Links one record: compares it with its candidates, merges its links at or above the threshold
   * strongest first (each merge checked against every member of both sides), and says where it went
   * and why. Throws bad_input for a record without id or name, or with an id the linker holds.
   */
  add(record: IdentityRecord | PreparedRecord): LinkDecision {
    const p = isPrepared(record) ? record : this.prepare(record);
    const i = this.#insert(p);
    const t = this.#table;

    // Candidates: the members of its blocks, unless a block is already full.
    const keys: number[] = [];
    forEachKey(t, i, { key: (kind, hash) => keys.push(kind, hash) });
    const candidates = new Set<number>();
    const members: number[] = [];
    for (let k = 0; k < keys.length; k += 2) {
      const kind = keys[k] ?? 0;
      const hash = keys[k + 1] ?? 0;
      this.#blocks.members(kind, hash, members);
      if (members.length + 1 > this.maxBlockSize) continue;
      for (const m of members) if (pairsInBlock(t, kind, m, i)) candidates.add(m);
    }
    for (let k = 0; k < keys.length; k += 2) this.#blocks.add(keys[k] ?? 0, keys[k + 1] ?? 0, i);

    // Score each candidate as the batch does (the older record first).
    const links: Link[] = [];
    for (const c of [...candidates].sort((a, b) => a - b)) {
      this.#comparer.compare(c, i);
      const weight = this.#scorer.weight(this.#comparer.levels, this.#comparer.familyValue, this.#comparer.givenValue, this.#tf);
      links.push({ other: c, weight, familyValue: this.#comparer.familyValue, givenValue: this.#comparer.givenValue, levels: Int8Array.from(this.#comparer.levels) });
    }
    links.sort((a, b) => b.weight - a.weight || a.other - b.other);

    // Merge, strongest first.
    const rootsBefore = new Map<number, EntityId>();
    let refused: string | undefined;
    let best: Link | undefined;
    for (const link of links) {
      if (probabilityOf(link.weight) < this.threshold) break;
      const otherRoot = this.#clusters.find(link.other);
      const otherEntity = this.#entityOfRoot.get(otherRoot);
      const out = this.#clusters.merge(i, link.other, this.#conflict);
      if (out === "merged") {
        if (otherEntity !== undefined) rootsBefore.set(otherRoot, otherEntity);
        best ??= link;
      } else if (out !== "same" && links[0] === link) refused = out.reason;
    }

    const recordId = p.recordId;
    if (best === undefined) {
      const eid = entityIdOfSmallest(recordId);
      this.#setEntity(this.#clusters.find(i), eid, recordId);
      const top = links[0];
      const explanation: Explanation = { linkedTo: null, probability: null, weight: null, fields: top ? this.#fields(top) : [] };
      if (top) {
        explanation.bestCandidate = { recordId: t.recordIds[top.other] ?? "", probability: probabilityOf(top.weight), ...(refused ? { refusedBecause: refused } : {}) };
      }
      return { recordId, entityId: eid, outcome: "new", absorbed: [], confidence: top ? 1 - probabilityOf(top.weight) : 1, explanation, candidates: links.length };
    }

    // The entity that keeps its id: the one whose smallest record id is smallest.
    const root = this.#clusters.find(i);
    let keep: { root: number; smallest: string } | undefined;
    for (const r of rootsBefore.keys()) {
      const smallest = this.#smallestOfRoot.get(r) ?? "";
      if (keep === undefined || smallest < keep.smallest) keep = { root: r, smallest };
    }
    const kept = rootsBefore.get(keep?.root ?? -1) as EntityId;
    const absorbed: EntityId[] = [];
    for (const [r, id] of rootsBefore) {
      this.#entityOfRoot.delete(r);
      this.#smallestOfRoot.delete(r);
      this.#rootOfEntity.delete(id);
      if (id !== kept) absorbed.push(id);
    }
    const smallest = [keep?.smallest ?? recordId, recordId].reduce((a, b) => (b < a ? b : a));
    this.#setEntity(root, kept, smallest);
    const pr = probabilityOf(best.weight);
    return {
      recordId,
      entityId: kept,
      outcome: absorbed.length > 0 ? "merged" : "joined",
      absorbed: absorbed.sort(),
      confidence: pr,
      explanation: { linkedTo: t.recordIds[best.other] ?? null, probability: pr, weight: best.weight, fields: this.#fields(best) },
      candidates: links.length,
    };
  }

  /**
   * Puts records back with the entities they had (from a store), without comparing them: the
   * linker then links new records against them. Records with one entity id are joined as they are;
   * the first record of an entity id the linker does not hold starts it.
   */
  restore(entries: Iterable<{ record: IdentityRecord | PreparedRecord; entityId: string }>): void {
    let k = 0;
    for (const { record, entityId } of entries) {
      const p = isPrepared(record) ? record : (checkRecord(record, `entries[${k}].record`), this.prepare(record));
      if (typeof entityId !== "string" || !/^ent_[0-9a-f]{24}$/u.test(entityId)) throw badInput("expected an entity id (ent_ and 24 hex digits)", `entries[${k}].entityId`);
      const i = this.#insert(p, `entries[${k}].record.recordId`);
      forEachKey(this.#table, i, { key: (kind, hash) => this.#blocks.add(kind, hash, i) });
      const eid = entityId as EntityId;
      const root = this.#rootOfEntity.get(eid);
      if (root === undefined) this.#setEntity(i, eid, p.recordId);
      else {
        const smallest = this.#smallestOfRoot.get(root) ?? p.recordId;
        this.#entityOfRoot.delete(root);
        this.#smallestOfRoot.delete(root);
        const joined = this.#clusters.join(root, i);
        this.#setEntity(joined, eid, p.recordId < smallest ? p.recordId : smallest);
      }
      k++;
    }
  }

  #insert(p: PreparedRecord, path = "record.recordId"): number {
    if (typeof p.recordId !== "string" || p.recordId.length === 0) throw badInput("must be a non-empty string", path);
    if (this.#table.indexOf(p.recordId) >= 0) throw badInput("the linker already holds a record with this id", path);
    this.#lexicon.add(p);
    const split = splitWithLexicon(p, this.#lexicon);
    const i = this.#table.add(split);
    this.#tf.add(this.#table, i);
    this.#clusters.add();
    return i;
  }

  #setEntity(root: number, id: EntityId, smallest: string): void {
    this.#entityOfRoot.set(root, id);
    this.#smallestOfRoot.set(root, smallest);
    this.#rootOfEntity.set(id, root);
  }

  #fields(link: Link): FieldWeight[] {
    return this.#scorer.fields(link.levels, link.familyValue, link.givenValue, this.#tf);
  }
}

function isPrepared(r: IdentityRecord | PreparedRecord): r is PreparedRecord {
  return typeof (r as PreparedRecord).full === "object" && (r as PreparedRecord).full !== null && Array.isArray((r as PreparedRecord).social);
}

function checkRecord(r: IdentityRecord, path: string): void {
  if (typeof r !== "object" || r === null) throw badInput("expected an identity record", path);
  if (typeof r.recordId !== "string" || r.recordId.length === 0) throw badInput("must be a non-empty string", `${path}.recordId`);
  if (typeof r.name !== "string" || r.name.trim() === "") throw badInput("must be a non-empty string", `${path}.name`);
}

/** An empty linker (see LinkerOptions): records are linked one by one as they come. */
export function createLinker(options: LinkerOptions): Linker {
  if (!(options?.key instanceof Uint8Array) || options.key.length < 16) throw badInput("expected a key of at least 16 bytes", "options.key");
  return new Linker(options);
}

/**
 * A batch over `records` (resolveWithReport), and a linker that continues from it: its records,
 * entities (with the batch's entity ids) and fitted model, so later records are linked one by one.
 */
export function resolveToLinker(records: readonly IdentityRecord[], options: ResolveOptions & { key: Uint8Array }): { report: ResolveReport; linker: Linker } {
  if (!(options?.key instanceof Uint8Array) || options.key.length < 16) throw badInput("expected a key of at least 16 bytes", "options.key");
  const { report, state } = resolveBatch(records, options);
  const linker = new Linker(
    {
      key: options.key,
      model: state.model,
      reader: options.reader ?? null,
      threshold: state.threshold,
      maxBlockSize: state.maxBlockSize,
      ...(options.addressIndex ? { addressIndex: options.addressIndex } : {}),
    },
    state,
  );
  return { report, linker };
}


