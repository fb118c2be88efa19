// Building the plan of a simulated consortium day: population, markets, reference data, the
// background's sessions, the injections, and the ground truth. Everything here is decided before
// the first event is produced; the stream (stream.ts) only expands sessions into events in time order.
import type { InjectionLabel } from "../contracts/index.ts";
import { BackgroundPlanner, meansFactor, type BackgroundStats } from "./background.ts";
import { NEW_TOKENS } from "./data/markets.ts";
import { BUREAUS, EXCHANGES, RESEARCH_FIRMS } from "./data/sources.ts";
import { EventFactory, type UpdateReason } from "./factory.ts";
import { canonicalAddress, canonicalKana, canonicalLatin, canonicalName, canonicalRecord, postalWithHyphen, type IdentityRecord } from "./identity.ts";
import { recordViewOf, viewNotes } from "./identity-events.ts";
import { IdAllocator, IdScrambler } from "./ids.ts";
import { emptyInjectionPlan, planInjections, type InjectionPlan } from "./inject.ts";
import { Markets } from "./market.ts";
import { orderEventCount, opEventCount, type Session } from "./plan-types.ts";
import { buildPopulation, type Account, type Population, type RelationKind, type Segment } from "./population.ts";
import { postalTable } from "./postal.ts";
import { loadAddressLabels, type AddressLabelRecord } from "./reference-data.ts";
import { Rng } from "./rng.ts";
import { DAY, HOUR, MINUTE, QUOTE_INTERVAL, SNAPSHOT_INTERVAL, jst, jstDate, jstMidnight, offGrid, timeInDay } from "./time.ts";

export interface PlanOptions {
  seed: number;
  people: number;
  days: number;
  start: number;
  /** true: every typology; false: none (a clean population); a list: those typologies. */
  injections: boolean | readonly string[];
  dataDir: string;
}

/** Ground truth for one person or corporate (a line of people.ndjson). */
export interface PersonTruth {
  personId: string;
  kind: "individual" | "corporate";
  segment: Segment;
  /** The canonical identity, in the public identity-field shape. */
  identity: IdentityRecord;
  /**
   * Accounts they own, with the event key of the account.opened record that carries their KYC and
   * of the account.updated records that changed it (a move, a new family name, re-entered details).
   */
  accounts: { accountId: string; source: string; record: string; updates?: string[] }[];
  /** Event keys of credit.report records about them. */
  creditReports: string[];
  /** Their social handles and the social.link records that mention them. */
  socialLinks: { platform: string; handle: string; records: string[] }[];
  /** The name they had until a marriage (JST date `until`), as the canonical fields; records written before, or by a bureau that has not caught up, show it. */
  formerName?: { name: string; nameKana: string; nameLatin: string; until: string };
  /** The address they lived at until a move. */
  formerAddress?: { address: string; postalCode: string; until: string };
  /**
   * Family ties and namesakes with other people of the population (absent: none): `{ kind: "child",
   * personId: Y }` says Y is this person's child. See README, hard negatives.
   */
  relations?: { kind: RelationKind; personId: string; sameName: boolean; sameAddress: boolean }[];
  /** People at one address share a household id (absent: nobody else in the consortium lives with them). */
  household?: string;
  /**
   * Their identity records that show the former name or address (written before the change, or by
   * a bureau that had not caught up). The typing slips of every record are in `sim.identityEvents`
   * and `identityRecords(sim).notes`.
   */
  stale?: { recordId: string; shows: ("former-name" | "former-address")[] }[];
}

/** How many of the linkage hard cases a population holds (pairs of different people who look alike, and people whose records disagree). */
export interface IdentityStats {
  /** Addresses shared by two or more people, and the people at them. */
  households: number;
  peopleInHouseholds: number;
  /** Pairs of different people at one address (same family name, often a shared landline and home IP). */
  householdPairs: number;
  twinPairs: number;
  /** A father and son with one full name. */
  fatherSonSameName: number;
  /** Namesakes placed on purpose (same name, different birth date, often the same prefecture). */
  namesakePairs: number;
  /** All pairs of different people with the same canonical name and reading but different birth dates (the above and chance). */
  sameNameDifferentDob: number;
  /** Pairs with the same name, reading and birth date (twins excluded): chance alone. */
  sameNameSameDob: number;
  /** People with a former name (marriage) or a former address (move). */
  renamed: number;
  moved: number;
  /** KYC changes by reason (account.updated). */
  updates: Record<UpdateReason, number>;
}

