// The contract every Store adapter must pass (run by pglite.test.ts and postgres.test.ts).
// `open` must return a new, empty, migrated store each time it is called; the suite closes it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Alert } from "../contracts/alerts.ts";
import { isKanshiError } from "../contracts/errors.ts";
import { AuditTrail, chainRecord, generateAuditKeyPair, parseAuditSigningKey, verifyAuditLog, type AuditRecord } from "../privacy/index.ts";
import type { AlertQuery, AppendOutcome, ScanOptions, Store, StoredEvent, StoredEventInput } from "./ports.ts";

// ---- fixtures (all synthetic) ---------------------------------------------------------------------

const T0 = Date.UTC(2024, 3, 1, 0, 0, 0);

function ev(source: string, id: string, time: number, extra: { type?: string; note?: string } = {}): StoredEventInput {
  const type = extra.type ?? "deposit";
  const ts = new Date(time).toISOString().replace("Z", "+00:00");
  const wire = { id, ts, source, type, accountId: `acc-${id}`, asset: "JPY", amount: "1000", channel: "bank", note: extra.note ?? "first" };
  return { source, id, type, time, ts, body: JSON.stringify(wire) };
}

const key = (e: { source: string; id: string }) => `${e.source}\u0000${e.id}`;

/** Byte order of UTF-8, the "C" collation the store sorts text by. */
function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function eventTimeCompare(a: StoredEventInput, b: StoredEventInput): number {
  return a.time - b.time || byteCompare(a.source, b.source) || byteCompare(a.id, b.id);
}

async function collect(store: Store, opts?: ScanOptions): Promise<{ events: StoredEvent[]; pages: number[] }> {
  const events: StoredEvent[] = [];
  const pages: number[] = [];
  for await (const page of store.scanEvents(opts)) {
    pages.push(page.length);
    events.push(...page);
  }
  return { events, pages };
}

async function stored(store: Store): Promise<Map<string, StoredEvent>> {
  const m = new Map<string, StoredEvent>();
  for (const e of (await collect(store, { order: "ingest" })).events) m.set(key(e), e);
  return m;
}

async function rejectsWith(p: Promise<unknown>, kind: string, path: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isKanshiError(e), `expected a KanshiError, got ${String(e)}`);
    assert.equal(e.kind, kind);
    assert.equal(e.path, path);
    return true;
  });
}

function alert(n: number, over: Partial<Alert> = {}): Alert {
  return {
    id: `al_${n.toString().padStart(4, "0")}`,
    typology: "structuring",
    typologyVersion: "1.0.0",
    configVersion: "c1",
    ts: new Date(T0 + n * 60_000).toISOString(),
    subject: { kind: "account", id: `acc-${n}` },
    accounts: [`acc-${n}`],
    score: 50,
    evidence: [`ex:${n}`],
    explanation: `synthetic alert ${n}`,
    ...over,
  };
}

function alertOrder(a: Alert, b: Alert): number {
  return Date.parse(b.ts) - Date.parse(a.ts) || byteCompare(b.id, a.id);
}

// ---- the suite ------------------------------------------------------------------------------------

