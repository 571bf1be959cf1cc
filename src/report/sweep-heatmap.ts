/**
 * The sweep report's heatmap: the objective over two swept parameters, one
 * cell per (x value, y value) pair, as an HTML table. Trials that share a
 * cell (other parameters vary) are folded into its best objective (by the
 * objective's direction; ties go to the first trial). Colours run from the
 * worst to the best value: white at 0 between red (worse) and green
 * (better) when the values have both signs, else pale to dark green. A cell
 * whose trials have no objective value is hatched; a pair no trial ran is
 * blank.
 */

import { escapeHtml } from "./html-parts.js";
import type { SweepObjective, SweepParamValue, SweepTrialRow } from "./sweep-report-data.js";
import { axisValues, formatSweepValue, isBetter, paramText, valueKey } from "./sweep-values.js";

export interface HeatmapCell {
  readonly x: SweepParamValue;
  readonly y: SweepParamValue;
  /** The trials with this (x, y), in trial order. */
  readonly trials: readonly SweepTrialRow[];
  /** The trial with the best objective value; undefined when none has one. */
  readonly best: SweepTrialRow | undefined;
}

export interface HeatmapGrid {
  readonly xs: readonly SweepParamValue[];
  readonly ys: readonly SweepParamValue[];
  /** Rows in ys order, each with one cell per xs value. */
  readonly rows: readonly (readonly HeatmapCell[])[];
  /** Trials lacking the x or the y parameter (left out). */
  readonly without: number;
}

export function heatmapGrid(
  trials: readonly SweepTrialRow[],
  x: string,
  y: string,
  direction: SweepObjective["direction"],
): HeatmapGrid {
  const xs = axisValues(trials, x);
  const ys = axisValues(trials, y);
  const byCell = new Map<string, SweepTrialRow[]>();
  let without = 0;
  for (const t of trials) {
    const vx = t.params[x];
    const vy = t.params[y];
    if (vx === undefined || vy === undefined) {
      without++;
      continue;
    }
    const key = `${valueKey(vx)}\u0000${valueKey(vy)}`;
    const list = byCell.get(key);
    if (list === undefined) byCell.set(key, [t]);
    else list.push(t);
  }
  const rows = ys.map((vy) =>
    xs.map((vx): HeatmapCell => {
      const list = byCell.get(`${valueKey(vx)}\u0000${valueKey(vy)}`) ?? [];
      let best: SweepTrialRow | undefined;
      for (const t of list) {
        if (t.objective === null) continue;
        if (best === undefined || isBetter(t.objective, best.objective as number, direction)) {
          best = t;
        }
      }
      return { x: vx, y: vy, trials: list, best };
    }),
  );
  return { xs, ys, rows, without };
}

type Rgb = readonly [number, number, number];
const WHITE: Rgb = [255, 255, 255];
const PALE: Rgb = [247, 252, 245];
const GREEN: Rgb = [0, 109, 44];
const RED: Rgb = [165, 0, 38];

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const at = (i: 0 | 1 | 2): number => Math.round(a[i] + (b[i] - a[i]) * t);
  return [at(0), at(1), at(2)];
}

function css(c: Rgb): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The values the colours span, worst to best by the objective's direction. */
export interface ColourScale {
  readonly diverging: boolean;
  /** The worst and the best value shown. */
  readonly worst: number;
  readonly best: number;
  readonly direction: SweepObjective["direction"];
}

export function colourScale(
  values: readonly number[],
  direction: SweepObjective["direction"],
): ColourScale | undefined {
  if (values.length === 0) return undefined;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return {
    diverging: lo < 0 && hi > 0,
    worst: direction === "max" ? lo : hi,
    best: direction === "max" ? hi : lo,
    direction,
  };
}

/** A value's background and whether its text must be white. */
export function cellColour(v: number, s: ColourScale): { background: string; dark: boolean } {
  if (s.diverging) {
    // Goodness relative to 0: + better, - worse, scaled by the farther end.
    const sign = s.direction === "max" ? 1 : -1;
    const g = (sign * v) / Math.max(Math.abs(s.worst), Math.abs(s.best));
    const c = g >= 0 ? mix(WHITE, GREEN, g) : mix(WHITE, RED, -g);
    return { background: css(c), dark: Math.abs(g) > 0.6 };
  }
  const t = s.best === s.worst ? 1 : (v - s.worst) / (s.best - s.worst);
  return { background: css(mix(PALE, GREEN, t)), dark: t > 0.6 };
}

