import { test } from "node:test";
import assert from "node:assert/strict";
import { isKanshiError } from "../../contracts/errors.ts";
import { simulate } from "../../sim/simulate.ts";
import { identityRecords, type IdentityRecordSet } from "../../sim/identity-records.ts";
import { loadKuromojiReader } from "../normalize/reading.ts";
import { birthDateViolations, pairwiseScore, type PairwiseScore } from "./evaluate.ts";
import { createLinker, resolveToLinker, type LinkDecision } from "./linker.ts";
import { resolveWithReport } from "./resolve.ts";
import type { IdentityRecord } from "./record.ts";

const readerPromise = loadKuromojiReader();
const key = new Uint8Array(32).fill(5);

function score(set: IdentityRecordSet, entityOf: (id: string) => string): PairwiseScore {
  return pairwiseScore(set.records.map((r) => r.recordId), (id) => set.truth.get(id) ?? "", entityOf);
}

/** Share of the pairs one partition puts together that the other does too (both directions). */
function agreement(ids: readonly string[], a: (id: string) => string, b: (id: string) => string): number {
  const s = pairwiseScore(ids, a, b);
  return Math.min(s.precision, s.recall);
}

test("incremental linking is as accurate as the batch on the simulator's sets, and agrees with it", async () => {
  const reader = await readerPromise;
  // The model is estimated once, on another simulated consortium, and reused.
  const train = identityRecords(simulate({ seed: 101, people: 1000, days: 1 }));
  const model = resolveWithReport(train.records, { reader, key }).model;
  const rows: string[] = [];
  for (const [people, seed] of [
    [150, 7],
    [400, 8],
    [900, 9],
  ] as const) {
    const sim = simulate({ seed, people, days: 1 });
    const set = identityRecords(sim);
    const birth = new Map(sim.people.map((p) => [p.personId, p.identity.dateOfBirth]));
    const batch = resolveWithReport(set.records, { reader, key });
    const batchOf = new Map(batch.results.map((r) => [r.recordId, r.entityId as string]));
    const linker = createLinker({ key, model, reader });
    const decisions = set.records.map((r) => linker.add(r));
    const incOf = (id: string) => linker.entityOf(id) ?? id;
    // Continuing from a batch over the first half.
    const half = Math.floor(set.records.length / 2);
    const { linker: cont } = resolveToLinker(set.records.slice(0, half), { reader, key });
    for (const r of set.records.slice(half)) cont.add(r);
    const contOf = (id: string) => cont.entityOf(id) ?? id;

    const b = score(set, (id) => batchOf.get(id) ?? id);
    const inc = score(set, incOf);
    const c = score(set, contOf);
    const agree = agreement(set.records.map((r) => r.recordId), (id) => batchOf.get(id) ?? id, incOf);
    rows.push(
      `${String(people).padStart(5)} people ${String(set.records.length).padStart(5)} records | batch P ${b.precision.toFixed(4)} R ${b.recall.toFixed(4)} | ` +
        `incremental P ${inc.precision.toFixed(4)} R ${inc.recall.toFixed(4)} | batch-then-incremental P ${c.precision.toFixed(4)} R ${c.recall.toFixed(4)} | agreement ${agree.toFixed(4)}`,
    );
    for (const [name, s] of [["incremental", inc], ["batch then incremental", c]] as const) {
      assert.ok(s.precision >= 0.99, `${name} precision ${s.precision} (${people} people)`);
      assert.ok(s.recall >= 0.97, `${name} recall ${s.recall} (${people} people)`);
      assert.ok(s.recall >= b.recall - 0.01 && s.precision >= b.precision - 0.005, `${name} ${JSON.stringify(s)} against batch ${JSON.stringify(b)}`);
    }
    assert.ok(agree >= 0.98, `incremental and batch agree on ${agree} of their pairs`);
    for (const of of [incOf, contOf]) assert.deepEqual(birthDateViolations(set.records, (id) => set.truth.get(id) ?? "", (p) => birth.get(p), of), []);
    // Every record that joined says why: the record it linked to, and the fields with their weights.
    for (const d of decisions) {
      if (d.outcome === "new") continue;
      assert.ok(d.explanation.linkedTo !== null && d.confidence >= 0.9);
      assert.ok(d.explanation.fields.length > 0 && d.explanation.fields.every((f) => Number.isFinite(f.weight)));
    }
  }
  console.log(rows.join("\n"));
});

