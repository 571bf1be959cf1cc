/**
 * LiveFeed: the read-only live pipeline, DataConnector -> Snapshot -> feature
 * updates. It must never import anything from the write path (execution,
 * exchange ports, the live engine); live-feed.test.ts enforces that.
 */

import { float, type JsonValue } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import type { Snapshot } from "../domain/snapshot.js";
import { type LiveClock, systemClock } from "./clock.js";
import type { DataConnector } from "./data-connector.js";

/** The feature engine as seen by the feed (features/ FeatureEngine fits). */
export interface FeatureUpdater<F> {
  processSnapshot(snapshot: Snapshot): F;
  getBarCount(symbol: string): number;
  reset?(): void;
}

export interface LiveFeedConfig {
  /** Symbols to process (empty = all). */
  readonly symbols: readonly string[];
  /** Completed bars before `isWarmedUp` (ATR(14) + 1). */
  readonly warmupBars: number;
}

export function makeLiveFeedConfig(p: Partial<LiveFeedConfig> = {}): LiveFeedConfig {
  return Object.freeze({ symbols: [], warmupBars: 15, ...p });
}

export interface LiveFeaturesUpdate<F> {
  readonly ts: number;
  readonly symbol: string;
  readonly features: F;
  readonly barCompleted: boolean;
  readonly barsAvailable: number;
  readonly isWarmedUp: boolean;
  /** Processing time of this tick (ms). */
  readonly latencyMs: number | undefined;
}

export function liveFeaturesUpdateToJson<F>(
  u: LiveFeaturesUpdate<F>,
  featuresToJson: (f: F) => JsonValue,
): JsonValue {
  return {
    ts: u.ts,
    symbol: u.symbol,
    features: featuresToJson(u.features),
    bar_completed: u.barCompleted,
    bars_available: u.barsAvailable,
    is_warmed_up: u.isWarmedUp,
    latency_ms: u.latencyMs ?? null,
  };
}

/** Python's round(x, 2) on a float: exact value, ties to even. */
function round2(x: number): number {
  return Decimal.fromDoubleExact(x).quantize(2, "ROUND_HALF_EVEN").toNumber();
}

export class LiveFeedStats {
  ticksReceived = 0;
  ticksProcessed = 0;
  barsCompleted = 0;
  errors = 0;
  lastTs = 0;
  avgLatencyMs = 0;
  private latencySum = 0;

  recordTick(latencyMs?: number): void {
    this.ticksReceived += 1;
    this.ticksProcessed += 1;
    if (latencyMs !== undefined) {
      this.latencySum += latencyMs;
      this.avgLatencyMs = this.latencySum / this.ticksProcessed;
    }
  }

  recordBar(): void {
    this.barsCompleted += 1;
  }

  recordError(): void {
    this.errors += 1;
  }

  toJson(): JsonValue {
    return {
      ticks_received: this.ticksReceived,
      ticks_processed: this.ticksProcessed,
      bars_completed: this.barsCompleted,
      errors: this.errors,
      last_ts: this.lastTs,
      avg_latency_ms: float(round2(this.avgLatencyMs)),
    };
  }
}

export class LiveFeed<F> {
  readonly config: LiveFeedConfig;
  private statsValue = new LiveFeedStats();
  private running = false;
  private readonly clock: LiveClock;

  constructor(
    config: Partial<LiveFeedConfig>,
    readonly features: FeatureUpdater<F>,
    clock: LiveClock = systemClock,
  ) {
    this.config = makeLiveFeedConfig(config);
    this.clock = clock;
  }

  get stats(): LiveFeedStats {
    return this.statsValue;
  }

  isSymbolAllowed(symbol: string): boolean {
    return this.config.symbols.length === 0 || this.config.symbols.includes(symbol);
  }

  /** Feature updates for every allowed snapshot of the connector, until it ends or `stop()`. */
  async *run(connector: DataConnector): AsyncGenerator<LiveFeaturesUpdate<F>> {
    this.running = true;
    try {
      for await (const snapshot of connector.iterSnapshots()) {
        if (!this.running) break;
        if (!this.isSymbolAllowed(snapshot.symbol)) continue;
        const update = this.processSnapshotSync(snapshot);
        if (update !== undefined) yield update;
      }
    } catch (e) {
      this.statsValue.recordError();
      throw e;
    } finally {
      this.running = false;
    }
  }

  /** One snapshot through the feature hook; undefined (and an error counted) when it throws. */
  processSnapshotSync(snapshot: Snapshot): LiveFeaturesUpdate<F> | undefined {
    const start = this.clock.nowMs();
    try {
      const before = this.features.getBarCount(snapshot.symbol);
      const features = this.features.processSnapshot(snapshot);
      const after = this.features.getBarCount(snapshot.symbol);
      const barCompleted = after > before;
      const latencyMs = this.clock.nowMs() - start;
      this.statsValue.recordTick(latencyMs);
      this.statsValue.lastTs = snapshot.ts;
      if (barCompleted) this.statsValue.recordBar();
      return Object.freeze({
        ts: snapshot.ts,
        symbol: snapshot.symbol,
        features,
        barCompleted,
        barsAvailable: after,
        isWarmedUp: after >= this.config.warmupBars,
        latencyMs,
      });
    } catch {
      this.statsValue.recordError();
      return undefined;
    }
  }

  stop(): void {
    this.running = false;
  }

  reset(): void {
    this.features.reset?.();
    this.statsValue = new LiveFeedStats();
    this.running = false;
  }
}

/** Connect, run the feed, and always close the connector. */
export class LiveFeedRunner<F> {
  private connector: DataConnector | undefined;
  private feed: LiveFeed<F> | undefined;

  constructor(
    private readonly config: Partial<LiveFeedConfig>,
    private readonly makeFeatures: () => FeatureUpdater<F>,
    private readonly connectorFactory: () => DataConnector,
    private readonly clock: LiveClock = systemClock,
  ) {}

  async *run(): AsyncGenerator<LiveFeaturesUpdate<F>> {
    this.feed = new LiveFeed(this.config, this.makeFeatures(), this.clock);
    this.connector = this.connectorFactory();
    try {
      await this.connector.connect();
      yield* this.feed.run(this.connector);
    } finally {
      await this.connector.close();
    }
  }

  async stop(): Promise<void> {
    this.feed?.stop();
    await this.connector?.close();
  }
}
