/**
 * Entry point of the Binance historical-data adapter: discover the daily files
 * of some symbols over a date range, then stream their snapshots merged in
 * time order (equal timestamps in symbol order). See docs/DATA.md.
 */

import { statSync } from "node:fs";
import { Decimal } from "../../core/decimal.js";
import { ConfigError, InvalidInputError } from "../../core/errors.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { mergeByTs } from "../merge-by-ts.js";
import { dataThreadsOption } from "../reading-thread.js";
import { verifyChecksumFile } from "./checksum-file.js";
import {
  type BinanceMarket,
  type DayFile,
  discoverDailyFiles,
  type MissingDay,
} from "./day-files.js";
import type { BinanceKind } from "./layouts.js";
import type { QuoteModel } from "./row-decoders.js";
import { type BinanceSourceStats, createSourceStats, resetSourceStats } from "./source-stats.js";
import { type BadRowPolicy, type SymbolStreamSettings, symbolSnapshots } from "./symbol-stream.js";
import { decodeJob, workerSnapshots } from "./worker-snapshots.js";

/** Default synthetic half-spread for trade and kline data, in bps. */
export const DEFAULT_HALF_SPREAD_BPS = "1";
/** Default synthetic depth on each side for trade and kline data (base asset). */
export const DEFAULT_SYNTHETIC_DEPTH_QTY = "1";

export interface BinanceSourceOptions {
  /** Directory in the data.binance.vision layout, or holding the files flat. */
  readonly dataDir: string;
  /** Symbols (upper-cased); their order breaks ties of equal ts. */
  readonly symbols: readonly string[];
  readonly kind: BinanceKind;
  /** First day YYYY-MM-DD (UTC), inclusive. */
  readonly from: string;
  /** Last day YYYY-MM-DD (UTC), inclusive. */
  readonly to: string;
  /** spot, um (USD-M futures) or cm (COIN-M futures); searched all when omitted. */
  readonly market?: BinanceMarket;
  /** Kline interval for kind klines; default "1m". */
  readonly interval?: string;
  /** Synthetic half-spread in bps around trade/kline prices; default 1. */
  readonly halfSpreadBps?: number | string;
  /** Synthetic quantity on each side of trade/kline quotes; default "1". */
  readonly syntheticDepthQty?: number | string;
  /** Snapshot time of bookTicker rows: event_time (default) or transaction_time. */
  readonly bookTickerTime?: "event" | "transaction";
  /** "error" (default): the first bad row throws; "skip": bad rows are counted in stats. */
  readonly onBadRow?: BadRowPolicy;
  /** "report" (default): missing days are listed in missingDays; "error": they throw. */
  readonly onMissingDay?: "report" | "error";
  /** Check each file against its `.CHECKSUM` file when there is one (default true). */
  readonly verifyChecksums?: boolean;
  /**
   * Threads that read, inflate and decode the files besides the caller's: 0
   * reads on the calling thread, 1 on a worker thread handing batches over
   * (worker-snapshots.ts). Default: GRINDER_DATA_THREADS when set, else 1
   * on a machine of two cores or more, 0 on one core or on a worker thread.
   */
  readonly dataThreads?: number;
}

export interface BinanceSource {
  readonly kind: BinanceKind;
  readonly symbols: readonly string[];
  /** Days of the range, in order. */
  readonly dates: readonly string[];
  /** The files that will be read, by symbol then date. */
  readonly files: readonly DayFile[];
  /** Days with no file for a symbol. */
  readonly missingDays: readonly MissingDay[];
  /** How many files were checked against a `.CHECKSUM` file. */
  readonly checksumsVerified: number;
  /** Counters of the current (or last finished) pass; reset when a pass starts. */
  readonly stats: BinanceSourceStats;
  /** One pass over every snapshot in ts order; may be called again for another pass. */
  snapshots(): Iterable<Snapshot>;
  /**
   * The last `perSymbol` snapshots of every symbol (symbol by symbol), read
   * from its last files only, each file streamed with a bounded ring: what a
   * selection over the last window of each symbol's prices needs, without a
   * pass over every file. Counts nothing in `stats`.
   */
  tailSnapshots(perSymbol: number): Snapshot[];
}

/** The last `n` items of `items`, kept in a ring of `n` (bounded memory). */
function lastOf<T>(items: Iterable<T>, n: number): T[] {
  const ring: T[] = [];
  let at = 0;
  for (const x of items) {
    if (ring.length < n) ring.push(x);
    else {
      ring[at] = x;
      at = (at + 1) % n;
    }
  }
  return ring.length < n ? ring : [...ring.slice(at), ...ring.slice(0, at)];
}

function decimalOption(v: number | string, name: string): Decimal {
  const d =
    typeof v === "number"
      ? Number.isFinite(v)
        ? Decimal.fromDoubleShortest(v)
        : undefined
      : Decimal.tryParse(v);
  if (d === undefined || d.isNegative()) {
    throw new ConfigError(`${name}: expected a non-negative number, got ${JSON.stringify(v)}`);
  }
  return d;
}

function normalizeSymbols(symbols: readonly string[]): string[] {
  const out = symbols.map((s) => s.trim().toUpperCase());
  if (out.length === 0) throw new ConfigError("symbols: expected at least one symbol");
  for (const s of out) {
    if (!/^[A-Z0-9_]+$/.test(s)) {
      throw new ConfigError(`symbols: expected names like BTCUSDT, got ${JSON.stringify(s)}`);
    }
  }
  const dup = out.find((s, i) => out.indexOf(s) !== i);
  if (dup !== undefined) throw new ConfigError(`symbols: ${dup} is listed twice`);
  return out;
}

