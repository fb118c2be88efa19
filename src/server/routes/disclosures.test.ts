// Disclosure over HTTP, through app.inject(): examples of every rule and error, the property
// (role × tenant × entity state × request), and one run over the real case and identity stores.
// All personal data here is synthetic.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import fc from "fast-check";
import { caseId, entityId } from "../../contracts/ids.ts";
import { createDisclosureService, disclosureServiceFor, type CaseLookup, type DisclosureService, type PersonalDataReader } from "../../disclosure/service.ts";
import { generateApiKey } from "../../privacy/credentials.ts";
import { BlindIndexer, Keyring, verifyAuditLog, type AuditRecord, type AuditTrail } from "../../privacy/index.ts";
import { createDisclosurePolicy, PERSONAL_FIELDS, REQUESTER_ROLES, type EntityState, type PersonalField, type Role } from "../../privacy/policy.ts";
import type { Store } from "../../store/ports.ts";
import { createStoreTemplate } from "../../store/testing/template.ts";
import type { KanshiApp } from "../app.ts";
import { buildTestApp, testAuditTrail } from "../testing.ts";

const MAX_GRANT = 10_000;
const MAX_PENDING = 5_000;
const policy = createDisclosurePolicy({ disclosureThreshold: 70, minPurposeLength: 20, maxGrantMs: MAX_GRANT, maxPendingMs: MAX_PENDING });
const PURPOSE_CANARY = `purpose-canary-${randomBytes(6).toString("hex")}`;
const PURPOSE = `Synthetic inquiry ${PURPOSE_CANARY}: layering across two venues.`;
const OWNERS = ["ex1", "ex2", "bureau-x"] as const;
const VALUE_PREFIX = "synthetic-value";
const valueOf = (entity: string, owner: string, field: string) => `${VALUE_PREFIX}|${entity}|${owner}|${field}`;

/** Who acts: a key for `name` in `role`. Two keys with one name are one person in two roles. */
interface Actor {
  readonly name: string;
  readonly id: string;
  readonly role: Role;
  readonly tenant?: string;
  readonly headers: { authorization: string };
}

async function actor(store: Store, name: string, role: Role, tenant?: string): Promise<Actor> {
  const { key, id, hash } = generateApiKey();
  await store.principals().addApiKey({ id, name, role, ...(tenant === undefined ? {} : { tenant }), keyHash: hash });
  return { name, id: `key:${name}`, role, ...(tenant === undefined ? {} : { tenant }), headers: { authorization: `Bearer ${key}` } };
}

