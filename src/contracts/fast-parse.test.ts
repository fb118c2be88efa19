// The fast validation path against zod, the source of truth: same keys, whatever the fast path
// accepts zod accepts with a deep-equal event (and the same key order), and parseEvent gives exactly
// zod's answer (the same issues, paths and messages) on valid and mutated events alike.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { EventSchema, IdentityFields, parseEvent, parseEventWithZod, toWire, type Event } from "./events.ts";
import { DATE, DATETIME, FAST_EVENT_FIELDS, IDENTITY_FIELDS, fastParseEvent, timestampMs } from "./fast-parse.ts";
import { parseMoney } from "./money.ts";
import { simulate } from "../sim/simulate.ts";

const wire = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));

/** The fast path either declines or agrees with zod exactly; parseEvent always answers as zod does. */
function agrees(value: unknown): { fast: Event | undefined } {
  const zod = parseEventWithZod(structuredClone(value));
  const fast = fastParseEvent(value);
  if (fast !== undefined) {
    assert.ok(zod.ok, `fast path accepted what zod rejects: ${wire(value)} → ${wire(zod)}`);
    assert.deepStrictEqual(fast, zod.event);
    assert.equal(wire(fast), wire(zod.event), "same keys in the same order");
  }
  assert.deepStrictEqual(parseEvent(value), zod);
  return { fast };
}

describe("fast-parse: field lists match the zod shapes", () => {
  const optional = (s: { safeParse(v: unknown): { success: boolean } }) => s.safeParse(undefined).success;
  test("every event type: the same keys, in order, with the same optionality", () => {
    const types = new Set<string>();
    for (const option of EventSchema.options) {
      const shape = option.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
      const type = (option.shape.type as unknown as { value: string }).value;
      types.add(type);
      const fields = FAST_EVENT_FIELDS[type];
      assert.ok(fields, `no fast fields for ${type}`);
      assert.deepStrictEqual(Object.keys(shape), ["id", "ts", "source", "type", ...fields.map((f) => f.key)], type);
      for (const f of fields) assert.equal(f.optional, optional(shape[f.key]!), `${type}.${f.key} optionality`);
    }
    assert.deepStrictEqual(new Set(Object.keys(FAST_EVENT_FIELDS)), types);
  });
  test("the timestamp and date patterns are the ones the zod schemas hold", () => {
    const patternOf = (s: unknown) => (s as { def: { pattern: RegExp } }).def.pattern.source;
    for (const option of EventSchema.options) assert.equal(patternOf(option.shape.ts), DATETIME.source);
    assert.equal(patternOf((IdentityFields.shape.dateOfBirth as unknown as { unwrap(): unknown }).unwrap()), DATE.source);
  });
  test("identity fields", () => {
    const shape = IdentityFields.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
    assert.deepStrictEqual(Object.keys(shape), IDENTITY_FIELDS.map((f) => f.key));
    for (const f of IDENTITY_FIELDS) assert.equal(f.optional, optional(shape[f.key]!), f.key);
  });
});

// Valid events: a simulated day (every event type the simulator writes) plus hand-made ones for the
// optional fields it leaves out.
const sim = simulate({ seed: 11, people: 150, days: 1 });
/** At most 150 events of each type (the market background is most of a day), as JSON gives them. */
const simulated: unknown[] = (() => {
  const perType = new Map<string, number>();
  const out: unknown[] = [];
  for (const e of sim.events) {
    const n = perType.get(e.type) ?? 0;
    if (n >= 150) continue;
    perType.set(e.type, n + 1);
    out.push(JSON.parse(JSON.stringify(e)));
  }
  return out;
})();
const ts = "2026-11-02T09:00:00.000+09:00";
const extra: unknown[] = [
  { id: "w1", type: "withdrawal", ts, source: "bf", accountId: "a1", asset: "ETH", amount: "0.000000000000000001", channel: "crypto", valueJpy: "0", network: "ethereum", toAddress: "0xAbC", counterpartyCountry: "SG", bankAccountHash: "h", counterpartyVasp: "v", travelRule: { originatorName: "X", beneficiaryName: "Y", beneficiaryVasp: "Z" } },
  { id: "l1", type: "login", ts: "2026-11-02T00:00:00Z", source: "cc", accountId: "a1", ip: "2001:db8::ff00:42:8329" },
  { id: "l2", type: "login", ts: "2024-02-29T23:59:59.123456+14:00", source: "cc", accountId: "a1", ip: "::ffff:192.0.2.1" },
  { id: "s1", type: "social.link", ts, source: "jicc", platform: "x", handle: "h", subject: { name: "n", corporateNumber: "1234567890123", declaredIncomeJpy: "12.5" }, verified: false },
  { id: "c1", type: "chain.transfer", ts, source: "r", network: "btc", txHash: "t", fromAddress: "bc1q", toAddress: "bc1r", asset: "BTC", amount: "123456789012345678.123456789012345678", blockHeight: 0 },
  { id: "x1", type: "address.label", ts, source: "r", network: "eth", address: "0x1", label: "mixer", confidence: 1, entityName: "e", reference: "r" },
  { id: "x2", type: "address.label", ts, source: "r", network: "eth", address: "0x1", label: "hack", confidence: 0 },
  { id: "u1", type: "account.updated", ts, source: "bf", accountId: "a1", kyc: {} },
  { id: "u2", type: "account.closed", ts, source: "bf", accountId: "a1", reason: "" },
  { id: "o1", type: "order.cancelled", ts, source: "bf", accountId: "a1", orderId: "o", market: "ETH/BTC", remainingQuantity: "0" },
  { id: "n1", type: "listing.announced", ts, source: "bf", asset: "XYZ", market: "XYZ/JPY", announcedAt: ts, listingAt: "2026-12-01T00:00:00+09:00" },
  { id: "m1", type: "market.snapshot", ts, source: "bf", market: "BTC/JPY", midPrice: "1", volume24h: "0", depthBid1pct: "0.5", depthAsk1pct: "7" },
  { id: "k1", type: "credit.report", ts, source: "cic", bureau: "cic", subject: { name: "n" }, creditScore: 1000, delinquencies: 0, bankruptcy: true, debtJpy: "0" },
];
const valid = [...simulated, ...extra];

