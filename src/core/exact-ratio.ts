/**
 * The double nearest to an exact ratio a / b, on plain numbers, when it is
 * provably also the double nearest to that ratio first rounded to 28
 * significant decimal digits: the reference's `float(Decimal(a) / Decimal(b))`
 * without the 28-digit division, when it is safe to skip it.
 *
 * Why it holds. Let a and b be doubles in [1, 2^53) (every integer in that
 * range is one), r = a / b the exact ratio and q = a / b the IEEE quotient, which is
 * the double nearest to r (division is correctly rounded). Rounding r to 28
 * significant digits moves it by at most half a unit in its 28th digit, that
 * is at most 5e-28 * r. Rounding to the nearest double is monotone and
 * changes value only across a midpoint between two adjacent doubles; so if r
 * is farther than 5e-28 * r from every midpoint, r and its 28-digit rounding
 * round to the same double, q. The midpoints nearest to r are q + up/2 and
 * q - down/2, where up and down are the gaps to q's neighbours (equal, except
 * that down = up/2 when q is a power of two); with u the smaller gap, r's
 * distance to both is at least u/2 - |r - q|. Scaled by b, the test is
 *
 *     u*b/2 - |a - q*b|  >  5e-28 * a.
 *
 * Every term is computed exactly or nearly so: u is a power of two read from
 * q's exponent bits, so u*b/2 is exact; q*b = p + err exactly by Dekker's
 * TwoProduct (Veltkamp splitting, no FMA needed; exact since nothing here
 * overflows or comes near the subnormals: q >= 2^-53); a - p is exact by
 * Sterbenz's lemma (p is within a factor (1 + 2^-53)^2 of a); only
 * (a - p) - err rounds, by a relative 2^-53 of a residual below 2^-52 * a,
 * so by less than 1e-31 * a. The test used, with 1e-26 in place of 5e-28,
 * has a margin far beyond these errors and the last roundings of the
 * comparison itself. When it fails (r close to a midpoint: rare, and always
 * possible by construction) the answer is undefined and the caller takes the
 * exact path.
 */

/** Veltkamp's splitting constant for doubles: 2^27 + 1. */
const SPLITTER = 134217729;
/** Required distance to a rounding midpoint, relative to the ratio: 20 times the 28-digit rounding's 5e-28. */
const MARGIN = 1e-26;
const TWO_POW_53 = 2 ** 53;
const TWO_POW_MINUS_52 = 2 ** -52;

// A double's bits, to read its exponent: one scratch word pair.
const SCRATCH = new Float64Array(1);
const WORDS = new Uint32Array(SCRATCH.buffer);
SCRATCH[0] = 1;
/** Index of the word holding the sign and exponent (1 on little-endian machines). */
const HI = WORDS[1] === 0x3ff00000 ? 1 : 0;
const LO = 1 - HI;

/** The largest power of two not above x (x a positive normal double). */
function powerOfTwoFloor(x: number): number {
  SCRATCH[0] = x;
  WORDS[HI] = (WORDS[HI] as number) & 0xfff00000;
  WORDS[LO] = 0;
  return SCRATCH[0] as number;
}

/**
 * The double nearest to a / b, when it is also the double nearest to a / b
 * rounded to 28 significant digits (half-even or any other rounding to
 * nearest); undefined when that is not proved (ratio close to a midpoint
 * between two doubles) or when a or b is outside [1, 2^53).
 */
export function ratioAsDouble28(a: number, b: number): number | undefined {
  if (!(a >= 1 && a < TWO_POW_53 && b >= 1 && b < TWO_POW_53)) return undefined;
  const q = a / b;
  // Smaller gap to a neighbour of q: 2^-52 of its binade, half that below a power of two.
  const binade = powerOfTwoFloor(q);
  const gap = q === binade ? binade * TWO_POW_MINUS_52 * 0.5 : binade * TWO_POW_MINUS_52;
  // q * b = p + err exactly (Dekker's TwoProduct).
  const p = q * b;
  let t = SPLITTER * q;
  const qHi = t - (t - q);
  const qLo = q - qHi;
  t = SPLITTER * b;
  const bHi = t - (t - b);
  const bLo = b - bHi;
  const err = qHi * bHi - p + qHi * bLo + qLo * bHi + qLo * bLo;
  const residual = a - p - err;
  return gap * b * 0.5 - Math.abs(residual) > MARGIN * a ? q : undefined;
}
