// The OpenAPI document: valid OpenAPI 3, every operation described with its error responses, public
// ones marked as such, and every documented route exercised by some test.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Validator } from "@seriousme/openapi-schema-validator";
import type { Store } from "../store/ports.ts";
import { createStoreTemplate } from "../store/testing/template.ts";
import type { KanshiApp } from "./app.ts";
import { buildTestApp, testAuditTrail } from "./testing.ts";
import { randomBytes } from "node:crypto";
import { demoReportingProfiles } from "../cli/demo-profiles.ts";
import { buildReportService } from "../cli/report-commands.ts";
import { disclosureServiceFor } from "../disclosure/service.ts";
import { Keyring } from "../privacy/index.ts";
import { testCaseUseCases } from "../cases/testing.ts";

type Operation = { summary?: string; security?: unknown[]; responses: Record<string, unknown> };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; security: unknown[] };

const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];
const PUBLIC = new Set(["GET /healthz", "GET /readyz", "GET /metrics", "POST /v1/session"]);

const here = fileURLToPath(new URL(".", import.meta.url));
const srcDir = join(here, "..");

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

/**
 * Where a test calls `method path`: the path (its `{param}` parts, whole segments or not, matching anything, an
 * interpolation included) in a string or template literal, and for methods other than GET the method
 * named within 300 characters of it (`method: "POST"`) or a helper named for it called with the path (`post(`).
 */
function callSites(method: string, path: string, files: readonly { name: string; text: string }[]): string[] {
  const pattern = path
    .split("/")
    .map((seg) =>
      seg
        .split(/(\{[^}]+\})/)
        .map((part) => (/^\{[^}]+\}$/.test(part) ? "[^/\"'`\\s?]+?" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join(""),
    )
    .join("/");
  const re = new RegExp(`${pattern}(?=["'\`?])`, "g");
  const sites: string[] = [];
  for (const f of files) {
    for (const m of f.text.matchAll(re)) {
      if (method !== "GET") {
        const near = f.text.slice(Math.max(0, m.index - 300), m.index + 300);
        // Named near the path (`method: "POST"`), or the path is the first argument of a helper named for it (`post(\`/v1/…\``).
        const helper = new RegExp(`\\b${method.toLowerCase()}\\w*\\(\\s*["'\`]$`).test(f.text.slice(Math.max(0, m.index - 40), m.index));
        if (!helper && !new RegExp(`["'\`]${method}["'\`]`, "i").test(near)) continue;
      }
      sites.push(f.name);
    }
  }
  return sites;
}

describe("OpenAPI document", () => {
  let store: Store;
  let app: KanshiApp;
  let doc: Doc;
  before(async () => {
    store = await (await createStoreTemplate()).open();
    // Every route module, as `kanshi start` wires them, so the document is the whole API.
    const audit = testAuditTrail(store).trail;
    const keyring = new Keyring([{ kid: "t1", key: randomBytes(32) }]);
    const disclosures = disclosureServiceFor(store, { audit, sealer: keyring });
    const reports = buildReportService({ store, keyring, audit, profiles: demoReportingProfiles(), disclosures });
    const cases = testCaseUseCases(store);
    app = await buildTestApp(store, { audit, disclosures, reports, rules: { store }, cases, pseudonyms: cases.pseudonyms });
    const res = await app.inject({ url: "/openapi.json" });
    assert.equal(res.statusCode, 200);
    doc = res.json() as Doc;
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([m]) => HTTP_METHODS.includes(m))
        .map(([m, op]) => ({ key: `${m.toUpperCase()} ${path}`, method: m.toUpperCase(), path, op })),
    );

  it("validates against the OpenAPI 3 schema", async () => {
    const result = await new Validator().validate(doc as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2)?.slice(0, 2000));
    assert.equal(doc.openapi, "3.0.3");
  });

  it("describes every operation; authenticated ones answer 401/403/429 in the error shape, public ones need no credentials", () => {
    const ops = operations();
    assert.ok(ops.length >= 7, ops.map((o) => o.key).join(", "));
    for (const { key, op } of ops) {
      assert.ok(op.summary, `${key}: summary`);
      if (PUBLIC.has(key)) {
        assert.deepEqual(op.security, [], `${key} is public`);
      } else {
        assert.equal(op.security, undefined, `${key} uses the document's security (API key or session)`);
        for (const status of ["401", "403", "429"]) assert.ok(op.responses[status], `${key}: response ${status}`);
      }
    }
    assert.deepEqual(doc.security, [{ apiKey: [] }, { session: [] }]);
  });

  it("every documented route is called by a test", () => {
    const files = testFiles(srcDir)
      .filter((f) => f !== fileURLToPath(import.meta.url))
      .map((f) => ({ name: relative(srcDir, f), text: readFileSync(f, "utf8") }));
    const untested = operations()
      .filter(({ method, path }) => callSites(method, path, files).length === 0)
      .map((o) => o.key);
    assert.deepEqual(untested, [], `routes no test calls (add a test doing app.inject({ method, url }) for each): ${untested.join(", ")}`);
  });

  it("serves the explorer at /docs, with its assets, without credentials", async () => {
    const page = await app.inject({ url: "/docs" });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger-ui/i);
    const init = await app.inject({ url: "/docs/static/swagger-initializer.js" });
    assert.equal(init.statusCode, 200);
    const bundle = await app.inject({ url: "/docs/static/swagger-ui-bundle.js" });
    assert.equal(bundle.statusCode, 200);
    assert.ok(bundle.body.length > 100_000);
    const json = await app.inject({ url: "/docs/json" });
    assert.deepEqual(Object.keys(json.json().paths).sort(), Object.keys(doc.paths).sort());
  });
});
