/**
 * JSON forms of the order language (`orders.ts`: commands, order events and
 * the funding account event), for journals and logs:
 * snake_case keys, decimals as strings (exactly as held, trailing zeros
 * kept), one `kind` per message. `…FromJson` is the exact inverse of
 * `…ToJson` and names the field and what it expected when the input is bad.
 */

import type { JsonValue } from "../core/canonical-json.js";
import { InvalidInputError } from "../core/errors.js";
import { JsonFields } from "../core/json-fields.js";
import { OrderSide } from "./enums.js";
import type { Liquidity, OrderCommand, VenueEvent } from "./orders.js";

type Obj = Readonly<Record<string, unknown>>;

const LIQUIDITIES: readonly Liquidity[] = ["maker", "taker", "liquidation"];

export function orderCommandToJson(c: OrderCommand): JsonValue {
  const base = { kind: c.kind, ts: c.ts, client_order_id: c.clientOrderId, symbol: c.symbol };
  if (c.kind === "CancelOrder") return base;
  return {
    ...base,
    side: c.side,
    price: c.price.toString(),
    quantity: c.quantity.toString(),
    level_id: c.levelId,
    action_index: c.actionIndex,
    ...(c.orderType !== undefined ? { order_type: c.orderType } : {}),
    ...(c.reduceOnly !== undefined ? { reduce_only: c.reduceOnly } : {}),
  };
}

export function orderEventToJson(e: VenueEvent): JsonValue {
  if (e.kind === "FundingApplied")
    return {
      kind: e.kind,
      ts: e.ts,
      symbol: e.symbol,
      position: e.position.toString(),
      mark_price: e.markPrice.toString(),
      rate: e.rate.toString(),
      payment: e.payment.toString(),
    };
  const base = { kind: e.kind, ts: e.ts, client_order_id: e.clientOrderId, symbol: e.symbol };
  switch (e.kind) {
    case "OrderAccepted":
      return e.venueOrderId === undefined ? base : { ...base, venue_order_id: e.venueOrderId };
    case "OrderRejected":
    case "OrderCancelRejected":
      return { ...base, reason: e.reason };
    case "OrderCanceled":
    case "OrderExpired":
      return base;
    case "OrderFilled":
      return {
        ...base,
        side: e.side,
        price: e.price.toString(),
        quantity: e.quantity.toString(),
        fee: e.fee.toString(),
        fee_asset: e.feeAsset,
        liquidity: e.liquidity,
        trade_id: e.tradeId,
        leaves_quantity: e.leavesQuantity.toString(),
      };
  }
}

class Fields extends JsonFields {
  bad(key: string, expected: string): never {
    throw new InvalidInputError(
      `${this.where}: field "${key}": expected ${expected}, got ${this.got(key)}`,
    );
  }

  /** Present (null counts: a journaled null is a value). */
  override has(key: string): boolean {
    return this.o[key] !== undefined;
  }

  orderType(key: string): "LIMIT" | "MARKET" {
    const v = this.o[key];
    return v === "LIMIT" || v === "MARKET" ? v : this.bad(key, '"LIMIT" or "MARKET"');
  }

  side(key: string): OrderSide {
    const v = this.o[key];
    return v === OrderSide.BUY || v === OrderSide.SELL ? v : this.bad(key, '"BUY" or "SELL"');
  }

  liquidity(key: string): Liquidity {
    const v = LIQUIDITIES.find((l) => l === this.o[key]);
    return v ?? this.bad(key, '"maker", "taker" or "liquidation"');
  }
}

function fieldsOf(v: unknown, where: string): Fields & { readonly kind: unknown } {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new InvalidInputError(`${where}: expected an order message object`);
  const f = new Fields(v as Obj, where);
  return Object.assign(f, { kind: (v as Obj).kind });
}

export function orderCommandFromJson(v: unknown, where: string): OrderCommand {
  const f = fieldsOf(v, where);
  const head = {
    ts: f.int("ts"),
    clientOrderId: f.str("client_order_id"),
    symbol: f.str("symbol"),
  };
  if (f.kind === "CancelOrder") return { kind: "CancelOrder", ...head };
  if (f.kind !== "SubmitOrder")
    throw new InvalidInputError(
      `${where}: field "kind": expected "SubmitOrder" or "CancelOrder", got ${JSON.stringify(f.kind)}`,
    );
  return {
    kind: "SubmitOrder",
    ...head,
    side: f.side("side"),
    price: f.dec("price"),
    quantity: f.dec("quantity"),
    levelId: f.int("level_id"),
    actionIndex: f.int("action_index"),
    ...(f.has("order_type") ? { orderType: f.orderType("order_type") } : {}),
    ...(f.has("reduce_only") ? { reduceOnly: f.bool("reduce_only") } : {}),
  };
}

export function orderEventFromJson(v: unknown, where: string): VenueEvent {
  const f = fieldsOf(v, where);
  if (f.kind === "FundingApplied")
    return {
      kind: "FundingApplied",
      ts: f.int("ts"),
      symbol: f.str("symbol"),
      position: f.dec("position"),
      markPrice: f.dec("mark_price"),
      rate: f.dec("rate"),
      payment: f.dec("payment"),
    };
  const head = {
    ts: f.int("ts"),
    clientOrderId: f.str("client_order_id"),
    symbol: f.str("symbol"),
  };
  switch (f.kind) {
    case "OrderAccepted": {
      const raw = (v as Obj).venue_order_id;
      return raw === undefined
        ? { kind: "OrderAccepted", ...head }
        : { kind: "OrderAccepted", ...head, venueOrderId: f.str("venue_order_id") };
    }
    case "OrderRejected":
    case "OrderCancelRejected":
      return { kind: f.kind, ...head, reason: f.str("reason") };
    case "OrderCanceled":
    case "OrderExpired":
      return { kind: f.kind, ...head };
    case "OrderFilled":
      return {
        kind: "OrderFilled",
        ...head,
        side: f.side("side"),
        price: f.dec("price"),
        quantity: f.dec("quantity"),
        fee: f.dec("fee"),
        feeAsset: f.str("fee_asset"),
        liquidity: f.liquidity("liquidity"),
        tradeId: f.str("trade_id"),
        leavesQuantity: f.dec("leaves_quantity"),
      };
    default:
      throw new InvalidInputError(
        `${where}: field "kind": expected a venue event (OrderAccepted, OrderRejected, ` +
          `OrderFilled, OrderCanceled, OrderExpired, OrderCancelRejected, FundingApplied), ` +
          `got ${JSON.stringify(f.kind)}`,
      );
  }
}
