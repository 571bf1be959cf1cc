/**
 * The merged snapshot stream of a Binance source read on a worker thread
 * (reading-thread.ts): the worker (decode-job.ts) reads, inflates, decodes
 * and merges every file as the calling thread would. Same snapshots, same
 * counters at the end; counters move batch by batch during the pass.
 */

import type { Snapshot } from "../../domain/snapshot.js";
import { batchesOnThread, type ReadingJob, type WorkerStreamOptions } from "../reading-thread.js";
import { BatchReader, decimalWire } from "../snapshot-batch.js";
import type { DayFile } from "./day-files.js";
import type { BinanceKind } from "./layouts.js";
import { assignSourceStats, type BinanceSourceStats } from "./source-stats.js";
import type { BadRowPolicy, SymbolStreamSettings } from "./symbol-stream.js";

/** What the worker needs to make the stream (structured-clone friendly). */
export interface DecodeJob extends ReadingJob {
  readonly reader: "binance";
  readonly symbols: readonly string[];
  readonly files: readonly DayFile[];
  readonly kind: BinanceKind;
  readonly onBadRow: BadRowPolicy;
  /** decimalWire texts of the quote model's decimals. */
  readonly halfSpread: string;
  readonly depthQty: string;
  readonly bookTickerTime: "event" | "transaction";
}

export function decodeJob(
  symbols: readonly string[],
  files: readonly DayFile[],
  settings: SymbolStreamSettings,
): DecodeJob {
  return {
    reader: "binance",
    symbols: [...symbols],
    files: files.map((f) => ({ symbol: f.symbol, date: f.date, path: f.path, layout: f.layout })),
    kind: settings.kind,
    onBadRow: settings.onBadRow,
    halfSpread: decimalWire(settings.model.halfSpread),
    depthQty: decimalWire(settings.model.depthQty),
    bookTickerTime: settings.model.bookTickerTime,
  };
}

/** The stream of `job` read on a worker thread, updating `stats` batch by batch. */
export function* workerSnapshots(
  job: DecodeJob,
  stats: BinanceSourceStats,
  opts: WorkerStreamOptions = {},
): Generator<Snapshot> {
  const reader = new BatchReader();
  for (const batch of batchesOnThread(job, opts)) {
    if (batch.stats !== undefined) assignSourceStats(stats, batch.stats as BinanceSourceStats);
    reader.open(batch);
    for (let i = 0; i < batch.count; i++) yield reader.snapshot(batch, i);
  }
}
