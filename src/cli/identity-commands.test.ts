import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSyntheticIdentities, normalizeDate } from "../identity/index.ts";
import { main } from "./main.ts";
import { captureIo } from "./testing.ts";

describe("kanshi normalize and resolve", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kanshi-identity-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("normalize address reads standard input and prints the CONTRACT.md parts", async () => {
    const io = captureIo({ cwd: dir, stdin: "大阪府大阪市鶴見区横堤５丁目５番５３号\n" });
    assert.equal(await main(["normalize", "address"], io), 0);
    assert.deepEqual(JSON.parse(io.out()), {
      input: "大阪府大阪市鶴見区横堤５丁目５番５３号",
      prefecture: "大阪府",
      city: "大阪市鶴見区",
      town: "横堤",
      chome: 5,
      block: "5-53",
      building: null,
    });
  });

  it("normalize phone and name read a file, one JSON line per input line", async () => {
    await writeFile(join(dir, "phones.txt"), "０９０－１２３４－５６７８\n+81 3 1234 5678\n");
    const p = captureIo({ cwd: dir });
    assert.equal(await main(["normalize", "phone", "phones.txt"], p), 0);
    assert.deepEqual(p.out().trim().split("\n").map((l) => JSON.parse(l).e164), ["+819012345678", "+81312345678"]);
    const n = captureIo({ cwd: dir, stdin: "渡邊 ユウコ\n" });
    assert.equal(await main(["normalize", "name"], n), 0);
    assert.equal(JSON.parse(n.out()).kanji.startsWith("渡辺"), true);
  });

  it("an unknown kind is bad input", async () => {
    const io = captureIo({ cwd: dir });
    assert.equal(await main(["normalize", "shoe"], io), 1);
    assert.match(io.err(), /kind: expected address, name or phone/);
  });

  it("resolve links records of one person across sources into one entity, one line per record", async () => {
    const data = generateSyntheticIdentities({ seed: 5, people: 600 });
    // The synthetic bureau records write birth dates as bureaus do (1957/8/17); the contract's
    // records carry ISO dates, so convert them as an exporter would.
    const lines = data.records.map((r) => JSON.stringify({ ...r, dateOfBirth: r.dateOfBirth ? (normalizeDate(r.dateOfBirth) ?? undefined) : undefined }));
    lines.splice(3, 0, '{"recordId":"bad","source":"x"}');
    await writeFile(join(dir, "ids.ndjson"), lines.join("\n") + "\n");
    const io = captureIo({ cwd: dir, env: { CI: "true" } });
    assert.equal(await main(["resolve", "ids.ndjson", "--out", "entities.ndjson"], io), 1);
    assert.match(io.err(), /rejected line 4: name: /);
    const out = (await readFile(join(dir, "entities.ndjson"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(out.length, data.records.length);
    assert.deepEqual(Object.keys(out[0]).sort(), ["confidence", "entityId", "recordId"]);
    // Pairwise precision and recall against the synthetic truth.
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const same = data.truth.get(out[i].recordId) === data.truth.get(out[j].recordId);
        const linked = out[i].entityId === out[j].entityId;
        if (same && linked) tp++;
        else if (linked) fp++;
        else if (same) fn++;
      }
    }
    assert.ok(tp / (tp + fp) >= 0.99, `precision ${tp}/${tp + fp}`);
    assert.ok(tp / (tp + fn) >= 0.95, `recall ${tp}/${tp + fn}`);

    // On worker threads (normalisation spread over two threads, in small slices): the same entities.
    const io2 = captureIo({ cwd: dir, env: { CI: "true" } });
    assert.equal(await main(["resolve", "ids.ndjson", "--out", "entities-w.ndjson", "--workers", "2"], io2), 1);
    const threaded = (await readFile(join(dir, "entities-w.ndjson"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(threaded, out);
    const io3 = captureIo({ cwd: dir, env: { CI: "true" } });
    assert.equal(await main(["resolve", "ids.ndjson", "--out", "x.ndjson", "--workers", "many"], io3), 1);
    assert.match(io3.err(), /--workers: expected a whole number of threads/);
  });
});
