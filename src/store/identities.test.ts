// store.identities() on PGlite (memory): sealing at append, restore for the linker, reads for
// disclosure, purge, rotation, and sealing of events stored in plaintext. All personal data here is
// synthetic.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { isKanshiError } from "../contracts/errors.ts";
import { parseEvent } from "../contracts/events.ts";
import { BlindIndexer, Keyring, SealError, sealedParts } from "../privacy/index.ts";
import {
  BLIND_TOKEN_PREFIX,
  LANDLINE_TOKEN_PREFIX,
  engineView,
  incomeBand,
  sealedPlaceholder,
  packFields,
  restoreEvent,
  splitPersonalData,
  unpackFields,
  type PersonalDataSealing,
} from "./identities.ts";
import { migrate } from "./migrations.ts";
import { openPgDb } from "./pg-db.ts";
import { openPgliteDb } from "./pglite-db.ts";
import type { Store, StoredEventInput } from "./ports.ts";
import type { SqlDatabase } from "./sql.ts";
import { createSqlStore } from "./sql-store.ts";
import { postgresAvailability, startPostgres, type PostgresServer } from "./testing/pg-server.ts";
import { createStoreTemplate, type StoreTemplate } from "./testing/template.ts";
import { normalizeCorporateNumber, normalizeDate, normalizeEmail, normalizePhone, phoneKind, writtenNameKey } from "../identity/index.ts";
import { simulate } from "../sim/simulate.ts";

const k1 = { kid: "k1", key: randomBytes(32) };
const k2 = { kid: "k2", key: randomBytes(32) };
const blind = new BlindIndexer([{ kid: "b1", key: randomBytes(32) }]);
/** A stand-in for identity's phone normaliser: national digits. */
const phoneDigits = (raw: string) => {
  const d = raw.replace(/\D/g, "");
  return d.startsWith("81") ? `0${d.slice(2)}` : d;
};
const sealingWith = (...keys: { kid: string; key: Buffer }[]): PersonalDataSealing => ({
  keyring: new Keyring(keys),
  blindIndexer: blind,
  normalize: { phone: phoneDigits },
});

const ts = (y: number, m = 1, d = 1) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}T09:00:00+09:00`;

function stored(e: Record<string, unknown>): StoredEventInput {
  const t = e.ts as string;
  return { source: e.source as string, id: e.id as string, type: e.type as string, time: Date.parse(t), ts: t, body: JSON.stringify(e) };
}

const opened = (source: string, id: string, accountId: string, kyc: Record<string, unknown>, at = ts(2015)) => ({
  id, type: "account.opened", ts: at, source, accountId, customerType: "individual", kyc,
});
const deposit = (source: string, id: string, accountId: string, at: string) => ({
  id, type: "deposit", ts: at, source, accountId, asset: "JPY", amount: "100000", channel: "bank",
});

/** Synthetic person A, written as two exchanges write it. */
const KYC_A = {
  name: "試験 花子",
  nameKana: "シケン ハナコ",
  dateOfBirth: "1980-02-03",
  postalCode: "100-0001",
  address: "東京都千代田区千代田９９－９９－９９９",
  phone: "090-0000-1111",
  email: "hanako.canary@example.invalid",
  nationality: "JP",
  residency: "citizen",
  declaredIncomeJpy: "5500000",
  occupation: "試験職",
};
const KYC_A2 = { ...KYC_A, name: "試験花子", phone: "+81 90 0000 1111" };
const CREDIT_A = {
  id: "cr-1", type: "credit.report", ts: ts(2015, 3), source: "bureau-x", bureau: "bureau-x",
  subject: { name: "試験 花子", dateOfBirth: "1980-02-03", phone: "09000001111" },
  creditScore: 612, annualIncomeJpy: "5400000", debtJpy: "120000", delinquencies: 2, bankruptcy: false,
};
const SOCIAL_A = { id: "sl-1", type: "social.link", ts: ts(2015, 4), source: "research-y", platform: "x", handle: "hanako_canary", accountId: "ex1-a" };
const TRAVEL = {
  id: "w-1", type: "withdrawal", ts: ts(2015, 5), source: "ex1", accountId: "ex1-a", asset: "BTC", amount: "0.5", channel: "crypto",
  counterpartyVasp: "vasp-z", travelRule: { originatorName: "試験 花子", beneficiaryName: "受取 太郎", beneficiaryVasp: "vasp-z" },
};
const PLAINTEXTS = ["試験", "花子", "シケン", "1980-02-03", "100-0001", "千代田", "0000-1111", "0000 1111", "hanako", "試験職", "受取"];

/** One template for the file: initdb and migrations run once. */
let templateOnce: Promise<StoreTemplate> | undefined;
const sharedTemplate = () => (templateOnce ??= createStoreTemplate());

async function rejectsKind(p: Promise<unknown>, kind: string, path?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isKanshiError(e), `expected a KanshiError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (path !== undefined) assert.equal(e.path, path);
    return true;
  });
}

async function bodies(store: Store): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const page of store.scanEvents()) for (const e of page) out.set(`${e.source}:${e.id}`, e.body);
  return out;
}

