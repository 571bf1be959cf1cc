/**
 * Deterministic paper fills.
 *
 * Two models, both free of slippage and partial fills:
 * - `simulateFills` looks at the PLACE actions of one reconcile step. In
 *   "crossing" mode a BUY fills when mid <= limit and a SELL when mid >= limit;
 *   in "instant" mode (or without a mid price) every PLACE fills. The fill id is
 *   the action's order id or, when it has none, one built from the tick.
 * - `checkPendingFills` is the tick-delay model: an open order placed at tick t
 *   is eligible from tick t + N on, and then fills under the same crossing rule.
 */

import type { JsonValue } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { InvalidInputError } from "../../core/errors.js";
import { OrderSide } from "../../domain/enums.js";

/** One simulated fill, always at the order's limit price. */
export interface Fill {
  readonly ts: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly orderId: string;
}

export function makeFill(f: Fill): Fill {
  return Object.freeze({ ...f });
}

/** Output form (schema v1 keys). */
export function fillToJson(f: Fill): JsonValue {
  return {
    ts: f.ts,
    symbol: f.symbol,
    side: f.side,
    price: f.price.toString(),
    quantity: f.quantity.toString(),
    order_id: f.orderId,
  };
}

function requireField(d: Readonly<Record<string, unknown>>, key: string, kind: string): unknown {
  const v = d[key];
  const ok = kind === "integer" ? Number.isSafeInteger(v) : typeof v === kind;
  if (!ok) throw new InvalidInputError(`fill field ${JSON.stringify(key)}: expected ${kind}`);
  return v;
}

function parseSide(v: unknown, what: string): OrderSide {
  if (v === OrderSide.BUY || v === OrderSide.SELL) return v;
  throw new InvalidInputError(`${what}: expected "BUY" or "SELL", got ${JSON.stringify(v)}`);
}

/** Inverse of `fillToJson`. */
export function fillFromJson(d: Readonly<Record<string, unknown>>): Fill {
  return makeFill({
    ts: requireField(d, "ts", "integer") as number,
    symbol: requireField(d, "symbol", "string") as string,
    side: parseSide(d.side, 'fill field "side"'),
    price: Decimal.parse(requireField(d, "price", "string") as string),
    quantity: Decimal.parse(requireField(d, "quantity", "string") as string),
    orderId: requireField(d, "order_id", "string") as string,
  });
}

/**
 * The part of an execution action (in its output form, snake_case keys) that
 * fill simulation reads. Prices and quantities are the decimal strings the
 * action carries (a `Decimal` is accepted too).
 */
export interface FillActionInput {
  readonly action_type: string;
  readonly order_id?: string | null;
  readonly side?: OrderSide | null;
  readonly price?: string | Decimal | null;
  readonly quantity?: string | Decimal | null;
}

/** "crossing": touch/cross rule; "instant": every PLACE fills at its limit. */
export type FillMode = "crossing" | "instant";

function decimalText(v: string | Decimal | null | undefined, what: string): string {
  if (v === null || v === undefined) {
    throw new InvalidInputError(`PLACE action has no ${what}`);
  }
  return typeof v === "string" ? v : v.toString();
}

/** True when a resting limit order on `side` at `limit` is reached by `mid`. */
function crosses(side: OrderSide, mid: Decimal, limit: Decimal): boolean {
  if (side === OrderSide.BUY) return !mid.gt(limit);
  if (side === OrderSide.SELL) return !mid.lt(limit);
  return true;
}

/**
 * Fills for the PLACE actions of one step, in action order. CANCEL and other
 * actions never fill. `idx` in a generated order id is the action's position
 * in the whole list (non-PLACE actions count).
 */
export function simulateFills(
  ts: number,
  symbol: string,
  actions: readonly FillActionInput[],
  midPrice: Decimal | null = null,
  fillMode: FillMode = "crossing",
): Fill[] {
  const fills: Fill[] = [];
  for (let idx = 0; idx < actions.length; idx++) {
    const action = actions[idx] as FillActionInput;
    if (action.action_type !== "PLACE") continue;

    const priceText = decimalText(action.price, "price");
    const limit = Decimal.parse(priceText);
    const side = action.side;
    if (side === null || side === undefined)
      throw new InvalidInputError("PLACE action has no side");

    if (fillMode === "crossing" && midPrice !== null && !crosses(side, midPrice, limit)) continue;

    const orderId =
      action.order_id === null || action.order_id === undefined
        ? `paper_${ts}_${symbol}_${idx}_${side}_${priceText}`
        : action.order_id;

    fills.push(
      makeFill({
        ts,
        symbol,
        side,
        price: limit,
        quantity: Decimal.parse(decimalText(action.quantity, "quantity")),
        orderId,
      }),
    );
  }
  return fills;
}

/**
 * An open order as the execution state tracks it. Only the fields the
 * tick-delay check reads are required.
 */
export interface PendingOrderInput {
  readonly orderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  /** Tick (per-symbol snapshot counter) at which the order was placed. */
  readonly placedTick: number;
  readonly state?: string;
  readonly levelId?: number;
  readonly createdTs?: number;
}

export interface PendingFillResult {
  readonly fills: Fill[];
  /** Ids of the orders that filled, for moving them to FILLED. */
  readonly filledOrderIds: ReadonlySet<string>;
}

/** Code-point order, as the reference sorts strings. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      // Surrogates (0xD800-0xDFFF) encode code points above every BMP character.
      const sa = ca >= 0xd800 && ca <= 0xdfff;
      const sb = cb >= 0xd800 && cb <= 0xdfff;
      if (sa !== sb) return sa ? 1 : -1;
      return ca - cb;
    }
  }
  return a.length - b.length;
}

/**
 * Tick-delay fills: every order with `currentTick - placedTick >=
 * fillAfterTicks` that the mid price reaches fills at its limit price.
 * Orders are examined in order-id order (stable for equal ids). The caller
 * passes only OPEN orders; the state field is not read here.
 */
export function checkPendingFills(
  ts: number,
  openOrders: readonly PendingOrderInput[],
  midPrice: Decimal,
  currentTick: number,
  fillAfterTicks = 1,
): PendingFillResult {
  const fills: Fill[] = [];
  const filledOrderIds = new Set<string>();
  // Select first, then sort only the (usually zero or one) orders that fill:
  // the same result as sorting every open order, at a fraction of the cost.
  const filling: PendingOrderInput[] = [];
  for (const order of openOrders) {
    if (currentTick - order.placedTick < fillAfterTicks) continue;
    if (!crosses(order.side, midPrice, order.price)) continue;
    filling.push(order);
  }
  if (filling.length > 1) filling.sort((a, b) => compareCodePoints(a.orderId, b.orderId));
  for (const order of filling) {
    fills.push(
      makeFill({
        ts,
        symbol: order.symbol,
        side: order.side,
        price: order.price,
        quantity: order.quantity,
        orderId: order.orderId,
      }),
    );
    filledOrderIds.add(order.orderId);
  }
  return { fills, filledOrderIds };
}