export function runStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    describe("a new store", () => {
      let store: Store;
      before(async () => {
        store = await open();
      });
      after(async () => {
        await store?.close();
      });

      it("is empty", async () => {
        assert.equal(await store.countEvents(), 0);
        assert.deepEqual(await store.countEventsByType(), {});
        assert.deepEqual((await collect(store)).pages, []);
        assert.deepEqual((await collect(store, { order: "ingest" })).pages, []);
        assert.deepEqual(await store.listAlerts({}), { items: [], nextCursor: null });
        assert.deepEqual(await store.countAlertsByTypology(), {});
        assert.equal(await store.getMeta("demo.seeded"), undefined);
      });

      it("keeps meta values: absent, set, overwritten", async () => {
        assert.equal(await store.getMeta("demo.seeded"), undefined);
        await store.setMeta("demo.seeded", "2024-04-01");
        await store.setMeta("other", "x");
        assert.equal(await store.getMeta("demo.seeded"), "2024-04-01");
        await store.setMeta("demo.seeded", "2024-04-02");
        assert.equal(await store.getMeta("demo.seeded"), "2024-04-02");
        assert.equal(await store.getMeta("other"), "x");
        await rejectsWith(store.getMeta(""), "bad_input", "key");
      });

      it("close is idempotent and a closed store refuses calls", async () => {
        await store.close();
        await store.close();
        await assert.rejects(store.countEvents(), (e: unknown) => isKanshiError(e) && e.kind === "unavailable");
      });
    });

    describe("appendEvents", () => {
      let store: Store;
      before(async () => {
        store = await open();
      });
      after(async () => {
        await store?.close();
      });

      it("returns one outcome per input, in input order, and stores the accepted events", async () => {
        const [a, b, c, d] = ["a", "b", "c", "d"].map((id, i) => ev("ex1", `order-${id}`, T0 + i));
        assert.deepEqual(await store.appendEvents([a!, b!]), ["accepted", "accepted"]);
        assert.deepEqual(await store.appendEvents([c!, a!, d!, b!]), ["accepted", "duplicate", "accepted", "duplicate"]);
        const m = await stored(store);
        for (const e of [a!, b!, c!, d!]) {
          const s = m.get(key(e));
          assert.ok(s, `${e.id} stored`);
          assert.deepEqual({ source: s.source, id: s.id, type: s.type, time: s.time, ts: s.ts, body: s.body }, e);
        }
      });

      it("stores a duplicate within a batch once; the first occurrence wins", async () => {
        const first = ev("ex1", "dup-in-batch", T0, { note: "first" });
        const second = ev("ex1", "dup-in-batch", T0 + 5, { note: "second" });
        const other = ev("ex1", "dup-in-batch-other", T0);
        const before = await store.countEvents();
        assert.deepEqual(await store.appendEvents([first, other, second, first]), ["accepted", "accepted", "duplicate", "duplicate"]);
        assert.equal(await store.countEvents(), before + 2);
        const s = (await stored(store)).get(key(first));
        assert.equal(s?.body, first.body);
        assert.equal(s?.time, first.time);
      });

      it("does not store an event again in a later batch, even with another body or time", async () => {
        const e = ev("ex2", "across", T0, { note: "first" });
        assert.deepEqual(await store.appendEvents([e]), ["accepted"]);
        const before = await store.countEvents();
        const again = ev("ex2", "across", T0 + 1000, { note: "changed" });
        assert.deepEqual(await store.appendEvents([again, e]), ["duplicate", "duplicate"]);
        assert.equal(await store.countEvents(), before);
        assert.equal((await stored(store)).get(key(e))?.body, e.body);
      });

      it("keys by (source, id): one id from two sources is two events", async () => {
        const out = await store.appendEvents([ev("ex-a", "same-id", T0), ev("ex-b", "same-id", T0)]);
        assert.deepEqual(out, ["accepted", "accepted"]);
      });

      it("accepts an empty batch", async () => {
        const before = await store.countEvents();
        assert.deepEqual(await store.appendEvents([]), []);
        assert.deepEqual(await store.appendEvents([], { atomic: true }), []);
        assert.equal(await store.countEvents(), before);
      });

      it("stores an atomic batch larger than one statement whole, with exact outcomes", async () => {
        const old = Array.from({ length: 100 }, (_, i) => ev("big", `old-${i}`, T0 + i));
        await store.appendEvents(old);
        const before = await store.countEvents();
        const batch: StoredEventInput[] = [];
        const expected: AppendOutcome[] = [];
        for (let i = 0; i < 12_000; i++) {
          batch.push(ev("big", `new-${i}`, T0 + (i % 97)));
          expected.push("accepted");
          if (i % 120 === 0) {
            batch.push(old[i / 120]!); // already stored
            expected.push("duplicate");
          }
          if (i % 250 === 7) {
            batch.push(ev("big", `new-${i - 3}`, T0)); // repeated earlier in this batch
            expected.push("duplicate");
          }
        }
        const out = await store.appendEvents(batch, { atomic: true });
        assert.equal(out.length, batch.length);
        assert.deepEqual(out, expected);
        assert.equal(await store.countEvents(), before + 12_000);
        // seq follows input order within the batch, however it was split up internally.
        const ingest = (await collect(store, { order: "ingest", batchSize: 5000 })).events.filter((e) => e.source === "big" && e.id.startsWith("new-"));
        assert.deepEqual(ingest.map((e) => e.id), batch.filter((_, i) => out[i] === "accepted").map((e) => e.id));
      });

      it("refuses a batch with a malformed event whole, before storing any of it", async () => {
        const good = ev("ex3", "good-1", T0);
        const before = await store.countEvents();
        const bad = { ...ev("ex3", "bad", T0), time: 1.5 };
        await rejectsWith(store.appendEvents([good, ev("ex3", "good-2", T0), bad], { atomic: true }), "bad_input", "batch[2].time");
        await rejectsWith(store.appendEvents([good, { ...good, id: "nul\u0000id" }]), "bad_input", "batch[1].id");
        await rejectsWith(store.appendEvents([{ ...good, source: "" }]), "bad_input", "batch[0].source");
        await rejectsWith(store.appendEvents([{ ...good, body: "{\"x\":\"\uD800\"}" }]), "bad_input", "batch[0].body");
        assert.equal(await store.countEvents(), before);
        assert.deepEqual(await store.appendEvents([good]), ["accepted"]);
      });

      it("counts events, in total and by type", async () => {
        const total = await store.countEvents();
        const types = await store.countEventsByType();
        const batch = [
          ev("cnt", "1", T0, { type: "login" }),
          ev("cnt", "2", T0, { type: "login" }),
          ev("cnt", "3", T0, { type: "trade" }),
          ev("cnt", "1", T0, { type: "login" }), // duplicate: not counted
        ];
        await store.appendEvents(batch);
        assert.equal(await store.countEvents(), total + 3);
        const after = await store.countEventsByType();
        assert.equal(after.login, (types.login ?? 0) + 2);
        assert.equal(after.trade, (types.trade ?? 0) + 1);
        assert.equal(after.deposit, types.deposit);
        assert.equal(Object.values(after).reduce((a, b) => a + b, 0), total + 3);
      });

      it("accepts each event exactly once when batches overlap and run concurrently", async () => {
        const keys = Array.from({ length: 300 }, (_, i) => ev("conc", `k${i}`, T0 + i));
        const shuffled = (seed: number) => {
          const a = [...keys];
          for (let i = a.length - 1; i > 0; i--) {
            seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
            const j = seed % (i + 1);
            [a[i], a[j]] = [a[j]!, a[i]!];
          }
          return a.slice(0, 200);
        };
        const batches = [1, 2, 3, 4].map(shuffled);
        const before = await store.countEvents();
        const outs = await Promise.all(batches.map((b) => store.appendEvents(b)));
        const accepted = new Map<string, number>();
        outs.forEach((out, bi) =>
          out.forEach((o, i) => {
            if (o === "accepted") {
              const k = key(batches[bi]![i]!);
              accepted.set(k, (accepted.get(k) ?? 0) + 1);
            }
          }),
        );
        const distinct = new Set(batches.flat().map(key));
        assert.equal(accepted.size, distinct.size);
        assert.ok([...accepted.values()].every((n) => n === 1), "no key accepted twice");
        assert.equal(await store.countEvents(), before + distinct.size);
      });
    });

    describe("scanEvents", () => {
      let store: Store;
      const inputs: StoredEventInput[] = [];
      const acceptedOrder: string[] = [];
      before(async () => {
        store = await open();
        // Many equal times, sources and ids whose byte order differs from case-insensitive or
        // locale order, one event before 1970, arriving out of time order over several batches.
        const sources = ["bitflyer", "Zaif", "coincheck"];
        const ids = ["a", "B", "b", "_x", "ä", "Z9", "z", "10", "9", "日本"];
        const times = [T0 + 2000, T0, T0 + 1000, T0, -5000, T0 + 2000, T0 + 1000];
        let n = 0;
        for (const s of sources) for (const id of ids) inputs.push(ev(s, id, times[n++ % times.length]!, { type: n % 3 ? "trade" : "login" }));
        for (let b = 0; b < 4; b++) {
          const batch = inputs.filter((_, i) => i % 4 === (b * 3) % 4);
          const out = await store.appendEvents(batch);
          batch.forEach((e, i) => out[i] === "accepted" && acceptedOrder.push(key(e)));
        }
        assert.equal(acceptedOrder.length, inputs.length);
      });
      after(async () => {
        await store?.close();
      });

      it("yields every event once in (time, source, id) byte order, across page boundaries with equal times", async () => {
        const expected = [...inputs].sort(eventTimeCompare);
        const byKey = new Map(inputs.map((e) => [key(e), e]));
        for (const batchSize of [1, 3, 7, 29, 2000]) {
          const { events, pages } = await collect(store, { batchSize });
          assert.deepEqual(events.map(key), expected.map(key), `batchSize ${batchSize}`);
          assert.ok(pages.every((p) => p >= 1 && p <= batchSize), `pages within ${batchSize}`);
          assert.ok(pages.slice(0, -1).every((p) => p === batchSize), `only the last page is short (${batchSize})`);
          for (const e of events) {
            const { seq, ...rest } = e;
            assert.ok(Number.isSafeInteger(seq) && seq > 0);
            assert.deepEqual(rest, byKey.get(key(e)));
          }
        }
        assert.deepEqual((await collect(store)).events.map(key), expected.map(key), "default options");
      });

      it("yields events in ingest order by strictly increasing seq", async () => {
        const { events, pages } = await collect(store, { order: "ingest", batchSize: 4 });
        assert.deepEqual(events.map(key), acceptedOrder);
        for (let i = 1; i < events.length; i++) assert.ok(events[i]!.seq > events[i - 1]!.seq);
        assert.ok(pages.slice(0, -1).every((p) => p === 4));
      });

      it("can stop early", async () => {
        let pages = 0;
        for await (const page of store.scanEvents({ batchSize: 5 })) {
          assert.equal(page.length, 5);
          if (++pages === 2) break;
        }
        assert.equal(pages, 2);
        assert.equal(await store.countEvents(), inputs.length);
      });

      it("refuses a bad batch size or order", () => {
        assert.throws(() => store.scanEvents({ batchSize: 0 }), (e: unknown) => isKanshiError(e) && e.path === "batchSize");
        assert.throws(() => store.scanEvents({ batchSize: 2.5 }), (e: unknown) => isKanshiError(e) && e.path === "batchSize");
        assert.throws(() => store.scanEvents({ order: "random" as "ingest" }), (e: unknown) => isKanshiError(e) && e.path === "order");
      });

      it("covers the events stored when it started, not those appended during it", async () => {
        for (const order of ["event-time", "ingest"] as const) {
          const seen: string[] = [];
          let appended = false;
          for await (const page of store.scanEvents({ order, batchSize: 5 })) {
            seen.push(...page.map(key));
            if (!appended) {
              appended = true;
              await store.appendEvents([ev("late", `${order}-early`, -10_000), ev("late", `${order}-late`, T0 + 99_999)]);
            }
          }
          assert.equal(seen.filter((k) => k.startsWith(`late\u0000${order}-`)).length, 0, order);
          assert.equal(new Set(seen).size, seen.length);
        }
        const all = (await collect(store)).events.map(key);
        assert.equal(all.filter((k) => k.startsWith("late")).length, 4);
      });
    });

    describe("alerts", () => {
      let store: Store;
      const fixture: Alert[] = [];
      before(async () => {
        store = await open();
        const typologies = ["structuring", "pass-through", "wash-trade"];
        for (let n = 0; n < 40; n++) {
          // Several alerts per instant (ties broken by id), instants written with different offsets.
          const instant = T0 + Math.floor(n / 4) * 3_600_000;
          const iso = new Date(instant).toISOString();
          const ts = n % 3 === 0 ? iso.replace("Z", "+00:00") : n % 3 === 1 ? new Date(instant + 9 * 3_600_000).toISOString().replace("Z", "+09:00") : iso;
          fixture.push(
            alert(n, {
              id: `al_${((n * 37) % 40).toString().padStart(2, "0")}_${n}`,
              typology: typologies[n % 3]!,
              ts,
              accounts: [`acc-${n % 5}`, `acc-${(n + 1) % 7}`],
              subject: { kind: "account", id: `acc-${n % 5}` },
              score: n,
              details: { n, ratio: n / 7 },
            }),
          );
        }
        assert.deepEqual(await store.saveAlerts(fixture), { inserted: fixture.length });
      });
      after(async () => {
        await store?.close();
      });

      it("stores an alert id once, keeping the first version", async () => {
        const a = alert(900, { typology: "upsert-check" });
        const b = alert(901, { typology: "upsert-check" });
        assert.deepEqual(await store.saveAlerts([a, b, { ...a, score: 99 }]), { inserted: 2 });
        assert.deepEqual(await store.saveAlerts([{ ...a, score: 77, explanation: "changed" }, alert(902, { typology: "upsert-check" })]), { inserted: 1 });
        assert.deepEqual(await store.saveAlerts([]), { inserted: 0 });
        const page = await store.listAlerts({ typology: "upsert-check" });
        assert.deepEqual(page.items, [alert(902, { typology: "upsert-check" }), b, a]);
        fixture.push(...page.items); // stored now: the listing tests below expect them too
        assert.equal((await store.countAlertsByTypology())["upsert-check"], 3);
      });

      it("filters by typology, account (any of accounts), from (inclusive) and to (exclusive)", async () => {
        const from = new Date(T0 + 2 * 3_600_000).toISOString().replace("Z", "+00:00");
        const to = new Date(T0 + 7 * 3_600_000 + 9 * 3_600_000).toISOString().replace("Z", "+09:00");
        const cases: { q: AlertQuery; keep: (a: Alert) => boolean }[] = [
          { q: {}, keep: () => true },
          { q: { typology: "pass-through" }, keep: (a) => a.typology === "pass-through" },
          { q: { account: "acc-3" }, keep: (a) => a.accounts.includes("acc-3") },
          { q: { from }, keep: (a) => Date.parse(a.ts) >= Date.parse(from) },
          { q: { to }, keep: (a) => Date.parse(a.ts) < Date.parse(to) },
          {
            q: { typology: "structuring", account: "acc-1", from, to },
            keep: (a) => a.typology === "structuring" && a.accounts.includes("acc-1") && Date.parse(a.ts) >= Date.parse(from) && Date.parse(a.ts) < Date.parse(to),
          },
          { q: { typology: "no-such" }, keep: () => false },
        ];
        for (const { q, keep } of cases) {
          const expected = fixture.filter(keep).sort(alertOrder);
          const page = await store.listAlerts({ ...q, limit: 500 });
          assert.deepEqual(page.items, expected, JSON.stringify(q));
          assert.equal(page.nextCursor, null);
          if (q.typology !== "no-such") assert.ok(expected.length > 0, "the fixture exercises this filter");
        }
      });

      it("walks every page exactly once with the cursor, ties in ts included", async () => {
        const queries: AlertQuery[] = [{}, { typology: "wash-trade" }, { account: "acc-2" }];
        for (const q of queries) {
          const expected = fixture
            .filter((a) => (q.typology === undefined || a.typology === q.typology) && (q.account === undefined || a.accounts.includes(q.account)))
            .sort(alertOrder);
          for (const limit of [1, 2, 3, 4, 7, expected.length, expected.length + 1]) {
            const seen: Alert[] = [];
            let cursor: string | undefined;
            let pages = 0;
            for (;;) {
              const page = await store.listAlerts({ ...q, limit, ...(cursor !== undefined ? { cursor } : {}) });
              pages++;
              assert.ok(page.items.length <= limit);
              seen.push(...page.items);
              if (page.nextCursor === null) break;
              assert.equal(page.items.length, limit, "a page with a next cursor is full");
              cursor = page.nextCursor;
              assert.ok(pages <= expected.length + 1, "pagination terminates");
            }
            assert.deepEqual(seen, expected, `limit ${limit} ${JSON.stringify(q)}`);
            assert.equal(pages, Math.max(1, Math.ceil(expected.length / limit)));
          }
        }
      });

      it("limits a page to 50 by default and to at most 500; saves a large set in one go", async () => {
        const bulk = Array.from({ length: 2_100 }, (_, i) => alert(5000 + i, { typology: "bulk", ts: new Date(T0 + Math.floor(i / 3) * 1000).toISOString() }));
        assert.deepEqual(await store.saveAlerts([...bulk, ...bulk.slice(0, 10)]), { inserted: 2_100 });
        const first = await store.listAlerts({ typology: "bulk" });
        assert.equal(first.items.length, 50);
        assert.ok(first.nextCursor);
        const pages: number[] = [];
        const seen: Alert[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listAlerts({ typology: "bulk", limit: 10_000, ...(cursor !== undefined ? { cursor } : {}) });
          pages.push(page.items.length);
          seen.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        assert.deepEqual(pages, [500, 500, 500, 500, 100]);
        assert.deepEqual(seen, [...bulk].sort(alertOrder));
      });

      it("counts alerts by typology", async () => {
        const counts = await store.countAlertsByTypology();
        const expected: Record<string, number> = { bulk: 2_100 };
        for (const a of fixture) expected[a.typology] = (expected[a.typology] ?? 0) + 1;
        assert.deepEqual(counts, expected);
      });

      it("refuses malformed alerts and queries, saying where", async () => {
        await rejectsWith(store.saveAlerts([alert(1), alert(3000, { score: 101 })]), "bad_input", "alerts[1].score");
        await rejectsWith(store.saveAlerts([alert(3001, { ts: "yesterday" })]), "bad_input", "alerts[0].ts");
        await rejectsWith(store.saveAlerts([{ ...alert(3002), accounts: "acc-1" as unknown as string[] }]), "bad_input", "alerts[0].accounts");
        await rejectsWith(store.listAlerts({ from: "2024-04-01" }), "bad_input", "from");
        await rejectsWith(store.listAlerts({ to: "soon" }), "bad_input", "to");
        await rejectsWith(store.listAlerts({ cursor: "bm90IGEgY3Vyc29y" }), "bad_input", "cursor");
        await rejectsWith(store.listAlerts({ limit: 0 }), "bad_input", "limit");
        await rejectsWith(store.listAlerts({ limit: 2.5 }), "bad_input", "limit");
        assert.equal((await store.countAlertsByTypology()).structuring, fixture.filter((a) => a.typology === "structuring").length);
      });
    });

    describe("audit log (the privacy room's AuditLog port)", () => {
      let store: Store;
      const keys = parseAuditSigningKey(generateAuditKeyPair().privateKey);
      const inputs = (n: number, tag: string) =>
        Array.from({ length: n }, (_, i) => ({
          actor: `synthetic-${tag}@analyst`,
          action: "pii.reveal",
          target: `entity:E${i}`,
          details: { grant: `G${i}`, field: "name", nested: { z: [1, 2.5, -3e-7, true, null], a: "日本語 \u0000 ✓" } },
        }));
      before(async () => {
        store = await open();
      });
      after(async () => {
        await store?.close();
      });

      it("starts empty", async () => {
        const log = store.auditLog();
        assert.equal(await log.size(), 0);
        assert.deepEqual(await log.read(0, 0), []);
        assert.deepEqual(await log.read(0, 10), []);
        assert.deepEqual(await log.heads(), []);
        assert.deepEqual(await verifyAuditLog(log, keys.publicKey), { ok: true, records: 0, heads: 0, signedThrough: 0 });
      });

      it("keeps records and heads exactly as the trail wrote them, and they verify", async () => {
        const log = store.auditLog();
        const trail = new AuditTrail({ log, signingKey: keys.privateKey, pageSize: 7 });
        const written: AuditRecord[] = [];
        const heads = [];
        for (const n of [1, 5, 20]) {
          const r = await trail.appendBatch(inputs(n, `b${n}`));
          written.push(...r.records);
          heads.push(r.head);
        }
        assert.equal(await log.size(), 26);
        assert.deepEqual(await log.read(0, 26), written);
        assert.deepEqual(await log.read(3, 9), written.slice(3, 9));
        assert.deepEqual(await log.heads(), heads);
        assert.deepEqual(await verifyAuditLog(log, keys.publicKey, { pageSize: 4 }), { ok: true, records: 26, heads: 3, signedThrough: 26 });
        // A second trail over the same log picks up where the first stopped.
        const again = new AuditTrail({ log, signingKey: keys.privateKey });
        const r = await again.appendBatch(inputs(2, "again"));
        assert.deepEqual(r.records.map((x) => x.seq), [26, 27]);
        assert.equal(r.records[0]!.prevHash, written[25]!.hash);
        assert.equal((await verifyAuditLog(log, keys.publicKey)).ok, true);
      });

      it("refuses an append whose first seq is not the size, or whose seqs skip, storing nothing", async () => {
        const log = store.auditLog();
        const size = await log.size();
        const [last] = await log.read(size - 1, size);
        const ts = new Date(T0).toISOString();
        const next = chainRecord(last!, inputs(1, "late")[0]!, ts);
        const stale = chainRecord({ seq: size - 2, hash: last!.prevHash }, inputs(1, "stale")[0]!, ts);
        const ahead = chainRecord(next, inputs(1, "ahead")[0]!, ts);
        const conflict = (e: unknown) => isKanshiError(e) && e.kind === "conflict";
        await assert.rejects(log.append([stale]), conflict);
        await assert.rejects(log.append([ahead]), conflict);
        await assert.rejects(log.append([next, { ...ahead, seq: ahead.seq + 1 }]), conflict);
        assert.equal(await log.size(), size);
        await log.append([next, ahead]);
        assert.equal(await log.size(), size + 2);
        assert.deepEqual(await log.read(size, size + 2), [next, ahead]);
      });

      it("lets exactly one of two racing appends of the same position through", async () => {
        const log = store.auditLog();
        const size = await log.size();
        const [last] = await log.read(size - 1, size);
        const ts = new Date(T0).toISOString();
        const a = chainRecord(last!, inputs(1, "a")[0]!, ts);
        const b = chainRecord(last!, inputs(1, "b")[0]!, ts);
        const results = await Promise.allSettled([log.append([a]), log.append([b])]);
        assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
        const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
        assert.ok(isKanshiError(failed.reason) && failed.reason.kind === "conflict");
        assert.equal(await log.size(), size + 1);
      });

      it("refuses a tree head behind the latest stored one (smaller size or earlier time)", async () => {
        const log = store.auditLog();
        const heads = await log.heads();
        const latest = heads.at(-1)!;
        assert.ok(latest, "earlier cases stored heads");
        for (const stale of [
          { ...latest, treeSize: latest.treeSize - 1 },
          { ...latest, timestamp: latest.timestamp - 1 },
        ]) {
          await assert.rejects(log.appendHead(stale), (e: unknown) => isKanshiError(e) && e.kind === "conflict");
        }
        assert.equal((await log.heads()).length, heads.length);
      });

      it("concurrent trails re-chain after a conflict and the log still verifies", async () => {
        const log = store.auditLog();
        const trails = [0, 1, 2].map(() => new AuditTrail({ log, signingKey: keys.privateKey, retries: 20 }));
        // Each trail loads the log first, so each holds the same stale view when they race.
        await Promise.all(trails.map((t) => t.signHead()));
        const before = await log.size();
        await Promise.all(trails.flatMap((t, i) => [t.appendBatch(inputs(3, `t${i}`)), t.appendBatch(inputs(2, `u${i}`))]));
        assert.equal(await log.size(), before + 15);
        assert.equal((await verifyAuditLog(log, keys.publicKey)).ok, true);
      });

      it("refuses bad ranges and malformed records, saying where; a closed store refuses calls", async () => {
        const log = store.auditLog();
        await rejectsWith(log.read(5, 2), "bad_input", "audit read");
        await rejectsWith(log.read(-1, 2), "bad_input", "audit read");
        const size = await log.size();
        const [last] = await log.read(size - 1, size);
        const bad = { ...chainRecord(last!, inputs(1, "x")[0]!, new Date(T0).toISOString()), actor: "a\u0000b" };
        await rejectsWith(log.append([bad]), "bad_input", "records[0].actor");
        await store.close();
        await assert.rejects(log.size(), (e: unknown) => isKanshiError(e) && e.kind === "unavailable");
      });
    });

    describe("principals: users and API keys", () => {
      let store: Store;
      const scrypt = `scrypt$15$8$1$${"s".repeat(22)}$${"h".repeat(43)}`;
      before(async () => {
        store = await open();
      });
      after(async () => {
        await store?.close();
      });

      it("adds, lists, revokes users; names are never reused", async () => {
        const p = store.principals();
        await p.addUser({ name: "officer-1", role: "exchange_officer", tenant: "bitflyer", passwordHash: scrypt });
        await p.addUser({ name: "analyst.a", role: "analyst", passwordHash: scrypt });
        const u = await p.getUser("officer-1");
        assert.deepEqual({ ...u, createdAt: typeof u?.createdAt }, { name: "officer-1", role: "exchange_officer", tenant: "bitflyer", passwordHash: scrypt, createdAt: "string", revokedAt: null });
        assert.deepEqual((await p.listUsers()).map((x) => x.name), ["analyst.a", "officer-1"]);
        assert.equal(await p.getUser("nobody"), undefined);
        assert.equal(await p.revokeUser("analyst.a"), true);
        assert.equal(await p.revokeUser("analyst.a"), false);
        assert.equal(await p.revokeUser("nobody"), false);
        assert.match((await p.getUser("analyst.a"))?.revokedAt ?? "", /^\d{4}-\d{2}-\d{2}T/);
        await assert.rejects(p.addUser({ name: "analyst.a", role: "analyst", passwordHash: scrypt }), (e: unknown) => isKanshiError(e) && e.kind === "conflict");
      });

      it("refuses a bad name, role or tenant, saying which", async () => {
        const p = store.principals();
        await rejectsWith(p.addUser({ name: "", role: "analyst", passwordHash: scrypt }), "bad_input", "name");
        await rejectsWith(p.addUser({ name: "x", role: "boss" as "admin", passwordHash: scrypt }), "bad_input", "role");
        await rejectsWith(p.addUser({ name: "x", role: "exchange_officer", passwordHash: scrypt }), "bad_input", "tenant");
        await rejectsWith(p.addUser({ name: "x", role: "auditor", tenant: "bitflyer", passwordHash: scrypt }), "bad_input", "tenant");
        await rejectsWith(p.addUser({ name: "x", role: "auditor", passwordHash: "plain" }), "bad_input", "passwordHash");
        assert.equal(await p.getUser("x"), undefined);
      });

      it("adds, finds and revokes API keys by id", async () => {
        const p = store.principals();
        const hash = "a".repeat(64);
        await p.addApiKey({ id: "0123456789ab", name: "bureau-feed", role: "data_provider", tenant: "cic", keyHash: hash });
        const k = await p.getApiKey("0123456789ab");
        assert.deepEqual({ id: k?.id, name: k?.name, role: k?.role, tenant: k?.tenant, keyHash: k?.keyHash, revokedAt: k?.revokedAt }, {
          id: "0123456789ab", name: "bureau-feed", role: "data_provider", tenant: "cic", keyHash: hash, revokedAt: null,
        });
        assert.equal(await p.getApiKey("ffffffffffff"), undefined);
        assert.equal(await p.getApiKey("not-an-id"), undefined);
        await assert.rejects(p.addApiKey({ id: "0123456789ab", name: "again", role: "analyst", keyHash: hash }), (e: unknown) => isKanshiError(e) && e.kind === "conflict");
        await rejectsWith(p.addApiKey({ id: "xyz", name: "n", role: "analyst", keyHash: hash }), "bad_input", "id");
        await rejectsWith(p.addApiKey({ id: "111111111111", name: "n", role: "analyst", keyHash: "short" }), "bad_input", "keyHash");
        assert.equal((await p.listApiKeys()).length, 1);
        assert.equal(await p.revokeApiKey("0123456789ab"), true);
        assert.equal(await p.revokeApiKey("0123456789ab"), false);
        assert.notEqual((await p.getApiKey("0123456789ab"))?.revokedAt, null);
      });
    });

    describe("replay form of the log (replay.ts)", () => {
      let store: Store;
      before(async () => {
        store = await open();
      });
      after(async () => {
        await store.close();
      });

      it("segments give every stored event that parses, in the event-time scan's order, and are kept", async () => {
        // Appended out of time order, with ties on time broken by source and id in byte order.
        const inputs: StoredEventInput[] = [];
        for (let i = 0; i < 40; i++) inputs.push(ev(i % 3 === 0 ? "src-b" : "src-a", `r${(i * 17) % 40}`, T0 + ((i * 7) % 11) * 1000));
        inputs.push(ev("src-a", "\u00e9t\u00e9", T0), ev("src-a", "\u{1F600}", T0), ev("src-a", "z", T0));
        await store.appendEvents(inputs.slice(0, 25));
        const first = await store.replay().sync({ segmentRows: 10 });
        assert.deepEqual(first, { built: 3, rows: 25, rebuilt: false });
        await store.appendEvents(inputs.slice(25));
        const cursor = await store.replay().open({ segmentRows: 10 });
        const got: string[] = [];
        for (let e = cursor.next(); e !== undefined; e = cursor.next()) got.push(`${e.source}:${e.id}:${e.time}:${e.type}`);
        const want = (await collect(store, { order: "event-time" })).events.map((e) => `${e.source}:${e.id}:${e.time}:${e.type}`);
        assert.deepEqual(got, want);
        assert.equal(cursor.events, inputs.length);
        const stats = await store.replay().stats();
        assert.equal(stats.rows, inputs.length);
        assert.equal(stats.segments, 3 + Math.ceil((inputs.length - 25) / 10));
        assert.deepEqual(await store.replay().sync(), { built: 0, rows: 0, rebuilt: false });
      });
    });
  });
}
