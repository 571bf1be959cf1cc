/**
 * The local USD-M exchange's order, trade and position records and the JSON
 * it answers and pushes, in Binance's "USDS-M Futures" shapes: the order
 * (REST), ORDER_TRADE_UPDATE and ACCOUNT_UPDATE (user-data stream),
 * `userTrades`, `positionRisk`, `account`, `income`, `fundingRate` and
 * `exchangeInfo` (PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, MIN_NOTIONAL).
 */

import { Decimal } from "../../src/core/decimal.js";
import { plainDecimal } from "./local-exchange-format.js";

export interface UsdmServerOrder {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: "BUY" | "SELL";
  readonly type: "LIMIT" | "MARKET";
  readonly reduceOnly: boolean;
  /** As sent ("0" for MARKET). */
  readonly price: string;
  readonly origQty: string;
  executedQty: Decimal;
  cumQuote: Decimal;
  status: string;
  readonly time: number;
  updateTime: number;
}

export interface UsdmServerTrade {
  readonly id: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: "BUY" | "SELL";
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly commission: Decimal;
  readonly maker: boolean;
  readonly time: number;
}

/** A one-way position: signed amount and average entry price. */
export interface UsdmPosition {
  readonly amt: Decimal;
  readonly entry: Decimal;
}

/** A settled funding (the public funding-rate history). */
export interface FundingSettlement {
  symbol: string;
  rate: Decimal;
  time: number;
  mark: Decimal;
}

/** A FUNDING_FEE row of the account's income history. */
export interface FundingIncome {
  symbol: string;
  income: Decimal;
  time: number;
  tranId: number;
}

export const USDM_RULES = {
  tickSize: "0.10",
  stepSize: "0.001",
  minQty: "0.001",
  marketStepSize: "0.001",
  marketMinQty: "0.001",
  minNotional: "5",
} as const;

export function avgPrice(o: UsdmServerOrder): Decimal {
  return o.executedQty.isZero() ? Decimal.ZERO : o.cumQuote.div(o.executedQty);
}

/** The fields of a USD-M order reply that vary; `cumQty` is left out when undefined. */
export interface UsdmOrderFields {
  readonly orderId: number;
  readonly symbol: string;
  readonly status: string;
  readonly clientOrderId: string;
  readonly price: string;
  readonly avgPrice: string;
  readonly origQty: string;
  readonly executedQty: string;
  readonly cumQty?: string;
  readonly cumQuote: string;
  readonly timeInForce: string;
  readonly type: string;
  readonly reduceOnly: boolean;
  readonly side: string;
  readonly selfTradePreventionMode: string;
  readonly time: number;
  readonly updateTime: number;
}

/** A USD-M order (POST, DELETE and GET /fapi/v1/order, openOrders), in Binance's field order. */
export function usdmOrderJson(f: UsdmOrderFields): Record<string, unknown> {
  return {
    orderId: f.orderId,
    symbol: f.symbol,
    status: f.status,
    clientOrderId: f.clientOrderId,
    price: f.price,
    avgPrice: f.avgPrice,
    origQty: f.origQty,
    executedQty: f.executedQty,
    ...(f.cumQty !== undefined ? { cumQty: f.cumQty } : {}),
    cumQuote: f.cumQuote,
    timeInForce: f.timeInForce,
    type: f.type,
    reduceOnly: f.reduceOnly,
    closePosition: false,
    side: f.side,
    positionSide: "BOTH",
    stopPrice: "0",
    workingType: "CONTRACT_PRICE",
    priceProtect: false,
    origType: f.type,
    priceMatch: "NONE",
    selfTradePreventionMode: f.selfTradePreventionMode,
    goodTillDate: 0,
    time: f.time,
    updateTime: f.updateTime,
  };
}

