/**
 * Builds OHLC bars of mid prices from a tick stream. A bar covers
 * [barTs, barTs + interval) with barTs = floor(ts / interval) * interval; a
 * bar is completed by the first tick of a later bar. Gaps produce no
 * synthetic bars. A tick whose bar is not later than the open bar (an
 * out-of-order or replayed tick) is folded into the open bar, as the
 * reference does.
 */

import type { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import { type MidBar, makeMidBar } from "./mid-bar.js";
import { RingBuffer } from "./ring-buffer.js";

export interface BarBuilderConfig {
  /** Bar length in ms (default 60000). */
  readonly barIntervalMs: number;
  /** Completed bars kept (default 1000); older ones are dropped. */
  readonly maxBars: number;
}

export function makeBarBuilderConfig(p: Partial<BarBuilderConfig> = {}): BarBuilderConfig {
  const c = { barIntervalMs: 60_000, maxBars: 1000, ...p };
  if (!Number.isSafeInteger(c.barIntervalMs) || c.barIntervalMs <= 0) {
    throw new ConfigError(`bar_interval_ms must be positive, got ${c.barIntervalMs}`);
  }
  if (!Number.isSafeInteger(c.maxBars) || c.maxBars <= 0) {
    throw new ConfigError(`max_bars must be positive, got ${c.maxBars}`);
  }
  return Object.freeze(c);
}

/** floor(ts / interval) * interval for integer ts (negative ts floor too). */
export function alignBarTs(ts: number, intervalMs: number): number {
  const r = ts % intervalMs;
  return r < 0 ? ts - r - intervalMs : ts - r;
}

interface OpenBar {
  barTs: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  tickCount: number;
}

export class BarBuilder {
  readonly config: BarBuilderConfig;
  private current: OpenBar | null = null;
  private readonly completed: RingBuffer<MidBar>;

  constructor(config: BarBuilderConfig = makeBarBuilderConfig()) {
    this.config = config;
    this.completed = new RingBuffer<MidBar>(config.maxBars);
  }

  /** Feed one tick; returns the bar it completed, or null. */
  processTick(ts: number, midPrice: Decimal): MidBar | null {
    const barTs = alignBarTs(ts, this.config.barIntervalMs);
    const cur = this.current;
    if (cur === null) {
      this.current = {
        barTs,
        open: midPrice,
        high: midPrice,
        low: midPrice,
        close: midPrice,
        tickCount: 1,
      };
      return null;
    }
    if (barTs > cur.barTs) {
      const done = makeMidBar({
        barTs: cur.barTs,
        open: cur.open,
        high: cur.high,
        low: cur.low,
        close: cur.close,
        tickCount: cur.tickCount,
      });
      this.completed.push(done);
      this.current = {
        barTs,
        open: midPrice,
        high: midPrice,
        low: midPrice,
        close: midPrice,
        tickCount: 1,
      };
      return done;
    }
    // Same (or earlier) bar: accumulate. Equal values keep the earlier object.
    if (midPrice.gt(cur.high)) cur.high = midPrice;
    if (midPrice.lt(cur.low)) cur.low = midPrice;
    cur.close = midPrice;
    cur.tickCount += 1;
    return null;
  }

  /**
   * Completed bars, oldest first; with a positive `count`, only the newest
   * `count`. A zero or negative count slices as the reference's list slice
   * `bars[-count:]` does (0 gives every bar).
   */
  getBars(count?: number): MidBar[] {
    if (count === undefined) return this.completed.toArray();
    if (count > 0) return this.completed.last(count);
    const all = this.completed.toArray();
    return all.length > count ? all.slice(-count) : all;
  }

  /** The completed bar `back` places from the newest (0 = newest). */
  barFromEnd(back: number): MidBar {
    return this.completed.fromEnd(back);
  }

  get barCount(): number {
    return this.completed.length;
  }

  reset(): void {
    this.current = null;
    this.completed.clear();
  }
}
