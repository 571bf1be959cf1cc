/** The port through which execution talks to an exchange, and the in-memory no-op port. */

import type { Decimal } from "../core/decimal.js";
import type { OrderSide } from "../domain/enums.js";
import { OrderState } from "../domain/enums.js";
import type { OrderRecord } from "./execution-types.js";

export interface PlaceOrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly levelId: number;
  readonly ts: number;
}

/**
 * Synchronous exchange port used inside the deterministic core (replay, paper).
 * Live adapters expose an asynchronous port of their own and are driven from
 * the edge; this one must answer immediately and deterministically.
 */
export interface ExchangePort {
  placeOrder(req: PlaceOrderRequest): string;
  cancelOrder(orderId: string): boolean;
  replaceOrder(orderId: string, newPrice: Decimal, newQuantity: Decimal, ts: number): string;
  fetchOpenOrders(symbol: string): OrderRecord[];
}

/**
 * Port that makes no exchange call: ids are `{symbol}:{ts}:{level}:{side}:{n}`
 * with one counter for the whole run. It keeps only live orders, so its memory
 * does not grow with the length of a run.
 */
export class NoOpExchangePort implements ExchangePort {
  private readonly open = new Map<string, OrderRecord>();
  private counter = 0;

  placeOrder(req: PlaceOrderRequest): string {
    this.counter += 1;
    const orderId = `${req.symbol}:${req.ts}:${req.levelId}:${req.side}:${this.counter}`;
    this.open.set(orderId, {
      orderId,
      symbol: req.symbol,
      side: req.side,
      price: req.price,
      quantity: req.quantity,
      state: OrderState.OPEN,
      levelId: req.levelId,
      createdTs: req.ts,
      placedTick: 0,
    });
    return orderId;
  }

  cancelOrder(orderId: string): boolean {
    return this.open.delete(orderId);
  }

  replaceOrder(orderId: string, newPrice: Decimal, newQuantity: Decimal, ts: number): string {
    const old = this.open.get(orderId);
    if (old === undefined) throw new Error(`Order not found: ${orderId}`);
    this.cancelOrder(orderId);
    return this.placeOrder({
      symbol: old.symbol,
      side: old.side,
      price: newPrice,
      quantity: newQuantity,
      levelId: old.levelId,
      ts,
    });
  }

  /** Mark an order filled: it leaves the open set. */
  markFilled(orderId: string): void {
    this.open.delete(orderId);
  }

  fetchOpenOrders(symbol: string): OrderRecord[] {
    return [...this.open.values()].filter((o) => o.symbol === symbol);
  }

  reset(): void {
    this.open.clear();
    this.counter = 0;
  }
}
