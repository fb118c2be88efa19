import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { caseId, entityId, tenantId, type TenantId } from "../contracts/ids.ts";
import {
  DEFAULT_POLICY_CONFIG,
  PERSONAL_FIELDS,
  PrincipalSchema,
  REQUESTER_ROLES,
  ROLES,
  createDisclosurePolicy,
  principalId,
  type DisclosureGrant,
  type DisclosureRequest,
  type EntityState,
  type PersonalField,
  type Principal,
  type Role,
} from "./policy.ts";

const cfg = { disclosureThreshold: 70, minPurposeLength: 20, maxGrantMs: 1000, maxPendingMs: 500 };
const policy = createDisclosurePolicy(cfg);

const exA = tenantId("ex-a");
const exB = tenantId("ex-b");
const alice: Principal = { id: principalId("alice"), role: "analyst" };
const bob: Principal = { id: principalId("bob"), role: "supervisor" };
const aliceAsSupervisor: Principal = { id: principalId("alice"), role: "supervisor" };
const officerA: Principal = { id: principalId("olga"), role: "exchange_officer", tenant: exA };

const suspect: EntityState = {
  entityId: entityId("e1"),
  cases: [
    { caseId: caseId("c-low"), status: "open", score: 40 },
    { caseId: caseId("c1"), status: "open", score: 85 },
    { caseId: caseId("c-closed"), status: "closed", score: 99 },
  ],
};
const PURPOSE = "Structuring across two exchanges; FIU inquiry 2026-114.";

function request(over: Partial<DisclosureRequest> = {}): DisclosureRequest {
  return {
    requestId: "r1",
    entityId: entityId("e1"),
    caseId: caseId("c1"),
    requestedBy: alice.id,
    requesterRole: "analyst",
    purpose: PURPOSE,
    fields: ["name", "dateOfBirth"],
    requestedAt: 1000,
    durationMs: 600,
    ...over,
  };
}

function grantFor(r = request(), approver: Principal = bob, at = 1100): DisclosureGrant {
  const d = policy.approve(approver, suspect, r, at);
  assert.ok(d.allow, d.allow ? "" : d.message);
  return d.grant;
}

const reasonOf = (d: { allow: boolean; reason?: string }) => (d.allow ? "allow" : d.reason);

describe("disclosure: the happy path", () => {
  it("request by an analyst, approval by another person as supervisor, reveal of a granted field before expiry", () => {
    assert.deepEqual(policy.canRequestDisclosure(alice, suspect, request(), 1000), { allow: true });
    assert.deepEqual(policy.canApprove(bob, suspect, request(), 1100), { allow: true });
    const g = grantFor();
    assert.equal(g.approvedBy, bob.id);
    assert.equal(g.expiresAt, 1700);
    assert.deepEqual(policy.canReveal(alice, suspect, g, "name", 1100), { allow: true });
    assert.deepEqual(policy.canReveal(alice, suspect, g, "dateOfBirth", 1699), { allow: true });
    assert.deepEqual(policy.canReadPersonalData(alice, { owner: exB, entity: suspect, field: "name", grant: g, now: 1200 }), { allow: true, via: "grant" });
  });

  it("works for a regulator and for a supervisor requesting (approved by another supervisor)", () => {
    const reg: Principal = { id: principalId("rina"), role: "regulator" };
    const r = request({ requestedBy: reg.id, requesterRole: "regulator" });
    assert.ok(policy.canRequestDisclosure(reg, suspect, r, 1000).allow);
    assert.ok(policy.canReveal(reg, suspect, grantFor(r), "name", 1200).allow);
    const rs = request({ requestedBy: bob.id, requesterRole: "supervisor" });
    assert.ok(policy.canRequestDisclosure(bob, suspect, rs, 1000).allow);
    assert.equal(reasonOf(policy.canApprove(bob, suspect, rs, 1100)), "self_approval");
    assert.ok(policy.canApprove(aliceAsSupervisor, suspect, rs, 1100).allow);
  });
});

