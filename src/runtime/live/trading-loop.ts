/**
 * The pluggable part of a live run: whatever turns market data into trading
 * decisions. The live runtime owns the process (HTTP endpoints, metrics, HA,
 * signals, shutdown); a trading loop only trades, and only while allowed.
 */

import type { HaRole } from "../../ops/ha/ha-state.js";
import type { GrinderMetrics } from "../../ops/metrics/grinder-metrics.js";
import type { LiveOptions } from "./live-options.js";

export interface TradingLoopContext {
  readonly options: LiveOptions;
  readonly metrics: GrinderMetrics;
  /** Current HA role (stays "unknown" when HA is off). */
  readonly role: () => HaRole;
  /** Whether orders may be placed now: HA off, or this instance ACTIVE. */
  readonly mayTrade: () => boolean;
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
  onRoleChange(role: HaRole): void;
}

export type TradingLoopFactory = (ctx: TradingLoopContext) => TradingLoop;
