// Identity resolution in front of detection: accounts of one person share an entity key.
//
// Two roads:
//   - `linkAccounts(io, events)`: events in hand (kanshi detect over a file): resolve them all, in
//     memory; nothing is stored.
//   - `linkStoredAccounts(io, store)`: the stored log (kanshi start, kanshi purge). Personal data is
//     sealed in the store (store/identities.ts); entity assignments are stored with the records. A
//     start with no new identity records loads the assignments and links nothing. The first link is a
//     batch (identity's resolveToLinker), whose fitted model is kept in the store's meta; later ones
//     are incremental (identity's Linker): the records linked before are put back with their stored
//     entities (restore, no comparisons, no re-estimation), each new record is added (compared with
//     its blocking candidates only: it joins an entity, bridges several, or starts one), and only
//     changed assignments are written. Entity ids stay stable, so cases keyed by entity stay valid.
//     The plaintext the linker needs is opened from the store in memory only, never written.
import { parseEvent, type Event } from "../contracts/events.ts";
import { randomBytes } from "node:crypto";
import {
  createLinker,
  defaultReadingProvider,
  entityIdFor,
  identityRecordsFromEvents,
  normalizeCorporateNumber,
  normalizeDate,
  normalizeEmail,
  normalizePhone,
  phoneKind,
  resolveAccountEntities,
  resolveToLinker,
  writtenNameKey,
  type IdentityRecord,
  type ModelParams,
} from "../identity/index.ts";
import type { EntityAssignment, PersonalDataSealing } from "../store/identities.ts";
import type { Store } from "../store/ports.ts";
import { line, warn, type CliIo } from "./io.ts";
import { loadDeploymentKeys } from "./keys.ts";

const IDENTITY_TYPES = new Set(["account.opened", "account.updated", "credit.report", "social.link"]);

/** Resolves the identities in the events and returns the account → entity keying for the engine. */
export interface EntityKeying {
  /** An account's entity (the account itself when it has no KYC on record). */
  entityOf: (accountId: string) => string;
  /** The entity of a bureau or social subject, by the event key of its record. */
  subjectOfIdentity: (identity: unknown, record: string) => string | undefined;
}

/**
 * The deployment's personal-data keys for the store: master keys (sealing), blind-index keys, and
 * identity's normalisers so that blind indexes match however a value was written.
 */
export async function personalDataSealing(io: CliIo): Promise<PersonalDataSealing> {
  const keys = await loadDeploymentKeys(io);
  return {
    keyring: keys.keyring,
    blindIndexer: keys.blindIndexer,
    normalize: { dateOfBirth: normalizeDate, phone: normalizePhone, email: normalizeEmail, corporateNumber: normalizeCorporateNumber },
    isLandline: (raw) => phoneKind(raw) === "landline",
    nameKey: writtenNameKey,
  };
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

/**
 * Entity ids that survive re-linking: each new cluster takes the previous id most of its records
 * had (largest clusters choose first; ties to the smaller id), unless another cluster took it; a
 * cluster with no previous id keeps the id linkage computed (the hash of its smallest record id),
 * or, when that id is already taken, one derived from it.
 */
export function stickyEntityIds(computed: ReadonlyMap<string, string>, previous: ReadonlyMap<string, string | null>): Map<string, string> {
  const clusters = new Map<string, string[]>();
  for (const [record, entity] of computed) {
    const c = clusters.get(entity);
    if (c) c.push(record);
    else clusters.set(entity, [record]);
  }
  const ordered = [...clusters].sort(([a, ra], [b, rb]) => rb.length - ra.length || (a < b ? -1 : a > b ? 1 : 0));
  const taken = new Set<string>();
  const rename = new Map<string, string>();
  const pending: [string, string[]][] = [];
  for (const [entity, records] of ordered) {
    const votes = new Map<string, number>();
    for (const r of records) {
      const p = previous.get(r);
      if (p) votes.set(p, (votes.get(p) ?? 0) + 1);
    }
    const best = [...votes].filter(([id]) => !taken.has(id)).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))[0];
    if (best) {
      taken.add(best[0]);
      rename.set(entity, best[0]);
    } else pending.push([entity, records]);
  }
  // Clusters without a previous id: the computed id, unless a previous id that is still in use equals it.
  for (const [entity, records] of pending) {
    let id = entity;
    for (let k = 1; taken.has(id); k++) id = entityIdFor([...records].sort().slice(0, 1).map((r) => `${r}#${k}`));
    taken.add(id);
    rename.set(entity, id);
  }
  const out = new Map<string, string>();
  for (const [record, entity] of computed) out.set(record, rename.get(entity)!);
  return out;
}