describe("disclosure: each rule says no with its reason", () => {
  it("requests", () => {
    const cases: Array<[Principal, EntityState, DisclosureRequest, number, string]> = [
      [officerA, suspect, request({ requestedBy: officerA.id, requesterRole: "exchange_officer" }), 1000, "role_not_permitted"],
      [{ id: principalId("d"), role: "data_provider", tenant: exA }, suspect, request(), 1000, "role_not_permitted"],
      [{ id: principalId("au"), role: "auditor" }, suspect, request(), 1000, "role_not_permitted"],
      [{ id: principalId("ad"), role: "admin" }, suspect, request(), 1000, "role_not_permitted"],
      [bob, suspect, request(), 1000, "not_requester"],
      [aliceAsSupervisor, suspect, request(), 1000, "not_requester"],
      [alice, suspect, request({ entityId: entityId("e2") }), 1000, "entity_mismatch"],
      [alice, suspect, request({ caseId: caseId("nope") }), 1000, "unknown_case"],
      [alice, suspect, request({ caseId: caseId("c-low") }), 1000, "not_suspect"],
      [alice, suspect, request({ caseId: caseId("c-closed") }), 1000, "not_suspect"],
      [alice, suspect, request({ purpose: "because" }), 1000, "purpose_too_short"],
      [alice, suspect, request({ purpose: "        " + "x".repeat(19) + "      " }), 1000, "purpose_too_short"],
      [alice, suspect, request({ fields: [] }), 1000, "no_fields"],
      [alice, suspect, request({ fields: ["name", "shoeSize" as PersonalField] }), 1000, "unknown_field"],
      [alice, suspect, request({ fields: ["name", "name"] }), 1000, "duplicate_field"],
      [alice, suspect, request({ durationMs: 0 }), 1000, "bad_duration"],
      [alice, suspect, request({ durationMs: 1001 }), 1000, "bad_duration"],
      [alice, suspect, request(), 999, "bad_time"],
    ];
    for (const [p, e, r, now, reason] of cases) assert.equal(reasonOf(policy.canRequestDisclosure(p, e, r, now)), reason, `${p.role} ${reason}`);
  });

  it("counts the purpose in characters, so a Japanese purpose of 20 characters is enough", () => {
    const jp = "二つの取引所をまたぐ分割入金の疑い。照会番号一一四"; // 25 characters, 75 bytes
    assert.ok(policy.canRequestDisclosure(alice, suspect, request({ purpose: jp }), 1000).allow);
    assert.equal(reasonOf(policy.canRequestDisclosure(alice, suspect, request({ purpose: jp.slice(0, 19) }), 1000)), "purpose_too_short");
  });

  it("approvals", () => {
    const stranger: Principal = { id: principalId("sam"), role: "analyst" };
    assert.equal(reasonOf(policy.canApprove(stranger, suspect, request(), 1100)), "not_supervisor");
    assert.equal(reasonOf(policy.canApprove(aliceAsSupervisor, suspect, request(), 1100)), "self_approval");
    assert.equal(reasonOf(policy.canApprove(bob, suspect, request(), 999)), "bad_time");
    assert.equal(reasonOf(policy.canApprove(bob, suspect, request(), 1501)), "request_stale");
    assert.equal(reasonOf(policy.canApprove(bob, { ...suspect, cases: [{ caseId: caseId("c1"), status: "closed", score: 85 }] }, request(), 1100)), "not_suspect");
    assert.equal(reasonOf(policy.canApprove(bob, suspect, request({ requesterRole: "exchange_officer" }), 1100)), "role_not_permitted");
    assert.equal(reasonOf(policy.approve(bob, suspect, request({ purpose: "x" }), 1100)), "purpose_too_short");
  });

  it("reveals", () => {
    const g = grantFor();
    const closed: EntityState = { ...suspect, cases: [{ caseId: caseId("c1"), status: "closed", score: 85 }] };
    const downgraded: EntityState = { ...suspect, cases: [{ caseId: caseId("c1"), status: "open", score: 69 }] };
    const cases: Array<[Principal, EntityState, DisclosureGrant, string, number, string]> = [
      [bob, suspect, g, "name", 1200, "not_grantee"],
      [aliceAsSupervisor, suspect, g, "name", 1200, "not_grantee"],
      [officerA, suspect, g, "name", 1200, "role_not_permitted"],
      [alice, suspect, g, "address", 1200, "field_not_granted"],
      [alice, suspect, g, "shoeSize", 1200, "unknown_field"],
      [alice, suspect, g, "name", 1700, "expired"],
      [alice, suspect, g, "name", 1099, "not_yet_valid"],
      [alice, closed, g, "name", 1200, "not_suspect"],
      [alice, downgraded, g, "name", 1200, "not_suspect"],
      [alice, { ...suspect, entityId: entityId("e2") }, g, "name", 1200, "entity_mismatch"],
      [alice, suspect, { ...g, revokedAt: 1150 }, "name", 1200, "revoked"],
      [alice, suspect, { ...g, approvedBy: alice.id }, "name", 1200, "self_approval"],
      [alice, suspect, { ...g, approverRole: "analyst" as "supervisor" }, "name", 1200, "grant_invalid"],
      [alice, suspect, { ...g, expiresAt: g.expiresAt + 5000 }, "name", 1200, "grant_invalid"],
      [alice, suspect, { ...g, durationMs: 5000, expiresAt: g.approvedAt + 5000 }, "name", 1200, "grant_invalid"],
      [alice, suspect, { ...g, approvedAt: 900 }, "name", 1200, "grant_invalid"],
      [alice, suspect, { ...g, fields: [] }, "name", 1200, "grant_invalid"],
    ];
    for (const [p, e, gr, f, now, reason] of cases) assert.equal(reasonOf(policy.canReveal(p, e, gr, f, now)), reason, `${reason} (${f} at ${now})`);
    assert.ok(policy.canReveal(alice, suspect, { ...g, revokedAt: 1500 }, "name", 1200).allow);
  });

  it("never echoes the written purpose in a message", () => {
    const secret = "PURPOSE-CANARY suspected of laundering for Yamada Taro";
    const r = request({ purpose: secret, fields: [] });
    const all = [
      policy.canRequestDisclosure(alice, suspect, r, 1000),
      policy.canApprove(bob, suspect, r, 1100),
      policy.canApprove(aliceAsSupervisor, suspect, r, 1100),
      policy.canReveal(bob, suspect, grantFor(request({ purpose: secret })), "name", 1200),
    ];
    for (const d of all) assert.ok(!d.allow && !d.message.includes("CANARY") && !d.message.includes("Yamada"));
  });
});

