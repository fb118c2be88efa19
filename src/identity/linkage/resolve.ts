// Record linkage end to end: prepare (normalise, blind-index) → block → compare → estimate u on
// random pairs and m by EM → score with term-frequency adjustment → cluster with conflict checks →
// one entity id per person, with the reasons for every merge.
//
// The batch keeps records as columns (table.ts), candidate pairs and their comparisons as typed
// arrays, and allocates per record, not per pair. `resolveToLinker` hands the same state to an
// incremental Linker (linker.ts), so later records join without recomputing the batch.
import { randomBytes } from "node:crypto";
import { badInput } from "../../contracts/errors.ts";
import { entityId, type EntityId } from "../../contracts/ids.ts";
import type { ReadingProvider } from "../normalize/name.ts";
import type { AddressIndex } from "../normalize/address-data.ts";
import { BlindHasher, sha256Hex } from "./blind.ts";
import { candidatePairs, WordPairs, type SkippedBlock } from "./blocking.ts";
import { Clusters, type ConflictCheck, type Refusal } from "./cluster.ts";
import { F_GIVEN, FIELDS, levelsOfPattern, PairComparer, PATTERN_COUNT } from "./compare.ts";
import {
  estimateU,
  fitEm,
  probabilityOf,
  Scorer,
  seededRandom,
  TermCounts,
  type EmOptions,
  type FieldWeight,
  type ModelParams,
  type PatternCounts,
} from "./model.ts";
import { FamilyLexicon, prepareRecord, splitWithLexicon } from "./prepare.ts";
import type { IdentityRecord } from "./record.ts";
import { NONE, RecordTable, type PreparedChunk } from "./table.ts";

export interface ResolveOptions {
  /** Blind-index key (≥ 16 bytes). Defaults to a random key for this run: indexes are then only
   *  comparable within the run, which is all resolve needs. */
  key?: Uint8Array;
  /** Morphological reader for kanji-only names (kuromoji); null or absent: compare their kanji. */
  reader?: ReadingProvider | null;
  /** Posterior match probability at or above which two records are merged (default 0.9). */
  threshold?: number;
  /** Blocks with more records than this give no pairs (default 200; see blocking.ts). */
  maxBlockSize?: number;
  /** Random pairs drawn to estimate u (default 50 000, fewer when there are fewer pairs). */
  randomPairs?: number;
  /** Seed of the random-pair draw (default 1): the same input always gives the same output. */
  seed?: number;
  em?: Partial<EmOptions>;
  /** A model fitted before (ResolveReport.model of a larger batch): skips estimation. Without it, u
   *  is measured and m estimated on this batch, with the priors standing in where data is thin. */
  model?: ModelParams;
  addressIndex?: AddressIndex;
  /**
   * The records already prepared, in order, in chunks (prepareChunk, e.g. on worker threads, under
   * the same key); preparation is most of a batch's time, and it parallelises. Chunks list the
   * records whose name needs the reader, which are prepared again here with `reader`.
   */
  prepared?: ReadonlyArray<PreparedChunk & { needsReader?: readonly number[] }>;
  /** Called with the number of records prepared so far (every 10 000, and at the end). */
  onProgress?: (phase: "prepare" | "link", done: number, total: number) => void;
}

export interface Explanation {
  /** The record this one is most strongly linked to inside its entity (null for a single record). */
  linkedTo: string | null;
  /** That link's posterior probability and match weight (log2 odds). */
  probability: number | null;
  weight: number | null;
  /** Which fields agreed or disagreed on that link, with their weights. For a record left alone:
   *  the fields of its best candidate, if it had one. */
  fields: FieldWeight[];
  /** For a record left alone: its best candidate that was not merged, and why. */
  bestCandidate?: { recordId: string; probability: number; refusedBecause?: string };
}

export interface ResolvedRecord {
  recordId: string;
  entityId: EntityId;
  /** For a record in a multi-record entity, the probability of its strongest link; for a record
   *  alone, one minus the probability of its best candidate. */
  confidence: number;
  explanation: Explanation;
}

