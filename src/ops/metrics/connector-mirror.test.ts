import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CircuitMetricState, ConnectorMetrics } from "../../net/connector-metrics.js";
import { mirrorConnectorMetrics } from "./connector-mirror.js";
import { GrinderMetrics } from "./grinder-metrics.js";

describe("mirrorConnectorMetrics", () => {
  it("shows the live layer's connector counters on /metrics, as they are at each render", () => {
    const m = new GrinderMetrics({ clock: () => 0 });
    const cm = new ConnectorMetrics();
    mirrorConnectorMetrics(m, cm);
    let text = m.render();
    assert.ok(text.includes('grinder_connector_retries_total{op="none",reason="none"} 0\n'));

    cm.recordRetry("feed_connect", "transient");
    cm.recordRetry("feed_connect", "transient");
    cm.recordRetry("place", "timeout");
    cm.recordIdempotencyHit("place");
    cm.recordIdempotencyConflict("cancel");
    cm.recordIdempotencyMiss("place");
    cm.setCircuitState("place", CircuitMetricState.OPEN);
    cm.recordCircuitRejected("place");
    cm.recordCircuitTrip("place");
    text = m.render();
    for (const line of [
      'grinder_connector_retries_total{op="feed_connect",reason="transient"} 2\n' +
        'grinder_connector_retries_total{op="place",reason="timeout"} 1',
      'grinder_idempotency_hits_total{op="place"} 1',
      'grinder_idempotency_conflicts_total{op="cancel"} 1',
      'grinder_idempotency_misses_total{op="place"} 1',
      'grinder_circuit_state{op="place",state="closed"} 0\n' +
        'grinder_circuit_state{op="place",state="open"} 1\n' +
        'grinder_circuit_state{op="place",state="half_open"} 0',
      'grinder_circuit_rejected_total{op="place"} 1',
      'grinder_circuit_trips_total{op="place",reason="threshold"} 1',
    ])
      assert.ok(text.includes(`${line}\n`), `missing:\n${line}\nin:\n${text}`);

    cm.recordRetry("feed_connect", "transient");
    cm.setCircuitState("place", CircuitMetricState.HALF_OPEN);
    text = m.render();
    assert.ok(
      text.includes('grinder_connector_retries_total{op="feed_connect",reason="transient"} 3\n'),
    );
    assert.ok(text.includes('grinder_circuit_state{op="place",state="half_open"} 1\n'));
  });
});
