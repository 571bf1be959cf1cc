/**
 * Exact decimal numbers for prices, quantities and money.
 *
 * A `Decimal` is `(-1)^neg * coef * 10^exp` with an arbitrary-precision integer
 * coefficient. Arithmetic follows the General Decimal Arithmetic rules that the
 * reference engine's language uses for its ledger: addition, subtraction and
 * multiplication are exact until the result needs more than `PRECISION` (28)
 * significant digits, division is correctly rounded to 28 digits, and every
 * rounding is ROUND_HALF_EVEN unless a mode is named (quantize). Exponents are
 * preserved (`"100.000"` stays three places), so `toString()` prints what the
 * reference prints, which keeps output digests comparable.
 *
 * Values are immutable. Small coefficients take a fast path in the helpers
 * below; the representation is private to this module.
 */

import { InvalidInputError } from "./errors.js";

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

function pow10(n: number): bigint {
  return n < POW10.length ? (POW10[n] as bigint) : 10n ** BigInt(n);
}

/** Number of decimal digits of a non-negative bigint (0 has one digit). */
function digitCount(c: bigint): number {
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

const LIMIT = pow10(PRECISION);

/** Divide a non-negative coefficient by 10^shift with the given rounding (sign for floor/ceiling). */
function shiftRound(coef: bigint, shift: number, mode: RoundingMode, neg: boolean): bigint {
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

export class Decimal {
  /** Sign (true for negative, negative zero included). */
  readonly neg: boolean;
  /** Non-negative coefficient. */
  readonly coef: bigint;
  /** Power-of-ten exponent. */
  readonly exp: number;

  private constructor(neg: boolean, coef: bigint, exp: number) {
    this.neg = neg;
    this.coef = coef;
    this.exp = exp;
  }

  static readonly ZERO = new Decimal(false, 0n, 0);
  static readonly ONE = new Decimal(false, 1n, 0);

  /** Build from sign, coefficient and exponent, rounding to the context precision. */
  static fromParts(neg: boolean, coef: bigint, exp: number): Decimal {
    if (coef < 0n) throw new RangeError("coefficient must be non-negative");
    return Decimal.fix(neg, coef, exp);
  }

  /** Exact construction without context rounding (parsing keeps every digit). */
  private static raw(neg: boolean, coef: bigint, exp: number): Decimal {
    return new Decimal(neg, coef, exp);
  }

  /** Round to PRECISION significant digits (ROUND_HALF_EVEN), as every arithmetic result is. */
  private static fix(neg: boolean, coef: bigint, exp: number): Decimal {
    if (coef < LIMIT) return new Decimal(neg, coef, exp);
    const digits = digitCount(coef);
    const shift = digits - PRECISION;
    let c = shiftRound(coef, shift, "ROUND_HALF_EVEN", neg);
    let e = exp + shift;
    if (c >= LIMIT) {
      c /= 10n;
      e += 1;
    }
    return new Decimal(neg, c, e);
  }

  /** Parse a decimal literal such as "50000.00", "-1.5", "1E+1", "0.0001". Keeps its exponent. */
  static parse(text: string): Decimal {
    const d = Decimal.tryParse(text);
    if (d === undefined)
      throw new InvalidInputError(`not a decimal number: ${JSON.stringify(text)}`);
    return d;
  }

  /** Like parse, but returns undefined instead of throwing. */
  static tryParse(text: string): Decimal | undefined {
    const m = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (!m) return undefined;
    const intPart = m[2] ?? "";
    const fracPart = m[3] ?? "";
    if (intPart.length === 0 && fracPart.length === 0) return undefined;
    const neg = m[1] === "-";
    const digits = (intPart + fracPart).replace(/^0+(?=\d)/, "");
    const exp = (m[4] ? Number.parseInt(m[4], 10) : 0) - fracPart.length;
    return Decimal.raw(neg, BigInt(digits === "" ? "0" : digits), exp);
  }

  /** From an integer (exact). */
  static fromInt(n: number | bigint): Decimal {
    if (typeof n === "number" && !Number.isSafeInteger(n)) {
      throw new RangeError(`not a safe integer: ${n}`);
    }
    const b = BigInt(n);
    return b < 0n ? Decimal.raw(true, -b, 0) : Decimal.raw(false, b, 0);
  }

  /**
   * From a binary double, exactly (every bit of the double becomes a digit),
   * as the reference does when a config value arrives as a JSON float.
   * Integral doubles give exponent 0.
   */
  static fromDoubleExact(x: number): Decimal {
    if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
    if (Number.isInteger(x)) return Decimal.fromInt(BigInt(x));
    const neg = x < 0 || Object.is(x, -0);
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, Math.abs(x));
    const hi = buf.getUint32(0);
    const lo = buf.getUint32(4);
    const biased = (hi >>> 20) & 0x7ff;
    let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    let e2: number;
    if (biased === 0) {
      e2 = -1074;
    } else {
      mant |= 1n << 52n;
      e2 = biased - 1075;
    }
    while (mant > 0n && (mant & 1n) === 0n) {
      mant >>= 1n;
      e2 += 1;
    }
    // x = mant * 2^e2 with e2 < 0 here: mant * 5^-e2 * 10^e2
    return Decimal.raw(neg, mant * 5n ** BigInt(-e2), e2);
  }

  /** The shortest decimal that round-trips the double (what `str(float)` gives). */
  static fromDoubleShortest(x: number): Decimal {
    return Decimal.parse(shortestRepr(x));
  }

  isZero(): boolean {
    return this.coef === 0n;
  }

  isNegative(): boolean {
    return this.neg && this.coef !== 0n;
  }

  isPositive(): boolean {
    return !this.neg && this.coef !== 0n;
  }

  /** -1, 0 or 1 by value (negative zero equals zero). */
  sign(): -1 | 0 | 1 {
    if (this.coef === 0n) return 0;
    return this.neg ? -1 : 1;
  }

  /** Unary minus; zero stays positive (as the reference's context does). */
  negate(): Decimal {
    return Decimal.fix(this.coef === 0n ? false : !this.neg, this.coef, this.exp);
  }

  abs(): Decimal {
    return Decimal.fix(false, this.coef, this.exp);
  }

  add(other: Decimal): Decimal {
    const e = Math.min(this.exp, other.exp);
    const a = this.coef * pow10(this.exp - e);
    const b = other.coef * pow10(other.exp - e);
    const sa = this.neg ? -a : a;
    const sb = other.neg ? -b : b;
    const s = sa + sb;
    if (s === 0n) {
      // Exact zero: negative only when both operands are negative (ROUND_HALF_EVEN context).
      return Decimal.fix(this.neg && other.neg, 0n, e);
    }
    return s < 0n ? Decimal.fix(true, -s, e) : Decimal.fix(false, s, e);
  }

  sub(other: Decimal): Decimal {
    return this.add(new Decimal(!other.neg, other.coef, other.exp));
  }

  mul(other: Decimal): Decimal {
    return Decimal.fix(this.neg !== other.neg, this.coef * other.coef, this.exp + other.exp);
  }

  /** Division correctly rounded to PRECISION digits; exact quotients keep the ideal exponent. */
  div(other: Decimal): Decimal {
    if (other.coef === 0n) throw new RangeError("division by zero");
    const neg = this.neg !== other.neg;
    const idealExp = this.exp - other.exp;
    if (this.coef === 0n) return Decimal.fix(neg, 0n, idealExp);
    const shift = digitCount(other.coef) - digitCount(this.coef) + PRECISION + 1;
    let exp = idealExp - shift;
    let coef: bigint;
    let rem: bigint;
    if (shift >= 0) {
      const num = this.coef * pow10(shift);
      coef = num / other.coef;
      rem = num - coef * other.coef;
    } else {
      const den = other.coef * pow10(-shift);
      coef = this.coef / den;
      rem = this.coef - coef * den;
    }
    if (rem !== 0n) {
      // Sticky digit so the final rounding sees an inexact tail.
      if (coef % 5n === 0n) coef += 1n;
    } else {
      while (exp < idealExp && coef % 10n === 0n) {
        coef /= 10n;
        exp += 1;
      }
    }
    return Decimal.fix(neg, coef, exp);
  }

  /** Integer power (non-negative or negative exponent), as `Decimal ** n`. */
  pow(n: number): Decimal {
    if (!Number.isInteger(n)) throw new RangeError("integer exponent required");
    if (n === 0) return Decimal.ONE;
    let result = Decimal.ONE;
    let base: Decimal = this;
    let k = Math.abs(n);
    // Exact for the small powers used here (powers of ten, squares).
    while (k > 0) {
      if (k & 1) result = result.mul(base);
      base = base.mul(base);
      k >>= 1;
    }
    return n < 0 ? Decimal.ONE.div(result) : result;
  }

  /** Rescale to exponent `exp` with the given rounding (Decimal.quantize). */
  quantizeExp(exp: number, mode: RoundingMode): Decimal {
    const shift = exp - this.exp;
    const c = shiftRound(this.coef, shift, mode, this.neg);
    if (c !== 0n && digitCount(c) > PRECISION) {
      throw new RangeError("quantize result exceeds precision");
    }
    return new Decimal(this.neg, c, exp);
  }

  /** Round to `places` digits after the point (places may be 0). */
  quantize(places: number, mode: RoundingMode): Decimal {
    return this.quantizeExp(-places, mode);
  }

  cmp(other: Decimal): -1 | 0 | 1 {
    const sa = this.sign();
    const sb = other.sign();
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    const e = Math.min(this.exp, other.exp);
    const a = this.coef * pow10(this.exp - e);
    const b = other.coef * pow10(other.exp - e);
    if (a === b) return 0;
    const mag = a < b ? -1 : 1;
    return (sa === 1 ? mag : -mag) as -1 | 1;
  }

  eq(other: Decimal): boolean {
    return this.cmp(other) === 0;
  }
  lt(other: Decimal): boolean {
    return this.cmp(other) < 0;
  }
  lte(other: Decimal): boolean {
    return this.cmp(other) <= 0;
  }
  gt(other: Decimal): boolean {
    return this.cmp(other) > 0;
  }
  gte(other: Decimal): boolean {
    return this.cmp(other) >= 0;
  }

  min(other: Decimal): Decimal {
    return other.lt(this) ? other : this;
  }
  max(other: Decimal): Decimal {
    return other.gt(this) ? other : this;
  }

  /** Nearest double (correctly rounded, as the reference's float() conversion). */
  toNumber(): number {
    return Number(this.toSciString());
  }

  /** Truncate toward zero to an integer. */
  toIntTrunc(): bigint {
    const c = this.exp >= 0 ? this.coef * pow10(this.exp) : this.coef / pow10(-this.exp);
    return this.neg ? -c : c;
  }

  /** The reference's `str(Decimal)`: plain notation unless the exponent is large. */
  toString(): string {
    return this.toSciString();
  }

  toJSON(): string {
    return this.toSciString();
  }

  private toSciString(): string {
    const digits = this.coef.toString();
    const leftDigits = this.exp + digits.length;
    let dotPlace: number;
    if (this.exp <= 0 && leftDigits > -6) dotPlace = leftDigits;
    else dotPlace = 1;
    let intPart: string;
    let fracPart: string;
    if (dotPlace <= 0) {
      intPart = "0";
      fracPart = "." + "0".repeat(-dotPlace) + digits;
    } else if (dotPlace >= digits.length) {
      intPart = digits + "0".repeat(dotPlace - digits.length);
      fracPart = "";
    } else {
      intPart = digits.slice(0, dotPlace);
      fracPart = "." + digits.slice(dotPlace);
    }
    let expPart = "";
    if (leftDigits !== dotPlace) {
      const e = leftDigits - dotPlace;
      expPart = "E" + (e >= 0 ? "+" : "-") + Math.abs(e);
    }
    return (this.neg ? "-" : "") + intPart + fracPart + expPart;
  }
}

/** Shorthand for parsing a literal. */
export function dec(text: string | number): Decimal {
  if (typeof text === "number") {
    return Number.isInteger(text) ? Decimal.fromInt(text) : Decimal.fromDoubleExact(text);
  }
  return Decimal.parse(text);
}

/** Sum of decimals (starting from integer 0, as `sum()` does). */
export function sumDecimals(values: Iterable<Decimal>): Decimal {
  let acc = Decimal.ZERO;
  for (const v of values) acc = acc.add(v);
  return acc;
}

/**
 * The shortest round-trip representation of a double in the reference's
 * float formatting (`repr(float)`): "10.0", "1e-05", "1.5e+16", "inf".
 */
export function shortestRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // toExponential() with no argument gives the shortest round-trip digits.
  const [mant, expStr] = x.toExponential().split("e") as [string, string];
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  const e = Number.parseInt(expStr, 10);
  const sign = neg ? "-" : "";
  if (e >= -4 && e < 16) {
    // Plain notation.
    if (e >= 0) {
      const intLen = e + 1;
      if (digits.length <= intLen) return sign + digits + "0".repeat(intLen - digits.length) + ".0";
      return sign + digits.slice(0, intLen) + "." + digits.slice(intLen);
    }
    return sign + "0." + "0".repeat(-e - 1) + digits;
  }
  const m = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
  const es = (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  return sign + m + "e" + es;
}
