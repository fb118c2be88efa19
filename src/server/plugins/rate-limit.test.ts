import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Store } from "../../store/ports.ts";
import { createStoreTemplate } from "../../store/testing/template.ts";
import type { KanshiApp } from "../app.ts";
import { buildTestApp, testCredentials } from "../testing.ts";
import { FailureThrottle, TokenBuckets } from "./rate-limit.ts";

describe("token buckets", () => {
  it("allow the burst, then one request per refill interval, each key on its own", () => {
    const b = new TokenBuckets({ perSecond: 2, burst: 3 });
    assert.deepEqual([0, 0, 0].map(() => b.take("a", 1000)), [0, 0, 0]);
    assert.equal(b.take("a", 1000), 500); // next token in 0.5 s
    assert.equal(b.take("b", 1000), 0);
    assert.equal(b.take("a", 1250), 250);
    assert.equal(b.take("a", 1500), 0);
    assert.equal(b.take("a", 1500), 500);
    assert.equal(b.take("a", 10_000), 0); // refilled, but never above the burst
    assert.equal(b.take("a", 10_000), 0);
    assert.equal(b.take("a", 10_000), 0);
    assert.ok(b.take("a", 10_000) > 0);
    assert.throws(() => new TokenBuckets({ perSecond: 0 }), /perSecond/);
    assert.throws(() => new TokenBuckets({ burst: 0.5 }), /burst/);
  });

  it("failure throttle: free failures, then doubling lock-outs; forgotten after the window; cleared by success", () => {
    const t = new FailureThrottle({ freeFailures: 2, baseLockMs: 100, maxLockMs: 350, windowMs: 10_000 });
    t.fail("k", 0);
    t.fail("k", 0);
    assert.equal(t.blockedFor("k", 0), 0);
    t.fail("k", 0);
    assert.equal(t.blockedFor("k", 0), 100);
    t.fail("k", 100);
    assert.equal(t.blockedFor("k", 100), 200);
    t.fail("k", 300);
    assert.equal(t.blockedFor("k", 300), 350); // capped
    assert.equal(t.blockedFor("k", 20_000), 0);
    t.fail("j", 0);
    t.fail("j", 0);
    t.fail("j", 0);
    t.succeed("j");
    assert.equal(t.blockedFor("j", 0), 0);
  });
});

describe("rate limits over HTTP", () => {
  let store: Store;
  let app: KanshiApp;
  let clock = 1_000_000;
  before(async () => {
    store = await (await createStoreTemplate()).open();
    app = await buildTestApp(store, { now: () => clock, rateLimit: { perSecond: 1, burst: 3 }, auth: { credentialThrottle: { freeFailures: 2, baseLockMs: 2000 } } });
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  it("answers 429 rate_limited with Retry-After once a principal's bucket is empty; others and probes are unaffected", async () => {
    const a = await testCredentials(store, "analyst");
    const b = await testCredentials(store, "analyst");
    for (let i = 0; i < 3; i++) assert.equal((await app.inject({ url: "/v1/alerts", headers: a })).statusCode, 200);
    const limited = await app.inject({ url: "/v1/alerts", headers: a });
    assert.equal(limited.statusCode, 429);
    assert.deepEqual(Object.keys(limited.json().error).sort(), ["code", "message"]);
    assert.equal(limited.json().error.code, "rate_limited");
    assert.equal(limited.headers["retry-after"], "1");
    assert.equal((await app.inject({ url: "/v1/alerts", headers: b })).statusCode, 200);
    for (let i = 0; i < 5; i++) assert.equal((await app.inject({ url: "/healthz" })).statusCode, 200);
    clock += 1000;
    assert.equal((await app.inject({ url: "/v1/alerts", headers: a })).statusCode, 200);
  });

  it("locks out an address that keeps presenting bad credentials (429 before the key is looked at)", async () => {
    const bad = { authorization: `Bearer kk_0123456789ab_${"A".repeat(43)}` };
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await app.inject({ url: "/v1/alerts", headers: bad, remoteAddress: "10.0.0.9" })).statusCode);
    assert.deepEqual(codes, [401, 401, 401, 429]);
    const good = await testCredentials(store, "analyst");
    const locked = await app.inject({ url: "/v1/alerts", headers: good, remoteAddress: "10.0.0.9" });
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.headers["retry-after"], "2");
    assert.equal((await app.inject({ url: "/v1/alerts", headers: good, remoteAddress: "10.0.0.10" })).statusCode, 200);
    clock += 2000;
    assert.equal((await app.inject({ url: "/v1/alerts", headers: good, remoteAddress: "10.0.0.9" })).statusCode, 200);
  });
});
