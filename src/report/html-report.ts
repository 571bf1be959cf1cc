/**
 * A self-contained HTML page for a backtest: the run summary (rounded for
 * reading), the per-symbol (or per-fixture) table, source notes, events
 * blocked by reason, then charts: equity with fees, drawdown, and per symbol
 * the price (candles for klines, else the mid) with fill markers and the
 * position. Charts are drawn by uPlot (chart-library.ts), inlined with the
 * data (JSON) and the drawing script (chart-script.ts): no external URL is
 * referenced. Long series are downsampled (bucket min/max, downsample.ts),
 * candles merged, dense fills thinned, each with a visible note; stretches
 * without data are drawn as breaks. The output is a pure function of the
 * input and the installed uPlot (no clock, no randomness).
 */

import { InvalidInputError } from "../core/errors.js";
import { assetsOf } from "../domain/instrument.js";
import { coarsenCandles } from "./candle-sampler.js";
import { chartLibrary } from "./chart-library.js";
import { CHART_SCRIPT } from "./chart-script.js";
import { downsampleIndices, inTsOrder, thinIndices } from "./downsample.js";
import {
  chartScripts,
  escapeHtml,
  htmlDocument,
  htmlTable,
  legend,
  metaList,
  REPORT_STYLE,
} from "./html-parts.js";
import type {
  BacktestReportData,
  ReportCell,
  ReportGap,
  ReportNumber,
  ReportSymbolSeries,
} from "./report-data.js";
import type { RunSummaryJson } from "./summary.js";
import { formatSummaryValue, SUMMARY_LABELS, shownSummaryKeys } from "./summary-format.js";

export const DEFAULT_MAX_POINTS = 2000;
export const DEFAULT_MAX_FILLS = 5000;

function num(v: ReportNumber): number | null {
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : v.toNumber();
  return Number.isFinite(n) ? n : null;
}

function isBuy(side: string, symbol: string): boolean {
  const s = side.toUpperCase();
  if (s === "BUY") return true;
  if (s === "SELL") return false;
  throw new InvalidInputError(
    `report: ${symbol} fill side: expected BUY or SELL, got ${JSON.stringify(side)}`,
  );
}

/**
 * Columns (time first) with a row of nulls in the middle of every gap that
 * has no row inside it: a line drawn through the columns breaks there.
 */
function withGaps(
  t: readonly number[],
  cols: readonly (readonly (number | null)[])[],
  gaps: readonly ReportGap[],
): { t: number[]; cols: (number | null)[][] } {
  const outT: number[] = [];
  const out = cols.map(() => [] as (number | null)[]);
  const sorted = [...gaps].sort((a, b) => a.from - b.from);
  let g = 0;
  for (let i = 0; i <= t.length; i++) {
    const ti = i < t.length ? (t[i] as number) : Number.POSITIVE_INFINITY;
    // Gaps that end before this row and started at or after the previous row.
    while (g < sorted.length && (sorted[g] as ReportGap).to <= ti) {
      const gap = sorted[g] as ReportGap;
      const mid = gap.from + (gap.to - gap.from) / 2;
      const prev = outT.length > 0 ? (outT[outT.length - 1] as number) : Number.NEGATIVE_INFINITY;
      if (mid > prev && mid < ti) {
        outT.push(mid);
        for (const c of out) c.push(null);
      }
      g++;
    }
    if (i === t.length) break;
    outT.push(ti);
    cols.forEach((c, k) => {
      (out[k] as (number | null)[]).push(c[i] ?? null);
    });
  }
  return { t: outT, cols: out };
}

/** "5-minute", "1-hour", "1-day", "30-second". */
function candleWidth(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ];
  for (const [size, name] of units) if (ms % size === 0) return `${ms / size}-${name}`;
  return `${ms} ms`;
}

interface SymbolChart {
  readonly data: {
    symbol: string;
    base: string;
    line: { t: number[]; mid: (number | null)[]; pos: (number | null)[] };
    candles: { ms: number; t: number[]; o: number[]; h: number[]; l: number[]; c: number[] } | null;
    fills: { t: number[]; p: (number | null)[]; q: string[]; buy: number[]; liq: number[] };
  };
  readonly notes: string[];
  readonly buys: number;
  readonly sells: number;
  readonly liquidations: number;
  readonly finalPosition: string;
}

