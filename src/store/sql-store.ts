// The Store (ports.ts) over the internal query port (sql.ts): one implementation, plain SQL, for both
// PGlite and a PostgreSQL server.
import { z } from "zod";
import { AlertSchema, type Alert } from "../contracts/alerts.ts";
import { badInput, KanshiError } from "../contracts/errors.ts";
import type { AlertPage, AlertQuery, AppendOptions, AppendOutcome, ScanOptions, Store, StoredEvent, StoredEventInput } from "./ports.ts";
import { binaryInt8Array, binaryTextArray, toNumber, toStr, type Row, type SqlDatabase, type SqlQueryable } from "./sql.ts";
import { createSqlAuditLog } from "./audit-log.ts";
import { createSqlPrincipalStore } from "./principals.ts";
import { createSqlRuleStore } from "./rules.ts";
import { createSqlIdentityStore, insertSealedRecords, sealBatch, sealingLoader, type PersonalDataSealingSource } from "./identities.ts";
import { createSqlCaseStore } from "./cases.ts";
import { createSqlSessionStore } from "./sessions.ts";
import { createSqlAlertFeed } from "./alert-feed.ts";
import { createSqlDisclosureStore } from "./disclosures.ts";
import { createSqlReportStore } from "./reports.ts";
import { createSqlReplayLog } from "./replay.ts";

/** Unique events per INSERT statement. A larger batch is several statements in one transaction. */
export const APPEND_CHUNK = 5000;
const ALERT_CHUNK = 2000;
const DEFAULT_SCAN_BATCH = 2000;
const MAX_SCAN_BATCH = 50_000;
const DEFAULT_ALERT_LIMIT = 50;
const MAX_ALERT_LIMIT = 500;
/**
 * Retries of a transaction PostgreSQL aborted as a deadlock or serialization failure. Writes take
 * row locks in one global order (below), so this is a safety net rather than the plan.
 */
const MAX_RETRIES = 5;

// Appending. On a PostgreSQL server the events arrive as one JSON parameter (json_to_recordset
// measured fastest of multi-row VALUES, unnest of arrays and JSON); on PGlite as one binary array
// parameter per column (sql.ts binaryTextArray), which skips escaping every body into JSON and
// parsing it back out (PGlite CPU per appended event measured ~25% lower than the JSON parameter).
// ON CONFLICT DO NOTHING skips keys already stored; only the ordinals of the duplicates come back
// (returning every inserted key cost PGlite ~20% of its append throughput in row decoding).
//
// Deadlocks: two writers inserting overlapping keys in different orders wait on each other (each
// waits to see whether the other's uncommitted insert of a key commits). So rows are always inserted
// in (source, id) byte order — one global order, no cycles — while seq numbers are still handed out
// in input order, and the type counters (rows locked until commit) are touched last, in type order.
//
// A batch of up to APPEND_CHUNK events is one statement, and so its own transaction. A larger one is
// a transaction of: seq allocation for the whole batch, one statement per chunk (the batch sorted
// by key first so chunks follow the global order too), then the counters.
//
// Group commit (PGlite only). Every commit costs PGlite a WAL flush, an fsync and a round of
// statement overhead on the one thread it shares with HTTP parsing and detection, and concurrent
// appends queue for its single connection anyway. So appends that arrive while another is waiting
// or being written are written together: one statement (and one commit) for all of them, in the
// order they arrived, each caller answered with its own outcomes as if the appends had run one after
// another in that order (a key two of them send is accepted for the first). Each caller's sealed
// personal data is written in the same transaction. If the shared write fails, every caller's batch
// is written again on its own, so one caller's failing batch cannot fail another's. A server has a
// pool of connections and its own WAL group commit, so there each append is written at once.

/** Rows of the JSON parameter: s source, i id, t type, m time_ms, ts, b body (and q seq when preallocated). */
const X_COLUMNS = "s text, i text, t text, m int8, ts text, b text";