/** The colour bar under the heatmap: worst to best, white where 0 falls when diverging. */
function scaleLegend(s: ColourScale, key: string): string {
  const worst = cellColour(s.worst, s).background;
  const best = cellColour(s.best, s).background;
  const zeroAt = ((100 * s.worst) / (s.worst - s.best)).toFixed(1);
  const stops = s.diverging ? `${worst},${css(WHITE)} ${zeroAt}%,${best}` : `${worst},${best}`;
  const centre = s.diverging ? " (white: 0)" : "";
  return `<p class="legend hm-legend">worst ${escapeHtml(formatSweepValue(key, s.worst))} <i class="hm-bar" style="background:linear-gradient(to right,${stops})"></i> ${escapeHtml(formatSweepValue(key, s.best))} best${centre}</p>`;
}

function cellHtml(
  c: HeatmapCell,
  x: string,
  y: string,
  objective: SweepObjective,
  s: ColourScale | undefined,
): string {
  const where = `${x}=${paramText(c.x)}, ${y}=${paramText(c.y)}`;
  const attrs = `data-x="${escapeHtml(paramText(c.x))}" data-y="${escapeHtml(paramText(c.y))}" data-trials="${c.trials.length}"`;
  if (c.trials.length === 0) {
    return `<td class="hm hm-none" ${attrs} title="${escapeHtml(`${where}: no trial`)}"></td>`;
  }
  if (c.best === undefined || s === undefined) {
    const title = `${where}: no ${objective.key} value (${c.trials.length} trial(s))`;
    return `<td class="hm hm-null" ${attrs} title="${escapeHtml(title)}">n/a</td>`;
  }
  const v = c.best.objective as number;
  const text = formatSweepValue(objective.key, v);
  const of = c.trials.length > 1 ? `best of ${c.trials.length} trials, ` : "";
  const title = `${where}: ${objective.key} ${text} (${of}trial ${c.best.id})`;
  const colour = cellColour(v, s);
  const style = `background:${colour.background}${colour.dark ? ";color:#fff" : ""}`;
  return `<td class="hm" ${attrs} data-value="${v}" data-trial="${escapeHtml(c.best.id)}" style="${style}" title="${escapeHtml(title)}">${escapeHtml(text)}</td>`;
}

/** The heatmap section (a note instead when fewer than two parameters were swept). */
export function heatmapSection(
  trials: readonly SweepTrialRow[],
  axes: { readonly x: string; readonly y: string } | undefined,
  parameters: readonly string[],
  objective: SweepObjective,
): string {
  const head = `<section id="heatmap">\n<h2>Heatmap of ${escapeHtml(objective.key)}</h2>`;
  if (axes === undefined) {
    return `${head}\n<p class="note">A heatmap needs two swept parameters; this sweep has ${parameters.length}.</p>\n</section>`;
  }
  const { x, y } = axes;
  const g = heatmapGrid(trials, x, y, objective.direction);
  const values = g.rows.flatMap((r) =>
    r.flatMap((c) => (c.best === undefined ? [] : [c.best.objective as number])),
  );
  const scale = colourScale(values, objective.direction);
  const notes = [`Columns: ${escapeHtml(x)}; rows: ${escapeHtml(y)}. Hover a cell for its trial.`];
  const shared = g.rows.flat().filter((c) => c.trials.length > 1).length;
  if (shared > 0) {
    const others = parameters.filter((p) => p !== x && p !== y);
    const vary = others.length === 0 ? "" : ` (${others.map(escapeHtml).join(", ")} vary)`;
    notes.push(
      `${shared} cell(s) hold several trials${vary}: each shows the best ${escapeHtml(objective.key)} among its trials.`,
    );
  }
  if (values.length < g.rows.flat().filter((c) => c.trials.length > 0).length) {
    notes.push("Hatched: no objective value.");
  }
  if (g.without > 0)
    notes.push(`${g.without} trial(s) without ${escapeHtml(x)} or ${escapeHtml(y)} left out.`);
  const headRow = `<tr><th>${escapeHtml(y)} \\ ${escapeHtml(x)}</th>${g.xs.map((v) => `<th>${escapeHtml(paramText(v))}</th>`).join("")}</tr>`;
  const body = g.rows
    .map(
      (row, i) =>
        `<tr><th>${escapeHtml(paramText(g.ys[i]))}</th>${row.map((c) => cellHtml(c, x, y, objective, scale)).join("")}</tr>`,
    )
    .join("\n");
  return [
    head,
    `<p class="note">${notes.join(" ")}</p>`,
    `<div class="table-wrap"><table class="heatmap">\n<thead>${headRow}</thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`,
    scale === undefined ? "" : scaleLegend(scale, objective.key),
    "</section>",
  ]
    .filter((p) => p !== "")
    .join("\n");
}
