// The store room's public surface.
export type {
  AlertPage, AlertQuery, AppendOptions, AppendOutcome, ScanOptions, ScanOrder, Store, StoredEvent, StoredEventInput,
} from "./ports.ts";
export { openStore, type OpenStoreOptions } from "./open.ts";
