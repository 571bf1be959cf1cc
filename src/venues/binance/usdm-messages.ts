/**
 * Binance USD-M futures messages, parsed and validated: the REST replies the
 * USD-M venue reads besides orders (`binance-order-reply.ts` parses those:
 * `/fapi/v1/order` replies carry `cumQuote`), and the user-data stream's
 * events (`ORDER_TRADE_UPDATE`, `ACCOUNT_UPDATE`, `listenKeyExpired`), as
 * documented in Binance's "USDS-M Futures" API (derivatives-trading-usds-
 * futures): field names are the documented one-letter keys. A message that
 * lacks a field we rely on is an error naming the message and the field.
 */

import { Decimal } from "../../core/decimal.js";
import { OrderSide } from "../../domain/enums.js";
import { ConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { fieldsOf, type ReplyFields } from "./binance-order-reply.js";

function arrayOf(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v))
    throw new ConnectorTransientError(`${where}: expected a JSON array, got ${JSON.stringify(v)}`);
  return v;
}

function sideOf(f: ReplyFields, key: string): OrderSide {
  const s = f.str(key);
  if (s !== OrderSide.BUY && s !== OrderSide.SELL) f.bad(key, '"BUY" or "SELL"');
  return s as OrderSide;
}

/** `GET /fapi/v1/positionSide/dual`: true in hedge mode. */
export function parseDualSidePosition(v: unknown): boolean {
  return fieldsOf(v, "positionSide/dual reply").bool("dualSidePosition");
}

/** `POST /fapi/v1/leverage`: the leverage the exchange now applies to the symbol. */
export function parseLeverageReply(v: unknown): { symbol: string; leverage: number } {
  const f = fieldsOf(v, "leverage reply");
  const leverage = f.raw("leverage");
  if (typeof leverage !== "number" || !Number.isInteger(leverage) || leverage < 1)
    f.bad("leverage", "a whole number >= 1");
  return { symbol: f.str("symbol"), leverage: leverage as number };
}

/** `POST /fapi/v1/listenKey`. */
export function parseListenKey(v: unknown): string {
  const key = fieldsOf(v, "listenKey reply").str("listenKey");
  if (key === "") throw new ConnectorTransientError("listenKey reply: empty listenKey");
  return key;
}

/** One row of `GET /fapi/v2/positionRisk` (one-way mode: positionSide BOTH). */
export interface UsdmPosition {
  readonly symbol: string;
  /** Signed position (negative: short). */
  readonly positionAmt: Decimal;
  readonly entryPrice: Decimal;
  readonly markPrice: Decimal;
  readonly leverage: number;
  readonly positionSide: string;
}

export function parsePositionRisk(v: unknown): UsdmPosition[] {
  return arrayOf(v, "positionRisk reply").map((row, i) => {
    const f = fieldsOf(row, `positionRisk reply [${i}]`);
    const lev = Number(f.str("leverage"));
    if (!Number.isInteger(lev) || lev < 1) f.bad("leverage", "a whole number >= 1 as text");
    return {
      symbol: f.str("symbol"),
      positionAmt: f.dec("positionAmt"),
      entryPrice: f.dec("entryPrice"),
      markPrice: f.dec("markPrice"),
      leverage: lev,
      positionSide: f.str("positionSide"),
    };
  });
}

/** What the venue reads of `GET /fapi/v2/account`. */
export interface UsdmAccount {
  readonly totalWalletBalance: Decimal;
  readonly availableBalance: Decimal;
}

export function parseAccount(v: unknown): UsdmAccount {
  const f = fieldsOf(v, "account reply");
  return {
    totalWalletBalance: f.dec("totalWalletBalance"),
    availableBalance: f.dec("availableBalance"),
  };
}

/** One execution of `GET /fapi/v1/userTrades`. */
export interface UsdmTrade {
  readonly id: string;
  readonly orderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly maker: boolean;
  readonly time: number;
}

export function parseUserTrades(v: unknown): UsdmTrade[] {
  return arrayOf(v, "userTrades reply").map((row, i) => {
    const f = fieldsOf(row, `userTrades reply [${i}]`);
    return {
      id: f.id("id"),
      orderId: f.id("orderId"),
      symbol: f.str("symbol"),
      side: sideOf(f, "side"),
      price: f.dec("price"),
      qty: f.dec("qty"),
      commission: f.dec("commission"),
      commissionAsset: f.str("commissionAsset"),
      maker: f.bool("maker"),
      time: f.ms("time"),
    };
  });
}

/** The payload `o` of an ORDER_TRADE_UPDATE event. */
export interface UsdmOrderUpdate {
  readonly kind: "order";
  readonly eventTime: number;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly orderId: string;
  /** NEW, CANCELED, CALCULATED (liquidation), EXPIRED, TRADE, AMENDMENT. */
  readonly executionType: string;
  /** NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, EXPIRED_IN_MATCH. */
  readonly status: string;
  readonly origQty: Decimal;
  /** Last filled quantity and price (a TRADE). */
  readonly lastQty: Decimal;
  readonly lastPrice: Decimal;
  /** Cumulative filled quantity. */
  readonly cumQty: Decimal;
  /** Commission of the last fill (0 and "" when the event has none). */
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly tradeId: string;
  readonly maker: boolean;
  readonly reduceOnly: boolean;
  readonly tradeTime: number;
}

