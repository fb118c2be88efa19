// Disclosure decisions and their audit records: the record is written first, so when the audit trail
// cannot be written, an approval, refusal or revocation does not take effect; when the store refuses
// after the record was written, an `.aborted` record follows. Over the SQL disclosure store (PGlite).
// All data synthetic.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { caseId, entityId } from "../contracts/ids.ts";
import { Keyring, type AuditInput } from "../privacy/index.ts";
import { principalId, type Principal } from "../privacy/policy.ts";
import type { Store } from "../store/ports.ts";
import { createStoreTemplate } from "../store/testing/template.ts";
import { createDisclosureService, type DisclosureService } from "./service.ts";

const requester: Principal = { id: principalId("key:synthetic-analyst"), role: "analyst" };
const supervisor: Principal = { id: principalId("key:synthetic-supervisor"), role: "supervisor" };
const PURPOSE = "Synthetic inquiry: layering across two venues, needs the name.";
const sealer = new Keyring([{ kid: "t1", key: randomBytes(32) }]);

describe("disclosure decisions are audited before they take effect", () => {
  let store: Store;
  let svc: DisclosureService;
  const written: AuditInput[] = [];
  let failAudit = false;
  let clock = 1_800_000_000_000;
  let n = 0;

  before(async () => {
    store = await (await createStoreTemplate()).open();
    svc = createDisclosureService({
      repo: store.disclosures(),
      cases: { entityState: async (id) => ({ entityId: entityId(id), cases: [{ caseId: caseId("case-1"), status: "open", score: 90 }] }) },
      personalData: { personalData: async () => ({ records: [] }) },
      audit: {
        appendBatch: async (inputs) => {
          if (failAudit) throw new Error("audit store unreachable");
          written.push(...inputs);
          return undefined;
        },
      },
      sealer,
      now: () => clock,
      newId: () => `dr_synthetic${String(++n).padStart(5, "0")}`,
    });
  });
  after(async () => {
    await store.close();
  });

  const fresh = () => svc.request(requester, { entityId: "ent-1", caseId: "case-1", purpose: PURPOSE, fields: ["name"] });

  it("approve, refuse and revoke change nothing when the audit record cannot be written (nor does a request)", async () => {
    failAudit = true;
    try {
      await assert.rejects(fresh(), /audit store unreachable/);
      assert.equal((await store.disclosures().list({ requestedBy: requester.id, includePending: true, now: clock })).items.length, 0);
    } finally {
      failAudit = false;
    }
    const pending = await fresh();
    failAudit = true;
    try {
      await assert.rejects(svc.approve(supervisor, pending.requestId), /audit store unreachable/);
      assert.equal((await svc.get(supervisor, pending.requestId)).state, "pending");
      assert.equal((await store.disclosures().get(pending.requestId))?.grant, null);
      await assert.rejects(svc.refuse(supervisor, pending.requestId, { reason: "synthetic: not enough grounds" }), /audit store unreachable/);
      await assert.rejects(svc.revoke(requester, pending.requestId), /audit store unreachable/);
      const stored = await svc.get(supervisor, pending.requestId);
      assert.equal(stored.state, "pending");
      assert.deepEqual(stored.decisions, []);
    } finally {
      failAudit = false;
    }

    const approved = await svc.approve(supervisor, pending.requestId);
    assert.equal(approved.state, "approved");
    failAudit = true;
    try {
      await assert.rejects(svc.revoke(supervisor, pending.requestId), /audit store unreachable/);
      assert.equal((await svc.get(supervisor, pending.requestId)).state, "approved");
    } finally {
      failAudit = false;
    }
    const actions = written.filter((r) => r.target === `disclosure:${pending.requestId}`).map((r) => r.action);
    assert.deepEqual(actions, ["disclosure.request", "disclosure.approve"]);
    const approve = written.find((r) => r.action === "disclosure.approve")!;
    // The record and the stored decision carry the same decision time.
    assert.equal(approve.details.decidedAt, approved.grant?.approvedAt);
  });

  it("a decision the store refuses after its record was written is followed by an .aborted record", async () => {
    const pending = await fresh();
    clock += 1;
    // Another supervisor's refusal lands between this service's check and its write.
    const repo = store.disclosures();
    const racing = createDisclosureService({
      repo: {
        ...repo,
        get: repo.get.bind(repo),
        approve: async (id, d) => {
          await repo.refuse(id, { by: "key:other-supervisor", role: "supervisor", at: d.at, reasonSealed: undefined });
          return repo.approve(id, d);
        },
      },
      cases: { entityState: async (id) => ({ entityId: entityId(id), cases: [{ caseId: caseId("case-1"), status: "open", score: 90 }] }) },
      personalData: { personalData: async () => ({ records: [] }) },
      audit: { appendBatch: async (inputs) => void written.push(...inputs) },
      sealer,
      now: () => clock,
    });
    await assert.rejects(racing.approve(supervisor, pending.requestId), (e: Error & { kind?: string }) => e.kind === "conflict");
    const actions = written.filter((r) => r.target === `disclosure:${pending.requestId}`).map((r) => r.action);
    assert.deepEqual(actions, ["disclosure.request", "disclosure.approve", "disclosure.approve.aborted"]);
    assert.equal(written.at(-1)!.details.error, "conflict");
    assert.equal((await svc.get(supervisor, pending.requestId)).state, "refused");
  });
});
