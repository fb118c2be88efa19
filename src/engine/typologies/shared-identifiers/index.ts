// Shared identifiers: accounts of different people that use one device, bank account, withdrawal
// address, phone number or e-mail address; one person holding many accounts at one exchange; and
// clusters of accounts tied together by such links (mule rings). Links tie accounts together; they
// never merge identities. See README.md.
//
// Semantics (v1.0.0):
//   - Identifiers come from `login` (deviceId, ip), `deposit` / `withdrawal` (bankAccountHash,
//     a withdrawal's toAddress) and the KYC of `account.opened` / `account.updated` (phone, e-mail).
//     Each is normalised (E.164 phones, lower-case e-mail, canonical addresses) and kept only as a
//     SHA-256 digest of (kind, value), or kept as the store's blind-index token: the state never
//     holds the value itself.
//   - Each kind is strong, weak or off (config `kinds`). Two accounts that use one strong identifier
//     are linked; a weak one (by default IP addresses and landlines, which households, offices and
//     carriers share) only corroborates a link and is reported with it. An identifier used by more
//     than crowdAccounts accounts is public infrastructure and links nobody.
//   - "Different people": accounts are presumed to be one person when the engine keys them under one
//     subject (identity resolution), or when their KYC shares a date of birth, a written name (NFKC,
//     variant kanji folded, spaces dropped) or a corporate number. Only what is left are different
//     people, so one customer's accounts at several exchanges (same phone, bank account, home IP)
//     never count as a ring.
//   - shared-identifier: a strong identifier used by accounts of ≥ minPeople different people.
//   - ring: a cluster (connected by strong links) holding accounts of ≥ ringMinPeople different people.
//     When one event completes both and the identifier holds every person of the cluster, only the
//     shared-identifier alert is raised (it says which identifier).
//   - many-accounts: ≥ minAccountsPerExchange accounts of one individual at one exchange (one
//     subject when identity resolution runs, else one date of birth and written name).
//   - Each is raised once, and again only when the count of people (accounts) has at least doubled.
//   - Behavioural identifiers are forgotten retentionDays after their last use; KYC ones are kept
//     while the account's KYC says so (an update replaces them).
//   - The clusters are offered to the other typologies as `ctx.linkedOf` (config feedLinkedOf):
//     `link:<smallest account id of the cluster>` for an account linked to at least one other.
//
// v1.2.0 changes the state's layout, not the semantics (alerts identical to v1.1.0's): small lists
// at their exact size, one flat list per holder, KYC identifiers marked on their usages, full-length
// digests, blind-index tokens not digested again. Most of this typology's time was the garbage
// collector copying its state; the state now takes about 45% less memory.
import { hash } from "node:crypto";
import { keyOf, type Event } from "../../../contracts/index.ts";
import { normalizeDate, normalizeEmail } from "../../../identity/normalize/misc.ts";
import { writtenNameKey } from "../../../identity/normalize/name.ts";
import { normalizePhone, phoneKind } from "../../../identity/normalize/phone.ts";
import { clampScore, formatDuration } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, type AlertDraft, type EvalContext, type Outcome } from "../../types.ts";
import { sortedKeys } from "../../values.ts";
import { normalizeAddress } from "../illicit-exposure/address.ts";
import { sharedIdentifiersConfigSchema, sharedIdentifiersDefaults, type SharedIdentifiersConfig, type Strength } from "./config.ts";

export const id = "shared-identifiers";
export const version = "1.2.0";

const DAY_MS = 86_400_000;
/** Evidence keys quoted per alert at most (the triggering event is always among them). */
const MAX_EVIDENCE = 200;

export type IdentifierKind = keyof SharedIdentifiersConfig["kinds"];

const KIND_LABEL: Record<IdentifierKind, [string, string]> = {
  device: ["device", "devices"],
  ip: ["IP address", "IP addresses"],
  bankAccount: ["bank account", "bank accounts"],
  withdrawalAddress: ["withdrawal address", "withdrawal addresses"],
  phone: ["phone number", "phone numbers"],
  landline: ["landline", "landlines"],
  email: ["e-mail address", "e-mail addresses"],
};

/** One account's use of one identifier. */
interface Usage {
  /** account id */
  a: string;
  /** event key and time of its first use (the evidence) */
  k: string;
  t0: number;
  /** last use */
  t: number;
  /** from KYC: kept while the KYC says so, not forgotten by time */
  kyc: boolean;
  /** when its entry in the expiry queue comes due (behavioural usages only; 0 when it has none) */
  q: number;
}

/** One identifier (by digest). */
interface Ident {
  kind: IdentifierKind;
  users: Usage[];
  /** used by more than crowdAccounts accounts: public, links nobody */
  crowded: boolean;
  /** people counted at its last shared-identifier alert; 0 when none */
  alerted: number;
  /** last use by anyone */
  seen: number;
  /** when a public identifier's entry in the expiry queue comes due (0 when it has none) */
  q: number;
}

