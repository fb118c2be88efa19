// Replays the stored event log, in event-time order, through an engine; saves the alerts.
import { parseEvent } from "../contracts/events.ts";
import type { Alert } from "../contracts/alerts.ts";
import type { Engine } from "../engine/index.ts";
import type { Store } from "../store/ports.ts";

export interface ReplayResult {
  events: number;
  alerts: Alert[];
  /** Stored events that no longer validate (schema drift): counted, never thrown. */
  invalid: number;
}

export async function replayStore(store: Store, engine: Engine, onProgress?: (events: number) => void): Promise<ReplayResult> {
  const alerts: Alert[] = [];
  let events = 0;
  let invalid = 0;
  for await (const page of store.scanEvents({ order: "event-time" })) {
    for (const row of page) {
      const r = parseEvent(JSON.parse(row.body));
      if (!r.ok) {
        invalid++;
        continue;
      }
      for (const a of engine.push(r.event)) alerts.push(a);
    }
    events += page.length;
    onProgress?.(events);
  }
  for (const a of engine.flush()) alerts.push(a);
  for (let i = 0; i < alerts.length; i += 1000) await store.saveAlerts(alerts.slice(i, i + 1000));
  return { events, alerts, invalid };
}
