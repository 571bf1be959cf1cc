/**
 * Binance's order replies, parsed: the same shape serves the placement reply
 * (FULL: with `fills`), the cancel reply (the order's id in
 * `origClientOrderId`), the order query and the open-orders listing (spot
 * `/api/v3`; USD-M `/fapi/v1` replies carry `cumQuote` instead of
 * `cummulativeQuoteQty` and no fills). A reply that lacks a field we rely on
 * is an error naming the field.
 */

import type { Decimal } from "../../core/decimal.js";
import { JsonFields } from "../../core/json-fields.js";
import { OrderSide } from "../../domain/enums.js";
import { ConnectorTransientError } from "../../net/errors/connector-transient-error.js";

/** One execution listed in a FULL placement reply. */
export interface BinanceFill {
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly tradeId: string;
}

export interface BinanceOrder {
  readonly symbol: string;
  /** The exchange's order id. */
  readonly orderId: string;
  /** The order's client id (a cancel reply's `origClientOrderId`). */
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly origQty: Decimal;
  readonly executedQty: Decimal;
  /** Quote quantity executed so far (price x quantity summed over the executions). */
  readonly cumQuote: Decimal;
  /** NEW, PARTIALLY_FILLED, FILLED, CANCELED, PENDING_CANCEL, REJECTED, EXPIRED, EXPIRED_IN_MATCH. */
  readonly status: string;
  /** Exchange time of the reply's state (updateTime, else transactTime, else time). */
  readonly time: number;
  readonly fills: readonly BinanceFill[];
}

/** One execution as the exchange lists it (reply fill, stream report or account trade). */
export interface ExchangeTrade {
  readonly tradeId: string;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly isMaker: boolean;
  readonly time: number;
}

/** One execution of the account (`GET /api/v3/myTrades`). */
export interface BinanceTrade extends ExchangeTrade {
  readonly symbol: string;
  readonly orderId: string;
}

/** Statuses of an order still on the book. */
export const OPEN_ORDER_STATUSES: ReadonlySet<string> = new Set([
  "NEW",
  "PARTIALLY_FILLED",
  "PENDING_NEW",
  "PENDING_CANCEL",
]);

type Obj = Readonly<Record<string, unknown>>;

/** Typed reads of one reply object; a missing or malformed field is an error naming it. */
export class ReplyFields extends JsonFields {
  bad(key: string, expected: string): never {
    throw new ConnectorTransientError(
      `${this.where}: field "${key}": expected ${expected}, got ${this.got(key)}`,
    );
  }

  ms(...keys: string[]): number {
    for (const k of keys) {
      const v = this.o[k];
      if (typeof v === "number" && Number.isSafeInteger(v)) return v;
    }
    return this.bad(keys.join("/"), "a time in ms");
  }
}

export function fieldsOf(v: unknown, where: string): ReplyFields {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new ConnectorTransientError(`${where}: expected a JSON object, got ${JSON.stringify(v)}`);
  return new ReplyFields(v as Obj, where);
}

function parseFill(v: unknown, where: string): BinanceFill {
  const f = fieldsOf(v, where);
  return {
    price: f.dec("price"),
    qty: f.dec("qty"),
    commission: f.dec("commission"),
    commissionAsset: f.str("commissionAsset"),
    tradeId: f.id("tradeId"),
  };
}

/** Parse one order reply of operation `op` (errors name the operation and the field). */
export function parseBinanceOrder(v: unknown, op: string): BinanceOrder {
  const where = `${op} reply`;
  const f = fieldsOf(v, where);
  const side = f.str("side");
  if (side !== OrderSide.BUY && side !== OrderSide.SELL) f.bad("side", '"BUY" or "SELL"');
  const rawFills = (v as Obj).fills;
  if (rawFills !== undefined && !Array.isArray(rawFills)) f.bad("fills", "an array");
  return {
    symbol: f.str("symbol"),
    orderId: f.id("orderId"),
    clientOrderId: f.has("origClientOrderId") ? f.str("origClientOrderId") : f.str("clientOrderId"),
    side: side as OrderSide,
    price: f.dec("price"),
    origQty: f.dec("origQty"),
    executedQty: f.dec("executedQty"),
    cumQuote: f.has("cummulativeQuoteQty") ? f.dec("cummulativeQuoteQty") : f.dec("cumQuote"),
    status: f.str("status"),
    time: f.ms("updateTime", "transactTime", "time"),
    fills: ((rawFills as unknown[] | undefined) ?? []).map((x, i) =>
      parseFill(x, `${where} fills[${i}]`),
    ),
  };
}

/** Parse one entry of a myTrades reply (errors name the entry and the field). */
export function parseBinanceTrade(v: unknown, where: string): BinanceTrade {
  const f = fieldsOf(v, where);
  return {
    symbol: f.str("symbol"),
    tradeId: f.id("id"),
    orderId: f.id("orderId"),
    price: f.dec("price"),
    qty: f.dec("qty"),
    commission: f.dec("commission"),
    commissionAsset: f.str("commissionAsset"),
    isMaker: f.bool("isMaker"),
    time: f.ms("time"),
  };
}
