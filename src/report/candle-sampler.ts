/**
 * Candles (open, high, low, close of a price) in bounded memory: prices fall
 * into UTC-aligned buckets of the current width (the kline interval at
 * first); when more than `maxCandles` are held, the width grows to the next
 * step of the ladder 1m, 5m, 15m, 1h, 4h, 1d, 7d that is a multiple of it
 * (else it doubles) and neighbouring candles merge exactly: first open,
 * highest high, lowest low, last close. A candle's time is its bucket's start.
 */

export interface Candle {
  readonly ts: number;
  readonly open: number;
  high: number;
  low: number;
  close: number;
}

const MIN = 60_000;
const LADDER = [MIN, 5 * MIN, 15 * MIN, 60 * MIN, 240 * MIN, 1440 * MIN, 7 * 1440 * MIN];

/** The next candle width after `ms`: a coarser width that `ms` divides. */
export function nextCandleWidth(ms: number): number {
  return LADDER.find((w) => w > ms && w % ms === 0) ?? ms * 2;
}

export class CandleSampler {
  private readonly max: number;
  private ms: number;
  private candles: Candle[] = [];
  private n = 0;

  constructor(widthMs: number, maxCandles: number) {
    if (!(Number.isInteger(widthMs) && widthMs > 0)) {
      throw new RangeError(`candle width must be a positive integer of ms, got ${widthMs}`);
    }
    this.ms = widthMs;
    this.max = Math.max(2, maxCandles);
  }

  /** Current candle width (ms). */
  get widthMs(): number {
    return this.ms;
  }

  /** Prices pushed so far. */
  get seen(): number {
    return this.n;
  }

  /** A price at `ts` (pushes in time order). */
  push(ts: number, price: number): void {
    if (!Number.isFinite(price)) return;
    this.n++;
    const start = Math.floor(ts / this.ms) * this.ms;
    const last = this.candles[this.candles.length - 1];
    if (last !== undefined && last.ts === start) {
      if (price > last.high) last.high = price;
      if (price < last.low) last.low = price;
      last.close = price;
      return;
    }
    this.candles.push({ ts: start, open: price, high: price, low: price, close: price });
    if (this.candles.length > this.max) this.coarsen();
  }

  /** A whole candle (time order; its width divides the current one). */
  pushCandle(c: Candle): void {
    this.n++;
    const start = Math.floor(c.ts / this.ms) * this.ms;
    const last = this.candles[this.candles.length - 1];
    if (last !== undefined && last.ts === start) {
      if (c.high > last.high) last.high = c.high;
      if (c.low < last.low) last.low = c.low;
      last.close = c.close;
      return;
    }
    this.candles.push({ ...c, ts: start });
    if (this.candles.length > this.max) this.coarsen();
  }

  private coarsen(): void {
    while (this.candles.length > this.max) {
      this.ms = nextCandleWidth(this.ms);
      const merged: Candle[] = [];
      for (const c of this.candles) {
        const start = Math.floor(c.ts / this.ms) * this.ms;
        const m = merged[merged.length - 1];
        if (m !== undefined && m.ts === start) {
          if (c.high > m.high) m.high = c.high;
          if (c.low < m.low) m.low = c.low;
          m.close = c.close;
        } else {
          merged.push({ ...c, ts: start });
        }
      }
      this.candles = merged;
    }
  }

  /** The candles, oldest first (copies). */
  items(): Candle[] {
    return this.candles.map((c) => ({ ...c }));
  }
}

/** `candles` of `widthMs`, merged up the ladder until at most `max` remain. */
export function coarsenCandles(
  candles: readonly Candle[],
  widthMs: number,
  max: number,
): { readonly candles: Candle[]; readonly widthMs: number } {
  if (candles.length <= max) return { candles: candles.map((c) => ({ ...c })), widthMs };
  const s = new CandleSampler(widthMs, max);
  for (const c of candles) s.pushCandle(c);
  return { candles: s.items(), widthMs: s.widthMs };
}