/** The FROM item of an append's rows (x: source, id, type, time_ms, ts, body[, seq], ord). */
function appendRows(kind: SqlDatabase["kind"], withSeq: boolean): string {
  const columns = `source, id, type, time_ms, ts, body${withSeq ? ", seq" : ""}, ord`;
  if (kind === "pglite") {
    return `unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::text[]${withSeq ? ", $7::int8[]" : ""}) WITH ORDINALITY AS x(${columns})`;
  }
  return `ROWS FROM (json_to_recordset($1::json) AS (${X_COLUMNS}${withSeq ? ", q int8" : ""})) WITH ORDINALITY AS x(${columns})`;
}

/** The parameters appendRows(kind, seqs !== undefined) reads. */
function appendParams(kind: SqlDatabase["kind"], events: readonly StoredEventInput[], seqs?: readonly number[]): unknown[] {
  if (kind === "pglite") {
    const params: unknown[] = [
      binaryTextArray(events.map((e) => e.source)),
      binaryTextArray(events.map((e) => e.id)),
      binaryTextArray(events.map((e) => e.type)),
      binaryInt8Array(events.map((e) => e.time)),
      binaryTextArray(events.map((e) => e.ts)),
      binaryTextArray(events.map((e) => e.body)),
    ];
    if (seqs) params.push(binaryInt8Array(seqs));
    return params;
  }
  const wire = (e: StoredEventInput, i: number) =>
    seqs ? { s: e.source, i: e.id, t: e.type, m: e.time, ts: e.ts, b: e.body, q: seqs[i] } : { s: e.source, i: e.id, t: e.type, m: e.time, ts: e.ts, b: e.body };
  return [JSON.stringify(events.map(wire))];
}

const appendSql = (kind: SqlDatabase["kind"]) => `
WITH x AS MATERIALIZED (
  SELECT source, id, type, time_ms, ts, body, ord, nextval('events_seq_seq'::regclass) AS seq
  FROM ${appendRows(kind, false)}
  ORDER BY ord
), ins AS (
  INSERT INTO events (seq, source, id, type, time_ms, ts, body) OVERRIDING SYSTEM VALUE
  SELECT seq, source, id, type, time_ms, ts, body FROM x ORDER BY source COLLATE "C", id COLLATE "C"
  ON CONFLICT DO NOTHING
  RETURNING source, id, type
), counted AS (
  INSERT INTO event_type_counts AS c (type, n)
  SELECT type, count(*) FROM ins GROUP BY type ORDER BY type
  ON CONFLICT (type) DO UPDATE SET n = c.n + excluded.n
)
SELECT (SELECT count(*) FROM ins)::int4 AS inserted,
       (SELECT array_agg(x.ord ORDER BY x.ord)::int4[] FROM x
         WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.source = x.source COLLATE "C" AND ins.id = x.id COLLATE "C")) AS dups`;

const ALLOCATE_SEQ_SQL = `SELECT nextval('events_seq_seq'::regclass) AS seq FROM generate_series(1, $1::int4)`;

const appendChunkSql = (kind: SqlDatabase["kind"]) => `
WITH x AS MATERIALIZED (
  SELECT source, id, type, time_ms, ts, body, seq, ord
  FROM ${appendRows(kind, true)}
), ins AS (
  INSERT INTO events (seq, source, id, type, time_ms, ts, body) OVERRIDING SYSTEM VALUE
  SELECT seq, source, id, type, time_ms, ts, body FROM x ORDER BY source COLLATE "C", id COLLATE "C"
  ON CONFLICT DO NOTHING
  RETURNING source, id, type
)
SELECT (SELECT count(*) FROM ins)::int4 AS inserted,
       (SELECT array_agg(x.ord ORDER BY x.ord)::int4[] FROM x
         WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.source = x.source COLLATE "C" AND ins.id = x.id COLLATE "C")) AS dups,
       (SELECT json_object_agg(type, n) FROM (SELECT type, count(*) AS n FROM ins GROUP BY type) t)::text AS types`;

