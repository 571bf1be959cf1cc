/**
 * A fixture's JSONL events read on a worker thread (reading-thread.ts): the
 * worker splits and parses the lines with the calling thread's code
 * (jsonlEvents) and sends snapshots in binary form, other events as their
 * type and place. Same events in the same order, and a bad line's error,
 * naming file:line, after the events before it.
 */

import { type FixtureEvent, jsonlEvents } from "./fixture-events.js";
import {
  batchesOnThread,
  type ReadingJob,
  type ReadingWorkerData,
  sendBatches,
  type WorkerStreamOptions,
} from "./reading-thread.js";
import { BatchReader } from "./snapshot-batch.js";

export interface FixtureJob extends ReadingJob {
  readonly reader: "fixture";
  /** The events.jsonl file. */
  readonly path: string;
}

/** The events of the JSONL file `path`, read on a worker thread. */
export function* fixtureEventsOnThread(
  path: string,
  opts: WorkerStreamOptions = {},
): Generator<FixtureEvent> {
  const job: FixtureJob = { reader: "fixture", path };
  const reader = new BatchReader();
  for (const batch of batchesOnThread(job, opts)) {
    reader.open(batch);
    for (let i = 0; i < batch.count; i++) {
      if (reader.isSnapshot(batch, i)) {
        yield { kind: "snapshot", snapshot: reader.snapshot(batch, i) };
      } else {
        const { type, where } = reader.other(batch, i);
        yield { kind: "other", type, where };
      }
    }
  }
}

/** The worker's side. */
export function runReadingJob(data: ReadingWorkerData): void {
  const job = data.job as FixtureJob;
  sendBatches(
    data,
    () => jsonlEvents(job.path),
    (writer, ev: FixtureEvent) => {
      if (ev.kind === "snapshot") writer.push(ev.snapshot);
      else writer.pushOther(ev.type, ev.where);
    },
  );
}
