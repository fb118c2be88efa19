import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { MerkleFrontier, consistencyProof, emptyRoot, inclusionProof, merkleRoot, verifyConsistency, verifyInclusion } from "./merkle.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (s: string) => Buffer.from(s, "hex");

// The Certificate Transparency reference vectors (RFC 6962 test data used by CT implementations).
const CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(unhex);
const CT_ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const CT_INCLUSION = [
  { index: 0, size: 8, proof: ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
  { index: 5, size: 8, proof: ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
];
const CT_CONSISTENCY = [
  { m: 2, n: 8, proof: ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
  { m: 6, n: 8, proof: ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
];

/** The RFC's definition, written independently of merkle.ts: split the list itself. */
function referenceRoot(d: readonly Uint8Array[]): string {
  const sha = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash("sha256")).digest();
  const go = (xs: readonly Uint8Array[]): Buffer => {
    if (xs.length === 0) return sha();
    if (xs.length === 1) return sha(Buffer.from([0]), xs[0]!);
    let k = 1;
    while (k << 1 < xs.length) k <<= 1;
    return sha(Buffer.from([1]), go(xs.slice(0, k)), go(xs.slice(k)));
  };
  return hex(go(d));
}

const leaves = (n: number) => Array.from({ length: n }, (_, i) => createHash("sha256").update(`leaf-${i}`).digest());
const BIG = leaves(40);
const ROOTS = Array.from({ length: BIG.length + 1 }, (_, n) => merkleRoot(BIG, n));

describe("Merkle tree hash", () => {
  it("matches the CT reference roots for sizes 0..8", () => {
    for (let n = 0; n <= 8; n++) assert.equal(hex(merkleRoot(CT_LEAVES, n)), CT_ROOTS[n], `size ${n}`);
    assert.equal(hex(emptyRoot()), CT_ROOTS[0]);
  });

  it("matches an independent implementation of the RFC definition (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 70 }), (d) => {
        assert.equal(hex(merkleRoot(d)), referenceRoot(d));
      }),
      { numRuns: 150 },
    );
  });

  it("MerkleFrontier gives the same root at every size", () => {
    const f = new MerkleFrontier();
    assert.equal(hex(f.root()), CT_ROOTS[0]);
    for (let n = 1; n <= BIG.length; n++) {
      f.push(BIG[n - 1]!);
      assert.equal(f.size, n);
      assert.equal(hex(f.root()), hex(ROOTS[n]!), `size ${n}`);
    }
  });
});

describe("inclusion proofs", () => {
  it("match the CT reference audit paths", () => {
    for (const v of CT_INCLUSION) {
      assert.deepEqual(inclusionProof(CT_LEAVES, v.index, v.size).map(hex), v.proof);
      assert.ok(verifyInclusion(CT_LEAVES[v.index]!, v.index, v.size, v.proof.map(unhex), unhex(CT_ROOTS[v.size]!)));
    }
  });

  it("verify for every leaf of every tree size up to 40, and fail when anything is changed", () => {
    for (let n = 1; n <= BIG.length; n++) {
      for (let i = 0; i < n; i++) {
        const root = ROOTS[n]!;
        const path = inclusionProof(BIG, i, n);
        assert.ok(verifyInclusion(BIG[i]!, i, n, path, root), `${i}/${n}`);
        if (n > 1) assert.ok(!verifyInclusion(BIG[(i + 1) % n]!, i, n, path, root), `other leaf ${i}/${n}`);
        if (n > 1) assert.ok(!verifyInclusion(BIG[i]!, (i + 1) % n, n, path, root), `other index ${i}/${n}`);
        assert.ok(!verifyInclusion(BIG[i]!, i, n, [...path, Buffer.alloc(32)], root), `extended ${i}/${n}`);
        if (path.length > 0) {
          assert.ok(!verifyInclusion(BIG[i]!, i, n, path.slice(0, -1), root), `truncated ${i}/${n}`);
          const bad = path.map((p) => Buffer.from(p));
          bad[i % bad.length]![5]! ^= 1;
          assert.ok(!verifyInclusion(BIG[i]!, i, n, bad, root), `flipped ${i}/${n}`);
        }
      }
    }
  });

  it("reject out-of-range indexes and short hashes, and refuse to build impossible proofs", () => {
    const p = inclusionProof(CT_LEAVES, 5, 8);
    const r = unhex(CT_ROOTS[8]!);
    assert.ok(!verifyInclusion(CT_LEAVES[5]!, 8, 8, p, r));
    assert.ok(!verifyInclusion(CT_LEAVES[5]!, -1, 8, p, r));
    assert.ok(!verifyInclusion(CT_LEAVES[5]!, 5, 8, p, r.subarray(1)));
    assert.ok(!verifyInclusion(CT_LEAVES[5]!, 5, 8, [p[0]!.subarray(1), ...p.slice(1)], r));
    assert.throws(() => inclusionProof(CT_LEAVES, 8, 8), RangeError);
    assert.throws(() => inclusionProof(CT_LEAVES, 0, 9), RangeError);
  });
});

