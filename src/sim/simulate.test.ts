import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { InjectionLabelSchema, isKanshiError, parseEvent, type EventInput } from "../contracts/index.ts";
import { simulate } from "./simulate.ts";
import { referenceMatches } from "./oracle.ts";
import { TYPOLOGIES } from "./inject.ts";

const OPTS = { seed: 11, people: 400, days: 2 } as const;
const sim = simulate(OPTS);
const events: EventInput[] = [...sim.events];

function digest(list: Iterable<unknown>): string {
  const h = createHash("sha256");
  for (const x of list) h.update(JSON.stringify(x)).update("\n");
  return h.digest("hex");
}

test("the same seed gives the same events, labels and people; another seed does not", () => {
  const again = simulate(OPTS);
  assert.equal(digest(again.events), digest(events));
  assert.equal(digest(again.labels), digest(sim.labels));
  assert.equal(digest(again.people), digest(sim.people));
  // iterating the same simulation twice gives the same stream too
  assert.equal(digest(sim.events), digest(events));
  const other = simulate({ ...OPTS, seed: 12 });
  assert.notEqual(digest(other.events), digest(events));
});

test("every event passes parseEvent, and stats.events counts them exactly", () => {
  assert.equal(events.length, sim.stats.events);
  for (let i = 0; i < events.length; i++) {
    const r = parseEvent(events[i]);
    if (!r.ok) assert.fail(`event ${i} (${events[i]!.type}) is invalid: ${JSON.stringify(r.issues)}`);
  }
  const types = new Set(events.map((e) => e.type));
  for (const t of ["account.opened", "account.updated", "login", "deposit", "withdrawal", "order.placed", "order.cancelled", "trade", "market.snapshot", "credit.report", "social.link", "address.label"]) {
    assert.ok(types.has(t as EventInput["type"]), `no ${t} events`);
  }
});

test("ids are unique per source and timestamps are JST and non-decreasing", () => {
  const seen = new Set<string>();
  let last = -Infinity;
  for (const e of events) {
    const key = `${e.source}:${e.id}`;
    assert.ok(!seen.has(key), `duplicate id ${key}`);
    seen.add(key);
    assert.match(e.ts, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+09:00$/);
    const t = Date.parse(e.ts);
    assert.ok(t >= last, `ts goes back at ${key}: ${e.ts}`);
    last = t;
  }
});

test("sources: 4+ exchanges, 5 bureaus (one national), 2+ research firms", () => {
  const by = (type: string) => new Set(events.filter((e) => e.type === type).map((e) => e.source));
  assert.ok(by("account.opened").size >= 4);
  assert.deepEqual([...by("credit.report")].sort(), ["cic", "jicc", "jnis", "ksc", "tcb"]);
  assert.ok(by("address.label").size >= 2);
});

test("markets: a snapshot at least every 15 minutes per market and venue, depth as base quantity", () => {
  const last = new Map<string, number>();
  const start = Date.parse(sim.stats.from);
  const end = Date.parse(sim.stats.to);
  for (const e of events) {
    if (e.type !== "market.snapshot") continue;
    const k = `${e.source}|${e.market}`;
    const t = Date.parse(e.ts);
    const prev = last.get(k) ?? start;
    assert.ok(t - prev <= 15 * 60_000, `${k}: gap before ${e.ts}`);
    last.set(k, t);
    assert.ok(Number(e.depthBid1pct) > 0 && Number(e.depthAsk1pct) > 0 && Number(e.volume24h) > 0);
  }
  const markets = new Set([...last.keys()].map((k) => k.split("|")[1]));
  for (const m of ["BTC/JPY", "ETH/JPY", "XRP/JPY", "XEM/JPY", "MONA/JPY"]) assert.ok(markets.has(m), `no ${m}`);
  for (const t of last.values()) assert.ok(end - t <= 15 * 60_000);
});