describe("splitPersonalData", () => {
  const sealing = sealingWith(k1);

  it("keeps a parseable event of the same type without personal values, and restores the original exactly", () => {
    const ev = opened("ex1", "o-1", "ex1-a", { ...KYC_A, mothersMaidenName: "試験旧姓" });
    const split = splitPersonalData(stored(ev), sealing)!;
    for (const p of [...PLAINTEXTS, "旧姓"]) assert.ok(!split.body.includes(p), `log body holds ${p}`);
    const body = JSON.parse(split.body);
    assert.equal(body.kyc.name, "[sealed ex1:o-1]", "one placeholder per record: no two people look alike");
    assert.ok(body.kyc.phone.startsWith(BLIND_TOKEN_PREFIX) && body.kyc.email.startsWith(BLIND_TOKEN_PREFIX));
    // The engine's inputs stay as sent.
    assert.deepEqual([body.kyc.nationality, body.kyc.residency, body.kyc.declaredIncomeJpy, body.customerType], ["JP", "citizen", "5500000", "individual"]);
    assert.deepEqual(body._sealed.paths.sort(), ["kyc._extra", "kyc.address", "kyc.dateOfBirth", "kyc.email", "kyc.name", "kyc.nameKana", "kyc.occupation", "kyc.phone", "kyc.postalCode"]);
    const parsed = parseEvent(body);
    assert.ok(parsed.ok && parsed.event.type === "account.opened");

    const values = split.record.fields.map((f) => [f.field, JSON.parse(sealing.keyring.openString(f.sealed, { recordId: "ex1:o-1", field: f.field }))] as const);
    assert.deepEqual(restoreEvent(split.body, values), ev);
    assert.deepEqual(split.record.features, { customerType: "individual", residency: "citizen", nationalityClass: "domestic", incomeBand: "3m-6m" });
    assert.deepEqual(split.record.blind.map((b) => b.field).sort(), ["dateOfBirth", "email", "phone"]);
  });

  it("indexes two writings of one phone alike, so the log's tokens match across exchanges; landlines are marked", () => {
    const a = JSON.parse(splitPersonalData(stored(opened("ex1", "o-1", "ex1-a", KYC_A)), sealing)!.body);
    const b = JSON.parse(splitPersonalData(stored(opened("ex2", "o-1", "ex2-a", KYC_A2)), sealing)!.body);
    assert.equal(a.kyc.phone, b.kyc.phone);
    assert.equal(a.kyc.email, b.kyc.email);
    assert.notEqual(a.kyc.name, b.kyc.name);
    const withKind = { ...sealing, isLandline: (raw: string) => raw.startsWith("03") };
    const land = JSON.parse(splitPersonalData(stored(opened("ex1", "o-2", "ex1-b", { name: "試験 家族", phone: "03-0000-1111" })), withKind)!.body);
    const mob = JSON.parse(splitPersonalData(stored(opened("ex1", "o-3", "ex1-c", { name: "試験 家族", phone: "090-0000-1111" })), withKind)!.body);
    assert.ok(land.kyc.phone.startsWith(LANDLINE_TOKEN_PREFIX) && land.kyc.phone.length <= 32);
    assert.ok(!mob.kyc.phone.startsWith(LANDLINE_TOKEN_PREFIX));
    assert.equal(mob.kyc.phone, a.kyc.phone);
  });

  it("credit reports keep income, delinquencies and bankruptcy for the engine; the score becomes its hundred", () => {
    const split = splitPersonalData(stored(CREDIT_A), sealing)!;
    const body = JSON.parse(split.body);
    assert.equal(body.creditScore, 600);
    assert.equal(body.debtJpy, undefined);
    assert.deepEqual([body.annualIncomeJpy, body.delinquencies, body.bankruptcy], ["5400000", 2, false]);
    assert.equal(body.subject.name, sealedPlaceholder("bureau-x:cr-1"));
    assert.ok(parseEvent(body).ok);
    assert.deepEqual(split.record.features, { incomeBand: "3m-6m", delinquent: true, bankrupt: false, creditBand: 600 });
  });

  it("social handles become their blind index, travel-rule names the placeholder; a withdrawal without names is left alone", () => {
    const s = JSON.parse(splitPersonalData(stored(SOCIAL_A), sealing)!.body);
    assert.ok(s.handle.startsWith(BLIND_TOKEN_PREFIX));
    assert.equal(JSON.parse(splitPersonalData(stored({ ...SOCIAL_A, id: "sl-2", source: "other" }), sealing)!.body).handle, s.handle);
    assert.ok(parseEvent(s).ok);
    const w = splitPersonalData(stored(TRAVEL), sealing)!;
    const wb = JSON.parse(w.body);
    assert.deepEqual(wb.travelRule, { originatorName: "[sealed ex1:w-1]", beneficiaryName: "[sealed ex1:w-1]", beneficiaryVasp: "vasp-z" });
    assert.ok(parseEvent(wb).ok);
    assert.equal(splitPersonalData(stored({ ...TRAVEL, travelRule: { beneficiaryVasp: "vasp-z" } }), sealing), undefined);
    assert.equal(splitPersonalData(stored(deposit("ex1", "d", "a", ts(2015))), sealing), undefined);
  });

  it("never trusts a sender's _sealed marker, and does not seal placeholders or tokens again", () => {
    const sneaky = { ...opened("ex1", "o-9", "ex1-z", KYC_A), _sealed: { v: 1, paths: [] } };
    const split = splitPersonalData(stored(sneaky), sealing)!;
    assert.ok(!split.body.includes("試験"));
    const again = splitPersonalData({ ...stored(sneaky), body: split.body }, sealing)!;
    assert.deepEqual(again.record.fields.map((f) => f.field), []);
  });

  it("engineView gives a live engine exactly what a replay of the stored log gives it", () => {
    for (const ev of [opened("ex1", "o-1", "ex1-a", KYC_A), CREDIT_A, SOCIAL_A, TRAVEL, deposit("ex1", "d-1", "ex1-a", ts(2016))]) {
      const live = parseEvent(ev);
      assert.ok(live.ok);
      const split = splitPersonalData(stored(ev), sealing);
      const replayed = parseEvent(split ? JSON.parse(split.body) : ev);
      assert.ok(replayed.ok);
      assert.deepEqual(engineView(live.event, sealing), replayed.event, `${ev.type}`);
    }
  });

  it("engineView equals the replay of the stored body over simulated identity events (with the identity normalisers)", () => {
    const full: PersonalDataSealing = {
      keyring: new Keyring([k1]),
      blindIndexer: blind,
      normalize: { dateOfBirth: normalizeDate, phone: normalizePhone, email: normalizeEmail, corporateNumber: normalizeCorporateNumber },
      isLandline: (raw) => phoneKind(raw) === "landline",
      nameKey: writtenNameKey,
    };
    let checked = 0;
    for (const ev of simulate({ seed: 5, people: 150, days: 1 }).events) {
      const wire = JSON.parse(JSON.stringify(ev)) as Record<string, unknown>;
      const live = parseEvent(wire);
      assert.ok(live.ok);
      const split = splitPersonalData(stored(wire), full);
      if (split === undefined) continue;
      const replayed = parseEvent(JSON.parse(split.body));
      assert.ok(replayed.ok, `${ev.type} ${ev.id}`);
      assert.deepEqual(engineView(live.event, full), replayed.event, `${ev.type} ${ev.id}`);
      checked++;
    }
    assert.ok(checked > 150, `checked ${checked} events`);
  });

  it("packs a record's sealed values with their shared key part once, and unpacks them byte for byte; malformed rows are SealErrors", () => {
    const ring = new Keyring([k1]);
    const sealer = ring.recordSealer("ex1:o-9");
    const fields = ["kyc.name", "kyc.phone", "kyc._extra"].map((field, i) => ({ field, kid: "k1", sealed: sealer.seal(field, JSON.stringify("x".repeat(i * 40))) }));
    sealer.dispose();
    const packed = packFields(fields);
    assert.equal(packed.field, "@kyc.name kyc.phone kyc._extra");
    assert.deepEqual(unpackFields(packed.field, packed.sealed), fields.map((f) => [f.field, f.sealed]));
    assert.deepEqual(unpackFields("kyc.name", fields[0]!.sealed), [["kyc.name", fields[0]!.sealed]], "a row of the earlier layout is one value");
    const malformed = (field: string, bytes: Buffer) => assert.throws(() => unpackFields(field, bytes), (e: unknown) => e instanceof SealError && e.code === "malformed");
    malformed(packed.field, packed.sealed.subarray(0, packed.sealed.length - 1));
    malformed(packed.field, Buffer.concat([packed.sealed, Buffer.from([0])]));
    malformed("@kyc.name kyc.phone", packed.sealed);
    malformed(packed.field, Buffer.concat([Buffer.from([0xf0]), packed.sealed.subarray(1)]));
    malformed(packed.field, Buffer.alloc(0));
    // Values under different data keys are not packed together.
    assert.throws(() => packFields([fields[0]!, { field: "kyc.email", kid: "k1", sealed: ring.seal("y", { recordId: "ex1:o-9", field: "kyc.email" }) }]), /share their data key/);
  });

  it("refuses an identity event whose body is not a JSON object, naming where", () => {
    assert.throws(() => splitPersonalData({ ...stored(opened("ex1", "o", "a", KYC_A)), body: "[1]" }, sealing, "batch[4]"), /batch\[4\]\.body/);
  });

  it("bands income exactly, from decimal strings", () => {
    assert.deepEqual(["0", "2999999.99", "3000000", "9999999", "10000000", "20000000", "x"].map(incomeBand), ["<3m", "<3m", "3m-6m", "6m-10m", "10m-20m", "20m+", undefined]);
  });
});

