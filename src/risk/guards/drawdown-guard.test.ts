import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import { DrawdownGuard } from "./drawdown-guard.js";

const d = (s: string): Decimal => Decimal.parse(s);

test("constructor validates capital and threshold with the reference messages", () => {
  assert.throws(() => new DrawdownGuard(d("0")), {
    name: "ConfigError",
    message: "initial_capital must be positive",
  });
  assert.throws(() => new DrawdownGuard(d("-5")), ConfigError);
  for (const bad of [0, -1, 100.5]) {
    assert.throws(() => new DrawdownGuard(d("100"), bad), {
      message: "max_drawdown_pct must be between 0 and 100 (exclusive)",
    });
  }
  const g = new DrawdownGuard(d("100"), 100);
  assert.equal(g.maxDrawdownPct, 100);
  assert.equal(new DrawdownGuard(d("100")).maxDrawdownPct, 5.0);
});

test("tracks the high-water mark and latches at >= threshold", () => {
  // Expected floats computed with the reference implementation.
  const g = new DrawdownGuard(d("10000"), 3.3);
  const out = ["10250.75", "10100", "9912.3", "9912.30", "9912.2", "11000", "9000"].map((e) =>
    canonicalJson(g.update(d(e)).toJson()),
  );
  assert.deepEqual(out, [
    '{"details":null,"drawdown_pct":0.0,"equity":"10250.75","high_water_mark":"10250.75","threshold_pct":3.3,"triggered":false}',
    '{"details":null,"drawdown_pct":1.4706241006755603,"equity":"10100","high_water_mark":"10250.75","threshold_pct":3.3,"triggered":false}',
    '{"details":{"trigger_drawdown_pct":3.3017096310026095,"trigger_equity":"9912.3"},"drawdown_pct":3.3017096310026095,"equity":"9912.3","high_water_mark":"10250.75","threshold_pct":3.3,"triggered":true}',
    '{"details":{"previously_triggered":true,"trigger_drawdown_pct":3.3017096310026095,"trigger_equity":"9912.3"},"drawdown_pct":3.3017096310026095,"equity":"9912.30","high_water_mark":"10250.75","threshold_pct":3.3,"triggered":true}',
    '{"details":{"previously_triggered":true,"trigger_drawdown_pct":3.3017096310026095,"trigger_equity":"9912.3"},"drawdown_pct":3.3026851693778503,"equity":"9912.2","high_water_mark":"10250.75","threshold_pct":3.3,"triggered":true}',
    '{"details":{"previously_triggered":true,"trigger_drawdown_pct":3.3017096310026095,"trigger_equity":"9912.3"},"drawdown_pct":0.0,"equity":"11000","high_water_mark":"11000","threshold_pct":3.3,"triggered":true}',
    '{"details":{"previously_triggered":true,"trigger_drawdown_pct":3.3017096310026095,"trigger_equity":"9912.3"},"drawdown_pct":18.181818181818183,"equity":"9000","high_water_mark":"11000","threshold_pct":3.3,"triggered":true}',
  ]);
});

test("exactly at the threshold triggers, just below does not", () => {
  const g = new DrawdownGuard(d("2000"), 5.0);
  assert.equal(g.update(d("1900.02")).triggered, false);
  const r = g.update(d("1900"));
  assert.equal(r.drawdownPct, 5.0);
  assert.equal(r.triggered, true);
});

test("an equal equity keeps the existing high-water mark (and its exponent)", () => {
  const g = new DrawdownGuard(d("500.0"));
  const r = g.update(d("500.000"));
  assert.equal(r.highWaterMark.toString(), "500.0");
  assert.ok(Object.is(r.drawdownPct, 0));
});

test("reset clears the trigger and restores or replaces the capital", () => {
  const g = new DrawdownGuard(d("1000"), 10);
  g.update(d("1200"));
  g.update(d("1000"));
  assert.equal(g.isTriggered, true);
  g.reset();
  assert.equal(g.isTriggered, false);
  assert.equal(g.highWaterMark.toString(), "1000");
  assert.equal(g.update(d("950")).details, null);
  g.reset(d("40"));
  assert.equal(g.highWaterMark.toString(), "40");
  assert.throws(() => g.reset(d("0")), { message: "initial_capital must be positive" });
  g.reset();
  assert.equal(g.highWaterMark.toString(), "40");
});
