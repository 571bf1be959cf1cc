import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CircuitMetricState,
  ConnectorMetrics,
  getConnectorMetrics,
  resetConnectorMetrics,
} from "./connector-metrics.js";

describe("ConnectorMetrics", () => {
  it("empty metrics export placeholders for every family", () => {
    assert.deepEqual(new ConnectorMetrics().toPrometheusLines(), [
      "# HELP grinder_connector_retries_total Total retry events by operation and reason",
      "# TYPE grinder_connector_retries_total counter",
      'grinder_connector_retries_total{op="none",reason="none"} 0',
      "# HELP grinder_idempotency_hits_total Total idempotency cache hits by operation",
      "# TYPE grinder_idempotency_hits_total counter",
      'grinder_idempotency_hits_total{op="none"} 0',
      "# HELP grinder_idempotency_conflicts_total Total idempotency conflicts by operation",
      "# TYPE grinder_idempotency_conflicts_total counter",
      'grinder_idempotency_conflicts_total{op="none"} 0',
      "# HELP grinder_idempotency_misses_total Total idempotency misses by operation",
      "# TYPE grinder_idempotency_misses_total counter",
      'grinder_idempotency_misses_total{op="none"} 0',
      "# HELP grinder_circuit_state Circuit breaker state (1=current, 0=other)",
      "# TYPE grinder_circuit_state gauge",
      'grinder_circuit_state{op="none",state="closed"} 0',
      'grinder_circuit_state{op="none",state="open"} 0',
      'grinder_circuit_state{op="none",state="half_open"} 0',
      "# HELP grinder_circuit_rejected_total Total circuit breaker rejections by operation",
      "# TYPE grinder_circuit_rejected_total counter",
      'grinder_circuit_rejected_total{op="none"} 0',
      "# HELP grinder_circuit_trips_total Total circuit breaker trips by operation and reason",
      "# TYPE grinder_circuit_trips_total counter",
      'grinder_circuit_trips_total{op="none",reason="none"} 0',
    ]);
  });

  it("counts sorted by labels", () => {
    const m = new ConnectorMetrics();
    m.recordRetry("place", "transient");
    m.recordRetry("connect", "timeout");
    m.recordRetry("place", "transient");
    m.recordRetry("place", "other");
    m.recordIdempotencyHit("place");
    m.recordIdempotencyConflict("cancel");
    m.recordIdempotencyMiss("replace");
    m.recordIdempotencyMiss("place");
    m.setCircuitState("place", CircuitMetricState.OPEN);
    m.setCircuitState("cancel", CircuitMetricState.HALF_OPEN);
    m.recordCircuitRejected("place");
    m.recordCircuitTrip("place");
    const lines = m.toPrometheusLines().filter((l) => !l.startsWith("#"));
    assert.deepEqual(lines, [
      'grinder_connector_retries_total{op="connect",reason="timeout"} 1',
      'grinder_connector_retries_total{op="place",reason="other"} 1',
      'grinder_connector_retries_total{op="place",reason="transient"} 2',
      'grinder_idempotency_hits_total{op="place"} 1',
      'grinder_idempotency_conflicts_total{op="cancel"} 1',
      'grinder_idempotency_misses_total{op="place"} 1',
      'grinder_idempotency_misses_total{op="replace"} 1',
      'grinder_circuit_state{op="cancel",state="closed"} 0',
      'grinder_circuit_state{op="cancel",state="open"} 0',
      'grinder_circuit_state{op="cancel",state="half_open"} 1',
      'grinder_circuit_state{op="place",state="closed"} 0',
      'grinder_circuit_state{op="place",state="open"} 1',
      'grinder_circuit_state{op="place",state="half_open"} 0',
      'grinder_circuit_rejected_total{op="place"} 1',
      'grinder_circuit_trips_total{op="place",reason="threshold"} 1',
    ]);
  });

  it("shared instance can be reset", () => {
    resetConnectorMetrics();
    const a = getConnectorMetrics();
    a.recordIdempotencyHit("place");
    assert.equal(getConnectorMetrics(), a);
    resetConnectorMetrics();
    assert.notEqual(getConnectorMetrics(), a);
    assert.equal(getConnectorMetrics().idempotencyHits.size, 0);
  });
});
