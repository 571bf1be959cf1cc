/** Market data snapshot (L1 tick): the one input every engine consumes. */

import { Decimal } from "../core/decimal.js";
import { pow10Num } from "../core/decimal-coefficient.js";
import { ratioAsDouble28 } from "../core/exact-ratio.js";
import type { OrderSide } from "./enums.js";

const TWO = Decimal.fromInt(2);
const TEN_THOUSAND = Decimal.fromInt(10000);

export interface SnapshotFields {
  /** Unix time in milliseconds. */
  readonly ts: number;
  readonly symbol: string;
  readonly bidPrice: Decimal;
  readonly askPrice: Decimal;
  readonly bidQty: Decimal;
  readonly askQty: Decimal;
  readonly lastPrice: Decimal;
  readonly lastQty: Decimal;
  /** When the snapshot is a trade (lastQty > 0) and the data says: the side that took liquidity. */
  readonly takerSide?: OrderSide;
}

/**
 * (spread / mid) * 10^4 as the reference computes it: the quotient rounded to
 * 28 digits (ROUND_HALF_EVEN), times 10^4 (exact), to the nearest double; that
 * is the exact r = spread / mid * 10^4 rounded to 28 digits, then to a double.
 * Fast path: with spread = s * 10^i and mid = m * 10^j (safe-integer
 * coefficients), the exact value is (s * 10^(i-j+4)) / m or s / (m * 10^(j-i-4)),
 * a ratio of two integers below 2^53 as long as the scaled coefficient stays
 * below 2^53 (a double product at or above 2^53 means the exact one is too,
 * and the guard in ratioAsDouble28 rejects it); ratioAsDouble28 gives its
 * double when the 28-digit rounding provably cannot change it. Anything else
 * (zero spread, big coefficients, exponents far apart, a ratio close to a
 * rounding midpoint) is undefined here, for the exact decimal path.
 */
export function spreadBpsFast(spread: Decimal, mid: Decimal): number | undefined {
  const s = spread.safeCoef;
  const m = mid.safeCoef;
  if (s === undefined || m === undefined) return undefined;
  const k = spread.exp - mid.exp + 4;
  let bps: number | undefined;
  if (k >= 0) {
    if (k <= 22) bps = ratioAsDouble28(s * pow10Num(k), m);
  } else if (k >= -22) {
    bps = ratioAsDouble28(s, m * pow10Num(-k));
  }
  if (bps === undefined) return undefined;
  return spread.neg !== mid.neg ? -bps : bps;
}

/** (spread / mid) * 10^4 through the fast path, else exactly (mid not zero). */
function spreadBpsOf(spread: Decimal, mid: Decimal): number {
  return spreadBpsFast(spread, mid) ?? spread.div(mid).mul(TEN_THOUSAND).toNumber();
}

export class Snapshot implements SnapshotFields {
  readonly ts: number;
  readonly symbol: string;
  readonly bidPrice: Decimal;
  readonly askPrice: Decimal;
  readonly bidQty: Decimal;
  readonly askQty: Decimal;
  readonly lastPrice: Decimal;
  readonly lastQty: Decimal;
  readonly takerSide: OrderSide | undefined;
  private midCache: Decimal | undefined;
  private spreadCache: number | undefined;

  constructor(f: SnapshotFields) {
    this.ts = f.ts;
    this.symbol = f.symbol;
    this.bidPrice = f.bidPrice;
    this.askPrice = f.askPrice;
    this.bidQty = f.bidQty;
    this.askQty = f.askQty;
    this.lastPrice = f.lastPrice;
    this.lastQty = f.lastQty;
    this.takerSide = f.takerSide;
  }

  /** (bid + ask) / 2, exact decimal. */
  get midPrice(): Decimal {
    if (this.midCache === undefined) this.midCache = this.bidPrice.add(this.askPrice).div(TWO);
    return this.midCache;
  }

  /** (ask - bid) / mid * 10000 as a float (0 when mid is 0). */
  get spreadBps(): number {
    if (this.spreadCache === undefined) {
      const mid = this.midPrice;
      this.spreadCache = mid.isZero() ? 0 : spreadBpsOf(this.askPrice.sub(this.bidPrice), mid);
    }
    return this.spreadCache;
  }

  toDict(): Record<string, string | number> {
    return {
      ts: this.ts,
      symbol: this.symbol,
      bid_price: this.bidPrice.toString(),
      ask_price: this.askPrice.toString(),
      bid_qty: this.bidQty.toString(),
      ask_qty: this.askQty.toString(),
      last_price: this.lastPrice.toString(),
      last_qty: this.lastQty.toString(),
    };
  }
}
