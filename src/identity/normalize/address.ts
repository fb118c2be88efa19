// Japanese postal addresses: prefecture, municipality (as Japan Post names it), town (町域) without
// its chome, chome, block (番地・号 as digits joined by "-"), and the rest (building, room).
//
// Parsing is longest-match against Japan Post's real list of municipalities and towns
// (address-data.ts). What the parser does when the address does not fit that list:
// - prefecture omitted: inferred from the municipality when only one has that name, or from the
//   town when same-named municipalities differ in their towns (府中市宮西町 is Tokyo's), or from the
//   postal code;
// - a designated city without its ward (大阪市中之島…): the ward is inferred when the town exists
//   in one ward only, otherwise `city` is the designated city ("大阪市");
// - 郡 omitted (群馬県榛東村): the county is added back, as Japan Post writes it;
// - 大字 / 字 before the town are dropped; a 小字 (字…) after the town goes to `building`;
// - Kyoto street directions (寺町通御池上る…): the town is looked for after the last direction word
//   (上る・下る・入る・上ル・下ル・入ル・東入・西入); the directions go to the front of `building`;
//   when no town follows them `town` is null;
// - a town that is not in Japan Post's list (a new town, a typo) is kept as written in `town` when
//   it looks like a place name, and `townVerified` is false in the detailed parse;
// - a municipality that is not in the list (an old name from before a merger): `city`, `town` null
//   and everything after the prefecture in `building`, so nothing is lost.
// Chome without the word 丁目 ("霞が関1-3-1") is read from three numbers (chome-番-号); two numbers
// ("千葉港1-1") are taken as 番地-号 with no chome, because Japan Post's data does not say which
// towns have chome; a first number above 50 is never a chome (rural 番地 "790-1-2").
import { badInput } from "../../contracts/errors.ts";
import {
  buildAddressIndex,
  placeKey,
  type AddressIndex,
  type CityEntry,
  type PostalEntry,
  type PrefectureEntry,
  type TownEntry,
} from "./address-data.ts";
import { collapseSpaces, foldKanjiVariants, KANJI_NUMERAL_CHARS, nfkc, normalizeHyphens, parseJapaneseNumber } from "./text.ts";

/** The `kanshi normalize address` output line (CONTRACT.md). */
export interface AddressParts {
  input: string;
  prefecture: string | null;
  city: string | null;
  town: string | null;
  chome: number | null;
  block: string | null;
  building: string | null;
}

/** The detailed parse: the contract fields plus what the parser knows about how it got them. */
export interface ParsedAddress extends Omit<AddressParts, "input"> {
  /** 7 digits, when the input began with a postal code. */
  postalCode: string | null;
  /** Municipal code (全国地方公共団体コード without check digit) when `city` is one municipality. */
  cityCode: string | null;
  /** The prefecture was not written but inferred. */
  prefectureInferred: boolean;
  /** The town is in Japan Post's list (false: kept as written, or null). */
  townVerified: boolean;
  /** Kyoto street directions (寺町通御池上る), also at the front of `building`. */
  street: string | null;
  /** A 小字 after the town (字下田), also in `building`. */
  koaza: string | null;
  /** The building name without the room. */
  buildingName: string | null;
  /** The room (or floor) number at the end (`101`, `1201号室`, `12F`). */
  room: string | null;
}

/** Builds the address index once, on first use, and returns the same one afterwards. */
export const defaultAddressIndex: () => AddressIndex = (() => {
  let index: AddressIndex | null = null;
  return () => (index ??= buildAddressIndex());
})();

const NUM = `(?:[0-9]+|[${KANJI_NUMERAL_CHARS}]+)`;
const RE_POSTAL = /^(?:〒\s*|郵便番号[:：]?\s*)?([0-9]{3})-?([0-9]{4})(?![0-9])\s*/u;
const RE_CHOME = new RegExp(`^(${NUM})\\s*丁目`, "u");
const RE_ITEM = new RegExp(`^(${NUM})(?:\\s*(番地の|番地ノ|番地|番の|番ノ|番(?!町)|号(?!室)|の|ノ|-))?`, "u");
const RE_BANCHO = new RegExp(`^(${NUM})\\s*番町`, "u");
const KYOTO_DIRECTION = /(上る|下る|入る|上ル|下ル|入ル|上がる|下がる|東入|西入)/gu;
const RE_CHOME_SUFFIX = new RegExp(`^(.+?)(${NUM})丁目$`, "u");