export interface SimulationStats {
  seed: number;
  from: string;
  to: string;
  people: number;
  corporates: number;
  accounts: number;
  accountsByExchange: Record<string, number>;
  peopleWithSeveralAccounts: number;
  /** Exact number of events the stream yields. */
  events: number;
  eventsBy: { prologue: number; period: number };
  /** Injections placed per typology. */
  injections: Record<string, number>;
  addressLabels: { sanctioned: number; hack: number; scam: number; origin: "shared-data" | "built-in" };
  background: BackgroundStats;
  identity: IdentityStats;
  /** Sub-accounts and transfer contacts (family, friends, own accounts) inside a venue. */
  contacts: { subAccounts: number; family: number; friend: number; own: number };
}

export interface Plan {
  options: PlanOptions;
  end: number;
  markets: Markets;
  pop: Population;
  factory: EventFactory;
  ids: IdAllocator;
  labelsData: AddressLabelRecord[];
  sessions: Session[];
  labels: InjectionLabel[];
  notes: string[];
  stats: SimulationStats;
  /** Unhosted addresses per network that background on-chain moves draw from. */
  chainPool: number;
}

/** Injections per typology: one per 500 people, at least four (so every variant shows up). */
export function injectionsPerTypology(people: number): number {
  return Math.max(4, Math.round(people / 500));
}

