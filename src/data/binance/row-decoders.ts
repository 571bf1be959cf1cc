/**
 * Turning one CSV row of a Binance dump into L1 quote points.
 *
 * - bookTicker: a true L1 quote. Its time is `event_time` (when a subscriber
 *   would have received the update; never earlier than the matching engine's
 *   `transaction_time`) unless `transaction_time` is asked for. Last price is
 *   the mid and last quantity 0 (the file has no trades).
 * - aggTrades / trades: one point at the trade, bid and ask placed a synthetic
 *   half-spread (in bps) below and above the trade price (exact decimals;
 *   trailing zeros beyond the price's own places dropped), each with a
 *   synthetic depth quantity; last price/qty are the trade's.
 * - klines: four points per candle: open, then low and high in the order the
 *   candle implies (low first when close >= open, high first otherwise), then
 *   close; at open_time, +1/3, +2/3 of the candle, and close_time. Synthetic
 *   spread and depth as for trades; last qty 0.
 *
 * A malformed row gives a problem text naming the column and what was expected.
 */

import { Decimal } from "../../core/decimal.js";
import { isPlainDecimal, MAX_DECIMAL_DIGITS } from "../market-checks.js";
import { EPOCH_EXPECTED, parseEpochMs } from "./epoch-time.js";
import { type BinanceKind, columnCounts, LAYOUTS } from "./layouts.js";

export interface QuoteModel {
  /** Synthetic half-spread as a fraction of price (bps / 10000). */
  readonly halfSpread: Decimal;
  /** Synthetic quantity on each side of a synthetic quote. */
  readonly depthQty: Decimal;
  /** Which bookTicker column is the snapshot time. */
  readonly bookTickerTime: "event" | "transaction";
}

export interface QuotePoint {
  readonly ts: number;
  readonly bidPrice: Decimal;
  readonly bidQty: Decimal;
  readonly askPrice: Decimal;
  readonly askQty: Decimal;
  readonly lastPrice: Decimal;
  readonly lastQty: Decimal;
  /** Trades: who took liquidity (is_buyer_maker true: the seller). */
  readonly takerSide?: "BUY" | "SELL";
}

export type DecodeResult =
  | { readonly ok: true; readonly points: readonly QuotePoint[]; readonly micros: boolean }
  | { readonly ok: false; readonly problem: string };

class RowProblem extends Error {}

const DECIMAL = /^\d+(?:\.\d*)?$/;
const BOOL = /^(?:true|false)$/i;

function show(text: string | undefined): string {
  if (text === undefined) return "nothing";
  return JSON.stringify(text.length > 40 ? text.slice(0, 37) + "..." : text);
}

class Row {
  micros = false;
  constructor(
    readonly fields: readonly string[],
    readonly names: readonly string[],
  ) {}

  private where(i: number): string {
    return `column ${i + 1} (${this.names[i] ?? "?"})`;
  }

  decimal(i: number, positive: boolean): Decimal {
    const text = this.fields[i] ?? "";
    // Past 29 characters a decimal may have more digits than the range allows.
    if (DECIMAL.test(text) && (text.length <= 29 || isPlainDecimal(text))) {
      const d = parsePlainDecimal(text);
      if (!positive || d.isPositive()) return d;
    }
    const long = text.length > 29 ? ` of at most ${MAX_DECIMAL_DIGITS} digits` : "";
    const what = `${positive ? "a positive decimal" : "a non-negative decimal"}${long}`;
    throw new RowProblem(`${this.where(i)}: expected ${what}, got ${show(this.fields[i])}`);
  }

  time(i: number): number {
    const t = parseEpochMs(this.fields[i] ?? "");
    if (t === undefined) {
      throw new RowProblem(
        `${this.where(i)}: expected ${EPOCH_EXPECTED}, got ${show(this.fields[i])}`,
      );
    }
    if (t.micros) this.micros = true;
    return t.ms;
  }

  bool(i: number): boolean {
    const text = this.fields[i] ?? "";
    if (!BOOL.test(text)) {
      throw new RowProblem(`${this.where(i)}: expected true or false, got ${show(this.fields[i])}`);
    }
    return text.length === 4;
  }

  integer(i: number): void {
    if (!/^\d+$/.test(this.fields[i] ?? "")) {
      throw new RowProblem(`${this.where(i)}: expected an integer id, got ${show(this.fields[i])}`);
    }
  }
}

/**
 * Decimal.parse of a text already known to match DECIMAL (digits, optional
 * point and digits), without the general parser's cost: same coefficient and
 * exponent.
 */
export function parsePlainDecimal(text: string): Decimal {
  const dot = text.indexOf(".");
  const digits = dot < 0 ? text : text.slice(0, dot) + text.slice(dot + 1);
  if (digits.length > 28) return Decimal.parse(text);
  const exp = dot < 0 ? 0 : dot + 1 - text.length;
  const coef = digits.length <= 15 ? BigInt(Number(digits)) : BigInt(digits);
  return Decimal.fromParts(false, coef, exp);
}

/**
 * (a + b) / 2 exactly as Decimal division gives it (the ideal exponent when
 * the sum is even, one more place otherwise), without a long division.
 */
