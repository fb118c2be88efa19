import { test } from "node:test";
import assert from "node:assert/strict";
import { isKanshiError } from "../../contracts/errors.ts";
import { normalizeDate } from "../normalize/misc.ts";
import { loadKuromojiReader } from "../normalize/reading.ts";
import { IdentityRecordSchema, type IdentityRecord } from "./record.ts";
import { entityIdFor, prepareChunk, resolve, resolveWithReport, type ResolvedRecord } from "./resolve.ts";
import { birthDateViolations, pairwiseScore } from "./evaluate.ts";
import { datesOneSlipAway } from "./prepare.ts";
import { generateSyntheticIdentities, type SyntheticDataset } from "./synthetic.ts";

const readerPromise = loadKuromojiReader();

// Three people: one written four ways, a father and son with the same name at one address, and a
// namesake of the father elsewhere.
const SMALL: IdentityRecord[] = [
  { recordId: "a1", source: "exchange-a", name: "髙橋 一郎", nameKana: "タカハシ イチロウ", dateOfBirth: "1985-04-01", phone: "090-1234-5678", address: "東京都千代田区霞が関1-3-1" },
  { recordId: "a2", source: "exchange-b", name: "高橋一郎", nameKana: "ﾀｶﾊｼｲﾁﾛｳ", dateOfBirth: "昭和60年4月1日", phone: "+81 90 1234 5678", email: "ichiro@example.jp" },
  { recordId: "a3", source: "bureau-j", name: "ICHIRO TAKAHASHI", dateOfBirth: "S60.4.1", email: "Ichiro@Example.JP" },
  { recordId: "a4", source: "exchange-c", name: "高橋 一郎", nameKana: "たかはし いちろう", dateOfBirth: "1985/4/1", address: "千代田区霞が関１丁目３番１号" },
  { recordId: "f1", source: "exchange-a", name: "佐藤 健", nameKana: "サトウ ケン", dateOfBirth: "1960-02-03", phone: "03-1111-2222", address: "大阪府大阪市北区梅田3-1-1" },
  { recordId: "s1", source: "exchange-b", name: "佐藤 健", nameKana: "サトウ ケン", dateOfBirth: "1990-07-08", phone: "03-1111-2222", address: "大阪府大阪市北区梅田3-1-1" },
  { recordId: "n1", source: "exchange-c", name: "佐藤 健", nameKana: "サトウ ケン", dateOfBirth: "1971-11-30", address: "北海道札幌市中央区北1条西2丁目" },
];

test("a small batch: one person written four ways is one entity; father, son and namesake stay apart", () => {
  const out = resolve(SMALL, { key: new Uint8Array(32).fill(1) });
  const ent = (id: string) => out.find((r) => r.recordId === id)?.entityId;
  assert.equal(ent("a1"), ent("a2"));
  assert.equal(ent("a1"), ent("a3"));
  assert.equal(ent("a1"), ent("a4"));
  assert.notEqual(ent("f1"), ent("s1"));
  assert.notEqual(ent("f1"), ent("n1"));
  assert.notEqual(ent("s1"), ent("n1"));
  assert.equal(new Set(out.map((r) => r.entityId)).size, 4);
  // Every merge is explained: the record it links to and the fields that agreed, with weights.
  for (const id of ["a1", "a2", "a3", "a4"]) {
    const r = out.find((x) => x.recordId === id) as ResolvedRecord;
    assert.ok(r.explanation.linkedTo !== null && ["a1", "a2", "a3", "a4"].includes(r.explanation.linkedTo));
    assert.ok(r.confidence >= 0.9);
    assert.ok(r.explanation.fields.some((f) => f.field === "dateOfBirth" && f.level === "equal" && f.weight > 0));
  }
  const son = out.find((r) => r.recordId === "s1") as ResolvedRecord;
  assert.equal(son.explanation.linkedTo, null);
  assert.ok(son.explanation.fields.some((f) => f.field === "dateOfBirth" && f.level === "different" && f.weight < 0));
  // Output order is input order.
  assert.deepEqual(out.map((r) => r.recordId), SMALL.map((r) => r.recordId));
});

test("entity ids are stable: same input in another order, same entities; derived from the smallest record id", () => {
  const key = new Uint8Array(32).fill(2);
  const a = resolve(SMALL, { key });
  const b = resolve([...SMALL].reverse(), { key });
  const byId = (rs: ResolvedRecord[]) => new Map(rs.map((r) => [r.recordId, r.entityId]));
  assert.deepEqual(byId(a), byId(b));
  assert.equal(byId(a).get("a3"), entityIdFor(["a1", "a2", "a3", "a4"]));
  assert.match(byId(a).get("n1") ?? "", /^ent_[0-9a-f]{24}$/);
  // And the key does not change them (it only hides values).
  assert.deepEqual(byId(resolve(SMALL, { key: new Uint8Array(32).fill(9) })), byId(a));
});

