import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { main } from "./main.ts";
import { captureIo } from "./testing.ts";

const dep = (id: string, ts: string, amount = "1950000") =>
  JSON.stringify({ id, type: "deposit", ts, source: "bitbank", accountId: "acc-7", asset: "JPY", amount, channel: "bank" });

describe("kanshi CLI", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-cli-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const io = () => captureIo({ cwd: dir, env: { KANSHI_DATA: join(dir, "data"), CI: "true" } });

  it("schema prints the JSON Schema of every event type", async () => {
    const c = io();
    assert.equal(await main(["schema"], c), 0);
    const schema = JSON.parse(c.out());
    const types = schema.oneOf.map((s: { properties: { type: { const: string } } }) => s.properties.type.const);
    assert.ok(types.includes("deposit") && types.includes("address.label") && types.length === 16);
  });

  it("detect writes alerts for a structuring burst and a summary; a bad line is reported with its line number and exits 1", async () => {
    const file = join(dir, "events.ndjson");
    await writeFile(
      file,
      [dep("1", "2026-11-02T10:00:00+09:00"), dep("2", "2026-11-03T10:00:00+09:00"), '{"id":"x","type":"deposit"}', dep("3", "2026-11-04T10:00:00+09:00")].join("\n") + "\n",
    );
    const c = io();
    const code = await main(["detect", "events.ndjson", "--out", "alerts.ndjson"], c);
    assert.equal(code, 1);
    assert.match(c.err(), /rejected line 3: ts: expected an RFC 3339 timestamp/);
    const alerts = (await readFile(join(dir, "alerts.ndjson"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].typology, "structuring");
    assert.deepEqual(alerts[0].evidence, ["bitbank:1", "bitbank:2", "bitbank:3"]);
    assert.match(c.out(), /structuring\s+1/);
  });

  it("ingest stores good lines of a .gz file once; a second ingest finds them all duplicate", async () => {
    const file = join(dir, "in.ndjson.gz");
    await writeFile(file, gzipSync([dep("a", "2026-11-02T10:00:00+09:00"), "not json", dep("b", "2026-11-02T11:00:00+09:00")].join("\n")));
    const first = io();
    assert.equal(await main(["ingest", "in.ndjson.gz"], first), 1);
    assert.match(first.out(), /2 accepted, 0 duplicate, 1 rejected/);
    assert.match(first.err(), /rejected line 2: not valid JSON/);
    const second = io();
    assert.equal(await main(["ingest", "in.ndjson.gz"], second), 1);
    assert.match(second.out(), /0 accepted, 2 duplicate, 1 rejected/);
  });

  it("detect links one person's accounts across exchanges: structuring split over two venues is caught only per entity", async () => {
    const open = (source: string, id: string, accountId: string, kyc: Record<string, string>) =>
      JSON.stringify({ id, type: "account.opened", ts: "2026-10-01T09:00:00+09:00", source, accountId, customerType: "individual", kyc });
    const deposit = (source: string, id: string, accountId: string, day: number) =>
      JSON.stringify({ id, type: "deposit", ts: `2026-11-0${day}T12:00:00+09:00`, source, accountId, asset: "JPY", amount: "1960000", channel: "bank" });
    // The same (synthetic) person, written as each exchange writes it.
    const events = [
      open("bitflyer", "o1", "bf-1", { name: "髙橋 健一", nameKana: "タカハシ ケンイチ", dateOfBirth: "1979-03-14", postalCode: "530-0001", address: "大阪府大阪市北区梅田３丁目１番１号", phone: "090-1111-2222" }),
      open("coincheck", "o1", "cc-1", { name: "高橋健一", nameKana: "ﾀｶﾊｼ ｹﾝｲﾁ", dateOfBirth: "1979-03-14", postalCode: "5300001", address: "大阪市北区梅田3-1-1", phone: "+81 90 1111 2222" }),
      // A different person with the same name: different birth date, phone and address.
      open("bitbank", "o1", "bb-1", { name: "高橋 健一", nameKana: "タカハシ ケンイチ", dateOfBirth: "1992-07-30", postalCode: "060-0001", address: "北海道札幌市中央区北一条西２丁目", phone: "080-9999-0000" }),
      deposit("bitflyer", "d1", "bf-1", 2),
      deposit("coincheck", "d1", "cc-1", 3),
      deposit("bitflyer", "d2", "bf-1", 4),
      deposit("bitbank", "d1", "bb-1", 5),
    ];
    await writeFile(join(dir, "split.ndjson"), events.join("\n") + "\n");
    const linked = io();
    assert.equal(await main(["detect", "split.ndjson", "--out", "split-alerts.ndjson"], linked), 0, linked.err());
    const alerts = (await readFile(join(dir, "split-alerts.ndjson"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].typology, "structuring");
    assert.equal(alerts[0].subject.kind, "entity");
    assert.deepEqual([...alerts[0].accounts].sort(), ["bf-1", "cc-1"]);
    const perAccount = io();
    assert.equal(await main(["detect", "split.ndjson", "--no-entities", "--out", "split-accounts.ndjson"], perAccount), 0);
    assert.equal((await readFile(join(dir, "split-accounts.ndjson"), "utf8")).trim(), "");
  });

  it("detect joins a bureau's credit report to the person's account: adverse credit with large flows is caught only when linked", async () => {
    const kyc = { name: "佐々木 美咲", nameKana: "ササキ ミサキ", dateOfBirth: "1985-06-02", postalCode: "980-0811", address: "宮城県仙台市青葉区一番町４丁目１番１号", phone: "090-3333-4444", declaredIncomeJpy: "20000000" };
    const events = [
      JSON.stringify({ id: "o9", type: "account.opened", ts: "2026-08-01T09:00:00+09:00", source: "bitbank", accountId: "bb-9", customerType: "individual", kyc }),
      JSON.stringify({ id: "cr1", type: "credit.report", ts: "2026-09-01T09:00:00+09:00", source: "cic", bureau: "cic", creditScore: 420, annualIncomeJpy: "20000000", delinquencies: 3, subject: { name: "佐々木美咲", nameKana: "ｻｻｷ ﾐｻｷ", dateOfBirth: "1985-06-02", postalCode: "9800811", phone: "09033334444" } }),
      ...[2, 5, 8].map((day, i) => JSON.stringify({ id: `big${i}`, type: "deposit", ts: `2026-11-0${day}T12:00:00+09:00`, source: "bitbank", accountId: "bb-9", asset: "JPY", amount: "2500000", channel: "bank" })),
    ];
    await writeFile(join(dir, "credit.ndjson"), events.join("\n") + "\n");
    const linked = io();
    assert.equal(await main(["detect", "credit.ndjson", "--out", "credit-alerts.ndjson"], linked), 0, linked.err());
    const alerts = (await readFile(join(dir, "credit-alerts.ndjson"), "utf8")).trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(alerts.map((a) => a.typology), ["profile-mismatch"]);
    assert.deepEqual(alerts[0].accounts, ["bb-9"]);
    assert.doesNotMatch(JSON.stringify(alerts[0]), /佐々木|1985-06-02/, "no personal data in the alert");
    const unlinked = io();
    assert.equal(await main(["detect", "credit.ndjson", "--no-entities", "--out", "credit-unlinked.ndjson"], unlinked), 0);
    assert.equal((await readFile(join(dir, "credit-unlinked.ndjson"), "utf8")).trim(), "");
  });

  it("a missing file is bad input (exit 1); an unknown verb or missing option is usage (exit 2)", async () => {
    const c = io();
    assert.equal(await main(["ingest", "nope.ndjson"], c), 1);
    assert.match(c.err(), /cannot read .*nope\.ndjson/);
    assert.equal(await main(["frobnicate"], io()), 2);
    assert.equal(await main(["detect", "x.ndjson"], io()), 2);
    assert.equal(await main(["--help"], io()), 0);
  });
});
