import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson, float } from "../../core/canonical-json.js";
import { KillSwitch, KillSwitchReason } from "./kill-switch.js";

test("reason values are stable", () => {
  assert.deepEqual(Object.values(KillSwitchReason).sort(), ["DRAWDOWN_LIMIT", "ERROR", "MANUAL"]);
});

test("starts untriggered", () => {
  const k = new KillSwitch();
  assert.equal(k.isTriggered, false);
  assert.equal(
    canonicalJson(k.state.toJson()),
    '{"details":null,"reason":null,"triggered":false,"triggered_at_ts":null}',
  );
});

test("trip latches the first reason, ts and details; later trips are no-ops", () => {
  const k = new KillSwitch();
  const s1 = k.trip(KillSwitchReason.DRAWDOWN_LIMIT, 1_700_000_123_456, {
    equity: "9400.5",
    drawdown_pct: float(6.0),
  });
  assert.equal(k.isTriggered, true);
  assert.equal(
    canonicalJson(s1.toJson()),
    '{"details":{"drawdown_pct":6.0,"equity":"9400.5"},"reason":"DRAWDOWN_LIMIT","triggered":true,"triggered_at_ts":1700000123456}',
  );
  const s2 = k.trip(KillSwitchReason.MANUAL, 1_700_000_999_999);
  assert.equal(s2, s1);
  assert.equal(k.state.reason, "DRAWDOWN_LIMIT");
  assert.equal(k.state.triggeredAtTs, 1_700_000_123_456);
});

test("trip without details stores null; reset clears", () => {
  const k = new KillSwitch();
  k.trip(KillSwitchReason.ERROR, 42);
  assert.deepEqual(k.state.toJson(), {
    triggered: true,
    reason: "ERROR",
    triggered_at_ts: 42,
    details: null,
  });
  k.reset();
  assert.equal(k.isTriggered, false);
  assert.equal(k.state.reason, null);
  k.trip(KillSwitchReason.MANUAL, 43);
  assert.equal(k.state.reason, "MANUAL");
});
