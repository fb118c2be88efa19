// People written differently at each exchange and bureau, life events (marriage, moves) and the hard
// negatives of identity linkage, and the linkage test set built from them.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { EventInput } from "../contracts/index.ts";
import { foldVariants } from "./data/names.ts";
import { identityRecords, scoreLinkage, type IdentityRecordSet } from "./identity-records.ts";
import { simulate, type PersonTruth } from "./simulate.ts";

const sim = simulate({ seed: 13, people: 3_000, days: 2 });
const people = sim.people;
const byId = new Map(people.map((p) => [p.personId, p]));
const set: IdentityRecordSet = identityRecords(sim);
const IDENTITY_TYPES = new Set(["account.opened", "account.updated", "credit.report", "social.link"]);
const key = (e: { source: string; id: string }) => `${e.source}:${e.id}`;
const flat = (s: string | undefined) => foldVariants((s ?? "").replace(/[\s\u3000]/g, ""));
const familyKana = (p: PersonTruth) => (p.identity.nameKana ?? "").split("\u3000")[0]!;
const years = (a: string, b: string) => Math.abs(Date.parse(a) - Date.parse(b)) / (365.2425 * 86_400_000);

function pairs(kind: string, pred: (r: NonNullable<PersonTruth["relations"]>[number]) => boolean): [PersonTruth, PersonTruth, NonNullable<PersonTruth["relations"]>[number]][] {
  const out: [PersonTruth, PersonTruth, NonNullable<PersonTruth["relations"]>[number]][] = [];
  for (const p of people) for (const r of p.relations ?? []) if (pred(r) && r.personId > p.personId) out.push([p, byId.get(r.personId)!, r]);
  assert.ok(out.length > 0, `no ${kind}`);
  return out;
}

test("relations are symmetric: if Y is X's child, X is Y's parent", () => {
  const inverse: Record<string, string> = { child: "parent", parent: "child", spouse: "spouse", sibling: "sibling", twin: "twin", namesake: "namesake" };
  let n = 0;
  for (const p of people) {
    for (const r of p.relations ?? []) {
      const q = byId.get(r.personId);
      assert.ok(q !== undefined, `${p.personId}: unknown relative ${r.personId}`);
      assert.ok((q.relations ?? []).some((b) => b.personId === p.personId && b.kind === inverse[r.kind] && b.sameName === r.sameName && b.sameAddress === r.sameAddress), `${p.personId} → ${q.personId} (${r.kind}) has no inverse`);
      n++;
    }
  }
  assert.ok(n > 100, `only ${n} relations`);
});

test("hard negatives exist and are labelled: twins, a father and son with one name, families at one address, namesakes", () => {
  const twins = pairs("twins", (r) => r.kind === "twin");
  assert.ok(twins.length >= 5, `${twins.length} twin pairs`);
  for (const [a, b] of twins) {
    assert.equal(a.identity.dateOfBirth, b.identity.dateOfBirth, `${a.personId}/${b.personId}: twins born apart`);
    assert.notEqual(a.identity.name, b.identity.name);
    // born with one family name (a twin who married out has it as her former name)
    const born = (p: PersonTruth) => (p.formerName?.nameKana ?? p.identity.nameKana ?? "").split("\u3000")[0];
    assert.ok(born(a) === born(b) || familyKana(a) === familyKana(b), `${a.personId}/${b.personId}: twins of different families`);
  }
  const fatherSon = pairs("father and son with one name", (r) => r.sameName && (r.kind === "parent" || r.kind === "child"));
  assert.ok(fatherSon.length >= 5, `${fatherSon.length} father-son pairs`);
  for (const [a, b, r] of fatherSon) {
    assert.equal(a.identity.name, b.identity.name);
    assert.equal(a.identity.nameKana, b.identity.nameKana);
    assert.ok(years(a.identity.dateOfBirth!, b.identity.dateOfBirth!) >= 20, `${a.personId}/${b.personId}: father and son ${years(a.identity.dateOfBirth!, b.identity.dateOfBirth!)} years apart`);
    const [older, younger] = a.identity.dateOfBirth! < b.identity.dateOfBirth! ? [a, b] : [b, a];
    // in the older one's relations the younger is a child
    assert.equal((older.relations ?? []).find((x) => x.personId === younger.personId)!.kind, "child", `${r.kind}`);
  }
  const namesakes = pairs("namesakes", (r) => r.kind === "namesake");
  for (const [a, b] of namesakes) {
    assert.equal(a.identity.name, b.identity.name);
    assert.notEqual(a.identity.dateOfBirth, b.identity.dateOfBirth);
  }
  const households = new Map<string, PersonTruth[]>();
  for (const p of people) if (p.household !== undefined) households.set(p.household, [...(households.get(p.household) ?? []), p]);
  assert.ok(households.size >= 30, `${households.size} households`);
  let sharedSurname = 0;
  let members = 0;
  for (const [h, list] of households) {
    assert.ok(list.length >= 2, `household ${h} of one`);
    for (const p of list) {
      assert.equal(p.identity.address, list[0]!.identity.address, `${h}: members at different addresses`);
      assert.equal(p.identity.postalCode, list[0]!.identity.postalCode);
      members++;
      if (list.some((q) => q !== p && familyKana(q) === familyKana(p))) sharedSurname++;
    }
  }
  assert.ok(sharedSurname / members > 0.9, `${sharedSurname} of ${members} share a family name with someone at home`);
  // the stats count what the truth holds
  const st = sim.stats.identity;
  assert.equal(st.twinPairs, twins.length);
  assert.equal(st.fatherSonSameName, fatherSon.length);
  assert.equal(st.namesakePairs, namesakes.length);
  assert.equal(st.households, households.size);
  assert.equal(st.peopleInHouseholds, members);
  assert.ok(st.sameNameDifferentDob >= namesakes.length + fatherSon.length);
  // and the linkage set lists them as groups
  const groups = (k: string) => set.hardNegatives.filter((g) => g.kind === k);
  assert.equal(groups("twins").length, twins.length);
  assert.equal(groups("father-son").length, fatherSon.length);
  assert.equal(groups("household").length, households.size);
  for (const [a, b] of namesakes) assert.ok(groups("namesake").some((g) => g.personIds.includes(a.personId) && g.personIds.includes(b.personId)));
});

