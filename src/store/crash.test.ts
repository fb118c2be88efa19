// An acknowledged event survives the process being killed: a child appends to a PGlite data directory
// and is SIGKILLed part-way; every event it acknowledged must be there when the directory is reopened,
// no batch may be half there, and appending everything again must store each event exactly once.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { openStore } from "./open.ts";
import type { AppendOutcome } from "./ports.ts";
import { syntheticEvents, syntheticId } from "./testing/synthetic.ts";

const TOTAL = 100_000;
const BATCH = 1_000;
const KILL_AFTER = 40_000;
const writer = fileURLToPath(new URL("./testing/crash-writer.ts", import.meta.url));

interface Run {
  acked: number;
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Run the writer and SIGKILL it as soon as it has acknowledged at least `killAfter` events. */
function runAndKill(dataDir: string, killAfter: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", writer, dataDir, String(TOTAL), String(BATCH)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let acked = 0;
    let out = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      let nl: number;
      while ((nl = out.indexOf("\n")) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const m = /^acked (\d+)$/.exec(line);
        if (!m) continue;
        acked = Number(m[1]);
        if (acked >= killAfter && child.exitCode === null && !child.killed) child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ acked, signal, code, stderr }));
  });
}

describe("PGlite survives SIGKILL", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "kanshi-crash-test-"));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("keeps every acknowledged event, never half a batch, and stores each event once on re-append", async () => {
    const dataDir = path.join(root, "data");
    const run = await runAndKill(dataDir, KILL_AFTER);
    assert.equal(run.signal, "SIGKILL", `the writer must be killed mid-run (exit code ${run.code}): ${run.stderr}`);
    assert.ok(run.acked >= KILL_AFTER && run.acked < TOTAL, `acked ${run.acked}`);

    const store = await openStore({ dataDir });
    try {
      // Every acknowledged event is there; a batch that committed just before the kill may be there
      // too (its "acked" line was not read), but never part of one.
      const count = await store.countEvents();
      assert.ok(count >= run.acked, `stored ${count} < acknowledged ${run.acked}`);
      assert.equal(count % BATCH, 0, `stored ${count}: a batch was half-written`);
      assert.ok(count <= run.acked + 2 * BATCH, `stored ${count}, far more than acknowledged ${run.acked}`);
      let seen = 0;
      for await (const page of store.scanEvents({ order: "ingest", batchSize: 5_000 })) {
        for (const e of page) {
          assert.equal(e.id, syntheticId(seen), "stored in order, without gaps");
          seen++;
        }
      }
      assert.equal(seen, count);

      // Append all of it again: those already stored are duplicates, the rest are accepted, once.
      for (let start = 0; start < TOTAL; start += BATCH) {
        const out = await store.appendEvents(syntheticEvents(start, BATCH), { atomic: true });
        const expected: AppendOutcome[] = Array.from({ length: BATCH }, (_, i) => (start + i < count ? "duplicate" : "accepted"));
        assert.deepEqual(out, expected, `batch at ${start}`);
      }
      assert.equal(await store.countEvents(), TOTAL);
      const ids = new Set<string>();
      const reference = new Map(syntheticEvents(0, TOTAL).map((e) => [e.id, e.body]));
      for await (const page of store.scanEvents({ batchSize: 10_000 })) {
        for (const e of page) {
          assert.equal(e.body, reference.get(e.id));
          ids.add(e.id);
        }
      }
      assert.equal(ids.size, TOTAL);
    } finally {
      await store.close();
    }
  });
});
