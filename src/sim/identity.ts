// Canonical identities of synthetic people and corporates, and how each source writes them down.
// The canonical record is the ground truth (people.ndjson); every account.opened, account.updated,
// credit.report and social.link carries a rendering of it in the source's style plus the customer's
// own typing habits, as it stood when the record was written (a maiden name before the marriage, the
// old address before the move, a bureau that has not caught up yet), with now and then a slip (a
// kanji the input method offered, a confused kana, swapped digits), so linking records needs the
// normalisation and fuzzy matching that real records need. Each rendering says what it carries
// (`RecordNote`), so the ground truth can explain a missed link.
import { foldVariants } from "./data/names.ts";
import type { RecordStyle } from "./data/sources.ts";
import { INCOME_BANDS } from "./data/occupations.ts";
import type { LegalForm } from "./data/corporate-names.ts";
import { IME_CONFUSIONS, KANA_CONFUSIONS } from "./data/typos.ts";
import type { Rng } from "./rng.ts";
import { DAY } from "./time.ts";
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
  /** Where they lived until `movedAt` (epoch ms): records written before the move, and stale ones, show it. */
  formerAddress?: JpAddress;
  movedAt?: number;
  /** The name they had until `renamedAt` (epoch ms; a marriage): records written before it, and stale ones, show it. */
  formerName?: PersonName;
  renamedAt?: number;
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

// ---------------------------------------------------------------------------------------------
// What a record shows: the name and address as they stood when it was written, and its slips

/** What one written record carries besides the person's current identity, for the ground truth. */
export type RecordNote =
  | "former-name" // a name the person had before (a maiden name)
  | "former-address" // an address they have moved from
  | "typo:kana" // a confused or mistyped kana in the reading
  | "typo:kanji" // a kanji the input method offered for the same reading
  | "typo:latin" // a letter dropped or doubled in the Latin name
  | "typo:dob" // day and month swapped, or the day off by one
  | "typo:address" // a block number off by one
  | "typo:postal" // a digit of the postal code wrong
  | "typo:phone" // two neighbouring digits swapped
  | "typo:email"; // two neighbouring letters of the local part swapped

/** Which of the person's past the record shows. */
export interface RecordView {
  formerName: boolean;
  formerAddress: boolean;
}

export const CURRENT_VIEW: RecordView = { formerName: false, formerAddress: false };

/** An exchange writes what the customer tells it when the account is opened. */
export function viewAt(id: IndividualIdentity, t: number): RecordView {
  return {
    formerName: id.renamedAt !== undefined && id.formerName !== undefined && t < id.renamedAt,
    formerAddress: id.movedAt !== undefined && id.formerAddress !== undefined && t < id.movedAt,
  };
}

/**
 * A bureau learns of a marriage or a move late: after the change, it still holds the old name with a
 * chance that halves every ~3 months (addresses: ~4 months).
 */
export function bureauViewAt(rng: Rng, id: IndividualIdentity, t: number): RecordView {
  const v = viewAt(id, t);
  if (!v.formerName && id.renamedAt !== undefined && id.formerName !== undefined) v.formerName = rng.chance(Math.exp(-(t - id.renamedAt) / (130 * DAY)));
  if (!v.formerAddress && id.movedAt !== undefined && id.formerAddress !== undefined) v.formerAddress = rng.chance(Math.exp(-(t - id.movedAt) / (180 * DAY)));
  return v;
}

/** A social-media profile matched by a bureau keeps the name it was opened under more often than not. */
export function socialViewAt(rng: Rng, id: IndividualIdentity, t: number): RecordView {
  const v = viewAt(id, t);
  if (!v.formerName && id.formerName !== undefined) v.formerName = rng.chance(0.4);
  return { formerName: v.formerName, formerAddress: false };
}

/** Per-field chances of a slip in one written record. */
export const SLIP_RATES = {
  kana: 0.015,
  kanji: 0.008,
  latin: 0.01,
  dob: 0.006,
  address: 0.01,
  postal: 0.004,
  phone: 0.008,
  email: 0.006,
} as const;

/** A record and what it carries (see RecordNote). */
export interface Rendered {
  record: IdentityRecord;
  notes: RecordNote[];
}

