/**
 * Market-data feeds of `grinder live`: a fixture replayed in real time (or
 * faster) and the Binance WebSocket bookTicker connector.
 *
 * A feed is an async stream of snapshots that ends when its source is
 * exhausted or the signal aborts. The Binance feed never gives up: a connect
 * that fails, or a stream that dies after the connector's own reconnects,
 * is retried with exponential backoff (capped), and every attempt is
 * reported to the observer (metrics, log). Only a configuration error (bad
 * URL, mainnet guard) ends it.
 */

import type { RandomSource } from "../../core/backoff.js";
import type { Sleep } from "../../core/clock.js";
import { ConfigError, errorMessage } from "../../core/errors.js";
import {
  BinanceWsConnector,
  type BinanceWsConnectorOptions,
} from "../../data/binance-stream/binance-ws-connector.js";
import { type Fixture, openFixture } from "../../data/fixture-reader.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { realSleep } from "../../net/clock.js";
import type { ConnectorMetrics } from "../../net/connector-metrics.js";
import { ConnectorState } from "../../net/connector-state.js";
import { isConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { isConnectorTimeoutError } from "../../net/errors/connector-timeout-error.js";
import { isConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { systemRandom } from "../../net/random.js";
import { makeRetryConfig, type RetryConfig } from "../../net/retry-config.js";
import { retryDelayMs } from "../../net/retry-policy.js";
import type { LiveLoopConfig, LiveLoopDeps } from "./live-loop-config.js";
import type { LiveSource } from "./live-options.js";

export type FeedRetryReason = "transient" | "timeout" | "other";

/** What a feed tells about its connection. */
export interface FeedObserver {
  onConnected(detail: string): void;
  onDisconnected(detail: string): void;
  /** A failed connect or a dead stream, retried after `delayMs`. */
  onRetry(reason: FeedRetryReason, error: string, attempt: number, delayMs: number): void;
}

export interface MarketFeed {
  /** `fixture:DIR` or `binance (URL)`. */
  readonly description: string;
  /** Reconnects so far (the connector's own and the feed's retries). */
  readonly reconnects: number;
  /** Whether data can flow now (connected, or a fixture being replayed). */
  readonly connected: boolean;
  /** Snapshots in order until the source ends or `signal` aborts. */
  snapshots(signal: AbortSignal): AsyncGenerator<Snapshot>;
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export interface FixtureFeedOptions {
  readonly dir: string;
  /**
   * Replay speed: 1 = real time (the gaps between event timestamps are
   * waited out), 10 = ten times faster, 0 = as fast as possible.
   */
  readonly speed: number;
  /** Only these symbols (undefined = all). */
  readonly symbols?: readonly string[];
  /** Epoch milliseconds. */
  readonly clock: () => number;
  readonly sleep: Sleep;
  readonly observer: FeedObserver;
}

/**
 * A fixture directory replayed as a live feed, read and validated exactly as
 * `grinder paper` reads it (same snapshots, same order).
 */
export class FixtureReplayFeed implements MarketFeed {
  readonly description: string;
  readonly reconnects = 0;
  private replaying = false;
  private readonly fixture: Fixture;
  private readonly symbols: ReadonlySet<string> | undefined;

  /** Opens and validates the fixture (throws InvalidInputError naming file:line). */
  constructor(private readonly o: FixtureFeedOptions) {
    if (!(o.speed >= 0) || !Number.isFinite(o.speed))
      throw new ConfigError(`--speed: expected a number >= 0, got ${o.speed}`);
    // Read on this thread: a reading thread's blocking wait would stall the live event loop.
    this.fixture = openFixture(o.dir, { dataThreads: 0 });
    this.symbols = o.symbols !== undefined ? new Set(o.symbols) : undefined;
    this.description = `fixture:${o.dir}`;
  }

  get connected(): boolean {
    return this.replaying;
  }

  async *snapshots(signal: AbortSignal): AsyncGenerator<Snapshot> {
    try {
      yield* this.replay(signal);
    } finally {
      this.replaying = false;
    }
  }

  private async *replay(signal: AbortSignal): AsyncGenerator<Snapshot> {
    const { speed, clock, sleep, observer } = this.o;
    this.replaying = true;
    observer.onConnected(`replaying ${this.fixture.eventsPath} at speed ${speed || "max"}`);
    let startWall: number | undefined;
    let startTs = 0;
    let sinceYield = 0;
    for (const ev of this.fixture.events()) {
      if (signal.aborted) return;
      if (ev.kind !== "snapshot") continue;
      const s = ev.snapshot;
      if (this.symbols !== undefined && !this.symbols.has(s.symbol)) continue;
      let waited = false;
      if (speed > 0) {
        if (startWall === undefined) {
          startWall = clock();
          startTs = s.ts;
        }
        const wait = startWall + (s.ts - startTs) / speed - clock();
        if (wait > 0) {
          try {
            await sleep(wait, signal);
          } catch {
            return;
          }
          waited = true;
        }
      }
      if (!waited && ++sinceYield >= 64) {
        // Behind schedule or unpaced: still let timers and sockets run.
        sinceYield = 0;
        await yieldToEventLoop();
        if (signal.aborted) return;
      }
      yield s;
    }
    this.replaying = false;
    observer.onDisconnected("end of fixture");
  }
}

export interface BinanceFeedOptions {
  readonly symbols: readonly string[];
  /** Environment (GRINDER_BINANCE_WS_URL). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Backoff between the feed's own retries (attempts are unlimited). */
  readonly retry?: Partial<RetryConfig>;
  /** Extra connector options (timeouts, market, reconnect policy). */
  readonly connector?: Partial<BinanceWsConnectorOptions>;
  readonly sleep: Sleep;
  /** Jitter source of the retry backoff (default systemRandom). */
  readonly random?: RandomSource;
  readonly observer: FeedObserver;
}

function retryReason(e: unknown): FeedRetryReason {
  if (isConnectorTimeoutError(e)) return "timeout";
  if (isConnectorTransientError(e)) return "transient";
  return "other";
}

/** Binance bookTicker over WebSocket (testnet unless GRINDER_BINANCE_WS_URL says otherwise). */
export class BinanceFeed implements MarketFeed {
  readonly description: string;
  private readonly retry: RetryConfig;
  private closedReconnects = 0;
  private ownRetries = 0;
  private current: BinanceWsConnector | undefined;

  /** Validates symbols and URL now (ConfigError / ConnectorNonRetryableError). */
  constructor(private readonly o: BinanceFeedOptions) {
    this.retry = makeRetryConfig(o.retry);
    const probe = this.makeConnector();
    this.description = `binance (${probe.url})`;
  }

  get reconnects(): number {
    return this.closedReconnects + (this.current?.stats.reconnects ?? 0) + this.ownRetries;
  }

  get connected(): boolean {
    return this.current?.state === ConnectorState.CONNECTED;
  }

  private makeConnector(): BinanceWsConnector {
    return new BinanceWsConnector({
      ...this.o.connector,
      symbols: this.o.symbols,
      env: this.o.env,
    });
  }

  async *snapshots(signal: AbortSignal): AsyncGenerator<Snapshot> {
    const { observer, sleep } = this.o;
    let attempt = 0;
    while (!signal.aborted) {
      const conn = this.makeConnector();
      this.current = conn;
      const onAbort = (): void => void conn.close();
      signal.addEventListener("abort", onAbort, { once: true });
      let failure: unknown = new Error("stream ended");
      try {
        await conn.connect();
        observer.onConnected(`connected to ${conn.url}`);
        for await (const s of conn.iterSnapshots()) {
          if (signal.aborted) return;
          attempt = 0;
          yield s;
        }
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof ConfigError || isConnectorNonRetryableError(e)) throw e;
        failure = e;
      } finally {
        signal.removeEventListener("abort", onAbort);
        this.closedReconnects += conn.stats.reconnects;
        this.current = undefined;
        await conn.close();
      }
      if (signal.aborted) return;
      const delay = retryDelayMs(this.retry, attempt, this.o.random ?? systemRandom);
      attempt++;
      this.ownRetries++;
      observer.onDisconnected(errorMessage(failure));
      observer.onRetry(retryReason(failure), errorMessage(failure), attempt, delay);
      try {
        await sleep(delay, signal);
      } catch {
        return;
      }
    }
  }
}

/** What `createMarketFeed` needs: the source and its settings. */
export interface MarketFeedSettings {
  readonly source: LiveSource;
  /** Fixture replay speed (1 = real time, 0 = as fast as possible). */
  readonly speed: number;
  readonly symbols: readonly string[];
  /** Restrict a fixture to `symbols`; else every symbol of the fixture. */
  readonly filterFixtureSymbols: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolved WebSocket URL of the Binance feed (default: env, else the testnet). */
  readonly wsUrl?: string;
  readonly retry?: Partial<RetryConfig>;
  readonly connector?: Partial<BinanceWsConnectorOptions>;
  readonly clock: () => number;
  readonly sleep: Sleep;
  readonly observer: FeedObserver;
}

/** The feed of a source: a fixture replayed, or Binance bookTicker. */
export function createMarketFeed(o: MarketFeedSettings): MarketFeed {
  if (o.source.kind === "fixture")
    return new FixtureReplayFeed({
      dir: o.source.dir,
      speed: o.speed,
      ...(o.filterFixtureSymbols ? { symbols: o.symbols } : {}),
      clock: o.clock,
      sleep: o.sleep,
      observer: o.observer,
    });
  const connector =
    o.connector !== undefined || o.wsUrl !== undefined
      ? { ...o.connector, ...(o.wsUrl !== undefined ? { url: o.wsUrl } : {}) }
      : undefined;
  return new BinanceFeed({
    symbols: o.symbols,
    env: o.env,
    ...(o.retry !== undefined ? { retry: o.retry } : {}),
    ...(connector !== undefined ? { connector } : {}),
    sleep: o.sleep,
    observer: o.observer,
  });
}

/** The feed of a `grinder live` run, its connection events logged and retries counted. */
export function liveMarketFeed(
  config: LiveLoopConfig,
  deps: LiveLoopDeps,
  clock: () => number,
  connectorMetrics: ConnectorMetrics,
  log: (line: string) => void,
): MarketFeed {
  return createMarketFeed({
    ...config,
    ...(deps.feedRetry !== undefined ? { retry: deps.feedRetry } : {}),
    ...(deps.connector !== undefined ? { connector: deps.connector } : {}),
    clock,
    sleep: deps.sleep ?? realSleep,
    observer: {
      onConnected: (detail) => log(`feed up: ${detail}`),
      onDisconnected: (detail) => log(`feed down: ${detail}`),
      onRetry: (reason: FeedRetryReason, error, attempt, delayMs) => {
        connectorMetrics.recordRetry("feed_connect", reason);
        log(`feed retry ${attempt} in ${delayMs} ms (${reason}: ${error})`);
      },
    },
  });
}
