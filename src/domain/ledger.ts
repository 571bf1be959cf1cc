/**
 * Per-symbol positions and PnL for paper trading, in exact decimals.
 *
 * A position is a signed quantity (+long, -short) with a weighted average
 * entry price. Adding in the same direction re-averages the entry; a fill
 * against the position realizes PnL on the closed part; a fill that goes
 * through zero closes the old side and opens the rest at the fill price.
 *
 * Fees are kept apart from trading PnL, in the quote asset. A commission
 * charged in the base asset (Binance spot BUYs) also leaves the position:
 * the account holds that much less, at the entry price, realizing nothing.
 */

import type { JsonValue } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import { OrderSide } from "./enums.js";
import { assetsOf } from "./instrument.js";
import type { OrderFilled } from "./orders.js";

/** What the ledger reads of a fill. */
export type LedgerFill = Pick<
  OrderFilled,
  "symbol" | "side" | "price" | "quantity" | "fee" | "feeAsset"
>;

const MINUS_ONE = Decimal.fromInt(-1);

/** A position as read from the ledger (a copy; later fills do not change it). */
export interface PositionState {
  /** Signed quantity: positive long, negative short. */
  readonly quantity: Decimal;
  readonly avgEntryPrice: Decimal;
  /** Cumulative realized PnL of this symbol. */
  readonly realizedPnl: Decimal;
}

export const FLAT_POSITION: PositionState = Object.freeze({
  quantity: Decimal.ZERO,
  avgEntryPrice: Decimal.ZERO,
  realizedPnl: Decimal.ZERO,
});

export function positionStateToJson(p: PositionState): JsonValue {
  return {
    quantity: p.quantity.toString(),
    avg_entry_price: p.avgEntryPrice.toString(),
    realized_pnl: p.realizedPnl.toString(),
  };
}

/** Realized, unrealized (mark-to-market) and total PnL of one symbol at a moment. */
export interface PnlSnapshot {
  readonly ts: number;
  readonly symbol: string;
  readonly realizedPnl: Decimal;
  readonly unrealizedPnl: Decimal;
  readonly totalPnl: Decimal;
}

/**
 * A symbol's PnL at an event: its total is summed when first read (most
 * ticks of a data backtest never print it).
 */
class SymbolPnl implements PnlSnapshot {
  private total: Decimal | undefined;

  constructor(
    readonly ts: number,
    readonly symbol: string,
    readonly realizedPnl: Decimal,
    readonly unrealizedPnl: Decimal,
  ) {}

  get totalPnl(): Decimal {
    if (this.total === undefined) this.total = this.realizedPnl.add(this.unrealizedPnl);
    return this.total;
  }
}

export function pnlSnapshotToJson(s: PnlSnapshot): JsonValue {
  // Keys in sorted order (canonical JSON then skips sorting).
  return {
    realized_pnl: s.realizedPnl.toString(),
    symbol: s.symbol,
    total_pnl: s.totalPnl.toString(),
    ts: s.ts,
    unrealized_pnl: s.unrealizedPnl.toString(),
  };
}

interface MutablePosition {
  quantity: Decimal;
  avgEntryPrice: Decimal;
  realizedPnl: Decimal;
  /** Fees paid on this symbol, in the quote asset. */
  fees: Decimal;
  /** Last unrealized PnL computed, and the price object it was computed at. */
  markPrice: Decimal | undefined;
  markValue: Decimal;
}

function copyOf(p: MutablePosition): PositionState {
  return Object.freeze({
    quantity: p.quantity,
    avgEntryPrice: p.avgEntryPrice,
    realizedPnl: p.realizedPnl,
  });
}

/** Positions and PnL across symbols. Symbols keep the order of their first fill. */
export class Ledger {
  private readonly positions = new Map<string, MutablePosition>();
  private totalRealized: Decimal = Decimal.ZERO;
  private totalFees: Decimal = Decimal.ZERO;
  private totalFunding: Decimal = Decimal.ZERO;

  /** Drop every position, all realized PnL, fees and funding. */
  reset(): void {
    this.positions.clear();
    this.totalRealized = Decimal.ZERO;
    this.totalFees = Decimal.ZERO;
    this.totalFunding = Decimal.ZERO;
  }

  /** A funding payment received (negative: paid), kept apart from trading PnL. */
  applyFunding(payment: Decimal): void {
    this.totalFunding = this.totalFunding.add(payment);
  }

  /** Funding received so far (negative: paid), in the quote asset. */
  getTotalFunding(): Decimal {
    return this.totalFunding;
  }

  /** Book a fill; returns its fee in the quote asset. */
  applyFill(fill: LedgerFill): Decimal {
    let pos = this.positions.get(fill.symbol);
    if (pos === undefined) {
      pos = {
        quantity: Decimal.ZERO,
        avgEntryPrice: Decimal.ZERO,
        realizedPnl: Decimal.ZERO,
        fees: Decimal.ZERO,
        markPrice: undefined,
        markValue: Decimal.ZERO,
      };
      this.positions.set(fill.symbol, pos);
    }
    pos.markPrice = undefined;
    this.trade(pos, fill);
    return fill.fee.isZero() ? Decimal.ZERO : this.chargeFee(pos, fill);
  }

