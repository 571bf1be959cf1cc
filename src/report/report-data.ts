/**
 * Input of the HTML backtest report. Times are Unix milliseconds; numeric
 * values may be numbers, decimal strings or Decimals (converted to floats for
 * drawing only).
 */

import type { Decimal } from "../core/decimal.js";
import type { RunSummaryJson } from "./summary.js";

export type ReportNumber = number | string | Decimal;

export interface ReportFill {
  readonly ts: number;
  /** "BUY" or "SELL" (case-insensitive). */
  readonly side: string;
  readonly price: ReportNumber;
  readonly qty: ReportNumber;
  /** "maker", "taker" or "liquidation" when known (liquidations get their own marker). */
  readonly liquidity?: string;
}

export interface ReportSymbolPoint {
  readonly ts: number;
  /** Mid price at ts. */
  readonly mid: ReportNumber;
  /** Signed position (base asset) after ts. */
  readonly position: ReportNumber;
}

/** One candle of a price (klines data): its bucket's start and OHLC. */
export interface ReportCandle {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** A stretch without data (e.g. a missing day): drawn as a break in the lines. */
export interface ReportGap {
  /** Last data before the gap and first data after it. */
  readonly from: number;
  readonly to: number;
}

export interface ReportSymbolSeries {
  readonly symbol: string;
  /** In ts order. */
  readonly points: readonly ReportSymbolPoint[];
  /** In ts order. */
  readonly fills: readonly ReportFill[];
  /** Price candles, drawn instead of the mid line (klines data). */
  readonly candles?: readonly ReportCandle[];
  /** Width of each candle (ms). */
  readonly candleMs?: number;
  /** Stretches without data for this symbol. */
  readonly gaps?: readonly ReportGap[];
}

export interface ReportPortfolioPoint {
  readonly ts: number;
  readonly equity: ReportNumber;
  /** Drawdown from the running equity peak, in percent (5 means 5 % below the peak). */
  readonly drawdown_pct: ReportNumber;
  /** Fees paid so far (quote asset), when known. */
  readonly fees?: ReportNumber;
  /** USD-M: funding received (+) or paid (-) so far (quote asset). */
  readonly funding?: ReportNumber;
  /** USD-M: sum of |position| x mark / margin balance (null when the balance is <= 0). */
  readonly leverage?: ReportNumber | null;
  /** USD-M: initial margin in use / margin balance x 100 (null when the balance is <= 0). */
  readonly margin_use_pct?: ReportNumber | null;
}

export type ReportCell = string | number;

export interface ReportTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly ReportCell[])[];
}

export interface BacktestReportData {
  /** Page title; default "grinder backtest report". */
  readonly title?: string;
  /** Run parameters shown under the title (data dir, symbols, dates, ...). */
  readonly meta?: readonly { readonly label: string; readonly value: ReportCell }[];
  /** Summary table (e.g. one row per symbol plus a total). */
  readonly summary: ReportTable;
  /** Portfolio equity and drawdown, in ts order. */
  readonly portfolio: readonly ReportPortfolioPoint[];
  /** Stretches without any data (breaks in the equity and drawdown lines). */
  readonly portfolioGaps?: readonly ReportGap[];
  readonly symbols: readonly ReportSymbolSeries[];
  /** The run summary: shown as a panel (rounded) and a blocked-by-reason table. */
  readonly runSummary?: RunSummaryJson;
  /** Unit of money values (quote asset), "" when unknown or mixed. */
  readonly quote?: string;
  /** Notes on the data read: missing days, skipped rows, ... ("none" when empty). */
  readonly sourceNotes?: readonly string[];
  /** Points kept per drawn series after downsampling; default 2000. */
  readonly maxPoints?: number;
  /** Fill markers drawn per symbol (evenly thinned beyond it, with a note); default 5000. */
  readonly maxFills?: number;
}
