import type { Decimal } from "../core/decimal.js";
import type { OrderSide } from "./enums.js";

/**
 * Base and quote assets of a Binance symbol ("BTCUSDT" -> BTC / USDT), by
 * the longest known quote-asset suffix. Used where a fee's asset must be told
 * apart (a commission in the base asset reduces the position held).
 */

/** Quote assets Binance lists, longest first where one ends another. */
const QUOTES = [
  "FDUSD",
  "USDT",
  "USDC",
  "BUSD",
  "TUSD",
  "USDP",
  "DAI",
  "TRY",
  "EUR",
  "BRL",
  "JPY",
  "BTC",
  "ETH",
  "BNB",
] as const;

export interface AssetPair {
  readonly base: string;
  readonly quote: string;
}

/** The symbol's assets; a symbol with no known quote suffix is all base, quote "". */
export function assetsOf(symbol: string): AssetPair {
  for (const q of QUOTES) {
    if (symbol.length > q.length && symbol.endsWith(q)) {
      return { base: symbol.slice(0, symbol.length - q.length), quote: q };
    }
  }
  return { base: symbol, quote: "" };
}

/** What an exchange accepts for one symbol (Binance PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL/NOTIONAL). */
export interface InstrumentSpec {
  readonly symbol: string;
  /** Prices are multiples of it. */
  readonly tickSize: Decimal;
  /** Quantities are multiples of it. */
  readonly stepSize: Decimal;
  readonly minQty: Decimal;
  /** Smallest price x quantity accepted (zero: no minimum known). */
  readonly minNotional: Decimal;
  /** Where the numbers come from. */
  readonly source: "exchangeInfo" | "derived";
}

/** `value` rounded to a multiple of `step`, down (toward zero) or up. */
export function roundToStep(value: Decimal, step: Decimal, up: boolean): Decimal {
  if (step.isZero()) return value;
  // A power-of-ten step (the usual case) is a plain rescale.
  if (step.coef === 1n) return value.quantizeExp(step.exp, up ? "ROUND_CEILING" : "ROUND_FLOOR");
  const n = value.div(step).quantizeExp(0, up ? "ROUND_CEILING" : "ROUND_FLOOR");
  return n.mul(step).quantizeExp(step.exp, "ROUND_DOWN");
}

/** A limit price on the tick grid: a BUY rounds down, a SELL up (never more aggressive). */
export function roundPriceToTick(price: Decimal, side: OrderSide, tick: Decimal): Decimal {
  return roundToStep(price, tick, side === "SELL");
}

/** Why an order may not be sent under the spec, or undefined when it may. */
export function filterProblem(
  spec: InstrumentSpec,
  price: Decimal,
  quantity: Decimal,
): "FILTER_MIN_QTY" | "FILTER_MIN_NOTIONAL" | undefined {
  if (quantity.isZero() || quantity.lt(spec.minQty)) return "FILTER_MIN_QTY";
  if (price.mul(quantity).lt(spec.minNotional)) return "FILTER_MIN_NOTIONAL";
  return undefined;
}

/** One recorded funding event of a perpetual (Binance's fundingRate dumps). */
export interface FundingRateEvent {
  readonly ts: number;
  readonly rate: Decimal;
}

/** One Binance leverage bracket of a USD-M symbol (GET /fapi/v1/leverageBracket). */
export interface LeverageBracket {
  readonly notionalFloor: Decimal;
  readonly notionalCap: Decimal;
  readonly maintMarginRatio: Decimal;
  /** Maintenance amount: maintenance = notional x maintMarginRatio - cum. */
  readonly cum: Decimal;
  readonly initialLeverage: number;
}
