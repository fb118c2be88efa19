// The alert feed (migration 11): alerts in the order they were stored, by `feed_seq`, for followers
// of the live path (GET /v1/alerts/stream) to resume from after a reconnect (`Last-Event-ID`).
//
// feed_seq is handed out when a row is inserted. Within one process that saves alerts one batch at a
// time (the HTTP server does) the numbers commit in order, so a reader that has seen n has seen every
// committed alert below n. With several processes writing alerts to one PostgreSQL server a number
// can commit after a higher one, and a follower that read past it would skip it.
import type { Alert } from "../contracts/alerts.ts";
import { badInput } from "../contracts/errors.ts";
import { toNumber, toStr, type SqlDatabase } from "./sql.ts";

export interface FeedAlert {
  /** Position in the feed (> 0, increasing in commit order within one writer). */
  readonly seq: number;
  readonly alert: Alert;
}

export interface AlertFeed {
  /** Alerts stored after position `after`, oldest first, at most `limit` (1..1000). */
  since(after: number, limit: number): Promise<FeedAlert[]>;
  /** The highest position stored (0 when none). */
  head(): Promise<number>;
  /**
   * The stored events behind alerts' evidence (event keys `source:id`): for each key found, its
   * source, type and the account ids it names (accountId, fromAccountId, toAccountId, buyAccountId,
   * sellAccountId). Keys not stored are left out. At most 50,000 keys.
   */
  evidence(keys: readonly string[]): Promise<Map<string, EvidenceEvent>>;
}

export interface EvidenceEvent {
  readonly source: string;
  readonly type: string;
  readonly accounts: readonly string[];
}

const ACCOUNT_FIELDS = ["accountId", "fromAccountId", "toAccountId", "buyAccountId", "sellAccountId"] as const;

function accountsOf(body: string): string[] {
  try {
    const v = JSON.parse(body) as Record<string, unknown>;
    const out: string[] = [];
    for (const f of ACCOUNT_FIELDS) if (typeof v[f] === "string") out.push(v[f]);
    return out;
  } catch {
    return [];
  }
}

export function createSqlAlertFeed(db: SqlDatabase, live: () => void = () => undefined): AlertFeed {
  return {
    async since(after, limit) {
      live();
      if (!Number.isSafeInteger(after) || after < 0) throw badInput("expected a whole number ≥ 0", "after");
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw badInput("expected 1–1000", "limit");
      const rows = await db.query("SELECT feed_seq, body FROM alerts WHERE feed_seq > $1 ORDER BY feed_seq LIMIT $2", [after, limit]);
      return rows.map((r) => ({
        seq: toNumber(r.feed_seq, "alerts.feed_seq"),
        alert: (typeof r.body === "string" ? JSON.parse(r.body) : r.body) as Alert,
      }));
    },
    async head() {
      live();
      const [r] = await db.query("SELECT coalesce(max(feed_seq), 0) AS n FROM alerts");
      return toNumber(r?.n ?? 0, "max(feed_seq)");
    },
    async evidence(keys) {
      live();
      const out = new Map<string, EvidenceEvent>();
      const sources: string[] = [];
      const ids: string[] = [];
      for (const k of new Set(keys)) {
        const i = typeof k === "string" ? k.indexOf(":") : -1;
        if (i <= 0) continue;
        sources.push(k.slice(0, i));
        ids.push(k.slice(i + 1));
      }
      if (sources.length === 0) return out;
      if (sources.length > 50_000) throw badInput("at most 50,000 keys", "keys");
      const rows = await db.query(
        `SELECT e.source, e.id, e.type, e.body FROM events e
           JOIN unnest($1::text[], $2::text[]) AS k(source, id) ON e.source = k.source COLLATE "C" AND e.id = k.id COLLATE "C"`,
        [sources, ids],
      );
      for (const r of rows) {
        const source = toStr(r.source, "events.source");
        out.set(`${source}:${toStr(r.id, "events.id")}`, { source, type: toStr(r.type, "events.type"), accounts: accountsOf(toStr(r.body, "events.body")) });
      }
      return out;
    },
  };
}
