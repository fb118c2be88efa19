import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { AlertSchema, KanshiError, type Event } from "../contracts/index.ts";
import {
  canonicalJson,
  compareEvents,
  configVersionOf,
  createEngine,
  createRegistry,
  defaultRegistry,
  defineTypology,
  detect,
  detectWithStats,
  hit,
  listTypologies,
  BUILTIN_TYPOLOGIES,
  type EngineSnapshot,
} from "./index.ts";
import { z } from "zod";
import { syntheticEvents } from "./synthetic.ts";
import { at, replayWithOutcomes, shuffle, toEvent, toEvents, wireBuilder } from "./testkit.ts";

function throwsKanshi(f: () => unknown, kind: string, path: string | RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof KanshiError, `expected a KanshiError, got ${String(e)}`);
    assert.equal(e.kind, kind);
    if (typeof path === "string") assert.equal(e.path, path);
    else assert.match(e.path ?? "", path);
    assert.ok(e.message.startsWith(`${e.path}: `));
    return true;
  });
}

/** A stream that exercises every typology: background volume plus planted patterns. */
function mixedStream(): Event[] {
  const b = wireBuilder("exb");
  const planted = toEvents([
    b.opened("s1", "individual", 0),
    b.deposit("s1", 1, "1950000"), b.deposit("s1", 20, "1900000"), b.deposit("s1", 40, "1990000"),
    b.deposit("p1", 2, "1000000"), b.withdrawal("p1", 4, "900000"),
    b.snapshot("XEM/JPY", 0, "5", { volume24h: "10000000", depthBid1pct: "500000" }),
    b.deposit("m1", 3, "2000000", { asset: "XEM", channel: "crypto" }),
  ]);
  return [...syntheticEvents({ count: 3000, seed: 3, accounts: 60, meanGapMs: 60_000, start: Date.parse(at(0)) }), ...planted];
}

describe("registry", () => {
  test("refuses a duplicate id", () => {
    assert.throws(() => createRegistry([...BUILTIN_TYPOLOGIES, BUILTIN_TYPOLOGIES[0]!]), (e: unknown) => e instanceof KanshiError && e.kind === "conflict" && /structuring/.test(e.message));
  });

  test("refuses a typology whose defaults fail its own schema", () => {
    const bad = defineTypology({
      id: "bad-defaults", version: "1.0.0", description: "x", configSchema: z.strictObject({ n: z.number().int() }), defaultConfig: { n: 1.5 },
      eventTypes: ["login"], prepare: (c) => c, initialState: () => ({}), onEvent: () => hit([]),
    });
    assert.throws(() => createRegistry([bad]), KanshiError);
  });

  test("lists the built-ins with their default config versions", () => {
    const list = listTypologies();
    // the foundation's three first, in order; later typologies follow them
    assert.deepEqual(list.map((t) => t.id).slice(0, 3), ["structuring", "pass-through", "market-moving-transfer"]);
    assert.deepEqual(list.map((t) => t.id), [...defaultRegistry.ids()]);
    for (const t of list) {
      assert.match(t.version, /^\d+\.\d+\.\d+$/);
      assert.match(t.configVersion, /^[0-9a-f]{12}$/);
      assert.equal(t.configVersion, configVersionOf(defaultRegistry.get(t.id)!.defaultConfig));
      assert.ok(t.description.length > 20);
    }
  });
});

