/**
 * Binance's USD-M funding-rate dumps, monthly:
 *
 *   DIR/futures/um/monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2026-01.zip
 *
 * (or the same under DIR/data, or flat in DIR; an unzipped `.csv` is
 * preferred), CSV `calc_time,funding_interval_hours,last_funding_rate` with a
 * header row. The months overlapping the backtest's days are read (they are
 * small: ~90 rows a month); the events are kept in time order per symbol.
 * A symbol with no file for a month is reported, never guessed.
 */

import { statSync } from "node:fs";
import { join } from "node:path";
import { Decimal } from "../../core/decimal.js";
import { InvalidInputError } from "../../core/errors.js";
import type { FundingRateEvent } from "../../domain/instrument.js";
import { fileChunks, splitLines } from "../byte-lines.js";
import { verifyChecksumFile } from "./checksum-file.js";
import { parseEpochMs } from "./epoch-time.js";
import { listZipEntries, readZipEntry } from "./zip-archive.js";

export const FUNDING_HEADER = "calc_time,funding_interval_hours,last_funding_rate";

export interface FundingRates {
  /** Events per symbol, in time order (symbols with files only). */
  readonly bySymbol: ReadonlyMap<string, readonly FundingRateEvent[]>;
  /** Files read. */
  readonly files: readonly string[];
  /** "SYMBOL YYYY-MM" months with no file. */
  readonly missing: readonly string[];
}

/** Every month (YYYY-MM) from the month of `from` to that of `to` (YYYY-MM-DD, inclusive). */
export function monthsInRange(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const endY = Number(to.slice(0, 4));
  const endM = Number(to.slice(5, 7));
  while (y < endY || (y === endY && m <= endM)) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The file of one symbol's month, preferring `.csv` to `.zip`, layout before flat. */
function findFile(dataDir: string, symbol: string, month: string): string | undefined {
  const name = `${symbol}-fundingRate-${month}`;
  const dirs = [
    join(dataDir, "futures", "um", "monthly", "fundingRate", symbol),
    join(dataDir, "data", "futures", "um", "monthly", "fundingRate", symbol),
    dataDir,
  ];
  for (const d of dirs) {
    for (const ext of [".csv", ".zip"]) {
      const p = join(d, name + ext);
      if (isFile(p)) return p;
    }
  }
  return undefined;
}

function* linesOf(path: string): Generator<{ readonly where: string; readonly text: string }> {
  if (path.endsWith(".csv")) {
    for (const l of splitLines(fileChunks(path)))
      yield { where: `${path}:${l.lineNo}`, text: l.text };
    return;
  }
  for (const entry of listZipEntries(path)) {
    if (!entry.name.endsWith(".csv")) continue;
    for (const l of splitLines(readZipEntry(path, entry))) {
      yield { where: `${path} (${entry.name}):${l.lineNo}`, text: l.text };
    }
  }
}

/** [start, end) in ms of a month YYYY-MM (UTC). */
function monthBounds(month: string): readonly [number, number] {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return [Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)];
}

/**
 * The rows of one file; a malformed row is an error naming file:line and the
 * column, and so is a row outside `month` (YYYY-MM) when the file is named for it.
 */
export function readFundingFile(path: string, month?: string): FundingRateEvent[] {
  const out: FundingRateEvent[] = [];
  const bounds = month === undefined ? undefined : monthBounds(month);
  let first = true;
  for (const { where, text } of linesOf(path)) {
    if (text.trim() === "") continue;
    const fields = text.split(",");
    if (first) {
      first = false;
      if (!/^\d/.test(fields[0] ?? "")) {
        if (text.trim() !== FUNDING_HEADER) {
          throw new InvalidInputError(
            `${where}: header does not match the fundingRate layout: expected ${FUNDING_HEADER}, got ${JSON.stringify(text)}`,
          );
        }
        continue;
      }
    }
    if (fields.length !== 3) {
      throw new InvalidInputError(
        `${where}: expected 3 columns (${FUNDING_HEADER}), got ${fields.length}`,
      );
    }
    const ts = parseEpochMs(fields[0] as string);
    if (ts === undefined) {
      throw new InvalidInputError(
        `${where}: column 1 (calc_time): expected epoch milliseconds, got ${JSON.stringify(fields[0])}`,
      );
    }
    if (!/^\d+$/.test(fields[1] as string)) {
      throw new InvalidInputError(
        `${where}: column 2 (funding_interval_hours): expected an integer, got ${JSON.stringify(fields[1])}`,
      );
    }
    const rate = Decimal.tryParse(fields[2] as string);
    if (rate === undefined) {
      throw new InvalidInputError(
        `${where}: column 3 (last_funding_rate): expected a decimal, got ${JSON.stringify(fields[2])}`,
      );
    }
    if (bounds !== undefined && (ts.ms < bounds[0] || ts.ms >= bounds[1])) {
      throw new InvalidInputError(
        `${where}: column 1 (calc_time): time ${ts.ms} (${new Date(ts.ms).toISOString()}) is outside the file's month: expected ${month} UTC`,
      );
    }
    out.push({ ts: ts.ms, rate });
  }
  return out;
}

/**
 * The funding events of `symbols` for the months of [from, to], found under
 * `dataDir`; each file checked against its `.CHECKSUM` file when there is one.
 */
export function readFundingRates(
  dataDir: string,
  symbols: readonly string[],
  from: string,
  to: string,
  verifyChecksums = true,
): FundingRates {
  const bySymbol = new Map<string, FundingRateEvent[]>();
  const files: string[] = [];
  const missing: string[] = [];
  for (const symbol of symbols) {
    for (const month of monthsInRange(from, to)) {
      const path = findFile(dataDir, symbol, month);
      if (path === undefined) {
        missing.push(`${symbol} ${month}`);
        continue;
      }
      files.push(path);
      if (verifyChecksums) verifyChecksumFile(path);
      const list = bySymbol.get(symbol) ?? [];
      list.push(...readFundingFile(path, month));
      bySymbol.set(symbol, list);
    }
  }
  for (const list of bySymbol.values()) list.sort((a, b) => a.ts - b.ts);
  return { bySymbol, files, missing };
}
