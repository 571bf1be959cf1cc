/**
 * The spot side of the local Binance exchange: its order, trade and symbol
 * records and the JSON it answers with, in Binance's shapes (spot, as
 * documented in binance-spot-api-docs rest-api.md): the FULL placement reply
 * with its `fills`, the cancel reply, the order query, `myTrades` and
 * `exchangeInfo` with the PRICE_FILTER, LOT_SIZE and NOTIONAL filters.
 */

import type { Decimal } from "../../src/core/decimal.js";
import { D, fmt8, multipleOf } from "./local-exchange-format.js";

export interface ServerOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  /** As sent (the replies print it with 8 places). */
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: string;
  side: string;
  type: string;
  timeInForce: string;
  time: number;
  updateTime: number;
}

/** One execution of an order. */
export interface ServerTrade {
  readonly id: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly price: string;
  readonly qty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly isMaker: boolean;
  readonly time: number;
}

/** Trading rules of a symbol (exchangeInfo filters). */
export interface SymbolRules {
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly tickSize: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly minNotional: string;
}

/** A change of an order, as the user data stream reports it (`executionReport`). */
export interface OrderUpdate {
  /** A copy of the order after the change. */
  readonly order: Readonly<ServerOrder>;
  /** NEW, TRADE, CANCELED, EXPIRED or REJECTED. */
  readonly executionType: string;
  readonly trade?: ServerTrade;
  /** The cancel request's own client id (CANCELED). */
  readonly cancelClientOrderId?: string;
  readonly rejectReason?: string;
}

/** The filter a LIMIT order breaks, if any (PRICE_FILTER, LOT_SIZE, NOTIONAL). */
export function filterFailure(r: SymbolRules, price: Decimal, qty: Decimal): string | undefined {
  if (price.lt(D(r.minPrice)) || price.gt(D(r.maxPrice)) || !multipleOf(price, D(r.tickSize)))
    return "PRICE_FILTER";
  if (qty.lt(D(r.minQty)) || qty.gt(D(r.maxQty)) || !multipleOf(qty, D(r.stepSize)))
    return "LOT_SIZE";
  if (price.mul(qty).lt(D(r.minNotional))) return "NOTIONAL";
  return undefined;
}

/** POST /api/v3/order reply (FULL): the order and the trades the placement made. */
export function placementReply(
  o: ServerOrder,
  now: number,
  fills: readonly ServerTrade[],
): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    transactTime: now,
    ...writeReplyFields(o),
    workingTime: now,
    selfTradePreventionMode: "EXPIRE_MAKER",
    fills: fills.map((t) => ({
      price: t.price,
      qty: t.qty,
      commission: t.commission,
      commissionAsset: t.commissionAsset,
      tradeId: t.id,
    })),
  };
}

/** DELETE /api/v3/order reply: the order's id in origClientOrderId, the cancel's in clientOrderId. */
export function cancelReply(o: ServerOrder, cancelClientOrderId: string): Record<string, unknown> {
  return {
    symbol: o.symbol,
    origClientOrderId: o.clientOrderId,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: cancelClientOrderId,
    transactTime: o.updateTime,
    ...writeReplyFields(o),
    selfTradePreventionMode: "EXPIRE_MAKER",
  };
}

/** The fields a placement and a cancel reply share, in Binance's order. */
function writeReplyFields(o: ServerOrder): Record<string, unknown> {
  return {
    price: fmt8(o.price),
    origQty: fmt8(o.origQty),
    executedQty: o.executedQty,
    origQuoteOrderQty: fmt8("0"),
    cummulativeQuoteQty: o.cummulativeQuoteQty,
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
  };
}

/** GET /api/v3/order and /api/v3/openOrders: one order. */
export function spotOrderJson(o: ServerOrder): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: fmt8(o.price),
    origQty: fmt8(o.origQty),
    executedQty: o.executedQty,
    cummulativeQuoteQty: o.cummulativeQuoteQty,
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    // stopPrice and icebergQty are conditional fields: absent for a plain LIMIT order.
    time: o.time,
    updateTime: o.updateTime,
    isWorking: true,
    workingTime: o.time,
    origQuoteOrderQty: "0.00000000",
    selfTradePreventionMode: "EXPIRE_MAKER",
  };
}

/** GET /api/v3/myTrades: one trade of the account. */
export function myTradeJson(t: ServerTrade, isBuyer: boolean): Record<string, unknown> {
  return {
    symbol: t.symbol,
    id: t.id,
    orderId: t.orderId,
    orderListId: -1,
    price: t.price,
    qty: t.qty,
    quoteQty: fmt8(D(t.price).mul(D(t.qty))),
    commission: t.commission,
    commissionAsset: t.commissionAsset,
    time: t.time,
    isBuyer,
    isMaker: t.isMaker,
    isBestMatch: true,
  };
}

/** GET /api/v3/exchangeInfo for the symbols and their rules. */
export function spotExchangeInfo(
  rules: ReadonlyMap<string, SymbolRules>,
  serverTime: number,
): Record<string, unknown> {
  return {
    timezone: "UTC",
    serverTime,
    rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 },
      { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
      { rateLimitType: "ORDERS", interval: "DAY", intervalNum: 1, limit: 200000 },
    ],
    exchangeFilters: [],
    symbols: [...rules].map(([symbol, r]) => ({
      symbol,
      status: "TRADING",
      baseAsset: r.baseAsset,
      baseAssetPrecision: 8,
      quoteAsset: r.quoteAsset,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
      icebergAllowed: true,
      ocoAllowed: true,
      otoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      cancelReplaceAllowed: true,
      amendAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: [
        {
          filterType: "PRICE_FILTER",
          minPrice: fmt8(r.minPrice),
          maxPrice: fmt8(r.maxPrice),
          tickSize: fmt8(r.tickSize),
        },
        {
          filterType: "LOT_SIZE",
          minQty: fmt8(r.minQty),
          maxQty: fmt8(r.maxQty),
          stepSize: fmt8(r.stepSize),
        },
        {
          filterType: "NOTIONAL",
          minNotional: fmt8(r.minNotional),
          applyMinToMarket: true,
          maxNotional: "9000000.00000000",
          applyMaxToMarket: false,
          avgPriceMins: 5,
        },
      ],
      permissions: [],
      permissionSets: [["SPOT"]],
      defaultSelfTradePreventionMode: "EXPIRE_MAKER",
      allowedSelfTradePreventionModes: ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    })),
  };
}
