// Who sends events in the simulated consortium: five exchanges, five credit bureaus (one national
// information service, four agencies) and two security research firms. Ids are invented in the
// shape of the real Japanese institutions' short names; no real data comes from any of them.
//
// Each source writes identities its own way (its "record style"): its system may not hold variant
// kanji, may keep kana in half width, may force full-width digits, may ask for a Latin name or not.
// Within a source the customer's own typing still varies; these are the probabilities.

export interface RecordStyle {
  /** Weights of the space between family and given name: [full-width U+3000, half-width, none]. */
  nameSpace: readonly [number, number, number];
  /** Weights of the reading's script: [full-width katakana, half-width katakana, hiragana]. */
  kana: readonly [number, number, number];
  /** Probability the record has a Latin-script name at all. */
  latin: number;
  /** Probability variant kanji (髙, 﨑, 𠮷…) are folded to everyday forms (髙橋 → 高橋). */
  foldVariants: number;
  /** Probability digits (address, phone) are written full width. */
  fullWidthDigits: number;
  /** Weights of address styles: [丁目番号, hyphens 1-2-3, mixed 1丁目2-3, kanji-numeral 一丁目二番三号]. */
  address: readonly [number, number, number, number];
  /** Probability the prefecture is left off the address. */
  omitPrefecture: number;
  /** Weights of phone styles: [090-1234-5678, 09012345678, +81 90-1234-5678, +819012345678, (090)1234-5678]. */
  phone: readonly [number, number, number, number, number];
  /** Probability the postal code keeps its hyphen. */
  postalHyphen: number;
  /** Probability a corporate's 法人番号 is recorded. */
  corporateNumber: number;
  /** Probability the legal form is abbreviated ((株), ㈱). */
  abbreviateLegalForm: number;
}

export interface ExchangeDef {
  id: string;
  /** Short code used as the account-id prefix. */
  code: string;
  /** Share of customers (a person picks exchanges with these weights). */
  share: number;
  style: RecordStyle;
}

export const EXCHANGES: readonly ExchangeDef[] = [
  {
    id: "bitflyer", code: "bf", share: 0.27,
    style: { nameSpace: [0.7, 0.2, 0.1], kana: [0.9, 0.05, 0.05], latin: 0.9, foldVariants: 0.3, fullWidthDigits: 0.05, address: [0.2, 0.6, 0.15, 0.05], omitPrefecture: 0.05, phone: [0.7, 0.2, 0.05, 0.02, 0.03], postalHyphen: 0.9, corporateNumber: 0.95, abbreviateLegalForm: 0.1 },
  },
  {
    id: "coincheck", code: "cc", share: 0.27,
    style: { nameSpace: [0.2, 0.3, 0.5], kana: [0.6, 0.3, 0.1], latin: 0.5, foldVariants: 0.7, fullWidthDigits: 0.25, address: [0.3, 0.45, 0.2, 0.05], omitPrefecture: 0.15, phone: [0.3, 0.6, 0.04, 0.03, 0.03], postalHyphen: 0.4, corporateNumber: 0.85, abbreviateLegalForm: 0.3 },
  },
  {
    id: "bitbank", code: "bb", share: 0.18,
    style: { nameSpace: [0.4, 0.5, 0.1], kana: [0.8, 0.0, 0.2], latin: 0.8, foldVariants: 0.4, fullWidthDigits: 0.1, address: [0.25, 0.5, 0.2, 0.05], omitPrefecture: 0.1, phone: [0.4, 0.3, 0.15, 0.12, 0.03], postalHyphen: 0.7, corporateNumber: 0.9, abbreviateLegalForm: 0.2 },
  },
  {
    id: "gmo-coin", code: "gmo", share: 0.17,
    style: { nameSpace: [0.5, 0.4, 0.1], kana: [0.85, 0.1, 0.05], latin: 0.6, foldVariants: 0.5, fullWidthDigits: 0.15, address: [0.35, 0.4, 0.2, 0.05], omitPrefecture: 0.08, phone: [0.5, 0.4, 0.05, 0.03, 0.02], postalHyphen: 0.8, corporateNumber: 0.9, abbreviateLegalForm: 0.15 },
  },
  {
    id: "sbi-vc", code: "sbi", share: 0.11,
    style: { nameSpace: [0.9, 0.05, 0.05], kana: [0.3, 0.7, 0.0], latin: 0.3, foldVariants: 0.9, fullWidthDigits: 0.8, address: [0.6, 0.1, 0.1, 0.2], omitPrefecture: 0.02, phone: [0.8, 0.1, 0.05, 0.0, 0.05], postalHyphen: 1.0, corporateNumber: 1.0, abbreviateLegalForm: 0.4 },
  },
];

