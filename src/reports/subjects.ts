// Shared views of subjects for the generators: names split for forms that want family and given
// names apart, phones split into country prefix and number, addresses with their prefecture and city
// (parsed from the line when not given). Every function copes with missing fields: it returns
// undefined rather than inventing a value. Pure.
import { parseAddress } from "../identity/normalize/address.ts";
import type { PostalAddress, Subject } from "./input.ts";

export interface SplitName {
  readonly family: string;
  /** Undefined when the name could not be split (one word, no reading to split it by). */
  readonly given: string | undefined;
  /** The name as written when the split came from another spelling (the Latin one). */
  readonly asWritten: string | undefined;
}

const SPACE = /[\s\u3000]+/u;

/**
 * Family and given name of a person. A Japanese name is written family name first ("山田 太郎"); a
 * Latin spelling is taken in either order when one word is in capitals ("Taro YAMADA", "YAMADA
 * Taro"), else as given name first. Undefined when no name was disclosed.
 */
export function splitPersonName(s: { name?: string | undefined; nameLatin?: string | undefined }): SplitName | undefined {
  const name = s.name?.trim();
  const words = name ? name.split(SPACE).filter(Boolean) : [];
  if (words.length >= 2) return { family: words[0]!, given: words.slice(1).join(" "), asWritten: undefined };
  const latin = s.nameLatin?.trim();
  const lw = latin ? latin.split(SPACE).filter(Boolean) : [];
  if (lw.length >= 2) {
    const caps = (w: string) => /\p{Lu}/u.test(w) && w === w.toUpperCase();
    const first = lw[0]!;
    const last = lw[lw.length - 1]!;
    const familyFirst = caps(first) && !caps(last);
    const family = familyFirst ? first : last;
    const given = familyFirst ? lw.slice(1).join(" ") : lw.slice(0, -1).join(" ");
    return { family, given, asWritten: name || undefined };
  }
  const single = name || latin;
  return single ? { family: single, given: undefined, asWritten: undefined } : undefined;
}

export interface SplitPhone {
  /** Country calling code without "+", e.g. "81". */
  readonly countryPrefix: string;
  /** The number without the country code, as written otherwise. */
  readonly number: string;
}

/** "+81-90-1234-5678" → 81 / 90-1234-5678; "090-1234-5678" (a Japanese national number) → 81 / 090-1234-5678. */
export function splitPhone(raw: string | undefined): SplitPhone | undefined {
  const s = raw?.trim();
  if (!s) return undefined;
  const intl = /^(?:\+|00)(\d{1,4})[\s\-()]+(.+)$/.exec(s);
  if (intl) return { countryPrefix: intl[1]!, number: intl[2]!.trim() };
  const jp = /^(?:\+|00)81(\d{6,})$/.exec(s.replace(/[\s\-()]/g, ""));
  if (jp) return { countryPrefix: "81", number: jp[1]! };
  if (/^0\d/.test(s)) return { countryPrefix: "81", number: s };
  return undefined;
}

export interface PlacedAddress extends PostalAddress {
  /** Known only when given or parsed from the line. */
  readonly prefecture: string | undefined;
  readonly city: string | undefined;
  readonly postalCode: string | undefined;
}

/** The address with prefecture, city and postal code filled from the line when they were not given. */
export function placeAddress(a: PostalAddress): PlacedAddress {
  if (a.country !== "JP" || (a.city !== undefined && a.prefecture !== undefined && a.postalCode !== undefined)) {
    return { ...a, prefecture: a.prefecture, city: a.city, postalCode: a.postalCode };
  }
  const p = parseAddress(a.line);
  const postal = a.postalCode ?? (p.postalCode ? `${p.postalCode.slice(0, 3)}-${p.postalCode.slice(3)}` : undefined);
  return { ...a, prefecture: a.prefecture ?? p.prefecture ?? undefined, city: a.city ?? p.city ?? undefined, postalCode: postal };
}

/** The subject's address as a structured value, when disclosed. */
export function subjectAddress(s: Subject): PlacedAddress | undefined {
  return s.address === undefined ? undefined : placeAddress(s.address);
}

/** 個人 / 法人 */
export const subjectKindJa = (s: Subject): string => (s.kind === "person" ? "個人" : "法人");
