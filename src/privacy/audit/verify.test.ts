import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { chainRecord, recordHash, type AuditInput, type AuditRecord } from "./chain.ts";
import { signTreeHead, type SignedTreeHead } from "./heads.ts";
import { MerkleFrontier, inclusionProof } from "./merkle.ts";
import { AuditVerifier, verifyAudit, verifyRecordInclusion, type AuditVerdict } from "./verify.ts";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ed25519");

const input = (i: number): AuditInput => ({
  actor: i % 3 === 0 ? "alice@analyst" : "bob@supervisor",
  action: ["disclosure.request", "disclosure.approve", "pii.reveal"][i % 3]!,
  target: `entity:E${i % 5}`,
  details: { grant: `G${i}`, fields: ["name", "phone"].slice(0, 1 + (i % 2)), n: i },
});

const tsOf = (i: number) => new Date(Date.UTC(2026, 10, 2, 9, 0, 0, i)).toISOString();

/** A log of n records with a signed head after each size in `headSizes` (ascending). */
function buildLog(n: number, headSizes: readonly number[]): { records: AuditRecord[]; heads: SignedTreeHead[] } {
  const records: AuditRecord[] = [];
  const heads: SignedTreeHead[] = [];
  const f = new MerkleFrontier();
  const sizes = new Set(headSizes);
  if (sizes.has(0)) heads.push(signTreeHead(privateKey, 0, f.root().toString("hex"), 1_000));
  for (let i = 0; i < n; i++) {
    const r = chainRecord(records[i - 1] ?? null, input(i), tsOf(i));
    records.push(r);
    f.push(Buffer.from(r.hash, "hex"));
    if (sizes.has(i + 1)) heads.push(signTreeHead(privateKey, i + 1, f.root().toString("hex"), 1_000 + i + 1));
  }
  return { records, heads };
}

/** Re-chains records from position `from` on (what an attacker with write access but no signing key can do). */
function rehash(records: AuditRecord[], from: number): AuditRecord[] {
  const out = records.slice(0, from);
  for (let i = from; i < records.length; i++) {
    const r = records[i]!;
    const prevHash = i === 0 ? "0".repeat(64) : out[i - 1]!.hash;
    const body = { seq: i, ts: r.ts, actor: r.actor, action: r.action, target: r.target, details: r.details };
    out.push({ ...body, prevHash, hash: recordHash(prevHash, body) });
  }
  return out;
}

function bad(v: AuditVerdict) {
  assert.equal(v.ok, false, "expected tampering to be detected");
  if (v.ok) throw new Error("unreachable");
  assert.ok(v.firstBad.reason.length > 0);
  return v.firstBad;
}

/** n records and heads at some sizes, always one at n (so even the last record is covered). */
const logArb = fc
  .integer({ min: 1, max: 40 })
  .chain((n) => fc.record({ n: fc.constant(n), marks: fc.array(fc.boolean(), { minLength: n, maxLength: n }) }))
  .map(({ n, marks }) => ({ n, headSizes: [...marks.flatMap((m, i) => (m && i + 1 < n ? [i + 1] : [])), n] }));

describe("verifyAudit: an intact log", () => {
  it("passes, with and without heads, and reports how far it is signed", () => {
    const { records, heads } = buildLog(25, [0, 5, 10, 25]);
    // A second head over the same size, signed a little later (a liveness re-signing).
    heads.splice(3, 0, signTreeHead(privateKey, 10, heads[2]!.rootHash, heads[2]!.timestamp + 1));
    assert.deepEqual(verifyAudit(records, heads, publicKey), { ok: true, records: 25, heads: 5, signedThrough: 25 });
    assert.deepEqual(verifyAudit(records, [], publicKey), { ok: true, records: 25, heads: 0, signedThrough: 0 });
    assert.deepEqual(verifyAudit([], [], publicKey), { ok: true, records: 0, heads: 0, signedThrough: 0 });
    // Records after the last head are fine (covered by the chain only).
    assert.deepEqual(verifyAudit(records, heads.slice(0, 3), publicKey), { ok: true, records: 25, heads: 3, signedThrough: 10 });
  });

  it("accepts heads signed by any trusted key (key rotation) and refuses an untrusted one", () => {
    const { records, heads } = buildLog(6, [3, 6]);
    const h6 = signTreeHead(other.privateKey, heads[1]!.treeSize, heads[1]!.rootHash, heads[1]!.timestamp);
    assert.equal(verifyAudit(records, [heads[0]!, h6], [publicKey, other.publicKey]).ok, true);
    assert.deepEqual(bad(verifyAudit(records, [heads[0]!, h6], publicKey)), {
      code: "head_signature",
      seq: 3,
      head: 1,
      reason: "tree head #1 (size 6): signature does not verify under the audit public key; the head was altered or forged",
    });
  });
});

