import assert from "node:assert/strict";
import { it } from "node:test";
import {
  bracketsBalanced,
  checkExprAgainstContract,
  extractGroupingLabels,
  extractMetricRefs,
} from "./promql-refs.js";

it("extracts metric selectors with their matchers, ignoring functions and durations", () => {
  const refs = extractMetricRefs(
    'sum by (reason) (rate(grinder_gating_blocked_total{gate="toxicity_gate", reason=~"A|B"}[5m])) > 0 and up{job="grinder"} == 1',
  );
  assert.deepEqual(refs, [
    {
      name: "grinder_gating_blocked_total",
      matchers: [
        { label: "gate", op: "=", value: "toxicity_gate" },
        { label: "reason", op: "=~", value: "A|B" },
      ],
    },
    { name: "up", matchers: [{ label: "job", op: "=", value: "grinder" }] },
  ]);
  assert.deepEqual(extractGroupingLabels("sum by (op, reason) (x) / sum without(instance) (y)"), [
    "op",
    "reason",
    "instance",
  ]);
});

it("checks brackets outside strings", () => {
  assert.equal(bracketsBalanced('sum(rate(x{a="(("}[5m]))'), true);
  assert.equal(bracketsBalanced("sum(rate(x[5m])"), false);
  assert.equal(bracketsBalanced("x{a=1]"), false);
});

it("reports unknown metrics, labels, closed-set values and groupings", () => {
  assert.deepEqual(
    checkExprAgainstContract(
      'sum by (gate) (rate(grinder_gating_allowed_total{job="grinder"}[5m]))',
    ),
    [],
  );
  assert.deepEqual(checkExprAgainstContract("grinder_nonexistent > 0"), [
    "unknown metric grinder_nonexistent",
  ]);
  assert.deepEqual(checkExprAgainstContract('grinder_up{symbol="BTC"}'), [
    "grinder_up has no label symbol",
  ]);
  assert.deepEqual(checkExprAgainstContract('grinder_ha_role{role="leader"}'), [
    'grinder_ha_role: role="leader" is not one of active, standby, unknown',
  ]);
  assert.deepEqual(
    checkExprAgainstContract('grinder_gating_blocked_total{reason=~"SPREAD_SPIKE|TYPO"}'),
    [
      'grinder_gating_blocked_total: reason="TYPO" is not one of PASS, RATE_LIMIT_EXCEEDED, COOLDOWN_ACTIVE, MAX_NOTIONAL_EXCEEDED, DAILY_LOSS_LIMIT_EXCEEDED, MAX_ORDERS_EXCEEDED, SPREAD_SPIKE, PRICE_IMPACT_HIGH, KILL_SWITCH_ACTIVE, DRAWDOWN_LIMIT_EXCEEDED',
    ],
  );
  assert.deepEqual(checkExprAgainstContract("sum by (op) (grinder_up)"), [
    "grouping by op, which none of the metrics has",
  ]);
});
