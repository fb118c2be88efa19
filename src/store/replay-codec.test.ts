import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { KanshiError, parseEvent, type Event } from "../contracts/index.ts";
import { simulate } from "../sim/simulate.ts";
import { ReplayDecoder, ReplayEncoder, decodeReplaySegment, encodeReplaySegment } from "./replay-codec.ts";

function simulatedEvents(seed: number, people: number): Event[] {
  const out: Event[] = [];
  for (const wire of simulate({ seed, people, days: 1, injections: true }).events) {
    const r = parseEvent(wire);
    if (r.ok) out.push(r.event);
  }
  return out;
}

const SIM = simulatedEvents(5, 400);

/** A value of the kinds events are made of (and a few they are not, to test the codec's edges). */
const valueArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.constantFrom("BTC", "JPY", "BTC/JPY", "coincheck", "deposit", "個人", ""),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double(),
    fc.constantFrom(0, -0, 2 ** 52, -(2 ** 52), 2 ** 53, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1.5e300),
    fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
    fc.bigInt({ min: 0n, max: 10n ** 9n }).map((m) => m * 10n ** 18n),
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((m) => m * 10n ** 12n),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom("id", "ts", "amount", "kyc", "a", "__proto__", "名前", "constructor"), tie("value"), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

const eventArb: fc.Arbitrary<Event> = fc
  .record({
    base: fc.constantFrom(...SIM),
    extra: fc.dictionary(fc.constantFrom("amount", "price", "note", "kyc", "memo"), valueArb, { maxKeys: 3, noNullPrototype: true }),
    time: fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }),
  })
  .map(({ base, extra, time }) => ({ ...base, ...extra, time }) as Event);

describe("replay codec", () => {
  test("a simulated consortium day decodes to exactly the events parseEvent gave", () => {
    assert.ok(SIM.length > 1000, `expected a real day, got ${SIM.length} events`);
    const types = new Set(SIM.map((e) => e.type));
    assert.ok(types.size >= 12, `expected most event types, got ${[...types].join(", ")}`);
    const bytes = encodeReplaySegment(SIM);
    assert.deepStrictEqual(decodeReplaySegment(bytes), SIM);
    // Compact: well under the NDJSON size.
    const json = SIM.reduce((n, e) => n + JSON.stringify(e, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)).length, 0);
    assert.ok(bytes.length < json / 2, `segment ${bytes.length} B, JSON ${json} B`);
  });

  test("decode(encode(e)) deep-equals e for arbitrary events, however they are cut into segments", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 25 }), (events, per) => {
        const decoded: Event[] = [];
        for (let i = 0; i < events.length; i += per) decoded.push(...decodeReplaySegment(encodeReplaySegment(events.slice(i, i + per))));
        assert.deepStrictEqual(decoded, events);
      }),
      { numRuns: 300 },
    );
  });

  test("values of every kind round-trip, including -0, huge bigints and a __proto__ key", () => {
    fc.assert(
      fc.property(fc.array(valueArb, { maxLength: 6 }), (values) => {
        const e = { type: "x", source: "s", id: "1", ts: "t", time: 0, values } as unknown as Event;
        const [back] = decodeReplaySegment(encodeReplaySegment([e]));
        assert.deepStrictEqual(back, e);
      }),
      { numRuns: 300 },
    );
    const tricky = JSON.parse('{"type":"x","__proto__":{"polluted":true},"n":-0}') as Record<string, unknown>;
    tricky.n = -0;
    const [back] = decodeReplaySegment(encodeReplaySegment([tricky as unknown as Event])) as unknown as Array<Record<string, unknown>>;
    assert.deepStrictEqual(Object.keys(back!), ["type", "__proto__", "n"]);
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.ok(Object.is(back!.n, -0));
  });

  test("objects come back with their keys in the written order, whatever the keys, in shapes of any width", () => {
    const odd = ["type", 'a"b', "back\\slash", "line\u2028sep", "0", "constructor", "toString", "}", "名前", ""];
    const wide = Array.from({ length: 70 }, (_, i) => `k${i}`);
    const objects = [odd, wide, [...wide].reverse(), odd].map((keys, j) => Object.fromEntries(keys.map((k, i) => [k, i === 0 ? `v${j}` : i])));
    const back = decodeReplaySegment(encodeReplaySegment(objects as unknown as Event[])) as unknown as Array<Record<string, unknown>>;
    assert.deepStrictEqual(back, objects);
    back.forEach((o, i) => assert.deepEqual(Object.keys(o), Object.keys(objects[i]!), `object ${i}`));
    assert.notEqual(back[0], back[3]);
    assert.equal(Object.getPrototypeOf(back[0]), Object.prototype);
    assert.equal(Object.hasOwn(back[0]!, "toString"), true);
  });

  test("the decoder reads one event at a time and counts", () => {
    const enc = new ReplayEncoder();
    for (const e of SIM.slice(0, 10)) enc.add(e);
    assert.equal(enc.count, 10);
    const dec = new ReplayDecoder(enc.finish());
    assert.equal(dec.count, 10);
    for (let i = 0; i < 10; i++) assert.deepStrictEqual(dec.next(), SIM[i]);
    assert.equal(dec.remaining, 0);
    assert.equal(dec.next(), undefined);
  });

  test("a corrupt, truncated or foreign segment is refused with an internal error, never misread", () => {
    const good = encodeReplaySegment(SIM.slice(0, 50));
    const internal = (f: () => unknown, what: RegExp) =>
      assert.throws(f, (e: unknown) => e instanceof KanshiError && e.kind === "internal" && what.test(e.message));
    internal(() => decodeReplaySegment(good.subarray(0, good.length - 3)), /truncated|corrupt/);
    internal(() => decodeReplaySegment(new Uint8Array([1, 2, 3, 4, 5])), /not a replay segment/);
    const otherFormat = good.slice();
    otherFormat[3] = 99;
    internal(() => decodeReplaySegment(otherFormat), /format 99/);
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    internal(() => decodeReplaySegment(trailing), /after the last event/);
    // Flipping any byte either decodes (to events, possibly different ones: the segment has no
    // checksum, the database guards its bytes) or throws the catalogue's internal error; nothing else.
    fc.assert(
      fc.property(fc.integer({ min: 4, max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const bad = good.slice();
        bad[at] = bad[at]! ^ x;
        try {
          for (const e of decodeReplaySegment(bad)) assert.equal(typeof e, "object");
        } catch (e) {
          assert.ok(e instanceof KanshiError && e.kind === "internal", String(e));
        }
      }),
      { numRuns: 300 },
    );
  });

  test("the encoder refuses what it cannot represent", () => {
    const enc = new ReplayEncoder();
    assert.throws(() => enc.add({ type: "x", f: () => 1 } as unknown as Event), /cannot encode a function/);
    assert.throws(() => enc.add({ type: "x", d: new Date(0) } as unknown as Event), /class instance/);
    enc.add({ type: "x", s: "\uD800" } as unknown as Event);
    assert.throws(() => enc.finish(), /unpaired surrogate/);
  });
});
