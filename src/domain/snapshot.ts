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

/**
 * Spreads in bps already computed, by the exact spread and mid (coefficient,
 * exponent, sign): the division is inexact (28 digits, on BigInt) and then
 * converted through its text, about a microsecond, while quotes keep coming
 * back to the same prices. Keyed by numbers (memoKey), in two generations of
 * at most SPREAD_MEMO_MAX entries: when the young one is full it becomes the
 * old one and the old one is dropped, so recent prices stay and memory is
 * bounded.
 */
type SpreadMemo = Map<number, Map<number, number>>;
let youngMemo: SpreadMemo = new Map();
let oldMemo: SpreadMemo = new Map();
let youngSize = 0;
const SPREAD_MEMO_MAX = 4096;
const KEY_COEF_MAX = 2 ** 40;

/** A decimal as one safe integer (sign, coefficient < 2^40, exponent -32..31); -1 when it does not fit. */
function memoKey(d: Decimal): number {
  const c = d.safeCoef;
  if (c === undefined || c >= KEY_COEF_MAX || d.exp < -32 || d.exp > 31) return -1;
  return (c * 64 + (d.exp + 32)) * 2 + (d.neg ? 1 : 0);
}

function spreadBpsOf(spread: Decimal, mid: Decimal): number {
  const sk = memoKey(spread);
  const mk = memoKey(mid);
  if (sk < 0 || mk < 0) return spread.div(mid).mul(TEN_THOUSAND).toNumber();
  const known = youngMemo.get(sk)?.get(mk) ?? oldMemo.get(sk)?.get(mk);
  if (known !== undefined) return known;
  const bps = spread.div(mid).mul(TEN_THOUSAND).toNumber();
  if (youngSize >= SPREAD_MEMO_MAX) {
    oldMemo = youngMemo;
    youngMemo = new Map();
    youngSize = 0;
  }
  let byMid = youngMemo.get(sk);
  if (byMid === undefined) {
    byMid = new Map();
    youngMemo.set(sk, byMid);
  }
  byMid.set(mk, bps);
  youngSize++;
  return bps;
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
