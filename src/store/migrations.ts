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
  {
    version: 6,
    name: "identity records",
    // The personal data of the event log, sealed (store/identities.ts): one identity_records row per
    // identity-bearing event (record_id = its key source:id; tenant = its source, the owner), the
    // derived non-identifying features, and the entity the linker assigned (linked_at set when it
    // has seen the record). identity_fields: personal values sealed (the Keyring's binary format:
    // key id, wrapped data key, nonce, tag, ciphertext) — rows written first hold one value each
    // (field = its path); rows written since hold all of a record's values under one data key
    // (field = "@<path> <path> …", see identities.ts packFields) — kid repeated in a column so
    // rotation finds what to rewrap. identity_blind_indexes: HMAC indexes of the equality fields,
    // looked up by (field, value). Purging deletes fields and indexes and sets purged_at; records stay.
    // No foreign keys to identity_records: fields and indexes are only ever inserted in the statement
    // that inserts their record (joined to it), and records are never deleted; the per-row key checks
    // cost about a third of the append time of identity events (measured on PGlite).
    up: `
      CREATE TABLE identity_records (
        record_id  text COLLATE "C" PRIMARY KEY,
        tenant     text COLLATE "C" NOT NULL,
        event_id   text COLLATE "C" NOT NULL,
        kind       text NOT NULL,
        account_id text COLLATE "C",
        time_ms    bigint NOT NULL,
        features   jsonb NOT NULL,
        entity_id  text COLLATE "C",
        confidence double precision,
        linked_at  timestamptz,
        stored_at  timestamptz NOT NULL DEFAULT now(),
        purged_at  timestamptz,
        UNIQUE (tenant, event_id)
      );
      CREATE INDEX identity_records_time ON identity_records (time_ms, tenant, event_id);
      CREATE INDEX identity_records_entity ON identity_records (entity_id);
      CREATE INDEX identity_records_account ON identity_records (account_id);
      CREATE TABLE identity_fields (
        record_id text COLLATE "C" NOT NULL,
        field     text COLLATE "C" NOT NULL,
        kid       text NOT NULL,
        sealed    bytea NOT NULL,
        PRIMARY KEY (record_id, field)
      );
      CREATE INDEX identity_fields_kid ON identity_fields (kid);
      CREATE TABLE identity_blind_indexes (
        record_id text COLLATE "C" NOT NULL,
        field     text NOT NULL,
        kid       text NOT NULL,
        value     text COLLATE "C" NOT NULL,
        PRIMARY KEY (record_id, field, kid)
      );
      CREATE INDEX identity_blind_lookup ON identity_blind_indexes (field, value);
    `,
  },
  {
    version: 7,
    name: "cases",
    // Cases (store/cases.ts): alerts grouped per subject (an entity, or an account before identity
    // resolution), the accounts a case touches with their exchange (what an officer's view is scoped
    // by, kept denormalised in cases.tenants), history, notes (sealed text only) and evidence. At most
    // one case per subject is not closed (partial unique index); an alert is in at most one case.
    // alerted_accounts: every account seen in an alert, its exchange and pseudonym (to resolve the
    // pseudonyms the API shows). Times are epoch ms from the service's clock; alert times stay text.
    up: `
      CREATE TABLE cases (
        id             text COLLATE "C" PRIMARY KEY,
        entity_id      text COLLATE "C" NOT NULL,
        subject_kind   text NOT NULL CHECK (subject_kind IN ('entity', 'account')),
        state          text NOT NULL CHECK (state IN ('open', 'investigating', 'escalated', 'reported', 'closed')),
        disposition    text CHECK (disposition IN ('false_positive', 'no_further_action', 'reported')),
        score          double precision NOT NULL CHECK (score >= 0 AND score <= 100),
        last_score     double precision NOT NULL CHECK (last_score >= 0 AND last_score <= 100),
        assignee       text COLLATE "C",
        opened_by      text NOT NULL,
        opened_reason  text NOT NULL CHECK (opened_reason IN ('score', 'manual')),
        opened_ms      bigint NOT NULL CHECK (opened_ms >= 0),
        updated_ms     bigint NOT NULL,
        closed_ms      bigint,
        reported_ms    bigint,
        due_ms         bigint,
        first_alert_ts text,
        last_alert_ts  text,
        alert_count    integer NOT NULL DEFAULT 0 CHECK (alert_count >= 0),
        tenants        text[] NOT NULL DEFAULT '{}',
        version        integer NOT NULL DEFAULT 1,
        CHECK ((state = 'closed') = (disposition IS NOT NULL)),
        CHECK ((state = 'closed') = (closed_ms IS NOT NULL))
      );
      CREATE UNIQUE INDEX cases_active_subject ON cases (entity_id) WHERE state <> 'closed';
      CREATE INDEX cases_entity ON cases (entity_id, opened_ms);
      CREATE INDEX cases_tenants ON cases USING gin (tenants);
      CREATE INDEX cases_opened ON cases (opened_ms, id);
      CREATE INDEX cases_score ON cases (score, id);
      CREATE INDEX cases_assignee ON cases (assignee, opened_ms) WHERE assignee IS NOT NULL;
      CREATE TABLE case_alerts (
        alert_id text COLLATE "C" PRIMARY KEY,
        case_id  text COLLATE "C" NOT NULL REFERENCES cases (id),
        added_ms bigint NOT NULL
      );
      CREATE INDEX case_alerts_case ON case_alerts (case_id);
      CREATE TABLE case_accounts (
        case_id    text COLLATE "C" NOT NULL REFERENCES cases (id),
        owner      text COLLATE "C" NOT NULL,
        account_id text COLLATE "C" NOT NULL,
        PRIMARY KEY (case_id, owner, account_id)
      );
      CREATE INDEX case_accounts_account ON case_accounts (account_id);
      CREATE TABLE alerted_accounts (
        owner      text COLLATE "C" NOT NULL,
        account_id text COLLATE "C" NOT NULL,
        pseudonym  text COLLATE "C" NOT NULL UNIQUE,
        PRIMARY KEY (owner, account_id)
      );
      CREATE INDEX alerted_accounts_account ON alerted_accounts (account_id);
      CREATE TABLE case_history (
        id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id text COLLATE "C" NOT NULL REFERENCES cases (id),
        at_ms   bigint NOT NULL,
        actor   text NOT NULL,
        action  text NOT NULL,
        details jsonb NOT NULL
      );
      CREATE INDEX case_history_case ON case_history (case_id, id);
      CREATE TABLE case_notes (
        seq         bigint GENERATED ALWAYS AS IDENTITY,
        id          text COLLATE "C" PRIMARY KEY,
        case_id     text COLLATE "C" NOT NULL REFERENCES cases (id),
        at_ms       bigint NOT NULL,
        author      text NOT NULL,
        text_sealed text NOT NULL CHECK (text_sealed LIKE 'ks1.%')
      );
      CREATE INDEX case_notes_case ON case_notes (case_id, seq);
      CREATE TABLE case_evidence (
        seq      bigint GENERATED ALWAYS AS IDENTITY,
        id       text COLLATE "C" PRIMARY KEY,
        case_id  text COLLATE "C" NOT NULL REFERENCES cases (id),
        kind     text NOT NULL CHECK (kind IN ('event', 'alert', 'graph')),
        ref      text,
        graph    jsonb,
        added_by text NOT NULL,
        added_ms bigint NOT NULL,
        CHECK ((kind = 'graph') = (graph IS NOT NULL AND ref IS NULL))
      );
      CREATE INDEX case_evidence_case ON case_evidence (case_id, seq);
    `,
  },
  {
    version: 8,
    name: "disclosures",
    // Disclosure requests (store/disclosures.ts), their decisions and the grants approvals make.
    // The written purpose and decision reasons are personal-ish text: only their sealed form (the
    // privacy Keyring's "ks1." text) is stored. Times are epoch ms from the service's clock. The
    // stored state is pending/approved/refused/revoked; "expired" is derived from the clock
    // (pending past pending_until_ms, approved at or past the grant's expires_at_ms). A request is
    // decided once: the (request_id, decision) key and the state-guarded UPDATE make a second
    // approval, or an approval after a refusal, a conflict. A grant's approver can never be its
    // grantee (CHECK), whatever the code above does.
    up: `
      CREATE TABLE disclosure_requests (
        request_id       text COLLATE "C" PRIMARY KEY,
        entity_id        text COLLATE "C" NOT NULL,
        case_id          text NOT NULL,
        requested_by     text COLLATE "C" NOT NULL,
        requester_role   text NOT NULL,
        purpose_sealed   text NOT NULL CHECK (purpose_sealed LIKE 'ks1.%'),
        fields           text[] NOT NULL CHECK (cardinality(fields) > 0),
        duration_ms      bigint NOT NULL CHECK (duration_ms > 0),
        requested_at_ms  bigint NOT NULL CHECK (requested_at_ms >= 0),
        pending_until_ms bigint NOT NULL CHECK (pending_until_ms >= requested_at_ms),
        state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'refused', 'revoked')),
        created_at       timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX disclosure_requests_requester ON disclosure_requests (requested_by, requested_at_ms, request_id);
      CREATE INDEX disclosure_requests_pending ON disclosure_requests (requested_at_ms, request_id) WHERE state = 'pending';
      CREATE INDEX disclosure_requests_entity ON disclosure_requests (entity_id);
      CREATE TABLE disclosure_decisions (
        request_id    text COLLATE "C" NOT NULL REFERENCES disclosure_requests (request_id),
        decision      text NOT NULL CHECK (decision IN ('approve', 'refuse', 'revoke')),
        decided_by    text NOT NULL,
        decider_role  text NOT NULL,
        decided_at_ms bigint NOT NULL CHECK (decided_at_ms >= 0),
        reason_sealed text CHECK (reason_sealed LIKE 'ks1.%'),
        stored_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (request_id, decision)
      );
      CREATE TABLE disclosure_grants (
        request_id     text COLLATE "C" PRIMARY KEY REFERENCES disclosure_requests (request_id),
        entity_id      text COLLATE "C" NOT NULL,
        grantee        text COLLATE "C" NOT NULL,
        grantee_role   text NOT NULL,
        approved_by    text NOT NULL,
        approved_at_ms bigint NOT NULL CHECK (approved_at_ms >= 0),
        expires_at_ms  bigint NOT NULL,
        revoked_at_ms  bigint,
        CHECK (approved_by <> grantee),
        CHECK (expires_at_ms > approved_at_ms)
      );
      CREATE INDEX disclosure_grants_grantee ON disclosure_grants (grantee, entity_id);
    `,
  },
  {
    version: 9,
    name: "rules and typology configs",
    // Custom detection rules (store/rules.ts) as data: each (rule_id, version) holds a checked
    // definition (CEL text, score, event types) and its config version (hash of the definition).
    // draft → published → retired: a version is published only after a backtest against the stored
    // history was recorded for that very definition (CHECKs), and at most one version of a rule is
    // published at a time (partial unique index). Typology config overrides are versioned data too;
    // the newest version per typology is in force.
    up: `
      CREATE TABLE rule_versions (
        rule_id                 text COLLATE "C" NOT NULL,
        version                 integer NOT NULL CHECK (version >= 1),
        definition              jsonb NOT NULL,
        config_version          text NOT NULL CHECK (config_version ~ '^[0-9a-f]{12}$'),
        status                  text NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
        created_by              text NOT NULL,
        created_ms              bigint NOT NULL CHECK (created_ms >= 0),
        backtest                jsonb,
        backtest_config_version text,
        backtest_by             text,
        backtest_ms             bigint,
        published_by            text,
        published_ms            bigint,
        PRIMARY KEY (rule_id, version),
        CHECK ((backtest IS NULL) = (backtest_ms IS NULL) AND (backtest IS NULL) = (backtest_by IS NULL)),
        CHECK (status = 'draft' OR (backtest IS NOT NULL AND backtest_config_version = config_version)),
        CHECK ((status = 'draft') = (published_by IS NULL) AND (published_by IS NULL) = (published_ms IS NULL))
      );
      CREATE UNIQUE INDEX rule_versions_one_published ON rule_versions (rule_id) WHERE status = 'published';
      CREATE TABLE typology_configs (
        typology       text COLLATE "C" NOT NULL,
        version        integer NOT NULL CHECK (version >= 1),
        overrides      jsonb NOT NULL,
        config_version text NOT NULL,
        created_by     text NOT NULL,
        created_ms     bigint NOT NULL CHECK (created_ms >= 0),
        PRIMARY KEY (typology, version)
      );
    `,
  },
  {
    version: 10,
    name: "reports",
    // Suspicious transaction reports (store/reports.ts): goAML XML or the Japanese STR form, drafted
    // for a case by the reporting exchange (tenant), approved by a supervisor who is not the drafter
    // (CHECK), then marked filed: draft → approved → filed, each step a state-guarded UPDATE. The
    // content carries personal data, so only its sealed form ("ks1." text from the privacy Keyring)
    // is stored, with its SHA-256 for the audit trail. Typologies and counts are kept in the clear for
    // the regulator's statistics. Times are epoch ms from the service's clock.
    up: `
      CREATE TABLE reports (
        id             text COLLATE "C" PRIMARY KEY,
        case_id        text COLLATE "C" NOT NULL,
        tenant         text COLLATE "C" NOT NULL,
        kind           text NOT NULL CHECK (kind IN ('goaml', 'str')),
        status         text NOT NULL CHECK (status IN ('draft', 'approved', 'filed')),
        content_sealed text NOT NULL CHECK (content_sealed LIKE 'ks1.%'),
        content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
        typologies     text[] NOT NULL DEFAULT '{}',
        subjects       integer NOT NULL CHECK (subjects >= 0),
        transactions   integer NOT NULL CHECK (transactions >= 0),
        report_number  text,
        drafted_by     text NOT NULL,
        drafted_role   text NOT NULL,
        drafted_ms     bigint NOT NULL CHECK (drafted_ms >= 0),
        approved_by    text,
        approved_role  text CHECK (approved_role = 'supervisor'),
        approved_ms    bigint,
        filed_by       text,
        filed_ms       bigint,
        version        integer NOT NULL DEFAULT 1,
        CHECK ((approved_by IS NULL) = (status = 'draft')),
        CHECK ((approved_by IS NULL) = (approved_ms IS NULL) AND (approved_by IS NULL) = (approved_role IS NULL)),
        CHECK ((filed_by IS NULL) = (status <> 'filed')),
        CHECK ((filed_by IS NULL) = (filed_ms IS NULL)),
        CHECK (approved_by IS NULL OR approved_by <> drafted_by),
        CHECK (approved_ms IS NULL OR approved_ms >= drafted_ms),
        CHECK (filed_ms IS NULL OR filed_ms >= approved_ms)
      );
      CREATE INDEX reports_case ON reports (case_id, drafted_ms);
      CREATE INDEX reports_tenant ON reports (tenant, drafted_ms, id);
      CREATE INDEX reports_drafted ON reports (drafted_ms, id);
    `,
  },
  {
    version: 11,
    name: "sessions",
    // Password sessions of people (store/sessions.ts): only SHA-256 of the session id and of its CSRF
    // token are kept; times are epoch ms from the server's clock; a session belongs to a user row.
    // Also the alert feed (store/alert-feed.ts): alerts numbered in the order stored, so followers of
    // the live stream (GET /v1/alerts/stream, Last-Event-ID) resume where they left off. Existing
    // alerts are numbered when the column is added.
    up: `
      CREATE TABLE sessions (
        id_hash      text COLLATE "C" PRIMARY KEY,
        user_name    text COLLATE "C" NOT NULL REFERENCES users (name),
        csrf_hash    text NOT NULL,
        created_ms   bigint NOT NULL CHECK (created_ms >= 0),
        last_seen_ms bigint NOT NULL CHECK (last_seen_ms >= created_ms),
        expires_ms   bigint NOT NULL CHECK (expires_ms > created_ms),
        revoked_ms   bigint
      );
      CREATE INDEX sessions_user ON sessions (user_name);
      CREATE INDEX sessions_expires ON sessions (expires_ms);
      ALTER TABLE alerts ADD COLUMN feed_seq bigint GENERATED ALWAYS AS IDENTITY;
      CREATE UNIQUE INDEX alerts_feed_seq ON alerts (feed_seq);
    `,
  },
  {
    version: 12,
    name: "replay segments",
    // The replay form of the event log (store/replay.ts, replay-codec.ts): the engine's view of the
    // stored events in compact binary segments, each covering a run of seq numbers and sorted in
    // replay order, built lazily and kept. Rewriting or deleting stored events (purge, key rotation)
    // drops every segment in the same statement, so none outlives the bodies it was built from.
    up: `
      CREATE TABLE replay_segments (
        first_seq bigint PRIMARY KEY,
        last_seq  bigint NOT NULL CHECK (last_seq >= first_seq),
        rows      integer NOT NULL CHECK (rows > 0),
        events    integer NOT NULL CHECK (events >= 0 AND events <= rows),
        invalid   integer NOT NULL CHECK (invalid >= 0 AND events + invalid = rows),
        format    smallint NOT NULL,
        data      bytea NOT NULL,
        built_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE FUNCTION replay_segments_stale() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM replay_segments;
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER events_replay_stale AFTER UPDATE OR DELETE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION replay_segments_stale();
      CREATE TRIGGER events_replay_truncate AFTER TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION replay_segments_stale();
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