function symbolChart(s: ReportSymbolSeries, maxPoints: number, maxFills: number): SymbolChart {
  const points = inTsOrder(s.points);
  const mids = points.map((p) => num(p.mid));
  const pos = points.map((p) => num(p.position));
  const keep = downsampleIndices(points.length, maxPoints, [
    (i) => mids[i] ?? 0,
    (i) => pos[i] ?? 0,
  ]);
  const fills = inTsOrder(s.fills);
  const buyFlags = fills.map((f) => isBuy(f.side, s.symbol));
  const liqFlags = fills.map((f) => f.liquidity === "liquidation");
  // Liquidations are always drawn; the other fills are thinned.
  const thinned = thinIndices(fills.length, maxFills);
  const shown = liqFlags.some((x) => x)
    ? [...new Set([...thinned, ...liqFlags.flatMap((x, i) => (x ? [i] : []))])].sort(
        (a, b) => a - b,
      )
    : thinned;
  const notes: string[] = [];
  if (keep.length < points.length) {
    notes.push(`${points.length} points, ${keep.length} drawn (bucket min/max)`);
  }
  if (shown.length < fills.length) notes.push(`showing ${shown.length} of ${fills.length} fills`);
  let candles: SymbolChart["data"]["candles"] = null;
  if (s.candles !== undefined && s.candles.length > 0) {
    const width = s.candleMs ?? 60_000;
    const c = coarsenCandles(inTsOrder(s.candles), width, maxPoints);
    notes.push(`${candleWidth(c.widthMs)} candles${c.widthMs !== width ? " (merged)" : ""}`);
    candles = {
      ms: c.widthMs,
      t: c.candles.map((x) => x.ts),
      o: c.candles.map((x) => x.open),
      h: c.candles.map((x) => x.high),
      l: c.candles.map((x) => x.low),
      c: c.candles.map((x) => x.close),
    };
  }
  const gaps = s.gaps ?? [];
  if (gaps.length > 0) notes.push(`${gaps.length} gap(s) in the data, drawn as breaks`);
  const line = withGaps(
    keep.map((i) => (points[i] as (typeof points)[number]).ts),
    [keep.map((i) => mids[i] ?? null), keep.map((i) => pos[i] ?? null)],
    gaps,
  );
  const last = points[points.length - 1];
  const words = s.symbol.split(" ");
  return {
    data: {
      symbol: s.symbol,
      base: assetsOf(words[words.length - 1] as string).base,
      line: { t: line.t, mid: line.cols[0] ?? [], pos: line.cols[1] ?? [] },
      candles,
      fills: {
        t: shown.map((i) => (fills[i] as (typeof fills)[number]).ts),
        p: shown.map((i) => num((fills[i] as (typeof fills)[number]).price)),
        q: shown.map((i) => String((fills[i] as (typeof fills)[number]).qty)),
        buy: shown.map((i) => (buyFlags[i] ? 1 : 0)),
        liq: shown.map((i) => (liqFlags[i] ? 1 : 0)),
      },
    },
    notes,
    buys: buyFlags.filter((b) => b).length,
    sells: buyFlags.filter((b) => !b).length,
    liquidations: liqFlags.filter((x) => x).length,
    finalPosition: last === undefined ? "0" : String(last.position),
  };
}

function limit(v: number | undefined, fallback: number, name: string): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < 10) {
    throw new InvalidInputError(`report: ${name}: expected an integer >= 10, got ${String(v)}`);
  }
  return n;
}

