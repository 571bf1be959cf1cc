/**
 * FIFO round trips per symbol, from fills in booking order.
 *
 * Each fill first closes the symbol's open lots of the other side, oldest
 * first; whatever quantity is left opens a new lot on the fill's side. Every
 * match of (part of) a lot with (part of) a closing fill is one round trip:
 * a lot closed by two fills makes two round trips, and a fill closing two
 * lots makes two as well.
 *
 * A round trip's net PnL is its gross PnL, (exit - entry) x quantity for a
 * long lot and (entry - exit) x quantity for a short one, minus the share of
 * both legs' fees in proportion to quantity: the lot's fee x q / lot quantity
 * and the closing fill's fee x q / fill quantity (fees in the quote asset).
 * It is a win when that net PnL is > 0 (exactly 0 is not a win). The sign is
 * decided without division: net x Qlot x Qfill is compared with 0, which is
 * exact in decimals.
 *
 * Memory: the open lots, i.e. O(open position / fill size), bounded by the
 * position limits and not by the run's length.
 */

import { Decimal } from "../core/decimal.js";
import { OrderSide } from "../domain/enums.js";

const ZERO = Decimal.ZERO;

/** What the matcher reads of a fill. */
export interface TripFill {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  /** The fill's whole fee, in the quote asset. */
  readonly feeQuote: Decimal;
}

interface Lot {
  readonly buy: boolean;
  readonly price: Decimal;
  /** Quantity and fee of the fill that opened the lot (its fee share is fee x q / qty). */
  readonly qty: Decimal;
  readonly fee: Decimal;
  /** Quantity still open. */
  open: Decimal;
}

export class RoundTrips {
  private readonly lots = new Map<string, Lot[]>();
  private trips = 0;
  private winning = 0;

  /** Round trips closed so far. */
  get count(): number {
    return this.trips;
  }

  /** Round trips with net PnL > 0. */
  get wins(): number {
    return this.winning;
  }

  /** Open lots over all symbols (for tests and memory checks). */
  get openLots(): number {
    let n = 0;
    for (const l of this.lots.values()) n += l.length;
    return n;
  }

  add(f: TripFill): void {
    if (!f.quantity.isPositive()) return;
    const buy = f.side === OrderSide.BUY;
    let queue = this.lots.get(f.symbol);
    if (queue === undefined) {
      queue = [];
      this.lots.set(f.symbol, queue);
    }
    let left = f.quantity;
    while (left.isPositive()) {
      const lot = queue[0];
      if (lot === undefined || lot.buy === buy) break;
      const q = lot.open.lte(left) ? lot.open : left;
      this.close(lot, f, q);
      lot.open = lot.open.sub(q);
      left = left.sub(q);
      if (lot.open.isZero()) queue.shift();
    }
    if (left.isPositive()) {
      // The rest opens a lot. Its fee shares keep the whole fill as the
      // denominator (fee x q / fill quantity), so the part of the fee that
      // went with the closing part is never charged twice.
      queue.push({ buy, price: f.price, qty: f.quantity, fee: f.feeQuote, open: left });
    }
  }

  /** Book the round trip of `q` of `lot` closed by `f`. */
  private close(lot: Lot, f: TripFill, q: Decimal): void {
    this.trips++;
    const move = lot.buy ? f.price.sub(lot.price) : lot.price.sub(f.price);
    // net x Qlot x Qfill = gross x Qlot x Qfill - Flot x q x Qfill - Ffill x q x Qlot
    const scaled = move
      .mul(q)
      .mul(lot.qty)
      .mul(f.quantity)
      .sub(lot.fee.mul(q).mul(f.quantity))
      .sub(f.feeQuote.mul(q).mul(lot.qty));
    if (scaled.gt(ZERO)) this.winning++;
  }
}
