/**
 * The sweep report's walk-forward sections: the windows (train and test
 * spans, the chosen parameters, the objective in and out of sample), the
 * stitched out-of-sample equity (a chart container; sweep-chart-script.ts
 * draws it), the in-sample and out-of-sample objective per window as inline
 * SVG bars, and the stability of the chosen parameters.
 */

import { escapeHtml, htmlTable, legend } from "./html-parts.js";
import type {
  SweepObjective,
  SweepParamValue,
  WalkForwardReport,
  WalkForwardWindowRow,
} from "./sweep-report-data.js";
import { formatSweepValue, paramText, valueKey } from "./sweep-values.js";

const IN_SAMPLE = "#64748b";
const OUT_OF_SAMPLE = "#d97706";

/** Midnight UTC of a YYYY-MM-DD day, ms; undefined when not a real day. */
export function dayStartMs(day: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (m === null) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === day ? ms : undefined;
}

function mean(values: readonly (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function windowsTable(
  windows: readonly WalkForwardWindowRow[],
  parameters: readonly string[],
  key: string,
): string {
  return htmlTable(
    [
      "window",
      "train",
      "test",
      "chosen trial",
      ...parameters,
      `${key} in sample`,
      `${key} out of sample`,
    ],
    windows.map((w) => [
      String(w.index),
      `${w.trainFrom} .. ${w.trainTo}`,
      `${w.testFrom} .. ${w.testTo}`,
      w.chosenTrialId,
      ...parameters.map((p) => paramText(w.params[p])),
      formatSweepValue(key, w.inSample),
      formatSweepValue(key, w.outOfSample),
    ]),
  );
}

export interface StabilityRow {
  readonly parameter: string;
  /** The chosen value per window, in window order. */
  readonly chosen: readonly (SweepParamValue | undefined)[];
  readonly distinct: number;
  /** The value chosen most often (the first seen among equals) and how often. */
  readonly mostFrequent: SweepParamValue | undefined;
  readonly count: number;
}

export function parameterStability(
  windows: readonly WalkForwardWindowRow[],
  parameters: readonly string[],
): StabilityRow[] {
  return parameters.map((parameter) => {
    const chosen = windows.map((w) => w.params[parameter]);
    const counts = new Map<string, { v: SweepParamValue; n: number }>();
    for (const v of chosen) {
      if (v === undefined) continue;
      const c = counts.get(valueKey(v));
      if (c === undefined) counts.set(valueKey(v), { v, n: 1 });
      else c.n++;
    }
    let top: { v: SweepParamValue; n: number } | undefined;
    for (const c of counts.values()) if (top === undefined || c.n > top.n) top = c;
    return {
      parameter,
      chosen,
      distinct: counts.size,
      mostFrequent: top?.v,
      count: top?.n ?? 0,
    };
  });
}

function stabilityTable(
  windows: readonly WalkForwardWindowRow[],
  parameters: readonly string[],
): string {
  const rows = parameterStability(windows, parameters).map((r) => [
    r.parameter,
    ...r.chosen.map(paramText),
    String(r.distinct),
    paramText(r.mostFrequent),
    windows.length === 0
      ? "-"
      : `${r.count}/${windows.length} (${((100 * r.count) / windows.length).toFixed(1)} %)`,
  ]);
  return htmlTable(
    [
      "parameter",
      ...windows.map((w) => `W${w.index}`),
      "distinct values",
      "most frequent",
      "share of windows",
    ],
    rows,
  );
}

/** Inline SVG: per window, an in-sample and an out-of-sample bar from 0. */
export function objectiveBars(windows: readonly WalkForwardWindowRow[], key: string): string {
  const W = 860;
  const H = 240;
  const left = 80;
  const right = 10;
  const top = 12;
  const bottom = 34;
  const values = windows.flatMap((w) => [w.inSample, w.outOfSample]);
  const present = values.filter((v): v is number => v !== null);
  const lo = Math.min(0, ...present);
  let hi = Math.max(0, ...present);
  if (lo === hi) hi = lo + 1;
  const plotH = H - top - bottom;
  const yOf = (v: number): number => top + ((hi - v) / (hi - lo)) * plotH;
  const n = Math.max(1, windows.length);
  const groupW = (W - left - right) / n;
  const barW = Math.min(28, groupW * 0.36);
  const every = Math.ceil(n / 25);
  const f = (x: number): string => x.toFixed(1);
  const parts: string[] = [
    `<svg class="bars" data-chart="wf-objective" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeHtml(`${key} in and out of sample per window`)}">`,
    `<line x1="${left}" x2="${W - right}" y1="${f(yOf(0))}" y2="${f(yOf(0))}" stroke="#94a3b8"/>`,
  ];
  for (const v of new Set([hi, 0, lo])) {
    parts.push(
      `<text x="${left - 6}" y="${f(yOf(v) + 4)}" text-anchor="end">${escapeHtml(formatSweepValue(key, v))}</text>`,
    );
  }
  windows.forEach((w, i) => {
    const cx = left + groupW * (i + 0.5);
    const bars: [number | null, string, string, number][] = [
      [w.inSample, IN_SAMPLE, "in sample", cx - barW - 1],
      [w.outOfSample, OUT_OF_SAMPLE, "out of sample", cx + 1],
    ];
    for (const [v, colour, label, x] of bars) {
      const title = `<title>${escapeHtml(`W${w.index} ${label}: ${formatSweepValue(key, v)}`)}</title>`;
      if (v === null) {
        parts.push(
          `<text class="na" x="${f(x + barW / 2)}" y="${f(yOf(0) - 3)}" text-anchor="middle">${title}n/a</text>`,
        );
        continue;
      }
      const y0 = yOf(Math.max(v, 0));
      const h = Math.max(1, yOf(Math.min(v, 0)) - y0);
      parts.push(
        `<rect x="${f(x)}" y="${f(y0)}" width="${f(barW)}" height="${f(h)}" fill="${colour}">${title}</rect>`,
      );
    }
    if (i % every === 0) {
      parts.push(
        `<text x="${f(cx)}" y="${H - bottom + 16}" text-anchor="middle">W${w.index}</text>`,
      );
    }
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** The walk-forward sections; `stitchedNote` describes the drawn points. */
export function walkForwardSections(
  wf: WalkForwardReport,
  parameters: readonly string[],
  objective: SweepObjective,
  quote: string,
  stitchedNote: string,
): string {
  const key = objective.key;
  const inMean = mean(wf.windows.map((w) => w.inSample));
  const outMean = mean(wf.windows.map((w) => w.outOfSample));
  const unit = quote ? ` (${escapeHtml(quote)})` : "";
  const stitched =
    wf.stitchedEquity.length === 0
      ? `<p class="note">No out-of-sample equity was given.</p>`
      : [
          `<p class="note">${escapeHtml(stitchedNote)}. Each test span starts from the previous one's final equity; dashed lines mark the test spans' starts. Drag to zoom, double-click to zoom out. Times are UTC.</p>`,
          legend([["#2563eb", `out-of-sample equity${unit}`]]),
          `<div class="chart" data-chart="wf-equity"></div>`,
        ].join("\n");
  return [
    `<section id="walk-forward">`,
    "<h2>Walk-forward windows</h2>",
    `<p class="note">${wf.windows.length} window(s). On each, the best trial on the train span (by ${escapeHtml(key)}, ${objective.direction === "max" ? "higher" : "lower"} is better) runs on the test span. Mean ${escapeHtml(key)}: ${escapeHtml(formatSweepValue(key, inMean))} in sample, ${escapeHtml(formatSweepValue(key, outMean))} out of sample.</p>`,
    windowsTable(wf.windows, parameters, key),
    "</section>",
    `<section id="walk-forward-equity">`,
    "<h2>Out-of-sample equity (stitched)</h2>",
    stitched,
    "</section>",
    `<section id="walk-forward-objective">`,
    `<h2>${escapeHtml(key)} in and out of sample</h2>`,
    legend([
      [IN_SAMPLE, "in sample (train span)"],
      [OUT_OF_SAMPLE, "out of sample (test span)"],
    ]),
    wf.windows.length === 0 ? `<p class="note">No windows.</p>` : objectiveBars(wf.windows, key),
    "</section>",
    `<section id="parameter-stability">`,
    "<h2>Parameter stability</h2>",
    `<p class="note">The value each window chose, how many distinct values were chosen, and the share of windows that chose the most frequent one.</p>`,
    stabilityTable(wf.windows, parameters),
    "</section>",
  ].join("\n");
}
