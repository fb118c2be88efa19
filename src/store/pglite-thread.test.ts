// PGlite on its own thread behaves as PGlite on this one: statements, transactions that commit or roll
// back as a whole, PostgreSQL's error codes, the data-directory lock (a KanshiError again on this
// side), the store on top of it, and a clear `unavailable` once the thread is gone.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isKanshiError } from "../contracts/errors.ts";
import { migrate } from "./migrations.ts";
import type { PgliteDatabase } from "./pglite-db.ts";
import { openPgliteOnThread } from "./pglite-thread.ts";
import { createSqlStore } from "./sql-store.ts";

describe("PGlite on a worker thread", () => {
  let root: string;
  let db: PgliteDatabase;
  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), "kanshi-thread-test-"));
    db = await openPgliteOnThread({ dataDir: path.join(root, "data") });
    await db.exec("CREATE TABLE t (k text PRIMARY KEY, n int8 NOT NULL, b bytea)");
  });
  after(async () => {
    await db.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("runs statements with parameters and returns rows with their values", async () => {
    await db.query("INSERT INTO t (k, n, b) VALUES ($1, $2, $3)", ["a", 1, new Uint8Array([1, 2, 3])]);
    const rows = await db.query<{ k: string; n: unknown; b: Uint8Array }>("SELECT k, n, b FROM t WHERE k = $1", ["a"]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.k, "a");
    assert.equal(Number(rows[0]!.n), 1);
    assert.deepEqual([...rows[0]!.b], [1, 2, 3]);
  });

  it("commits a transaction whole, and rolls it back whole when its function throws", async () => {
    const got = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO t (k, n) VALUES ('b', 2)");
      await tx.query("INSERT INTO t (k, n) VALUES ('c', 3)");
      return "done";
    });
    assert.equal(got, "done");
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO t (k, n) VALUES ('d', 4)");
        throw new Error("changed my mind");
      }),
      /changed my mind/,
    );
    const keys = (await db.query<{ k: string }>("SELECT k FROM t ORDER BY k")).map((r) => r.k);
    assert.deepEqual(keys, ["a", "b", "c"]);
  });

  it("passes PostgreSQL's error code through, and a failed statement aborts its transaction", async () => {
    await assert.rejects(db.query("INSERT INTO t (k, n) VALUES ('a', 9)"), (e: unknown) => (e as { code?: string }).code === "23505");
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO t (k, n) VALUES ('e', 5)");
        await tx.query("INSERT INTO t (k, n) VALUES ('a', 9)");
      }),
      (e: unknown) => (e as { code?: string }).code === "23505",
    );
    assert.equal((await db.query("SELECT 1 FROM t WHERE k = 'e'")).length, 0);
  });

  it("keeps concurrent statements apart from an open transaction", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (q) => {
      await q.query("INSERT INTO t (k, n) VALUES ('f', 6)");
      await held;
    });
    // Waits for the transaction (one connection), then sees its committed row.
    const outside = db.query<{ n: unknown }>("SELECT count(*) AS n FROM t WHERE k = 'f'");
    release();
    await tx;
    assert.equal(Number((await outside)[0]!.n), 1);
  });

  it("refuses a second open of the same directory with the KanshiError PGlite gives", async () => {
    await assert.rejects(openPgliteOnThread({ dataDir: path.join(root, "data") }), (e: unknown) => isKanshiError(e) && e.kind === "unavailable" && /in use/.test(e.message));
  });

  it("carries the store: events appended on the thread are read back", async () => {
    const dir = path.join(root, "store");
    const sdb = await openPgliteOnThread({ dataDir: dir });
    try {
      await migrate(sdb);
      const store = createSqlStore(sdb);
      const ts = "2024-04-01T00:00:00.000Z";
      const batch = [1, 2, 3].map((i) => ({ source: "ex", id: `e${i}`, type: "deposit", time: Date.parse(ts), ts, body: JSON.stringify({ id: `e${i}` }) }));
      assert.deepEqual(await store.appendEvents(batch), ["accepted", "accepted", "accepted"]);
      assert.deepEqual(await store.appendEvents(batch.slice(0, 1)), ["duplicate"]);
      const ids: string[] = [];
      for await (const page of store.scanEvents({ order: "ingest" })) ids.push(...page.map((e) => e.id));
      assert.deepEqual(ids, ["e1", "e2", "e3"]);
    } finally {
      await sdb.close();
    }
  });

  it("fails every later call with `unavailable` once the thread is gone", async () => {
    const other = await openPgliteOnThread({});
    await other.close();
    await assert.rejects(other.query("SELECT 1"), (e: unknown) => isKanshiError(e) && e.kind === "unavailable");
  });
});
