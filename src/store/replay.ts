// The replay form of the event log (migration 12): the stored events, as the engine sees them
// (`parseEvent` of the stored body, personal data already split out at append), in compact binary
// segments (replay-codec.ts), so a backtest or a restart reads the log without JSON.parse or schema
// validation: the events were validated once, when they were appended.
//
// Segments are built lazily and kept: `sync()` encodes the events stored since the last segment, in
// ingest order, SEGMENT_ROWS at a time, each segment sorted in replay order (event time, then source
// and id in byte order: the order of `scanEvents({ order: "event-time" })`). A reader merges the
// segments back into that one order. Anything that rewrites or deletes stored events (purge, key
// rotation) drops every segment (a trigger, in the same transaction), so a segment never outlives
// the bodies it was built from; they are rebuilt on the next replay. With several writers to one
// PostgreSQL server a sequence number can commit after a higher one was segmented; the counts would
// then disagree with the log's, and `sync()` rebuilds from scratch rather than miss an event.
import { KanshiError } from "../contracts/errors.ts";
import { parseEvent, type Event } from "../contracts/events.ts";
import { ReplayDecoder, ReplayEncoder, REPLAY_FORMAT } from "./replay-codec.ts";
import { compareBytewise } from "./sql-store.ts";
import { toNumber, toStr, type SqlDatabase, type SqlQueryable } from "./sql.ts";

/** Stored events per segment (the last one may hold fewer). */
export const SEGMENT_ROWS = 65_536;
const MAX_SEGMENT_ROWS = 1_048_576;
/** Rows read per query while building a segment. */
const PAGE_ROWS = 8_192;
/** An arbitrary fixed key ("replay" in ASCII) for the segment builders' advisory lock. */
const BUILD_LOCK_KEY = 0x7265706c6179;

export interface ReplaySyncResult {
  /** Segments written by this call. */
  built: number;
  /** Stored events they cover. */
  rows: number;
  /** true when existing segments no longer matched the log and were dropped first. */
  rebuilt: boolean;
}

export interface ReplayStats {
  segments: number;
  /** Stored events covered. */
  rows: number;
  /** Events encoded (rows whose stored body still parses). */
  events: number;
  /** Stored bodies that no longer validate (schema drift): left out of the replay, counted. */
  invalid: number;
  /** Bytes of encoded segments. */
  bytes: number;
}

/** The stored log's events in replay order, decoded on demand; synchronous once opened. */
export interface ReplayCursor {
  /** Events in the segments (what `next()` yields in all). */
  readonly events: number;
  /** Stored events that did not validate when their segment was built (left out). */
  readonly invalid: number;
  /** Bytes of encoded segments read. */
  readonly bytes: number;
  /** The next event in (time, source, id) order, or undefined at the end. */
  next(): Event | undefined;
}

export interface ReplaySyncOptions {
  /** Stored events per new segment, 1..1,048,576 (default SEGMENT_ROWS). */
  segmentRows?: number;
}

export interface ReplayLog {
  /** Encode events stored since the last segment (and rebuild if the segments went stale). */
  sync(opts?: ReplaySyncOptions): Promise<ReplaySyncResult>;
  /**
   * Sync, then load every segment: a cursor over all stored events in replay order. The segments
   * are read when this resolves; events appended afterwards are not included.
   */
  open(opts?: ReplaySyncOptions): Promise<ReplayCursor>;
  stats(): Promise<ReplayStats>;
}

/** Replay order: event time, then source and id in byte order (as the store's event-time scan). */
export function compareReplayOrder(a: Event, b: Event): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.source !== b.source) return compareBytewise(a.source, b.source);
  return a.id === b.id ? 0 : compareBytewise(a.id, b.id);
}

interface SegmentRow {
  firstSeq: number;
  lastSeq: number;
  rows: number;
  events: number;
  invalid: number;
  data: Uint8Array;
}