/** What is known of one account. */
interface Acct {
  src: string;
  corporate: boolean;
  /** identifier digests it uses (those from its KYC as it stands are the ones whose usage says `kyc`) */
  ids: string[];
  /** person digests from its KYC (date of birth, written name, corporate number); every version seen */
  dob: string[];
  nm: string[];
  cn: string[];
  /** people counted at the last ring alert naming it; 0 when none */
  ring: number;
}

/** The identifiers two accounts share (digests), strong and weak. */
interface Link {
  s: string[];
  w: string[];
}

/**
 * One individual's accounts at one exchange, as one flat list (most hold one account for good):
 * the count at its last alert (0 when none), then account id, account.opened key and time for each.
 */
type Holder = Array<string | number>;

export interface SharedIdentifiersState {
  ids: Map<string, Ident>;
  accts: Map<string, Acct>;
  /** "a\u0000b" (a < b) → what they share */
  links: Map<string, Link>;
  /** union-find over strong links; a cluster's root is its smallest account id */
  parent: Map<string, string>;
  /** root → the cluster's accounts (clusters of two or more) */
  members: Map<string, string[]>;
  /** roots of clusters that lost a strong link since they were built: rebuilt before use */
  dirty: string[];
  holders: Map<string, Holder>;
  /**
   * What may expire, by when: a binary min-heap of [due, digest, account] — one entry per
   * behavioural usage (account) and per public identifier (account ""). A usage renewed since its
   * entry was queued is queued again for its new time when the entry comes due; an entry whose
   * usage is gone, or whose time is not the usage's `q`, is dropped. Pruning costs the entries that
   * come due, not a sweep over every identifier.
   */
  expiry: Array<[number, string, string]>;
}

export interface SharedIdentifiersParams {
  strength: Record<IdentifierKind, Strength>;
  minPeople: number;
  ringMinPeople: number;
  crowdAccounts: number;
  minAccounts: number;
  includeCorporates: boolean;
  retentionMs: number;
  retentionDays: number;
  maxIds: number;
  maxCluster: number;
  feedLinkedOf: boolean;
}

function prepare(c: SharedIdentifiersConfig): SharedIdentifiersParams {
  return {
    strength: { ...c.kinds },
    minPeople: c.minPeople,
    ringMinPeople: c.ringMinPeople,
    crowdAccounts: c.crowdAccounts,
    minAccounts: c.minAccountsPerExchange,
    includeCorporates: c.includeCorporates,
    retentionMs: c.retentionDays * DAY_MS,
    retentionDays: c.retentionDays,
    maxIds: c.maxIdentifiersPerAccount,
    maxCluster: c.maxClusterAccounts,
    feedLinkedOf: c.feedLinkedOf,
  };
}

const initialState = (): SharedIdentifiersState => ({
  ids: new Map(),
  accts: new Map(),
  links: new Map(),
  parent: new Map(),
  members: new Map(),
  dirty: [],
  holders: new Map(),
  expiry: [],
});

// ---------------------------------------------------------------------------------------------
// The expiry queue (a binary min-heap on the due time; ties in insertion-independent order do not
// matter: everything due is handled in one prune)

function queue(state: SharedIdentifiersState, due: number, d: string, a: string): void {
  const h = state.expiry;
  const item: [number, string, string] = [due, d, a];
  let i = h.length;
  h.push(item);
  while (i > 0) {
    const up = (i - 1) >> 1;
    const parent = h[up]!;
    if (parent[0] <= due) break;
    h[i] = parent;
    i = up;
  }
  h[i] = item;
}

function dequeue(state: SharedIdentifiersState): [number, string, string] | undefined {
  const h = state.expiry;
  const top = h[0];
  const last = h.pop();
  if (top === undefined || last === undefined || h.length === 0) return top;
  let i = 0;
  const n = h.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && h[r]![0] < h[l]![0] ? r : l;
    if (h[c]![0] >= last[0]) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = last;
  return top;
}

// ---------------------------------------------------------------------------------------------
// Digests and normalisation

/**
 * SHA-256 over (what, value) in base64url (43 characters): never the value itself. The whole digest,
 * not a slice: a slice would keep the whole string alive behind it, and cost a copy to avoid that.
 */
function digest(what: string, value: string): string {
  return hash("sha256", `${what}\u0000${value}`, "base64url");
}

const trimmed = (s: string): string => s.normalize("NFKC").trim();

/**
 * Blind-index tokens: in the stored event log (and so in a replay, and in a live engine fed the
 * store's engine view) a phone or e-mail is not the value but `bidx:<HMAC of the normalised value>`,
 * `bidx:L.<…>` for a landline (store/identities.ts). A token is already a digest of the normalised
 * value under the deployment's key: equal values give equal tokens, so it is used as the identifier
 * as it is (never normalised again). A token and a plaintext value of the same phone do not match:
 * an engine sees one or the other, as the events reach it.
 */