export interface ResolveStats {
  records: number;
  candidatePairs: number;
  randomPairs: number;
  skippedBlocks: number;
  /** Records in the skipped blocks, summed over the blocks. */
  skippedBlockRecords: number;
  /** The largest skipped blocks (kind and size), at most ten. */
  largestSkippedBlocks: SkippedBlock[];
  entities: number;
  merges: number;
  refusedMerges: number;
  emIterations: number;
  emConverged: boolean;
  /** Distinct comparison patterns EM ran over. */
  patterns: number;
  lambda: number;
  relatedShare: number;
  millis: number;
  /** Milliseconds per phase. */
  phases: { prepare: number; block: number; compare: number; estimate: number; cluster: number };
}

export interface ResolveReport {
  results: ResolvedRecord[];
  model: ModelParams;
  stats: ResolveStats;
}

export const RESOLVE_DEFAULTS = { threshold: 0.9, maxBlockSize: 200, randomPairs: 50_000, seed: 1 };

/** Checks the records' ids and names; duplicate ids are found as the table is filled (duplicateIds). */
function validate(records: readonly IdentityRecord[]): void {
  records.forEach((r, i) => {
    if (typeof r.recordId !== "string" || r.recordId.length === 0) throw badInput("must be a non-empty string", `records[${i}].recordId`);
    if (typeof r.name !== "string" || r.name.trim() === "") throw badInput("must be a non-empty string", `records[${i}].name`);
  });
}

/** Throws for the first record whose id an earlier record has (the table keeps the first index). */
function duplicateIds(table: RecordTable, records: readonly IdentityRecord[], first: number): void {
  if (table.distinctIds === table.size) return;
  records.forEach((r, k) => {
    const at = table.indexOf(r.recordId) - first;
    if (at !== k) throw badInput(`duplicates records[${at}].recordId`, `records[${k}].recordId`);
  });
}

/** A stable entity id: a hash of the smallest record id in the entity. */
export function entityIdFor(recordIds: readonly string[]): EntityId {
  let smallest: string | undefined;
  for (const id of recordIds) if (smallest === undefined || id < smallest) smallest = id;
  return entityIdOfSmallest(smallest ?? "");
}

/** The entity id of an entity whose smallest record id is `smallest`. */
export function entityIdOfSmallest(smallest: string): EntityId {
  return entityId(`ent_${sha256Hex(`kanshi-entity\u0000${smallest}`).slice(0, 24)}`);
}

/**
 * The merge-conflict rule: two records cannot be one person when
 * - their birth dates differ by more than a slip of the pen (a swapped day and month, a day one off:
 *   "near" dates may merge when the rest of the evidence says so);
 * - their corporate numbers differ, or their given names differ;
 * - both carry a phone, an e-mail and an address, and all three disagree (the address in another
 *   town), with no account or social handle in common. One person's records almost never change
 *   all three at once (0.05 % of the simulator's record pairs of one person); two people of one
 *   name and birth date almost always differ in all three, and without this rule a record carrying
 *   only name and birth date (a bureau's) would chain the two into one entity;
 * - their birth dates are only near (not equal) and both phone and address disagree, with no
 *   account or social handle in common: a typo in a date is believed only with corroboration.
 * Every member of one side is checked against every member of the other before a merge.
 */
