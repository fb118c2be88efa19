import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KanshiError, type Event, type EventInput } from "../../../contracts/index.ts";
import { createEngine, detect, type EngineOptions } from "../../index.ts";
import { assertRestoresAtEveryPoint, at, replayWithOutcomes, toEvents } from "../../testkit.ts";
import { yen } from "../../format.ts";
import { profileMismatchDefaults } from "./config.ts";
import { bandOf } from "./index.ts";

const only = { typologies: ["profile-mismatch"] };
const NAME = "Canary Sato";

function builder(source = "exa") {
  let n = 0;
  const id = (p: string) => `${p}-${String(++n).padStart(4, "0")}`;
  return {
    opened: (accountId: string, hours: number, income?: string, customerType: "individual" | "corporate" = "individual"): EventInput => ({
      type: "account.opened", id: id("open"), ts: at(hours), source, accountId, customerType,
      kyc: { name: NAME, ...(income !== undefined ? { declaredIncomeJpy: income } : {}) },
    }),
    updated: (accountId: string, hours: number, income: string): EventInput => ({
      type: "account.updated", id: id("upd"), ts: at(hours), source, accountId, kyc: { declaredIncomeJpy: income },
    }),
    deposit: (accountId: string, hours: number, amount: string): EventInput => ({
      type: "deposit", id: id("dep"), ts: at(hours), source, accountId, asset: "JPY", amount, channel: "bank",
    }),
    withdrawal: (accountId: string, hours: number, amount: string): EventInput => ({
      type: "withdrawal", id: id("wd"), ts: at(hours), source, accountId, asset: "JPY", amount, channel: "bank",
    }),
    transfer: (from: string, to: string, hours: number, amount: string): EventInput => ({
      type: "transfer", id: id("tf"), ts: at(hours), source, fromAccountId: from, toAccountId: to, asset: "JPY", amount,
    }),
    report: (hours: number, o: { income?: string; delinquencies?: number; bankruptcy?: boolean } = {}): EventInput => ({
      type: "credit.report", id: id("cr"), ts: at(hours), source: "jicc", bureau: "jicc", subject: { name: NAME, dateOfBirth: "1980-01-01" },
      creditScore: 612, ...(o.income !== undefined ? { annualIncomeJpy: o.income } : {}),
      ...(o.delinquencies !== undefined ? { delinquencies: o.delinquencies } : {}), ...(o.bankruptcy !== undefined ? { bankruptcy: o.bankruptcy } : {}),
    }),
  };
}

/** A resolver that knows every report is about the person holding `account`. */
const resolvedTo = (account: string): Pick<EngineOptions, "subjectOfIdentity"> => ({ subjectOfIdentity: () => account });

