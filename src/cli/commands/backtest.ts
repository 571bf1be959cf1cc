import { join } from "node:path";
import {
  boolFlag,
  intFlag,
  type ParsedArgs,
  parseCommandArgs,
  stringFlag,
} from "../../argv/args.js";
import type { JsonValue } from "../../core/canonical-json.js";
import { ConfigError, InterruptedError, InvalidInputError } from "../../core/errors.js";
import { type BinanceSource, missingDayNotes } from "../../data/binance/binance-source.js";
import {
  MARK_INTERVAL,
  MARK_STALE_MS,
  type MarkPriceFiles,
} from "../../data/binance/mark-price-klines.js";
import { sourceStatsNotes } from "../../data/binance/source-stats.js";
import { readFixtureConfig } from "../../data/fixture-reader.js";
import { assetsOf } from "../../domain/instrument.js";
import { optionsJson, profileLine, unknownConfigKeys } from "../../kernel/kernel-options.js";
import { summaryRows } from "../../report/summary-format.js";
import {
  fixtureDirs,
  fixtureFailure,
  fixtureReportData,
  fixtureSummaryTable,
  runBacktest,
} from "../../runtime/backtest/backtest.js";
import { writeHtmlReport } from "../../runtime/backtest/backtest-files.js";
import { combineTaps, type PaperTap } from "../../runtime/backtest/backtest-tap.js";
import { openDataRun } from "../../runtime/backtest/data-run-spec.js";
import { writeJsonAtomic } from "../../runtime/backtest/result-writer.js";
import {
  type DataBacktestResult,
  dataReportData,
  finalEquity,
  NO_DIGEST,
  runDataBacktest,
  symbolTable,
} from "../../runtime/backtest/run-data-backtest.js";
import { readEngineConfigFile } from "../../runtime/engine-config-file.js";
import type { CliCommand, CliIo } from "../io.js";
import { createProgress, type Progress, progressWanted } from "../progress.js";
import {
  checkOutputFlags,
  DATA_RUN_FLAGS,
  dataRunSpecFlags,
  withProfileFlag,
} from "../run-options.js";
import { formatTable } from "../table.js";

/** Flags that only make sense with --data (a fixture run refuses them). */
const DATA_FLAGS = [
  "symbols",
  "from",
  "to",
  "kind",
  "market",
  "interval",
  "half-spread-bps",
  "depth-qty",
  "on-bad-row",
  "config",
  "outputs",
  "fills",
  "equity",
  "profile",
  "exchange-info",
  "leverage-brackets",
  "funding",
  "no-verify-checksum",
  "data-threads",
] as const;

/** Missing-day lines printed before the rest is summarized as a count. */
const MISSING_SHOWN = 20;

async function fixtureBacktest(args: ParsedArgs, io: CliIo): Promise<number> {
  for (const f of DATA_FLAGS) {
    if (args.values[f] !== undefined) {
      throw new InvalidInputError(`grinder backtest: --${f} needs --data`);
    }
  }
  const dirs = fixtureDirs(args.values.fixtures as string[] | undefined);
  const quiet = boolFlag(args, "quiet");
  const configNotes = dirs.flatMap((d) =>
    unknownConfigKeys(readFixtureConfig(d), join(d, "config.json")),
  );
  if (boolFlag(args, "strict") && configNotes.length > 0) {
    throw new ConfigError(`${configNotes.join("\n")}\n(--strict: unknown keys are errors)`);
  }
  for (const n of configNotes) io.stderr(`warning: ${n}`);
  const jobs = intFlag(args, "backtest", "jobs", 0);
  if (jobs < 0) throw new InvalidInputError("grinder backtest: --jobs must be >= 0");
  const reportPath = stringFlag(args, "report");
  if (!quiet) {
    io.stdout(
      "Profile: reference; options: each fixture's config.json (its digests are recorded under that profile)",
    );
  }
  const progress = createProgress(progressWanted(io.isTty) && !quiet, "backtest");
  let events = 0;
  const { report, outcomes } = await runBacktest(
    dirs,
    jobs || undefined,
    (o, done, total) => {
      events += Number(o.view.events_processed) || 0;
      progress.update(events, `${done}/${total} fixtures`);
    },
    { withSeries: reportPath !== undefined },
  );
  progress.done();
  if (!quiet) {
    const table = fixtureSummaryTable(outcomes);
    for (const l of formatTable(table.columns, table.rows)) io.stdout(l);
    io.stdout("");
    for (const o of outcomes) {
      for (const e of o.view.errors as string[]) io.stdout(`${String(o.view.fixture_path)}: ${e}`);
    }
  }
  for (const o of outcomes) {
    const why = fixtureFailure(o.view);
    if (why !== undefined && (o.view.errors as string[]).length === 0) {
      io.stdout(`${String(o.view.fixture_path)}: ${why}`);
    }
  }
  const out = stringFlag(args, "out");
  if (out) {
    writeJsonAtomic(out, report as unknown as JsonValue, true);
    if (!quiet) io.stdout(`Report written to: ${out}`);
  }
  if (reportPath) {
    writeHtmlReport(reportPath, fixtureReportData(report, outcomes));
    if (!quiet) io.stdout(`HTML report written to: ${reportPath}`);
  }
  const ok = report.fixtures_failed === 0 && report.all_digests_match;
  const noDigest = outcomes.filter((o) =>
    fixtureFailure(o.view)?.startsWith("no recorded digests"),
  ).length;
  const without = noDigest > 0 ? `, ${noDigest} without recorded digests` : "";
  io.stdout(
    `Backtest ${ok ? "PASSED" : "FAILED"}: ${report.fixtures_passed}/${report.fixtures_run} fixtures match${without} (report digest ${report.report_digest})`,
  );
  return ok ? 0 : 1;
}

