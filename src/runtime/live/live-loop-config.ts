/** Settings and seams of the live trading loop (`live-trading-loop.ts`). */

import type { Sleep } from "../../core/clock.js";
import type { OpsEnv } from "../../core/io-types.js";
import type { BinanceWsConnectorOptions } from "../../data/binance-stream/binance-ws-connector.js";
import type { InstrumentSpec } from "../../domain/instrument.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { Profile } from "../../kernel/kernel-options.js";
import type { TickOutput } from "../../kernel/tick-output.js";
import type { ConnectorMetrics } from "../../net/connector-metrics.js";
import type { RetryConfig } from "../../net/retry-config.js";
import type { LiveSource } from "./live-options.js";
import type { LiveMarket, LiveRunMode } from "./live-runtime-options.js";
import type { LiveTradeVenue } from "./live-trade-venue.js";

/** Settings of --mode live_trade. */
export interface LiveTradeConfig {
  /** --confirm TESTNET was given (arming also needs ARMED=1 and ALLOW_TESTNET_TRADE=1). */
  readonly confirmed: boolean;
  /** Cancel strays (our prefix, unknown to the kernel) at a takeover. */
  readonly cancelStrays: boolean;
  /** Sync with the exchange (fills, orders gone) every `pollMs`. */
  readonly pollMs: number;
  /** The account's user data stream (WebSocket API); undefined: REST polling only. */
  readonly userStream?: { readonly url?: string; readonly backstopMs: number };
  /** The exchange filters the kernel rounds with (`live-instruments.ts`). */
  readonly instruments?: ReadonlyMap<string, InstrumentSpec>;
}

export interface LiveLoopConfig {
  readonly mode: LiveRunMode;
  readonly source: LiveSource;
  /** Symbols of the Binance feed; a fixture's filter when `filterFixtureSymbols`. */
  readonly symbols: readonly string[];
  /** Restrict a fixture to `symbols` (when --symbols was given); else every symbol trades. */
  readonly filterFixtureSymbols: boolean;
  /** Fixture replay speed (1 = real time, 0 = as fast as possible). */
  readonly speed: number;
  readonly journalPath: string;
  /** Engine options file (strict), if any. */
  readonly configPath: string | undefined;
  /** --profile over the options (undefined: realistic, unless the options file names one). */
  readonly profile?: Profile;
  /** Names this instance in the journal's session lines. */
  readonly instanceId: string;
  /** Environment (GRINDER_BINANCE_WS_URL, GRINDER_BINANCE_REST_URL; live_trade: keys, arming). */
  readonly env: OpsEnv;
  /** Resolved and guarded REST base URL (live_trade). */
  readonly restUrl?: string;
  /** Resolved and guarded WebSocket URL of the Binance feed (default: env, else the testnet). */
  readonly wsUrl?: string;
  /** spot (default) or um (USD-M perpetuals: BinanceUsdmVenue in live_trade). */
  readonly market?: LiveMarket;
  /** live_trade settings (defaults: not confirmed, strays reported, poll every 1000 ms). */
  readonly trade?: LiveTradeConfig;
}

/** One snapshot the kernel processed on this instance. */
export interface LiveTick {
  readonly seq: number;
  readonly snapshot: Snapshot;
  readonly output: TickOutput | undefined;
  readonly error: string | undefined;
  readonly executed: boolean;
}

export interface LiveLoopDeps {
  /** Waits of the fixture pacing and of the feed's retry backoff. */
  readonly sleep?: Sleep;
  /** Where the feed's retries are counted (default: the process-wide instance). */
  readonly connectorMetrics?: ConnectorMetrics;
  /** Backoff of the Binance feed's retries (default 1 s doubling to 30 s). */
  readonly feedRetry?: Partial<RetryConfig>;
  /** Extra Binance connector options (timeouts, market). */
  readonly connector?: Partial<BinanceWsConnectorOptions>;
  /** Called after each traded snapshot (tests, embedding). */
  readonly onTick?: (tick: LiveTick) => void;
  /** Called when the instance starts trading from the journal's state, before its first tick. */
  readonly onTakeover?: (info: { readonly seq: number; readonly replayed: number }) => void;
  /** How often a STANDBY applies the journal's new lines to its kernel (default 1000 ms). */
  readonly followIntervalMs?: number;
  /** Journal lines replayed between two yields to the event loop (default 2000). */
  readonly replayChunk?: number;
  /** live_trade: the venue (default: Binance spot, or USD-M with market um, at `restUrl`). */
  readonly venue?: LiveTradeVenue;
  /** live_trade: waits between polls (default: real sleep). */
  readonly pollSleep?: Sleep;
  /** Monotonic milliseconds of the latency histograms (default performance.now). */
  readonly monotonicMs?: () => number;
}
