/**
 * Wiring of a backtest on Binance historical data: the merged snapshot stream
 * of `openBinanceSource` is handed to the same paper run as a fixture (two
 * streaming passes: Top-K selection, then trading; nothing is collected),
 * with options from the defaults overridden by a --config file. Alongside the
 * run it tallies orders and fills per symbol, builds the run summary from the
 * booked fills and equity points, and on request builds the HTML report's
 * series and streams outputs (JSON lines), fills and equity points (CSV).
 */

import { Decimal } from "../../core/decimal.js";
import type { BinanceSource } from "../../data/binance/binance-source.js";
import type { FixtureEvent } from "../../data/fixture-events.js";
import { type Fixture, fixtureWith } from "../../data/fixture-reader.js";
import type { FundingRateEvent, InstrumentSpec, LeverageBracket } from "../../domain/instrument.js";
import type { MarkPriceFeed } from "../../domain/mark-price.js";
import type { EngineOptions } from "../../kernel/kernel-options.js";
import type { AccountState } from "../../kernel/kernel-types.js";
import type { BacktestReportData, ReportTable } from "../../report/report-data.js";
import type { RunSummaryJson } from "../../report/summary.js";
import {
  combineTaps,
  outputsFileTap,
  type PaperTap,
  runPaperTapped,
  withFileTaps,
} from "./backtest-tap.js";
import { ReportSeriesBuilder, type RunSeries, reportData } from "./report-series.js";
import { equityCsvTap, fillsCsvTap, fundingCsvTap } from "./run-exports.js";
import { type PaperRunSummary, paperOptions, type TickView } from "./run-paper.js";
import { summaryTap } from "./summary-tap.js";

/**
 * The market a source's files come from: futures when any file sits in a
 * futures layout (bookTicker dumps exist for futures only), else spot.
 */
export function marketOf(source: BinanceSource): "spot" | "um" {
  if (source.kind === "bookTicker") return "um";
  return source.files.some((f) => f.layout === "um" || f.layout === "cm") ? "um" : "spot";
}

/**
 * The snapshots of a Binance source as a fixture whose config is the realistic
 * profile (the default of data backtests), with the data's shape and the
 * instruments' filters when known.
 */
export function sourceAsFixture(
  source: BinanceSource,
  name: string,
  instruments?: ReadonlyMap<string, InstrumentSpec>,
): Fixture {
  const skippedByType: ReadonlyMap<string, number> = new Map();
  return {
    dir: name,
    eventsPath: name,
    config: { profile: "realistic", market: marketOf(source) },
    dataShape: source.kind === "trades" || source.kind === "aggTrades" ? "trades" : "quotes",
    universe: source.symbols,
    ...(instruments !== undefined ? { instruments } : {}),
    stats: {
      // Read after a pass: the snapshots of the latest pass.
      get events() {
        return source.stats.snapshots;
      },
      get snapshots() {
        return source.stats.snapshots;
      },
      skippedByType,
      inOrder: true,
    },
    *events(): Generator<FixtureEvent> {
      for (const snapshot of source.snapshots()) yield { kind: "snapshot", snapshot };
    },
    // Top-K v0 keeps each symbol's last window of prices: the last files tell it.
    tailSnapshots: (perSymbol) => (perSymbol >= 1 ? source.tailSnapshots(perSymbol) : undefined),
  };
}

const INTERVAL_UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** A kline interval ("1m", "4h", "1d", ...) in ms; undefined for months or unknown units. */
export function klineIntervalMs(interval: string): number | undefined {
  const m = /^(\d+)([smhdw])$/.exec(interval);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return n > 0 ? n * (INTERVAL_UNIT_MS[m[2] as string] as number) : undefined;
}

/** One row of the per-symbol summary (PnL and position as exact decimal strings). */
export interface SymbolResult {
  readonly symbol: string;
  readonly events: number;
  readonly orders: number;
  readonly fills: number;
  readonly realizedPnl: string;
  readonly unrealizedPnl: string;
  readonly position: string;
}

export interface DataBacktestResult {
  readonly run: PaperRunSummary;
  /** In the order the symbols were given. */
  readonly symbols: readonly SymbolResult[];
  readonly totals: SymbolResult;
  /** The engine options the run used (defaults, then --config). */
  readonly options: EngineOptions;
  readonly initialCapital: Decimal;
  /** The account at the end of the data (the last equity point). */
  readonly finalAccount: AccountState;
  readonly summary: RunSummaryJson;
  /** The report series, when asked for. */
  readonly series?: RunSeries;
}

