/**
 * Number formatting as the reference's Python prints it: `f"{x:.2f}"` and
 * `round(x, 2)` round the exact binary value half-to-even, where JavaScript's
 * `toFixed` rounds exact ties away from zero (0.125 -> "0.13", Python "0.12").
 */

import { Decimal } from "../../core/decimal.js";
import { shortestRepr } from "../../core/float-repr.js";

const TWO_POW_52 = 2 ** 52;

/** `format(x, f".{digits}f")` of a Python float. */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isInteger(digits) || digits < 0) throw new RangeError(`bad digit count: ${digits}`);
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  const frac = digits > 0 ? "." + "0".repeat(digits) : "";
  if (Object.is(x, -0)) return "-0" + frac;
  // Doubles this large are integers; the exact Decimal could exceed 28 digits.
  if (Math.abs(x) >= TWO_POW_52) return BigInt(x).toString() + frac;
  return Decimal.fromDoubleExact(x).quantize(digits, "ROUND_HALF_EVEN").toString();
}

/** `round(x, digits)` of a Python float (the nearest double to the rounded value). */
export function roundHalfEven(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  return Number(formatFixed(x, digits));
}

/** `json.dumps(x)` of a Python float: "12.0", "0.25", "1e-05", "NaN", "Infinity". */
export function pyJsonFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  return shortestRepr(x);
}