export function conflictRule(t: RecordTable, comparer: PairComparer): ConflictCheck {
  return (x, y) => {
    const a = Math.min(x, y);
    const b = Math.max(x, y);
    const dob = comparer.dobLevel(a, b);
    if (dob === 0) return "dates of birth differ";
    const ca = t.corporateNumber[a] ?? NONE;
    const cb = t.corporateNumber[b] ?? NONE;
    if (ca !== NONE && cb !== NONE && ca !== cb) return "corporate numbers differ";
    let present = 0;
    let agree = 0;
    const pa = t.phone[a] ?? NONE;
    const pb = t.phone[b] ?? NONE;
    if (pa !== NONE && pb !== NONE) {
      present++;
      if (pa === pb) agree++;
    }
    const ea = t.email[a] ?? NONE;
    const eb = t.email[b] ?? NONE;
    if (ea !== NONE && eb !== NONE) {
      present++;
      if (ea === eb) agree++;
    }
    const address = comparer.addressLevel(a, b);
    if (address >= 0) {
      present++;
      if (address >= 2) agree++;
    }
    const linked = ((t.account[a] ?? NONE) !== NONE && t.account[a] === t.account[b]) || sharesSocial(t, a, b);
    if (present === 3 && agree === 0 && !linked) return "phone, e-mail and address all differ";
    // A date of birth one slip away (a typo) is accepted only when the contact details do not
    // contradict it: two people with one name, birthdays a day apart and one shared e-mail box
    // are still two people when their addresses and phones both differ.
    if (dob === 1 && !linked && pa !== NONE && pb !== NONE && pa !== pb && address >= 0 && address < 2) return "dates of birth near but not equal, and phone and address differ";
    comparer.names(a, b);
    if (comparer.levels[F_GIVEN] === 0) return "given names differ";
    return null;
  };
}

function sharesSocial(t: RecordTable, a: number, b: number): boolean {
  const sa = t.social.get(a);
  const sb = t.social.get(b);
  return sa !== undefined && sb !== undefined && sa.some((s) => sb.includes(s));
}

/**
 * Prepares a slice of a batch into a PreparedChunk, the form a worker thread sends back (see
 * ResolveOptions.prepared). Without a reader, the records whose name would need one (kanji only)
 * are listed in `needsReader` (indexes in the slice), for the thread that has the reader to redo.
 */
export function prepareChunk(
  records: readonly IdentityRecord[],
  opts: { key: Uint8Array; reader?: ReadingProvider | null; addressIndex?: AddressIndex },
): PreparedChunk & { needsReader: number[] } {
  const hasher = new BlindHasher(opts.key);
  const table = new RecordTable();
  table.reserve(records.length);
  const needsReader: number[] = [];
  const reader = opts.reader ?? null;
  records.forEach((r, k) => {
    const p = prepareRecord(r, { key: hasher, reader, ...(opts.addressIndex ? { addressIndex: opts.addressIndex } : {}) });
    if (reader === null && !p.corporate && p.full.kana === null && p.full.kanji !== null) needsReader.push(k);
    table.add(p);
  });
  hasher.forget();
  return { ...table.toChunk(), needsReader };
}

/**
 * Prepares records into a table (or takes them prepared, in chunks), learns the family names the
 * batch spells out, splits unspaced names with them, and counts name values.
 */
