import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { KanshiError, isKanshiError } from "../../contracts/errors.ts";
import { GENESIS_HASH, chainRecord, type AuditInput, type AuditRecord } from "./chain.ts";
import { AuditTrail, InMemoryAuditLog, type AuditLog } from "./log.ts";
import { verifyAudit, verifyAuditLog, verifyHeadConsistency, verifyRecordInclusion } from "./verify.ts";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);

const ev = (i: number, action = "pii.reveal"): AuditInput => ({ actor: `p${i % 4}@analyst`, action, target: `entity:E${i}`, details: { field: "name", grant: `G${i}` } });

function clock(start = T0) {
  let t = start;
  const now = () => t;
  return { now, set: (x: number) => (t = x), tick: (d = 1) => (t += d) };
}

describe("chainRecord", () => {
  it("starts from the genesis hash and links each record to the previous", () => {
    const a = chainRecord(null, ev(0), new Date(T0).toISOString());
    assert.equal(a.seq, 0);
    assert.equal(a.prevHash, GENESIS_HASH);
    const b = chainRecord(a, ev(1), new Date(T0).toISOString());
    assert.equal(b.seq, 1);
    assert.equal(b.prevHash, a.hash);
    assert.notEqual(a.hash, b.hash);
    assert.match(a.hash, /^[0-9a-f]{64}$/);
  });

  it("keeps its own copy of details", () => {
    const details: Record<string, unknown> = { grant: "G1", fields: ["name"] };
    const r = chainRecord(null, { actor: "a", action: "pii.reveal", target: "entity:E1", details: details as AuditInput["details"] }, new Date(T0).toISOString());
    (details.fields as string[]).push("phone");
    details.grant = "G2";
    assert.deepEqual(r.details, { fields: ["name"], grant: "G1" });
    assert.equal(verifyAudit([r], [], publicKey).ok, true);
  });

  it("rejects bad input naming the field", () => {
    const ts = new Date(T0).toISOString();
    const cases: Array<[AuditInput, RegExp]> = [
      [{ ...ev(0), actor: "" }, /audit input.actor: must be a string of 1–256 characters/],
      [{ ...ev(0), action: "Reveal PII" }, /audit input.action: must be dotted lower case/],
      [{ ...ev(0), target: "x".repeat(300) }, /audit input.target/],
      [{ ...ev(0), details: [] as unknown as AuditInput["details"] }, /audit input.details: must be a JSON object/],
      [{ ...ev(0), details: { amount: 5n } as unknown as AuditInput["details"] }, /audit input.details.amount: a bigint is not JSON/],
    ];
    for (const [input, re] of cases) assert.throws(() => chainRecord(null, input, ts), re);
    assert.throws(() => chainRecord(null, ev(0), "2026-11-02 00:00"), /audit record.ts: must be RFC 3339 UTC/);
  });
});

describe("InMemoryAuditLog", () => {
  it("appends only records that continue the log, atomically", async () => {
    const log = new InMemoryAuditLog();
    const a = chainRecord(null, ev(0), new Date(T0).toISOString());
    const b = chainRecord(a, ev(1), new Date(T0).toISOString());
    await log.append([a]);
    await assert.rejects(log.append([a]), (e: unknown) => isKanshiError(e) && e.kind === "conflict");
    await assert.rejects(log.append([b, { ...b, seq: 3 }]), /expected seq 2, got 3/);
    assert.equal(await log.size(), 1);
    await log.append([b]);
    assert.deepEqual((await log.read(0, 10)).map((r) => r.seq), [0, 1]);
    await assert.rejects(log.read(2, 1), /audit read: bad range/);
  });

  it("hands out copies: changing what read() returned changes nothing stored", async () => {
    const log = new InMemoryAuditLog();
    await log.append([chainRecord(null, ev(0), new Date(T0).toISOString())]);
    const [r] = await log.read(0, 1);
    (r as { actor: string }).actor = "mallory";
    assert.equal((await log.read(0, 1))[0]!.actor, "p0@analyst");
  });
});