/** The local USD-M exchange's order as the REST API returns it. */
export function orderJson(o: UsdmServerOrder): Record<string, unknown> {
  return usdmOrderJson({
    ...o,
    avgPrice: plainDecimal(avgPrice(o)),
    executedQty: plainDecimal(o.executedQty),
    cumQty: plainDecimal(o.executedQty),
    cumQuote: plainDecimal(o.cumQuote),
    timeInForce: "GTC",
    selfTradePreventionMode: "EXPIRE_MAKER",
  });
}

/** ORDER_TRADE_UPDATE for a change `x` of the order (with its trade, for TRADE). */
export function orderTradeUpdate(
  o: UsdmServerOrder,
  x: string,
  t: UsdmServerTrade | undefined,
  now: number,
): Record<string, unknown> {
  return {
    e: "ORDER_TRADE_UPDATE",
    E: now,
    T: t?.time ?? now,
    o: {
      s: o.symbol,
      c: o.clientOrderId,
      S: o.side,
      o: o.type,
      f: "GTC",
      q: o.origQty,
      p: o.price,
      ap: plainDecimal(avgPrice(o)),
      sp: "0",
      x,
      X: o.status,
      i: o.orderId,
      l: t === undefined ? "0" : plainDecimal(t.qty),
      z: plainDecimal(o.executedQty),
      L: t === undefined ? "0" : plainDecimal(t.price),
      ...(t !== undefined ? { N: "USDT", n: plainDecimal(t.commission) } : {}),
      T: t?.time ?? now,
      t: t?.id ?? 0,
      b: "0",
      a: "0",
      m: t?.maker ?? false,
      R: o.reduceOnly,
      wt: "CONTRACT_PRICE",
      ot: o.type,
      ps: "BOTH",
      cp: false,
      rp: "0",
      pP: false,
      si: 0,
      ss: 0,
      V: "NONE",
      pm: "NONE",
      gtd: 0,
    },
  };
}

/**
 * ACCOUNT_UPDATE: after a trade (reason ORDER, balance change 0, the
 * symbol's position) or a funding (reason FUNDING_FEE, the fee as the
 * balance change, no position, as Binance sends for cross margin).
 */
export function accountUpdate(
  reason: "ORDER" | "FUNDING_FEE",
  walletBalance: string,
  balanceChange: string,
  position: { readonly symbol: string; readonly p: UsdmPosition } | undefined,
  time: number,
): Record<string, unknown> {
  return {
    e: "ACCOUNT_UPDATE",
    E: time,
    T: time,
    a: {
      m: reason,
      B: [{ a: "USDT", wb: walletBalance, cw: "10000", bc: balanceChange }],
      P:
        position === undefined
          ? []
          : [
              {
                s: position.symbol,
                pa: plainDecimal(position.p.amt),
                ep: plainDecimal(position.p.entry),
                bep: plainDecimal(position.p.entry),
                cr: "0",
                up: "0",
                mt: "cross",
                iw: "0",
                ps: "BOTH",
              },
            ],
    },
  };
}

/** GET /fapi/v1/userTrades: one trade. */
export function userTradeJson(t: UsdmServerTrade): Record<string, unknown> {
  return {
    buyer: t.side === "BUY",
    commission: plainDecimal(t.commission),
    commissionAsset: "USDT",
    id: t.id,
    maker: t.maker,
    orderId: t.orderId,
    price: plainDecimal(t.price),
    qty: plainDecimal(t.qty),
    quoteQty: plainDecimal(t.price.mul(t.qty)),
    realizedPnl: "0",
    side: t.side,
    positionSide: "BOTH",
    symbol: t.symbol,
    time: t.time,
  };
}

/** GET /fapi/v1/fundingRate: one settled funding. */
export function fundingRateJson(f: FundingSettlement): Record<string, unknown> {
  return {
    symbol: f.symbol,
    fundingRate: plainDecimal(f.rate),
    fundingTime: f.time,
    markPrice: plainDecimal(f.mark),
  };
}