export interface DataBacktestOptions {
  /** Engine option overrides (a --config file), validated strictly. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Stream every per-tick output as a JSON line to this file. */
  readonly outputsPath?: string;
  /** Stream every fill as a CSV row to this file (run-exports.ts). */
  readonly fillsPath?: string;
  /** Stream every equity point as a CSV row to this file. */
  readonly equityPath?: string;
  /** Build the HTML report's series while streaming. */
  readonly withSeries?: boolean;
  /** Klines: the interval (ms), so the report draws candles (klineIntervalMs). */
  readonly candleMs?: number;
  /** Extra watcher (e.g. a progress bar). */
  readonly tap?: PaperTap;
  /** Exchange filters by symbol (an exchangeInfo file). */
  readonly instruments?: ReadonlyMap<string, InstrumentSpec>;
  /** USD-M: recorded funding rates (fundingRate dumps) by symbol. */
  readonly fundingRates?: ReadonlyMap<string, readonly FundingRateEvent[]>;
  /** USD-M: leverage brackets by symbol (a leverageBracket file). */
  readonly leverageBrackets?: ReadonlyMap<string, readonly LeverageBracket[]>;
  /** USD-M: a fresh mark price feed per trading pass (markPriceKlines); else the mid. */
  readonly markPrices?: () => MarkPriceFeed;
  /** Stream every funding payment as a CSV row to this file. */
  readonly fundingPath?: string;
  /** Stop the run (and remove the files being written) when aborted. */
  readonly signal?: AbortSignal;
  /**
   * Compute the run's output digest (canonical JSON of every per-tick output,
   * hashed: about a quarter of a data backtest's CPU). Off by default: the
   * run's digest is then "".
   */
  readonly digest?: boolean;
}

interface Tally {
  orders: number;
  fills: number;
  /** The symbol's latest output, whose PnL is read at the end (final_positions omits flat symbols). */
  last?: TickView;
}

interface PnlJson {
  readonly realized_pnl?: string;
  readonly unrealized_pnl?: string;
}

/** Per symbol: orders the kernel submitted, fills booked, and the latest PnL of its outputs. */
function countsTap(counts: Map<string, Tally>): PaperTap {
  const tally = (symbol: string): Tally => {
    let t = counts.get(symbol);
    if (t === undefined) {
      t = { orders: 0, fills: 0 };
      counts.set(symbol, t);
    }
    return t;
  };
  return {
    onTrading: () => counts.clear(),
    onPlaced: (symbol, n) => {
      tally(symbol).orders += n;
    },
    onFill: (b) => {
      tally(b.fill.symbol).fills++;
    },
    onTick: (s, out) => {
      tally(s.symbol).last = out;
    },
  };
}

interface FinalPosition {
  readonly quantity: string;
}

/** The options a data backtest of `source` runs with (realistic defaults, then the overrides). */
export function dataBacktestOptions(
  source: BinanceSource,
  overrides?: Readonly<Record<string, unknown>>,
): EngineOptions {
  return paperOptions(sourceAsFixture(source, "options"), overrides);
}

/** The source with its side inputs (filters, funding, brackets, marks) as the fixture a run reads. */
export function dataFixture(
  source: BinanceSource,
  o: Pick<DataBacktestOptions, "instruments" | "fundingRates" | "leverageBrackets" | "markPrices">,
): Fixture {
  return fixtureWith(
    sourceAsFixture(source, `binance ${source.kind} ${source.symbols.join(",")}`, o.instruments),
    {
      ...(o.fundingRates !== undefined ? { fundingRates: o.fundingRates } : {}),
      ...(o.leverageBrackets !== undefined ? { leverageBrackets: o.leverageBrackets } : {}),
      ...(o.markPrices !== undefined ? { markPrices: o.markPrices } : {}),
    },
  );
}

