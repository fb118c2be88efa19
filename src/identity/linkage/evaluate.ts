// Measuring a linkage against the truth: pairwise precision and recall, and the identity issue's
// rule that no entity joins two people whose birth dates differ unless every other field agrees.
import { BlindHasher } from "./blind.ts";
import { F_ACCOUNT, F_DOB, F_FAMILY, F_GIVEN, F_SOCIAL, FIELDS, PairComparer } from "./compare.ts";
import { prepareRecord } from "./prepare.ts";
import type { IdentityRecord } from "./record.ts";
import { RecordTable } from "./table.ts";

export interface PairwiseScore {
  records: number;
  /** Pairs of records of one person, pairs put in one entity, and pairs both. */
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
  precision: number;
  recall: number;
}

const pairsOf = (n: number) => (n * (n - 1)) / 2;

/** Pairwise precision and recall of `entityOf` (recordId → entity) against `personOf` (recordId → person). */
export function pairwiseScore(recordIds: readonly string[], personOf: (recordId: string) => string, entityOf: (recordId: string) => string): PairwiseScore {
  const byPerson = new Map<string, number>();
  const byEntity = new Map<string, number>();
  const byBoth = new Map<string, number>();
  for (const id of recordIds) {
    const p = personOf(id);
    const e = entityOf(id);
    byPerson.set(p, (byPerson.get(p) ?? 0) + 1);
    byEntity.set(e, (byEntity.get(e) ?? 0) + 1);
    const both = `${e}\u0000${p}`;
    byBoth.set(both, (byBoth.get(both) ?? 0) + 1);
  }
  let truePairs = 0;
  let predictedPairs = 0;
  let correctPairs = 0;
  for (const n of byPerson.values()) truePairs += pairsOf(n);
  for (const n of byEntity.values()) predictedPairs += pairsOf(n);
  for (const n of byBoth.values()) correctPairs += pairsOf(n);
  return {
    records: recordIds.length,
    truePairs,
    predictedPairs,
    correctPairs,
    precision: predictedPairs === 0 ? 1 : correctPairs / predictedPairs,
    recall: truePairs === 0 ? 1 : correctPairs / truePairs,
  };
}

export interface BirthDateViolation {
  entityId: string;
  /** Two records of the entity, of two people born on different days, that disagree on a field
   *  other than the birth date (or leave one out). */
  records: [string, string];
  people: [string, string];
}

/**
 * The identity issue's rule: no entity joins two people whose birth dates differ unless every other
 * field agrees. For every entity holding records of two such people, each cross pair of their
 * records is compared on every identity field: it breaks the rule unless both names are exact and
 * every other field both records carry is at its top level (same address block, same phone,
 * e-mail, corporate number). Accounts and social handles are links, not identity fields, and are
 * not read. `birthDateOf` is the person's true birth date (undefined: unknown, never counted).
 */
export function birthDateViolations(
  records: readonly IdentityRecord[],
  personOf: (recordId: string) => string,
  birthDateOf: (personId: string) => string | undefined,
  entityOf: (recordId: string) => string,
): BirthDateViolation[] {
  const byEntity = new Map<string, IdentityRecord[]>();
  for (const r of records) {
    const e = entityOf(r.recordId);
    const list = byEntity.get(e);
    if (list) list.push(r);
    else byEntity.set(e, [r]);
  }
  const out: BirthDateViolation[] = [];
  const hasher = new BlindHasher(new Uint8Array(32).fill(1), 0);
  for (const [entityId, members] of byEntity) {
    const people = new Set(members.map((r) => personOf(r.recordId)));
    if (people.size < 2) continue;
    const table = new RecordTable();
    for (const r of members) table.add(prepareRecord(r, { key: hasher }));
    const cmp = new PairComparer(table);
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const a = members[i] as IdentityRecord;
        const b = members[j] as IdentityRecord;
        const pa = personOf(a.recordId);
        const pb = personOf(b.recordId);
        const da = birthDateOf(pa);
        const db = birthDateOf(pb);
        if (pa === pb || da === undefined || db === undefined || da === db) continue;
        cmp.compare(i, j);
        const top = (k: number) => cmp.levels[k] === (FIELDS[k]?.levels.length ?? 0) - 1;
        const allAgree =
          top(F_FAMILY) && top(F_GIVEN) && FIELDS.every((_, k) => k === F_DOB || k === F_ACCOUNT || k === F_SOCIAL || cmp.levels[k] === -1 || top(k));
        if (!allAgree) out.push({ entityId, records: [a.recordId, b.recordId], people: [pa, pb] });
      }
    }
  }
  return out;
}
