/** What the port knows about orders it placed or adopted (needed to cancel: Binance wants the symbol). */

import type { Decimal } from "../../core/decimal.js";
import type { OrderSide } from "../../domain/enums.js";

export interface RegisteredOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly levelId: number;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly exchangeOrderId: string | undefined;
}

export class OrderRegistry {
  private readonly orders = new Map<string, RegisteredOrder>();

  register(order: RegisteredOrder): void {
    const prev = this.orders.get(order.clientOrderId);
    // Keep a known level id when a later sighting (open-orders listing) does not carry one.
    this.orders.set(
      order.clientOrderId,
      prev !== undefined && order.levelId === 0 ? { ...order, levelId: prev.levelId } : order,
    );
  }

  get(clientOrderId: string): RegisteredOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  remove(clientOrderId: string): void {
    this.orders.delete(clientOrderId);
  }

  all(): RegisteredOrder[] {
    return [...this.orders.values()];
  }

  get size(): number {
    return this.orders.size;
  }
}
