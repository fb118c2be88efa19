// The live path: events posted are detected at once, counted in /metrics, and followed over
// server-sent events (filtered to what each follower may see, resumable with Last-Event-ID).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createEngine } from "../engine/index.ts";
import type { Store } from "../store/ports.ts";
import { createStoreTemplate } from "../store/testing/template.ts";
import type { KanshiApp } from "./app.ts";
import { buildTestApp, testCredentials } from "./testing.ts";

const deposits = (source: string, account: string, prefix: string) =>
  [0, 1, 2].map((i) => ({
    id: `${prefix}${i}`,
    type: "deposit",
    ts: `2026-11-0${2 + i}T10:00:00+09:00`,
    source,
    accountId: account,
    asset: "JPY",
    amount: "1950000",
    channel: "bank",
  }));

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Follows an SSE response, collecting events; `until` waits for one matching. */
function follow(res: Response) {
  const events: SseEvent[] = [];
  const waiters: { pred: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  const done = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf("\n\n")) !== -1) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const e: SseEvent = {};
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) e.comment = line.slice(1).trim();
          else {
            const [k, ...rest] = line.split(":");
            const v = rest.join(":").replace(/^ /, "");
            if (k === "id" || k === "event" || k === "data") e[k] = v;
          }
        }
        events.push(e);
        for (const w of [...waiters]) {
          if (!w.pred(e)) continue;
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    }
  })();
  return {
    events,
    until(pred: (e: SseEvent) => boolean, ms = 5000): Promise<SseEvent> {
      const hit = events.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(events)}`)), ms);
        waiters.push({ pred, resolve: (e) => (clearTimeout(t), resolve(e)) });
      });
    },
    async close() {
      await reader.cancel().catch(() => undefined);
      await done;
    },
  };
}

describe("live path", () => {
  let store: Store;
  let app: KanshiApp;
  let url: string;
  before(async () => {
    store = await (await createStoreTemplate()).open();
    const engine = createEngine();
    app = await buildTestApp(store, { detect: (events) => events.flatMap((e) => engine.push(e)), stream: { heartbeatMs: 150 } });
    url = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  let left: { close(): Promise<void> } | undefined;
  after(async () => {
    await app.close();
    await left?.close();
    await store.close();
  });

  it("streams new alerts to those who may see them, with heartbeats; resumes from Last-Event-ID; metrics count it all", async () => {
    const bitflyer = await testCredentials(store, "exchange_officer", "bitflyer");
    const coincheck = await testCredentials(store, "exchange_officer", "coincheck");
    const analyst = await testCredentials(store, "analyst");
    const admin = await testCredentials(store, "admin");

    assert.equal((await fetch(`${url}/v1/alerts/stream`)).status, 401);
    const refused = await fetch(`${url}/v1/alerts/stream`, { headers: admin });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "forbidden");
    const badId = await fetch(`${url}/v1/alerts/stream`, { headers: { ...analyst, "last-event-id": "x1" } });
    assert.equal(badId.status, 400);

    const own = await fetch(`${url}/v1/alerts/stream`, { headers: bitflyer });
    assert.equal(own.status, 200);
    assert.match(own.headers.get("content-type")!, /^text\/event-stream/);
    const ownFeed = follow(own);
    const otherFeed = follow(await fetch(`${url}/v1/alerts/stream`, { headers: coincheck }));
    const analystFeed = follow(await fetch(`${url}/v1/alerts/stream`, { headers: analyst }));
    await ownFeed.until((e) => e.comment?.startsWith("connected") === true);
    await otherFeed.until((e) => e.comment?.startsWith("connected") === true);
    await analystFeed.until((e) => e.comment?.startsWith("connected") === true);

    const post = await fetch(`${url}/v1/events`, { method: "POST", headers: { ...bitflyer, "content-type": "application/json" }, body: JSON.stringify(deposits("bitflyer", "acc-live", "l")) });
    assert.equal(((await post.json()) as { accepted: number }).accepted, 3);

    const got = await ownFeed.until((e) => e.event === "alert");
    const alert = JSON.parse(got.data!) as { typology: string; accounts: string[] };
    assert.equal(alert.typology, "structuring");
    assert.deepEqual(alert.accounts, ["acc-live"]);
    assert.match(got.id!, /^\d+$/);
    const seen = await analystFeed.until((e) => e.event === "alert");
    assert.match(seen.data!, /"accounts":\["ps_[a-z2-7]{26}"\]/);
    assert.doesNotMatch(seen.data!, /acc-live/);
    // The other exchange's officer learns only that the feed moved on (an id without data).
    const moved = await otherFeed.until((e) => e.id === got.id);
    assert.equal(moved.data, undefined);
    assert.ok(!otherFeed.events.some((e) => e.event === "alert"));
    await ownFeed.until((e) => e.comment === "heartbeat");
    await Promise.all([ownFeed.close(), otherFeed.close(), analystFeed.close()]);

    // Reconnecting with the last id seen before the alert gets it from the store; with its id, nothing.
    const resumed = follow(await fetch(`${url}/v1/alerts/stream`, { headers: { ...bitflyer, "last-event-id": String(Number(got.id) - 1) } }));
    assert.equal((await resumed.until((e) => e.event === "alert")).id, got.id);
    await resumed.close();
    const caughtUp = follow(await fetch(`${url}/v1/alerts/stream?after=${got.id}`, { headers: bitflyer }));
    await caughtUp.until((e) => e.comment === "heartbeat");
    assert.ok(!caughtUp.events.some((e) => e.event === "alert"));
    await caughtUp.close();

    // Metrics: public, Prometheus text, counting what happened above.
    const metrics = await fetch(`${url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get("content-type")!, /^text\/plain/);
    const text = await metrics.text();
    assert.match(text, /^kanshi_events_ingested_total\{outcome="accepted"\} 3$/m);
    assert.match(text, /^kanshi_alerts_raised_total\{typology="structuring"\} 1$/m);
    assert.match(text, /^kanshi_http_request_duration_seconds_count\{method="POST",route="\/v1\/events",status="200"\} 1$/m);
    assert.match(text, /^kanshi_http_request_duration_seconds_count\{method="GET",route="\/v1\/alerts\/stream",status="403"\} 1$/m);
    assert.match(text, /^kanshi_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/v1\/events",status="200"\} \d+$/m);
    assert.doesNotMatch(text, /acc-live|kk_/);
  });

  it("counts rejected and duplicate events by outcome", async () => {
    const bitflyer = await testCredentials(store, "exchange_officer", "bitflyer");
    const batch = [...deposits("bitflyer", "acc-m", "m"), deposits("bitflyer", "acc-m", "m")[0], { ...deposits("bitflyer", "acc-m", "x")[0], amount: 5 }];
    const res = await app.inject({ method: "POST", url: "/v1/events", headers: bitflyer, payload: batch });
    assert.equal(res.statusCode, 200);
    const text = (await app.inject({ url: "/metrics" })).body;
    assert.match(text, /^kanshi_events_ingested_total\{outcome="accepted"\} 6$/m);
    assert.match(text, /^kanshi_events_ingested_total\{outcome="duplicate"\} 1$/m);
    assert.match(text, /^kanshi_events_ingested_total\{outcome="rejected"\} 1$/m);
  });

  it("closing the server ends open streams (after() would hang otherwise)", async () => {
    const analyst = await testCredentials(store, "analyst");
    const open = follow(await fetch(`${url}/v1/alerts/stream`, { headers: analyst }));
    await open.until((e) => e.comment?.startsWith("connected") === true);
    left = open;
  });
});