/** meta key holding the linkage model the first (batch) link fitted; later links reuse it. */
export const LINKAGE_MODEL_META = "identities.linkage_model";
const ENTITY_ID = /^ent_[0-9a-f]{24}$/u;

export interface StoredLinkReport {
  /** none: nothing new; batch: everything resolved (first link); incremental: new records added to the stored entities. */
  mode: "none" | "batch" | "incremental";
  /** Events found stored in plaintext and sealed now. */
  sealedLegacy: number;
  /** Identity records that were new to the linker. */
  newRecords: number;
  /** Records read for linkage (0 when nothing was new). */
  linkedRecords: number;
  /** Assignments written (new or changed). */
  changed: number;
  /** Records left out: purged, or a sealed value did not open. */
  purged: number;
  unreadable: number;
  seconds: number;
}

/**
 * Seals anything stored in plaintext, links identity records that arrived since the last link, and
 * stores the assignments. Returns what it did (counts only).
 */
export async function linkStoredIdentities(store: Store): Promise<StoredLinkReport> {
  const ids = store.identities();
  const started = performance.now();
  const sealedLegacy = await ids.sealStoredEvents();
  const newRecords = await ids.countUnlinked();
  const report: StoredLinkReport = { mode: "none", sealedLegacy, newRecords, linkedRecords: 0, changed: 0, purged: 0, unreadable: 0, seconds: 0 };
  if (newRecords > 0) {
    const events: Event[] = [];
    const previous = new Map<string, string | null>();
    const accountOf = new Map<string, string>();
    for await (const page of ids.linkageRecords()) {
      for (const r of page) {
        if (r.purged) report.purged++;
        else if (r.unreadable) report.unreadable++;
        if (r.purged || r.unreadable) continue; // no personal data to link on: its stored entity stays
        const parsed = parseEvent(r.event);
        if (!parsed.ok) continue;
        events.push(parsed.event);
        previous.set(r.recordId, r.linked ? r.entityId : null);
        if (r.accountId !== null) accountOf.set(r.recordId, r.accountId);
      }
    }
    report.linkedRecords = events.length;
    const records = identityRecordsFromEvents(events);
    const reader = await defaultReadingProvider().catch(() => null);
    // Digests are recomputed from the opened records on every run, so a key of this run will do.
    const key = randomBytes(32);
    const storedModel = await store.getMeta(LINKAGE_MODEL_META);
    const old = records.filter((r) => ENTITY_ID.test(previous.get(r.recordId) ?? ""));
    let entityOfRecord: Map<string, string>;
    if (storedModel === undefined || old.length === 0) {
      report.mode = "batch";
      const { report: batch } = resolveToLinker(records, { key, reader });
      entityOfRecord = stickyEntityIds(new Map(batch.results.map((r) => [r.recordId, r.entityId as string])), previous);
      await store.setMeta(LINKAGE_MODEL_META, JSON.stringify(batch.model));
    } else {
      report.mode = "incremental";
      const linker = createLinker({ key, reader, model: JSON.parse(storedModel) as ModelParams });
      const held = new Set(old.map((r) => r.recordId));
      linker.restore(old.map((record) => ({ record, entityId: previous.get(record.recordId)! })));
      for (const r of records) if (!held.has(r.recordId)) linker.add(r);
      entityOfRecord = new Map(records.map((r) => [r.recordId, linker.entityOf(r.recordId) as string]));
    }
    // An account's entity: that of its first record (identity's rule, resolveAccountEntities).
    const entityOfAccount = new Map<string, string>();
    for (const r of records as IdentityRecord[]) {
      if (r.accountId !== undefined && !entityOfAccount.has(r.accountId)) entityOfAccount.set(r.accountId, entityOfRecord.get(r.recordId)!);
    }
    // Every record read gets an assignment: its own entity, or (a social handle or a KYC change that
    // made no linkage record of its own) its account's, or none.
    const assignments: EntityAssignment[] = [];
    for (const recordId of previous.keys()) {
      const own = entityOfRecord.get(recordId);
      const viaAccount = accountOf.has(recordId) ? entityOfAccount.get(accountOf.get(recordId)!) : undefined;
      assignments.push({ recordId, entityId: own ?? viaAccount ?? null });
    }
    report.changed = await ids.assignEntities(assignments);
  }
  // Withdrawals' travel-rule records (and anything else with an account) follow their account.
  report.changed += await ids.assignByAccount((await ids.entityAssignments()).accounts);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/**
 * The keying for detection over the stored log: links what is new (linkStoredIdentities), then maps
 * accounts and bureau/social records to their stored entities. A store opened without personal-data
 * keys falls back to resolving the identity events of its log in memory.
 */
export async function linkStoredAccounts(io: CliIo, store: Store): Promise<EntityKeying | undefined> {
  const ids = store.identities();
  if (!ids.sealing) return linkAccounts(io, await storedIdentityEvents(store));
  const r = await linkStoredIdentities(store);
  if (r.sealedLegacy > 0) line(io, `identity: sealed the personal data of ${r.sealedLegacy.toLocaleString("en-US")} events that were stored in plaintext`);
  if (r.unreadable > 0) warn(io, `identity: ${r.unreadable.toLocaleString("en-US")} records could not be opened (altered, or sealed under a master key that is not configured) and were left out of linking`);
  const assigned = await ids.entityAssignments();
  if (assigned.records.size === 0) return undefined;
  const entities = new Set(assigned.records.values()).size;
  const n = (x: number) => x.toLocaleString("en-US");
  if (r.newRecords > 0) {
    line(io, `identity: ${n(r.newRecords)} new records linked (${r.mode}; ${n(r.linkedRecords)} read, ${n(r.changed)} assignments written) → ${n(entities)} entities in ${r.seconds.toFixed(1)} s`);
  } else {
    line(io, `identity: ${n(assigned.records.size)} records → ${n(entities)} entities (stored; nothing new to link)`);
  }
  return {
    entityOf: (accountId) => assigned.accounts.get(accountId) ?? accountId,
    subjectOfIdentity: (_identity, record) => assigned.records.get(record),
  };
}

/**
 * The identity-bearing events of the stored log (KYC, bureau and social subjects), with their
 * personal values restored in memory when the store seals them (purged or unopenable records are
 * left out). Prefer linkStoredAccounts, which stores what it links.
 */
export async function storedIdentityEvents(store: Store): Promise<Event[]> {
  const events: Event[] = [];
  const ids = store.identities();
  if (ids.sealing) {
    await ids.sealStoredEvents();
    for await (const page of ids.linkageRecords()) {
      for (const r of page) {
        if (r.purged || r.unreadable) continue;
        const p = parseEvent(r.event);
        if (p.ok) events.push(p.event);
      }
    }
    return events;
  }
  for await (const page of store.scanEvents({ order: "event-time" })) {
    for (const row of page) {
      if (!IDENTITY_TYPES.has(row.type)) continue;
      const r = parseEvent(JSON.parse(row.body));
      if (r.ok) events.push(r.event);
    }
  }
  return events;
}
