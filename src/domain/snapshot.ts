/** Market data snapshot (L1 tick): the one input every engine consumes. */

import { Decimal } from "../core/decimal.js";
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
      this.spreadCache = mid.isZero()
        ? 0
        : this.askPrice.sub(this.bidPrice).div(mid).mul(TEN_THOUSAND).toNumber();
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
