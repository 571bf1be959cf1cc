import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../../core/decimal.js";
import { GateName, GateReason } from "../../risk/gating/gate-codes.js";
import { KillSwitchReason } from "../../risk/guards/kill-switch.js";
import { GrinderMetrics } from "./grinder-metrics.js";
import {
  FORBIDDEN_METRIC_LABELS,
  METRICS_CONTRACT_V1,
  requiredMetricsPatterns,
} from "./metrics-contract.js";

function fresh(nowMs = 1_000_000): { m: GrinderMetrics; setNow: (t: number) => void } {
  let now = nowMs;
  const m = new GrinderMetrics({ clock: () => now, startedAtMs: nowMs });
  return { m, setNow: (t) => (now = t) };
}

describe("Metrics Contract v1", () => {
  it("lists the seed's metrics, then the feed and trading-loop ones, with types and label keys", () => {
    const shape = METRICS_CONTRACT_V1.map((s) => `${s.name}:${s.type}:${s.labels.join(",")}`);
    assert.deepEqual(shape, [
      "grinder_up:gauge:",
      "grinder_uptime_seconds:gauge:",
      "grinder_gating_allowed_total:counter:gate",
      "grinder_gating_blocked_total:counter:gate,reason",
      "grinder_kill_switch_triggered:gauge:",
      "grinder_kill_switch_trips_total:counter:reason",
      "grinder_drawdown_pct:gauge:",
      "grinder_high_water_mark:gauge:",
      "grinder_ha_role:gauge:role",
      "grinder_connector_retries_total:counter:op,reason",
      "grinder_idempotency_hits_total:counter:op",
      "grinder_idempotency_conflicts_total:counter:op",
      "grinder_idempotency_misses_total:counter:op",
      "grinder_circuit_state:gauge:op,state",
      "grinder_circuit_rejected_total:counter:op",
      "grinder_circuit_trips_total:counter:op,reason",
      "grinder_venue_halted:gauge:reason",
      "grinder_venue_halted_until_seconds:gauge:",
      "grinder_user_stream_connected:gauge:",
      "grinder_feed_connected:gauge:",
      "grinder_feed_snapshots_total:counter:",
      "grinder_feed_reconnects_total:counter:",
      "grinder_engine_events_total:counter:",
      "grinder_orders_placed_total:counter:",
      "grinder_fills_total:counter:",
      "grinder_takeovers_total:counter:",
    ]);
    for (const s of METRICS_CONTRACT_V1) {
      assert.equal(
        s.type === "counter",
        s.name.endsWith("_total"),
        `${s.name}: _total iff counter`,
      );
      for (const l of s.labels)
        assert.ok(!FORBIDDEN_METRIC_LABELS.includes(l), `${s.name} uses ${l}`);
    }
  });

  it("takes gate names and reasons from the gating layer's codes", () => {
    const blocked = METRICS_CONTRACT_V1.find((s) => s.name === "grinder_gating_blocked_total");
    assert.deepEqual(blocked?.labelValues?.gate, Object.values(GateName));
    assert.deepEqual(blocked?.labelValues?.reason, Object.values(GateReason));
    const trips = METRICS_CONTRACT_V1.find((s) => s.name === "grinder_kill_switch_trips_total");
    assert.deepEqual(trips?.labelValues?.reason, [...Object.values(KillSwitchReason), "none"]);
  });
});