const PERSON: IdentityRecord[] = [
  { recordId: "x1", source: "exchange-a", name: "髙橋 一郎", nameKana: "タカハシ イチロウ", dateOfBirth: "1985-04-01", phone: "090-1234-5678", address: "東京都千代田区霞が関1-3-1" },
  { recordId: "x2", source: "exchange-b", name: "高橋一郎", nameKana: "ﾀｶﾊｼｲﾁﾛｳ", dateOfBirth: "昭和60年4月1日", email: "ichiro@example.jp" },
  { recordId: "x3", source: "bureau-j", name: "ICHIRO TAKAHASHI", dateOfBirth: "S60.4.1", email: "Ichiro@Example.JP", phone: "+81 90 1234 5678" },
  { recordId: "f1", source: "exchange-a", name: "佐藤 健", nameKana: "サトウ ケン", dateOfBirth: "1960-02-03", phone: "03-1111-2222", address: "大阪府大阪市北区梅田3-1-1" },
  { recordId: "s1", source: "exchange-b", name: "佐藤 健", nameKana: "サトウ ケン", dateOfBirth: "1990-07-08", phone: "03-1111-2222", address: "大阪府大阪市北区梅田3-1-1" },
];

test("a record joins, starts or bridges entities, deterministically, and says why", () => {
  const run = () => {
    const l = createLinker({ key });
    return { l, out: [PERSON[0], PERSON[1], PERSON[2], PERSON[3], PERSON[4]].map((r) => l.add(r as IdentityRecord)) };
  };
  const { l, out } = run();
  const [a, b, c, f, s] = out as [LinkDecision, LinkDecision, LinkDecision, LinkDecision, LinkDecision];
  assert.equal(a.outcome, "new");
  assert.equal(a.explanation.linkedTo, null);
  // x2 shares name and birth date with x1 only: without phone or e-mail in common it starts its own
  // entity, or joins; x3 shares the e-mail with x2 and the phone with x1, so all three end as one.
  assert.equal(c.entityId, l.entityOf("x1"));
  assert.equal(l.entityOf("x2"), l.entityOf("x1"));
  assert.deepEqual(l.membersOf(c.entityId), ["x1", "x2", "x3"]);
  if (b.outcome === "new") {
    assert.equal(c.outcome, "merged");
    assert.deepEqual(c.absorbed, [b.entityId], "x2's entity ended in x1's");
  } else assert.equal(c.outcome, "joined");
  assert.ok(c.explanation.fields.some((x) => (x.field === "phone" || x.field === "email") && x.level === "equal" && x.weight > 0));
  // Father and son (one name, one address and landline, other birth dates): never one entity.
  assert.equal(f.outcome, "new");
  assert.equal(s.outcome, "new");
  assert.notEqual(l.entityOf("f1"), l.entityOf("s1"));
  assert.ok(s.explanation.fields.some((x) => x.field === "dateOfBirth" && x.level === "different" && x.weight < 0));
  // Same records, same order: the same decisions.
  assert.deepEqual(run().out, out);
  assert.equal(l.size, 5);
  assert.equal(l.entities, 3);
});

test("restore puts stored entities back (from prepared records, no plaintext), and new records join them", () => {
  const { report, linker } = resolveToLinker(PERSON.slice(0, 3), { key });
  const stored = PERSON.slice(0, 3).map((r) => ({ record: linker.prepare(r), entityId: report.results.find((x) => x.recordId === r.recordId)?.entityId ?? "" }));
  const json = JSON.stringify(stored);
  for (const secret of ["1985", "9012345678", "霞が関", "ichiro@"]) assert.ok(!json.includes(secret), `${secret} in a prepared record`);
  const restored = createLinker({ key, model: report.model });
  restored.restore(JSON.parse(json) as typeof stored);
  assert.equal(restored.entityOf("x3"), report.results[0]?.entityId);
  const d = restored.add({ recordId: "x4", source: "exchange-c", name: "高橋 一郎", nameKana: "たかはし いちろう", dateOfBirth: "1985/4/1", phone: "09012345678" });
  assert.equal(d.entityId, report.results[0]?.entityId);
  assert.equal(d.outcome, "joined");
  assert.throws(
    () => restored.restore([{ record: PERSON[3] as IdentityRecord, entityId: "nope" }]),
    (e: unknown) => isKanshiError(e) && e.kind === "bad_input" && e.message.startsWith("entries[0].entityId"),
  );
});

test("bad input is refused with where it is", () => {
  const l = createLinker({ key });
  l.add(PERSON[0] as IdentityRecord);
  assert.throws(() => l.add(PERSON[0] as IdentityRecord), (e: unknown) => isKanshiError(e) && e.kind === "bad_input" && e.message.startsWith("record.recordId"));
  assert.throws(() => l.add({ recordId: "y", source: "s", name: " " }), /record\.name/);
  assert.throws(() => createLinker({ key: new Uint8Array(4) }), /options\.key/);
  assert.equal(l.size, 1, "a refused record leaves nothing behind");
});

test("a full block pairs no new member: candidates stay bounded", () => {
  const l = createLinker({ key, maxBlockSize: 3 });
  const same = (i: number): IdentityRecord => ({ recordId: `p${i}`, source: "s", name: "山田 太郎", nameKana: "ヤマダ タロウ", email: "shared@example.jp" });
  const counts = Array.from({ length: 8 }, (_, i) => l.add(same(i)).candidates);
  assert.deepEqual(counts, [0, 1, 2, 0, 0, 0, 0, 0]);
});