function renderKana(rng: Rng, style: RecordStyle, family: string, given: string, notes: RecordNote[]): string {
  const form = rng.weighted(style.kana);
  const sep = pickW(rng, [SPACE, " ", ""], [0.5, 0.3, 0.2]);
  let s = `${family}${sep}${given}`;
  if (rng.chance(SLIP_RATES.kana)) {
    const slipped = kanaSlip(rng, s);
    if (slipped !== s) {
      s = slipped;
      notes.push("typo:kana");
    }
  }
  if (form === 1) return toHalfWidthKana(s);
  if (form === 2) return toHiragana(s);
  return s;
}

/** A typing slip in a reading: a long vowel written with ー, or a kana confused with its neighbour. */
function kanaSlip(rng: Rng, s: string): string {
  const longVowel = s.replace(/([オコソトノホモヨロゴゾドボポョ])ウ/, "$1ー");
  if (longVowel !== s && rng.chance(0.4)) return longVowel;
  const chars = [...s];
  const at: number[] = [];
  chars.forEach((c, i) => {
    if (KANA_CONFUSIONS[c] !== undefined) at.push(i);
  });
  if (at.length === 0) return longVowel;
  const i = rng.pick(at);
  chars[i] = KANA_CONFUSIONS[chars[i]!]!;
  return chars.join("");
}

/** One kanji of a name replaced by one the input method offers for the same reading (the given name first). */
function kanjiSlip(rng: Rng, family: string, given: string): { family: string; given: string } | undefined {
  const swap = (s: string): string | undefined => {
    const chars = [...s];
    const at: number[] = [];
    chars.forEach((c, i) => {
      if (IME_CONFUSIONS[c] !== undefined) at.push(i);
    });
    if (at.length === 0) return undefined;
    const i = rng.pick(at);
    chars[i] = rng.pick(IME_CONFUSIONS[chars[i]!]!);
    return chars.join("");
  };
  const g = swap(given);
  if (g !== undefined) return { family, given: g };
  const f = swap(family);
  return f !== undefined ? { family: f, given } : undefined;
}

/** A letter of the Latin name (not the first of a word) dropped or doubled. */
function latinSlip(rng: Rng, s: string): string {
  const at: number[] = [];
  for (let i = 1; i < s.length; i++) if (/\p{L}/u.test(s[i]!) && /\p{L}/u.test(s[i - 1]!)) at.push(i);
  if (at.length === 0) return s;
  const i = rng.pick(at);
  return rng.chance(0.5) ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + s[i] + s.slice(i);
}

