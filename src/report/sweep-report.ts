/**
 * A self-contained HTML page for a parameter sweep (and its walk-forward):
 * the objective and the best trial, a heatmap of the objective over two
 * parameters (sweep-heatmap.ts), the equity curves of the top trials, the
 * results table (best first), and with a walk-forward its windows, stitched
 * out-of-sample equity, in- versus out-of-sample objective and parameter
 * stability (sweep-walk-forward.ts). Charts are drawn by uPlot, inlined
 * with the data and sweep-chart-script.ts, as on the backtest report
 * (html-report.ts, whose style and helpers it shares): no external URL. The
 * output is a pure function of the input and the installed uPlot.
 */

import { InvalidInputError } from "../core/errors.js";
import { chartLibrary } from "./chart-library.js";
import { downsampleIndices, inTsOrder } from "./downsample.js";
import {
  chartScripts,
  escapeHtml,
  htmlDocument,
  htmlTable,
  legend,
  metaList,
  REPORT_STYLE,
} from "./html-parts.js";
import { DEFAULT_MAX_POINTS } from "./html-report.js";
import { isMoneySummaryKey } from "./summary-format.js";
import { SWEEP_CHART_SCRIPT } from "./sweep-chart-script.js";
import { heatmapSection } from "./sweep-heatmap.js";
import type { SweepEquityPoint, SweepReportData } from "./sweep-report-data.js";
import {
  formatSweepValue,
  MAIN_SUMMARY_KEYS,
  paramsText,
  paramText,
  type RankedTrial,
  rankTrials,
} from "./sweep-values.js";
import { dayStartMs, walkForwardSections } from "./sweep-walk-forward.js";

export interface SweepReportOptions {
  /** Rows of the results table (the best trials); default 200. */
  readonly maxRows?: number;
  /** Points drawn per equity curve (bucket min/max beyond); default 2000. */
  readonly maxPoints?: number;
  /** Curves drawn of topEquity (the first ones); default 10. */
  readonly maxCurves?: number;
}

export const DEFAULT_MAX_ROWS = 200;
export const DEFAULT_MAX_CURVES = 10;

const PALETTE: readonly (readonly [number, number, number])[] = [
  [37, 99, 235],
  [220, 38, 38],
  [22, 163, 74],
  [217, 119, 6],
  [124, 58, 237],
  [8, 145, 178],
  [190, 24, 93],
  [101, 163, 13],
  [71, 85, 105],
  [234, 88, 12],
];

const SWEEP_STYLE = `
p.objective { margin: 8px 0 0; }
#walk-forward td, #results td { white-space: nowrap; }
#results th, #results td { padding: 4px 6px; }
table.heatmap td.hm { min-width: 64px; text-align: center; }
table.heatmap td.hm-null { color: #64748b; background: repeating-linear-gradient(45deg, #fff 0 4px, #e2e8f0 4px 8px); }
table.heatmap td.hm-none { background: #fff; }
table.heatmap th { text-align: center; }
.hm-bar { display: inline-block; width: 160px; height: 10px; vertical-align: middle; border: 1px solid #cbd5e1; }
svg.bars { max-width: 860px; font-size: 11px; fill: #334155; }
svg.bars text.na { fill: #94a3b8; }
`;

function positiveInt(
  v: number | undefined,
  fallback: number,
  min: number,
  name: string,
  errors: string[],
): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < min)
    errors.push(`${name}: expected an integer >= ${min}, got ${String(v)}`);
  return n;
}

/** Every problem of the input at once (key paths), or nothing. */
function validate(data: SweepReportData, opts: SweepReportOptions): string[] {
  const errors: string[] = [];
  positiveInt(opts.maxRows, DEFAULT_MAX_ROWS, 1, "maxRows", errors);
  positiveInt(opts.maxPoints, DEFAULT_MAX_POINTS, 10, "maxPoints", errors);
  positiveInt(opts.maxCurves, DEFAULT_MAX_CURVES, 1, "maxCurves", errors);
  if (data.objective.direction !== "max" && data.objective.direction !== "min") {
    errors.push(
      `objective.direction: expected "max" or "min", got ${JSON.stringify(data.objective.direction)}`,
    );
  }
  const hm = data.heatmap;
  if (hm !== undefined) {
    for (const axis of ["x", "y"] as const) {
      if (!data.parameters.includes(hm[axis])) {
        errors.push(
          `heatmap.${axis}: expected one of the parameters, got ${JSON.stringify(hm[axis])}`,
        );
      }
    }
    if (hm.x === hm.y) errors.push(`heatmap: x and y are both ${JSON.stringify(hm.x)}`);
  }
  const ids = new Set<string>();
  data.trials.forEach((t, i) => {
    if (ids.has(t.id)) errors.push(`trials[${i}].id: ${JSON.stringify(t.id)} appears twice`);
    ids.add(t.id);
    if (t.objective !== null && !Number.isFinite(t.objective)) {
      errors.push(
        `trials[${i}].objective: expected a finite number or null, got ${String(t.objective)}`,
      );
    }
  });
  const checkPoints = (points: readonly SweepEquityPoint[], path: string): void => {
    const bad = points.findIndex((p) => !Number.isFinite(p.ts) || !Number.isFinite(p.equity));
    if (bad >= 0) errors.push(`${path}[${bad}]: expected a finite ts and equity`);
  };
  data.topEquity.forEach((c, i) => {
    checkPoints(c.points, `topEquity[${i}].points`);
  });
  const wf = data.walkForward;
  if (wf !== undefined) {
    checkPoints(wf.stitchedEquity, "walkForward.stitchedEquity");
    wf.windows.forEach((w, i) => {
      for (const k of ["trainFrom", "trainTo", "testFrom", "testTo"] as const) {
        if (dayStartMs(w[k]) === undefined) {
          errors.push(
            `walkForward.windows[${i}].${k}: expected a day YYYY-MM-DD, got ${JSON.stringify(w[k])}`,
          );
        }
      }
    });
  }
  return errors;
}

