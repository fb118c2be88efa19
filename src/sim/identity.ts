// Canonical identities of synthetic people and corporates, and how each source writes them down.
// The canonical record is the ground truth (people.ndjson); every account.opened, credit.report and
// social.link carries a rendering of it in the source's style plus the customer's own typing habits,
// with now and then a slip (a typo in the reading, an old address), so linking records needs the
// normalisation and fuzzy matching that real records need.
import { foldVariants } from "./data/names.ts";
import type { RecordStyle } from "./data/sources.ts";
import { INCOME_BANDS } from "./data/occupations.ts";
import type { LegalForm } from "./data/corporate-names.ts";
import type { Rng } from "./rng.ts";
import { fullWidthDigits, kanjiNumber, romaji, toFullWidth, toHalfWidthKana, toHiragana, type RomajiStyle } from "./text.ts";

export interface JpAddress {
  kind: "jp";
  /** Seven digits without hyphen. */
  postalCode: string;
  prefecture: string;
  city: string;
  town: string;
  chome: number | null;
  /** 番地 (or 番 with a chome). */
  banchi: number;
  /** 号, when the block has one. */
  go: number | null;
  building: string | null;
  room: string | null;
}

export interface ForeignAddress {
  kind: "foreign";
  country: string;
  line: string;
}

export interface PersonName {
  /** As registered: kanji for Japanese (and many Chinese / Korean) names, Latin capitals otherwise. */
  script: "kanji" | "latin";
  family: string;
  given: string;
  familyKana: string;
  givenKana: string;
  /** An alternative reading some records use (the on'yomi of a Chinese or Korean name). */
  familyKanaAlt?: string;
  givenKanaAlt?: string;
  /** Hepburn with macrons for Japanese names (Satō); capitals for foreign ones. */
  familyLatin: string;
  givenLatin: string;
  /** Latin order as on the person's passport: family first (East Asian) or last. */
  latinFamilyFirst: boolean;
}

export interface Phone {
  /** National significant number with trunk prefix, digits only: 09012345678, 0312345678. */
  national: string;
  /** Digit groups for the hyphenated form: [3, 4, 4]. */
  groups: readonly number[];
}

export interface IndividualIdentity {
  kind: "individual";
  name: PersonName;
  dateOfBirth: string;
  nationality: string;
  residency: "citizen" | "resident_foreigner" | "non_resident";
  address: JpAddress | ForeignAddress;
  /** Former address a stale record may still show (a move not reported everywhere). */
  formerAddress?: JpAddress;
  phone: Phone | { e164Display: string };
  emails: readonly string[];
  occupation: string;
  incomeJpy: number;
  purpose: string;
}

export interface CorporateIdentity {
  kind: "corporate";
  /** Name without the legal form, and the form's position. */
  stem: string;
  stemKana: string;
  stemLatin: string;
  form: LegalForm;
  formFirst: boolean;
  corporateNumber: string;
  address: JpAddress;
  phone: Phone;
  emails: readonly string[];
  industry: string;
  revenueJpy: number;
  purpose: string;
}

export type CanonicalIdentity = IndividualIdentity | CorporateIdentity;

/** The identity fields of the public event format, wire form (money as decimal strings). */
export interface IdentityRecord {
  name: string;
  nameKana?: string;
  nameLatin?: string;
  dateOfBirth?: string;
  nationality?: string;
  residency?: "citizen" | "resident_foreigner" | "non_resident";
  postalCode?: string;
  address?: string;
  phone?: string;
  email?: string;
  occupation?: string;
  declaredIncomeJpy?: string;
  purpose?: string;
  corporateNumber?: string;
}

// ---------------------------------------------------------------------------------------------
// Canonical (ground-truth) forms

const SPACE = "\u3000";

export function canonicalName(n: PersonName): string {
  return n.script === "kanji" ? `${n.family}${SPACE}${n.given}` : `${n.family} ${n.given}`;
}
export function canonicalKana(n: PersonName): string {
  return `${n.familyKana}${SPACE}${n.givenKana}`;
}
export function canonicalLatin(n: PersonName): string {
  const f = romaji(n.familyLatin, "passport").toUpperCase();
  const g = romaji(n.givenLatin, "passport").toUpperCase();
  return `${f} ${g}`;
}
export function canonicalAddress(a: JpAddress | ForeignAddress): string {
  if (a.kind === "foreign") return a.line;
  const block = a.chome !== null ? `${a.chome}丁目${a.banchi}番${a.go !== null ? `${a.go}号` : ""}` : `${a.banchi}番地${a.go !== null ? a.go : ""}`;
  const bld = a.building !== null ? `${SPACE}${a.building}${a.room ?? ""}` : a.room !== null ? `${SPACE}${a.room}号室` : "";
  return `${a.prefecture}${a.city}${a.town}${block}${bld}`;
}
export function postalWithHyphen(code: string): string {
  return `${code.slice(0, 3)}-${code.slice(3)}`;
}
export function canonicalPhone(p: Phone | { e164Display: string }): string {
  if ("e164Display" in p) return p.e164Display.replace(/[^+0-9]/g, "");
  return `+81${p.national.slice(1)}`;
}
export function corporateName(c: CorporateIdentity): string {
  return c.formFirst ? `${c.form.full}${c.stem}` : `${c.stem}${c.form.full}`;
}