const BLIND_TOKEN = "bidx:";
const LANDLINE_TOKEN = "bidx:L.";
const isToken = (raw: string): boolean => raw.startsWith(BLIND_TOKEN) && raw.length > BLIND_TOKEN.length;

/** A phone number's digest and kind: landline for Japanese fixed lines, phone otherwise. */
function phoneOf(raw: string): [IdentifierKind, string] | undefined {
  if (isToken(raw)) return raw.startsWith(LANDLINE_TOKEN) ? (raw.length > LANDLINE_TOKEN.length ? ["landline", raw] : undefined) : ["phone", raw];
  const e164 = normalizePhone(raw);
  if (e164 !== null) return [phoneKind(raw) === "landline" ? "landline" : "phone", e164];
  const digits = trimmed(raw).replace(/[^0-9+]/g, "");
  return digits.replace(/\+/g, "").length >= 6 ? ["phone", digits] : undefined;
}

/**
 * The key of identifier (kind, value) in the state. A blind-index token is a keyed digest already,
 * so it is kept as it is under its kind (no second digest): it holds no value either.
 */
function identKey(kind: IdentifierKind, value: string): string {
  return isToken(value) ? `${kind}\u0000${value}` : digest(kind, value);
}

function emailOf(raw: string): string | undefined {
  if (isToken(raw)) return raw;
  const n = normalizeEmail(raw) ?? trimmed(raw).toLowerCase();
  return n.includes("@") ? n : undefined;
}

// ---------------------------------------------------------------------------------------------
// Accounts, links and clusters

function acctOf(state: SharedIdentifiersState, a: string, src: string): Acct {
  let x = state.accts.get(a);
  if (x === undefined) state.accts.set(a, (x = { src, corporate: false, ids: NONE, dob: NONE, nm: NONE, cn: NONE, ring: 0 }));
  return x;
}

/** Account a's use of identifier x, if any (a plain loop: this runs on every use). */
function usageOf(x: Ident, a: string): Usage | undefined {
  for (const u of x.users) if (u.a === a) return u;
  return undefined;
}

const pairKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

function removeFrom(list: string[], v: string): void {
  const i = list.indexOf(v);
  if (i >= 0) list.splice(i, 1);
}

/**
 * The empty list a new account (and a link's other side) starts with, shared: these lists are
 * replaced (`appended`), never pushed to, and only spliced where an item was found. Frozen, so a
 * push would throw.
 */
const NONE = Object.freeze([]) as unknown as string[];

/**
 * A new array of the list's items and then v, allocated at its exact size. The state holds one or
 * more small lists per account and per identifier, most of one or two items for good: `push` would
 * give each room for 17 (and the garbage collector would copy that room around for every one).
 */
function appended<T>(list: readonly T[], v: T): T[] {
  const n = list.length;
  const out = new Array<T>(n + 1);
  for (let i = 0; i < n; i++) out[i] = list[i]!;
  out[n] = v;
  return out;
}

function find(state: SharedIdentifiersState, a: string): string {
  let r = a;
  for (let p = state.parent.get(r); p !== undefined && p !== r; p = state.parent.get(r)) r = p;
  // path compression
  let x = a;
  while (x !== r) {
    const next = state.parent.get(x)!;
    state.parent.set(x, r);
    x = next;
  }
  return r;
}

/** Joins the clusters of a and b; true when they were apart. The root stays the smallest id. */
function union(state: SharedIdentifiersState, a: string, b: string): boolean {
  const ra = find(state, a);
  const rb = find(state, b);
  if (ra === rb) return false;
  const root = ra < rb ? ra : rb;
  const other = ra < rb ? rb : ra;
  state.parent.set(root, root);
  state.parent.set(other, root);
  const mr = state.members.get(root) ?? [root];
  const mo = state.members.get(other) ?? [other];
  if (mr.length >= 8) {
    for (const m of mo) mr.push(m);
    state.members.set(root, mr);
  } else state.members.set(root, mr.concat(mo)); // small clusters (most) at their exact size
  state.members.delete(other);
  return true;
}

/**
 * Rebuilds the clusters that lost a strong link, from the strong links their accounts still have.
 * A strong link between two accounts is a strong, non-public identifier both use, so a cluster's
 * links are found from its own accounts' identifiers: nothing outside the cluster is touched.
 */
function rebuild(state: SharedIdentifiersState, p: SharedIdentifiersParams): void {
  const roots = new Set<string>();
  for (const r of state.dirty) roots.add(find(state, r));
  state.dirty = [];
  const accounts: string[] = [];
  for (const r of roots) {
    const members = state.members.get(r) ?? [r];
    state.members.delete(r);
    for (const m of members) {
      state.parent.delete(m);
      accounts.push(m);
    }
  }
  for (const m of accounts) {
    const acct = state.accts.get(m);
    if (acct === undefined) continue;
    for (const d of acct.ids) {
      const x = state.ids.get(d);
      if (x === undefined || x.crowded || p.strength[x.kind] !== "strong") continue;
      for (const o of x.users) if (o.a !== m) union(state, m, o.a);
    }
  }
}

