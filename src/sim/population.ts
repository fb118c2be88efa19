// The simulated population: individuals (citizens, resident foreigners, a few non-residents who should
// not hold a Japanese account at all), corporates (investors, trading desks, one market maker per
// exchange) and their accounts, many people holding two or three exchanges.
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
import { DAY } from "./time.ts";

export type Segment = "casual" | "regular" | "active" | "whale" | "corp-investor" | "trading-firm" | "market-maker";

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

function japaneseName(rng: Rng): { name: PersonName; male: boolean } {
  const male = rng.chance(0.7);
  const variant = rng.chance(0.07);
  let family: NameEntry;
  if (variant) {
    const v = rng.pick(VARIANT_SURNAMES);
    family = [v[0], v[1], v[2]];
  } else family = SURNAME_TABLE.draw(rng);
  const given = (male ? MALE_TABLE : FEMALE_TABLE).draw(rng);
  return {
    male,
    name: { script: "kanji", family: family[0], given: given[0], familyKana: family[1], givenKana: given[1], familyLatin: family[2], givenLatin: given[2], latinFamilyFirst: false },
  };
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

function ageAndOccupation(rng: Rng): { age: number; occupation: (typeof OCCUPATIONS)[number] } {
  const age = Math.round(Math.min(85, Math.max(18, rng.chance(0.85) ? rng.normal(38, 10) : rng.range(18, 85))));
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

  const openAccount = (owner: number, exchange: number, rng: Rng, corporate: boolean, segment: Segment, risk: Account["riskRating"]): void => {
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
    };
    accounts.push(acct);
    people[owner]!.accounts.push(acct.index);
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
  for (let i = 0; i < o.people; i++) {
    const rng = Rng.derive(o.seed, "person", i);
    const r = rng.float();
    const residency: IndividualIdentity["residency"] = r < 0.967 ? "citizen" : r < 0.997 ? "resident_foreigner" : "non_resident";
    const { age, occupation } = ageAndOccupation(rng);
    let name: PersonName;
    let nationality = "JP";
    let language = "ja-JP";
    let country = "JP";
    let address: IndividualIdentity["address"];
    let phone: IndividualIdentity["phone"];
    let homeIp: string;
    if (residency === "citizen") {
      name = japaneseName(rng).name;
      address = jpAddress(rng, o.postal);
      phone = rng.chance(0.93) ? mobile(rng) : landline(rng, o.postal.draw(rng).prefCode);
      homeIp = rng.chance(0.15) ? ipv6(rng) : ipv4(rng, JP_V4_FIRST);
    } else if (residency === "resident_foreigner") {
      const set = FOREIGN_TABLE.draw(rng);
      name = foreignName(rng, set);
      nationality = set.nationality;
      language = rng.chance(0.6) ? set.language : "ja-JP";
      address = jpAddress(rng, o.postal);
      phone = mobile(rng);
      homeIp = ipv4(rng, JP_V4_FIRST);
    } else {
      const place = rng.pick(NON_RESIDENT_PLACES);
      const set = place.nationality === "RU" ? RU_NAMES : FOREIGN_NAMES.find((s) => s.nationality === place.nationality) ?? FOREIGN_NAMES[0]!;
      name = foreignName(rng, set);
      nationality = place.nationality;
      language = place.language;
      country = place.country;
      address = { kind: "foreign", country: place.country, line: `${rng.int(1, 999)} ${place.street}, ${place.city}, ${place.country}` };
      phone = { e164Display: `${place.phonePrefix} ${rng.int(1000, 9999)} ${rng.int(1000, 9999)}` };
      homeIp = ipv4(rng, FOREIGN_V4_FIRST[place.country] ?? JP_V4_FIRST);
    }
    const income = Math.round(rng.logNormal(occupation.incomeMedian, occupation.sigma) / 10_000) * 10_000;
    const identity: IndividualIdentity = {
      kind: "individual",
      name,
      dateOfBirth: birthDate(rng, refYear, age),
      nationality,
      residency,
      address,
      phone,
      emails: emailsFor(rng, name.familyLatin, name.givenLatin, refYear - age),
      occupation: occupation.label,
      incomeJpy: income,
      purpose: rng.pick(PURPOSES),
    };
    if (address.kind === "jp" && rng.chance(0.05)) identity.formerAddress = jpAddress(rng, o.postal);
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
      social: socialHandles(rng, name),
    });
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
  return { people, accounts, marketMakers, individuals: o.people, corporates: corporates + EXCHANGES.length };
}
