/**
 * The pieces the HTML pages of src/report share (the backtest report,
 * html-report.ts, and the sweep report, sweep-report.ts): the stylesheet,
 * HTML escaping, JSON safe inside a <script> element, a plain table, a
 * colour legend, the header's meta list, the chart scripts and the document
 * around it all.
 */

import type { ChartLibrary } from "./chart-library.js";
import type { ReportCell } from "./report-data.js";

/** The pages' stylesheet (after uPlot's own). */
export const REPORT_STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #0f172a; background: #fff; }
h1 { font-size: 22px; margin: 0 0 8px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 28px 0 6px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; color: #334155; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
dl.panel { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 8px; margin: 0; }
dl.panel .metric { border: 1px solid #e2e8f0; border-radius: 4px; padding: 6px 10px; }
dl.panel dt { font-size: 12px; color: #475569; }
dl.panel dd { margin: 0; font-size: 17px; font-weight: 600; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #cbd5e1; padding: 4px 10px; text-align: right; }
th { background: #f1f5f9; }
td:first-child, th:first-child { text-align: left; }
.note { color: #64748b; margin: 0 0 4px; font-size: 12px; }
ul.notes { margin: 0; padding-left: 20px; }
.legend { font-size: 12px; color: #334155; margin: 0 0 4px; }
.legend span { margin-right: 14px; white-space: nowrap; }
.sw { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-right: 4px; }
.chart { border: 1px solid #e2e8f0; border-radius: 4px; margin-bottom: 6px; min-height: 40px; }
.chart-tip { position: absolute; z-index: 10; pointer-events: none; background: rgba(255, 255, 255, 0.95); border: 1px solid #cbd5e1; border-radius: 3px; padding: 4px 6px; font-size: 12px; white-space: nowrap; font-variant-numeric: tabular-nums; }
.chart-tip .t { font-weight: 600; }
`;

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** JSON that is safe inside a <script> element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A cell's text, escaped (numbers as String gives them). */
export function cellText(v: ReportCell): string {
  return escapeHtml(typeof v === "number" ? String(v) : v);
}

/** A table of escaped text in a horizontally scrolling wrapper. */
export function htmlTable(
  columns: readonly string[],
  rows: readonly (readonly ReportCell[])[],
): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${r.map((v) => `<td>${cellText(v)}</td>`).join("")}</tr>`)
    .join("\n");
  return `<div class="table-wrap"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/** A line of colour swatches; the labels are HTML (escaped by the caller). */
export function legend(items: readonly [string, string][]): string {
  return `<p class="legend">${items
    .map(([color, label]) => `<span><i class="sw" style="background:${color}"></i>${label}</span>`)
    .join("")}</p>`;
}

/** The header's label/value list; "" when there is none. */
export function metaList(
  meta: readonly { readonly label: string; readonly value: ReportCell }[] | undefined,
): string {
  return meta === undefined || meta.length === 0
    ? ""
    : `<dl class="meta">\n${meta
        .map((m) => `<dt>${escapeHtml(m.label)}</dt><dd>${cellText(m.value)}</dd>`)
        .join("\n")}\n</dl>`;
}

/**
 * The charts' part of a page: a note for readers without scripts, the data
 * (JSON in `<script id=dataId>`), uPlot with its license, the drawing script.
 */
export function chartScripts(
  lib: ChartLibrary,
  dataId: string,
  data: unknown,
  script: string,
): string[] {
  return [
    "<noscript><p>The charts are drawn by an inline script; enable JavaScript to see them.</p></noscript>",
    `<script type="application/json" id="${dataId}">${jsonForScript(data)}</script>`,
    `<script>/*! ${lib.name} ${lib.version}\n${lib.license}\n*/\n${lib.script}</script>`,
    `<script>${script}</script>`,
  ];
}

/** A whole HTML document: `body` parts one a line (empty ones left out). */
export function htmlDocument(title: string, style: string, body: readonly string[]): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style>`,
    "</head>",
    "<body>",
    ...body,
    "</body>",
    "</html>",
    "",
  ]
    .filter((part) => part !== "")
    .join("\n");
}
