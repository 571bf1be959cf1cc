// Pins the stable names of the gating layer: gate names and reason codes. A
// failure here means a breaking change to dashboards, alerts or output schema.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ALL_GATE_NAMES, ALL_GATE_REASONS, GateName, GateReason } from "./gate-codes.js";

test("gate names are exactly the contracted set", () => {
  assert.deepEqual([...ALL_GATE_NAMES].sort(), ["rate_limiter", "risk_gate", "toxicity_gate"]);
  assert.equal(GateName.RATE_LIMITER, "rate_limiter");
  assert.equal(GateName.RISK_GATE, "risk_gate");
  assert.equal(GateName.TOXICITY_GATE, "toxicity_gate");
});

test("gate reasons are exactly the contracted set and each value equals its key", () => {
  assert.deepEqual([...ALL_GATE_REASONS].sort(), [
    "COOLDOWN_ACTIVE",
    "DAILY_LOSS_LIMIT_EXCEEDED",
    "DRAWDOWN_LIMIT_EXCEEDED",
    "KILL_SWITCH_ACTIVE",
    "MAX_NOTIONAL_EXCEEDED",
    "MAX_ORDERS_EXCEEDED",
    "PASS",
    "PRICE_IMPACT_HIGH",
    "RATE_LIMIT_EXCEEDED",
    "SPREAD_SPIKE",
  ]);
  for (const [key, value] of Object.entries(GateReason)) assert.equal(value, key);
});