/** Paper-trade the source's snapshots (the source is read twice, streaming). */
export async function runDataBacktest(
  source: BinanceSource,
  o: DataBacktestOptions = {},
): Promise<DataBacktestResult> {
  const fixture = dataFixture(source, o);
  const options = paperOptions(fixture, o.overrides);
  const initialCapital = options.initial_capital;
  const counts = new Map<string, Tally>();
  const builder = o.withSeries
    ? new ReportSeriesBuilder(initialCapital, { candleMs: o.candleMs })
    : undefined;
  const summary = summaryTap(initialCapital);
  const files = [
    o.outputsPath === undefined ? undefined : outputsFileTap(o.outputsPath),
    o.fillsPath === undefined ? undefined : fillsCsvTap(o.fillsPath),
    o.equityPath === undefined ? undefined : equityCsvTap(o.equityPath),
    o.fundingPath === undefined ? undefined : fundingCsvTap(o.fundingPath),
  ];
  const run = await withFileTaps(files, (fileTaps) =>
    runPaperTapped(fixture, {
      overrides: o.overrides,
      // o.tap first: a signal handler it arms is in place before any file exists.
      tap: combineTaps(o.tap, countsTap(counts), summary.tap, builder?.tap(), fileTaps),
      signal: o.signal,
      withDigest: o.digest === true,
    }),
  );
  const finals = run.fields.final_positions as Readonly<Record<string, FinalPosition>>;
  const symbols = source.symbols.map((symbol): SymbolResult => {
    const t = counts.get(symbol);
    const pnl = t?.last?.pnlSnapshot as PnlJson | null | undefined;
    return {
      symbol,
      events: source.stats.bySymbol[symbol]?.snapshots ?? 0,
      orders: t?.orders ?? 0,
      fills: t?.fills ?? 0,
      realizedPnl: pnl?.realized_pnl ?? "0",
      unrealizedPnl: pnl?.unrealized_pnl ?? "0",
      position: finals[symbol]?.quantity ?? "0",
    };
  });
  const totals: SymbolResult = {
    symbol: "TOTAL",
    events: run.eventsProcessed,
    orders: run.ordersPlaced,
    fills: run.totalFills,
    realizedPnl: String(run.fields.total_realized_pnl),
    unrealizedPnl: String(run.fields.total_unrealized_pnl),
    position: "",
  };
  const finalAccount = summary.last() ?? {
    equity: initialCapital,
    realized: Decimal.ZERO,
    unrealized: Decimal.ZERO,
    fees: Decimal.ZERO,
    funding: Decimal.ZERO,
    positionNotional: Decimal.ZERO,
  };
  return {
    run,
    symbols,
    totals,
    options,
    initialCapital,
    finalAccount,
    summary: summary.builder().finish(run.orderCounts, run.blockedByReason),
    series: builder?.finish(),
  };
}

/** What a data backtest shows for the digest it was not asked for. */
export const NO_DIGEST = "not computed (--digest)";

/** The per-symbol summary as a table (one row per symbol, then the totals). */
export function symbolTable(r: DataBacktestResult): ReportTable & { rows: string[][] } {
  const row = (s: SymbolResult): string[] => [
    s.symbol,
    String(s.events),
    String(s.orders),
    String(s.fills),
    s.realizedPnl,
    s.unrealizedPnl,
    s.position,
  ];
  return {
    columns: ["symbol", "events", "orders", "fills", "realized_pnl", "unrealized_pnl", "position"],
    rows: [...r.symbols.map(row), row(r.totals)],
  };
}

/** Final equity: initial capital plus realized and unrealized PnL, less fees. */
export function finalEquity(r: DataBacktestResult): string {
  return r.finalAccount.equity.toString();
}

/** What a data backtest was run on, for report headers. */
export interface DataRunInfo {
  readonly dataDir: string;
  readonly kind: string;
  readonly market?: string;
  readonly from: string;
  readonly to: string;
  /** Money unit (the symbols' quote asset), "" when mixed. */
  readonly quote: string;
  /** Notes on the data read (source-stats.ts), shown with the missing days. */
  readonly notes: readonly string[];
}

/** The HTML report's input for a data backtest run with series. */
export function dataReportData(
  r: DataBacktestResult,
  source: BinanceSource,
  info: DataRunInfo,
): BacktestReportData {
  const meta: { label: string; value: string | number }[] = [
    { label: "data", value: info.dataDir },
    { label: "kind", value: info.market ? `${info.kind} (${info.market})` : info.kind },
    { label: "symbols", value: source.symbols.join(", ") },
    { label: "days", value: `${info.from} to ${info.to} (${source.dates.length})` },
    { label: "events", value: r.run.eventsProcessed },
    { label: "initial capital", value: r.initialCapital.toString() },
    { label: "final equity", value: finalEquity(r) },
    { label: "output digest", value: r.run.digest || NO_DIGEST },
  ];
  const missing = source.missingDays.map((m) => `missing day: ${m.symbol} ${m.date} (no file)`);
  return reportData({
    title: `grinder backtest: ${source.symbols.join(",")} ${info.from} to ${info.to}`,
    meta,
    summary: symbolTable(r),
    runs: r.series === undefined ? [] : [{ series: r.series }],
    runSummary: r.summary,
    quote: info.quote,
    sourceNotes: [...missing, ...info.notes],
  });
}
