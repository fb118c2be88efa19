import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KanshiError, type EventInput } from "../../../contracts/index.ts";
import { createEngine, detect } from "../../index.ts";
import { assertRestoresAtEveryPoint, at, toEvents } from "../../testkit.ts";
import { sharedIdentifiersDefaults } from "./config.ts";

const only = { typologies: ["shared-identifiers"] };

interface Person {
  name: string;
  dateOfBirth?: string;
  phone?: string;
  email?: string;
}

/** Synthetic people only: reserved phone blocks, example.com, documentation IP ranges. */
function builder() {
  let n = 0;
  const id = (p: string) => `${p}-${String(++n).padStart(4, "0")}`;
  return {
    opened: (source: string, accountId: string, who: Person, hours = 0, customerType: "individual" | "corporate" = "individual"): EventInput => ({
      type: "account.opened", id: id("open"), ts: at(hours), source, accountId, customerType, kyc: { ...who },
    }),
    updated: (source: string, accountId: string, kyc: Partial<Person>, hours: number): EventInput => ({
      type: "account.updated", id: id("upd"), ts: at(hours), source, accountId, kyc,
    }),
    login: (source: string, accountId: string, hours: number, ip: string, deviceId?: string): EventInput => ({
      type: "login", id: id("login"), ts: at(hours), source, accountId, ip, ...(deviceId !== undefined ? { deviceId } : {}),
    }),
    bank: (source: string, accountId: string, hours: number, bankAccountHash: string, kind: "deposit" | "withdrawal" = "deposit"): EventInput => ({
      type: kind, id: id(kind === "deposit" ? "dep" : "wd"), ts: at(hours), source, accountId, asset: "JPY", amount: "100000", channel: "bank", bankAccountHash,
    }),
    withdrawTo: (source: string, accountId: string, hours: number, toAddress: string): EventInput => ({
      type: "withdrawal", id: id("wd"), ts: at(hours), source, accountId, asset: "ETH", amount: "0.5", channel: "crypto", valueJpy: "250000", network: "ethereum", toAddress,
    }),
    trade: (source: string, buyAccountId: string, sellAccountId: string, hours: number): EventInput => ({
      type: "trade", id: id("tr"), ts: at(hours), source, tradeId: id("t"), market: "BRIL/JPY", price: "4000", quantity: "20", buyAccountId, sellAccountId,
    }),
  };
}

const people: Person[] = [
  { name: "試験 一郎", dateOfBirth: "1980-01-01", phone: "090-0000-0001", email: "one@example.com" },
  { name: "試験 二郎", dateOfBirth: "1981-02-02", phone: "090-0000-0002", email: "two@example.com" },
  { name: "試験 三郎", dateOfBirth: "1982-03-03", phone: "090-0000-0003", email: "three@example.com" },
  { name: "試験 四郎", dateOfBirth: "1983-04-04", phone: "090-0000-0004", email: "four@example.com" },
  { name: "試験 五郎", dateOfBirth: "1984-05-05", phone: "090-0000-0005", email: "five@example.com" },
];