describe("profile-mismatch", () => {
  test("income bands: the band is the number of edges at or below the income", () => {
    const edges = [2_000_000, 4_000_000].map(yen);
    assert.equal(bandOf(yen(0), edges), 0);
    assert.equal(bandOf(yen(1_999_999), edges), 0);
    assert.equal(bandOf(yen(2_000_000), edges), 1);
    assert.equal(bandOf(yen(9_000_000), edges), 2);
  });

  test("bureau income: inflows ≥ 3× the top of the reported band, with the report as evidence; needs identity resolution", () => {
    const b = builder();
    // income ¥5,100,000 → band ¥4,000,000–¥6,000,000 → line 3 × ¥6,000,000 = ¥18,000,000
    const events = toEvents([b.opened("a", -9000), b.report(1, { income: "5100000" }), b.deposit("a", 2, "17999999"), b.deposit("a", 3, "1")]);
    const { alerts, outcomes } = replayWithOutcomes(events, only);
    assert.deepEqual(alerts, []);
    assert.equal(outcomes.find((o) => o.event === "jicc:cr-0002")?.kind, "skip");
    const resolved = detect(events, { ...only, ...resolvedTo("a") });
    assert.equal(resolved.length, 1);
    assert.deepEqual(resolved[0]!.evidence, ["jicc:cr-0002", "exa:dep-0003", "exa:dep-0004"]);
    assert.match(resolved[0]!.explanation, /3\.0× the top of the bureau-reported income band \(¥4,000,000–¥6,000,000\)/);
    assert.deepEqual(resolved[0]!.details?.crossed, ["bureau"]);
    // derived features only: neither the exact income nor the score nor the name reach the alert
    const text = JSON.stringify(resolved[0]);
    for (const secret of ["5100000", "5,100,000", "612", NAME]) assert.ok(!text.includes(secret), `alert carries ${secret}`);
  });

  test("the open top band never crosses, and a stale report (over 400 days) is not used", () => {
    const b = builder();
    const top = toEvents([b.opened("a", -9000), b.report(1, { income: "25000000" }), b.deposit("a", 2, "900000000")]);
    assert.deepEqual(detect(top, { ...only, ...resolvedTo("a") }), []);
    const c = builder();
    const stale = toEvents([c.opened("a", -9000), c.report(1, { income: "1000000" }), c.deposit("a", 1 + 401 * 24, "9000000")]);
    assert.deepEqual(detect(stale, { ...only, ...resolvedTo("a") }), []);
  });

  test("adverse credit: flows in and out of ¥5,000,000 within 30 days by a subject with a delinquency or bankruptcy on file", () => {
    const b = builder();
    const wire = [b.opened("a", 0, "90000000"), b.deposit("a", 2, "3000000"), b.withdrawal("a", 30, "1999999"), b.withdrawal("a", 40, "1")];
    const clean = toEvents([...wire.slice(0, 1), b.report(1, { income: "9000000", delinquencies: 0, bankruptcy: false }), ...wire.slice(1)]);
    assert.deepEqual(detect(clean, { ...only, ...resolvedTo("a") }), []);
    for (const flag of [{ delinquencies: 2 }, { bankruptcy: true }]) {
      const c = builder();
      const events = toEvents([c.opened("a", 0, "90000000"), c.report(1, { income: "9000000", ...flag }), c.deposit("a", 2, "3000000"), c.withdrawal("a", 30, "1999999"), c.withdrawal("a", 40, "1")]);
      const alerts = detect(events, { ...only, ...resolvedTo("a") });
      assert.equal(alerts.length, 1, JSON.stringify(flag));
      assert.equal(alerts[0]!.details?.rule, "adverse-flows");
      assert.deepEqual(alerts[0]!.evidence, ["jicc:cr-0002", "exa:dep-0003", "exa:wd-0004", "exa:wd-0005"]);
      assert.match(alerts[0]!.explanation, /^Flows of ¥5,000,000 \(¥3,000,000 in, ¥2,000,000 out\).*delinquency or bankruptcy on file/);
      assert.ok(!alerts[0]!.explanation.includes("2 delinquencies"));
    }
  });

  test("the engine state keeps derived bureau features only: no name, no score, no exact income", () => {
    const b = builder();
    const engine = createEngine({ ...only, ...resolvedTo("s") });
    for (const e of toEvents([b.opened("a", 0, "4000000"), b.report(1, { income: "5123456", delinquencies: 3 })])) engine.push(e);
    const state = JSON.stringify(engine.snapshot().typologies[0]!.state);
    for (const secret of [NAME, "5123456000000000000000000", "creditScore", "1980-01-01", "delinquencies"]) assert.ok(!state.includes(secret), `state carries ${secret}`);
    // what is kept of the report: its band, one flag, its time and key
    assert.match(state, /"bureau":\{"\$map":\[\["s",\{"band":2,"adverse":true,"t":\d+,"k":"jicc:cr-0002"\}\]\]\}/);
  });

  test("an account.updated income changes the line", () => {
    const b = builder();
    const events = toEvents([b.opened("a", 0, "1000000"), b.updated("a", 1, "2000000"), b.deposit("a", 2, "3000000")]);
    assert.deepEqual(detect(events, only), []);
    const c = builder();
    const lowered = toEvents([c.opened("a", 0, "2000000"), c.updated("a", 1, "1000000"), c.deposit("a", 2, "3000000")]);
    assert.equal(detect(lowered, only).length, 1);
  });

  test("once per burst: the 30 days after an alert are quiet, then inflows alert again", () => {
    const b = builder();
    const events = toEvents([
      b.opened("a", 0, "1000000"),
      b.deposit("a", 1, "3000000"), b.deposit("a", 2, "3000000"), b.deposit("a", 1 + 30 * 24, "100"),
      b.deposit("a", 1 + 30 * 24 + 1, "3000000"),
    ]);
    // the deposit exactly 30 days after the alert still belongs to its burst
    assert.deepEqual(detect(events, only).map((a) => a.evidence), [["exa:dep-0002"], ["exa:dep-0005"]]);
  });

  test("per entity: accounts of one person add up, and moves between them are not inflows", () => {
    const b = builder();
    // per account: a1 takes ¥1,600,000, a2 ¥1,400,000 + a transfer of ¥1,400,000: neither reaches 3 × ¥1,000,000
    const events = toEvents([
      b.opened("a1", -9000, "1000000"), b.opened("a2", -9000, "1000000"),
      b.deposit("a1", 1, "1500000"), b.transfer("a1", "a2", 2, "1400000"), b.deposit("a2", 3, "1400000"), b.deposit("a1", 4, "100000"),
    ]);
    assert.deepEqual(detect(events, only), []);
    // per entity: ¥3,000,000 came from outside; the transfer between its own accounts is not an inflow
    assert.deepEqual(detect(events, { ...only, entityOf: () => "ent-1" }).map((a) => [a.subject, a.accounts, a.evidence]), [
      [{ kind: "entity", id: "ent-1" }, ["a1", "a2"], ["exa:dep-0003", "exa:dep-0005", "exa:dep-0006"]],
    ]);
  });

  test("state is bounded: windows, new-account watches and bureau features expire with event time", () => {
    const b = builder();
    const engine = createEngine({ ...only, ...resolvedTo("s") });
    for (const e of toEvents([b.opened("a", 0, "9000000"), b.report(1, { income: "1" }), b.deposit("a", 2, "100")])) engine.push(e);
    const keys = () => engine.stats().byTypology["profile-mismatch"]!.keys;
    assert.equal(keys(), 4); // income, window, bureau, fresh watch
    engine.push(toEvents([b.opened("z", 24 * 31)])[0]!);
    assert.equal(keys(), 4); // incomes a and z, the bureau features, z's watch (a's window and watch are gone)
    engine.push(toEvents([b.opened("y", 24 * 402)])[0]!);
    assert.equal(keys(), 4); // incomes a, z and y, y's watch (the bureau features are over 400 days old)
  });

  test("watches expire on time after a restore from a snapshot without the due heap; a reopened account keeps its new watch", () => {
    const b = builder();
    const first = createEngine(only);
    for (const e of toEvents([b.opened("a", 0), b.opened("z", 1)])) first.push(e);
    const snap = JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<typeof first.snapshot>;
    const state = snap.typologies[0]!.state as Record<string, unknown>;
    assert.ok("freshDueT" in state && "freshDueK" in state);
    delete state.freshDueT; // as taken before the heap existed
    delete state.freshDueK;
    const engine = createEngine(only);
    engine.restore(snap);
    const keys = () => engine.stats().byTypology["profile-mismatch"]!.keys;
    assert.equal(keys(), 4); // incomes a and z, their watches
    // z is closed and opened again 20 days on: its new watch runs 30 days from then.
    const closed: EventInput = { type: "account.closed", id: "close-z", ts: at(24 * 20), source: "exa", accountId: "z" };
    for (const e of toEvents([closed, b.opened("z", 24 * 20 + 1)])) engine.push(e);
    assert.equal(keys(), 4); // incomes a and z (z's went with the close and came back), a's watch and z's new one
    engine.push(toEvents([b.opened("q", 24 * 31)])[0]!);
    assert.equal(keys(), 5); // incomes a, z, q; z's new watch and q's (a's is over, z's first one too)
    engine.push(toEvents([b.opened("r", 24 * 51 + 2)])[0]!);
    assert.equal(keys(), 6); // incomes a, z, q, r; q's and r's watches (z's second watch is over)
  });

  test("bad config and bad data are reported with where", () => {
    assert.throws(
      () => createEngine({ ...only, configs: { "profile-mismatch": { incomeBandEdgesJpy: [4_000_000, 2_000_000] } } }),
      (e: unknown) => e instanceof KanshiError && e.path === "profile-mismatch.incomeBandEdgesJpy",
    );
    const b = builder();
    const good = toEvents([b.deposit("a", 0, "100")])[0]!;
    const { outcomes } = replayWithOutcomes([{ ...good, id: "bad", amount: 100 } as unknown as Event, { ...good, id: "bad2", accountId: undefined } as unknown as Event], only);
    assert.deepEqual(outcomes.map((o) => o.kind), ["error", "error"]);
  });

  test("snapshot mid-stream and restore give the same alerts as one run", () => {
    const b = builder();
    const events = toEvents([
      b.opened("a", 0, "1000000"), b.opened("n", 10), b.report(11, { delinquencies: 1 }),
      b.deposit("a", 12, "2000000"), b.deposit("n", 13, "6000000"), b.deposit("a", 14, "1000000"), b.withdrawal("n", 15, "5900000"),
    ]);
    const opts = { ...only, ...resolvedTo("a") };
    const full = detect(events, opts);
    assert.deepEqual(full.map((a) => a.details?.rule), ["first-deposit", "income-multiple", "emptied-same-day"]);
    assertRestoresAtEveryPoint(events, opts, full);
  });

  test("defaults are the documented ones", () => {
    assert.deepEqual(profileMismatchDefaults, {
      windowDays: 30, incomeMultiple: 3, minInflowJpy: 3_000_000,
      incomeBandEdgesJpy: [2_000_000, 4_000_000, 6_000_000, 8_000_000, 10_000_000, 15_000_000, 20_000_000],
      adverseFlowJpy: 5_000_000, bureauMaxAgeDays: 400, newAccountDays: 30, firstDepositJpy: 5_000_000, firstDepositIncomeMultiple: 1,
      wholeBalanceShare: 0.9, wholeBalanceHours: 24, wholeBalanceMinJpy: 500_000,
    });
  });
});
