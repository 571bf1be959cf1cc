/**
 * Fee model: a maker and a taker rate in basis points, per symbol when
 * overridden. A fill pays price x quantity x rate, in the quote asset.
 * Errs on no side: Binance charges exactly this at the regular tier (VIP
 * tiers and BNB discounts pay less; set the rates to yours).
 */

import { Decimal } from "../../core/decimal.js";
import type { Liquidity } from "../../domain/orders.js";

export interface FeeRates {
  readonly makerBps: number;
  readonly takerBps: number;
}

/** Binance's regular rates: spot 10/10 bps, USD-M 2/5 bps (maker/taker). */
export const REGULAR_RATES: Readonly<Record<"spot" | "um", FeeRates>> = {
  spot: { makerBps: 10, takerBps: 10 },
  um: { makerBps: 2, takerBps: 5 },
};

const TEN_THOUSAND = Decimal.fromInt(10000);

interface Rates {
  readonly maker: Decimal;
  readonly taker: Decimal;
}

function ratesOf(r: FeeRates): Rates {
  return {
    maker: Decimal.fromDoubleShortest(r.makerBps).div(TEN_THOUSAND),
    taker: Decimal.fromDoubleShortest(r.takerBps).div(TEN_THOUSAND),
  };
}

export class FeeModel {
  private readonly base: Rates;
  private readonly bySymbol = new Map<string, Rates>();

  constructor(rates: FeeRates, overrides: ReadonlyMap<string, FeeRates> = new Map()) {
    this.base = ratesOf(rates);
    for (const [sym, r] of overrides) this.bySymbol.set(sym, ratesOf(r));
  }

  /** The fee of a fill, in the quote asset. */
  fee(symbol: string, price: Decimal, quantity: Decimal, liquidity: Liquidity): Decimal {
    const r = this.bySymbol.get(symbol) ?? this.base;
    const rate = liquidity === "maker" ? r.maker : r.taker;
    return rate.isZero() ? Decimal.ZERO : price.mul(quantity).mul(rate);
  }
}
