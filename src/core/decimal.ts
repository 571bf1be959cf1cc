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

import {
  digitCount,
  LIMIT,
  MAX_SMALL,
  PRECISION,
  pow10,
  pow10Num,
  type RoundingMode,
  shiftRound,
} from "./decimal-coefficient.js";
import { InvalidInputError } from "./errors.js";
import { shortestRepr } from "./float-repr.js";

export { PRECISION, type RoundingMode };

/**
 * Exact decimal number. Internally the coefficient is a plain number while it
 * is a safe integer (the common case for prices and quantities: no BigInt
 * allocation on the hot path) and a bigint otherwise; every operation checks
 * that a small result is exact before keeping it small, so both paths give
 * identical values.
 */
export class Decimal {
  /** Sign (true for negative, negative zero included). */
  readonly neg: boolean;
  /** Power-of-ten exponent. */
  readonly exp: number;
  /** Coefficient when small (valid when `big` is null). */
  private readonly small: number;
  /** Coefficient when it does not fit a safe integer. */
  private readonly big: bigint | null;

  private constructor(neg: boolean, small: number, big: bigint | null, exp: number) {
    this.neg = neg;
    this.small = small;
    this.big = big;
    this.exp = exp;
  }

  /** Non-negative coefficient. */
  get coef(): bigint {
    return this.big ?? BigInt(this.small);
  }

  static readonly ZERO = new Decimal(false, 0, null, 0);
  static readonly ONE = new Decimal(false, 1, null, 0);

  /** Build from sign, coefficient and exponent, rounding to the context precision. */
  static fromParts(neg: boolean, coef: bigint, exp: number): Decimal {
    if (coef < 0n) throw new RangeError("coefficient must be non-negative");
    return Decimal.fix(neg, coef, exp);
  }

  /** A value from a bigint coefficient, kept small when it fits (no rounding). */
  private static ofBig(neg: boolean, coef: bigint, exp: number): Decimal {
    if (coef <= 9007199254740991n) return new Decimal(neg, Number(coef), null, exp);
    return new Decimal(neg, 0, coef, exp);
  }

  /** Round to PRECISION significant digits (ROUND_HALF_EVEN), as every arithmetic result is. */
  private static fix(neg: boolean, coef: bigint, exp: number): Decimal {
    if (coef < LIMIT) return Decimal.ofBig(neg, coef, exp);
    const digits = digitCount(coef);
    const shift = digits - PRECISION;
    let c = shiftRound(coef, shift, "ROUND_HALF_EVEN", neg);
    let e = exp + shift;
    if (c >= LIMIT) {
      c /= 10n;
      e += 1;
    }
    return Decimal.ofBig(neg, c, e);
  }

  /** Parse a decimal literal such as "50000.00", "-1.5", "1E+1", "0.0001". Keeps its exponent. */
  static parse(text: string): Decimal {
    const d = Decimal.tryParse(text);
    if (d === undefined)
      throw new InvalidInputError(`not a decimal number: ${JSON.stringify(text)}`);
    return d;
  }

  /**
   * Parse the ASCII bytes `bytes[start, end)` when they are a plain `[-]digits[.digits]` literal of
   * at most 15 digits, without slicing; undefined otherwise (use tryParse).
   */
  static parsePlainBytes(bytes: Uint8Array, start: number, end: number): Decimal | undefined {
    let i = start;
    let neg = false;
    if (i < end && bytes[i] === 45) {
      neg = true;
      i++;
    }
    let coef = 0;
    let digits = 0;
    let frac = -1;
    for (; i < end; i++) {
      const c = bytes[i] as number;
      if (c >= 48 && c <= 57) {
        coef = coef * 10 + (c - 48);
        digits++;
        if (frac >= 0) frac++;
      } else if (c === 46 && frac < 0) {
        frac = 0;
      } else {
        return undefined;
      }
    }
    if (digits === 0 || digits > 15) return undefined;
    return new Decimal(neg, coef, null, frac > 0 ? -frac : 0);
  }

