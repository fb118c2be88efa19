// The link graph of a subject, pure: nodes (the subject, accounts, blockchain addresses, shared
// identifiers: IP addresses, devices, bank accounts) and edges (logins, deposits, withdrawals,
// transfers, trades, on-chain moves) from the events behind its alerts and cases. Accounts appear as
// the viewer may see them (own exchange's ids, else pseudonyms); IPs, devices and bank accounts only
// as pseudonyms (they can identify a person, and sharing one is what matters, not its value);
// blockchain addresses as they are (public).
import type { GraphEdge, GraphNode, GraphSnapshot } from "./model.ts";
import { accountsNamed, ACCOUNT_EVENT_TYPES, parseBody } from "./owners.ts";

export type IdentifierKind = "ip" | "device" | "bank_account";

export interface GraphInput {
  /** The subject node as shown (entity id, or the account's shown id). */
  readonly subject: { readonly id: string; readonly kind: "entity" | "account" };
  /** Accounts of the subject's alerts (raw ids) → the owner to show them under. */
  readonly accounts: ReadonlyMap<string, string>;
  readonly events: readonly { readonly source: string; readonly id: string; readonly type: string; readonly body: string }[];
  /** How an account at `owner` is shown; null hides it (and its edges). */
  showAccount(owner: string, accountId: string): string | null;
  /** The pseudonym of an identifier value of a kind. */
  identifier(kind: IdentifierKind, value: string): string;
}

/** Event keys listed on one edge at most (the count says how many there were). */
export const EDGE_EVENTS = 20;

interface EdgeAcc {
  from: string;
  to: string;
  kind: string;
  events: string[];
  count: number;
}

export interface LinkGraph extends GraphSnapshot {
  readonly nodes: readonly (GraphNode & { readonly exchange?: string })[];
  readonly edges: readonly (GraphEdge & { readonly count: number })[];
}

export function buildLinkGraph(input: GraphInput): LinkGraph {
  const nodes = new Map<string, GraphNode & { exchange?: string }>();
  const edges = new Map<string, EdgeAcc>();
  const node = (id: string, kind: string, exchange?: string) => {
    if (!nodes.has(id)) nodes.set(id, exchange === undefined ? { id, kind } : { id, kind, exchange });
    return id;
  };
  const edge = (from: string | null, to: string | null, kind: string, key: string | null) => {
    if (from === null || to === null || from === to) return;
    const k = `${from}\u0000${to}\u0000${kind}`;
    let e = edges.get(k);
    if (!e) edges.set(k, (e = { from, to, kind, events: [], count: 0 }));
    e.count++;
    if (key !== null && e.events.length < EDGE_EVENTS && !e.events.includes(key)) e.events.push(key);
  };
  const subject = node(input.subject.id, input.subject.kind);
  const account = (owner: string, raw: string): string | null => {
    const shown = input.showAccount(owner, raw);
    return shown === null ? null : node(shown, "account", owner);
  };
  for (const [raw, owner] of input.accounts) {
    const a = account(owner, raw);
    edge(subject, a, "alerted", null);
  }
  const address = (network: unknown, value: unknown): string | null => {
    if (typeof value !== "string" || value === "") return null;
    return node(typeof network === "string" && network !== "" ? `${network}:${value}` : value, "address");
  };
  const ident = (kind: IdentifierKind, value: unknown): string | null => (typeof value === "string" && value !== "" ? node(input.identifier(kind, value), kind) : null);

  const sorted = [...input.events].sort((x, y) => (x.source < y.source ? -1 : x.source > y.source ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  for (const e of sorted) {
    const b = parseBody(e.body);
    if (b === null) continue;
    const key = `${e.source}:${e.id}`;
    const acc = (field: string): string | null => (typeof b[field] === "string" ? account(ACCOUNT_EVENT_TYPES.has(e.type) ? e.source : "?", b[field]) : null);
    switch (e.type) {
      case "login": {
        const a = acc("accountId");
        edge(a, ident("ip", b.ip), "login", key);
        edge(a, ident("device", b.deviceId), "device", key);
        break;
      }
      case "deposit": {
        const a = acc("accountId");
        edge(address(b.network, b.fromAddress), a, "deposit", key);
        edge(ident("bank_account", b.bankAccountHash), a, "deposit", key);
        break;
      }
      case "withdrawal": {
        const a = acc("accountId");
        edge(a, address(b.network, b.toAddress), "withdrawal", key);
        edge(a, ident("bank_account", b.bankAccountHash), "withdrawal", key);
        break;
      }
      case "transfer":
        edge(acc("fromAccountId"), acc("toAccountId"), "transfer", key);
        break;
      case "trade":
        edge(acc("sellAccountId"), acc("buyAccountId"), "trade", key);
        break;
      case "chain.transfer":
        edge(address(b.network, b.fromAddress), address(b.network, b.toAddress), "chain", key);
        break;
      default:
        // Other events still show the accounts they name.
        if (ACCOUNT_EVENT_TYPES.has(e.type)) for (const a of accountsNamed(b)) account(e.source, a);
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    nodes: [...nodes.values()].sort((x, y) => (x.id === subject ? -1 : y.id === subject ? 1 : cmp(x.kind, y.kind) || cmp(x.id, y.id))),
    edges: [...edges.values()].sort((x, y) => cmp(x.from, y.from) || cmp(x.to, y.to) || cmp(x.kind, y.kind)).map((e) => ({ from: e.from, to: e.to, kind: e.kind, events: e.events, count: e.count })),
  };
}
