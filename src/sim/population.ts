// The simulated population: individuals (citizens, resident foreigners, a few non-residents who should
// not hold a Japanese account at all), corporates (investors, trading desks, one market maker per
// exchange) and their accounts, many people holding two or three exchanges.
//
// People are not independent: some are family of someone already in the population (a spouse who
// took the family name at marriage and moved in, children and parents, siblings, twins, a son who
// carries his father's full name), often at one address, sharing a landline or the home connection;
// some share a common name with a stranger (a namesake, in the same prefecture more often than
// chance). People move house and change their name at marriage, and records written before (or by a
// bureau that has not caught up) show the old ones. These are the hard cases of identity linkage;
// `relations` and `household` record them as ground truth.
import { CORP_STEMS, CORP_WORDS, LEGAL_FORMS, MARKET_MAKER_STEMS } from "./data/corporate-names.ts";
import { FOREIGN_NAMES, NON_RESIDENT_PLACES, type ForeignNameSet } from "./data/foreign-names.ts";
import { FEMALE_GIVEN, MALE_GIVEN, SURNAMES, VARIANT_SURNAMES, type NameEntry } from "./data/names.ts";
import { CORPORATE_PURPOSES, INDUSTRIES, OCCUPATIONS, PURPOSES } from "./data/occupations.ts";
import { BUILDING_KINDS, BUILDING_STEMS, EMAIL_DOMAINS, MOBILE_PREFIXES, PREFECTURES } from "./data/places.ts";
import { EXCHANGES, SOCIAL_PLATFORMS } from "./data/sources.ts";
import { syntheticCorporateNumber } from "./corporate-number.ts";
import type { IdScrambler } from "./ids.ts";
import type { CorporateIdentity, IndividualIdentity, JpAddress, PersonName, Phone } from "./identity.ts";
import type { PostalTable } from "./postal.ts";
import { Rng, WeightedTable } from "./rng.ts";
import { asciiLower } from "./text.ts";
import { DAY, YEAR } from "./time.ts";

export type Segment = "casual" | "regular" | "active" | "whale" | "corp-investor" | "trading-firm" | "market-maker";

/** How another person is related to this one: in X's `relations`, `{ kind: "child", person: Y }` says Y is X's child. */
export type RelationKind = "spouse" | "parent" | "child" | "sibling" | "twin" | "namesake";

export interface Relation {
  kind: RelationKind;
  /** The other person's index. */
  person: number;
  /** Same full name (a father and son; namesakes always). */
  sameName: boolean;
  /** Living at one address. */
  sameAddress: boolean;
}

/** Whom an account sends transfers to inside its venue, and why. */
export interface Contact {
  /** Receiving account index (same exchange). */
  to: number;
  kind: "family" | "friend" | "own";
  /** Largest single transfer along it, whole yen (own accounts: half the owner's annual income or revenue). */
  cap: number;
}

export interface Person {
  index: number;
  /** Ground-truth id: P000001 for people, C000001 for corporates. */
  personId: string;
  identity: IndividualIdentity | CorporateIdentity;
  segment: Segment;
  /** Account indices. */
  accounts: number[];
  /** Where they usually log in from. */
  homeIp: string;
  mobileIp: string;
  language: string;
  country: string;
  /** Latent credit quality (standard normal, higher is better). */
  creditZ: number;
  social: { platform: string; handle: string }[];
  /** Individuals: male or female (not written in any record; it steers names and marriages). */
  male: boolean;
  /** Family ties and namesakes with other people of the population. */
  relations: Relation[];
  /** People living at one address share a household id (H + the first member's number), else null. */
  household: string | null;
}

export interface Account {
  index: number;
  id: string;
  exchange: number;
  owner: number;
  corporate: boolean;
  segment: Segment;
  openedAt: number;
  deviceIds: string[];
  /** Activity multiplier (log-normal around 1). */
  activity: number;
  riskRating: "low" | "medium" | "high";
  /** A second account of the same owner at the same exchange (a corporate desk's sub-account). */
  sub: boolean;
  /** Accounts at the same exchange it sends transfers to (family, friends, the owner's other account). */
  contacts: Contact[];
  /** KYC fields the customer declared other than their identity says (an injected false declaration). */
  kycPatch?: { nationality?: string; residency?: "citizen" | "resident_foreigner" | "non_resident" };
}

export interface Population {
  people: Person[];
  accounts: Account[];
  /** Market-maker account index per exchange. */
  marketMakers: number[];
  individuals: number;
  corporates: number;
}

