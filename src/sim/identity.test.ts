import { test } from "node:test";
import assert from "node:assert/strict";
import type { EventInput } from "../contracts/index.ts";
import { KANJI_VARIANTS } from "./data/names.ts";
import { EMAIL_DOMAINS } from "./data/places.ts";
import { corporateCheckDigit, isValidCorporateNumber, syntheticCorporateNumber } from "./corporate-number.ts";
import { lookupPostal, postalTable } from "./postal.ts";
import { buildPopulation } from "./population.ts";
import { IdScrambler } from "./ids.ts";
import { Rng } from "./rng.ts";
import { simulate } from "./simulate.ts";
import { kanjiNumber, romaji, toFullWidth, toHalfWidthKana, toHiragana } from "./text.ts";

type Kyc = Extract<EventInput, { type: "account.opened" }>["kyc"];

const sim = simulate({ seed: 8, people: 800 });
const events = [...sim.events];
const kycOf = new Map<string, Kyc>();
for (const e of events) if (e.type === "account.opened") kycOf.set(e.accountId, e.kyc);
const multi = sim.people.filter((p) => p.kind === "individual" && p.accounts.length >= 2);
const allKyc = [...kycOf.values()];

test("the same person is written differently at different exchanges", () => {
  assert.ok(multi.length > 150, `only ${multi.length} people with several accounts`);
  let differ = 0;
  for (const p of multi) {
    const recs = p.accounts.map((a) => kycOf.get(a.accountId)!);
    const fields = ["name", "nameKana", "address", "phone", "postalCode"] as const;
    if (fields.some((f) => new Set(recs.map((r) => r[f])).size > 1)) differ++;
    // but they are the same person: same date of birth in nearly every record
    assert.ok(recs.every((r) => r.nationality === recs[0]!.nationality));
  }
  assert.ok(differ / multi.length > 0.9, `only ${differ} of ${multi.length} differ`);
});

test("the variations real records show all occur", () => {
  const has = (re: RegExp, f: (k: Kyc) => string | undefined) => allKyc.some((k) => re.test(f(k) ?? ""));
  assert.ok(has(/\u3000/, (k) => k.name), "full-width space in names");
  assert.ok(has(/^[^\s\u3000]+$/, (k) => k.name), "names without a space");
  assert.ok(has(/[ｦ-ﾟ]/, (k) => k.nameKana), "half-width kana");
  assert.ok(has(/[ぁ-ゖ]/, (k) => k.nameKana), "hiragana readings");
  assert.ok(has(/^[ァ-ヶー\u3000 ]+$/, (k) => k.nameKana), "full-width katakana");
  assert.ok(has(/丁目/, (k) => k.address), "丁目 addresses");
  assert.ok(has(/\d+-\d+/, (k) => k.address), "hyphenated addresses");
  assert.ok(has(/[０-９]/, (k) => k.address), "full-width digits");
  assert.ok(has(/^\+81/, (k) => k.phone), "+81 phones");
  assert.ok(has(/^0\d{9,10}$/, (k) => k.phone), "plain national phones");
  assert.ok(has(/^0\d{1,3}-\d+-\d{4}$/, (k) => k.phone), "hyphenated phones");
  assert.ok(has(/^\d{3}-\d{4}$/, (k) => k.postalCode) && has(/^\d{7}$/, (k) => k.postalCode), "postal codes with and without hyphen");
  assert.ok(has(/OU\b|Ou\b|ou\b/, (k) => k.nameLatin) || has(/OH\b|oh\b/, (k) => k.nameLatin), "wāpuro or 'oh' romaji");
  assert.ok(has(/^[A-Z]+ [A-Z]+$/, (k) => k.nameLatin), "passport-style capitals");
});

test("variant kanji are kept by some records and folded by others", () => {
  const variant = new RegExp(`[${Object.keys(KANJI_VARIANTS).join("")}]`, "u");
  let kept = 0;
  let folded = 0;
  for (const p of sim.people) {
    if (p.kind !== "individual" || !variant.test(p.identity.name)) continue;
    for (const a of p.accounts) {
      if (variant.test(kycOf.get(a.accountId)!.name)) kept++;
      else folded++;
    }
  }
  assert.ok(kept > 0 && folded > 0, `kept ${kept}, folded ${folded}`);
});