export function createSqlReplayLog(db: SqlDatabase, live: () => void): ReplayLog {
  /** Covered so far (segments of this format) and what the log holds, read in one snapshot. */
  async function coverage(q: SqlQueryable): Promise<{ maxSeq: number; rows: number; total: number; after: number; foreign: number }> {
    const [r] = await q.query(
      `SELECT (SELECT coalesce(max(last_seq), 0) FROM replay_segments WHERE format = $1) AS max_seq,
              (SELECT coalesce(sum(rows), 0) FROM replay_segments WHERE format = $1) AS rows,
              (SELECT count(*) FROM replay_segments WHERE format <> $1) AS foreign,
              (SELECT coalesce(sum(n), 0) FROM event_type_counts) AS total,
              (SELECT count(*) FROM events WHERE seq > (SELECT coalesce(max(last_seq), 0) FROM replay_segments WHERE format = $1)) AS after`,
      [REPLAY_FORMAT],
    );
    return {
      maxSeq: toNumber(r?.max_seq, "max_seq"),
      rows: toNumber(r?.rows, "rows"),
      foreign: toNumber(r?.foreign, "foreign"),
      total: toNumber(r?.total, "total"),
      after: toNumber(r?.after, "after"),
    };
  }

  /** Read the next segment's stored events (seq > from) and encode them in replay order. */
  async function buildOne(q: SqlQueryable, from: number, segmentRows: number): Promise<SegmentRow | undefined> {
    const events: Event[] = [];
    let invalid = 0;
    let rows = 0;
    let cursor = from;
    let lastSeq = from;
    while (rows < segmentRows) {
      const want = Math.min(PAGE_ROWS, segmentRows - rows);
      // One JSON text per page: PGlite decodes it far faster than thousands of rows (see scanEvents).
      const [page] = await q.query(
        `SELECT json_agg(json_build_array(seq, body) ORDER BY seq)::text AS page
           FROM (SELECT seq, body FROM events WHERE seq > $1 ORDER BY seq LIMIT $2) p`,
        [cursor, want],
      );
      const text = page?.page;
      if (text === null || text === undefined) break;
      const tuples = JSON.parse(toStr(text, "page")) as Array<[number | string, string]>;
      for (const [seq, body] of tuples) {
        let ok = false;
        try {
          const r = parseEvent(JSON.parse(body));
          if (r.ok) {
            events.push(r.event);
            ok = true;
          }
        } catch {
          ok = false; // a body that is not JSON any more: counted like one that no longer validates
        }
        if (!ok) invalid++;
        lastSeq = toNumber(seq, "events.seq");
      }
      rows += tuples.length;
      cursor = lastSeq;
      if (tuples.length < want) break;
    }
    if (rows === 0) return undefined;
    events.sort(compareReplayOrder);
    const enc = new ReplayEncoder();
    for (const e of events) enc.add(e);
    return { firstSeq: from + 1, lastSeq, rows, events: events.length, invalid, data: enc.finish() };
  }

  async function sync(opts: ReplaySyncOptions = {}): Promise<ReplaySyncResult> {
    live();
    const segmentRows = opts.segmentRows ?? SEGMENT_ROWS;
    if (!Number.isInteger(segmentRows) || segmentRows < 1 || segmentRows > MAX_SEGMENT_ROWS) {
      throw new KanshiError("bad_input", `expected an integer from 1 to ${MAX_SEGMENT_ROWS}`, "segmentRows");
    }
    let built = 0;
    let rowsBuilt = 0;
    let rebuilt = false;
    // One segment per transaction, under a lock, so concurrent builders never overlap or leave gaps.
    for (;;) {
      const step = await db.session((s) =>
        s.transaction(async (tx) => {
          await tx.query("SELECT pg_advisory_xact_lock($1)", [BUILD_LOCK_KEY]);
          let c = await coverage(tx);
          if (c.foreign > 0 || c.rows + c.after !== c.total) {
            // Another format, or a stored event the segments missed (a late commit): start over.
            await tx.query("DELETE FROM replay_segments");
            rebuilt = rebuilt || c.rows > 0 || c.foreign > 0;
            c = { maxSeq: 0, rows: 0, foreign: 0, total: c.total, after: c.total };
          }
          if (c.after === 0) return undefined;
          const seg = await buildOne(tx, c.maxSeq, segmentRows);
          if (seg === undefined) return undefined;
          await tx.query(
            `INSERT INTO replay_segments (first_seq, last_seq, rows, events, invalid, format, data)
             VALUES ($1, $2, $3, $4, $5, $6, decode($7, 'base64'))`,
            // As base64 text: PGlite serialises a bytea parameter (and parses a bytea result) byte by
            // byte in JavaScript, which cost more than encoding the segment; base64 is native both ways.
            [seg.firstSeq, seg.lastSeq, seg.rows, seg.events, seg.invalid, REPLAY_FORMAT, Buffer.from(seg.data.buffer, seg.data.byteOffset, seg.data.byteLength).toString("base64")],
          );
          return seg;
        }),
      );
      if (step === undefined) break;
      built++;
      rowsBuilt += step.rows;
    }
    return { built, rows: rowsBuilt, rebuilt };
  }

  async function load(): Promise<SegmentRow[]> {
    const rows = await db.query(
      "SELECT first_seq, last_seq, rows, events, invalid, encode(data, 'base64') AS data FROM replay_segments WHERE format = $1 ORDER BY first_seq",
      [REPLAY_FORMAT],
    );
    return rows.map((r) => ({
      firstSeq: toNumber(r.first_seq, "first_seq"),
      lastSeq: toNumber(r.last_seq, "last_seq"),
      rows: toNumber(r.rows, "rows"),
      events: toNumber(r.events, "events"),
      invalid: toNumber(r.invalid, "invalid"),
      data: Buffer.from(toStr(r.data, "replay_segments.data"), "base64"),
    }));
  }

  return {
    sync,
    async open(opts?: ReplaySyncOptions): Promise<ReplayCursor> {
      await sync(opts);
      const segments = await load();
      return mergeSegments(segments.map((s) => s.data), {
        invalid: segments.reduce((n, s) => n + s.invalid, 0),
      });
    },
    async stats(): Promise<ReplayStats> {
      live();
      const [r] = await db.query(
        `SELECT count(*) AS segments, coalesce(sum(rows), 0) AS rows, coalesce(sum(events), 0) AS events,
                coalesce(sum(invalid), 0) AS invalid, coalesce(sum(octet_length(data)), 0) AS bytes
           FROM replay_segments WHERE format = $1`,
        [REPLAY_FORMAT],
      );
      return {
        segments: toNumber(r?.segments, "segments"),
        rows: toNumber(r?.rows, "rows"),
        events: toNumber(r?.events, "events"),
        invalid: toNumber(r?.invalid, "invalid"),
        bytes: toNumber(r?.bytes, "bytes"),
      };
    },
  };
}