/** Curves downsampled and joined on the union of their times (null where a curve has no point). */
function joinCurves(
  curves: readonly (readonly SweepEquityPoint[])[],
  maxPoints: number,
): { t: number[]; values: (number | null)[][]; downsampled: boolean } {
  let downsampled = false;
  const kept = curves.map((raw) => {
    const points = inTsOrder(raw);
    const keep = downsampleIndices(points.length, maxPoints, [
      (i) => (points[i] as SweepEquityPoint).equity,
    ]);
    if (keep.length < points.length) downsampled = true;
    return keep.map((i) => points[i] as SweepEquityPoint);
  });
  const t = [...new Set(kept.flatMap((c) => c.map((p) => p.ts)))].sort((a, b) => a - b);
  const at = new Map(t.map((ts, i) => [ts, i]));
  const values = kept.map((c) => {
    const col: (number | null)[] = t.map(() => null);
    for (const p of c) col[at.get(p.ts) as number] = p.equity;
    return col;
  });
  return { t, values, downsampled };
}

function header(data: SweepReportData, ranked: readonly RankedTrial[]): string {
  const { key, direction } = data.objective;
  const better = direction === "max" ? "higher is better" : "lower is better";
  const best = ranked[0];
  const unit = data.quote;
  const bestPart =
    best === undefined || best.rank === undefined
      ? `<p class="note">No trial has a value of ${escapeHtml(key)}.</p>`
      : [
          `<p class="note">Trial ${escapeHtml(best.trial.id)}: ${escapeHtml(paramsText(best.trial.params, data.parameters))}.</p>`,
          `<dl class="panel">`,
          `<div class="metric" data-key="objective"><dt>${escapeHtml(key)} (objective)</dt><dd>${escapeHtml(formatSweepValue(key, best.trial.objective, unit))}</dd></div>`,
          ...data.parameters.map(
            (p) =>
              `<div class="metric" data-param="${escapeHtml(p)}"><dt>${escapeHtml(p)}</dt><dd>${escapeHtml(paramText(best.trial.params[p]))}</dd></div>`,
          ),
          ...MAIN_SUMMARY_KEYS.filter((k) => k !== key).map(
            (k) =>
              `<div class="metric" data-key="${k}"><dt>${k}</dt><dd>${escapeHtml(formatSweepValue(k, best.trial.summary[k], unit))}</dd></div>`,
          ),
          "</dl>",
        ].join("\n");
  return [
    `<header>\n<h1>${escapeHtml(data.title)}</h1>\n${metaList(data.meta)}`,
    `<p class="objective">Objective: <b>${escapeHtml(key)}</b>, ${direction === "max" ? "maximised" : "minimised"} (${better}).</p>\n</header>`,
    `<section id="best">\n<h2>Best trial</h2>\n${bestPart}\n</section>`,
  ].join("\n");
}

function resultsSection(
  data: SweepReportData,
  ranked: readonly RankedTrial[],
  maxRows: number,
): string {
  const key = data.objective.key;
  const money = (k: string): string =>
    isMoneySummaryKey(k) && data.quote !== "" ? `${k} (${data.quote})` : k;
  const keys = MAIN_SUMMARY_KEYS.filter((k) => k !== key);
  const shown = ranked.slice(0, maxRows);
  const rows = shown.map((r) => [
    r.rank === undefined ? "-" : String(r.rank),
    r.trial.id,
    ...data.parameters.map((p) => paramText(r.trial.params[p])),
    formatSweepValue(key, r.trial.objective),
    ...keys.map((k) => formatSweepValue(k, r.trial.summary[k])),
  ]);
  const nulls = ranked.filter((r) => r.rank === undefined).length;
  const csv = data.resultsCsv === undefined ? "the sweep's CSV" : escapeHtml(data.resultsCsv);
  const notes = [
    `${ranked.length} trial(s), best first by ${escapeHtml(key)}${nulls > 0 ? `; ${nulls} without a value last` : ""}; ties keep the trial order. Rounded for reading.`,
  ];
  if (ranked.length > shown.length) {
    notes.push(
      `Showing the best ${shown.length}; ${ranked.length - shown.length} more are in ${csv}.`,
    );
  }
  return [
    `<section id="results">`,
    "<h2>Results</h2>",
    `<p class="note">${notes.join(" ")}</p>`,
    htmlTable(
      ["rank", "trial", ...data.parameters, `${money(key)} (objective)`, ...keys.map(money)],
      rows,
    ),
    "</section>",
  ].join("\n");
}

