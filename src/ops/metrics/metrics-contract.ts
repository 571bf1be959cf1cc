/**
 * Metrics Contract v1: every series `/metrics` exports, as data. The names,
 * types and label keys are a stable interface (dashboards, alert rules and
 * tests read them from here); renaming one is a breaking change.
 */

import { GateName, GateReason } from "../../risk/gating/gate-codes.js";
import { KillSwitchReason } from "../../risk/guards/kill-switch.js";
import type { Labels, MetricType } from "./prometheus-registry.js";

export type MetricGroup = "system" | "gating" | "risk" | "ha" | "connector" | "feed" | "trading";

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  readonly group: MetricGroup;
  /** Known values of closed label sets (enums); open labels such as `op` are absent. */
  readonly labelValues?: Readonly<Record<string, readonly string[]>>;
  /** Series shown with value 0 until the first real sample. */
  readonly placeholders?: readonly Labels[];
  /** Digits after the point in the exposition (the reference prints these with 2). */
  readonly decimals?: number;
  /** Declaration order of enum-like label values, used to order samples. */
  readonly valueOrder?: Readonly<Record<string, readonly string[]>>;
}

/** HA roles as label values, in declaration order. */
export const HA_ROLE_VALUES = ["active", "standby", "unknown"] as const;

/** Circuit breaker states as label values, in declaration order. */
export const CIRCUIT_STATE_VALUES = ["closed", "open", "half_open"] as const;

/** Retry / trip reason categories of the connector metrics. */
export const CONNECTOR_REASON_VALUES = ["transient", "timeout", "other", "threshold"] as const;

/** Why a venue's writes are halted: a 418 IP ban, or a 429 back-off. */
export const VENUE_HALT_REASON_VALUES = ["ip_ban", "rate_limit"] as const;

/** Placeholder label value used before a labelled metric has its first sample. */
export const PLACEHOLDER_LABEL_VALUE = "none";

/** Label keys that must never appear on any series (cardinality guard). */
export const FORBIDDEN_METRIC_LABELS: readonly string[] = [
  "symbol",
  "order_id",
  "key",
  "client_id",
  "idempotency_key",
];

const NONE = PLACEHOLDER_LABEL_VALUE;

