/**
 * Values of a sweep as the sweep report shows and orders them: summary and
 * objective values rounded for reading, parameter values as text, the
 * distinct values of a parameter in axis order, and the trials ranked by the
 * objective (best first, nulls last, ties in trial order).
 */

import { formatSummaryScalar } from "./summary-format.js";
import type { SweepObjective, SweepParamValue, SweepTrialRow } from "./sweep-report-data.js";

/** The summary keys the results table shows after the objective. */
export const MAIN_SUMMARY_KEYS: readonly string[] = [
  "net_pnl",
  "return_pct",
  "max_drawdown_pct",
  "sharpe",
  "fees",
  "fills",
  "round_trips",
  "win_rate",
];

/** A number of no known kind: integers as they are, others to 4 decimals. */
function plainNumber(x: number): string {
  if (!Number.isFinite(x)) return "n/a";
  if (Number.isInteger(x)) return String(x);
  const s = x.toFixed(4);
  return /^-0\.0+$/.test(s) ? s.slice(1) : s;
}

/**
 * A summary or objective value for reading: a run summary key as the
 * backtest report rounds it (summary-format.ts; money with ` quote` when
 * quote is given), another key as a plain number; null is "n/a", a value
 * the summary lacks "-".
 */
export function formatSweepValue(
  key: string,
  v: number | string | null | undefined,
  quote = "",
): string {
  if (v === undefined) return "-";
  if (v === null) return "n/a";
  if (typeof v === "number" && !Number.isFinite(v)) return "n/a";
  if (typeof v === "string" && !Number.isFinite(Number(v))) return v;
  const known = formatSummaryScalar(key, v, quote);
  if (known !== undefined) return known;
  return typeof v === "number" ? plainNumber(v) : plainNumber(Number(v));
}

/**
 * A parameter value as text; a fraction to at most 12 significant digits,
 * so a stepped range shows 0.3 rather than 0.30000000000000004.
 */
export function paramText(v: SweepParamValue | undefined): string {
  if (v === undefined) return "-";
  if (typeof v !== "number" || !Number.isFinite(v) || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(12)));
}

/** "a=1, b=x" over `names` (the swept parameters, in order). */
export function paramsText(
  params: Readonly<Record<string, SweepParamValue>>,
  names: readonly string[],
): string {
  return names.map((n) => `${n}=${paramText(params[n])}`).join(", ");
}

/** A key telling apart 1 and "1" (and true and "true"). */
export function valueKey(v: SweepParamValue): string {
  return `${typeof v}:${String(v)}`;
}

function numericValue(v: SweepParamValue): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * The distinct values of `name` over the trials that have it: in numeric
 * order when every one is a number (or a numeric string), else in the order
 * first seen.
 */
export function axisValues(trials: readonly SweepTrialRow[], name: string): SweepParamValue[] {
  const seen = new Map<string, SweepParamValue>();
  for (const t of trials) {
    const v = t.params[name];
    if (v !== undefined && !seen.has(valueKey(v))) seen.set(valueKey(v), v);
  }
  const values = [...seen.values()];
  const nums = values.map(numericValue);
  if (nums.some((n) => n === undefined)) return values;
  return values
    .map((v, i) => ({ v, n: nums[i] as number, i }))
    .sort((a, b) => a.n - b.n || a.i - b.i)
    .map((x) => x.v);
}

/** Whether objective value a is strictly better than b. */
export function isBetter(a: number, b: number, direction: SweepObjective["direction"]): boolean {
  return direction === "max" ? a > b : a < b;
}

export interface RankedTrial {
  readonly trial: SweepTrialRow;
  /** 1 for the best; undefined for a trial without an objective value. */
  readonly rank: number | undefined;
}

/** The trials best first by the objective, those without a value last; ties in trial order. */
export function rankTrials(
  trials: readonly SweepTrialRow[],
  objective: SweepObjective,
): RankedTrial[] {
  const sign = objective.direction === "max" ? -1 : 1;
  const order = trials
    .map((trial, i) => ({ trial, i }))
    .sort((a, b) => {
      const x = a.trial.objective;
      const y = b.trial.objective;
      if (x === null || y === null) {
        return (x === null ? 1 : 0) - (y === null ? 1 : 0) || a.i - b.i;
      }
      return sign * (x - y) || a.i - b.i;
    });
  return order.map(({ trial }, k) => ({
    trial,
    rank: trial.objective === null ? undefined : k + 1,
  }));
}