export function buildPlan(o: PlanOptions): Plan {
  const end = o.start + o.days * DAY;
  const scrambler = new IdScrambler(o.seed);
  const ids = new IdAllocator(scrambler);
  const markets = new Markets(o.seed, o.start, end);
  const pop = buildPopulation({ seed: o.seed, people: o.people, start: o.start, end, postal: postalTable(), scrambler });
  const factory = new EventFactory(o.seed, markets, pop, scrambler);
  const ref = loadAddressLabels(o.dataDir);
  const notes = [...ref.notes];
  const sessions: Session[] = [];
  let no = 0;

  // ----- credit reports and social links
  const ref2 = Rng.derive(o.seed, "records");
  for (const p of pop.people) {
    if (p.identity.kind !== "individual") continue;
    const residencyFactor = p.identity.residency === "citizen" ? 1 : p.identity.residency === "resident_foreigner" ? 0.6 : 0.08;
    BUREAUS.forEach((b, bi) => {
      if (!ref2.chance(b.coverage * residencyFactor)) return;
      const t = ref2.chance(0.9) ? o.start - 1 - Math.floor(ref2.float() * 30 * DAY) : offGrid(o.start + Math.floor(ref2.float() * (end - o.start - MINUTE)), o.start);
      sessions.push({ kind: "credit", t, person: p.index, bureau: bi, id: ids.next(b.id, "cr"), n: 1 });
    });
    p.social.forEach((_, hi) => {
      const opened = p.accounts.map((ai) => pop.accounts[ai]!).filter((a) => a.openedAt < o.start - DAY);
      if (opened.length > 0 && ref2.chance(0.6)) {
        const a = ref2.pick(opened);
        const source = EXCHANGES[a.exchange]!.id;
        const t = a.openedAt + Math.floor(ref2.float() * (o.start - a.openedAt - 1));
        sessions.push({ kind: "social", t, person: p.index, account: a.index, bureau: -1, handle: hi, id: ids.next(source, "sl"), source, n: 1 });
      } else {
        const bi = ref2.int(0, BUREAUS.length - 1);
        const source = BUREAUS[bi]!.id;
        const t = o.start - 1 - Math.floor(ref2.float() * 60 * DAY);
        sessions.push({ kind: "social", t, person: p.index, account: -1, bureau: bi, handle: hi, id: ids.next(source, "sl"), source, n: 1 });
      }
    });
  }

  // ----- address labels from the research firms: every sanctioned address, a sample of the rest
  const labelRng = Rng.derive(o.seed, "labels");
  const sanctioned = ref.labels.filter((l) => l.label === "sanctioned");
  const others = labelRng.shuffle(ref.labels.filter((l) => l.label !== "sanctioned"));
  const keep = Math.min(others.length, Math.max(200, Math.round(o.people * 0.15)));
  const labelsData = [...sanctioned, ...others.slice(0, keep)];
  const labelCounts = { sanctioned: 0, hack: 0, scam: 0 };
  labelsData.forEach((l, li) => {
    labelCounts[l.label]++;
    const source = RESEARCH_FIRMS[l.publisher];
    const t = labelRng.chance(0.97) ? o.start - 1 - Math.floor(labelRng.float() * 14 * DAY) : offGrid(o.start + Math.floor(labelRng.float() * (end - o.start - MINUTE)), o.start);
    sessions.push({ kind: "label", t, label: li, id: ids.next(source, "al"), n: 1 });
  });
  if (ref.origin === "shared-data" && keep < others.length) notes.push(`address labels: all ${sanctioned.length} sanctioned addresses and ${keep} of ${others.length} phishing / hack labels (sampled for ${o.people} people)`);

  // ----- the injections, which may use the history above (a person's credit reports, published labels)
  const credits = sessions.filter((x): x is Extract<Session, { kind: "credit" }> => x.kind === "credit").map((x) => ({ person: x.person, bureau: x.bureau, t: x.t, id: x.id }));
  const publishedLabels = sessions.filter((x): x is Extract<Session, { kind: "label" }> => x.kind === "label").map((x) => ({ record: labelsData[x.label]!, t: x.t }));
  const only = Array.isArray(o.injections) ? new Set<string>(o.injections) : undefined;
  const injection: InjectionPlan =
    o.injections === false || only?.size === 0
      ? emptyInjectionPlan()
      : planInjections({ seed: o.seed, start: o.start, end, markets, pop, ids, factory, dataDir: o.dataDir, credits, labels: publishedLabels }, injectionsPerTypology(o.people), only);
  notes.push(...injection.notes);
  // an account an injection opened shortly before (a mule's) is linked to a handle only once it exists
  for (const x of sessions) {
    if (x.kind === "social" && x.account >= 0 && x.t <= pop.accounts[x.account]!.openedAt) x.t = pop.accounts[x.account]!.openedAt + MINUTE;
  }

  // ----- account openings (most before the period: the consortium's history)
  for (const a of pop.accounts) {
    const source = EXCHANGES[a.exchange]!.id;
    sessions.push({ kind: "open", t: a.openedAt, account: a.index, id: ids.next(source, "ao"), n: 1 });
  }

  // ----- market snapshots and market-maker requotes, every 15 minutes
  let venues = 0;
  for (const a of markets.assets) venues += a.venues.length;
  for (let k = 0; k < markets.ticks; k++) sessions.push({ kind: "snapshot", t: o.start + k * SNAPSHOT_INTERVAL, k, n: venues });
  const quotes = Math.ceil((end - o.start) / QUOTE_INTERVAL);
  for (let q = 0; q < quotes; q++) sessions.push({ kind: "quote", t: o.start + q * QUOTE_INTERVAL, q, n: (q > 0 ? 4 : 2) * venues });

  // ----- background behaviour, person by person
  const canReceive = (ai: number, t: number): boolean => {
    const a = pop.accounts[ai]!;
    return a.segment !== "market-maker" && !injection.quiet.has(a.owner) && a.openedAt < t - 30 * DAY;
  };
  const meansOf = (a: Account): number => {
    const p = pop.people[a.owner]!;
    return meansFactor(a.segment, p.identity.kind === "individual" ? p.identity.incomeJpy : p.identity.revenueJpy, a.corporate, p.creditZ);
  };
  const planner = new BackgroundPlanner(o.seed, markets, o.start, end, canReceive, meansOf);
  const sessionCount = new Uint32Array(pop.accounts.length);
  for (const p of pop.people) {
    const accts = p.accounts.map((ai) => pop.accounts[ai]!).filter((a) => a.segment !== "market-maker");
    if (accts.length === 0) continue;
    if (!injection.quiet.has(p.index)) {
      for (const [ai, macros] of planner.planPerson(accts)) {
        for (const m of macros) {
          let n = 1;
          for (const op of m.ops) n += opEventCount(op);
          sessions.push({ kind: "macro", t: m.t, account: ai, no: no++, ops: m.ops, n });
          sessionCount[ai]!++;
          for (const op of m.ops) if (op.kind === "transfer") sessionCount[op.to!]!++;
        }
      }
    }
    if (!injection.noTrading.has(p.index)) {
      for (const a of accts) {
        for (const d of planner.planDays(a)) {
          if (d.orders === null) sessions.push({ kind: "login", t: d.t, account: a.index, no: no++, n: 1 });
          else {
            let n = 1;
            for (const ord of d.orders) n += orderEventCount(ord);
            sessions.push({ kind: "trade", t: d.t, account: a.index, no: no++, orders: d.orders, n });
          }
          sessionCount[a.index]!++;
        }
      }
    }
  }
  const injectedAccounts = new Set(injection.labels.flatMap((l) => l.accounts));

  // ----- moves and new family names reported to the exchanges that knew the old ones (most of them,
  // weeks later; history or inside the period), a few re-entered KYC details, and closures of
  // accounts that stay idle
  const reports = Rng.derive(o.seed, "life-reports");
  const updates: Record<UpdateReason, number> = { "re-entry": 0, move: 0, rename: 0, "rename+move": 0 };
  for (const a of pop.accounts) {
    const p = pop.people[a.owner]!;
    if (a.segment === "market-maker" || p.identity.kind !== "individual") continue;
    const id = p.identity;
    const changes: { at: number; reason: UpdateReason }[] = [];
    if (id.renamedAt !== undefined && a.openedAt < id.renamedAt) changes.push({ at: id.renamedAt, reason: id.movedAt === id.renamedAt ? "rename+move" : "rename" });
    if (id.movedAt !== undefined && a.openedAt < id.movedAt && id.movedAt !== id.renamedAt) changes.push({ at: id.movedAt, reason: "move" });
    for (const c of changes) {
      if (!reports.chance(0.75)) continue;
      const t = offGrid(Math.max(c.at, a.openedAt) + HOUR + Math.floor(Math.min(365 * DAY, reports.exponential(45 * DAY))), o.start);
      if (t >= end - MINUTE) continue;
      sessions.push({ kind: "update", t, account: a.index, no: no++, id: ids.next(EXCHANGES[a.exchange]!.id, "au"), reason: c.reason, n: 1 });
      updates[c.reason]++;
      if (t >= o.start) sessionCount[a.index]!++;
    }
  }
  const life = Rng.derive(o.seed, "lifecycle");
  const period = end - o.start;
  for (const a of pop.accounts) {
    if (a.segment === "market-maker" || injectedAccounts.has(a.id)) continue;
    if (life.chance(0.001 * o.days)) {
      const t = offGrid(Math.max(a.openedAt + MINUTE, o.start) + Math.floor(life.float() * (end - Math.max(a.openedAt + MINUTE, o.start))), o.start);
      if (t < end) {
        sessions.push({ kind: "update", t, account: a.index, no: no++, id: ids.next(EXCHANGES[a.exchange]!.id, "au"), reason: "re-entry", n: 1 });
        updates["re-entry"]++;
        sessionCount[a.index]!++;
      }
    } else if (sessionCount[a.index] === 0 && a.openedAt < o.start && life.chance(0.0005 * o.days)) {
      sessions.push({ kind: "close", t: offGrid(o.start + Math.floor(life.float() * period), o.start), account: a.index, no: no++, n: 1 });
    }
  }

  // ----- on chain: customers' own wallets paying and being paid by unhosted addresses, unhosted
  // addresses among themselves, and each exchange moving funds between its hot and cold wallets
  const chainRng = Rng.derive(o.seed, "chain-plan");
  const chainPool = Math.max(64, Math.round(o.people / 20));
  const popularity = markets.assets.map((x) => x.def.popularity);
  for (let d = 0; d < o.days; d++) {
    const count = chainRng.poisson(CHAIN_MOVES_PER_PERSON_DAY * o.people);
    for (let i = 0; i < count; i++) {
      const t = offGrid(timeInDay(chainRng, o.start + d * DAY, "retail"), o.start);
      const asset = chainRng.weighted(popularity);
      const r = chainRng.float();
      let account = -1;
      if (r < 0.7) {
        const a = pop.accounts[chainRng.int(0, pop.accounts.length - 1)]!;
        if (a.segment !== "market-maker" && !injection.quiet.has(a.owner) && a.openedAt < t) account = a.index;
      }
      if (t < end) sessions.push({ kind: "chain", t, no: no++, asset, account, outgoing: r < 0.4, n: 1 });
    }
    EXCHANGES.forEach((_, e) => {
      for (const asset of markets.listed[e]!) {
        for (const toCold of [true, false]) {
          const moves = chainRng.poisson(toCold ? 1.2 : 0.3);
          for (let i = 0; i < moves; i++) {
            const t = offGrid(timeInDay(chainRng, o.start + d * DAY, "office"), o.start);
            if (t < end) sessions.push({ kind: "custody", t, no: no++, exchange: e, asset: asset.index, toCold, n: 1 });
          }
        }
      }
    });
  }

  // ----- listing announcements: markets the venues carry now were announced in the last months (and
  // listed before the period); new markets for tokens the consortium does not trade yet are announced
  // a little over once a month per exchange, listed after the period (or on a date to be announced)
  const listingRng = Rng.derive(o.seed, "listings");
  const past: { e: number; asset: string }[] = [];
  markets.listed.forEach((assets, e) => {
    for (const x of assets) if (x.def.tier === "thin" && listingRng.chance(0.35)) past.push({ e, asset: x.def.asset });
  });
  if (past.length === 0) {
    const thin = markets.listed.flatMap((assets, e) => assets.filter((x) => x.def.tier === "thin").map((x) => ({ e, asset: x.def.asset })));
    past.push(listingRng.pick(thin));
  }
  for (const l of past) {
    const t = offGrid(timeInDay(listingRng, o.start - Math.ceil(listingRng.range(20, 90)) * DAY, "office"), o.start);
    // listed some days later on the hour in trading hours, or the same day ("from today")
    const later = jstMidnight(t) + listingRng.int(1, 14) * DAY + listingRng.int(10, 16) * HOUR;
    sessions.push({ kind: "listing", t, id: ids.next(EXCHANGES[l.e]!.id, "la"), exchange: l.e, asset: l.asset, listingAt: later < o.start - HOUR ? later : t, n: 1 });
  }
  const from = o.start - LISTING_LOOKBACK_DAYS * DAY;
  EXCHANGES.forEach((ex, e) => {
    const count = listingRng.poisson((LISTINGS_PER_EXCHANGE_MONTH / 30) * (LISTING_LOOKBACK_DAYS + o.days));
    const announced = new Set<string>();
    for (let i = 0; i < count; i++) {
      const day = from + Math.floor(listingRng.float() * (LISTING_LOOKBACK_DAYS + o.days)) * DAY;
      const t = offGrid(timeInDay(listingRng, day, "office"), o.start);
      const token = listingRng.pick(NEW_TOKENS);
      if (t >= end || announced.has(token)) continue;
      announced.add(token);
      const at = jstMidnight(t) + listingRng.int(7, 35) * DAY + listingRng.int(10, 16) * HOUR;
      sessions.push({ kind: "listing", t, id: ids.next(ex.id, "la"), exchange: e, asset: token, listingAt: at >= end ? at : null, n: 1 });
    }
  });

  sessions.push(...injection.sessions);
  sessions.sort((x, y) => x.t - y.t); // stable: equal times keep their planned order

  let events = 0;
  let prologue = 0;
  for (const s of sessions) {
    events += s.n;
    if (s.kind === "fixed") {
      for (const f of s.events) if (f.t < o.start) prologue++;
    } else if (s.t < o.start) prologue += s.n;
  }
  const accountsByExchange: Record<string, number> = {};
  for (const e of EXCHANGES) accountsByExchange[e.id] = 0;
  for (const a of pop.accounts) accountsByExchange[EXCHANGES[a.exchange]!.id]!++;

  const stats: SimulationStats = {
    seed: o.seed,
    from: jst(o.start),
    to: jst(end),
    people: pop.individuals,
    corporates: pop.corporates,
    accounts: pop.accounts.length,
    accountsByExchange,
    peopleWithSeveralAccounts: pop.people.filter((p) => p.identity.kind === "individual" && p.accounts.length > 1).length,
    events,
    eventsBy: { prologue, period: events - prologue },
    injections: injection.counts,
    addressLabels: { ...labelCounts, origin: ref.origin },
    background: planner.stats,
    identity: identityStats(pop, updates),
    contacts: contactStats(pop),
  };
  if (o.injections !== false) {
    const want = injectionsPerTypology(o.people);
    for (const [t, n] of Object.entries(injection.counts)) if ((only === undefined || only.has(t)) && n < want && !injection.notes.some((x) => x.startsWith(`${t}:`))) notes.push(`${t}: ${n} of ${want} injections placed (not enough eligible accounts)`);
  }
  return { options: o, end, markets, pop, factory, ids, labelsData, sessions, labels: injection.labels, notes, stats, chainPool };
}

