/**
 * Client order ids of live_trade orders, derived from the engine's own order
 * ids, so that a restart that rebuilds the engine from the journal derives
 * the same ids and recognises its orders on the exchange.
 *
 * Each engine order gets its own idempotency scope (`<run id>/<engine order
 * id>`); the idempotency key of its placement is computed in that scope from
 * the order's parameters, and the client order id is the exchange port's id
 * for that key (`grinder_` + 24 hex). The run id is drawn once per journal
 * and kept in its session lines: two journals never share client ids, and
 * the engine ids (`SYMBOL:ts:level:SIDE:n`, deterministic) are unique within
 * one journal.
 */

import { randomBytes } from "node:crypto";
import type { Decimal } from "../../core/decimal.js";
import type { OrderSide } from "../../domain/enums.js";
import {
  clientOrderIdFromKey,
  DEFAULT_CLIENT_ORDER_ID_PREFIX,
} from "../../venues/binance/client-order-id.js";
import { placeKey } from "../../venues/common/order-keys.js";

/** What identifies an engine order's placement. */
export interface EngineOrderParams {
  readonly orderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly levelId: number;
}

/** A fresh run id (12 hex characters). */
export function newRunId(): string {
  return randomBytes(6).toString("hex");
}

/** The idempotency scope of one engine order. */
export function orderKeyScope(runId: string, engineOrderId: string): string {
  return `${runId}/${engineOrderId}`;
}

/** The idempotency scope of cancelling an order the engine does not hold (a stray). */
export function strayKeyScope(runId: string, clientOrderId: string): string {
  return `${runId}/stray/${clientOrderId}`;
}

/** The client order id of an engine order (what the exchange port assigns it). */
export function clientOrderIdOf(
  runId: string,
  o: EngineOrderParams,
  prefix = DEFAULT_CLIENT_ORDER_ID_PREFIX,
): string {
  const key = placeKey(
    {
      symbol: o.symbol,
      side: o.side,
      price: o.price,
      quantity: o.quantity,
      levelId: o.levelId,
      ts: 0,
    },
    orderKeyScope(runId, o.orderId),
  );
  return clientOrderIdFromKey(key, prefix);
}