describe("config", () => {
  test("overrides merge over defaults; the engine reports what runs", () => {
    const engine = createEngine({ configs: { structuring: { windowDays: 3 }, "market-moving-transfer": { corporate: { depthShare: 2 } } } });
    const s = engine.typologies.find((t) => t.id === "structuring")!;
    assert.deepEqual(s.config, { windowDays: 3, minCount: 3, lowerRatio: 0.8, thresholdJpy: { bank: 2_000_000, crypto: 100_000 } });
    const m = engine.typologies.find((t) => t.id === "market-moving-transfer")!;
    assert.deepEqual(m.config, { referenceMarket: "BTC/JPY", individual: { volumeShare: 0.05, depthShare: 0.5 }, corporate: { volumeShare: 0.1, depthShare: 2 } });
  });

  test("configVersion is a hash of canonical JSON: key order does not matter, values do", () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, 2], c: "x" } }), '{"a":{"c":"x","d":[1,2]},"b":1}');
    assert.equal(configVersionOf({ a: 1, b: 2 }), configVersionOf({ b: 2, a: 1 }));
    const v = (o: object) => createEngine({ typologies: ["structuring"], configs: { structuring: o } }).typologies[0]!.configVersion;
    assert.equal(v({}), v({ windowDays: 7 }));
    assert.notEqual(v({}), v({ windowDays: 6 }));
    assert.notEqual(v({}), v({ thresholdJpy: { crypto: 100_001 } }));
  });

  test("bad config is bad_input with the path", () => {
    throwsKanshi(() => createEngine({ configs: { structuring: { windowDays: -1 } } }), "bad_input", "structuring.windowDays");
    throwsKanshi(() => createEngine({ configs: { structuring: { windowDays: "7" } } }), "bad_input", "structuring.windowDays");
    throwsKanshi(() => createEngine({ configs: { structuring: { thresholdJpy: { bank: 1.5 } } } }), "bad_input", "structuring.thresholdJpy.bank");
    throwsKanshi(() => createEngine({ configs: { structuring: { windwoDays: 7 } } }), "bad_input", "structuring.windwoDays");
    throwsKanshi(() => createEngine({ configs: { "pass-through": { withdrawnShare: 1.2 } } }), "bad_input", "pass-through.withdrawnShare");
    throwsKanshi(() => createEngine({ configs: { "market-moving-transfer": { referenceMarket: "BTC/USD" } } }), "bad_input", "market-moving-transfer.referenceMarket");
    throwsKanshi(() => createEngine({ configs: { structuring: 7 } }), "bad_input", "structuring");
    throwsKanshi(() => createEngine({ configs: { smurfing: {} } }), "bad_input", "smurfing");
    throwsKanshi(() => createEngine({ typologies: ["structuring", "nope"] }), "bad_input", "typologies[1]");
  });
});

