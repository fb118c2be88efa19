import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { caseId, entityId, tenantId } from "../contracts/ids.ts";
import { createDisclosurePolicy, principalId, ROLES, type Principal, type Role } from "../privacy/policy.ts";
import {
  CASE_STATES,
  canAnnotate,
  canAssign,
  canOpen,
  canReadCases,
  canSee,
  canTransition,
  caseTiming,
  checkGraph,
  checkNote,
  entityStateOf,
  nextStates,
  type CaseStateName,
} from "./model.ts";

const who = (role: Role, id = `user:${role}`): Principal =>
  role === "exchange_officer" || role === "data_provider" ? { id: principalId(id), role, tenant: tenantId("bitflyer") } : { id: principalId(id), role: role as Exclude<Role, "exchange_officer" | "data_provider"> };

/** The whole table, written out: from → to → roles allowed (and the disposition it needs). */
const EXPECTED: Record<string, { roles: Role[]; disposition?: string }> = {
  "open>investigating": { roles: ["exchange_officer", "analyst", "supervisor"] },
  "open>closed": { roles: ["analyst", "supervisor"], disposition: "false_positive" },
  "investigating>escalated": { roles: ["exchange_officer", "analyst", "supervisor"] },
  "investigating>closed": { roles: ["analyst", "supervisor"], disposition: "no_further_action" },
  "escalated>investigating": { roles: ["supervisor"] },
  "escalated>reported": { roles: ["supervisor"] },
  "escalated>closed": { roles: ["supervisor"], disposition: "false_positive" },
  "reported>closed": { roles: ["supervisor"], disposition: "reported" },
  "closed>investigating": { roles: ["supervisor"] },
};

describe("case state machine", () => {
  it("allows exactly the listed transitions, to exactly the listed roles", () => {
    for (const from of CASE_STATES) {
      for (const to of CASE_STATES) {
        for (const role of ROLES) {
          const rule = EXPECTED[`${from}>${to}`];
          const d = canTransition(who(role), from, to, rule?.disposition);
          const want = rule !== undefined && rule.roles.includes(role);
          assert.equal(d.allow, want, `${role}: ${from} → ${to}`);
          if (!d.allow) assert.equal(d.kind, rule === undefined ? "conflict" : "forbidden", `${role}: ${from} → ${to}`);
        }
      }
    }
  });

  it("closing needs a fitting disposition; nothing else takes one", () => {
    const sup = who("supervisor");
    const d1 = canTransition(sup, "open", "closed");
    assert.equal(d1.allow, false);
    assert.match(!d1.allow ? d1.message : "", /needs a disposition: false_positive or no_further_action/);
    const d2 = canTransition(sup, "open", "closed", "reported");
    assert.equal(!d2.allow && d2.kind, "bad_input", "a case not reported cannot close as reported");
    const d3 = canTransition(sup, "reported", "closed", "false_positive");
    assert.equal(!d3.allow && d3.kind, "bad_input");
    const d4 = canTransition(sup, "open", "investigating", "false_positive");
    assert.match(!d4.allow ? d4.message : "", /only closing takes a disposition/);
    const d5 = canTransition(sup, "open", "nowhere");
    assert.equal(!d5.allow && d5.kind, "bad_input");
    const d6 = canTransition(sup, "reported", "open");
    assert.match(!d6.allow ? d6.message : "", /a reported case cannot move to open; from reported it can go to closed/);
  });

  it("nextStates lists what the role may do from each state", () => {
    assert.deepEqual(nextStates(who("analyst"), "open"), ["investigating", "closed"]);
    assert.deepEqual(nextStates(who("exchange_officer"), "open"), ["investigating"]);
    assert.deepEqual(nextStates(who("supervisor"), "escalated"), ["investigating", "reported", "closed"]);
    assert.deepEqual(nextStates(who("regulator"), "escalated"), []);
  });
});

