// The text patterns of the event format, shared by the zod schemas (events.ts, the source of truth)
// and the fast validation path (fast-parse.ts), so both check exactly the same thing.
export const ASSET_PATTERN = /^[A-Z0-9]{2,12}$/;
export const MARKET_PATTERN = /^[A-Z0-9]{2,12}\/[A-Z0-9]{2,12}$/;
export const COUNTRY_PATTERN = /^[A-Z]{2}$/;
export const POSTAL_CODE_PATTERN = /^\d{3}-?\d{4}$/;
export const CORPORATE_NUMBER_PATTERN = /^\d{13}$/;
