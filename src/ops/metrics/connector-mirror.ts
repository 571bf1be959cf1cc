/**
 * Copy the live layer's connector counters (retries, idempotency, circuit
 * breaker; `net/connector-metrics.ts`) into the contract metrics before
 * every `/metrics` render, so whatever the connectors record shows up there.
 */

import { CircuitMetricState, type ConnectorMetrics } from "../../net/connector-metrics.js";
import type { CircuitStateLabel, GrinderMetrics } from "./grinder-metrics.js";

const SEP = "\u0000";

function pair(key: string): [string, string] {
  const i = key.indexOf(SEP);
  return i < 0 ? [key, ""] : [key.slice(0, i), key.slice(i + 1)];
}

const CIRCUIT_LABEL: Readonly<Record<CircuitMetricState, CircuitStateLabel>> = {
  [CircuitMetricState.CLOSED]: "closed",
  [CircuitMetricState.OPEN]: "open",
  [CircuitMetricState.HALF_OPEN]: "half_open",
};

/** Register a collector on `metrics` that mirrors `source` at every render. */
export function mirrorConnectorMetrics(metrics: GrinderMetrics, source: ConnectorMetrics): void {
  metrics.registry.addCollector(() => {
    const retries = metrics.counter("grinder_connector_retries_total");
    for (const [k, n] of source.retries) {
      const [op, reason] = pair(k);
      retries.setTotal({ op, reason }, n);
    }
    const singles: [string, ReadonlyMap<string, number>][] = [
      ["grinder_idempotency_hits_total", source.idempotencyHits],
      ["grinder_idempotency_conflicts_total", source.idempotencyConflicts],
      ["grinder_idempotency_misses_total", source.idempotencyMisses],
      ["grinder_circuit_rejected_total", source.circuitRejected],
    ];
    for (const [name, map] of singles) {
      const c = metrics.counter(name);
      for (const [op, n] of map) c.setTotal({ op }, n);
    }
    for (const [op, state] of source.circuitStates)
      metrics.setCircuitState(op, CIRCUIT_LABEL[state]);
    const trips = metrics.counter("grinder_circuit_trips_total");
    for (const [k, n] of source.circuitTrips) {
      const [op, reason] = pair(k);
      trips.setTotal({ op, reason }, n);
    }
  });
}
