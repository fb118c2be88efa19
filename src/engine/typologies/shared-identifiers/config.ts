// Shared-identifiers parameters: which identifiers link accounts and how strongly, how many
// different people make a shared identifier or a linked cluster (a ring) worth an alert, how many
// accounts one person may hold at one exchange, and how long behavioural identifiers are remembered.
import { z } from "zod";

/** strong: links two accounts on its own; weak: only corroborates a link made by a strong one; off: ignored. */
export const Strength = z.enum(["strong", "weak", "off"]);
export type Strength = z.output<typeof Strength>;

const count = (min: number, max: number) =>
  z.number().int("must be a whole number").min(min, `at least ${min}`).max(max, `at most ${max.toLocaleString("en-US")}`);

export const sharedIdentifiersConfigSchema = z.strictObject({
  /** How much each kind of identifier says about two accounts acting together. */
  kinds: z.strictObject({
    /** `login.deviceId` */
    device: Strength,
    /** `login.ip`: households, offices, mobile carriers' NAT and VPNs share addresses, so weak by default. */
    ip: Strength,
    /** `bankAccountHash` of bank deposits and withdrawals */
    bankAccount: Strength,
    /** `toAddress` of crypto withdrawals (normalised) */
    withdrawalAddress: Strength,
    /** KYC `phone` when it is not a landline (mobile, IP phone, or not a Japanese number) */
    phone: Strength,
    /** KYC `phone` when it is a Japanese landline: a household shares one, so weak by default. */
    landline: Strength,
    /** KYC `email` */
    email: Strength,
  }),
  /** A strong identifier used by accounts of at least this many different people raises an alert (inclusive). */
  minPeople: count(2, 1_000),
  /** A cluster of accounts tied by strong links, of at least this many different people, is a ring (inclusive). */
  ringMinPeople: count(2, 10_000),
  /**
   * An identifier used by more than this many accounts is public infrastructure (a carrier's NAT, a
   * café's Wi-Fi, a payment processor's address): it is dropped and links nobody.
   */
  crowdAccounts: count(2, 10_000),
  /** One individual holding at least this many accounts at one exchange raises an alert (inclusive); 0 disables. */
  minAccountsPerExchange: z.union([z.literal(0), count(2, 1_000)]),
  /** Count corporates' accounts too for minAccountsPerExchange (sub-accounts are common and allowed). */
  includeCorporates: z.boolean(),
  /** A behavioural identifier (device, IP, bank account, withdrawal address) is forgotten this many days after an account last used it. */
  retentionDays: z.number().positive("must be a positive number of days").max(3_650, "at most 3,650 days"),
  /** At most this many identifiers are held per account (the least recently used behavioural one is dropped first). */
  maxIdentifiersPerAccount: count(4, 10_000),
  /** People are counted, and evidence gathered, over at most this many accounts of a cluster. */
  maxClusterAccounts: count(10, 100_000),
  /**
   * Offer the clusters to the other typologies as `ctx.linkedOf` (wash-trade, pump-and-dump,
   * front-running-listing) when the engine is not given its own `linkedOf`.
   */
  feedLinkedOf: z.boolean(),
});

export type SharedIdentifiersConfig = z.output<typeof sharedIdentifiersConfigSchema>;

export const sharedIdentifiersDefaults: SharedIdentifiersConfig = {
  kinds: {
    device: "strong",
    ip: "weak",
    bankAccount: "strong",
    withdrawalAddress: "strong",
    phone: "strong",
    landline: "weak",
    email: "strong",
  },
  minPeople: 3,
  ringMinPeople: 3,
  crowdAccounts: 12,
  minAccountsPerExchange: 3,
  includeCorporates: false,
  retentionDays: 90,
  maxIdentifiersPerAccount: 64,
  maxClusterAccounts: 500,
  feedLinkedOf: true,
};