/** The sub-store's behaviour on one adapter; `fresh` opens an empty migrated database. */
function identityStoreSuite(name: string, fresh: () => Promise<SqlDatabase>, done: () => Promise<void> = async () => undefined): void {
  describe(`store.identities() on ${name}`, () => {
    let db: SqlDatabase;
    let store: Store;
    const sealing = sealingWith(k1);

    before(async () => {
      db = await fresh();
      store = createSqlStore(db, { personalData: sealing });
      const events = [
        opened("ex1", "o-1", "ex1-a", KYC_A, ts(2015, 1)),
        opened("ex2", "o-1", "ex2-a", KYC_A2, ts(2015, 2)),
        CREDIT_A,
        SOCIAL_A,
        TRAVEL,
        // Person B: old, never a suspect, no activity since.
        opened("ex1", "o-2", "ex1-b", { name: "別人 次郎", dateOfBirth: "1970-07-07", phone: "080-2222-3333" }, ts(2014, 6)),
        // Person C: old KYC, but the account deposits recently.
        opened("ex2", "o-3", "ex2-c", { name: "活動 三郎", dateOfBirth: "1990-09-09" }, ts(2014, 7)),
        deposit("ex2", "d-1", "ex2-c", ts(2024, 1)),
        // Person D: old, a suspect once.
        opened("ex1", "o-4", "ex1-d", { name: "容疑 四郎", dateOfBirth: "1985-05-05" }, ts(2014, 8)),
      ].map(stored);
      // Sent twice in one batch and again later: sealed once.
      const first = await store.appendEvents([...events, events[0]!]);
      assert.equal(first.filter((o) => o === "accepted").length, events.length);
      assert.deepEqual(await store.appendEvents(events.slice(0, 2)), ["duplicate", "duplicate"]);
    });
    after(async () => {
      await store.close();
      await done();
    });

    it("stores the log without plaintext, and no plaintext in any identity table", async () => {
      const all = await bodies(store);
      for (const [key, body] of all) for (const p of PLAINTEXTS) assert.ok(!body.includes(p), `${key} holds ${p}`);
      for (const table of ["identity_records", "identity_fields", "identity_blind_indexes", "events"]) {
        const rows = await db.query(`SELECT t::text AS t FROM ${table} t`);
        for (const r of rows) for (const p of PLAINTEXTS) assert.ok(!String(r.t).includes(p), `${table} holds ${p}`);
      }
      const stats = await store.identities().stats();
      assert.deepEqual(stats.byKind, { "account.opened": 5, "credit.report": 1, "social.link": 1, withdrawal: 1 });
      assert.equal(stats.unlinked, 7);
      const rows = await db.query("SELECT field, sealed FROM identity_fields WHERE record_id = 'ex1:o-1'");
      assert.equal(rows.length, 1, "one row holds the record's sealed fields, written once despite the duplicates");
      const values = unpackFields(String(rows[0]!.field), Buffer.from(rows[0]!.sealed as Uint8Array));
      assert.deepEqual(values.map(([f]) => f), ["kyc.name", "kyc.nameKana", "kyc.dateOfBirth", "kyc.postalCode", "kyc.address", "kyc.phone", "kyc.email", "kyc.occupation"]);
      // One data key for the record (wrapped once), a nonce of its own for every field.
      assert.equal(new Set(values.map(([, v]) => v.subarray(4, 44).toString("hex"))).size, 1);
      assert.equal(new Set(values.map(([, v]) => v.subarray(44, 56).toString("hex"))).size, 8);
      // The key part (version, key id, wrapped key: 44 bytes) is stored once for the row.
      assert.equal((rows[0]!.sealed as Uint8Array).length, 2 + 44 + values.reduce((n, [, v]) => n + 2 + v.length - 44, 0));
      assert.equal(stats.sealedFields, 8 + 8 + 5 + 1 + 2 + 3 + 2 + 2, "counted in values, not rows");
    });

    it("gives the linker the original events, in event-time order; pages are consistent", async () => {
      const seen: Record<string, unknown>[] = [];
      for await (const page of store.identities().linkageRecords()) for (const r of page) seen.push(r.event);
      assert.deepEqual(seen.map((e) => `${e.source as string}:${e.id as string}`), ["ex1:o-2", "ex2:o-3", "ex1:o-4", "ex1:o-1", "ex2:o-1", "bureau-x:cr-1", "research-y:sl-1"]);
      assert.deepEqual(seen[3], opened("ex1", "o-1", "ex1-a", KYC_A, ts(2015, 1)));
      assert.deepEqual(seen[5], CREDIT_A);
      assert.deepEqual(seen[6], SOCIAL_A);
    });

    it("stores entity assignments; accounts map to their earliest record's entity; unlinked count falls", async () => {
      const ids = store.identities();
      const changed = await ids.assignEntities([
        { recordId: "ex1:o-1", entityId: "ent-A", confidence: 0.99 },
        { recordId: "ex2:o-1", entityId: "ent-A", confidence: 0.98 },
        { recordId: "bureau-x:cr-1", entityId: "ent-A", confidence: 0.95 },
        { recordId: "ex1:o-2", entityId: "ent-B" },
        { recordId: "ex2:o-3", entityId: "ent-C" },
        { recordId: "ex1:o-4", entityId: "ent-D" },
      ]);
      assert.equal(changed, 6);
      assert.equal(await ids.assignEntities([{ recordId: "ex1:o-1", entityId: "ent-A", confidence: 0.99 }]), 0, "unchanged rows are not rewritten");
      assert.equal(await ids.countUnlinked(), 1);
      const assigned = await ids.entityAssignments();
      assert.equal(await ids.assignByAccount(assigned.accounts), 2, "the social link and the withdrawal follow their account");
      assert.equal(await ids.countUnlinked(), 0);
      const again = await ids.entityAssignments();
      assert.equal(again.accounts.get("ex1-a"), "ent-A");
      assert.equal(again.records.get("ex1:w-1"), "ent-A");
      assert.equal(again.records.get("research-y:sl-1"), "ent-A");
      await rejectsKind(ids.assignEntities([{ recordId: "", entityId: "x" }]), "bad_input", "assignments[0].recordId");
      await rejectsKind(ids.assignEntities([{ recordId: "x", entityId: "e", confidence: 2 }]), "bad_input", "assignments[0].confidence");
    });

    it("personalData opens only the requested fields, of the scope's records, and says what it read without values", async () => {
      const ids = store.identities();
      const own = await ids.personalData({ tenant: "ex1" }, "ent-A", ["name", "phone"]);
      assert.deepEqual(own.records.map((r) => [r.recordId, r.owner]), [["ex1:o-1", "ex1"], ["ex1:w-1", "ex1"]]);
      assert.deepEqual(own.records[0]!.fields, { name: "試験 花子", phone: "090-0000-1111" });
      assert.deepEqual(own.records[1]!.fields, {}, "a travel-rule record has no KYC name");
      assert.ok(!JSON.stringify(own.read).includes("試験"), "the read log carries no value");
      assert.deepEqual(own.read, {
        entityId: "ent-A", scope: "tenant:ex1", requested: ["name", "phone"],
        records: [{ recordId: "ex1:o-1", owner: "ex1", fields: ["name", "phone"] }, { recordId: "ex1:w-1", owner: "ex1", fields: [] }],
        values: 2, purgedRecords: 0,
      });

      const granted = await ids.personalData({ grant: "req-7" }, "ent-A", ["dateOfBirth", "creditScore", "delinquencies", "socialHandle", "beneficiaryName", "nationality"]);
      assert.deepEqual(granted.records.map((r) => r.owner), ["ex1", "ex2", "bureau-x", "research-y", "ex1"]);
      assert.deepEqual(granted.records[2]!.fields, { dateOfBirth: "1980-02-03", creditScore: 612, delinquencies: 2 });
      assert.deepEqual(granted.records[3]!.fields, { socialHandle: "x:hanako_canary" });
      assert.deepEqual(granted.records[4]!.fields, { beneficiaryName: "受取 太郎" });
      assert.deepEqual(granted.records[0]!.fields, { dateOfBirth: "1980-02-03", nationality: "JP" });
      assert.equal(granted.read.scope, "grant:req-7");

      assert.deepEqual((await ids.personalData({ tenant: "ex9" }, "ent-A", ["name"])).records, []);
      await rejectsKind(ids.personalData({ tenant: "ex1" }, "ent-A", ["name", "shoeSize" as "name"]), "bad_input", "fields[1]");
      await rejectsKind(ids.personalData({ tenant: "ex1" }, "ent-A", []), "bad_input", "fields");
      await rejectsKind(ids.personalData({} as { tenant: string }, "ent-A", ["name"]), "bad_input", "scope");
    });

    it("a sealed value moved to another record or field does not open", async () => {
      const sealedOf = async (recordId: string) => {
        const [row] = await db.query("SELECT field, sealed FROM identity_fields WHERE record_id = $1", [recordId]);
        return unpackFields(String(row!.field), Buffer.from(row!.sealed as Uint8Array));
      };
      /** Rewrites o-4's row with the body (nonce, tag, ciphertext) of its kyc.name value replaced: a moved ciphertext. */
      const replaceName = async (body: Buffer) => {
        const fields = (await sealedOf("ex1:o-4")).map(([field, sealed]) => ({
          field,
          kid: "k1",
          sealed: field === "kyc.name" ? Buffer.concat([sealedParts(sealed).keyPart, body]) : sealed,
        }));
        await db.query("UPDATE identity_fields SET sealed = $1 WHERE record_id = 'ex1:o-4'", [packFields(fields).sealed]);
      };
      const [original] = await db.query("SELECT encode(sealed, 'base64') AS s FROM identity_fields WHERE record_id = 'ex1:o-4'");
      const fromO2 = sealedParts((await sealedOf("ex1:o-2")).find(([f]) => f === "kyc.name")![1]).body;
      await replaceName(fromO2); // another record's name, same field
      await assert.rejects(store.identities().personalData({ grant: "g" }, "ent-D", ["name"]), (e: unknown) => e instanceof SealError && e.code === "auth_failed");
      const ownDob = sealedParts((await sealedOf("ex1:o-4")).find(([f]) => f === "kyc.dateOfBirth")![1]).body;
      await replaceName(ownDob); // the same record (same data key), another field
      await assert.rejects(store.identities().personalData({ grant: "g" }, "ent-D", ["name"]), (e: unknown) => e instanceof SealError && e.code === "auth_failed");
      // A field the read did not ask for is not opened (so not checked either): dateOfBirth alone reads.
      assert.equal((await store.identities().personalData({ grant: "g" }, "ent-D", ["dateOfBirth"])).records[0]!.fields.dateOfBirth, "1985-05-05");
      // The linker gets such a record back redacted and flagged, never a wrong value.
      let flagged: { unreadable: boolean; name: unknown } | undefined;
      for await (const page of store.identities().linkageRecords()) {
        for (const r of page) if (r.recordId === "ex1:o-4") flagged = { unreadable: r.unreadable, name: (r.event.kyc as { name: unknown }).name };
      }
      assert.deepEqual(flagged, { unreadable: true, name: sealedPlaceholder("ex1:o-4") });
      await db.query("UPDATE identity_fields SET sealed = decode($1, 'base64') WHERE record_id = 'ex1:o-4'", [original?.s]);
      assert.deepEqual((await store.identities().personalData({ grant: "g" }, "ent-D", ["name"])).records[0]!.fields, { name: "容疑 四郎" });
    });

    it("finds records by blind index, however the value is written", async () => {
      const hits = await store.identities().matchBlindIndex("phone", "(090) 0000-1111");
      assert.deepEqual(hits.map((h) => h.recordId), ["bureau-x:cr-1", "ex1:o-1", "ex2:o-1"]);
      assert.deepEqual(await store.identities().matchBlindIndex("email", "nobody@example.invalid"), []);
    assert.deepEqual((await store.identities().matchBlindIndex("socialHandle", "X:Hanako_Canary")).map((h) => h.recordId), ["research-y:sl-1"]);
    });

    it("purge: a dry run changes nothing; then only never-suspect, inactive subjects lose their personal data", async () => {
      const ids = store.identities();
      const suspects = new Set(["ent-D"]);
      const asked: string[] = [];
      const wasEverSuspect = async (id: string) => {
        asked.push(id);
        return suspects.has(id);
      };
      const cutoffMs = Date.parse(ts(2020));
      const before = await bodies(store);
      const dry = await ids.purge({ cutoffMs, dryRun: true, wasEverSuspect });
      assert.deepEqual({ ...dry, cutoffMs: 0 }, {
        dryRun: true, cutoffMs: 0, subjects: 2, records: 6, fields: 8 + 8 + 5 + 1 + 2 + 3, blindIndexes: 3 + 3 + 2 + 1 + 2,
        keptSuspects: 1, keptActive: 1, unlinked: 0,
      });
      assert.ok(asked.includes("ent-B") && asked.includes("ex1-b"), "asks about the entity and its accounts");
      assert.deepEqual(await bodies(store), before);
      assert.equal((await ids.stats()).purged, 0);

      const done = await ids.purge({ cutoffMs, wasEverSuspect });
      assert.deepEqual({ ...done, dryRun: true }, dry);
      const [left] = await db.query("SELECT count(*)::int4 AS n FROM identity_fields WHERE record_id IN ('ex1:o-1','ex2:o-1','bureau-x:cr-1','research-y:sl-1','ex1:w-1','ex1:o-2')");
      assert.equal(left?.n, 0);
      const [keptD] = await db.query("SELECT count(*)::int4 AS n FROM identity_fields WHERE record_id = 'ex1:o-4'");
      assert.ok((keptD?.n as number) > 0, "a suspect's data stays");
      const read = await ids.personalData({ grant: "g" }, "ent-A", ["name", "residency", "dateOfBirth"]);
      assert.ok(read.records.every((r) => r.purged));
      assert.deepEqual(read.records[0]!.fields, { residency: "citizen" }, "only what the log kept");
      assert.equal(read.read.purgedRecords, 5);
      // Pseudonymous history stays: entity ids, features, the events (tokens stripped).
      assert.equal((await ids.entityAssignments()).accounts.get("ex1-a"), "ent-A");
      const after = await bodies(store);
      assert.equal(after.size, before.size);
      const a = JSON.parse(after.get("ex1:o-1")!);
      assert.equal(a.kyc.phone, undefined);
      assert.equal(a._sealed.purged, true);
      assert.ok(parseEvent(a).ok);
      assert.equal(after.get("ex2:o-3"), before.get("ex2:o-3"), "the active subject's event is untouched");
      const [feat] = await db.query("SELECT features FROM identity_records WHERE record_id = 'bureau-x:cr-1'");
      assert.deepEqual(feat?.features, { incomeBand: "3m-6m", delinquent: true, bankrupt: false, creditBand: 600 });
      // Linkage no longer gets personal data for purged records.
      for await (const page of ids.linkageRecords()) for (const r of page) if (r.recordId === "ex1:o-1") assert.equal((r.event.kyc as { name: string }).name, sealedPlaceholder("ex1:o-1"));
    const social = JSON.parse(after.get("research-y:sl-1")!);
    assert.equal(social.handle, sealedPlaceholder("research-y:sl-1"), "a purged handle loses its token");
    assert.ok(parseEvent(social).ok);
      // A second purge finds nothing more.
      assert.equal((await ids.purge({ cutoffMs, wasEverSuspect })).records, 0);
    });

    it("refuses bad purge options", async () => {
      await rejectsKind(store.identities().purge({ cutoffMs: 1.5, wasEverSuspect: async () => false }), "bad_input", "cutoffMs");
    });
  });
}

