/**
 * `x ** y` for doubles, correctly rounded to nearest (ties to even), as the
 * reference platform's C library `pow` returns it. JavaScript's `Math.pow`
 * is not correctly rounded (2 ** 1.5 gives 2.82842712474619 instead of
 * 2.8284271247461903), which would change sizing weights in the last digit.
 *
 * Integral exponents are computed exactly with BigInt when the result is not
 * huge; other cases go through ln/exp in 256-bit fixed point, far more
 * precision than a double needs, then round once.
 */

const F = 256n; // fraction bits of the fixed-point values
const ONE = 1n << F;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** A positive finite double as (odd or zero-trailing) mantissa * 2^exp. */
function decompose(x: number): { mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  return { mant, exp };
}

/** 2^k as a double, exactly, for k in the normal range. */
function pow2(k: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, (k + 1023) << 20);
  view.setUint32(4, 0);
  return view.getFloat64(0);
}

/** m * 2^e rounded to the nearest double (m > 0), ties to even. */
function toDouble(m: bigint, e: number): number {
  // Keep 64+ significant bits plus a sticky bit, then let BigInt->Number round.
  const len = bitLength(m);
  let shift = len - 66;
  let q: bigint;
  if (shift > 0) {
    const dropped = m & ((1n << BigInt(shift)) - 1n);
    q = m >> BigInt(shift);
    q = (q << 1n) | (dropped === 0n ? 0n : 1n);
    shift -= 1;
  } else {
    q = m;
  }
  let total = e + Math.max(shift, 0);
  let v = Number(q); // correctly rounded, q < 2^67
  // Scale by 2^total in steps that stay exact in the normal range.
  while (total > 1000) {
    v *= pow2(1000);
    total -= 1000;
  }
  while (total < -1000) {
    v *= pow2(-1000);
    total += 1000;
  }
  return v * pow2(total);
}

/** atanh(z) for a fixed-point |z| <= 1/3. */
function atanhFixed(z: bigint): bigint {
  const z2 = (z * z) >> F;
  let term = z;
  let sum = z;
  for (let k = 3n; ; k += 2n) {
    term = (term * z2) >> F;
    if (term === 0n) break;
    sum += term / k;
  }
  return sum;
}

let ln2Cache: bigint | undefined;
function ln2(): bigint {
  if (ln2Cache === undefined) ln2Cache = 2n * atanhFixed(ONE / 3n);
  return ln2Cache;
}

/** ln(x) in fixed point for a positive finite double. */
function lnFixed(x: number): bigint {
  const { mant, exp } = decompose(x);
  // x = mant * 2^exp = r * 2^k with r in [1, 2)
  const len = bitLength(mant);
  const k = exp + len - 1;
  const r = (mant << F) >> BigInt(len - 1); // fixed point in [1, 2)
  const z = ((r - ONE) << F) / (r + ONE);
  return BigInt(k) * ln2() + 2n * atanhFixed(z);
}

/** exp(t) for a fixed-point t, returned as (mantissa, power of two). */
function expFixed(t: bigint): { m: bigint; e: number } {
  const l2 = ln2();
  // n = round(t / ln2)
  let n = t / l2;
  let s = t - n * l2;
  if (2n * s > l2) {
    n += 1n;
    s -= l2;
  } else if (2n * s < -l2) {
    n -= 1n;
    s += l2;
  }
  let term = ONE;
  let sum = ONE;
  for (let k = 1n; ; k++) {
    term = (term * s) / (k << F);
    if (term === 0n) break;
    sum += term;
  }
  return { m: sum, e: Number(n) - Number(F) };
}

/** Correctly rounded x ** y for finite x > 0 and finite y. */
export function pyFloatPow(x: number, y: number): number {
  if (!(x > 0) || !Number.isFinite(x) || !Number.isFinite(y)) {
    // Outside what the sizing code needs: fall back to the engine's pow.
    return x ** y;
  }
  if (y === 0 || x === 1) return 1;
  if (y === 1) return x;
  const { mant, exp } = decompose(x);
  if (Number.isInteger(y) && Math.abs(y) * bitLength(mant) <= 4096) {
    const n = Math.abs(y);
    const p = mant ** BigInt(n); // exact
    const e = exp * n;
    if (y > 0) return toDouble(p, e);
    // 1 / (p * 2^e): divide with plenty of quotient bits.
    const bits = BigInt(bitLength(p) + 80);
    const q = (1n << bits) / p;
    const inexact = q * p !== 1n << bits;
    return toDouble((q << 1n) | (inexact ? 1n : 0n), -e - Number(bits) - 1);
  }
  const { mant: ym, exp: ye } = decompose(Math.abs(y));
  let t = lnFixed(x) * ym;
  t = ye >= 0 ? t << BigInt(ye) : t >> BigInt(-ye);
  if (y < 0) t = -t;
  const { m, e } = expFixed(t);
  return toDouble(m, e);
}
