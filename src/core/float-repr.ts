/**
 * Float formatting as the reference prints floats (its `repr(float)`).
 */

/**
 * The shortest round-trip representation of a double in the reference's
 * float formatting (`repr(float)`): "10.0", "1e-05", "1.5e+16", "inf".
 */
const REPR_CACHE = new Map<number, string>();

export function shortestRepr(x: number): string {
  if (x === 0) return shortestReprUncached(x);
  const hit = REPR_CACHE.get(x);
  if (hit !== undefined) return hit;
  const r = shortestReprUncached(x);
  if (REPR_CACHE.size >= 4096) REPR_CACHE.clear();
  REPR_CACHE.set(x, r);
  return r;
}

function shortestReprUncached(x: number): string {
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
