/**
 * The pluggable part of a live run: whatever turns market data into trading
 * decisions. The live runtime owns the process (HTTP endpoints, metrics, HA,
 * signals, shutdown); a trading loop only trades, and only while allowed.
 *
 * A loop sees the process through these small interfaces only: the HA role
 * as a name and a "may trade" answer, the metrics as sinks. The runtime
 * (`live-runtime.ts`) plugs the HA elector and the Prometheus metrics of
 * `ops/` into them; nothing in `ops/` knows about the loop.
 */

import type { LiveOptions } from "./live-options.js";

/** The metric sinks a live trading loop writes to (ops' GrinderMetrics has them all). */
export interface LiveMetricsSink {
  setUp(up: boolean): void;
  recordFeedSnapshot(): void;
  setFeedConnected(connected: boolean): void;
  setUserStreamConnected(connected: boolean): void;
  setFeedReconnectsTotal(total: number): void;
  recordEngineEvent(): void;
  recordGatingAllowed(gate: string): void;
  recordGatingBlocked(gate: string, reason: string): void;
  recordOrdersPlaced(n: number): void;
  recordFills(n: number): void;
  recordKillSwitchTrip(reason: string): void;
  setKillSwitchTriggered(triggered: boolean): void;
  setDrawdownPct(pct: number): void;
  setHighWaterMark(value: { toNumber(): number }): void;
  recordTakeover(): void;
  /** Seconds from an order's submit to the exchange's answer (live_trade). */
  observeOrderAckLatency(seconds: number): void;
  /** Seconds from a snapshot received to the first order of its tick sent (live_trade). */
  observeTickToOrderLatency(seconds: number): void;
  /** The venue's write halt now (undefined: writes flow). */
  setVenueHalt(halt: { readonly reason: string; readonly untilMs: number } | undefined): void;
  /** Gauges computed at each scrape run through collectors. */
  readonly registry: { addCollector(collect: () => void): void };
}

export interface TradingLoopContext {
  readonly options: LiveOptions;
  readonly metrics: LiveMetricsSink;
  /** Current HA role name ("active", "standby"; stays "unknown" when HA is off). */
  readonly role: () => string;
  /**
   * Whether orders may be placed and the journal written now: HA off, or
   * this instance ACTIVE with its lease still running by its own clock.
   */
  readonly mayTrade: () => boolean;
  /** The HA fencing epoch of the current lease (undefined without HA). */
  readonly epoch?: () => number | undefined;
  /** Epoch milliseconds. */
  readonly clock: () => number;
  readonly log: (line: string) => void;
}

export interface TradingLoop {
  /**
   * Run until `signal` aborts (then return promptly) or the source is
   * exhausted. A rejection ends the run with exit code 1.
   */
  start(signal: AbortSignal): Promise<void>;
  /** Called on every HA role change, after the metrics were updated. */
  onRoleChange(role: string): void;
  /** Whether the venue's writes are halted now (live_trade), why and until when. */
  venueHalt?(): VenueHaltView | undefined;
}

/** A venue's write halt as /readyz and the metrics show it. */
export interface VenueHaltView {
  readonly reason: string;
  /** Epoch milliseconds. */
  readonly untilMs: number;
  readonly detail: string;
}

export type TradingLoopFactory = (ctx: TradingLoopContext) => TradingLoop;