function clean(state: SharedIdentifiersState, p: SharedIdentifiersParams): void {
  if (state.dirty.length > 0) rebuild(state, p);
}

/** Removes account a's use of identifier d (and what it linked). */
function dropUsage(state: SharedIdentifiersState, d: string, x: Ident, a: string, p: SharedIdentifiersParams): void {
  let i = x.users.length - 1;
  while (i >= 0 && x.users[i]!.a !== a) i--;
  if (i < 0) return;
  x.users.splice(i, 1);
  const acct = state.accts.get(a);
  if (acct !== undefined) removeFrom(acct.ids, d);
  const strong = p.strength[x.kind] === "strong";
  for (const o of x.users) unlink(state, a, o.a, d, strong);
}

function unlink(state: SharedIdentifiersState, a: string, b: string, d: string, strong: boolean): void {
  const k = pairKey(a, b);
  const l = state.links.get(k);
  if (l === undefined) return;
  removeFrom(strong ? l.s : l.w, d);
  if (strong) state.dirty.push(a);
  if (l.s.length === 0 && l.w.length === 0) state.links.delete(k);
}

/** An identifier became public: it links nobody any more. */
function crowd(state: SharedIdentifiersState, d: string, x: Ident, p: SharedIdentifiersParams): void {
  const strong = p.strength[x.kind] === "strong";
  for (let i = 0; i < x.users.length; i++) {
    const a = x.users[i]!.a;
    for (let j = i + 1; j < x.users.length; j++) unlink(state, a, x.users[j]!.a, d, strong);
    const acct = state.accts.get(a);
    if (acct !== undefined) removeFrom(acct.ids, d);
  }
  x.users = [];
  x.crowded = true;
  x.q = x.seen + p.retentionMs;
  queue(state, x.q, d, "");
}

// ---------------------------------------------------------------------------------------------
// People

function overlaps(a: readonly string[], b: readonly string[]): boolean {
  for (const x of a) if (b.includes(x)) return true;
  return false;
}

/** Presumed one person: one subject, or KYC sharing a date of birth, a written name or a corporate number. */
function samePerson(state: SharedIdentifiersState, a: string, b: string, ctx: EvalContext<SharedIdentifiersParams>): boolean {
  if (a === b || ctx.subjectOf(a) === ctx.subjectOf(b)) return true;
  const x = state.accts.get(a);
  const y = state.accts.get(b);
  if (x === undefined || y === undefined) return false;
  return overlaps(x.dob, y.dob) || overlaps(x.nm, y.nm) || overlaps(x.cn, y.cn);
}

/** How many different people hold these accounts (the first maxCluster of them). */
function countPeople(state: SharedIdentifiersState, accounts: readonly string[], ctx: EvalContext<SharedIdentifiersParams>): number {
  const n = Math.min(accounts.length, ctx.params.maxCluster);
  const root = Array.from({ length: n }, (_, i) => i);
  const top = (i: number): number => {
    while (root[i] !== i) i = root[i] = root[root[i]!]!;
    return i;
  };
  let people = n;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const ri = top(i);
      const rj = top(j);
      if (ri === rj) continue;
      if (samePerson(state, accounts[i]!, accounts[j]!, ctx)) {
        root[rj] = ri;
        people--;
      }
    }
  }
  return people;
}

// ---------------------------------------------------------------------------------------------
// Using an identifier

interface Trigger {
  e: Event;
  key: string;
  account: string;
}

/**
 * Account a uses identifier (kind, value) at the trigger event. Adds the usage and its links, and
 * appends the alerts it completes to `out`.
 */
function use(state: SharedIdentifiersState, kind: IdentifierKind, value: string, kyc: boolean, tr: Trigger, ctx: EvalContext<SharedIdentifiersParams>, out: AlertDraft[]): void {
  const strength = ctx.params.strength[kind];
  if (strength === "off") return;
  useDigest(state, kind, strength, digest(kind, value), kyc, tr, ctx, out);
}

