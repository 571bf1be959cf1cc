/**
 * Finding the daily files of a date range in a directory laid out as
 * data.binance.vision serves them (with or without its leading `data/`):
 *
 *   DIR/futures/um/daily/bookTicker/BTCUSDT/BTCUSDT-bookTicker-2026-01-01.zip
 *   DIR/spot/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2026-01-01.zip
 *   DIR/futures/cm/daily/trades/BTCUSD_PERP/BTCUSD_PERP-trades-2026-01-01.zip
 *   DIR/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2026-01-01.zip
 *
 * or flat, every file directly in DIR (`DIR/BTCUSDT-bookTicker-2026-01-01.zip`).
 * A `.csv` (an unzipped copy) is preferred to a `.zip` of the same name.
 * A day with no file is returned in `missingDays`, never skipped silently.
 */

import { statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../core/errors.js";
import type { BinanceKind } from "./layouts.js";

export const BINANCE_MARKETS = ["spot", "um", "cm"] as const;
/** spot, USD-M futures, COIN-M futures. */
export type BinanceMarket = (typeof BINANCE_MARKETS)[number];

const MARKET_PATH: Record<BinanceMarket, string> = {
  spot: "spot",
  um: "futures/um",
  cm: "futures/cm",
};

/** Parse a `--market` value: spot, um (USD-M futures) or cm (COIN-M futures). */
export function parseBinanceMarket(text: string): BinanceMarket {
  const m = BINANCE_MARKETS.find((x) => x === text);
  if (m === undefined) {
    throw new ConfigError(
      `unknown Binance market ${JSON.stringify(text)}: expected one of ${BINANCE_MARKETS.join(", ")}`,
    );
  }
  return m;
}

export interface DiscoveryOptions {
  readonly dataDir: string;
  readonly symbols: readonly string[];
  readonly kind: BinanceKind;
  /** First day, YYYY-MM-DD (UTC), inclusive. */
  readonly from: string;
  /** Last day, YYYY-MM-DD (UTC), inclusive. */
  readonly to: string;
  /** Which market's layout to look in; all markets when omitted (ambiguity is an error). */
  readonly market?: BinanceMarket;
  /** Kline interval (klines only); default "1m". */
  readonly interval?: string;
}

export interface DayFile {
  readonly symbol: string;
  readonly date: string;
  readonly path: string;
  /** The layout it was found in ("flat" for DIR/file). */
  readonly layout: BinanceMarket | "flat";
}

export interface MissingDay {
  readonly symbol: string;
  readonly date: string;
  /** Every path that was tried, in preference order. */
  readonly candidates: readonly string[];
}

export interface Discovery {
  /** Days of the range in order. */
  readonly dates: readonly string[];
  /** Found files, by symbol (in the given order) then date. */
  readonly files: readonly DayFile[];
  readonly missingDays: readonly MissingDay[];
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

function dayToMs(text: string, field: string): number {
  const m = DAY.exec(text);
  const ms = m === null ? Number.NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (m === null || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new ConfigError(`${field}: expected a date YYYY-MM-DD, got ${JSON.stringify(text)}`);
  }
  return ms;
}

/** Every day from `from` to `to` inclusive (YYYY-MM-DD, UTC). */
export function daysInRange(from: string, to: string): string[] {
  const a = dayToMs(from, "from");
  const b = dayToMs(to, "to");
  if (b < a) throw new ConfigError(`date range is empty: to ${to} is before from ${from}`);
  const out: string[] = [];
  for (let t = a; t <= b; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function baseName(symbol: string, kind: BinanceKind, interval: string, date: string): string {
  return kind === "klines" ? `${symbol}-${interval}-${date}` : `${symbol}-${kind}-${date}`;
}

/** Candidate paths of one day in one market's layout, in preference order. */
function marketCandidates(
  opts: DiscoveryOptions,
  market: BinanceMarket,
  symbol: string,
  date: string,
): string[] {
  const interval = opts.interval ?? "1m";
  const base = baseName(symbol, opts.kind, interval, date);
  const sub =
    opts.kind === "klines"
      ? join(MARKET_PATH[market], "daily", "klines", symbol, interval)
      : join(MARKET_PATH[market], "daily", opts.kind, symbol);
  const out: string[] = [];
  for (const root of [opts.dataDir, join(opts.dataDir, "data")]) {
    for (const ext of [".csv", ".zip"]) out.push(join(root, sub, base + ext));
  }
  return out;
}

function defaultMarkets(kind: BinanceKind): readonly BinanceMarket[] {
  // data.binance.vision has bookTicker dumps for futures only.
  return kind === "bookTicker" ? ["um", "cm"] : BINANCE_MARKETS;
}

/** Locate the daily files of every symbol over the range. */
export function discoverDailyFiles(opts: DiscoveryOptions): Discovery {
  const dates = daysInRange(opts.from, opts.to);
  const markets = opts.market === undefined ? defaultMarkets(opts.kind) : [opts.market];
  const interval = opts.interval ?? "1m";
  if (!/^\w+$/.test(interval)) {
    throw new ConfigError(
      `kline interval: expected e.g. 1m or 1h, got ${JSON.stringify(interval)}`,
    );
  }
  const files: DayFile[] = [];
  const missingDays: MissingDay[] = [];
  for (const symbol of opts.symbols) {
    const found = new Map<BinanceMarket, Map<string, string>>();
    for (const market of markets) {
      const byDay = new Map<string, string>();
      for (const date of dates) {
        const hit = marketCandidates(opts, market, symbol, date).find(isFile);
        if (hit !== undefined) byDay.set(date, hit);
      }
      if (byDay.size > 0) found.set(market, byDay);
    }
    if (found.size > 1) {
      const names = [...found.keys()].map((m) => MARKET_PATH[m]).join(" and ");
      throw new ConfigError(
        `${symbol} ${opts.kind} files exist under both ${names} in ${opts.dataDir}: choose a market (spot, um or cm)`,
      );
    }
    const [market, byDay] = [...found.entries()][0] ?? [undefined, undefined];
    for (const date of dates) {
      const base = baseName(symbol, opts.kind, interval, date);
      const flat = [".csv", ".zip"].map((ext) => join(opts.dataDir, base + ext));
      const inLayout = byDay?.get(date);
      if (inLayout !== undefined && market !== undefined) {
        files.push({ symbol, date, path: inLayout, layout: market });
        continue;
      }
      const flatHit = flat.find(isFile);
      if (flatHit !== undefined) {
        files.push({ symbol, date, path: flatHit, layout: "flat" });
        continue;
      }
      const looked = (market === undefined ? markets : [market]).flatMap((m) =>
        marketCandidates(opts, m, symbol, date),
      );
      missingDays.push({ symbol, date, candidates: [...looked, ...flat] });
    }
  }
  return { dates, files, missingDays };
}