describe("engine", () => {
  test("alerts conform to the contract and name evidence that was in the input", () => {
    const events = mixedStream();
    const alerts = detect(events);
    const keys = new Set(events.map((e) => `${e.source}:${e.id}`));
    const byTypology = new Set(alerts.map((a) => a.typology));
    for (const t of ["market-moving-transfer", "pass-through", "structuring"]) assert.ok(byTypology.has(t), `no ${t} alert`);
    for (const a of alerts) {
      AlertSchema.parse(a);
      for (const k of a.evidence) assert.ok(keys.has(k), `unknown evidence ${k}`);
      const lastEvidence = events.filter((e) => a.evidence.includes(`${e.source}:${e.id}`)).reduce((m, e) => Math.max(m, e.time), 0);
      assert.equal(Date.parse(a.ts), lastEvidence, "ts is the time of the last evidence event");
    }
  });

  test("determinism: shuffled input gives identical alerts, ids included", () => {
    const events = mixedStream();
    const reference = detect(events);
    assert.ok(reference.length > 3);
    for (const seed of [1, 2, 3]) assert.deepEqual(detect(shuffle(events, seed)), reference);
    assert.deepEqual(detect(new Set(shuffle(events, 9))), reference, "any iterable");
  });

  test("ties in time are ordered by source then id, whatever the input order", () => {
    const events = syntheticEvents({ count: 4000, seed: 5, accounts: 25, meanGapMs: 1, start: Date.parse(at(0)) })
      .map((e, i) => (i % 3 === 0 ? ({ ...e, source: "alt" } as Event) : e));
    const sorted = [...events].sort(compareEvents);
    const engine = createEngine();
    const live = sorted.flatMap((e) => engine.push(e));
    live.push(...engine.flush());
    assert.ok(live.length > 0);
    assert.deepEqual(detect(events), live);
    assert.deepEqual(detect(shuffle(events, 4)), live);
    assert.deepEqual(detect([...events].reverse()), live);
  });

  test("a repeated idempotency key is evaluated once", () => {
    const b = wireBuilder();
    const events = toEvents([b.deposit("a", 0, "1950000"), b.deposit("a", 1, "1950000"), b.deposit("a", 2, "1950000")]);
    assert.deepEqual(detect([...events, events[0]!, events[1]!]), detect(events));
  });

  test("push (live) and detect (batch) agree on time-ordered input", () => {
    const events = [...mixedStream()].sort((x, y) => x.time - y.time || (x.source < y.source ? -1 : x.source > y.source ? 1 : x.id < y.id ? -1 : 1));
    const engine = createEngine();
    const live = events.flatMap((e) => engine.push(e));
    live.push(...engine.flush());
    assert.deepEqual(live, detect(events));
  });

  test("bad or unexpected events become outcomes, never exceptions", () => {
    const b = wireBuilder();
    const [dep, wd] = toEvents([b.deposit("a", 0, "1000000"), b.withdrawal("a", 1, "0.5", { asset: "BTC", channel: "crypto" })]);
    const noValue = wd!; // a crypto withdrawal without valueJpy
    const garbage = [
      { ...dep!, id: "x1", amount: "lots" },
      { ...dep!, id: "x2", accountId: undefined },
      { ...dep!, id: "x3", time: Number.NaN, ts: "yesterday" },
      { id: "x4", source: "exa", type: "trade", time: dep!.time + 1, ts: dep!.ts },
      { ...dep!, id: "x5", type: "withdrawal", channel: "crypto", asset: "XEM", amount: 5n, valueJpy: -1n },
      null,
      "not an event",
    ] as unknown as Event[];
    const { alerts, outcomes } = replayWithOutcomes([dep!, noValue, ...garbage]);
    assert.deepEqual(alerts, []);
    // outcomes of the foundation's three typologies (later ones are tested in their own folders)
    const core = new Set(["structuring", "pass-through", "market-moving-transfer"]);
    const kinds = (key: string) => outcomes.filter((o) => o.event === key && core.has(o.typology)).map((o) => `${o.typology}:${o.kind}`);
    assert.deepEqual(kinds("exa:wd-0002"), ["structuring:skip", "pass-through:skip", "market-moving-transfer:not-enough-history"]);
    assert.ok(kinds("exa:x1").includes("structuring:error"));
    assert.deepEqual(kinds("exa:x2"), ["structuring:error", "pass-through:error", "market-moving-transfer:error"]);
    assert.deepEqual(kinds("exa:x4"), ["pass-through:error"]);
    assert.ok(kinds("exa:x5").includes("structuring:error"));
    assert.ok(kinds("exa:x5").includes("pass-through:error"));
    const { stats } = detectWithStats([dep!, noValue, ...garbage]);
    assert.equal(stats.rejected, 3); // x3 (no usable time), null, a string
    assert.ok(stats.byTypology.structuring!.error >= 2);
    assert.ok(stats.recentIssues.every((i) => !JSON.stringify(i).includes("Test Subject")));
  });

  test("a typology that throws yields an error outcome and the stream goes on", () => {
    const boom = defineTypology({
      id: "boom", version: "0.1.0", description: "throws on every login", configSchema: z.strictObject({}), defaultConfig: {},
      eventTypes: ["login"], prepare: () => ({}), initialState: () => ({}),
      onEvent: () => {
        throw new TypeError("secret value 12345");
      },
    });
    const registry = createRegistry([...BUILTIN_TYPOLOGIES, boom]);
    const b = wireBuilder();
    const events = toEvents([b.login("a", 0), b.deposit("a", 1, "1950000"), b.deposit("a", 2, "1950000"), b.deposit("a", 3, "1950000")]);
    const { alerts, stats } = detectWithStats(events, { registry });
    assert.equal(alerts.length, 1);
    assert.equal(stats.byTypology.boom!.error, 1);
    assert.equal(stats.recentIssues[0]!.reason, "TypeError thrown while evaluating");
  });

  test("stats count what happened", () => {
    const { alerts, stats } = detectWithStats(mixedStream());
    assert.equal(stats.events, 3008);
    assert.equal(stats.alerts, alerts.length);
    assert.equal(Object.values(stats.byTypology).reduce((n, t) => n + t.alerts, 0), alerts.length);
    assert.ok(stats.markets >= 3);
    assert.ok(stats.watermark !== null);
  });
});

