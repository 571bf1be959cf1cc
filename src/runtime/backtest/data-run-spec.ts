/**
 * What a backtest on Binance data reads, as plain data (a `DataRunSpec`: the
 * flags of `grinder backtest --data`), and the opened run: the source, the
 * exchange filters, USD-M funding rates, leverage brackets and mark prices.
 * `grinder backtest --data`, `grinder sweep` and `grinder worker` open their
 * runs here, so a trial in a sweep (local or remote) reads exactly what a
 * single backtest with the same flags reads.
 */

import { InvalidInputError } from "../../core/errors.js";
import { type BinanceSource, openBinanceSource } from "../../data/binance/binance-source.js";
import { type BinanceMarket, parseBinanceMarket } from "../../data/binance/day-files.js";
import { type FundingRates, readFundingRates } from "../../data/binance/funding-rates.js";
import { type BinanceKind, parseBinanceKind } from "../../data/binance/layouts.js";
import {
  findMarkPriceFiles,
  type MarkPriceFiles,
  markPriceKlinesFeed,
} from "../../data/binance/mark-price-klines.js";
import type { BadRowPolicy } from "../../data/binance/symbol-stream.js";
import type { InstrumentSpec, LeverageBracket } from "../../domain/instrument.js";
import type { EngineOptions } from "../../kernel/kernel-options.js";
import { readExchangeInfoFile } from "../../venues/binance/exchange-info.js";
import { readLeverageBracketsFile } from "../../venues/binance/leverage-brackets.js";
import {
  type DataBacktestOptions,
  dataBacktestOptions,
  klineIntervalMs,
} from "./run-data-backtest.js";

/** The data of a backtest (JSON-safe: sent to remote sweep workers as is). */
export interface DataRunSpec {
  readonly dataDir: string;
  readonly symbols: readonly string[];
  /** First and last UTC day, YYYY-MM-DD, inclusive. */
  readonly from: string;
  readonly to: string;
  readonly kind: BinanceKind;
  readonly market?: BinanceMarket;
  readonly interval?: string;
  readonly halfSpreadBps?: string;
  readonly depthQty?: string;
  readonly onBadRow: BadRowPolicy;
  /** A saved exchangeInfo response (instrument filters). */
  readonly exchangeInfoPath?: string;
  /** USD-M: a saved leverageBracket response. */
  readonly leverageBracketsPath?: string;
  /** Check dumps against the .CHECKSUM files beside them (default true). */
  readonly verifyChecksums?: boolean;
  /** Reader threads of the dumps (BinanceSourceOptions.dataThreads); default as there. */
  readonly dataThreads?: number;
}

/** The pieces of a data backtest's inputs that come from files besides the dumps. */
export type DataRunInputs = Pick<
  DataBacktestOptions,
  "instruments" | "fundingRates" | "leverageBrackets" | "markPrices" | "candleMs"
>;

export interface DataRun {
  readonly spec: DataRunSpec;
  readonly source: BinanceSource;
  /** The options of the run (realistic defaults, then the overrides). */
  readonly options: EngineOptions;
  readonly instruments?: ReadonlyMap<string, InstrumentSpec>;
  /** USD-M under the realistic profile: the fundingRate dumps found. */
  readonly funding?: FundingRates;
  readonly leverageBrackets?: ReadonlyMap<string, readonly LeverageBracket[]>;
  /** USD-M under the realistic profile: the markPriceKlines dumps found. */
  readonly marks?: MarkPriceFiles;
  /** What runDataBacktest takes from the above. */
  readonly inputs: DataRunInputs;
}