const SURNAME_TABLE = new WeightedTable(SURNAMES, SURNAMES.map((_, i) => 1 / (i + 6)));
const MALE_TABLE = new WeightedTable(MALE_GIVEN, MALE_GIVEN.map((_, i) => 1 / (i + 10)));
const FEMALE_TABLE = new WeightedTable(FEMALE_GIVEN, FEMALE_GIVEN.map((_, i) => 1 / (i + 10)));
const FOREIGN_TABLE = new WeightedTable(FOREIGN_NAMES, FOREIGN_NAMES.map((s) => s.weight));
const EXCHANGE_SHARES = EXCHANGES.map((e) => e.share);

const RU_NAMES: ForeignNameSet = {
  nationality: "RU", weight: 0, familyFirst: false, language: "ru-RU",
  family: [{ latin: "IVANOV", kana: "イワノフ" }, { latin: "PETROV", kana: "ペトロフ" }, { latin: "SMIRNOV", kana: "スミルノフ" }],
  given: [{ latin: "ALEKSEI", kana: "アレクセイ" }, { latin: "DMITRY", kana: "ドミトリー" }, { latin: "OLGA", kana: "オリガ" }],
};

/** Japanese ISP-like IPv4 first octets; the rest is random. Synthetic addresses. */
const JP_V4_FIRST = [60, 61, 110, 111, 112, 114, 118, 119, 121, 122, 123, 124, 125, 126, 153, 180, 182, 183, 210, 211, 218, 219, 220, 221, 222];
const FOREIGN_V4_FIRST: Readonly<Record<string, readonly number[]>> = {
  CN: [36, 39, 58, 101, 117], HK: [14, 42, 113], SG: [8, 43, 116], RU: [5, 31, 46, 95], US: [23, 34, 52, 98], KR: [1, 14, 175, 211],
};

