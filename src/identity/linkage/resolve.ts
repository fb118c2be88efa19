// Record linkage end to end: prepare (normalise, blind-index) → block → compare → estimate u on
// random pairs and m by EM → score with term-frequency adjustment → cluster with conflict checks →
// one entity id per person, with the reasons for every merge.
import { createHash, randomBytes } from "node:crypto";
import { badInput } from "../../contracts/errors.ts";
import { entityId, type EntityId } from "../../contracts/ids.ts";
import type { ReadingProvider } from "../normalize/name.ts";
import type { AddressIndex } from "../normalize/address-data.ts";
import { candidatePairs } from "./blocking.ts";
import { clusterPairs, type ScoredEdge } from "./cluster.ts";
import { compareNames, comparePair, type PairComparison } from "./compare.ts";
import { estimateU, fitEm, scorePair, seededRandom, type EmOptions, type FieldWeight, type ModelParams, type TermFrequencies } from "./model.ts";
import { familyLexicon, prepareRecord, splitWithLexicon, type PreparedRecord } from "./prepare.ts";
import type { IdentityRecord } from "./record.ts";

export interface ResolveOptions {
  /** Blind-index key (≥ 16 bytes). Defaults to a random key for this run: indexes are then only
   *  comparable within the run, which is all resolve needs. */
  key?: Uint8Array;
  /** Morphological reader for kanji-only names (kuromoji); null or absent: compare their kanji. */
  reader?: ReadingProvider | null;
  /** Posterior match probability at or above which two records are merged (default 0.9). */
  threshold?: number;
  /** Blocks larger than this are skipped (default 1000). */
  maxBlockSize?: number;
  /** Random pairs drawn to estimate u (default 50 000, fewer when there are fewer pairs). */
  randomPairs?: number;
  /** Seed of the random-pair draw (default 1): the same input always gives the same output. */
  seed?: number;
  em?: Partial<EmOptions>;
  /** A model fitted before (ResolveReport.model of a larger batch): skips estimation, which a small
   *  batch cannot do well. Without it, u is measured and m estimated on this batch. */
  model?: ModelParams;
  addressIndex?: AddressIndex;
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
  entities: number;
  merges: number;
  refusedMerges: number;
  emIterations: number;
  emConverged: boolean;
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

const DEFAULTS = { threshold: 0.9, maxBlockSize: 1000, randomPairs: 50_000, seed: 1 };

function validate(records: readonly IdentityRecord[]): void {
  const seen = new Map<string, number>();
  records.forEach((r, i) => {
    if (typeof r.recordId !== "string" || r.recordId.length === 0) throw badInput("must be a non-empty string", `records[${i}].recordId`);
    if (typeof r.name !== "string" || r.name.trim() === "") throw badInput("must be a non-empty string", `records[${i}].name`);
    const prev = seen.get(r.recordId);
    if (prev !== undefined) throw badInput(`duplicates records[${prev}].recordId`, `records[${i}].recordId`);
    seen.set(r.recordId, i);
  });
}

function termFrequencies(prepared: readonly PreparedRecord[]): TermFrequencies {
  const family = new Map<string, number>();
  const given = new Map<string, number>();
  const bump = (m: Map<string, number>, values: Array<string | null | undefined>) => {
    for (const v of new Set(values.filter((x): x is string => typeof x === "string" && x !== ""))) m.set(v, (m.get(v) ?? 0) + 1);
  };
  for (const r of prepared) {
    bump(family, [r.family?.reading, r.family?.kanji, r.full.reading, r.full.kanji, ...(r.latinWords ?? [])]);
    bump(given, [r.given?.reading, r.given?.kanji, r.full.reading, r.full.kanji, ...(r.latinWords ? [r.latinWords.join("")] : [])]);
  }
  return { family, given, records: prepared.length };
}

function randomComparisons(prepared: readonly PreparedRecord[], count: number, seed: number): PairComparison[] {
  const n = prepared.length;
  const total = (n * (n - 1)) / 2;
  const out: PairComparison[] = [];
  if (n < 2) return out;
  if (total <= count) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push(comparePair(prepared[i] as PreparedRecord, prepared[j] as PreparedRecord));
    return out;
  }
  const rnd = seededRandom(seed);
  while (out.length < count) {
    const i = Math.floor(rnd() * n);
    const j = Math.floor(rnd() * n);
    if (i === j) continue;
    out.push(comparePair(prepared[i] as PreparedRecord, prepared[j] as PreparedRecord));
  }
  return out;
}

/** A stable entity id: a hash of the smallest record id in the entity. */
export function entityIdFor(recordIds: readonly string[]): EntityId {
  const smallest = [...recordIds].sort()[0] ?? "";
  return entityId(`ent_${createHash("sha256").update("kanshi-entity\u0000").update(smallest).digest("hex").slice(0, 24)}`);
}

