/**
 * `round(x, ndigits)` of a binary float as the reference computes it: the
 * exact binary value rounded half-to-even at `ndigits` decimal places, then
 * converted back to the nearest double.
 */

import { Decimal } from "../../core/decimal.js";

const TWO_POW_52 = 2 ** 52;

export function roundFloat(x: number, ndigits: number): number {
  if (!Number.isFinite(x)) return x;
  // Doubles this large have no fractional digits left to round.
  if (Math.abs(x) >= TWO_POW_52) return x;
  const r = Decimal.fromDoubleExact(x).quantize(ndigits, "ROUND_HALF_EVEN").toNumber();
  // Keep the sign of a value that rounds to zero (round(-0.001, 2) is -0.0).
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}
