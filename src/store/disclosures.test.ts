// The disclosure sub-store on PGlite (memory, and once on disk for the plaintext check). All data
// synthetic.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { isKanshiError } from "../contracts/errors.ts";
import { encodeSealed, Keyring } from "../privacy/index.ts";
import { disclosureState, type DisclosureStore, type NewDisclosureRequest } from "./disclosures.ts";
import type { Store } from "./ports.ts";
import { createStoreTemplate, type StoreTemplate } from "./testing/template.ts";

const oldKeys = [{ kid: "t1", key: randomBytes(32) }];
const ring = new Keyring(oldKeys);
const sealText = (text: string, recordId: string, field = "purpose") => encodeSealed(ring.seal(text, { recordId: `disclosure:${recordId}`, field }));
const PURPOSE = "Synthetic purpose: structuring across two venues, inquiry 0001.";
const T0 = 1_700_000_000_000;
const H = 3_600_000;

function req(id: string, over: Partial<NewDisclosureRequest> = {}): NewDisclosureRequest {
  return {
    requestId: id,
    entityId: "ent-1",
    caseId: "case-1",
    requestedBy: "alice",
    requesterRole: "analyst",
    purposeSealed: sealText(PURPOSE, id),
    fields: ["name", "dateOfBirth"],
    durationMs: 24 * H,
    requestedAt: T0,
    pendingUntil: T0 + 14 * 24 * H,
    ...over,
  };
}

const sup = (by = "bob", at = T0 + H) => ({ by, role: "supervisor" as const, at });

