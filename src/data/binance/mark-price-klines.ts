/**
 * Binance's USD-M mark price klines as the mark of a USD-M backtest:
 *
 *   DIR/futures/um/daily/markPriceKlines/BTCUSDT/1m/BTCUSDT-1m-2026-01-01.zip
 *   DIR/futures/um/monthly/markPriceKlines/BTCUSDT/1m/BTCUSDT-1m-2026-01.zip
 *
 * (or the same under DIR/data; an unzipped `.csv` preferred; a day's daily
 * file preferred to its month's file). The CSV has the klines' 12 columns
 * (open_time,open,high,low,close,volume,close_time,quote_volume,count,
 * taker_buy_volume,taker_buy_quote_volume,ignore; volumes are 0 for mark
 * prices), with or without a header row.
 *
 * The mark is a step function: a kline's close is the mark from its
 * close_time until the next kline's close_time. Where the last close is older
 * than two intervals (a day or rows missing), the feed has no mark and the
 * simulation uses the mid. Files are streamed row by row, one cursor per
 * symbol moving forward only (events of a symbol come in time order).
 */

import { statSync } from "node:fs";
import { join } from "node:path";
import { Decimal } from "../../core/decimal.js";
import { InvalidInputError } from "../../core/errors.js";
import type { MarkPriceFeed } from "../../domain/mark-price.js";
import { verifyChecksumFile } from "./checksum-file.js";
import { labelledCsvLines } from "./csv-parts.js";
import { parseEpochMs } from "./epoch-time.js";

/** The interval read (Binance's finest for mark price klines). */
export const MARK_INTERVAL = "1m";
const INTERVAL_MS = 60_000;
/** A close older than this is stale: the mid is used. */
export const MARK_STALE_MS = 2 * INTERVAL_MS;

/** A file and the days it is read for: rows closing in [fromMs, toMs). */
export interface MarkPriceSegment {
  readonly path: string;
  readonly fromMs: number;
  readonly toMs: number;
}

export interface MarkPriceFiles {
  /** Segments per symbol, in time order (a monthly file once per run of days it serves). */
  readonly bySymbol: ReadonlyMap<string, readonly MarkPriceSegment[]>;
  /** "SYMBOL YYYY-MM-DD" days with neither a daily nor a monthly file. */
  readonly missing: readonly string[];
  /** Distinct files found. */
  readonly count: number;
}

const DAY_MS = 86_400_000;

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function find(dataDir: string, period: "daily" | "monthly", symbol: string, stamp: string) {
  const tail = ["futures", "um", period, "markPriceKlines", symbol, MARK_INTERVAL];
  const name = `${symbol}-${MARK_INTERVAL}-${stamp}`;
  for (const d of [join(dataDir, ...tail), join(dataDir, "data", ...tail)]) {
    for (const ext of [".csv", ".zip"]) {
      const p = join(d, name + ext);
      if (isFile(p)) return p;
    }
  }
  return undefined;
}

/**
 * The markPriceKlines files of `symbols` for `dates` (YYYY-MM-DD, in order)
 * under `dataDir`; each checked against its `.CHECKSUM` file when there is one.
 */
export function findMarkPriceFiles(
  dataDir: string,
  symbols: readonly string[],
  dates: readonly string[],
  verifyChecksums = true,
): MarkPriceFiles {
  const bySymbol = new Map<string, MarkPriceSegment[]>();
  const missing: string[] = [];
  const distinct = new Set<string>();
  for (const symbol of symbols) {
    const segments: MarkPriceSegment[] = [];
    for (const date of dates) {
      const path =
        find(dataDir, "daily", symbol, date) ?? find(dataDir, "monthly", symbol, date.slice(0, 7));
      if (path === undefined) {
        missing.push(`${symbol} ${date}`);
        continue;
      }
      if (verifyChecksums && !distinct.has(path)) verifyChecksumFile(path);
      distinct.add(path);
      const fromMs = Date.parse(`${date}T00:00:00Z`);
      const last = segments[segments.length - 1];
      if (last !== undefined && last.path === path && last.toMs === fromMs) {
        segments[segments.length - 1] = { path, fromMs: last.fromMs, toMs: fromMs + DAY_MS };
      } else segments.push({ path, fromMs, toMs: fromMs + DAY_MS });
    }
    if (segments.length > 0) bySymbol.set(symbol, segments);
  }
  return { bySymbol, missing, count: distinct.size };
}

interface MarkRow {
  readonly closeTime: number;
  readonly close: Decimal;
}

