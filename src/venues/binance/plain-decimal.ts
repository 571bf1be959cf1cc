/** Decimal as plain positional text ("0.00010", "100"), never exponent form: what an exchange API accepts. */

import type { Decimal } from "../../core/decimal.js";

export function plainDecimal(d: Decimal): string {
  const digits = d.coef.toString();
  let body: string;
  if (d.exp >= 0) body = d.coef === 0n ? "0" : digits + "0".repeat(d.exp);
  else {
    const places = -d.exp;
    const padded = digits.padStart(places + 1, "0");
    body = `${padded.slice(0, padded.length - places)}.${padded.slice(padded.length - places)}`;
  }
  return d.neg && d.coef !== 0n ? `-${body}` : body;
}