export function prepareBatch(
  records: readonly IdentityRecord[],
  table: RecordTable,
  lexicon: FamilyLexicon,
  tf: TermCounts,
  opts: {
    key: Uint8Array;
    reader: ReadingProvider | null;
    addressIndex?: AddressIndex;
    onProgress?: ResolveOptions["onProgress"];
    prepared?: ReadonlyArray<PreparedChunk & { needsReader?: readonly number[] }>;
  },
): void {
  const hasher = new BlindHasher(opts.key);
  const first = table.size;
  table.reserve(first + records.length);
  const prepareOpts = { key: hasher, reader: opts.reader, ...(opts.addressIndex ? { addressIndex: opts.addressIndex } : {}) };
  if (opts.prepared) {
    const total = opts.prepared.reduce((n, c) => n + c.size, 0);
    if (total !== records.length) throw badInput(`the prepared chunks hold ${total} records, not ${records.length}`, "options.prepared");
    for (const [c, chunk] of opts.prepared.entries()) {
      const at = table.appendChunk(chunk);
      for (let k = 0; k < chunk.size; k++) {
        if (chunk.recordIds[k] !== records[at - first + k]?.recordId) throw badInput(`record ${k} is not records[${at - first + k}]`, `options.prepared[${c}]`);
      }
      if (opts.reader) for (const k of chunk.needsReader ?? []) table.set(at + k, prepareRecord(records[at - first + k] as IdentityRecord, prepareOpts));
      opts.onProgress?.("prepare", at - first + chunk.size, records.length);
    }
  } else {
    records.forEach((r, k) => {
      table.add(prepareRecord(r, prepareOpts));
      if (opts.onProgress && (k + 1) % 10_000 === 0) opts.onProgress("prepare", k + 1, records.length);
    });
  }
  hasher.forget();
  duplicateIds(table, records, first);
  for (let i = first; i < table.size; i++) {
    if (table.hasSplit(i) && !table.familyGuessed(i)) lexicon.addFamily(table.str(table.famKanji[i] ?? NONE), table.str(table.famKana[i] ?? NONE), table.str(table.famReading[i] ?? NONE));
  }
  for (let i = first; i < table.size; i++) {
    // Only names without a split (or with a kanji split and an unsplit reading) can change.
    const split = table.hasSplit(i);
    if (split && ((table.famReading[i] ?? NONE) !== NONE || (table.fullReading[i] ?? NONE) === NONE || (table.famKanji[i] ?? NONE) === NONE)) continue;
    const view = table.nameView(i);
    const out = splitWithLexicon(view, lexicon);
    if (out !== view) table.setName(i, out);
  }
  for (let i = first; i < table.size; i++) tf.add(table, i);
  opts.onProgress?.("prepare", records.length, records.length);
}

function randomPatterns(t: RecordTable, comparer: PairComparer, count: number, seed: number): { patterns: PatternCounts; pairs: number } {
  const n = t.size;
  const patterns: PatternCounts = new Map();
  let pairs = 0;
  const add = (i: number, j: number) => {
    comparer.compare(i, j);
    const code = comparer.pattern();
    patterns.set(code, (patterns.get(code) ?? 0) + 1);
    pairs++;
  };
  if (n < 2) return { patterns, pairs };
  if ((n * (n - 1)) / 2 <= count) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) add(i, j);
    return { patterns, pairs };
  }
  const rnd = seededRandom(seed);
  while (pairs < count) {
    const i = Math.floor(rnd() * n);
    const j = Math.floor(rnd() * n);
    if (i !== j) add(i, j);
  }
  return { patterns, pairs };
}

interface Compared {
  patternOf: Int32Array;
  familyOf: Int32Array;
  givenOf: Int32Array;
  patterns: PatternCounts;
}

/** Compares the candidate pairs ([j, i] words): the pattern of each and the counts of patterns. */
function comparePairs(table: RecordTable, pairs: Uint32Array, P: number): Compared {
  const patternOf = new Int32Array(P);
  const familyOf = new Int32Array(P);
  const givenOf = new Int32Array(P);
  const counts = new Int32Array(PATTERN_COUNT);
  const comparer = new PairComparer(table);
  for (let k = 0; k < P; k++) {
    comparer.compare(pairs[2 * k + 1] ?? 0, pairs[2 * k] ?? 0);
    const code = comparer.pattern();
    patternOf[k] = code;
    familyOf[k] = comparer.familyValue;
    givenOf[k] = comparer.givenValue;
    counts[code] = (counts[code] ?? 0) + 1;
  }
  const patterns: PatternCounts = new Map();
  for (let code = 0; code < PATTERN_COUNT; code++) if ((counts[code] ?? 0) > 0) patterns.set(code, counts[code] ?? 0);
  return { patternOf, familyOf, givenOf, patterns };
}

function scorePairs(scorer: Scorer, c: Compared, tf: TermCounts, P: number): Float64Array {
  const weightOf = new Float64Array(P);
  const levels = new Int8Array(FIELDS.length);
  for (let k = 0; k < P; k++) {
    levelsOfPattern(c.patternOf[k] ?? 0, levels);
    weightOf[k] = scorer.weight(levels, c.familyOf[k] ?? NONE, c.givenOf[k] ?? NONE, tf);
  }
  return weightOf;
}

