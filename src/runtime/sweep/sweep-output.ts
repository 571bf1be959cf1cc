/**
 * What a sweep writes: the results CSV (one row per trial run: its id, every
 * swept parameter, the objective, final equity and every summary key; nested
 * summary values as compact JSON) and the sweep report's input
 * (report/sweep-report-data.ts).
 */

import { InvalidInputError } from "../../core/errors.js";
import { SUMMARY_KEYS } from "../../report/summary.js";
import type {
  SweepReportData,
  SweepTrialRow,
  WalkForwardReport,
} from "../../report/sweep-report-data.js";
import type { Objective } from "./objective.js";
import { compareObjective } from "./objective.js";
import { resultObjective, type SweepOutcome } from "./sweep.js";
import type { SweepParameter } from "./sweep-space.js";
import type { TrialResult } from "./trial.js";

/** Curves of the best trials drawn in the report. */
const TOP_CURVES = 5;

function csvCell(v: unknown): string {
  const text =
    v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV's header and rows (walk-forward runs add window and span columns). */
export function resultsCsv(
  outcome: SweepOutcome,
  params: readonly SweepParameter[],
  objective: Objective,
): string {
  const wf = outcome.walkForward !== undefined;
  const header = [
    "trial_id",
    "trial",
    ...(wf ? ["window", "span"] : []),
    ...params.map((p) => p.name),
    `objective_${objective.key}_${objective.direction}`,
    "final_equity",
    "initial_capital",
    "events",
    ...SUMMARY_KEYS,
    "errors",
  ];
  const lines = [header.join(",")];
  for (const r of outcome.results) {
    const row: unknown[] = [
      r.id,
      r.index,
      ...(wf ? [r.window, r.span] : []),
      ...params.map((p) => r.params[p.name]),
      resultObjective(r, objective),
      r.finalEquity,
      r.initialCapital,
      r.events,
      ...SUMMARY_KEYS.map((k) => r.summary[k]),
      r.errors.length === 0 ? "" : r.errors.join(" | "),
    ];
    lines.push(row.map(csvCell).join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** Flat summary for the report (nested objects left out). */
function flatSummary(r: TrialResult): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = { final_equity: r.finalEquity };
  for (const k of SUMMARY_KEYS) {
    const v = r.summary[k];
    if (v === null || typeof v === "number" || typeof v === "string") out[k] = v;
  }
  return out;
}

/** Results ranked best first by the objective (nulls last; equal values by trial order). */
export function ranked(results: readonly TrialResult[], objective: Objective): TrialResult[] {
  return [...results].sort(
    (a, b) =>
      compareObjective(
        resultObjective(a, objective),
        resultObjective(b, objective),
        objective.direction,
      ) || a.index - b.index,
  );
}

/** `--heatmap X,Y`: two distinct swept parameters. */
export function parseHeatmapAxes(
  text: string,
  params: readonly SweepParameter[],
): readonly [string, string] {
  const [x = "", y = "", ...rest] = text.split(",").map((s) => s.trim());
  const names = params.map((p) => p.name as string);
  if (rest.length > 0 || !names.includes(x) || !names.includes(y) || x === y) {
    throw new InvalidInputError(
      `--heatmap: expected two different swept parameters X,Y (of ${names.join(", ")}), got "${text}"`,
    );
  }
  return [x, y];
}

/** The trials the report's heatmap and table show: a plain sweep's, or the last window's train runs. */
export function shownTrials(outcome: SweepOutcome): readonly TrialResult[] {
  const wf = outcome.walkForward;
  if (wf === undefined) return outcome.results;
  const last = wf[wf.length - 1]?.window.index;
  return outcome.results.filter((r) => r.span === "train" && r.window === last);
}

export function sweepReportData(
  outcome: SweepOutcome,
  params: readonly SweepParameter[],
  objective: Objective,
  header: {
    readonly title: string;
    readonly meta: SweepReportData["meta"];
    readonly quote: string;
    /** The heatmap's two parameters (default: the first two swept). */
    readonly heatmap?: readonly [string, string];
    /** The CSV written beside the report, if any. */
    readonly resultsCsv?: string;
  },
): SweepReportData {
  const shown = shownTrials(outcome);
  const trials: SweepTrialRow[] = shown.map((r) => ({
    id: r.id,
    params: r.params as SweepTrialRow["params"],
    summary: flatSummary(r),
    objective: resultObjective(r, objective),
  }));
  const top = ranked(shown, objective).slice(0, TOP_CURVES);
  const names = params.map((p) => p.name as string);
  const axes =
    header.heatmap ?? (names.length >= 2 ? ([names[0], names[1]] as [string, string]) : undefined);
  let walkForward: WalkForwardReport | undefined;
  if (outcome.walkForward !== undefined) {
    walkForward = {
      windows: outcome.walkForward.map((w) => ({
        index: w.window.index,
        trainFrom: w.window.trainFrom,
        trainTo: w.window.trainTo,
        testFrom: w.window.testFrom,
        testTo: w.window.testTo,
        chosenTrialId: w.chosen?.id ?? "",
        params: (w.chosen?.params ?? {}) as WalkForwardReport["windows"][number]["params"],
        inSample: w.chosen === undefined ? null : resultObjective(w.chosen, objective),
        outOfSample: w.test === undefined ? null : resultObjective(w.test, objective),
      })),
      stitchedEquity: outcome.stitched ?? [],
    };
  }
  const lastWindow = outcome.walkForward?.[outcome.walkForward.length - 1];
  const meta =
    lastWindow === undefined
      ? header.meta
      : [
          ...header.meta,
          {
            label: "trials shown",
            value: `train span of the last window (${lastWindow.window.trainFrom} to ${lastWindow.window.trainTo}); every window's in the CSV`,
          },
        ];
  return {
    title: header.title,
    meta,
    objective,
    parameters: names,
    ...(axes !== undefined ? { heatmap: { x: axes[0], y: axes[1] } } : {}),
    trials,
    topEquity: top.map((r) => ({ trialId: r.id, points: r.equity })),
    ...(walkForward !== undefined ? { walkForward } : {}),
    quote: header.quote,
    ...(header.resultsCsv !== undefined ? { resultsCsv: header.resultsCsv } : {}),
  };
}
