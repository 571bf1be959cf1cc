/** Decimal as plain positional text ("0.00010", "100"), never exponent form: what an exchange API accepts. */

import type { Decimal } from "../../core/decimal.js";

export function plainDecimal(d: Decimal): string {
  return d.toPlainString();
}