/**
 * The pairs at or above the threshold, strongest first, ties in pair order. Sorted natively: the
 * weight, quantised to 2⁻²⁰ bits, and the pair's index packed into one 64-bit word per pair.
 */
function strongestFirst(weightOf: Float64Array, threshold: number): Uint32Array {
  const buf = new WordPairs(1024);
  const SCALE = 2 ** 20;
  for (let k = 0; k < weightOf.length; k++) {
    const w = weightOf[k] ?? 0;
    if (probabilityOf(w) < threshold) continue;
    // Descending weight as an ascending unsigned key: 2³¹ − w·2²⁰, clamped to 32 bits.
    const key = Math.min(0xffffffff, Math.max(0, Math.round(2 ** 31 - w * SCALE)));
    buf.push(k, key);
  }
  const sorted = buf.sorted();
  const out = new Uint32Array(buf.length);
  for (let x = 0; x < buf.length; x++) out[x] = sorted[2 * x] ?? 0;
  return out;
}

/** Entity ids from the smallest record id of each cluster. */
function entityIds(table: RecordTable, clusters: Clusters): { rootOf: Int32Array; smallestOfRoot: Map<number, string>; entityOfRoot: Map<number, EntityId> } {
  const n = table.size;
  const ids = table.recordIds;
  const rootOf = new Int32Array(n);
  const smallest = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const root = clusters.find(i);
    rootOf[i] = root;
    const cur = smallest[root] ?? -1;
    if (cur < 0 || (ids[i] ?? "") < (ids[cur] ?? "")) smallest[root] = i;
  }
  const smallestOfRoot = new Map<number, string>();
  const entityOfRoot = new Map<number, EntityId>();
  for (let root = 0; root < n; root++) {
    const s = smallest[root] ?? -1;
    if (s < 0) continue;
    const id = ids[s] ?? "";
    smallestOfRoot.set(root, id);
    entityOfRoot.set(root, entityIdOfSmallest(id));
  }
  return { rootOf, smallestOfRoot, entityOfRoot };
}

/** What the results of a batch share to explain themselves on demand. */
interface ExplainContext {
  table: RecordTable;
  pairs: Uint32Array;
  weightOf: Float64Array;
  refusedOf: Map<number, string>;
  fieldsOf: (k: number) => FieldWeight[];
}

/**
 * One record's result. Its explanation is built when first read (a batch of a million records
 * would otherwise build millions of objects nobody reads); it is the same whenever it is read, and
 * JSON.stringify writes it (toJSON).
 */
class Resolution implements ResolvedRecord {
  readonly recordId: string;
  readonly entityId: EntityId;
  readonly confidence: number;
  readonly #ctx: ExplainContext;
  readonly #index: number;
  /** The pair that explains it, and whether that pair is a link inside the entity. */
  readonly #pair: number;
  readonly #inside: boolean;
  #explanation: Explanation | undefined;

  constructor(ctx: ExplainContext, index: number, entity: EntityId, pair: number, inside: boolean) {
    this.#ctx = ctx;
    this.#index = index;
    this.#pair = pair;
    this.#inside = inside;
    this.recordId = ctx.table.recordIds[index] ?? "";
    this.entityId = entity;
    if (pair < 0) this.confidence = 1;
    else {
      const p = probabilityOf(ctx.weightOf[pair] ?? 0);
      this.confidence = inside ? p : 1 - p;
    }
  }

  get explanation(): Explanation {
    this.#explanation ??= this.#explain();
    return this.#explanation;
  }

