/**
 * The data of the HTML report, built while a run streams, in bounded memory:
 * per symbol the mid price (or, for klines, candles rebuilt from it) and the
 * position after every output, its fills and the stretches without data; for
 * the portfolio the run's equity points (account equity, fees) and the
 * drawdown from the running high-water mark (which starts at the initial
 * capital; negative equity counts as 0, so drawdown stays within 0..100 %).
 *
 * Long series are downsampled on the fly: points fall into buckets of `width`
 * consecutive points, each bucket keeping its first point and the points with
 * the minimum and maximum of every drawn value (so spikes, the deepest
 * drawdown and position extremes survive); when the bucket count reaches its
 * cap, neighbouring buckets merge and the width doubles. Fills are kept up to
 * a cap, then every 2nd, 4th, ... fill; candles merge into wider ones
 * (candle-sampler.ts); gaps are kept up to a cap. The report renderer then
 * downsamples again to what it draws.
 */

import { Decimal } from "../../core/decimal.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { AccountState } from "../../kernel/kernel-types.js";
import { CandleSampler } from "../../report/candle-sampler.js";
import { marginRatios } from "../../report/margin-stats.js";
import type {
  BacktestReportData,
  ReportCandle,
  ReportCell,
  ReportFill,
  ReportGap,
  ReportPortfolioPoint,
  ReportSymbolPoint,
  ReportSymbolSeries,
  ReportTable,
} from "../../report/report-data.js";
import type { RunSummaryJson } from "../../report/summary.js";
import type { PaperOutputJson, PaperTap } from "./backtest-tap.js";

/** Buckets kept per series (each holds up to 1 + 2 x values points). */
export const DEFAULT_SERIES_BUCKETS = 2048;
/** Fills kept per symbol before thinning. */
export const DEFAULT_SERIES_FILLS = 20_000;
/** Candles kept per symbol before they merge into wider ones. */
export const DEFAULT_SERIES_CANDLES = 2000;
/** Without data for longer than this, a series has a gap (tick data; klines: the interval). */
export const DEFAULT_GAP_MS = 10 * 60_000;
/** Gaps kept per series (later ones are counted, not drawn). */
export const DEFAULT_SERIES_GAPS = 1000;

interface Indexed<T> {
  readonly i: number;
  readonly p: T;
  readonly v: readonly number[];
}

interface Bucket<T> {
  count: number;
  readonly first: Indexed<T>;
  readonly min: Indexed<T>[];
  readonly max: Indexed<T>[];
}

function newBucket<T>(item: Indexed<T>): Bucket<T> {
  return { count: 1, first: item, min: item.v.map(() => item), max: item.v.map(() => item) };
}

/** Whether `x` should replace `cur` as the extreme (NaN never wins, beats NaN). */
function beats(x: number, cur: number, lower: boolean): boolean {
  if (Number.isNaN(x)) return false;
  if (Number.isNaN(cur)) return true;
  return lower ? x < cur : x > cur;
}

/** Streaming bucket min/max downsampler (see the file comment). */
export class StreamSampler<T> {
  private readonly maxBuckets: number;
  private readonly values: readonly ((p: T) => number)[];
  private width = 1;
  private full: Bucket<T>[] = [];
  private cur: Bucket<T> | undefined;
  private last: Indexed<T> | undefined;
  private n = 0;

  constructor(maxBuckets: number, values: readonly ((p: T) => number)[]) {
    // An even cap, so buckets always merge in pairs.
    this.maxBuckets = Math.max(2, maxBuckets - (maxBuckets % 2));
    this.values = values;
  }

  /** Points pushed so far. */
  get seen(): number {
    return this.n;
  }

