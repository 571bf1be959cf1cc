/**
 * Binance's spot filters applied to an order before it is sent: PRICE_FILTER
 * (price a multiple of the tick), LOT_SIZE (quantity at least minQty and a
 * multiple of the step), NOTIONAL / MIN_NOTIONAL (price x quantity at least
 * the minimum). An order that breaks one would be refused with -1013; it is
 * refused here instead, naming the filter and the values.
 */

import type { Decimal } from "../../core/decimal.js";
import type { InstrumentSpec } from "../../domain/instrument.js";

function multipleOf(v: Decimal, step: Decimal): boolean {
  if (step.isZero()) return true;
  const q = v.div(step);
  return q.eq(q.quantize(0, "ROUND_DOWN"));
}

/** Why `price` x `quantity` breaks the symbol's filters, or undefined when it passes. */
export function filterProblem(
  spec: InstrumentSpec,
  price: Decimal,
  quantity: Decimal,
): string | undefined {
  if (!multipleOf(price, spec.tickSize))
    return `FILTER_PRICE: price ${price} is not a multiple of the tick ${spec.tickSize}`;
  if (quantity.lt(spec.minQty))
    return `FILTER_LOT_SIZE: quantity ${quantity} is below minQty ${spec.minQty}`;
  if (!multipleOf(quantity, spec.stepSize))
    return `FILTER_LOT_SIZE: quantity ${quantity} is not a multiple of the step ${spec.stepSize}`;
  const notional = price.mul(quantity);
  if (notional.lt(spec.minNotional))
    return `FILTER_MIN_NOTIONAL: ${price} x ${quantity} = ${notional} is below ${spec.minNotional}`;
  return undefined;
}
