// Linkage test sets from a simulation: its identity-bearing events as CONTRACT.md identity records,
// the truth of whose each record is, the hard negatives (different people who look alike), and
// pairwise precision and recall of any resolution against them.
//
//   const set = identityRecords(simulate({ seed: 7, people: 10_000 }));
//   const entities = myResolver(set.records);                 // recordId → entityId
//   const score = scoreLinkage(set, entities);                // precision, recall, hard negatives merged
//
// Records: one per account opening (its KYC), one per KYC change (the account's KYC with the change
// applied, so a move or a married name keeps both versions linkable), one per bureau credit-report
// subject and one per bureau social-link subject. Record ids are event keys (`source:id`). Social
// handles an exchange links to an account are added to that account's records as `socialIds`.
import { foldVariants } from "./data/names.ts";
import type { IdentityRecord, RecordNote } from "./identity.ts";
import type { RecordKind } from "./identity-events.ts";
import type { Simulation } from "./simulate.ts";

/** An identity record for linkage (CONTRACT.md "Identity records for linkage"): identity fields as written, dates ISO. */
export interface SimIdentityRecord extends IdentityRecord {
  recordId: string;
  source: string;
  accountId?: string;
  /** `platform:handle` */
  socialIds?: string[];
}

/**
 * Kinds of hard negatives: people at one address (`household`), twins, a father and son with one
 * full name (`father-son`), and people sharing a full name and reading (variant kanji folded) with
 * different birth dates (`namesake`, placed on purpose or by chance).
 */
export type HardNegativeKind = "household" | "twins" | "father-son" | "namesake";

/** A group of different people who look alike; every pair in it is a pair that must not be linked. */
export interface HardNegativeGroup {
  kind: HardNegativeKind;
  personIds: string[];
  /** Namesakes: their birth dates, in the order of `personIds` (pairs born the same day are not counted as namesakes). */
  datesOfBirth?: string[];
}

export interface IdentityRecordSet {
  records: SimIdentityRecord[];
  /** recordId → personId (people.ndjson) */
  truth: Map<string, string>;
  /** recordId → what the record is */
  kinds: Map<string, Exclude<RecordKind, "social-account">>;
  /** recordId → what it shows besides the person's current identity (only records with something to note) */
  notes: Map<string, RecordNote[]>;
  hardNegatives: HardNegativeGroup[];
}

export interface IdentityRecordOptions {
  /** Attach the handles exchanges link to accounts as `socialIds` (default true). */
  socialIds?: boolean;
}

/** The identity records of a simulation, with the truth about each. Reads `sim.identityEvents` (not the whole stream). */
export function identityRecords(sim: Simulation, opts: IdentityRecordOptions = {}): IdentityRecordSet {
  const records: SimIdentityRecord[] = [];
  const truth = new Map<string, string>();
  const kinds = new Map<string, Exclude<RecordKind, "social-account">>();
  const notes = new Map<string, RecordNote[]>();
  const latestKyc = new Map<string, IdentityRecord>();
  const handlesOf = new Map<string, string[]>();
  const add = (r: SimIdentityRecord, personId: string, kind: Exclude<RecordKind, "social-account">, n: RecordNote[]) => {
    records.push(r);
    truth.set(r.recordId, personId);
    kinds.set(r.recordId, kind);
    if (n.length > 0) notes.set(r.recordId, n);
  };
  for (const x of sim.identityEvents) {
    const e = x.event;
    const recordId = `${e.source}:${e.id}`;
    switch (e.type) {
      case "account.opened": {
        const kyc = { ...(e.kyc as IdentityRecord) };
        latestKyc.set(e.accountId, kyc);
        add({ recordId, source: e.source, ...kyc, accountId: e.accountId }, x.personId, "kyc", x.notes);
        break;
      }
      case "account.updated": {
        const kyc = { ...latestKyc.get(e.accountId), ...(e.kyc as Partial<IdentityRecord>) } as IdentityRecord;
        latestKyc.set(e.accountId, kyc);
        add({ recordId, source: e.source, ...kyc, accountId: e.accountId }, x.personId, "kyc-update", x.notes);
        break;
      }
      case "credit.report":
        add({ recordId, source: e.source, ...(e.subject as IdentityRecord) }, x.personId, "credit", x.notes);
        break;
      case "social.link": {
        const handle = `${e.platform}:${e.handle}`;
        if (e.subject !== undefined) add({ recordId, source: e.source, ...(e.subject as IdentityRecord), socialIds: [handle] }, x.personId, "social", x.notes);
        else if (e.accountId !== undefined) handlesOf.set(e.accountId, [...(handlesOf.get(e.accountId) ?? []), handle]);
        break;
      }
      default:
        break;
    }
  }
  if (opts.socialIds !== false) {
    for (const r of records) {
      const h = r.accountId === undefined ? undefined : handlesOf.get(r.accountId);
      if (h !== undefined) r.socialIds = [...(r.socialIds ?? []), ...h];
    }
  }
  return { records, truth, kinds, notes, hardNegatives: hardNegatives(sim) };
}

