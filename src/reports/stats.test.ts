// Report statistics per exchange, typology and month. All data synthetic.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jstMonth, reportStatistics } from "./stats.ts";

describe("report statistics", () => {
  it("counts per exchange, typology, Japan month and all three", () => {
    const s = reportStatistics([
      { exchange: "ex-b", typologies: ["structuring", "rapid-movement"], at: "2024-05-01T00:00:00+09:00" },
      { exchange: "ex-a", typologies: ["structuring"], at: "2024-04-30T15:00:00Z" }, // 2024-05-01 00:00 in Japan
      { exchange: "ex-a", typologies: [], at: "2024-04-30T14:59:59Z" },
      { exchange: "ex-a", typologies: ["structuring", "structuring"], at: "2024-06-10T00:00:00Z" },
    ]);
    assert.equal(s.total, 4);
    assert.deepEqual(s.byExchange, [
      { exchange: "ex-a", reports: 3 },
      { exchange: "ex-b", reports: 1 },
    ]);
    assert.deepEqual(s.byTypology, [
      { typology: "rapid-movement", reports: 1 },
      { typology: "structuring", reports: 3 },
      { typology: "unspecified", reports: 1 },
    ]);
    assert.deepEqual(s.byMonth, [
      { month: "2024-04", reports: 1 },
      { month: "2024-05", reports: 2 },
      { month: "2024-06", reports: 1 },
    ]);
    assert.deepEqual(s.byExchangeTypologyMonth, [
      { exchange: "ex-a", typology: "structuring", month: "2024-05", reports: 1 },
      { exchange: "ex-a", typology: "structuring", month: "2024-06", reports: 1 },
      { exchange: "ex-a", typology: "unspecified", month: "2024-04", reports: 1 },
      { exchange: "ex-b", typology: "rapid-movement", month: "2024-05", reports: 1 },
      { exchange: "ex-b", typology: "structuring", month: "2024-05", reports: 1 },
    ]);
  });

  it("nothing to count is zero everywhere", () => {
    assert.deepEqual(reportStatistics([]), { total: 0, byExchange: [], byTypology: [], byMonth: [], byExchangeTypologyMonth: [] });
    assert.equal(jstMonth("2023-12-31T15:00:00Z"), "2024-01");
  });
});