identityStoreSuite("PGlite", async () => openPgliteDb({ template: (await sharedTemplate()).blob }));

const availability = postgresAvailability();
if (availability.skip) {
  describe("store.identities() on a PostgreSQL server", { skip: availability.skip }, () => {});
} else {
  let server: PostgresServer | undefined;
  identityStoreSuite(
    "a PostgreSQL server",
    async () => {
      server = await startPostgres();
      const db = await openPgDb({ databaseUrl: server.url });
      await migrate(db);
      return db;
    },
    async () => {
      await server?.stop();
    },
  );
}

describe("key rotation and plaintext already stored (one database, in order)", () => {
  let d: SqlDatabase;
  before(async () => {
    d = await openPgliteDb({ template: (await sharedTemplate()).blob });
  });
  after(async () => {
    await d.close();
  });

  it("seals identity events stored in plaintext by a store without keys", async () => {
    const plain = createSqlStore(d);
    await plain.appendEvents([stored(opened("ex1", "o-1", "a-1", KYC_A)), stored(CREDIT_A), stored(TRAVEL), stored(deposit("ex1", "d-1", "a-1", ts(2016)))]);
    assert.equal(plain.identities().sealing, false);
    await rejectsKind(plain.identities().sealStoredEvents(), "unavailable");
    const before = await bodies(plain);
    assert.ok(before.get("ex1:o-1")!.includes("試験"));
    let loads = 0;
    const keyed = createSqlStore(d, {
      personalData: async () => {
        loads++;
        return sealingWith(k1);
      },
    });
    assert.equal(await keyed.identities().sealStoredEvents(), 3);
    assert.equal(await keyed.identities().sealStoredEvents(), 0, "idempotent");
    assert.equal(loads, 1, "keys load once");
    const after = await bodies(keyed);
    for (const [key, body] of after) for (const p of PLAINTEXTS) assert.ok(!body.includes(p), `${key} holds ${p}`);
    assert.equal(after.get("ex1:d-1"), before.get("ex1:d-1"));
    const restored: Record<string, unknown>[] = [];
    for await (const page of keyed.identities().linkageRecords()) for (const r of page) restored.push(r.event);
    assert.deepEqual(restored, [opened("ex1", "o-1", "a-1", KYC_A), CREDIT_A]);
    assert.deepEqual(await keyed.identities().keyUsage(), { k1: 8 + 5 + 2 });
    // Later plaintext (a store without keys again) is found past the high-water mark.
    await plain.appendEvents([stored(opened("ex1", "o-late", "a-late", { name: "遅刻 七子" }))]);
    assert.equal(await keyed.identities().sealStoredEvents(), 1);
    assert.ok(!(await bodies(keyed)).get("ex1:o-late")!.includes("遅刻"));
    assert.deepEqual(await keyed.identities().keyUsage(), { k1: 8 + 5 + 2 + 1 });
  });

  it("rewraps every value under the new master key while reads and appends go on; the old key can then go", async () => {
    const before = createSqlStore(d, { personalData: sealingWith(k1) });
    const people = Array.from({ length: 30 }, (_, i) => opened("ex3", `o-${i}`, `c-${i}`, { name: `試験 ${i}号`, dateOfBirth: "1980-01-01", phone: `090-0000-${String(1000 + i)}` }));
    await before.appendEvents(people.map(stored));
    await before.identities().assignEntities(people.map((_, i) => ({ recordId: `ex3:o-${i}`, entityId: `ent-${i}` })));
    assert.deepEqual(await before.identities().keyUsage(), { k1: 16 + 90 });
    // Same database, new configuration: k2 current, k1 still known (a restart with the new key list).
    const rotated = createSqlStore(d, { personalData: sealingWith(k2, k1) });
    const ids = rotated.identities();
    let batches = 0;
    // Batches count rows: a record's values are one row (34 rows here, 106 values).
    const result = await ids.rewrap({
      batchSize: 2,
      onProgress: () => {
        batches++;
      },
    });
    assert.equal(result.rewrapped, 106);
    assert.equal(result.unreadable, 0);
    assert.deepEqual(result.byKid, { k2: 106 });
    assert.ok(batches >= 15, "worked in batches");
    // New values seal under k2 straight away.
    await rotated.appendEvents([stored(opened("ex3", "o-new", "c-new", { name: "新規 五郎" }))]);
    assert.deepEqual(await ids.keyUsage(), { k2: 107 });
    // Only k2 is needed now; k1 alone opens nothing.
    const onlyNew = createSqlStore(d, { personalData: sealingWith(k2) });
    const r = await onlyNew.identities().personalData({ tenant: "ex3" }, "ent-3", ["name", "phone"]);
    assert.deepEqual(r.records[0]!.fields, { name: "試験 3号", phone: "090-0000-1003" });
    const onlyOld = createSqlStore(d, { personalData: sealingWith(k1) });
    await assert.rejects(onlyOld.identities().personalData({ tenant: "ex3" }, "ent-3", ["name"]), (e: unknown) => e instanceof SealError && e.code === "unknown_key");
    assert.equal((await ids.rewrap()).rewrapped, 0, "nothing left to do");
  });

  it("reads and appends are served in the middle of a rotation, with values under both keys", async () => {
    // Rotate onward to k1 (k2 still known), stopping after the first batch: a rotation in progress.
    const mid = createSqlStore(d, { personalData: sealingWith(k1, k2) });
    await assert.rejects(
      mid.identities().rewrap({
        batchSize: 10,
        onProgress: () => {
          throw new Error("stop");
        },
      }),
      /stop/,
    );
    const usage = await mid.identities().keyUsage();
    // The first 10 rows by record id: bureau-x:cr-1 (5 values), ex1:o-1 (8), ex1:o-late (1), ex1:w-1 (2), six of ex3's (3 each).
    assert.deepEqual(usage, { k1: 5 + 8 + 1 + 2 + 6 * 3, k2: 73 });
    const names: string[] = [];
    for (let i = 0; i < 30; i++) names.push(String((await mid.identities().personalData({ tenant: "ex3" }, `ent-${i}`, ["name"])).records[0]!.fields.name));
    assert.deepEqual(names, Array.from({ length: 30 }, (_, i) => `試験 ${i}号`));
    await mid.appendEvents([stored(opened("ex3", "o-mid", "c-mid", { name: "途中 六郎" }))]);
    const done = await mid.identities().rewrap();
    assert.deepEqual(done, { rewrapped: 73, unreadable: 0, byKid: { k1: 108 } });
  });

  it("a value sealed under a key no longer configured is counted, not lost", async () => {
    const s1 = createSqlStore(d, { personalData: sealingWith({ kid: "k9", key: randomBytes(32) }) });
    await s1.appendEvents([stored(opened("ex4", "o-1", "d-1", { name: "試験 一" }))]);
    const s2 = createSqlStore(d, { personalData: sealingWith(k1) });
    const r = await s2.identities().rewrap();
    assert.deepEqual(r, { rewrapped: 0, unreadable: 1, byKid: { k1: 108, k9: 1 } });
  });
});