/** A progress tap: snapshots read per pass; "trading" once outputs come. */
function progressTap(progress: Progress): PaperTap {
  let trading = false;
  let pass = 0;
  return {
    onRead: (_s, n, p) => {
      if (p !== pass) {
        pass = p;
        progress.phase(trading ? "trading" : `pass ${p}`);
      }
      progress.update(n);
    },
    onTick: () => {
      if (!trading) {
        trading = true;
        progress.phase("trading");
      }
    },
  };
}

/** The quote asset shared by every symbol ("" when they differ or are unknown). */
function quoteAsset(symbols: readonly string[]): string {
  const quotes = new Set(symbols.map((s) => assetsOf(s).quote));
  return quotes.size === 1 ? ([...quotes][0] as string) : "";
}

/** Exit code of a run stopped by a signal: 128 + its number. */
const SIGNAL_EXIT: Readonly<Record<"SIGINT" | "SIGTERM", number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Stops the run on SIGINT or SIGTERM once trading has started (the files it
 * writes exist from then on; until then the default handling ends the
 * process at once, with nothing written). The run notices within a few
 * thousand events, removes its temp files and fails with InterruptedError.
 * A second signal ends the process at once.
 */
class SignalStop {
  private readonly controller = new AbortController();
  private readonly handlers = new Map<"SIGINT" | "SIGTERM", () => void>();
  /** The signal received, if any. */
  received: "SIGINT" | "SIGTERM" | undefined;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** A tap that arms the handlers when the trading pass starts. */
  tap(): PaperTap {
    return { onTrading: () => this.arm() };
  }

  private arm(): void {
    if (this.handlers.size > 0) return;
    for (const name of ["SIGINT", "SIGTERM"] as const) {
      const h = (): void => {
        this.received ??= name;
        this.controller.abort();
        this.disarm();
      };
      this.handlers.set(name, h);
      process.once(name, h);
    }
  }

  disarm(): void {
    for (const [name, h] of this.handlers) process.off(name, h);
    this.handlers.clear();
  }
}

function dataSummaryJson(
  r: DataBacktestResult,
  source: BinanceSource,
  info: Record<string, JsonValue>,
  notes: readonly string[],
): JsonValue {
  return {
    ...info,
    symbols: [...source.symbols],
    days: source.dates.length,
    digest: r.run.digest === "" ? null : r.run.digest,
    events_processed: r.run.eventsProcessed,
    orders_placed: r.run.ordersPlaced,
    total_fills: r.run.totalFills,
    total_realized_pnl: r.totals.realizedPnl,
    total_unrealized_pnl: r.totals.unrealizedPnl,
    initial_capital: r.initialCapital.toString(),
    final_equity: finalEquity(r),
    summary: r.summary as unknown as JsonValue,
    options: optionsJson(r.options) as JsonValue,
    per_symbol: r.symbols.map((s) => ({
      symbol: s.symbol,
      events: s.events,
      orders: s.orders,
      fills: s.fills,
      realized_pnl: s.realizedPnl,
      unrealized_pnl: s.unrealizedPnl,
      position: s.position,
    })),
    missing_days: source.missingDays.map((m) => ({ symbol: m.symbol, date: m.date })),
    source_notes: [...notes],
    errors: [...r.run.errors],
  };
}

