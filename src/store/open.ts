// Build a Store: the composition roots (server, cli) call this, nothing else builds adapters.
import { usage } from "../contracts/errors.ts";
import { migrate } from "./migrations.ts";
import { openPgDb } from "./pg-db.ts";
import { openPgliteDb } from "./pglite-db.ts";
import { openPgliteOnThread } from "./pglite-thread.ts";
import type { PersonalDataSealingSource } from "./identities.ts";
import type { Store } from "./ports.ts";
import type { SqlDatabase } from "./sql.ts";
import { createSqlStore } from "./sql-store.ts";

export interface OpenStoreOptions {
  /** Directory of the embedded database (created if missing). Used when no databaseUrl is given. */
  dataDir?: string;
  /** A PostgreSQL server (postgresql://user:pass@host:port/db). Takes precedence over the others. */
  databaseUrl?: string;
  /** An embedded database in memory, gone on close (tests, one-shot commands). */
  memory?: boolean;
  /**
   * Keys that seal personal data at append (store/identities.ts), or a function loading them on first
   * need. The composition roots always pass them; without them events are stored as sent.
   */
  personalData?: PersonalDataSealingSource;
  /**
   * Run the embedded database (a `dataDir` one) on its own thread (pglite-thread.ts), so that its
   * work overlaps this thread's. Default true; false keeps it on the calling thread.
   */
  thread?: boolean;
}

/**
 * Open the store and bring its schema up to date: a PostgreSQL server when `databaseUrl` is given
 * (non-empty), else in-memory PGlite when `memory` is true, else PGlite in `dataDir`. Throws
 * KanshiError `usage` when none is given, `unavailable` when the database cannot be reached or the
 * data directory is in use by another process.
 */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  let db: SqlDatabase;
  if (opts.databaseUrl) db = await openPgDb({ databaseUrl: opts.databaseUrl });
  else if (opts.memory === true) db = await openPgliteDb({});
  else if (opts.dataDir) db = opts.thread === false ? await openPgliteDb({ dataDir: opts.dataDir }) : await openPgliteOnThread({ dataDir: opts.dataDir });
  else throw usage("the store needs a data directory, a database URL, or memory: true");
  try {
    await migrate(db);
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  return createSqlStore(db, opts.personalData === undefined ? {} : { personalData: opts.personalData });
}