/** `use` with the identifier's digest already made (and its kind not off); `own` is the account's record when the caller has it. */
function useDigest(state: SharedIdentifiersState, kind: IdentifierKind, strength: Strength, d: string, kyc: boolean, tr: Trigger, ctx: EvalContext<SharedIdentifiersParams>, out: AlertDraft[], own?: Acct): void {
  const p = ctx.params;
  const a = tr.account;
  const t = tr.e.time;
  let x = state.ids.get(d);
  if (x === undefined) state.ids.set(d, (x = { kind, users: [], crowded: false, alerted: 0, seen: t, q: 0 }));
  if (t > x.seen) x.seen = t;
  if (x.crowded) return;
  const acct = own ?? acctOf(state, a, tr.e.source);
  const known = usageOf(x, a);
  if (known !== undefined) {
    if (t > known.t) known.t = t;
    if (kyc) known.kyc = true;
    return;
  }
  const usage: Usage = { a, k: tr.key, t0: t, t, kyc, q: 0 };
  x.users = appended(x.users, usage);
  if (!kyc) queue(state, (usage.q = t + p.retentionMs), d, a);
  acct.ids = appended(acct.ids, d);
  if (acct.ids.length > p.maxIds) evictOldest(state, acct, a, p);
  if (x.users.length > p.crowdAccounts) {
    crowd(state, d, x, p);
    return;
  }
  if (x.users.length < 2) return;
  const strong = strength === "strong";
  if (strong) clean(state, p);
  let merged = false;
  for (const o of x.users) {
    if (o.a === a) continue;
    const k = pairKey(a, o.a);
    const l = state.links.get(k);
    if (l === undefined) state.links.set(k, strong ? { s: [d], w: NONE } : { s: NONE, w: [d] });
    else if (strong) {
      if (!l.s.includes(d)) l.s = appended(l.s, d);
    } else if (!l.w.includes(d)) l.w = appended(l.w, d);
    if (strong && union(state, a, o.a)) merged = true;
  }
  if (!strong) return;

  const shared = sharedDraft(state, x, tr, ctx);
  const ring = merged ? ringDraft(state, tr, ctx) : undefined;
  if (ring !== undefined && shared !== undefined && ring.people <= shared.people && shared.accounts.every((s) => ring.accounts.has(s))) {
    out.push(shared.draft); // the one identifier holds every person of the cluster: say which, once
  } else {
    if (ring !== undefined) out.push(ring.draft);
    if (shared !== undefined && (ring === undefined || !shared.accounts.every((s) => ring.accounts.has(s)))) out.push(shared.draft);
  }
}

/** Drops the account's least recently used behavioural identifier. */
function evictOldest(state: SharedIdentifiersState, acct: Acct, a: string, p: SharedIdentifiersParams): void {
  let worst: [string, Ident] | undefined;
  let worstT = Number.POSITIVE_INFINITY;
  for (const d of acct.ids) {
    const x = state.ids.get(d);
    const u = x === undefined ? undefined : usageOf(x, a);
    if (x === undefined || u === undefined || u.kyc) continue;
    if (u.t < worstT) {
      worstT = u.t;
      worst = [d, x];
    }
  }
  if (worst !== undefined) {
    dropUsage(state, worst[0], worst[1], a, p);
    if (worst[1].users.length === 0 && !worst[1].crowded) state.ids.delete(worst[0]);
  }
}

/** Weak identifiers the accounts also share (corroboration), by kind. */
function corroboration(state: SharedIdentifiersState, accounts: readonly string[]): Partial<Record<IdentifierKind, number>> {
  const seen = new Set<string>();
  const out: Partial<Record<IdentifierKind, number>> = {};
  const n = Math.min(accounts.length, 64);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const l = state.links.get(pairKey(accounts[i]!, accounts[j]!));
      if (l === undefined) continue;
      for (const d of l.w) {
        if (seen.has(d)) continue;
        seen.add(d);
        const kind = state.ids.get(d)?.kind;
        if (kind !== undefined) out[kind] = (out[kind] ?? 0) + 1;
      }
    }
  }
  return out;
}

