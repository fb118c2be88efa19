// `kanshi start` as `npm start` runs it: demo day into an empty store, detection, the API served
// until stopped; a second start reuses the data.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "./main.ts";
import { captureIo, type CapturedIo } from "./testing.ts";

async function runUntilListening(io: CapturedIo, stop: () => void): Promise<{ url: string; done: Promise<number> }> {
  const done = main(["start"], io);
  for (let i = 0; i < 1200; i++) {
    const m = /listening on (http:\/\/[^\s]+)/.exec(io.out());
    if (m) return { url: m[1]!, done };
    const early = await Promise.race([done, new Promise((r) => setTimeout(() => r(undefined), 100))]);
    if (early !== undefined) throw new Error(`start ended with ${String(early)}: ${io.err()}`);
  }
  stop();
  throw new Error(`start did not listen: ${io.out()} ${io.err()}`);
}

describe("kanshi start", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-start-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const env = () => ({ KANSHI_DATA: join(dir, "data"), PORT: "0", KANSHI_DEMO_PEOPLE: "400", LOG_LEVEL: "silent", CI: "true", KANSHI_SHARED_DATA: join(process.cwd(), "../shared/data") });

  it("loads the demo day, prints the summary, serves the API, stops cleanly; a second start reuses the data", async () => {
    let stop!: () => void;
    const first = captureIo({ cwd: dir, env: env(), stopSignal: new Promise<void>((r) => (stop = r)) });
    const { url, done } = await runUntilListening(first, () => stop());
    assert.match(first.out(), /empty store: simulating a demo consortium day \(seed 7, 400 people\)/);
    assert.match(first.out(), /alerts by typology:/);
    // Demo keys: printed once, and in <data>/demo-credentials.txt (0600).
    const printed = /analyst +(kk_[0-9a-f]{12}_[A-Za-z0-9_-]{43})/.exec(first.out())?.[1];
    assert.ok(printed, first.out());
    const file = join(dir, "data", "demo-credentials.txt");
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const key = /^KANSHI_ANALYST_KEY=(\S+)$/m.exec(await readFile(file, "utf8"))?.[1];
    assert.equal(key, printed);
    const admin = /^KANSHI_ADMIN_KEY=(\S+)$/m.exec(await readFile(file, "utf8"))?.[1];
    const auth = { authorization: `Bearer ${key}` };
    assert.equal((await fetch(`${url}/v1/alerts`)).status, 401);
    assert.equal((await fetch(`${url}/v1/alerts`, { headers: { authorization: `Bearer ${admin}` } })).status, 403);
    const alerts = (await (await fetch(`${url}/v1/alerts?limit=500`, { headers: auth })).json()) as { items: { typology: string }[] };
    const typologies = new Set(alerts.items.map((a) => a.typology));
    assert.ok(typologies.has("structuring") && typologies.has("pass-through"), `alerts: ${[...typologies].join(", ")}`);
    const officer = /^KANSHI_BITFLYER_KEY=(\S+)$/m.exec(await readFile(file, "utf8"))?.[1];
    const posted = await fetch(`${url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${officer}`, "content-type": "application/json" },
      body: JSON.stringify([{ id: "demo-post-1", type: "deposit", ts: "2026-11-02T10:00:00+09:00", source: "bitflyer", accountId: "acc-demo", asset: "JPY", amount: "1000", channel: "bank" }]),
    });
    assert.equal(posted.status, 200);
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { events: number };
    assert.ok(ready.events > 1000);
    stop();
    assert.equal(await done, 0);
    assert.match(first.out(), /stopped; the data stays/);

    let stop2!: () => void;
    const second = captureIo({ cwd: dir, env: env(), stopSignal: new Promise<void>((r) => (stop2 = r)) });
    const again = await runUntilListening(second, () => stop2());
    assert.match(second.out(), new RegExp(`store holds ${ready.events.toLocaleString("en-US")} events`));
    assert.doesNotMatch(second.out(), /simulating/);
    assert.doesNotMatch(second.out(), /kk_/);
    assert.match(second.out(), /demo API keys: see .*demo-credentials\.txt/);
    const after2 = (await (await fetch(`${again.url}/v1/alerts?limit=500`, { headers: auth })).json()) as { items: unknown[] };
    assert.equal(after2.items.length, alerts.items.length);
    stop2();
    assert.equal(await again.done, 0);
  });
});
