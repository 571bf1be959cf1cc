/**
 * The data of the HTML report, built while a run streams, in bounded memory:
 * per symbol the mid price and position after every output, and its fills;
 * for the portfolio the equity (initial capital + the sum over symbols of the
 * latest realized + unrealized PnL, from each output's per-symbol
 * `pnl_snapshot`) and the drawdown from the running high-water mark (which
 * starts at the initial capital).
 *
 * Long series are downsampled on the fly: points fall into buckets of `width`
 * consecutive points, each bucket keeping its first point and the points with
 * the minimum and maximum of every drawn value (so spikes, the deepest
 * drawdown and position extremes survive); when the bucket count reaches its
 * cap, neighbouring buckets merge and the width doubles. Fills are kept up to
 * a cap, then every 2nd, 4th, ... fill. The report renderer then downsamples
 * again to what it draws.
 */

import { Decimal } from "../../core/decimal.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type {
  BacktestReportData,
  ReportCell,
  ReportFill,
  ReportPortfolioPoint,
  ReportSymbolPoint,
  ReportSymbolSeries,
  ReportTable,
} from "../../report/report-data.js";
import type { PaperOutputJson, PaperTap } from "./backtest-tap.js";

/** Buckets kept per series (each holds up to 1 + 2 x values points). */
export const DEFAULT_SERIES_BUCKETS = 2048;
/** Fills kept per symbol before thinning. */
export const DEFAULT_SERIES_FILLS = 20_000;

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
  /** Outputs and fills seen while streaming (before sampling). */
  readonly pointsSeen: number;
  readonly fillsSeen: number;
}

/** The report series of one run. */
export interface RunSeries {
  readonly initialCapital: number;
  readonly symbols: SymbolSeries[];
  readonly portfolio: ReportPortfolioPoint[];
  readonly portfolioSeen: number;
}

interface PortfolioPoint {
  readonly ts: number;
  readonly equity: number;
  readonly drawdown_pct: number;
}

interface SymbolPoint {
  readonly ts: number;
  readonly mid: number;
  readonly position: number;
}

interface SymbolAcc {
  position: Decimal;
  readonly points: StreamSampler<SymbolPoint>;
  readonly fills: StrideSampler<ReportFill>;
}

interface FillJson {
  readonly ts: number;
  readonly side: string;
  readonly price: string;
  readonly quantity: string;
}

/** Builds a run's RunSeries from (snapshot, output) pairs, in bounded memory. */
export class ReportSeriesBuilder {
  private readonly initial: Decimal;
  private readonly maxBuckets: number;
  private readonly maxFills: number;
  private readonly symbols = new Map<string, SymbolAcc>();
  private readonly pnl = new Map<string, Decimal>();
  private pnlSum = Decimal.ZERO;
  /** Running high-water mark of equity, starting at the initial capital. */
  private hwm: number;
  private readonly portfolio: StreamSampler<PortfolioPoint>;

  constructor(
    initialCapital: Decimal,
    opts: { readonly maxBuckets?: number; readonly maxFills?: number } = {},
  ) {
    this.initial = initialCapital;
    this.hwm = initialCapital.toNumber();
    this.maxBuckets = opts.maxBuckets ?? DEFAULT_SERIES_BUCKETS;
    this.maxFills = opts.maxFills ?? DEFAULT_SERIES_FILLS;
    this.portfolio = new StreamSampler<PortfolioPoint>(this.maxBuckets, [
      (p) => p.equity,
      (p) => p.drawdown_pct,
    ]);
  }

  /** A tap feeding this builder. */
  tap(): PaperTap {
    return { onTick: (s, out) => this.push(s, out) };
  }

