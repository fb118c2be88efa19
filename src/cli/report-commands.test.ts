// `kanshi report goaml|str` through main(argv), on a data directory seeded with a case. The exchange
// has no KYC on record here, so the reports name the subject by its Kanshi id only. All data synthetic.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { scoreCaseId } from "../cases/grouping.ts";
import { storedEvent, testAlert, testCaseUseCases } from "../cases/testing.ts";
import { SAMPLE_EXCHANGE, xmllintValidate } from "../reports/testing.ts";
import { openStore } from "../store/open.ts";
import { main } from "./main.ts";
import { loadReportingProfiles } from "./report-commands.ts";
import { captureIo } from "./testing.ts";

const EX = "coincheck";

describe("kanshi report", () => {
  let dir: string;
  let caseId: string;
  const env = () => ({ KANSHI_DATA: join(dir, "data"), KANSHI_REPORTING_ENTITIES: join(dir, "profiles.json") });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-report-cli-"));
    const store = await openStore({ dataDir: join(dir, "data") });
    try {
      await store.appendEvents([
        storedEvent(EX, "d1", "2024-05-01T09:00:00+09:00", { type: "deposit", accountId: "ac_x", asset: "ETH", amount: "10", channel: "crypto", valueJpy: "5000000", fromAddress: "0x00000000000000000000000000000000000000bb" }),
        storedEvent(EX, "w1", "2024-05-01T09:20:00+09:00", { type: "withdrawal", accountId: "ac_x", asset: "ETH", amount: "9.9", channel: "crypto", valueJpy: "4950000", toAddress: "0x00000000000000000000000000000000000000cc", counterpartyCountry: "AE" }),
      ]);
      const alerts = ["a1", "a2", "a3"].map((id, i) =>
        testAlert({ id: `al_${id}`, ts: `2024-05-01T09:2${i}:00+09:00`, score: 95, typology: "pass-through", subject: { kind: "account", id: "ac_x" }, accounts: ["ac_x"], evidence: [`${EX}:d1`, `${EX}:w1`] }),
      );
      await store.saveAlerts(alerts);
      await testCaseUseCases(store).cases.syncAlerts(alerts);
      caseId = scoreCaseId("ac_x", "al_a1");
    } finally {
      await store.close();
    }
    await writeFile(join(dir, "profiles.json"), JSON.stringify({ [EX]: { ...SAMPLE_EXCHANGE, tenant: EX } }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("goaml writes a draft's XML that passes xmllint; str writes JSON, CSV and HTML", async () => {
    const io = captureIo({ cwd: dir, env: env() });
    assert.equal(await main(["report", "goaml", caseId, "--out", "out/report.xml", "--number", "2024-9"], io), 0, io.err());
    assert.match(io.out(), /drafted goaml report rp_\S+ for case .*: 1 subject\(s\), 2 transaction\(s\); status draft/);
    assert.match(io.out(), /personal data: none disclosed/);
    const xml = await readFile(join(dir, "out/report.xml"), "utf8");
    const lint = xmllintValidate(xml);
    assert.ok(lint.ok, lint.output);
    assert.ok(xml.includes("<to_country>AE</to_country>"));
    assert.ok(xml.includes("<entity_reference>2024-9</entity_reference>"));

    const io2 = captureIo({ cwd: dir, env: env() });
    assert.equal(await main(["report", "str", caseId, "--out", "str", "--reason", "入金直後に国外へ送付されている。"], io2), 0, io2.err());
    const files = (await readdir(join(dir, "str"))).sort();
    assert.deepEqual(files.map((f) => f.slice(f.lastIndexOf("."))), [".csv", ".html", ".json"]);
    const form = JSON.parse(await readFile(join(dir, "str", files[2]!), "utf8")) as { reason: { text: string }; identityChecks: { name: unknown }[] };
    assert.equal(form.reason.text, "入金直後に国外へ送付されている。");
    assert.equal(form.identityChecks[0]!.name, null);
    assert.ok((await readFile(join(dir, "str", files[0]!), "utf8")).startsWith("\uFEFF"));
  });

  it("says what is missing: the profiles, or a valid profile", async () => {
    const noProfiles = captureIo({ cwd: dir, env: { KANSHI_DATA: join(dir, "data") } });
    assert.equal(await main(["report", "goaml", caseId, "--out", "x.xml"], noProfiles), 2);
    assert.match(noProfiles.err(), /--profiles <file>/);
    await writeFile(join(dir, "bad.json"), JSON.stringify([{ ...SAMPLE_EXCHANGE, goamlId: 0 }]));
    await assert.rejects(loadReportingProfiles(join(dir, "bad.json")), (e: Error) => /bad\.json: \[0\]\.goamlId/.test(e.message));
  });
});