export interface BureauDef {
  id: string;
  kind: "national" | "agency";
  /** Chance it sends a report about a given resident customer (citizens; less for foreigners). */
  coverage: number;
  style: RecordStyle;
}

export const BUREAUS: readonly BureauDef[] = [
  {
    id: "jnis", kind: "national", coverage: 0.4,
    style: { nameSpace: [1, 0, 0], kana: [1, 0, 0], latin: 0.1, foldVariants: 0.05, fullWidthDigits: 1, address: [0.3, 0, 0, 0.7], omitPrefecture: 0, phone: [1, 0, 0, 0, 0], postalHyphen: 1, corporateNumber: 1, abbreviateLegalForm: 0 },
  },
  {
    id: "cic", kind: "agency", coverage: 0.25,
    style: { nameSpace: [0.5, 0.5, 0], kana: [0.5, 0.5, 0], latin: 0, foldVariants: 0.8, fullWidthDigits: 0.5, address: [0.5, 0.3, 0.2, 0], omitPrefecture: 0.05, phone: [0.6, 0.4, 0, 0, 0], postalHyphen: 0.8, corporateNumber: 1, abbreviateLegalForm: 0.5 },
  },
  {
    id: "jicc", kind: "agency", coverage: 0.2,
    style: { nameSpace: [0.3, 0.3, 0.4], kana: [0.2, 0.8, 0], latin: 0, foldVariants: 0.9, fullWidthDigits: 0.3, address: [0.4, 0.4, 0.2, 0], omitPrefecture: 0.1, phone: [0.3, 0.7, 0, 0, 0], postalHyphen: 0.5, corporateNumber: 1, abbreviateLegalForm: 0.5 },
  },
  {
    id: "ksc", kind: "agency", coverage: 0.15,
    style: { nameSpace: [0.8, 0.2, 0], kana: [0.9, 0.1, 0], latin: 0, foldVariants: 0.6, fullWidthDigits: 0.7, address: [0.6, 0.2, 0.1, 0.1], omitPrefecture: 0, phone: [0.9, 0.1, 0, 0, 0], postalHyphen: 1, corporateNumber: 1, abbreviateLegalForm: 0.3 },
  },
  {
    id: "tcb", kind: "agency", coverage: 0.1,
    style: { nameSpace: [0.2, 0.6, 0.2], kana: [0.6, 0.2, 0.2], latin: 0.3, foldVariants: 0.5, fullWidthDigits: 0.2, address: [0.3, 0.5, 0.2, 0], omitPrefecture: 0.1, phone: [0.4, 0.3, 0.2, 0.1, 0], postalHyphen: 0.6, corporateNumber: 1, abbreviateLegalForm: 0.3 },
  },
];

/** Security research firms: they publish address labels (sanctions lists, phishing and hack reports). */
export const RESEARCH_FIRMS = {
  /** Republishes the OFAC SDN list's digital-currency addresses. */
  sanctions: "kumo-intel",
  /** Publishes phishing / exploit / heist labels (Etherscan-derived, via Forta's labelled datasets). */
  threats: "tsurugi-labs",
  /** Runs nodes and feeds the consortium on-chain transfers (`chain.transfer`) around the exchanges' addresses. */
  chain: "kumo-intel",
} as const;

export const SOCIAL_PLATFORMS: readonly string[] = ["x", "instagram", "line", "facebook", "tiktok"];
