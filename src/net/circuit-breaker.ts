/**
 * Per-operation circuit breaker: CLOSED counts consecutive failures, OPEN
 * rejects until the cooldown on the injected clock has passed, HALF_OPEN lets a
 * limited number of probes through (enough successes close it, any failure
 * reopens it). State can be exported and restored (restarts, failover).
 */

import type { Clock } from "../core/clock.js";
import { compareCodePoints } from "../core/strings.js";
import { systemClock } from "./clock.js";
import {
  CircuitMetricState,
  type ConnectorMetrics,
  getConnectorMetrics,
} from "./connector-metrics.js";
import { CircuitOpenError } from "./errors/circuit-open-error.js";
import { isConnectorTimeoutError } from "./errors/connector-timeout-error.js";
import { isConnectorTransientError } from "./errors/connector-transient-error.js";
import { isOrderStatusUnknownError } from "./errors/order-status-unknown-error.js";

export const CircuitState = {
  CLOSED: "CLOSED",
  OPEN: "OPEN",
  HALF_OPEN: "HALF_OPEN",
} as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

export interface CircuitBreakerConfig {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** Time OPEN before probes are allowed. */
  readonly openIntervalMs: number;
  /** Probes allowed in one HALF_OPEN period. */
  readonly halfOpenProbeCount: number;
  /** Consecutive HALF_OPEN successes that close the circuit. */
  readonly successThreshold: number;
  /** Which errors count as failures. */
  readonly tripOn: (error: unknown) => boolean;
}

/**
 * Trips on upstream trouble only: transient errors, timeouts, and writes whose
 * status is unknown after a timeout. Not on 4xx, conflicts or open circuits.
 */
export function defaultTripOn(error: unknown): boolean {
  return (
    isConnectorTransientError(error) ||
    isConnectorTimeoutError(error) ||
    isOrderStatusUnknownError(error)
  );
}

export function makeCircuitBreakerConfig(
  p: Partial<CircuitBreakerConfig> = {},
): CircuitBreakerConfig {
  return Object.freeze({
    failureThreshold: 5,
    openIntervalMs: 30_000,
    halfOpenProbeCount: 1,
    successThreshold: 1,
    tripOn: defaultTripOn,
    ...p,
  });
}

export interface CircuitBreakerStats {
  totalCalls: number;
  successfulCalls: number;
  failedCalls: number;
  rejectedCalls: number;
  stateTransitions: number;
}

export interface OperationCircuitState {
  state: CircuitState;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  openedAtMs: number;
  halfOpenProbes: number;
}

/** Serialisable breaker state (JSON-safe). */
export interface CircuitBreakerSnapshot {
  readonly ops: Readonly<Record<string, Readonly<OperationCircuitState>>>;
  readonly stats: Readonly<CircuitBreakerStats>;
}

const METRIC_STATE: Record<CircuitState, CircuitMetricState> = {
  CLOSED: CircuitMetricState.CLOSED,
  OPEN: CircuitMetricState.OPEN,
  HALF_OPEN: CircuitMetricState.HALF_OPEN,
};

function freshOp(): OperationCircuitState {
  return {
    state: CircuitState.CLOSED,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    openedAtMs: 0,
    halfOpenProbes: 0,
  };
}

function freshStats(): CircuitBreakerStats {
  return {
    totalCalls: 0,
    successfulCalls: 0,
    failedCalls: 0,
    rejectedCalls: 0,
    stateTransitions: 0,
  };
}

export interface CircuitBreakerOptions {
  readonly clock?: Clock;
  readonly metrics?: ConnectorMetrics;
}

export class CircuitBreaker {
  readonly config: CircuitBreakerConfig;
  private readonly clock: Clock;
  private readonly metrics: ConnectorMetrics;
  private ops = new Map<string, OperationCircuitState>();
  private counters = freshStats();

  constructor(config: Partial<CircuitBreakerConfig> = {}, options: CircuitBreakerOptions = {}) {
    this.config = makeCircuitBreakerConfig(config);
    this.clock = options.clock ?? systemClock;
    this.metrics = options.metrics ?? getConnectorMetrics();
  }

  private op(name: string): OperationCircuitState {
    let s = this.ops.get(name);
    if (s === undefined) {
      s = freshOp();
      this.ops.set(name, s);
    }
    return s;
  }

