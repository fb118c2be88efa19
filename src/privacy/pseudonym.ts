// Pseudonyms: stable, opaque ids for accounts held at another exchange, so an officer can follow
// "the same account" across alerts and cases without learning its id.
//
//   pseudonym = "ps_" + base32( HMAC-SHA256( K_ps, u16be(len tenant) ‖ tenant ‖ accountId )[0..16) )
//   K_ps      = HKDF-SHA256(deployment key, salt = "", info = "kanshi/pseudonym/v1")
//
// The same account always gets the same pseudonym (for every viewer, so analysts and officers can
// talk about `ps_…` together); without the key, a pseudonym cannot be inverted or recomputed from a
// guessed account id. The owning exchange is inside the MAC, so equal account ids at two exchanges
// get unrelated pseudonyms. 128 bits: collisions are negligible at any consortium's size.
import { createHmac, hkdfSync } from "node:crypto";
import { inspect } from "node:util";
import { badInput } from "../contracts/errors.ts";
import type { AccountId, Brand, TenantId } from "../contracts/ids.ts";
import { KEY_BYTES, parseSingleKey } from "./keys.ts";
import type { DisclosurePolicy, Principal } from "./policy.ts";

export type Pseudonym = Brand<string, "Pseudonym">;

const INFO = "kanshi/pseudonym/v1";
const PREFIX = "ps_";
const BYTES = 16;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
/** "ps_" + 26 lower-case base32 characters (RFC 4648 alphabet, no padding). */
export const PSEUDONYM_PATTERN = /^ps_[a-z2-7]{26}$/;

/** RFC 4648 base32, lower case, no padding. */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

export function isPseudonym(s: unknown): s is Pseudonym {
  return typeof s === "string" && PSEUDONYM_PATTERN.test(s);
}

/** Checks text from outside (a URL, a query) is a well-formed pseudonym. */
export function parsePseudonym(s: unknown, path = "pseudonym"): Pseudonym {
  if (!isPseudonym(s)) throw badInput(`expected "ps_" followed by 26 characters a–z or 2–7`, path);
  return s;
}

export class Pseudonymizer {
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) throw badInput(`must be ${KEY_BYTES} bytes`, "pseudonym key");
    this.#key = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), INFO, 32));
  }

  /** From configuration: `KANSHI_PSEUDONYM_KEY` = one base64 32-byte key (never rotated: pseudonyms must stay stable). */
  static fromConfig(text: string | undefined, source = "KANSHI_PSEUDONYM_KEY"): Pseudonymizer {
    return new Pseudonymizer(parseSingleKey(text, source));
  }

  /** The pseudonym of account `accountId` held at exchange `owner`. */
  account(owner: TenantId, accountId: AccountId): Pseudonym {
    if (typeof owner !== "string" || owner.length === 0) throw badInput("must be a non-empty exchange id", "pseudonym owner");
    if (typeof accountId !== "string" || accountId.length === 0) throw badInput("must be a non-empty account id", "pseudonym accountId");
    const t = Buffer.from(owner, "utf8");
    if (t.length > 0xffff) throw badInput("is too long", "pseudonym owner");
    const len = Buffer.alloc(2);
    len.writeUInt16BE(t.length);
    const mac = createHmac("sha256", this.#key).update(len).update(t).update(Buffer.from(accountId, "utf8")).digest();
    return (PREFIX + base32(mac.subarray(0, BYTES))) as Pseudonym;
  }

  toJSON(): { kind: "Pseudonymizer" } {
    return { kind: "Pseudonymizer" };
  }

  [inspect.custom](): string {
    return "Pseudonymizer {}";
  }
}

/** An account as `principal` may see it: its own id, a pseudonym, or nothing. */
export type AccountView =
  | { readonly kind: "raw"; readonly id: AccountId }
  | { readonly kind: "pseudonym"; readonly id: Pseudonym }
  | { readonly kind: "hidden" };

/**
 * How an account held at exchange `owner` appears to `principal`, as the policy decides: an officer
 * of `owner` sees the account id; other officers, analysts, supervisors and regulators see the
 * pseudonym; providers, auditors and admins see nothing.
 */
export function viewAccount(policy: DisclosurePolicy, pseudonyms: Pseudonymizer, principal: Principal, owner: TenantId, accountId: AccountId): AccountView {
  switch (policy.accountIdView(principal, owner)) {
    case "raw":
      return { kind: "raw", id: accountId };
    case "pseudonym":
      return { kind: "pseudonym", id: pseudonyms.account(owner, accountId) };
    case "none":
      return { kind: "hidden" };
  }
}
