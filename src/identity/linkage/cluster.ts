// Clustering matched pairs into entities. Pairs above the threshold are merged strongest first
// (union–find), but a merge is refused when it would put two clearly different people in one entity:
// two records whose dates of birth or corporate numbers differ, or whose given names are different
// (siblings and twins share everything else). Every member of one side is checked against every
// member of the other, so a chain A–B–C never joins A and C when A and C conflict, whatever B looks
// like. Members are kept as circular linked lists in typed arrays: a merge is O(1) after the check.

export interface ScoredEdge {
  i: number;
  j: number;
  weight: number;
  probability: number;
}

/** Why records a and b cannot be one person, or null when nothing forbids it. */
export type ConflictCheck = (a: number, b: number) => string | null;

export interface ClusterOptions {
  threshold: number;
  conflict: ConflictCheck;
}

export interface Refusal {
  i: number;
  j: number;
  /** The pair of records that conflicted, and why. */
  a: number;
  b: number;
  reason: string;
}

export interface Clustering {
  /** Cluster representative (a record index) per record. */
  clusterOf: Int32Array;
  /** Edges that caused a merge. */
  merged: ScoredEdge[];
  /** Matches above the threshold that were refused. */
  refused: Refusal[];
}

function grown(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Int32Array(Math.max(n, a.length * 2, 16));
  b.set(a);
  return b;
}

/** Union–find over records 0..size-1 with member lists and conflict-checked merges. */
export class Clusters {
  #parent = new Int32Array(0);
  #next = new Int32Array(0);
  #count = new Int32Array(0);
  size = 0;

  constructor(n = 0) {
    for (let i = 0; i < n; i++) this.add();
  }

  /** Adds a record in a cluster of its own; returns its index. */
  add(): number {
    const i = this.size++;
    this.#parent = grown(this.#parent, this.size);
    this.#next = grown(this.#next, this.size);
    this.#count = grown(this.#count, this.size);
    this.#parent[i] = i;
    this.#next[i] = i;
    this.#count[i] = 1;
    return i;
  }

  find(x: number): number {
    const p = this.#parent;
    let r = x;
    while (p[r] !== r) r = p[r] ?? r;
    let y = x;
    while (p[y] !== r) {
      const up = p[y] ?? r;
      p[y] = r;
      y = up;
    }
    return r;
  }

  /** Number of records in x's cluster. */
  sizeOf(x: number): number {
    return this.#count[this.find(x)] ?? 1;
  }

  /** The records of x's cluster (x first). */
  members(x: number): number[] {
    const out = [x];
    for (let y = this.#next[x] ?? x; y !== x; y = this.#next[y] ?? x) out.push(y);
    return out;
  }

  /** The first conflict between the clusters of a and b, or null. */
  conflictBetween(a: number, b: number, conflict: ConflictCheck): { a: number; b: number; reason: string } | null {
    const A = this.members(a);
    for (let y = b, first = true; first || y !== b; y = this.#next[y] ?? b, first = false) {
      for (const x of A) {
        const reason = conflict(x, y);
        if (reason !== null) return { a: x, b: y, reason };
      }
    }
    return null;
  }

  /** Joins the clusters of a and b without a check (a restored assignment). Returns the new root. */
  join(a: number, b: number): number {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return ra;
    const [keep, drop] = ra < rb ? [ra, rb] : [rb, ra];
    this.#parent[drop] = keep;
    this.#count[keep] = (this.#count[keep] ?? 0) + (this.#count[drop] ?? 0);
    // Splice the two circular lists.
    const n = this.#next;
    const t = n[keep] ?? keep;
    n[keep] = n[drop] ?? drop;
    n[drop] = t;
    return keep;
  }

  /**
   * Merges the clusters of a and b unless a member of one conflicts with a member of the other.
   * Returns "merged", "same" (already one cluster) or the conflict.
   */
  merge(a: number, b: number, conflict: ConflictCheck): "merged" | "same" | { a: number; b: number; reason: string } {
    if (this.find(a) === this.find(b)) return "same";
    const c = this.conflictBetween(a, b, conflict);
    if (c !== null) return c;
    this.join(a, b);
    return "merged";
  }
}

/** Clusters n records from scored edges (the batch form, also used by tests). */
export function clusterPairs(n: number, edges: readonly ScoredEdge[], opts: ClusterOptions): Clustering {
  const clusters = new Clusters(n);
  const sorted = edges
    .filter((e) => e.probability >= opts.threshold)
    .sort((p, q) => q.weight - p.weight || p.i - q.i || p.j - q.j);
  const merged: ScoredEdge[] = [];
  const refused: Refusal[] = [];
  for (const e of sorted) {
    const out = clusters.merge(e.i, e.j, opts.conflict);
    if (out === "same") continue;
    if (out === "merged") merged.push(e);
    else refused.push({ i: e.i, j: e.j, ...out });
  }
  const clusterOf = new Int32Array(n);
  for (let i = 0; i < n; i++) clusterOf[i] = clusters.find(i);
  return { clusterOf, merged, refused };
}