  push(snapshot: Snapshot, output: PaperOutputJson): void {
    const symbol = snapshot.symbol;
    let acc = this.symbols.get(symbol);
    if (acc === undefined) {
      acc = {
        position: Decimal.ZERO,
        points: new StreamSampler<SymbolPoint>(this.maxBuckets, [(p) => p.mid, (p) => p.position]),
        fills: new StrideSampler<ReportFill>(this.maxFills),
      };
      this.symbols.set(symbol, acc);
    }
    const fills = output.fills as readonly FillJson[] | undefined;
    for (const f of fills ?? []) {
      const qty = Decimal.parse(f.quantity);
      acc.position = f.side === "SELL" ? acc.position.sub(qty) : acc.position.add(qty);
      acc.fills.push({ ts: f.ts, side: f.side, price: f.price, qty: f.quantity });
    }
    const ts = snapshot.ts;
    acc.points.push({ ts, mid: snapshot.midPrice.toNumber(), position: acc.position.toNumber() });

    const snap = output.pnl_snapshot as { readonly total_pnl?: string } | null | undefined;
    if (snap?.total_pnl !== undefined) {
      const v = Decimal.parse(snap.total_pnl);
      this.pnlSum = this.pnlSum.sub(this.pnl.get(symbol) ?? Decimal.ZERO).add(v);
      this.pnl.set(symbol, v);
    }
    const equity = this.initial.add(this.pnlSum).toNumber();
    if (equity > this.hwm) this.hwm = equity;
    const dd = this.hwm > 0 ? ((this.hwm - equity) / this.hwm) * 100 : 0;
    this.portfolio.push({ ts, equity, drawdown_pct: dd });
  }

  finish(): RunSeries {
    return {
      initialCapital: this.initial.toNumber(),
      symbols: [...this.symbols.entries()].map(([symbol, acc]) => ({
        symbol,
        points: acc.points.points(),
        fills: acc.fills.items(),
        pointsSeen: acc.points.seen,
        fillsSeen: acc.fills.seen,
      })),
      portfolio: this.portfolio.points(),
      portfolioSeen: this.portfolio.seen,
    };
  }
}

function drawdowns(
  ts: readonly number[],
  equity: readonly number[],
  start: number,
): ReportPortfolioPoint[] {
  let hwm = start;
  return ts.map((t, i) => {
    const e = equity[i] as number;
    if (e > hwm) hwm = e;
    return { ts: t, equity: e, drawdown_pct: hwm > 0 ? ((hwm - e) / hwm) * 100 : 0 };
  });
}

/**
 * Several independent runs (one account each) as one portfolio: at every
 * point of any run, the sum of the initial capitals plus each run's latest
 * PnL (0 before its first point); drawdown from the combined high-water mark
 * (which starts at the combined initial capital).
 */
export function combinePortfolios(runs: readonly RunSeries[]): ReportPortfolioPoint[] {
  if (runs.length === 1) return (runs[0] as RunSeries).portfolio;
  const base = runs.reduce((a, r) => a + r.initialCapital, 0);
  const events: { ts: number; run: number; pnl: number }[] = [];
  runs.forEach((r, run) => {
    for (const p of r.portfolio) {
      events.push({ ts: p.ts, run, pnl: Number(p.equity) - r.initialCapital });
    }
  });
  // Stable: equal ts keep run order, then point order.
  events.sort((a, b) => a.ts - b.ts);
  const cur = runs.map(() => 0);
  const ts: number[] = [];
  const equity: number[] = [];
  for (const e of events) {
    cur[e.run] = e.pnl;
    ts.push(e.ts);
    equity.push(cur.reduce((a, x) => a + x, base));
  }
  return drawdowns(ts, equity, base);
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
}

/** The input of renderBacktestReport for one or more runs. */
export function reportData(input: ReportInput): BacktestReportData {
  const symbols: ReportSymbolSeries[] = input.runs.flatMap(({ label, series }) =>
    series.symbols.map((s) => ({
      symbol: label ? `${label} ${s.symbol}` : s.symbol,
      points: s.points,
      fills: s.fills,
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
  return {
    title: input.title,
    meta,
    summary: input.summary,
    portfolio: combinePortfolios(input.runs.map((r) => r.series)),
    symbols,
  };
}
