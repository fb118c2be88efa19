// Linking over the sealed store: events ingested through the CLI are sealed; linking stores its
// assignments; a later link with nothing new resolves nothing; a new record joins without renaming
// the entity; detection replayed from the sealed log still sees one person across exchanges and a
// bureau's report on them. All personal data synthetic.
import assert from "node:assert/strict";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseEvent, type Event } from "../contracts/events.ts";
import { createEngine } from "../engine/index.ts";
import { entityIdFor } from "../identity/index.ts";
import { LINKAGE_MODEL_META, linkAccounts, linkStoredAccounts, linkStoredIdentities, stickyEntityIds, storedIdentityEvents } from "./link.ts";
import { main } from "./main.ts";
import { replayStore } from "./replay.ts";
import { openConfiguredStore } from "./store.ts";
import { captureIo } from "./testing.ts";

const open = (source: string, id: string, accountId: string, kyc: Record<string, string>, ts = "2026-10-01T09:00:00+09:00") =>
  JSON.stringify({ id, type: "account.opened", ts, source, accountId, customerType: "individual", kyc });
const deposit = (source: string, id: string, accountId: string, day: number, amount = "1960000") =>
  JSON.stringify({ id, type: "deposit", ts: `2026-11-0${day}T12:00:00+09:00`, source, accountId, asset: "JPY", amount, channel: "bank" });

// One synthetic person at two exchanges (written differently), a namesake with another birth date,
// and a second person with a bureau report that says their income is low and they are delinquent.
const PERSON = { name: "髙橋 健一", nameKana: "タカハシ ケンイチ", dateOfBirth: "1979-03-14", postalCode: "530-0001", address: "大阪府大阪市北区梅田３丁目１番１号", phone: "090-1111-2222" };
const EVENTS = [
  open("bitflyer", "o1", "bf-1", PERSON),
  open("coincheck", "o1", "cc-1", { name: "高橋健一", nameKana: "ﾀｶﾊｼ ｹﾝｲﾁ", dateOfBirth: "1979-03-14", postalCode: "5300001", address: "大阪市北区梅田3-1-1", phone: "+81 90 1111 2222" }),
  open("bitbank", "o1", "bb-1", { name: "高橋 健一", nameKana: "タカハシ ケンイチ", dateOfBirth: "1992-07-30", postalCode: "060-0001", address: "北海道札幌市中央区北一条西２丁目", phone: "080-9999-0000" }),
  deposit("bitflyer", "d1", "bf-1", 2),
  deposit("coincheck", "d1", "cc-1", 3),
  deposit("bitflyer", "d2", "bf-1", 4),
  deposit("bitbank", "d1", "bb-1", 5),
  open("bitbank", "o9", "bb-9", { name: "佐々木 美咲", nameKana: "ササキ ミサキ", dateOfBirth: "1985-06-02", postalCode: "980-0811", address: "宮城県仙台市青葉区一番町４丁目１番１号", phone: "090-3333-4444", declaredIncomeJpy: "20000000" }, "2026-08-01T09:00:00+09:00"),
  JSON.stringify({ id: "cr1", type: "credit.report", ts: "2026-09-01T09:00:00+09:00", source: "cic", bureau: "cic", creditScore: 420, annualIncomeJpy: "20000000", delinquencies: 3, subject: { name: "佐々木美咲", nameKana: "ｻｻｷ ﾐｻｷ", dateOfBirth: "1985-06-02", postalCode: "9800811", phone: "09033334444" } }),
  ...[2, 5, 8].map((day, i) => JSON.stringify({ id: `big${i}`, type: "deposit", ts: `2026-11-0${day}T12:00:00+09:00`, source: "bitbank", accountId: "bb-9", asset: "JPY", amount: "2500000", channel: "bank" })),
];

describe("stickyEntityIds", () => {
  it("keeps an entity's id when a record with a smaller id joins it", () => {
    const prev = new Map<string, string | null>([["b:1", "E1"], ["c:1", "E1"], ["x:1", "E2"], ["a:1", null]]);
    const computed = new Map([["a:1", "N-a"], ["b:1", "N-a"], ["c:1", "N-a"], ["x:1", "N-x"]]);
    assert.deepEqual(Object.fromEntries(stickyEntityIds(computed, prev)), { "a:1": "E1", "b:1": "E1", "c:1": "E1", "x:1": "E2" });
  });
  it("on a split the larger part keeps the id; on a merge the id most records had wins", () => {
    const split = stickyEntityIds(new Map([["a", "N1"], ["b", "N1"], ["c", "N2"]]), new Map([["a", "E"], ["b", "E"], ["c", "E"]]));
    assert.deepEqual(Object.fromEntries(split), { a: "E", b: "E", c: "N2" });
    const merged = stickyEntityIds(new Map([["a", "N"], ["b", "N"], ["c", "N"]]), new Map([["a", "E1"], ["b", "E2"], ["c", "E2"]]));
    assert.deepEqual(Object.fromEntries(merged), { a: "E2", b: "E2", c: "E2" });
  });
  it("never hands one id to two clusters, even when a computed id equals a kept previous one", () => {
    const taken = entityIdFor(["r:1"]);
    // r:1 left entity `taken` to join another cluster whose other records were in `taken` too…
    const out = stickyEntityIds(new Map([["r:0", "A"], ["r:2", "A"], ["r:1", taken]]), new Map([["r:0", taken], ["r:2", taken], ["r:1", null]]));
    assert.equal(out.get("r:0"), taken);
    assert.notEqual(out.get("r:1"), taken);
    assert.equal(new Set(out.values()).size, 2);
  });
});