  #explain(): Explanation {
    const { table, pairs, weightOf, refusedOf, fieldsOf } = this.#ctx;
    const k = this.#pair;
    if (k < 0) return { linkedTo: null, probability: null, weight: null, fields: [] };
    const i = this.#index;
    const other = pairs[2 * k + 1] === i ? (pairs[2 * k] ?? 0) : (pairs[2 * k + 1] ?? 0);
    const w = weightOf[k] ?? 0;
    const p = probabilityOf(w);
    if (this.#inside) return { linkedTo: table.recordIds[other] ?? null, probability: p, weight: w, fields: fieldsOf(k) };
    const refusal = refusedOf.get(k);
    return {
      linkedTo: null,
      probability: null,
      weight: null,
      fields: fieldsOf(k),
      bestCandidate: { recordId: table.recordIds[other] ?? "", probability: p, ...(refusal ? { refusedBecause: refusal } : {}) },
    };
  }

  toJSON(): { recordId: string; entityId: EntityId; confidence: number; explanation: Explanation } {
    return { recordId: this.recordId, entityId: this.entityId, confidence: this.confidence, explanation: this.explanation };
  }
}

/** One result per record: its entity, and its strongest link inside it (or its best candidate). */
function explain(
  table: RecordTable,
  pairs: Uint32Array,
  P: number,
  weightOf: Float64Array,
  rootOf: Int32Array,
  entityOfRoot: Map<number, EntityId>,
  refusedOf: Map<number, string>,
  fieldsOf: (k: number) => FieldWeight[],
): ResolvedRecord[] {
  const n = table.size;
  // Best link per record, inside its entity and overall (strongest weight; the first pair on ties).
  const bestInside = new Int32Array(n).fill(-1);
  const bestAny = new Int32Array(n).fill(-1);
  for (let k = 0; k < P; k++) {
    const i = pairs[2 * k + 1] ?? 0;
    const j = pairs[2 * k] ?? 0;
    const w = weightOf[k] ?? 0;
    const same = rootOf[i] === rootOf[j];
    for (let side = 0; side < 2; side++) {
      const r = side === 0 ? i : j;
      const cur = bestAny[r] ?? -1;
      if (cur < 0 || (weightOf[cur] ?? 0) < w) bestAny[r] = k;
      if (same) {
        const ci = bestInside[r] ?? -1;
        if (ci < 0 || (weightOf[ci] ?? 0) < w) bestInside[r] = k;
      }
    }
  }
  const ctx: ExplainContext = { table, pairs, weightOf, refusedOf, fieldsOf };
  const results: ResolvedRecord[] = new Array<ResolvedRecord>(n);
  for (let i = 0; i < n; i++) {
    const eid = entityOfRoot.get(rootOf[i] ?? i) ?? entityIdOfSmallest(table.recordIds[i] ?? "");
    const inside = bestInside[i] ?? -1;
    results[i] = inside >= 0 ? new Resolution(ctx, i, eid, inside, true) : new Resolution(ctx, i, eid, bestAny[i] ?? -1, false);
  }
  return results;
}

/** Everything a batch leaves behind, for a Linker to continue from (see resolveToLinker). */
export interface BatchState {
  table: RecordTable;
  lexicon: FamilyLexicon;
  tf: TermCounts;
  sortedKeys: Uint32Array[];
  clusters: Clusters;
  /** Entity id per cluster root. */
  entityOfRoot: Map<number, EntityId>;
  /** Smallest record id per cluster root. */
  smallestOfRoot: Map<number, string>;
  model: ModelParams;
  threshold: number;
  maxBlockSize: number;
}