/** Two neighbouring characters of `s` between `from` and `to` swapped (when they differ). */
function swapNeighbours(rng: Rng, s: string, from: number, to: number): string {
  const at: number[] = [];
  for (let i = from; i + 1 < to; i++) if (s[i] !== s[i + 1]) at.push(i);
  if (at.length === 0) return s;
  const i = rng.pick(at);
  return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
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

/** The name and its reading as one record writes them (variant kanji kept or folded, spacing, script of the reading, slips). */
export function renderPersonName(rng: Rng, style: RecordStyle, n: PersonName, notes: RecordNote[] = []): { name: string; nameKana: string } {
  const fold = n.script === "kanji" && rng.chance(style.foldVariants);
  let family = fold ? foldVariants(n.family) : n.family;
  let given = fold ? foldVariants(n.given) : n.given;
  if (n.script === "kanji" && rng.chance(SLIP_RATES.kanji)) {
    const slipped = kanjiSlip(rng, family, given);
    if (slipped !== undefined) {
      ({ family, given } = slipped);
      notes.push("typo:kanji");
    }
  }
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
  return { name, nameKana: renderKana(rng, style, fk, gk, notes) };
}

/** The Latin name as one record writes it, now and then with a slip. */
export function renderLatinName(rng: Rng, n: PersonName, notes: RecordNote[] = []): string {
  const s = renderLatin(rng, n);
  if (!rng.chance(SLIP_RATES.latin)) return s;
  const slipped = latinSlip(rng, s);
  if (slipped !== s) notes.push("typo:latin");
  return slipped;
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

function addressSlip(rng: Rng, a: JpAddress): JpAddress {
  if (a.go !== null && rng.chance(0.5)) return { ...a, go: a.go > 1 && rng.chance(0.5) ? a.go - 1 : a.go + 1 };
  return { ...a, banchi: a.banchi > 1 && rng.chance(0.5) ? a.banchi - 1 : a.banchi + 1 };
}

function postalSlip(rng: Rng, code: string): string {
  const i = rng.int(3, 6);
  const d = (code.charCodeAt(i) - 48 + rng.int(1, 9)) % 10;
  return code.slice(0, i) + String(d) + code.slice(i + 1);
}

function phoneSlip(rng: Rng, p: Phone | { e164Display: string }): Phone | { e164Display: string } {
  if ("e164Display" in p) {
    const s = p.e164Display.replace(/[^+0-9]/g, "");
    return { e164Display: swapNeighbours(rng, s, Math.max(1, s.length - 8), s.length) };
  }
  return { national: swapNeighbours(rng, p.national, 3, p.national.length), groups: p.groups };
}

function emailSlip(rng: Rng, e: string): string {
  const at = e.indexOf("@");
  return at > 2 ? swapNeighbours(rng, e, 1, at) : e;
}

/**
 * One source's record of an individual: the same person, written its way, as of `view` (the maiden
 * name, the old address), with now and then a slip; `notes` says which.
 */
export function renderIndividual(rng: Rng, style: RecordStyle, id: IndividualIdentity, fields: RenderFields, view: RecordView = CURRENT_VIEW): Rendered {
  const notes: RecordNote[] = [];
  const person = view.formerName && id.formerName !== undefined ? id.formerName : id.name;
  if (person !== id.name) notes.push("former-name");
  const { name, nameKana } = renderPersonName(rng, style, person, notes);
  const r: IdentityRecord = { name, nameKana };
  if (fields.latin && rng.chance(style.latin)) r.nameLatin = renderLatinName(rng, person, notes);
  r.dateOfBirth = id.dateOfBirth;
  if (rng.chance(SLIP_RATES.dob)) {
    r.dateOfBirth = dobSlip(rng, id.dateOfBirth);
    notes.push("typo:dob");
  }
  r.nationality = id.nationality;
  r.residency = id.residency;
  let addr = view.formerAddress && id.formerAddress !== undefined ? id.formerAddress : id.address;
  if (addr !== id.address) notes.push("former-address");
  if (addr.kind === "jp") {
    let code = addr.postalCode;
    if (rng.chance(SLIP_RATES.postal)) {
      code = postalSlip(rng, code);
      notes.push("typo:postal");
    }
    r.postalCode = renderPostal(rng, style, code);
    if (rng.chance(SLIP_RATES.address)) {
      addr = addressSlip(rng, addr);
      notes.push("typo:address");
    }
  }
  r.address = renderAddress(rng, style, addr);
  if (fields.contact) {
    let phone = id.phone;
    if (rng.chance(SLIP_RATES.phone)) {
      const slipped = phoneSlip(rng, phone);
      if (canonicalPhone(slipped) !== canonicalPhone(phone)) {
        phone = slipped;
        notes.push("typo:phone");
      }
    }
    r.phone = renderPhone(rng, style, phone);
    r.email = renderEmail(rng, id.emails);
    if (rng.chance(SLIP_RATES.email)) {
      const slipped = emailSlip(rng, r.email);
      if (slipped !== r.email) {
        r.email = slipped;
        notes.push("typo:email");
      }
    }
  }
  if (fields.profile) {
    r.occupation = id.occupation;
    r.declaredIncomeJpy = declaredIncome(rng, id.incomeJpy);
    r.purpose = id.purpose;
  }
  return { record: r, notes };
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
  // a company states its revenue from its accounts (to the million), not an income band; the draw is
  // kept so that the rest of the record is rendered as before
  declaredIncome(rng, c.revenueJpy);
  r.declaredIncomeJpy = String(Math.round(c.revenueJpy / 1_000_000) * 1_000_000);
  r.purpose = c.purpose;
  if (rng.chance(style.corporateNumber)) r.corporateNumber = c.corporateNumber;
  return r;
}