function quoteModel(opts: BinanceSourceOptions): QuoteModel {
  const bps = decimalOption(opts.halfSpreadBps ?? DEFAULT_HALF_SPREAD_BPS, "halfSpreadBps");
  if (bps.gte(Decimal.fromInt(10000))) {
    throw new ConfigError(`halfSpreadBps: expected less than 10000, got ${bps.toString()}`);
  }
  return {
    halfSpread: bps.div(Decimal.fromInt(10000)),
    depthQty: decimalOption(
      opts.syntheticDepthQty ?? DEFAULT_SYNTHETIC_DEPTH_QTY,
      "syntheticDepthQty",
    ),
    bookTickerTime: opts.bookTickerTime ?? "event",
  };
}

function listMissing(missing: readonly MissingDay[]): string {
  const shown = missing.slice(0, 10).map((m) => `${m.symbol} ${m.date}`);
  const more = missing.length > 10 ? ` and ${missing.length - 10} more` : "";
  return shown.join(", ") + more;
}

/**
 * Every snapshot of `files` (of `symbols`, in that order) merged in time
 * order, updating `stats` as it goes: one pass, on the calling thread.
 */
export function mergedSnapshots(
  symbols: readonly string[],
  files: readonly DayFile[],
  settings: SymbolStreamSettings,
  stats: BinanceSourceStats,
): Iterator<Snapshot> {
  const streams = symbols.map((s) =>
    symbolSnapshots(
      s,
      files.filter((f) => f.symbol === s),
      settings,
      stats,
    ),
  );
  // One symbol's stream is already in time order (symbolSnapshots raises late times).
  const [only] = streams;
  if (streams.length === 1 && only !== undefined) return only;
  return mergeByTs(streams, (snap) => snap.ts, symbols);
}

/** Discover the files and prepare the merged snapshot stream (nothing is read yet). */
export function openBinanceSource(opts: BinanceSourceOptions): BinanceSource {
  if (!(statSync(opts.dataDir, { throwIfNoEntry: false })?.isDirectory() ?? false)) {
    throw new InvalidInputError(`data directory not found: ${opts.dataDir}`);
  }
  const symbols = normalizeSymbols(opts.symbols);
  const model = quoteModel(opts);
  const onBadRow = opts.onBadRow ?? "error";
  const found = discoverDailyFiles({
    dataDir: opts.dataDir,
    symbols,
    kind: opts.kind,
    from: opts.from,
    to: opts.to,
    market: opts.market,
    interval: opts.interval,
  });
  if (found.files.length === 0) {
    const example = found.missingDays[0]?.candidates[0] ?? opts.dataDir;
    throw new InvalidInputError(
      `no ${opts.kind} files for ${symbols.join(",")} from ${opts.from} to ${opts.to} in ${opts.dataDir} (looked for e.g. ${example})`,
    );
  }
  const without = symbols.filter((s) => !found.files.some((f) => f.symbol === s));
  if (without.length > 0) {
    const example = found.missingDays.find((m) => m.symbol === without[0])?.candidates[0];
    throw new InvalidInputError(
      `no ${opts.kind} files for ${without.join(",")} from ${opts.from} to ${opts.to} in ${opts.dataDir} (looked for e.g. ${example ?? opts.dataDir}); check the symbol names`,
    );
  }
  if (found.missingDays.length > 0 && (opts.onMissingDay ?? "report") === "error") {
    throw new InvalidInputError(
      `missing ${opts.kind} day file(s) in ${opts.dataDir}: ${listMissing(found.missingDays)}`,
    );
  }
  let checksumsVerified = 0;
  if (opts.verifyChecksums ?? true) {
    for (const f of found.files) if (verifyChecksumFile(f.path)) checksumsVerified++;
  }
  const stats = createSourceStats(symbols);
  const settings = { kind: opts.kind, model, onBadRow };
  const threads = dataThreadsOption(opts.dataThreads, "cores");
  return {
    kind: opts.kind,
    symbols,
    dates: found.dates,
    files: found.files,
    missingDays: found.missingDays,
    checksumsVerified,
    stats,
    snapshots(): Iterable<Snapshot> {
      return {
        [Symbol.iterator]: () => {
          resetSourceStats(stats, symbols);
          if (threads === 0) return mergedSnapshots(symbols, found.files, settings, stats);
          return workerSnapshots(decodeJob(symbols, found.files, settings), stats);
        },
      };
    },
    tailSnapshots(perSymbol: number): Snapshot[] {
      const out: Snapshot[] = [];
      for (const s of symbols) {
        const files = found.files.filter((f) => f.symbol === s);
        let tail: Snapshot[] = [];
        for (let i = files.length - 1; i >= 0 && tail.length < perSymbol; i--) {
          const scratch = createSourceStats([s]);
          const file = files[i] as DayFile;
          const last = lastOf(symbolSnapshots(s, [file], settings, scratch), perSymbol);
          tail = [...last, ...tail].slice(-perSymbol);
        }
        out.push(...tail);
      }
      return out;
    },
  };
}

/** A one-line note per missing day, for a CLI to print. */
export function missingDayNotes(missing: readonly MissingDay[]): string[] {
  return missing.map(
    (m) => `missing ${m.symbol} ${m.date} (no file; e.g. ${m.candidates[0] ?? "?"})`,
  );
}
