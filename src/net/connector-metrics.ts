/**
 * Counters and gauges of the connector hardening layer (retries, idempotency,
 * circuit breaker) with their Prometheus text form. Labels stay low-cardinality:
 * op, reason, state (never a symbol, order id or key).
 */

import { compareCodePoints } from "../core/strings.js";

export const CircuitMetricState = {
  CLOSED: "closed",
  OPEN: "open",
  HALF_OPEN: "half_open",
} as const;
export type CircuitMetricState = (typeof CircuitMetricState)[keyof typeof CircuitMetricState];

const CIRCUIT_METRIC_STATES: readonly CircuitMetricState[] = [
  CircuitMetricState.CLOSED,
  CircuitMetricState.OPEN,
  CircuitMetricState.HALF_OPEN,
];

export const METRIC_RETRIES_TOTAL = "grinder_connector_retries_total";
export const METRIC_IDEMPOTENCY_HITS = "grinder_idempotency_hits_total";
export const METRIC_IDEMPOTENCY_CONFLICTS = "grinder_idempotency_conflicts_total";
export const METRIC_IDEMPOTENCY_MISSES = "grinder_idempotency_misses_total";
export const METRIC_CIRCUIT_STATE = "grinder_circuit_state";
export const METRIC_CIRCUIT_REJECTED = "grinder_circuit_rejected_total";
export const METRIC_CIRCUIT_TRIPS = "grinder_circuit_trips_total";

type PairKey = readonly [string, string];

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function sortedPairs(map: Map<string, number>): [PairKey, number][] {
  return [...map.entries()]
    .map(([k, v]): [PairKey, number] => {
      const i = k.indexOf("\u0000");
      return [[k.slice(0, i), k.slice(i + 1)], v];
    })
    .sort((x, y) => compareCodePoints(x[0][0], y[0][0]) || compareCodePoints(x[0][1], y[0][1]));
}

function sortedSingles<V>(map: Map<string, V>): [string, V][] {
  return [...map.entries()].sort((x, y) => compareCodePoints(x[0], y[0]));
}

export class ConnectorMetrics {
  /** (op, reason) -> retries. */
  readonly retries = new Map<string, number>();
  readonly idempotencyHits = new Map<string, number>();
  readonly idempotencyConflicts = new Map<string, number>();
  readonly idempotencyMisses = new Map<string, number>();
  readonly circuitStates = new Map<string, CircuitMetricState>();
  readonly circuitRejected = new Map<string, number>();
  /** (op, reason) -> trips to OPEN. */
  readonly circuitTrips = new Map<string, number>();

  /** reason: transient | timeout | other. */
  recordRetry(op: string, reason: string): void {
    bump(this.retries, `${op}\u0000${reason}`);
  }

  retryCount(op: string, reason: string): number {
    return this.retries.get(`${op}\u0000${reason}`) ?? 0;
  }

  recordIdempotencyHit(op: string): void {
    bump(this.idempotencyHits, op);
  }

  recordIdempotencyConflict(op: string): void {
    bump(this.idempotencyConflicts, op);
  }

  recordIdempotencyMiss(op: string): void {
    bump(this.idempotencyMisses, op);
  }

  setCircuitState(op: string, state: CircuitMetricState): void {
    this.circuitStates.set(op, state);
  }

  recordCircuitRejected(op: string): void {
    bump(this.circuitRejected, op);
  }

  recordCircuitTrip(op: string, reason = "threshold"): void {
    bump(this.circuitTrips, `${op}\u0000${reason}`);
  }

  circuitTripCount(op: string, reason = "threshold"): number {
    return this.circuitTrips.get(`${op}\u0000${reason}`) ?? 0;
  }

  /** Prometheus exposition lines; every family appears, with a "none" placeholder when empty. */
  toPrometheusLines(): string[] {
    const lines: string[] = [];
    const family = (name: string, help: string, type: "counter" | "gauge"): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };

    family(METRIC_RETRIES_TOTAL, "Total retry events by operation and reason", "counter");
    if (this.retries.size > 0) {
      for (const [[op, reason], n] of sortedPairs(this.retries))
        lines.push(`${METRIC_RETRIES_TOTAL}{op="${op}",reason="${reason}"} ${n}`);
    } else lines.push(`${METRIC_RETRIES_TOTAL}{op="none",reason="none"} 0`);

    const singles: [string, string, Map<string, number>][] = [
      [METRIC_IDEMPOTENCY_HITS, "Total idempotency cache hits by operation", this.idempotencyHits],
      [
        METRIC_IDEMPOTENCY_CONFLICTS,
        "Total idempotency conflicts by operation",
        this.idempotencyConflicts,
      ],
      [METRIC_IDEMPOTENCY_MISSES, "Total idempotency misses by operation", this.idempotencyMisses],
    ];
    for (const [name, help, map] of singles) {
      family(name, help, "counter");
      if (map.size > 0) {
        for (const [op, n] of sortedSingles(map)) lines.push(`${name}{op="${op}"} ${n}`);
      } else lines.push(`${name}{op="none"} 0`);
    }

    family(METRIC_CIRCUIT_STATE, "Circuit breaker state (1=current, 0=other)", "gauge");
    if (this.circuitStates.size > 0) {
      for (const [op, current] of sortedSingles(this.circuitStates))
        for (const s of CIRCUIT_METRIC_STATES)
          lines.push(`${METRIC_CIRCUIT_STATE}{op="${op}",state="${s}"} ${s === current ? 1 : 0}`);
    } else {
      for (const s of CIRCUIT_METRIC_STATES)
        lines.push(`${METRIC_CIRCUIT_STATE}{op="none",state="${s}"} 0`);
    }

    family(METRIC_CIRCUIT_REJECTED, "Total circuit breaker rejections by operation", "counter");
    if (this.circuitRejected.size > 0) {
      for (const [op, n] of sortedSingles(this.circuitRejected))
        lines.push(`${METRIC_CIRCUIT_REJECTED}{op="${op}"} ${n}`);
    } else lines.push(`${METRIC_CIRCUIT_REJECTED}{op="none"} 0`);

    family(METRIC_CIRCUIT_TRIPS, "Total circuit breaker trips by operation and reason", "counter");
    if (this.circuitTrips.size > 0) {
      for (const [[op, reason], n] of sortedPairs(this.circuitTrips))
        lines.push(`${METRIC_CIRCUIT_TRIPS}{op="${op}",reason="${reason}"} ${n}`);
    } else lines.push(`${METRIC_CIRCUIT_TRIPS}{op="none",reason="none"} 0`);

    return lines;
  }
}

let shared: ConnectorMetrics | undefined;

/** The process-wide metrics instance that components use unless one is injected. */
export function getConnectorMetrics(): ConnectorMetrics {
  shared ??= new ConnectorMetrics();
  return shared;
}

/** Drop the process-wide instance (tests). */
export function resetConnectorMetrics(): void {
  shared = undefined;
}
