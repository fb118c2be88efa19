// Ineligible trader: trading by an account whose KYC says it should not trade here (a non-resident),
// or whose nationality and residency contradict each other; and a declared resident whose logins
// keep coming from abroad or with a browser language its nationality does not explain (an FSA
// reference case). See README.md.
//
// Semantics (v1.1.0; the same as v1.0.0, which kept no index of ineligible profiles):
//   non-resident            an order.placed or trade by an account whose latest KYC residency is
//                           non_resident (any customer type);
//   nationality-residency   ...by an individual whose latest KYC has nationality = homeCountry with
//                           residency resident_foreigner, or another nationality with citizen;
//                           one alert per account, then quiet for windowDays (inclusive).
//   foreign-access          a resident individual (citizen / resident_foreigner) with ≥ minForeignLogins
//                           logins within windowDays that came from a country ≠ homeCountry or used a
//                           browser language its nationality does not explain; once per burst.
import { keyOf, type Event } from "../../../contracts/index.ts";
import { clampScore, formatDuration } from "../../format.ts";
import { CLEAR, defineTypology, error, hit, type AlertDraft, type EvalContext, type Outcome } from "../../types.ts";
import { ineligibleTraderConfigSchema, ineligibleTraderDefaults, type IneligibleTraderConfig } from "./config.ts";

export const id = "ineligible-trader";
export const version = "1.1.0";

type Residency = "citizen" | "resident_foreigner" | "non_resident";

/** What the latest KYC says (only the two fields this typology needs). */
interface Profile {
  r: Residency | null;
  n: string | null;
  /** individual (true) or corporate */
  i: boolean;
  /** key and time of the KYC event that last set them */
  k: string;
  t: number;
}

/** A login that looked foreign. */
interface Access {
  k: string;
  t: number;
  ts: string;
  /** country when it came from abroad */
  c: string | null;
  /** browser language when the nationality does not explain it */
  l: string | null;
}

interface AccessWindow {
  a: Access[];
  /** quiet until (inclusive), -1 when not */
  q: number;
}

export interface IneligibleTraderState {
  /** account → its residency and nationality */
  profiles: Map<string, Profile>;
  /**
   * The accounts of `profiles` whose profile makes trading ineligible (non-resident, or nationality
   * and residency that do not fit), with that same profile: orders and trades look here, a small
   * map, instead of in every account's profile.
   */
  ineligible: Map<string, Profile>;
  /** account → event time of its last eligibility alert (quiet for windowDays after) */
  flagged: Map<string, number>;
  /** account → its foreign-looking logins of the last windowDays */
  access: Map<string, AccessWindow>;
}

export interface IneligibleTraderParams {
  home: string;
  minLogins: number;
  windowMs: number;
  windowDays: number;
  always: ReadonlySet<string>;
  byNationality: ReadonlyMap<string, ReadonlySet<string>>;
}

function prepare(c: IneligibleTraderConfig): IneligibleTraderParams {
  return {
    home: c.homeCountry,
    minLogins: c.minForeignLogins,
    windowMs: c.windowDays * 86_400_000,
    windowDays: c.windowDays,
    always: new Set(c.alwaysPlausibleLanguages),
    byNationality: new Map(Object.entries(c.languagesByNationality).map(([k, v]) => [k, new Set(v)])),
  };
}

/** Primary language and region subtags of a BCP 47 tag (`zh-Hant-TW` → zh, TW; `en_us` → en, US). */
export function languageParts(tag: string): { language: string; region: string | undefined } {
  const parts = tag.trim().split(/[-_]/);
  const language = (parts[0] ?? "").toLowerCase();
  const region = parts.slice(1).find((p) => /^[A-Za-z]{2}$/.test(p))?.toUpperCase();
  return { language, region };
}

/**
 * Whether a browser language is explained for someone of this nationality: the home language, a
 * language listed for the nationality, or any language tagged with the nationality's own region.
 * A nationality missing from the table cannot be judged: any language is explained.
 */
export function languageExplained(tag: string, nationality: string, p: Pick<IneligibleTraderParams, "always" | "byNationality">): boolean {
  const { language, region } = languageParts(tag);
  if (language === "" || p.always.has(language)) return true;
  if (region === nationality) return true;
  const listed = p.byNationality.get(nationality);
  if (listed === undefined) return true;
  return listed.has(language);
}

