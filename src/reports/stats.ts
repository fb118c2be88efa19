// Regulator statistics over reports: how many per exchange, per typology and per month (Japan time),
// and the three together. A report with several typologies counts once under each of them in the
// typology breakdowns (so those can sum to more than the total); one with none counts under
// "unspecified". Pure.
import { jstParts } from "./format.ts";

export interface ReportStatRecord {
  /** The reporting exchange (tenant). */
  readonly exchange: string;
  readonly typologies: readonly string[];
  /** The instant the report counts at (filed, else drafted), RFC 3339. */
  readonly at: string;
}

export interface ReportStatistics {
  readonly total: number;
  readonly byExchange: readonly { readonly exchange: string; readonly reports: number }[];
  readonly byTypology: readonly { readonly typology: string; readonly reports: number }[];
  readonly byMonth: readonly { readonly month: string; readonly reports: number }[];
  readonly byExchangeTypologyMonth: readonly { readonly exchange: string; readonly typology: string; readonly month: string; readonly reports: number }[];
}

export const UNSPECIFIED_TYPOLOGY = "unspecified";

/** `2024-05`: the month in Japan of an instant. */
export function jstMonth(iso: string): string {
  const t = jstParts(iso);
  return `${String(t.year).padStart(4, "0")}-${String(t.month).padStart(2, "0")}`;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function count<K>(map: Map<string, { key: K; n: number }>, id: string, key: K): void {
  const e = map.get(id);
  if (e) e.n++;
  else map.set(id, { key, n: 1 });
}

export function reportStatistics(records: Iterable<ReportStatRecord>): ReportStatistics {
  const ex = new Map<string, { key: string; n: number }>();
  const ty = new Map<string, { key: string; n: number }>();
  const mo = new Map<string, { key: string; n: number }>();
  const all = new Map<string, { key: [string, string, string]; n: number }>();
  let total = 0;
  for (const r of records) {
    total++;
    const month = jstMonth(r.at);
    count(ex, r.exchange, r.exchange);
    count(mo, month, month);
    const typologies = r.typologies.length === 0 ? [UNSPECIFIED_TYPOLOGY] : [...new Set(r.typologies)];
    for (const t of typologies) {
      count(ty, t, t);
      count(all, JSON.stringify([r.exchange, t, month]), [r.exchange, t, month]);
    }
  }
  const sorted = <K>(m: Map<string, { key: K; n: number }>) => [...m.entries()].sort(([a], [b]) => cmp(a, b)).map(([, v]) => v);
  return {
    total,
    byExchange: sorted(ex).map((v) => ({ exchange: v.key, reports: v.n })),
    byTypology: sorted(ty).map((v) => ({ typology: v.key, reports: v.n })),
    byMonth: sorted(mo).map((v) => ({ month: v.key, reports: v.n })),
    byExchangeTypologyMonth: sorted(all).map((v) => ({ exchange: v.key[0], typology: v.key[1], month: v.key[2], reports: v.n })),
  };
}
