// What every injection module builds with: the plan's context (period, markets, population, ids,
// event factory), a random stream of its own, and the shared steps of an injection — pick an account
// of a person nobody injected yet, switch their background off, write a deposit or withdrawal with
// its on-chain side timed like the background's, a login before it, and the label.
import type { EventInput, InjectionLabel } from "../../contracts/index.ts";
import { broadcastDelay, confirmationDelay, sweepDelay, within } from "../chain.ts";
import { RESEARCH_FIRMS } from "../data/sources.ts";
import type { EventFactory, MovementSpec } from "../factory.ts";
import type { IdAllocator } from "../ids.ts";
import { formatNumber, type AssetSeries, type Markets } from "../market.ts";
import type { Account, Population } from "../population.ts";
import type { AddressLabelRecord } from "../reference-data.ts";
import { Rng } from "../rng.ts";
import { HOUR, MINUTE, jst, offGrid } from "../time.ts";

export interface InjectContext {
  seed: number;
  /** The period, epoch ms: [start, end). */
  start: number;
  end: number;
  markets: Markets;
  pop: Population;
  ids: IdAllocator;
  factory: EventFactory;
  /** The shared reference data folder (pump_telegram.csv and the like). */
  dataDir: string;
  /** Credit reports planned about people (history and period): whom, which bureau, when, event id. */
  credits: readonly { person: number; bureau: number; t: number; id: string }[];
  /** Address labels the research firms publish, and when. */
  labels: readonly { record: AddressLabelRecord; t: number }[];
}

/** One injected event at its time. */
export interface Fixed {
  t: number;
  e: EventInput;
}

/** What a label may say besides its accounts: the market (`venue:market`) a market-level pattern distorts. */
export interface LabelSubject {
  kind: "market" | "address";
  id: string;
}

/** State shared by every module of one plan. */
export interface InjectionState {
  labels: InjectionLabel[];
  events: Fixed[];
  /** People whose background money movements are switched off. */
  quiet: Set<number>;
  /** People whose background trading is switched off too. */
  noTrading: Set<number>;
  /** People already carrying an injection. */
  used: Set<number>;
  counts: Record<string, number>;
  /** What a reader should know (an injection that could not be placed, and why). */
  notes: string[];
  /** Things taken across modules (a venue market's day a bot or a pump runs in). */
  marks: Set<string>;
}

const CHAIN = RESEARCH_FIRMS.chain;
const MAJORS = ["BTC", "ETH", "XRP"];

export const yen = (v: number): string => `¥${Math.round(v).toLocaleString("en-US")}`;
export const hours = (ms: number): string => (ms >= 48 * HOUR ? `${(ms / (24 * HOUR)).toFixed(1)} days` : `${(ms / HOUR).toFixed(1)} h`);

export class InjectionKit {
  readonly rng: Rng;
  readonly period: number;
  /** Crypto deposits: when their transaction landed on chain (a login comes before it). */
  private readonly firstOf = new Map<Fixed, number>();
  /** Crypto withdrawals: when their transaction was broadcast (absent when past the period). */
  private readonly sentAt = new Map<Fixed, number>();

  constructor(
    readonly ctx: InjectContext,
    private readonly state: InjectionState,
    readonly typology: string,
    rng?: Rng,
  ) {
    this.rng = rng ?? Rng.derive(ctx.seed, "inject", typology);
    this.period = ctx.end - ctx.start;
    state.counts[typology] ??= 0;
  }

  get pop(): Population {
    return this.ctx.pop;
  }
  get markets(): Markets {
    return this.ctx.markets;
  }
  get factory(): EventFactory {
    return this.ctx.factory;
  }
  get ids(): IdAllocator {
    return this.ctx.ids;
  }

  /** A time off the 15-minute grid of snapshots and requotes. */
  off(t: number): number {
    return offGrid(Math.floor(t), this.ctx.start);
  }

  /** Whether the person is still free (no injection yet). */
  free(person: number): boolean {
    return !this.state.used.has(person);
  }

  /** A random account matching `ok`, of a person not injected yet, that exists an hour before `before`. */
  pickAccount(ok: (a: Account) => boolean, before: number): Account | undefined {
    const { pop } = this.ctx;
    for (let tries = 0; tries < 20_000; tries++) {
      const a = pop.accounts[this.rng.int(0, pop.accounts.length - 1)]!;
      if (a.segment === "market-maker" || this.state.used.has(a.owner) || a.openedAt >= before - HOUR || !ok(a)) continue;
      return a;
    }
    return undefined;
  }

  /** Mark the account's owner injected: no background money movements, and with `noTrading` no background trading either. */
  claim(a: Account, noTrading: boolean): void {
    this.claimPerson(a.owner, noTrading);
  }

  claimPerson(person: number, noTrading: boolean): void {
    this.state.used.add(person);
    this.state.quiet.add(person);
    if (noTrading) this.state.noTrading.add(person);
  }

