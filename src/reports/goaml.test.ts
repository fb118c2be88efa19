// goAML STR generation, every report checked by xmllint against the real UNODC schema. All data
// synthetic.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isKanshiError } from "../contracts/errors.ts";
import { generateGoaml, xmlText } from "./goaml.ts";
import { GOAML_COUNTRIES, GOAML_ENUMS } from "./goaml-codes.ts";
import { parseReportInput, type ReportInputJson } from "./input.ts";
import { GOAML_XSD, sampleReportInput, xmllintValidate } from "./testing.ts";

function assertValid(xml: string): void {
  const r = xmllintValidate(xml);
  assert.ok(r.ok, `xmllint rejected the report:\n${r.output}\n---\n${xml.slice(0, 4000)}`);
}

const gen = (json: ReportInputJson, codes?: Record<string, unknown>) => generateGoaml(parseReportInput(json), codes === undefined ? {} : { codes });

/** The text of every `<name>` element, in order. */
const texts = (xml: string, name: string): string[] => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, "g"))].map((m) => m[1]!);

describe("goAML STR", () => {
  it("xmllint really checks: a report missing a required element fails", () => {
    const xml = gen(sampleReportInput()).replace(/<currency_code_local>JPY<\/currency_code_local>/, "");
    const r = xmllintValidate(xml);
    assert.equal(r.ok, false);
    assert.match(r.output, /currency_code_local/);
  });

  it("a full report (persons, corporates, accounts, crypto deposits and withdrawals, yen, trades, transfers abroad) validates", () => {
    const xml = gen(sampleReportInput());
    assertValid(xml);
    assert.deepEqual(texts(xml, "report_code"), ["STR"]);
    assert.deepEqual(texts(xml, "transactionnumber"), ["testex:dep-1", "testex:wd-1", "testex:dep-2", "testex:trade-1", "testex:wd-2", "testex:dep-3", "testex:trade-2", "testex:wd-3"]);
    // Japan time, no offset.
    assert.equal(texts(xml, "date_transaction")[0], "2024-05-11T10:02:03");
    assert.deepEqual(texts(xml, "amount_local").slice(0, 2), ["7500000", "7010000.5"]);
    // The person: family and given name apart, born, resident.
    assert.ok(texts(xml, "last_name").includes("試験"));
    assert.ok(texts(xml, "first_name").includes("一郎"));
    assert.ok(texts(xml, "birthdate").includes("1985-04-01T00:00:00"));
    // The corporate, as t_entity with its corporate number.
    assert.ok(texts(xml, "name").includes("架空商事合同会社"));
    assert.ok(texts(xml, "incorporation_number").includes("9876543210987"));
    // The transfer abroad carries the counterparty's country and VASP.
    assert.ok(texts(xml, "to_country").includes("KY"));
    assert.ok(texts(xml, "institution_name").includes("Offshore Test VASP Ltd."));
    // The crypto asset as a goods item: coins and yen value, tx hash.
    assert.ok(texts(xml, "size").includes("0.75"));
    assert.ok(texts(xml, "size_uom").includes("BTC"));
    assert.ok(texts(xml, "identification_number").includes("a".repeat(64)));
    // The subject with no disclosed name is reported through its account only.
    assert.ok(xml.includes("identity not disclosed; reported by account"));
  });

  it("without any disclosed personal field the report still validates and names nobody", () => {
    const json = sampleReportInput();
    json.subjects = json.subjects.map((s) => ({ kind: s.kind, ref: s.ref }) as ReportInputJson["subjects"][number]);
    const xml = gen(json);
    assertValid(xml);
    for (const secret of ["試験", "架空商事", "1985-04-01", "090-0000-0001", "梅田"]) assert.ok(!xml.includes(secret), `${secret} leaked`);
    assert.equal(texts(xml, "signatory").length, 0);
  });

  it("a report of subjects only (no transactions) is an activity report and validates", () => {
    const xml = gen(sampleReportInput({ transactions: [] }));
    assertValid(xml);
    assert.equal(texts(xml, "transactionnumber").length, 0);
    assert.ok(xml.includes("<activity>"));
  });

  it("awkward values: long address, unsplittable and Latin-only names, foreign phone, unplaceable address, control characters", () => {
    const json = sampleReportInput();
    json.case.reason = "理由\u0001あり\u0007";
    json.subjects = [
      { kind: "person", ref: "p1", name: "単名", address: `東京都港区芝公園4-2-8 ${"長い建物名".repeat(30)}`, phone: "+44 20 7946 0000" },
      { kind: "person", ref: "p2", nameLatin: "YAMADA Taro", address: { line: "somewhere abroad", country: "GB" }, residency: "non_resident" },
      { kind: "corporate", ref: "c1", nameLatin: "Fictional Holdings Pte. Ltd.", address: "不明な場所" },
    ];
    json.accounts = [
      { accountId: "a1", exchange: "testex", holder: "p1" },
      { accountId: "a2", exchange: "testex", holder: "p2" },
      { accountId: "a3", exchange: "testex", holder: "c1" },
    ];
    json.transactions = [
      { id: "t1", kind: "withdrawal", at: "2024-01-01T00:00:00Z", accountId: "a1", channel: "bank", asset: "JPY", amount: "1", valueJpy: "1" },
      { id: "t2", kind: "deposit", at: "2024-01-01T00:00:00Z", accountId: "a2", channel: "bank", asset: "JPY", amount: "1", valueJpy: "1" },
      { id: "t3", kind: "withdrawal", at: "2024-01-01T00:00:00Z", accountId: "a3", channel: "crypto", asset: "XRP", amount: "0.000000000000000001", valueJpy: "0", counterpartyCountry: "ZZ" },
    ];
    const xml = gen(json);
    assertValid(xml);
    assert.ok(!xml.includes("\u0001") && !xml.includes("\u0007"));
    assert.ok(texts(xml, "last_name").includes("YAMADA") && texts(xml, "first_name").includes("Taro"));
    assert.ok(texts(xml, "alias").length === 0);
    assert.ok(texts(xml, "tph_country_prefix").includes("44"));
    // An unknown country code is written as "-" (goAML's unknown).
    assert.ok(texts(xml, "to_country").includes("-"));
  });

  it("writes the FIU's codes it is given and refuses codes the schema does not list", () => {
    const xml = gen(sampleReportInput(), { transmodeCrypto: "AB", itemCryptoAsset: "V", indicators: { "rapid-movement": "-" } });
    assertValid(xml);
    assert.ok(texts(xml, "transmode_code").includes("AB"));
    assert.ok(texts(xml, "item_type").includes("V"));
    assert.throws(
      () => gen(sampleReportInput(), { fundsCrypto: "ZZZ" }),
      (e: unknown) => isKanshiError(e) && e.kind === "bad_input" && e.path === "goaml codes.fundsCrypto",
    );
  });

  it("refuses an input it cannot report, naming the place", () => {
    const json = sampleReportInput();
    json.transactions[1]!.valueJpy = "abc";
    assert.throws(() => parseReportInput(json), (e: unknown) => isKanshiError(e) && e.path === "transactions[1].valueJpy");
    const noCity = sampleReportInput();
    noCity.reportingEntity = { ...noCity.reportingEntity, headOffice: { line: "no place known" } };
    assert.throws(() => gen(noCity), (e: unknown) => isKanshiError(e) && e.path === "reportingEntity.headOffice.city");
    const empty = sampleReportInput({ transactions: [] });
    empty.subjects = [{ kind: "person", ref: "nobody" }];
    empty.accounts = [];
    assert.throws(() => gen(empty), (e: unknown) => isKanshiError(e) && e.path === "transactions");
  });

  it("property: any mix of disclosed fields and transaction shapes gives a valid report", () => {
    const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    const word = fc.constantFrom("山田", "太郎", "Ａｂｃ", "O'Brien", "<&>", "ﾃｽﾄ", "𠮷野");
    const person = fc.record({
      name: maybe(fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(" "))),
      nameLatin: maybe(fc.constantFrom("Taro YAMADA", "Hanako", "LEE Min")),
      nameKana: maybe(fc.constant("ヤマダ タロウ")),
      dateOfBirth: maybe(fc.constantFrom("1950-01-31", "2000-12-01")),
      nationality: maybe(fc.constantFrom("JP", "US", "ZZ")),
      residency: maybe(fc.constantFrom("citizen", "resident_foreigner", "non_resident") as fc.Arbitrary<"citizen" | "resident_foreigner" | "non_resident">),
      address: maybe(fc.constantFrom("東京都新宿区西新宿2-8-1", "京都府京都市中京区寺町通御池上る上本能寺前町488", "unknown place")),
      phone: maybe(fc.constantFrom("03-1234-5678", "+81 90 1111 2222", "+819011112222", "12345")),
      email: maybe(fc.constant("x@example.invalid")),
      occupation: maybe(fc.constant("自営業")),
      purpose: maybe(fc.constant("投資")),
    });
    const tx = fc.record({
      kind: fc.constantFrom("deposit", "withdrawal", "buy", "sell") as fc.Arbitrary<"deposit" | "withdrawal" | "buy" | "sell">,
      crypto: fc.boolean(),
      amount: fc.bigInt({ min: 1n, max: 10n ** 24n }),
      value: fc.bigInt({ min: 0n, max: 10n ** 30n }),
      address: maybe(fc.constant("addr-synthetic")),
      vasp: maybe(fc.constant("Some VASP")),
      country: maybe(fc.constantFrom("JP", "SG", "KP", "ZZ")),
      hash: maybe(fc.constant("f".repeat(64))),
    });
    const dec = (units: bigint) => {
      const s = units.toString().padStart(19, "0");
      return `${s.slice(0, -18).replace(/^0+(?=\d)/, "")}.${s.slice(-18)}`.replace(/\.?0+$/, "") || "0";
    };
    fc.assert(
      fc.property(fc.array(person, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.array(tx, { maxLength: 4 }), (people, corporate, txs) => {
        const json = sampleReportInput();
        json.subjects = people.map((p, i) => {
          const clean = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
          return corporate && i === 0 ? { kind: "corporate" as const, ref: `s${i}`, ...(p.name ? { name: p.name } : {}) } : { kind: "person" as const, ref: `s${i}`, ...clean };
        });
        json.accounts = people.map((_, i) => ({ accountId: `acc-${i}`, exchange: "testex", holder: `s${i}` }));
        json.transactions = txs.map((t, i) => {
          const trade = t.kind === "buy" || t.kind === "sell";
          const asset = trade || t.crypto ? "BTC" : "JPY";
          const amount = dec(t.amount);
          return {
            id: `tx-${i}`,
            kind: t.kind,
            at: "2024-03-01T12:00:00+09:00",
            accountId: `acc-${i % people.length}`,
            channel: trade ? ("internal" as const) : t.crypto ? ("crypto" as const) : ("bank" as const),
            asset,
            amount,
            valueJpy: asset === "JPY" ? amount : dec(t.value),
            ...(t.address && asset !== "JPY" ? { counterpartyAddress: t.address } : {}),
            ...(t.vasp ? { counterpartyVasp: t.vasp } : {}),
            ...(t.country ? { counterpartyCountry: t.country } : {}),
            ...(t.hash ? { txHash: t.hash } : {}),
          };
        });
        const input = parseReportInput(json);
        const xml = generateGoaml(input);
        const r = xmllintValidate(xml);
        if (!r.ok) throw new Error(`${r.output}\n${xml}`);
      }),
      { numRuns: 40, seed: 20240520 },
    );
  });

  it("xmlText drops what XML 1.0 cannot carry and keeps the rest", () => {
    assert.equal(xmlText("a\u0000b\u000Bc\tok\n\uD842\uDFB7\uD800"), "abc\tok\n\uD842\uDFB7");
  });

  it("the code lists match the schema file", () => {
    const xsd = readFileSync(GOAML_XSD, "utf8");
    const enumOf = (name: string): string[] => {
      const start = xsd.indexOf(`<xs:simpleType name="${name}">`);
      assert.ok(start >= 0, `${name} is in the schema`);
      const body = xsd.slice(start, xsd.indexOf("</xs:simpleType>", start));
      return [...body.matchAll(/enumeration value="([^"]*)"/g)].map((m) => m[1]!);
    };
    assert.deepEqual([...GOAML_COUNTRIES].sort(), enumOf("country_type").filter((c) => c !== "-").sort());
    for (const [name, values] of Object.entries(GOAML_ENUMS)) assert.deepEqual([...values], enumOf(name), name);
  });
});