test("bad input is refused with the path of the bad record", () => {
  const dup = [SMALL[0] as IdentityRecord, { ...(SMALL[1] as IdentityRecord), recordId: "a1" }];
  assert.throws(() => resolve(dup), (e: unknown) => isKanshiError(e) && e.kind === "bad_input" && e.message.startsWith("records[1].recordId"));
  assert.throws(() => resolve([{ recordId: "x", source: "s", name: " " }]), /records\[0\]\.name/);
  assert.deepEqual(resolve([]), []);
});

test("the record schema accepts the contract's shape and says where a field is wrong", () => {
  const ok = IdentityRecordSchema.safeParse({ recordId: "r1", source: "bitflyer", name: "山田太郎", dateOfBirth: "1985-04-01", socialIds: ["x:yamada"], accountId: "acc-1" });
  assert.equal(ok.success, true);
  const bad = IdentityRecordSchema.safeParse({ recordId: "r1", source: "bitflyer", name: "山田太郎", socialIds: ["yamada"] });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0]?.path, ["socialIds", 0]);
});

function pairwise(ds: SyntheticDataset, results: readonly ResolvedRecord[]) {
  const entity = new Map(results.map((r) => [r.recordId, r.entityId as string]));
  return pairwiseScore(ds.records.map((r) => r.recordId), (id) => ds.truth.get(id) ?? "", (id) => entity.get(id) ?? id);
}

function violations(ds: SyntheticDataset, results: readonly ResolvedRecord[]) {
  const entity = new Map(results.map((r) => [r.recordId, r.entityId as string]));
  const dob = new Map(ds.people.map((p) => [p.personId, p.dob.join("-")]));
  return birthDateViolations(ds.records, (id) => ds.truth.get(id) ?? "", (p) => dob.get(p), (id) => entity.get(id) ?? id);
}

test("synthetic consortium: pairwise precision ≥ 0.99 and recall ≥ 0.97, no entity joins people born on different days", async (t) => {
  const reader = await readerPromise;
  const ds = generateSyntheticIdentities({ seed: 20240401, people: 800 });
  const report = resolveWithReport(ds.records, { reader, seed: 1 });
  const m = pairwise(ds, report.results);
  const perSecond = ds.records.length / (report.stats.millis / 1000);
  t.diagnostic(
    `records ${ds.records.length}, people ${ds.people.length}, candidate pairs ${report.stats.candidatePairs}, ` +
      `precision ${m.precision.toFixed(4)}, recall ${m.recall.toFixed(4)}, ${perSecond.toFixed(0)} records/s, ` +
      `EM ${report.stats.emIterations} iterations (converged ${report.stats.emConverged}), refused merges ${report.stats.refusedMerges}`,
  );
  assert.ok(m.precision >= 0.99, `precision ${m.precision}`);
  assert.ok(m.recall >= 0.97, `recall ${m.recall}`);
  assert.equal(report.stats.emConverged, true);
  // EM learnt that a person's records agree on birth date and given name, and that the related
  // people blocking brings together (twins, namesakes) differ in their given names.
  const dob = report.model.m[2] as number[];
  const given = report.model.m[1] as number[];
  const givenRelated = report.model.r[1] as number[];
  assert.ok((dob[2] ?? 0) > 0.95, `m(dob) ${dob}`);
  assert.ok((given[0] ?? 1) < 0.05 && (givenRelated[0] ?? 0) > 0.5, `m(given) ${given}, r(given) ${givenRelated}`);
  // No entity joins two people born on different days (unless every other field agrees).
  assert.deepEqual(violations(ds, report.results), []);
  // No entity holds two birth dates more than a slip apart.
  const dobs = new Map<string, Set<string>>();
  ds.records.forEach((r, i) => {
    const d = r.dateOfBirth ? normalizeDate(r.dateOfBirth) : null;
    const e = report.results[i]?.entityId ?? "";
    if (d) dobs.set(e, (dobs.get(e) ?? new Set()).add(d));
  });
  for (const set of dobs.values()) {
    const [first, ...rest] = [...set];
    assert.ok(rest.every((d) => datesOneSlipAway(first ?? "").includes(d)), `an entity mixes birth dates ${[...set].join(", ")}`);
  }
  // Common surnames count for less than rare ones (term-frequency adjustment).
  const familyWeights = report.results
    .flatMap((r) => r.explanation.fields)
    .filter((f) => f.field === "familyName" && f.level === "exact" && f.termFrequency !== undefined);
  const common = familyWeights.filter((f) => (f.termFrequency ?? 0) > 0.03);
  const rare = familyWeights.filter((f) => (f.termFrequency ?? 1) < 0.003);
  assert.ok(common.length > 0 && rare.length > 0);
  assert.ok(Math.max(...common.map((f) => f.weight)) < Math.min(...rare.map((f) => f.weight)));
});

