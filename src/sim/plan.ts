// Building the plan of a simulated consortium day: population, markets, reference data, the
// background's sessions, the injections, and the ground truth. Everything here is decided before
// the first event is produced; the stream (stream.ts) only expands sessions into events in time order.
import type { InjectionLabel } from "../contracts/index.ts";
import { BackgroundPlanner, type BackgroundStats } from "./background.ts";
import { BUREAUS, EXCHANGES, RESEARCH_FIRMS } from "./data/sources.ts";
import { EventFactory } from "./factory.ts";
import { canonicalRecord, type IdentityRecord } from "./identity.ts";
import { IdAllocator, IdScrambler } from "./ids.ts";
import { planInjections, type InjectionPlan, type Typology } from "./inject.ts";
import { Markets } from "./market.ts";
import { orderEventCount, opEventCount, type Session } from "./plan-types.ts";
import { buildPopulation, type Population, type Segment } from "./population.ts";
import { postalTable } from "./postal.ts";
import { loadAddressLabels, type AddressLabelRecord } from "./reference-data.ts";
import { Rng } from "./rng.ts";
import { DAY, MINUTE, QUOTE_INTERVAL, SNAPSHOT_INTERVAL, jst, offGrid } from "./time.ts";

export interface PlanOptions {
  seed: number;
  people: number;
  days: number;
  start: number;
  injections: boolean;
  dataDir: string;
}

/** Ground truth for one person or corporate (a line of people.ndjson). */
export interface PersonTruth {
  personId: string;
  kind: "individual" | "corporate";
  segment: Segment;
  /** The canonical identity, in the public identity-field shape. */
  identity: IdentityRecord;
  /** Accounts they own, with the event key of the account.opened record that carries their KYC. */
  accounts: { accountId: string; source: string; record: string }[];
  /** Event keys of credit.report records about them. */
  creditReports: string[];
  /** Their social handles and the social.link records that mention them. */
  socialLinks: { platform: string; handle: string; records: string[] }[];
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
  injections: Record<Typology, number>;
  addressLabels: { sanctioned: number; hack: number; scam: number; origin: "shared-data" | "built-in" };
  background: BackgroundStats;
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

  const injection: InjectionPlan = o.injections
    ? planInjections({ seed: o.seed, start: o.start, end, markets, pop, ids, factory }, injectionsPerTypology(o.people))
    : { labels: [], sessions: [], quiet: new Set(), noTrading: new Set(), counts: { structuring: 0, "pass-through": 0, "market-moving-transfer": 0 } };

  // ----- account openings (most before the period: the consortium's history)
  for (const a of pop.accounts) {
    const source = EXCHANGES[a.exchange]!.id;
    sessions.push({ kind: "open", t: a.openedAt, account: a.index, id: ids.next(source, "ao"), n: 1 });
  }

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

  // ----- market snapshots and market-maker requotes, every 15 minutes
  let venues = 0;
  for (const a of markets.assets) venues += a.venues.length;
  for (let k = 0; k < markets.ticks; k++) sessions.push({ kind: "snapshot", t: o.start + k * SNAPSHOT_INTERVAL, k, n: venues });
  const quotes = Math.ceil((end - o.start) / QUOTE_INTERVAL);
  for (let q = 0; q < quotes; q++) sessions.push({ kind: "quote", t: o.start + q * QUOTE_INTERVAL, q, n: (q > 0 ? 4 : 2) * venues });

  // ----- background behaviour, person by person
  const planner = new BackgroundPlanner(o.seed, markets, o.start, end);
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

  // ----- a few KYC updates, and closures of accounts that stay idle
  const life = Rng.derive(o.seed, "lifecycle");
  const period = end - o.start;
  for (const a of pop.accounts) {
    if (a.segment === "market-maker" || injectedAccounts.has(a.id)) continue;
    if (life.chance(0.001 * o.days)) {
      const t = offGrid(Math.max(a.openedAt + MINUTE, o.start) + Math.floor(life.float() * (end - Math.max(a.openedAt + MINUTE, o.start))), o.start);
      if (t < end) {
        sessions.push({ kind: "update", t, account: a.index, no: no++, n: 1 });
        sessionCount[a.index]!++;
      }
    } else if (sessionCount[a.index] === 0 && a.openedAt < o.start && life.chance(0.0005 * o.days)) {
      sessions.push({ kind: "close", t: offGrid(o.start + Math.floor(life.float() * period), o.start), account: a.index, no: no++, n: 1 });
    }
  }

  sessions.push(...injection.sessions);
  sessions.sort((x, y) => x.t - y.t); // stable: equal times keep their planned order

  let events = 0;
  let prologue = 0;
  for (const s of sessions) {
    events += s.n;
    if (s.t < o.start) prologue += s.n;
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
  };
  if (o.injections) {
    const want = injectionsPerTypology(o.people);
    for (const [t, n] of Object.entries(injection.counts)) if (n < want) notes.push(`${t}: ${n} of ${want} injections placed (not enough eligible accounts)`);
  }
  return { options: o, end, markets, pop, factory, ids, labelsData, sessions, labels: injection.labels, notes, stats };
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
  for (const s of plan.sessions) {
    if (s.kind === "open") {
      const a = pop.accounts[s.account]!;
      const source = EXCHANGES[a.exchange]!.id;
      people[a.owner]!.accounts.push({ accountId: a.id, source, record: `${source}:${s.id}` });
    } else if (s.kind === "credit") {
      people[s.person]!.creditReports.push(`${BUREAUS[s.bureau]!.id}:${s.id}`);
    } else if (s.kind === "social") {
      people[s.person]!.socialLinks[s.handle]!.records.push(`${s.source}:${s.id}`);
    }
  }
  // accounts in the order the person opened them
  for (const p of people) p.accounts.sort((x, y) => (x.accountId < y.accountId ? -1 : x.accountId > y.accountId ? 1 : 0));
  return people;
}
