/**
 * The movement of a window of mid prices in bps (the controller's vol_bps,
 * Top-K v0's score): the sum of |mid_i / mid_(i-1) - 1| over its steps, times
 * 10000, rounded half-even to an integer, as the reference computes it in
 * 28-digit decimals (left to right from 0, skipping a step from a
 * non-positive price).
 *
 * The exact sum costs a 28-digit division per step and 28-digit additions
 * (BigInt), every decision. Only the rounded integer is used, so a float sum
 * with a bound on its error decides whenever the value is not within that
 * bound of a half-integer (the only place where rounding can go either way);
 * near one, or on any value a float does not carry (a price that does not
 * convert, an enormous return), the exact decimal sum decides.
 */

import { Decimal } from "../../core/decimal.js";
import { absReturn, toIntBps } from "./indicators.js";

/** What the window keeps of one observation. */
export interface VolPoint {
  readonly mid: Decimal;
  /** `mid.toNumber()`, computed once when recorded. */
  readonly midF: number;
}

/** Unit roundoff of a double. */
const U = 2 ** -53;

/** The exact value: 28-digit decimal returns summed left to right. */
export function exactVolBps(window: readonly { readonly mid: Decimal }[]): number {
  let total = Decimal.ZERO;
  for (let i = 1; i < window.length; i++) {
    const r = absReturn(
      (window[i - 1] as { mid: Decimal }).mid,
      (window[i] as { mid: Decimal }).mid,
    );
    if (r !== null) total = total.add(r);
  }
  return toIntBps(total);
}

/**
 * The float estimate when it provably rounds to the exact value, else
 * undefined. Error bound: each step's |c - p| / p from doubles c, p (each
 * within U of the decimal) is within about U * ((|c| + p) / p + 4r) of the
 * true return r; summing n terms adds at most n * U * sum; the decimal path
 * itself rounds each return and partial sum to 28 digits (relative 5e-28,
 * covered by a 1e-24 relative margin). The bound is taken four times over.
 */
export function floatVolBps(window: readonly VolPoint[]): number | undefined {
  let sum = 0;
  let termBound = 0;
  for (let i = 1; i < window.length; i++) {
    const p = (window[i - 1] as VolPoint).midF;
    const c = (window[i] as VolPoint).midF;
    if (!(p > 0)) {
      // A positive decimal that became 0 (underflow) or a price that did not convert.
      if (Number.isNaN(p) || (window[i - 1] as VolPoint).mid.isPositive()) return undefined;
      continue;
    }
    if (!Number.isFinite(c) || !Number.isFinite(p)) return undefined;
    const r = Math.abs(c - p) / p;
    sum += r;
    termBound += (Math.abs(c) + p) / p + 4 * r;
  }
  const v = sum * 10000;
  if (!Number.isFinite(v)) return undefined;
  const steps = window.length;
  const err = 4 * U * 10000 * (termBound + steps * sum) + 4 * U * v + 1e-24 * (v + 1);
  const frac = v - Math.floor(v);
  if (Math.abs(frac - 0.5) <= err || err >= 0.25) return undefined;
  return frac < 0.5 ? Math.floor(v) : Math.floor(v) + 1;
}

/** vol_bps of the window: the float estimate when it is provably right, else the exact sum. */
export function volBps(window: readonly VolPoint[]): number {
  return floatVolBps(window) ?? exactVolBps(window);
}
