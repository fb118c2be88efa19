// `kanshi keys rewrap` moves case notes and report contents to the current master key too: sealed
// under key A, rotated to B, rewrapped, A removed from the keyring — everything still opens.
// Synthetic text only.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ALL_CASES } from "../store/cases.ts";
import { ALL_REPORTS } from "../store/reports.ts";
import { createStoreTemplate } from "../store/testing/template.ts";
import { Keyring } from "../privacy/index.ts";
import { encodeSealed, inspectSealed } from "../privacy/seal.ts";
import { main } from "./main.ts";
import { openConfiguredStore } from "./store.ts";
import { captureIo } from "./testing.ts";

const A = { kid: "ka", key: randomBytes(32) };
const B = { kid: "kb", key: randomBytes(32) };
const list = (...keys: { kid: string; key: Buffer }[]) => keys.map((k) => `${k.kid}:${k.key.toString("base64")}`).join(",");

const NOTE = "synthetic note: pattern looks like layering through three venues";
const REPORT = "<report><synthetic>content for rotation test</synthetic></report>";
const AT = Date.parse("2026-11-02T00:00:00Z");

describe("kanshi keys rewrap: case notes and report contents", () => {
  let dir: string;
  const io = (keys: string) => captureIo({ cwd: dir, env: { KANSHI_DATA: join(dir, "data"), KANSHI_MASTER_KEYS: keys, CI: "true" } });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-rewrap-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("seal with A, rotate to B, rewrap, drop A: notes and reports open with B alone", async () => {
    const a = new Keyring([A]);
    const sealString = (text: string, recordId: string, field: string) => encodeSealed(a.seal(text, { recordId, field }));
    // A migrated store in the data directory, from the template (faster than initdb and migrations).
    let store = await (await createStoreTemplate()).open({ dataDir: join(dir, "data") });
    try {
      await store.cases().create(
        { id: "case-r", entityId: "ent-r", subjectKind: "entity", score: 80, lastScore: 80, openedBy: "system", openedReason: "score", openedAt: AT, dueAt: null, assignee: null, firstAlertTs: null, lastAlertTs: null, alertCount: 0 },
        [],
        { caseId: "case-r", actor: "system", action: "case.open", details: {} },
        AT,
      );
      const sealedNote = sealString(NOTE, "note-1", "case.note");
      await store.cases().addNote({ id: "note-1", caseId: "case-r", at: AT, author: "key:analyst", textSealed: sealedNote }, { caseId: "case-r", actor: "key:analyst", action: "case.note", details: {} });
      await store.reports().create({
        id: "rep-1",
        caseId: "case-r",
        tenant: "exa",
        kind: "goaml",
        contentSealed: sealString(REPORT, "rep-1", "report.content"),
        contentSha256: "0".repeat(64),
        typologies: ["structuring"],
        subjects: 1,
        transactions: 2,
        reportNumber: null,
        draftedBy: "key:analyst",
        draftedRole: "analyst",
        draftedAt: AT,
      });
    } finally {
      await store.close();
    }

    const rewrap = io(list(B, A));
    assert.equal(await main(["keys", "rewrap"], rewrap), 0, rewrap.err());

    const b = new Keyring([B]);
    store = await openConfiguredStore(io(list(B)));
    try {
      const [note] = await store.cases().notes(ALL_CASES, "case-r");
      assert.equal(inspectSealed(note!.textSealed).kid, "kb");
      assert.equal(b.openString(note!.textSealed, { recordId: "note-1", field: "case.note" }), NOTE);
      const rep = await store.reports().get(ALL_REPORTS, "rep-1");
      assert.equal(inspectSealed(rep!.contentSealed).kid, "kb");
      assert.equal(b.openString(rep!.contentSealed, { recordId: "rep-1", field: "report.content" }), REPORT);
      const records = await store.auditLog().read(0, await store.auditLog().size());
      const byTarget = Object.fromEntries(records.filter((r) => r.action === "keys.rewrap").map((r) => [r.target, r.details]));
      assert.deepEqual(byTarget.case_notes, { rewrapped: 1, unreadable: 0 });
      assert.deepEqual(byTarget.reports, { rewrapped: 1, unreadable: 0 });
      // Nothing is left under A: B alone finds nothing to do and nothing unreadable.
      assert.deepEqual(await store.cases().rewrapNotes(b), { rewrapped: 0, unreadable: 0 });
      assert.deepEqual(await store.reports().rewrapContents(b), { rewrapped: 0, unreadable: 0 });
      assert.deepEqual(await store.reports().rewrapContents(new Keyring([{ kid: "kc", key: randomBytes(32) }])), { rewrapped: 0, unreadable: 1 }, "a value under a key not held is counted, not lost");
    } finally {
      await store.close();
    }
  });
});