  /** One of BTC, ETH, XRP listed at the account's exchange. */
  listedMajor(a: Account): AssetSeries {
    const l = this.ctx.markets.listed[a.exchange]!.filter((s) => MAJORS.includes(s.def.asset));
    return this.rng.pick(l);
  }

  /** A note for the simulation's `notes`, prefixed with the typology. */
  note(text: string): void {
    this.state.notes.push(`${this.typology}: ${text}`);
  }

  /** Take `key` (e.g. a venue market's day) for this injection; false when another one has it. */
  mark(key: string): boolean {
    if (this.state.marks.has(key)) return false;
    this.state.marks.add(key);
    return true;
  }

  /** Whether another injection took `key`. */
  marked(key: string): boolean {
    return this.state.marks.has(key);
  }

  /** Mark a person as taken (no other injection picks them) without silencing their background. */
  reserve(person: number): void {
    this.state.used.add(person);
  }

  /** Add events to the plan. */
  add(...fixed: Fixed[]): void {
    for (const f of fixed) this.state.events.push(f);
  }

  login(a: Account, t: number): Fixed {
    const tl = this.off(t - Math.floor(this.rng.range(1, 10) * MINUTE));
    return { t: tl, e: this.ctx.factory.login(this.ids.next(this.ctx.factory.source(a), "lg"), tl, a, this.rng) };
  }

  /** A login before the first event of a movement (for a crypto deposit, before its transaction lands on chain). */
  loginFor(a: Account, f: Fixed): Fixed {
    const l = this.login(a, this.firstOf.get(f) ?? f.t);
    // an account opened shortly before (a mule's) was opened before this login too
    if (a.openedAt >= l.t - MINUTE) a.openedAt = l.t - MINUTE - Math.floor(this.rng.range(0, 30 * MINUTE));
    return l;
  }

  /** A deposit or withdrawal, with its on-chain side timed as the background's (chain.ts) added to the plan; the movement itself is returned, not added. */
  move(a: Account, t: number, m: MovementSpec, customise?: (e: EventInput) => EventInput): Fixed {
    const { factory, markets, start, end } = this.ctx;
    const prefix = m.kind === "deposit" ? "dp" : "wd";
    let e = factory.movement(this.ids.next(factory.source(a), prefix), t, a, m, this.rng);
    if (customise !== undefined) e = customise(e);
    const f: Fixed = { t, e };
    if (m.channel === "crypto") {
      const asset = markets.asset(m.asset);
      if (m.kind === "deposit") {
        const tc = this.off(t - confirmationDelay(this.rng, asset.def.network));
        this.firstOf.set(f, tc);
        this.add({ t: tc, e: factory.chainMirror(this.ids.next(CHAIN, "ct"), tc, a, f.e) });
        const sweep = within(t, sweepDelay(this.rng), start, end);
        if (sweep !== undefined) this.add({ t: sweep, e: factory.depositSweep(this.ids.next(CHAIN, "ct"), sweep, a, f.e, this.rng) });
      } else {
        const sent = within(t, broadcastDelay(this.rng), start, end);
        if (sent !== undefined) {
          this.sentAt.set(f, sent);
          this.add({ t: sent, e: factory.chainMirror(this.ids.next(CHAIN, "ct"), sent, a, f.e) });
        }
      }
    }
    return f;
  }

  /** When a crypto movement made by `move` is on chain: a deposit's transaction landing, a withdrawal's broadcast (undefined: not on chain in the period). */
  onChainAt(f: Fixed): number | undefined {
    return this.firstOf.get(f) ?? this.sentAt.get(f);
  }

  /** A quantity of `asset` worth about `value` yen at the account's venue at t, and its exact value. */
  cryptoOf(asset: AssetSeries, a: Account, t: number, value: number): { amount: string; value: number } {
    const price = this.ctx.markets.mid(asset, a.exchange, t);
    const amount = formatNumber(Math.max(10 ** -asset.def.qtyDp, value / price), asset.def.qtyDp);
    return { amount, value: Math.round(Number(amount) * price) };
  }

  /** A quantity of `asset` worth about `value` yen at `price`, as printed (at least one smallest unit). */
  quantity(asset: AssetSeries, value: number, price: number): string {
    return formatNumber(Math.max(10 ** -asset.def.qtyDp, value / price), asset.def.qtyDp);
  }

  /** Half the yen resting within 1% of mid on the side an order of `side` takes, at the venue's latest snapshot before t (what one order may take without walking the book). */
  bookCap(asset: AssetSeries, exchange: number, t: number, side: "buy" | "sell"): number {
    const v = asset.venues[asset.venueOf[exchange]!];
    if (v === undefined) return Number.POSITIVE_INFINITY;
    const k = this.ctx.markets.tickBefore(t);
    return 0.5 * (side === "buy" ? v.depthAsk[k]! : v.depthBid[k]!) * v.mid[k]!;
  }

  /** The venue's market maker. */
  marketMaker(exchange: number): Account {
    const { pop } = this.ctx;
    return pop.accounts[pop.marketMakers[exchange]!]!;
  }