describe("snapshot / restore", () => {
  test("a snapshot survives JSON and refuses an engine with another config", () => {
    const events = mixedStream().sort((x, y) => x.time - y.time);
    const engine = createEngine();
    for (const e of events.slice(0, 1500)) engine.push(e);
    const snap = JSON.parse(JSON.stringify(engine.snapshot())) as EngineSnapshot;
    const other = createEngine({ configs: { structuring: { windowDays: 5 } } });
    throwsKanshi(() => other.restore(snap), "bad_input", "snapshot.typologies[0].configVersion");
    throwsKanshi(() => createEngine({ typologies: ["structuring"] }).restore(snap), "bad_input", "snapshot.typologies");
    throwsKanshi(() => createEngine().restore({ ...snap, format: "nope" } as unknown as EngineSnapshot), "bad_input", "snapshot.format");
    const restored = createEngine();
    restored.restore(snap);
    assert.deepEqual(restored.stats(), { ...engine.stats(), recentIssues: [] });
  });

  test("property: snapshot at k, then replay k..n, gives the same alerts as a full replay", () => {
    const accounts = ["a", "b", "c"];
    const amountArb = fc.oneof(
      fc.integer({ min: 1_600_000, max: 1_999_999 }), // bank structuring band
      fc.integer({ min: 80_000, max: 99_999 }), // crypto structuring band
      fc.integer({ min: 400_000, max: 3_000_000 }), // pass-through sizes
      fc.integer({ min: 1, max: 50_000 }),
    );
    const eventArb = fc.record({
      kind: fc.constantFrom("deposit", "withdrawal", "cdeposit", "cwithdrawal", "trade", "snapshot", "opened"),
      account: fc.constantFrom(...accounts),
      other: fc.constantFrom(...accounts),
      amount: amountArb,
      gapMinutes: fc.integer({ min: 0, max: 24 * 60 }),
    });
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 60 }), fc.nat(), (specs, kSeed) => {
        const b = wireBuilder("prop");
        let hours = 0;
        const wire = specs.map((s) => {
          hours += s.gapMinutes / 60;
          switch (s.kind) {
            case "deposit": return b.deposit(s.account, hours, String(s.amount));
            case "withdrawal": return b.withdrawal(s.account, hours, String(s.amount));
            case "cdeposit": return b.deposit(s.account, hours, String(s.amount / 5), { asset: "XEM", channel: "crypto", valueJpy: String(s.amount) });
            case "cwithdrawal": return b.withdrawal(s.account, hours, String(s.amount / 5), { asset: "XEM", channel: "crypto", valueJpy: String(s.amount) });
            case "trade": return b.trade(s.account, s.other, hours, "XEM/JPY", String(s.amount / 5), "5");
            case "snapshot": return b.snapshot("XEM/JPY", hours, "5", { volume24h: String(s.amount * 10), depthBid1pct: String(s.amount), depthAsk1pct: String(s.amount) });
            case "opened": return b.opened(s.account, s.amount % 2 ? "corporate" : "individual", hours);
          }
        });
        const events = toEvents(wire);
        const full = detect(events);
        const k = kSeed % (events.length + 1);
        const first = createEngine();
        const before = events.slice(0, k).flatMap((e) => first.push(e));
        const snap = JSON.parse(JSON.stringify(first.snapshot())) as EngineSnapshot;
        const second = createEngine();
        second.restore(snap);
        const after = events.slice(k).flatMap((e) => second.push(e));
        after.push(...second.flush());
        assert.deepEqual([...before, ...after], full);
      }),
      { numRuns: 150, seed: 20250106 },
    );
  });
});

test("toEvent refuses a malformed fixture loudly (harness sanity)", () => {
  assert.throws(() => toEvent({ type: "deposit", id: "x", ts: "2025-01-06T00:00:00Z", source: "exa" }), /accountId/);
});