function describeKinds(counts: Partial<Record<IdentifierKind, number>>): string {
  const parts = (Object.keys(counts) as IdentifierKind[]).sort().map((k) => {
    const n = counts[k]!;
    const [one, many] = KIND_LABEL[k];
    return n === 1 ? `one ${one}` : `${n} ${many}`;
  });
  if (parts.length <= 1) return parts[0] ?? "";
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/** Evidence in time order, at most MAX_EVIDENCE keys, the trigger always among them. */
function evidenceOf(items: Array<[string, number]>, tr: Trigger): string[] {
  const keys = sortedKeys(items);
  if (keys.length <= MAX_EVIDENCE) return keys;
  const kept = keys.filter((k) => k !== tr.key).slice(0, MAX_EVIDENCE - 1);
  kept.push(tr.key);
  return kept;
}

function sharedDraft(state: SharedIdentifiersState, x: Ident, tr: Trigger, ctx: EvalContext<SharedIdentifiersParams>): { draft: AlertDraft; accounts: string[]; people: number } | undefined {
  const p = ctx.params;
  // people ≤ accounts counted: skip the count when it cannot reach the line (or the doubling)
  const most = Math.min(x.users.length, p.maxCluster);
  if (most < p.minPeople || (x.alerted > 0 && most < 2 * x.alerted)) return undefined;
  const accounts = x.users.map((u) => u.a);
  const people = countPeople(state, accounts, ctx);
  if (people < p.minPeople || (x.alerted > 0 && people < 2 * x.alerted)) return undefined;
  x.alerted = people;
  const [one] = KIND_LABEL[x.kind];
  const first = Math.min(...x.users.map((u) => u.t0));
  const span = tr.e.time - first;
  const weak = corroboration(state, accounts);
  const also = describeKinds(weak);
  const explanation =
    `One ${one} is used by ${accounts.length} accounts of ${people} different people (line ${p.minPeople}) over ${formatDuration(span)}` +
    `${also ? `; they also share ${also}` : ""}. Shared identifiers link accounts; they do not make them one person.`;
  const base: Record<IdentifierKind, number> = { device: 65, bankAccount: 75, withdrawalAddress: 60, phone: 60, email: 60, ip: 50, landline: 50 };
  const score = clampScore(base[x.kind] + 5 * (people - p.minPeople) + (also ? 5 : 0));
  return {
    accounts,
    people,
    draft: {
      subject: ctx.subjectRefOf(tr.account),
      accounts,
      evidence: evidenceOf(x.users.map((u): [string, number] => [u.k, u.t0]), tr),
      ts: tr.e.ts,
      score,
      explanation,
      details: { kind: "shared-identifier", identifier: x.kind, people, accounts: accounts.length, minPeople: p.minPeople, corroboratedBy: weak, spanMs: span },
    },
  };
}

function ringDraft(state: SharedIdentifiersState, tr: Trigger, ctx: EvalContext<SharedIdentifiersParams>): { draft: AlertDraft; accounts: Set<string>; people: number } | undefined {
  const p = ctx.params;
  const root = find(state, tr.account);
  const members = state.members.get(root);
  if (members === undefined) return undefined;
  // people ≤ accounts counted: skip the count when it cannot reach the line (or the doubling)
  const most = Math.min(members.length, p.maxCluster);
  if (most < p.ringMinPeople) return undefined;
  let prev = 0;
  for (const m of members) prev = Math.max(prev, state.accts.get(m)?.ring ?? 0);
  if (prev > 0 && most < 2 * prev) return undefined;
  const people = countPeople(state, members, ctx);
  if (people < p.ringMinPeople || (prev > 0 && people < 2 * prev)) return undefined;
  for (const m of members) {
    const acct = state.accts.get(m);
    if (acct !== undefined) acct.ring = people;
  }
  const inRing = new Set(members.slice(0, p.maxCluster));
  const items: Array<[string, number]> = [];
  const kinds: Partial<Record<IdentifierKind, number>> = {};
  const counted = new Set<string>();
  for (const m of inRing) {
    for (const d of state.accts.get(m)?.ids ?? []) {
      const x = state.ids.get(d);
      if (x === undefined || ctx.params.strength[x.kind] !== "strong") continue;
      const inside = x.users.filter((u) => inRing.has(u.a));
      if (inside.length < 2) continue;
      const mine = inside.find((u) => u.a === m);
      if (mine !== undefined) items.push([mine.k, mine.t0]);
      if (!counted.has(d)) {
        counted.add(d);
        kinds[x.kind] = (kinds[x.kind] ?? 0) + 1;
      }
    }
  }
  const accounts = [...inRing];
  const weak = corroboration(state, accounts);
  const also = describeKinds(weak);
  const explanation =
    `A cluster of ${members.length} accounts of ${people} different people (ring line ${p.ringMinPeople}) is tied together by ${describeKinds(kinds)} they share` +
    `${also ? `, and also shares ${also}` : ""}. Shared identifiers link accounts; they do not make them one person.`;
  return {
    accounts: inRing,
    people,
    draft: {
      subject: ctx.subjectRefOf(tr.account),
      accounts,
      evidence: evidenceOf(items, tr),
      ts: tr.e.ts,
      score: clampScore(70 + 5 * (people - p.ringMinPeople) + (Object.keys(kinds).length > 1 ? 5 : 0)),
      explanation,
      details: { kind: "ring", people, accounts: members.length, ringMinPeople: p.ringMinPeople, identifiers: kinds, corroboratedBy: weak, cluster: `link:${root}` },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Events

type Kyc = { phone?: string | undefined; email?: string | undefined; dateOfBirth?: string | undefined; name?: string | undefined; corporateNumber?: string | undefined };

/** Adds a person digest to one of an account's lists (the last four versions seen). */
function addPerson(list: string[], v: string): string[] {
  if (list.includes(v)) return list;
  return list.length < 4 ? appended(list, v) : appended(list.slice(1), v);
}

function addPersonData(acct: Acct, kyc: Kyc): void {
  if (typeof kyc.dateOfBirth === "string" && kyc.dateOfBirth !== "") acct.dob = addPerson(acct.dob, digest("dob", normalizeDate(kyc.dateOfBirth) ?? kyc.dateOfBirth));
  if (typeof kyc.name === "string") {
    const n = writtenNameKey(kyc.name);
    if (n !== "") acct.nm = addPerson(acct.nm, digest("name", n));
  }
  if (typeof kyc.corporateNumber === "string" && kyc.corporateNumber !== "") acct.cn = addPerson(acct.cn, digest("corporate", kyc.corporateNumber.replace(/\D/g, "")));
}

/** The KYC phone and e-mail as identifiers: new ones are used, ones the KYC no longer names are dropped. */
function kycIdentifiers(state: SharedIdentifiersState, acct: Acct, kyc: Kyc, replace: "all" | "given", tr: Trigger, ctx: EvalContext<SharedIdentifiersParams>, out: AlertDraft[]): void {
  const phoneGiven = typeof kyc.phone === "string";
  const emailGiven = typeof kyc.email === "string";
  const ph = typeof kyc.phone === "string" ? phoneOf(kyc.phone) : undefined;
  const em = typeof kyc.email === "string" ? emailOf(kyc.email) : undefined;
  const phoneKey = ph === undefined ? undefined : identKey(ph[0], ph[1]);
  const emailKey = em === undefined ? undefined : identKey("email", em);
  if (acct.ids.length > 0) {
    // the account's KYC identifiers as they stand (its usages that say kyc), in the order it took them up
    let mine: string[] | undefined;
    for (const d of acct.ids) {
      const x = state.ids.get(d);
      if (x !== undefined && usageOf(x, tr.account)?.kyc === true) (mine ??= []).push(d);
    }
    if (mine !== undefined) {
      for (const d of mine) {
        const x = state.ids.get(d);
        if (x === undefined || d === phoneKey || d === emailKey || (replace === "given" && !(x.kind === "email" ? emailGiven : phoneGiven))) continue;
        dropUsage(state, d, x, tr.account, ctx.params);
        if (x.users.length === 0 && !x.crowded) state.ids.delete(d);
      }
    }
  }
  const p = ctx.params;
  if (ph !== undefined && p.strength[ph[0]] !== "off") useDigest(state, ph[0], p.strength[ph[0]], phoneKey!, true, tr, ctx, out, acct);
  if (emailKey !== undefined && p.strength.email !== "off") useDigest(state, "email", p.strength.email, emailKey, true, tr, ctx, out, acct);
}

function manyAccounts(state: SharedIdentifiersState, acct: Acct, tr: Trigger, ctx: EvalContext<SharedIdentifiersParams>): AlertDraft | undefined {
  const p = ctx.params;
  if (p.minAccounts === 0 || (acct.corporate && !p.includeCorporates)) return undefined;
  const a = tr.account;
  const subject = ctx.subjectOf(a);
  let key: string;
  if (subject !== a) key = `s\u0000${acct.src}\u0000${subject}`;
  else if (acct.cn.length > 0) key = `c\u0000${acct.src}\u0000${acct.cn[0]}`;
  else if (acct.dob.length > 0 && acct.nm.length > 0) key = `k\u0000${acct.src}\u0000${acct.dob[0]}\u0000${acct.nm[0]}`;
  else if (acct.corporate && acct.nm.length > 0) key = `n\u0000${acct.src}\u0000${acct.nm[0]}`;
  else return undefined;
  let h = state.holders.get(key);
  if (h === undefined) {
    // one account is under any line (minAccountsPerExchange is 0, handled above, or at least 2)
    state.holders.set(key, [0, a, tr.key, tr.e.time]);
    return undefined;
  }
  for (let i = 1; i < h.length; i += 3) if (h[i] === a) return undefined;
  state.holders.set(key, (h = h.concat(a, tr.key, tr.e.time))); // at its exact size
  const n = (h.length - 1) / 3;
  const alerted = h[0] as number;
  if (n < p.minAccounts || (alerted > 0 && n < 2 * alerted)) return undefined;
  h[0] = n;
  const accts: string[] = [];
  const keys: Array<[string, number]> = [];
  for (let i = 1; i < h.length; i += 3) {
    accts.push(h[i] as string);
    keys.push([h[i + 1] as string, h[i + 2] as number]);
  }
  const how = subject !== a ? "one entity by identity resolution" : acct.corporate ? "one corporate number or name in their KYC" : "one date of birth and written name in their KYC";
  return {
    subject: ctx.subjectRefOf(a),
    accounts: accts,
    evidence: evidenceOf(keys, tr),
    ts: tr.e.ts,
    score: clampScore(60 + 10 * (n - p.minAccounts)),
    explanation: `One ${acct.corporate ? "corporate" : "person"} (${how}) holds ${n} accounts at ${acct.src} (line ${p.minAccounts})${acct.corporate ? "" : "; exchanges in Japan generally allow one account per individual"}.`,
    details: { kind: "many-accounts", exchange: acct.src, accounts: n, minAccountsPerExchange: p.minAccounts, by: subject !== a ? "entity" : "kyc" },
  };
}

function onEvent(state: SharedIdentifiersState, e: Event, ctx: EvalContext<SharedIdentifiersParams>): Outcome {
  const out: AlertDraft[] = [];
  switch (e.type) {
    case "account.opened":
    case "account.updated": {
      if (typeof e.accountId !== "string") return error(`an ${e.type} without an accountId`);
      const tr: Trigger = { e, key: keyOf(e), account: e.accountId };
      const acct = acctOf(state, e.accountId, e.source);
      const kyc = (e.kyc ?? {}) as Kyc;
      addPersonData(acct, kyc);
      if (e.type === "account.opened") {
        acct.corporate = e.customerType === "corporate";
        acct.src = e.source;
      }
      kycIdentifiers(state, acct, kyc, e.type === "account.opened" ? "all" : "given", tr, ctx, out);
      if (e.type === "account.opened") {
        const many = manyAccounts(state, acct, tr, ctx);
        if (many !== undefined) out.push(many);
      }
      break;
    }
    case "login": {
      if (typeof e.accountId !== "string") return error("a login without an accountId");
      const tr: Trigger = { e, key: keyOf(e), account: e.accountId };
      if (typeof e.deviceId === "string" && e.deviceId.trim() !== "") use(state, "device", e.deviceId.trim(), false, tr, ctx, out);
      if (typeof e.ip === "string" && e.ip !== "") use(state, "ip", e.ip.trim().toLowerCase(), false, tr, ctx, out);
      break;
    }
    case "deposit":
    case "withdrawal": {
      if (typeof e.accountId !== "string") return error(`a ${e.type} without an accountId`);
      const tr: Trigger = { e, key: keyOf(e), account: e.accountId };
      if (typeof e.bankAccountHash === "string" && e.bankAccountHash.trim() !== "") use(state, "bankAccount", e.bankAccountHash.trim().toLowerCase(), false, tr, ctx, out);
      if (e.type === "withdrawal" && typeof e.toAddress === "string" && e.toAddress.trim() !== "") use(state, "withdrawalAddress", normalizeAddress(e.toAddress), false, tr, ctx, out);
      break;
    }
    default:
      return CLEAR;
  }
  return out.length > 0 ? hit(out) : CLEAR;
}

/**
 * Forgets behavioural usages not renewed for retentionDays, and public identifiers not seen since.
 * Only the entries of the expiry queue that came due are looked at, so replaying years of account
 * history costs in proportion to what expires.
 */
function prune(state: SharedIdentifiersState, now: number, p: SharedIdentifiersParams): void {
  const cutoff = now - p.retentionMs;
  for (let top = state.expiry[0]; top !== undefined && top[0] < now; top = state.expiry[0]) {
    dequeue(state);
    const [due, d, a] = top;
    const x = state.ids.get(d);
    if (x === undefined) continue;
    if (a === "") {
      // A public identifier: forgotten once nobody has used it for the retention period.
      if (!x.crowded || x.q !== due) continue;
      if (x.seen < cutoff) state.ids.delete(d);
      else queue(state, (x.q = x.seen + p.retentionMs), d, "");
      continue;
    }
    const u = usageOf(x, a);
    if (u === undefined || u.kyc || u.q !== due) continue;
    if (u.t < cutoff) {
      dropUsage(state, d, x, a, p);
      if (x.users.length === 0 && !x.crowded) state.ids.delete(d);
    } else queue(state, (u.q = u.t + p.retentionMs), d, a);
  }
}

/** The linked cluster of an account (`link:<smallest account id>`), or undefined when it is linked to none. */
export function linkedClusterOf(state: SharedIdentifiersState, accountId: string, p: SharedIdentifiersParams): string | undefined {
  clean(state, p);
  if (!state.parent.has(accountId)) return undefined;
  return `link:${find(state, accountId)}`;
}

export const sharedIdentifiers = defineTypology<SharedIdentifiersConfig, SharedIdentifiersParams, SharedIdentifiersState>({
  id,
  version,
  description:
    "Accounts of 3 or more different people sharing a device, bank account, withdrawal address, phone or e-mail; clusters of 3 or more people tied by such links (mule rings); 3 or more accounts of one individual at one exchange.",
  configSchema: sharedIdentifiersConfigSchema,
  defaultConfig: sharedIdentifiersDefaults,
  eventTypes: ["account.opened", "account.updated", "login", "deposit", "withdrawal"],
  prepare,
  initialState,
  onEvent,
  prune,
  linkedOf: (state, accountId, p) => (p.feedLinkedOf ? linkedClusterOf(state, accountId, p) : undefined),
  size: (state) => state.ids.size,
});

export default sharedIdentifiers;
