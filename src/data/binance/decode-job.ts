/**
 * The worker's side of worker-snapshots.ts: the merged stream of a job, made
 * by the same code as on the calling thread (mergedSnapshots), sent in
 * batches, at most LOOKAHEAD ahead of the reader, until the end, an error or
 * the reader's stop.
 */

import { mergedSnapshots } from "./binance-source.js";
import { BatchWriter, decimalFromWire } from "./snapshot-batch.js";
import { createSourceStats } from "./source-stats.js";
import {
  ALIVE,
  BATCH_ROWS,
  type BatchMessage,
  bump,
  CONSUMED,
  type DecodeWorkerData,
  errorToWire,
  LOOKAHEAD,
  PRODUCED,
  STOP,
} from "./worker-snapshots.js";

/** While waiting for room, a sign of life at least this often. */
const ALIVE_EVERY_MS = 1000;

export function runDecodeJob({ job, port, control: shared }: DecodeWorkerData): void {
  const control = new Int32Array(shared);
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
  const writer = new BatchWriter(BATCH_ROWS, job.symbols);
  let sent = 0;
  const send = (last: Pick<BatchMessage, "end" | "error">): void => {
    const batch = writer.take();
    const msg: BatchMessage = { ...batch, stats, ...last };
    port.postMessage(msg, [batch.rows.buffer as ArrayBuffer]);
    sent++;
    bump(control, PRODUCED);
  };
  /** Wait while LOOKAHEAD batches are pending; false when the reader stopped. */
  const room = (): boolean => {
    for (;;) {
      if (Atomics.load(control, STOP) !== 0) return false;
      const taken = Atomics.load(control, CONSUMED);
      if (sent - taken < LOOKAHEAD) return true;
      Atomics.add(control, ALIVE, 1);
      Atomics.wait(control, CONSUMED, taken, ALIVE_EVERY_MS);
    }
  };
  try {
    const it = mergedSnapshots(job.symbols, job.files, settings, stats);
    let rows = 0;
    for (let r = it.next(); r.done !== true; r = it.next()) {
      if ((++rows & 1023) === 0) Atomics.add(control, ALIVE, 1);
      writer.push(r.value);
      if (writer.full) {
        send({});
        if (!room()) {
          // Stopped early: close the files the stream has open, then end.
          it.return?.();
          return;
        }
      }
    }
    send({ end: true });
  } catch (e) {
    send({ error: errorToWire(e) });
  } finally {
    port.close();
  }
}
