import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAddressLabels, splitCsvLine } from "./reference-data.ts";

test("CSV lines split with RFC 4180 quoting", () => {
  assert.deepEqual(splitCsvLine('0xabc,"Amazon.com, Inc. - Common Token (AMZN)",etherscan-phish-hack-list'), ["0xabc", "Amazon.com, Inc. - Common Token (AMZN)", "etherscan-phish-hack-list"]);
  assert.deepEqual(splitCsvLine('a,"say ""hi""",'), ["a", 'say "hi"', ""]);
});

test("labels are read from ofac/ and forta/, mapped to networks and kinds, deduplicated", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kanshi-ref-"));
  try {
    await mkdir(join(dir, "ofac"));
    await mkdir(join(dir, "forta"));
    await writeFile(join(dir, "ofac", "sanctioned_addresses_XBT.json"), JSON.stringify(["1BitcoinAddr"]));
    await writeFile(join(dir, "ofac", "sanctioned_addresses_USDT.json"), JSON.stringify(["0x1111111111111111111111111111111111111111", "TTronAddr"]));
    await writeFile(join(dir, "ofac", "sanctioned_addresses_BAD.json"), "{not json");
    await writeFile(
      join(dir, "forta", "etherscan_malicious_labels.csv"),
      "banned_address,wallet_tag,data_source\n0x2222222222222222222222222222222222222222,Fake_Phishing1,etherscan-phish-hack-list\n0x3333333333333333333333333333333333333333,\"Exploiter, 1\",etherscan-exploit-list\n",
    );
    await writeFile(join(dir, "forta", "phishing_scams.csv"), "address,etherscan_tag,etherscan_labels,is_contract\n0x2222222222222222222222222222222222222222,dup,phish-hack,False\n0x4444444444444444444444444444444444444444,Fake_Phishing2,phish-hack,False\n");
    const r = loadAddressLabels(dir);
    assert.equal(r.origin, "shared-data");
    const by = new Map(r.labels.map((l) => [l.address, l]));
    assert.equal(by.get("1BitcoinAddr")!.network, "bitcoin");
    assert.equal(by.get("TTronAddr")!.network, "tron");
    assert.equal(by.get("0x1111111111111111111111111111111111111111")!.network, "ethereum");
    assert.equal(by.get("0x3333333333333333333333333333333333333333")!.label, "hack");
    assert.equal(by.get("0x3333333333333333333333333333333333333333")!.entityName, "Exploiter, 1");
    assert.equal(by.get("0x2222222222222222222222222222222222222222")!.entityName, "Fake_Phishing1");
    assert.equal(r.labels.length, 6);
    assert.ok(r.notes.some((n) => /BAD\.json: not valid JSON/.test(n)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a missing folder falls back to the built-in slice, with a note", () => {
  const r = loadAddressLabels("/nonexistent/kanshi-data");
  assert.equal(r.origin, "built-in");
  assert.ok(r.labels.length >= 5);
  assert.ok(r.labels.some((l) => l.label === "sanctioned") && r.labels.some((l) => l.label === "scam"));
  assert.match(r.notes[0]!, /not found/);
});
