import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { BlindIndexer, Keyring } from "../privacy/index.ts";
import { migrate } from "./migrations.ts";
import { openPgliteDb, type PgliteDatabase } from "./pglite-db.ts";
import type { Store, StoredEvent, StoredEventInput } from "./ports.ts";
import type { SqlDatabase, SqlQueryable } from "./sql.ts";
import { compareBytewise, createSqlStore } from "./sql-store.ts";

it("compareBytewise orders strings as their UTF-8 bytes (PostgreSQL's C collation)", () => {
  const sign = (n: number) => Math.sign(n);
  const text = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: fc.constantFrom("a", "Z", "\uE000", "\uFFFF", "\u{10000}", "\u{1F600}", "日", "\u007F", "\u0080") }));
  fc.assert(
    fc.property(text, text, (a, b) => {
      assert.equal(sign(compareBytewise(a, b)), sign(Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"))));
    }),
    { numRuns: 2000 },
  );
  assert.ok(compareBytewise("\uFFFF", "\u{10000}") < 0, "U+FFFF before U+10000, unlike UTF-16 order");
  assert.ok("\uFFFF" > "\u{10000}", "(JavaScript's own order disagrees)");
});

// ---- PGlite: binary parameters and group commit -------------------------------------------------

describe("appendEvents on PGlite", () => {
  let counted: { db: SqlDatabase; raw: PgliteDatabase; appends: () => number };
  before(async () => {
    counted = await countedDb();
  });
  after(async () => {
    await counted.raw.close();
  });

  /** A migrated in-memory PGlite database whose event INSERT statements and transactions are counted. */
  async function countedDb(): Promise<{ db: SqlDatabase; raw: PgliteDatabase; appends: () => number }> {
    const raw = await openPgliteDb({});
    await migrate(raw);
    let appends = 0;
    const counting = (q: SqlQueryable): SqlQueryable => ({
      query: (sql, params) => {
        if (sql.includes("INSERT INTO events")) appends++;
        return q.query(sql, params);
      },
      exec: (sql) => q.exec(sql),
    });
    const db: SqlDatabase = { ...raw, ...counting(raw), transaction: (fn) => raw.transaction((tx) => fn(counting(tx))) };
    return { db, raw, appends: () => appends };
  }

  const ev = (source: string, id: string, time: number, body?: string): StoredEventInput => ({
    source,
    id,
    type: "login",
    time,
    ts: new Date(time).toISOString(),
    body: body ?? JSON.stringify({ source, id, time }),
  });
  const key = (e: { source: string; id: string }) => `${e.source}:${e.id}`;

  /** The events of `source` (all when omitted) in ingest order. */
  async function ingestOrder(store: Store, source?: string): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    for await (const page of store.scanEvents({ order: "ingest" })) out.push(...page.filter((e) => source === undefined || e.source === source));
    return out;
  }

  it("stores any well-formed text and any safe-integer time exactly (binary array parameters)", async () => {
    const store = createSqlStore(counted.db);
    const text = fc.string({ unit: fc.oneof(fc.constantFrom("\"", "\\", "'", "{", "}", ",", "\n", "\t", "\u007F", "\u0080", "日", "\u{1F600}", "\uFFFF", "\u2028"), fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 40 });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ source: text, id: text, type: text, time: fc.oneof(fc.integer(), fc.constantFrom(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, -1, 0, 2 ** 32, -(2 ** 32), 2 ** 32 - 1)), body: fc.string({ unit: "grapheme", minLength: 1, maxLength: 3000 }) }), { minLength: 1, maxLength: 20 }),
        async (raw) => {
          const batch = raw.map((r) => ({ ...r, source: r.source.slice(0, 64), id: `${n++}-${r.id}`.slice(0, 128), type: r.type.slice(0, 64), ts: "2026-11-02T09:00:00+09:00" }));
          const out = await store.appendEvents(batch);
          assert.ok(out.every((o) => o === "accepted"));
          const stored = new Map((await ingestOrder(store)).map((e) => [key(e), e]));
          for (const e of batch) {
            const s = stored.get(key(e));
            assert.ok(s, `stored ${key(e)}`);
            assert.deepEqual({ source: s.source, id: s.id, type: s.type, time: s.time, ts: s.ts, body: s.body }, e);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("writes concurrent appends as one statement, answering each as if they ran one after another", async () => {
    const { db, appends } = counted;
    const store = createSqlStore(db);
    const loginsBefore = (await store.countEventsByType()).login ?? 0;
    await store.appendEvents([ev("gc", "old", 1)]);
    const before = appends();
    const batches = [
      [ev("gc", "a1", 10), ev("gc", "shared", 11), ev("gc", "a2", 12)],
      [ev("gc", "b1", 20), ev("gc", "old", 21), ev("gc", "shared", 22, "{\"second\":true}"), ev("gc", "b1", 23)],
      [ev("gc", "c1", 30), ev("gc", "a2", 31)],
      [ev("gc", "d1", 40)],
    ];
    const outs = await Promise.all(batches.map((b) => store.appendEvents(b)));
    assert.equal(appends() - before, 1, "one INSERT for the four appends");
    assert.deepEqual(outs, [
      ["accepted", "accepted", "accepted"],
      ["accepted", "duplicate", "duplicate", "duplicate"],
      ["accepted", "duplicate"],
      ["accepted"],
    ]);
    const stored = await ingestOrder(store, "gc");
    assert.deepEqual(stored.map((e) => e.id), ["old", "a1", "shared", "a2", "b1", "c1", "d1"], "seq order is arrival order");
    assert.equal(stored.find((e) => e.id === "shared")?.body, JSON.stringify({ source: "gc", id: "shared", time: 11 }), "the first sender's event");
    assert.equal((await store.countEventsByType()).login! - loginsBefore, 7);
  });

  it("writes each batch of a failed group on its own, so one bad batch fails only its caller", async () => {
    const { db, raw, appends } = counted;
    // A failure only the database sees (validation cannot catch it): a trigger refusing one id.
    await raw.exec(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = 'poison' THEN RAISE EXCEPTION 'poisoned event'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_poison();
    `);
    const store = createSqlStore(db);
    const before = appends();
    const results = await Promise.allSettled([
      store.appendEvents([ev("gf", "x1", 1), ev("gf", "x2", 2)]),
      store.appendEvents([ev("gf", "y1", 3), ev("gf", "poison", 4)]),
      store.appendEvents([ev("gf", "z1", 5), ev("gf", "x2", 6)]),
    ]);
    assert.deepEqual(results[0], { status: "fulfilled", value: ["accepted", "accepted"] });
    assert.equal(results[1]?.status, "rejected");
    assert.match(String((results[1] as PromiseRejectedResult).reason), /poisoned event/);
    assert.deepEqual(results[2], { status: "fulfilled", value: ["accepted", "duplicate"] });
    assert.equal(appends() - before, 4, "the group once, then each batch alone");
    assert.deepEqual((await ingestOrder(store, "gf")).map((e) => e.id), ["x1", "x2", "z1"], "nothing of the poisoned batch, everything else once");
    await raw.exec("DROP TRIGGER refuse_poison ON events");
  });

  it("seals each caller's new identity events once when a group shares a key", async () => {
    const { db, appends } = counted;
    const sealing = { keyring: new Keyring([{ kid: "k1", key: randomBytes(32) }]), blindIndexer: new BlindIndexer([{ kid: "b1", key: randomBytes(32) }]), normalize: {} };
    const store = createSqlStore(db, { personalData: sealing });
    const opened = (id: string, name: string): StoredEventInput => {
      const e = { id, type: "account.opened", ts: "2015-01-01T09:00:00+09:00", source: "ex1", accountId: `acc-${id}`, customerType: "individual", kyc: { name, dateOfBirth: "1980-02-03", nationality: "JP", residency: "citizen" } };
      return { source: "ex1", id, type: e.type, time: Date.parse(e.ts), ts: e.ts, body: JSON.stringify(e) };
    };
    const before = appends();
    const outs = await Promise.all([
      store.appendEvents([opened("o-1", "試験 一郎"), opened("o-2", "試験 二郎")]),
      store.appendEvents([opened("o-2", "試験 別人"), opened("o-3", "試験 三郎")]),
    ]);
    assert.equal(appends() - before, 1, "one INSERT for both");
    assert.deepEqual(outs, [["accepted", "accepted"], ["duplicate", "accepted"]]);
    const [row] = await db.query("SELECT count(*)::int4 AS n, count(DISTINCT record_id)::int4 AS d FROM identity_records WHERE tenant = 'ex1'");
    assert.deepEqual(row, { n: 3, d: 3 });
    const stored = await ingestOrder(store, "ex1");
    assert.equal(stored.length, 3);
    for (const e of stored) assert.ok(!e.body.includes("試験"), `${e.id}: the stored body holds no name`);
  });

  it("sends long strings and byte arrays as binary parameters, with the values unchanged", async () => {
    const { raw } = counted;
    const long = `{"k":"${"日本\\\"'\u{1F600}".repeat(400)}"}`;
    const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) % 256);
    const [row] = await raw.query("SELECT $1::text AS t, $2::json::text AS j, $3::bytea AS b, length($1::text) AS n", [long, long, bytes]);
    assert.equal(row?.t, long);
    assert.equal(row?.j, long);
    assert.deepEqual(Buffer.from(row?.b as Uint8Array), Buffer.from(bytes));
    assert.equal(row?.n, [...long].length);
    await assert.rejects(raw.query("SELECT $1::json AS j", [`{"bad": ${"1".repeat(2000)}`]), /json/i, "json is still validated");
  });

  it("answers appends queued when the store is closed before closing the database", async () => {
    // Last: closing the store closes the shared database.
    const store = createSqlStore(counted.db);
    const pending = store.appendEvents([ev("gc", "late", 1)]);
    await store.close();
    assert.deepEqual(await pending, ["accepted"]);
  });
});