describe("direct reads, analytics, audit trail, writes", () => {
  const provider: Principal = { id: principalId("jicc-feed"), role: "data_provider", tenant: tenantId("jicc") };
  it("an exchange officer reads its own exchange's records and nothing else's", () => {
    const access = (owner: TenantId) => ({ owner, entity: { entityId: entityId("e9"), cases: [] }, field: "address", now: 0 });
    assert.deepEqual(policy.canReadPersonalData(officerA, access(exA)), { allow: true, via: "own_tenant" });
    assert.equal(reasonOf(policy.canReadPersonalData(officerA, access(exB))), "cross_tenant");
    assert.equal(reasonOf(policy.canReadPersonalData(officerA, access(tenantId("jicc")))), "cross_tenant");
    // Even a valid grant made out to someone else does not help an officer.
    assert.equal(reasonOf(policy.canReadPersonalData(officerA, { ...access(exB), entity: suspect, field: "name", grant: grantFor(), now: 1200 })), "cross_tenant");
  });
  it("analysts without a grant, providers, auditors and admins read no personal data", () => {
    const access = { owner: exA, entity: suspect, field: "name", now: 1200 };
    assert.equal(reasonOf(policy.canReadPersonalData(alice, access)), "no_grant");
    for (const p of [provider, { id: principalId("au"), role: "auditor" }, { id: principalId("ad"), role: "admin" }] as Principal[]) {
      assert.equal(reasonOf(policy.canReadPersonalData(p, { ...access, grant: grantFor() })), "role_not_permitted");
      assert.equal(policy.canReadAnalytics(p).allow, false);
    }
  });
  it("only auditors read the audit trail", () => {
    for (const role of ROLES) {
      const p = (role === "exchange_officer" || role === "data_provider" ? { id: principalId("x"), role, tenant: exA } : { id: principalId("x"), role }) as Principal;
      assert.equal(policy.canReadAuditTrail(p).allow, role === "auditor", role);
      assert.equal(policy.canReadAnalytics(p).allow, ["exchange_officer", "analyst", "supervisor", "regulator"].includes(role), role);
    }
  });
  it("events are written only by an officer or provider, as its own source", () => {
    assert.ok(policy.canWriteEvents(officerA, "ex-a").allow);
    assert.equal(reasonOf(policy.canWriteEvents(officerA, "ex-b")), "cross_tenant");
    assert.ok(policy.canWriteEvents(provider, "jicc").allow);
    assert.equal(reasonOf(policy.canWriteEvents(alice, "ex-a")), "role_not_permitted");
  });
});

