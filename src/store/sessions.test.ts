// Sessions and the alert feed (migration 11) on PGlite.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { Alert } from "../contracts/alerts.ts";
import { isKanshiError } from "../contracts/errors.ts";
import type { Store } from "./ports.ts";
import { createStoreTemplate } from "./testing/template.ts";

const h = (s: string) => createHash("sha256").update(s).digest("hex");
const HASH = `scrypt$15$8$1$${"A".repeat(22)}$${"A".repeat(43)}`;

const alert = (id: string, account: string, evidence: string[]): Alert => ({
  id,
  typology: "structuring",
  typologyVersion: "1",
  configVersion: "c1",
  ts: "2026-11-02T10:00:00+09:00",
  subject: { kind: "account", id: account },
  accounts: [account],
  score: 60,
  evidence,
  explanation: `deposits to ${account}`,
});

describe("sessions store", () => {
  let store: Store;
  before(async () => {
    store = await (await createStoreTemplate()).open();
    await store.principals().addUser({ name: "alice", role: "analyst", passwordHash: HASH });
    await store.principals().addUser({ name: "bob", role: "exchange_officer", tenant: "bitflyer", passwordHash: HASH });
  });
  after(async () => store.close());

  it("creates, reads with the user's role and tenant, touches forward only, revokes once", async () => {
    const s = store.sessions();
    await s.create({ idHash: h("s1"), userName: "bob", csrfHash: h("c1"), createdAt: 1000, expiresAt: 5000 });
    const r = await s.get(h("s1"));
    assert.deepEqual(r, { idHash: h("s1"), userName: "bob", role: "exchange_officer", tenant: "bitflyer", csrfHash: h("c1"), createdAt: 1000, lastSeenAt: 1000, expiresAt: 5000, revokedAt: null, userRevokedAt: null });
    await s.touch(h("s1"), 3000);
    await s.touch(h("s1"), 2000);
    assert.equal((await s.get(h("s1")))!.lastSeenAt, 3000);
    assert.equal(await s.revoke(h("s1"), 4000), true);
    assert.equal(await s.revoke(h("s1"), 4100), false);
    assert.equal((await s.get(h("s1")))!.revokedAt, 4000);
    assert.equal(await s.get(h("nothing")), undefined);
    assert.equal(await s.get("not a hash"), undefined);
  });

  it("refuses unknown users and malformed input, naming the field", async () => {
    const s = store.sessions();
    const bad = async (input: Parameters<typeof s.create>[0], path: string) =>
      assert.rejects(s.create(input), (e) => isKanshiError(e) && e.kind === "bad_input" && e.path === path);
    await bad({ idHash: h("x"), userName: "nobody", csrfHash: h("c"), createdAt: 1, expiresAt: 2 }, "userName");
    await bad({ idHash: "zz", userName: "alice", csrfHash: h("c"), createdAt: 1, expiresAt: 2 }, "idHash");
    await bad({ idHash: h("x"), userName: "alice", csrfHash: h("c"), createdAt: 5, expiresAt: 5 }, "expiresAt");
    await bad({ idHash: h("x"), userName: "alice", csrfHash: h("c"), createdAt: -1, expiresAt: 5 }, "createdAt");
  });

  it("reports the user's revocation, ends a user's sessions, deletes ended ones", async () => {
    const s = store.sessions();
    await s.create({ idHash: h("a1"), userName: "alice", csrfHash: h("c"), createdAt: 10_000, expiresAt: 20_000 });
    await s.create({ idHash: h("a2"), userName: "alice", csrfHash: h("c"), createdAt: 10_000, expiresAt: 90_000 });
    await s.create({ idHash: h("a3"), userName: "alice", csrfHash: h("c"), createdAt: 50_000, expiresAt: 90_000 });
    assert.equal(await s.revokeUser("alice", 60_000), 3);
    assert.equal(await s.revokeUser("alice", 61_000), 0);
    await store.principals().revokeUser("alice");
    assert.ok((await s.get(h("a2")))!.userRevokedAt! > 0);
    // At 30,000: a1 expired (20,000) and s1 was logged out (4,000); a2 and a3 were revoked only at
    // 60,000 and last seen at 10,000 and 50,000 (idle cut-off 5,000).
    assert.equal(await s.deleteEnded(30_000, 5_000), 2);
    assert.equal(await s.get(h("a1")), undefined);
    assert.equal(await s.get(h("s1")), undefined);
    assert.equal(await s.deleteEnded(30_000, 20_000), 1); // a2: idle since 10,000
    assert.equal(await s.deleteEnded(70_000, 0), 1); // a3: revoked at 60,000
  });
});

describe("alert feed", () => {
  let store: Store;
  before(async () => {
    store = await (await createStoreTemplate()).open();
  });
  after(async () => store.close());

  it("numbers alerts in the order stored, pages from a position, and keeps the first of a repeated id", async () => {
    const feed = store.alertFeed();
    assert.equal(await feed.head(), 0);
    await store.saveAlerts([alert("al_1", "a", []), alert("al_2", "b", [])]);
    await store.saveAlerts([alert("al_3", "c", []), alert("al_1", "z", [])]);
    const all = await feed.since(0, 10);
    assert.deepEqual(all.map((r) => r.alert.id), ["al_1", "al_2", "al_3"]);
    assert.deepEqual(all[0]!.alert.accounts, ["a"]);
    assert.ok(all[0]!.seq < all[1]!.seq && all[1]!.seq < all[2]!.seq);
    assert.equal(await feed.head(), all[2]!.seq);
    assert.deepEqual((await feed.since(all[0]!.seq, 1)).map((r) => r.alert.id), ["al_2"]);
    assert.deepEqual(await feed.since(all[2]!.seq, 10), []);
    await assert.rejects(feed.since(-1, 10), /after/);
    await assert.rejects(feed.since(0, 0), /limit/);
  });

  it("looks up evidence events: source, type and the accounts they name", async () => {
    const body = (o: object) => JSON.stringify(o);
    await store.appendEvents([
      { source: "bitflyer", id: "t1", type: "trade", time: 1, ts: "2026-11-02T10:00:00+09:00", body: body({ buyAccountId: "b1", sellAccountId: "s1" }) },
      { source: "jicc", id: "c:1", type: "social.link", time: 2, ts: "2026-11-02T10:00:00+09:00", body: body({ accountId: "b1", handle: "x" }) },
    ]);
    const ev = await store.alertFeed().evidence(["bitflyer:t1", "jicc:c:1", "bitflyer:missing", "nocolon", "bitflyer:t1"]);
    assert.deepEqual(Object.fromEntries(ev), {
      "bitflyer:t1": { source: "bitflyer", type: "trade", accounts: ["b1", "s1"] },
      "jicc:c:1": { source: "jicc", type: "social.link", accounts: ["b1"] },
    });
    assert.equal((await store.alertFeed().evidence([])).size, 0);
  });
});