const misfit = (p: Profile, home: string): boolean =>
  p.i && p.n !== null && ((p.n === home && p.r === "resident_foreigner") || (p.n !== home && p.r === "citizen"));

function onEvent(state: IneligibleTraderState, e: Event, ctx: EvalContext<IneligibleTraderParams>): Outcome {
  switch (e.type) {
    case "account.opened":
    case "account.updated": {
      if (typeof e.accountId !== "string") return error(`an ${e.type} without an accountId`);
      const kyc = (e.kyc ?? {}) as { residency?: Residency; nationality?: string };
      const prev = state.profiles.get(e.accountId);
      const r = kyc.residency ?? prev?.r ?? null;
      const n = kyc.nationality ?? prev?.n ?? null;
      const i = e.type === "account.opened" ? e.customerType !== "corporate" : (prev?.i ?? ctx.customerType(e.accountId) !== "corporate");
      if (r === null && n === null) return CLEAR;
      if (e.type === "account.updated" && kyc.residency === undefined && kyc.nationality === undefined && prev !== undefined) return CLEAR;
      const profile: Profile = { r, n, i, k: keyOf(e), t: e.time };
      state.profiles.set(e.accountId, profile);
      if (r === "non_resident" || misfit(profile, ctx.params.home)) state.ineligible.set(e.accountId, profile);
      else state.ineligible.delete(e.accountId);
      return CLEAR;
    }
    case "account.closed":
      if (typeof e.accountId === "string") {
        state.profiles.delete(e.accountId);
        state.ineligible.delete(e.accountId);
        state.access.delete(e.accountId);
      }
      return CLEAR;
    case "order.placed": {
      if (typeof e.accountId !== "string") return error("an order.placed without an accountId");
      const a = eligibility(state, e.accountId, e, ctx);
      return a === undefined ? CLEAR : hit([a]);
    }
    case "trade": {
      if (typeof e.buyAccountId !== "string" || typeof e.sellAccountId !== "string") return error("a trade without buyAccountId or sellAccountId");
      const a = eligibility(state, e.buyAccountId, e, ctx);
      const b = e.buyAccountId === e.sellAccountId ? undefined : eligibility(state, e.sellAccountId, e, ctx);
      if (a === undefined) return b === undefined ? CLEAR : hit([b]);
      return hit(b === undefined ? [a] : [a, b]);
    }
    case "login":
      return onLogin(state, e, ctx);
    default:
      return CLEAR;
  }
}

function eligibility(state: IneligibleTraderState, account: string, e: Extract<Event, { type: "order.placed" | "trade" }>, ctx: EvalContext<IneligibleTraderParams>): AlertDraft | undefined {
  const p = ctx.params;
  const prof = state.ineligible.get(account);
  if (prof === undefined) return undefined;
  const nonResident = prof.r === "non_resident";
  const mismatch = !nonResident && misfit(prof, p.home);
  if (!nonResident && !mismatch) return undefined;
  const last = state.flagged.get(account);
  if (last !== undefined && e.time - last <= p.windowMs) return undefined;
  state.flagged.set(account, e.time);
  const what = e.type === "order.placed" ? `placed a ${e.side} order on ${e.market}` : `traded on ${e.market}`;
  const why = nonResident
    ? `its KYC declares it a non-resident, who may not trade on a Japanese exchange`
    : prof.n === p.home
      ? `its KYC declares nationality ${prof.n} with residency resident_foreigner, which do not fit`
      : `its KYC declares nationality ${prof.n} with residency citizen, which do not fit`;
  return {
    subject: ctx.subjectRefOf(account),
    accounts: [account],
    evidence: prof.t <= e.time ? [prof.k, keyOf(e)] : [keyOf(e), prof.k],
    ts: prof.t <= e.time ? e.ts : new Date(prof.t).toISOString(),
    score: nonResident ? 75 : 60,
    explanation: `The account ${what}, but ${why}.`,
    details: {
      rule: nonResident ? "non-resident" : "nationality-residency",
      residency: prof.r,
      nationality: prof.n,
      kycEvent: prof.k,
      activity: e.type,
    },
  };
}

