/**
 * A trial of a sweep: one backtest of some input (Binance data or a fixture)
 * with the sweep's base options and the trial's parameters over them, and
 * what it yields (the run summary, final equity, an hourly equity curve).
 * Tasks and results are plain JSON: they cross worker threads and, as
 * BullMQ jobs, machines.
 */

import type { RunSummaryJson } from "../../report/summary.js";
import type { DataRunSpec } from "../backtest/data-run-spec.js";
import type { TrialParams } from "./sweep-space.js";

/** What a trial reads: Binance dumps (a spec) or a fixture directory. */
export type TrialInput =
  | { readonly kind: "data"; readonly spec: DataRunSpec }
  | { readonly kind: "fixture"; readonly dir: string };

/** The train or test span of a walk-forward window. */
export type TrialSpan = "train" | "test";

export interface TrialTask {
  /** Derived from the input's content, the resolved options and the code version (trial-id.ts). */
  readonly id: string;
  /** The trial's number in its sweep (0-based; the test runs of a walk-forward repeat it). */
  readonly index: number;
  readonly params: TrialParams;
  readonly input: TrialInput;
  /** --config and --profile overrides, under the trial's params. */
  readonly baseOverrides: Readonly<Record<string, unknown>>;
  readonly window?: number;
  readonly span?: TrialSpan;
}

/** One point of a trial's equity curve (hourly, and the last). */
export interface CurvePoint {
  readonly ts: number;
  readonly equity: number;
}

export interface TrialResult {
  readonly id: string;
  readonly index: number;
  readonly params: TrialParams;
  readonly window?: number;
  readonly span?: TrialSpan;
  readonly summary: RunSummaryJson;
  readonly initialCapital: string;
  readonly finalEquity: string;
  readonly events: number;
  readonly errors: readonly string[];
  readonly equity: readonly CurvePoint[];
}

/** The options of a trial: base overrides, then its parameters. */
export function trialOverrides(task: TrialTask): Record<string, unknown> {
  return { ...task.baseOverrides, ...task.params };
}

/** A key telling apart the inputs of tasks (tasks of one input share a decoding pass). */
export function inputKey(input: TrialInput): string {
  return JSON.stringify(input);
}