interface TownMatch {
  city: CityEntry;
  town: TownEntry;
  end: number;
}

/** Longest prefix of s[pos..] that names a town of `city`. */
function matchTown(s: string, pos: number, city: CityEntry): TownMatch | null {
  const towns = city.towns();
  if (!towns.mayStart(s, pos)) return null;
  const limit = Math.min(s.length, pos + towns.maxKeyLength + 8);
  for (let end = limit; end > pos; end--) {
    if (!towns.mayEnd(s, pos, end)) continue;
    const slice = s.slice(pos, end);
    // Japan Post writes 大字 + 字 as one town (保原町字舟橋 → 保原町舟橋): a 字 inside is a second chance.
    const list =
      towns.byKey.get(placeKey(slice)) ??
      (slice.includes("字") ? towns.byKey.get(placeKey(slice.replace(/(?<=\p{Script=Han})(?:小字|字)(?=\p{Script=Han})/gu, ""))) : undefined);
    if (!list || list.length === 0) continue;
    // Same key, several spellings (霞が関 / 霞ケ関): prefer the one written exactly.
    const written = foldKanjiVariants(s.slice(pos, end)).replace(/\s+/gu, "");
    const town = list.find((t) => t.name === written) ?? list[0];
    if (town) return { city, town, end };
  }
  return null;
}

function skipSpaces(s: string, pos: number): number {
  while (pos < s.length && s[pos] === " ") pos++;
  return pos;
}

/** Longest municipality alias at s[pos..], among `allowed` cities when given. */
function matchCity(s: string, pos: number, index: AddressIndex, pref: PrefectureEntry | null): { cities: CityEntry[]; end: number } | null {
  const limit = Math.min(s.length, pos + index.maxCityKeyLength + 8);
  for (let end = limit; end > pos; end--) {
    if (!index.mayEndCity(s, pos, end)) continue;
    const key = placeKey(s.slice(pos, end));
    const found = index.cityAliases.get(key) ?? (pref ? index.wardAliases.get(key) : undefined);
    if (!found) continue;
    const cities = pref ? found.filter((c) => c.prefecture.code === pref.code) : [...found];
    if (cities.length > 0) return { cities, end };
  }
  return null;
}

interface BlockParse {
  chome: number | null;
  block: string | null;
  room: string | null;
  end: number;
}

/** Chome, 番地・号 and trailing room numbers at s[pos..]. */
function parseBlock(s: string, pos0: number, chomeFromTown: number | null): BlockParse {
  let pos = skipSpaces(s, pos0);
  let chome = chomeFromTown;
  let explicitChome = chomeFromTown !== null;
  // 丁目, or N番町 after a town that is numbered that way (新潟市 学校町通1番町).
  const c = RE_CHOME.exec(s.slice(pos)) ?? RE_BANCHO.exec(s.slice(pos));
  if (c && chome === null) {
    chome = parseJapaneseNumber(c[1] ?? "");
    explicitChome = chome !== null;
    pos = skipSpaces(s, pos + c[0].length);
  }
  const items: Array<{ n: number; mark: string }> = [];
  let end = pos;
  for (;;) {
    const m = RE_ITEM.exec(s.slice(pos));
    if (!m) break;
    const text = m[1] ?? "";
    const mark = m[2] ?? "";
    const after = s.slice(pos + m[0].length);
    const isKanji = !/^[0-9]/u.test(text);
    // A number glued to a letter, a floor mark or a kanji word is not a 番地 ("12F", "3階", "第一ビル").
    if (mark === "" && /^[A-Za-z階\p{Script=Han}\p{Script=Katakana}\p{Script=Hiragana}]/u.test(after)) break;
    if (isKanji && mark === "" && items.length === 0) break; // 第一ビル; but 番地の一 is a number
    const n = parseJapaneseNumber(text);
    if (n === null) break;
    items.push({ n, mark });
    pos += m[0].length;
    end = pos;
    if (mark === "" || mark === "号") break;
    if (mark === "-") pos = skipSpaces(s, pos);
  }
  // A dangling "-" after the last number belongs to what follows, not to the block.
  if (items.length > 0 && items[items.length - 1]?.mark === "-") end = end - 1;

  const hasBanGo = items.some((i) => i.mark !== "-" && i.mark !== "");
  let rest = items;
  if (!explicitChome && !hasBanGo && items.length >= 3 && (items[0]?.n ?? 0) <= 50) {
    chome = items[0]?.n ?? null;
    rest = items.slice(1);
  }
  let blockItems: typeof rest;
  if (chome !== null) blockItems = rest.slice(0, 2);
  else if (hasBanGo) {
    const go = rest.findIndex((i) => i.mark === "号");
    blockItems = go >= 0 ? rest.slice(0, go + 1) : rest.slice(0, 3);
  } else blockItems = rest.slice(0, 3);
  const roomItems = rest.slice(blockItems.length);
  return {
    chome,
    block: blockItems.length > 0 ? blockItems.map((i) => String(i.n)).join("-") : null,
    room: roomItems.length > 0 ? roomItems.map((i) => String(i.n)).join("-") : null,
    end,
  };
}

