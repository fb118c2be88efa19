// PGlite on disk: a data directory is created, locked, durable, survives reopening; a failed batch
// leaves nothing; migrations extend and refuse what they must. One data directory serves the whole
// file (each PGlite start costs about a second).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isKanshiError } from "../contracts/errors.ts";
import { MIGRATIONS, migrate, type Migration } from "./migrations.ts";
import { openStore } from "./open.ts";
import { acquireLock, openPgliteDb, type PgliteDatabase } from "./pglite-db.ts";
import type { Store, StoredEventInput } from "./ports.ts";
import type { SqlDatabase, SqlQueryable } from "./sql.ts";
import { APPEND_CHUNK, createSqlStore } from "./sql-store.ts";

const T0 = Date.UTC(2024, 3, 1);
const ev = (id: string, time = T0, type = "deposit"): StoredEventInput => {
  const ts = new Date(time).toISOString();
  return { source: "ex", id, type, time, ts, body: JSON.stringify({ id, ts, source: "ex", type }) };
};

async function lastSeq(store: Store): Promise<number> {
  let seq = 0;
  for await (const page of store.scanEvents({ order: "ingest" })) seq = page[page.length - 1]!.seq;
  return seq;
}

describe("PGlite data directory", () => {
  let root: string;
  let dataDir: string;
  /** The directory reopened after the first test; the later tests work on it. */
  let db: PgliteDatabase | undefined;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "kanshi-store-test-"));
    dataDir = path.join(root, "data");
  });
  after(async () => {
    await db?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("is created whole, commits durably, refuses a second open, and keeps everything across reopen", async () => {
    const first = await openPgliteDb({ dataDir });
    const store = createSqlStore(first);
    const events = Array.from({ length: 50 }, (_, i) => ev(`e${i}`, T0 + i, i % 2 ? "trade" : "deposit"));
    let seqBefore: number;
    try {
      await migrate(first);
      assert.deepEqual(readdirSync(dataDir).sort(), ["pgdata", "store.lock"], "no half-made directory left behind");

      // Durable commits: PostgreSQL runs with fsync on, and a commit reaches fsync(2) on the host.
      const [settings] = await first.query("SELECT current_setting('fsync') AS fsync, current_setting('wal_sync_method') AS method");
      assert.deepEqual(settings, { fsync: "on", method: "fsync" });
      let calls = 0;
      const original = fs.fsyncSync;
      fs.fsyncSync = (fd) => {
        calls++;
        original(fd);
      };
      syncBuiltinESMExports();
      try {
        for (let b = 0; b < 5; b++) await store.appendEvents(events.slice(b * 10, b * 10 + 10));
      } finally {
        fs.fsyncSync = original;
        syncBuiltinESMExports();
      }
      assert.ok(calls >= 5, `expected an fsync per commit, saw ${calls}`);

      await store.saveAlerts([
        {
          id: "al_keep", typology: "structuring", typologyVersion: "1", configVersion: "1", ts: "2024-04-01T09:00:00+09:00",
          subject: { kind: "account", id: "acc-1" }, accounts: ["acc-1"], score: 42, evidence: ["ex:e1"], explanation: "synthetic",
        },
      ]);
      await store.setMeta("demo.seeded", "yes");
      seqBefore = await lastSeq(store);

      await assert.rejects(openStore({ dataDir }), (e: unknown) => {
        assert.ok(isKanshiError(e));
        assert.equal(e.kind, "unavailable");
        assert.match(e.message, new RegExp(`in use by process ${process.pid}`));
        return true;
      });
    } finally {
      await store.close();
    }

    const again = await openStore({ dataDir });
    try {
      assert.equal(await again.countEvents(), 50);
      assert.deepEqual(await again.countEventsByType(), { deposit: 25, trade: 25 });
      const bodies: string[] = [];
      for await (const page of again.scanEvents()) bodies.push(...page.map((e) => e.body));
      assert.deepEqual(bodies, events.map((e) => e.body));
      assert.equal((await again.listAlerts({})).items[0]?.id, "al_keep");
      assert.equal(await again.getMeta("demo.seeded"), "yes");
      assert.deepEqual(await again.appendEvents([ev("e0"), ev("e50")]), ["duplicate", "accepted"]);
      assert.ok((await lastSeq(again)) > seqBefore, "seq keeps increasing across reopen");
    } finally {
      await again.close();
    }
    db = await openPgliteDb({ dataDir });
    await migrate(db);
  });

  it("locks a data directory: refuses a live owner, takes over from one that is gone", () => {
    const dir = path.join(root, "lockfile");
    mkdirSync(dir);
    const lock = path.join(dir, "store.lock");
    const release = acquireLock(dir);
    assert.throws(() => acquireLock(dir), (e: unknown) => isKanshiError(e) && e.kind === "unavailable" && /in use by process/.test(e.message));
    release();
    assert.equal(existsSync(lock), false);

    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    assert.ok(dead);
    writeFileSync(lock, `${dead} 1\n`);
    const r2 = acquireLock(dir);
    assert.match(readFileSync(lock, "utf8"), new RegExp(`^${process.pid} `));
    r2();
    // Our own pid with another start time: a previous process that had our pid (a restarted
    // container's pid 1), not us.
    writeFileSync(lock, `${process.pid} 1\n`);
    const r3 = acquireLock(dir);
    // Releasing leaves a lock that is no longer ours alone.
    writeFileSync(lock, "999999999 1\n");
    r3();
    assert.equal(existsSync(lock), true);
  });

  it("rolls back every statement of a batch when a later one fails", async () => {
    assert.ok(db);
    const real = db;
    let armed = true;
    let appendStatements = 0;
    const faulty: SqlDatabase = {
      ...real,
      transaction: (fn) =>
        real.transaction((tx) => {
          const wrapped: SqlQueryable = {
            exec: (s) => tx.exec(s),
            query: (text, params) => {
              if (armed && text.includes("INSERT INTO events") && ++appendStatements === 2) {
                return Promise.reject(new Error("injected failure in the second statement"));
              }
              return tx.query(text, params);
            },
          };
          return fn(wrapped);
        }),
      close: async () => undefined, // the describe's after() closes the real one
    };
    const store = createSqlStore(faulty);
    const before = await store.countEvents();
    const batch = Array.from({ length: APPEND_CHUNK * 2 + 10 }, (_, i) => ev(`rb${i}`, T0 + i));
    await assert.rejects(store.appendEvents(batch, { atomic: true }), /injected failure/);
    assert.equal(appendStatements, 2, "the first statement ran before the failure");
    armed = false;
    assert.equal(await store.countEvents(), before);
    const [row] = await real.query("SELECT count(*)::int AS n FROM events WHERE id LIKE 'rb%'");
    assert.equal(row?.n, 0, "none of the batch is stored");
    assert.deepEqual(await store.appendEvents(batch.slice(0, 3)), ["accepted", "accepted", "accepted"]);
  });

  // Last: it leaves the directory at a schema version the code does not know.
  it("migrations apply once, extend by appending, and refuse an edited, a newer or an out-of-order set", async () => {
    assert.ok(db);
    const last = MIGRATIONS.at(-1)!.version;
    assert.deepEqual(await migrate(db), { applied: [], version: last });
    const extra: Migration = { version: last + 50, name: "extra", up: "CREATE TABLE extra (x int)" };
    assert.deepEqual(await migrate(db, [...MIGRATIONS, extra]), { applied: [extra.version], version: extra.version });
    assert.deepEqual(await migrate(db, [...MIGRATIONS, extra]), { applied: [], version: extra.version });
    // A number handed out earlier whose migration lands later is applied when it arrives.
    const early: Migration = { version: last + 10, name: "early", up: "CREATE TABLE early (x int)" };
    assert.deepEqual(await migrate(db, [...MIGRATIONS, early, extra]), { applied: [early.version], version: extra.version });
    const rows = await db.query("SELECT version, name FROM schema_migrations ORDER BY version");
    assert.deepEqual(rows.map((r) => [Number(r.version), r.name]), [...MIGRATIONS, early, extra].map((m) => [m.version, m.name]));

    await assert.rejects(migrate(db), (e: unknown) => isKanshiError(e) && e.kind === "unavailable" && /does not know/.test(e.message));
    const edited = MIGRATIONS.map((m) => (m.version === 2 ? { ...m, up: `${m.up}\n-- edited` } : m));
    await assert.rejects(migrate(db, [...edited, early, extra]), /migration 2 \(alerts\) differs/);
    await assert.rejects(migrate(db, [MIGRATIONS[1]!, MIGRATIONS[0]!]), /version 1 must be an integer greater than 2/);

    const broken: Migration = { version: extra.version + 1, name: "broken", up: "CREATE TABLE half (x int); SELECT no_such_function();" };
    await assert.rejects(migrate(db, [...MIGRATIONS, early, extra, broken]), /no_such_function/);
    const [half] = await db.query("SELECT to_regclass('half') AS t");
    assert.equal(half?.t, null, "a failed migration leaves nothing behind");
    assert.deepEqual(await migrate(db, [...MIGRATIONS, early, extra]), { applied: [], version: extra.version });
  });
});
