/**
 * USD-M trading rules of a symbol from `GET /fapi/v1/exchangeInfo`:
 * PRICE_FILTER, LOT_SIZE and MIN_NOTIONAL (through `exchange-info.ts`) and
 * MARKET_LOT_SIZE (the step and minimum of MARKET orders). A limit price is
 * put on the tick (a BUY down, a SELL up: never a worse price than asked);
 * a quantity off the step or under the minimum, or a notional under the
 * minimum, is refused before anything is sent, naming the filter.
 */

import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import { OrderSide } from "../../domain/enums.js";
import type { InstrumentSpec } from "../../domain/instrument.js";
import { parseExchangeInfo } from "./exchange-info.js";

export interface UsdmSymbolRules {
  readonly spec: InstrumentSpec;
  readonly marketStepSize: Decimal;
  readonly marketMinQty: Decimal;
}

type Obj = Readonly<Record<string, unknown>>;

/** The rules of every symbol of an exchangeInfo reply. */
export function parseUsdmSymbolRules(raw: unknown): Map<string, UsdmSymbolRules> {
  const specs = parseExchangeInfo(raw, "GET /fapi/v1/exchangeInfo");
  const out = new Map<string, UsdmSymbolRules>();
  const symbols = (raw as { symbols: readonly Obj[] }).symbols;
  for (const s of symbols) {
    const spec = specs.get(String(s.symbol));
    if (spec === undefined) continue;
    const filters = (s.filters as readonly Obj[]).find((f) => f.filterType === "MARKET_LOT_SIZE");
    const dec = (key: string, fallback: Decimal): Decimal => {
      if (filters === undefined) return fallback;
      const v = typeof filters[key] === "string" ? Decimal.tryParse(filters[key]) : undefined;
      if (v === undefined)
        throw new ConfigError(
          `GET /fapi/v1/exchangeInfo: ${spec.symbol} MARKET_LOT_SIZE.${key}: expected a decimal string, got ${JSON.stringify(filters[key])}`,
        );
      return v;
    };
    out.set(spec.symbol, {
      spec,
      marketStepSize: dec("stepSize", spec.stepSize),
      marketMinQty: dec("minQty", spec.minQty),
    });
  }
  return out;
}

function onStep(v: Decimal, step: Decimal): boolean {
  if (step.isZero()) return true;
  const q = v.div(step);
  return q.eq(q.quantize(0, "ROUND_DOWN"));
}

/** A (positive) limit price on the tick: a BUY rounded down, a SELL up. */
export function priceOnTick(price: Decimal, side: OrderSide, tick: Decimal): Decimal {
  if (tick.isZero() || onStep(price, tick)) return price;
  const n = price.div(tick).quantize(0, side === OrderSide.BUY ? "ROUND_DOWN" : "ROUND_UP");
  return n.mul(tick);
}

/** Why an order breaks the rules (undefined: it does not). */
export function filterProblem(
  r: UsdmSymbolRules,
  o: {
    readonly price: Decimal;
    readonly quantity: Decimal;
    readonly market: boolean;
    readonly reduceOnly: boolean;
  },
): string | undefined {
  const step = o.market ? r.marketStepSize : r.spec.stepSize;
  const min = o.market ? r.marketMinQty : r.spec.minQty;
  const filter = o.market ? "MARKET_LOT_SIZE" : "LOT_SIZE";
  if (!onStep(o.quantity, step))
    return `FILTER ${filter}: quantity ${o.quantity} is not a multiple of ${step}`;
  if (o.quantity.lt(min)) return `FILTER ${filter}: quantity ${o.quantity} under ${min}`;
  // Binance exempts reduce-only orders from the minimum notional.
  const notional = o.price.mul(o.quantity);
  if (!o.reduceOnly && notional.lt(r.spec.minNotional))
    return `FILTER MIN_NOTIONAL: ${notional} under ${r.spec.minNotional}`;
  return undefined;
}