test("canonical identities: real postal codes matching the address, valid dates, corporate numbers with check digits", () => {
  const start = Date.parse("2026-11-02T00:00:00+09:00");
  const pop = buildPopulation({ seed: 4, people: 3_000, start, end: start + 86_400_000, postal: postalTable(), scrambler: new IdScrambler(4) });
  const residency = new Set<string>();
  let checkedPostal = 0;
  for (const p of pop.people) {
    const id = p.identity;
    if (id.kind === "corporate") {
      assert.ok(isValidCorporateNumber(id.corporateNumber), id.corporateNumber);
      continue;
    }
    residency.add(id.residency);
    const dob = new Date(`${id.dateOfBirth}T00:00:00Z`);
    assert.equal(dob.toISOString().slice(0, 10), id.dateOfBirth);
    const age = 2026 - dob.getUTCFullYear();
    assert.ok(age >= 17 && age <= 86, `age ${age}`);
    const addr = id.address;
    if (addr.kind === "jp") {
      const found = lookupPostal(addr.postalCode);
      assert.ok(found.some((f) => f.prefecture === addr.prefecture && f.city === addr.city && f.town === addr.town));
      checkedPostal++;
    } else {
      assert.equal(id.residency, "non_resident");
    }
  }
  assert.ok(checkedPostal > 2_500);
  assert.deepEqual([...residency].sort(), ["citizen", "non_resident", "resident_foreigner"]);
  // many people hold two or three exchanges
  const individuals = pop.people.filter((p) => p.identity.kind === "individual");
  const several = individuals.filter((p) => p.accounts.length >= 2).length / individuals.length;
  assert.ok(several > 0.35 && several < 0.6, `share with 2+ accounts ${several}`);
  // a Tokyo person's 東京都 prefix matches Japan Post's data
  assert.ok(pop.people.some((p) => p.identity.address.kind === "jp" && p.identity.address.prefecture === "東京都"));
});

test("corporate number check digit (National Tax Agency formula)", () => {
  // published corporate numbers: Toyota Motor Corporation, National Tax Agency
  assert.ok(isValidCorporateNumber("1180301018771"));
  assert.ok(isValidCorporateNumber("7000012050002"));
  assert.equal(corporateCheckDigit("180301018771"), 1);
  assert.ok(!isValidCorporateNumber("2180301018771"));
  assert.ok(!isValidCorporateNumber("118030101877"));
  assert.throws(() => corporateCheckDigit("12345"), /12 digits/);
  const rng = new Rng(9);
  for (let i = 0; i < 200; i++) assert.ok(isValidCorporateNumber(syntheticCorporateNumber(rng, "01")));
});

test("kana, width and romaji helpers", () => {
  assert.equal(toHalfWidthKana("ガッコウ　パン"), "ｶﾞｯｺｳ ﾊﾟﾝ");
  assert.equal(toHalfWidthKana("ヴァ"), "ｳﾞｧ");
  assert.equal(toHiragana("サトウ　タロウ"), "さとう　たろう");
  assert.equal(toFullWidth("1-2-3"), "１－２－３");
  assert.equal(kanjiNumber(1), "一");
  assert.equal(kanjiNumber(12), "十二");
  assert.equal(kanjiNumber(23), "二十三");
  assert.equal(romaji("Satō Yūko", "passport"), "Sato Yuko");
  assert.equal(romaji("Satō Yūko", "wapuro"), "Satou Yuuko");
  assert.equal(romaji("Ōta", "oh"), "Ohta");
});

const emailSlips = new Set<string>();
for (const x of sim.identityEvents) if (x.notes.includes("typo:email")) emailSlips.add(`${x.event.source}:${x.event.id}`);

test("contact details are synthetic: reserved example domains, documentation IPv6, the person's own name (or the one they had before marrying)", () => {
  for (const p of multi.slice(0, 200)) {
    const families = [p.identity.nameLatin, p.formerName?.nameLatin].filter((n) => n !== undefined).map((n) => n.split(" ")[0]!.toLowerCase());
    for (const a of p.accounts) {
      const email = kycOf.get(a.accountId)!.email ?? "";
      const domain = email.split("@")[1] ?? "";
      assert.ok(EMAIL_DOMAINS.includes(domain), `${domain} is not a reserved example domain`);
      const typo = emailSlips.has(a.record);
      if (!typo) assert.ok(families.some((f) => email.toLowerCase().includes(f)), `${email} is not built from ${families.join(" or ")}`);
    }
  }
  for (const e of events) if (e.type === "login" && e.ip.includes(":")) assert.match(e.ip, /^2001:db8:/);
});