function onLogin(state: IneligibleTraderState, e: Extract<Event, { type: "login" }>, ctx: EvalContext<IneligibleTraderParams>): Outcome {
  if (typeof e.accountId !== "string") return error("a login without an accountId");
  const p = ctx.params;
  const prof = state.profiles.get(e.accountId);
  if (prof === undefined || !prof.i || (prof.r !== "citizen" && prof.r !== "resident_foreigner")) return CLEAR;
  const fromAbroad = typeof e.country === "string" && e.country !== p.home ? e.country : null;
  const oddLanguage = typeof e.language === "string" && prof.n !== null && !languageExplained(e.language, prof.n, p) ? e.language : null;
  if (fromAbroad === null && oddLanguage === null) return CLEAR;

  let w = state.access.get(e.accountId);
  if (w === undefined) state.access.set(e.accountId, (w = { a: [], q: -1 }));
  dropBefore(w, e.time - p.windowMs);
  if (e.time <= w.q) return CLEAR; // part of a burst already alerted on
  const x: Access = { k: keyOf(e), t: e.time, ts: e.ts, c: fromAbroad, l: oddLanguage };
  let at = w.a.length;
  while (at > 0 && w.a[at - 1]!.t > x.t) at--;
  w.a.splice(at, 0, x);
  if (w.a.length < p.minLogins) return CLEAR;

  const list = w.a;
  const first = list[0]!;
  const lastOne = list[list.length - 1]!;
  const countries = tally(list.map((a) => a.c));
  const languages = tally(list.map((a) => a.l));
  const parts: string[] = [];
  if (countries.length > 0) parts.push(`from abroad (${countries.map(([c, n]) => `${c} ×${n}`).join(", ")})`);
  if (languages.length > 0) parts.push(`with a browser language its nationality ${prof.n} does not explain (${languages.map(([l, n]) => `${l} ×${n}`).join(", ")})`);
  const explanation =
    `A declared resident (${prof.r}, nationality ${prof.n ?? "unknown"}) logged in ${list.length} times within ${formatDuration(lastOne.t - first.t)} ` +
    `${parts.join(" or ")}; the line is ${p.minLogins} such logins within ${p.windowDays} days.`;
  const alert: AlertDraft = {
    subject: ctx.subjectRefOf(e.accountId),
    accounts: [e.accountId],
    evidence: list.map((a) => a.k),
    ts: lastOne.ts,
    score: clampScore(55 + 5 * (list.length - p.minLogins) + (countries.length > 0 && languages.length > 0 ? 10 : 0)),
    explanation,
    details: {
      rule: "foreign-access",
      residency: prof.r,
      nationality: prof.n,
      logins: list.length,
      foreignIpLogins: list.filter((a) => a.c !== null).length,
      foreignLanguageLogins: list.filter((a) => a.l !== null).length,
      countries: Object.fromEntries(countries),
      languages: Object.fromEntries(languages),
      windowDays: p.windowDays,
      kycEvent: prof.k,
    },
  };
  w.a = [];
  w.q = lastOne.t + p.windowMs;
  return hit([alert]);
}

function tally(xs: ReadonlyArray<string | null>): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const x of xs) if (x !== null) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

function dropBefore(w: AccessWindow, from: number): void {
  let i = 0;
  while (i < w.a.length && w.a[i]!.t < from) i++;
  if (i > 0) w.a.splice(0, i);
}

export const ineligibleTrader = defineTypology<IneligibleTraderConfig, IneligibleTraderParams, IneligibleTraderState>({
  id,
  version,
  description:
    "Trading by a declared non-resident or by an account whose nationality and residency contradict; a resident with ≥ 5 logins in 30 days from abroad or in a browser language its nationality does not explain (FSA reference case).",
  configSchema: ineligibleTraderConfigSchema,
  defaultConfig: ineligibleTraderDefaults,
  eventTypes: ["account.opened", "account.updated", "account.closed", "order.placed", "trade", "login"],
  prepare,
  initialState: () => ({ profiles: new Map(), ineligible: new Map(), flagged: new Map(), access: new Map() }),
  onEvent,
  prune(state, now, p) {
    for (const [k, t] of state.flagged) if (now - t > p.windowMs) state.flagged.delete(k);
    const from = now - p.windowMs;
    for (const [k, w] of state.access) {
      dropBefore(w, from);
      if (w.a.length === 0 && w.q < now) state.access.delete(k);
    }
  },
  size: (state) => state.profiles.size + state.flagged.size + state.access.size,
});

export default ineligibleTrader;