  /** Like parse, but returns undefined instead of throwing. */
  static tryParse(text: string): Decimal | undefined {
    // Fast path: [-]digits[.digits] with at most 15 digits in all.
    const n = text.length;
    if (n > 0 && n <= 17) {
      let i = 0;
      let neg = false;
      const c0 = text.charCodeAt(0);
      if (c0 === 45 /* - */ || c0 === 43 /* + */) {
        neg = c0 === 45;
        i = 1;
      }
      let coef = 0;
      let digits = 0;
      let frac = -1;
      let ok = i < n;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 48 && c <= 57) {
          coef = coef * 10 + (c - 48);
          digits++;
          if (frac >= 0) frac++;
        } else if (c === 46 /* . */ && frac < 0) {
          frac = 0;
        } else {
          ok = false;
          break;
        }
      }
      if (ok && digits > 0 && digits <= 15) {
        return new Decimal(neg, coef, null, frac > 0 ? -frac : 0);
      }
    }
    const m = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (!m) return undefined;
    const intPart = m[2] ?? "";
    const fracPart = m[3] ?? "";
    if (intPart.length === 0 && fracPart.length === 0) return undefined;
    const neg = m[1] === "-";
    const digits = (intPart + fracPart).replace(/^0+(?=\d)/, "");
    const exp = (m[4] ? Number.parseInt(m[4], 10) : 0) - fracPart.length;
    return Decimal.ofBig(neg, BigInt(digits === "" ? "0" : digits), exp);
  }

  /**
   * From sign, a safe-integer coefficient (>= 0) and an exponent, exactly: the
   * number-only counterpart of fromParts for decoders that parse digits
   * themselves.
   */
  static fromSafeParts(neg: boolean, coef: number, exp: number): Decimal {
    if (!Number.isSafeInteger(coef) || coef < 0 || !Number.isInteger(exp)) {
      throw new RangeError(`not a safe coefficient and exponent: ${coef}, ${exp}`);
    }
    return new Decimal(neg, coef, null, exp);
  }

  /** The coefficient as a number when it is a safe integer, else undefined (no BigInt made). */
  get safeCoef(): number | undefined {
    return this.big === null ? this.small : undefined;
  }

  /** From an integer (exact). */
  static fromInt(n: number | bigint): Decimal {
    if (typeof n === "number") {
      if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
      return n < 0 ? new Decimal(true, -n, null, 0) : new Decimal(false, n, null, 0);
    }
    return n < 0n ? Decimal.ofBig(true, -n, 0) : Decimal.ofBig(false, n, 0);
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
    return Decimal.ofBig(neg, mant * 5n ** BigInt(-e2), e2);
  }

  /** The shortest decimal that round-trips the double (what `str(float)` gives). */
  static fromDoubleShortest(x: number): Decimal {
    return Decimal.parse(shortestRepr(x));
  }

  isZero(): boolean {
    return this.big === null && this.small === 0;
  }

  isNegative(): boolean {
    return this.neg && !this.isZero();
  }

  isPositive(): boolean {
    return !this.neg && !this.isZero();
  }

  /** -1, 0 or 1 by value (negative zero equals zero). */
  sign(): -1 | 0 | 1 {
    if (this.isZero()) return 0;
    return this.neg ? -1 : 1;
  }

  /** Unary minus; zero stays positive (as the reference's context does). */
  negate(): Decimal {
    const neg = this.isZero() ? false : !this.neg;
    if (this.big !== null) return Decimal.fix(neg, this.big, this.exp);
    return new Decimal(neg, this.small, null, this.exp);
  }

  /** Absolute value (rounded to the context like every result). */
  abs(): Decimal {
    if (this.big !== null) return Decimal.fix(false, this.big, this.exp);
    return this.neg ? new Decimal(false, this.small, null, this.exp) : this;
  }

  add(other: Decimal): Decimal {
    if (this.big === null && other.big === null) {
      let a = this.small;
      let b = other.small;
      let e = this.exp;
      let ok = true;
      if (this.exp !== other.exp) {
        const d = this.exp - other.exp;
        if (d > 0) {
          if (d > 15) ok = false;
          else {
            a *= pow10Num(d);
            e = other.exp;
          }
        } else {
          if (-d > 15) ok = false;
          else b *= pow10Num(-d);
        }
        if (a > MAX_SMALL || b > MAX_SMALL) ok = false;
      }
      if (ok) {
        const sa = this.neg ? -a : a;
        const sb = other.neg ? -b : b;
        const r = sa + sb;
        if (r >= -MAX_SMALL && r <= MAX_SMALL) {
          if (r === 0) return new Decimal(this.neg && other.neg, 0, null, e);
          return r < 0 ? new Decimal(true, -r, null, e) : new Decimal(false, r, null, e);
        }
      }
    }
    return this.addBig(other);
  }

  private addBig(other: Decimal): Decimal {
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
    return this.add(new Decimal(!other.neg, other.small, other.big, other.exp));
  }

  mul(other: Decimal): Decimal {
    const neg = this.neg !== other.neg;
    const exp = this.exp + other.exp;
    if (this.big === null && other.big === null) {
      const p = this.small * other.small;
      if (p <= MAX_SMALL) return new Decimal(neg, p, null, exp);
    }
    return Decimal.fix(neg, this.coef * other.coef, exp);
  }

  /** Division correctly rounded to PRECISION digits; exact quotients keep the ideal exponent. */
  div(other: Decimal): Decimal {
    if (other.isZero()) throw new RangeError("division by zero");
    const neg = this.neg !== other.neg;
    const idealExp = this.exp - other.exp;
    if (this.isZero()) return new Decimal(neg, 0, null, idealExp);
    if (this.big === null && other.big === null) {
      // Exact quotient with a small coefficient: the smallest scaling that divides.
      const a = this.small;
      const b = other.small;
      for (let k = 0; k <= 15; k++) {
        const num = a * pow10Num(k);
        if (num > MAX_SMALL) break;
        if (num % b === 0) return new Decimal(neg, num / b, null, idealExp - k);
      }
    }
    return this.divBig(other, neg, idealExp);
  }

  private divBig(other: Decimal, neg: boolean, idealExp: number): Decimal {
    const ac = this.coef;
    const bc = other.coef;
    const shift = digitCount(bc) - digitCount(ac) + PRECISION + 1;
    let exp = idealExp - shift;
    let coef: bigint;
    let rem: bigint;
    if (shift >= 0) {
      const num = ac * pow10(shift);
      coef = num / bc;
      rem = num - coef * bc;
    } else {
      const den = bc * pow10(-shift);
      coef = ac / den;
      rem = ac - coef * den;
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
    while (k > 0) {
      if (k & 1) result = result.mul(base);
      base = base.mul(base);
      k >>= 1;
    }
    return n < 0 ? Decimal.ONE.div(result) : result;
  }

  /**
   * The exact quotient this / divisor, rounded down to a multiple of 10^exp
   * (both non-negative): one integer division, not a 28-digit one, and no
   * BigInt while the numbers are small. For sizes: notional / price on a
   * quantity step.
   */
  divDownToExp(divisor: Decimal, exp: number): Decimal {
    if (this.neg || divisor.neg) throw new RangeError("divDownToExp: operands must be >= 0");
    if (divisor.isZero()) throw new RangeError("division by zero");
    // this / divisor / 10^exp = (a / b) x 10^k
    const k = this.exp - divisor.exp - exp;
    if (this.big === null && divisor.big === null && Math.abs(k) <= 15) {
      const num = k >= 0 ? this.small * pow10Num(k) : this.small;
      const den = k >= 0 ? divisor.small : divisor.small * pow10Num(-k);
      if (num < 2 ** 52 && den < 2 ** 52) {
        let q = Math.floor(num / den);
        const r = num - q * den;
        if (r < 0) q -= 1;
        else if (r >= den) q += 1;
        return new Decimal(false, q, null, exp);
      }
    }
    const a = this.coef;
    const b = divisor.coef;
    const q = k >= 0 ? (a * 10n ** BigInt(k)) / b : a / (b * 10n ** BigInt(-k));
    return Decimal.ofBig(false, q, exp);
  }

  /** Rescale to exponent `exp` with the given rounding (Decimal.quantize). */
  quantizeExp(exp: number, mode: RoundingMode): Decimal {
    const shift = exp - this.exp;
    if (shift === 0) return this;
    if (this.big === null) {
      if (shift < 0) {
        if (-shift <= 15) {
          const c = this.small * pow10Num(-shift);
          if (c <= MAX_SMALL) return new Decimal(this.neg, c, null, exp);
        }
      } else if (shift <= 22) {
        const p = pow10Num(shift);
        const r = this.small % p;
        const q = (this.small - r) / p;
        if (r === 0 || mode === "ROUND_DOWN") return new Decimal(this.neg, q, null, exp);
      }
    }
    const c = shiftRound(this.coef, shift, mode, this.neg);
    if (c !== 0n && digitCount(c) > PRECISION) {
      throw new RangeError("quantize result exceeds precision");
    }
    return Decimal.ofBig(this.neg, c, exp);
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
    let mag: number;
    if (this.big === null && other.big === null && Math.abs(this.exp - other.exp) <= 15) {
      let a = this.small;
      let b = other.small;
      if (this.exp > other.exp) a *= pow10Num(this.exp - other.exp);
      else if (other.exp > this.exp) b *= pow10Num(other.exp - this.exp);
      if (a <= MAX_SMALL && b <= MAX_SMALL) {
        if (a === b) return 0;
        mag = a < b ? -1 : 1;
        return (sa === 1 ? mag : -mag) as -1 | 1;
      }
    }
    const e = Math.min(this.exp, other.exp);
    const a = this.coef * pow10(this.exp - e);
    const b = other.coef * pow10(other.exp - e);
    if (a === b) return 0;
    mag = a < b ? -1 : 1;
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
    if (this.big === null && this.exp <= 0 && this.exp >= -22) {
      // Both operands are exact doubles; IEEE division rounds correctly.
      const v = this.small / pow10Num(-this.exp);
      return this.neg ? -v : v;
    }
    return Number(this.toSciString());
  }

  /** Truncate toward zero to an integer. */
  toIntTrunc(): bigint {
    const coef = this.coef;
    const c = this.exp >= 0 ? coef * pow10(this.exp) : coef / pow10(-this.exp);
    return this.neg ? -c : c;
  }

  /** The reference's `str(Decimal)`: plain notation unless the exponent is large. */
  toString(): string {
    return this.toSciString();
  }

  toJSON(): string {
    return this.toSciString();
  }

  /**
   * Plain positional text, never exponent form ("0.00010", "100", "0E-8" ->
   * "0.00000000"): what an exchange API accepts and a CSV reader expects.
   */
  toPlainString(): string {
    const digits = this.big === null ? String(this.small) : this.big.toString();
    let body: string;
    if (this.exp >= 0) body = digits === "0" ? "0" : digits + "0".repeat(this.exp);
    else {
      const places = -this.exp;
      const padded = digits.padStart(places + 1, "0");
      body = `${padded.slice(0, padded.length - places)}.${padded.slice(padded.length - places)}`;
    }
    return this.neg && digits !== "0" ? `-${body}` : body;
  }

  private toSciString(): string {
    const digits = this.big === null ? String(this.small) : this.big.toString();
    const sign = this.neg ? "-" : "";
    if (this.exp === 0) return sign + digits;
    const leftDigits = this.exp + digits.length;
    if (this.exp < 0 && leftDigits > 0) {
      return sign + digits.slice(0, leftDigits) + "." + digits.slice(leftDigits);
    }
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
    return sign + intPart + fracPart + expPart;
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
