/**
 * The objective of a sweep: a key of the run summary (report/summary.ts),
 * maximized or minimized. `--objective KEY[:max|:min]`; without a direction
 * a key is maximized unless it measures a loss or a risk (drawdown, fees,
 * liquidations, leverage, margin use), which is minimized. The direction is
 * always printed, so it is never guessed silently.
 */

import { ConfigError } from "../../core/errors.js";
import { SUMMARY_KEYS } from "../../report/summary.js";

export type Direction = "max" | "min";

export interface Objective {
  readonly key: string;
  readonly direction: Direction;
}

/** Summary keys that are lower-is-better. */
const MINIMIZED: ReadonlySet<string> = new Set([
  "max_drawdown_pct",
  "max_drawdown_duration_s",
  "fees",
  "liquidations",
  "max_effective_leverage",
  "max_margin_use_pct",
  "orders_rejected",
]);

/** Keys a trial row has besides the summary's. */
export const EXTRA_OBJECTIVE_KEYS: readonly string[] = ["final_equity"];

/** Summary keys whose value is a number or a decimal string (objects cannot be ranked). */
export function rankableKeys(): string[] {
  return [
    ...SUMMARY_KEYS.filter((k) => k !== "liquidation_distance_pct" && k !== "blocked_by_reason"),
    ...EXTRA_OBJECTIVE_KEYS,
  ];
}

export function parseObjective(text: string): Objective {
  const [key = "", dir, ...rest] = text.split(":");
  const keys = rankableKeys();
  if (!keys.includes(key) || rest.length > 0) {
    throw new ConfigError(
      `--objective: expected KEY[:max|:min] with KEY one of ${keys.join(", ")}; got "${text}"`,
    );
  }
  if (dir !== undefined && dir !== "max" && dir !== "min") {
    throw new ConfigError(`--objective: the direction is max or min, got "${dir}"`);
  }
  return { key, direction: dir ?? (MINIMIZED.has(key) ? "min" : "max") };
}

/** A summary value as a number for ranking (decimal strings converted); null when absent. */
export function objectiveValue(
  row: Readonly<Record<string, unknown>>,
  objective: Objective,
): number | null {
  const v = row[objective.key];
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

/**
 * Order of two objective values, best first: negative when `a` is better.
 * Null (no value, e.g. no Sharpe without returns) ranks after every number.
 */
export function compareObjective(a: number | null, b: number | null, direction: Direction): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  return direction === "max" ? b - a : a - b;
}

/** Index of the best of `values` (the first among equals); -1 when every value is null. */
export function bestIndex(values: readonly (number | null)[], direction: Direction): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? null;
    if (v === null) continue;
    if (best < 0 || compareObjective(v, values[best] ?? null, direction) < 0) best = i;
  }
  return best;
}
