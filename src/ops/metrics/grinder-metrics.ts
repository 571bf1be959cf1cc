/**
 * The grinder's metrics: a registry holding exactly the Metrics Contract v1
 * series, with typed recorders for the engine, the risk layer, HA and the
 * exchange connector. Time comes from an injected clock (epoch milliseconds).
 */

import { ConfigError } from "../../core/errors.js";
import { LatencyHistograms } from "./latency-histograms.js";
import {
  FORBIDDEN_METRIC_LABELS,
  HA_ROLE_VALUES,
  METRICS_CONTRACT_V1,
  type MetricSpec,
  VENUE_HALT_REASON_VALUES,
} from "./metrics-contract.js";
import { Counter, Gauge, MetricsRegistry } from "./prometheus-registry.js";

export type HaRoleLabel = (typeof HA_ROLE_VALUES)[number];
export type CircuitStateLabel = "closed" | "open" | "half_open";

/** Risk values the way the reference hands them to its metrics builder. */
export interface RiskMetricsState {
  readonly killSwitchTriggered: boolean;
  /** Cumulative trips by reason. */
  readonly killSwitchTrips: Readonly<Record<string, number>>;
  readonly drawdownPct: number;
  /** A number or anything with `toNumber()` (a Decimal). */
  readonly highWaterMark: number | { toNumber(): number };
}

export interface GrinderMetricsOptions {
  /** Epoch milliseconds. */
  readonly clock: () => number;
  /** When the process started; defaults to the clock's reading at construction. */
  readonly startedAtMs?: number;
}

export class GrinderMetrics {
  readonly registry = new MetricsRegistry({ forbiddenLabelNames: FORBIDDEN_METRIC_LABELS });
  /** The latency histograms (prom-client), rendered after the contract series. */
  readonly latency = new LatencyHistograms();
  readonly startedAtMs: number;
  private readonly clock: () => number;
  private readonly byName = new Map<string, Counter | Gauge>();

  constructor(opts: GrinderMetricsOptions) {
    this.clock = opts.clock;
    this.startedAtMs = opts.startedAtMs ?? opts.clock();
    for (const spec of METRICS_CONTRACT_V1) this.byName.set(spec.name, this.register(spec));
    this.gauge("grinder_up").set(1);
    this.setHaRole("unknown");
  }

  private register(spec: MetricSpec): Counter | Gauge {
    const opts = {
      name: spec.name,
      help: spec.help,
      labelNames: spec.labels,
      decimals: spec.decimals,
      placeholders: spec.placeholders,
      valueOrder: spec.valueOrder,
    };
    return spec.type === "counter" ? this.registry.counter(opts) : this.registry.gauge(opts);
  }

  /** A contract counter by name. */
  counter(name: string): Counter {
    const m = this.byName.get(name);
    if (!(m instanceof Counter)) throw new ConfigError(`no counter named ${name} in the contract`);
    return m;
  }

  /** A contract gauge by name. */
  gauge(name: string): Gauge {
    const m = this.byName.get(name);
    if (!(m instanceof Gauge)) throw new ConfigError(`no gauge named ${name} in the contract`);
    return m;
  }

  /** Seconds since start by the injected clock. */
  uptimeSeconds(): number {
    return (this.clock() - this.startedAtMs) / 1000;
  }

  setUp(up: boolean): void {
    this.gauge("grinder_up").set(up ? 1 : 0);
  }

  // --- gating ---

  recordGatingAllowed(gate: string): void {
    this.counter("grinder_gating_allowed_total").inc({ gate });
  }

  recordGatingBlocked(gate: string, reason: string): void {
    this.counter("grinder_gating_blocked_total").inc({ gate, reason });
  }

  // --- risk ---

  setKillSwitchTriggered(triggered: boolean): void {
    this.gauge("grinder_kill_switch_triggered").set(triggered ? 1 : 0);
  }

  recordKillSwitchTrip(reason: string): void {
    this.counter("grinder_kill_switch_trips_total").inc({ reason });
  }

  setDrawdownPct(pct: number): void {
    this.gauge("grinder_drawdown_pct").set(pct);
  }

  setHighWaterMark(value: number | { toNumber(): number }): void {
    this.gauge("grinder_high_water_mark").set(typeof value === "number" ? value : value.toNumber());
  }