async function rejectsKind(p: Promise<unknown>, kind: string, path?: string): Promise<Error> {
  let err: Error | undefined;
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isKanshiError(e), `expected a KanshiError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (path !== undefined) assert.equal(e.path, path);
    err = e;
    return true;
  });
  return err!;
}

describe("store.disclosures()", () => {
  let template: StoreTemplate;
  let store: Store;
  let d: DisclosureStore;

  before(async () => {
    template = await createStoreTemplate();
    store = await template.open();
    d = store.disclosures();
  });
  after(async () => {
    await store.close();
  });

  it("stores a request and reads it back as filed, pending, with no grant", async () => {
    const created = await d.create(req("r-get"));
    const got = await d.get("r-get");
    assert.deepEqual(got, created);
    assert.equal(got?.state, "pending");
    assert.equal(got?.grant, null);
    assert.deepEqual(got?.decisions, []);
    assert.deepEqual(got?.fields, ["name", "dateOfBirth"]);
    assert.equal(got?.requestedAt, T0);
    assert.equal(ring.openString(got!.purposeSealed, { recordId: "disclosure:r-get", field: "purpose" }), PURPOSE);
    assert.equal(await d.get("r-missing"), undefined);
  });

  it("refuses a plaintext purpose without echoing it, bad fields and roles by name, and a duplicate id", async () => {
    const e = await rejectsKind(d.create(req("r-plain", { purposeSealed: PURPOSE })), "bad_input", "purposeSealed");
    assert.ok(!e.message.includes("structuring"), "the purpose is never in a message");
    await rejectsKind(d.create(req("r-f", { fields: ["name", "shoeSize" as never] })), "bad_input", "fields[1]");
    await rejectsKind(d.create(req("r-f2", { fields: ["name", "name"] })), "bad_input", "fields[1]");
    await rejectsKind(d.create(req("r-f3", { fields: [] })), "bad_input", "fields");
    await rejectsKind(d.create(req("r-role", { requesterRole: "exchange_officer" })), "bad_input", "requesterRole");
    await rejectsKind(d.create(req("r-dur", { durationMs: 0 })), "bad_input", "durationMs");
    await rejectsKind(d.create(req("r-pend", { pendingUntil: T0 - 1 })), "bad_input", "pendingUntil");
    await d.create(req("r-dup"));
    await rejectsKind(d.create(req("r-dup")), "conflict", "requestId");
  });

  it("approve: pending → approved with a grant for the requester; a second approval and a refusal after it conflict", async () => {
    await d.create(req("r-ap"));
    const rec = await d.approve("r-ap", { ...sup(), expiresAt: T0 + 25 * H });
    assert.equal(rec.state, "approved");
    assert.deepEqual(rec.grant, { approvedBy: "bob", approvedAt: T0 + H, expiresAt: T0 + 25 * H, revokedAt: null });
    assert.deepEqual(rec.decisions, [{ decision: "approve", by: "bob", role: "supervisor", at: T0 + H, reasonSealed: null }]);
    await rejectsKind(d.approve("r-ap", { ...sup("carol"), expiresAt: T0 + 25 * H }), "conflict");
    await rejectsKind(d.refuse("r-ap", { ...sup("carol"), reasonSealed: sealText("no", "r-ap", "reason") }), "conflict");
    assert.equal((await d.get("r-ap"))?.decisions.length, 1, "the losing decision left nothing behind");
  });

  it("approving a refused request conflicts; unknown ids are not_found", async () => {
    await d.create(req("r-ref"));
    const reason = sealText("synthetic refusal reason", "r-ref", "reason");
    const rec = await d.refuse("r-ref", { ...sup(), reasonSealed: reason });
    assert.equal(rec.state, "refused");
    assert.equal(rec.grant, null);
    assert.equal(rec.decisions[0]?.reasonSealed, reason);
    await rejectsKind(d.approve("r-ref", { ...sup("carol"), expiresAt: T0 + 2 * H }), "conflict");
    await rejectsKind(d.approve("r-nope", { ...sup(), expiresAt: T0 + 2 * H }), "not_found", "requestId");
    await rejectsKind(d.refuse("r-nope", sup()), "not_found", "requestId");
    await rejectsKind(d.revoke("r-nope", sup()), "not_found", "requestId");
  });

  it("two approvals at once: exactly one wins, the other is a conflict", async () => {
    await d.create(req("r-race"));
    const results = await Promise.allSettled([
      d.approve("r-race", { ...sup("bob"), expiresAt: T0 + 2 * H }),
      d.approve("r-race", { ...sup("carol"), expiresAt: T0 + 3 * H }),
      d.refuse("r-race", sup("dave")),
    ]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) if (r.status === "rejected") assert.equal((r.reason as { kind?: string }).kind, "conflict");
    assert.equal((await d.get("r-race"))?.decisions.length, 1);
  });

  it("the database refuses a grant approved by its own requester", async () => {
    await d.create(req("r-self"));
    await rejectsKind(d.approve("r-self", { by: "alice", role: "supervisor", at: T0 + H, expiresAt: T0 + 2 * H }), "forbidden");
    assert.equal((await d.get("r-self"))?.state, "pending", "rolled back");
  });

  it("revoke: an approved grant gets revokedAt; a pending request can be withdrawn; nothing else", async () => {
    await d.create(req("r-rv"));
    await d.approve("r-rv", { ...sup(), expiresAt: T0 + 10 * H });
    const rec = await d.revoke("r-rv", { by: "alice", role: "analyst", at: T0 + 2 * H });
    assert.equal(rec.state, "revoked");
    assert.equal(rec.grant?.revokedAt, T0 + 2 * H);
    assert.deepEqual(
      rec.decisions.map((x) => x.decision),
      ["approve", "revoke"],
    );
    await rejectsKind(d.revoke("r-rv", sup()), "conflict");
    await d.create(req("r-wd"));
    assert.equal((await d.revoke("r-wd", { by: "alice", role: "analyst", at: T0 + 1 })).state, "revoked");
    await rejectsKind(d.approve("r-wd", { ...sup(), expiresAt: T0 + 2 * H }), "conflict");
    await rejectsKind(d.revoke("r-ref", sup()), "conflict");
  });

  it("derives expiry from the clock: pending past pendingUntil, approved at expiresAt", () => {
    const base = { state: "pending" as const, pendingUntil: 100, grant: null };
    assert.equal(disclosureState(base, 100), "pending");
    assert.equal(disclosureState(base, 101), "expired");
    const g = { approvedBy: "b", approvedAt: 10, expiresAt: 50, revokedAt: null };
    assert.equal(disclosureState({ state: "approved", pendingUntil: 100, grant: g }, 49), "approved");
    assert.equal(disclosureState({ state: "approved", pendingUntil: 100, grant: g }, 50), "expired");
    assert.equal(disclosureState({ state: "refused", pendingUntil: 1, grant: null }, 500), "refused");
  });

  it("lists a requester's own requests, supervisors' pending view, by derived state, newest first, in pages", async () => {
    // Its own entity, so the requests other tests filed stay out of these lists.
    const s = d;
    const E = "ent-list";
    for (let i = 0; i < 7; i++) await s.create(req(`l-a${i}`, { entityId: E, requestedBy: "amy", requestedAt: T0 + i, pendingUntil: T0 + i + 100 * H }));
    await s.create(req("l-b0", { entityId: E, requestedBy: "erin", requestedAt: T0 + 50 }));
    await s.create(req("l-b1", { entityId: E, requestedBy: "erin", requestedAt: T0 + 51, pendingUntil: T0 + 60 }));
    await s.approve("l-a0", { ...sup(), expiresAt: T0 + 10 * H });
    await s.refuse("l-a1", sup());
    const now = T0 + 2 * H;

    const own = await s.list({ requestedBy: "erin", now });
    assert.deepEqual(
      own.items.map((r) => r.requestId),
      ["l-b1", "l-b0"],
    );
    const pending = await s.list({ includePending: true, entityId: E, now });
    assert.deepEqual(
      pending.items.map((r) => r.requestId),
      ["l-b0", "l-a6", "l-a5", "l-a4", "l-a3", "l-a2"],
      "l-b1 expired while pending; l-a0 approved; l-a1 refused",
    );
    const mineAndPending = await s.list({ requestedBy: "erin", includePending: true, entityId: E, now });
    assert.equal(mineAndPending.items.length, 7);
    assert.deepEqual(
      (await s.list({ state: "expired", entityId: E, now })).items.map((r) => r.requestId),
      ["l-b1"],
    );
    assert.deepEqual(
      (await s.list({ state: "expired", entityId: E, now: T0 + 11 * H })).items.map((r) => r.requestId),
      ["l-b1", "l-a0"],
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.list({ requestedBy: "amy", now, limit: 3, ...(cursor !== undefined ? { cursor } : {}) });
      assert.ok(page.items.length <= 3);
      seen.push(...page.items.map((r) => r.requestId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    assert.deepEqual(seen, ["l-a6", "l-a5", "l-a4", "l-a3", "l-a2", "l-a1", "l-a0"]);
    await rejectsKind(s.list({ now, cursor: "garbage" }), "bad_input", "cursor");
    await rejectsKind(s.list({ now, limit: 0 }), "bad_input", "query.limit");
    assert.deepEqual(
      (await s.grantsFor(E, "amy")).map((r) => r.requestId),
      ["l-a0"],
    );
    assert.deepEqual(await s.grantsFor(E, "erin"), []);
    assert.deepEqual(
      (await s.grantsFor("ent-1", "alice")).map((r) => r.requestId).filter((id) => id !== "r-race"),
      ["r-rv", "r-ap"],
      "revoked grants too, newest approval first",
    );
  });

  it("rewraps sealed purposes and reasons under a new master key; the old key can then go", async () => {
    // Runs last: it moves every value of this store to a new key.
    const k2 = { kid: "t2", key: randomBytes(32) };
    await d.create(req("rw-1"));
    await d.create(req("rw-2"));
    await d.refuse("rw-2", { ...sup(), reasonSealed: sealText("synthetic reason", "rw-2", "reason.refuse") });
    const all = (await d.list({ now: T0, limit: 200 })).items;
    assert.ok(all.length < 200);
    const sealedValues = all.length + all.flatMap((r) => r.decisions).filter((x) => x.reasonSealed !== null).length;
    const rotated = new Keyring([k2, ...oldKeys]);
    assert.deepEqual(await d.rewrap(rotated), { rewrapped: sealedValues, unreadable: 0 });
    assert.deepEqual(await d.rewrap(rotated), { rewrapped: 0, unreadable: 0 }, "idempotent");
    const onlyNew = new Keyring([k2]);
    assert.equal(onlyNew.openString((await d.get("rw-1"))!.purposeSealed, { recordId: "disclosure:rw-1", field: "purpose" }), PURPOSE);
    assert.equal(onlyNew.openString((await d.get("rw-2"))!.decisions[0]!.reasonSealed!, { recordId: "disclosure:rw-2", field: "reason.refuse" }), "synthetic reason");
    await d.create(req("rw-3"));
    assert.deepEqual(await d.rewrap(new Keyring([{ kid: "t3", key: randomBytes(32) }])), { rewrapped: 0, unreadable: sealedValues + 1 }, "values under a missing key are counted, not lost");
  });
});