/** Background on-chain moves a day per person (own wallets and the unhosted addresses around them). */
export const CHAIN_MOVES_PER_PERSON_DAY = 0.02;
/** New-market announcements per exchange per month, and how far back before the period they are written. */
export const LISTINGS_PER_EXCHANGE_MONTH = 2.5;
export const LISTING_LOOKBACK_DAYS = 21;

function identityStats(pop: Population, updates: Record<UpdateReason, number>): IdentityStats {
  const households = new Map<string, number>();
  let twinPairs = 0;
  let fatherSon = 0;
  let namesakes = 0;
  let renamed = 0;
  let moved = 0;
  const byName = new Map<string, number>();
  const byNameDob = new Map<string, number>();
  for (const p of pop.people) {
    if (p.identity.kind !== "individual") continue;
    const id = p.identity;
    if (p.household !== null) households.set(p.household, (households.get(p.household) ?? 0) + 1);
    for (const r of p.relations) {
      if (r.person < p.index) continue;
      if (r.kind === "twin") twinPairs++;
      else if (r.kind === "namesake") namesakes++;
      else if (r.sameName && (r.kind === "parent" || r.kind === "child")) fatherSon++;
    }
    if (id.formerName !== undefined) renamed++;
    if (id.formerAddress !== undefined) moved++;
    const key = `${id.name.family}|${id.name.given}|${id.name.familyKana}${id.name.givenKana}`;
    byName.set(key, (byName.get(key) ?? 0) + 1);
    const withDob = `${key}|${id.dateOfBirth}`;
    byNameDob.set(withDob, (byNameDob.get(withDob) ?? 0) + 1);
  }
  let peopleInHouseholds = 0;
  let householdPairs = 0;
  for (const n of households.values()) {
    peopleInHouseholds += n;
    householdPairs += (n * (n - 1)) / 2;
  }
  let sameName = 0;
  let sameNameSameDob = 0;
  for (const n of byName.values()) sameName += (n * (n - 1)) / 2;
  for (const n of byNameDob.values()) sameNameSameDob += (n * (n - 1)) / 2;
  const sameNameDifferentDob = sameName - sameNameSameDob;
  return { households: households.size, peopleInHouseholds, householdPairs, twinPairs, fatherSonSameName: fatherSon, namesakePairs: namesakes, sameNameDifferentDob, sameNameSameDob, renamed, moved, updates };
}

