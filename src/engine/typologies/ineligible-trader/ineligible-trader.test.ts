import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Event, EventInput } from "../../../contracts/index.ts";
import { createEngine, detect } from "../../index.ts";
import { assertRestoresAtEveryPoint, at, replayWithOutcomes, toEvents } from "../../testkit.ts";
import { ineligibleTraderDefaults } from "./config.ts";
import { languageExplained, languageParts } from "./index.ts";

const only = { typologies: ["ineligible-trader"] };

function builder() {
  let n = 0;
  const id = (p: string) => `${p}-${String(++n).padStart(4, "0")}`;
  return {
    opened: (accountId: string, nationality?: string, residency?: "citizen" | "resident_foreigner" | "non_resident", customerType: "individual" | "corporate" = "individual"): EventInput => ({
      type: "account.opened", id: id("open"), ts: at(-9000), source: "exa", accountId, customerType,
      kyc: { name: "Synthetic", ...(nationality ? { nationality } : {}), ...(residency ? { residency } : {}) },
    }),
    updated: (accountId: string, hours: number, kyc: Record<string, string>): EventInput => ({ type: "account.updated", id: id("upd"), ts: at(hours), source: "exa", accountId, kyc }),
    order: (accountId: string, hours: number): EventInput => ({
      type: "order.placed", id: id("od"), ts: at(hours), source: "exa", accountId, orderId: `o${n}`, market: "BTC/JPY", side: "buy", kind: "market", quantity: "0.01",
    }),
    trade: (buy: string, sell: string, hours: number): EventInput => ({
      type: "trade", id: id("tr"), ts: at(hours), source: "exa", tradeId: `t${n}`, market: "BTC/JPY", price: "10000000", quantity: "0.01", buyAccountId: buy, sellAccountId: sell,
    }),
    login: (accountId: string, hours: number, country = "JP", language = "ja-JP"): EventInput => ({
      type: "login", id: id("lg"), ts: at(hours), source: "exa", accountId, ip: "198.51.100.4", country, language,
    }),
  };
}
const p = { always: new Set(ineligibleTraderDefaults.alwaysPlausibleLanguages), byNationality: new Map(Object.entries(ineligibleTraderDefaults.languagesByNationality).map(([k, v]) => [k, new Set(v)])) };