describe("fast-parse: valid events", () => {
  test("the simulator's events and hand-made ones: the fast path accepts each, exactly as zod does", () => {
    const types = new Set<string>();
    for (const v of valid) {
      const { fast } = agrees(v);
      assert.ok(fast, `fast path declined a valid event: ${wire(v)}`);
      types.add(fast.type);
    }
    assert.deepStrictEqual([...types].sort(), Object.keys(FAST_EVENT_FIELDS).sort(), "every event type covered");
  });
  test("toWire of a fast-parsed event parses back to the same event", () => {
    for (const v of valid) {
      const e = fastParseEvent(v)!;
      assert.deepStrictEqual(fastParseEvent(JSON.parse(JSON.stringify(toWire(e)))), e);
    }
  });
});

// Mutations: tricky values put in place of any field (top level or nested), fields dropped, extra
// fields added. Many results are invalid, some stay valid; either way the paths must agree.
const longText = (n: number) => "あ".repeat(n);
const tricky = fc.oneof(
  fc.constantFrom<unknown>(
    undefined, null, true, false, 0, -0, 1, -1, 0.5, 1.5, 1001, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 1e21, [], {}, [1],
    "", " ", "0", "-0", "00", "01", "1.", ".5", "1.0", "-1", "-0.5", "1e5", "0x10", "１", "1,000", " 1", "1 ",
    "0.000000000000000001", "0.0000000000000000001", "999999999999999999999999.999999999999999999",
    "2026-11-02T09:00:00+09:00", "2026-11-02T09:00:00Z", "2026-11-02T09:00:00", "2026-11-02 09:00:00+09:00", "2025-02-29T00:00:00Z",
    "2024-02-29T00:00:00.5-03:30", "2026-11-02T24:00:00Z", "2026-11-02T09:00+09:00", "2026-13-01T00:00:00Z",
    "2024-02-29", "2025-02-29", "1990-01-01", "1990-1-1",
    "1.2.3.4", "255.255.255.255", "256.1.1.1", "01.2.3.4", "::", "::1", "2001:db8::1", "::ffff:1.2.3.4", "1::2::3", "::@1\\", "::1\n", "fe80::1%eth0",
    "BTC", "btc", "B", "ABCDEFGHIJKLM", "BTC/JPY", "btc/jpy", "BTC/", "JP", "jp", "JPN", "100-0001", "1000001", "100-00011", "1234567890123", "123456789012",
    "bank", "crypto", "internal", "buy", "sell", "limit", "market", "individual", "corporate", "citizen", "low", "mixer", "exchange", "nope",
    "deposit", "a-b_c.d", "-ab", "a b", longText(32), longText(33), longText(35), longText(36), longText(64), longText(65), longText(128), longText(129), longText(254), longText(255), longText(256), longText(257), longText(512), longText(513),
  ),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.ipV4(),
  fc.ipV6(),
  fc.stringMatching(/^-?(0|[1-9][0-9]{0,20})(\.[0-9]{1,19})?$/),
  fc.date({ min: new Date("0001-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }).map((d) => d.toISOString()),
);

type Json = Record<string, unknown>;
/** Every path to a field in the value: top-level keys and keys of nested objects. */
function paths(v: Json): string[][] {
  const out: string[][] = [];
  for (const [k, x] of Object.entries(v)) {
    out.push([k]);
    if (typeof x === "object" && x !== null && !Array.isArray(x)) for (const sub of Object.keys(x)) out.push([k, sub]);
  }
  return out;
}
const FIELD_NAMES = [...new Set([...Object.values(FAST_EVENT_FIELDS).flat().map((f) => f.key), ...IDENTITY_FIELDS.map((f) => f.key), "type", "id", "ts", "source", "extra", "time"])];

const mutation = fc.record({
  kind: fc.constantFrom("set", "drop", "add", "retype"),
  pick: fc.nat(),
  name: fc.constantFrom(...FIELD_NAMES),
  value: tricky,
  type: fc.constantFrom(...Object.keys(FAST_EVENT_FIELDS)),
});

function mutate(base: Json, ms: readonly { kind: string; pick: number; name: string; value: unknown; type: string }[]): Json {
  const v = structuredClone(base);
  for (const m of ms) {
    const all = paths(v);
    const at = all[m.pick % Math.max(1, all.length)];
    let parent: Json = v;
    if (at && at.length === 2 && (m.kind === "set" || m.kind === "drop" || m.kind === "add")) parent = v[at[0]!] as Json;
    const key = at?.[at.length - 1];
    if (m.kind === "set" && key !== undefined) parent[key] = m.value;
    else if (m.kind === "drop" && key !== undefined) delete parent[key];
    else if (m.kind === "add") parent[m.name] = m.value;
    else if (m.kind === "retype") v.type = m.type;
  }
  return v;
}

describe("fast-parse: mutated events", () => {
  test("property: whatever the fast path accepts, zod accepts identically; parseEvent answers as zod", () => {
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, ms) => {
        agrees(mutate(valid[i] as Json, ms));
      }),
      { numRuns: 2500 },
    );
  });
  test("property: one tricky value in each field of each valid event", () => {
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.nat(), tricky, (i, pick, value) => {
        agrees(mutate(valid[i] as Json, [{ kind: "set", pick, name: "x", value, type: "x" }]));
      }),
      { numRuns: 2500 },
    );
  });
  test("examples: rejected by both, with zod's paths", () => {
    const base = { id: "d1", type: "deposit", ts, source: "bf", accountId: "a1", asset: "BTC", amount: "1.5", channel: "bank" };
    const cases: [unknown, string[]][] = [
      [{ ...base, amount: 1.5 }, ["amount"]],
      [{ ...base, amount: "1.5000000000000000001" }, ["amount"]],
      [{ ...base, amount: "0" }, ["amount"]],
      [{ ...base, channel: "cash" }, ["channel"]],
      [{ ...base, accountId: undefined }, ["accountId"]],
      [{ ...base, ts: "2026-11-02T09:00:00" }, ["ts"]],
      [{ ...base, source: "b f" }, ["source"]],
      [{ ...base, type: "deposits" }, ["type"]],
      [{ id: "a", type: "account.opened", ts, source: "bf", accountId: "a", customerType: "individual", kyc: { name: "", postalCode: "1" } }, ["kyc.name", "kyc.postalCode"]],
      [{ id: "s", type: "social.link", ts, source: "bf", platform: "x", handle: "h" }, ["accountId"]],
      [{ id: "l", type: "login", ts, source: "bf", accountId: "a", ip: "::@1\\" }, ["ip"]],
      [[base], [""]],
    ];
    for (const [value, where] of cases) {
      assert.equal(fastParseEvent(value), undefined);
      const r = agrees(value);
      assert.equal(r.fast, undefined);
      const p = parseEvent(value);
      assert.ok(!p.ok);
      assert.deepStrictEqual(p.issues.map((i) => i.path), where, wire(value));
    }
  });
  test("a present-but-undefined optional field is left to zod (which keeps the key)", () => {
    const v = { id: "d1", type: "deposit", ts, source: "bf", accountId: "a1", asset: "BTC", amount: "1.5", channel: "bank", valueJpy: undefined };
    assert.equal(fastParseEvent(v), undefined);
    const r = parseEvent(v);
    assert.ok(r.ok && "valueJpy" in r.event);
  });
});

describe("fast-parse: the pieces", () => {
  test("property: timestampMs is Date.parse on every timestamp zod accepts", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("0000-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true }),
        fc.stringMatching(/^(\.\d{1,12})?$/),
        fc.constantFrom("Z", "+09:00", "-03:30", "+23:59", "-23:59", "+00:00", "-00:00"),
        (d, fraction, offset) => {
          const ts = d.toISOString().slice(0, 19) + fraction + offset;
          fc.pre(DATETIME.test(ts));
          assert.equal(timestampMs(ts), Date.parse(ts), ts);
        },
      ),
      { numRuns: 5000 },
    );
  });
  test("property: decimals become the same money as parseMoney", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^-?(0|[1-9][0-9]{0,24})(\.[0-9]{1,18})?$/), (text) => {
        const e = fastParseEvent({ id: "m", type: "market.snapshot", ts: "2026-11-02T00:00:00Z", source: "s", market: "BTC/JPY", midPrice: "1", volume24h: text });
        const m = parseMoney(text)!;
        if (m < 0n) assert.equal(e, undefined);
        else assert.equal((e as { volume24h?: bigint } | undefined)?.volume24h, m, text);
      }),
      { numRuns: 5000 },
    );
  });
});