describe("disclosure over HTTP", () => {
  let store: Store;
  let app: KanshiApp;
  let trail: AuditTrail;
  let publicKey: ReturnType<typeof testAuditTrail>["publicKey"];
  let svc: DisclosureService;
  let clock = 1_700_000_000_000;
  const entities = new Map<string, EntityState>();
  const reads: { scope: unknown; entity: string; fields: readonly string[] }[] = [];
  const keyring = new Keyring([{ kid: "t1", key: randomBytes(32) }]);
  const sealing = { keyring: new Keyring([{ kid: "p1", key: randomBytes(32) }]), blindIndexer: new BlindIndexer([{ kid: "b1", key: randomBytes(32) }]) };

  const cases: CaseLookup = {
    async entityState(id) {
      return entities.get(id) ?? { entityId: entityId(id), cases: [] };
    },
  };
  /**
   * A deliberately careless reader: every owner's records and every field, whatever scope and fields
   * were asked for. What reaches a caller must still be only what the policy allows.
   */
  const reader: PersonalDataReader = {
    async personalData(scope, entity, fields) {
      reads.push({ scope, entity, fields });
      return {
        records: OWNERS.map((owner) => ({ recordId: `${owner}:kyc-${entity}`, owner, fields: Object.fromEntries(PERSONAL_FIELDS.map((f) => [f, valueOf(entity, owner, f)])) })),
      };
    },
  };
  const suspect = (entity: string, score = 85, status: "open" | "closed" = "open") => {
    entities.set(entity, { entityId: entityId(entity), cases: [{ caseId: caseId(`case-${entity}`), status, score }] });
  };

  let A: Record<"alice" | "aliceSup" | "bob" | "carol" | "dave" | "olga" | "oscar" | "otto" | "pat" | "aud" | "adm", Actor>;
  const call = (who: Actor, method: "GET" | "POST", url: string, payload?: unknown) =>
    app.inject({ method, url, headers: who.headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const request = (who: Actor, entity: string, over: Record<string, unknown> = {}) =>
    call(who, "POST", "/v1/disclosures", { entityId: entity, caseId: `case-${entity}`, purpose: PURPOSE, fields: ["name", "dateOfBirth"], durationMs: 5_000, ...over });
  const reasonOf = (res: { json(): unknown }) => (res.json() as { error?: { reason?: string } }).error?.reason;

  before(async () => {
    const template = await createStoreTemplate();
    store = await template.open({ personalData: sealing });
    ({ trail, publicKey } = testAuditTrail(store));
    svc = createDisclosureService({ repo: store.disclosures(), cases, personalData: reader, audit: trail, sealer: keyring, policy, now: () => clock });
    app = await buildTestApp(store, { audit: trail, disclosures: svc });
    const [alice, aliceSup, bob, carol, dave, olga, oscar, otto, pat, aud, adm] = await Promise.all([
      actor(store, "alice", "analyst"),
      actor(store, "alice", "supervisor"),
      actor(store, "bob", "supervisor"),
      actor(store, "carol", "regulator"),
      actor(store, "dave", "analyst"),
      actor(store, "olga", "exchange_officer", "ex1"),
      actor(store, "oscar", "exchange_officer", "ex2"),
      actor(store, "otto", "exchange_officer", "ex3"),
      actor(store, "pat", "data_provider", "bureau-x"),
      actor(store, "aud", "auditor"),
      actor(store, "adm", "admin"),
    ]);
    A = { alice: alice!, aliceSup: aliceSup!, bob: bob!, carol: carol!, dave: dave!, olga: olga!, oscar: oscar!, otto: otto!, pat: pat!, aud: aud!, adm: adm! };
  });
  after(async () => {
    await app?.close();
    await store?.close();
  });

  it("request → approval by another supervisor → reveal of the granted fields from every owner, audited without values", async () => {
    suspect("e-happy");
    const created = await request(A.alice, "e-happy");
    assert.equal(created.statusCode, 201, created.body);
    const view = created.json() as { requestId: string; state: string; purpose: string; requestedBy: string; grant: unknown };
    assert.equal(view.state, "pending");
    assert.equal(view.purpose, PURPOSE);
    assert.equal(view.requestedBy, "key:alice");
    assert.equal(view.grant, null);
    clock += 100;
    const approved = await call(A.bob, "POST", `/v1/disclosures/${view.requestId}/approve`, {});
    assert.equal(approved.statusCode, 200, approved.body);
    const g = approved.json() as { state: string; grant: { approvedBy: string; expiresAt: string } };
    assert.equal(g.state, "approved");
    assert.equal(g.grant.approvedBy, "key:bob");
    assert.equal(g.grant.expiresAt, new Date(clock + 5_000).toISOString());

    clock += 100;
    const res = await call(A.alice, "GET", "/v1/entities/e-happy/personal-data?fields=name");
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { via: string; grant: string; fields: string[]; records: { owner: string; fields: Record<string, unknown> }[] };
    assert.equal(body.via, "grant");
    assert.equal(body.grant, view.requestId);
    assert.deepEqual(
      body.records.map((r) => [r.owner, r.fields]),
      OWNERS.map((o) => [o, { name: valueOf("e-happy", o, "name") }]),
      "only the field asked for, although the reader returned every field",
    );
    assert.deepEqual(reads.at(-1)?.scope, { grant: view.requestId });

    const size = await store.auditLog().size();
    const records = await store.auditLog().read(0, size);
    const reveal = records.filter((r) => r.action === "pii.reveal").at(-1)!;
    assert.equal(reveal.actor, "key:alice@analyst");
    assert.equal(reveal.target, "entity:e-happy");
    assert.deepEqual(reveal.details, {
      via: "grant",
      grant: view.requestId,
      fields: ["name"],
      records: 3,
      owners: ["bureau-x", "ex1", "ex2"],
      recordIds: OWNERS.map((o) => `${o}:kyc-e-happy`),
      values: 3,
    });
    assert.deepEqual(
      records.filter((r) => r.target === `disclosure:${view.requestId}`).map((r) => r.action),
      ["disclosure.request", "disclosure.approve"],
    );
  });

  it("refuses a non-suspect (closed case, low score, unknown case) with reason codes and no purpose echoed", async () => {
    suspect("e-low", 40);
    suspect("e-closed", 95, "closed");
    for (const [entity, status, reason] of [
      ["e-low", 403, "not_suspect"],
      ["e-closed", 403, "not_suspect"],
      ["e-nobody", 404, "unknown_case"],
    ] as const) {
      const res = await request(A.alice, entity);
      assert.equal(res.statusCode, status, res.body);
      assert.equal(reasonOf(res), reason);
      assert.ok(!res.body.includes(PURPOSE_CANARY), "the purpose is never echoed");
    }
    const short = await request(A.alice, "e-low", { purpose: "too short" });
    assert.equal(short.statusCode, 400);
    assert.equal(reasonOf(short), "purpose_too_short");
    assert.ok(!short.body.includes("too short\""), "the purpose is never echoed");
    const badField = await request(A.alice, "e-low", { fields: ["name", "shoeSize"] });
    assert.equal(badField.statusCode, 400);
    assert.equal((badField.json() as { error: { path: string } }).error.path, "body.fields[1]");
    const dup = await request(A.alice, "e-low", { fields: ["name", "name"] });
    assert.equal((dup.json() as { error: { path: string } }).error.path, "body.fields[1]");
    const long = await request(A.alice, "e-low", { durationMs: MAX_GRANT + 1 });
    assert.equal(reasonOf(long), "bad_duration");
    for (const who of [A.olga, A.pat, A.aud, A.adm]) {
      const res = await request(who, "e-low");
      assert.equal(res.statusCode, 403);
      assert.equal(reasonOf(res), "role_not_permitted");
    }
  });

  it("no approval by the requester (in any role), by a non-supervisor, twice, or after a refusal", async () => {
    suspect("e-sod");
    const id = ((await request(A.alice, "e-sod")).json() as { requestId: string }).requestId;
    const self = await call(A.aliceSup, "POST", `/v1/disclosures/${id}/approve`, {});
    assert.equal(self.statusCode, 403);
    assert.equal(reasonOf(self), "self_approval");
    const analyst = await call(A.dave, "POST", `/v1/disclosures/${id}/approve`, {});
    assert.equal(reasonOf(analyst), "not_supervisor");
    const ok = await call(A.bob, "POST", `/v1/disclosures/${id}/approve`, { reason: "synthetic approval note" });
    assert.equal(ok.statusCode, 200);
    const again = await call(A.bob, "POST", `/v1/disclosures/${id}/approve`, {});
    assert.equal(again.statusCode, 409);
    assert.equal((again.json() as { error: { code: string } }).error.code, "conflict");
    const refuseAfter = await call(A.bob, "POST", `/v1/disclosures/${id}/refuse`, { reason: "synthetic" });
    assert.equal(refuseAfter.statusCode, 409);

    const id2 = ((await request(A.carol, "e-sod")).json() as { requestId: string }).requestId;
    const refused = await call(A.bob, "POST", `/v1/disclosures/${id2}/refuse`, { reason: "synthetic refusal reason" });
    assert.equal(refused.statusCode, 200, refused.body);
    assert.equal((refused.json() as { state: string }).state, "refused");
    assert.equal((refused.json() as { decisions: { reason: string }[] }).decisions[0]?.reason, "synthetic refusal reason");
    const approveRefused = await call(A.aliceSup, "POST", `/v1/disclosures/${id2}/approve`, {});
    assert.equal(approveRefused.statusCode, 409);
    const noReason = await call(A.bob, "POST", `/v1/disclosures/${id2}/refuse`, {});
    assert.equal(noReason.statusCode, 400);

    // Concurrent approvals by two supervisors: one wins.
    const id3 = ((await request(A.dave, "e-sod")).json() as { requestId: string }).requestId;
    const both = await Promise.all([call(A.bob, "POST", `/v1/disclosures/${id3}/approve`, {}), call(A.aliceSup, "POST", `/v1/disclosures/${id3}/approve`, {})]);
    assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 409]);

    // A request pending too long is stale.
    const id4 = ((await request(A.dave, "e-sod")).json() as { requestId: string }).requestId;
    clock += MAX_PENDING + 1;
    const stale = await call(A.bob, "POST", `/v1/disclosures/${id4}/approve`, {});
    assert.equal(stale.statusCode, 409);
    assert.equal(reasonOf(stale), "request_stale");
    const expired = await call(A.dave, "GET", `/v1/disclosures/${id4}`);
    assert.equal((expired.json() as { state: string }).state, "expired");
  });

  it("a grant reads only its fields, only by its holder in its role, only until expiry or revocation, only while a suspect", async () => {
    suspect("e-grant");
    const id = ((await request(A.alice, "e-grant", { fields: ["name", "address"], durationMs: 1_000 })).json() as { requestId: string }).requestId;
    await call(A.bob, "POST", `/v1/disclosures/${id}/approve`, {});
    const read = (who: Actor, fields: string, extra = "") => call(who, "GET", `/v1/entities/e-grant/personal-data?fields=${fields}${extra}`);

    assert.equal((await read(A.alice, "name,address")).statusCode, 200);
    assert.equal((await read(A.alice, "name", `&grant=${id}`)).statusCode, 200);
    const outside = await read(A.alice, "name,phone");
    assert.equal(outside.statusCode, 403);
    assert.equal(reasonOf(outside), "field_not_granted");
    assert.ok(!outside.body.includes(VALUE_PREFIX), "a refused read carries no value, not even of the granted field");
    assert.equal(reasonOf(await read(A.aliceSup, "name")), "no_grant", "the same person in another role holds no grant");
    assert.equal(reasonOf(await read(A.dave, "name")), "no_grant");
    assert.equal((await read(A.dave, "name", `&grant=${id}`)).statusCode, 404, "someone else's grant is not yours to name");
    for (const who of [A.pat, A.aud, A.adm]) assert.equal(reasonOf(await read(who, "name")), "role_not_permitted");

    suspect("e-grant", 50);
    assert.equal(reasonOf(await read(A.alice, "name")), "not_suspect", "suspicion is re-checked at every read");
    suspect("e-grant");
    clock += 1_000;
    assert.equal(reasonOf(await read(A.alice, "name")), "expired");
    assert.equal(((await call(A.alice, "GET", `/v1/disclosures/${id}`)).json() as { state: string }).state, "expired");

    const id2 = ((await request(A.alice, "e-grant", { fields: ["name"] })).json() as { requestId: string }).requestId;
    await call(A.bob, "POST", `/v1/disclosures/${id2}/approve`, {});
    assert.equal((await read(A.alice, "name")).statusCode, 200, "the newest grant that allows the read is used");
    const revoked = await call(A.alice, "POST", `/v1/disclosures/${id2}/revoke`, {});
    assert.equal(revoked.statusCode, 200);
    assert.equal(reasonOf(await read(A.alice, "name", `&grant=${id2}`)), "revoked");
    assert.equal((await call(A.alice, "POST", `/v1/disclosures/${id2}/revoke`, {})).statusCode, 409);
    const noTwo = await call(A.dave, "POST", `/v1/disclosures/${id}/revoke`, {});
    assert.equal(noTwo.statusCode, 404, "a stranger cannot see, let alone revoke, someone's request");

    const bad = await read(A.alice, "name,nope");
    assert.equal(bad.statusCode, 400);
    assert.equal((bad.json() as { error: { path: string } }).error.path, "query.fields[1]");
  });

  it("an exchange officer reads its own exchange's records without a grant, never another's", async () => {
    const res = await call(A.olga, "GET", "/v1/entities/e-any/personal-data?fields=name,phone");
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { via: string; records: { owner: string; fields: Record<string, unknown> }[] };
    assert.equal(body.via, "own_tenant");
    assert.deepEqual(
      body.records.map((r) => [r.owner, Object.keys(r.fields)]),
      [["ex1", ["name", "phone"]]],
    );
    assert.deepEqual(reads.at(-1)?.scope, { tenant: "ex1" });
    assert.ok(!res.body.includes("|ex2|") && !res.body.includes("|bureau-x|"));
    const none = await call(A.otto, "GET", "/v1/entities/e-any/personal-data?fields=name");
    assert.equal(none.statusCode, 404);
    assert.ok(!none.body.includes(VALUE_PREFIX));
  });

  it("reveals nothing when the audit trail cannot be written", async () => {
    const failing = createDisclosureService({
      repo: store.disclosures(),
      cases,
      personalData: reader,
      audit: {
        appendBatch: async () => {
          throw new Error("audit store unavailable");
        },
      },
      sealer: keyring,
      policy,
      now: () => clock,
    });
    const olga = { id: A.olga.id, role: "exchange_officer", tenant: "ex1" } as Parameters<DisclosureService["reveal"]>[0];
    await assert.rejects(failing.reveal(olga, "e-audit", ["name"]), /audit store unavailable/);
    assert.ok((await svc.reveal(olga, "e-audit", ["name"])).records.length === 1, "the same read succeeds with a working trail");
  });

  it("lists: requesters their own, supervisors also everyone's pending; others are refused; a request is 404 to strangers", async () => {
    suspect("e-list");
    const mine = ((await request(A.carol, "e-list")).json() as { requestId: string }).requestId;
    clock += 1;
    const dave = ((await request(A.dave, "e-list")).json() as { requestId: string }).requestId;
    const ids = async (who: Actor, q = "") => ((await call(who, "GET", `/v1/disclosures?entityId=e-list${q}`)).json() as { items: { requestId: string }[] }).items.map((r) => r.requestId);
    assert.deepEqual(await ids(A.carol), [mine]);
    assert.deepEqual(await ids(A.dave), [dave]);
    assert.deepEqual(await ids(A.bob), [dave, mine]);
    assert.deepEqual(await ids(A.bob, "&scope=mine"), []);
    assert.deepEqual(await ids(A.bob, "&state=approved"), []);
    const page = await call(A.bob, "GET", "/v1/disclosures?entityId=e-list&limit=1");
    assert.ok((page.json() as { nextCursor: string | null }).nextCursor !== null);
    const officer = await call(A.olga, "GET", "/v1/disclosures");
    assert.equal(officer.statusCode, 403);
    assert.equal((await call(A.dave, "GET", `/v1/disclosures/${mine}`)).statusCode, 404);
    assert.equal((await call(A.bob, "GET", `/v1/disclosures/${mine}`)).statusCode, 200);
    const unauth = await app.inject({ method: "GET", url: "/v1/disclosures" });
    assert.equal(unauth.statusCode, 401);
  });

  it("documents its routes in the OpenAPI document, each with the reason-carrying error shape", async () => {
    const doc = (await app.inject({ url: "/openapi.json" })).json() as { paths: Record<string, Record<string, { summary?: string; responses: Record<string, unknown> }>> };
    const result = await new Validator().validate(doc as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors)?.slice(0, 1000));
    const ours = [
      ["post", "/v1/disclosures"],
      ["get", "/v1/disclosures"],
      ["get", "/v1/disclosures/{id}"],
      ["post", "/v1/disclosures/{id}/approve"],
      ["post", "/v1/disclosures/{id}/refuse"],
      ["post", "/v1/disclosures/{id}/revoke"],
      ["get", "/v1/entities/{id}/personal-data"],
    ] as const;
    for (const [m, path] of ours) {
      const op = doc.paths[path]?.[m];
      assert.ok(op?.summary, `${m} ${path} is documented`);
      for (const status of ["401", "403", "429"]) assert.ok(op.responses[status], `${m} ${path}: ${status}`);
      assert.match(JSON.stringify(op.responses["403"]), /reason/);
    }
  });

  it("property: no disclosure of a non-suspect, no approval by the requester, no field outside the grant, no read after expiry, no cross-tenant data", async () => {
    const people: (keyof typeof A)[] = ["alice", "aliceSup", "bob", "carol", "dave", "olga", "oscar", "otto", "pat", "aud", "adm"];
    const person = fc.constantFrom(...people);
    // Biased toward the paths that get far (a suspect, a supervisor approving, the requester reading),
    // with every other combination still drawn.
    const often = <T,>(likely: fc.Arbitrary<T>, any: fc.Arbitrary<T>) => fc.oneof({ arbitrary: likely, weight: 4 }, { arbitrary: any, weight: 1 });
    const fieldSet = fc.uniqueArray(fc.constantFrom(...PERSONAL_FIELDS.slice(0, 6)), { minLength: 1, maxLength: 3 });
    const caseArb = fc.record({
      status: often(fc.constant("open" as const), fc.constantFrom("open" as const, "closed" as const)),
      score: often(fc.integer({ min: 70, max: 100 }), fc.integer({ min: 0, max: 100 })),
    });
    const change = often(fc.constant("none"), fc.constantFrom("none", "close", "lower", "raise", "revoke_self", "revoke_sup"));
    let n = 0;
    let granted = 0;
    let revealedByGrant = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          requester: often(fc.constantFrom<keyof typeof A>("alice", "carol", "dave", "bob"), person),
          approver: often(fc.constantFrom<keyof typeof A>("bob", "aliceSup"), person),
          reader: often(fc.constant("requester" as const), person),
          initial: fc.array(caseArb, { minLength: 0, maxLength: 3 }),
          named: often(fc.constant(0), fc.integer({ min: 0, max: 3 })),
          fields: fieldSet,
          readFields: often(fc.constant(null), fieldSet),
          durationMs: fc.integer({ min: 1, max: MAX_GRANT }),
          approveAfter: often(fc.integer({ min: 0, max: MAX_PENDING }), fc.integer({ min: 0, max: MAX_PENDING + 500 })),
          beforeApproval: change,
          beforeRead: change,
          readAfter: often(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 2 * MAX_GRANT })),
        }),
        async (scenario) => {
          const s = { ...scenario, readFields: scenario.readFields ?? scenario.fields };
          const entity = `p-${n++}`;
          const caseIds = s.initial.map((_, i) => `pc-${entity}-${i}`);
          let cs = s.initial.map((c, i) => ({ caseId: caseId(caseIds[i]!), ...c }));
          const named = s.named < cs.length ? caseIds[s.named]! : `pc-${entity}-none`;
          const set = () => entities.set(entity, { entityId: entityId(entity), cases: cs });
          const apply = async (c: string, id: string | undefined) => {
            const i = cs.findIndex((x) => x.caseId === named);
            if (c === "close" && i >= 0) cs = cs.map((x, j) => (j === i ? { ...x, status: "closed" as const } : x));
            if (c === "lower" && i >= 0) cs = cs.map((x, j) => (j === i ? { ...x, score: 69 } : x));
            if (c === "raise" && i >= 0) cs = cs.map((x, j) => (j === i ? { ...x, status: "open" as const, score: 70 } : x));
            set();
            let revoked = false;
            if (id !== undefined && (c === "revoke_self" || c === "revoke_sup")) {
              const res = await call(c === "revoke_self" ? A[s.requester] : A.bob, "POST", `/v1/disclosures/${id}/revoke`, {});
              revoked = res.statusCode === 200;
              if (c === "revoke_self") assert.equal(res.statusCode, 200, "the requester can always withdraw a pending or approved request");
            }
            return revoked;
          };
          const isSuspect = () => cs.some((c) => c.caseId === named && c.status === "open" && c.score >= 70);
          set();
          const req = A[s.requester];
          const base = clock;

          // 1. The request: only a requester role, only about a suspect through the named case.
          const created = await call(req, "POST", "/v1/disclosures", { entityId: entity, caseId: named, purpose: PURPOSE, fields: s.fields, durationMs: s.durationMs });
          const mayRequest = REQUESTER_ROLES.includes(req.role) && isSuspect();
          assert.equal(created.statusCode === 201, mayRequest, `request ${created.statusCode} ${created.body}`);
          if (!mayRequest) {
            assert.ok(!REQUESTER_ROLES.includes(req.role) || [403, 404].includes(created.statusCode));
            if (REQUESTER_ROLES.includes(req.role)) assert.equal(reasonOf(created), cs.some((c) => c.caseId === named) ? "not_suspect" : "unknown_case");
          }
          assert.ok(!created.body.includes(PURPOSE_CANARY) || created.statusCode === 201);
          const id = created.statusCode === 201 ? (created.json() as { requestId: string }).requestId : undefined;

          // 2. The approval: another person, as supervisor, in time, while still a suspect.
          let approvedAt: number | undefined;
          let revoked = await apply(s.beforeApproval, id);
          if (id !== undefined) {
            clock = base + s.approveAfter;
            const appr = A[s.approver];
            const res = await call(appr, "POST", `/v1/disclosures/${id}/approve`, {});
            const mayApprove = !revoked && appr.role === "supervisor" && appr.id !== req.id && isSuspect() && s.approveAfter <= MAX_PENDING;
            assert.equal(res.statusCode === 200, mayApprove, `approve ${res.statusCode} ${res.body}`);
            if (appr.id === req.id) assert.equal(res.statusCode, 403, "never approved by its requester");
            if (mayApprove) {
              approvedAt = clock;
              granted++;
              const again = await call(A.aliceSup.id === appr.id ? A.bob : A.aliceSup, "POST", `/v1/disclosures/${id}/approve`, {});
              assert.equal(again.statusCode, again.statusCode === 403 ? 403 : 409, "decided once");
            }
          }

          // 3. The read.
          revoked = (await apply(s.beforeRead, id)) || revoked;
          clock = (approvedAt ?? base + s.approveAfter) + s.readAfter;
          const reader = s.reader === "requester" ? req : A[s.reader];
          const res = await call(reader, "GET", `/v1/entities/${entity}/personal-data?fields=${s.readFields.join(",")}`);
          const body = res.body;
          if (reader.role === "exchange_officer") {
            const own = OWNERS.includes(reader.tenant as (typeof OWNERS)[number]);
            assert.equal(res.statusCode, own ? 200 : 404, body);
            if (own) {
              const recs = (res.json() as { records: { owner: string; fields: Record<string, unknown> }[] }).records;
              assert.deepEqual(
                recs.map((r) => r.owner),
                [reader.tenant],
                "no cross-tenant personal data",
              );
              assert.deepEqual(recs[0]!.fields, Object.fromEntries(s.readFields.map((f) => [f, valueOf(entity, reader.tenant!, f)])));
            }
          } else {
            const mayRead =
              approvedAt !== undefined &&
              !revoked &&
              reader.id === req.id &&
              reader.role === req.role &&
              isSuspect() &&
              clock < approvedAt + s.durationMs &&
              s.readFields.every((f) => s.fields.includes(f));
            assert.equal(res.statusCode === 200, mayRead, `read ${res.statusCode} ${body}`);
            if (res.statusCode === 200) {
              revealedByGrant++;
              const recs = (res.json() as { records: { owner: string; fields: Record<string, unknown> }[] }).records;
              for (const r of recs) {
                assert.deepEqual(Object.keys(r.fields).sort(), [...s.readFields].sort(), "no field outside the grant");
                for (const f of s.readFields as PersonalField[]) assert.ok(s.fields.includes(f));
              }
              assert.ok(isSuspect(), "no disclosure of a non-suspect");
              assert.ok(clock < approvedAt! + s.durationMs, "no read after expiry");
            } else {
              assert.equal(res.statusCode, 403, body);
              assert.ok(!body.includes(VALUE_PREFIX), "a refusal carries no personal data");
            }
          }
          clock = Math.max(clock, base) + 4 * MAX_GRANT;
        },
      ),
      // A fixed seed: the coverage check below is then about this generator, not about luck (a random
      // seed reached as few as 3 reveals in 100 runs). FC_SEED overrides it to explore.
      { numRuns: 150, seed: Number(process.env.FC_SEED ?? 20261125) },
    );
    assert.ok(granted > 12 && revealedByGrant > 3, `the generator reaches approvals (${granted}) and reveals (${revealedByGrant})`);

    // The audit trail of it all verifies, and holds neither the purpose nor any value.
    const size = await store.auditLog().size();
    const records: AuditRecord[] = await store.auditLog().read(0, size);
    const text = JSON.stringify(records);
    assert.ok(!text.includes(PURPOSE_CANARY), "no purpose in the audit trail");
    assert.ok(!text.includes(VALUE_PREFIX), "no personal value in the audit trail");
    const verdict = await verifyAuditLog(store.auditLog(), publicKey);
    assert.ok(verdict.ok, JSON.stringify(verdict));
  });

  it("over the real case and identity stores: an officer's own KYC; a grant's reveal of every owner's; refused once the case closes", async () => {
    const ts = (d: number) => `2024-03-0${d}T09:00:00+09:00`;
    const kyc = (source: string, id: string, accountId: string, name: string) => ({
      source,
      id,
      type: "account.opened",
      time: Date.parse(ts(1)),
      ts: ts(1),
      body: JSON.stringify({ id, type: "account.opened", ts: ts(1), source, accountId, customerType: "individual", kyc: { name, dateOfBirth: "1981-01-01", phone: "090-0000-9999" } }),
    });
    const nameCanary = `試験 名前${randomBytes(3).toString("hex")}`;
    await store.appendEvents([kyc("ex1", "o-r1", "ex1-r", nameCanary), kyc("ex2", "o-r2", "ex2-r", `${nameCanary}二`)]);
    await store.identities().assignEntities([
      { recordId: "ex1:o-r1", entityId: "ent-real" },
      { recordId: "ex2:o-r2", entityId: "ent-real" },
    ]);
    const at = clock;
    const opened = await store.cases().create(
      {
        id: "cs-real",
        entityId: "ent-real",
        subjectKind: "entity",
        score: 88,
        lastScore: 88,
        openedBy: "system",
        openedReason: "manual",
        openedAt: at,
        dueAt: null,
        assignee: null,
        firstAlertTs: null,
        lastAlertTs: null,
        alertCount: 0,
      },
      [],
      { caseId: "cs-real", actor: "system", action: "case.open", details: {} },
      at,
    );
    const realSvc = disclosureServiceFor(store, { audit: trail, sealer: keyring, policy, now: () => clock });
    const realApp = await buildTestApp(store, { audit: trail, disclosures: realSvc });
    try {
      const call2 = (who: Actor, method: "GET" | "POST", url: string, payload?: unknown) =>
        realApp.inject({ method, url, headers: who.headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
      const own = await call2(A.olga, "GET", "/v1/entities/ent-real/personal-data?fields=name,dateOfBirth");
      assert.equal(own.statusCode, 200, own.body);
      assert.deepEqual(
        (own.json() as { records: { owner: string; fields: Record<string, unknown> }[] }).records.map((r) => [r.owner, r.fields]),
        [["ex1", { name: nameCanary, dateOfBirth: "1981-01-01" }]],
      );
      const before = await call2(A.dave, "GET", "/v1/entities/ent-real/personal-data?fields=name");
      assert.equal(reasonOf(before), "no_grant");
      const created = await call2(A.dave, "POST", "/v1/disclosures", { entityId: "ent-real", caseId: "cs-real", purpose: PURPOSE, fields: ["name", "phone"], durationMs: 5_000 });
      assert.equal(created.statusCode, 201, created.body);
      const id = (created.json() as { requestId: string }).requestId;
      assert.equal((await call2(A.bob, "POST", `/v1/disclosures/${id}/approve`, {})).statusCode, 200);
      const res = await call2(A.dave, "GET", "/v1/entities/ent-real/personal-data?fields=name,phone");
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(
        (res.json() as { records: { owner: string; fields: Record<string, unknown> }[] }).records.map((r) => [r.owner, r.fields]),
        [
          ["ex1", { name: nameCanary, phone: "090-0000-9999" }],
          ["ex2", { name: `${nameCanary}二`, phone: "090-0000-9999" }],
        ],
      );
      await store.cases().update("cs-real", opened.version, { state: "closed", disposition: "no_further_action", closedAt: clock }, { caseId: "cs-real", actor: "system", action: "case.close", details: {} }, clock);
      const closed = await call2(A.dave, "GET", "/v1/entities/ent-real/personal-data?fields=name");
      assert.equal(closed.statusCode, 403);
      assert.equal(reasonOf(closed), "not_suspect");
      const text = JSON.stringify(await store.auditLog().read(0, await store.auditLog().size()));
      assert.ok(!text.includes(nameCanary) && !text.includes("090-0000-9999"), "no personal value in the audit trail");
      const stored = await store.disclosures().get(id);
      assert.ok(stored !== undefined && !stored.purposeSealed.includes(PURPOSE_CANARY), "the purpose is stored sealed");
    } finally {
      await realApp.close();
    }
  });
});
