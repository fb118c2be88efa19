// The identity-bearing events of a plan (account.opened, account.updated, credit.report, social.link),
// in stream order and exactly as the stream writes them, each with the person it is about and what
// its record shows besides their current identity. Generated from the plan alone (no trading, no
// markets), so the ground truth and linkage test sets are cheap to build even for large populations.
import type { EventInput } from "../contracts/index.ts";
import type { UpdateReason } from "./factory.ts";
import { bureauViewAt, socialViewAt, viewAt, type RecordNote, type RecordView } from "./identity.ts";
import type { Plan } from "./plan.ts";
import type { Session } from "./plan-types.ts";
import { Rng } from "./rng.ts";

/**
 * What an identity event is: the KYC of an account opening, a KYC change, a bureau's credit-report
 * subject, a bureau's social-link subject, or a social handle an exchange links to an account (no
 * identity fields of its own).
 */
export type RecordKind = "kyc" | "kyc-update" | "credit" | "social" | "social-account";

export interface IdentityEvent {
  event: EventInput;
  /** Index of the person in the population. */
  person: number;
  kind: RecordKind;
  /** The account it belongs to (KYC, KYC changes, exchange social links). */
  accountId?: string;
  /** KYC changes: why. */
  reason?: UpdateReason;
  /** What the record shows besides the person's current identity (a maiden name, a slip…). */
  notes: RecordNote[];
}

export function* identityEventsOf(plan: Plan): Generator<IdentityEvent, void, undefined> {
  const { pop, factory } = plan;
  const seed = plan.options.seed;
  for (const s of plan.sessions) {
    switch (s.kind) {
      case "open": {
        const a = pop.accounts[s.account]!;
        const { event, notes } = factory.accountOpenedNoted(s.id, s.t, a);
        yield { event, person: a.owner, kind: "kyc", accountId: a.id, notes };
        break;
      }
      case "update": {
        const a = pop.accounts[s.account]!;
        const { event, notes } = factory.accountUpdatedNoted(s.id, s.t, a, Rng.derive(seed, "x", s.no), s.reason);
        yield { event, person: a.owner, kind: "kyc-update", accountId: a.id, reason: s.reason, notes };
        break;
      }
      case "credit": {
        const { event, notes } = factory.creditReportNoted(s.id, s.t, pop.people[s.person]!, s.bureau);
        yield { event, person: s.person, kind: "credit", notes };
        break;
      }
      case "social": {
        const p = pop.people[s.person]!;
        if (s.account >= 0) {
          const a = pop.accounts[s.account]!;
          const { event, notes } = factory.socialLinkNoted(s.id, s.t, p, s.handle, { account: a });
          yield { event, person: s.person, kind: "social-account", accountId: a.id, notes };
        } else {
          const { event, notes } = factory.socialLinkNoted(s.id, s.t, p, s.handle, { bureau: s.bureau });
          yield { event, person: s.person, kind: "social", notes };
        }
        break;
      }
      default:
        break;
    }
  }
}

/**
 * Which of the person's past an identity session's record shows (a maiden name, an old address),
 * without rendering it: the same decisions the factory makes. Undefined for sessions without an
 * identity record of their own and for corporates.
 */
export function recordViewOf(plan: Plan, s: Session): RecordView | undefined {
  const { pop } = plan;
  const seed = plan.options.seed;
  switch (s.kind) {
    case "open": {
      const a = pop.accounts[s.account]!;
      const id = pop.people[a.owner]!.identity;
      return id.kind === "individual" ? viewAt(id, a.openedAt) : undefined;
    }
    case "update": {
      const id = pop.people[pop.accounts[s.account]!.owner]!.identity;
      return id.kind === "individual" && s.reason === "re-entry" ? viewAt(id, s.t) : undefined;
    }
    case "credit": {
      const id = pop.people[s.person]!.identity;
      return id.kind === "individual" ? bureauViewAt(Rng.derive(seed, "credit-view", s.person, s.bureau), id, s.t) : undefined;
    }
    case "social": {
      const id = pop.people[s.person]!.identity;
      return s.account < 0 && id.kind === "individual" ? socialViewAt(Rng.derive(seed, "social-view", s.person, s.handle), id, s.t) : undefined;
    }
    default:
      return undefined;
  }
}

/** The life-event notes of a view (the rest of a record's notes, its slips, need the rendering). */
export function viewNotes(v: RecordView | undefined): RecordNote[] {
  if (v === undefined) return [];
  const out: RecordNote[] = [];
  if (v.formerName) out.push("former-name");
  if (v.formerAddress) out.push("former-address");
  return out;
}