test("trades, orders and movements refer to opened accounts, after they were opened", () => {
  const selfTrades = new Set(sim.labels.filter((l) => l.typology === "wash-trade").flatMap((l) => l.events ?? []));
  const opened = new Map<string, number>();
  const closed = new Set<string>();
  const orders = new Set<string>();
  for (const e of events) {
    const t = Date.parse(e.ts);
    const check = (a: string) => {
      assert.ok(opened.has(a), `${e.type} ${e.source}:${e.id} names unknown account ${a}`);
      assert.ok(opened.get(a)! <= t);
      assert.ok(!closed.has(a), `${e.type} on closed account ${a}`);
    };
    switch (e.type) {
      case "account.opened":
        opened.set(e.accountId, t);
        break;
      case "account.closed":
        check(e.accountId);
        closed.add(e.accountId);
        break;
      case "login":
      case "deposit":
      case "withdrawal":
      case "account.updated":
        check(e.accountId);
        break;
      case "order.placed":
        check(e.accountId);
        orders.add(`${e.source}:${e.orderId}`);
        break;
      case "order.cancelled":
        check(e.accountId);
        assert.ok(orders.has(`${e.source}:${e.orderId}`), `cancel of unknown order ${e.orderId}`);
        break;
      case "trade":
        check(e.buyAccountId);
        check(e.sellAccountId);
        // one account on both sides only in an injected wash trade (a venue without self-trade prevention)
        if (!selfTrades.has(`${e.source}:${e.id}`)) assert.notEqual(e.buyAccountId, e.sellAccountId);
        for (const o of [e.buyOrderId, e.sellOrderId]) assert.ok(o !== undefined && orders.has(`${e.source}:${o}`), `trade ${e.id} names unknown order ${o}`);
        break;
      default:
        break;
    }
  }
});

test("labels are well-formed and refer to accounts and events that exist", () => {
  assert.ok(sim.labels.length >= 12);
  const keys = new Map(events.map((e) => [`${e.source}:${e.id}`, e]));
  const opened = new Map(events.filter((e) => e.type === "account.opened").map((e) => [(e as { accountId: string }).accountId, Date.parse(e.ts)]));
  const entities = new Set(sim.people.map((p) => p.personId));
  for (const l of sim.labels) {
    InjectionLabelSchema.parse(l);
    assert.ok(entities.has(l.entity!), `${l.injectionId}: unknown entity`);
    for (const a of l.accounts) {
      assert.ok(opened.has(a), `${l.injectionId}: account ${a} never opened`);
      assert.ok(opened.get(a)! <= Date.parse(l.from), `${l.injectionId}: account opened after the injection starts`);
    }
    assert.ok(l.events && l.events.length > 0);
    let first = Infinity;
    let lastT = -Infinity;
    for (const k of l.events!) {
      const e = keys.get(k);
      assert.ok(e !== undefined, `${l.injectionId}: event ${k} does not exist`);
      const t = Date.parse(e.ts);
      first = Math.min(first, t);
      lastT = Math.max(lastT, t);
    }
    assert.equal(first, Date.parse(l.from));
    assert.equal(lastT, Date.parse(l.to));
    // ids do not give injections away
    for (const k of l.events!) assert.doesNotMatch(k, /inj|label|struct|pass|moving/i);
  }
  assert.deepEqual(Object.keys(sim.stats.injections).sort(), [...TYPOLOGIES].sort());
});

test("people.ndjson: every account has exactly one owner, whose record keys exist", () => {
  const keys = new Set(events.map((e) => `${e.source}:${e.id}`));
  const owners = new Map<string, string>();
  for (const p of sim.people) {
    for (const a of p.accounts) {
      assert.ok(!owners.has(a.accountId), `account ${a.accountId} has two owners`);
      owners.set(a.accountId, p.personId);
      assert.ok(keys.has(a.record));
    }
    for (const r of p.creditReports) assert.ok(keys.has(r));
    for (const s of p.socialLinks) for (const r of s.records) assert.ok(keys.has(r));
  }
  const opened = events.filter((e) => e.type === "account.opened");
  assert.equal(owners.size, opened.length);
  assert.ok(sim.people.some((p) => p.kind === "corporate"));
  assert.ok(sim.people.filter((p) => p.accounts.length >= 2).length > sim.people.length * 0.3, "many people hold 2+ exchanges");
});