describe("who may read and change cases", () => {
  it("officers see cases touching their exchange; consortium roles all; others none", () => {
    const c = { tenants: ["bitflyer", "coincheck"] };
    assert.equal(canSee(who("exchange_officer"), c), true);
    assert.equal(canSee({ id: principalId("o"), role: "exchange_officer", tenant: tenantId("zaif") }, c), false);
    for (const r of ["analyst", "supervisor", "regulator"] as const) assert.equal(canSee(who(r), { tenants: [] }), true);
    for (const r of ["data_provider", "auditor", "admin"] as const) {
      assert.equal(canSee(who(r), c), false);
      assert.equal(canReadCases(who(r)).allow, false);
    }
    assert.equal(canAnnotate(who("regulator")).allow, false);
    assert.equal(canAnnotate(who("exchange_officer")).allow, true);
  });

  it("assignment: analysts and supervisors freely; an officer only itself, and no due dates", () => {
    const officer = who("exchange_officer", "user:ofc");
    assert.equal(canAssign(who("analyst"), null, "user:bob", true).allow, true);
    assert.equal(canAssign(officer, null, "user:ofc", false).allow, true);
    assert.equal(canAssign(officer, "user:ofc", null, false).allow, true);
    assert.equal(canAssign(officer, "user:bob", null, false).allow, false);
    assert.equal(canAssign(officer, null, "user:bob", false).allow, false);
    assert.equal(canAssign(officer, null, "user:ofc", true).allow, false);
    assert.equal(canAssign(who("regulator"), null, "user:x", false).allow, false);
  });

  it("opening by hand: an officer only on its own accounts", () => {
    const officer = who("exchange_officer");
    assert.equal(canOpen(officer, "account", [{ accountId: "a1", owner: "bitflyer" }]).allow, true);
    assert.equal(canOpen(officer, "account", [{ accountId: "a1", owner: "zaif" }]).allow, false);
    assert.equal(canOpen(officer, "entity", []).allow, false);
    assert.equal(canOpen(who("analyst"), "entity", []).allow, true);
    assert.equal(canOpen(who("auditor"), "entity", []).allow, false);
  });
});

describe("the disclosure policy's view of cases", () => {
  const policy = createDisclosurePolicy();
  const state = (s: CaseStateName, score: number) => entityStateOf(entityId("ent_x"), [{ id: caseId("cs_1"), state: s, score }]);
  it("every state but closed is open for the policy; suspicion needs the threshold", () => {
    for (const s of ["open", "investigating", "escalated", "reported"] as const) assert.equal(policy.isSuspect(state(s, 70)), true, s);
    assert.equal(policy.isSuspect(state("closed", 95)), false);
    assert.equal(policy.isSuspect(state("escalated", 69.99)), false);
    assert.deepEqual(state("reported", 80), { entityId: "ent_x", cases: [{ caseId: "cs_1", status: "open", score: 80 }] });
  });
});

describe("timing and input checks", () => {
  it("age runs until closing; overdue only while being worked", () => {
    const opened = "2024-04-01T00:00:00.000Z";
    const now = Date.parse("2024-04-11T12:00:00Z");
    assert.deepEqual(caseTiming({ openedAt: opened, closedAt: null, dueAt: "2024-04-10T00:00:00.000Z", state: "investigating" }, now), { ageDays: 10.5, overdue: true });
    assert.deepEqual(caseTiming({ openedAt: opened, closedAt: "2024-04-03T00:00:00.000Z", dueAt: "2024-04-10T00:00:00.000Z", state: "closed" }, now), { ageDays: 2, overdue: false });
    assert.equal(caseTiming({ openedAt: opened, closedAt: null, dueAt: null, state: "open" }, now).overdue, false);
  });

  it("notes and graph snapshots are checked, errors naming where", () => {
    assert.equal(checkNote("  spoke to the exchange  "), "spoke to the exchange");
    assert.throws(() => checkNote("   "), /text: must not be empty/);
    assert.throws(() => checkNote("x".repeat(10_001)), /text: at most 10000 characters/);
    const g = { nodes: [{ id: "a", kind: "account" }, { id: "b", kind: "address" }], edges: [{ from: "a", to: "b", kind: "withdrawal" }] };
    assert.equal(checkGraph(g), g);
    assert.throws(() => checkGraph({ ...g, edges: [{ from: "a", to: "z", kind: "x" }] }), /graph\.edges\[0\]\.to: names no node of the snapshot/);
    assert.throws(() => checkGraph({ nodes: [{ id: "a", kind: "x" }, { id: "a", kind: "x" }], edges: [] }), /graph\.nodes\[1\]\.id: node "a" is listed twice/);
  });
});
