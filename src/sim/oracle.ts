// A small, independent reading of the three injected typologies' definitions, used to check the
// simulator from its own output: that every injection carries its pattern and that the background
// does not. It reads wire events (decimal strings) and computes exactly, with scaled bigints. It is
// not the engine (src/engine is), and it is deliberately plain: a second implementation to compare
// against, not a fast one.
//
//  structuring             per subject, direction and channel: ≥ 3 movements within 7 days, each
//                          in [80%, 100%) of the line (bank ¥2,000,000 by amount; crypto ¥100,000 by
//                          valueJpy), together over the line.
//  pass-through            a deposit worth ≥ ¥500,000; withdrawals (any channel, by JPY value) within
//                          24 h reaching 80% of it while the subject's traded value (*/JPY trades,
//                          either side) since the deposit stays under 10% of it.
//  market-moving-transfer  a crypto deposit (withdrawal) whose quantity is ≥ 5% of the market's
//                          24h volume or ≥ 50% of its bid (ask) depth within 1% of mid in the latest
//                          snapshot at or before it; a JPY bank deposit ≥ 50% of the BTC/JPY ask depth
//                          in yen. Corporates: 10% and 100%.
import { MONEY_SCALE, parseMoney, type EventInput } from "../contracts/index.ts";

/** The typologies the reference rules read. */
export const REFERENCE_TYPOLOGIES = ["structuring", "pass-through", "market-moving-transfer"] as const;
export type ReferenceTypology = (typeof REFERENCE_TYPOLOGIES)[number];

export interface ReferenceMatch {
  typology: ReferenceTypology;
  /** Subject the rule ran on (an account id, or the entity `subjectOf` mapped it to). */
  subject: string;
  /** Accounts of the evidence. */
  accounts: string[];
  /** Time of the last evidence event (RFC 3339, as in the events). */
  ts: string;
  /** Event keys (source:id). */
  evidence: string[];
}

export interface ReferenceOptions {
  /** Which snapshot counts as "the latest": the latest for the market from any source (default), or from the same source. */
  snapshotScope?: "market" | "source";
  /** Map an account to the subject rules run on (an entity spanning exchanges); default: the account itself. */
  subjectOf?: (accountId: string) => string;
}

const Y = (n: number): bigint => BigInt(n) * MONEY_SCALE;
const BANK_LINE = Y(2_000_000);
const CRYPTO_LINE = Y(100_000);
const MIN_DEPOSIT = Y(500_000);
const WINDOW_7D = 7 * 86_400_000;
const WINDOW_24H = 24 * 3_600_000;

interface Snap {
  mid: bigint;
  vol: bigint | undefined;
  bid: bigint | undefined;
  ask: bigint | undefined;
}
interface Cand {
  t: number;
  ts: string;
  key: string;
  account: string;
  v: bigint;
}
interface Watch extends Cand {
  out: bigint;
  traded: bigint;
  legs: Cand[];
}

const money = (s: unknown): bigint | undefined => (typeof s === "string" ? parseMoney(s) : undefined);

