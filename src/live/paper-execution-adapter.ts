/**
 * PaperExecutionAdapter: simulated order execution for PAPER mode. No
 * network; deterministic ids ({prefix}_{seq:08d}); v0 semantics: a placed
 * order fills at once, replace = cancel + place (the new order inherits the
 * client order id).
 */

import type { JsonValue } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import { type OrderSide, OrderState } from "../domain/enums.js";
import type { LiveClock } from "./clock.js";
import { PaperOrderError } from "./errors/paper-order-error.js";

export const PaperOrderType = { LIMIT: "LIMIT", MARKET: "MARKET" } as const;
export type PaperOrderType = (typeof PaperOrderType)[keyof typeof PaperOrderType];

export interface PaperOrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly orderType?: PaperOrderType;
  readonly clientOrderId?: string;
}

export interface PaperOrder {
  readonly orderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  filledQuantity: Decimal;
  state: OrderState;
  readonly orderType: PaperOrderType;
  readonly createdTs: number;
  updatedTs: number;
  readonly clientOrderId: string | undefined;
}

export function paperOrderToJson(o: PaperOrder): JsonValue {
  return {
    order_id: o.orderId,
    symbol: o.symbol,
    side: o.side,
    price: o.price.toString(),
    quantity: o.quantity.toString(),
    filled_quantity: o.filledQuantity.toString(),
    state: o.state,
    order_type: o.orderType,
    created_ts: o.createdTs,
    updated_ts: o.updatedTs,
    client_order_id: o.clientOrderId ?? null,
  };
}

/** Immutable view of an order after an operation. */
export interface PaperOrderResult {
  readonly orderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly filledQuantity: Decimal;
  readonly state: OrderState;
  readonly createdTs: number;
  readonly updatedTs: number;
}

function resultOf(o: PaperOrder): PaperOrderResult {
  return Object.freeze({
    orderId: o.orderId,
    symbol: o.symbol,
    side: o.side,
    price: o.price,
    quantity: o.quantity,
    filledQuantity: o.filledQuantity,
    state: o.state,
    createdTs: o.createdTs,
    updatedTs: o.updatedTs,
  });
}

export interface PaperExecutionStats {
  ordersPlaced: number;
  ordersCancelled: number;
  ordersReplaced: number;
  ordersFilled: number;
  ordersRejected: number;
}

export interface PaperExecutionAdapterOptions {
  /** Timestamps from this clock (ms); without one the sequence number stands in. */
  readonly clock?: LiveClock;
  readonly orderIdPrefix?: string;
  /** v0 semantics: true (every order fills at once). False leaves orders OPEN. */
  readonly fillOnPlace?: boolean;
}

function freshStats(): PaperExecutionStats {
  return {
    ordersPlaced: 0,
    ordersCancelled: 0,
    ordersReplaced: 0,
    ordersFilled: 0,
    ordersRejected: 0,
  };
}

export class PaperExecutionAdapter {
  private readonly orderMap = new Map<string, PaperOrder>();
  private seq = 0;
  private statsValue = freshStats();
  private readonly clock: LiveClock | undefined;
  private readonly prefix: string;
  private readonly fillOnPlace: boolean;

  constructor(options: PaperExecutionAdapterOptions = {}) {
    this.clock = options.clock;
    this.prefix = options.orderIdPrefix ?? "PAPER";
    this.fillOnPlace = options.fillOnPlace ?? true;
  }

  get stats(): PaperExecutionStats {
    return this.statsValue;
  }

  /** A copy of the order map. */
  get orders(): Map<string, PaperOrder> {
    return new Map(this.orderMap);
  }

  getOrder(orderId: string): PaperOrder | undefined {
    return this.orderMap.get(orderId);
  }

  private nowMs(): number {
    return this.clock !== undefined ? Math.trunc(this.clock.nowMs()) : this.seq;
  }

  private nextOrderId(): string {
    this.seq += 1;
    return `${this.prefix}_${String(this.seq).padStart(8, "0")}`;
  }

  placeOrder(request: PaperOrderRequest): PaperOrderResult {
    const orderType = request.orderType ?? PaperOrderType.LIMIT;
    if (request.quantity.sign() <= 0)
      throw new PaperOrderError(`Invalid quantity: ${request.quantity.toString()}`);
    if (orderType === PaperOrderType.LIMIT && request.price.sign() <= 0)
      throw new PaperOrderError(`Invalid price for LIMIT order: ${request.price.toString()}`);
    const orderId = this.nextOrderId();
    const now = this.nowMs();
    const order: PaperOrder = {
      orderId,
      symbol: request.symbol,
      side: request.side,
      price: request.price,
      quantity: request.quantity,
      filledQuantity: this.fillOnPlace ? request.quantity : Decimal.fromInt(0),
      state: this.fillOnPlace ? OrderState.FILLED : OrderState.OPEN,
      orderType,
      createdTs: now,
      updatedTs: now,
      clientOrderId: request.clientOrderId,
    };
    this.orderMap.set(orderId, order);
    this.statsValue.ordersPlaced += 1;
    if (this.fillOnPlace) this.statsValue.ordersFilled += 1;
    return resultOf(order);
  }

  cancelOrder(orderId: string): PaperOrderResult {
    const order = this.orderMap.get(orderId);
    if (order === undefined) throw new PaperOrderError(`Order not found: ${orderId}`);
    if (order.state === OrderState.CANCELLED) return resultOf(order);
    if (order.state === OrderState.FILLED)
      throw new PaperOrderError(`Cannot cancel filled order: ${orderId}`);
    order.state = OrderState.CANCELLED;
    order.updatedTs = this.nowMs();
    this.statsValue.ordersCancelled += 1;
    return resultOf(order);
  }

  /** Cancel + place with new price/quantity (unchanged when omitted); returns the NEW order. */
  replaceOrder(orderId: string, newPrice?: Decimal, newQuantity?: Decimal): PaperOrderResult {
    const order = this.orderMap.get(orderId);
    if (order === undefined) throw new PaperOrderError(`Order not found: ${orderId}`);
    if (order.state === OrderState.FILLED || order.state === OrderState.CANCELLED)
      throw new PaperOrderError(`Cannot replace order in state ${order.state}: ${orderId}`);
    order.state = OrderState.CANCELLED;
    order.updatedTs = this.nowMs();
    this.statsValue.ordersReplaced += 1;
    return this.placeOrder({
      symbol: order.symbol,
      side: order.side,
      price: newPrice ?? order.price,
      quantity: newQuantity ?? order.quantity,
      orderType: order.orderType,
      ...(order.clientOrderId !== undefined ? { clientOrderId: order.clientOrderId } : {}),
    });
  }

  reset(): void {
    this.orderMap.clear();
    this.seq = 0;
    this.statsValue = freshStats();
  }
}
