// Personal data at rest, through the real CLI paths, in a PGlite data directory: canary values
// (synthetic) ingested with `kanshi ingest` are nowhere in the directory's files (WAL included) —
// while a non-personal marker sent alongside is, which shows the scan sees what is stored; `kanshi
// purge` removes the sealed data of a never-suspect, inactive person only, audited by counts; `kanshi
// keys rotate` moves every sealed value to a new master key and everything still opens.
import assert from "node:assert/strict";
import { readdir, readFile, rm, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { main } from "./main.ts";
import { openConfiguredStore } from "./store.ts";
import { captureIo } from "./testing.ts";

const OLD = (m: number) => `2010-0${m}-01T09:00:00+09:00`;
const RECENT = new Date(Date.now() - 30 * 86_400_000).toISOString();

// Three synthetic people. P: never a suspect, inactive since 2010. S: inactive, but a case about
// their account reached 85. R: old KYC, but the account deposited last month.
const P = { name: "鳥籠 見張", nameKana: "トリカゴ ミハリ", nameLatin: "Torikago Mihari", dateOfBirth: "1971-11-23", postalCode: "105-0011", address: "東京都港区芝公園九丁目九番九号カナリア館", phone: "090-7319-4682", email: "mihari.7319@canary.invalid", occupation: "見張番頭" };
const S = { name: "籠目 鶯", nameKana: "カゴメ ウグイス", dateOfBirth: "1966-04-17", phone: "080-5528-1937", email: "uguisu.5528@canary.invalid", address: "京都府京都市左京区鶯谷町九九" };
const R = { name: "雲雀 早瀬", nameKana: "ヒバリ ハヤセ", dateOfBirth: "1988-08-08", phone: "070-6642-0915", address: "北海道函館市雲雀坂九番" };
const CANARIES = [
  "鳥籠", "見張", "トリカゴ", "ミハリ", "Torikago", "1971-11-23", "105-0011", "芝公園", "カナリア館", "7319-4682", "7319 4682", "mihari.7319", "見張番頭",
  "mihari_7319_canary", "受取 鷺山", "9876543",
  "籠目", "カゴメ", "ウグイス", "1966-04-17", "5528-1937", "uguisu.5528", "鶯谷町",
  "雲雀", "ヒバリ", "1988-08-08", "6642-0915", "雲雀坂",
];
const CONTROL = "VISIBLE-CONTROL-9f3a71";

const EVENTS = [
  { id: "o-p", type: "account.opened", ts: OLD(1), source: "alpha", accountId: "al-1", customerType: "individual", kyc: P },
  { id: "cr-p", type: "credit.report", ts: OLD(2), source: "cic", bureau: "cic", creditScore: 512, debtJpy: "9876543", delinquencies: 0, subject: { name: P.name, nameKana: P.nameKana, dateOfBirth: P.dateOfBirth, phone: P.phone } },
  { id: "sl-p", type: "social.link", ts: OLD(3), source: "alpha", platform: "x", handle: "mihari_7319_canary", accountId: "al-1" },
  { id: "w-p", type: "withdrawal", ts: OLD(4), source: "alpha", accountId: "al-1", asset: "BTC", amount: "0.1", channel: "crypto", counterpartyVasp: "vasp-q", travelRule: { originatorName: P.name, beneficiaryName: "受取 鷺山", beneficiaryVasp: "vasp-q" } },
  { id: "o-s", type: "account.opened", ts: OLD(1), source: "alpha", accountId: "al-2", customerType: "individual", kyc: S },
  { id: "o-r", type: "account.opened", ts: OLD(1), source: "beta", accountId: "be-1", customerType: "individual", kyc: R },
  { id: "d-r", type: "deposit", ts: RECENT, source: "beta", accountId: "be-1", asset: "BTC", amount: "0.2", channel: "crypto", txHash: CONTROL },
];

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Every canary found in any file under `dir` (raw bytes), and whether the control marker was found. */
async function scan(dir: string): Promise<{ found: string[]; control: boolean; files: number; bytes: number }> {
  const found = new Set<string>();
  let control = false;
  let bytes = 0;
  const files = await filesUnder(dir);
  for (const f of files) {
    const buf = await readFile(f);
    bytes += buf.length;
    for (const c of CANARIES) if (buf.includes(Buffer.from(c, "utf8"))) found.add(`${c} in ${f.slice(dir.length)}`);
    if (buf.includes(Buffer.from(CONTROL, "utf8"))) control = true;
  }
  return { found: [...found], control, files: files.length, bytes };
}

describe("personal data at rest (PGlite data directory)", () => {
  let dir: string;
  let data: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-purge-"));
    data = join(dir, "data");
    await writeFile(join(dir, "events.ndjson"), EVENTS.map((e) => JSON.stringify(e)).join("\n") + "\n");
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const io = (env: Record<string, string> = {}) => captureIo({ cwd: dir, env: { KANSHI_DATA: data, CI: "true", ...env } });

  it("ingest seals; purge removes a never-suspect's data only, audited by counts; keys rotate rewraps; no canary ever reaches the files", async () => {
    const ing = io();
    assert.equal(await main(["ingest", "events.ndjson"], ing), 0, ing.err());
    const afterIngest = await scan(data);
    assert.ok(afterIngest.control, `the scan must see stored text (${afterIngest.files} files, ${afterIngest.bytes} bytes)`);
    assert.ok(afterIngest.files >= 10 && afterIngest.bytes > 1_000_000, "the whole data directory, WAL included, is scanned");
    assert.deepEqual(afterIngest.found, []);

    // S's account is the subject of a case that reached 85: a suspect.
    let store = await openConfiguredStore(io());
    try {
      const at = Date.parse("2011-01-01T00:00:00Z");
      await store.cases().create(
        { id: "case-s", entityId: "al-2", subjectKind: "account", score: 85, lastScore: 85, openedBy: "system", openedReason: "score", openedAt: at, dueAt: null, assignee: null, firstAlertTs: null, lastAlertTs: null, alertCount: 0 },
        [{ owner: "alpha", accountId: "al-2", pseudonym: "acct_synthetic_s" }],
        { caseId: "case-s", actor: "system", action: "case.open", details: {} },
        at,
      );
    } finally {
      await store.close();
    }

    const dry = io();
    assert.equal(await main(["purge", "--dry-run", "--json"], dry), 0, dry.err());
    const counts = JSON.parse(dry.out().trim().split("\n").at(-1)!);
    assert.deepEqual(
      { subjects: counts.subjects, records: counts.records, keptSuspects: counts.keptSuspects, keptActive: counts.keptActive, dryRun: counts.dryRun, linkedFirst: counts.linkedFirst },
      { subjects: 1, records: 4, keptSuspects: 1, keptActive: 1, dryRun: true, linkedFirst: 5 },
    );
    assert.ok(counts.fields >= 15 && counts.blindIndexes >= 5, JSON.stringify(counts));

    const real = io();
    assert.equal(await main(["purge"], real), 0, real.err());
    assert.match(real.out(), /purge: inactive since before \d{4}-\d\d-\d\d \(2,557 days\) and never a suspect: 1 subjects/);
    assert.match(real.out(), new RegExp(`purged ${counts.fields} sealed fields and ${counts.blindIndexes} blind indexes of 4 records`));
    assert.match(real.out(), /kept: 1 suspects, 1 still active/);

    const rot = io();
    assert.equal(await main(["keys", "rotate"], rot), 0, rot.err());
    const kid = /new master key (k-[0-9a-f]{6}) is now current/.exec(rot.out())?.[1];
    assert.ok(kid, rot.out());
    const sealedLeft = Number(/rewrapped (\d+) sealed values/.exec(rot.out())?.[1]);
    assert.ok(sealedLeft > 0);
    assert.match(rot.out(), new RegExp(`sealed values per master key: ${kid}: ${sealedLeft}$`, "m"));

    store = await openConfiguredStore(io());
    try {
      const ids = store.identities();
      assert.deepEqual(Object.keys(await ids.keyUsage()), [kid]);
      const assigned = await ids.entityAssignments();
      // P: records and entity stay, personal data gone (only what the log kept for the engine).
      const p = await ids.personalData({ grant: "test" }, assigned.accounts.get("al-1")!, ["name", "dateOfBirth", "socialHandle", "debtJpy", "beneficiaryName"]);
      assert.equal(p.records.length, 4);
      assert.ok(p.records.every((r) => r.purged && Object.keys(r.fields).length === 0));
      // S (suspect) and R (active) still open, under the new key.
      const s = await ids.personalData({ tenant: "alpha" }, assigned.accounts.get("al-2")!, ["name", "phone"]);
      assert.deepEqual(s.records[0]!.fields, { name: S.name, phone: S.phone });
      const r = await ids.personalData({ tenant: "beta" }, assigned.accounts.get("be-1")!, ["dateOfBirth"]);
      assert.deepEqual(r.records[0]!.fields, { dateOfBirth: R.dateOfBirth });
      // The purge is in the audit trail with counts only.
      const log = store.auditLog();
      const records = await log.read(0, await log.size());
      const purge = records.find((x) => x.action === "personal_data.purge");
      assert.ok(purge);
      assert.equal((purge.details as { records: number }).records, 4);
      assert.ok(records.some((x) => x.action === "keys.rewrap"));
      const all = JSON.stringify(records);
      for (const c of CANARIES) assert.ok(!all.includes(c), `audit trail holds ${c}`);
    } finally {
      await store.close();
    }

    const afterAll = await scan(data);
    assert.ok(afterAll.control);
    assert.deepEqual(afterAll.found, []);
  });

  it("keys rotate leaves a master-key list from the environment to the operator, and says how", async () => {
    const c = io({ KANSHI_MASTER_KEYS: `k9:${Buffer.alloc(32, 7).fill(3, 5).toString("base64")}` });
    assert.equal(await main(["keys", "rotate"], c), 2);
    assert.match(c.err(), /KANSHI_MASTER_KEYS is set in the environment: put a new key first/);
  });

  it("purge refuses a bad retention", async () => {
    const c = io();
    assert.equal(await main(["purge", "--retention-days", "0"], c), 1);
    assert.match(c.err(), /--retention-days: expected a whole number of days from 1 to 36500/);
  });
});
