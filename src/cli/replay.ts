// Replays the stored event log, in event-time order, through an engine; saves the alerts. Reads the
// log's replay form (store/replay.ts: compact binary segments of the engine's view of each event,
// built lazily and kept), so a restart or backtest does not parse and validate JSON again.
import type { Alert } from "../contracts/alerts.ts";
import type { Engine } from "../engine/index.ts";
import type { Store } from "../store/ports.ts";

export interface ReplayResult {
  events: number;
  alerts: Alert[];
  /** Stored events that no longer validate (schema drift): counted, never thrown. */
  invalid: number;
}

const PROGRESS_EVERY = 50_000;

export async function replayStore(store: Store, engine: Engine, onProgress?: (events: number) => void): Promise<ReplayResult> {
  const alerts: Alert[] = [];
  const cursor = await store.replay().open();
  let events = 0;
  for (let e = cursor.next(); e !== undefined; e = cursor.next()) {
    for (const a of engine.push(e)) alerts.push(a);
    if (++events % PROGRESS_EVERY === 0) onProgress?.(events);
  }
  events += cursor.invalid;
  onProgress?.(events);
  for (const a of engine.flush()) alerts.push(a);
  for (let i = 0; i < alerts.length; i += 1000) await store.saveAlerts(alerts.slice(i, i + 1000));
  return { events, alerts, invalid: cursor.invalid };
}
