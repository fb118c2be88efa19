// LiveDetection: swapping detection settings under a running engine keeps the state of what did not
// change, starts what changed empty, and notices changes made elsewhere on a poll. Synthetic events.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Alert } from "../contracts/alerts.ts";
import { createEngine, type EngineSnapshot } from "../engine/index.ts";
import { withRules, type RuleDefinition } from "../engine/rules/index.ts";
import { syntheticEvents } from "../engine/synthetic.ts";
import { toEvent, wireBuilder } from "../engine/testkit.ts";
import { defaultRegistry } from "../engine/typologies/index.ts";
import { LiveDetection, settingsFingerprint, type DetectionSettings, type SettingsSource } from "./rule-live.ts";

const AFTER_DEPOSITS: RuleDefinition = {
  id: "after-deposits",
  version: 1,
  name: "Withdrawal after five deposits",
  expression: 'event.type == "withdrawal" && account.deposits.count("24h") >= 5',
  score: 70,
};
const ANY_DEPOSITS: RuleDefinition = {
  id: "any-deposits",
  version: 1,
  name: "Withdrawal after a deposit",
  expression: 'event.type == "withdrawal" && account.deposits.count("24h") >= 1',
  score: 40,
};

const stateOf = (live: LiveDetection, id: string) => JSON.stringify(live.engine.snapshot().typologies.find((t) => t.id === id)?.state);

function day() {
  const b = wireBuilder("exa");
  const deposits = [0, 1, 2, 3, 4].map((i) => toEvent(b.deposit("ac_1", 1 + i * 0.5, "950000")));
  const withdrawal = toEvent(b.withdrawal("ac_1", 4, "4500000"));
  return { deposits, withdrawal };
}

describe("LiveDetection", () => {
  it("a new rule starts empty while published rules and built-in typologies keep their state", () => {
    const live = new LiveDetection({ settings: { rules: [AFTER_DEPOSITS], configs: {} } });
    const { deposits, withdrawal } = day();
    for (const e of deposits) live.push(e);
    const kept = ["rule:after-deposits", "structuring", "pass-through"].map((id) => stateOf(live, id));
    assert.notEqual(kept[0], stateOf(new LiveDetection({ settings: { rules: [AFTER_DEPOSITS], configs: {} } }), "rule:after-deposits"), "the rule holds deposits before the swap");
    const events = live.engine.stats().events;

    const swap = live.apply({ rules: [ANY_DEPOSITS, AFTER_DEPOSITS], configs: {} });
    assert.ok(swap);
    assert.deepEqual(swap.fresh, ["rule:any-deposits"]);
    assert.deepEqual(swap.dropped, []);
    assert.ok(swap.carried.includes("rule:after-deposits") && swap.carried.includes("structuring"));
    assert.deepEqual(["rule:after-deposits", "structuring", "pass-through"].map((id) => stateOf(live, id)), kept);
    assert.equal(live.engine.stats().events, events, "counters carry over");

    const alerts = live.push(withdrawal);
    const byRule = (id: string) => alerts.filter((a: Alert) => a.typology === `rule:${id}`);
    // The carried rule still counts the five deposits before the swap; the new one saw none of them.
    assert.equal(byRule("after-deposits").length, 1);
    assert.equal(byRule("any-deposits").length, 0);
    assert.equal(live.apply({ rules: [AFTER_DEPOSITS, ANY_DEPOSITS], configs: {} }), null, "same settings in another order: no swap");
  });

  it("a typology whose config changed starts fresh; a retired rule is dropped; a new rule version starts fresh", () => {
    const live = new LiveDetection({ settings: { rules: [AFTER_DEPOSITS], configs: {} } });
    for (const e of day().deposits) live.push(e);
    const structuring = stateOf(live, "structuring");
    const empty = stateOf(new LiveDetection({ settings: { rules: [], configs: {} } }), "pass-through");
    assert.notEqual(stateOf(live, "pass-through"), empty);
    const swap = live.apply({ rules: [{ ...AFTER_DEPOSITS, version: 2 }], configs: { "pass-through": { minDepositJpy: 300_000 } } });
    assert.ok(swap);
    assert.deepEqual([...swap.fresh].sort(), ["pass-through", "rule:after-deposits"]);
    assert.equal(stateOf(live, "pass-through"), empty);
    assert.equal(stateOf(live, "structuring"), structuring);
    const retired = live.apply({ rules: [], configs: { "pass-through": { minDepositJpy: 300_000 } } });
    assert.deepEqual(retired?.dropped, ["rule:after-deposits"]);
    assert.deepEqual(retired?.fresh, []);
  });

  it("a change made by another process is swapped in on the next poll; a failing poll keeps the running settings", async () => {
    let settings: DetectionSettings = { rules: [], configs: {} };
    let failing = false;
    const source: SettingsSource = {
      published: async () => {
        if (failing) throw new Error("store unreachable");
        return [...settings.rules];
      },
      typologyConfigs: async () => ({ ...settings.configs }),
    };
    const errors: unknown[] = [];
    const swaps: string[][] = [];
    const live = new LiveDetection({ settings, onSwap: (r) => swaps.push([...r.fresh]), onError: (e) => errors.push(e) });
    const stop = live.startPolling(source, 10);
    try {
      settings = { rules: [ANY_DEPOSITS], configs: {} };
      const deadline = Date.now() + 5_000;
      while (swaps.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(swaps, [["rule:any-deposits"]]);
      assert.equal(live.fingerprint, settingsFingerprint(settings));
      failing = true;
      while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(errors.length > 0, true);
      assert.equal(live.engine.typologies.some((t) => t.id === "rule:any-deposits"), true);
    } finally {
      stop();
      await live.idle();
    }
  });

  it("built-ins and rules in two engines give one engine's alerts, in its order; a mid-stream snapshot restores", () => {
    const rules = [AFTER_DEPOSITS, { ...ANY_DEPOSITS, expression: 'event.type == "withdrawal" && event.valueJpy > 1000000 && account.deposits.count("1h") >= 1' }];
    const settings: DetectionSettings = { rules, configs: { "pass-through": { minDepositJpy: 300_000 } } };
    const events = syntheticEvents({ count: 6_000, seed: 11, accounts: 60 });
    const one = createEngine({ registry: withRules(defaultRegistry, rules), configs: settings.configs });
    const expected = [...events.flatMap((e) => one.push(e)), ...one.flush()];
    assert.ok(expected.some((a) => a.typology.startsWith("rule:")) && expected.some((a) => !a.typology.startsWith("rule:")), "both kinds of alert occur");

    const live = new LiveDetection({ settings });
    assert.deepEqual(live.engine.typologies.map((t) => [t.id, t.configVersion]), one.typologies.map((t) => [t.id, t.configVersion]));
    const half = events.length / 2;
    const got = events.slice(0, half).flatMap((e) => live.push(e));
    const snap = JSON.parse(JSON.stringify(live.engine.snapshot())) as EngineSnapshot;
    const second = new LiveDetection({ settings });
    second.engine.restore(snap);
    got.push(...events.slice(half).flatMap((e) => second.push(e)), ...second.engine.flush());
    assert.deepEqual(got, expected);
    assert.equal(second.engine.stats().events, events.length);
    assert.throws(() => new LiveDetection({ settings: { rules: [], configs: {} } }).engine.restore(snap), /snapshot holds/);
  });
});
