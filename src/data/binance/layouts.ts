/**
 * Column layouts of the data.binance.vision daily CSV dumps we read.
 *
 * Spot files carry no header row; futures files written since 2022 start with
 * one (both are accepted: a first line whose first field is not a number is a
 * header). Spot timestamps switched from milliseconds to microseconds on
 * 2025-01-01 (see epoch-time.ts). Booleans are "True"/"False" in spot files and
 * "true"/"false" in futures files.
 *
 * bookTicker (USD-M / COIN-M futures; 7 columns):
 *   update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time
 *   9138427613472,93421.50,3.114,93421.60,5.027,1767225600004,1767225600009
 *
 * aggTrades, spot (8 columns, no header):
 *   agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match
 *   3385727411,93421.51000000,0.00120000,4492810211,4492810213,1767225600012345,True,True
 * aggTrades, futures (7 columns):
 *   agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker
 *   2961726254,93421.50,0.003,6987812651,6987812651,1767225600021,false
 *
 * trades, spot (7 columns, no header):
 *   trade_id,price,qty,quote_qty,time,is_buyer_maker,is_best_match
 *   4492810211,93421.51000000,0.00040000,37.36860400,1767225600012345,True,True
 * trades, futures (6 columns):
 *   id,price,qty,quote_qty,time,is_buyer_maker
 *   6987812651,93421.50,0.003,280.26450,1767225600021,false
 *
 * klines (spot and futures; 12 columns; file name SYMBOL-INTERVAL-DATE):
 *   open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore
 *   1767225600000,93421.50,93460.00,93400.10,93455.20,112.345,1767225659999,10496234.12,2351,60.123,5617345.77,0
 *
 * The spot and futures variants of a kind differ only by trailing columns, so
 * a file is read by position and its variant told by its column count.
 */

import { ConfigError } from "../../core/errors.js";

export const BINANCE_KINDS = ["bookTicker", "aggTrades", "trades", "klines"] as const;
export type BinanceKind = (typeof BINANCE_KINDS)[number];

export interface KindLayout {
  readonly kind: BinanceKind;
  /** Column names by column count (each variant of the kind). */
  readonly variants: ReadonlyMap<number, readonly string[]>;
  /** Names a header's first column may have (lower case), to catch a file of another kind. */
  readonly headerFirstColumn: readonly string[];
}

const BOOK_TICKER = [
  "update_id",
  "best_bid_price",
  "best_bid_qty",
  "best_ask_price",
  "best_ask_qty",
  "transaction_time",
  "event_time",
] as const;
const AGG_TRADES_FUTURES = [
  "agg_trade_id",
  "price",
  "quantity",
  "first_trade_id",
  "last_trade_id",
  "transact_time",
  "is_buyer_maker",
] as const;
const TRADES_FUTURES = ["id", "price", "qty", "quote_qty", "time", "is_buyer_maker"] as const;
const KLINES = [
  "open_time",
  "open",
  "high",
  "low",
  "close",
  "volume",
  "close_time",
  "quote_volume",
  "count",
  "taker_buy_volume",
  "taker_buy_quote_volume",
  "ignore",
] as const;

export const LAYOUTS: Readonly<Record<BinanceKind, KindLayout>> = {
  bookTicker: {
    kind: "bookTicker",
    variants: new Map([[7, BOOK_TICKER]]),
    headerFirstColumn: ["update_id"],
  },
  aggTrades: {
    kind: "aggTrades",
    variants: new Map<number, readonly string[]>([
      [7, AGG_TRADES_FUTURES],
      [8, [...AGG_TRADES_FUTURES, "is_best_match"]],
    ]),
    headerFirstColumn: ["agg_trade_id", "a"],
  },
  trades: {
    kind: "trades",
    variants: new Map<number, readonly string[]>([
      [6, TRADES_FUTURES],
      [7, ["trade_id", "price", "qty", "quote_qty", "time", "is_buyer_maker", "is_best_match"]],
    ]),
    headerFirstColumn: ["id", "trade_id"],
  },
  klines: {
    kind: "klines",
    variants: new Map([[12, KLINES]]),
    headerFirstColumn: ["open_time"],
  },
};

/** The accepted column counts of a kind, for messages ("7 or 8"). */
export function columnCounts(kind: BinanceKind): string {
  return [...LAYOUTS[kind].variants.keys()].join(" or ");
}

/** Parse a `--kind` value (exact spelling, as in the Binance paths). */
export function parseBinanceKind(text: string): BinanceKind {
  const k = BINANCE_KINDS.find((x) => x === text);
  if (k === undefined) {
    throw new ConfigError(
      `unknown Binance data kind ${JSON.stringify(text)}: expected one of ${BINANCE_KINDS.join(", ")}`,
    );
  }
  return k;
}
