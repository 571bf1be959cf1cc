/**
 * The orders of a stop: every open order cancelled (taken off the kernel's
 * book at once) and, when flattening, every position closed by a
 * reduce-only market order. What the kill switch sends when it trips.
 */

import { OrderSide } from "../domain/enums.js";
import type { OrderCommand } from "../domain/orders.js";
import type { ExecutionState } from "./execution-engine.js";
import type { Portfolio } from "./portfolio.js";

export function stopOrders(
  ts: number,
  states: ReadonlyMap<string, ExecutionState>,
  portfolio: Portfolio,
  flatten: boolean,
  nextOrderId: (symbol: string, side: OrderSide) => string,
): OrderCommand[] {
  const out: OrderCommand[] = [];
  for (const [symbol, st] of states) {
    for (const o of st.liveOrders()) {
      st.remove(o.orderId);
      out.push({ kind: "CancelOrder", ts, clientOrderId: o.orderId, symbol });
    }
  }
  if (!flatten) return out;
  for (const [symbol, pos] of portfolio.ledger.getAllPositions()) {
    const side = pos.quantity.isPositive() ? OrderSide.SELL : OrderSide.BUY;
    out.push({
      kind: "SubmitOrder",
      ts,
      clientOrderId: nextOrderId(symbol, side),
      symbol,
      side,
      price: portfolio.markOf(symbol) ?? pos.avgEntryPrice,
      quantity: pos.quantity.abs(),
      levelId: 0,
      actionIndex: 0,
      orderType: "MARKET",
      reduceOnly: true,
    });
  }
  return out;
}
