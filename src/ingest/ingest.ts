// Ingest: validate events once at the edge and append them to the durable log in batches.
// Used by `kanshi ingest` (files), `POST /v1/events` (HTTP) and the demo start-up.
import { parseEvent, type Event, type FieldIssue } from "../contracts/events.ts";
import { badInput } from "../contracts/errors.ts";
import type { Line } from "./lines.ts";

/** What ingest needs of the store: the append half of the event log. */
export interface EventAppender {
  appendEvents(
    batch: { source: string; id: string; type: string; time: number; ts: string; body: string }[],
    opts?: { atomic?: boolean },
  ): Promise<("accepted" | "duplicate")[]>;
}

export interface Rejection {
  /** Where the bad event is: `line 12` for files, `events[3]` for HTTP batches. */
  where: string;
  issues: FieldIssue[];
}

export interface IngestCounts {
  accepted: number;
  duplicate: number;
  rejected: number;
}

export function describeRejection(r: Rejection): string {
  return r.issues.map((i) => `${r.where}: ${i.path ? i.path + ": " : ""}${i.message}`).join("; ");
}

/** Decode and validate one JSON text. */
export function validateText(text: string): { ok: true; event: Event } | { ok: false; issues: FieldIssue[] } {
  const r = decodeText(text);
  return r.ok ? { ok: true, event: r.event } : r;
}

/** validateText, with the parsed JSON value beside the event. */
function decodeText(text: string): { ok: true; event: Event; value: unknown } | { ok: false; issues: FieldIssue[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, issues: [{ path: "", message: `not valid JSON (${(e as Error).message})` }] };
  }
  const r = parseEvent(value);
  return r.ok ? { ok: true, event: r.event, value } : r;
}

/** The stored form of a validated event; `parsed` (its wire JSON as parsed) spares the store a second parse. */
function toStored(event: Event, body: string, parsed?: unknown) {
  return { source: event.source, id: event.id, type: event.type, time: event.time, ts: event.ts, body, parsed };
}

export interface StreamIngestOptions {
  batchSize?: number;
  /** Called after each committed batch with running totals (for progress bars). */
  onProgress?: (counts: IngestCounts, lastLine: number) => void;
  /** Called for every rejected line. */
  onReject?: (r: Rejection) => void;
  /** Called with each committed batch of accepted-or-duplicate events (for live detection). */
  onCommitted?: (events: Event[], outcomes: ("accepted" | "duplicate")[]) => void;
}

/**
 * Ingests NDJSON lines: good events are stored even when some lines are bad; a bad line is
 * reported with its line number, field path and reason. Returns the final counts. Each batch is
 * committed before the next is read, so a crash loses at most the batch in flight, which was
 * never acknowledged.
 */
export async function ingestLines(store: EventAppender, lines: AsyncIterable<Line> | Iterable<Line>, opts: StreamIngestOptions = {}): Promise<IngestCounts> {
  const batchSize = opts.batchSize ?? 2000;
  const counts: IngestCounts = { accepted: 0, duplicate: 0, rejected: 0 };
  let events: Event[] = [];
  let stored: ReturnType<typeof toStored>[] = [];
  let lastLine = 0;
  const flush = async () => {
    if (stored.length === 0) return;
    const outcomes = await store.appendEvents(stored);
    for (const o of outcomes) counts[o]++;
    opts.onCommitted?.(events, outcomes);
    events = [];
    stored = [];
    opts.onProgress?.(counts, lastLine);
  };
  for await (const line of lines) {
    lastLine = line.no;
    const r = decodeText(line.text);
    if (!r.ok) {
      counts.rejected++;
      opts.onReject?.({ where: `line ${line.no}`, issues: r.issues });
      continue;
    }
    events.push(r.event);
    stored.push(toStored(r.event, line.text, r.value));
    if (stored.length >= batchSize) await flush();
  }
  await flush();
  opts.onProgress?.(counts, lastLine);
  return counts;
}

export type BatchItemResult =
  | { index: number; status: "accepted" | "duplicate"; key: string }
  | { index: number; status: "rejected"; errors: { path: string; message: string }[] }
  | { index: number; status: "not_stored"; key: string };

export interface BatchResult extends IngestCounts {
  results: BatchItemResult[];
  /** The validated events in input order (undefined where rejected), for live detection. */
  events: (Event | undefined)[];
}

/** An NDJSON body line that was not JSON at all: reported as a rejection at its index. */
export class UnparsableLine {
  constructor(readonly message: string) {}
}

/**
 * Ingests one HTTP batch. Every event is answered: accepted, duplicate, or rejected with its field
 * paths (`events[3].amount`). With `atomic`, one bad event means none is stored (`not_stored`).
 */
export interface BatchOptions {
  /** All or nothing: one rejected event means none is stored. */
  atomic?: boolean;
  /**
   * Checked for every valid event before storing: an issue rejects that event at `events[i].<path>`
   * like a validation error (the HTTP server refuses events the caller may not submit this way).
   */
  authorize?: (event: Event) => FieldIssue | null;
}

export async function ingestBatch(store: EventAppender, values: unknown[], opts: BatchOptions = {}): Promise<BatchResult> {
  if (values.length === 0) throw badInput("the batch holds no events", "events");
  const events: (Event | undefined)[] = [];
  const results: BatchItemResult[] = [];
  const good: { index: number; event: Event; body: string; parsed: unknown }[] = [];
  values.forEach((value, index) => {
    const parsed = value instanceof UnparsableLine ? { ok: false as const, issues: [{ path: "", message: value.message }] } : parseEvent(value);
    const refused = parsed.ok && opts.authorize ? opts.authorize(parsed.event) : null;
    const r = refused ? { ok: false as const, issues: [refused] } : parsed;
    if (r.ok) {
      events.push(r.event);
      good.push({ index, event: r.event, body: JSON.stringify(value), parsed: value });
    } else {
      events.push(undefined);
      results[index] = { index, status: "rejected", errors: r.issues.map((i) => ({ path: `events[${index}]${i.path ? (i.path.startsWith("[") ? "" : ".") + i.path : ""}`, message: i.message })) };
    }
  });
  const counts: IngestCounts = { accepted: 0, duplicate: 0, rejected: values.length - good.length };
  if (opts.atomic && counts.rejected > 0) {
    for (const g of good) results[g.index] = { index: g.index, status: "not_stored", key: `${g.event.source}:${g.event.id}` };
  } else if (good.length > 0) {
    const outcomes = await store.appendEvents(good.map((g) => toStored(g.event, g.body, g.parsed)), { atomic: opts.atomic ?? false });
    outcomes.forEach((o, i) => {
      const g = good[i]!;
      counts[o]++;
      results[g.index] = { index: g.index, status: o, key: `${g.event.source}:${g.event.id}` };
    });
  }
  return { ...counts, results, events };
}