function contactStats(pop: Population): SimulationStats["contacts"] {
  const out = { subAccounts: 0, family: 0, friend: 0, own: 0 };
  for (const a of pop.accounts) {
    if (a.sub) out.subAccounts++;
    for (const c of a.contacts) out[c.kind]++;
  }
  return out;
}

/** The ground truth (people.ndjson), built from the plan on demand: canonical identities and the keys of every record about each person. */
export function buildTruth(plan: Plan): PersonTruth[] {
  const { pop } = plan;
  const people: PersonTruth[] = pop.people.map((p) => ({
    personId: p.personId,
    kind: p.identity.kind,
    segment: p.segment,
    identity: canonicalRecord(p.identity),
    accounts: [],
    creditReports: [],
    socialLinks: p.social.map((s) => ({ platform: s.platform, handle: s.handle, records: [] })),
  }));
  pop.people.forEach((p, i) => {
    if (p.identity.kind !== "individual") return;
    const id = p.identity;
    const t = people[i]!;
    if (p.relations.length > 0) t.relations = p.relations.map((r) => ({ kind: r.kind, personId: pop.people[r.person]!.personId, sameName: r.sameName, sameAddress: r.sameAddress }));
    if (p.household !== null) t.household = p.household;
    if (id.formerName !== undefined && id.renamedAt !== undefined) {
      t.formerName = { name: canonicalName(id.formerName), nameKana: canonicalKana(id.formerName), nameLatin: canonicalLatin(id.formerName), until: jstDate(id.renamedAt) };
    }
    if (id.formerAddress !== undefined && id.movedAt !== undefined) {
      t.formerAddress = { address: canonicalAddress(id.formerAddress), postalCode: postalWithHyphen(id.formerAddress.postalCode), until: jstDate(id.movedAt) };
    }
  });
  // records that show a former name or address (cheap: the views, not the renderings)
  const stale = (person: number, recordId: string, s: Session) => {
    const p = pop.people[person]!.identity;
    if (p.kind !== "individual" || (p.formerName === undefined && p.formerAddress === undefined)) return;
    const shows = viewNotes(recordViewOf(plan, s)) as ("former-name" | "former-address")[];
    if (shows.length > 0) (people[person]!.stale ??= []).push({ recordId, shows });
  };
  const updates = new Map<number, string[]>();
  for (const s of plan.sessions) {
    if (s.kind === "open") {
      const a = pop.accounts[s.account]!;
      const source = EXCHANGES[a.exchange]!.id;
      people[a.owner]!.accounts.push({ accountId: a.id, source, record: `${source}:${s.id}` });
      stale(a.owner, `${source}:${s.id}`, s);
    } else if (s.kind === "update") {
      const a = pop.accounts[s.account]!;
      const key = `${EXCHANGES[a.exchange]!.id}:${s.id}`;
      updates.set(a.index, [...(updates.get(a.index) ?? []), key]);
      stale(a.owner, key, s);
    } else if (s.kind === "credit") {
      people[s.person]!.creditReports.push(`${BUREAUS[s.bureau]!.id}:${s.id}`);
      stale(s.person, `${BUREAUS[s.bureau]!.id}:${s.id}`, s);
    } else if (s.kind === "social") {
      people[s.person]!.socialLinks[s.handle]!.records.push(`${s.source}:${s.id}`);
      if (s.account < 0) stale(s.person, `${s.source}:${s.id}`, s);
    }
  }
  for (const [ai, keys] of updates) {
    const a = pop.accounts[ai]!;
    const entry = people[a.owner]!.accounts.find((x) => x.accountId === a.id);
    if (entry !== undefined) entry.updates = keys;
  }
  // accounts in the order the person opened them
  for (const p of people) p.accounts.sort((x, y) => (x.accountId < y.accountId ? -1 : x.accountId > y.accountId ? 1 : 0));
  return people;
}