/** Links records into entities and reports how (see ResolveReport). */
export function resolveWithReport(records: readonly IdentityRecord[], options: ResolveOptions = {}): ResolveReport {
  const started = performance.now();
  validate(records);
  const opts = { ...DEFAULTS, ...options };
  const key = options.key ?? randomBytes(32);
  const first = records.map((r, i) =>
    prepareRecord(r, i, { key, reader: options.reader ?? null, ...(options.addressIndex ? { addressIndex: options.addressIndex } : {}) }),
  );
  // Names written without a space are split with the family names the batch spells out.
  const lexicon = familyLexicon(first);
  const prepared = first.map((r) => splitWithLexicon(r, lexicon));
  const tPrepared = performance.now();
  const blocking = candidatePairs(prepared, { maxBlockSize: opts.maxBlockSize });
  const tBlocked = performance.now();
  const comparisons = blocking.pairs.map(([i, j]) => comparePair(prepared[i] as PreparedRecord, prepared[j] as PreparedRecord));
  const random = options.model ? [] : randomComparisons(prepared, opts.randomPairs, opts.seed);
  const tCompared = performance.now();
  const model =
    options.model ??
    fitEm(comparisons, estimateU(random), (prepared.length * (prepared.length - 1)) / 2, {
      maxIterations: options.em?.maxIterations ?? 100,
      tolerance: options.em?.tolerance ?? 1e-6,
    });
  const tf = termFrequencies(prepared);
  const scores = comparisons.map((c) => scorePair(c, model, tf));
  const tEstimated = performance.now();
  const edges: ScoredEdge[] = blocking.pairs.map(([i, j], k) => ({ i, j, weight: scores[k]?.weight ?? 0, probability: scores[k]?.probability ?? 0 }));

  const conflictMemo = new Map<number, string | null>();
  const n = prepared.length;
  const conflict = (x: number, y: number): string | null => {
    const a = Math.min(x, y);
    const b = Math.max(x, y);
    const id = a * n + b;
    const memo = conflictMemo.get(id);
    if (memo !== undefined) return memo;
    const ra = prepared[a] as PreparedRecord;
    const rb = prepared[b] as PreparedRecord;
    let reason: string | null = null;
    if (ra.dob !== null && rb.dob !== null && ra.dob !== rb.dob) reason = "dates of birth differ";
    else if (ra.corporateNumber !== null && rb.corporateNumber !== null && ra.corporateNumber !== rb.corporateNumber) reason = "corporate numbers differ";
    else if (compareNames(ra, rb).given === 0) reason = "given names differ";
    conflictMemo.set(id, reason);
    return reason;
  };
  const clustering = clusterPairs(n, edges, { threshold: opts.threshold, conflict });

  // Entity ids from the smallest record id of each cluster.
  const byCluster = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = clustering.clusterOf[i] ?? i;
    const list = byCluster.get(c);
    if (list) list.push(i);
    else byCluster.set(c, [i]);
  }
  const entityOf = new Map<number, EntityId>();
  for (const [c, members] of byCluster) entityOf.set(c, entityIdFor(members.map((m) => prepared[m]?.recordId ?? "")));

  // Best link per record, inside its entity and overall.
  const bestInside = new Array<number>(n).fill(-1);
  const bestAny = new Array<number>(n).fill(-1);
  edges.forEach((e, k) => {
    const same = clustering.clusterOf[e.i] === clustering.clusterOf[e.j];
    for (const r of [e.i, e.j]) {
      const cur = bestAny[r] ?? -1;
      if (cur < 0 || (edges[cur]?.probability ?? 0) < e.probability) bestAny[r] = k;
      if (same) {
        const ci = bestInside[r] ?? -1;
        if (ci < 0 || (edges[ci]?.probability ?? 0) < e.probability) bestInside[r] = k;
      }
    }
  });
  const refusedFor = new Map<string, string>();
  for (const r of clustering.refused) refusedFor.set(`${Math.min(r.i, r.j)}:${Math.max(r.i, r.j)}`, r.reason);

  const results: ResolvedRecord[] = prepared.map((r, i) => {
    const cluster = clustering.clusterOf[i] ?? i;
    const size = byCluster.get(cluster)?.length ?? 1;
    const eid = entityOf.get(cluster) ?? entityIdFor([r.recordId]);
    const inside = bestInside[i] ?? -1;
    if (size > 1 && inside >= 0) {
      const e = edges[inside] as ScoredEdge;
      const other = e.i === i ? e.j : e.i;
      return {
        recordId: r.recordId,
        entityId: eid,
        confidence: e.probability,
        explanation: { linkedTo: prepared[other]?.recordId ?? null, probability: e.probability, weight: e.weight, fields: scores[inside]?.fields ?? [] },
      };
    }
    const any = bestAny[i] ?? -1;
    if (any < 0) {
      return { recordId: r.recordId, entityId: eid, confidence: 1, explanation: { linkedTo: null, probability: null, weight: null, fields: [] } };
    }
    const e = edges[any] as ScoredEdge;
    const other = e.i === i ? e.j : e.i;
    const refusal = refusedFor.get(`${Math.min(e.i, e.j)}:${Math.max(e.i, e.j)}`);
    const explanation: Explanation = {
      linkedTo: null,
      probability: null,
      weight: null,
      fields: scores[any]?.fields ?? [],
      bestCandidate: { recordId: prepared[other]?.recordId ?? "", probability: e.probability, ...(refusal ? { refusedBecause: refusal } : {}) },
    };
    return { recordId: r.recordId, entityId: eid, confidence: 1 - e.probability, explanation };
  });

  return {
    results,
    model,
    stats: {
      records: n,
      candidatePairs: blocking.pairs.length,
      randomPairs: random.length,
      skippedBlocks: blocking.skipped.length,
      entities: byCluster.size,
      merges: clustering.merged.length,
      refusedMerges: clustering.refused.length,
      emIterations: model.iterations,
      emConverged: model.converged,
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
}

/** Links records into entities: one result per input record, in input order. */
export function resolve(records: readonly IdentityRecord[], options: ResolveOptions = {}): ResolvedRecord[] {
  return resolveWithReport(records, options).results;
}
