// The one golden-fixture harness: every `typologies/<id>/fixtures/*.json` is a case. Its events are
// replayed through that typology (with the fixture's `configs` overrides, if any) and the alerts
// must be exactly `expected` (typology, subject, accounts, evidence, in order). A new case is a new file.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { AlertSchema } from "../contracts/index.ts";
import { detect, defaultRegistry } from "./index.ts";
import { shuffle, toEvents } from "./testkit.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "typologies");

const FixtureSchema = z.strictObject({
  description: z.string().min(10),
  configs: z.record(z.string(), z.unknown()).optional(),
  events: z.array(z.unknown()).min(1),
  expected: z.array(
    z.strictObject({
      typology: z.string(),
      subject: z.strictObject({ kind: z.enum(["account", "entity", "address", "market"]), id: z.string() }),
      accounts: z.array(z.string()),
      evidence: z.array(z.string()).min(1),
      explanationIncludes: z.array(z.string()).optional(),
    }),
  ),
});

const folders = readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory()).sort();

test("every registered typology has a folder with hit and near-miss fixtures", () => {
  for (const id of defaultRegistry.ids()) {
    assert.ok(folders.includes(id), `typologies/${id}/ is missing`);
    const files = readdirSync(join(root, id, "fixtures")).filter((f) => f.endsWith(".json"));
    const cases = files.map((f) => FixtureSchema.parse(JSON.parse(readFileSync(join(root, id, "fixtures", f), "utf8"))));
    assert.ok(cases.some((c) => c.expected.length > 0), `${id}: no fixture with a hit`);
    assert.ok(cases.some((c) => c.expected.length === 0), `${id}: no near-miss fixture (expected [])`);
  }
});

for (const folder of folders) {
  const dir = join(root, folder, "fixtures");
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  } catch {
    continue;
  }
  for (const file of files) {
    test(`fixture ${folder}/${file}`, () => {
      const fx = FixtureSchema.parse(JSON.parse(readFileSync(join(dir, file), "utf8")));
      assert.ok(defaultRegistry.has(folder), `folder ${folder} is not a registered typology`);
      const events = toEvents(fx.events, `${folder}/${file} events`);
      const opts = { typologies: [folder], ...(fx.configs ? { configs: fx.configs } : {}) };
      const alerts = detect(events, opts);
      for (const a of alerts) AlertSchema.parse(a);
      const got = alerts.map((a) => ({ typology: a.typology, subject: a.subject, accounts: a.accounts, evidence: a.evidence }));
      const want = fx.expected.map(({ explanationIncludes: _, ...rest }) => rest);
      assert.deepEqual(got, want, fx.description);
      fx.expected.forEach((x, i) => {
        for (const s of x.explanationIncludes ?? []) assert.ok(alerts[i]!.explanation.includes(s), `alert ${i}: explanation lacks ${JSON.stringify(s)}: ${alerts[i]!.explanation}`);
      });
      // The same events in another order give the very same alerts, ids included.
      assert.deepEqual(detect(shuffle(events, 7), opts), alerts);
    });
  }
}
