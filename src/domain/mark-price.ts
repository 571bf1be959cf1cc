/**
 * Where a USD-M simulation takes its mark price from, when not from the
 * quotes' mid: a step function of time per symbol (e.g. Binance's
 * markPriceKlines closes). Asked in time order per symbol.
 */

import type { Decimal } from "../core/decimal.js";

export interface MarkPriceFeed {
  /** The mark of `symbol` at `ts`; undefined when the feed has none then (use the mid). */
  markAt(symbol: string, ts: number): Decimal | undefined;
  /** Let go of what it holds open (files); it is not asked again. */
  close?(): void;
}
