/**
 * Coefficient arithmetic under `Decimal` (core/decimal.ts): powers of ten,
 * digit counts and rounding a coefficient by a power of ten, for bigint
 * coefficients and the plain-number fast path.
 */

/** Significant digits kept by arithmetic results (the reference's default context). */
export const PRECISION = 28;

export type RoundingMode =
  | "ROUND_DOWN"
  | "ROUND_HALF_EVEN"
  | "ROUND_HALF_UP"
  | "ROUND_UP"
  | "ROUND_FLOOR"
  | "ROUND_CEILING";

const POW10: bigint[] = [];
{
  let p = 1n;
  for (let i = 0; i <= 80; i++) {
    POW10.push(p);
    p *= 10n;
  }
}

export function pow10(n: number): bigint {
  return n < POW10.length ? (POW10[n] as bigint) : 10n ** BigInt(n);
}

/** Number of decimal digits of a non-negative bigint (0 has one digit). */
export function digitCount(c: bigint): number {
  if (c < 10n) return 1;
  // Binary search over the power table for the common range.
  if (c < (POW10[POW10.length - 1] as bigint)) {
    let lo = 1;
    let hi = POW10.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c < (POW10[mid] as bigint)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
  return c.toString().length;
}

export const LIMIT = pow10(PRECISION);

/** Divide a non-negative coefficient by 10^shift with the given rounding (sign for floor/ceiling). */
export function shiftRound(coef: bigint, shift: number, mode: RoundingMode, neg: boolean): bigint {
  if (shift <= 0) return coef * pow10(-shift);
  const d = pow10(shift);
  const q = coef / d;
  const r = coef - q * d;
  if (r === 0n) return q;
  switch (mode) {
    case "ROUND_DOWN":
      return q;
    case "ROUND_UP":
      return q + 1n;
    case "ROUND_FLOOR":
      return neg ? q + 1n : q;
    case "ROUND_CEILING":
      return neg ? q : q + 1n;
    case "ROUND_HALF_UP": {
      const twice = r * 2n;
      return twice >= d ? q + 1n : q;
    }
    case "ROUND_HALF_EVEN": {
      const twice = r * 2n;
      if (twice > d) return q + 1n;
      if (twice < d) return q;
      return q % 2n === 0n ? q : q + 1n;
    }
  }
}

/** Largest coefficient kept as a plain number (every integer up to it is exact in a double). */
export const MAX_SMALL = Number.MAX_SAFE_INTEGER;
/** Exact powers of ten as doubles (10^0 .. 10^22 are exactly representable). */
const POW10_NUM: number[] = [];
for (let i = 0; i <= 22; i++) POW10_NUM.push(10 ** i);

export function pow10Num(n: number): number {
  return POW10_NUM[n] as number;
}