describe("rows of the earlier layout (one sealed value per row, each under its own data key)", () => {
  it("are read, restored, counted, rewrapped and purged like packed rows", async () => {
    const d = await openPgliteDb({ template: (await sharedTemplate()).blob });
    try {
      const store = createSqlStore(d, { personalData: sealingWith(k1) });
      const o1 = opened("ex1", "o-1", "a-1", KYC_A);
      const o2 = opened("ex1", "o-2", "a-2", { name: "別人 次郎", dateOfBirth: "1970-07-07" }, ts(2014));
      await store.appendEvents([stored(o1), stored(o2)]);
      // Rewrite o-1's row the way earlier builds stored it: a row per value, each sealed alone with seal().
      const ring = new Keyring([k1]);
      const [row] = await d.query("SELECT field, sealed FROM identity_fields WHERE record_id = 'ex1:o-1'");
      const values = unpackFields(String(row!.field), Buffer.from(row!.sealed as Uint8Array));
      await d.query("DELETE FROM identity_fields WHERE record_id = 'ex1:o-1'");
      for (const [field, v] of values) {
        const plain = ring.open(v, { recordId: "ex1:o-1", field });
        await d.query("INSERT INTO identity_fields (record_id, field, kid, sealed) VALUES ($1, $2, 'k1', $3)", ["ex1:o-1", field, ring.seal(plain, { recordId: "ex1:o-1", field })]);
      }
      const rowsOf = async (r: string) => (await d.query("SELECT field FROM identity_fields WHERE record_id = $1 ORDER BY field", [r])).map((x) => String(x.field));
      assert.equal((await rowsOf("ex1:o-1")).length, 8);
      assert.deepEqual(await rowsOf("ex1:o-2"), ["@kyc.name kyc.dateOfBirth"]);

      const ids = store.identities();
      const restored: Record<string, unknown>[] = [];
      for await (const page of ids.linkageRecords()) for (const r of page) restored.push(r.event);
      assert.deepEqual(restored, [o2, o1]);
      assert.deepEqual(await ids.keyUsage(), { k1: 8 + 2 });
      assert.equal((await ids.stats()).sealedFields, 10);
      await ids.assignEntities([{ recordId: "ex1:o-1", entityId: "ent-1" }, { recordId: "ex1:o-2", entityId: "ent-2" }]);
      const read = await ids.personalData({ tenant: "ex1" }, "ent-1", ["name", "phone"]);
      assert.deepEqual(read.records[0]!.fields, { name: KYC_A.name, phone: KYC_A.phone });
      assert.deepEqual(read.read.records[0]!.fields, ["name", "phone"]);
      assert.deepEqual((await ids.personalData({ tenant: "ex1" }, "ent-2", ["dateOfBirth"])).records[0]!.fields, { dateOfBirth: "1970-07-07" });

      // Rotation: both layouts rewrap; each row keeps its layout.
      const rotated = createSqlStore(d, { personalData: sealingWith(k2, k1) });
      assert.deepEqual(await rotated.identities().rewrap({ batchSize: 3 }), { rewrapped: 10, unreadable: 0, byKid: { k2: 10 } });
      assert.equal((await rowsOf("ex1:o-1")).length, 8);
      const onlyK2 = createSqlStore(d, { personalData: sealingWith(k2) }).identities();
      assert.deepEqual((await onlyK2.personalData({ tenant: "ex1" }, "ent-1", ["name", "email"])).records[0]!.fields, { name: KYC_A.name, email: KYC_A.email });
      assert.deepEqual((await onlyK2.personalData({ tenant: "ex1" }, "ent-2", ["name"])).records[0]!.fields, { name: "別人 次郎" });

      // Purge counts values of either layout.
      const purged = await onlyK2.purge({ cutoffMs: Date.parse(ts(2020)), wasEverSuspect: async () => false });
      assert.equal(purged.records, 2);
      assert.equal(purged.fields, 10);
      assert.equal((await d.query("SELECT 1 FROM identity_fields")).length, 0);
    } finally {
      await d.close();
    }
  });
});