  push(p: T): void {
    const item: Indexed<T> = { i: this.n++, p, v: this.values.map((f) => f(p)) };
    this.last = item;
    const cur = this.cur;
    if (cur === undefined || cur.count >= this.width) {
      if (cur !== undefined) this.close(cur);
      this.cur = newBucket(item);
      return;
    }
    cur.count++;
    for (let k = 0; k < item.v.length; k++) {
      const x = item.v[k] as number;
      if (beats(x, (cur.min[k] as Indexed<T>).v[k] as number, true)) cur.min[k] = item;
      if (beats(x, (cur.max[k] as Indexed<T>).v[k] as number, false)) cur.max[k] = item;
    }
  }

  private close(b: Bucket<T>): void {
    this.full.push(b);
    if (this.full.length < this.maxBuckets) return;
    const merged: Bucket<T>[] = [];
    for (let j = 0; j < this.full.length; j += 2) {
      const a = this.full[j] as Bucket<T>;
      const c = this.full[j + 1] as Bucket<T>;
      const pick = (x: Indexed<T>, y: Indexed<T>, k: number, lower: boolean): Indexed<T> =>
        beats(y.v[k] as number, x.v[k] as number, lower) ? y : x;
      merged.push({
        count: a.count + c.count,
        first: a.first,
        min: a.min.map((m, k) => pick(m, c.min[k] as Indexed<T>, k, true)),
        max: a.max.map((m, k) => pick(m, c.max[k] as Indexed<T>, k, false)),
      });
    }
    this.full = merged;
    this.width *= 2;
  }

  /** The kept points, in push order (the first and last point always among them). */
  points(): T[] {
    const kept = new Map<number, T>();
    const add = (x: Indexed<T>): void => {
      kept.set(x.i, x.p);
    };
    for (const b of this.cur === undefined ? this.full : [...this.full, this.cur]) {
      add(b.first);
      b.min.forEach(add);
      b.max.forEach(add);
    }
    if (this.last !== undefined) add(this.last);
    return [...kept.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  }
}

/** Keeps every item up to `max`, then every 2nd, 4th, ... (stride doubling). */
export class StrideSampler<T> {
  private readonly max: number;
  private stride = 1;
  private kept: { readonly i: number; readonly p: T }[] = [];
  private n = 0;

  constructor(max: number) {
    this.max = Math.max(2, max);
  }

  get seen(): number {
    return this.n;
  }

  push(p: T): void {
    const i = this.n++;
    if (i % this.stride !== 0) return;
    this.kept.push({ i, p });
    if (this.kept.length > this.max) {
      this.stride *= 2;
      this.kept = this.kept.filter((x) => x.i % this.stride === 0);
    }
  }

  items(): T[] {
    return this.kept.map((x) => x.p);
  }
}

/** One symbol's drawn series (plain data: crosses worker threads as is). */
export interface SymbolSeries {
  readonly symbol: string;
  readonly points: ReportSymbolPoint[];
  readonly fills: ReportFill[];
  /** Klines: the price as candles of `candleMs`. */
  readonly candles?: ReportCandle[];
  readonly candleMs?: number;
  readonly gaps: ReportGap[];
  /** Outputs, fills and gaps seen while streaming (before sampling). */
  readonly pointsSeen: number;
  readonly fillsSeen: number;
  readonly gapsSeen: number;
}

/** The report series of one run. */
export interface RunSeries {
  readonly initialCapital: number;
  readonly symbols: SymbolSeries[];
  readonly portfolio: ReportPortfolioPoint[];
  readonly portfolioSeen: number;
  /** Stretches without data of any symbol. */
  readonly portfolioGaps: ReportGap[];
}

interface PortfolioPoint {
  readonly ts: number;
  readonly equity: number;
  readonly drawdown_pct: number;
  readonly fees: number;
  /** USD-M only (report-data.ts). */
  readonly funding?: number;
  readonly leverage?: number | null;
  readonly margin_use_pct?: number | null;
}

/** Liquidation fills kept per symbol (never thinned; later ones are counted). */
export const DEFAULT_SERIES_LIQUIDATIONS = 1000;

interface SymbolPoint {
  readonly ts: number;
  readonly mid: number;
  readonly position: number;
}

/** Gaps of one series: a new one whenever data pauses for longer than gapMs. */
class GapTracker {
  private last: number | undefined;
  readonly kept: ReportGap[] = [];
  seen = 0;