describe("GrinderMetrics", () => {
  it("renders the complete fresh exposition, byte for byte", () => {
    const { m, setNow } = fresh();
    setNow(1_000_000 + 12_345); // 12.345 s; its binary value lies above the tie: "12.35"
    const text = m.render();
    const expected = [
      "# HELP grinder_up 1 while the grinder process is running",
      "# TYPE grinder_up gauge",
      "grinder_up 1",
      "# HELP grinder_uptime_seconds Seconds since the grinder process started",
      "# TYPE grinder_uptime_seconds gauge",
      "grinder_uptime_seconds 12.35",
      "# HELP grinder_gating_allowed_total Gating decisions that let an order through, by gate",
      "# TYPE grinder_gating_allowed_total counter",
      "# HELP grinder_gating_blocked_total Gating decisions that stopped an order, by gate and reason",
      "# TYPE grinder_gating_blocked_total counter",
      "# HELP grinder_kill_switch_triggered 1 while the kill-switch halts trading, 0 otherwise",
      "# TYPE grinder_kill_switch_triggered gauge",
      "grinder_kill_switch_triggered 0",
      "# HELP grinder_kill_switch_trips_total Kill-switch trips, by reason",
      "# TYPE grinder_kill_switch_trips_total counter",
      'grinder_kill_switch_trips_total{reason="none"} 0',
      "# HELP grinder_drawdown_pct Current drawdown from the equity high-water mark, in percent (0-100)",
      "# TYPE grinder_drawdown_pct gauge",
      "grinder_drawdown_pct 0.00",
      "# HELP grinder_high_water_mark Highest equity seen so far",
      "# TYPE grinder_high_water_mark gauge",
      "grinder_high_water_mark 0.00",
      "# HELP grinder_ha_role HA role of this instance: 1 on the current role, 0 on the others",
      "# TYPE grinder_ha_role gauge",
      'grinder_ha_role{role="active"} 0',
      'grinder_ha_role{role="standby"} 0',
      'grinder_ha_role{role="unknown"} 1',
      "# HELP grinder_connector_retries_total Connector retries, by operation and reason",
      "# TYPE grinder_connector_retries_total counter",
      'grinder_connector_retries_total{op="none",reason="none"} 0',
      "# HELP grinder_idempotency_hits_total Idempotency cache hits (a finished result returned again), by operation",
      "# TYPE grinder_idempotency_hits_total counter",
      'grinder_idempotency_hits_total{op="none"} 0',
      "# HELP grinder_idempotency_conflicts_total Idempotency conflicts (a duplicate of a call still in flight), by operation",
      "# TYPE grinder_idempotency_conflicts_total counter",
      'grinder_idempotency_conflicts_total{op="none"} 0',
      "# HELP grinder_idempotency_misses_total Idempotency cache misses (first call with a key), by operation",
      "# TYPE grinder_idempotency_misses_total counter",
      'grinder_idempotency_misses_total{op="none"} 0',
      "# HELP grinder_circuit_state Circuit breaker state per operation: 1 on the current state, 0 on the others",
      "# TYPE grinder_circuit_state gauge",
      'grinder_circuit_state{op="none",state="closed"} 0',
      'grinder_circuit_state{op="none",state="open"} 0',
      'grinder_circuit_state{op="none",state="half_open"} 0',
      "# HELP grinder_circuit_rejected_total Calls refused by an open circuit breaker, by operation",
      "# TYPE grinder_circuit_rejected_total counter",
      'grinder_circuit_rejected_total{op="none"} 0',
      "# HELP grinder_circuit_trips_total Circuit breaker trips to open, by operation and reason",
      "# TYPE grinder_circuit_trips_total counter",
      'grinder_circuit_trips_total{op="none",reason="none"} 0',
      "# HELP grinder_venue_halted 1 while the exchange venue's writes are halted for this reason (418 ban, 429 back-off), else 0",
      "# TYPE grinder_venue_halted gauge",
      'grinder_venue_halted{reason="ip_ban"} 0',
      'grinder_venue_halted{reason="rate_limit"} 0',
      "# HELP grinder_venue_halted_until_seconds Unix time (seconds) until which the venue's writes are halted; 0 when they are not",
      "# TYPE grinder_venue_halted_until_seconds gauge",
      "grinder_venue_halted_until_seconds 0",
      "# HELP grinder_user_stream_connected 1 while live_trade's account user data stream is connected, 0 while it is down, retrying or not in use",
      "# TYPE grinder_user_stream_connected gauge",
      "grinder_user_stream_connected 0",
      "# HELP grinder_feed_connected 1 while the market-data feed is connected, 0 while it is down, retrying or finished",
      "# TYPE grinder_feed_connected gauge",
      "grinder_feed_connected 0",
      "# HELP grinder_feed_snapshots_total Market-data snapshots received from the feed (on every role, STANDBY included)",
      "# TYPE grinder_feed_snapshots_total counter",
      "grinder_feed_snapshots_total 0",
      "# HELP grinder_feed_reconnects_total Reconnects of the market-data feed (dropped connections and retried connects)",
      "# TYPE grinder_feed_reconnects_total counter",
      "grinder_feed_reconnects_total 0",
      "# HELP grinder_engine_events_total Snapshots the trading engine processed on this instance (journal replays excluded)",
      "# TYPE grinder_engine_events_total counter",
      "grinder_engine_events_total 0",
      "# HELP grinder_orders_placed_total Orders placed by the trading loop (simulated, paper mode only)",
      "# TYPE grinder_orders_placed_total counter",
      "grinder_orders_placed_total 0",
      "# HELP grinder_fills_total Fills of the trading loop's orders (simulated, paper mode only)",
      "# TYPE grinder_fills_total counter",
      "grinder_fills_total 0",
      "# HELP grinder_takeovers_total Times this instance started trading from the journal's state (at start or on becoming ACTIVE)",
      "# TYPE grinder_takeovers_total counter",
      "grinder_takeovers_total 0",
      "",
    ].join("\n");
    assert.equal(text, expected);
    for (const p of requiredMetricsPatterns())
      assert.ok(text.includes(p), `missing ${JSON.stringify(p)}`);
  });

  it("records gating, risk, HA and connector events", () => {
    const { m } = fresh();
    m.recordGatingAllowed("rate_limiter");
    m.recordGatingAllowed("rate_limiter");
    m.recordGatingBlocked("toxicity_gate", "SPREAD_SPIKE");
    m.recordGatingBlocked("risk_gate", "MAX_NOTIONAL_EXCEEDED");
    m.setRiskState({
      killSwitchTriggered: true,
      killSwitchTrips: { DRAWDOWN_LIMIT: 1 },
      drawdownPct: 5.125,
      highWaterMark: Decimal.parse("10250.555"),
    });
    m.setHaRole("active");
    m.recordRetry("place", "transient");
    m.recordIdempotencyHit("place");
    m.recordIdempotencyConflict("cancel");
    m.recordIdempotencyMiss("place");
    m.setCircuitState("place", "half_open");
    m.recordCircuitRejected("place");
    m.recordCircuitTrip("place");
    const text = m.render();
    for (const line of [
      'grinder_gating_allowed_total{gate="rate_limiter"} 2',
      'grinder_gating_blocked_total{gate="risk_gate",reason="MAX_NOTIONAL_EXCEEDED"} 1\n' +
        'grinder_gating_blocked_total{gate="toxicity_gate",reason="SPREAD_SPIKE"} 1',
      "grinder_kill_switch_triggered 1",
      'grinder_kill_switch_trips_total{reason="DRAWDOWN_LIMIT"} 1',
      "grinder_drawdown_pct 5.12", // exact tie 5.125 -> even
      "grinder_high_water_mark 10250.56", // float(Decimal("10250.555")) lies just above the tie
      'grinder_ha_role{role="active"} 1\ngrinder_ha_role{role="standby"} 0\ngrinder_ha_role{role="unknown"} 0',
      'grinder_connector_retries_total{op="place",reason="transient"} 1',
      'grinder_idempotency_hits_total{op="place"} 1',
      'grinder_idempotency_conflicts_total{op="cancel"} 1',
      'grinder_idempotency_misses_total{op="place"} 1',
      'grinder_circuit_state{op="place",state="closed"} 0\n' +
        'grinder_circuit_state{op="place",state="open"} 0\n' +
        'grinder_circuit_state{op="place",state="half_open"} 1',
      'grinder_circuit_rejected_total{op="place"} 1',
      'grinder_circuit_trips_total{op="place",reason="threshold"} 1',
    ]) {
      assert.ok(text.includes(line + "\n"), `missing:\n${line}\nin:\n${text}`);
    }
    assert.ok(!text.includes('reason="none"'), "placeholders gone once real samples exist");
    assert.ok(!text.includes('op="none"'));
  });

  it("records the feed and the trading loop", () => {
    const { m } = fresh();
    m.setFeedConnected(true);
    m.recordFeedSnapshot();
    m.recordFeedSnapshot();
    m.setFeedReconnectsTotal(3);
    m.recordEngineEvent();
    m.recordOrdersPlaced(4);
    m.recordOrdersPlaced(0);
    m.recordFills(2);
    m.recordTakeover();
    const text = m.render();
    for (const line of [
      "grinder_feed_connected 1",
      "grinder_feed_snapshots_total 2",
      "grinder_feed_reconnects_total 3",
      "grinder_engine_events_total 1",
      "grinder_orders_placed_total 4",
      "grinder_fills_total 2",
      "grinder_takeovers_total 1",
    ])
      assert.ok(text.includes(`\n${line}\n`), `missing ${line}`);
    m.setFeedConnected(false);
    assert.ok(m.render().includes("\ngrinder_feed_connected 0\n"));
  });

  it("never emits a forbidden label", () => {
    const { m } = fresh();
    m.recordRetry("place", "timeout");
    const text = m.render();
    for (const l of FORBIDDEN_METRIC_LABELS) assert.ok(!text.includes(`${l}=`), l);
    assert.throws(() => m.counter("grinder_idempotency_hits_total").inc({ op: "x", key: "k" }));
  });

  it("computes uptime from the injected clock", () => {
    const { m, setNow } = fresh(5_000);
    setNow(5_000 + 3_600_250);
    assert.equal(m.uptimeSeconds(), 3600.25);
    assert.ok(m.render().includes("\ngrinder_uptime_seconds 3600.25\n"));
  });
});
