/**
 * The merged snapshot stream of a Binance source read on a worker thread: the
 * worker (decode-worker.ts, decode-job.ts) reads, inflates, decodes and merges
 * every file as the calling thread would, and hands over batches of
 * BATCH_ROWS snapshots in binary form (snapshot-batch.ts), transferred, not
 * copied, with the source's counters as of the batch's end. The stream stays
 * a synchronous iterator: the caller blocks on a shared counter
 * (Atomics.wait, no busy loop) until the next batch arrives, and the worker
 * runs at most LOOKAHEAD batches ahead, so both threads work at once with
 * bounded memory.
 *
 * Same snapshots, same counters at the end, and an error is thrown, with its
 * class and message, after the snapshots before it. Counters move batch by
 * batch during the pass. Stopping early (the consumer breaks or throws) stops
 * the worker; the worker never keeps the process alive.
 */

import {
  isMainThread,
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from "node:worker_threads";
import { ConfigError, GrinderError, InvalidInputError } from "../../core/errors.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { DayFile } from "./day-files.js";
import type { BinanceKind } from "./layouts.js";
import { BatchReader, decimalWire, type SnapshotBatch } from "./snapshot-batch.js";
import { assignSourceStats, type BinanceSourceStats } from "./source-stats.js";
import type { BadRowPolicy, SymbolStreamSettings } from "./symbol-stream.js";

/**
 * Reader threads when neither the option nor GRINDER_DATA_THREADS says, on
 * the main thread: 0. On the shared 2-core machine the worker took 9-16% off
 * the engine thread's CPU, but the wall time of a run did not shorten
 * consistently (aggTrades 9% shorter over six paired runs, bookTicker 8%
 * longer), while adding 7-13% CPU and about 80 MB of memory (the report of
 * issue #15; docs/DATA.md). On a worker thread (a sweep's or a backtest's
 * pool, which already keeps the cores busy) the default is 0 whatever this
 * says.
 */
export const DEFAULT_DATA_THREADS = 0;
/** Snapshots per batch. */
export const BATCH_ROWS = 4096;
/** Batches the worker may have sent and the caller not yet taken. */
export const LOOKAHEAD = 4;

/** Slots of the shared control array. */
export const PRODUCED = 0;
export const CONSUMED = 1;
export const STOP = 2;
/** Bumped by the worker as it works and while it waits for room: a sign of life. */
export const ALIVE = 3;
const CONTROL_SLOTS = 4;
/** How long the caller waits at a time before it looks for a sign of life. */
const WAIT_SLICE_MS = 250;
/**
 * Silence (no batch, no sign of life) after which the worker is taken for
 * dead: a worker that dies abnormally (out of memory) sends nothing, and a
 * caller blocked in Atomics.wait would otherwise wait for ever, deaf to
 * Ctrl-C. The worker signs of life every 1024 snapshots and every wait.
 */
export const SILENCE_LIMIT_MS = 120_000;

/** Reader threads: the option, else GRINDER_DATA_THREADS, else DEFAULT_DATA_THREADS. */
export function dataThreadsOption(
  value: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const text = env.GRINDER_DATA_THREADS;
  const fallback = isMainThread ? DEFAULT_DATA_THREADS : 0;
  const v = value ?? (text === undefined || text === "" ? fallback : Number(text));
  if (v !== 0 && v !== 1) {
    const from = value === undefined ? "GRINDER_DATA_THREADS" : "dataThreads";
    throw new ConfigError(`${from}: expected 0 or 1, got ${JSON.stringify(value ?? text)}`);
  }
  return v;
}

/** What the worker needs to make the stream (structured-clone friendly). */
export interface DecodeJob {
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
    symbols: [...symbols],
    files: files.map((f) => ({ symbol: f.symbol, date: f.date, path: f.path, layout: f.layout })),
    kind: settings.kind,
    onBadRow: settings.onBadRow,
    halfSpread: decimalWire(settings.model.halfSpread),
    depthQty: decimalWire(settings.model.depthQty),
    bookTickerTime: settings.model.bookTickerTime,
  };
}