/** GET /fapi/v1/income: one FUNDING_FEE row. */
export function fundingIncomeJson(f: FundingIncome): Record<string, unknown> {
  return {
    symbol: f.symbol,
    incomeType: "FUNDING_FEE",
    income: plainDecimal(f.income),
    asset: "USDT",
    info: "FUNDING_FEE",
    time: f.time,
    tranId: f.tranId,
    tradeId: "",
  };
}

/** GET /fapi/v2/positionRisk: one symbol's position at `mark`. */
export function positionRow(
  symbol: string,
  p: UsdmPosition,
  mark: Decimal,
  leverage: number,
  now: number,
): Record<string, unknown> {
  return {
    symbol,
    positionAmt: plainDecimal(p.amt),
    entryPrice: plainDecimal(p.entry),
    breakEvenPrice: plainDecimal(p.entry),
    markPrice: plainDecimal(mark),
    unRealizedProfit: "0",
    liquidationPrice: "0",
    leverage: String(leverage),
    maxNotionalValue: "1000000",
    marginType: "cross",
    isolatedMargin: "0",
    isAutoAddMargin: "false",
    positionSide: "BOTH",
    notional: plainDecimal(p.amt.mul(mark)),
    isolatedWallet: "0",
    updateTime: now,
  };
}

/** GET /fapi/v2/account with the wallet balance `w` (no positions, no margin used). */
export function accountJson(w: string): Record<string, unknown> {
  return {
    feeTier: 0,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    updateTime: 0,
    multiAssetsMargin: false,
    totalInitialMargin: "0",
    totalMaintMargin: "0",
    totalWalletBalance: w,
    totalUnrealizedProfit: "0",
    totalMarginBalance: w,
    totalPositionInitialMargin: "0",
    totalOpenOrderInitialMargin: "0",
    totalCrossWalletBalance: w,
    totalCrossUnPnl: "0",
    availableBalance: w,
    maxWithdrawAmount: w,
    assets: [],
    positions: [],
  };
}

/** GET /fapi/v1/exchangeInfo for perpetuals on these symbols (all on USDM_RULES). */
export function usdmExchangeInfo(
  symbols: readonly string[],
  serverTime: number,
): Record<string, unknown> {
  return {
    timezone: "UTC",
    serverTime,
    futuresType: "U_MARGINED",
    rateLimits: [],
    exchangeFilters: [],
    assets: [],
    symbols: symbols.map((symbol) => ({
      symbol,
      pair: symbol,
      contractType: "PERPETUAL",
      status: "TRADING",
      baseAsset: symbol.replace(/USDT$/, ""),
      quoteAsset: "USDT",
      marginAsset: "USDT",
      pricePrecision: 2,
      quantityPrecision: 3,
      filters: [
        {
          filterType: "PRICE_FILTER",
          minPrice: "0.10",
          maxPrice: "4529764",
          tickSize: USDM_RULES.tickSize,
        },
        {
          filterType: "LOT_SIZE",
          minQty: USDM_RULES.minQty,
          maxQty: "1000",
          stepSize: USDM_RULES.stepSize,
        },
        {
          filterType: "MARKET_LOT_SIZE",
          minQty: USDM_RULES.marketMinQty,
          maxQty: "120",
          stepSize: USDM_RULES.marketStepSize,
        },
        { filterType: "MAX_NUM_ORDERS", limit: 200 },
        { filterType: "MIN_NOTIONAL", notional: USDM_RULES.minNotional },
        {
          filterType: "PERCENT_PRICE",
          multiplierUp: "1.0500",
          multiplierDown: "0.9500",
          multiplierDecimal: "4",
        },
      ],
      orderTypes: [
        "LIMIT",
        "MARKET",
        "STOP",
        "STOP_MARKET",
        "TAKE_PROFIT",
        "TAKE_PROFIT_MARKET",
        "TRAILING_STOP_MARKET",
      ],
      timeInForce: ["GTC", "IOC", "FOK", "GTX", "GTD"],
    })),
  };
}