describe("configuration and principals", () => {
  it("validates the config and parses principals at the edge", () => {
    assert.deepEqual(createDisclosurePolicy().config, DEFAULT_POLICY_CONFIG);
    assert.throws(() => createDisclosurePolicy({ ...cfg, disclosureThreshold: 101 }), /disclosure policy config.disclosureThreshold/);
    assert.throws(() => createDisclosurePolicy({ ...cfg, maxGrantMs: 0 }), /config.maxGrantMs/);
    assert.deepEqual(PrincipalSchema.parse({ id: "o", role: "exchange_officer", tenant: "ex-a" }), { id: "o", role: "exchange_officer", tenant: "ex-a" });
    assert.throws(() => PrincipalSchema.parse({ id: "o", role: "exchange_officer" }));
    assert.throws(() => PrincipalSchema.parse({ id: "o", role: "analyst", tenant: "ex-a" }));
    assert.throws(() => PrincipalSchema.parse({ id: "o", role: "root" }));
  });
});

// ---- properties over role × tenant × entity state × request / grant -----------------------------

const IDS = ["p1", "p2", "p3"].map(principalId);
const TENANTS = [exA, exB];
const CASES = ["c1", "c2", "c3"].map(caseId);
const ENTITIES = ["e1", "e2"].map(entityId);
const FIELD_POOL: string[] = [...PERSONAL_FIELDS.slice(0, 5), "shoeSize"];

const principalArb: fc.Arbitrary<Principal> = fc
  .record({ id: fc.constantFrom(...IDS), role: fc.constantFrom(...ROLES), tenant: fc.constantFrom(...TENANTS) })
  .map(({ id, role, tenant }) => (role === "exchange_officer" || role === "data_provider" ? { id, role, tenant } : { id, role }));

const entityArb: fc.Arbitrary<EntityState> = fc.record({
  entityId: fc.constantFrom(...ENTITIES),
  cases: fc.uniqueArray(
    fc.record({ caseId: fc.constantFrom(...CASES), status: fc.constantFrom("open" as const, "closed" as const), score: fc.oneof(fc.constantFrom(69, 70, 100), fc.integer({ min: 0, max: 100 })) }),
    { maxLength: 3, selector: (c) => c.caseId },
  ),
});

const fieldsArb = fc.oneof(
  { weight: 4, arbitrary: fc.uniqueArray(fc.constantFrom(...PERSONAL_FIELDS.slice(0, 5)), { minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...FIELD_POOL), { maxLength: 4 }) },
);

