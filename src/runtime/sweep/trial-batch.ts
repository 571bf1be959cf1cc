/**
 * Decode once, run many: the trials of one input run side by side, each on
 * its own kernel and venue (PaperTrial), fed from a single pass over the
 * decoded events (a second pass when any trial's selection reads the data,
 * as a single run reads it twice). A trial costs its engine, not the parser.
 * Each trial's summary is built by the same taps as `grinder backtest`'s, so
 * a row of a sweep equals the single backtest with the same options.
 */

import { setImmediate as nextTurn } from "node:timers/promises";
import { InterruptedError } from "../../core/errors.js";
import { type Fixture, openFixture, runInTsOrder } from "../../data/fixture-reader.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { AccountState } from "../../kernel/kernel-types.js";
import { combineTaps, type PaperTap, tapHooks } from "../backtest/backtest-tap.js";
import { openDataRun } from "../backtest/data-run-spec.js";
import { PaperTrial } from "../backtest/paper-trial.js";
import { dataFixture } from "../backtest/run-data-backtest.js";
import { paperOptions } from "../backtest/run-paper.js";
import { summaryTap } from "../backtest/summary-tap.js";
import type { CurvePoint, TrialInput, TrialResult, TrialTask } from "./trial.js";
import { trialOverrides } from "./trial.js";

/** Events between two yields to the event loop (progress, aborts, queue lock renewals). */
const YIELD_EVERY = 1024;
const HOUR_MS = 3_600_000;

export interface BatchProgress {
  /** 1: the selection pass, 2: the trading pass. */
  readonly pass: number;
  /** Events read in this pass so far. */
  readonly events: number;
}

export interface BatchOptions {
  readonly onProgress?: (p: BatchProgress) => void;
  readonly signal?: AbortSignal;
}

/** The fixture a trial input reads (data: the source with its side files). */
export function inputFixture(input: TrialInput, baseOverrides: Readonly<Record<string, unknown>>) {
  if (input.kind === "fixture") return openFixture(input.dir);
  const run = openDataRun(input.spec, baseOverrides);
  return dataFixture(run.source, run.inputs);
}

/** A trial's equity curve: the first point of every hour of data time, and the last point. */
class HourlyCurve {
  private readonly points: CurvePoint[] = [];
  private hour = Number.NEGATIVE_INFINITY;
  private lastTs: number | undefined;
  private lastAccount: AccountState | undefined;

  readonly tap: PaperTap = {
    onTrading: () => {
      this.points.length = 0;
      this.hour = Number.NEGATIVE_INFINITY;
      this.lastTs = undefined;
      this.lastAccount = undefined;
    },
    onAccount: (ts, a) => {
      this.lastTs = ts;
      this.lastAccount = a;
      const h = Math.floor(ts / HOUR_MS);
      if (h === this.hour) return;
      this.hour = h;
      this.points.push({ ts, equity: a.equity.toNumber() });
    },
  };

  /** The hourly points, then the last point when it is not one of them. */
  finish(): CurvePoint[] {
    const out = [...this.points];
    const ts = this.lastTs;
    if (ts !== undefined && this.lastAccount !== undefined && out[out.length - 1]?.ts !== ts) {
      out.push({ ts, equity: this.lastAccount.equity.toNumber() });
    }
    return out;
  }
}

interface Running {
  readonly task: TrialTask;
  readonly trial: PaperTrial;
  readonly summary: ReturnType<typeof summaryTap>;
  readonly curve: HourlyCurve;
  readonly initialCapital: string;
  readonly close: () => void;
}

function startTrial(fixture: Fixture, task: TrialTask): Running {
  const options = paperOptions(fixture, trialOverrides(task));
  const summary = summaryTap(options.initial_capital);
  const curve = new HourlyCurve();
  const markPrices = fixture.markPrices?.();
  const hooks = tapHooks(combineTaps(summary.tap, curve.tap));
  return {
    task,
    trial: new PaperTrial(fixture, options, hooks, markPrices),
    summary,
    curve,
    initialCapital: options.initial_capital.toString(),
    close: () => markPrices?.close?.(),
  };
}

function* snapshotsOf(fixture: Fixture): Generator<Snapshot> {
  for (const ev of fixture.events()) if (ev.kind === "snapshot") yield ev.snapshot;
}

async function pass(
  fixture: Fixture,
  n: number,
  o: BatchOptions,
  each: (s: Snapshot) => void,
): Promise<void> {
  let events = 0;
  for (const s of snapshotsOf(fixture)) {
    each(s);
    if (++events % YIELD_EVERY === 0) {
      o.onProgress?.({ pass: n, events });
      await nextTurn();
      if (o.signal?.aborted) throw new InterruptedError(`interrupted at ts=${s.ts}`);
    }
  }
  o.onProgress?.({ pass: n, events });
}

/**
 * When every reader selects by Top-K v0 (each keeps its last window of prices
 * per symbol), the last max-window snapshots of each symbol serve them all;
 * undefined when a full pass is needed (Top-K v1, or no tail available).
 */
function selectionTail(fixture: Fixture, readers: readonly Running[]): Snapshot[] | undefined {
  if (readers.length === 0 || fixture.tailSnapshots === undefined) return undefined;
  let window = 0;
  for (const r of readers) {
    const w = r.trial.selectionWindow;
    if (w === undefined) return undefined;
    window = Math.max(window, w);
  }
  return fixture.tailSnapshots(window);
}

async function runOnce(
  fixture: Fixture,
  tasks: readonly TrialTask[],
  o: BatchOptions,
): Promise<TrialResult[]> {
  const running = tasks.map((t) => startTrial(fixture, t));
  try {
    for (const r of running) r.trial.beginSelection();
    const readers = running.filter((r) => r.trial.selectionReadsData);
    const tail = selectionTail(fixture, readers);
    if (tail !== undefined) {
      for (const s of tail) for (const r of readers) r.trial.feedSelection(s);
    } else if (readers.length > 0) {
      await pass(fixture, 1, o, (s) => {
        for (const r of readers) r.trial.feedSelection(s);
      });
    }
    for (const r of running) {
      r.trial.endSelection();
      r.trial.startTrading();
    }
    await pass(fixture, 2, o, (s) => {
      for (const r of running) r.trial.step(s);
    });
    return running.map((r) => finishTrial(fixture, r));
  } finally {
    for (const r of running) r.close();
  }
}

function finishTrial(fixture: Fixture, r: Running): TrialResult {
  const events = fixture.stats.events;
  const end = r.trial.finish(events);
  const last = r.summary.last();
  const { task } = r;
  return {
    id: task.id,
    index: task.index,
    params: task.params,
    ...(task.window !== undefined ? { window: task.window } : {}),
    ...(task.span !== undefined ? { span: task.span } : {}),
    summary: r.summary.builder().finish(end.orderCounts, end.blockedByReason),
    initialCapital: r.initialCapital,
    finalEquity: last === undefined ? r.initialCapital : last.equity.toString(),
    events,
    errors: [...end.errors],
    equity: r.curve.finish(),
  };
}

/**
 * Run `tasks` (all on the same input) side by side over one decoding pass;
 * results in the order of the tasks.
 */
export async function runTrialBatch(
  tasks: readonly TrialTask[],
  o: BatchOptions = {},
): Promise<TrialResult[]> {
  const first = tasks[0];
  if (first === undefined) return [];
  const fixture = inputFixture(first.input, first.baseOverrides);
  return runInTsOrder(() => runOnce(fixture, tasks, o));
}