  constructor(
    private readonly gapMs: number,
    private readonly max: number,
  ) {}

  at(ts: number): void {
    if (this.last !== undefined && ts - this.last > this.gapMs) {
      this.seen++;
      if (this.kept.length < this.max) this.kept.push({ from: this.last, to: ts });
    }
    this.last = ts;
  }
}

interface SymbolAcc {
  position: Decimal;
  readonly points: StreamSampler<SymbolPoint>;
  readonly fills: StrideSampler<ReportFill>;
  /** Liquidation fills, kept apart from the thinned fills. */
  readonly liquidations: ReportFill[];
  liquidationsSeen: number;
  readonly candles: CandleSampler | undefined;
  readonly gaps: GapTracker;
}

interface FillJson {
  readonly ts: number;
  readonly side: string;
  readonly price: string;
  readonly quantity: string;
  readonly liquidity?: string;
}

export interface SeriesOptions {
  readonly maxBuckets?: number;
  readonly maxFills?: number;
  readonly maxCandles?: number;
  readonly maxGaps?: number;
  /** Klines: the interval; the price is drawn as candles of this width. */
  readonly candleMs?: number;
  /** Without data for longer than this, a series has a gap; default: candleMs or 10 minutes. */
  readonly gapMs?: number;
}

/** Builds a run's RunSeries from its outputs and equity points, in bounded memory. */
export class ReportSeriesBuilder {
  private readonly initial: Decimal;
  private readonly o: Required<Omit<SeriesOptions, "candleMs">> & { candleMs?: number };
  private symbols = new Map<string, SymbolAcc>();
  /** Running high-water mark of equity, starting at the initial capital. */
  private hwm: number;
  private portfolio: StreamSampler<PortfolioPoint>;
  private gaps: GapTracker;

  constructor(initialCapital: Decimal, opts: SeriesOptions = {}) {
    this.initial = initialCapital;
    this.o = {
      maxBuckets: opts.maxBuckets ?? DEFAULT_SERIES_BUCKETS,
      maxFills: opts.maxFills ?? DEFAULT_SERIES_FILLS,
      maxCandles: opts.maxCandles ?? DEFAULT_SERIES_CANDLES,
      maxGaps: opts.maxGaps ?? DEFAULT_SERIES_GAPS,
      candleMs: opts.candleMs,
      gapMs: opts.gapMs ?? opts.candleMs ?? DEFAULT_GAP_MS,
    };
    this.hwm = initialCapital.toNumber();
    this.portfolio = this.newPortfolio();
    this.gaps = new GapTracker(this.o.gapMs, this.o.maxGaps);
  }

  private newPortfolio(): StreamSampler<PortfolioPoint> {
    return new StreamSampler<PortfolioPoint>(this.o.maxBuckets, [
      (p) => p.equity,
      (p) => p.drawdown_pct,
      (p) => p.fees,
      (p) => p.funding ?? Number.NaN,
      (p) => p.leverage ?? Number.NaN,
      (p) => p.margin_use_pct ?? Number.NaN,
    ]);
  }

  /** A tap feeding this builder. */
  tap(): PaperTap {
    return {
      onTrading: () => this.reset(),
      onTick: (s, out) => this.push(s, out.json),
      onAccount: (ts, a) => this.pushAccount(ts, a),
    };
  }

  /** Start over (the run restarts its trading pass). */
  reset(): void {
    this.symbols = new Map();
    this.hwm = this.initial.toNumber();
    this.portfolio = this.newPortfolio();
    this.gaps = new GapTracker(this.o.gapMs, this.o.maxGaps);
  }

