import assert from "node:assert/strict";
import { test } from "node:test";
import { GateName, GateReason } from "./gate-codes.js";
import { GatingMetrics, getGatingMetrics, resetGatingMetrics } from "./gating-metrics.js";

function populated(): GatingMetrics {
  const m = new GatingMetrics();
  m.recordBlocked(GateName.TOXICITY_GATE, GateReason.PRICE_IMPACT_HIGH);
  m.recordBlocked(GateName.RISK_GATE, GateReason.MAX_NOTIONAL_EXCEEDED);
  m.recordBlocked(GateName.RISK_GATE, GateReason.DAILY_LOSS_LIMIT_EXCEEDED);
  m.recordBlocked(GateName.RISK_GATE, GateReason.MAX_NOTIONAL_EXCEEDED);
  m.recordAllowed(GateName.TOXICITY_GATE);
  m.recordAllowed(GateName.RATE_LIMITER);
  m.recordAllowed(GateName.TOXICITY_GATE);
  return m;
}

test("counts allowed per gate and blocked per gate and reason", () => {
  const m = populated();
  assert.equal(m.getAllowedCount(GateName.TOXICITY_GATE), 2);
  assert.equal(m.getAllowedCount(GateName.RATE_LIMITER), 1);
  assert.equal(m.getAllowedCount(GateName.RISK_GATE), 0);
  assert.equal(m.getBlockedCount(GateName.RISK_GATE, GateReason.MAX_NOTIONAL_EXCEEDED), 2);
  assert.equal(m.getBlockedCount(GateName.RISK_GATE, GateReason.SPREAD_SPIKE), 0);
  assert.equal(m.getBlockedCount(GateName.RISK_GATE), 3);
  assert.equal(m.getBlockedCount(GateName.RATE_LIMITER), 0);
});

test("getMetrics keys labels as quoted literals in first-seen order", () => {
  const got = populated().getMetrics();
  assert.deepEqual(got, {
    grinder_gating_allowed_total: { "{gate='toxicity_gate'}": 2, "{gate='rate_limiter'}": 1 },
    grinder_gating_blocked_total: {
      "{gate='toxicity_gate',reason='PRICE_IMPACT_HIGH'}": 1,
      "{gate='risk_gate',reason='MAX_NOTIONAL_EXCEEDED'}": 2,
      "{gate='risk_gate',reason='DAILY_LOSS_LIMIT_EXCEEDED'}": 1,
    },
  });
  assert.deepEqual(Object.keys(got.grinder_gating_allowed_total ?? {}), [
    "{gate='toxicity_gate'}",
    "{gate='rate_limiter'}",
  ]);
});

test("prometheus samples are sorted by gate then reason", () => {
  assert.deepEqual(populated().toPrometheusLines(), [
    "# HELP grinder_gating_allowed_total Total allowed gating decisions",
    "# TYPE grinder_gating_allowed_total counter",
    'grinder_gating_allowed_total{gate="rate_limiter"} 1',
    'grinder_gating_allowed_total{gate="toxicity_gate"} 2',
    "# HELP grinder_gating_blocked_total Total blocked gating decisions",
    "# TYPE grinder_gating_blocked_total counter",
    'grinder_gating_blocked_total{gate="risk_gate",reason="DAILY_LOSS_LIMIT_EXCEEDED"} 1',
    'grinder_gating_blocked_total{gate="risk_gate",reason="MAX_NOTIONAL_EXCEEDED"} 2',
    'grinder_gating_blocked_total{gate="toxicity_gate",reason="PRICE_IMPACT_HIGH"} 1',
  ]);
});

test("reset clears every counter", () => {
  const m = populated();
  m.reset();
  assert.equal(m.getAllowedCount(GateName.TOXICITY_GATE), 0);
  assert.equal(m.getBlockedCount(GateName.RISK_GATE), 0);
  assert.equal(m.toPrometheusLines().length, 4);
});

test("the global collector is shared and resettable", () => {
  resetGatingMetrics();
  getGatingMetrics().recordAllowed(GateName.RISK_GATE);
  assert.equal(getGatingMetrics().getAllowedCount(GateName.RISK_GATE), 1);
  resetGatingMetrics();
  assert.equal(getGatingMetrics().getAllowedCount(GateName.RISK_GATE), 0);
});
