import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Event, EventInput } from "../../../contracts/index.ts";
import { createEngine, detect } from "../../index.ts";
import { assertRestoresAtEveryPoint, at, replayWithOutcomes, toEvents } from "../../testkit.ts";
import { crossBorderDefaults } from "./config.ts";
import { destinationOf } from "./index.ts";

const only = { typologies: ["cross-border-outflow"] };
const BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

interface W {
  amount?: string;
  asset?: string;
  valueJpy?: string;
  channel?: "bank" | "crypto" | "internal";
  toAddress?: string;
  vasp?: string;
  country?: string;
  travelRule?: { originatorName?: string; beneficiaryName?: string; beneficiaryVasp?: string };
}

function builder() {
  let n = 0;
  const id = (p: string) => `${p}-${String(++n).padStart(4, "0")}`;
  return {
    opened: (accountId: string, customerType: "individual" | "corporate" = "individual"): EventInput => ({
      type: "account.opened", id: id("open"), ts: at(-9000), source: "exa", accountId, customerType, kyc: { name: "Synthetic" },
    }),
    wd: (accountId: string, hours: number, w: W = {}): EventInput => ({
      type: "withdrawal", id: id("wd"), ts: at(hours), source: "exa", accountId, asset: w.asset ?? "JPY", amount: w.amount ?? "1000000",
      channel: w.channel ?? "bank",
      ...(w.valueJpy !== undefined ? { valueJpy: w.valueJpy } : {}), ...(w.toAddress !== undefined ? { toAddress: w.toAddress } : {}),
      ...(w.vasp !== undefined ? { counterpartyVasp: w.vasp } : {}), ...(w.country !== undefined ? { counterpartyCountry: w.country } : {}),
      ...(w.travelRule !== undefined ? { travelRule: w.travelRule } : {}),
    }),
  };
}
const crypto = (valueJpy: string, o: W = {}): W => ({ asset: "BTC", amount: "0.5", channel: "crypto", valueJpy, toAddress: BTC, ...o });
const full = { originatorName: "Synthetic Originator", beneficiaryName: "Synthetic Beneficiary" };