function ipv4(rng: Rng, firsts: readonly number[]): string {
  return `${rng.pick(firsts)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}
/** IPv6 in the documentation prefix 2001:db8::/32. */
function ipv6(rng: Rng): string {
  const g = () => rng.int(0, 0xffff).toString(16);
  return `2001:db8:${g()}:${g()}:${g()}:${g()}:${g()}:${g()}`;
}

function jpAddress(rng: Rng, postal: PostalTable, prefCode?: string): JpAddress {
  const place = prefCode === undefined ? postal.draw(rng) : postal.drawIn(rng, prefCode);
  const hasChome = rng.chance(0.62);
  const chome = hasChome ? rng.int(1, 6) : null;
  const banchi = hasChome ? rng.int(1, 35) : Math.floor(rng.pareto(1, 0.9)) + rng.int(0, 30);
  const go = rng.chance(0.72) ? rng.int(1, 30) : null;
  let building: string | null = null;
  let room: string | null = null;
  if (rng.chance(0.45)) {
    building = rng.pick(BUILDING_STEMS) + rng.pick(BUILDING_KINDS) + (rng.chance(0.3) ? rng.pick(["Ⅰ", "Ⅱ", "A", "B", "東", "西"]) : "");
    room = String(rng.int(1, 14) * 100 + rng.int(1, 12));
  }
  return { kind: "jp", postalCode: place.code, prefecture: place.prefecture, city: place.city, town: place.town, chome, banchi: Math.min(banchi, 4999), go, building, room };
}

function mobile(rng: Rng): Phone {
  return { national: `${rng.pick(MOBILE_PREFIXES)}${String(rng.int(1000, 9999))}${String(rng.int(0, 9999)).padStart(4, "0")}`, groups: [3, 4, 4] };
}

function landline(rng: Rng, prefCode: string): Phone {
  const area = PREFECTURES[prefCode]?.[2] ?? "03";
  const localLen = 10 - area.length; // national numbers are 10 digits
  const local = String(rng.int(10 ** (localLen - 1) * 2, 10 ** localLen - 1));
  const groups = area.length === 2 ? [2, 4, 4] : area.length === 3 ? [3, 3, 4] : [4, 2, 4];
  return { national: area + local, groups };
}

function emailsFor(rng: Rng, family: string, given: string, birthYear: number): string[] {
  const f = asciiLower(family);
  const g = asciiLower(given);
  const domain = () => rng.pick(EMAIL_DOMAINS);
  const locals = [`${g}.${f}`, `${f}.${g}`, `${g[0] ?? "x"}.${f}${birthYear % 100}`, `${f}_${g}${rng.int(1, 99)}`, `${g}${f}${rng.int(100, 999)}`, `${f}${rng.int(1000, 9999)}`];
  const first = `${rng.pick(locals)}@${domain()}`;
  const out = [first];
  if (rng.chance(0.35)) out.push(`${rng.pick(locals)}${rng.int(1, 9)}@${domain()}`);
  return out;
}

function birthDate(rng: Rng, refYear: number, age: number): string {
  const y = refYear - age;
  const m = rng.int(1, 12);
  const d = rng.int(1, new Date(Date.UTC(y, m, 0)).getUTCDate());
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

function drawFamily(rng: Rng): NameEntry {
  if (rng.chance(0.07)) {
    const v = rng.pick(VARIANT_SURNAMES);
    return [v[0], v[1], v[2]];
  }
  return SURNAME_TABLE.draw(rng);
}

function drawGiven(rng: Rng, male: boolean): NameEntry {
  return (male ? MALE_TABLE : FEMALE_TABLE).draw(rng);
}

function personName(family: NameEntry, given: NameEntry): PersonName {
  return { script: "kanji", family: family[0], given: given[0], familyKana: family[1], givenKana: given[1], familyLatin: family[2], givenLatin: given[2], latinFamilyFirst: false };
}

const familyOf = (n: PersonName): NameEntry => [n.family, n.familyKana, n.familyLatin];
const givenOf = (n: PersonName): NameEntry => [n.given, n.givenKana, n.givenLatin];

function japaneseName(rng: Rng): { name: PersonName; male: boolean } {
  const male = rng.chance(0.7);
  const family = drawFamily(rng);
  const given = drawGiven(rng, male);
  return { male, name: personName(family, given) };
}

/** A family name other than `not` (a maiden name, a spouse's). */
function otherFamily(rng: Rng, not: string): NameEntry {
  for (let i = 0; i < 20; i++) {
    const f = drawFamily(rng);
    if (f[0] !== not) return f;
  }
  return not === "佐藤" ? ["鈴木", "スズキ", "Suzuki"] : ["佐藤", "サトウ", "Satō"];
}

function foreignName(rng: Rng, set: ForeignNameSet): PersonName {
  const f = rng.pick(set.family);
  const g = rng.pick(set.given);
  const kanji = f.kanji !== undefined && g.kanji !== undefined && rng.chance(0.6);
  const n: PersonName = {
    script: kanji ? "kanji" : "latin",
    family: kanji ? f.kanji! : f.latin,
    given: kanji ? g.kanji! : g.latin,
    familyKana: f.kana,
    givenKana: g.kana,
    familyLatin: f.latin,
    givenLatin: g.latin,
    latinFamilyFirst: set.familyFirst,
  };
  if (kanji && f.onyomi !== undefined && g.onyomi !== undefined) {
    n.familyKanaAlt = f.onyomi;
    n.givenKanaAlt = g.onyomi;
  }
  return n;
}

function ageAndOccupation(rng: Rng, forced?: number): { age: number; occupation: (typeof OCCUPATIONS)[number] } {
  const drawn = Math.round(Math.min(85, Math.max(18, rng.chance(0.85) ? rng.normal(38, 10) : rng.range(18, 85))));
  const age = forced ?? drawn;
  const fits = OCCUPATIONS.filter((o) => age >= o.minAge && age <= o.maxAge);
  const occupation = fits[rng.weighted(fits.map((o) => o.weight))]!;
  return { age, occupation };
}

function socialHandles(rng: Rng, n: PersonName): { platform: string; handle: string }[] {
  if (!rng.chance(0.4)) return [];
  const count = rng.chance(0.3) ? 2 : 1;
  const platforms = rng.shuffle([...SOCIAL_PLATFORMS]).slice(0, count);
  const f = asciiLower(n.familyLatin);
  const g = asciiLower(n.givenLatin);
  return platforms.map((platform) => ({
    platform,
    handle: rng.pick([`${g}_${f}${rng.int(1, 999)}`, `${f}${g}${rng.int(10, 99)}`, `${g[0] ?? "x"}${f}_crypto`, `${g}${rng.int(1000, 9999)}`, `${f}.${g}`]),
  }));
}

const INDIVIDUAL_SEGMENTS: readonly Segment[] = ["casual", "regular", "active", "whale"];
const INDIVIDUAL_SEGMENT_WEIGHTS = [0.68, 0.22, 0.085, 0.015];

/** Share of people who are family of someone already in the population, and who share a stranger's name. */
export const KIN_SHARE = 0.07;
export const NAMESAKE_SHARE = 0.004;
/** Share of individuals with a friend at one of their exchanges (who send each other coins or yen). */
export const FRIEND_SHARE = 0.3;

const PREF_CODE = new Map(Object.entries(PREFECTURES).map(([code, v]) => [v[0], code]));

/** What a newcomer inherits from the person they are family (or a namesake) of. */
interface Kin {
  anchor: number;
  /** The newcomer's relation to the anchor (their spouse, child, parent, sibling, twin, namesake). */
  kind: RelationKind;
  sameName: boolean;
  male: boolean;
  /** Undefined: drawn as anyone's. */
  age?: number;
  /** Twins share a birth date. */
  dob?: string;
  /** The family name they were born with (spouses: the couple's name). */
  family: NameEntry;
  /** A son named after his father; a namesake. */
  given?: NameEntry;
  sameAddress: boolean;
  /** Spouses: when they married, and whether the newcomer (rather than the anchor) took the other's name. */
  marriedAt?: number;
  renamesNewcomer?: boolean;
}

function distinctGiven(rng: Rng, male: boolean, not: string): NameEntry {
  for (let i = 0; i < 20; i++) {
    const g = drawGiven(rng, male);
    if (g[0] !== not) return g;
  }
  return male ? (not === "太郎" ? ["次郎", "ジロウ", "Jirō"] : ["太郎", "タロウ", "Tarō"]) : not === "花子" ? ["桃子", "モモコ", "Momoko"] : ["花子", "ハナコ", "Hanako"];
}

/**
 * Whether person i is family of a recent citizen (KIN_SHARE) or a namesake of any earlier one
 * (NAMESAKE_SHARE), and what follows from it. Spouse: opposite sex, similar age, married some years
 * ago (the wife took the husband's name, now and then the other way round), living together. Child
 * and parent: 22–38 years apart. Sibling: a few years apart. Twin: one birth date. A son may carry
 * his father's full name. Young relatives more often live at the same address.
 */
function planKin(rng: Rng, people: readonly Person[], citizens: readonly number[], refYear: number, start: number): Kin | undefined {
  if (citizens.length === 0) return undefined;
  const roll = rng.float();
  if (roll < NAMESAKE_SHARE) {
    const anchor = people[rng.pick(citizens)]!;
    const id = anchor.identity as IndividualIdentity;
    return { anchor: anchor.index, kind: "namesake", sameName: true, male: anchor.male, family: familyOf(id.name), given: givenOf(id.name), sameAddress: false };
  }
  if (roll >= NAMESAKE_SHARE + KIN_SHARE) return undefined;
  const anchor = people[citizens[citizens.length - 1 - rng.int(0, Math.min(199, citizens.length - 1))]!]!;
  const id = anchor.identity as IndividualIdentity;
  const age = refYear - Number(id.dateOfBirth.slice(0, 4));
  const current = familyOf(id.name);
  const birth = familyOf(id.formerName ?? id.name);
  const base = { anchor: anchor.index, sameName: false };
  const sibling = (): Kin => {
    const a = Math.min(85, Math.max(18, age + (rng.chance(0.5) ? 1 : -1) * rng.int(1, 8)));
    return { ...base, kind: "sibling", male: rng.chance(0.5), age: a, family: birth, sameAddress: rng.chance(a < 30 && age < 30 ? 0.5 : 0.1) };
  };
  switch (rng.weighted([0.4, 0.2, 0.1, 0.14, 0.08, 0.08])) {
    case 0: {
      if (anchor.relations.some((r) => r.kind === "spouse") || id.formerName !== undefined || age < 20) return sibling();
      const male = !anchor.male;
      const a = Math.min(85, Math.max(20, age + (male ? 2 : -2) + Math.round(rng.normal(0, 4))));
      const marriedAt = start - 30 * DAY - Math.floor(Math.min(rng.exponential(5 * YEAR), (Math.min(a, age) - 20) * YEAR));
      const renamesNewcomer = !male || anchor.relations.length > 0 || rng.chance(0.04);
      return { ...base, kind: "spouse", male, age: a, family: current, sameAddress: true, marriedAt, renamesNewcomer };
    }
    case 1: {
      const a = age - rng.int(22, 38);
      if (a < 18) return sibling();
      return { ...base, kind: "child", male: rng.chance(0.5), age: a, family: current, sameAddress: rng.chance(a < 30 ? 0.7 : 0.25) };
    }
    case 2: {
      const a = age + rng.int(22, 38);
      if (a > 85) return sibling();
      return { ...base, kind: "parent", male: rng.chance(0.5), age: a, family: birth, sameAddress: rng.chance(age < 30 ? 0.6 : 0.2) };
    }
    case 3:
      return sibling();
    case 4:
      return { ...base, kind: "twin", male: rng.chance(0.65) ? anchor.male : !anchor.male, age, dob: id.dateOfBirth, family: birth, sameAddress: rng.chance(age < 30 ? 0.6 : 0.15) };
    default: {
      // father and son with one full name
      if (!anchor.male) return sibling();
      const son = age - rng.int(22, 35);
      const father = age + rng.int(22, 35);
      if (son >= 18 && (father > 85 || rng.chance(0.6))) return { ...base, kind: "child", sameName: true, male: true, age: son, family: current, given: givenOf(id.name), sameAddress: rng.chance(0.6) };
      if (father <= 85) return { ...base, kind: "parent", sameName: true, male: true, age: father, family: birth, given: givenOf(id.name), sameAddress: rng.chance(0.6) };
      return sibling();
    }
  }
}

export interface PopulationOptions {
  seed: number;
  people: number;
  start: number;
  end: number;
  postal: PostalTable;
  scrambler: IdScrambler;
}

export function buildPopulation(o: PopulationOptions): Population {
  const refYear = new Date(o.start).getUTCFullYear();
  const people: Person[] = [];
  const accounts: Account[] = [];
  const accountCounters = new Array<number>(EXCHANGES.length).fill(0);
  const period = o.end - o.start;

  const openAccount = (owner: number, exchange: number, rng: Rng, corporate: boolean, segment: Segment, risk: Account["riskRating"]): Account => {
    const n = accountCounters[exchange]!++;
    const ex = EXCHANGES[exchange]!;
    // most accounts are years old; a few open during the simulated period
    const newcomer = !corporate && segment !== "market-maker" && rng.chance(0.0015 * (period / DAY));
    const openedAt = newcomer
      ? o.start + Math.floor(rng.float() * period * 0.9)
      : o.start - Math.floor(Math.min(7 * 365 * DAY, rng.exponential(1.6 * 365 * DAY)) + DAY + rng.float() * DAY);
    const devices = [`dv-${rng.hex(16)}`];
    if (rng.chance(0.3)) devices.push(`dv-${rng.hex(16)}`);
    const acct: Account = {
      index: accounts.length,
      id: `${ex.code}-${o.scrambler.text(n, o.scrambler.salt(ex.id, "account"))}`,
      exchange,
      owner,
      corporate,
      segment,
      openedAt,
      deviceIds: devices,
      activity: Math.exp(rng.normal(0, 0.5)),
      riskRating: risk,
      sub: false,
      contacts: [],
    };
    accounts.push(acct);
    people[owner]!.accounts.push(acct.index);
    return acct;
  };

  const pickExchanges = (rng: Rng, count: number): number[] => {
    const chosen: number[] = [];
    const w = [...EXCHANGE_SHARES];
    for (let i = 0; i < count; i++) {
      const e = rng.weighted(w);
      chosen.push(e);
      w[e] = 0;
    }
    return chosen.sort((a, b) => a - b);
  };

  // ----- individuals
  /** Citizens with a Japanese name and address, in order: whom a newcomer may be family or a namesake of. */
  const citizens: number[] = [];
  for (let i = 0; i < o.people; i++) {
    const rng = Rng.derive(o.seed, "person", i);
    const life = Rng.derive(o.seed, "life", i);
    const kin = planKin(life, people, citizens, refYear, o.start);
    const r = rng.float();
    const residency: IndividualIdentity["residency"] = kin !== undefined ? "citizen" : r < 0.967 ? "citizen" : r < 0.997 ? "resident_foreigner" : "non_resident";
    const { age, occupation } = ageAndOccupation(rng, kin?.age);
    let name: PersonName;
    let male: boolean;
    let nationality = "JP";
    let language = "ja-JP";
    let country = "JP";
    let address: IndividualIdentity["address"];
    let phone: IndividualIdentity["phone"];
    let homeIp: string;
    if (residency === "citizen") {
      const drawn = japaneseName(rng);
      name = drawn.name;
      male = drawn.male;
      address = jpAddress(rng, o.postal);
      phone = rng.chance(0.93) ? mobile(rng) : landline(rng, o.postal.draw(rng).prefCode);
      homeIp = rng.chance(0.15) ? ipv6(rng) : ipv4(rng, JP_V4_FIRST);
    } else if (residency === "resident_foreigner") {
      const set = FOREIGN_TABLE.draw(rng);
      name = foreignName(rng, set);
      male = rng.chance(0.55);
      nationality = set.nationality;
      language = rng.chance(0.6) ? set.language : "ja-JP";
      address = jpAddress(rng, o.postal);
      phone = mobile(rng);
      homeIp = ipv4(rng, JP_V4_FIRST);
    } else {
      const place = rng.pick(NON_RESIDENT_PLACES);
      const set = place.nationality === "RU" ? RU_NAMES : FOREIGN_NAMES.find((s) => s.nationality === place.nationality) ?? FOREIGN_NAMES[0]!;
      name = foreignName(rng, set);
      male = rng.chance(0.55);
      nationality = place.nationality;
      language = place.language;
      country = place.country;
      address = { kind: "foreign", country: place.country, line: `${rng.int(1, 999)} ${place.street}, ${place.city}, ${place.country}` };
      phone = { e164Display: `${place.phonePrefix} ${rng.int(1000, 9999)} ${rng.int(1000, 9999)}` };
      homeIp = ipv4(rng, FOREIGN_V4_FIRST[place.country] ?? JP_V4_FIRST);
    }
    const income = Math.round(rng.logNormal(occupation.incomeMedian, occupation.sigma) / 10_000) * 10_000;
    let dateOfBirth = birthDate(rng, refYear, age);
    let formerName: PersonName | undefined;
    let renamedAt: number | undefined;
    let formerAddress: JpAddress | undefined;
    let movedAt: number | undefined;
    const relations: Relation[] = [];
    let household: string | null = null;

    if (kin !== undefined) {
      const anchor = people[kin.anchor]!;
      const aid = anchor.identity as IndividualIdentity;
      const anchorAddress = aid.address as JpAddress;
      male = kin.male;
      const given = kin.given ?? (kin.kind === "twin" ? distinctGiven(life, male, aid.name.given) : drawGiven(rng, male));
      name = personName(kin.family, given);
      if (kin.dob !== undefined) dateOfBirth = kin.dob;
      else if (kin.kind === "namesake" && dateOfBirth === aid.dateOfBirth) dateOfBirth = birthDate(life, refYear, age === 85 ? 84 : age + 1);
      if (kin.kind === "spouse") {
        // the one who took the other's family name at marriage, and the newcomer moved in then
        const marriedAt = kin.marriedAt!;
        if (!male || kin.renamesNewcomer) {
          formerName = personName(otherFamily(life, kin.family[0]), given);
          renamedAt = marriedAt;
        } else {
          aid.formerName = personName(otherFamily(life, kin.family[0]), givenOf(aid.name));
          aid.renamedAt = marriedAt;
        }
        formerAddress = address.kind === "jp" ? address : jpAddress(life, o.postal);
        movedAt = marriedAt;
      } else if (!male && (kin.kind === "sibling" || kin.kind === "twin" || kin.kind === "child") && !kin.sameAddress && age >= 27 && life.chance(0.45)) {
        // a sister or daughter who married out: the family name she was born with is her former name
        formerName = name;
        name = personName(otherFamily(life, kin.family[0]), given);
        renamedAt = o.start - 30 * DAY - Math.floor(Math.min(life.exponential(5 * YEAR), (age - 22) * YEAR));
      }
      if (kin.sameAddress) {
        address = { ...anchorAddress };
        if (anchor.household === null) anchor.household = `H${anchor.personId.slice(1)}`;
        household = anchor.household;
        if (life.chance(0.85)) homeIp = anchor.homeIp;
        if ("national" in aid.phone && !/^0[789]0/.test(aid.phone.national) && life.chance(0.5)) phone = aid.phone;
      } else if (kin.kind !== "spouse") {
        const prefCode = PREF_CODE.get(anchorAddress.prefecture);
        address = prefCode !== undefined && life.chance(kin.kind === "namesake" ? 0.6 : 0.5) ? jpAddress(life, o.postal, prefCode) : jpAddress(life, o.postal);
      }
      // the newcomer is the anchor's <kin.kind>; the anchor is the newcomer's inverse of it
      const inverse: RelationKind = kin.kind === "child" ? "parent" : kin.kind === "parent" ? "child" : kin.kind;
      relations.push({ kind: inverse, person: anchor.index, sameName: kin.sameName, sameAddress: kin.sameAddress });
      anchor.relations.push({ kind: kin.kind, person: i, sameName: kin.sameName, sameAddress: kin.sameAddress });
    }

    // moves and marriages of people whose family is not a customer
    if (address.kind === "jp" && movedAt === undefined && life.chance(0.1)) {
      const prefCode = PREF_CODE.get(address.prefecture);
      formerAddress = prefCode !== undefined && life.chance(0.4) ? jpAddress(life, o.postal, prefCode) : jpAddress(life, o.postal);
      movedAt = o.start - 15 * DAY - Math.floor(Math.min(life.exponential(2 * YEAR), 12 * YEAR));
    }
    if (residency === "citizen" && !male && formerName === undefined && kin?.kind !== "spouse" && kin?.sameAddress !== true && age >= 25 && age <= 65 && life.chance(0.1)) {
      formerName = personName(otherFamily(life, name.family), givenOf(name));
      renamedAt = o.start - 30 * DAY - Math.floor(Math.min(life.exponential(3 * YEAR), (age - 22) * YEAR));
      if (address.kind === "jp" && (movedAt === undefined || movedAt < renamedAt) && life.chance(0.6)) {
        formerAddress ??= jpAddress(life, o.postal);
        movedAt = renamedAt;
      }
    }

    // e-mail addresses and handles made under a maiden name are often kept
    const mailName = formerName !== undefined && life.chance(0.6) ? formerName : name;
    const identity: IndividualIdentity = {
      kind: "individual",
      name,
      dateOfBirth,
      nationality,
      residency,
      address,
      phone,
      emails: emailsFor(rng, mailName.familyLatin, mailName.givenLatin, refYear - age),
      occupation: occupation.label,
      incomeJpy: income,
      purpose: rng.pick(PURPOSES),
    };
    if (formerAddress !== undefined && movedAt !== undefined) {
      identity.formerAddress = formerAddress;
      identity.movedAt = movedAt;
    }
    if (formerName !== undefined && renamedAt !== undefined) {
      identity.formerName = formerName;
      identity.renamedAt = renamedAt;
    }
    let segment = INDIVIDUAL_SEGMENTS[rng.weighted(INDIVIDUAL_SEGMENT_WEIGHTS)]!;
    if (segment === "whale" && income < 5_000_000 && rng.chance(0.6)) segment = "regular";
    people.push({
      index: i,
      personId: `P${String(i + 1).padStart(6, "0")}`,
      identity,
      segment,
      accounts: [],
      homeIp,
      mobileIp: rng.chance(0.5) ? ipv6(rng) : ipv4(rng, FOREIGN_V4_FIRST[country] ?? JP_V4_FIRST),
      language,
      country,
      creditZ: rng.normal(0, 1) + Math.log(Math.max(income, 300_000) / 4_000_000) * 0.4,
      social: socialHandles(rng, formerName !== undefined && life.chance(0.5) ? formerName : name),
      male,
      relations,
      household,
    });
    if (residency === "citizen" && name.script === "kanji" && address.kind === "jp") citizens.push(i);
    const count = residency === "non_resident" ? 1 : 1 + rng.weighted([52, 31, 13, 4]);
    const risk: Account["riskRating"] = residency === "non_resident" ? "high" : residency === "resident_foreigner" || segment === "whale" ? "medium" : "low";
    for (const e of pickExchanges(rng, count)) openAccount(i, e, rng, false, segment, risk);
  }

  // ----- corporates: investors and trading desks, then one market maker per exchange
  const corporates = Math.max(8, Math.round(o.people * 0.02));
  const corporate = (rng: Rng, idx: number, mm: boolean): CorporateIdentity => {
    const stem = mm ? rng.pick(MARKET_MAKER_STEMS) : rng.pick(CORP_STEMS);
    const word = mm ? (["トレーディング", "トレーディング", "Trading"] as const) : rng.pick(CORP_WORDS);
    const form = LEGAL_FORMS[rng.weighted(LEGAL_FORMS.map((f) => f.weight))]!;
    const prefCode = rng.chance(0.45) ? "13" : o.postal.draw(rng).prefCode;
    const address = jpAddress(rng, o.postal, prefCode);
    const slug = `${stem[2]}-${word[2]}`.toLowerCase().replace(/[^a-z-]/g, "");
    return {
      kind: "corporate",
      stem: `${stem[0]}${word[0]}`,
      stemKana: `${stem[1]}${word[1]}`,
      stemLatin: `${stem[2]} ${word[2]}`,
      form,
      formFirst: rng.chance(0.7),
      corporateNumber: syntheticCorporateNumber(rng, form.full === "株式会社" ? "01" : form.full === "有限会社" ? "02" : "03"),
      address,
      phone: landline(rng, prefCode),
      emails: [`${rng.pick(["info", "contact", "finance", "keiri"])}@${slug}${idx}.example.co.jp`],
      industry: mm ? "金融業" : rng.pick(INDUSTRIES),
      revenueJpy: Math.round(rng.logNormal(mm ? 3e9 : 3e8, 1.2) / 1_000_000) * 1_000_000,
      purpose: mm ? "自己勘定取引" : rng.pick(CORPORATE_PURPOSES),
    };
  };
  const addCorporate = (idx: number, mm: boolean, exchangeForMm: number): void => {
    const rng = Rng.derive(o.seed, "corporate", idx);
    const identity = corporate(rng, idx, mm);
    const segment: Segment = mm ? "market-maker" : rng.chance(0.2) ? "trading-firm" : "corp-investor";
    const p: Person = {
      index: people.length,
      personId: `C${String(idx + 1).padStart(6, "0")}`,
      identity,
      segment,
      accounts: [],
      homeIp: ipv4(rng, JP_V4_FIRST),
      mobileIp: ipv4(rng, JP_V4_FIRST),
      language: "ja-JP",
      country: "JP",
      creditZ: rng.normal(0.5, 0.8),
      social: [],
      male: false,
      relations: [],
      household: null,
    };
    people.push(p);
    const exchanges = mm ? [exchangeForMm] : pickExchanges(rng, rng.chance(0.3) ? 2 : 1);
    for (const e of exchanges) openAccount(p.index, e, rng, true, segment, mm ? "low" : "medium");
  };
  for (let c = 0; c < corporates; c++) addCorporate(c, false, -1);
  const marketMakers: number[] = [];
  for (let e = 0; e < EXCHANGES.length; e++) {
    addCorporate(corporates + e, true, e);
    marketMakers.push(accounts.length - 1);
  }

  // ----- sub-accounts: a corporate's second desk at one of its exchanges (rarely an individual's)
  for (const p of people) {
    const share = p.identity.kind === "corporate" ? 0.3 : p.segment === "whale" ? 0.05 : p.segment === "active" ? 0.01 : 0;
    if (p.segment === "market-maker" || p.accounts.length === 0 || share === 0) continue;
    const rng = Rng.derive(o.seed, "sub", p.index);
    if (!rng.chance(share)) continue;
    const main = accounts[rng.pick(p.accounts)]!;
    if (main.openedAt >= o.start) continue;
    const sub = openAccount(p.index, main.exchange, rng, main.corporate, p.segment, main.riskRating);
    sub.sub = true;
    if (sub.openedAt <= main.openedAt) sub.openedAt = main.openedAt + Math.floor(rng.range(1, 400) * DAY);
    if (sub.openedAt >= o.start) sub.openedAt = Math.floor((main.openedAt + o.start) / 2);
  }

  // ----- who sends transfers to whom inside a venue: own accounts, family, friends
  const link = (from: Account, to: Account, kind: Contact["kind"]): void => {
    if (from.index === to.index || from.segment === "market-maker" || to.segment === "market-maker" || from.contacts.some((c) => c.to === to.index)) return;
    const id = people[from.owner]!.identity;
    const income = id.kind === "corporate" ? id.revenueJpy : id.incomeJpy;
    const cap = kind === "own" ? Math.floor(income / 2 / 1_000) * 1_000 : kind === "family" ? 300_000 : 200_000;
    if (cap >= 10_000) from.contacts.push({ to: to.index, kind, cap });
  };
  const both = (a: Account, b: Account, kind: Contact["kind"]): void => {
    link(a, b, kind);
    link(b, a, kind);
  };
  const mainAt = (p: Person, exchange: number): Account | undefined => {
    for (const ai of p.accounts) {
      const a = accounts[ai]!;
      if (a.exchange === exchange && !a.sub) return a;
    }
    return undefined;
  };
  for (const p of people) {
    const own = p.accounts;
    for (let i = 0; i < own.length; i++) {
      for (let j = i + 1; j < own.length; j++) {
        const a = accounts[own[i]!]!;
        const b = accounts[own[j]!]!;
        if (a.exchange === b.exchange) both(a, b, "own");
      }
    }
    for (const r of p.relations) {
      if (r.kind === "namesake" || r.person < p.index) continue;
      const q = people[r.person]!;
      for (const ai of own) {
        const a = accounts[ai]!;
        const b = a.sub ? undefined : mainAt(q, a.exchange);
        if (b !== undefined) both(a, b, "family");
      }
    }
  }
  const friends = Rng.derive(o.seed, "friends");
  for (const p of people) {
    if (p.identity.kind !== "individual" || p.accounts.length === 0) continue;
    const rng = friends;
    if (!rng.chance(FRIEND_SHARE)) continue;
    const n = rng.chance(0.3) ? 2 : 1;
    for (let k = 0; k < n; k++) {
      for (let tries = 0; tries < 4; tries++) {
        const q = people[rng.int(0, o.people - 1)]!;
        if (q.index === p.index || q.accounts.length === 0 || p.relations.some((r) => r.person === q.index)) continue;
        const shared = p.accounts.map((ai) => accounts[ai]!).filter((a) => !a.sub && mainAt(q, a.exchange) !== undefined);
        if (shared.length === 0) continue;
        const a = rng.pick(shared);
        both(a, mainAt(q, a.exchange)!, "friend");
        break;
      }
    }
  }
  return { people, accounts, marketMakers, individuals: o.people, corporates: corporates + EXCHANGES.length };
}
