// The one ordered migration set both adapters run on open. To change the schema, append a migration
// with the next version; never edit one that has shipped (the runner refuses a database whose applied
// migrations differ from the code's by checksum, and one that is newer than the code).
//
// Runner: holds a PostgreSQL advisory lock for the whole run, so two processes opening one database
// at once apply each migration exactly once (the second waits, then finds nothing to do); each
// migration and its schema_migrations row commit in one transaction.
import { createHash } from "node:crypto";
import { KanshiError } from "../contracts/errors.ts";
import { toNumber, toStr, type SqlDatabase } from "./sql.ts";

export interface Migration {
  /**
   * Strictly increasing. Numbers are handed out to rooms ahead of their work (6 identity records,
   * 7 cases, 8 disclosures, 9 rules and typology configs, 10 reports, 11 sessions, 12 the replay
   * encoding), so the list may skip a number until the room that owns it lands; a database that has
   * a later migration but not an earlier one it has never seen gets the earlier one applied next.
   */
  version: number;
  /** A short name (`events`, `cases`, …), recorded with it. */
  name: string;
  /** SQL run in one transaction. */
  up: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "events",
    // body is text, not jsonb: the store never looks inside an event (the columns carry what it
    // queries by), inserting text skips jsonb's parse-and-rebuild (measured 11–18% faster appends on
    // both adapters), replay hands the wire JSON straight back without re-serialising, and text keeps
    // the bytes exactly as sent (jsonb reorders keys and drops duplicate ones).
    // ts is the wire timestamp verbatim (text) so the sender's offset survives; the instant is
    // time_ms, which is what replay orders by and what time filters should use.
    // source and id use the "C" collation: byte order, identical on every server and locale, so the
    // event-time order (time_ms, source, id) of a replay never depends on where it runs.
    up: `
      CREATE TABLE events (
        seq         bigint GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME events_seq_seq),
        source      text COLLATE "C" NOT NULL,
        id          text COLLATE "C" NOT NULL,
        type        text NOT NULL,
        time_ms     bigint NOT NULL,
        ts          text NOT NULL,
        body        text NOT NULL,
        ingested_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, id)
      );
      CREATE UNIQUE INDEX events_seq ON events (seq);
      CREATE INDEX events_event_time ON events (time_ms, source, id);

      -- Per-type counts kept in the same transaction as the events they count, so countEvents() is
      -- exact and does not scan millions of rows.
      CREATE TABLE event_type_counts (
        type text PRIMARY KEY,
        n    bigint NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "alerts",
    // body is jsonb here: alerts are few next to events, and analysts and later rules will want to
    // query their details.
    up: `
      CREATE TABLE alerts (
        id           text COLLATE "C" PRIMARY KEY,
        typology     text NOT NULL,
        ts           timestamptz NOT NULL,
        subject_kind text NOT NULL,
        subject_id   text NOT NULL,
        accounts     text[] NOT NULL,
        score        double precision NOT NULL,
        body         jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      );
      -- Listing is newest first, (ts, id) descending, keyset-paginated with a row comparison
      -- (ts, id) < (cursor): these indexes serve it scanned backwards, with or without a typology.
      CREATE INDEX alerts_ts ON alerts (ts, id);
      CREATE INDEX alerts_typology_ts ON alerts (typology, ts, id);
      CREATE INDEX alerts_accounts ON alerts USING gin (accounts);
      CREATE INDEX alerts_subject ON alerts (subject_kind, subject_id);
    `,
  },
  {
    version: 3,
    name: "meta",
    up: `
      CREATE TABLE meta (
        key        text PRIMARY KEY,
        value      text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 4,
    name: "audit",
    // The privacy room's audit trail (privacy/audit): hash-chained records and signed tree heads,
    // append-only (audit-log.ts never updates or deletes). Every field a record's hash covers is kept
    // as text exactly as hashed: details is its canonical JSON text, not jsonb (which would reorder
    // keys and rewrite numbers), ts is the ISO string. seq is the primary key, so two writers can
    // never both store position n; heads are kept in the order stored (pos).
    up: `
      CREATE TABLE audit_records (
        seq       bigint PRIMARY KEY CHECK (seq >= 0),
        ts        text NOT NULL,
        actor     text NOT NULL,
        action    text NOT NULL,
        target    text NOT NULL,
        details   text NOT NULL,
        prev_hash text NOT NULL,
        hash      text NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE audit_heads (
        pos        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tree_size  bigint NOT NULL,
        root_hash  text NOT NULL,
        signed_ms  bigint NOT NULL,
        signature  text NOT NULL,
        stored_at  timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 5,
    name: "principals",
    // People (password hash) and API keys (hash of the secret), each with one role and, for exchange
    // officers and data providers, a tenant. Never deleted: revoking sets revoked_at, so the audit
    // trail's actors stay resolvable.
    up: `
      CREATE TABLE users (
        name          text COLLATE "C" PRIMARY KEY,
        role          text NOT NULL,
        tenant        text,
        password_hash text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        revoked_at    timestamptz
      );
      CREATE TABLE api_keys (
        id         text COLLATE "C" PRIMARY KEY,
        name       text NOT NULL,
        role       text NOT NULL,
        tenant     text,
        key_hash   text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
    `,
  },
];

/** An arbitrary fixed key ("kanshi" in ASCII) for the migration advisory lock. */
export const MIGRATION_LOCK_KEY = 0x6b616e736869;

export function checksum(m: Migration): string {
  return createHash("sha256").update(m.up).digest("hex").slice(0, 16);
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const prev = i === 0 ? 0 : migrations[i - 1]!.version;
    if (!Number.isSafeInteger(m.version) || m.version <= prev) {
      throw new Error(`migrations[${i}]: version ${m.version} must be an integer greater than ${prev}`);
    }
  });
}

export interface MigrateResult {
  /** Versions applied by this call (empty when the schema was already current). */
  applied: number[];
  /** The schema version afterwards. */
  version: number;
}

/** Bring the database up to the newest migration. Safe to call from several processes at once. */
export async function migrate(db: SqlDatabase, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrateResult> {
  checkOrder(migrations);
  return db.session(async (s) => {
    await s.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    let result: MigrateResult;
    try {
      await s.exec(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version    integer PRIMARY KEY,
          name       text NOT NULL,
          checksum   text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )
      `);
      const rows = await s.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
      const known = new Map(migrations.map((m) => [m.version, m]));
      for (const r of rows) {
        const version = toNumber(r.version, "schema_migrations.version");
        const m = known.get(version);
        if (!m) {
          throw new KanshiError(
            "unavailable",
            `the database has migration ${version} (${toStr(r.name, "name")}), which this Kanshi does not know (it knows up to ${migrations.at(-1)?.version ?? 0}); upgrade Kanshi`,
          );
        }
        if (toStr(r.checksum, "checksum") !== checksum(m)) {
          throw new KanshiError(
            "internal",
            `migration ${version} (${m.name}) differs from the one applied to this database; migrations must never be edited once shipped — add a new one`,
          );
        }
      }
      const done = new Set(rows.map((r) => toNumber(r.version, "schema_migrations.version")));
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await s.transaction(async (tx) => {
          await tx.exec(m.up);
          await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [m.version, m.name, checksum(m)]);
        });
        applied.push(m.version);
      }
      result = { applied, version: migrations.at(-1)?.version ?? 0 };
    } catch (e) {
      // The session's connection is dropped on error, which releases the lock with it.
      await s.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
      throw e;
    }
    await s.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    return result;
  });
}
