/**
 * Statistics of an equity path, streamed one point at a time in constant
 * memory: maximum drawdown and its duration, hourly returns (Sharpe and
 * Sortino), time with a position and the largest position notional.
 *
 * The path starts at the initial capital at the time of the first point.
 *
 * - Drawdown at a point: (peak - max(equity, 0)) / peak, the peak being the
 *   highest equity so far (the initial capital at first), in percent, so in
 *   [0, 100]. A drawdown lasts from the point where its peak was reached to
 *   the first later point with equity >= that peak, or to the last point if
 *   equity never gets back there.
 * - Hourly returns: each UTC hour from the first point's to the last point's
 *   closes at the equity of its last point (an hour without points closes
 *   where the previous one did); return = close / previous close - 1, the
 *   first hour's previous close being the initial capital. Sharpe = mean /
 *   sample standard deviation x sqrt(24 x 365); Sortino = mean / downside
 *   deviation x sqrt(24 x 365), the downside deviation being
 *   sqrt(sum(min(r, 0)^2) / n). Both are null with fewer than 2 returns or a
 *   zero denominator. No risk-free rate.
 * - Time in market: the time from each point to the next during which the
 *   position notional at the point is not zero, over the time from the first
 *   point to the last.
 */

import { Decimal } from "../core/decimal.js";

const HOUR_MS = 3_600_000;
/** sqrt of the hours in a (365-day) year: hourly ratios to annual ones. */
export const ANNUALISE_HOURLY = Math.sqrt(24 * 365);

export interface EquitySample {
  readonly ts: number;
  readonly equity: Decimal;
  readonly positionNotional: Decimal;
}

/** Running mean and variance (Welford) plus the downside sum of squares. */
class ReturnStats {
  n = 0;
  private mean = 0;
  private m2 = 0;
  private downSq = 0;

  push(r: number, times = 1): void {
    for (let k = 0; k < times; k++) {
      this.n++;
      const d = r - this.mean;
      this.mean += d / this.n;
      this.m2 += d * (r - this.mean);
      if (r < 0) this.downSq += r * r;
    }
  }

  sharpe(): number | null {
    if (this.n < 2) return null;
    const sd = Math.sqrt(this.m2 / (this.n - 1));
    return sd > 0 ? (this.mean / sd) * ANNUALISE_HOURLY : null;
  }

  sortino(): number | null {
    if (this.n < 2) return null;
    const dd = Math.sqrt(this.downSq / this.n);
    return dd > 0 ? (this.mean / dd) * ANNUALISE_HOURLY : null;
  }

  copy(): ReturnStats {
    const c = new ReturnStats();
    c.n = this.n;
    c.mean = this.mean;
    c.m2 = this.m2;
    c.downSq = this.downSq;
    return c;
  }
}

export interface EquityStatsResult {
  /** Time of the first and last point (undefined: no point). */
  readonly firstTs: number | undefined;
  readonly lastTs: number | undefined;
  readonly maxDrawdownPct: number;
  readonly maxDrawdownDurationS: number;
  readonly hourlyReturns: number;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  /** null when the points span no time. */
  readonly timeInMarketPct: number | null;
  readonly maxPositionNotional: Decimal;
}

export class EquityStats {
  private firstTs: number | undefined;
  private lastTs = 0;
  // Drawdown.
  private peak: Decimal;
  private peakTs = 0;
  private maxDd = 0;
  private maxDdMs = 0;
  private underwater = false;
  // Hourly returns.
  private readonly returns = new ReturnStats();
  private hour = 0;
  private hourClose = 0;
  private prevClose: number;
  // Position.
  private inMarket = false;
  private inMarketMs = 0;
  private maxNotional = Decimal.ZERO;

  constructor(initialCapital: Decimal) {
    this.peak = initialCapital;
    this.prevClose = initialCapital.toNumber();
  }

  push(p: EquitySample): void {
    if (this.firstTs === undefined) {
      this.firstTs = p.ts;
      this.peakTs = p.ts;
      this.hour = Math.floor(p.ts / HOUR_MS);
    } else {
      if (p.ts < this.lastTs) {
        throw new RangeError(`equity point at ${p.ts} before the previous one (${this.lastTs})`);
      }
      if (this.inMarket) this.inMarketMs += p.ts - this.lastTs;
    }
    this.lastTs = p.ts;
    this.drawdown(p);
    this.hourly(p);
    this.inMarket = !p.positionNotional.isZero();
    if (p.positionNotional.abs().gt(this.maxNotional)) this.maxNotional = p.positionNotional.abs();
  }

  private drawdown(p: EquitySample): void {
    if (p.equity.gte(this.peak)) {
      // Back at (or above) the peak: a drawdown under way ends here.
      if (this.underwater && p.ts - this.peakTs > this.maxDdMs) this.maxDdMs = p.ts - this.peakTs;
      this.underwater = false;
      this.peak = p.equity;
      this.peakTs = p.ts;
      return;
    }
    this.underwater = true;
    const peak = this.peak.toNumber();
    if (peak > 0) {
      const floor = p.equity.isNegative() ? 0 : p.equity.toNumber();
      const dd = Math.min(100, Math.max(0, ((peak - floor) / peak) * 100));
      if (dd > this.maxDd) this.maxDd = dd;
    }
    if (p.ts - this.peakTs > this.maxDdMs) this.maxDdMs = p.ts - this.peakTs;
  }

  private hourly(p: EquitySample): void {
    const h = Math.floor(p.ts / HOUR_MS);
    if (h > this.hour) {
      this.closeHour();
      // Hours without points close where the previous one did: return 0.
      this.returns.push(0, h - this.hour - 1);
      this.hour = h;
    }
    this.hourClose = p.equity.toNumber();
  }

  private closeHour(into: ReturnStats = this.returns): void {
    into.push(this.prevClose !== 0 ? this.hourClose / this.prevClose - 1 : 0);
    if (into === this.returns) this.prevClose = this.hourClose;
  }

  result(): EquityStatsResult {
    if (this.firstTs === undefined) {
      return {
        firstTs: undefined,
        lastTs: undefined,
        maxDrawdownPct: 0,
        maxDrawdownDurationS: 0,
        hourlyReturns: 0,
        sharpe: null,
        sortino: null,
        timeInMarketPct: null,
        maxPositionNotional: Decimal.ZERO,
      };
    }
    // The current hour closes at the last point (on a copy: more points may come).
    const returns = this.returns.copy();
    this.closeHour(returns);
    const span = this.lastTs - this.firstTs;
    return {
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      maxDrawdownPct: this.maxDd,
      maxDrawdownDurationS: this.maxDdMs / 1000,
      hourlyReturns: returns.n,
      sharpe: returns.sharpe(),
      sortino: returns.sortino(),
      timeInMarketPct: span > 0 ? (this.inMarketMs / span) * 100 : null,
      maxPositionNotional: this.maxNotional,
    };
  }
}
