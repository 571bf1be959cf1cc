/**
 * The worker's side of worker-snapshots.ts: the merged stream of a Binance
 * job, made by the same code as on the calling thread (mergedSnapshots),
 * sent in batches (reading-thread.ts) with the source's counters.
 */

import type { ReadingWorkerData } from "../reading-thread.js";
import { sendBatches } from "../reading-thread.js";
import { decimalFromWire } from "../snapshot-batch.js";
import { mergedSnapshots } from "./binance-source.js";
import { createSourceStats } from "./source-stats.js";
import type { DecodeJob } from "./worker-snapshots.js";

export function runReadingJob(data: ReadingWorkerData): void {
  const job = data.job as DecodeJob;
  const stats = createSourceStats(job.symbols);
  const settings = {
    kind: job.kind,
    onBadRow: job.onBadRow,
    model: {
      halfSpread: decimalFromWire(job.halfSpread),
      depthQty: decimalFromWire(job.depthQty),
      bookTickerTime: job.bookTickerTime,
    },
  };
  sendBatches(
    data,
    () => mergedSnapshots(job.symbols, job.files, settings, stats),
    (writer, s) => writer.push(s),
    stats,
  );
}
