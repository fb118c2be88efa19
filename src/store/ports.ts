// The store port: what ingest, the CLI and the HTTP server call. Two adapters implement it (embedded
// PGlite, the default, and a PostgreSQL server) over one schema and one migration set; both pass the
// same contract suite (contract.ts). Callers build a Store with `openStore()` (open.ts).
import type { Alert } from "../contracts/alerts.ts";
import type { AuditLog } from "../privacy/index.ts";
import type { PrincipalStore } from "./principals.ts";
import type { IdentityStore } from "./identities.ts";
import type { CaseStore } from "./cases.ts";
import type { SessionStore } from "./sessions.ts";
import type { AlertFeed } from "./alert-feed.ts";
import type { DisclosureStore } from "./disclosures.ts";
import type { ReportStore } from "./reports.ts";
import type { RuleStore } from "./rules.ts";
import type { ReplayLog } from "./replay.ts";

/** One validated event as the store keeps it. */
export interface StoredEventInput {
  /** Who sent it (the event's `source`). With `id`, the idempotency key. */
  source: string;
  /** Unique per source. */
  id: string;
  /** The event type (`trade`, `deposit`, …). */
  type: string;
  /** Event time, epoch milliseconds (the event's `ts` as an instant); the order of replay. */
  time: number;
  /** The event's `ts` exactly as sent (RFC 3339 with its offset). */
  ts: string;
  /**
   * The event's wire JSON, one line. Stored and returned byte for byte, except that a store opened
   * with personalData keys stores identity-bearing events (KYC, credit reports, social links,
   * travel-rule names) with their personal values sealed apart (identities.ts): the stored body is
   * the same event type, personal values replaced or removed, listed under `_sealed`.
   */
  body: string;
  /**
   * `body` already parsed (equal to JSON.parse(body)), when the caller has it: sealing reads it
   * instead of parsing the body again. Never stored.
   */
  parsed?: unknown;
}

/** An event read back: the input plus `seq`, its position in ingest order. */
export interface StoredEvent extends StoredEventInput {
  /**
   * Ingest sequence number: strictly increasing in the order events were stored (with gaps: a
   * duplicate or a rolled-back batch uses numbers too). With concurrent writers to one PostgreSQL
   * server, numbers are handed out before commit, so a reader may see 7 before 6 commits.
   */
  seq: number;
}

/** Per input event: stored now, or already stored (earlier, or earlier in the same batch). */
export type AppendOutcome = "accepted" | "duplicate";

export interface AppendOptions {
  /**
   * The caller's all-or-nothing mode (it validates the whole batch before appending). The store
   * writes every batch in one transaction whatever this says, so a batch is never half-written:
   * the flag is accepted so callers can pass their mode through, and changes nothing here.
   */
  atomic?: boolean;
}

export type ScanOrder = "event-time" | "ingest";

export interface ScanOptions {
  /** `event-time` (default): by (time, source, id). `ingest`: by seq. */
  order?: ScanOrder;
  /** Events per page, 1..50,000; default 2,000. */
  batchSize?: number;
}

export interface AlertQuery {
  /** Only alerts of this typology. */
  typology?: string;
  /** Only alerts naming this account among their `accounts`. */
  account?: string;
  /** Only alerts with `ts` at or after this instant (RFC 3339 with offset). Inclusive. */
  from?: string;
  /** Only alerts with `ts` before this instant (RFC 3339 with offset). Exclusive. */
  to?: string;
  /** Page size, 1..500 (larger values are clamped to 500); default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. Opaque. */
  cursor?: string;
}

export interface AlertPage {
  items: Alert[];
  /** Pass as `cursor` for the next page; null when this is the last page. */
  nextCursor: string | null;
}

export interface Store {
  /**
   * Append a batch in one transaction. Returns one outcome per input, in input order. An event whose
   * (source, id) is already stored, or appears earlier in the same batch, is "duplicate" and is not
   * stored again (the first occurrence wins; a later one with a different body is ignored). When the
   * promise resolves, every "accepted" event is committed. On error nothing of the batch is stored.
   * Throws KanshiError bad_input (path `batch[i].field`) for a malformed input, before writing.
   */
  appendEvents(batch: readonly StoredEventInput[], opts?: AppendOptions): Promise<AppendOutcome[]>;

  /**
   * Every event, a page at a time, keyset-paginated so memory stays bounded however long the log.
   * The scan covers the events stored when it started (those with seq ≤ the highest seq then);
   * events appended while it runs are not included. Stop early by breaking out of the loop.
   * Throws bad_input (when called, not when iterated) for a bad order or batchSize.
   */
  scanEvents(opts?: ScanOptions): AsyncIterable<StoredEvent[]>;

  countEvents(): Promise<number>;
  countEventsByType(): Promise<Record<string, number>>;

  /**
   * Store alerts. An alert id already stored (or repeated in the call) is kept as first stored and
   * not overwritten: alert ids are stable hashes of what produced them, and a raised alert does not
   * change under an analyst's feet. Returns how many were new. Throws bad_input (`alerts[i].field`).
   */
  saveAlerts(alerts: readonly Alert[]): Promise<{ inserted: number }>;

  /**
   * Alerts newest first: by ts descending, then id descending (byte order), keyset-paginated.
   * Throws bad_input for a bad query.
   */
  listAlerts(q?: AlertQuery): Promise<AlertPage>;
  countAlertsByTypology(): Promise<Record<string, number>>;

  /** A small key–value table for the application's own bookkeeping ("demo seeded", …). */
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;

  /**
   * The privacy room's audit trail storage (the `AuditLog` port) in this store's database: append-only
   * hash-chained records and signed tree heads. Appends reject with `conflict` unless the first seq
   * equals the current size. Calls on it after `close()` reject with `unavailable`.
   */
  auditLog(): AuditLog;

  /** Users (password hashes) and API keys (secret hashes), with role and tenant; revocable, never deleted. */
  principals(): PrincipalStore;

  /** Disclosure requests, their decisions and grants (purposes and reasons sealed); decided once. */
  disclosures(): DisclosureStore;

  /** People's login sessions (hashed ids, expiry, logout), for the HTTP server. */
  sessions(): SessionStore;

  /** Alerts in the order stored (feed_seq), for the live stream's resume. */
  alertFeed(): AlertFeed;

  /** Cases: alerts grouped per entity (or account), state, assignment, history, sealed notes, evidence; tenant-aware reads. */
  cases(): CaseStore;

  /**
   * Identity records: personal data sealed at rest (split out of identity-bearing events at append
   * when the store was opened with personalData keys), blind indexes, features, entity assignments,
   * reads for disclosure, purge and key rotation (identities.ts).
   */
  identities(): IdentityStore;

  /** Suspicious transaction reports (goAML XML, the Japanese STR form), sealed; draft → approved → filed. */
  reports(): ReportStore;

  /** Custom rules (draft → backtested → published, versioned) and typology config overrides, as data. */
  rules(): RuleStore;

  /**
   * The log's replay form (replay.ts): the engine's view of every stored event in compact binary
   * segments, built lazily and kept, read back in event-time order without JSON or validation.
   */
  replay(): ReplayLog;

  /** Close connections (and, for PGlite, flush and release the data directory). Idempotent. */
  close(): Promise<void>;
}