describe("verifyAudit: tampering is detected at the right place (properties)", () => {
  it("altering any field of any single record", () => {
    const fields = ["actor", "action", "target", "details", "ts", "hash", "prevHash", "seq"] as const;
    fc.assert(
      fc.property(logArb, fc.nat(), fc.constantFrom(...fields), ({ n, headSizes }, pick, field) => {
        const { records, heads } = buildLog(n, headSizes);
        const p = pick % n;
        const r = records[p]!;
        const changed: Record<(typeof fields)[number], AuditRecord> = {
          actor: { ...r, actor: r.actor + "x" },
          action: { ...r, action: "pii.export" },
          target: { ...r, target: "entity:E999" },
          details: { ...r, details: { ...r.details, n: -1 } },
          ts: { ...r, ts: tsOf(999_999) },
          hash: { ...r, hash: (r.hash[0] === "a" ? "b" : "a") + r.hash.slice(1) },
          prevHash: { ...r, prevHash: "f".repeat(64) },
          seq: { ...r, seq: r.seq + 1000 },
        };
        records[p] = changed[field];
        const f = bad(verifyAudit(records, heads, publicKey));
        assert.equal(f.seq, p);
        assert.equal(f.code, field === "seq" ? "seq_mismatch" : field === "prevHash" ? "prev_hash_mismatch" : "hash_mismatch");
      }),
      { numRuns: 200 },
    );
  });

  it("deleting any single record", () => {
    fc.assert(
      fc.property(logArb, fc.nat(), ({ n, headSizes }, pick) => {
        const { records, heads } = buildLog(n, headSizes);
        const p = pick % n;
        records.splice(p, 1);
        const f = bad(verifyAudit(records, heads, publicKey));
        assert.equal(f.seq, p);
        // The last record leaves no gap: only the head over it shows it is gone.
        assert.equal(f.code, p === n - 1 ? "head_beyond_log" : "seq_mismatch");
      }),
      { numRuns: 200 },
    );
  });

  it("reordering: swapping two records, or moving one", () => {
    fc.assert(
      fc.property(logArb, fc.nat(), fc.nat(), fc.boolean(), ({ n, headSizes }, a, b, swap) => {
        fc.pre(n >= 2);
        const { records, heads } = buildLog(n, headSizes);
        const p = a % n;
        let q = b % n;
        if (q === p) q = (p + 1) % n;
        if (swap) {
          [records[p], records[q]] = [records[q]!, records[p]!];
        } else {
          const [moved] = records.splice(p, 1);
          records.splice(q, 0, moved!);
        }
        const f = bad(verifyAudit(records, heads, publicKey));
        assert.equal(f.seq, Math.min(p, q));
        assert.equal(f.code, "seq_mismatch");
      }),
      { numRuns: 200 },
    );
  });

  it("inserting a record: a forged one at its own position, a well-formed one at the next link", () => {
    fc.assert(
      fc.property(logArb, fc.nat(), fc.boolean(), ({ n, headSizes }, pick, wellFormed) => {
        const { records, heads } = buildLog(n, headSizes);
        const p = pick % n;
        const forged = chainRecord(records[p - 1] ?? null, { actor: "mallory@admin", action: "pii.reveal", target: "entity:E1", details: {} }, tsOf(p));
        records.splice(p, 0, wellFormed ? forged : { ...forged, hash: "0".repeat(64) });
        const f = bad(verifyAudit(records, heads, publicKey));
        if (!wellFormed) {
          assert.equal(f.seq, p);
          assert.equal(f.code, "hash_mismatch");
        } else if (f.code === "head_root_mismatch") {
          // A head over exactly p + 1 records is checked before the next record is read.
          assert.equal(heads[f.head!]!.treeSize, p + 1);
          assert.ok(f.seq <= p);
        } else {
          assert.equal(f.seq, p + 1);
          assert.equal(f.code, "seq_mismatch");
        }
      }),
      { numRuns: 200 },
    );
  });

  it("rewriting a record and re-hashing everything after it is caught by the first signed head over it", () => {
    fc.assert(
      fc.property(logArb, fc.nat(), ({ n, headSizes }, pick) => {
        const { records, heads } = buildLog(n, headSizes);
        const p = pick % n;
        records[p] = { ...records[p]!, details: { rewritten: true } };
        const f = bad(verifyAudit(rehash(records, p), heads, publicKey));
        assert.equal(f.code, "head_root_mismatch");
        const h = heads.findIndex((x) => x.treeSize > p);
        assert.equal(f.head, h);
        const lastGood = heads.slice(0, h).reduce((s, x) => Math.max(s, x.treeSize), 0);
        assert.equal(f.seq, lastGood);
        assert.ok(f.seq <= p && p < heads[h]!.treeSize, "the rewritten record lies in the reported range");
      }),
      { numRuns: 200 },
    );
  });

  it("altering any field of any single tree head", () => {
    const fields = ["treeSize", "rootHash", "timestamp", "signature"] as const;
    fc.assert(
      fc.property(logArb, fc.nat(), fc.constantFrom(...fields), fc.integer({ min: 1, max: 50 }), ({ n, headSizes }, pick, field, delta) => {
        const { records, heads } = buildLog(n, headSizes);
        const h = pick % heads.length;
        const x = heads[h]!;
        const sig = Buffer.from(x.signature, "base64");
        sig[delta % 64]! ^= 1;
        const changed: Record<(typeof fields)[number], SignedTreeHead> = {
          treeSize: { ...x, treeSize: x.treeSize + delta },
          rootHash: { ...x, rootHash: (x.rootHash[0] === "a" ? "b" : "a") + x.rootHash.slice(1) },
          timestamp: { ...x, timestamp: x.timestamp + delta },
          signature: { ...x, signature: sig.toString("base64") },
        };
        heads[h] = changed[field];
        const f = bad(verifyAudit(records, heads, publicKey));
        assert.equal(f.head, h);
        assert.ok(["head_signature", "head_order"].includes(f.code), f.code);
      }),
      { numRuns: 200 },
    );
  });

  it("reordered heads do not hide record tampering, and the first of two faults wins", () => {
    fc.assert(
      fc.property(logArb, fc.nat(), fc.nat(), ({ n, headSizes }, a, b) => {
        fc.pre(n >= 2);
        const { records, heads } = buildLog(n, headSizes);
        const p = a % n;
        const q = p + 1 + (b % (n - p)); // q > p, possibly n (no second fault)
        records[p] = { ...records[p]!, target: "entity:X" };
        if (q < n) records[q] = { ...records[q]!, target: "entity:Y" };
        const f = bad(verifyAudit(records, heads.reverse(), publicKey));
        // Reversed heads put the largest first: it is only checked after the records before it,
        // so the record fault at p (< n) is found first.
        assert.equal(f.seq, p);
        assert.equal(f.code, "hash_mismatch");
      }),
      { numRuns: 150 },
    );
  });
});

