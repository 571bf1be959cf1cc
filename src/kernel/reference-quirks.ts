/**
 * Failures of the reference engine that the kernel reproduces where the
 * reference would fail (docs/REFERENCE_BEHAVIOURS.md).
 */

import type { Decimal } from "../core/decimal.js";
import type { ExecutionAction } from "./execution-types.js";
import { ActionType } from "./execution-types.js";

/** Thrown where the reference fails to read a zero decimal back from its printed null. */
class ConversionSyntaxError extends Error {
  constructor() {
    super("[<class 'decimal.ConversionSyntax'>]");
  }
}

/**
 * The reference prints a zero price or quantity as null and then fails to read
 * it back when simulating fills; reproduce that failure at the same point.
 */
export function checkPrintedDecimals(
  actions: readonly ExecutionAction[],
  mid: Decimal,
  fillMode: string,
): void {
  for (const a of actions) {
    if (a.actionType !== ActionType.PLACE) continue;
    if (a.price === null || a.price.isZero()) throw new ConversionSyntaxError();
    if (fillMode === "crossing") {
      if (a.side === "BUY" && mid.gt(a.price)) continue;
      if (a.side === "SELL" && mid.lt(a.price)) continue;
    }
    if (a.quantity === null || a.quantity.isZero()) throw new ConversionSyntaxError();
  }
}