describe("ineligible-trader", () => {
  test("browser languages: parts of a tag, and which a nationality explains", () => {
    assert.deepEqual(languageParts("zh-Hant-TW"), { language: "zh", region: "TW" });
    assert.deepEqual(languageParts("en_us"), { language: "en", region: "US" });
    assert.deepEqual(languageParts("ja"), { language: "ja", region: undefined });
    assert.equal(languageExplained("ja-JP", "US", p), true, "Japanese is explained for anyone");
    assert.equal(languageExplained("en-US", "JP", p), false, "a Japanese national with an English browser is not explained");
    assert.equal(languageExplained("en-PH", "PH", p), true);
    assert.equal(languageExplained("en-GB", "PH", p), true, "English is listed for the Philippines");
    assert.equal(languageExplained("zh-Hant-TW", "TW", p), true);
    assert.equal(languageExplained("ru-RU", "CN", p), false);
    assert.equal(languageExplained("fr-FR", "BE", p), true, "an unlisted nationality cannot be judged");
    assert.equal(languageExplained("nl-BE", "BE", p), true);
  });

  test("an eligibility alert once per 30 days per account (inclusive), then again while it keeps trading", () => {
    const b = builder();
    const events = toEvents([b.opened("nr", "SG", "non_resident"), b.order("nr", 1), b.order("nr", 2), b.order("nr", 1 + 30 * 24), b.order("nr", 1 + 30 * 24 + 1)]);
    assert.deepEqual(detect(events, only).map((a) => a.evidence[1]), ["exa:od-0002", "exa:od-0005"]);
  });

  test("nationality and residency: JP with resident_foreigner, or a foreign nationality with citizen; corporates and missing fields are not judged", () => {
    const b = builder();
    const events = toEvents([
      b.opened("a", "JP", "resident_foreigner"), b.opened("b", "KR", "citizen"), b.opened("c", "KR", "resident_foreigner"),
      b.opened("d", undefined, "citizen"), b.opened("e", "US", "citizen", "corporate"),
      b.order("a", 1), b.order("b", 1), b.order("c", 1), b.order("d", 1), b.order("e", 1),
    ]);
    assert.deepEqual(detect(events, only).map((a) => [a.accounts[0], a.details?.rule]), [["a", "nationality-residency"], ["b", "nationality-residency"]]);
  });

  test("a self-trade names its account once; both sides of a trade are judged", () => {
    const b = builder();
    const events = toEvents([b.opened("x", "US", "non_resident"), b.opened("y", "CN", "non_resident"), b.trade("x", "x", 1), b.trade("y", "x", 2)]);
    assert.deepEqual(detect(events, only).map((a) => a.accounts[0]), ["x", "y"]);
  });

  test("foreign access: counted for residents only; the line, and the quiet month after an alert", () => {
    const b = builder();
    const wire = [b.opened("r", "JP", "citizen"), b.opened("nr", "JP", "non_resident")];
    for (let i = 0; i < 5; i++) wire.push(b.login("nr", i, "US", "en-US"));
    for (let i = 0; i < 4; i++) wire.push(b.login("r", i, "US"));
    const four = toEvents(wire);
    assert.deepEqual(detect(four, only), []);
    assert.equal(detect(four, { ...only, configs: { "ineligible-trader": { minForeignLogins: 4 } } }).length, 1);
    const more = toEvents([...wire, b.login("r", 10, "US"), b.login("r", 11, "US"), b.login("r", 4 + 10 + 30 * 24, "US")]);
    const alerts = detect(more, only);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.details?.foreignIpLogins, 5);
  });

  test("English can be made plausible for everyone by configuration", () => {
    const b = builder();
    const events = toEvents([b.opened("r", "JP", "citizen"), ...[0, 1, 2, 3, 4].map((h) => b.login("r", h, "JP", "en-US"))]);
    assert.equal(detect(events, only).length, 1);
    assert.deepEqual(detect(events, { ...only, configs: { "ineligible-trader": { alwaysPlausibleLanguages: ["ja", "en"] } } }), []);
  });

  test("with an entity resolver, the alert names the entity", () => {
    const b = builder();
    const [a] = detect(toEvents([b.opened("nr", "US", "non_resident"), b.order("nr", 1)]), { ...only, entityOf: () => "ent-7" });
    assert.deepEqual(a!.subject, { kind: "entity", id: "ent-7" });
  });

  test("bad data is an error outcome; state is pruned with event time", () => {
    const b = builder();
    const good = toEvents([b.order("a", 0)])[0]!;
    const { outcomes } = replayWithOutcomes([{ ...good, id: "bad", accountId: undefined } as unknown as Event], only);
    assert.equal(outcomes[0]!.kind, "error");
    const engine = createEngine(only);
    for (const e of toEvents([b.opened("r", "JP", "citizen"), b.login("r", 1, "US")])) engine.push(e);
    const keys = () => engine.stats().byTypology["ineligible-trader"]!.keys;
    assert.equal(keys(), 2); // the profile and its access window
    engine.push(toEvents([b.login("q", 24 * 31)])[0]!);
    assert.equal(keys(), 1);
  });

  test("snapshot mid-stream and restore give the same alerts as one run", () => {
    const b = builder();
    const events = toEvents([
      b.opened("r", "JP", "citizen"), b.opened("nr", "US", "non_resident"),
      b.login("r", 1, "US"), b.login("r", 2, "US"), b.order("nr", 3), b.login("r", 4, "US"), b.login("r", 5, "JP", "en-US"), b.login("r", 6, "KR"),
    ]);
    const full = detect(events, only);
    assert.equal(full.length, 2);
    assertRestoresAtEveryPoint(events, only, full);
  });

  test("KYC updates move an account in and out of the ineligible index; closing drops it; snapshots keep it", () => {
    const b = builder();
    const closed = (accountId: string, hours: number): EventInput => ({ type: "account.closed", id: `close-${accountId}`, ts: at(hours), source: "exa", accountId });
    const events = toEvents([
      b.opened("x", "SG", "non_resident"), b.opened("y", "JP", "citizen"), b.opened("z", "KR", "non_resident"), b.opened("w", "JP", "citizen"),
      b.updated("x", 1, { residency: "resident_foreigner" }), // SG resident_foreigner: eligible now
      b.updated("y", 1, { nationality: "US" }), // US citizen: does not fit
      b.updated("w", 1, { residency: "non_resident" }), // moved abroad
      closed("z", 1),
      b.order("x", 2), b.order("y", 2), b.order("z", 2), b.trade("w", "x", 3),
      b.updated("y", 4, { nationality: "JP" }), // fits again
      b.order("y", 24 * 40),
    ]);
    const full = detect(events, only);
    assert.deepEqual(full.map((a) => [a.accounts[0], a.details?.rule]), [["y", "nationality-residency"], ["w", "non-resident"]]);
    assertRestoresAtEveryPoint(events, only, full);
  });

  test("defaults are the documented ones", () => {
    assert.equal(ineligibleTraderDefaults.homeCountry, "JP");
    assert.equal(ineligibleTraderDefaults.minForeignLogins, 5);
    assert.equal(ineligibleTraderDefaults.windowDays, 30);
    assert.deepEqual(ineligibleTraderDefaults.alwaysPlausibleLanguages, ["ja"]);
    assert.deepEqual(ineligibleTraderDefaults.languagesByNationality.JP, []);
  });
});
