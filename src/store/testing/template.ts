// Fresh PGlite stores in about a second instead of several: initdb and the migrations run once, the
// resulting data directory is kept as a tarball in memory, and every open() starts from a copy of it.
// For tests (the contract suite here, and other rooms' tests that need a real store).
import { migrate } from "../migrations.ts";
import { openPgliteDb } from "../pglite-db.ts";
import type { PersonalDataSealingSource } from "../identities.ts";
import type { Store } from "../ports.ts";
import { createSqlStore } from "../sql-store.ts";

export interface StoreTemplate {
  /** A new, empty, migrated store: in memory, or in `dataDir` when given (created if missing). */
  open(opts?: { dataDir?: string; personalData?: PersonalDataSealingSource }): Promise<Store>;
  /** The template's tarball, to build other adapters over the same starting point. */
  readonly blob: Blob;
}

export async function createStoreTemplate(): Promise<StoreTemplate> {
  const db = await openPgliteDb({});
  let blob: Blob;
  try {
    await migrate(db);
    blob = await db.dump();
  } finally {
    await db.close();
  }
  return {
    blob,
    async open(opts = {}) {
      const d = await openPgliteDb({ ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}), template: blob });
      try {
        await migrate(d);
      } catch (e) {
        await d.close();
        throw e;
      }
      return createSqlStore(d, opts.personalData === undefined ? {} : { personalData: opts.personalData });
    },
  };
}
