/** Execution-layer records: orders we track, actions we take, events we emit. */

import type { JsonValue } from "../core/canonical-json.js";
import type { Decimal } from "../core/decimal.js";
import type { OrderSide, OrderState } from "../domain/enums.js";

export const ActionType = {
  PLACE: "PLACE",
  CANCEL: "CANCEL",
  REPLACE: "REPLACE",
  NOOP: "NOOP",
} as const;
export type ActionType = (typeof ActionType)[keyof typeof ActionType];

/** An order the execution engine tracks. */
export interface OrderRecord {
  readonly orderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  /** Original quantity of the order. */
  readonly quantity: Decimal;
  /** Executed so far (order events update it). */
  filledQuantity: Decimal;
  /** Cache of price x (quantity - filled) (see `openNotionalOf`); cleared when it fills. */
  openNotional?: Decimal | undefined;
  /** PENDING (submitted), OPEN (accepted), PARTIALLY_FILLED. */
  state: OrderState;
  readonly levelId: number;
  readonly createdTs: number;
  /** Per-symbol evaluation tick at placement (tick-delay fills). */
  readonly placedTick: number;
}

/** One place/cancel decision of a reconcile pass. */
export interface ExecutionAction {
  readonly actionType: ActionType;
  readonly orderId: string | null;
  readonly symbol: string;
  readonly side: OrderSide | null;
  readonly price: Decimal | null;
  readonly quantity: Decimal | null;
  readonly levelId: number;
  readonly reason: string;
}

/** A zero price or quantity prints as null, as in the reference (a zero decimal is falsy there). */
function decimalOrNull(d: Decimal | null): string | null {
  return d === null || d.isZero() ? null : d.toString();
}

export function actionToJson(a: ExecutionAction): JsonValue {
  return {
    action_type: a.actionType,
    level_id: a.levelId,
    order_id: a.orderId,
    price: decimalOrNull(a.price),
    quantity: decimalOrNull(a.quantity),
    reason: a.reason,
    side: a.side,
    symbol: a.symbol,
  };
}

export interface ExecutionEvent {
  readonly ts: number;
  readonly eventType: string;
  readonly symbol: string;
  readonly details: { readonly [key: string]: JsonValue };
}

export function executionEventToJson(e: ExecutionEvent): JsonValue {
  return { details: e.details, event_type: e.eventType, symbol: e.symbol, ts: e.ts };
}

/** price x what is left of the order, computed once per fill state. */
export function openNotionalOf(o: OrderRecord): Decimal {
  o.openNotional ??= o.quantity.sub(o.filledQuantity).mul(o.price);
  return o.openNotional;
}