const COUNT_TYPES_SQL = `
INSERT INTO event_type_counts AS c (type, n)
SELECT key, value::int8 FROM json_each_text($1::json) ORDER BY key
ON CONFLICT (type) DO UPDATE SET n = c.n + excluded.n`;

/**
 * UTF-8 byte order (PostgreSQL's "C" collation) of two JS strings, without encoding them: compare
 * UTF-16 code units, except that a surrogate (part of a code point above U+FFFF) sorts after
 * U+E000–U+FFFF, as its code point does.
 */
export function compareBytewise(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

const EVENT_COLUMNS = "seq, source, id, type, time_ms, ts, body";

const SAVE_ALERTS_SQL = `
WITH ins AS (
  INSERT INTO alerts (id, typology, ts, subject_kind, subject_id, accounts, score, body)
  SELECT id, typology, ts, sk, si, ARRAY(SELECT json_array_elements_text(acc)), score, body
  FROM json_to_recordset($1::json) AS x(id text, typology text, ts timestamptz, sk text, si text, acc json, score float8, body jsonb)
  ORDER BY id COLLATE "C"
  ON CONFLICT (id) DO NOTHING
  RETURNING 1
)
SELECT count(*)::int4 AS inserted FROM ins`;

// ---- validation ---------------------------------------------------------------------------------

/** String.prototype.isWellFormed (ES2024, in Node 20): no unpaired surrogate, checked natively. */
const isWellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean }).isWellFormed;

/** Text PostgreSQL can store unchanged: no NUL, no unpaired surrogate (it would be replaced). */
function textProblem(s: string): string | undefined {
  if (s.includes("\0")) return "must not contain a NUL character";
  if (!isWellFormed.call(s)) return "must not contain an unpaired UTF-16 surrogate";
  return undefined;
}

function checkText(v: unknown, where: string, max: number): string {
  if (typeof v !== "string") throw badInput("expected a string", where);
  if (v.length === 0) throw badInput("must not be empty", where);
  if (v.length > max) throw badInput(`at most ${max} characters`, where);
  const p = textProblem(v);
  if (p) throw badInput(p, where);
  return v;
}

function checkEvent(e: StoredEventInput, i: number): void {
  const at = `batch[${i}]`;
  if (typeof e !== "object" || e === null) throw badInput("expected an event object", at);
  checkText(e.source, `${at}.source`, 64);
  checkText(e.id, `${at}.id`, 128);
  checkText(e.type, `${at}.type`, 64);
  checkText(e.ts, `${at}.ts`, 64);
  if (typeof e.time !== "number" || !Number.isSafeInteger(e.time)) throw badInput("expected epoch milliseconds (an integer)", `${at}.time`);
  if (typeof e.body !== "string" || e.body.length === 0) throw badInput("expected the event's wire JSON", `${at}.body`);
  const p = textProblem(e.body);
  if (p) throw badInput(p, `${at}.body`);
}

const Rfc3339 = z.iso.datetime({ offset: true });

function checkInstant(v: unknown, where: string): string {
  if (typeof v !== "string" || !Rfc3339.safeParse(v).success) {
    throw badInput("expected an RFC 3339 timestamp with offset, such as 2024-04-01T09:00:00+09:00", where);
  }
  if (v.startsWith("0000")) throw badInput("year 0000 is out of range", where);
  return v;
}

function checkAlert(a: Alert, i: number): Alert {
  const r = AlertSchema.safeParse(a);
  if (!r.success) {
    const issue = r.error.issues[0];
    const sub = issue ? issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") : "";
    throw badInput(issue?.message ?? "invalid alert", `alerts[${i}]${sub}`);
  }
  const alert = r.data;
  checkInstant(alert.ts, `alerts[${i}].ts`);
  checkText(alert.id, `alerts[${i}].id`, 256);
  checkText(alert.typology, `alerts[${i}].typology`, 128);
  alert.accounts.forEach((acc, j) => checkText(acc, `alerts[${i}].accounts[${j}]`, 256));
  return alert;
}

