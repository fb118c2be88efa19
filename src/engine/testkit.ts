// Helpers for building synthetic events in tests and benchmarks: wire objects in, typed events out
// (through the contract's own parseEvent, so tests exercise exactly what the edge accepts).
import assert from "node:assert/strict";
import { parseEvent, type Alert, type Event, type EventInput } from "../contracts/index.ts";
import { createEngine, type EngineOptions } from "./engine.ts";
import { rng } from "./synthetic.ts";

export { rng };

/** Parse one wire event; throws (in tests) with every issue when the fixture itself is wrong. */
export function toEvent(wire: unknown, where = "event"): Event {
  const r = parseEvent(wire);
  if (!r.ok) throw new Error(`${where}: ${r.issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`);
  return r.event;
}

export function toEvents(wire: readonly unknown[], where = "events"): Event[] {
  return wire.map((w, i) => toEvent(w, `${where}[${i}]`));
}

const BASE = Date.UTC(2025, 0, 6, 0, 0, 0); // Monday 6 January 2025, 00:00 UTC

/** RFC 3339 (UTC) for a number of hours after the test epoch. */
export function at(hours: number): string {
  return new Date(BASE + Math.round(hours * 3_600_000)).toISOString();
}

/** A small builder of wire events with unique ids, for one source. */
export function wireBuilder(source = "exa") {
  let n = 0;
  const id = (p: string) => `${p}-${String(++n).padStart(4, "0")}`;
  return {
    opened: (accountId: string, customerType: "individual" | "corporate", hours = 0): EventInput => ({
      type: "account.opened", id: id("open"), ts: at(hours), source, accountId, customerType, kyc: { name: "Test Subject" },
    }),
    deposit: (accountId: string, hours: number, amount: string, o: { asset?: string; channel?: "bank" | "crypto" | "internal"; valueJpy?: string } = {}): EventInput => ({
      type: "deposit", id: id("dep"), ts: at(hours), source, accountId, asset: o.asset ?? "JPY", amount, channel: o.channel ?? "bank",
      ...(o.valueJpy !== undefined ? { valueJpy: o.valueJpy } : {}),
    }),
    withdrawal: (accountId: string, hours: number, amount: string, o: { asset?: string; channel?: "bank" | "crypto" | "internal"; valueJpy?: string } = {}): EventInput => ({
      type: "withdrawal", id: id("wd"), ts: at(hours), source, accountId, asset: o.asset ?? "JPY", amount, channel: o.channel ?? "bank",
      ...(o.valueJpy !== undefined ? { valueJpy: o.valueJpy } : {}),
    }),
    trade: (buyAccountId: string, sellAccountId: string, hours: number, market: string, quantity: string, price: string): EventInput => ({
      type: "trade", id: id("tr"), ts: at(hours), source, tradeId: id("t"), market, price, quantity, buyAccountId, sellAccountId,
    }),
    snapshot: (market: string, hours: number, midPrice: string, o: { volume24h?: string; depthBid1pct?: string; depthAsk1pct?: string } = {}): EventInput => ({
      type: "market.snapshot", id: id("snap"), ts: at(hours), source, market, midPrice, ...o,
    }),
    login: (accountId: string, hours: number): EventInput => ({ type: "login", id: id("login"), ts: at(hours), source, accountId, ip: "192.0.2.1" }),
  };
}

export function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  const r = rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Replay in order through a fresh engine, recording every outcome (typology, event key, kind, reason). */
export function replayWithOutcomes(
  events: readonly Event[],
  opts: Omit<EngineOptions, "onOutcome"> = {},
): { alerts: Alert[]; outcomes: Array<{ typology: string; event: string; kind: string; reason?: string }> } {
  const outcomes: Array<{ typology: string; event: string; kind: string; reason?: string }> = [];
  const engine = createEngine({
    ...opts,
    onOutcome: (typology, e, o) => outcomes.push({ typology, event: `${e.source}:${e.id}`, kind: o.kind, ...("reason" in o ? { reason: o.reason } : {}) }),
  });
  const alerts: Alert[] = [];
  for (const e of events) alerts.push(...engine.push(e));
  alerts.push(...engine.flush());
  return { alerts, outcomes };
}

/**
 * Snapshot after every prefix of `events`, restore into a fresh engine through JSON, replay the
 * rest: the alerts must equal one uninterrupted run (`full`). Throws (an assertion) naming the
 * first position where they differ.
 */
export function assertRestoresAtEveryPoint(events: readonly Event[], opts: EngineOptions, full: readonly Alert[]): void {
  for (let k = 0; k <= events.length; k++) {
    const first = createEngine(opts);
    const before = events.slice(0, k).flatMap((e) => first.push(e));
    const second = createEngine(opts);
    second.restore(JSON.parse(JSON.stringify(first.snapshot())));
    const after = events.slice(k).flatMap((e) => second.push(e));
    assert.deepEqual([...before, ...after, ...second.flush()], full, `snapshot at ${k}`);
  }
}