export function midOf(a: Decimal, b: Decimal): Decimal {
  const sum = a.add(b);
  if (sum.coef % 2n === 0n) return Decimal.fromParts(sum.neg, sum.coef / 2n, sum.exp);
  return Decimal.fromParts(sum.neg, sum.coef * 5n, sum.exp - 1);
}

/** Drop trailing zeros of `d` down to, not past, exponent `exp` (the source price's places). */
function trimZeros(d: Decimal, exp: number): Decimal {
  let c = d.coef;
  let e = d.exp;
  while (e < exp && c !== 0n && c % 10n === 0n) {
    c /= 10n;
    e++;
  }
  return e === d.exp ? d : Decimal.fromParts(d.neg, c, e);
}

function synthetic(
  ts: number,
  price: Decimal,
  lastQty: Decimal,
  m: QuoteModel,
  buyerMaker?: boolean,
): QuotePoint {
  const off = price.mul(m.halfSpread);
  const point: QuotePoint = {
    ts,
    bidPrice: trimZeros(price.sub(off), price.exp),
    bidQty: m.depthQty,
    askPrice: trimZeros(price.add(off), price.exp),
    askQty: m.depthQty,
    lastPrice: price,
    lastQty,
  };
  return buyerMaker === undefined ? point : { ...point, takerSide: buyerMaker ? "SELL" : "BUY" };
}

function bookTicker(r: Row, m: QuoteModel): QuotePoint[] {
  r.integer(0);
  const bid = r.decimal(1, true);
  const bidQty = r.decimal(2, false);
  const ask = r.decimal(3, true);
  const askQty = r.decimal(4, false);
  const tx = r.time(5);
  const ev = r.time(6);
  if (bid.gt(ask)) {
    throw new RowProblem(
      `crossed quote: expected best_bid_price <= best_ask_price, got ${bid.toString()} > ${ask.toString()}`,
    );
  }
  const mid = midOf(bid, ask);
  const ts = m.bookTickerTime === "event" ? ev : tx;
  return [
    { ts, bidPrice: bid, bidQty, askPrice: ask, askQty, lastPrice: mid, lastQty: Decimal.ZERO },
  ];
}

function aggTrade(r: Row, m: QuoteModel): QuotePoint[] {
  r.integer(0);
  const price = r.decimal(1, true);
  const qty = r.decimal(2, false);
  r.integer(3);
  r.integer(4);
  const ts = r.time(5);
  const buyerMaker = r.bool(6);
  if (r.fields.length > 7) r.bool(7);
  return [synthetic(ts, price, qty, m, buyerMaker)];
}

function trade(r: Row, m: QuoteModel): QuotePoint[] {
  r.integer(0);
  const price = r.decimal(1, true);
  const qty = r.decimal(2, false);
  r.decimal(3, false);
  const ts = r.time(4);
  const buyerMaker = r.bool(5);
  if (r.fields.length > 6) r.bool(6);
  return [synthetic(ts, price, qty, m, buyerMaker)];
}

function kline(r: Row, m: QuoteModel): QuotePoint[] {
  const openTime = r.time(0);
  const open = r.decimal(1, true);
  const high = r.decimal(2, true);
  const low = r.decimal(3, true);
  const close = r.decimal(4, true);
  r.decimal(5, false);
  const closeTime = r.time(6);
  if (closeTime < openTime) {
    throw new RowProblem(`expected close_time >= open_time, got ${closeTime} < ${openTime}`);
  }
  if (high.lt(open.max(close)) || low.gt(open.min(close))) {
    throw new RowProblem(
      `expected low <= open, close <= high, got open ${open.toString()} high ${high.toString()} low ${low.toString()} close ${close.toString()}`,
    );
  }
  const span = closeTime - openTime;
  const [first, second] = close.gte(open) ? [low, high] : [high, low];
  const zero = Decimal.ZERO;
  return [
    synthetic(openTime, open, zero, m),
    synthetic(openTime + Math.floor(span / 3), first, zero, m),
    synthetic(openTime + Math.floor((2 * span) / 3), second, zero, m),
    synthetic(closeTime, close, zero, m),
  ];
}

const DECODERS: Record<BinanceKind, (r: Row, m: QuoteModel) => QuotePoint[]> = {
  bookTicker,
  aggTrades: aggTrade,
  trades: trade,
  klines: kline,
};

/**
 * Decode one data row (already split on commas). `expectedColumns`, when
 * given, is the column count of the file's earlier rows (variants must not mix).
 */
export function decodeRow(
  kind: BinanceKind,
  fields: readonly string[],
  model: QuoteModel,
  expectedColumns?: number,
): DecodeResult {
  const names = LAYOUTS[kind].variants.get(fields.length);
  if (names === undefined || (expectedColumns !== undefined && fields.length !== expectedColumns)) {
    const want = expectedColumns === undefined ? columnCounts(kind) : String(expectedColumns);
    return {
      ok: false,
      problem: `expected ${want} columns for ${kind}, got ${fields.length}`,
    };
  }
  const row = new Row(fields, names);
  try {
    return { ok: true, points: DECODERS[kind](row, model), micros: row.micros };
  } catch (e) {
    if (e instanceof RowProblem) return { ok: false, problem: e.message };
    throw e;
  }
}