/** The worker's data: the job, its end of the channel and the control array. */
export interface DecodeWorkerData {
  readonly job: DecodeJob;
  readonly port: MessagePort;
  readonly control: SharedArrayBuffer;
}

/** An error crossing threads: its class (by name and code) and message. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/** One message of the worker: a batch, and whether the stream ends after it (or fails). */
export interface BatchMessage extends SnapshotBatch {
  /** The counters after the batch's last snapshot (absent when the worker could not start). */
  readonly stats?: BinanceSourceStats;
  readonly end?: boolean;
  readonly error?: WireError;
}

export function errorToWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: "Error", message: String(e) };
  const code = (e as { code?: unknown }).code;
  return {
    name: e.name,
    message: e.message,
    ...(typeof code === "string" ? { code } : {}),
  };
}

/** The error as the calling thread would have thrown it (class by code, same message). */
export function errorFromWire(w: WireError): Error {
  if (w.code === "INVALID_INPUT") return new InvalidInputError(w.message);
  if (w.code === "CONFIG") return new ConfigError(w.message);
  if (w.code !== undefined && w.name.endsWith("Error") && w.name !== "Error") {
    const e = new GrinderError(w.code, w.message);
    e.name = w.name;
    return e;
  }
  const e = new Error(w.message);
  e.name = w.name;
  if (w.code !== undefined) Object.assign(e, { code: w.code });
  return e;
}

let liveWorkers = 0;

/** Reader workers started and not yet exited (for tests: none is left running). */
export function liveDecodeWorkers(): number {
  return liveWorkers;
}

/** Signal on slot `at` of the control array: one more, and wake whoever waits on it. */
export function bump(control: Int32Array, at: number): void {
  Atomics.add(control, at, 1);
  Atomics.notify(control, at);
}

/** For tests: another worker script, a shorter silence limit. */
export interface WorkerStreamOptions {
  readonly workerUrl?: URL;
  readonly silenceLimitMs?: number;
}

/** The stream of `job` read on a worker thread, updating `stats` batch by batch. */
export function* workerSnapshots(
  job: DecodeJob,
  stats: BinanceSourceStats,
  opts: WorkerStreamOptions = {},
): Generator<Snapshot> {
  const silenceLimitMs = opts.silenceLimitMs ?? SILENCE_LIMIT_MS;
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  const { port1, port2 } = new MessageChannel();
  const data: DecodeWorkerData = { job, port: port2, control: control.buffer as SharedArrayBuffer };
  const worker = new Worker(opts.workerUrl ?? new URL("./decode-worker.js", import.meta.url), {
    workerData: data,
    transferList: [port2],
  });
  worker.unref();
  liveWorkers++;
  worker.once("exit", () => liveWorkers--);
  const receive = (): BatchMessage => {
    let alive = Atomics.load(control, ALIVE);
    let quietMs = 0;
    for (;;) {
      const seen = Atomics.load(control, PRODUCED);
      const got = receiveMessageOnPort(port1);
      if (got !== undefined) return got.message as BatchMessage;
      if (Atomics.wait(control, PRODUCED, seen, WAIT_SLICE_MS) !== "timed-out") continue;
      const now = Atomics.load(control, ALIVE);
      if (now !== alive) {
        alive = now;
        quietMs = 0;
        continue;
      }
      quietMs += WAIT_SLICE_MS;
      if (quietMs >= silenceLimitMs) {
        throw new Error(
          `the data reading thread (--data-threads 1) sent nothing and gave no sign of life for ${quietMs / 1000} s: it has died (out of memory?); run again with --data-threads 0`,
        );
      }
    }
  };
  const reader = new BatchReader(job.symbols);
  try {
    for (;;) {
      const batch = receive();
      bump(control, CONSUMED);
      if (batch.stats !== undefined) assignSourceStats(stats, batch.stats);
      for (let i = 0; i < batch.count; i++) yield reader.snapshot(batch, i);
      if (batch.error !== undefined) throw errorFromWire(batch.error);
      if (batch.end === true) return;
    }
  } finally {
    // The worker sees the stop within a batch, closes its files and ends.
    Atomics.store(control, STOP, 1);
    Atomics.notify(control, CONSUMED);
    port1.close();
  }
}