/** Symbols of a comma-separated list, trimmed, empty entries dropped. */
export function symbolList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `--data-threads`: 0 or 1 (`command` names the error). */
export function dataThreadsFlag(command: string, text: string): number {
  if (text !== "0" && text !== "1") {
    throw new InvalidInputError(
      `grinder ${command}: --data-threads expects 0 or 1, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

/** A spec from flag values (strings as given on a command line); `command` names the errors. */
export function dataRunSpecOf(
  command: string,
  flags: {
    readonly data: string;
    readonly symbols?: string;
    readonly from?: string;
    readonly to?: string;
    readonly kind?: string;
    readonly market?: string;
    readonly interval?: string;
    readonly halfSpreadBps?: string;
    readonly depthQty?: string;
    readonly onBadRow?: string;
    readonly exchangeInfo?: string;
    readonly leverageBrackets?: string;
    readonly noVerifyChecksum?: boolean;
    readonly dataThreads?: string;
  },
): DataRunSpec {
  const required = (name: string, v: string | undefined): string => {
    if (v === undefined || v.length === 0) {
      throw new InvalidInputError(`grinder ${command}: --${name} is required with --data`);
    }
    return v;
  };
  const onBadRow = flags.onBadRow ?? "error";
  if (onBadRow !== "error" && onBadRow !== "skip") {
    throw new InvalidInputError(
      `grinder ${command}: --on-bad-row expects error or skip, got ${JSON.stringify(onBadRow)}`,
    );
  }
  return {
    dataDir: flags.data,
    symbols: symbolList(required("symbols", flags.symbols)),
    from: required("from", flags.from),
    to: required("to", flags.to),
    kind: parseBinanceKind(flags.kind ?? "bookTicker"),
    ...(flags.market !== undefined ? { market: parseBinanceMarket(flags.market) } : {}),
    ...(flags.interval !== undefined ? { interval: flags.interval } : {}),
    ...(flags.halfSpreadBps !== undefined ? { halfSpreadBps: flags.halfSpreadBps } : {}),
    ...(flags.depthQty !== undefined ? { depthQty: flags.depthQty } : {}),
    onBadRow,
    ...(flags.exchangeInfo !== undefined ? { exchangeInfoPath: flags.exchangeInfo } : {}),
    ...(flags.leverageBrackets !== undefined
      ? { leverageBracketsPath: flags.leverageBrackets }
      : {}),
    ...(flags.noVerifyChecksum === true ? { verifyChecksums: false } : {}),
    ...(flags.dataThreads !== undefined
      ? { dataThreads: dataThreadsFlag(command, flags.dataThreads) }
      : {}),
  };
}

/** The same spec over other days (a walk-forward window). */
export function specForDays(spec: DataRunSpec, from: string, to: string): DataRunSpec {
  return { ...spec, from, to };
}

/**
 * Discover the spec's files and read the small side files (exchangeInfo,
 * brackets, funding rates); the dumps themselves are streamed by each pass.
 */
export function openDataRun(
  spec: DataRunSpec,
  overrides?: Readonly<Record<string, unknown>>,
): DataRun {
  const instruments =
    spec.exchangeInfoPath === undefined ? undefined : readExchangeInfoFile(spec.exchangeInfoPath);
  const source = openBinanceSource({
    dataDir: spec.dataDir,
    symbols: spec.symbols,
    kind: spec.kind,
    from: spec.from,
    to: spec.to,
    market: spec.market,
    interval: spec.interval,
    halfSpreadBps: spec.halfSpreadBps,
    syntheticDepthQty: spec.depthQty,
    onBadRow: spec.onBadRow,
    verifyChecksums: spec.verifyChecksums ?? true,
    ...(spec.dataThreads !== undefined ? { dataThreads: spec.dataThreads } : {}),
  });
  const options = dataBacktestOptions(source, overrides);
  const usdm = options.profile === "realistic" && options.market === "um";
  const funding = usdm
    ? readFundingRates(spec.dataDir, source.symbols, spec.from, spec.to, spec.verifyChecksums)
    : undefined;
  const leverageBrackets =
    spec.leverageBracketsPath === undefined
      ? undefined
      : readLeverageBracketsFile(spec.leverageBracketsPath);
  const marks = usdm
    ? findMarkPriceFiles(spec.dataDir, source.symbols, source.dates, spec.verifyChecksums)
    : undefined;
  const inputs: DataRunInputs = {
    ...(instruments !== undefined ? { instruments } : {}),
    ...(funding !== undefined && funding.files.length > 0
      ? { fundingRates: funding.bySymbol }
      : {}),
    ...(leverageBrackets !== undefined ? { leverageBrackets } : {}),
    ...(marks !== undefined && marks.count > 0
      ? { markPrices: () => markPriceKlinesFeed(marks) }
      : {}),
    candleMs: spec.kind === "klines" ? klineIntervalMs(spec.interval ?? "1m") : undefined,
  };
  return {
    spec,
    source,
    options,
    ...(instruments !== undefined ? { instruments } : {}),
    ...(funding !== undefined ? { funding } : {}),
    ...(leverageBrackets !== undefined ? { leverageBrackets } : {}),
    ...(marks !== undefined ? { marks } : {}),
    inputs,
  };
}