describe("shared-identifiers", () => {
  test("one device used by three different people: one alert naming the three accounts", () => {
    const b = builder();
    const events = toEvents([
      b.opened("exa", "m1", people[0]!), b.opened("exb", "m2", people[1]!), b.opened("exc", "m3", people[2]!),
      b.login("exa", "m1", 1, "192.0.2.10", "dv-shared"),
      b.login("exb", "m2", 2, "198.51.100.20", "dv-shared"),
      b.login("exc", "m3", 3, "203.0.113.30", "dv-shared"),
      b.login("exc", "m3", 4, "203.0.113.30", "dv-shared"), // a repeat adds nothing
    ]);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.deepEqual(a!.accounts, ["m1", "m2", "m3"]);
    assert.deepEqual(a!.evidence, ["exa:login-0004", "exb:login-0005", "exc:login-0006"]);
    assert.deepEqual(a!.subject, { kind: "account", id: "m3" });
    assert.equal(a!.details?.kind, "shared-identifier");
    assert.equal(a!.details?.identifier, "device");
    assert.equal(a!.details?.people, 3);
    assert.match(a!.explanation, /One device is used by 3 accounts of 3 different people \(line 3\)/);
    // no identifier value, hashed or not, is quoted
    assert.doesNotMatch(JSON.stringify(a), /dv-shared|192\.0\.2|198\.51/);
  });

  test("two people sharing a device is under the line; the state holds digests, never the values", () => {
    const b = builder();
    const events = toEvents([
      b.opened("exa", "p1", people[0]!), b.opened("exa", "p2", people[1]!),
      b.login("exa", "p1", 1, "192.0.2.10", "dv-pair"), b.login("exa", "p2", 2, "192.0.2.11", "dv-pair"),
    ]);
    assert.deepEqual(detect(events, only), []);
    const engine = createEngine(only);
    for (const e of events) engine.push(e);
    const snap = engine.snapshot();
    const state = JSON.stringify(snap);
    assert.doesNotMatch(state, /dv-pair|192\.0\.2|090-0000|example\.com|試験/, "the state holds digests, never the values");
  });

  test("a family at one address sharing the home IP and a landline is not a ring", () => {
    const b = builder();
    const home = "192.0.2.77";
    const family = [
      { name: "家族 太郎", dateOfBirth: "1970-06-01", phone: "03-0000-0001", email: "taro@example.com" },
      { name: "家族 花子", dateOfBirth: "1972-07-02", phone: "03-0000-0001", email: "hanako@example.com" },
      { name: "家族 一郎", dateOfBirth: "2000-08-03", phone: "03-0000-0001", email: "ichiro@example.com" },
      { name: "家族 次郎", dateOfBirth: "2003-09-04", phone: "03-0000-0001", email: "jiro@example.com" },
    ];
    const events = toEvents([
      ...family.map((f, i) => b.opened("exa", `f${i}`, f)),
      ...family.map((_, i) => b.login("exa", `f${i}`, 1 + i, home, `dv-f${i}`)),
      ...family.map((_, i) => b.login("exa", `f${i}`, 10 + i, home, `dv-f${i}`)),
    ]);
    assert.deepEqual(detect(events, only), []);
    // and the weak links make no cluster for the other typologies: two of them trading back and forth
    // are two sides to wash-trade, not one
    const trades = toEvents([b.trade("exa", "f0", "f1", 20), b.trade("exa", "f1", "f0", 20.2)]);
    assert.deepEqual(detect([...events, ...trades], { typologies: ["shared-identifiers", "wash-trade"] }), []);
  });

  test("one customer at three exchanges (same phone, e-mail, bank account, home IP) is one person, not a ring", () => {
    const b = builder();
    const me = people[0]!;
    const events = toEvents([
      b.opened("exa", "s1", me), b.opened("exb", "s2", { ...me, name: "試験　一郎" }), b.opened("exc", "s3", { ...me, dateOfBirth: "1980-01-10" }),
      b.login("exa", "s1", 1, "192.0.2.5", "dv-a"), b.login("exb", "s2", 2, "192.0.2.5", "dv-b"), b.login("exc", "s3", 3, "192.0.2.5", "dv-c"),
      b.bank("exa", "s1", 4, "bank-hash-1"), b.bank("exb", "s2", 5, "bank-hash-1"), b.bank("exc", "s3", 6, "bank-hash-1", "withdrawal"),
    ]);
    assert.deepEqual(detect(events, only), []);
  });

  test("a ring: links of different kinds chain three people together; the ring alert names them once", () => {
    const b = builder();
    const events = toEvents([
      ...people.slice(0, 4).map((p, i) => b.opened("exa", `r${i}`, p)),
      b.login("exa", "r0", 1, "192.0.2.1", "dv-ring"), b.login("exa", "r1", 2, "192.0.2.2", "dv-ring"), // r0–r1 device
      b.bank("exa", "r1", 3, "bank-ring"), b.bank("exa", "r2", 4, "bank-ring"), // r1–r2 bank account: 3 people
      b.withdrawTo("exa", "r2", 5, "0xAbCdEf0000000000000000000000000000000001"),
      b.withdrawTo("exa", "r3", 6, "0xabcdef0000000000000000000000000000000001"), // r2–r3 one address in two spellings: 4 < 2 × 3
    ]);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a!.details?.kind, "ring");
    assert.equal(a!.details?.people, 3);
    assert.deepEqual(a!.accounts, ["r0", "r1", "r2"]);
    assert.deepEqual(a!.details?.identifiers, { device: 1, bankAccount: 1 });
    assert.deepEqual(a!.evidence, ["exa:login-0005", "exa:login-0006", "exa:dep-0007", "exa:dep-0008"]);
    assert.match(a!.explanation, /3 accounts of 3 different people \(ring line 3\) is tied together by one bank account and one device/);
  });

  test("the ring grows: re-alerted when the people it holds have doubled", () => {
    const b = builder();
    const six = [...people, { name: "試験 六郎", dateOfBirth: "1985-06-06" }];
    const events = toEvents([
      ...six.map((p, i) => b.opened("exa", `q${i}`, p)),
      // a chain q0–q1–q2–q3–q4–q5, each pair by its own bank account
      ...[0, 1, 2, 3, 4].flatMap((i) => [b.bank("exa", `q${i}`, 1 + 2 * i, `bank-${i}`), b.bank("exa", `q${i + 1}`, 2 + 2 * i, `bank-${i}`)]),
    ]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => [a.details?.kind, a.details?.people]), [["ring", 3], ["ring", 6]]);
  });

  test("a shared identifier is raised again only when its people have doubled (3, then 6; not 4 or 5)", () => {
    const b = builder();
    const six = [...people, { name: "試験 六郎", dateOfBirth: "1985-06-06" }];
    const events = toEvents([
      ...six.map((p, i) => b.opened("exa", `d${i}`, p)),
      ...six.map((_, i) => b.login("exa", `d${i}`, 1 + i, "192.0.2.10", "dv-grow")),
      b.opened("exa", "d6", { ...people[0]! }, 7), // one more account of a person already counted: still six people
      b.login("exa", "d6", 8, "192.0.2.10", "dv-grow"),
    ]);
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => [a.details?.kind, a.details?.people, a.accounts.length]), [["shared-identifier", 3, 3], ["shared-identifier", 6, 6]]);
  });

  test("many accounts of one individual at one exchange (by KYC, and by entity when resolved)", () => {
    const b = builder();
    const me = people[1]!;
    const events = toEvents([
      b.opened("exa", "h1", me, 0), b.opened("exa", "h2", { ...me, name: "試験　二郎" }, 1), b.opened("exb", "h3", me, 2), b.opened("exa", "h4", me, 3),
      b.opened("exa", "c1", { name: "Synthetic Trading KK" }, 4, "corporate"), b.opened("exa", "c2", { name: "Synthetic Trading KK" }, 5, "corporate"), b.opened("exa", "c3", { name: "Synthetic Trading KK" }, 6, "corporate"),
    ]);
    const alerts = detect(events, only);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.details?.kind, "many-accounts");
    assert.deepEqual(alerts[0]!.accounts, ["h1", "h2", "h4"]);
    assert.match(alerts[0]!.explanation, /holds 3 accounts at exa \(line 3\)/);
    // corporates only when asked
    assert.equal(detect(events, { ...only, configs: { "shared-identifiers": { includeCorporates: true } } }).length, 2);
    // an entity resolver decides who is one person
    const byEntity = detect(toEvents([
      b.opened("exz", "e1", { name: "甲" }), b.opened("exz", "e2", { name: "乙" }), b.opened("exz", "e3", { name: "丙" }),
    ]), { ...only, entityOf: () => "E-1" });
    assert.equal(byEntity.length, 1);
    assert.deepEqual(byEntity[0]!.subject, { kind: "entity", id: "E-1" });
    assert.equal(byEntity[0]!.details?.by, "entity");
  });

  test("an entity resolver's subjects count as one person even when their KYC differs", () => {
    const b = builder();
    const events = toEvents([
      ...people.slice(0, 3).map((p, i) => b.opened("exa", `z${i}`, p)),
      ...[0, 1, 2].map((i) => b.login("exa", `z${i}`, 1 + i, "192.0.2.9", "dv-z")),
    ]);
    assert.equal(detect(events, only).length, 1);
    assert.deepEqual(detect(events, { ...only, entityOf: (a) => (a === "z2" ? "E-2" : "E-1") }), []);
  });

  test("a KYC update that replaces the phone drops its links; the new phone links instead", () => {
    const b = builder();
    const shared = "080-0000-0099";
    const events = toEvents([
      b.opened("exa", "k0", { ...people[0]!, phone: shared }), b.opened("exa", "k1", { ...people[1]!, phone: shared }),
      b.updated("exa", "k1", { phone: "080-0000-0100" }, 1),
      b.opened("exa", "k2", { ...people[2]!, phone: shared }, 2),
    ]);
    assert.deepEqual(detect(events, only), []); // k1 left before k2 came: two people at most
    const kept = toEvents([
      b.opened("exb", "j0", { ...people[0]!, phone: shared }), b.opened("exb", "j1", { ...people[1]!, phone: shared }),
      b.updated("exb", "j1", { email: "new@example.com" }, 1), // the phone is not touched
      b.opened("exb", "j2", { ...people[2]!, phone: shared }, 2),
    ]);
    const alerts = detect(kept, only);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.details?.identifier, "phone");
  });

  test("a KYC update that replaces only the e-mail drops the old e-mail's links and keeps the phone's", () => {
    const b = builder();
    const phone = "080-0000-0077";
    const email = "shared.box@example.com";
    const events = toEvents([
      b.opened("exc", "m0", { ...people[0]!, phone, email }), b.opened("exc", "m1", { ...people[1]!, phone, email }),
      b.updated("exc", "m1", { email: "own.box@example.com" }, 1), // the phone is not touched
      b.opened("exc", "m2", { ...people[2]!, phone, email }, 2),
    ]);
    const alerts = detect(events, only);
    // the phone holds three people (and every person of the cluster: one alert, not a ring too);
    // the old e-mail only two, as m1 left it
    assert.deepEqual(alerts.map((a) => [a.details?.kind, a.details?.identifier, a.accounts]), [["shared-identifier", "phone", ["m0", "m1", "m2"]]]);
    // without the update the e-mail holds the three as well
    const without = detect(events.filter((e) => e.type !== "account.updated"), only);
    assert.deepEqual(without.map((a) => a.details?.identifier).sort(), ["email", "phone"]);
  });

  test("many accounts: raised at 3 accounts and again only at 6, quoting every account and opening", () => {
    const b = builder();
    const me = people[3]!;
    const events = toEvents(Array.from({ length: 7 }, (_, i) => b.opened("exd", `r${i}`, me, i)));
    const alerts = detect(events, only);
    assert.deepEqual(alerts.map((a) => [a.details?.accounts, a.accounts.length, a.evidence.length]), [[3, 3, 3], [6, 6, 6]]);
    assert.deepEqual(alerts[1]!.accounts, ["r0", "r1", "r2", "r3", "r4", "r5"]);
    assert.deepEqual(alerts[1]!.evidence, events.slice(0, 6).map((e) => `${e.source}:${e.id}`));
    // an account opened again (another account.opened of the same account) is not counted twice
    assert.deepEqual(detect(toEvents([b.opened("exd", "q0", me, 0), b.opened("exd", "q1", me, 1), b.opened("exd", "q1", me, 2), b.opened("exd", "q0", me, 3)]), only), []);
  });

  test("a snapshot of the previous version (1.1.0, another state layout) is refused with a clear error", () => {
    const engine = createEngine(only);
    for (const e of toEvents([builder().opened("exa", "v0", people[0]!)])) engine.push(e);
    const snap = engine.snapshot();
    assert.equal(snap.typologies[0]!.version, "1.2.0");
    const old = { ...snap, typologies: [{ ...snap.typologies[0]!, version: "1.1.0" }] };
    assert.throws(() => createEngine(only).restore(old), (err: unknown) => {
      assert.ok(err instanceof KanshiError);
      assert.equal(err.kind, "bad_input");
      assert.equal(err.path, "snapshot.typologies[0].version");
      assert.match(err.message, /snapshot taken with shared-identifiers 1\.1\.0; this engine runs 1\.2\.0/);
      return true;
    });
    // the current version's snapshot restores
    createEngine(only).restore(JSON.parse(JSON.stringify(snap)));
  });

  test("an identifier used by more accounts than crowdAccounts is public and links nobody", () => {
    const b = builder();
    const crowd = Array.from({ length: 14 }, (_, i) => ({ name: `群衆 ${i}`, dateOfBirth: `19${60 + i}-01-01` }));
    const events = toEvents([...crowd.map((p, i) => b.opened("exa", `w${i}`, p)), ...crowd.map((_, i) => b.withdrawTo("exa", `w${i}`, 1 + i, "0x00000000000000000000000000000000000000aa"))]);
    // the 13th account made it public: its links are gone
    const probe = createEngine({ ...only, configs: { "shared-identifiers": { minPeople: 20, ringMinPeople: 20 } }, typologies: ["shared-identifiers", "wash-trade"] });
    for (const e of events) probe.push(e);
    for (const e of toEvents([b.trade("exa", "w1", "w2", 20), b.trade("exa", "w2", "w1", 20.5)])) assert.deepEqual(probe.push(e), []);
  });

  test("the clusters feed ctx.linkedOf: wash-trade sees two linked strangers as one side", () => {
    const b = builder();
    const setup = [
      b.opened("exa", "x1", people[0]!), b.opened("exa", "x2", people[1]!),
      b.login("exa", "x1", 1, "192.0.2.1", "dv-x"), b.login("exa", "x2", 2, "192.0.2.2", "dv-x"),
      b.trade("exa", "x1", "x2", 3), b.trade("exa", "x2", "x1", 3.2),
    ];
    const events = toEvents(setup);
    const both = { typologies: ["shared-identifiers", "wash-trade"] };
    const wash = detect(events, both).filter((a) => a.typology === "wash-trade");
    assert.equal(wash.length, 1);
    assert.equal(wash[0]!.details?.relation, "linked-cluster");
    assert.equal(wash[0]!.details?.cluster, "link:x1");
    // off by config, or overridden by the engine option
    assert.deepEqual(detect(events, { ...both, configs: { "shared-identifiers": { feedLinkedOf: false } } }).filter((a) => a.typology === "wash-trade"), []);
    assert.deepEqual(detect(events, { ...both, linkedOf: () => undefined }).filter((a) => a.typology === "wash-trade"), []);
    // without shared-identifiers running there are no clusters
    assert.deepEqual(detect(events, { typologies: ["wash-trade"] }), []);
  });

  test("behavioural identifiers are forgotten after retentionDays; KYC ones stay", () => {
    const b = builder();
    const events = toEvents([
      b.opened("exa", "t1", people[0]!), b.opened("exa", "t2", people[1]!),
      b.login("exa", "t1", 1, "192.0.2.1", "dv-t"), b.login("exa", "t2", 2, "192.0.2.2", "dv-t"),
    ]);
    const engine = createEngine({ typologies: ["shared-identifiers", "wash-trade"] });
    for (const e of events) engine.push(e);
    const keys = engine.stats().byTypology["shared-identifiers"]!.keys;
    assert.ok(keys >= 5, `${keys} identifiers held`);
    // 91 days later a trade between them is not linked any more
    const later = toEvents([b.trade("exa", "t1", "t2", 24 * 91), b.trade("exa", "t2", "t1", 24 * 91 + 0.2)]);
    for (const e of later) assert.deepEqual(engine.push(e), []);
    assert.equal(engine.stats().byTypology["shared-identifiers"]!.keys, keys - 3, "the device and both IPs are gone; the KYC phones and e-mails stay");
  });

  test("an expired strong link splits its cluster; a renewed usage stays; the rest of the cluster holds", () => {
    const b = builder();
    const day = 24;
    const events = toEvents([
      ...people.slice(0, 3).map((p, i) => b.opened("exa", `c${i}`, p, i / 10)),
      // c0–c1 by a device, c1–c2 by a bank account: one cluster of three
      b.login("exa", "c0", 1, "192.0.2.10", "dv-c"), b.login("exa", "c1", 2, "192.0.2.11", "dv-c"),
      b.bank("exa", "c1", 3, "bank-c"), b.bank("exa", "c2", 4, "bank-c"),
      b.trade("exa", "c0", "c2", 5), b.trade("exa", "c2", "c0", 5.1),
      // c0 renews its device on day 60; c1 never does (its use expires after day 90); the bank is renewed by both on day 95
      b.login("exa", "c0", 60 * day, "192.0.2.10", "dv-c"),
      b.bank("exa", "c1", 95 * day, "bank-c"), b.bank("exa", "c2", 95 * day + 1, "bank-c"),
      // day 100: c0 and c1 no longer share anything live; c1 and c2 still share the bank account
      b.trade("exa", "c0", "c1", 100 * day), b.trade("exa", "c1", "c0", 100 * day + 0.1),
      b.trade("exa", "c1", "c2", 100 * day + 1), b.trade("exa", "c2", "c1", 100 * day + 1.1),
    ]);
    const wash = detect(events, { typologies: ["shared-identifiers", "wash-trade"] }).filter((a) => a.typology === "wash-trade");
    const pairsOf = (a: (typeof wash)[number]) => [...a.accounts].sort().join("+");
    assert.deepEqual(wash.map((a) => [pairsOf(a), a.details?.cluster]), [
      ["c0+c2", "link:c0"],
      ["c1+c2", "link:c1"],
    ]);
  });

  test("at most maxIdentifiersPerAccount identifiers per account", () => {
    const b = builder();
    const engine = createEngine({ ...only, configs: { "shared-identifiers": { maxIdentifiersPerAccount: 8 } } });
    for (const e of toEvents([b.opened("exa", "v1", people[0]!), ...Array.from({ length: 40 }, (_, i) => b.login("exa", "v1", i / 10, `192.0.2.${i + 1}`, `dv-${i}`))])) engine.push(e);
    assert.ok(engine.stats().byTypology["shared-identifiers"]!.keys <= 8 + 2, `${engine.stats().byTypology["shared-identifiers"]!.keys} keys`);
  });

  test("snapshot at any point and replay of the rest gives the same alerts (with linkedOf feeding wash-trade)", () => {
    const b = builder();
    const events = toEvents([
      ...people.slice(0, 4).map((p, i) => b.opened("exa", `u${i}`, p, i / 10)),
      b.login("exa", "u0", 1, "192.0.2.1", "dv-u"), b.login("exa", "u1", 2, "192.0.2.1", "dv-u"),
      b.trade("exa", "u0", "u1", 2.5), b.trade("exa", "u1", "u0", 2.6),
      b.bank("exa", "u1", 3, "bank-u"), b.bank("exa", "u2", 4, "bank-u"),
      b.login("exa", "u3", 5, "192.0.2.1", "dv-u"),
      b.login("exa", "u0", 24 * 100, "192.0.2.1", "dv-u2"),
      b.trade("exa", "u0", "u1", 24 * 100 + 1), b.trade("exa", "u1", "u0", 24 * 100 + 1.1),
    ]);
    const opts = { typologies: ["shared-identifiers", "wash-trade"] };
    const full = detect(events, opts);
    assert.ok(full.some((a) => a.typology === "shared-identifiers") && full.some((a) => a.typology === "wash-trade"), "the case exercises both");
    assertRestoresAtEveryPoint(events, opts, full);
  });

  test("bad events are error outcomes, not throws", () => {
    const engine = createEngine(only);
    const bad = { type: "login", id: "x", ts: at(1), time: Date.parse(at(1)), source: "exa", ip: "192.0.2.1" } as never;
    assert.deepEqual(engine.push(bad), []);
    assert.equal(engine.stats().byTypology["shared-identifiers"]!.error, 1);
  });

  test("defaults are the documented ones", () => {
    assert.deepEqual(sharedIdentifiersDefaults, {
      kinds: { device: "strong", ip: "weak", bankAccount: "strong", withdrawalAddress: "strong", phone: "strong", landline: "weak", email: "strong" },
      minPeople: 3,
      ringMinPeople: 3,
      crowdAccounts: 12,
      minAccountsPerExchange: 3,
      includeCorporates: false,
      retentionDays: 90,
      maxIdentifiersPerAccount: 64,
      maxClusterAccounts: 500,
      feedLinkedOf: true,
    });
  });
});