  /** An output and the snapshot it is for: the symbol's series. */
  push(snapshot: Snapshot, output: PaperOutputJson): void {
    const symbol = snapshot.symbol;
    let acc = this.symbols.get(symbol);
    if (acc === undefined) {
      acc = {
        position: Decimal.ZERO,
        points: new StreamSampler<SymbolPoint>(this.o.maxBuckets, [
          (p) => p.mid,
          (p) => p.position,
        ]),
        fills: new StrideSampler<ReportFill>(this.o.maxFills),
        liquidations: [],
        liquidationsSeen: 0,
        candles:
          this.o.candleMs === undefined
            ? undefined
            : new CandleSampler(this.o.candleMs, this.o.maxCandles),
        gaps: new GapTracker(this.o.gapMs, this.o.maxGaps),
      };
      this.symbols.set(symbol, acc);
    }
    const fills = output.fills as readonly FillJson[] | undefined;
    for (const f of fills ?? []) {
      const qty = Decimal.parse(f.quantity);
      acc.position = f.side === "SELL" ? acc.position.sub(qty) : acc.position.add(qty);
      const fill: ReportFill = {
        ts: f.ts,
        side: f.side,
        price: f.price,
        qty: f.quantity,
        ...(f.liquidity === undefined ? {} : { liquidity: f.liquidity }),
      };
      if (f.liquidity !== "liquidation") acc.fills.push(fill);
      else if (acc.liquidationsSeen++ < DEFAULT_SERIES_LIQUIDATIONS) acc.liquidations.push(fill);
    }
    const ts = snapshot.ts;
    const mid = snapshot.midPrice.toNumber();
    acc.points.push({ ts, mid, position: acc.position.toNumber() });
    acc.candles?.push(ts, mid);
    acc.gaps.at(ts);
    this.gaps.at(ts);
  }

  /** An equity point: the portfolio series. */
  pushAccount(ts: number, a: AccountState): void {
    const equity = a.equity.toNumber();
    if (equity > this.hwm) this.hwm = equity;
    const floor = Math.max(0, equity);
    const dd = this.hwm > 0 ? Math.min(100, ((this.hwm - floor) / this.hwm) * 100) : 0;
    const m = a.margin;
    const ratios = m === undefined ? undefined : marginRatios(m);
    this.portfolio.push({
      ts,
      equity,
      drawdown_pct: dd,
      fees: a.fees.toNumber(),
      ...(m === undefined
        ? {}
        : {
            funding: a.funding.toNumber(),
            leverage: ratios?.leverage ?? null,
            margin_use_pct: ratios?.usePct ?? null,
          }),
    });
  }

