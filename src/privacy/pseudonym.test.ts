import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import fc from "fast-check";
import { accountId, tenantId } from "../contracts/ids.ts";
import { generateKeyBase64 } from "./keys.ts";
import { createDisclosurePolicy, principalId } from "./policy.ts";
import { PSEUDONYM_PATTERN, Pseudonymizer, base32, isPseudonym, parsePseudonym, viewAccount } from "./pseudonym.ts";

const ps = new Pseudonymizer(randomBytes(32));
const bf = tenantId("bitflyer");
const cc = tenantId("coincheck");

describe("base32", () => {
  it("matches the RFC 4648 test vectors (lower case, no padding)", () => {
    const vectors: Array<[string, string]> = [["", ""], ["f", "my"], ["fo", "mzxq"], ["foo", "mzxw6"], ["foob", "mzxw6yq"], ["fooba", "mzxw6ytb"], ["foobar", "mzxw6ytboi"]];
    for (const [inp, out] of vectors) assert.equal(base32(Buffer.from(inp)), out);
  });
});

describe("Pseudonymizer", () => {
  it("is stable, well-formed and does not contain the account id", () => {
    const a = ps.account(bf, accountId("acc-0001"));
    assert.equal(a, ps.account(bf, accountId("acc-0001")));
    assert.match(a, PSEUDONYM_PATTERN);
    assert.ok(isPseudonym(a));
    assert.ok(!a.includes("0001"));
  });

  it("separates accounts, exchanges and keys (property)", () => {
    const other = new Pseudonymizer(randomBytes(32));
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }), (x, y) => {
        const p = ps.account(bf, accountId(x));
        assert.notEqual(p, ps.account(cc, accountId(x)));
        assert.notEqual(p, other.account(bf, accountId(x)));
        if (x !== y) assert.notEqual(p, ps.account(bf, accountId(y)));
        // The tenant/account boundary is length-prefixed: ("ab","c") and ("a","bc") differ.
        assert.notEqual(ps.account(tenantId("ab"), accountId("c" + x)), ps.account(tenantId("abc"), accountId(x)));
      }),
    );
  });

  it("is configured from KANSHI_PSEUDONYM_KEY, the same key giving the same pseudonyms", () => {
    const b64 = generateKeyBase64();
    const a = Pseudonymizer.fromConfig(b64).account(bf, accountId("x"));
    assert.equal(Pseudonymizer.fromConfig(b64).account(bf, accountId("x")), a);
    assert.throws(() => Pseudonymizer.fromConfig(undefined), /KANSHI_PSEUDONYM_KEY: is empty/);
    const shown = inspect(Pseudonymizer.fromConfig(b64), { showHidden: true }) + JSON.stringify(Pseudonymizer.fromConfig(b64));
    assert.ok(!shown.includes(b64.slice(0, 12)));
  });

  it("validates pseudonyms from outside", () => {
    const a = ps.account(bf, accountId("x"));
    assert.equal(parsePseudonym(a), a);
    for (const bad of ["", "ps_", "PS_" + a.slice(3), a + "a", a.slice(0, -1) + "1", 42]) {
      assert.throws(() => parsePseudonym(bad, "params.id"), /^KanshiError: params.id: expected "ps_"/);
    }
  });

  it("rejects empty owner or account id", () => {
    assert.throws(() => ps.account(tenantId(""), accountId("x")), /pseudonym owner/);
    assert.throws(() => ps.account(bf, accountId("")), /pseudonym accountId/);
    assert.throws(() => new Pseudonymizer(randomBytes(16)), /must be 32 bytes/);
  });
});

describe("viewAccount", () => {
  const policy = createDisclosurePolicy();
  const acc = accountId("acc-77");
  it("shows an officer its own exchange's id and other exchanges' pseudonyms", () => {
    const officer = { id: principalId("o1"), role: "exchange_officer" as const, tenant: bf };
    assert.deepEqual(viewAccount(policy, ps, officer, bf, acc), { kind: "raw", id: acc });
    assert.deepEqual(viewAccount(policy, ps, officer, cc, acc), { kind: "pseudonym", id: ps.account(cc, acc) });
  });
  it("shows consortium roles pseudonyms and hides accounts from providers, auditors and admins", () => {
    for (const role of ["analyst", "supervisor", "regulator"] as const) {
      assert.equal(viewAccount(policy, ps, { id: principalId("p"), role }, bf, acc).kind, "pseudonym");
    }
    for (const role of ["auditor", "admin"] as const) assert.deepEqual(viewAccount(policy, ps, { id: principalId("p"), role }, bf, acc), { kind: "hidden" });
    assert.deepEqual(viewAccount(policy, ps, { id: principalId("p"), role: "data_provider", tenant: bf }, bf, acc), { kind: "hidden" });
  });
});