/** The canonical identity in the public identity-field shape (what people.ndjson holds). */
export function canonicalRecord(id: CanonicalIdentity): IdentityRecord {
  if (id.kind === "corporate") {
    return {
      name: corporateName(id),
      nameKana: id.stemKana,
      nameLatin: `${id.stemLatin} ${id.form.latin[0]}`,
      nationality: "JP",
      postalCode: postalWithHyphen(id.address.postalCode),
      address: canonicalAddress(id.address),
      phone: canonicalPhone(id.phone),
      email: id.emails[0]!,
      occupation: id.industry,
      declaredIncomeJpy: String(id.revenueJpy),
      purpose: id.purpose,
      corporateNumber: id.corporateNumber,
    };
  }
  const r: IdentityRecord = {
    name: canonicalName(id.name),
    nameKana: canonicalKana(id.name),
    nameLatin: canonicalLatin(id.name),
    dateOfBirth: id.dateOfBirth,
    nationality: id.nationality,
    residency: id.residency,
    address: canonicalAddress(id.address),
    phone: canonicalPhone(id.phone),
    email: id.emails[0]!,
    occupation: id.occupation,
    declaredIncomeJpy: String(id.incomeJpy),
    purpose: id.purpose,
  };
  if (id.address.kind === "jp") r.postalCode = postalWithHyphen(id.address.postalCode);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Renderings

const pickW = <T>(rng: Rng, items: readonly T[], weights: readonly number[]): T => items[rng.weighted(weights)]!;

function nameSeparator(rng: Rng, style: RecordStyle): string {
  return pickW(rng, [SPACE, " ", ""], style.nameSpace);
}

function renderKana(rng: Rng, style: RecordStyle, family: string, given: string): string {
  const form = rng.weighted(style.kana);
  const sep = pickW(rng, [SPACE, " ", ""], [0.5, 0.3, 0.2]);
  let s = `${family}${sep}${given}`;
  if (rng.chance(0.012)) s = kanaSlip(rng, s);
  if (form === 1) return toHalfWidthKana(s);
  if (form === 2) return toHiragana(s);
  return s;
}

/** A typing slip in a reading: a long vowel written with ー, or a voiced mark dropped. */
function kanaSlip(rng: Rng, s: string): string {
  const longVowel = s.replace(/([オコソトノホモヨロゴゾドボポョ])ウ/, "$1ー");
  if (longVowel !== s && rng.chance(0.7)) return longVowel;
  const unvoiced = s.replace(/[ガギグゲゴザジズゼゾダデドバビブベボ]/, (c) => String.fromCharCode(c.charCodeAt(0) - 1));
  return unvoiced;
}

function renderLatin(rng: Rng, n: PersonName): string {
  if (n.script === "latin" || !/[a-zāīūēō]/.test(n.familyLatin + n.givenLatin)) {
    // foreign names: as on the passport, sometimes title-cased or in the other order
    const f = n.familyLatin;
    const g = n.givenLatin;
    const title = (s: string) => s.toLowerCase().replace(/(^|\s)\p{L}/gu, (c) => c.toUpperCase());
    switch (rng.weighted([0.5, 0.25, 0.25])) {
      case 0: return n.latinFamilyFirst ? `${f} ${g}` : `${g} ${f}`;
      case 1: return n.latinFamilyFirst ? title(`${f} ${g}`) : title(`${g} ${f}`);
      default: return `${f}, ${g}`;
    }
  }
  const style: RomajiStyle = pickW(rng, ["passport", "wapuro", "oh", "macron"] as const, [0.65, 0.2, 0.1, 0.05]);
  const f = romaji(n.familyLatin, style);
  const g = romaji(n.givenLatin, style);
  switch (rng.weighted([0.35, 0.25, 0.25, 0.1, 0.05])) {
    case 0: return `${g.toUpperCase()} ${f.toUpperCase()}`;
    case 1: return `${g} ${f}`;
    case 2: return `${f.toUpperCase()} ${g.toUpperCase()}`;
    case 3: return `${f} ${g}`;
    default: return `${f.toUpperCase()}, ${g.toUpperCase()}`;
  }
}

function renderPersonName(rng: Rng, style: RecordStyle, n: PersonName): { name: string; nameKana: string } {
  const fold = n.script === "kanji" && rng.chance(style.foldVariants);
  const family = fold ? foldVariants(n.family) : n.family;
  const given = fold ? foldVariants(n.given) : n.given;
  const useAlt = n.familyKanaAlt !== undefined && rng.chance(0.3);
  const fk = useAlt ? n.familyKanaAlt! : n.familyKana;
  const gk = useAlt ? n.givenKanaAlt ?? n.givenKana : n.givenKana;
  let name: string;
  if (n.script === "latin") {
    // some forms take a foreign name in katakana, most as on the residence card
    name = rng.chance(0.2) ? `${fk}${nameSeparator(rng, style) || SPACE}${gk}` : n.latinFamilyFirst ? `${family} ${given}` : `${given} ${family}`;
  } else {
    name = `${family}${nameSeparator(rng, style)}${given}`;
  }
  return { name, nameKana: renderKana(rng, style, fk, gk) };
}

function hyphenChar(rng: Rng, full: boolean): string {
  if (full) return "－";
  return pickW(rng, ["-", "‐", "−", "ー"], [0.86, 0.05, 0.05, 0.04]);
}

/** An address as a customer (or a form) writes it. */
export function renderAddress(rng: Rng, style: RecordStyle, a: JpAddress | ForeignAddress): string {
  if (a.kind === "foreign") return rng.chance(0.3) ? a.line.toUpperCase() : a.line;
  const full = rng.chance(style.fullWidthDigits);
  const h = hyphenChar(rng, full);
  const kind = rng.weighted(style.address);
  let block: string;
  if (a.chome !== null) {
    if (kind === 0) block = `${a.chome}丁目${a.banchi}番${a.go !== null ? `${a.go}号` : ""}`;
    else if (kind === 1) block = `${a.chome}${h}${a.banchi}${a.go !== null ? `${h}${a.go}` : ""}`;
    else if (kind === 2) block = `${a.chome}丁目${a.banchi}${a.go !== null ? `${h}${a.go}` : ""}`;
    else block = `${kanjiNumber(a.chome)}丁目${a.banchi}番${a.go !== null ? `${a.go}号` : ""}`;
  } else if (kind === 1 || kind === 2) {
    block = `${a.banchi}${a.go !== null ? `${h}${a.go}` : ""}`;
  } else {
    block = `${a.banchi}番地${a.go !== null ? (rng.chance(0.3) ? `の${a.go}` : `${a.go}`) : ""}`;
  }
  let building = "";
  if (a.building !== null || a.room !== null) {
    const sep = pickW(rng, [SPACE, " ", ""], [0.4, 0.4, 0.2]);
    const room = a.room ?? "";
    if (kind === 1 && room && rng.chance(0.35)) building = `${h}${room}`; // 1-2-3-401, building name dropped
    else if (a.building !== null) building = `${sep}${a.building}${room ? (rng.chance(0.3) ? `${room}号室` : rng.chance(0.2) ? `#${room}` : room) : ""}`;
    else building = `${sep}${room}号室`;
  }
  const pref = rng.chance(style.omitPrefecture) ? "" : a.prefecture;
  const text = `${pref}${a.city}${a.town}${block}${building}`;
  return full ? fullWidthDigits(text) : text;
}

export function renderPostal(rng: Rng, style: RecordStyle, code: string): string {
  return rng.chance(style.postalHyphen) ? postalWithHyphen(code) : code;
}

export function renderPhone(rng: Rng, style: RecordStyle, p: Phone | { e164Display: string }): string {
  if ("e164Display" in p) return rng.chance(0.5) ? p.e164Display : p.e164Display.replace(/[^+0-9]/g, "");
  const groups: string[] = [];
  let i = 0;
  for (const g of p.groups) {
    groups.push(p.national.slice(i, i + g));
    i += g;
  }
  const rest = p.national.slice(1);
  const restGroups = [groups[0]!.slice(1), ...groups.slice(1)];
  let s: string;
  switch (rng.weighted(style.phone)) {
    case 0: s = groups.join("-"); break;
    case 1: s = p.national; break;
    case 2: s = `+81 ${restGroups.join("-")}`; break;
    case 3: s = `+81${rest}`; break;
    default: s = `(${groups[0]})${groups.slice(1).join("-")}`;
  }
  return rng.chance(style.fullWidthDigits * 0.6) ? toFullWidth(s) : s;
}

function renderEmail(rng: Rng, emails: readonly string[]): string {
  const e = emails.length > 1 && rng.chance(0.35) ? emails[1]! : emails[0]!;
  if (rng.chance(0.08)) return e.charAt(0).toUpperCase() + e.slice(1);
  return e;
}

function declaredIncome(rng: Rng, income: number): string {
  if (rng.chance(0.6)) {
    let band = 0;
    for (const b of INCOME_BANDS) if (income >= b) band = b;
    return String(band);
  }
  return String(Math.max(0, Math.round((income * rng.range(0.9, 1.1)) / 100_000) * 100_000));
}

/** Which identity fields a record carries. */
export interface RenderFields {
  latin: boolean;
  contact: boolean;
  profile: boolean;
}

/** One source's record of an individual: the same person, written its way. */
export function renderIndividual(rng: Rng, style: RecordStyle, id: IndividualIdentity, fields: RenderFields): IdentityRecord {
  const { name, nameKana } = renderPersonName(rng, style, id.name);
  const r: IdentityRecord = { name, nameKana };
  if (fields.latin && rng.chance(style.latin)) r.nameLatin = renderLatin(rng, id.name);
  r.dateOfBirth = rng.chance(0.006) ? dobSlip(rng, id.dateOfBirth) : id.dateOfBirth;
  r.nationality = id.nationality;
  r.residency = id.residency;
  const addr = id.formerAddress !== undefined && rng.chance(0.5) ? id.formerAddress : id.address;
  if (addr.kind === "jp") r.postalCode = renderPostal(rng, style, addr.postalCode);
  r.address = renderAddress(rng, style, addr);
  if (fields.contact) {
    r.phone = renderPhone(rng, style, id.phone);
    r.email = renderEmail(rng, id.emails);
  }
  if (fields.profile) {
    r.occupation = id.occupation;
    r.declaredIncomeJpy = declaredIncome(rng, id.incomeJpy);
    r.purpose = id.purpose;
  }
  return r;
}

function dobSlip(rng: Rng, dob: string): string {
  const [y, m, d] = dob.split("-").map(Number) as [number, number, number];
  // day and month swapped when that is a date, else the day off by one
  if (d <= 12 && d !== m && rng.chance(0.5)) return `${y}-${String(d).padStart(2, "0")}-${String(m).padStart(2, "0")}`;
  const nd = d >= 28 ? d - 1 : d + 1;
  return `${y}-${String(m).padStart(2, "0")}-${String(nd).padStart(2, "0")}`;
}

/** One source's record of a corporate. */
export function renderCorporate(rng: Rng, style: RecordStyle, c: CorporateIdentity): IdentityRecord {
  const form = rng.chance(style.abbreviateLegalForm) ? rng.pick(c.form.abbreviations) : c.form.full;
  const stem = /^[ァ-ヶー]+$/.test(c.stem) && rng.chance(0.08) ? toHalfWidthKana(c.stem) : c.stem;
  const space = rng.chance(0.1) ? (rng.chance(0.5) ? SPACE : " ") : "";
  const name = c.formFirst ? `${form}${space}${stem}` : `${stem}${space}${form}`;
  const kanaForm = rng.weighted(style.kana);
  let kana = rng.chance(0.35) ? (c.formFirst ? `${c.form.kana}${c.stemKana}` : `${c.stemKana}${c.form.kana}`) : c.stemKana;
  if (kanaForm === 1) kana = toHalfWidthKana(kana);
  const r: IdentityRecord = { name, nameKana: kana };
  if (rng.chance(style.latin)) {
    const suffix = rng.pick(c.form.latin);
    r.nameLatin = rng.chance(0.4) ? `${c.stemLatin} ${suffix}`.toUpperCase() : `${c.stemLatin} ${suffix}`;
  }
  r.nationality = "JP";
  r.postalCode = renderPostal(rng, style, c.address.postalCode);
  r.address = renderAddress(rng, style, c.address);
  r.phone = renderPhone(rng, style, c.phone);
  r.email = renderEmail(rng, c.emails);
  r.occupation = c.industry;
  r.declaredIncomeJpy = declaredIncome(rng, c.revenueJpy);
  r.purpose = c.purpose;
  if (rng.chance(style.corporateNumber)) r.corporateNumber = c.corporateNumber;
  return r;
}