async function dataBacktest(args: ParsedArgs, io: CliIo, dataDir: string): Promise<number> {
  if (args.values.fixtures !== undefined) {
    throw new InvalidInputError("grinder backtest: --data and --fixtures cannot be combined");
  }
  if (args.values.jobs !== undefined) {
    throw new InvalidInputError("grinder backtest: --jobs applies to fixture backtests only");
  }
  if (boolFlag(args, "strict")) {
    throw new InvalidInputError(
      "grinder backtest: --strict applies to fixture backtests (--config is always strict)",
    );
  }
  const quiet = boolFlag(args, "quiet");
  const spec = dataRunSpecFlags("backtest", args, dataDir);
  const { kind, market, from, to } = spec;
  const configPath = stringFlag(args, "config");
  const overrides = withProfileFlag(
    "backtest",
    args,
    configPath ? readEngineConfigFile(configPath) : undefined,
  );
  const run = openDataRun(spec, overrides);
  const { source, options, instruments, funding, marks } = run;
  if (!quiet && source.checksumsVerified > 0) {
    io.stdout(`Checksums: ${source.checksumsVerified} file(s) match their .CHECKSUM`);
  }
  const missing = missingDayNotes(source.missingDays);
  const shown = missing.slice(0, MISSING_SHOWN);
  if (missing.length > shown.length) {
    shown.push(`... and ${missing.length - shown.length} more missing day(s)`);
  }
  // Never silent: listed on stderr before the run when quiet, else in the summary
  // (with a one-line heads-up now, as a long run prints its summary late).
  if (quiet) for (const m of shown) io.stderr(`warning: ${m}`);
  else if (missing.length > 0) {
    io.stderr(`warning: ${missing.length} missing day(s), listed in the summary`);
  }

  if (!quiet) io.stdout(profileLine(options));
  if (!quiet && options.profile === "realistic") {
    const filters =
      instruments === undefined ? [] : source.symbols.filter((s) => instruments.has(s));
    const derived = source.symbols.filter((s) => !filters.includes(s));
    if (derived.length > 0) {
      io.stdout(
        `Instrument filters: ${derived.join(",")} derived from the data's price and quantity decimals (no --exchange-info${instruments === undefined ? "" : " entry"})`,
      );
    }
  }
  const usdm = options.profile === "realistic" && options.market === "um";
  const fundingPath = stringFlag(args, "funding");
  if (fundingPath !== undefined && !usdm) {
    throw new InvalidInputError(
      "grinder backtest: --funding needs USD-M data under the realistic profile (market um)",
    );
  }
  if (!quiet && funding !== undefined) {
    const read = funding.files.length;
    io.stdout(
      read === 0
        ? `Funding: no fundingRate dump found; funding_rate ${options.funding_rate.toString()} every ${options.funding_interval_hours} h`
        : `Funding: ${read} fundingRate file(s) read${funding.missing.length > 0 ? `; no file for ${funding.missing.join(", ")} (no funding there)` : ""}`,
    );
  }
  const reportPath = stringFlag(args, "report");
  const outputsPath = stringFlag(args, "outputs");
  const fillsPath = stringFlag(args, "fills");
  const equityPath = stringFlag(args, "equity");
  const progress = createProgress(progressWanted(io.isTty) && !quiet, "pass 1");
  const stop = new SignalStop();
  let r: DataBacktestResult;
  try {
    r = await runDataBacktest(source, {
      ...run.inputs,
      overrides,
      outputsPath,
      fillsPath,
      equityPath,
      fundingPath,
      withSeries: reportPath !== undefined,
      tap: combineTaps(progressTap(progress), stop.tap()),
      signal: stop.signal,
      digest: boolFlag(args, "digest"),
    });
  } catch (e) {
    if (e instanceof InterruptedError && stop.received !== undefined) {
      progress.done();
      io.stderr(`grinder backtest: stopped by ${stop.received}; no output file written`);
      return SIGNAL_EXIT[stop.received];
    }
    throw e;
  } finally {
    stop.disarm();
    progress.done();
  }
  const notes = sourceStatsNotes(source.stats);
  if (marks !== undefined) notes.push(markPriceNote(marks));
  const what = `${kind}${market ? ` (${market})` : ""}`;
  if (!quiet) {
    io.stdout(
      `Backtest on Binance ${what} data: ${source.symbols.join(",")} ${from} to ${to} (${source.dates.length} day(s), ${source.files.length} file(s))`,
    );
    const table = symbolTable(r);
    for (const l of formatTable(table.columns, table.rows)) io.stdout(l);
    io.stdout("");
    const quote = quoteAsset(source.symbols);
    io.stdout("Summary (rounded; exact values in --out; docs/SIMULATION.md defines each metric):");
    for (const l of formatTable(["metric", "value"], summaryRows(r.summary, quote))) io.stdout(l);
    io.stdout("");
    io.stdout(`Initial capital: ${r.initialCapital.toString()}; final equity: ${finalEquity(r)}`);
    io.stdout(`Output digest: ${r.run.digest || NO_DIGEST}`);
    io.stdout(`Missing days: ${missing.length}`);
    for (const m of shown) io.stdout(`  ${m}`);
    io.stdout(notes.length === 0 ? "Source notes: none" : "Source notes:");
    for (const n of notes) io.stdout(`  ${n}`);
    if (r.run.errors.length > 0) {
      io.stdout(`Errors: ${r.run.errors.length}`);
      for (const e of r.run.errors.slice(0, MISSING_SHOWN)) io.stdout(`  ${e}`);
    }
  } else {
    for (const n of notes) io.stderr(`warning: ${n}`);
  }
  const out = stringFlag(args, "out");
  if (out) {
    const info: Record<string, JsonValue> = { data_dir: dataDir, kind, from, to };
    if (market) info.market = market;
    writeJsonAtomic(out, dataSummaryJson(r, source, info, notes), true);
    if (!quiet) io.stdout(`Summary written to: ${out}`);
  }
  if (!quiet) {
    if (outputsPath) io.stdout(`Outputs written to: ${outputsPath}`);
    if (fillsPath) io.stdout(`Fills written to: ${fillsPath}`);
    if (equityPath) io.stdout(`Equity points written to: ${equityPath}`);
    if (fundingPath) io.stdout(`Funding payments written to: ${fundingPath}`);
  }
  if (reportPath) {
    const info = { dataDir, kind, market, from, to, quote: quoteAsset(source.symbols), notes };
    writeHtmlReport(reportPath, dataReportData(r, source, info));
    if (!quiet) io.stdout(`HTML report written to: ${reportPath}`);
  }
  const ok = r.run.errors.length === 0;
  const facts = `${r.run.eventsProcessed} events, ${source.symbols.length} symbol(s), ${r.run.totalFills} fills, ${missing.length} missing day(s)${r.run.digest === "" ? "" : `, digest ${r.run.digest}`}`;
  io.stdout(
    ok
      ? `Backtest completed: ${facts}`
      : `Backtest FAILED: ${r.run.errors.length} error(s); ${facts}`,
  );
  return ok ? 0 : 1;
}