describe("cross-border-outflow", () => {
  test("destination kinds, first rule that applies: call for action, increased monitoring, abroad, self-hosted", () => {
    const p = { home: "JP", callForAction: new Set(["KP"]), increasedMonitoring: new Set(["PH"]) };
    assert.equal(destinationOf({ channel: "crypto", toAddress: "x", counterpartyCountry: "KP" } as never, p), "callForAction");
    assert.equal(destinationOf({ channel: "bank", counterpartyCountry: "PH", counterpartyVasp: "v" } as never, p), "increasedMonitoring");
    assert.equal(destinationOf({ channel: "crypto", toAddress: "x", counterpartyCountry: "US" } as never, p), "foreign");
    assert.equal(destinationOf({ channel: "crypto", toAddress: "x" } as never, p), "unhosted");
    assert.equal(destinationOf({ channel: "crypto", toAddress: "x", counterpartyVasp: "v", counterpartyCountry: "JP" } as never, p), undefined);
    assert.equal(destinationOf({ channel: "crypto", toAddress: "x", counterpartyVasp: "v" } as never, p), undefined);
    assert.equal(destinationOf({ channel: "bank" } as never, p), undefined);
  });

  test("the Foreign Exchange Act line is exclusive: ¥30,000,000 abroad is not over it, ¥30,000,001 is", () => {
    const b = builder();
    const events = toEvents([b.opened("c", "corporate"), b.wd("c", 1, { amount: "30000000", country: "SG" }), b.wd("c", 2, { amount: "30000001", country: "SG" })]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => a.details?.reasons), [["foreign"], ["foreign", "fx-report"]]);
    // domestic counterparties are never over it
    assert.deepEqual(detect(toEvents([b.wd("d", 3, { amount: "90000000", country: "JP" })]), only), []);
  });

  test("travel rule: a VASP transfer needs both names (blank is missing); self-hosted and bank withdrawals do not", () => {
    const b = builder();
    const events = toEvents([
      b.wd("a", 1, crypto("10000", { vasp: "Tokyo VASP", country: "JP", travelRule: full })),
      b.wd("a", 2, crypto("10000", { vasp: "Tokyo VASP", country: "JP", travelRule: { originatorName: "Synthetic Originator", beneficiaryName: "  " } })),
      b.wd("a", 3, crypto("10000", { vasp: "Tokyo VASP" })),
      b.wd("a", 4, crypto("10000")),
      b.wd("a", 5, { vasp: "Tokyo VASP", country: "JP" }),
    ]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => [a.evidence[0], a.details?.travelRuleMissing]), [
      ["exa:wd-0002", ["beneficiaryName"]],
      ["exa:wd-0003", ["originatorName", "beneficiaryName"]],
    ]);
    for (const a of alerts) assert.ok(!a.explanation.includes("Synthetic"), "names are checked for presence, never quoted");
    assert.equal(detect(events, { ...only, configs: { "cross-border-outflow": { travelRule: { minJpy: 10_001 } } } }).length, 0);
    assert.equal(detect(events, { ...only, configs: { "cross-border-outflow": { travelRule: { enabled: false } } } }).length, 0);
  });

  test("corporates get 10× the amount lines, but not for call-for-action jurisdictions", () => {
    const b = builder();
    const events = toEvents([
      b.opened("c", "corporate"), b.opened("i"),
      b.wd("i", 1, crypto("5000000")), b.wd("c", 1, crypto("49999999")), b.wd("c", 2, crypto("50000000")),
      b.wd("c", 3, crypto("1000", { country: "IR", vasp: "Tehran VASP", travelRule: full })),
    ]);
    assert.deepEqual(detect(events, only).map((a) => [a.accounts[0], a.details?.reasons, a.details?.singleLineJpy]), [
      ["i", ["unhosted"], "5000000"],
      ["c", ["unhosted"], "50000000"],
      ["c", ["callForAction"], "0"],
    ]);
  });

  test("sums alert once per burst; a withdrawal over the single line still alerts in the quiet period", () => {
    const b = builder();
    const events = toEvents([
      b.wd("a", 1, { amount: "900000", country: "VN" }), b.wd("a", 2, { amount: "900000", country: "VN" }), b.wd("a", 3, { amount: "1200000", country: "VN" }),
      b.wd("a", 4, { amount: "900000", country: "VN" }), b.wd("a", 5, { amount: "900000", country: "VN" }), b.wd("a", 6, { amount: "900000", country: "VN" }),
      b.wd("a", 3 + 30 * 24 + 1, { amount: "900000", country: "VN" }), b.wd("a", 3 + 30 * 24 + 2, { amount: "900000", country: "VN" }),
      b.wd("a", 3 + 30 * 24 + 3, { amount: "900000", country: "VN" }), b.wd("a", 3 + 30 * 24 + 4, { amount: "900000", country: "VN" }),
    ]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => [a.details?.reasons, a.evidence.length]), [
      [["increasedMonitoring", "sum"], 3], // ¥3,000,000 reached at the third, which is also over ¥1,000,000 alone
      [["increasedMonitoring", "sum"], 4], // after the quiet 30 days, four new ones make ¥3,600,000
    ]);
    assert.match(alerts[0]!.explanation, /and 3 such withdrawals total ¥3,000,000 within 30 days \(line ¥3,000,000\)/);
  });

  test("an unvalued crypto withdrawal: still alerted to a call-for-action jurisdiction, skipped for the amount lines", () => {
    const b = builder();
    const events = toEvents([
      b.wd("a", 1, { asset: "BTC", amount: "1", channel: "crypto", toAddress: BTC, country: "KP", vasp: "x", travelRule: full }),
      b.wd("a", 2, { asset: "BTC", amount: "1", channel: "crypto", toAddress: BTC }),
    ]);
    const { alerts, outcomes } = replayWithOutcomes(events, only);
    assert.deepEqual(alerts.map((a) => a.details?.reasons), [["callForAction"]]);
    assert.equal(outcomes[1]!.kind, "skip");
    assert.match(outcomes[1]!.reason!, /valueJpy/);
  });

  test("the jurisdiction lists are configuration: adding one changes what alerts and the configVersion", () => {
    const b = builder();
    const events = toEvents([b.wd("a", 1, { amount: "100", country: "RU", vasp: "x" })]);
    assert.deepEqual(detect(events, only), []);
    const more = detect(events, { ...only, configs: { "cross-border-outflow": { highRisk: { callForAction: ["KP", "IR", "MM", "RU"] } } } });
    assert.equal(more.length, 1);
    assert.notEqual(more[0]!.configVersion, createEngine(only).typologies[0]!.configVersion);
  });

  test("per entity: withdrawals of one person's accounts add up", () => {
    const b = builder();
    const events = toEvents([b.wd("a1", 1, crypto("4000000")), b.wd("a2", 2, crypto("3000000")), b.wd("a1", 3, crypto("3000000"))]);
    assert.deepEqual(detect(events, only), []);
    const [a] = detect(events, { ...only, entityOf: () => "ent-1" });
    assert.deepEqual(a!.subject, { kind: "entity", id: "ent-1" });
    assert.deepEqual(a!.accounts, ["a1", "a2"]);
    assert.equal(a!.evidence.length, 3);
  });

  test("bad data is an error outcome; state is pruned with event time", () => {
    const b = builder();
    const good = toEvents([b.wd("a", 0, crypto("100"))])[0]!;
    const { outcomes } = replayWithOutcomes([{ ...good, id: "bad", valueJpy: -5n } as unknown as Event], only);
    assert.equal(outcomes[0]!.kind, "error");
    const engine = createEngine(only);
    engine.push(good);
    assert.equal(engine.stats().byTypology["cross-border-outflow"]!.keys, 1);
    engine.push(toEvents([b.wd("z", 24 * 31, {})])[0]!);
    assert.equal(engine.stats().byTypology["cross-border-outflow"]!.keys, 0);
  });

  test("snapshot mid-stream and restore give the same alerts as one run", () => {
    const b = builder();
    const events = toEvents([
      b.wd("a", 1, crypto("4000000")), b.wd("a", 2, crypto("3000000")), b.wd("b", 3, { amount: "500", country: "MM" }), b.wd("a", 4, crypto("3000000")),
    ]);
    const full = detect(events, only);
    assert.equal(full.length, 2);
    assertRestoresAtEveryPoint(events, only, full);
  });

  test("defaults are the documented ones (FATF lists of 25 October 2024)", () => {
    assert.deepEqual(crossBorderDefaults.highRisk.callForAction, ["KP", "IR", "MM"]);
    assert.equal(crossBorderDefaults.highRisk.increasedMonitoring.length, 24);
    assert.ok(!crossBorderDefaults.highRisk.increasedMonitoring.includes("SN"), "Senegal left the list in October 2024");
    assert.deepEqual(crossBorderDefaults.lines, {
      callForAction: { singleJpy: 0, sumJpy: 0 },
      increasedMonitoring: { singleJpy: 1_000_000, sumJpy: 3_000_000 },
      foreign: { singleJpy: 3_000_000, sumJpy: 10_000_000 },
      unhosted: { singleJpy: 5_000_000, sumJpy: 10_000_000 },
    });
    assert.equal(crossBorderDefaults.foreignExchangeReportJpy, 30_000_000);
    assert.equal(crossBorderDefaults.corporateLineMultiple, 10);
    assert.equal(crossBorderDefaults.windowDays, 30);
    assert.deepEqual(crossBorderDefaults.travelRule, { enabled: true, minJpy: 0 });
  });
});