  /** Set every risk metric at once; trip counts are cumulative totals. */
  setRiskState(state: RiskMetricsState): void {
    this.setKillSwitchTriggered(state.killSwitchTriggered);
    const trips = this.counter("grinder_kill_switch_trips_total");
    for (const [reason, count] of Object.entries(state.killSwitchTrips)) {
      trips.setTotal({ reason }, count);
    }
    this.setDrawdownPct(state.drawdownPct);
    this.setHighWaterMark(state.highWaterMark);
  }

  // --- HA ---

  /** 1 on the current role, 0 on the other two. */
  setHaRole(role: HaRoleLabel): void {
    const g = this.gauge("grinder_ha_role");
    for (const r of HA_ROLE_VALUES) g.set(r === role ? 1 : 0, { role: r });
  }

  // --- connector ---

  recordRetry(op: string, reason: string): void {
    this.counter("grinder_connector_retries_total").inc({ op, reason });
  }

  recordIdempotencyHit(op: string): void {
    this.counter("grinder_idempotency_hits_total").inc({ op });
  }

  recordIdempotencyConflict(op: string): void {
    this.counter("grinder_idempotency_conflicts_total").inc({ op });
  }

  recordIdempotencyMiss(op: string): void {
    this.counter("grinder_idempotency_misses_total").inc({ op });
  }

  /** 1 on the operation's current state, 0 on the other two. */
  setCircuitState(op: string, state: CircuitStateLabel): void {
    const g = this.gauge("grinder_circuit_state");
    for (const s of ["closed", "open", "half_open"] as const)
      g.set(s === state ? 1 : 0, { op, state: s });
  }

  recordCircuitRejected(op: string): void {
    this.counter("grinder_circuit_rejected_total").inc({ op });
  }

  recordCircuitTrip(op: string, reason = "threshold"): void {
    this.counter("grinder_circuit_trips_total").inc({ op, reason });
  }

  /** The venue's write halt now (undefined: writes flow): reason gauge and its end. */
  setVenueHalt(halt: { readonly reason: string; readonly untilMs: number } | undefined): void {
    const g = this.gauge("grinder_venue_halted");
    for (const reason of VENUE_HALT_REASON_VALUES)
      g.set(halt?.reason === reason ? 1 : 0, { reason });
    this.gauge("grinder_venue_halted_until_seconds").set(
      halt === undefined ? 0 : Math.floor(halt.untilMs / 1000),
    );
  }

  /** live_trade's account user data stream (false without one). */
  setUserStreamConnected(connected: boolean): void {
    this.gauge("grinder_user_stream_connected").set(connected ? 1 : 0);
  }

  // --- market-data feed ---

  setFeedConnected(connected: boolean): void {
    this.gauge("grinder_feed_connected").set(connected ? 1 : 0);
  }

  recordFeedSnapshot(): void {
    this.counter("grinder_feed_snapshots_total").inc();
  }

  /** Mirror the feed's cumulative reconnect count. */
  setFeedReconnectsTotal(total: number): void {
    this.counter("grinder_feed_reconnects_total").setTotal({}, total);
  }

  // --- trading loop ---

  recordEngineEvent(): void {
    this.counter("grinder_engine_events_total").inc();
  }

  recordOrdersPlaced(n: number): void {
    if (n > 0) this.counter("grinder_orders_placed_total").inc({}, n);
  }

  recordFills(n: number): void {
    if (n > 0) this.counter("grinder_fills_total").inc({}, n);
  }

  recordTakeover(): void {
    this.counter("grinder_takeovers_total").inc();
  }

  // --- latency (histograms) ---

  observeOrderAckLatency(seconds: number): void {
    this.latency.observeOrderAck(seconds);
  }

  observeTickToOrderLatency(seconds: number): void {
    this.latency.observeTickToOrder(seconds);
  }

  // --- exposition ---

  /** The Metrics Contract series (uptime taken from the clock now). */
  render(): string {
    this.gauge("grinder_uptime_seconds").set(this.uptimeSeconds());
    return this.registry.render();
  }

  /** The `/metrics` body: the contract series, then the latency histograms. */
  async renderAll(): Promise<string> {
    const contract = this.render();
    return `${contract}${await this.latency.render()}`;
  }
}