  finish(): RunSeries {
    return {
      initialCapital: this.initial.toNumber(),
      symbols: [...this.symbols.entries()].map(([symbol, acc]) => ({
        symbol,
        points: acc.points.points(),
        fills:
          acc.liquidations.length === 0
            ? acc.fills.items()
            : [...acc.fills.items(), ...acc.liquidations].sort((x, y) => x.ts - y.ts),
        ...(acc.candles === undefined
          ? {}
          : { candles: acc.candles.items(), candleMs: acc.candles.widthMs }),
        gaps: acc.gaps.kept,
        pointsSeen: acc.points.seen,
        fillsSeen: acc.fills.seen + acc.liquidationsSeen,
        gapsSeen: acc.gaps.seen,
      })),
      portfolio: this.portfolio.points(),
      portfolioSeen: this.portfolio.seen,
      portfolioGaps: this.gaps.kept,
    };
  }
}

/** Drawdown from the running peak (starting at `start`), negative equity counting as 0. */
function drawdownPct(peak: number, equity: number): number {
  return peak > 0 ? Math.min(100, ((peak - Math.max(0, equity)) / peak) * 100) : 0;
}

/**
 * Several independent runs (one account each) as one portfolio: at every
 * point of any run, the sum of the initial capitals plus each run's latest
 * PnL (0 before its first point), and the sum of their latest fees; drawdown
 * from the combined high-water mark (which starts at the combined initial
 * capital).
 */
export function combinePortfolios(runs: readonly RunSeries[]): ReportPortfolioPoint[] {
  if (runs.length === 1) return (runs[0] as RunSeries).portfolio;
  const base = runs.reduce((a, r) => a + r.initialCapital, 0);
  const events: { ts: number; run: number; pnl: number; fees: number }[] = [];
  runs.forEach((r, run) => {
    for (const p of r.portfolio) {
      const fees = p.fees === undefined ? 0 : Number(p.fees);
      events.push({ ts: p.ts, run, pnl: Number(p.equity) - r.initialCapital, fees });
    }
  });
  // Stable: equal ts keep run order, then point order.
  events.sort((a, b) => a.ts - b.ts);
  const pnl = runs.map(() => 0);
  const fees = runs.map(() => 0);
  let peak = base;
  return events.map((e) => {
    pnl[e.run] = e.pnl;
    fees[e.run] = e.fees;
    const equity = pnl.reduce((a, x) => a + x, base);
    if (equity > peak) peak = equity;
    return {
      ts: e.ts,
      equity,
      drawdown_pct: drawdownPct(peak, equity),
      fees: fees.reduce((a, x) => a + x, 0),
    };
  });
}

/** Notes on what streaming downsampling dropped (shown under the report title). */
function samplingNotes(runs: readonly { label?: string; series: RunSeries }[]): string[] {
  const notes: string[] = [];
  for (const { label, series } of runs) {
    for (const s of series.symbols) {
      const name = label ? `${label} ${s.symbol}` : s.symbol;
      if (s.points.length < s.pointsSeen) {
        notes.push(`${name}: ${s.pointsSeen} points, ${s.points.length} kept while streaming`);
      }
      if (s.fills.length < s.fillsSeen) {
        notes.push(`${name}: ${s.fillsSeen} fills, ${s.fills.length} kept while streaming`);
      }
      if (s.gaps.length < s.gapsSeen) {
        notes.push(`${name}: ${s.gapsSeen} gaps in the data, the first ${s.gaps.length} drawn`);
      }
    }
  }
  return notes;
}

export interface ReportInput {
  readonly title: string;
  readonly meta: readonly { readonly label: string; readonly value: ReportCell }[];
  readonly summary: ReportTable;
  /** One entry per run; with several, each symbol is prefixed by its run's label. */
  readonly runs: readonly { readonly label?: string; readonly series: RunSeries }[];
  /** The run summary (one run only): the report's summary panel. */
  readonly runSummary?: RunSummaryJson;
  /** Unit of money (quote asset). */
  readonly quote?: string;
  /** Notes on the data read (missing days, skipped rows, ...). */
  readonly sourceNotes?: readonly string[];
}

/** The input of renderBacktestReport for one or more runs. */
export function reportData(input: ReportInput): BacktestReportData {
  const symbols: ReportSymbolSeries[] = input.runs.flatMap(({ label, series }) =>
    series.symbols.map((s) => ({
      symbol: label ? `${label} ${s.symbol}` : s.symbol,
      points: s.points,
      fills: s.fills,
      gaps: s.gaps,
      ...(s.candles === undefined ? {} : { candles: s.candles, candleMs: s.candleMs }),
    })),
  );
  const notes = samplingNotes(input.runs);
  const meta = [...input.meta];
  if (input.runs.length > 1) {
    meta.push({
      label: "portfolio",
      value: `sum of the ${input.runs.length} runs' accounts (each with its own initial capital)`,
    });
  }
  for (const n of notes) meta.push({ label: "sampling", value: n });
  const single = input.runs.length === 1 ? input.runs[0] : undefined;
  return {
    title: input.title,
    meta,
    summary: input.summary,
    portfolio: combinePortfolios(input.runs.map((r) => r.series)),
    portfolioGaps: single?.series.portfolioGaps ?? [],
    symbols,
    ...(input.runSummary === undefined ? {} : { runSummary: input.runSummary }),
    ...(input.quote === undefined ? {} : { quote: input.quote }),
    ...(input.sourceNotes === undefined ? {} : { sourceNotes: input.sourceNotes }),
  };
}
