// The composition root's store: PostgreSQL server when DATABASE_URL is set, else embedded PGlite.
import { openStore } from "../store/open.ts";
import type { Store } from "../store/ports.ts";
import { loadConfig } from "./config.ts";
import type { CliIo } from "./io.ts";
import { personalDataSealing } from "./link.ts";

export async function openConfiguredStore(io: CliIo): Promise<Store> {
  const cfg = loadConfig(io);
  // Personal data is sealed at rest: the deployment's keys are loaded when first needed.
  const personalData = () => personalDataSealing(io);
  return cfg.databaseUrl ? openStore({ databaseUrl: cfg.databaseUrl, personalData }) : openStore({ dataDir: cfg.dataDir, personalData, thread: cfg.storeThread });
}

/** Opens the configured store, runs `fn` on it and closes the store whatever happens. */
export async function withConfiguredStore<T>(io: CliIo, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openConfiguredStore(io);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function describeStore(io: CliIo): string {
  const cfg = loadConfig(io);
  return cfg.databaseUrl ? "PostgreSQL server (DATABASE_URL)" : `embedded PostgreSQL (PGlite) in ${cfg.dataDir}`;
}