test("without a morphological reader, kanji-only names still link on their kanji", () => {
  const ds = generateSyntheticIdentities({ seed: 99, people: 400 });
  const m = pairwise(ds, resolve(ds.records, { reader: null }));
  assert.ok(m.precision >= 0.99, `precision ${m.precision}`);
  assert.ok(m.recall >= 0.95, `recall ${m.recall}`);
});

test("records prepared in chunks (as worker threads do) link exactly as records prepared in place", async () => {
  const reader = await readerPromise;
  const ds = generateSyntheticIdentities({ seed: 7, people: 300 });
  const key = new Uint8Array(32).fill(4);
  // A kanji-only name needs the reader, which the chunks do not have: the batch prepares it again.
  const records = [...ds.records, { recordId: "kanji-only", source: "s", name: "佐藤健一", dateOfBirth: "1980-01-02" }];
  const whole = resolveWithReport(records, { reader, key });
  const cut = [0, 100, 517, records.length];
  const prepared = cut.slice(1).map((to, k) => prepareChunk(records.slice(cut[k], to), { key }));
  assert.ok(prepared.at(-1)?.needsReader.includes(records.length - 1 - 517));
  const chunked = resolveWithReport(records, { reader, key, prepared });
  assert.deepEqual(JSON.parse(JSON.stringify(chunked.results)), JSON.parse(JSON.stringify(whole.results)));
  assert.deepEqual(chunked.model, whole.model);
  assert.throws(() => resolveWithReport(records, { reader, prepared }), /options\.key/);
  assert.throws(() => resolveWithReport(records.slice(1), { key, prepared }), /options\.prepared/);
});

test("a birth date one slip away is believed only with corroboration: namesakes a day apart sharing an e-mail stay apart", () => {
  // Person P (born 1986-04-20) at three venues, one of which typed the date as the 21st; person Q,
  // same name, born the 21st, another town and phone, but (as in independently simulated consortia)
  // the same e-mail string. Without the rule, Q joins P through P's typo record.
  const email = "n.ikeda86@example.org";
  const records: IdentityRecord[] = [
    { recordId: "p1", source: "exchange-a", name: "池田 奈々", nameKana: "イケダ ナナ", dateOfBirth: "1986-04-20", phone: "080-4108-5041", email, address: "愛知県名古屋市南区大磯通16-22" },
    { recordId: "p2", source: "exchange-b", name: "池田奈々", nameKana: "イケダナナ", dateOfBirth: "1986-04-21", phone: "+81 80-4108-5041", email, address: "愛知県名古屋市南区大磯通16番地22" },
    { recordId: "p3", source: "bureau-c", name: "池田 奈々", nameKana: "イケダ ナナ", dateOfBirth: "1986-04-20", phone: "08041085041", email, address: "愛知県名古屋市南区大磯通16-22" },
    { recordId: "q1", source: "exchange-c", name: "池田 奈々", nameKana: "イケダ ナナ", dateOfBirth: "1986-04-21", phone: "070-4028-4870", email, address: "栃木県宇都宮市横山町6-3-26" },
    { recordId: "q2", source: "bureau-d", name: "池田　奈々", nameKana: "イケダ　ナナ", dateOfBirth: "1986-04-21", phone: "070-4028-4870", address: "栃木県宇都宮市横山町六丁目３番２６号" },
  ];
  const report = resolveWithReport(records, { key: new Uint8Array(32).fill(3) });
  const ent = (id: string) => report.results.find((r) => r.recordId === id)?.entityId;
  assert.equal(ent("p1"), ent("p2"), "the typo record joins its own person");
  assert.equal(ent("p1"), ent("p3"));
  assert.equal(ent("q1"), ent("q2"));
  assert.notEqual(ent("p1"), ent("q1"), "the namesake born a day later stays apart");
  const person = (id: string) => id.slice(0, 1);
  const birth = (p: string) => (p === "p" ? "1986-04-20" : "1986-04-21");
  assert.deepEqual(birthDateViolations(records, person, birth, (id) => ent(id) ?? id), []);
});
