import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KanshiError, parseEvent, toWire, type Event } from "../contracts/index.ts";
import { simulate } from "../sim/simulate.ts";
import { migrate } from "./migrations.ts";
import { openPgliteDb } from "./pglite-db.ts";
import { createStoreTemplate } from "./testing/template.ts";
import type { Store, StoredEventInput } from "./ports.ts";
import { compareReplayOrder, mergeSegments, type ReplayCursor } from "./replay.ts";
import { encodeReplaySegment } from "./replay-codec.ts";
import type { SqlDatabase } from "./sql.ts";
import { createSqlStore } from "./sql-store.ts";

const stored = (e: Event): StoredEventInput => ({ source: e.source, id: e.id, type: e.type, time: e.time, ts: e.ts, body: JSON.stringify(toWire(e)) });

function drain(c: ReplayCursor): Event[] {
  const out: Event[] = [];
  for (let e = c.next(); e !== undefined; e = c.next()) out.push(e);
  return out;
}

/** What a replay must give: every stored body that parses, in the store's event-time scan order. */
async function scanned(store: Store): Promise<Event[]> {
  const out: Event[] = [];
  for await (const page of store.scanEvents({ order: "event-time" })) {
    for (const row of page) {
      const r = parseEvent(JSON.parse(row.body));
      if (r.ok) out.push(r.event);
    }
  }
  return out;
}

/** Deterministic shuffle of blocks, so ingest order is not event-time order (late events). */
function scramble<T>(items: readonly T[], block: number): T[] {
  const blocks: T[][] = [];
  for (let i = 0; i < items.length; i += block) blocks.push(items.slice(i, i + block));
  const out: T[] = [];
  for (let i = 0; i < blocks.length; i++) out.push(...blocks[(i * 7) % blocks.length]!);
  return out.length === items.length ? out : [...items];
}

describe("replay log (segments of the stored event log)", () => {
  let db: SqlDatabase;
  let store: Store;
  let day: Event[];

  before(async () => {
    db = await openPgliteDb({ template: (await createStoreTemplate()).blob });
    await migrate(db);
    store = createSqlStore(db);
    // A slice of a simulated day (every event type), 3,000 events.
    day = [];
    for (const wire of simulate({ seed: 21, people: 120, days: 1, injections: true }).events) {
      const r = parseEvent(wire);
      if (r.ok && day.length < 3000) day.push(r.event);
    }
    assert.ok(new Set(day.map((e) => e.type)).size >= 8);
  });
  after(async () => {
    await store.close();
  });

  test("an empty log replays nothing", async () => {
    const c = await store.replay().open();
    assert.equal(c.events, 0);
    assert.equal(c.next(), undefined);
    assert.deepEqual(await store.replay().stats(), { segments: 0, rows: 0, events: 0, invalid: 0, bytes: 0 });
  });

  test("segments give exactly the events of a scan, in its order, across appends out of time order", async () => {
    const half = Math.floor(day.length / 2);
    const first = scramble(day.slice(half), 97); // the later half first: the rest arrives late
    for (let i = 0; i < first.length; i += 400) await store.appendEvents(first.slice(i, i + 400).map(stored));
    const built = await store.replay().sync({ segmentRows: 400 });
    assert.equal(built.rows, first.length);
    assert.equal(built.built, Math.ceil(first.length / 400));
    assert.equal(built.rebuilt, false);

    const rest = scramble(day.slice(0, half), 53);
    for (let i = 0; i < rest.length; i += 500) await store.appendEvents(rest.slice(i, i + 500).map(stored));
    const c = await store.replay().open({ segmentRows: 400 });
    const want = await scanned(store);
    assert.equal(want.length, day.length);
    assert.equal(c.events, day.length);
    assert.equal(c.invalid, 0);
    assert.deepStrictEqual(drain(c), want);

    const stats = await store.replay().stats();
    assert.equal(stats.rows, day.length);
    assert.equal(stats.segments, Math.ceil(first.length / 400) + Math.ceil(rest.length / 400));
    assert.ok(stats.bytes > 0 && stats.bytes < want.length * 200, `${stats.bytes} bytes for ${want.length} events`);
    // Nothing new: nothing built.
    assert.deepEqual(await store.replay().sync(), { built: 0, rows: 0, rebuilt: false });
  });

  test("rewriting a stored event drops every segment; the next replay rebuilds from the new bodies", async () => {
    const [row] = await db.query("SELECT seq, body FROM events WHERE type = 'deposit' ORDER BY seq LIMIT 1");
    assert.ok(row);
    const body = JSON.parse(String(row.body)) as Record<string, unknown>;
    body.amount = "123.456";
    await db.query("UPDATE events SET body = $1 WHERE seq = $2", [JSON.stringify(body), row.seq]);
    assert.equal((await store.replay().stats()).segments, 0);
    const got = drain(await store.replay().open());
    assert.deepStrictEqual(got, await scanned(store));
    assert.ok(got.some((e) => e.type === "deposit" && e.amount === 123_456_000_000_000_000_000n));
  });

  test("a segment gone missing (a late commit on a server looks the same) makes sync rebuild rather than skip events", async () => {
    await db.query("DELETE FROM replay_segments");
    await store.replay().sync({ segmentRows: 300 });
    const before = await store.replay().stats();
    assert.ok(before.segments >= 3);
    // Drop the second segment: the ones after it still stand, so only the counts can tell.
    await db.query("DELETE FROM replay_segments WHERE first_seq = (SELECT min(first_seq) FROM replay_segments WHERE first_seq > (SELECT min(first_seq) FROM replay_segments))");
    const r = await store.replay().sync({ segmentRows: 300 });
    assert.equal(r.rebuilt, true);
    assert.equal(r.rows, day.length);
    assert.deepStrictEqual(drain(await store.replay().open()), await scanned(store));
  });

  test("stored bodies that no longer validate are counted and left out, like the JSON replay leaves them", async () => {
    await store.appendEvents([{ source: "drift", id: "x1", type: "deposit", time: day[0]!.time, ts: day[0]!.ts, body: '{"type":"deposit","id":"x1"}' }]);
    const c = await store.replay().open();
    assert.equal(c.invalid, 1);
    assert.equal(c.events, day.length);
    assert.equal(drain(c).length, day.length);
  });

  test("bad options are refused with where", async () => {
    await assert.rejects(store.replay().sync({ segmentRows: 0 }), (e: unknown) => e instanceof KanshiError && e.kind === "bad_input" && e.path === "segmentRows");
  });

  test("the merge orders interleaved segments like one sort, ties by source then id in byte order", () => {
    const sorted = [...day].sort(compareReplayOrder);
    // Deal events round-robin into 5 segments: every segment interleaves with every other.
    const parts: Event[][] = [[], [], [], [], []];
    sorted.forEach((e, i) => parts[i % 5]!.push(e));
    const c = mergeSegments(parts.map((p) => encodeReplaySegment(p)));
    assert.deepStrictEqual(drain(c), sorted);
    const tie = (source: string, id: string) => ({ ...day[0]!, source, id, time: 5 }) as Event;
    const a = [tie("b", "1"), tie("b", "\uE000")];
    const b = [tie("a", "9"), tie("b", "\u{1F600}")];
    assert.deepStrictEqual(
      drain(mergeSegments([encodeReplaySegment(a), encodeReplaySegment(b)])).map((e) => `${e.source}:${e.id}`),
      ["a:9", "b:1", "b:\uE000", "b:\u{1F600}"],
    );
  });
});