  private chargeFee(pos: MutablePosition, fill: LedgerFill): Decimal {
    let feeQuote = fill.fee;
    if (fill.feeAsset !== "" && fill.feeAsset === assetsOf(fill.symbol).base) {
      feeQuote = fill.fee.mul(fill.price);
      pos.quantity = pos.quantity.sub(fill.fee);
      if (pos.quantity.isZero()) pos.avgEntryPrice = Decimal.ZERO;
    }
    pos.fees = pos.fees.add(feeQuote);
    this.totalFees = this.totalFees.add(feeQuote);
    return feeQuote;
  }

  private trade(pos: MutablePosition, fill: LedgerFill): void {
    const signedQty = fill.side === OrderSide.BUY ? fill.quantity : fill.quantity.negate();
    const oldQty = pos.quantity;
    const newQty = oldQty.add(signedQty);
    const oldSign = oldQty.sign();
    const fillSign = signedQty.sign();

    if (oldSign === 0) {
      // Opening from flat (a zero-quantity fill still sets the entry price).
      pos.quantity = newQty;
      pos.avgEntryPrice = fill.price;
      return;
    }

    if (oldSign === fillSign) {
      // Adding in the same direction: weighted average entry.
      const cost = pos.avgEntryPrice.mul(oldQty.abs()).add(fill.price.mul(signedQty.abs()));
      pos.quantity = newQty;
      if (!newQty.isZero()) pos.avgEntryPrice = cost.div(newQty.abs());
      return;
    }

    // Reducing, closing or flipping (a zero-quantity fill lands here too and realizes 0).
    const closedQty = oldQty.abs().min(signedQty.abs());
    let realized = fill.price.sub(pos.avgEntryPrice).mul(closedQty);
    realized = realized.mul(oldSign > 0 ? Decimal.ONE : MINUS_ONE);
    pos.realizedPnl = pos.realizedPnl.add(realized);
    this.totalRealized = this.totalRealized.add(realized);
    pos.quantity = newQty;

    const newSign = newQty.sign();
    if (newSign !== 0 && newSign !== oldSign) {
      // Flipped through zero: the remainder was opened at the fill price.
      pos.avgEntryPrice = fill.price;
    } else if (newSign === 0) {
      pos.avgEntryPrice = Decimal.ZERO;
    }
    // Partially reduced: the entry price stays.
  }

  applyFills(fills: readonly LedgerFill[]): void {
    for (const f of fills) this.applyFill(f);
  }

  /** Fees paid on the symbol, in the quote asset. */
  getFees(symbol: string): Decimal {
    return this.positions.get(symbol)?.fees ?? Decimal.ZERO;
  }

  getTotalFees(): Decimal {
    return this.totalFees;
  }

  /** The symbol's position, or a flat one if it never traded. */
  getPosition(symbol: string): PositionState {
    const p = this.positions.get(symbol);
    return p === undefined ? FLAT_POSITION : copyOf(p);
  }

  /** Whether some position is not flat. */
  hasOpenPosition(): boolean {
    for (const p of this.positions.values()) if (!p.quantity.isZero()) return true;
    return false;
  }

  /** A symbol's signed quantity (zero when unknown), without copying its position. */
  quantityOf(symbol: string): Decimal {
    return this.positions.get(symbol)?.quantity ?? Decimal.ZERO;
  }

  /** A symbol's realized PnL (zero when unknown), without copying its position. */
  realizedPnlOf(symbol: string): Decimal {
    return this.positions.get(symbol)?.realizedPnl ?? Decimal.ZERO;
  }

  /** (price - entry) * signed quantity; zero when flat or unknown. */
  getUnrealizedPnl(symbol: string, currentPrice: Decimal): Decimal {
    const p = this.positions.get(symbol);
    if (p === undefined || p.quantity.isZero()) return Decimal.ZERO;
    // Marks are asked for many times per event at the same price: reuse the last one.
    if (p.markPrice === currentPrice) return p.markValue;
    const value = currentPrice.sub(p.avgEntryPrice).mul(p.quantity);
    p.markPrice = currentPrice;
    p.markValue = value;
    return value;
  }

  getPnlSnapshot(ts: number, symbol: string, currentPrice: Decimal): PnlSnapshot {
    const p = this.positions.get(symbol);
    const realized = p === undefined ? Decimal.ZERO : p.realizedPnl;
    const unrealized = this.getUnrealizedPnl(symbol, currentPrice);
    return new SymbolPnl(ts, symbol, realized, unrealized);
  }

  /** The non-flat positions in first-fill order, as held (read only; no copy: for reads on the hot path). */
  *openPositions(): Generator<readonly [string, Readonly<PositionState>]> {
    for (const [s, p] of this.positions) if (!p.quantity.isZero()) yield [s, p];
  }

  getAllPositions(): Map<string, PositionState> {
    const out = new Map<string, PositionState>();
    for (const [s, p] of this.positions) {
      if (!p.quantity.isZero()) out.set(s, copyOf(p));
    }
    return out;
  }

  getTotalRealizedPnl(): Decimal {
    return this.totalRealized;
  }

  /** Every symbol that ever traded (flat ones included) and the total realized PnL. */
  toJson(): JsonValue {
    const positions: Record<string, JsonValue> = {};
    for (const [s, p] of this.positions) positions[s] = positionStateToJson(p);
    return { positions, total_realized_pnl: this.totalRealized.toString() };
  }
}