/** What the USD-M simulation took as its mark, for the source notes. */
function markPriceNote(m: MarkPriceFiles): string {
  if (m.count === 0) return "mark price: the mid of the quotes (no markPriceKlines under --data)";
  const missing = m.missing.slice(0, MISSING_SHOWN).join(", ");
  const more =
    m.missing.length > MISSING_SHOWN ? ` and ${m.missing.length - MISSING_SHOWN} more` : "";
  return `mark price: the close of markPriceKlines ${MARK_INTERVAL} (${m.count} file(s)), the mid where no close is at most ${MARK_STALE_MS / 1000} s old${m.missing.length > 0 ? `; no markPriceKlines for ${missing}${more}` : ""}`;
}

export const backtestCommand: CliCommand = {
  name: "backtest",
  summary:
    "Backtest the fixtures (checking digests) or Binance historical data; summary and reports",
  usage:
    "grinder backtest [--fixtures DIR [--fixtures DIR ...]] [--out FILE] [--report FILE.html]\n" +
    "                 [--jobs N] [--strict] [--quiet]\n" +
    "       grinder backtest --data DIR --symbols SYM,... --from YYYY-MM-DD --to YYYY-MM-DD\n" +
    "                        [--kind bookTicker|aggTrades|trades|klines] [--market spot|um|cm]\n" +
    "                        [--interval 1m] [--half-spread-bps N] [--depth-qty Q]\n" +
    "                        [--on-bad-row error|skip] [--no-verify-checksum] [--data-threads 0|1]\n" +
    "                        [--config FILE] [--outputs FILE.jsonl]\n" +
    "                        [--profile realistic|reference] [--exchange-info FILE]\n" +
    "                        [--fills FILE.csv] [--equity FILE.csv] [--funding FILE.csv]\n" +
    "                        [--leverage-brackets FILE] [--report FILE.html] [--out FILE]\n" +
    "                        [--quiet]\n\n" +
    "Fixtures:\n" +
    "  --fixtures DIR      fixture directories, or folders searched for fixtures (default: the\n" +
    "                      project's fixtures/); repeatable\n" +
    "  --out FILE          write the report (schema v1) as JSON\n" +
    "  --jobs N            worker threads (default: one per core; 1 runs in-process)\n" +
    "  --strict            unknown keys in a fixture's config.json are errors (default: warnings)\n" +
    "  A fixture passes when its recorded digests match; one without them is NO DIGEST.\n" +
    "Binance data (docs/DATA.md):\n" +
    "  --data DIR          daily dumps in the data.binance.vision layout (or flat)\n" +
    "  --symbols SYM,...   symbols to trade; --from/--to: UTC days, inclusive\n" +
    "  --kind K            bookTicker (default), aggTrades, trades or klines (--interval, 1m)\n" +
    "  --market M          spot, um or cm, when a symbol has files under several markets\n" +
    "  --half-spread-bps N, --depth-qty Q   synthetic quote of trade and kline data (1, 1)\n" +
    "  --on-bad-row P      error (default: stop with file:line) or skip (counted and reported\n" +
    "                      per file); a row stamped outside its file's day is a bad row\n" +
    "  --no-verify-checksum  do not check a dump against its .CHECKSUM file (checked when present)\n" +
    "  --data-threads N    1: read and decode the dumps on a worker thread beside the engine;\n" +
    "                      0: on the engine's thread (default: GRINDER_DATA_THREADS, else 1\n" +
    "                      on a machine of two cores or more, 0 on one)\n" +
    "  --config FILE       JSON engine options over the defaults (docs/CONFIG.md)\n" +
    "  --profile P         realistic (default: fees, latency, queue; docs/SIMULATION.md) or\n" +
    "                      reference (the reference engine's fills)\n" +
    "  --exchange-info FILE  instrument filters: a saved Binance exchangeInfo response\n" +
    "                      (GET /api/v3/exchangeInfo or /fapi/v1/exchangeInfo)\n" +
    "  --outputs FILE      stream every per-tick output as a JSON line\n" +
    "  --fills FILE        every fill (partial fills too) as CSV: ts,symbol,side,price,qty,\n" +
    "                      fee,fee_asset,liquidity,order_id,order_submit_ts (ts in ms)\n" +
    "  --equity FILE       equity points as CSV: ts,equity,realized,unrealized,fees,\n" +
    "                      position_notional (at every fill, each minute, the end)\n" +
    "  --funding FILE      USD-M: funding payments as CSV: ts,symbol,position,mark_price,rate,\n" +
    "                      payment (rates from fundingRate dumps under --data, else\n" +
    "                      funding_rate every funding_interval_hours)\n" +
    "                      USD-M mark price: markPriceKlines 1m dumps under --data\n" +
    "                      (futures/um/daily|monthly/markPriceKlines/SYM/1m/), else the mid\n" +
    "  --leverage-brackets FILE  USD-M: maintenance margin by bracket (the JSON of\n" +
    "                      GET /fapi/v1/leverageBracket); else maintenance_margin_rate\n" +
    "  --digest            compute the output digest (hash of every per-tick output;\n" +
    "                      about a quarter of the run's CPU, so off by default)\n" +
    "  --out FILE          write a JSON summary (per symbol, run summary metrics, engine\n" +
    "                      options, missing days, source notes)\n" +
    "Both:\n" +
    "  --report FILE       write the HTML report (equity, drawdown, mid/fills/position)\n" +
    "  --quiet             print only the verdict line (and warnings on stderr)",
  async run(argv, io) {
    const args = parseCommandArgs("backtest", argv, {
      ...DATA_RUN_FLAGS,
      fixtures: { type: "string", multiple: true },
      out: { type: "string" },
      jobs: { type: "string" },
      quiet: { type: "boolean", short: "q" },
      strict: { type: "boolean" },
      report: { type: "string" },
      outputs: { type: "string" },
      fills: { type: "string" },
      equity: { type: "string" },
      funding: { type: "string" },
      digest: { type: "boolean" },
    });
    checkOutputFlags("backtest", args, io, [
      "out",
      "report",
      "outputs",
      "fills",
      "equity",
      "funding",
    ]);
    const dataDir = stringFlag(args, "data");
    return dataDir === undefined ? fixtureBacktest(args, io) : dataBacktest(args, io, dataDir);
  },
};