  /** The market maker's resting quote on `side` at t (the counterparty of a customer's market order). */
  quote(exchange: number, asset: AssetSeries, t: number, side: "buy" | "sell"): { account: string; order: string } {
    const { factory } = this.ctx;
    return { account: this.marketMaker(exchange).id, order: factory.quoteId(exchange, factory.quoteIndex(t), asset.index, side) };
  }

  /**
   * A market order of `a` at t, filled at once against the venue's market maker at mid ± half the
   * spread (or at `price`): the order and its trade. Only inside the period (quotes start with it).
   */
  marketOrder(a: Account, t: number, asset: AssetSeries, side: "buy" | "sell", quantity: string, price?: number): Fixed[] {
    const { factory, markets } = this.ctx;
    if (t < this.ctx.start) throw new RangeError(`${this.typology}: a trade before the period`);
    const src = factory.source(a);
    const orderId = this.ids.next(src, "od");
    const mid = markets.mid(asset, a.exchange, t);
    const px = formatNumber(price ?? mid * (1 + (side === "buy" ? 1 : -1) * asset.def.halfSpread), asset.def.pxDp);
    const me = { account: a.id, order: orderId };
    const them = this.quote(a.exchange, asset, t, side === "buy" ? "sell" : "buy");
    return [
      { t, e: factory.orderPlaced(orderId, t, a, asset.def.market, side, "market", quantity) },
      { t, e: factory.trade(this.ids.next(src, "tr"), t, src, asset.def.market, px, quantity, side === "buy" ? me : them, side === "buy" ? them : me, side) },
    ];
  }

  /** A limit order of `a` placed at t (its id is the event id). */
  limitOrder(a: Account, t: number, asset: AssetSeries, side: "buy" | "sell", quantity: string, price: number): Fixed {
    const { factory } = this.ctx;
    const id = this.ids.next(factory.source(a), "od");
    return { t, e: factory.orderPlaced(id, t, a, asset.def.market, side, "limit", quantity, formatNumber(price, asset.def.pxDp)) };
  }

  /** A trade at t between a resting order and the order that took it (`aggressor` is the taker's side). */
  fill(t: number, exchange: number, asset: AssetSeries, price: string, quantity: string, buy: { account: string; order: string }, sell: { account: string; order: string }, aggressor: "buy" | "sell"): Fixed {
    const { factory } = this.ctx;
    const src = factory.source(this.marketMaker(exchange));
    return { t, e: factory.trade(this.ids.next(src, "tr"), t, src, asset.def.market, price, quantity, buy, sell, aggressor) };
  }

  /** The cancellation of `order` (an order event of `a`) at t, with what was left of it. */
  cancel(a: Account, t: number, order: Fixed, remaining: string): Fixed {
    const { factory } = this.ctx;
    const o = order.e as Extract<EventInput, { type: "order.placed" }>;
    return { t, e: factory.orderCancelled(this.ids.next(factory.source(a), "oc"), t, a, o.orderId, o.market, remaining) };
  }

  /** n sorted times: the first at t0, the last at t0 + span, neighbours at least `gap` apart (span ≥ (n − 1) × gap). */
  spread(t0: number, span: number, n: number, gap: number): number[] {
    if (n === 1) return [this.off(t0)];
    const free = Math.max(0, span - (n - 1) * gap);
    const w = Array.from({ length: n - 1 }, () => this.rng.range(0.2, 1));
    const total = w.reduce((x, y) => x + y, 0);
    const out = [t0];
    for (const x of w) out.push(out[out.length - 1]! + gap + (free * x) / total);
    return out.map((t) => this.off(t));
  }

  /**
   * Label an injection: its accounts (the first one's owner is the entity), the injected events (their
   * first and last times are `from` and `to`) and a note with the figures; `subjects` for patterns that
   * are also about a market or an address.
   */
  label(accounts: Account | readonly Account[], injected: readonly Fixed[], note: string, subjects?: readonly LabelSubject[]): InjectionLabel {
    const list = Array.isArray(accounts) ? (accounts as readonly Account[]) : [accounts as Account];
    if (list.length === 0 || injected.length === 0) throw new RangeError(`${this.typology}: a label needs accounts and events`);
    const n = ++this.state.counts[this.typology]!;
    const times = injected.map((f) => f.t).sort((x, y) => x - y);
    const l: InjectionLabel = {
      injectionId: `${this.typology}-${String(n).padStart(4, "0")}`,
      typology: this.typology,
      accounts: [...new Set(list.map((a) => a.id))],
      entity: this.ctx.pop.people[list[0]!.owner]!.personId,
      from: jst(times[0]!),
      to: jst(times[times.length - 1]!),
      events: injected.map((f) => `${f.e.source}:${f.e.id}`),
      note,
    };
    if (subjects !== undefined && subjects.length > 0) l.subjects = subjects.map((s) => ({ kind: s.kind, id: s.id }));
    this.state.labels.push(l);
    return l;
  }
}