const requestArb: fc.Arbitrary<DisclosureRequest> = fc.record({
  requestId: fc.constant("r"),
  entityId: fc.constantFrom(...ENTITIES),
  caseId: fc.constantFrom(...CASES),
  requestedBy: fc.constantFrom(...IDS),
  requesterRole: fc.oneof(fc.constantFrom(...REQUESTER_ROLES), fc.constantFrom(...ROLES)) as fc.Arbitrary<Role>,
  purpose: fc.oneof({ weight: 3, arbitrary: fc.constant(PURPOSE) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }),
  fields: fieldsArb as fc.Arbitrary<PersonalField[]>,
  requestedAt: fc.integer({ min: 0, max: 2000 }),
  durationMs: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: -5, max: 1200 })),
});

/** Grants as storage might return them: mostly well formed, sometimes forged or inconsistent. */
const grantArb: fc.Arbitrary<DisclosureGrant> = fc
  .record({
    r: requestArb,
    approvedBy: fc.constantFrom(...IDS),
    approverRole: fc.oneof({ weight: 5, arbitrary: fc.constant("supervisor") }, { weight: 1, arbitrary: fc.constantFrom(...ROLES) }),
    delay: fc.integer({ min: 0, max: 600 }),
    skew: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -300, max: 3000 }) }),
    revokedAt: fc.option(fc.integer({ min: 0, max: 4000 }), { nil: undefined, freq: 2 }),
  })
  .map(({ r, approvedBy, approverRole, delay, skew, revokedAt }) => {
    const approvedAt = r.requestedAt + delay;
    const g: DisclosureGrant = { ...r, approvedBy, approverRole: approverRole as "supervisor", approvedAt, expiresAt: approvedAt + r.durationMs + skew };
    return revokedAt === undefined ? g : { ...g, revokedAt };
  });

/** Mostly the coherent choice, sometimes anything: keeps both the allowing and the denying branches busy. */
const mostly = <T,>(coherent: fc.Arbitrary<T>, anything: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: coherent }, { weight: 1, arbitrary: anything });

/** Principals acting in a role that can read something personal (grant holders, officers), more often than not. */
const actorArb: fc.Arbitrary<Principal> = mostly(
  fc.oneof(
    fc.record({ id: fc.constantFrom(...IDS), role: fc.constantFrom("analyst" as const, "supervisor" as const, "regulator" as const) }),
    fc.record({ id: fc.constantFrom(...IDS), role: fc.constant("exchange_officer" as const), tenant: fc.constantFrom(...TENANTS) }),
  ),
  principalArb,
);

/** Entities with at least one open case at or above the threshold, more often than not. */
const suspectArb: fc.Arbitrary<EntityState> = mostly(
  fc.tuple(entityArb, fc.constantFrom(...CASES), fc.integer({ min: 70, max: 100 })).map(([e, c, score]) => ({
    ...e,
    cases: [...e.cases.filter((x) => x.caseId !== c), { caseId: c, status: "open" as const, score }],
  })),
  entityArb,
);