describe("AuditTrail", () => {
  it("appends batches with a signed head each, and the log verifies", async () => {
    const log = new InMemoryAuditLog();
    const c = clock();
    const trail = new AuditTrail({ log, signingKey: privateKey, now: c.now });
    const b1 = await trail.appendBatch([ev(0, "disclosure.request"), ev(1, "disclosure.approve")]);
    c.tick(1000);
    const b2 = await trail.appendBatch([ev(2)]);
    assert.deepEqual(b1.records.map((r) => r.seq), [0, 1]);
    assert.equal(b1.head.treeSize, 2);
    assert.equal(b2.head.treeSize, 3);
    assert.equal(b2.records[0]!.ts, new Date(T0 + 1000).toISOString());
    assert.deepEqual(await verifyAuditLog(log, publicKey), { ok: true, records: 3, heads: 2, signedThrough: 3 });
  });

  it("serialises concurrent appends from one process", async () => {
    const log = new InMemoryAuditLog();
    const trail = new AuditTrail({ log, signingKey: privateKey, now: clock().now });
    const recs = await Promise.all(Array.from({ length: 30 }, (_, i) => trail.append(ev(i))));
    assert.deepEqual(recs.map((r) => r.seq).sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i));
    await trail.signHead();
    assert.equal((await verifyAuditLog(log, publicKey, { pageSize: 7 })).ok, true);
  });

  it("two writers on one log: the loser of a race re-chains and retries", async () => {
    const log = new InMemoryAuditLog();
    const c = clock();
    const a = new AuditTrail({ log, signingKey: privateKey, now: c.now });
    const b = new AuditTrail({ log, signingKey: privateKey, now: c.now });
    for (let i = 0; i < 10; i++) {
      await a.append(ev(i));
      await b.append(ev(100 + i)); // b's view is stale after each of a's appends
    }
    await a.appendBatch([ev(50)]);
    await b.appendBatch([ev(51)]);
    assert.equal(await log.size(), 22);
    assert.deepEqual(await verifyAuditLog(log, publicKey), { ok: true, records: 22, heads: 2, signedThrough: 22 });
  });

  it("gives up after the configured retries when it keeps losing", async () => {
    const inner = new InMemoryAuditLog();
    const hostile: AuditLog = {
      append: async () => {
        throw new KanshiError("conflict", "always");
      },
      read: (f, t) => inner.read(f, t),
      size: () => inner.size(),
      appendHead: (h) => inner.appendHead(h),
      heads: () => inner.heads(),
    };
    const trail = new AuditTrail({ log: hostile, signingKey: privateKey, retries: 2 });
    await assert.rejects(trail.append(ev(0)), /always/);
  });

  it("continues the chain after a restart, and heads never go back in time", async () => {
    const log = new InMemoryAuditLog();
    const c = clock();
    await new AuditTrail({ log, signingKey: privateKey, now: c.now }).appendBatch([ev(0), ev(1), ev(2)]);
    c.set(T0 - 60_000); // the new process's clock is behind
    const again = new AuditTrail({ log, signingKey: privateKey, now: c.now });
    const { records, head } = await again.appendBatch([ev(3)]);
    assert.equal(records[0]!.seq, 3);
    assert.equal(head.timestamp, T0);
    assert.equal((await verifyAuditLog(log, publicKey)).ok, true);
  });

  it("a rejected input leaves the trail usable", async () => {
    const log = new InMemoryAuditLog();
    const trail = new AuditTrail({ log, signingKey: privateKey, now: clock().now });
    await trail.append(ev(0));
    await assert.rejects(trail.append({ ...ev(1), action: "BAD" }), /audit input.action/);
    await assert.rejects(trail.appendBatch([]), /needs at least one record/);
    const r = await trail.append(ev(2));
    assert.equal(r.seq, 1);
    await trail.signHead();
    assert.equal((await verifyAuditLog(log, publicKey)).ok, true);
  });

  it("produces inclusion and consistency proofs a third party can check against signed heads", async () => {
    const log = new InMemoryAuditLog();
    const c = clock();
    const trail = new AuditTrail({ log, signingKey: privateKey, now: c.now });
    const { head: h5 } = await trail.appendBatch([0, 1, 2, 3, 4].map((i) => ev(i)));
    c.tick();
    const { head: h11 } = await trail.appendBatch([5, 6, 7, 8, 9, 10].map((i) => ev(i)));
    const all: AuditRecord[] = await log.read(0, 11);
    for (const r of all) {
      const p = await trail.inclusionProof(r.seq, 11);
      assert.deepEqual(verifyRecordInclusion(r, p, h11, publicKey), { ok: true }, `seq ${r.seq}`);
    }
    const p3 = await trail.inclusionProof(3, 5);
    assert.deepEqual(verifyRecordInclusion(all[3]!, p3, h5, publicKey), { ok: true });
    assert.equal(verifyRecordInclusion(all[3]!, p3, h11, publicKey).ok, false);
    const cp = await trail.consistencyProof(5, 11);
    assert.deepEqual(verifyHeadConsistency(h5, h11, cp, publicKey), { ok: true });
    assert.equal(verifyHeadConsistency(h5, { ...h11, rootHash: h5.rootHash }, cp, publicKey).ok, false);
    await assert.rejects(trail.inclusionProof(11, 11), /inclusion proof seq: must be from 0 to 10/);
    await assert.rejects(trail.consistencyProof(6, 5), /consistency proof m/);
  });

  it("verifyAuditLog finds tampering behind the port, page by page", async () => {
    const log = new InMemoryAuditLog();
    const trail = new AuditTrail({ log, signingKey: privateKey, now: clock().now });
    for (let b = 0; b < 5; b++) await trail.appendBatch([0, 1, 2].map((i) => ev(b * 3 + i)));
    const { records, heads } = log.snapshot();
    records[8] = { ...records[8]!, target: "entity:E0" };
    const v = await verifyAuditLog(new InMemoryAuditLog({ records, heads }), publicKey, { pageSize: 4 });
    assert.equal(v.ok, false);
    if (!v.ok) assert.deepEqual([v.firstBad.code, v.firstBad.seq], ["hash_mismatch", 8]);
    const { records: r2, heads: h2 } = log.snapshot();
    const truncated = await verifyAuditLog(new InMemoryAuditLog({ records: r2.slice(0, 13), heads: h2 }), publicKey);
    assert.equal(truncated.ok, false);
    if (!truncated.ok) assert.deepEqual([truncated.firstBad.code, truncated.firstBad.seq], ["head_beyond_log", 13]);
  });

  it("refuses a signing key that is not an Ed25519 private key", () => {
    assert.throws(() => new AuditTrail({ log: new InMemoryAuditLog(), signingKey: publicKey }), /audit trail signingKey/);
  });
});