describe("linking over the sealed store", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-link-"));
    await writeFile(join(dir, "events.ndjson"), EVENTS.join("\n") + "\n");
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const io = () => captureIo({ cwd: dir, env: { KANSHI_DATA: join(dir, "data"), CI: "true" } });

  it("links once, stores the assignments, reuses them, and a new record joins without renaming; detection replays from the sealed log", async () => {
    const ing = io();
    assert.equal(await main(["ingest", "events.ndjson"], ing), 0, ing.err());
    const inMemory = await linkAccounts(io(), EVENTS.map((l) => (parseEvent(JSON.parse(l)) as { ok: true; event: Event }).event));

    let store = await openConfiguredStore(io());
    try {
      // The log holds no names; the linker still gets the originals (opened in memory).
      for await (const page of store.scanEvents()) for (const e of page) assert.doesNotMatch(e.body, /髙橋|高橋|佐々木|1979-03-14/);
      assert.equal((await storedIdentityEvents(store)).length, 5);

      const first = io();
      const keying = (await linkStoredAccounts(first, store))!;
      assert.match(first.out(), /identity: 5 new records linked \(batch; 5 read, 5 assignments written\) → 3 entities/);
      assert.ok(await store.getMeta(LINKAGE_MODEL_META), "the fitted model is kept for incremental links");
      assert.equal(keying.entityOf("bf-1"), keying.entityOf("cc-1"));
      assert.notEqual(keying.entityOf("bf-1"), keying.entityOf("bb-1"));
      // The same entities, with the same ids, as resolving the plaintext events in memory.
      for (const acc of ["bf-1", "cc-1", "bb-1", "bb-9"]) assert.equal(keying.entityOf(acc), inMemory!.entityOf(acc), acc);
      assert.equal(keying.subjectOfIdentity(undefined, "cic:cr1"), keying.entityOf("bb-9"));

      // Detection over the sealed log: structuring across two venues by one entity; the bureau's
      // delinquency joined to the person's account (credit details the engine needs stay in the log).
      const replay = await replayStore(store, createEngine(keying));
      assert.equal(replay.invalid, 0);
      const byTypology = replay.alerts.map((a) => `${a.typology}:${a.subject.kind}`).sort();
      assert.deepEqual(byTypology, ["profile-mismatch:entity", "structuring:entity"]);
      assert.deepEqual([...replay.alerts.find((a) => a.typology === "structuring")!.accounts].sort(), ["bf-1", "cc-1"]);

      const again = io();
      await linkStoredAccounts(again, store);
      assert.match(again.out(), /identity: 5 records → 3 entities \(stored; nothing new to link\)/);
    } finally {
      await store.close();
    }

    // The same person opens an account at a third exchange whose record id sorts first: linking
    // afresh would name the entity after it; the stored id is kept.
    await appendFile(
      join(dir, "more.ndjson"),
      [open("aaa-exchange", "o1", "aa-1", { ...PERSON, name: "高橋 健一" }), open("aaa-exchange", "o2", "aa-2", { name: "山本 花", nameKana: "ヤマモト ハナ", dateOfBirth: "2001-01-01", phone: "090-5555-6666" })].join("\n") + "\n",
    );
    assert.equal(await main(["ingest", "more.ndjson"], io()), 0);
    store = await openConfiguredStore(io());
    try {
      const before = await store.identities().entityAssignments();
      const report = await linkStoredIdentities(store);
      assert.equal(report.mode, "incremental");
      assert.equal(report.newRecords, 2);
      assert.equal(report.changed, 2, "only the new records' assignments are written");
      const after = await store.identities().entityAssignments();
      assert.equal(after.accounts.get("aa-1"), before.accounts.get("bf-1"));
      assert.equal(after.accounts.get("aa-2"), entityIdFor(["aaa-exchange:o2"]), "a new person starts an entity of their own");
      for (const [acc, e] of before.accounts) assert.equal(after.accounts.get(acc), e, `${acc} keeps its entity`);
      assert.equal(after.accounts.get("bf-1"), inMemory!.entityOf("bf-1"));
      assert.notEqual(entityIdFor(["aaa-exchange:o1", "bitflyer:o1", "coincheck:o1"]), after.accounts.get("bf-1"), "a fresh resolve would have renamed it");
    } finally {
      await store.close();
    }
  });
});