/** The summary panel: every metric but the blocked events (a table of their own). */
function summaryPanel(s: RunSummaryJson, quote: string): string {
  const metrics = shownSummaryKeys(s)
    .filter((k) => k !== "blocked_by_reason")
    .map(
      (k) =>
        `<div class="metric" data-key="${k}"><dt>${escapeHtml(SUMMARY_LABELS[k])}</dt><dd>${escapeHtml(formatSummaryValue(k, s, quote))}</dd></div>`,
    );
  return [
    `<section id="run-summary">`,
    "<h2>Summary</h2>",
    `<p class="note">Rounded for reading (money to the cent${quote ? `, in ${escapeHtml(quote)}` : ""}); the JSON summary (--out) has the exact values. Sharpe and Sortino come from hourly equity returns, annualised with &radic;(24&times;365); docs/SIMULATION.md defines every metric.</p>`,
    `<dl class="panel">\n${metrics.join("\n")}\n</dl>`,
    "</section>",
  ].join("\n");
}

function blockedTable(s: RunSummaryJson): string {
  const rows = Object.entries(s.blocked_by_reason).map(([k, n]): ReportCell[] => [k, n]);
  const body =
    rows.length === 0
      ? `<p class="note">Nothing was blocked.</p>`
      : htmlTable(["reason", "count"], rows);
  return `<section id="blocked">\n<h2>Blocked by reason</h2>\n<p class="note">Events on which a gate, the controller or a guard kept the strategy from placing orders, and orders the venue's rules refused (filters, balance, exposure), by reason.</p>\n${body}\n</section>`;
}

function sourceNotes(notes: readonly string[]): string {
  const items =
    notes.length === 0 ? "<li>none</li>" : notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("\n");
  return `<section id="source-notes">\n<h2>Source notes</h2>\n<ul class="notes">\n${items}\n</ul>\n</section>`;
}

/** USD-M: effective leverage and margin use over time. */
function marginSection(): string {
  return [
    "<section>",
    "<h2>Leverage and margin</h2>",
    `<p class="note">From the simulated margin account at each equity point, at its marks: effective leverage = sum of |position| x mark / margin balance; margin use = initial margin of positions and open orders / margin balance. Not drawn where the margin balance is not positive.</p>`,
    legend([
      ["#0f766e", "effective leverage (x)"],
      ["#be185d", "margin use (%), right axis"],
    ]),
    `<div class="chart" data-chart="margin"></div>`,
    "</section>",
  ].join("\n");
}

const HOW_TO =
  "Drag across a chart to zoom (all charts follow); double-click to zoom out; hover for values. Times are UTC.";