export const METRICS_CONTRACT_V1: readonly MetricSpec[] = [
  {
    name: "grinder_up",
    type: "gauge",
    help: "1 while the grinder process is running",
    labels: [],
    group: "system",
  },
  {
    name: "grinder_uptime_seconds",
    type: "gauge",
    help: "Seconds since the grinder process started",
    labels: [],
    group: "system",
    decimals: 2,
  },
  {
    name: "grinder_gating_allowed_total",
    type: "counter",
    help: "Gating decisions that let an order through, by gate",
    labels: ["gate"],
    group: "gating",
    labelValues: { gate: Object.values(GateName) },
  },
  {
    name: "grinder_gating_blocked_total",
    type: "counter",
    help: "Gating decisions that stopped an order, by gate and reason",
    labels: ["gate", "reason"],
    group: "gating",
    labelValues: { gate: Object.values(GateName), reason: Object.values(GateReason) },
  },
  {
    name: "grinder_kill_switch_triggered",
    type: "gauge",
    help: "1 while the kill-switch halts trading, 0 otherwise",
    labels: [],
    group: "risk",
  },
  {
    name: "grinder_kill_switch_trips_total",
    type: "counter",
    help: "Kill-switch trips, by reason",
    labels: ["reason"],
    group: "risk",
    labelValues: { reason: [...Object.values(KillSwitchReason), NONE] },
    placeholders: [{ reason: NONE }],
  },
  {
    name: "grinder_drawdown_pct",
    type: "gauge",
    help: "Current drawdown from the equity high-water mark, in percent (0-100)",
    labels: [],
    group: "risk",
    decimals: 2,
  },
  {
    name: "grinder_high_water_mark",
    type: "gauge",
    help: "Highest equity seen so far",
    labels: [],
    group: "risk",
    decimals: 2,
  },
  {
    name: "grinder_ha_role",
    type: "gauge",
    help: "HA role of this instance: 1 on the current role, 0 on the others",
    labels: ["role"],
    group: "ha",
    labelValues: { role: HA_ROLE_VALUES },
    valueOrder: { role: HA_ROLE_VALUES },
  },
  {
    name: "grinder_connector_retries_total",
    type: "counter",
    help: "Connector retries, by operation and reason",
    labels: ["op", "reason"],
    group: "connector",
    labelValues: { reason: [...CONNECTOR_REASON_VALUES, NONE] },
    placeholders: [{ op: NONE, reason: NONE }],
  },
  {
    name: "grinder_idempotency_hits_total",
    type: "counter",
    help: "Idempotency cache hits (a finished result returned again), by operation",
    labels: ["op"],
    group: "connector",
    placeholders: [{ op: NONE }],
  },
  {
    name: "grinder_idempotency_conflicts_total",
    type: "counter",
    help: "Idempotency conflicts (a duplicate of a call still in flight), by operation",
    labels: ["op"],
    group: "connector",
    placeholders: [{ op: NONE }],
  },
  {
    name: "grinder_idempotency_misses_total",
    type: "counter",
    help: "Idempotency cache misses (first call with a key), by operation",
    labels: ["op"],
    group: "connector",
    placeholders: [{ op: NONE }],
  },
  {
    name: "grinder_circuit_state",
    type: "gauge",
    help: "Circuit breaker state per operation: 1 on the current state, 0 on the others",
    labels: ["op", "state"],
    group: "connector",
    labelValues: { state: CIRCUIT_STATE_VALUES },
    valueOrder: { state: CIRCUIT_STATE_VALUES },
    placeholders: CIRCUIT_STATE_VALUES.map((state) => ({ op: NONE, state })),
  },
  {
    name: "grinder_circuit_rejected_total",
    type: "counter",
    help: "Calls refused by an open circuit breaker, by operation",
    labels: ["op"],
    group: "connector",
    placeholders: [{ op: NONE }],
  },
  {
    name: "grinder_circuit_trips_total",
    type: "counter",
    help: "Circuit breaker trips to open, by operation and reason",
    labels: ["op", "reason"],
    group: "connector",
    labelValues: { reason: [...CONNECTOR_REASON_VALUES, NONE] },
    placeholders: [{ op: NONE, reason: NONE }],
  },
  {
    name: "grinder_venue_halted",
    type: "gauge",
    help: "1 while the exchange venue's writes are halted for this reason (418 ban, 429 back-off), else 0",
    labels: ["reason"],
    group: "connector",
    labelValues: { reason: [...VENUE_HALT_REASON_VALUES] },
    placeholders: VENUE_HALT_REASON_VALUES.map((reason) => ({ reason })),
    valueOrder: { reason: [...VENUE_HALT_REASON_VALUES] },
  },
  {
    name: "grinder_venue_halted_until_seconds",
    type: "gauge",
    help: "Unix time (seconds) until which the venue's writes are halted; 0 when they are not",
    labels: [],
    group: "connector",
  },
  {
    name: "grinder_user_stream_connected",
    type: "gauge",
    help: "1 while live_trade's account user data stream is connected, 0 while it is down, retrying or not in use",
    labels: [],
    group: "connector",
  },
  {
    name: "grinder_feed_connected",
    type: "gauge",
    help: "1 while the market-data feed is connected, 0 while it is down, retrying or finished",
    labels: [],
    group: "feed",
  },
  {
    name: "grinder_feed_snapshots_total",
    type: "counter",
    help: "Market-data snapshots received from the feed (on every role, STANDBY included)",
    labels: [],
    group: "feed",
  },
  {
    name: "grinder_feed_reconnects_total",
    type: "counter",
    help: "Reconnects of the market-data feed (dropped connections and retried connects)",
    labels: [],
    group: "feed",
  },
  {
    name: "grinder_engine_events_total",
    type: "counter",
    help: "Snapshots the trading engine processed on this instance (journal replays excluded)",
    labels: [],
    group: "trading",
  },
  {
    name: "grinder_orders_placed_total",
    type: "counter",
    help: "Orders placed by the trading loop (simulated, paper mode only)",
    labels: [],
    group: "trading",
  },
  {
    name: "grinder_fills_total",
    type: "counter",
    help: "Fills of the trading loop's orders (simulated, paper mode only)",
    labels: [],
    group: "trading",
  },
  {
    name: "grinder_takeovers_total",
    type: "counter",
    help: "Times this instance started trading from the journal's state (at start or on becoming ACTIVE)",
    labels: [],
    group: "trading",
  },
];

/** The latency histograms, on prom-client beside the contract's registry (`latency-histograms.ts`). */
export const LATENCY_HISTOGRAM_NAMES = [
  "grinder_order_ack_latency_seconds",
  "grinder_tick_to_order_latency_seconds",
] as const;

/**
 * A latency histogram's series (`<name>_bucket` with label `le`, `_sum`,
 * `_count`) described as a spec (for dashboards and alert rules), or undefined.
 */
export function findHistogramSeries(name: string): MetricSpec | undefined {
  for (const base of LATENCY_HISTOGRAM_NAMES)
    for (const [suffix, labels] of [
      ["_bucket", ["le"]],
      ["_sum", []],
      ["_count", []],
    ] as const)
      if (name === `${base}${suffix}`)
        return { name, type: "counter", help: base, labels: [...labels], group: "trading" };
  return undefined;
}

/** Contract entry of a metric name, or undefined. */
export function findMetricSpec(name: string): MetricSpec | undefined {
  return METRICS_CONTRACT_V1.find((m) => m.name === name);
}

/**
 * Substrings every `/metrics` body must contain: HELP and TYPE of each
 * contract metric, the unlabelled samples, and `name{first_label=` of each
 * labelled one (so the label schema is visible even before any event).
 */
export function requiredMetricsPatterns(): string[] {
  const out: string[] = [];
  for (const m of METRICS_CONTRACT_V1) {
    out.push(`# HELP ${m.name} `, `# TYPE ${m.name} ${m.type}`);
    if (m.labels.length === 0) out.push(`\n${m.name} `);
    else if (m.placeholders !== undefined || m.name === "grinder_ha_role") {
      out.push(`\n${m.name}{${m.labels[0]}=`);
    }
  }
  out.push("\ngrinder_up 1\n");
  return out;
}