test("a married name: records from before the marriage (and slow bureaus) show it, a KYC change reports the new one", () => {
  const renamed = people.filter((p) => p.formerName !== undefined);
  assert.ok(renamed.length >= 50, `${renamed.length} renamed`);
  const events = new Map<string, EventInput>();
  for (const x of sim.identityEvents) events.set(key(x.event), x.event);
  let stale = 0;
  let renameUpdates = 0;
  for (const p of renamed) {
    const until = Date.parse(`${p.formerName!.until}T00:00:00+09:00`);
    for (const a of p.accounts) {
      const opened = events.get(a.record) as Extract<EventInput, { type: "account.opened" }>;
      const shows = p.stale?.find((s) => s.recordId === a.record)?.shows ?? [];
      // an account opened before the marriage carries the maiden name, one opened after it the married name
      const before = Date.parse(opened.ts) < until;
      assert.equal(shows.includes("former-name"), before, `${a.record}: opened ${opened.ts}, renamed ${p.formerName!.until}`);
      const note = set.notes.get(a.record) ?? [];
      if (before && !note.includes("typo:kanji")) assert.equal(flat(opened.kyc.name), flat(p.formerName!.name), `${a.record} does not show the maiden name`);
      if (before) stale++;
      for (const u of a.updates ?? []) {
        const e = events.get(u) as Extract<EventInput, { type: "account.updated" }>;
        assert.ok(Date.parse(e.ts) > Date.parse(opened.ts));
        if (e.kyc.name !== undefined) {
          renameUpdates++;
          assert.ok(Date.parse(e.ts) >= until, `${u}: a new name before the marriage`);
          if (!(set.notes.get(u) ?? []).includes("typo:kanji")) assert.equal(flat(e.kyc.name), flat(p.identity.name));
        }
      }
    }
  }
  assert.ok(stale >= 10 && renameUpdates >= 5, `${stale} KYC with a maiden name, ${renameUpdates} name changes reported`);
  assert.ok(sim.stats.identity.updates.rename + sim.stats.identity.updates["rename+move"] === renameUpdates);
});

test("moves: KYC from before shows the old address until the customer reports the new one", () => {
  const moved = people.filter((p) => p.formerAddress !== undefined);
  assert.ok(moved.length >= 100, `${moved.length} moved`);
  const events = new Map<string, EventInput>();
  for (const x of sim.identityEvents) events.set(key(x.event), x.event);
  let reported = 0;
  for (const p of moved) {
    const until = Date.parse(`${p.formerAddress!.until}T00:00:00+09:00`);
    for (const a of p.accounts) {
      const opened = events.get(a.record) as Extract<EventInput, { type: "account.opened" }>;
      const shows = p.stale?.find((s) => s.recordId === a.record)?.shows ?? [];
      assert.equal(shows.includes("former-address"), Date.parse(opened.ts) < until, a.record);
      for (const u of a.updates ?? []) {
        const e = events.get(u) as Extract<EventInput, { type: "account.updated" }>;
        if (e.kyc.address === undefined || Date.parse(e.ts) < until) continue;
        reported++;
        const digits = (s: string) => s.replace(/\D/g, "");
        assert.equal(digits(e.kyc.postalCode ?? ""), digits(p.identity.postalCode ?? ""), `${u}: the new postal code`);
      }
    }
  }
  assert.ok(reported >= 20, `${reported} moves reported`);
});