/** One position of an ACCOUNT_UPDATE. */
export interface UsdmAccountPosition {
  readonly symbol: string;
  readonly positionAmt: Decimal;
  readonly entryPrice: Decimal;
  readonly positionSide: string;
}

export interface UsdmAccountUpdate {
  readonly kind: "account";
  readonly eventTime: number;
  /** Why: ORDER, FUNDING_FEE, DEPOSIT, ... */
  readonly reason: string;
  readonly balances: readonly { asset: string; walletBalance: Decimal; change: Decimal }[];
  readonly positions: readonly UsdmAccountPosition[];
}

export interface UsdmListenKeyExpired {
  readonly kind: "listenKeyExpired";
  readonly eventTime: number;
}

/** An event type the venue does not use (ACCOUNT_CONFIG_UPDATE, MARGIN_CALL, ...). */
export interface UsdmOtherEvent {
  readonly kind: "other";
  readonly type: string;
}

export type UsdmUserEvent =
  | UsdmOrderUpdate
  | UsdmAccountUpdate
  | UsdmListenKeyExpired
  | UsdmOtherEvent;

function parseOrderUpdate(f: ReplyFields, where: string): UsdmOrderUpdate {
  const o = fieldsOf(f.raw("o"), `${where}.o`);
  const hasCommission = o.has("n") && o.has("N");
  return {
    kind: "order",
    eventTime: f.ms("E"),
    symbol: o.str("s"),
    clientOrderId: o.str("c"),
    side: sideOf(o, "S"),
    orderId: o.id("i"),
    executionType: o.str("x"),
    status: o.str("X"),
    origQty: o.dec("q"),
    lastQty: o.dec("l"),
    lastPrice: o.dec("L"),
    cumQty: o.dec("z"),
    commission: hasCommission ? o.dec("n") : Decimal.ZERO,
    commissionAsset: hasCommission ? o.str("N") : "",
    tradeId: o.id("t"),
    maker: o.bool("m"),
    reduceOnly: o.bool("R"),
    tradeTime: o.ms("T"),
  };
}

function parseAccountUpdate(f: ReplyFields, where: string): UsdmAccountUpdate {
  const a = fieldsOf(f.raw("a"), `${where}.a`);
  return {
    kind: "account",
    eventTime: f.ms("E"),
    reason: a.str("m"),
    balances: arrayOf(a.raw("B"), `${where}.a.B`).map((row, i) => {
      const b = fieldsOf(row, `${where}.a.B[${i}]`);
      return { asset: b.str("a"), walletBalance: b.dec("wb"), change: b.dec("bc") };
    }),
    positions: arrayOf(a.raw("P"), `${where}.a.P`).map((row, i) => {
      const p = fieldsOf(row, `${where}.a.P[${i}]`);
      return {
        symbol: p.str("s"),
        positionAmt: p.dec("pa"),
        entryPrice: p.dec("ep"),
        positionSide: p.str("ps"),
      };
    }),
  };
}

/** Parse one user-data stream frame (JSON text); errors name the event and the field. */
export function parseUsdmUserEvent(text: string): UsdmUserEvent {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ConnectorTransientError(`user data stream: not JSON: ${text.slice(0, 200)}`);
  }
  const f = fieldsOf(v, "user data stream event");
  const type = f.str("e");
  const where = `user data stream ${type}`;
  switch (type) {
    case "ORDER_TRADE_UPDATE":
      return parseOrderUpdate(fieldsOf(v, where), where);
    case "ACCOUNT_UPDATE":
      return parseAccountUpdate(fieldsOf(v, where), where);
    case "listenKeyExpired": {
      // Binance has sent E as a number and as a numeric string here.
      const e = Number((v as { E?: unknown }).E);
      return { kind: "listenKeyExpired", eventTime: Number.isSafeInteger(e) ? e : 0 };
    }
    default:
      return { kind: "other", type };
  }
}

/** One FUNDING_FEE row of the account's income history (`GET /fapi/v1/income`). */
export interface UsdmFundingIncome {
  readonly symbol: string;
  /** Received (negative: paid), in `asset`. */
  readonly income: Decimal;
  readonly asset: string;
  readonly time: number;
  readonly tranId: string;
}

export function parseFundingIncome(v: unknown): UsdmFundingIncome[] {
  return arrayOf(v, "income reply").map((row, i) => {
    const f = fieldsOf(row, `income reply [${i}]`);
    return {
      symbol: f.str("symbol"),
      income: f.dec("income"),
      asset: f.str("asset"),
      time: f.ms("time"),
      tranId: f.id("tranId"),
    };
  });
}

/** One settled funding of a symbol (`GET /fapi/v1/fundingRate`). */
export interface UsdmFundingRate {
  readonly symbol: string;
  readonly fundingRate: Decimal;
  readonly fundingTime: number;
  readonly markPrice: Decimal;
}

export function parseFundingRates(v: unknown): UsdmFundingRate[] {
  return arrayOf(v, "fundingRate reply").map((row, i) => {
    const f = fieldsOf(row, `fundingRate reply [${i}]`);
    return {
      symbol: f.str("symbol"),
      fundingRate: f.dec("fundingRate"),
      fundingTime: f.ms("fundingTime"),
      // Binance leaves it empty on old rows.
      markPrice:
        f.has("markPrice") && f.raw("markPrice") !== "" ? f.dec("markPrice") : Decimal.ZERO,
    };
  });
}