/** The report as one HTML document. */
export function renderBacktestReport(data: BacktestReportData): string {
  const maxPoints = limit(data.maxPoints, DEFAULT_MAX_POINTS, "maxPoints");
  const maxFills = limit(data.maxFills, DEFAULT_MAX_FILLS, "maxFills");
  const title = data.title ?? "grinder backtest report";
  const quote = data.quote ?? "";
  const lib = chartLibrary();

  const portfolio = inTsOrder(data.portfolio);
  const equity = portfolio.map((p) => num(p.equity));
  const dd = portfolio.map((p) => num(p.drawdown_pct));
  const hasFees = portfolio.some((p) => p.fees !== undefined);
  const fees = portfolio.map((p) => (p.fees === undefined ? null : num(p.fees)));
  const opt = (v: ReportNumber | null | undefined): number | null =>
    v === undefined || v === null ? null : num(v);
  // USD-M: cumulative funding, effective leverage and margin use.
  const hasMargin = portfolio.some((p) => p.leverage !== undefined);
  const funding = portfolio.map((p) => opt(p.funding));
  const leverage = portfolio.map((p) => opt(p.leverage));
  const marginUse = portfolio.map((p) => opt(p.margin_use_pct));
  const keep = downsampleIndices(portfolio.length, maxPoints, [
    (i) => equity[i] ?? 0,
    (i) => dd[i] ?? 0,
    (i) => fees[i] ?? 0,
    ...(hasMargin
      ? [
          (i: number) => funding[i] ?? 0,
          (i: number) => leverage[i] ?? 0,
          (i: number) => marginUse[i] ?? 0,
        ]
      : []),
  ]);
  const portfolioNote =
    keep.length < portfolio.length
      ? `${portfolio.length} points, ${keep.length} drawn (bucket min/max)`
      : `${portfolio.length} points`;
  const pf = withGaps(
    keep.map((i) => (portfolio[i] as (typeof portfolio)[number]).ts),
    [
      keep.map((i) => equity[i] ?? null),
      keep.map((i) => dd[i] ?? null),
      keep.map((i) => fees[i] ?? null),
      keep.map((i) => funding[i] ?? null),
      keep.map((i) => leverage[i] ?? null),
      keep.map((i) => marginUse[i] ?? null),
    ],
    data.portfolioGaps ?? [],
  );
  const symbols = data.symbols.map((s) => symbolChart(s, maxPoints, maxFills));

  const embedded = {
    quote,
    portfolio: {
      t: pf.t,
      equity: pf.cols[0],
      dd: pf.cols[1],
      fees: hasFees ? pf.cols[2] : null,
      funding: hasMargin ? pf.cols[3] : null,
      lev: hasMargin ? pf.cols[4] : null,
      use: hasMargin ? pf.cols[5] : null,
    },
    symbols: symbols.map((s) => s.data),
  };

  const meta = metaList(data.meta);

  const unit = quote ? ` (${escapeHtml(quote)})` : "";
  const symbolSections = symbols
    .map((s, i) => {
      const liq = s.liquidations > 0 ? `, ${s.liquidations} liquidation(s)` : "";
      const facts = `${s.buys} buy and ${s.sells} sell fill(s)${liq}; final position ${escapeHtml(s.finalPosition)}`;
      const notes = [facts, ...s.notes.map(escapeHtml)].join(" · ");
      const price =
        s.data.candles === null
          ? legend([["#334155", `mid price${unit}`]])
          : legend([
              ["#16a34a", "candle up"],
              ["#dc2626", "candle down"],
            ]);
      return [
        `<section class="symbol">`,
        `<h2>${escapeHtml(s.data.symbol)}</h2>`,
        `<p class="note">${notes}</p>`,
        price.replace(
          "</p>",
          `<span>&#9650; buy fill</span><span>&#9660; sell fill</span>${s.liquidations > 0 ? "<span>&#10006; liquidation</span>" : ""}</p>`,
        ),
        `<div class="chart" data-chart="price" data-symbol-index="${i}"></div>`,
        legend([["#7c3aed", `position (${escapeHtml(s.data.base)})`]]),
        `<div class="chart" data-chart="position" data-symbol-index="${i}"></div>`,
        `</section>`,
      ].join("\n");
    })
    .join("\n");

  const equityLegend: [string, string][] = [["#2563eb", `equity${unit}`]];
  if (hasFees) equityLegend.push(["#d97706", `fees paid${unit}, right axis`]);
  if (hasMargin)
    equityLegend.push(["#0d9488", `funding received (+) / paid (-)${unit}, right axis`]);
  const rs = data.runSummary;
  return htmlDocument(title, `${lib.css}\n${REPORT_STYLE}`, [
    `<header>\n<h1>${escapeHtml(title)}</h1>\n${meta}\n</header>`,
    rs === undefined ? "" : summaryPanel(rs, quote),
    `<section id="summary">\n<h2>${rs === undefined ? "Summary" : "Per symbol"}</h2>\n${htmlTable(data.summary.columns, data.summary.rows)}\n</section>`,
    data.sourceNotes === undefined ? "" : sourceNotes(data.sourceNotes),
    rs === undefined ? "" : blockedTable(rs),
    `<section>\n<h2>Equity</h2>\n<p class="note">${portfolioNote}. ${HOW_TO}</p>\n${legend(equityLegend)}\n<div class="chart" data-chart="equity"></div>\n</section>`,
    hasMargin ? marginSection() : "",
    `<section>\n<h2>Drawdown</h2>\n${legend([["#dc2626", "drawdown below the running peak (%)"]])}\n<div class="chart" data-chart="drawdown"></div>\n</section>`,
    symbolSections,
    ...chartScripts(lib, "report-data", embedded, CHART_SCRIPT),
  ]);
}