test("slips: each kind occurs, is labelled, and a record without a dob slip has the true birth date", () => {
  const seen = new Map<string, number>();
  let checked = 0;
  for (const r of set.records) {
    const p = byId.get(set.truth.get(r.recordId)!)!;
    const notes = set.notes.get(r.recordId) ?? [];
    for (const n of notes) seen.set(n, (seen.get(n) ?? 0) + 1);
    // a KYC change carries the birth date of the account's opening KYC (and its slips)
    if (p.kind !== "individual" || r.dateOfBirth === undefined || set.kinds.get(r.recordId) === "kyc-update") continue;
    checked++;
    if (notes.includes("typo:dob")) assert.notEqual(r.dateOfBirth, p.identity.dateOfBirth, r.recordId);
    else assert.equal(r.dateOfBirth, p.identity.dateOfBirth, `${r.recordId}: wrong birth date without a slip`);
    if (notes.includes("typo:phone") && set.kinds.get(r.recordId) === "kyc") {
      const digits = (s: string) => s.normalize("NFKC").replace(/\D/g, "").replace(/^81/, "0").replace(/^0?/, "0");
      assert.notEqual(digits(r.phone ?? ""), digits(p.identity.phone ?? ""), `${r.recordId}: phone slip without a change`);
    }
  }
  assert.ok(checked > 5_000);
  for (const k of ["typo:kana", "typo:kanji", "typo:latin", "typo:dob", "typo:address", "typo:postal", "typo:phone", "typo:email", "former-name", "former-address"]) {
    assert.ok((seen.get(k) ?? 0) >= 3, `${k}: ${seen.get(k) ?? 0} records`);
  }
  const noted = [...set.notes.values()].filter((n) => n.some((x) => x.startsWith("typo:"))).length;
  assert.ok(noted / set.records.length < 0.12, `${noted} of ${set.records.length} records with a slip`);
});

test("identity records: every identity-bearing event is one record, attributable to its person through people.ndjson", () => {
  const stream: EventInput[] = [];
  for (const e of sim.events) if (IDENTITY_TYPES.has(e.type)) stream.push(e);
  const direct = [...sim.identityEvents].map((x) => x.event);
  assert.deepEqual(direct, stream, "identityEvents differ from the stream's identity events");
  const withIdentity = stream.filter((e) => e.type !== "social.link" || e.subject !== undefined);
  assert.deepEqual(set.records.map((r) => r.recordId), withIdentity.map(key));
  const owner = new Map<string, string>();
  const known = new Map<string, string>();
  for (const p of people) {
    for (const a of p.accounts) {
      owner.set(a.accountId, p.personId);
      known.set(a.record, p.personId);
      for (const u of a.updates ?? []) known.set(u, p.personId);
    }
    for (const c of p.creditReports) known.set(c, p.personId);
    for (const s of p.socialLinks) for (const r of s.records) known.set(r, p.personId);
  }
  for (const r of set.records) {
    const person = set.truth.get(r.recordId);
    assert.ok(person !== undefined, `${r.recordId}: no truth`);
    assert.equal(known.get(r.recordId), person, `${r.recordId}: people.ndjson says ${known.get(r.recordId)}`);
    if (r.accountId !== undefined) assert.equal(owner.get(r.accountId), person);
    assert.ok(r.name.length > 0);
    if (r.dateOfBirth !== undefined) assert.match(r.dateOfBirth, /^\d{4}-\d{2}-\d{2}$/);
  }
  // a KYC change is the account's KYC with the change applied
  const kinds = new Set(set.kinds.values());
  assert.deepEqual([...kinds].sort(), ["credit", "kyc", "kyc-update", "social"]);
  for (const r of set.records) if (set.kinds.get(r.recordId) === "kyc-update") assert.ok(r.dateOfBirth !== undefined && r.address !== undefined, `${r.recordId} is not merged with its account's KYC`);
  assert.ok(set.records.some((r) => (r.socialIds?.length ?? 0) > 0 && r.accountId !== undefined), "exchange social links become socialIds");
});

test("scoreLinkage: the truth scores 1, lumping by name merges the hard negatives, singletons recall nothing", () => {
  const perfect = scoreLinkage(set, set.truth);
  assert.equal(perfect.precision, 1);
  assert.equal(perfect.recall, 1);
  for (const k of Object.values(perfect.hardNegatives)) assert.equal(k.merged, 0);
  assert.ok(perfect.hardNegatives.twins.pairs > 0 && perfect.hardNegatives.namesake.pairs > 0 && perfect.hardNegatives.household.pairs > 0);

  const byName = new Map(set.records.map((r) => [r.recordId, `${flat(r.name)}|${flat(r.nameKana).normalize("NFKC")}`]));
  const naive = scoreLinkage(set, byName);
  assert.ok(naive.precision < 0.99, `lumping by name: precision ${naive.precision}`);
  assert.ok(naive.hardNegatives["father-son"].merged > 0 && naive.hardNegatives.namesake.merged > 0);
  assert.equal(naive.hardNegatives.twins.merged, 0, "twins have different given names");

  const none = scoreLinkage(set, () => undefined);
  assert.equal(none.predictedPairs, 0);
  assert.equal(none.recall, 0);
  assert.equal(none.precision, 1);
  assert.throws(() => scoreLinkage({ ...set, truth: new Map() }, set.truth), /has no truth/);
});
