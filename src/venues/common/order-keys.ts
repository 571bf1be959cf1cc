/** Idempotency keys of the three write operations (timestamps excluded). */

import type {
  CancelOrderRequest,
  PlaceOrderRequest,
  ReplaceOrderRequest,
} from "./exchange-port.js";
import { computeIdempotencyKey } from "./idempotency-key.js";

export const DEFAULT_KEY_SCOPE = "exec";

export function placeKey(req: PlaceOrderRequest, scope = DEFAULT_KEY_SCOPE): string {
  return computeIdempotencyKey(scope, "place", {
    symbol: req.symbol,
    side: req.side,
    price: req.price,
    quantity: req.quantity,
    levelId: req.levelId,
  });
}

export function cancelKey(req: CancelOrderRequest, scope = DEFAULT_KEY_SCOPE): string {
  return computeIdempotencyKey(scope, "cancel", { symbol: "", side: "", orderId: req.orderId });
}

export function replaceKey(req: ReplaceOrderRequest, scope = DEFAULT_KEY_SCOPE): string {
  return computeIdempotencyKey(scope, "replace", {
    symbol: "",
    side: "",
    orderId: req.orderId,
    price: req.newPrice,
    quantity: req.newQuantity,
  });
}
