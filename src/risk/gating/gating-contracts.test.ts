// Pins the stable names of the gating layer: gate names, reason codes, metric
// names, label keys and the Prometheus text layout. A failure here means a
// breaking change to dashboards, alerts or output schema.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ALL_GATE_NAMES, ALL_GATE_REASONS, GateName, GateReason } from "./gate-codes.js";
import {
  GatingMetrics,
  LABEL_GATE,
  LABEL_REASON,
  METRIC_GATING_ALLOWED,
  METRIC_GATING_BLOCKED,
} from "./gating-metrics.js";

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

test("metric names and label keys are stable", () => {
  assert.equal(METRIC_GATING_ALLOWED, "grinder_gating_allowed_total");
  assert.equal(METRIC_GATING_BLOCKED, "grinder_gating_blocked_total");
  assert.equal(LABEL_GATE, "gate");
  assert.equal(LABEL_REASON, "reason");
});

test("prometheus export layout is stable (empty and populated)", () => {
  const m = new GatingMetrics();
  assert.deepEqual(m.toPrometheusLines(), [
    "# HELP grinder_gating_allowed_total Total allowed gating decisions",
    "# TYPE grinder_gating_allowed_total counter",
    "# HELP grinder_gating_blocked_total Total blocked gating decisions",
    "# TYPE grinder_gating_blocked_total counter",
  ]);
  m.recordAllowed(GateName.RISK_GATE);
  m.recordBlocked(GateName.RATE_LIMITER, GateReason.COOLDOWN_ACTIVE);
  assert.deepEqual(m.toPrometheusLines(), [
    "# HELP grinder_gating_allowed_total Total allowed gating decisions",
    "# TYPE grinder_gating_allowed_total counter",
    'grinder_gating_allowed_total{gate="risk_gate"} 1',
    "# HELP grinder_gating_blocked_total Total blocked gating decisions",
    "# TYPE grinder_gating_blocked_total counter",
    'grinder_gating_blocked_total{gate="rate_limiter",reason="COOLDOWN_ACTIVE"} 1',
  ]);
});
