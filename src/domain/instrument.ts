/**
 * Base and quote assets of a Binance symbol ("BTCUSDT" -> BTC / USDT), by
 * the longest known quote-asset suffix. Used where a fee's asset must be told
 * apart (a commission in the base asset reduces the position held).
 */

/** Quote assets Binance lists, longest first where one ends another. */
const QUOTES = [
  "FDUSD",
  "USDT",
  "USDC",
  "BUSD",
  "TUSD",
  "USDP",
  "DAI",
  "TRY",
  "EUR",
  "BRL",
  "JPY",
  "BTC",
  "ETH",
  "BNB",
] as const;

export interface AssetPair {
  readonly base: string;
  readonly quote: string;
}

/** The symbol's assets; a symbol with no known quote suffix is all base, quote "". */
export function assetsOf(symbol: string): AssetPair {
  for (const q of QUOTES) {
    if (symbol.length > q.length && symbol.endsWith(q)) {
      return { base: symbol.slice(0, symbol.length - q.length), quote: q };
    }
  }
  return { base: symbol, quote: "" };
}
