/**
 * `grinder worker`: takes sweep trials from a BullMQ queue and runs them
 * (trial-batch.ts), one at a time. Before running, it recomputes the trial's
 * id from its own view of the data and its own code: a worker whose data or
 * build differs from the submitter's fails the job with a message saying so
 * (another worker may take it) instead of returning a result that belongs to
 * different inputs.
 */

import { Worker } from "bullmq";
import { InvalidInputError } from "../../core/errors.js";
import { trialTasks } from "./sweep.js";
import type { QueueTarget } from "./sweep-queue.js";
import type { TrialResult, TrialTask } from "./trial.js";
import { runTrialBatch } from "./trial-batch.js";

export interface SweepWorkerOptions {
  /** Job lock, renewed while a trial runs; a dead worker's job returns after it. Default 30 s. */
  readonly lockMs?: number;
  /** Called when a trial starts and when it is done. */
  readonly onTrial?: (event: "start" | "done" | "failed", task: TrialTask, detail?: string) => void;
}

/** Check the task's id against this machine's data and code, then run it. */
export async function runTrialJob(task: TrialTask): Promise<TrialResult> {
  const [mine] = trialTasks(task.input, task.baseOverrides, [task.params]);
  if (mine === undefined || mine.id !== task.id) {
    throw new InvalidInputError(
      `trial ${task.id}: this worker computes id ${mine?.id ?? "?"} for it: its data files or its grinder build differ from the submitter's`,
    );
  }
  const [result] = await runTrialBatch([task]);
  if (result === undefined) throw new InvalidInputError(`trial ${task.id}: no result`);
  return result;
}

export function startSweepWorker(target: QueueTarget, o: SweepWorkerOptions = {}): Worker {
  const lockDuration = o.lockMs ?? 30_000;
  const worker = new Worker<TrialTask, TrialResult>(
    target.name,
    async (job) => {
      o.onTrial?.("start", job.data);
      const r = await runTrialJob(job.data);
      o.onTrial?.("done", job.data);
      return r;
    },
    {
      connection: target.connection,
      concurrency: 1,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: 5,
      removeOnComplete: { count: 1_000_000 },
    },
  );
  worker.on("failed", (job, err) => {
    if (job !== undefined) o.onTrial?.("failed", job.data, err.message);
  });
  return worker;
}