/** Kline close times may trail their file's span by at most this much. */
const SPAN_GRACE_MS = 60_000;

/**
 * The span [start, end) in ms that a file's name says it holds: a day
 * (`SYM-1m-YYYY-MM-DD`) or a month (`SYM-1m-YYYY-MM`); undefined for other names.
 */
export function fileSpan(
  path: string,
): { readonly from: number; readonly to: number; readonly label: string } | undefined {
  const m = /-(\d{4})-(\d{2})(?:-(\d{2}))?\.(?:csv|zip)$/.exec(path);
  if (m === null) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, m[3]];
  if (d !== undefined) {
    const from = Date.UTC(y, mo, Number(d));
    return { from, to: from + DAY_MS, label: `${m[1]}-${m[2]}-${d}` };
  }
  return { from: Date.UTC(y, mo, 1), to: Date.UTC(y, mo + 1, 1), label: `${m[1]}-${m[2]}` };
}

/**
 * The rows of one file, streamed; a malformed row, or one whose close time
 * falls outside the day or month the file's name says it holds, is an error
 * naming file:line and the column.
 */
export function* markPriceRows(path: string): Generator<MarkRow> {
  const span = fileSpan(path);
  let first = true;
  for (const { where, text } of labelledCsvLines(path)) {
    if (text.trim() === "") continue;
    const fields = text.split(",");
    if (first) {
      first = false;
      if (!/^\d/.test(fields[0] ?? "")) {
        if (fields[0]?.trim().toLowerCase() !== "open_time" || fields.length !== 12) {
          throw new InvalidInputError(
            `${where}: header does not match the markPriceKlines layout (12 columns from open_time), got ${JSON.stringify(text)}`,
          );
        }
        continue;
      }
    }
    if (fields.length !== 12) {
      throw new InvalidInputError(
        `${where}: expected 12 columns (the klines layout), got ${fields.length}`,
      );
    }
    const closeTime = parseEpochMs(fields[6] as string);
    if (closeTime === undefined) {
      throw new InvalidInputError(
        `${where}: column 7 (close_time): expected epoch milliseconds, got ${JSON.stringify(fields[6])}`,
      );
    }
    const close = Decimal.tryParse(fields[4] as string);
    if (close === undefined || !close.isPositive()) {
      throw new InvalidInputError(
        `${where}: column 5 (close): expected a positive decimal, got ${JSON.stringify(fields[4])}`,
      );
    }
    if (
      span !== undefined &&
      (closeTime.ms < span.from || closeTime.ms >= span.to + SPAN_GRACE_MS)
    ) {
      throw new InvalidInputError(
        `${where}: column 7 (close_time): ${closeTime.ms} (${new Date(closeTime.ms).toISOString()}) is outside the file's span: expected a time in ${span.label} UTC`,
      );
    }
    yield { closeTime: closeTime.ms, close };
  }
}

function* rowsOf(segments: readonly MarkPriceSegment[]): Generator<MarkRow> {
  for (const seg of segments) {
    for (const r of markPriceRows(seg.path)) {
      if (r.closeTime < seg.fromMs) continue;
      if (r.closeTime >= seg.toMs) break;
      yield r;
    }
  }
}

/** One symbol's rows, read forward as time passes. */
class MarkCursor {
  private current: MarkRow | undefined;
  private next: MarkRow | undefined;

  constructor(private readonly rows: Generator<MarkRow>) {
    this.next = this.pull();
  }

  /** Close the file being read (the run is over). */
  close(): void {
    this.rows.return(undefined);
  }

  private pull(): MarkRow | undefined {
    const r = this.rows.next();
    return r.done === true ? undefined : r.value;
  }

  at(ts: number): Decimal | undefined {
    while (this.next !== undefined && this.next.closeTime <= ts) {
      this.current = this.next;
      this.next = this.pull();
    }
    const c = this.current;
    return c !== undefined && ts - c.closeTime <= MARK_STALE_MS ? c.close : undefined;
  }
}

/** A fresh feed over `files` (one per trading pass: the cursors only move forward). */
export function markPriceKlinesFeed(files: MarkPriceFiles): MarkPriceFeed {
  const cursors = new Map<string, MarkCursor>();
  for (const [symbol, list] of files.bySymbol) cursors.set(symbol, new MarkCursor(rowsOf(list)));
  return {
    markAt: (symbol, ts) => cursors.get(symbol)?.at(ts),
    close: () => {
      for (const c of cursors.values()) c.close();
    },
  };
}
