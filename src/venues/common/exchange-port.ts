/**
 * The asynchronous exchange port of the live write path. Implemented by the
 * Binance REST port and wrapped by IdempotentExchangePort. Order ids are the
 * client order ids we assign (Binance's numeric id is kept alongside).
 */

import type { Decimal } from "../../core/decimal.js";
import type { OrderSide, OrderState } from "../../domain/enums.js";

export interface PlaceOrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly levelId: number;
  /** Decision timestamp (not part of the idempotency key). */
  readonly ts: number;
  /** Set by IdempotentExchangePort; a port derives the same key itself when absent. */
  readonly idempotencyKey?: string;
}

export interface CancelOrderRequest {
  readonly orderId: string;
  readonly idempotencyKey?: string;
}

export interface ReplaceOrderRequest {
  readonly orderId: string;
  readonly newPrice: Decimal;
  readonly newQuantity: Decimal;
  readonly ts: number;
  /** One key for both steps (cancel, then place). */
  readonly idempotencyKey?: string;
}

export interface LiveOrderRecord {
  /** Our client order id. */
  readonly orderId: string;
  /** The exchange's own id, when known. */
  readonly exchangeOrderId: string | undefined;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly filledQuantity: Decimal;
  readonly state: OrderState;
  /** Grid level (0 when the order was not placed by us in this process). */
  readonly levelId: number;
  readonly createdTs: number;
}

export interface LiveExchangePort {
  /** Place a limit order; resolves with its order id. */
  placeOrder(req: PlaceOrderRequest): Promise<string>;
  /** Cancel; true when the order ended up cancelled. */
  cancelOrder(req: CancelOrderRequest): Promise<boolean>;
  /** Cancel + place; resolves with the new order id. */
  replaceOrder(req: ReplaceOrderRequest): Promise<string>;
  fetchOpenOrders(symbol: string): Promise<LiveOrderRecord[]>;
}