/**
 * One cursor over several segments, each already in replay order: a k-way merge. Segments built
 * from a log appended roughly in time order barely overlap, so the merge mostly keeps reading the
 * same segment (one comparison per event) and touches its heap only where they interleave.
 */
export function mergeSegments(segments: readonly Uint8Array[], extra: { invalid?: number } = {}): ReplayCursor {
  interface Head {
    d: ReplayDecoder;
    e: Event;
  }
  const heap: Head[] = [];
  let events = 0;
  let bytes = 0;
  for (const bytesOf of segments) {
    const d = new ReplayDecoder(bytesOf);
    events += d.count;
    bytes += bytesOf.length;
    const e = d.next();
    if (e !== undefined) heap.push({ d, e });
  }
  const less = (a: Head, b: Head) => compareReplayOrder(a.e, b.e) < 0;
  const down = (i: number) => {
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && less(heap[r]!, heap[l]!) ? r : l;
      if (!less(heap[m]!, heap[i]!)) return;
      const t = heap[i]!;
      heap[i] = heap[m]!;
      heap[m] = t;
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  return {
    events,
    bytes,
    invalid: extra.invalid ?? 0,
    next(): Event | undefined {
      const top = heap[0];
      if (top === undefined) return undefined;
      const out = top.e;
      const e = top.d.next();
      if (e === undefined) {
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          down(0);
        }
      } else {
        top.e = e;
        // Still the smallest? Then the heap is unchanged (the usual case: segments barely overlap).
        const n = heap.length;
        const l = heap[1];
        const r = heap[2];
        const stays = (l === undefined || compareReplayOrder(e, l.e) <= 0) && (r === undefined || compareReplayOrder(e, r.e) <= 0);
        if (!stays && n > 1) down(0);
      }
      return out;
    },
  };
}
