/**
 * Wiring of a backtest on Binance historical data: the merged snapshot stream
 * of `openBinanceSource` is handed to the same paper run as a fixture (two
 * streaming passes: Top-K selection, then trading; nothing is collected),
 * with options from the defaults overridden by a --config file. Alongside the
 * run it tallies orders and fills per symbol and, on request, builds the HTML
 * report's series and streams every output to a JSON-lines file.
 */

import { Decimal } from "../../core/decimal.js";
import type { BinanceSource } from "../../data/binance/binance-source.js";
import type { Fixture, FixtureEvent } from "../../data/fixture-reader.js";
import type { InstrumentSpec } from "../../domain/instrument.js";
import type { EngineOptions } from "../../kernel/kernel-options.js";
import type { BacktestReportData, ReportTable } from "../../report/report-data.js";
import { combineTaps, type PaperTap, runPaperTapped, withOutputsFile } from "./backtest-tap.js";
import { ReportSeriesBuilder, type RunSeries, reportData } from "./report-series.js";
import { type PaperRunSummary, paperOptions } from "./run-paper.js";

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
  };
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
  readonly initialCapital: Decimal;
  /** The report series, when asked for. */
  readonly series?: RunSeries;
}

export interface DataBacktestOptions {
  /** Engine option overrides (a --config file), validated strictly. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Stream every per-tick output as a JSON line to this file. */
  readonly outputsPath?: string;
  /** Build the HTML report's series while streaming. */
  readonly withSeries?: boolean;
  /** Extra watcher (e.g. a progress bar). */
  readonly tap?: PaperTap;
  /** Exchange filters by symbol (an exchangeInfo file). */
  readonly instruments?: ReadonlyMap<string, InstrumentSpec>;
}

interface Tally {
  orders: number;
  fills: number;
  /** The symbol's latest per-symbol PnL (final_positions omits flat symbols). */
  realized: string;
  unrealized: string;
}

interface PnlJson {
  readonly realized_pnl?: string;
  readonly unrealized_pnl?: string;
}

function countsTap(counts: Map<string, Tally>): PaperTap {
  return {
    onTick: (s, out) => {
      let t = counts.get(s.symbol);
      if (t === undefined) {
        t = { orders: 0, fills: 0, realized: "0", unrealized: "0" };
        counts.set(s.symbol, t);
      }
      for (const a of (out.actions as readonly { action_type?: string }[] | undefined) ?? []) {
        if (a.action_type === "PLACE") t.orders++;
      }
      t.fills += ((out.fills as readonly unknown[] | undefined) ?? []).length;
      const pnl = out.pnl_snapshot as PnlJson | null | undefined;
      t.realized = pnl?.realized_pnl ?? t.realized;
      t.unrealized = pnl?.unrealized_pnl ?? t.unrealized;
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

/** Paper-trade the source's snapshots (the source is read twice, streaming). */
export async function runDataBacktest(
  source: BinanceSource,
  o: DataBacktestOptions = {},
): Promise<DataBacktestResult> {
  const fixture = sourceAsFixture(
    source,
    `binance ${source.kind} ${source.symbols.join(",")}`,
    o.instruments,
  );
  const initialCapital = paperOptions(fixture, o.overrides).initial_capital;
  const counts = new Map<string, Tally>();
  const builder = o.withSeries ? new ReportSeriesBuilder(initialCapital) : undefined;
  const run = await withOutputsFile(o.outputsPath, (outputs) =>
    runPaperTapped(fixture, {
      overrides: o.overrides,
      tap: combineTaps(countsTap(counts), builder?.tap(), outputs, o.tap),
    }),
  );
  const finals = run.fields.final_positions as Readonly<Record<string, FinalPosition>>;
  const symbols = source.symbols.map((symbol): SymbolResult => {
    const t = counts.get(symbol);
    return {
      symbol,
      events: source.stats.bySymbol[symbol]?.snapshots ?? 0,
      orders: t?.orders ?? 0,
      fills: t?.fills ?? 0,
      realizedPnl: t?.realized ?? "0",
      unrealizedPnl: t?.unrealized ?? "0",
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
  return { run, symbols, totals, initialCapital, series: builder?.finish() };
}

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

/** Final equity: initial capital plus realized and unrealized PnL. */
export function finalEquity(r: DataBacktestResult): string {
  return r.initialCapital
    .add(Decimal.parse(r.totals.realizedPnl))
    .add(Decimal.parse(r.totals.unrealizedPnl))
    .toString();
}

/** What a data backtest was run on, for report headers. */
export interface DataRunInfo {
  readonly dataDir: string;
  readonly kind: string;
  readonly market?: string;
  readonly from: string;
  readonly to: string;
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
    { label: "output digest", value: r.run.digest },
  ];
  if (source.missingDays.length > 0) {
    meta.push({
      label: "missing days",
      value: source.missingDays.map((m) => `${m.symbol} ${m.date}`).join(", "),
    });
  }
  return reportData({
    title: `grinder backtest: ${source.symbols.join(",")} ${info.from} to ${info.to}`,
    meta,
    summary: symbolTable(r),
    runs: r.series === undefined ? [] : [{ series: r.series }],
  });
}
