/**
 * Bar and L1 indicators: true range, ATR / NATR, L1 imbalance and thin side,
 * range/trend. Decimal arithmetic in the reference's order; integer outputs
 * are basis points rounded half-even.
 *
 * The bar functions read only the newest period+1 (horizon+1) bars, so they
 * give the reference's result for any bar list while costing O(period).
 * The `...From...` helpers are the same formulas split so that a caller that
 * keeps per-bar true ranges / returns can reuse them.
 */

import { Decimal } from "../../core/decimal.js";
import type { MidBar } from "./mid-bar.js";

const TEN_THOUSAND = Decimal.fromInt(10000);
const IMBALANCE_EPS = Decimal.parse("1e-8");

/** A fraction in integer bps: x * 10000 rounded half-even, as a number. */
export function toIntBps(x: Decimal): number {
  return Number(x.mul(TEN_THOUSAND).quantize(0, "ROUND_HALF_EVEN").toIntTrunc());
}

function checkPeriod(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${n}`);
}

/** max(high - low, |high - prevClose|, |low - prevClose|); the first of equal maxima wins. */
export function computeTrueRange(bar: MidBar, prevClose: Decimal): Decimal {
  const hl = bar.high.sub(bar.low);
  const hpc = bar.high.sub(prevClose).abs();
  const lpc = bar.low.sub(prevClose).abs();
  let m = hl;
  if (hpc.gt(m)) m = hpc;
  if (lpc.gt(m)) m = lpc;
  return m;
}

/** Simple average of the given true ranges (summed oldest first from 0). */
export function atrFromTrueRanges(trueRanges: readonly Decimal[], period: number): Decimal {
  let acc = Decimal.ZERO;
  for (const tr of trueRanges) acc = acc.add(tr);
  return acc.div(Decimal.fromInt(period));
}

/** ATR over the last `period` true ranges; null until period+1 bars exist. */
export function computeAtr(bars: readonly MidBar[], period = 14): Decimal | null {
  checkPeriod("period", period);
  const n = bars.length;
  if (n < period + 1) return null;
  const trs: Decimal[] = [];
  for (let i = n - period; i < n; i++) {
    trs.push(computeTrueRange(bars[i] as MidBar, (bars[i - 1] as MidBar).close));
  }
  return atrFromTrueRanges(trs, period);
}

/** ATR / close in integer bps; 0 when close is 0. */
export function natrBpsFromAtr(atr: Decimal, close: Decimal): number {
  if (close.isZero()) return 0;
  return toIntBps(atr.div(close));
}

/** NATR in integer bps (100 = 1%); 0 until period+1 bars exist or when close is 0. */
export function computeNatrBps(bars: readonly MidBar[], period = 14): number {
  const atr = computeAtr(bars, period);
  if (atr === null) return 0;
  return natrBpsFromAtr(atr, (bars[bars.length - 1] as MidBar).close);
}

/** (bid - ask) / (bid + ask + 1e-8) in integer bps, in [-10000, 10000]. */
export function computeImbalanceL1Bps(bidQty: Decimal, askQty: Decimal): number {
  const num = bidQty.sub(askQty);
  const denom = bidQty.add(askQty).add(IMBALANCE_EPS);
  return roundedRatioBps(num, denom) ?? toIntBps(num.div(denom));
}

const INT_LIMIT = 2 ** 52;

/**
 * num / den x 10000 rounded half-even to an integer, in integer arithmetic on
 * the coefficients, when both scale to integers below 2^52 (den > 0); else
 * undefined. This is what the 28-digit quotient gives too: it is within
 * 5e-28 of the exact value v, so it could round differently only if v were
 * that close to a half-integer without being one; but v = A / B with integers
 * A, B < 2^52, so a v that is not a half-integer is at least 1 / (2B) > 1e-16
 * from one, and one that is (a tie) is exact in 28 digits as well.
 */
function roundedRatioBps(num: Decimal, den: Decimal): number | undefined {
  const nc = num.safeCoef;
  const dc = den.safeCoef;
  if (nc === undefined || dc === undefined || dc === 0 || den.neg) return undefined;
  const shift = num.exp - den.exp + 4;
  if (shift > 22 || shift < -22) return undefined;
  const a = shift >= 0 ? nc * 10 ** shift : nc;
  const b = shift >= 0 ? dc : dc * 10 ** -shift;
  if (!(a < INT_LIMIT && b < INT_LIMIT) || !Number.isInteger(a) || !Number.isInteger(b)) {
    return undefined;
  }
  let k = Math.floor(a / b);
  let rem = a - k * b;
  if (rem < 0) {
    k--;
    rem += b;
  } else if (rem >= b) {
    k++;
    rem -= b;
  }
  const twice = 2 * rem;
  if (twice > b || (twice === b && k % 2 === 1)) k++;
  if (k === 0) return 0;
  return num.neg ? -k : k;
}

/** The thinner L1 side: min(bid, ask) (bid when equal). */
export function computeThinL1(bidQty: Decimal, askQty: Decimal): Decimal {
  return askQty.lt(bidQty) ? askQty : bidQty;
}

/** |curr - prev| / prev, or null when prev is not positive (the return is skipped). */
export function absReturn(prevClose: Decimal, currClose: Decimal): Decimal | null {
  if (!prevClose.isPositive()) return null;
  return currClose.sub(prevClose).div(prevClose).abs();
}

export type RangeTrend = readonly [
  sumAbsReturnsBps: number,
  netReturnBps: number,
  rangeScore: number,
];

/**
 * Range/trend from the horizon's per-bar absolute returns (oldest first, null
 * entries skipped) and the closes at both ends of the window.
 */
export function rangeTrendFromReturns(
  absReturns: readonly (Decimal | null)[],
  startClose: Decimal,
  endClose: Decimal,
): RangeTrend {
  let sumAbs = Decimal.ZERO;
  for (const r of absReturns) if (r !== null) sumAbs = sumAbs.add(r);
  let netRet = Decimal.ZERO;
  if (startClose.isPositive()) netRet = endClose.div(startClose).sub(Decimal.ONE).abs();
  const sumAbsBps = toIntBps(sumAbs);
  const netRetBps = toIntBps(netRet);
  return [sumAbsBps, netRetBps, Math.floor(sumAbsBps / (netRetBps + 1))];
}

/**
 * (sum of |bar returns| in bps, |net return| in bps, sum / (net + 1)) over the
 * last `horizon` returns; zeros until horizon+1 bars exist. A high range score
 * means choppy, a low one trending.
 */
export function computeRangeTrend(bars: readonly MidBar[], horizon = 14): RangeTrend {
  checkPeriod("horizon", horizon);
  const n = bars.length;
  if (n < horizon + 1) return [0, 0, 0];
  const start = n - horizon - 1;
  const rets: (Decimal | null)[] = [];
  for (let i = start + 1; i < n; i++) {
    rets.push(absReturn((bars[i - 1] as MidBar).close, (bars[i] as MidBar).close));
  }
  return rangeTrendFromReturns(rets, (bars[start] as MidBar).close, (bars[n - 1] as MidBar).close);
}
