/**
 * The one validator of market data, for fixture events and Binance dump rows
 * alike: symbols of Binance's shape, prices and quantities in the decimal
 * range, prices > 0, quantities >= 0, bid <= ask (a locked book, bid = ask,
 * is allowed). Every check is a char-code loop or a comparison: no regular
 * expression and no allocation on the per-event path.
 */

import type { Decimal } from "../core/decimal.js";
import type { SnapshotFields } from "../domain/snapshot.js";

/** Most digits a price or quantity may have (the exact decimals' precision). */
export const MAX_DECIMAL_DIGITS = 28;
/** Longest symbol (Binance's own limit is shorter). */
export const MAX_SYMBOL_LENGTH = 32;

export const SYMBOL_EXPECTED = `a symbol of 1 to ${MAX_SYMBOL_LENGTH} upper-case letters, digits or "_" (e.g. BTCUSDT, BTCUSD_PERP)`;
export const DECIMAL_EXPECTED = `a plain decimal string of at most ${MAX_DECIMAL_DIGITS} digits such as "100.5"`;

/**
 * Whether `s` has Binance's symbol shape: A-Z and 0-9, and "_" (COIN-M
 * delivery symbols such as BTCUSD_PERP) not first; 1 to 32 characters.
 */
export function isMarketSymbol(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > MAX_SYMBOL_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || (c === 95 && i > 0);
    if (!ok) return false;
  }
  return true;
}

/**
 * Whether `t[start, end)` is a plain decimal literal `[-]digits[.digits]`
 * (also `.5` and `5.`) of at most MAX_DECIMAL_DIGITS digits, leading zeros
 * of the integer part not counted. No exponent, no "+", no spaces.
 */
export function isPlainDecimal(t: string, start = 0, end = t.length): boolean {
  let i = start;
  if (i < end && t.charCodeAt(i) === 45) i++;
  let digits = 0;
  let leading = true;
  let dot = false;
  let any = false;
  for (; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      any = true;
      if (leading && c === 48 && !dot) continue;
      leading = false;
      digits++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return any && digits <= MAX_DECIMAL_DIGITS;
}

/** The fields of a quote the validator looks at (a Snapshot, a decoded dump row). */
export type QuoteFields = Pick<
  SnapshotFields,
  "bidPrice" | "askPrice" | "bidQty" | "askQty" | "lastPrice" | "lastQty"
>;

/** Whether a quote is sound (the cheap test of the per-event path; see quoteProblem). */
export function isSoundQuote(q: QuoteFields): boolean {
  return (
    q.bidPrice.isPositive() &&
    q.askPrice.isPositive() &&
    q.lastPrice.isPositive() &&
    !q.bidQty.isNegative() &&
    !q.askQty.isNegative() &&
    !q.lastQty.isNegative() &&
    q.bidPrice.lte(q.askPrice)
  );
}

/**
 * What is wrong with a quote, naming the field (in the fixture's snake_case),
 * its value and what was expected; undefined when it is sound.
 */
export function quoteProblem(q: QuoteFields): string | undefined {
  if (isSoundQuote(q)) return undefined;
  const prices: [string, Decimal][] = [
    ["bid_price", q.bidPrice],
    ["ask_price", q.askPrice],
    ["last_price", q.lastPrice],
  ];
  for (const [name, v] of prices) {
    if (!v.isPositive()) return `field "${name}": expected a price > 0, got "${v.toString()}"`;
  }
  const qtys: [string, Decimal][] = [
    ["bid_qty", q.bidQty],
    ["ask_qty", q.askQty],
    ["last_qty", q.lastQty],
  ];
  for (const [name, v] of qtys) {
    if (v.isNegative()) return `field "${name}": expected a quantity >= 0, got "${v.toString()}"`;
  }
  return `crossed book: expected bid_price <= ask_price, got ${q.bidPrice.toString()} > ${q.askPrice.toString()}`;
}
