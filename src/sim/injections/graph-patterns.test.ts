// The graph-patterns injections have the shapes they are labelled with, checked from the generated
// transfers, and the engine finds every one of them and nothing else.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseEvent, type Event, type EventInput } from "../../contracts/index.ts";
import { detect } from "../../engine/index.ts";
import { evaluate } from "../evaluate.ts";
import { injectionsPerTypology } from "../plan.ts";
import { simulate } from "../simulate.ts";

const sim = simulate({ seed: 12, people: 1_000, days: 1 });
const wire: EventInput[] = [...sim.events];
const byKey = new Map(wire.map((e) => [`${e.source}:${e.id}`, e]));
const owner = new Map<string, string>();
for (const p of sim.people) for (const a of p.accounts) owner.set(a.accountId, p.personId);
const labels = sim.labels.filter((l) => l.typology === "graph-patterns");
type Transfer = Extract<EventInput, { type: "transfer" }>;

test("graph-patterns injections: transfers between different people at one exchange, in one of AMLSim's shapes", () => {
  assert.equal(labels.length, injectionsPerTypology(1_000));
  const shapes = new Set<string>();
  for (const l of labels) {
    const tf = l.events!.map((k) => byKey.get(k)!) as Transfer[];
    assert.ok(tf.every((e) => e.type === "transfer" && e.asset === "JPY"), `${l.injectionId}: yen transfers only`);
    assert.equal(new Set(tf.map((e) => e.source)).size, 1, `${l.injectionId}: one exchange`);
    assert.equal(new Set(l.accounts.map((a) => owner.get(a))).size, l.accounts.length, `${l.injectionId}: one person per account`);
    const hours = (Date.parse(tf[tf.length - 1]!.ts) - Date.parse(tf[0]!.ts)) / 3_600_000;
    assert.ok(hours <= 24, `${l.injectionId}: ${hours} h`);
    const senders = new Set(tf.map((e) => e.fromAccountId));
    const receivers = new Set(tf.map((e) => e.toAccountId));
    const v = (e: Transfer) => Number(e.amount);
    if (receivers.size === 1) {
      shapes.add("fan-in");
      assert.ok(senders.size >= 5 && tf.reduce((s, e) => s + v(e), 0) >= 1_000_000, `${l.injectionId}: five senders, ¥1M`);
    } else if (senders.size === 1) {
      shapes.add("fan-out");
      assert.ok(receivers.size >= 5 && tf.reduce((s, e) => s + v(e), 0) >= 1_000_000, `${l.injectionId}: five receivers, ¥1M`);
    } else if (tf[tf.length - 1]!.toAccountId === tf[0]!.fromAccountId && tf.every((e, i) => i === 0 || e.fromAccountId === tf[i - 1]!.toAccountId)) {
      shapes.add("cycle");
      assert.ok(tf.length >= 3 && tf.every((e, i) => i === 0 || (v(e) < v(tf[i - 1]!) && v(e) >= 0.9 * v(tf[i - 1]!) - 1_000)));
    } else {
      // scatter-gather (one origin, one beneficiary) or gather-scatter (one account in the middle)
      const k = tf.length / 2;
      const first = tf.slice(0, k);
      const second = tf.slice(k);
      const moved = (xs: Transfer[]) => xs.reduce((s, e) => s + v(e), 0);
      assert.ok(k >= 3 && moved(second) >= 0.9 * moved(first) - 5_000 && moved(second) <= moved(first));
      shapes.add(new Set(first.map((e) => e.fromAccountId)).size === 1 ? "scatter-gather" : "gather-scatter");
    }
  }
  // four injections at this size: the first four shapes of the rotation
  assert.deepEqual([...shapes].sort(), ["cycle", "fan-in", "fan-out", "scatter-gather"]);
});

test("the engine finds every graph-patterns injection, and no background account", () => {
  const events: Event[] = wire.map((w) => {
    const r = parseEvent(w);
    assert.ok(r.ok);
    return r.event;
  });
  const alerts = detect(events, { typologies: ["graph-patterns"] });
  const r = evaluate(sim.labels, alerts, "graph-patterns");
  assert.equal(r.recall, 1, JSON.stringify(r));
  assert.equal(r.precision, 1, JSON.stringify(r));
});
