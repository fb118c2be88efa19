// The live path: events stored by POST /v1/events are detected at once (the `detect` function the
// server is built with: the engine in `kanshi start`), their alerts saved and counted, and followers
// of GET /v1/alerts/stream woken. Alerts are saved one batch at a time, in the order detected, so
// the alert feed's positions (store/alert-feed.ts) commit in order within this process.
import type { Alert } from "../../contracts/alerts.ts";
import type { Event } from "../../contracts/events.ts";
import type { BatchResult } from "../../ingest/ingest.ts";
import type { Store } from "../../store/ports.ts";
import type { ApiMetrics } from "./metrics.ts";

export type Detect = (events: Event[]) => Alert[] | Promise<Alert[]>;

export class LivePipeline {
  readonly #store: Store;
  readonly #detect: Detect | undefined;
  readonly #metrics: ApiMetrics;
  readonly #listeners = new Set<() => void>();
  #saving: Promise<unknown> = Promise.resolve();

  constructor(opts: { store: Store; detect?: Detect | undefined; metrics: ApiMetrics }) {
    this.#store = opts.store;
    this.#detect = opts.detect;
    this.#metrics = opts.metrics;
  }

  /** After a batch is stored: count it, detect on the newly accepted events, save and announce alerts. */
  async ingested(result: BatchResult): Promise<void> {
    this.#metrics.ingested(result);
    if (this.#detect === undefined) return;
    const stored = result.events.filter((e, i): e is Event => e !== undefined && result.results[i]?.status === "accepted");
    if (stored.length === 0) return;
    const alerts = await this.#detect(stored);
    if (alerts.length > 0) await this.save(alerts);
  }

  /** Saves alerts after every earlier save has finished, then wakes the followers. */
  save(alerts: readonly Alert[]): Promise<void> {
    const run = this.#saving.then(async () => {
      await this.#store.saveAlerts(alerts);
      this.#metrics.raised(alerts);
    });
    this.#saving = run.catch(() => undefined);
    return run.then(() => this.#notify());
  }

  /** Calls `fn` after each save; returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  get followers(): number {
    return this.#listeners.size;
  }

  #notify(): void {
    for (const fn of this.#listeners) fn();
  }
}