/** Run the three reference rules over events in time order. */
export function referenceMatches(events: Iterable<EventInput>, opts: ReferenceOptions = {}): ReferenceMatch[] {
  const scope = opts.snapshotScope ?? "market";
  const subjectOf = opts.subjectOf ?? ((a: string) => a);
  const corporate = new Set<string>();
  const snaps = new Map<string, Snap>();
  const windows = new Map<string, Cand[]>();
  const watches = new Map<string, Watch[]>();
  const out: ReferenceMatch[] = [];
  const snapKey = (source: string, market: string) => (scope === "source" ? `${source}|${market}` : market);

  const addTraded = (subject: string, value: bigint, t: number) => {
    const list = watches.get(subject);
    if (list === undefined) return;
    for (let i = 0; i < list.length; ) {
      const w = list[i]!;
      if (w.t < t - WINDOW_24H) {
        list.splice(i, 1);
        continue;
      }
      w.traded += value;
      if (w.traded * 10n >= w.v) list.splice(i, 1);
      else i++;
    }
  };

  for (const e of events) {
    const rec = e as unknown as Record<string, unknown>;
    const t = Date.parse(e.ts);
    const key = `${e.source}:${e.id}`;
    switch (e.type) {
      case "account.opened":
        if (rec.customerType === "corporate") corporate.add(String(rec.accountId));
        break;
      case "market.snapshot":
        snaps.set(snapKey(e.source, String(rec.market)), { mid: money(rec.midPrice)!, vol: money(rec.volume24h), bid: money(rec.depthBid1pct), ask: money(rec.depthAsk1pct) });
        break;
      case "trade": {
        if (!String(rec.market).endsWith("/JPY")) break;
        const value = (money(rec.quantity)! * money(rec.price)!) / MONEY_SCALE;
        const buyer = subjectOf(String(rec.buyAccountId));
        const seller = subjectOf(String(rec.sellAccountId));
        addTraded(buyer, value, t);
        if (seller !== buyer) addTraded(seller, value, t);
        break;
      }
      case "deposit":
      case "withdrawal": {
        const account = String(rec.accountId);
        const subject = subjectOf(account);
        const asset = String(rec.asset);
        const channel = String(rec.channel);
        const amount = money(rec.amount)!;
        const value = asset === "JPY" ? amount : money(rec.valueJpy);
        const corp = corporate.has(account);
        const cand = (v: bigint): Cand => ({ t, ts: e.ts, key, account, v });

        // market-moving transfer
        if (channel === "crypto" && asset !== "JPY") {
          const s = snaps.get(snapKey(e.source, `${asset}/JPY`));
          if (s !== undefined) {
            const depth = e.type === "deposit" ? s.bid : s.ask;
            const volHit = s.vol !== undefined && s.vol > 0n && (corp ? amount * 10n >= s.vol : amount * 100n >= s.vol * 5n);
            const depthHit = depth !== undefined && depth > 0n && (corp ? amount >= depth : amount * 2n >= depth);
            if (volHit || depthHit) out.push({ typology: "market-moving-transfer", subject, accounts: [account], ts: e.ts, evidence: [key] });
          }
        } else if (channel === "bank" && asset === "JPY" && e.type === "deposit") {
          const s = snaps.get(snapKey(e.source, "BTC/JPY"));
          if (s !== undefined && s.ask !== undefined && s.ask > 0n) {
            const depthJpy = (s.ask * s.mid) / MONEY_SCALE;
            if (corp ? amount >= depthJpy : amount * 2n >= depthJpy) out.push({ typology: "market-moving-transfer", subject, accounts: [account], ts: e.ts, evidence: [key] });
          }
        }

        if (value === undefined) break;

        // structuring
        if (channel === "bank" || channel === "crypto") {
          const line = channel === "bank" ? BANK_LINE : CRYPTO_LINE;
          if (value < line && value * 10n >= line * 8n) {
            const wk = `${e.type}|${channel}|${subject}`;
            let list = windows.get(wk);
            if (list === undefined) windows.set(wk, (list = []));
            while (list.length > 0 && list[0]!.t < t - WINDOW_7D) list.shift();
            list.push(cand(value));
            let sum = 0n;
            for (const c of list) sum += c.v;
            if (list.length >= 3 && sum > line) {
              out.push({ typology: "structuring", subject, accounts: [...new Set(list.map((c) => c.account))], ts: e.ts, evidence: list.map((c) => c.key) });
              windows.delete(wk);
            }
          }
        }

        // pass-through
        if (e.type === "deposit") {
          if (value >= MIN_DEPOSIT) {
            let list = watches.get(subject);
            if (list === undefined) watches.set(subject, (list = []));
            list.push({ ...cand(value), out: 0n, traded: 0n, legs: [] });
          }
        } else {
          const list = watches.get(subject);
          if (list !== undefined) {
            for (let i = 0; i < list.length; ) {
              const w = list[i]!;
              if (w.t < t - WINDOW_24H) {
                list.splice(i, 1);
                continue;
              }
              w.out += value;
              w.legs.push(cand(value));
              if (w.out * 10n >= w.v * 8n) {
                out.push({ typology: "pass-through", subject, accounts: [...new Set([w.account, ...w.legs.map((l) => l.account)])], ts: e.ts, evidence: [w.key, ...w.legs.map((l) => l.key)] });
                list.splice(i, 1);
              } else i++;
            }
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}
