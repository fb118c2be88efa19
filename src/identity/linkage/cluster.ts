// Clustering matched pairs into entities. Pairs above the threshold are merged strongest first
// (union–find), but a merge is refused when it would put two clearly different people in one entity:
// two records whose dates of birth or corporate numbers differ, or whose given names are different
// (siblings and twins share everything else). So a chain A–B–C never joins A and C when A and C
// conflict, whatever B looks like.

export interface ScoredEdge {
  i: number;
  j: number;
  weight: number;
  probability: number;
}

export interface ClusterOptions {
  threshold: number;
  /** Why records a and b cannot be one person, or null when nothing forbids it. */
  conflict(a: number, b: number): string | null;
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

export function clusterPairs(n: number, edges: readonly ScoredEdge[], opts: ClusterOptions): Clustering {
  const parent = new Int32Array(n);
  const members: number[][] = [];
  for (let i = 0; i < n; i++) {
    parent[i] = i;
    members.push([i]);
  }
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r] ?? r;
    let y = x;
    while (parent[y] !== r) {
      const next = parent[y] ?? r;
      parent[y] = r;
      y = next;
    }
    return r;
  };
  const sorted = edges
    .filter((e) => e.probability >= opts.threshold)
    .sort((p, q) => q.weight - p.weight || p.i - q.i || p.j - q.j);
  const merged: ScoredEdge[] = [];
  const refused: Refusal[] = [];
  for (const e of sorted) {
    const ri = find(e.i);
    const rj = find(e.j);
    if (ri === rj) continue;
    const A = members[ri] ?? [];
    const B = members[rj] ?? [];
    let conflict: Refusal | null = null;
    outer: for (const a of A) {
      for (const b of B) {
        const reason = opts.conflict(a, b);
        if (reason !== null) {
          conflict = { i: e.i, j: e.j, a, b, reason };
          break outer;
        }
      }
    }
    if (conflict) {
      refused.push(conflict);
      continue;
    }
    const [keep, drop] = ri < rj ? [ri, rj] : [rj, ri];
    parent[drop] = keep;
    const keptMembers = members[keep] ?? [];
    for (const x of members[drop] ?? []) keptMembers.push(x);
    members[keep] = keptMembers;
    members[drop] = [];
    merged.push(e);
  }
  const clusterOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    clusterOf[i] = find(i);
  }
  return { clusterOf, merged, refused };
}