  /** Current state of an operation (moves OPEN -> HALF_OPEN once the cooldown is over). */
  state(opName: string): CircuitState {
    const s = this.op(opName);
    this.maybeHalfOpen(opName, s);
    return s.state;
  }

  /** Whether a call may go ahead; counts the call, and a probe in HALF_OPEN. */
  allow(opName: string): boolean {
    this.counters.totalCalls += 1;
    const s = this.op(opName);
    this.maybeHalfOpen(opName, s);
    if (s.state === CircuitState.CLOSED) return true;
    if (s.state === CircuitState.HALF_OPEN && s.halfOpenProbes < this.config.halfOpenProbeCount) {
      s.halfOpenProbes += 1;
      return true;
    }
    this.counters.rejectedCalls += 1;
    this.metrics.recordCircuitRejected(opName);
    return false;
  }

  /** `allow` that throws CircuitOpenError (non-retryable) when the call is rejected. */
  beforeCall(opName: string): void {
    if (!this.allow(opName)) throw new CircuitOpenError(opName, this.state(opName));
  }

  recordSuccess(opName: string): void {
    this.counters.successfulCalls += 1;
    const s = this.op(opName);
    if (s.state === CircuitState.CLOSED) {
      s.consecutiveFailures = 0;
      return;
    }
    if (s.state === CircuitState.HALF_OPEN) {
      s.consecutiveSuccesses += 1;
      if (s.consecutiveSuccesses >= this.config.successThreshold) this.toClosed(opName, s);
    }
  }

  recordFailure(opName: string, _reason = ""): void {
    this.counters.failedCalls += 1;
    const s = this.op(opName);
    if (s.state === CircuitState.CLOSED) {
      s.consecutiveFailures += 1;
      s.consecutiveSuccesses = 0;
      if (s.consecutiveFailures >= this.config.failureThreshold) this.toOpen(opName, s);
      return;
    }
    if (s.state === CircuitState.HALF_OPEN) this.toOpen(opName, s);
  }

  shouldTrip(error: unknown): boolean {
    return this.config.tripOn(error);
  }

  get stats(): CircuitBreakerStats {
    return { ...this.counters };
  }

  /** Reset one operation, or everything (stats included) when no name is given. */
  reset(opName?: string): void {
    if (opName !== undefined) {
      if (this.ops.has(opName)) this.ops.set(opName, freshOp());
      return;
    }
    this.ops.clear();
    this.counters = freshStats();
  }

  snapshot(): CircuitBreakerSnapshot {
    const ops: Record<string, OperationCircuitState> = {};
    for (const [k, v] of [...this.ops.entries()].sort((a, b) => compareCodePoints(a[0], b[0])))
      ops[k] = { ...v };
    return { ops, stats: { ...this.counters } };
  }

  /** Replace the state with a snapshot (e.g. one read back from disk or another replica). */
  restore(snapshot: CircuitBreakerSnapshot): void {
    this.ops = new Map(Object.entries(snapshot.ops).map(([k, v]) => [k, { ...v }]));
    this.counters = { ...snapshot.stats };
    for (const [k, v] of this.ops) this.metrics.setCircuitState(k, METRIC_STATE[v.state]);
  }

  private maybeHalfOpen(opName: string, s: OperationCircuitState): void {
    if (s.state !== CircuitState.OPEN) return;
    if (this.clock.nowMs() - s.openedAtMs >= this.config.openIntervalMs) {
      s.state = CircuitState.HALF_OPEN;
      s.halfOpenProbes = 0;
      s.consecutiveSuccesses = 0;
      this.counters.stateTransitions += 1;
      this.metrics.setCircuitState(opName, CircuitMetricState.HALF_OPEN);
    }
  }

  private toOpen(opName: string, s: OperationCircuitState): void {
    s.state = CircuitState.OPEN;
    s.openedAtMs = this.clock.nowMs();
    s.halfOpenProbes = 0;
    s.consecutiveSuccesses = 0;
    this.counters.stateTransitions += 1;
    this.metrics.setCircuitState(opName, CircuitMetricState.OPEN);
    this.metrics.recordCircuitTrip(opName, "threshold");
  }

  private toClosed(opName: string, s: OperationCircuitState): void {
    s.state = CircuitState.CLOSED;
    s.consecutiveFailures = 0;
    s.consecutiveSuccesses = 0;
    s.halfOpenProbes = 0;
    this.counters.stateTransitions += 1;
    this.metrics.setCircuitState(opName, CircuitMetricState.CLOSED);
  }
}
