// Canary personal data (synthetic) planted in events — valid ones, invalid ones, another source's,
// unparsable bodies and lines, an oversized body — and in a login, must appear in no log line and no
// error body. Detection runs on the valid ones.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import type { InjectOptions } from "fastify";
import { createEngine } from "../engine/index.ts";
import type { Store } from "../store/ports.ts";
import { createStoreTemplate } from "../store/testing/template.ts";
import type { KanshiApp } from "./app.ts";
import { createLogger } from "./logging.ts";
import { buildTestApp, testCredentials, testSession } from "./testing.ts";

const CANARY = {
  name: "鳥籠 花子",
  nameKana: "トリカゴ ハナコ",
  nameLatin: "Hanako Torikago",
  phone: "090-7777-0413",
  email: "hanako.torikago@canary.invalid",
  address: "東京都千代田区鳥籠町9-9-9",
  dateOfBirth: "1961-04-13",
};
/** The values, and fragments of them (parsers quote a few characters around a fault). */
const CANARIES = [...Object.values(CANARY), "鳥籠", "花子", "トリカゴ", "ハナコ", "Hanako", "Torikago", "hanako", "torikago", "7777-0413", "千代田区鳥"];

const ts = (d: number) => `2026-11-0${d}T10:00:00+09:00`;
const opened = (id: string, source = "bitflyer", kyc: Record<string, unknown> = CANARY) => ({
  id,
  type: "account.opened",
  ts: ts(1),
  source,
  accountId: "acc-canary",
  customerType: "individual",
  kyc,
});
const deposit = (id: string, d: number) => ({ id, type: "deposit", ts: ts(d), source: "bitflyer", accountId: "acc-canary", asset: "JPY", amount: "1950000", channel: "bank" });

describe("no personal data in logs or error bodies", () => {
  let store: Store;
  let app: KanshiApp;
  let log = "";
  before(async () => {
    store = await (await createStoreTemplate()).open();
    const sink = new Writable({
      write(chunk, _enc, done) {
        log += String(chunk);
        done();
      },
    });
    const engine = createEngine();
    app = await buildTestApp(store, { logger: createLogger("trace", sink), bodyLimit: 16 * 1024, detect: (events) => events.flatMap((e) => engine.push(e)) });
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  it("drives ingest, detection, errors and logins with canaries; finds none in the log or in error bodies", async () => {
    const officer = await testCredentials(store, "exchange_officer", "bitflyer");
    const provider = await testCredentials(store, "data_provider", "jicc");
    const analyst = await testCredentials(store, "analyst");
    const answers: { status: number; body: string }[] = [];
    const send = async (o: InjectOptions) => {
      const res = await app.inject(o);
      answers.push({ status: res.statusCode, body: res.body });
      return res;
    };
    const post = (payload: unknown, headers: Record<string, string> = officer, url = "/v1/events") => send({ method: "POST", url, headers, payload: payload as never });

    // Valid, then invalid in many ways, each carrying the canaries.
    assert.equal((await post([opened("o1"), deposit("d1", 2), deposit("d2", 3), deposit("d3", 4)])).json().accepted, 4);
    const invalid = await post([
      opened("o2", "bitflyer", { ...CANARY, dateOfBirth: CANARY.name, postalCode: CANARY.phone, residency: CANARY.address }),
      opened("o3", "bitflyer", { ...CANARY, name: "" }),
      opened("o4", "coincheck"),
      { ...opened("o5"), customerType: CANARY.email, riskRating: CANARY.nameLatin },
      { ...opened("o6"), ts: CANARY.dateOfBirth },
    ]);
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json().rejected, 5);
    const credit = { id: "c1", type: "credit.report", ts: ts(2), source: "jicc", bureau: "jicc", subject: CANARY, creditScore: 9999 };
    assert.equal((await post([credit], provider)).json().rejected, 1);
    assert.equal((await post([credit], officer)).json().rejected, 1);
    const ndjson = [JSON.stringify(opened("o7")), `{"kyc":{"name":"${CANARY.name}","phone":"${CANARY.phone}"`, `${CANARY.email} ${CANARY.address}`].join("\n");
    assert.equal((await send({ method: "POST", url: "/v1/events", headers: { ...officer, "content-type": "application/x-ndjson" }, payload: ndjson })).statusCode, 200);
    const broken = `[{"type":"account.opened","kyc":{"name":"${CANARY.name}","email":"${CANARY.email}"}, oops ${CANARY.phone}]`;
    assert.equal((await send({ method: "POST", url: "/v1/events", headers: { ...officer, "content-type": "application/json" }, payload: broken })).statusCode, 400);
    const truncated = `[{"type":"account.opened","kyc":{"name":"${CANARY.name}`;
    assert.equal((await send({ method: "POST", url: "/v1/events", headers: { ...officer, "content-type": "application/json" }, payload: truncated })).statusCode, 400);
    const huge = [opened("o8", "bitflyer", { ...CANARY, purpose: CANARY.address.repeat(1000) })];
    assert.equal((await post(huge)).statusCode, 413);
    assert.equal((await send({ method: "POST", url: "/v1/events", headers: { ...officer, "content-type": "text/xml" }, payload: JSON.stringify(CANARY) })).statusCode, 415);
    assert.equal((await send({ method: "POST", url: "/v1/events", headers: { ...officer, "content-type": "text/plain" }, payload: JSON.stringify(CANARY) })).statusCode, 400);
    assert.equal((await post([opened("o9")], analyst)).statusCode, 403);
    assert.equal((await post([opened("o9")], { authorization: `Bearer ${CANARY.email}` })).statusCode, 401);

    // Logins: a password and a name field holding canaries; a real session's cookie and CSRF token.
    assert.equal((await send({ method: "POST", url: "/v1/session", payload: { name: CANARY.email, password: CANARY.name } })).statusCode, 401);
    assert.equal((await send({ method: "POST", url: "/v1/session", payload: { name: "ok", password: 12345 } })).statusCode, 400);
    const person = await testSession(app, store, "exchange_officer", "bitflyer");
    assert.equal((await post([opened("o10")], person.headers)).statusCode, 200);

    // Detection ran on the valid events; reading alerts works.
    const alerts = await send({ url: "/v1/alerts", headers: officer });
    assert.ok(alerts.json().items.some((a: { typology: string }) => a.typology === "structuring"));
    // A log call that carries personal fields by mistake is redacted too.
    app.log.warn({ event: opened("o11"), kyc: CANARY, subject: { name: CANARY.name }, password: CANARY.phone }, "careless log call");

    // The log is there (so this test can fail), and holds none of it.
    assert.match(log, /"msg":"request completed"/);
    assert.match(log, /"msg":"careless log call"/);
    assert.ok(log.split("\n").length > 30);
    const secrets = [...CANARIES, officer.authorization.slice(7), person.cookie.split("=")[1]!, person.csrf];
    for (const s of secrets) assert.ok(!log.includes(s), `the log holds ${JSON.stringify(s.slice(0, 12))}…`);
    const errors = answers.filter((a) => a.status >= 400 || /"rejected"/.test(a.body));
    assert.ok(errors.length >= 10);
    for (const a of errors) for (const s of CANARIES) assert.ok(!a.body.includes(s), `a ${a.status} body holds ${JSON.stringify(s)}: ${a.body.slice(0, 300)}`);
  });
});
