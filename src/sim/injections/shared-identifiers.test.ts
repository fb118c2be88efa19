// The shared-identifiers injections are what their definition says, checked from the generated events
// and the people behind the accounts, and the engine finds every one of them and nothing else.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseEvent, type Event, type EventInput } from "../../contracts/index.ts";
import { detect } from "../../engine/index.ts";
import { evaluate } from "../evaluate.ts";
import { injectionsPerTypology } from "../plan.ts";
import { simulate } from "../simulate.ts";

const sim = simulate({ seed: 11, people: 1_000, days: 1 });
const wire: EventInput[] = [...sim.events];
const byKey = new Map(wire.map((e) => [`${e.source}:${e.id}`, e]));
const owner = new Map<string, string>();
for (const p of sim.people) for (const a of p.accounts) owner.set(a.accountId, p.personId);
const personOf = new Map(sim.people.map((p) => [p.personId, p]));
const labels = sim.labels.filter((l) => l.typology === "shared-identifiers");

test("shared-identifiers injections: different people, and one identifier (or a chain of them) they share", () => {
  assert.equal(labels.length, injectionsPerTypology(1_000));
  const kinds = new Set<string>();
  for (const l of labels) {
    const people = l.accounts.map((a) => personOf.get(owner.get(a)!)!);
    assert.equal(new Set(people.map((p) => p.personId)).size, l.accounts.length, `${l.injectionId}: one person per account`);
    assert.equal(new Set(people.map((p) => p.identity.dateOfBirth)).size, people.length, `${l.injectionId}: distinct birth dates`);
    assert.equal(new Set(people.map((p) => p.identity.name)).size, people.length, `${l.injectionId}: distinct names`);
    assert.ok(l.accounts.length >= 3, `${l.injectionId}: at least three people`);
    const events = l.events!.map((k) => byKey.get(k)!) as Array<Record<string, unknown>>;
    const devices = new Set(events.filter((e) => e.type === "login").map((e) => e.deviceId));
    const banks = new Set(events.filter((e) => typeof e.bankAccountHash === "string").map((e) => e.bankAccountHash));
    const wallets = new Set(events.filter((e) => e.type === "withdrawal" && typeof e.toAddress === "string").map((e) => e.toAddress));
    for (const [kind, set] of [["device", devices], ["bank", banks], ["wallet", wallets]] as const) if (set.size > 0) { assert.equal(set.size, 1, `${l.injectionId}: one ${kind}`); kinds.add(kind); }
    // not a graph fan-in in disguise: under five parties and under ¥1M paid out
    const paid = events.filter((e) => e.type === "withdrawal").reduce((s, e) => s + Number(e.valueJpy ?? 0), 0);
    assert.ok(paid < 1_000_000, `${l.injectionId}: ¥${paid} withdrawn`);
  }
  assert.deepEqual([...kinds].sort(), ["bank", "device", "wallet"]);
});

test("the engine finds every shared-identifiers injection, and no background account", () => {
  const events: Event[] = wire.map((w) => {
    const r = parseEvent(w);
    assert.ok(r.ok);
    return r.event;
  });
  const alerts = detect(events, { typologies: ["shared-identifiers", "graph-patterns"] });
  const r = evaluate(sim.labels, alerts, "shared-identifiers");
  assert.equal(r.recall, 1, JSON.stringify(r));
  assert.equal(r.precision, 1, JSON.stringify(r));
  // and they are not mistaken for graph patterns
  const mine = new Set(labels.flatMap((l) => l.accounts));
  assert.ok(!alerts.some((a) => a.typology === "graph-patterns" && a.accounts.some((x) => mine.has(x))));
});
