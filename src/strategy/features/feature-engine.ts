/**
 * FeatureEngine: per-symbol mid-price bars and the features computed from
 * them on every snapshot. Deterministic: the same snapshot sequence gives the
 * same features.
 *
 * Bar-based indicators change only when a bar completes, so they are
 * recomputed then (touching the newest period+1 / horizon+1 bars, with each
 * bar's true range and return computed once) and reused for the ticks in
 * between. Per-event cost does not depend on `maxBars`; results equal the
 * reference's full recomputation over every kept bar.
 */

import type { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { BarBuilder, makeBarBuilderConfig } from "./bar-builder.js";
import { FeatureSnapshot } from "./feature-snapshot.js";
import {
  absReturn,
  atrFromTrueRanges,
  computeImbalanceL1Bps,
  computeThinL1,
  computeTrueRange,
  natrBpsFromAtr,
  type RangeTrend,
  rangeTrendFromReturns,
} from "./indicators.js";
import type { MidBar } from "./mid-bar.js";
import { RingBuffer } from "./ring-buffer.js";

export interface FeatureEngineConfig {
  /** Bar length in ms (default 60000). */
  readonly barIntervalMs: number;
  /** ATR / NATR period in bars (default 14). */
  readonly atrPeriod: number;
  /** Range/trend horizon in bars (default 14). */
  readonly rangeHorizon: number;
  /** Completed bars kept per symbol (default 1000). */
  readonly maxBars: number;
}

export function makeFeatureEngineConfig(p: Partial<FeatureEngineConfig> = {}): FeatureEngineConfig {
  const c = { barIntervalMs: 60_000, atrPeriod: 14, rangeHorizon: 14, maxBars: 1000, ...p };
  const check = (name: string, v: number): void => {
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new ConfigError(`${name} must be positive, got ${v}`);
  };
  check("bar_interval_ms", c.barIntervalMs);
  check("atr_period", c.atrPeriod);
  check("range_horizon", c.rangeHorizon);
  check("max_bars", c.maxBars);
  return Object.freeze(c);
}

/** The snapshot fields the engine reads. */
export type FeatureInput = Pick<
  Snapshot,
  "ts" | "symbol" | "midPrice" | "spreadBps" | "bidQty" | "askQty"
>;

const NO_RANGE_TREND: RangeTrend = [0, 0, 0];

class SymbolFeatureState {
  readonly builder: BarBuilder;
  /** True range of each of the newest completed bars (null for a bar with no predecessor). */
  private readonly trueRanges: RingBuffer<Decimal | null>;
  /** |return| of each of the newest completed bars (null: no predecessor or non-positive one). */
  private readonly absReturns: RingBuffer<Decimal | null>;
  private readonly atrPeriod: number;
  private readonly rangeHorizon: number;
  atr: Decimal | null = null;
  natrBps = 0;
  rangeTrend: RangeTrend = NO_RANGE_TREND;

  constructor(config: FeatureEngineConfig) {
    this.builder = new BarBuilder(
      makeBarBuilderConfig({ barIntervalMs: config.barIntervalMs, maxBars: config.maxBars }),
    );
    this.atrPeriod = config.atrPeriod;
    this.rangeHorizon = config.rangeHorizon;
    this.trueRanges = new RingBuffer(config.atrPeriod);
    this.absReturns = new RingBuffer(config.rangeHorizon);
  }

  onTick(ts: number, mid: Decimal): void {
    const prevClose = this.builder.barCount > 0 ? this.builder.barFromEnd(0).close : null;
    const bar = this.builder.processTick(ts, mid);
    if (bar === null) return;
    this.trueRanges.push(prevClose === null ? null : computeTrueRange(bar, prevClose));
    this.absReturns.push(prevClose === null ? null : absReturn(prevClose, bar.close));
    const count = this.builder.barCount;
    if (count >= this.atrPeriod + 1) {
      // With period+1 bars kept, the newest `period` bars all have a predecessor.
      this.atr = atrFromTrueRanges(this.trueRanges.toArray() as Decimal[], this.atrPeriod);
      this.natrBps = natrBpsFromAtr(this.atr, bar.close);
    }
    if (count >= this.rangeHorizon + 1) {
      const startClose = this.builder.barFromEnd(this.rangeHorizon).close;
      this.rangeTrend = rangeTrendFromReturns(this.absReturns.toArray(), startClose, bar.close);
    }
  }
}

export class FeatureEngine {
  readonly config: FeatureEngineConfig;
  private readonly states = new Map<string, SymbolFeatureState>();
  private readonly latest = new Map<string, FeatureSnapshot>();

  constructor(config: FeatureEngineConfig = makeFeatureEngineConfig()) {
    this.config = config;
  }

  private state(symbol: string): SymbolFeatureState {
    let s = this.states.get(symbol);
    if (s === undefined) {
      s = new SymbolFeatureState(this.config);
      this.states.set(symbol, s);
    }
    return s;
  }

  /** Feed one snapshot (its mid goes into the symbol's bars) and return its features. */
  processSnapshot(snapshot: FeatureInput): FeatureSnapshot {
    const symbol = snapshot.symbol;
    const mid = snapshot.midPrice;
    const st = this.state(symbol);
    st.onTick(snapshot.ts, mid);
    const spread = Math.trunc(snapshot.spreadBps);
    const [sumAbs, netRet, rangeScore] = st.rangeTrend;
    const fs = new FeatureSnapshot({
      ts: snapshot.ts,
      symbol,
      midPrice: mid,
      spreadBps: spread === 0 ? 0 : spread,
      imbalanceL1Bps: computeImbalanceL1Bps(snapshot.bidQty, snapshot.askQty),
      thinL1: computeThinL1(snapshot.bidQty, snapshot.askQty),
      natrBps: st.natrBps,
      atr: st.atr,
      sumAbsReturnsBps: sumAbs,
      netReturnBps: netRet,
      rangeScore,
      warmupBars: st.builder.barCount,
    });
    this.latest.set(symbol, fs);
    return fs;
  }

  /** Completed bars kept for a symbol (0 if never seen). */
  getBarCount(symbol: string): number {
    return this.states.get(symbol)?.builder.barCount ?? 0;
  }

  /** The symbol's completed bars, oldest first (empty if never seen). */
  getBars(symbol: string): MidBar[] {
    return this.states.get(symbol)?.builder.getBars() ?? [];
  }

  /** Symbols seen, in first-seen order. */
  getAllSymbols(): string[] {
    return [...this.states.keys()];
  }

  getLatestSnapshot(symbol: string): FeatureSnapshot | null {
    return this.latest.get(symbol) ?? null;
  }

  /** Latest features per symbol, in first-seen order (a copy). */
  getAllLatestSnapshots(): Map<string, FeatureSnapshot> {
    return new Map(this.latest);
  }

  reset(): void {
    this.states.clear();
    this.latest.clear();
  }

  resetSymbol(symbol: string): void {
    this.states.delete(symbol);
    this.latest.delete(symbol);
  }
}
