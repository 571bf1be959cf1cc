/**
 * The order language the kernel and every venue speak: commands named as
 * orders (SubmitOrder, CancelOrder), events in the past tense (OrderAccepted,
 * OrderRejected, OrderFilled, OrderCanceled, OrderExpired). Messages are
 * immutable values; ids are the kernel's client order ids.
 */

import { Decimal } from "../core/decimal.js";
import type { OrderSide } from "./enums.js";

const ZERO = Decimal.ZERO;

/** Who took liquidity in a fill. `liquidation`: the venue closed the position. */
export type Liquidity = "maker" | "taker" | "liquidation";

/** Place a limit order (GTC unless `reduceOnly` market semantics are asked by a venue). */
export interface SubmitOrder {
  readonly kind: "SubmitOrder";
  /** Decision time (ms): the market event the kernel was answering. */
  readonly ts: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  /** Grid level the order belongs to (1 = nearest the centre). */
  readonly levelId: number;
  /**
   * Position of the reconcile action that made this order among the tick's
   * actions (cancels included). The reference venue names its fills with it.
   */
  readonly actionIndex: number;
  /** LIMIT (default, GTC) or MARKET (fills at once at the opposite best; `price` is a reference). */
  readonly orderType?: "LIMIT" | "MARKET";
  /** Futures: may only reduce the position (capped at it, refused when it would open one). */
  readonly reduceOnly?: boolean;
}

export interface CancelOrder {
  readonly kind: "CancelOrder";
  readonly ts: number;
  readonly clientOrderId: string;
  readonly symbol: string;
}

export type OrderCommand = SubmitOrder | CancelOrder;

/** The venue holds the order on its book. */
export interface OrderAccepted {
  readonly kind: "OrderAccepted";
  readonly ts: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  /** The venue's own id, when it has one. */
  readonly venueOrderId?: string;
}

/** The venue refused the order (never on the book). */
export interface OrderRejected {
  readonly kind: "OrderRejected";
  readonly ts: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly reason: string;
}

/** A (partial or full) execution of an order. */
export interface OrderFilled {
  readonly kind: "OrderFilled";
  readonly ts: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  /** Executed price. */
  readonly price: Decimal;
  /** Executed quantity of this fill. */
  readonly quantity: Decimal;
  /** Commission of this fill, in `feeAsset`. */
  readonly fee: Decimal;
  /** Asset the commission was charged in (the quote asset when fees are simulated). */
  readonly feeAsset: string;
  readonly liquidity: Liquidity;
  /** The venue's trade id: unique per fill, de-duplicates replays. */
  readonly tradeId: string;
  /** Quantity still open after this fill (zero: the order is done). */
  readonly leavesQuantity: Decimal;
}

export interface OrderCanceled {
  readonly kind: "OrderCanceled";
  readonly ts: number;
  readonly clientOrderId: string;
  readonly symbol: string;
}

export interface OrderExpired {
  readonly kind: "OrderExpired";
  readonly ts: number;
  readonly clientOrderId: string;
  readonly symbol: string;
}

/** A cancel the venue could not carry out (unknown order, already done). */
export interface OrderCancelRejected {
  readonly kind: "OrderCancelRejected";
  readonly ts: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly reason: string;
}

/**
 * A funding payment on a perpetual position (USD-M): position x mark x rate,
 * paid by longs when the rate is positive. `payment` is what the account
 * received (negative: paid).
 */
export interface FundingApplied {
  readonly kind: "FundingApplied";
  readonly ts: number;
  readonly symbol: string;
  /** Signed position (base) at the funding time. */
  readonly position: Decimal;
  readonly markPrice: Decimal;
  readonly rate: Decimal;
  readonly payment: Decimal;
}

export type OrderEvent =
  | OrderAccepted
  | OrderRejected
  | OrderFilled
  | OrderCanceled
  | OrderExpired
  | OrderCancelRejected;

/** What a venue reports: order events, and account events (funding). */
export type VenueEvent = OrderEvent | FundingApplied;

/** Terminal events: the order is off the book afterwards. */
export function endsOrder(e: OrderEvent): boolean {
  return (
    e.kind === "OrderRejected" ||
    e.kind === "OrderCanceled" ||
    e.kind === "OrderExpired" ||
    (e.kind === "OrderFilled" && e.leavesQuantity.isZero())
  );
}

/** The venue's refusal of an order, at `ts`. */
export function orderRejected(
  cmd: Pick<SubmitOrder, "clientOrderId" | "symbol">,
  ts: number,
  reason: string,
): OrderRejected {
  return {
    kind: "OrderRejected",
    ts,
    clientOrderId: cmd.clientOrderId,
    symbol: cmd.symbol,
    reason,
  };
}

/** An OrderFilled with the fields a simulation leaves at their defaults (no fee, maker, done). */
export function orderFilled(f: {
  readonly ts: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly fee?: Decimal;
  readonly feeAsset?: string;
  readonly liquidity?: Liquidity;
  readonly tradeId?: string;
  readonly leavesQuantity?: Decimal;
}): OrderFilled {
  return {
    kind: "OrderFilled",
    ts: f.ts,
    clientOrderId: f.clientOrderId,
    symbol: f.symbol,
    side: f.side,
    price: f.price,
    quantity: f.quantity,
    fee: f.fee ?? ZERO,
    feeAsset: f.feeAsset ?? "",
    liquidity: f.liquidity ?? "maker",
    tradeId: f.tradeId ?? f.clientOrderId,
    leavesQuantity: f.leavesQuantity ?? ZERO,
  };
}