describe("consistency proofs", () => {
  it("match the CT reference proofs", () => {
    for (const v of CT_CONSISTENCY) {
      assert.deepEqual(consistencyProof(CT_LEAVES, v.m, v.n).map(hex), v.proof);
      assert.ok(verifyConsistency(v.m, v.n, unhex(CT_ROOTS[v.m]!), unhex(CT_ROOTS[v.n]!), v.proof.map(unhex)));
    }
  });

  it("verify for every pair of sizes up to 40, and fail when anything is changed", () => {
    for (let n = 0; n <= BIG.length; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(BIG, m, n);
        assert.ok(verifyConsistency(m, n, ROOTS[m]!, ROOTS[n]!, proof), `${m}->${n}`);
        if (m === n || m === 0) {
          assert.equal(proof.length, 0);
          // m = n: the roots must be equal. (m = 0: the empty tree is a prefix of every tree.)
          if (m === n && n > 0) assert.ok(!verifyConsistency(m, n, ROOTS[m]!, ROOTS[n - 1]!, proof), `equal sizes, different roots ${n}`);
          continue;
        }
        assert.ok(!verifyConsistency(m, n, ROOTS[m - 1]!, ROOTS[n]!, proof), `wrong old root ${m}->${n}`);
        assert.ok(!verifyConsistency(m, n, ROOTS[m]!, ROOTS[n - 1]!, proof), `wrong new root ${m}->${n}`);
        assert.ok(!verifyConsistency(m, n, ROOTS[m]!, ROOTS[n]!, proof.slice(0, -1)), `truncated ${m}->${n}`);
        assert.ok(!verifyConsistency(m, n, ROOTS[m]!, ROOTS[n]!, [...proof, Buffer.alloc(32)]), `extended ${m}->${n}`);
        const bad = proof.map((p) => Buffer.from(p));
        bad[(m + n) % bad.length]![0]! ^= 0x80;
        assert.ok(!verifyConsistency(m, n, ROOTS[m]!, ROOTS[n]!, bad), `flipped ${m}->${n}`);
      }
    }
  });

  it("a rewritten history is not consistent with the old root", () => {
    const forked = BIG.map((l, i) => (i === 3 ? Buffer.alloc(32, 9) : l));
    const forkRoot = merkleRoot(forked, 20);
    const proof = consistencyProof(forked, 10, 20);
    assert.ok(!verifyConsistency(10, 20, ROOTS[10]!, forkRoot, proof));
    assert.ok(verifyConsistency(10, 20, merkleRoot(forked, 10), forkRoot, proof));
  });

  it("handle the degenerate cases", () => {
    assert.ok(verifyConsistency(0, 8, emptyRoot(), ROOTS[8]!, []));
    assert.ok(!verifyConsistency(0, 8, ROOTS[1]!, ROOTS[8]!, []));
    assert.ok(!verifyConsistency(4, 4, ROOTS[4]!, ROOTS[4]!, [ROOTS[1]!]));
    assert.ok(!verifyConsistency(8, 6, ROOTS[8]!, ROOTS[6]!, consistencyProof(BIG, 6, 8)));
    assert.ok(!verifyConsistency(6, 8, ROOTS[6]!, ROOTS[8]!, []));
    assert.throws(() => consistencyProof(BIG, 5, 3), RangeError);
  });
});
