import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../core/clock.js";
import { CircuitBreaker, CircuitState, defaultTripOn } from "./circuit-breaker.js";
import { ConnectorMetrics } from "./connector-metrics.js";
import { CircuitOpenError, isCircuitOpenError } from "./errors/circuit-open-error.js";
import { ConnectorNonRetryableError } from "./errors/connector-non-retryable-error.js";
import { ConnectorTimeoutError } from "./errors/connector-timeout-error.js";
import { ConnectorTransientError } from "./errors/connector-transient-error.js";
import { OrderStatusUnknownError } from "./errors/order-status-unknown-error.js";

function make(p: { failureThreshold?: number; successThreshold?: number; probes?: number } = {}) {
  const clock = new ManualClock(0);
  const metrics = new ConnectorMetrics();
  const breaker = new CircuitBreaker(
    {
      failureThreshold: p.failureThreshold ?? 3,
      openIntervalMs: 10_000,
      halfOpenProbeCount: p.probes ?? 1,
      successThreshold: p.successThreshold ?? 1,
    },
    { clock, metrics },
  );
  return { clock, metrics, breaker };
}

describe("CircuitBreaker", () => {
  it("opens after the failure threshold; a success resets the count", () => {
    const { breaker, metrics } = make();
    breaker.recordFailure("place");
    breaker.recordFailure("place");
    breaker.recordSuccess("place");
    breaker.recordFailure("place");
    breaker.recordFailure("place");
    assert.equal(breaker.state("place"), CircuitState.CLOSED);
    breaker.recordFailure("place");
    assert.equal(breaker.state("place"), CircuitState.OPEN);
    assert.equal(metrics.circuitTripCount("place"), 1);
    assert.equal(metrics.circuitStates.get("place"), "open");
  });

  it("rejects while open with a CircuitOpenError, then allows one probe after the interval", () => {
    const { breaker, clock, metrics } = make();
    for (let i = 0; i < 3; i++) breaker.recordFailure("place");
    assert.throws(
      () => breaker.beforeCall("place"),
      (e: unknown) => isCircuitOpenError(e) && e.opName === "place" && e.circuitState === "OPEN",
    );
    clock.advance(9_999);
    assert.equal(breaker.allow("place"), false);
    clock.advance(1);
    assert.equal(breaker.state("place"), CircuitState.HALF_OPEN);
    assert.equal(breaker.allow("place"), true);
    assert.equal(breaker.allow("place"), false);
    assert.throws(
      () => breaker.beforeCall("place"),
      (e: unknown) => isCircuitOpenError(e) && e.circuitState === "HALF_OPEN",
    );
    assert.equal(metrics.circuitRejected.get("place"), 4);
    assert.equal(breaker.stats.rejectedCalls, 4);
  });

  it("half-open success closes, failure reopens (with a fresh cooldown)", () => {
    const { breaker, clock } = make();
    for (let i = 0; i < 3; i++) breaker.recordFailure("cancel");
    clock.advance(10_000);
    assert.ok(breaker.allow("cancel"));
    breaker.recordFailure("cancel");
    assert.equal(breaker.state("cancel"), CircuitState.OPEN);
    clock.advance(5_000);
    assert.equal(breaker.state("cancel"), CircuitState.OPEN);
    clock.advance(5_000);
    assert.ok(breaker.allow("cancel"));
    breaker.recordSuccess("cancel");
    assert.equal(breaker.state("cancel"), CircuitState.CLOSED);
    // OPEN, HALF_OPEN, OPEN, HALF_OPEN, CLOSED
    assert.equal(breaker.stats.stateTransitions, 5);
  });

  it("success threshold and probe count above one", () => {
    const { breaker, clock } = make({ successThreshold: 2, probes: 2 });
    for (let i = 0; i < 3; i++) breaker.recordFailure("place");
    clock.advance(10_000);
    assert.ok(breaker.allow("place"));
    assert.ok(breaker.allow("place"));
    assert.equal(breaker.allow("place"), false);
    breaker.recordSuccess("place");
    assert.equal(breaker.state("place"), CircuitState.HALF_OPEN);
    breaker.recordSuccess("place");
    assert.equal(breaker.state("place"), CircuitState.CLOSED);
  });

  it("operations are independent", () => {
    const { breaker } = make();
    for (let i = 0; i < 3; i++) breaker.recordFailure("place");
    assert.equal(breaker.state("place"), CircuitState.OPEN);
    assert.equal(breaker.state("cancel"), CircuitState.CLOSED);
    assert.ok(breaker.allow("cancel"));
    breaker.reset("place");
    assert.equal(breaker.state("place"), CircuitState.CLOSED);
    breaker.recordFailure("x");
    breaker.reset();
    assert.equal(breaker.stats.failedCalls, 0);
  });

  it("state round-trips through a JSON snapshot", () => {
    const a = make();
    for (let i = 0; i < 3; i++) a.breaker.recordFailure("place");
    a.breaker.recordFailure("cancel");
    const json = JSON.stringify(a.breaker.snapshot());
    const b = make();
    b.breaker.restore(JSON.parse(json));
    assert.equal(b.breaker.state("place"), CircuitState.OPEN);
    assert.equal(b.metrics.circuitStates.get("place"), "open");
    b.breaker.recordFailure("cancel");
    b.breaker.recordFailure("cancel");
    assert.equal(b.breaker.state("cancel"), CircuitState.OPEN);
    assert.deepEqual(b.breaker.snapshot().stats, {
      ...a.breaker.snapshot().stats,
      failedCalls: 6,
      stateTransitions: 2,
    });
    b.clock.advance(10_000);
    assert.equal(b.breaker.state("place"), CircuitState.HALF_OPEN);
  });

  it("default trip rule counts upstream trouble only", () => {
    assert.ok(defaultTripOn(new ConnectorTransientError("503")));
    assert.ok(defaultTripOn(new ConnectorTimeoutError("write", 5000)));
    assert.ok(defaultTripOn(new OrderStatusUnknownError("place", "c", "x")));
    assert.ok(!defaultTripOn(new ConnectorNonRetryableError("400")));
    assert.ok(!defaultTripOn(new CircuitOpenError("place")));
    assert.ok(!defaultTripOn(new Error("x")));
  });
});
