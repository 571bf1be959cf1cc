/**
 * Running a sweep's trials on this machine: the tasks of each input are cut
 * into `jobs` batches, more when a batch would hold over MAX_BATCH_TRIALS
 * (trial i goes to batch i mod n, so costly and cheap settings spread), and
 * the batches run on a pool of `jobs` worker threads (default: one per
 * core), each batch decoding its input once for all its trials. `jobs` 1
 * runs in this thread.
 */

import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { InvalidInputError } from "../../core/errors.js";
import { onWorkerPool } from "../worker-pool.js";
import { inputKey, type TrialResult, type TrialTask } from "./trial.js";
import { type BatchProgress, runTrialBatch } from "./trial-batch.js";

/** What a sweep worker thread posts. */
export type LocalBatchMessage =
  | ({ readonly type: "progress" } & BatchProgress)
  | { readonly type: "done"; readonly results: TrialResult[] }
  | { readonly type: "error"; readonly message: string };

export interface ExecutorProgress {
  readonly trialsDone: number;
  readonly trialsTotal: number;
  /** Events read so far by every batch (both passes). */
  readonly events: number;
}

/** Something that runs trials and returns their results (local threads or a queue). */
export interface TrialExecutor {
  run(
    tasks: readonly TrialTask[],
    onProgress?: (p: ExecutorProgress) => void,
  ): Promise<TrialResult[]>;
  close(): Promise<void>;
}

/**
 * Most trials of one batch: each holds a kernel and a venue in memory, so a
 * batch is bounded (a big sweep decodes its input once per 32 trials).
 */
export const MAX_BATCH_TRIALS = 32;

/** Batches per input: `jobs` (or more, of at most MAX_BATCH_TRIALS); trial i in batch i mod n. */
export function batchesOf(tasks: readonly TrialTask[], jobs: number): TrialTask[][] {
  const byInput = new Map<string, TrialTask[]>();
  for (const t of tasks) {
    const key = inputKey(t.input);
    const list = byInput.get(key) ?? [];
    list.push(t);
    byInput.set(key, list);
  }
  const out: TrialTask[][] = [];
  for (const list of byInput.values()) {
    const n = Math.max(1, Math.min(jobs, list.length), Math.ceil(list.length / MAX_BATCH_TRIALS));
    const batches: TrialTask[][] = Array.from({ length: n }, () => []);
    for (let i = 0; i < list.length; i++) batches[i % n]?.push(list[i] as TrialTask);
    out.push(...batches);
  }
  return out;
}

/** A batch's progress (events read so far in its pass) as the events read since the last report. */
function eventDeltas(onEvents: (delta: number) => void): (p: BatchProgress) => void {
  let pass = 0;
  let seen = 0;
  return (p) => {
    if (p.pass !== pass) {
      pass = p.pass;
      seen = 0;
    }
    onEvents(p.events - seen);
    seen = p.events;
  };
}

function runOnWorker(
  worker: Worker,
  batch: readonly TrialTask[],
  onEvents: (delta: number) => void,
): Promise<TrialResult[]> {
  const progress = eventDeltas(onEvents);
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      worker.off("message", onMessage);
      worker.off("error", onError);
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const onMessage = (m: LocalBatchMessage): void => {
      if (m.type === "progress") {
        progress(m);
        return;
      }
      cleanup();
      if (m.type === "done") resolve(m.results);
      else reject(new InvalidInputError(m.message));
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.postMessage(batch);
  });
}

export class LocalExecutor implements TrialExecutor {
  private readonly jobs: number;

  constructor(jobs = availableParallelism()) {
    if (!Number.isSafeInteger(jobs) || jobs < 1) {
      throw new InvalidInputError(`--jobs expects a count >= 1, got ${jobs}`);
    }
    this.jobs = jobs;
  }

  async run(
    tasks: readonly TrialTask[],
    onProgress?: (p: ExecutorProgress) => void,
  ): Promise<TrialResult[]> {
    const byId = new Map<TrialTask, TrialResult>();
    let trialsDone = 0;
    let events = 0;
    const report = (): void => onProgress?.({ trialsDone, trialsTotal: tasks.length, events });
    const finish = (batch: readonly TrialTask[], results: readonly TrialResult[]): void => {
      for (let i = 0; i < batch.length; i++) {
        byId.set(batch[i] as TrialTask, results[i] as TrialResult);
      }
      trialsDone += batch.length;
      report();
    };
    const batches = batchesOf(tasks, this.jobs);
    const onEvents = (delta: number): void => {
      events += delta;
      report();
    };
    if (this.jobs === 1) {
      for (const b of batches) {
        finish(b, await runTrialBatch(b, { onProgress: eventDeltas(onEvents) }));
      }
    } else {
      const url = new URL("./sweep-worker-thread.js", import.meta.url);
      await onWorkerPool(url, batches, this.jobs, async (worker, b) => {
        finish(b, await runOnWorker(worker, b, onEvents));
      });
    }
    return tasks.map((t) => byId.get(t) as TrialResult);
  }

  async close(): Promise<void> {}
}