/** The hard-negative groups of a simulation's population (see HardNegativeKind). */
export function hardNegatives(sim: Simulation): HardNegativeGroup[] {
  const out: HardNegativeGroup[] = [];
  const households = new Map<string, string[]>();
  const names = new Map<string, { personId: string; dob: string }[]>();
  for (const p of sim.people) {
    if (p.kind !== "individual") continue;
    if (p.household !== undefined) households.set(p.household, [...(households.get(p.household) ?? []), p.personId]);
    for (const r of p.relations ?? []) {
      if (r.personId < p.personId) continue;
      if (r.kind === "twin") out.push({ kind: "twins", personIds: [p.personId, r.personId] });
      else if (r.sameName && (r.kind === "parent" || r.kind === "child")) out.push({ kind: "father-son", personIds: [p.personId, r.personId] });
    }
    const key = `${foldVariants(p.identity.name)}|${p.identity.nameKana ?? ""}`;
    let list = names.get(key);
    if (list === undefined) names.set(key, (list = []));
    list.push({ personId: p.personId, dob: p.identity.dateOfBirth ?? "" });
  }
  for (const ids of households.values()) if (ids.length > 1) out.push({ kind: "household", personIds: ids });
  for (const list of names.values()) {
    if (list.length > 1 && new Set(list.map((x) => x.dob)).size > 1) out.push({ kind: "namesake", personIds: list.map((x) => x.personId), datesOfBirth: list.map((x) => x.dob) });
  }
  return out;
}

export interface LinkageScore {
  records: number;
  /** Pairs of records of one person, pairs put in one entity, and pairs both. */
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
  precision: number;
  recall: number;
  /** Per kind: pairs of different people in hard-negative groups, and how many of them share an entity. */
  hardNegatives: Record<HardNegativeKind, { pairs: number; merged: number }>;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;

/**
 * Pairwise precision and recall of a resolution (recordId → entityId; a record it leaves out is an
 * entity of its own) against the truth, and how many hard-negative pairs it merged. For namesake
 * groups only pairs with different birth dates count.
 */
export function scoreLinkage(set: IdentityRecordSet, entityOf: ReadonlyMap<string, string> | ((recordId: string) => string | undefined)): LinkageScore {
  const get = typeof entityOf === "function" ? entityOf : (id: string) => entityOf.get(id);
  const byPerson = new Map<string, number>();
  const byEntity = new Map<string, number>();
  const byBoth = new Map<string, number>();
  const entitiesOf = new Map<string, Set<string>>();
  for (const r of set.records) {
    const person = set.truth.get(r.recordId);
    if (person === undefined) throw new RangeError(`record ${r.recordId} has no truth`);
    const entity = get(r.recordId) ?? `\u0000${r.recordId}`;
    byPerson.set(person, (byPerson.get(person) ?? 0) + 1);
    byEntity.set(entity, (byEntity.get(entity) ?? 0) + 1);
    const both = `${entity}\u0000${person}`;
    byBoth.set(both, (byBoth.get(both) ?? 0) + 1);
    let es = entitiesOf.get(person);
    if (es === undefined) entitiesOf.set(person, (es = new Set()));
    es.add(entity);
  }
  let truePairs = 0;
  let predictedPairs = 0;
  let correctPairs = 0;
  for (const n of byPerson.values()) truePairs += pairs(n);
  for (const n of byEntity.values()) predictedPairs += pairs(n);
  for (const n of byBoth.values()) correctPairs += pairs(n);
  const hard: LinkageScore["hardNegatives"] = { household: { pairs: 0, merged: 0 }, twins: { pairs: 0, merged: 0 }, "father-son": { pairs: 0, merged: 0 }, namesake: { pairs: 0, merged: 0 } };
  for (const g of set.hardNegatives) {
    for (let i = 0; i < g.personIds.length; i++) {
      for (let j = i + 1; j < g.personIds.length; j++) {
        const a = g.personIds[i]!;
        const b = g.personIds[j]!;
        const ea = entitiesOf.get(a);
        const eb = entitiesOf.get(b);
        if (ea === undefined || eb === undefined) continue; // no records (a person with no account)
        if (g.datesOfBirth !== undefined && g.datesOfBirth[i] === g.datesOfBirth[j]) continue;
        hard[g.kind].pairs++;
        for (const e of ea) {
          if (eb.has(e)) {
            hard[g.kind].merged++;
            break;
          }
        }
      }
    }
  }
  return {
    records: set.records.length,
    truePairs,
    predictedPairs,
    correctPairs,
    precision: predictedPairs === 0 ? 1 : correctPairs / predictedPairs,
    recall: truePairs === 0 ? 1 : correctPairs / truePairs,
    hardNegatives: hard,
  };
}
