// Identity records from the event stream, and the account → entity map the engine keys state by.
// Sources: KYC of `account.opened` / `account.updated`, subjects of `credit.report` and
// `social.link`. Shared devices, IPs and wallets are links between accounts, never identity merges,
// so they are not read here.
import type { Event, Identity } from "../contracts/events.ts";
import type { IdentityRecord } from "./linkage/record.ts";
import { resolveWithReport, type ResolveOptions } from "./linkage/resolve.ts";

function fromIdentity(recordId: string, source: string, id: Partial<Identity>): Omit<IdentityRecord, "name"> & { name?: string } {
  return {
    recordId,
    source,
    name: id.name,
    nameKana: id.nameKana,
    nameLatin: id.nameLatin,
    dateOfBirth: id.dateOfBirth,
    nationality: id.nationality,
    postalCode: id.postalCode,
    address: id.address,
    phone: id.phone,
    email: id.email,
    corporateNumber: id.corporateNumber,
  };
}

/**
 * One record per account opening (its KYC), one more per KYC update (the opening's fields with the
 * changes applied: a move or a married name keeps both versions linkable), one per bureau or
 * social subject. Record ids are event keys (`source:id`).
 */
export function identityRecordsFromEvents(events: Iterable<Event>): IdentityRecord[] {
  const records: IdentityRecord[] = [];
  const latestKyc = new Map<string, { source: string; kyc: Partial<Identity> }>();
  const socialByAccount = new Map<string, string[]>();
  for (const e of events) {
    const key = `${e.source}:${e.id}`;
    switch (e.type) {
      case "account.opened": {
        latestKyc.set(e.accountId, { source: e.source, kyc: e.kyc });
        records.push({ ...fromIdentity(key, e.source, e.kyc), name: e.kyc.name, accountId: e.accountId });
        break;
      }
      case "account.updated": {
        const prev = latestKyc.get(e.accountId);
        const kyc = { ...prev?.kyc, ...e.kyc };
        latestKyc.set(e.accountId, { source: e.source, kyc });
        if (kyc.name) records.push({ ...fromIdentity(key, e.source, kyc), name: kyc.name, accountId: e.accountId });
        break;
      }
      case "credit.report":
        records.push({ ...fromIdentity(key, e.source, e.subject), name: e.subject.name });
        break;
      case "social.link": {
        const handle = `${e.platform}:${e.handle}`;
        if (e.subject) records.push({ ...fromIdentity(key, e.source, e.subject), name: e.subject.name, socialIds: [handle], ...(e.accountId ? { accountId: e.accountId } : {}) });
        else if (e.accountId) socialByAccount.set(e.accountId, [...(socialByAccount.get(e.accountId) ?? []), handle]);
        break;
      }
      default:
        break;
    }
  }
  for (const r of records) {
    const social = r.accountId ? socialByAccount.get(r.accountId) : undefined;
    if (social) r.socialIds = [...(r.socialIds ?? []), ...social];
  }
  return records;
}

export interface AccountEntities {
  /** accountId → entityId, for every account with KYC on record. */
  entityOf: Map<string, string>;
  /** recordId (the event key of the KYC, bureau or social event) → entityId. */
  entityOfRecord: Map<string, string>;
  records: number;
  entities: number;
  /** Entities holding accounts at more than one source. */
  crossSource: number;
  seconds: number;
}

/** Links the identity records in `events` and maps each account to its entity. */
export function resolveAccountEntities(events: Iterable<Event>, opts: ResolveOptions = {}): AccountEntities {
  const records = identityRecordsFromEvents(events);
  const started = performance.now();
  const report = resolveWithReport(records, opts);
  const entityOf = new Map<string, string>();
  const entityOfRecord = new Map<string, string>();
  const sources = new Map<string, Set<string>>();
  report.results.forEach((res, i) => {
    const rec = records[i]!;
    entityOfRecord.set(rec.recordId, res.entityId);
    if (rec.accountId && !entityOf.has(rec.accountId)) entityOf.set(rec.accountId, res.entityId);
    if (rec.accountId) {
      const s = sources.get(res.entityId) ?? new Set<string>();
      s.add(rec.source);
      sources.set(res.entityId, s);
    }
  });
  let crossSource = 0;
  for (const s of sources.values()) if (s.size > 1) crossSource++;
  return {
    entityOf,
    entityOfRecord,
    records: records.length,
    entities: new Set(report.results.map((r) => r.entityId)).size,
    crossSource,
    seconds: (performance.now() - started) / 1000,
  };
}