// ---- cursors --------------------------------------------------------------------------------------

/** An alert's sort key: its ts in UTC at PostgreSQL's microsecond precision, and its id. */
const TS_KEY_SQL = `to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const TS_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function encodeCursor(tsKey: string, id: string): string {
  return Buffer.from(JSON.stringify([tsKey, id]), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): [string, string] {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== "string" || typeof v[1] !== "string" || !TS_KEY.test(v[0])) {
    throw badInput("not a cursor returned by a previous page", "cursor");
  }
  return [v[0], v[1]];
}

// ---- helpers --------------------------------------------------------------------------------------

function isRetryable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "40P01" || code === "40001"; // deadlock_detected, serialization_failure
}

/** One element of a page: [seq, source, id, type, time_ms, ts, body] (EVENT_COLUMNS order). */
function fromTuple(t: unknown[]): StoredEvent {
  return {
    seq: t[0] as number,
    source: t[1] as string,
    id: t[2] as string,
    type: t[3] as string,
    time: t[4] as number,
    ts: t[5] as string,
    body: t[6] as string,
  };
}

function fromRow(r: Row): StoredEvent {
  return {
    seq: toNumber(r.seq, "events.seq"),
    source: r.source as string,
    id: r.id as string,
    type: r.type as string,
    time: toNumber(r.time_ms, "events.time_ms"),
    ts: r.ts as string,
    body: r.body as string,
  };
}

function toAlert(v: unknown): Alert {
  return (typeof v === "string" ? JSON.parse(v) : v) as Alert;
}

// ---- the store ------------------------------------------------------------------------------------

/** Runs in an append's transaction after its statement, given the positions of the duplicates. */
type AfterAppend = (tx: SqlQueryable, dups: readonly number[]) => Promise<void>;

/** An append waiting in the group-commit queue. */
interface PendingAppend {
  readonly unique: readonly StoredEventInput[];
  readonly then: AfterAppend | undefined;
  readonly resolve: (dups: number[]) => void;
  readonly reject: (e: unknown) => void;
}

export interface SqlStoreOptions {
  /** Keys that seal personal data at append (identities.ts); without them events are stored as sent. */
  personalData?: PersonalDataSealingSource;
}

export function createSqlStore(db: SqlDatabase, options: SqlStoreOptions = {}): Store {
  let closed = false;
  const live = () => {
    if (closed) throw new KanshiError("unavailable", "the store is closed");
  };
  const loadSealing = options.personalData === undefined ? undefined : sealingLoader(options.personalData);
  const identities = createSqlIdentityStore(db, live, loadSealing);

  const audit = createSqlAuditLog(db, live);
  const principals = createSqlPrincipalStore(db, live);
  const cases = createSqlCaseStore(db, live);
  const sessions = createSqlSessionStore(db, live);
  const alertFeed = createSqlAlertFeed(db, live);
  const disclosures = createSqlDisclosureStore(db, live);
  const reports = createSqlReportStore(db, live);
  const rules = createSqlRuleStore(db, live);
  const replay = createSqlReplayLog(db, live);

  const dupsOf = (row: Row | undefined, expected: number): number[] => {
    const inserted = toNumber(row?.inserted, "inserted");
    const dups = Array.isArray(row?.dups) ? row.dups.map((d: unknown) => toNumber(d, "dups[]") - 1) : [];
    if (inserted + dups.length !== expected) {
      throw new KanshiError("internal", `store: append accounted for ${inserted + dups.length} of ${expected} events`);
    }
    return dups;
  };

  const APPEND_SQL = appendSql(db.kind);
  const APPEND_CHUNK_SQL = appendChunkSql(db.kind);

  /**
   * Append unique events (validated, first occurrences only); returns the positions of the duplicates.
   * `then` runs in the same transaction, given those positions (the sealed personal data of the
   * events that were new is written there, so an event and its sealed fields commit together).
   * `inTransaction` makes even a single statement a transaction, so that a result that does not add
   * up rolls it back instead of failing after the commit.
   */
  async function appendUnique(unique: readonly StoredEventInput[], then?: AfterAppend, inTransaction = false): Promise<number[]> {
    if (unique.length <= APPEND_CHUNK && then === undefined && !inTransaction) {
      const [row] = await db.query(APPEND_SQL, appendParams(db.kind, unique));
      return dupsOf(row, unique.length);
    }
    return db.transaction(async (tx) => {
      if (unique.length <= APPEND_CHUNK) {
        const [row] = await tx.query(APPEND_SQL, appendParams(db.kind, unique));
        const dups = dupsOf(row, unique.length);
        await then?.(tx, dups);
        return dups;
      }
      const seqs = (await tx.query(ALLOCATE_SEQ_SQL, [unique.length])).map((r) => toNumber(r.seq, "seq")).sort((a, b) => a - b);
      const order = unique.map((_, i) => i).sort((a, b) => {
        const x = unique[a] as StoredEventInput;
        const y = unique[b] as StoredEventInput;
        return compareBytewise(x.source, y.source) || compareBytewise(x.id, y.id);
      });
      const dups: number[] = [];
      const types: Record<string, number> = {};
      for (let start = 0; start < order.length; start += APPEND_CHUNK) {
        const part = order.slice(start, start + APPEND_CHUNK);
        const events = part.map((i) => unique[i] as StoredEventInput);
        const [row] = await tx.query(APPEND_CHUNK_SQL, appendParams(db.kind, events, part.map((i) => seqs[i] as number)));
        for (const d of dupsOf(row, part.length)) dups.push(part[d] as number);
        const counted = row?.types ? (JSON.parse(toStr(row.types, "types")) as Record<string, number>) : {};
        for (const [t, n] of Object.entries(counted)) types[t] = (types[t] ?? 0) + n;
      }
      if (Object.keys(types).length > 0) await tx.query(COUNT_TYPES_SQL, [JSON.stringify(types)]);
      await then?.(tx, dups);
      return dups;
    });
  }

  // ---- group commit (PGlite; see the comment at APPEND_CHUNK) ----
  const groupCommit = db.kind === "pglite";
  let queue: PendingAppend[] = [];
  /** The running (or scheduled) writer of the queue; undefined when the queue is idle. */
  let writer: Promise<void> | undefined;

  /** Append through the queue: resolves once this batch is committed, with its duplicates' positions. */
  function appendQueued(unique: readonly StoredEventInput[], then: AfterAppend | undefined): Promise<number[]> {
    return new Promise<number[]>((resolve, reject) => {
      queue.push({ unique, then, resolve, reject });
      // Start after the current turn of the event loop, so requests already received reach the
      // queue too; later arrivals wait for the write in progress and go in the next one.
      writer ??= new Promise<void>((r) => setImmediate(r)).then(drain);
    });
  }

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) {
        // As many waiting batches as fit in one statement (always at least the first).
        let take = 1;
        let size = (queue[0] as PendingAppend).unique.length;
        while (take < queue.length && size + (queue[take] as PendingAppend).unique.length <= APPEND_CHUNK) {
          size += (queue[take] as PendingAppend).unique.length;
          take++;
        }
        const group = queue.slice(0, take);
        queue = queue.slice(take);
        await writeGroup(group);
      }
    } finally {
      writer = undefined;
    }
  }

  async function writeAlone(p: PendingAppend): Promise<void> {
    try {
      p.resolve(await withRetry(() => appendUnique(p.unique, p.then)));
    } catch (e) {
      p.reject(e);
    }
  }

  async function writeGroup(group: readonly PendingAppend[]): Promise<void> {
    if (group.length === 1) return writeAlone(group[0] as PendingAppend);
    // One list in arrival order; a key an earlier batch of the group has is that batch's (the later
    // one reports it as a duplicate without sending it, as it would after the earlier one committed).
    const merged: StoredEventInput[] = [];
    const origin: { member: number; position: number }[] = [];
    const shadowed: number[][] = group.map(() => []);
    const keys = new Set<string>();
    group.forEach((p, member) => {
      p.unique.forEach((e, position) => {
        const key = `${e.source}\0${e.id}`;
        if (keys.has(key)) {
          (shadowed[member] as number[]).push(position);
          return;
        }
        keys.add(key);
        merged.push(e);
        origin.push({ member, position });
      });
    });
    const perMember = (dups: readonly number[]): number[][] => {
      const out = shadowed.map((d) => [...d]);
      for (const d of dups) {
        const o = origin[d] as { member: number; position: number };
        (out[o.member] as number[]).push(o.position);
      }
      return out;
    };
    const then: AfterAppend | undefined = group.some((p) => p.then !== undefined)
      ? async (tx, dups) => {
          const mine = perMember(dups);
          for (let m = 0; m < group.length; m++) await (group[m] as PendingAppend).then?.(tx, mine[m] as number[]);
        }
      : undefined;
    let dups: number[];
    try {
      dups = await withRetry(() => appendUnique(merged, then, true));
    } catch {
      // Nothing of the group was committed: each batch on its own, each with its own outcome.
      for (const p of group) await writeAlone(p);
      return;
    }
    perMember(dups).forEach((d, m) => (group[m] as PendingAppend).resolve(d));
  }

  async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (attempt >= MAX_RETRIES || !isRetryable(e)) throw e;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
      }
    }
  }

  return {
    async appendEvents(batch: readonly StoredEventInput[], _opts?: AppendOptions): Promise<AppendOutcome[]> {
      live();
      if (!Array.isArray(batch)) throw badInput("expected an array of events", "batch");
      // Validate everything before writing anything.
      for (let i = 0; i < batch.length; i++) checkEvent(batch[i] as StoredEventInput, i);
      const outcomes: AppendOutcome[] = new Array<AppendOutcome>(batch.length).fill("duplicate");
      if (batch.length === 0) return outcomes;

      // First occurrence of each key; a repeat later in the batch stays "duplicate".
      const seen = new Set<string>();
      const firstIdx: number[] = [];
      for (let i = 0; i < batch.length; i++) {
        const e = batch[i] as StoredEventInput;
        const key = `${e.source}\0${e.id}`; // NUL is refused in both, so the key is unambiguous
        if (seen.has(key)) continue;
        seen.add(key);
        firstIdx.push(i);
      }
      let unique = firstIdx.map((i) => batch[i] as StoredEventInput);

      // Personal data is split out and sealed before anything is written (identities.ts).
      let then: AfterAppend | undefined;
      if (loadSealing !== undefined) {
        const sealed = await sealBatch(unique, loadSealing, (j) => `batch[${firstIdx[j] as number}]`);
        unique = sealed.events;
        if (sealed.records.length > 0) {
          then = async (tx, dups) => {
            const dup = new Set(dups);
            await insertSealedRecords(tx, sealed.records.filter((r) => !dup.has(r.position)).map((r) => r.record));
          };
        }
      }

      const dupPositions = groupCommit ? await appendQueued(unique, then) : await withRetry(() => appendUnique(unique, then));
      for (const i of firstIdx) outcomes[i] = "accepted";
      for (const d of dupPositions) outcomes[firstIdx[d] as number] = "duplicate";
      return outcomes;
    },

    scanEvents(opts: ScanOptions = {}): AsyncIterable<StoredEvent[]> {
      const order = opts.order ?? "event-time";
      if (order !== "event-time" && order !== "ingest") throw badInput('expected "event-time" or "ingest"', "order");
      const size = opts.batchSize ?? DEFAULT_SCAN_BATCH;
      if (!Number.isInteger(size) || size < 1 || size > MAX_SCAN_BATCH) {
        throw badInput(`expected an integer from 1 to ${MAX_SCAN_BATCH}`, "batchSize");
      }
      // On PGlite a page comes back as one JSON text (json_agg) rather than as rows: one JSON.parse
      // is cheaper than PGlite decoding thousands of rows field by field in JavaScript (scans ran
      // 1.3–1.6x faster). Against a server it is the other way round (pg decodes rows fast, and
      // building JSON costs the server): there, plain rows were 2–3x faster.
      const aggregate = db.kind === "pglite";
      const orderBy = order === "ingest" ? "seq" : "time_ms, source, id";
      const pageSql = (where: string, limitParam: string) => {
        const rows = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where} ORDER BY ${orderBy} LIMIT ${limitParam}`;
        return aggregate ? `SELECT json_agg(json_build_array(${EVENT_COLUMNS}) ORDER BY ${orderBy})::text AS page FROM (${rows}) p` : rows;
      };
      const decode = (rows: Row[]): StoredEvent[] => {
        if (!aggregate) return rows.map(fromRow);
        const text = rows[0]?.page;
        return text === null || text === undefined ? [] : (JSON.parse(toStr(text, "page")) as unknown[][]).map(fromTuple);
      };
      const page = async (bound: number, after: StoredEvent | undefined): Promise<StoredEvent[]> => {
        let rows: Row[];
        if (order === "ingest") {
          // Only a lower bound in SQL: with a two-sided range and no statistics (PGlite never
          // analyzes) the planner would sort everything after the cursor for every page.
          rows = await db.query(pageSql("seq > $1", "$2"), [after ? after.seq : 0, size]);
        } else if (after) {
          rows = await db.query(
            pageSql(`(time_ms, source, id) > ($1::int8, $2::text COLLATE "C", $3::text COLLATE "C") AND seq <= $4`, "$5"),
            [after.time, after.source, after.id, bound, size],
          );
        } else {
          rows = await db.query(pageSql("seq <= $1", "$2"), [bound, size]);
        }
        const events = decode(rows);
        return order === "ingest" ? events.filter((e) => e.seq <= bound) : events;
      };
      return {
        [Symbol.asyncIterator]: async function* () {
          live();
          const [top] = await db.query("SELECT max(seq) AS m FROM events");
          if (top?.m === null || top?.m === undefined) return;
          const bound = toNumber(top.m, "max(seq)");
          // Read one page ahead while the caller works on the current one.
          let pending: Promise<StoredEvent[]> | undefined = page(bound, undefined);
          try {
            while (pending) {
              const rows: StoredEvent[] = await pending;
              pending = rows.length === size ? page(bound, rows[rows.length - 1]) : undefined;
              if (rows.length > 0) yield rows;
            }
          } finally {
            // Stopped early: let the read-ahead finish (its result is not needed) before returning.
            await pending?.catch(() => undefined);
          }
        },
      };
    },

    async countEvents(): Promise<number> {
      live();
      const [row] = await db.query("SELECT coalesce(sum(n), 0) AS n FROM event_type_counts");
      return toNumber(row?.n, "count");
    },

    async countEventsByType(): Promise<Record<string, number>> {
      live();
      const rows = await db.query("SELECT type, n FROM event_type_counts WHERE n > 0 ORDER BY type");
      const out: Record<string, number> = {};
      for (const r of rows) out[toStr(r.type, "type")] = toNumber(r.n, "n");
      return out;
    },

    async saveAlerts(alerts: readonly Alert[]): Promise<{ inserted: number }> {
      live();
      if (!Array.isArray(alerts)) throw badInput("expected an array of alerts", "alerts");
      const valid = alerts.map((a, i) => checkAlert(a, i));
      const byId = new Map<string, Alert>();
      for (const a of valid) if (!byId.has(a.id)) byId.set(a.id, a);
      // Sorted by id (byte order, as the statement inserts them) so that chunks, too, lock in one order.
      const rows = [...byId.values()].sort((a, b) => compareBytewise(a.id, b.id)).map((a) => ({
        id: a.id,
        typology: a.typology,
        ts: a.ts,
        sk: a.subject.kind,
        si: a.subject.id,
        acc: a.accounts,
        score: a.score,
        body: a,
      }));
      if (rows.length === 0) return { inserted: 0 };
      const insertChunk = async (q: SqlQueryable, chunk: readonly unknown[]) => {
        const [r] = await q.query(SAVE_ALERTS_SQL, [JSON.stringify(chunk)]);
        return toNumber(r?.inserted, "inserted");
      };
      const inserted = await withRetry(async () => {
        if (rows.length <= ALERT_CHUNK) return insertChunk(db, rows);
        return db.transaction(async (tx) => {
          let n = 0;
          for (let s = 0; s < rows.length; s += ALERT_CHUNK) n += await insertChunk(tx, rows.slice(s, s + ALERT_CHUNK));
          return n;
        });
      });
      return { inserted };
    },

    async listAlerts(q: AlertQuery = {}): Promise<AlertPage> {
      live();
      const params: unknown[] = [];
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      const where: string[] = [];
      if (q.typology !== undefined) where.push(`typology = ${p(checkText(q.typology, "typology", 128))}`);
      if (q.account !== undefined) where.push(`accounts @> ARRAY[${p(checkText(q.account, "account", 256))}::text]`);
      if (q.from !== undefined) where.push(`ts >= ${p(checkInstant(q.from, "from"))}::timestamptz`);
      if (q.to !== undefined) where.push(`ts < ${p(checkInstant(q.to, "to"))}::timestamptz`);
      let limit = DEFAULT_ALERT_LIMIT;
      if (q.limit !== undefined) {
        if (typeof q.limit !== "number" || !Number.isInteger(q.limit) || q.limit < 1) throw badInput("expected a positive integer", "limit");
        limit = Math.min(q.limit, MAX_ALERT_LIMIT);
      }
      if (q.cursor !== undefined) {
        if (typeof q.cursor !== "string") throw badInput("expected a string", "cursor");
        const [tsKey, id] = decodeCursor(q.cursor);
        where.push(`(ts, id) < (${p(tsKey)}::timestamptz, ${p(id)}::text COLLATE "C")`);
      }
      const rows = await db.query(
        `SELECT body, id, ${TS_KEY_SQL} AS k FROM alerts
         ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY ts DESC, id DESC LIMIT ${p(limit + 1)}`,
        params,
      );
      const more = rows.length > limit;
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items: items.map((r) => toAlert(r.body)),
        nextCursor: more && last ? encodeCursor(toStr(last.k, "ts key"), toStr(last.id, "id")) : null,
      };
    },

    async countAlertsByTypology(): Promise<Record<string, number>> {
      live();
      const rows = await db.query("SELECT typology, count(*) AS n FROM alerts GROUP BY typology ORDER BY typology");
      const out: Record<string, number> = {};
      for (const r of rows) out[toStr(r.typology, "typology")] = toNumber(r.n, "n");
      return out;
    },

    async getMeta(key: string): Promise<string | undefined> {
      live();
      const [row] = await db.query("SELECT value FROM meta WHERE key = $1", [checkText(key, "key", 256)]);
      return row === undefined ? undefined : toStr(row.value, "meta.value");
    },

    async setMeta(key: string, value: string): Promise<void> {
      live();
      checkText(key, "key", 256);
      if (typeof value !== "string") throw badInput("expected a string", "value");
      const problem = textProblem(value);
      if (problem) throw badInput(problem, "value");
      await db.query(
        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()",
        [key, value],
      );
    },

    auditLog() {
      return audit;
    },

    principals() {
      return principals;
    },

    sessions() {
      return sessions;
    },

    alertFeed() {
      return alertFeed;
    },

    disclosures() {
      return disclosures;
    },

    reports() {
      return reports;
    },

    rules() {
      return rules;
    },

    cases() {
      return cases;
    },

    identities() {
      return identities;
    },

    replay() {
      return replay;
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // Appends already accepted into the queue are written (and answered) before the database closes.
      while (writer) await writer;
      await db.close();
    },
  };
}