/** Splits "霞が関ビル 12階" style rests into a building name and a trailing room/floor. */
function splitBuilding(rest: string): { name: string | null; room: string | null } {
  const text = rest.replace(/^[\s,、，-]+/u, "").trim();
  if (text === "") return { name: null, room: null };
  const m = /^(.*?)[\s-]*((?:[0-9]+\s*(?:号室|号|階|F|f)?|[A-Za-z]?[0-9]+[A-Za-z]?))$/u.exec(text);
  if (m && (m[1] ?? "").trim() !== "" && /[^\s]/u.test(m[2] ?? "")) {
    return { name: (m[1] ?? "").trim(), room: (m[2] ?? "").trim() };
  }
  if (/^[0-9]+\s*(?:号室|号|階|F)?$/u.test(text)) return { name: null, room: text };
  return { name: text, room: null };
}

function orNull(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  const t = s.trim();
  return t === "" ? null : t;
}

/** Leading text that looks like a town name not in Japan Post's list: kanji and kana up to the first
 *  number, space or separator. */
function unlistedTown(s: string, pos: number): { name: string; end: number } | null {
  const m = new RegExp(`^([\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}ー々〆ヶ]+?)(?=${NUM}\\s*(?:丁目|番|号|-|の)|[0-9]|\\s|$)`, "u").exec(s.slice(pos));
  if (!m) return null;
  const name = m[1] ?? "";
  if (name.length === 0 || name.length > 20 || KYOTO_DIRECTION.test(name)) {
    KYOTO_DIRECTION.lastIndex = 0;
    return null;
  }
  KYOTO_DIRECTION.lastIndex = 0;
  return { name, end: pos + name.length };
}

/** The longest town at s[at..] among the candidate municipalities, and the municipalities that
 *  have it (the same town in several candidates keeps them all: the town is still known). */
function longestTown(s: string, at: number, candidates: readonly CityEntry[]): { match: TownMatch; cities: CityEntry[] } | null {
  let best: TownMatch[] = [];
  for (const city of candidates) {
    const m = matchTown(s, at, city);
    if (!m) continue;
    if (best.length === 0 || m.end > (best[0]?.end ?? 0)) best = [m];
    else if (m.end === best[0]?.end) best.push(m);
  }
  const first = best[0];
  if (first === undefined) return null;
  return { match: first, cities: [...new Set(best.map((b) => b.city))] };
}

/** The text normalised the way the parser reads it: NFKC, one hyphen form, single spaces. */
export function normalizeAddressText(line: string): string {
  return collapseSpaces(normalizeHyphens(nfkc(line)));
}

/**
 * Parses one address. Never throws for an address it cannot place: unknown parts are null (see the
 * header of this file for the rules). Throws bad_input only for an empty line.
 */
