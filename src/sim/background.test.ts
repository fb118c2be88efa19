import { test } from "node:test";
import assert from "node:assert/strict";
import { shapeViolations } from "./background.ts";
import { Markets } from "./market.ts";
import type { PlannedOp } from "./plan-types.ts";
import { HOUR, DAY, SNAPSHOT_INTERVAL } from "./time.ts";

const T0 = Date.parse("2026-11-02T00:00:00+09:00");
const op = (h: number, kind: PlannedOp["kind"], value: number, channel?: "bank" | "crypto"): PlannedOp => ({
  t: T0 + h * HOUR,
  kind,
  asset: channel === "crypto" || kind === "buy" || kind === "sell" ? "BTC" : "JPY",
  amount: String(value),
  value,
  ...(channel !== undefined ? { channel } : {}),
});

test("the background check catches near-structuring, with a margin below the 80% band", () => {
  assert.equal(shapeViolations([op(1, "deposit", 1_550_000, "bank"), op(30, "deposit", 1_900_000, "bank"), op(100, "deposit", 2_000_000, "bank")]).structuring, true);
  assert.equal(shapeViolations([op(1, "deposit", 1_550_000, "bank"), op(30, "deposit", 1_900_000, "bank"), op(200, "deposit", 1_800_000, "bank")]).structuring, false);
  // mixed directions are judged apart
  assert.equal(shapeViolations([op(1, "deposit", 90_000, "crypto"), op(2, "withdrawal", 90_000, "crypto"), op(3, "deposit", 90_000, "crypto")]).structuring, false);
  assert.equal(shapeViolations([op(1, "withdrawal", 76_000, "crypto"), op(2, "withdrawal", 99_000, "crypto"), op(3, "withdrawal", 90_000, "bank")]).structuring, false);
  assert.equal(shapeViolations([op(1, "withdrawal", 76_000, "crypto"), op(2, "withdrawal", 99_000, "crypto"), op(3, "withdrawal", 1_700_000, "bank")]).structuring, true);
});

test("the background check catches near-pass-through, and lets traded money through", () => {
  assert.equal(shapeViolations([op(0, "deposit", 450_000, "bank"), op(25, "withdrawal", 320_000, "crypto")]).passThrough, true);
  assert.equal(shapeViolations([op(0, "deposit", 450_000, "bank"), op(27, "withdrawal", 450_000, "crypto")]).passThrough, false);
  assert.equal(shapeViolations([op(0, "deposit", 1_000_000, "bank"), op(1, "buy", 950_000), op(3, "withdrawal", 900_000, "crypto")]).passThrough, false);
  assert.equal(shapeViolations([op(0, "deposit", 1_000_000, "bank"), op(1, "buy", 100_000), op(3, "withdrawal", 900_000, "crypto")]).passThrough, true);
  assert.equal(shapeViolations([op(0, "deposit", 350_000, "bank"), op(1, "withdrawal", 350_000, "bank")]).passThrough, false);
});

test("market lines: the thinnest reading is below the largest venue's depth line; snapshots are 15 minutes apart", () => {
  const m = new Markets(1, T0, T0 + DAY);
  assert.equal(m.ticks, 96);
  assert.equal(m.tickBefore(T0 + 1), 0);
  assert.equal(m.tickBefore(T0 + SNAPSHOT_INTERVAL), 0, "a snapshot at the same instant is not before");
  assert.equal(m.tickBefore(T0 + SNAPSHOT_INTERVAL + 1), 1);
  for (const a of m.assets) {
    for (const side of ["bid", "ask"] as const) {
      const t = T0 + 5 * HOUR + 7;
      const low = m.lowestLine(a, side, t, 0.05, 0.5);
      const high = m.highestDepthLine(a, side, t, 0.5);
      assert.ok(low > 0 && low <= high, `${a.def.asset} ${side}: ${low} vs ${high}`);
    }
    for (const v of a.venues) for (let k = 0; k < m.ticks; k++) assert.ok(v.mid[k]! > 0 && v.depthBid[k]! > 0 && v.depthAsk[k]! > 0 && v.volume24h[k]! > 0);
  }
  assert.ok(m.askDepthJpy(T0 + HOUR + 1, "min") <= m.askDepthJpy(T0 + HOUR + 1, "max"));
  // thin markets are thin: half their depth is worth well under ¥1,000,000
  for (const a of m.assets.filter((x) => x.def.tier === "thin")) assert.ok(m.highestDepthLine(a, "bid", T0 + HOUR + 1, 0.5) * a.def.price < 2_000_000, a.def.asset);
});