/** (principal, entity, grant, field, now): the grant is, more often than not, the principal's, for this entity and a case of it. */
const readScenarioArb = fc.tuple(actorArb, suspectArb).chain(([p, entity]) =>
  fc
    .record({
      g: grantArb,
      requestedBy: mostly(fc.constant(p.id), fc.constantFrom(...IDS)),
      requesterRole: mostly(fc.constant(p.role), fc.constantFrom(...ROLES)),
      entityId: mostly(fc.constant(entity.entityId), fc.constantFrom(...ENTITIES)),
      caseId: entity.cases.length > 0 ? mostly(fc.constantFrom(...entity.cases.map((c) => c.caseId)), fc.constantFrom(...CASES)) : fc.constantFrom(...CASES),
      revokedAt: mostly(fc.constant(undefined), fc.option(fc.integer({ min: 0, max: 4000 }), { nil: undefined })),
    })
    .chain(({ g, ...over }) => {
      const { revokedAt, ...rest } = over;
      const grant: DisclosureGrant = revokedAt === undefined ? { ...g, ...rest, revokedAt: undefined } : { ...g, ...rest, revokedAt };
      const inGrant = grant.fields.length > 0 ? fc.constantFrom(...(grant.fields as string[])) : fc.constantFrom(...FIELD_POOL);
      const during = grant.expiresAt > grant.approvedAt ? fc.integer({ min: grant.approvedAt, max: grant.expiresAt - 1 }) : fc.integer({ min: 0, max: 4000 });
      return fc.record({
        p: fc.constant(p),
        entity: fc.constant(entity),
        grant: fc.constant(grant),
        withGrant: mostly(fc.constant(true), fc.boolean()),
        field: mostly(inGrant, fc.constantFrom(...FIELD_POOL)),
        owner: fc.constantFrom(...TENANTS, tenantId("jicc")),
        now: mostly(during, fc.integer({ min: 0, max: 4000 })),
      });
    }),
);

const approverArb: fc.Arbitrary<Principal> = mostly(
  fc.constantFrom(...IDS).map((id): Principal => ({ id, role: "supervisor" })),
  principalArb,
);

/** (requester, approver, entity, request, now): the request is, more often than not, the requester's, about this entity and one of its cases. */
const requestScenarioArb = fc.tuple(actorArb, approverArb, suspectArb).chain(([p, a, entity]) =>
  fc
    .record({
      r: requestArb,
      requestedBy: mostly(fc.constant(p.id), fc.constantFrom(...IDS)),
      requesterRole: mostly(p.role === "supervisor" ? fc.constantFrom(...REQUESTER_ROLES) : fc.constant(p.role), fc.constantFrom(...ROLES)),
      entityId: mostly(fc.constant(entity.entityId), fc.constantFrom(...ENTITIES)),
      caseId: entity.cases.length > 0 ? mostly(fc.constantFrom(...entity.cases.map((c) => c.caseId)), fc.constantFrom(...CASES)) : fc.constantFrom(...CASES),
      delay: mostly(fc.integer({ min: 0, max: cfg.maxPendingMs }), fc.integer({ min: -100, max: 1000 })),
    })
    .map(({ r, delay, ...over }) => ({ p, a, entity, r: { ...r, ...over }, now: Math.max(0, r.requestedAt + delay) })),
);

const isSuspectVia = (e: EntityState, c: string) => e.cases.some((x) => x.caseId === c && x.status === "open" && x.score >= cfg.disclosureThreshold);
const purposeLen = (s: string) => [...s.trim()].length;

