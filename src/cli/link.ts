// Identity resolution in front of detection: accounts of one person share an entity key.
import { parseEvent, type Event } from "../contracts/events.ts";
import { defaultReadingProvider, resolveAccountEntities } from "../identity/index.ts";
import type { Store } from "../store/ports.ts";
import { line, type CliIo } from "./io.ts";

const IDENTITY_TYPES = new Set(["account.opened", "account.updated", "credit.report", "social.link"]);

/** Resolves the identities in the events and returns the account → entity keying for the engine. */
export interface EntityKeying {
  /** An account's entity (the account itself when it has no KYC on record). */
  entityOf: (accountId: string) => string;
  /** The entity of a bureau or social subject, by the event key of its record. */
  subjectOfIdentity: (identity: unknown, record: string) => string | undefined;
}

export async function linkAccounts(io: CliIo, events: Iterable<Event>): Promise<EntityKeying | undefined> {
  const reader = await defaultReadingProvider().catch(() => null);
  const linked = resolveAccountEntities(events, { reader });
  if (linked.records === 0) return undefined;
  line(io, `identity: ${linked.records.toLocaleString("en-US")} records → ${linked.entities.toLocaleString("en-US")} entities (${linked.crossSource.toLocaleString("en-US")} with accounts at several exchanges) in ${linked.seconds.toFixed(1)} s`);
  return {
    entityOf: (accountId) => linked.entityOf.get(accountId) ?? accountId,
    subjectOfIdentity: (_identity, record) => linked.entityOfRecord.get(record),
  };
}


/** The identity-bearing events of the stored log (KYC, bureau and social subjects). */
export async function storedIdentityEvents(store: Store): Promise<Event[]> {
  const events: Event[] = [];
  for await (const page of store.scanEvents({ order: "event-time" })) {
    for (const row of page) {
      if (!IDENTITY_TYPES.has(row.type)) continue;
      const r = parseEvent(JSON.parse(row.body));
      if (r.ok) events.push(r.event);
    }
  }
  return events;
}
