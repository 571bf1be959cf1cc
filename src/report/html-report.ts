/**
 * A self-contained HTML page for a backtest: summary table, equity curve,
 * drawdown, and per symbol the mid price with fill markers over the position.
 * No external URL is referenced: styles, data (JSON) and the drawing script
 * (inline SVG) are all embedded. Long series are downsampled (bucket min/max,
 * see downsample.ts) and dense fills thinned, each with a visible note.
 * The output is a pure function of the input (no clock, no randomness).
 */

import { InvalidInputError } from "../core/errors.js";
import { CHART_SCRIPT } from "./chart-script.js";
import { downsampleIndices, thinIndices } from "./downsample.js";
import type {
  BacktestReportData,
  ReportCell,
  ReportNumber,
  ReportSymbolSeries,
} from "./report-data.js";

export const DEFAULT_MAX_POINTS = 2000;
export const DEFAULT_MAX_FILLS = 5000;

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #0f172a; background: #fff; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 28px 0 6px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; color: #334155; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #cbd5e1; padding: 4px 10px; text-align: right; }
th { background: #f1f5f9; }
td:first-child, th:first-child { text-align: left; }
.note { color: #64748b; margin: 0 0 4px; font-size: 12px; }
.chart { border: 1px solid #e2e8f0; border-radius: 4px; }
.chart svg { display: block; }
.axis text { font-size: 11px; fill: #475569; }
.axis .label { font-size: 12px; font-weight: 600; fill: #0f172a; }
.grid { stroke: #eef2f7; stroke-width: 1; }
.frame { fill: none; stroke: #cbd5e1; }
.zero { stroke: #94a3b8; stroke-dasharray: 4 3; }
.line { fill: none; stroke-width: 1.5; stroke-linejoin: round; }
.equity { stroke: #2563eb; }
.line.drawdown { stroke: #dc2626; }
.area.drawdown { fill: rgba(220, 38, 38, 0.18); stroke: none; }
.mid { stroke: #334155; stroke-width: 1.2; }
.position { stroke: #7c3aed; }
.fill.buy { fill: #16a34a; }
.fill.sell { fill: #dc2626; }
.cross { stroke: #94a3b8; stroke-width: 1; }
.tip { font-size: 12px; fill: #0f172a; }
`;

function num(v: ReportNumber): number | null {
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : v.toNumber();
  return Number.isFinite(n) ? n : null;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** JSON that is safe inside a <script> element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function cell(v: ReportCell): string {
  return escapeHtml(typeof v === "number" ? String(v) : v);
}

/** Stable sort by ts when a series is not already in order. */
function inTsOrder<T extends { readonly ts: number }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if ((items[i] as T).ts < (items[i - 1] as T).ts) {
      return items
        .map((item, idx) => ({ item, idx }))
        .sort((a, b) => a.item.ts - b.item.ts || a.idx - b.idx)
        .map((x) => x.item);
    }
  }
  return items;
}

function isBuy(side: string, symbol: string): boolean {
  const s = side.toUpperCase();
  if (s === "BUY") return true;
  if (s === "SELL") return false;
  throw new InvalidInputError(
    `report: ${symbol} fill side: expected BUY or SELL, got ${JSON.stringify(side)}`,
  );
}

interface SymbolChart {
  readonly data: {
    symbol: string;
    t: number[];
    mid: (number | null)[];
    pos: (number | null)[];
    fills: { t: number[]; p: (number | null)[]; buy: number[] };
  };
  readonly notes: string[];
  readonly buys: number;
  readonly sells: number;
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
  const shown = thinIndices(fills.length, maxFills);
  const notes: string[] = [];
  if (keep.length < points.length) {
    notes.push(`${points.length} points, ${keep.length} drawn (bucket min/max)`);
  }
  if (shown.length < fills.length) notes.push(`showing ${shown.length} of ${fills.length} fills`);
  const last = points[points.length - 1];
  return {
    data: {
      symbol: s.symbol,
      t: keep.map((i) => (points[i] as (typeof points)[number]).ts),
      mid: keep.map((i) => mids[i] ?? null),
      pos: keep.map((i) => pos[i] ?? null),
      fills: {
        t: shown.map((i) => (fills[i] as (typeof fills)[number]).ts),
        p: shown.map((i) => num((fills[i] as (typeof fills)[number]).price)),
        buy: shown.map((i) => (buyFlags[i] ? 1 : 0)),
      },
    },
    notes,
    buys: buyFlags.filter((b) => b).length,
    sells: buyFlags.filter((b) => !b).length,
    finalPosition: last === undefined ? "0" : String(last.position),
  };
}

function table(columns: readonly string[], rows: readonly (readonly ReportCell[])[]): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function limit(v: number | undefined, fallback: number, name: string): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < 10) {
    throw new InvalidInputError(`report: ${name}: expected an integer >= 10, got ${String(v)}`);
  }
  return n;
}

/** The report as one HTML document. */
export function renderBacktestReport(data: BacktestReportData): string {
  const maxPoints = limit(data.maxPoints, DEFAULT_MAX_POINTS, "maxPoints");
  const maxFills = limit(data.maxFills, DEFAULT_MAX_FILLS, "maxFills");
  const title = data.title ?? "grinder backtest report";

  const portfolio = inTsOrder(data.portfolio);
  const equity = portfolio.map((p) => num(p.equity));
  const dd = portfolio.map((p) => num(p.drawdown_pct));
  const keep = downsampleIndices(portfolio.length, maxPoints, [
    (i) => equity[i] ?? 0,
    (i) => dd[i] ?? 0,
  ]);
  const portfolioNote =
    keep.length < portfolio.length
      ? `${portfolio.length} points, ${keep.length} drawn (bucket min/max)`
      : `${portfolio.length} points`;
  const symbols = data.symbols.map((s) => symbolChart(s, maxPoints, maxFills));

  const embedded = {
    portfolio: {
      t: keep.map((i) => (portfolio[i] as (typeof portfolio)[number]).ts),
      equity: keep.map((i) => equity[i] ?? null),
      dd: keep.map((i) => dd[i] ?? null),
    },
    symbols: symbols.map((s) => s.data),
  };

  const meta =
    data.meta === undefined || data.meta.length === 0
      ? ""
      : `<dl class="meta">\n${data.meta
          .map((m) => `<dt>${escapeHtml(m.label)}</dt><dd>${cell(m.value)}</dd>`)
          .join("\n")}\n</dl>`;

  const symbolSections = symbols
    .map((s, i) => {
      const facts = `${s.buys} buy and ${s.sells} sell fill(s); final position ${escapeHtml(s.finalPosition)}`;
      const notes = [facts, ...s.notes.map(escapeHtml)].join(" · ");
      return [
        `<section class="symbol">`,
        `<h2>${escapeHtml(s.data.symbol)}</h2>`,
        `<p class="note">${notes}</p>`,
        `<div class="chart" data-chart="symbol" data-symbol-index="${i}"></div>`,
        `</section>`,
      ].join("\n");
    })
    .join("\n");

  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<header>\n<h1>${escapeHtml(title)}</h1>\n${meta}\n</header>`,
    `<section id="summary">\n<h2>Summary</h2>\n${table(data.summary.columns, data.summary.rows)}\n</section>`,
    `<section>\n<h2>Equity</h2>\n<p class="note">${portfolioNote}</p>\n<div class="chart" data-chart="equity"></div>\n</section>`,
    `<section>\n<h2>Drawdown</h2>\n<div class="chart" data-chart="drawdown"></div>\n</section>`,
    symbolSections,
    "<noscript><p>The charts are drawn by an inline script; enable JavaScript to see them.</p></noscript>",
    `<script type="application/json" id="report-data">${jsonForScript(embedded)}</script>`,
    `<script>${CHART_SCRIPT}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
