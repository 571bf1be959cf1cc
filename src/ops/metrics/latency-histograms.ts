/**
 * The live loop's latency histograms, on prom-client (`prom-client@15`):
 *
 * - `grinder_order_ack_latency_seconds`: an order's submit to the exchange's
 *   answer (accepted or rejected; retries included);
 * - `grinder_tick_to_order_latency_seconds`: a market snapshot received to
 *   the first order of its tick sent (deciding, journaling and fsync included).
 *
 * They live in a prom-client registry of their own, rendered after the
 * Metrics Contract series (`GrinderMetrics.renderAll`). The contract series
 * stay on grinder's own registry (`prometheus-registry.ts`): their exposition
 * prints values the way the reference does (fixed two decimals, half-even:
 * `grinder_uptime_seconds 12.35`, `grinder_drawdown_pct 0.00`), placeholder
 * series and a declared label order, which prom-client's renderer cannot do
 * (it prints `12.345`, `0`); see docs/ARCHITECTURE.md, "Metrics".
 */

import { Histogram, Registry } from "prom-client";
import { LATENCY_HISTOGRAM_NAMES } from "./metrics-contract.js";

/** Buckets (seconds) of an order's round trip to the exchange. */
export const ORDER_ACK_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Buckets (seconds) from a snapshot received to its first order sent. */
export const TICK_TO_ORDER_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

export class LatencyHistograms {
  readonly registry = new Registry();
  private readonly orderAck = new Histogram({
    name: LATENCY_HISTOGRAM_NAMES[0],
    help: "Seconds from an order's submit to the exchange's answer (live_trade; retries included)",
    buckets: [...ORDER_ACK_BUCKETS],
    registers: [this.registry],
  });
  private readonly tickToOrder = new Histogram({
    name: LATENCY_HISTOGRAM_NAMES[1],
    help: "Seconds from a market snapshot received to the first order of its tick sent (live_trade)",
    buckets: [...TICK_TO_ORDER_BUCKETS],
    registers: [this.registry],
  });

  observeOrderAck(seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.orderAck.observe(seconds);
  }

  observeTickToOrder(seconds: number): void {
    if (Number.isFinite(seconds) && seconds >= 0) this.tickToOrder.observe(seconds);
  }

  /** The histograms in the Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
