// Merkle trees in the style of RFC 6962 / RFC 9162 §2.1 (Certificate Transparency):
//
//   MTH({})        = SHA-256()
//   MTH({d0})      = SHA-256(0x00 ‖ d0)                                   (leaf hash)
//   MTH(D[n])      = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))             (node hash)
//                    where k is the largest power of two smaller than n.
//
// Inclusion proofs (audit paths) and consistency proofs are generated and verified with the RFC's
// algorithms. Leaves here are byte strings (the audit log uses each record's 32-byte chain hash).
import { createHash } from "node:crypto";

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);
const EMPTY = createHash("sha256").digest();

export const HASH_BYTES = 32;

export function leafHash(data: Uint8Array): Buffer {
  return createHash("sha256").update(LEAF).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash("sha256").update(NODE).update(left).update(right).digest();
}

/** The root of the empty tree, SHA-256 of nothing. */
export function emptyRoot(): Buffer {
  return Buffer.from(EMPTY);
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over leaf hashes hs[lo, hi). */
function mth(hs: readonly Buffer[], lo: number, hi: number): Buffer {
  const n = hi - lo;
  if (n === 0) return emptyRoot();
  if (n === 1) return hs[lo]!;
  const k = split(n);
  return nodeHash(mth(hs, lo, lo + k), mth(hs, lo + k, hi));
}

function checkSize(treeSize: number, available: number, what: string): void {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > available) {
    throw new RangeError(`${what} must be a whole number from 0 to ${available}; got ${treeSize}`);
  }
}

/** The Merkle tree hash of the first `treeSize` leaves (all of them by default). */
export function merkleRoot(leaves: readonly Uint8Array[], treeSize = leaves.length): Buffer {
  checkSize(treeSize, leaves.length, "treeSize");
  return mth(leaves.slice(0, treeSize).map(leafHash), 0, treeSize);
}

/**
 * The audit path for leaf `index` in the tree of the first `treeSize` leaves (RFC 9162 §2.1.3.1):
 * the sibling hashes from the leaf up to the root.
 */
export function inclusionProof(leaves: readonly Uint8Array[], index: number, treeSize = leaves.length): Buffer[] {
  checkSize(treeSize, leaves.length, "treeSize");
  if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) throw new RangeError(`leaf index must be from 0 to ${treeSize - 1}; got ${index}`);
  const hs = leaves.slice(0, treeSize).map(leafHash);
  const path: Buffer[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    const n = hi - lo;
    if (n <= 1) return;
    const k = split(n);
    if (m < k) {
      walk(m, lo, lo + k);
      path.push(mth(hs, lo + k, hi));
    } else {
      walk(m - k, lo + k, hi);
      path.push(mth(hs, lo, lo + k));
    }
  };
  walk(index, 0, treeSize);
  return path;
}

/** Verifies an audit path (RFC 9162 §2.1.3.2). Never throws on bad input: returns false. */
export function verifyInclusion(leaf: Uint8Array, index: number, treeSize: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  if (path.some((p) => p.length !== HASH_BYTES) || root.length !== HASH_BYTES) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash(leaf);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/**
 * The consistency proof between the tree of the first `m` leaves and the tree of the first `n`
 * (RFC 9162 §2.1.4.1): proves the larger tree extends the smaller one. Empty when m = 0 or m = n.
 */
export function consistencyProof(leaves: readonly Uint8Array[], m: number, n = leaves.length): Buffer[] {
  checkSize(n, leaves.length, "n");
  checkSize(m, n, "m");
  if (m === 0 || m === n) return [];
  const hs = leaves.slice(0, n).map(leafHash);
  const proof: Buffer[] = [];
  const sub = (mm: number, lo: number, hi: number, whole: boolean): void => {
    const size = hi - lo;
    if (mm === size) {
      if (!whole) proof.push(mth(hs, lo, hi));
      return;
    }
    const k = split(size);
    if (mm <= k) {
      sub(mm, lo, lo + k, whole);
      proof.push(mth(hs, lo + k, hi));
    } else {
      sub(mm - k, lo + k, hi, false);
      proof.push(mth(hs, lo, lo + k));
    }
  };
  sub(m, 0, n, true);
  return proof;
}

/** Verifies a consistency proof (RFC 9162 §2.1.4.2). Never throws on bad input: returns false. */
export function verifyConsistency(m: number, n: number, rootM: Uint8Array, rootN: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) return false;
  if (rootM.length !== HASH_BYTES || rootN.length !== HASH_BYTES || proof.some((p) => p.length !== HASH_BYTES)) return false;
  if (m === n) return proof.length === 0 && Buffer.from(rootM).equals(rootN);
  if (m === 0) return proof.length === 0 && Buffer.from(rootM).equals(EMPTY);
  if (proof.length === 0) return false;
  // When m is a power of two the old root is itself a node of the new tree and the proof omits it.
  const path = isPowerOfTwo(m) ? [rootM, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(rootM) && sr.equals(rootN);
}

function isPowerOfTwo(x: number): boolean {
  if (x < 1) return false;
  while (x % 2 === 0) x /= 2;
  return x === 1;
}

/**
 * An append-only Merkle accumulator: the roots of the perfect subtrees that make up the current
 * tree ("compact range" / frontier), O(log n) memory, O(1) amortised hashing per leaf. `root()`
 * equals `merkleRoot` of the same leaves.
 */
export class MerkleFrontier {
  /** Perfect-subtree roots, largest (leftmost) first, with their sizes. */
  #nodes: Array<{ size: number; hash: Buffer }> = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Appends one leaf (its data; it is leaf-hashed here). */
  push(leaf: Uint8Array): void {
    let node = { size: 1, hash: leafHash(leaf) };
    while (this.#nodes.length > 0 && this.#nodes[this.#nodes.length - 1]!.size === node.size) {
      const left = this.#nodes.pop()!;
      node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) };
    }
    this.#nodes.push(node);
    this.#size++;
  }

  /** The Merkle tree hash of everything pushed so far. */
  root(): Buffer {
    if (this.#nodes.length === 0) return emptyRoot();
    let h = this.#nodes[this.#nodes.length - 1]!.hash;
    for (let i = this.#nodes.length - 2; i >= 0; i--) h = nodeHash(this.#nodes[i]!.hash, h);
    return h;
  }
}
