import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InjectionLabelSchema } from "../contracts/index.ts";
import { writeSimulation } from "./write.ts";
import { simulate } from "./simulate.ts";

test("writeSimulation writes events, labels, people and a summary whose counts agree", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kanshi-sim-test-"));
  try {
    const opts = { seed: 4, people: 200 };
    const r = await writeSimulation(join(dir, "out"), opts);
    const lines = async (f: string) => (await readFile(f, "utf8")).split("\n").filter((l) => l.length > 0);
    const events = await lines(r.files.events);
    const labels = await lines(r.files.labels);
    const people = await lines(r.files.people);
    assert.equal(events.length, r.events);
    assert.equal(r.events, r.stats.events);
    assert.equal(labels.length, r.labels);
    assert.equal(people.length, r.people);
    assert.ok(r.labels >= 12);
    for (const l of labels) InjectionLabelSchema.parse(JSON.parse(l));
    // the file is the stream, line for line
    const sim = simulate(opts);
    let i = 0;
    for (const e of sim.events) assert.equal(events[i++], JSON.stringify(e));
    assert.equal(i, events.length);
    const summary = JSON.parse(await readFile(r.files.summary, "utf8"));
    assert.equal(summary.stats.events, r.events);
    assert.equal(Object.values(summary.eventsByType as Record<string, number>).reduce((a, b) => a + b, 0), r.events);
    const person = JSON.parse(people[0]!);
    assert.ok(person.personId && person.identity.name && Array.isArray(person.accounts));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