/** The batch, returning its internal state as well as the report. */
export function resolveBatch(records: readonly IdentityRecord[], options: ResolveOptions = {}): { report: ResolveReport; state: BatchState } {
  const started = performance.now();
  validate(records);
  if (options.prepared && !options.key) throw badInput("records prepared in chunks need the key they were prepared under", "options.key");
  const opts = { ...RESOLVE_DEFAULTS, ...options };
  const key = options.key ?? randomBytes(32);
  const table = new RecordTable();
  const lexicon = new FamilyLexicon();
  const tf = new TermCounts();
  prepareBatch(records, table, lexicon, tf, {
    key,
    reader: options.reader ?? null,
    ...(options.addressIndex ? { addressIndex: options.addressIndex } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.prepared ? { prepared: options.prepared } : {}),
  });
  const n = table.size;
  const tPrepared = performance.now();

  const blocking = candidatePairs(table, { maxBlockSize: opts.maxBlockSize });
  const tBlocked = performance.now();

  // Compare every candidate pair once: its pattern and the agreeing name values, in typed arrays.
  const P = blocking.count;
  const pairs = blocking.pairs; // [j, i] per pair
  const compared = comparePairs(table, pairs, P);
  const random = options.model ? { patterns: new Map<number, number>(), pairs: 0 } : randomPatterns(table, new PairComparer(table), opts.randomPairs, opts.seed);
  const tCompared = performance.now();

  const model =
    options.model ??
    fitEm(compared.patterns, estimateU(random.patterns), (n * (n - 1)) / 2, {
      maxIterations: options.em?.maxIterations ?? 500,
      tolerance: options.em?.tolerance ?? 1e-6,
    });
  const scorer = new Scorer(model);
  const weightOf = scorePairs(scorer, compared, tf, P);
  const tEstimated = performance.now();

  // Cluster: edges at or above the threshold, strongest first, conflict-checked.
  const clusters = new Clusters(n);
  const conflict = conflictRule(table, new PairComparer(table));
  const refusedOf = new Map<number, string>();
  let merges = 0;
  const refused: Refusal[] = [];
  for (const k of strongestFirst(weightOf, opts.threshold)) {
    const i = pairs[2 * k + 1] ?? 0;
    const j = pairs[2 * k] ?? 0;
    const out = clusters.merge(i, j, conflict);
    if (out === "merged") merges++;
    else if (out !== "same") {
      refused.push({ i, j, ...out });
      refusedOf.set(k, out.reason);
    }
  }
  const { rootOf, smallestOfRoot, entityOfRoot } = entityIds(table, clusters);
  const results = explain(table, pairs, P, weightOf, rootOf, entityOfRoot, refusedOf, (k) => scorer.fields(levelsOfPattern(compared.patternOf[k] ?? 0), compared.familyOf[k] ?? NONE, compared.givenOf[k] ?? NONE, tf));
  options.onProgress?.("link", n, n);

  const skippedRecords = blocking.skipped.reduce((s, b) => s + b.size, 0);
  const largest = [...blocking.skipped].sort((a, b) => b.size - a.size).slice(0, 10);
  const report: ResolveReport = {
    results,
    model,
    stats: {
      records: n,
      candidatePairs: P,
      randomPairs: random.pairs,
      skippedBlocks: blocking.skipped.length,
      skippedBlockRecords: skippedRecords,
      largestSkippedBlocks: largest,
      entities: entityOfRoot.size,
      merges,
      refusedMerges: refused.length,
      emIterations: model.iterations,
      emConverged: model.converged,
      patterns: compared.patterns.size,
      lambda: model.lambda,
      relatedShare: model.relatedShare,
      millis: performance.now() - started,
      phases: {
        prepare: tPrepared - started,
        block: tBlocked - tPrepared,
        compare: tCompared - tBlocked,
        estimate: tEstimated - tCompared,
        cluster: performance.now() - tEstimated,
      },
    },
  };
  return {
    report,
    state: { table, lexicon, tf, sortedKeys: blocking.sortedKeys, clusters, entityOfRoot, smallestOfRoot, model, threshold: opts.threshold, maxBlockSize: opts.maxBlockSize },
  };
}

/** Links records into entities and reports how (see ResolveReport). */
export function resolveWithReport(records: readonly IdentityRecord[], options: ResolveOptions = {}): ResolveReport {
  return resolveBatch(records, options).report;
}

/** Links records into entities: one result per input record, in input order. */
export function resolve(records: readonly IdentityRecord[], options: ResolveOptions = {}): ResolvedRecord[] {
  return resolveWithReport(records, options).results;
}