describe("verifyAudit: heads", () => {
  it("reports heads out of order and malformed heads", () => {
    const { records, heads } = buildLog(10, [4, 8]);
    const swapped = bad(verifyAudit(records, [heads[1]!, heads[0]!], publicKey));
    assert.deepEqual([swapped.code, swapped.head, swapped.seq], ["head_order", 1, 8]);
    const { records: r2, heads: h2 } = buildLog(10, [4, 8]);
    const back = signTreeHead(privateKey, 8, h2[1]!.rootHash, 1); // earlier than head #0
    assert.equal(bad(verifyAudit(r2, [h2[0]!, back], publicKey)).code, "head_order");
    const m = bad(verifyAudit(records, [heads[0]!, { ...heads[1]!, rootHash: "xyz" }], publicKey));
    assert.deepEqual([m.code, m.head, m.seq], ["head_malformed", 1, 4]);
  });

  it("reports a malformed record by position, without echoing its contents", () => {
    const { records, heads } = buildLog(5, [5]);
    const broken = [...records];
    broken[2] = { ...records[2]!, details: "PERSONAL-CANARY" as unknown as AuditRecord["details"] };
    const f = bad(verifyAudit(broken, heads, publicKey));
    assert.deepEqual([f.code, f.seq], ["malformed", 2]);
    assert.ok(!f.reason.includes("CANARY"));
    broken[2] = null as unknown as AuditRecord;
    assert.equal(bad(verifyAudit(broken, heads, publicKey)).code, "malformed");
  });

  it("the streaming verifier stops at the first fault and keeps reporting it", () => {
    const { records, heads } = buildLog(6, [6]);
    records[1] = { ...records[1]!, actor: "x" };
    const v = new AuditVerifier(heads, publicKey);
    assert.equal(v.push(records[0]), null);
    const f = v.push(records[1]);
    assert.equal(f?.seq, 1);
    assert.equal(v.push(records[2]), f);
    assert.deepEqual(v.finish(), { ok: false, firstBad: f });
  });
});

describe("verifyRecordInclusion", () => {
  it("proves a record is in a signed head, and refuses a wrong record, head or path", () => {
    const { records, heads } = buildLog(13, [13]);
    const head = heads[0]!;
    const leaves = records.map((r) => Buffer.from(r.hash, "hex"));
    for (const r of records) {
      const proof = { leafIndex: r.seq, treeSize: 13, path: inclusionProof(leaves, r.seq, 13).map((b) => b.toString("hex")) };
      assert.deepEqual(verifyRecordInclusion(r, proof, head, publicKey), { ok: true });
      assert.equal(verifyRecordInclusion({ ...r, target: "entity:Z" }, proof, head, publicKey).ok, false);
      assert.equal(verifyRecordInclusion(r, proof, { ...head, timestamp: head.timestamp + 1 }, publicKey).ok, false);
      assert.equal(verifyRecordInclusion(r, proof, head, other.publicKey).ok, false);
      if (proof.path.length > 0) {
        const path = [...proof.path];
        path[0] = "0".repeat(64);
        assert.equal(verifyRecordInclusion(r, { ...proof, path }, head, publicKey).ok, false);
      }
    }
    const proof5 = { leafIndex: 5, treeSize: 13, path: inclusionProof(leaves, 5, 13).map((b) => b.toString("hex")) };
    assert.match((verifyRecordInclusion(records[6]!, proof5, head, publicKey) as { reason: string }).reason, /position 5, record has seq 6/);
  });
});