test("a clean population has no labels and nothing the reference rules would flag", () => {
  const clean = simulate({ seed: 5, people: 300, days: 2, injections: false });
  assert.deepEqual(clean.labels, []);
  assert.deepEqual(Object.keys(clean.stats.injections).sort(), [...TYPOLOGIES].sort());
  assert.ok(Object.values(clean.stats.injections).every((n) => n === 0));
  const list = [...clean.events];
  assert.ok(!list.some((e) => e.type === "deposit" && Number((e as { valueJpy?: string }).valueJpy) > 1e9));
  assert.deepEqual(referenceMatches(list), []);
  assert.deepEqual(referenceMatches(list, { snapshotScope: "source" }), []);
});

test("bad options are refused with a message that says where", () => {
  const bad = (o: unknown, path: string) => {
    try {
      simulate(o as never);
      assert.fail("expected an error");
    } catch (e) {
      assert.ok(isKanshiError(e), String(e));
      assert.equal(e.kind, "bad_input");
      assert.equal(e.path, path);
    }
  };
  bad({ seed: 1.5 }, "seed");
  bad({ seed: 1, people: 0 }, "people");
  bad({ seed: 1, days: 40 }, "days");
  bad({ seed: 1, start: "yesterday" }, "start");
  bad({ seed: 1, start: "2026-02-30" }, "start");
  bad({ seed: 1, injections: "yes" }, "injections");
  bad({ seed: 1, injections: ["structuring", "no-such-typology"] }, "injections[1]");
});

test("without the shared data folder, a built-in label set is used and a note says so", () => {
  const s = simulate({ seed: 3, people: 50, dataDir: "/nonexistent/kanshi-shared-data" });
  assert.equal(s.stats.addressLabels.origin, "built-in");
  assert.ok(s.notes.some((n) => /not found/.test(n) && /built-in/.test(n)));
  const labels = [...s.events].filter((e) => e.type === "address.label");
  assert.ok(labels.length >= 5 && labels.length <= 20);
  assert.equal(sim.stats.addressLabels.origin, "shared-data");
});

test("start may be a date or a timestamp; the period follows it", () => {
  const s = simulate({ seed: 2, people: 30, start: "2027-01-05" });
  assert.equal(s.stats.from, "2027-01-05T00:00:00.000+09:00");
  assert.equal(s.stats.to, "2027-01-06T00:00:00.000+09:00");
  const snaps = [...s.events].filter((e) => e.type === "market.snapshot");
  assert.equal(snaps[0]!.ts, "2027-01-05T00:00:00.000+09:00");
  const late = simulate({ seed: 2, people: 30, start: "2027-01-05T09:30:00Z" });
  assert.equal(late.stats.from, "2027-01-05T18:30:00.000+09:00");
  assert.equal([...late.events].find((e) => e.type === "market.snapshot")!.ts, "2027-01-05T18:30:00.000+09:00");
});

test("a list of typologies injects those alone, on the same background", () => {
  const only = simulate({ seed: 5, people: 300, days: 1, injections: ["structuring", "dormant-reactivation"] });
  assert.deepEqual([...new Set(only.labels.map((l) => l.typology))].sort(), ["dormant-reactivation", "structuring"]);
  assert.equal(only.stats.injections["pass-through"], 0);
  assert.ok(only.stats.injections.structuring! >= 4);
  assert.ok(!only.notes.some((n) => n.startsWith("pass-through:")), "no shortfall note for typologies not asked for");
});
