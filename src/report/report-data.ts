/**
 * Input of the HTML backtest report. Times are Unix milliseconds; numeric
 * values may be numbers, decimal strings or Decimals (converted to floats for
 * drawing only).
 */

import type { Decimal } from "../core/decimal.js";

export type ReportNumber = number | string | Decimal;

export interface ReportFill {
  readonly ts: number;
  /** "BUY" or "SELL" (case-insensitive). */
  readonly side: string;
  readonly price: ReportNumber;
  readonly qty: ReportNumber;
}

export interface ReportSymbolPoint {
  readonly ts: number;
  /** Mid price at ts. */
  readonly mid: ReportNumber;
  /** Signed position (base asset) after ts. */
  readonly position: ReportNumber;
}

export interface ReportSymbolSeries {
  readonly symbol: string;
  /** In ts order. */
  readonly points: readonly ReportSymbolPoint[];
  /** In ts order. */
  readonly fills: readonly ReportFill[];
}

export interface ReportPortfolioPoint {
  readonly ts: number;
  readonly equity: ReportNumber;
  /** Drawdown from the running equity peak, in percent (5 means 5 % below the peak). */
  readonly drawdown_pct: ReportNumber;
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
  readonly symbols: readonly ReportSymbolSeries[];
  /** Points kept per drawn series after downsampling; default 2000. */
  readonly maxPoints?: number;
  /** Fill markers drawn per symbol (evenly thinned beyond it, with a note); default 5000. */
  readonly maxFills?: number;
}
