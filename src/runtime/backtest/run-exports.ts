/**
 * CSV exports of a run: every fill (partial fills included) and every equity
 * point, streamed as they happen to a temp file that is renamed when the run
 * succeeds (`withFileTaps`). Times are Unix milliseconds; decimals are exact,
 * in plain notation.
 */

import type { FundingApplied } from "../../domain/orders.js";
import type { AccountState, BookedFill } from "../../kernel/kernel-types.js";
import { LinesFile } from "./backtest-files.js";
import type { FileTap, PaperTap } from "./backtest-tap.js";

export const FILLS_CSV_HEADER =
  "ts,symbol,side,price,qty,fee,fee_asset,liquidity,order_id,order_submit_ts";
export const EQUITY_CSV_HEADER = "ts,equity,realized,unrealized,fees,position_notional";
export const FUNDING_CSV_HEADER = "ts,symbol,position,mark_price,rate,payment";

/** A CSV field: quoted (quotes doubled) when it holds a comma, quote or line break. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One fill as a CSV row (FILLS_CSV_HEADER); `fee` is in `fee_asset`. */
export function fillCsvRow(b: BookedFill): string {
  const f = b.fill;
  return [
    String(f.ts),
    csvField(f.symbol),
    f.side,
    f.price.toPlainString(),
    f.quantity.toPlainString(),
    f.fee.toPlainString(),
    csvField(f.feeAsset),
    f.liquidity,
    csvField(f.clientOrderId),
    b.submitTs === undefined ? "" : String(b.submitTs),
  ].join(",");
}

/** One equity point as a CSV row (EQUITY_CSV_HEADER). */
export function equityCsvRow(ts: number, a: AccountState): string {
  return [
    String(ts),
    a.equity.toPlainString(),
    a.realized.toPlainString(),
    a.unrealized.toPlainString(),
    a.fees.toPlainString(),
    a.positionNotional.toPlainString(),
  ].join(",");
}

/** A CSV file with `header`, written when the trading pass starts, and the rows `tap` adds. */
function csvTap(path: string, header: string, tap: (file: LinesFile) => PaperTap): FileTap {
  const file = new LinesFile(path);
  return {
    file,
    tap: {
      ...tap(file),
      onTrading: () => {
        file.restart();
        file.write(header);
      },
    },
  };
}

/** `--fills FILE.csv`: one row per fill. */
export function fillsCsvTap(path: string): FileTap {
  return csvTap(path, FILLS_CSV_HEADER, (file) => ({
    onFill: (b) => file.write(fillCsvRow(b)),
  }));
}

/** `--equity FILE.csv`: one row per equity point. */
export function equityCsvTap(path: string): FileTap {
  return csvTap(path, EQUITY_CSV_HEADER, (file) => ({
    onAccount: (ts, a) => file.write(equityCsvRow(ts, a)),
  }));
}

/** One funding payment as a CSV row (FUNDING_CSV_HEADER); payment < 0: paid. */
export function fundingCsvRow(f: FundingApplied): string {
  return [
    String(f.ts),
    csvField(f.symbol),
    f.position.toPlainString(),
    f.markPrice.toPlainString(),
    f.rate.toPlainString(),
    f.payment.toPlainString(),
  ].join(",");
}

/** `--funding FILE.csv`: one row per funding payment (USD-M). */
export function fundingCsvTap(path: string): FileTap {
  return csvTap(path, FUNDING_CSV_HEADER, (file) => ({
    onFunding: (f) => file.write(fundingCsvRow(f)),
  }));
}