export function parseAddress(line: string, index: AddressIndex = defaultAddressIndex()): ParsedAddress {
  const s = normalizeAddressText(line);
  if (s === "") throw badInput("expected an address, got an empty line", "address");
  const out: ParsedAddress = {
    prefecture: null,
    city: null,
    town: null,
    chome: null,
    block: null,
    building: null,
    postalCode: null,
    cityCode: null,
    prefectureInferred: false,
    townVerified: false,
    street: null,
    koaza: null,
    buildingName: null,
    room: null,
  };
  let pos = 0;
  const postal = RE_POSTAL.exec(s);
  if (postal) {
    out.postalCode = `${postal[1]}${postal[2]}`;
    pos = postal[0].length;
  }
  pos = skipSpaces(s, pos);

  // Prefecture.
  let pref: PrefectureEntry | null = null;
  for (const p of index.prefectures) {
    if (s.startsWith(p.name, pos)) {
      pref = p;
      pos = skipSpaces(s, pos + p.name.length);
      break;
    }
  }
  const prefWritten = pref !== null;

  // Municipality.
  const cityMatch = matchCity(s, pos, index, pref);
  let candidates: CityEntry[] = cityMatch ? cityMatch.cities : [];
  if (cityMatch) pos = skipSpaces(s, cityMatch.end);
  const postalEntries: PostalEntry[] = out.postalCode ? index.postal(out.postalCode) : [];
  if (candidates.length > 1 && postalEntries.length > 0) {
    const byPostal = candidates.filter((c) => postalEntries.some((e) => e.city.code === c.code));
    if (byPostal.length > 0) candidates = byPostal;
  }
  if (candidates.length === 0 && cityMatch === null && pref === null && postalEntries.length > 0) {
    // Nothing recognisable before the town: the postal code names the municipality.
    candidates = [...new Set(postalEntries.map((e) => e.city))];
  }

  // Town: longest match in each candidate municipality, after any 大字 / 字.
  let townMatch: TownMatch | null = null;
  let street: string | null = null;
  if (candidates.length > 0 && candidates.some((c) => c.designatedCity === "京都市")) {
    // Kyoto: street directions come before the town (寺町通御池上る上本能寺前町). Street names are
    // also town names (烏丸), so the directions are read first.
    const head = /^[^0-9]*/u.exec(s.slice(pos))?.[0] ?? "";
    let lastEnd = -1;
    for (const m of head.matchAll(KYOTO_DIRECTION)) lastEnd = pos + (m.index ?? 0) + m[0].length;
    if (lastEnd > pos) {
      street = s.slice(pos, lastEnd).trim();
      pos = skipSpaces(s, lastEnd);
      const found = longestTown(s, pos, candidates);
      if (found) [townMatch, candidates] = [found.match, found.cities];
    }
  }
  if (candidates.length > 0 && street === null) {
    const aza = /^(?:大字|字)/u.exec(s.slice(pos));
    const found = longestTown(s, pos, candidates) ?? (aza ? longestTown(s, pos + aza[0].length, candidates) : null);
    if (found) [townMatch, candidates] = [found.match, found.cities];
  }

  // Resolve the municipality.
  const single = candidates.length === 1 ? (candidates[0] ?? null) : null;
  if (single) {
    out.city = single.name;
    out.cityCode = single.code;
    pref ??= single.prefecture;
  } else if (candidates.length > 1) {
    const designated = new Set(candidates.map((c) => c.designatedCity));
    const names = new Set(candidates.map((c) => c.name));
    const prefs = new Set(candidates.map((c) => c.prefecture.code));
    if (names.size === 1) out.city = candidates[0]?.name ?? null;
    else if (designated.size === 1 && !designated.has(null)) out.city = candidates[0]?.designatedCity ?? null;
    if (prefs.size === 1) pref ??= candidates[0]?.prefecture ?? null;
  }
  out.prefecture = pref?.name ?? null;
  out.prefectureInferred = !prefWritten && out.prefecture !== null;

  // Town and chome.
  let chomeFromTown: number | null = null;
  if (townMatch) {
    out.townVerified = true;
    let townName = townMatch.town.name;
    const suffix = RE_CHOME_SUFFIX.exec(townName);
    if (suffix && !/[のノ]$/u.test(suffix[1] ?? "")) {
      chomeFromTown = parseJapaneseNumber(suffix[2] ?? "");
      townName = suffix[1] ?? townName;
    }
    out.town = townName;
    pos = townMatch.end;
  } else if (candidates.length > 0 && street === null) {
    const aza = /^(?:大字|字)/u.exec(s.slice(pos));
    const unlisted = unlistedTown(s, aza ? pos + aza[0].length : pos);
    if (unlisted) {
      out.town = unlisted.name;
      pos = unlisted.end;
    }
  }
  out.street = street;

  // 小字 after the town.
  pos = skipSpaces(s, pos);
  if (out.town !== null) {
    const koaza = new RegExp(`^(?:字|小字)([^0-9\\s${KANJI_NUMERAL_CHARS}]+?)(?=${NUM}\\s*(?:番|号|-|の)|[0-9]|\\s|$)`, "u").exec(s.slice(pos));
    if (koaza) {
      out.koaza = (koaza[0] ?? "").trim();
      pos = skipSpaces(s, pos + koaza[0].length);
    }
  }

  // Chome, block, room; building.
  let rest: string;
  if (out.city === null && candidates.length === 0) {
    rest = s.slice(pos);
  } else {
    const b = parseBlock(s, pos, chomeFromTown);
    out.chome = b.chome;
    out.block = b.block;
    rest = s.slice(b.end);
    const tail = splitBuilding(rest);
    out.buildingName = tail.name;
    out.room = [b.room, tail.room].filter((x): x is string => x !== null).join(" ") || null;
    out.building = orNull([street, out.koaza, out.buildingName, out.room].filter((x): x is string => x !== null).join(" "));
    return out;
  }
  // Nothing after the prefecture could be placed: keep it whole.
  out.buildingName = orNull(rest);
  out.building = orNull([street, out.koaza, out.buildingName].filter((x): x is string => x !== null).join(" "));
  return out;
}