interface TopCurves {
  readonly html: string;
  readonly embedded: {
    t: number[];
    series: { label: string; color: readonly number[]; values: (number | null)[] }[];
  } | null;
}

function topCurves(
  data: SweepReportData,
  ranked: readonly RankedTrial[],
  maxPoints: number,
  maxCurves: number,
): TopCurves {
  const head = `<section id="top-equity">\n<h2>Equity of the top trials</h2>`;
  if (data.topEquity.length === 0) {
    return {
      html: `${head}\n<p class="note">No equity curves were given.</p>\n</section>`,
      embedded: null,
    };
  }
  const byId = new Map<string, RankedTrial>(ranked.map((r) => [r.trial.id, r]));
  const curves = data.topEquity.slice(0, maxCurves);
  const joined = joinCurves(
    curves.map((c) => c.points),
    maxPoints,
  );
  const labels = curves.map((c) => {
    const r = byId.get(c.trialId);
    if (r === undefined) return c.trialId;
    const rank = r.rank === undefined ? "" : `#${r.rank} `;
    return `${rank}${c.trialId} (${paramsText(r.trial.params, data.parameters)})`;
  });
  const colour = (i: number): readonly [number, number, number] =>
    PALETTE[i % PALETTE.length] as readonly [number, number, number];
  const notes = [
    `${curves.length} curve(s), best first${curves.length < data.topEquity.length ? ` (of ${data.topEquity.length} given)` : ""}`,
  ];
  if (joined.downsampled)
    notes.push(`curves over ${maxPoints} points downsampled (bucket min/max)`);
  const unit = data.quote ? ` (${escapeHtml(data.quote)})` : "";
  const html = [
    head,
    `<p class="note">${notes.join("; ")}. Equity${unit} over time; drag to zoom, double-click to zoom out. Times are UTC.</p>`,
    legend(labels.map((l, i) => [`rgb(${colour(i).join(",")})`, escapeHtml(l)])),
    `<div class="chart" data-chart="top-equity"></div>`,
    "</section>",
  ].join("\n");
  return {
    html,
    embedded: {
      t: joined.t,
      series: labels.map((label, i) => ({
        label,
        color: colour(i),
        values: joined.values[i] ?? [],
      })),
    },
  };
}

/** The sweep report as one HTML document. */
export function sweepReportHtml(data: SweepReportData, opts: SweepReportOptions = {}): string {
  const errors = validate(data, opts);
  if (errors.length > 0) throw new InvalidInputError(`sweep report: ${errors.join("; ")}`);
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  const ranked = rankTrials(data.trials, data.objective);
  const top = topCurves(data, ranked, maxPoints, opts.maxCurves ?? DEFAULT_MAX_CURVES);

  const wf = data.walkForward;
  let wfHtml = "";
  let wfEmbedded: { t: number[]; equity: (number | null)[]; bounds: number[] } | null = null;
  if (wf !== undefined) {
    const joined = joinCurves([wf.stitchedEquity], maxPoints);
    const n = wf.stitchedEquity.length;
    const note = joined.downsampled
      ? `${n} points, ${joined.t.length} drawn (bucket min/max)`
      : `${n} points`;
    wfHtml = walkForwardSections(wf, data.parameters, data.objective, data.quote, note);
    if (n > 0) {
      wfEmbedded = {
        t: joined.t,
        equity: joined.values[0] ?? [],
        bounds: wf.windows.map((w) => dayStartMs(w.testFrom) as number),
      };
    }
  }
  const charts = top.embedded !== null || wfEmbedded !== null;
  const lib = chartLibrary();
  return htmlDocument(data.title, `${charts ? `${lib.css}\n` : ""}${REPORT_STYLE}${SWEEP_STYLE}`, [
    header(data, ranked),
    heatmapSection(data.trials, data.heatmap, data.parameters, data.objective),
    top.html,
    resultsSection(data, ranked, maxRows),
    wfHtml,
    ...(charts
      ? chartScripts(
          lib,
          "sweep-data",
          { quote: data.quote, top: top.embedded, wf: wfEmbedded },
          SWEEP_CHART_SCRIPT,
        )
      : []),
  ]);
}
