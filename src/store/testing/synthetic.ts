// Synthetic events for benchmarks and the crash test: realistic wire JSON (~300 bytes, the shape of a
// trade between two pseudonymous accounts), deterministic from the index, no personal data.
import type { StoredEventInput } from "../ports.ts";

const T0 = Date.parse("2024-04-01T00:00:00+09:00");
const SOURCES = ["bitflyer", "coincheck", "bitbank", "gmo-coin"];

/** The id of synthetic event `i`. */
export const syntheticId = (i: number): string => `tr-${i.toString().padStart(10, "0")}`;

/** Events `start` … `start + count - 1`. Several share each millisecond, as busy markets do. */
export function syntheticEvents(start: number, count: number): StoredEventInput[] {
  const out: StoredEventInput[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = start + k;
    const time = T0 + Math.floor(i / 4) * 3;
    const ts = new Date(time + 9 * 3_600_000).toISOString().replace("Z", "+09:00");
    const source = SOURCES[i % SOURCES.length] as string;
    const id = syntheticId(i);
    const wire = {
      id,
      ts,
      source,
      type: "trade",
      tradeId: `T${(i * 7919).toString(36)}`,
      market: "BTC/JPY",
      price: String(10_000_000 + ((i * 31) % 9973) * 17),
      quantity: `0.${((i * 104729) % 99991).toString().padStart(5, "0")}`,
      buyAccountId: `acc-${((i * 7919) % 250_000).toString().padStart(6, "0")}`,
      sellAccountId: `acc-${((i * 104723) % 250_000).toString().padStart(6, "0")}`,
      buyOrderId: `o-${(2 * i).toString(36)}`,
      sellOrderId: `o-${(2 * i + 1).toString(36)}`,
      aggressor: i % 3 ? "buy" : "sell",
    };
    out[k] = { source, id, type: "trade", time, ts, body: JSON.stringify(wire) };
  }
  return out;
}