/** Contract-level normaliser: one line → exactly `{input, prefecture, city, town, chome, block,
 *  building}`. */
export function normalizeAddressLine(line: string, index: AddressIndex = defaultAddressIndex()): AddressParts {
  const p = parseAddress(line, index);
  return {
    input: line,
    prefecture: p.prefecture,
    city: p.city,
    town: p.town,
    chome: p.chome,
    block: p.block,
    building: p.building,
  };
}

/** The outcome of checking a postal code against the address it came with. */
export interface PostalCheck {
  /** The code as 7 digits, or null when it is not shaped like a postal code. */
  postalCode: string | null;
  /** Japan Post lists the code. */
  known: boolean;
  /** Whether the prefecture / municipality / town named by the address agree with the code; null
   *  when the address does not name that part (or the code is unknown). */
  prefecture: boolean | null;
  city: boolean | null;
  town: boolean | null;
  /** Everything agrees that can be compared, and the code is known. */
  ok: boolean;
  /** Where the code points (prefecture, municipality, town as Japan Post lists it). */
  expected: Array<{ prefecture: string; city: string; town: string | null }>;
}

/**
 * Checks a postal code (`100-0001`, `〒1000001`, full-width) against the parts of an address (the
 * output of parseAddress or normalizeAddressLine). A designated city written without its ward agrees
 * with any of its wards; a code that covers a whole municipality ("以下に掲載がない場合") agrees with any
 * town in it.
 */
export function checkPostalCode(
  code: string,
  parsed: Pick<AddressParts, "prefecture" | "city" | "town">,
  index: AddressIndex = defaultAddressIndex(),
): PostalCheck {
  const digits = nfkc(code).replace(/^〒\s*/u, "").replace(/-/gu, "").trim();
  if (!/^[0-9]{7}$/u.test(digits)) {
    return { postalCode: null, known: false, prefecture: null, city: null, town: null, ok: false, expected: [] };
  }
  const entries = index.postal(digits);
  const expected = entries.map((e) => ({ prefecture: e.city.prefecture.name, city: e.city.name, town: e.town === "" ? null : e.town }));
  if (entries.length === 0) {
    return { postalCode: digits, known: false, prefecture: null, city: null, town: null, ok: false, expected };
  }
  const prefecture = parsed.prefecture === null ? null : entries.some((e) => e.city.prefecture.name === parsed.prefecture);
  const cityMatches = (e: PostalEntry) =>
    parsed.city !== null && (e.city.name === parsed.city || e.city.designatedCity === parsed.city);
  const city = parsed.city === null ? null : entries.some(cityMatches);
  let town: boolean | null = null;
  if (parsed.town !== null) {
    const key = placeKey(parsed.town);
    const inCity = entries.filter((e) => parsed.city === null || cityMatches(e));
    town = inCity.some((e) => e.town === "" || placeKey(e.town) === key || placeKey(e.town).startsWith(key));
  }
  const ok = prefecture !== false && city !== false && town !== false;
  return { postalCode: digits, known: true, prefecture, city, town, ok, expected };
}
