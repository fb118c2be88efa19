import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { ingestBatch, ingestLines, describeRejection, type EventAppender, type Rejection } from "./ingest.ts";
import { readLines } from "./lines.ts";

/** An in-memory event log with the store's idempotency semantics, for testing the ingest use case alone. */
function memoryAppender(): EventAppender & { keys: string[] } {
  const seen = new Set<string>();
  const keys: string[] = [];
  return {
    keys,
    async appendEvents(batch) {
      return batch.map((e) => {
        const k = `${e.source}:${e.id}`;
        if (seen.has(k)) return "duplicate";
        seen.add(k);
        keys.push(k);
        return "accepted";
      });
    },
  };
}

const dep = (id: string, amount: unknown = "1000") =>
  ({ id, type: "deposit", ts: "2026-11-02T10:00:00+09:00", source: "bitflyer", accountId: "acc-1", asset: "JPY", amount, channel: "bank" });

describe("readLines", () => {
  it("numbers lines, skips blank ones, handles CRLF and a final line without newline", async () => {
    const chunks = ['{"a":1}\r\n\n{"b"', ":2}\n   \n", '{"c":3}'];
    const out = [];
    for await (const l of readLines(Readable.from(chunks))) out.push(l);
    assert.deepEqual(out, [{ no: 1, text: '{"a":1}' }, { no: 3, text: '{"b":2}' }, { no: 5, text: '{"c":3}' }]);
  });
  it("decodes multi-byte UTF-8 split across chunks", async () => {
    const buf = Buffer.from('{"name":"山田太郎"}\n');
    const out = [];
    for await (const l of readLines(Readable.from([buf.subarray(0, 11), buf.subarray(11)]))) out.push(l.text);
    assert.deepEqual(out, ['{"name":"山田太郎"}']);
  });
});

describe("ingestLines", () => {
  it("stores the good lines, reports each bad line with its number, path and reason, and counts duplicates", async () => {
    const store = memoryAppender();
    const text = [dep("1"), dep("2", 12.5), "{not json", dep("3"), dep("1")].map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join("\n");
    const rejects: Rejection[] = [];
    const counts = await ingestLines(store, readLines(Readable.from([text])), { batchSize: 2, onReject: (r) => rejects.push(r) });
    assert.deepEqual(counts, { accepted: 2, duplicate: 1, rejected: 2 });
    assert.deepEqual(store.keys, ["bitflyer:1", "bitflyer:3"]);
    assert.equal(describeRejection(rejects[0]!), "line 2: amount: expected a decimal string");
    assert.match(describeRejection(rejects[1]!), /^line 3: not valid JSON/);
  });
  it("reads gzip input through openInput's decompressor", async () => {
    const { createGunzip } = await import("node:zlib");
    const gz = gzipSync(Buffer.from(JSON.stringify(dep("9")) + "\n"));
    const store = memoryAppender();
    const counts = await ingestLines(store, readLines(Readable.from([gz]).pipe(createGunzip())));
    assert.equal(counts.accepted, 1);
  });
});

describe("ingestBatch", () => {
  it("answers every event: accepted, duplicate, or rejected with events[i].path", async () => {
    const store = memoryAppender();
    const r = await ingestBatch(store, [dep("1"), dep("1"), dep("2", "-5"), { type: "nope" }]);
    assert.equal(r.accepted, 1);
    assert.equal(r.duplicate, 1);
    assert.equal(r.rejected, 2);
    assert.deepEqual(r.results[0], { index: 0, status: "accepted", key: "bitflyer:1" });
    assert.deepEqual(r.results[1], { index: 1, status: "duplicate", key: "bitflyer:1" });
    assert.deepEqual(r.results[2], { index: 2, status: "rejected", errors: [{ path: "events[2].amount", message: "must be greater than zero" }] });
    assert.equal(r.results[3]?.status, "rejected");
  });
  it("atomic: one bad event means nothing is stored", async () => {
    const store = memoryAppender();
    const r = await ingestBatch(store, [dep("1"), dep("2", "x")], { atomic: true });
    assert.equal(r.accepted, 0);
    assert.deepEqual(store.keys, []);
    assert.equal(r.results[0]?.status, "not_stored");
  });
  it("refuses an empty batch", async () => {
    await assert.rejects(ingestBatch(memoryAppender(), []), /no events/);
  });
});
