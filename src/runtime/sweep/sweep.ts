/**
 * A sweep: its trials as tasks (with ids from the input, the resolved
 * options and the code), run by an executor (worker threads here, or a
 * BullMQ queue across machines), ranked by the objective. A walk-forward
 * runs every trial on each window's train span, takes the best by the
 * objective (the first trial among equals) and runs it on the window's test
 * span; the test spans' equity is stitched into one out-of-sample curve.
 */

import type { JsonValue } from "../../core/canonical-json.js";
import { InvalidInputError } from "../../core/errors.js";
import { openFixture } from "../../data/fixture-reader.js";
import { openDataRun, specForDays } from "../backtest/data-run-spec.js";
import { dataFixture } from "../backtest/run-data-backtest.js";
import { paperOptions } from "../backtest/run-paper.js";
import type { ExecutorProgress, TrialExecutor } from "./local-executor.js";
import { bestIndex, type Objective, objectiveValue } from "./objective.js";
import type { TrialParams } from "./sweep-space.js";
import type { CurvePoint, TrialInput, TrialResult, TrialSpan, TrialTask } from "./trial.js";
import { dataIdentity, fixtureIdentity, trialId } from "./trial-id.js";
import type { WalkForwardWindow } from "./walk-forward.js";

export interface SweepPlan {
  readonly input: TrialInput;
  readonly baseOverrides: Readonly<Record<string, unknown>>;
  readonly trials: readonly TrialParams[];
  readonly objective: Objective;
  /** Walk-forward windows (data inputs only). */
  readonly windows?: readonly WalkForwardWindow[];
}

export interface WalkForwardResult {
  readonly window: WalkForwardWindow;
  /** The trial chosen on the train span (undefined: no trial had an objective value). */
  readonly chosen?: TrialResult;
  readonly test?: TrialResult;
}

export interface SweepOutcome {
  /** Every trial's result (walk-forward: every train run, window by window). */
  readonly results: readonly TrialResult[];
  readonly walkForward?: readonly WalkForwardResult[];
  /** Out-of-sample equity across the test spans (walk-forward only). */
  readonly stitched?: readonly CurvePoint[];
}

/** A trial result as one flat record: the summary's keys and final_equity. */
export function resultRow(r: TrialResult): Record<string, unknown> {
  return { ...r.summary, final_equity: r.finalEquity };
}

export function resultObjective(r: TrialResult, objective: Objective): number | null {
  return objectiveValue(resultRow(r), objective);
}

/** The tasks of `trials` on `input` (each trial's id computed from its resolved options). */
export function trialTasks(
  input: TrialInput,
  baseOverrides: Readonly<Record<string, unknown>>,
  trials: readonly TrialParams[],
  extra: {
    readonly window?: number;
    readonly span?: TrialSpan;
    readonly indices?: readonly number[];
  } = {},
): TrialTask[] {
  let identity: JsonValue;
  let fixture: ReturnType<typeof openFixture>;
  if (input.kind === "fixture") {
    fixture = openFixture(input.dir);
    identity = fixtureIdentity(input.dir);
  } else {
    const run = openDataRun(input.spec, baseOverrides);
    fixture = dataFixture(run.source, run.inputs);
    identity = dataIdentity(run);
  }
  return trials.map((params, i) => {
    const options = paperOptions(fixture, { ...baseOverrides, ...params });
    return {
      id: trialId(identity, options),
      index: extra.indices?.[i] ?? i,
      params,
      input,
      baseOverrides,
      ...(extra.window !== undefined ? { window: extra.window } : {}),
      ...(extra.span !== undefined ? { span: extra.span } : {}),
    };
  });
}

/** Each window's test curve shifted so it starts where the previous one ended. */
export function stitchEquity(tests: readonly TrialResult[]): CurvePoint[] {
  const out: CurvePoint[] = [];
  let carried: number | undefined;
  for (const t of tests) {
    const initial = Number(t.initialCapital);
    const offset = carried === undefined ? 0 : carried - initial;
    for (const p of t.equity) out.push({ ts: p.ts, equity: p.equity + offset });
    carried = Number(t.finalEquity) + offset;
  }
  return out;
}

export async function runSweep(
  plan: SweepPlan,
  executor: TrialExecutor,
  onProgress?: (stage: string, p: ExecutorProgress) => void,
): Promise<SweepOutcome> {
  const { input, baseOverrides, trials, objective, windows } = plan;
  if (windows === undefined) {
    const tasks = trialTasks(input, baseOverrides, trials);
    const results = await executor.run(tasks, (p) => onProgress?.("trials", p));
    return { results };
  }
  if (input.kind !== "data") {
    throw new InvalidInputError("--walk-forward needs --data (days to split into windows)");
  }
  const trainTasks = windows.flatMap((w) =>
    trialTasks(
      { kind: "data", spec: specForDays(input.spec, w.trainFrom, w.trainTo) },
      baseOverrides,
      trials,
      { window: w.index, span: "train" },
    ),
  );
  const results = await executor.run(trainTasks, (p) => onProgress?.("train", p));
  const chosen = windows.map((w) => {
    const inWindow = results.filter((r) => r.window === w.index);
    const best = bestIndex(
      inWindow.map((r) => resultObjective(r, objective)),
      objective.direction,
    );
    return best < 0 ? undefined : inWindow[best];
  });
  const testTasks = windows.flatMap((w, i) => {
    const c = chosen[i];
    if (c === undefined) return [];
    return trialTasks(
      { kind: "data", spec: specForDays(input.spec, w.testFrom, w.testTo) },
      baseOverrides,
      [c.params],
      { window: w.index, span: "test", indices: [c.index] },
    );
  });
  const tests = await executor.run(testTasks, (p) => onProgress?.("test", p));
  const walkForward = windows.map((w, i) => {
    const c = chosen[i];
    const test = tests.find((t) => t.window === w.index);
    return { window: w, ...(c !== undefined ? { chosen: c } : {}), ...(test ? { test } : {}) };
  });
  return { results: [...results, ...tests], walkForward, stitched: stitchEquity(tests) };
}