describe("policy properties", () => {
  it("no disclosure of a non-suspect, by a non-grantee, outside the fields, after expiry, or across tenants", () => {
    let viaGrant = 0;
    let viaOwn = 0;
    fc.assert(
      fc.property(readScenarioArb, ({ p, entity, grant: g, withGrant, field, owner, now }) => {
        const d = policy.canReadPersonalData(p, { owner, entity, field, grant: withGrant ? g : undefined, now });
        if (p.role === "data_provider" || p.role === "auditor" || p.role === "admin") assert.equal(d.allow, false);
        if (p.role === "exchange_officer") assert.equal(d.allow, owner === p.tenant && (PERSONAL_FIELDS as readonly string[]).includes(field), "officer: own tenant only");
        if (!d.allow) {
          assert.ok(d.message.length > 0);
          return;
        }
        if (d.via === "own_tenant") {
          viaOwn++;
          assert.ok(p.role === "exchange_officer" && owner === p.tenant);
          return;
        }
        viaGrant++;
        assert.ok(withGrant);
        assert.ok(REQUESTER_ROLES.includes(p.role), "grant holder role");
        assert.equal(p.id, g.requestedBy, "only the requester reads");
        assert.equal(p.role, g.requesterRole, "in the role they asked in");
        assert.notEqual(g.approvedBy, g.requestedBy, "no self-approval");
        assert.equal(g.approverRole, "supervisor");
        assert.ok(isSuspectVia(entity, g.caseId), "only a suspect");
        assert.equal(g.entityId, entity.entityId, "only the granted entity");
        assert.ok((g.fields as readonly string[]).includes(field), "only granted fields");
        assert.ok(g.approvedAt <= now && now < g.expiresAt, "only while valid");
        assert.ok(g.expiresAt - g.approvedAt <= cfg.maxGrantMs, "time-limited");
        assert.ok(g.revokedAt === undefined || now < g.revokedAt, "not after revocation");
        assert.ok(purposeLen(g.purpose) >= cfg.minPurposeLength, "with a written purpose");
      }),
      { numRuns: 4000 },
    );
    // The generators reach the allowing branches often enough for the implications to mean something.
    assert.ok(viaGrant >= 40, `only ${viaGrant} grant reads allowed`);
    assert.ok(viaOwn >= 100, `only ${viaOwn} own-tenant reads allowed`);
  });

  it("no request from a non-requester role or for a non-suspect, no approval by the requester or a non-supervisor", () => {
    let requested = 0;
    let approved = 0;
    fc.assert(
      fc.property(requestScenarioArb, ({ p, a, entity, r, now }) => {
        const req = policy.canRequestDisclosure(p, entity, r, now);
        if (req.allow) {
          requested++;
          assert.ok(REQUESTER_ROLES.includes(p.role) && r.requestedBy === p.id && r.requesterRole === p.role);
          assert.ok(isSuspectVia(entity, r.caseId) && r.entityId === entity.entityId);
          assert.ok(purposeLen(r.purpose) >= cfg.minPurposeLength && r.fields.length > 0);
        }
        const app = policy.approve(a, entity, r, now);
        if (app.allow) {
          approved++;
          assert.equal(a.role, "supervisor");
          assert.notEqual(a.id, r.requestedBy);
          assert.ok(isSuspectVia(entity, r.caseId));
          assert.ok(now >= r.requestedAt && now - r.requestedAt <= cfg.maxPendingMs);
          assert.equal(app.grant.expiresAt - app.grant.approvedAt, r.durationMs);
          assert.ok(app.grant.durationMs <= cfg.maxGrantMs);
          // What approve() issues, canReveal accepts for the requester, for granted fields, until expiry, while suspect.
          const holder = { id: r.requestedBy, role: r.requesterRole } as Principal;
          for (const f of app.grant.fields) {
            assert.ok(policy.canReveal(holder, entity, app.grant, f, now).allow);
            assert.equal(reasonOf(policy.canReveal(holder, entity, app.grant, f, app.grant.expiresAt)), "expired");
          }
        } else {
          assert.equal(app.allow, policy.canApprove(a, entity, r, now).allow);
        }
      }),
      { numRuns: 4000 },
    );
    assert.ok(requested >= 100 && approved >= 100, `requested ${requested}, approved ${approved}`);
  });

  it("a valid grant stops working the moment one condition fails", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 599 }), fc.constantFrom(...PERSONAL_FIELDS), (offset, field) => {
        const g = grantFor(request({ fields: ["name", "phone"] }));
        const now = g.approvedAt + offset;
        const expected = field === "name" || field === "phone";
        assert.equal(policy.canReveal(alice, suspect, g, field, now).allow, expected);
        const closed = { ...suspect, cases: suspect.cases.map((c) => (c.caseId === g.caseId ? { ...c, status: "closed" as const } : c)) };
        assert.equal(policy.canReveal(alice, closed, g, "name", now).allow, false);
        assert.equal(policy.canReveal(alice, suspect, { ...g, revokedAt: now }, "name", now).allow, false);
        assert.equal(policy.canReveal(alice, suspect, g, "name", g.expiresAt + offset).allow, false);
      }),
      { numRuns: 300 },
    );
  });
});
