/**
 * A stream of events read on a worker thread (`--data-threads 1`): the
 * worker (reading-worker.ts) runs a reading job, the same code the calling
 * thread would run, and hands over batches of BATCH_ROWS rows in binary form
 * (snapshot-batch.ts), transferred, not copied. The stream stays a
 * synchronous iterator: the caller blocks on a shared counter (Atomics.wait,
 * no busy loop) until the next batch arrives, and the worker runs at most
 * LOOKAHEAD batches ahead, so both threads work at once with bounded memory.
 *
 * The jobs: a Binance source's merged dumps (binance/worker-snapshots.ts)
 * and a fixture's JSONL lines (fixture-thread.ts). Same events, and an error
 * is thrown, with its class and message, after the events before it.
 * Stopping early (the consumer breaks or throws) stops the worker; the worker
 * never keeps the process alive, and one that dies without a word is taken
 * for dead after SILENCE_LIMIT_MS.
 */

import { availableParallelism } from "node:os";
import {
  isMainThread,
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from "node:worker_threads";
import { ConfigError, GrinderError, InvalidInputError } from "../core/errors.js";
import { BatchWriter, type SnapshotBatch } from "./snapshot-batch.js";

/**
 * Reader threads when neither the option nor GRINDER_DATA_THREADS says, on
 * the main thread (docs/DATA.md, "Reading thread", has the measurements):
 *
 * - "cores": Binance dumps. 1 when the machine has a second core, else 0:
 *   with a core free a `backtest --data` of a 1M-row day ran 19-23%
 *   shorter, and with both cores taken by other work no longer (paired).
 * - 0: fixtures, mostly small files where the worker's start (about 0.1 s)
 *   costs more than it saves (replay of 100k events 18% longer).
 *
 * On a worker thread (a sweep's or a backtest's pool, which already keeps
 * the cores busy) the default is 0 whatever the input.
 */
export type ThreadsDefault = 0 | "cores";

/** What "cores" means here: a second core to read on. */
function threadsByCores(): number {
  return availableParallelism() >= 2 ? 1 : 0;
}

/** Rows per batch. */
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
/** While waiting for room, the worker signs of life at least this often. */
const ALIVE_EVERY_MS = 1000;
/**
 * Silence (no batch, no sign of life) after which the worker is taken for
 * dead: a worker that dies abnormally (out of memory) sends nothing, and a
 * caller blocked in Atomics.wait would otherwise wait for ever, deaf to
 * Ctrl-C. The worker signs of life every 1024 rows and every wait.
 */
export const SILENCE_LIMIT_MS = 120_000;

/** Reader threads: the option, else GRINDER_DATA_THREADS, else the input's default. */
export function dataThreadsOption(
  value: number | undefined,
  byDefault: ThreadsDefault,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const text = env.GRINDER_DATA_THREADS;
  const fallback = !isMainThread ? 0 : byDefault === "cores" ? threadsByCores() : 0;
  const v = value ?? (text === undefined || text === "" ? fallback : Number(text));
  if (v !== 0 && v !== 1) {
    const from = value === undefined ? "GRINDER_DATA_THREADS" : "dataThreads";
    throw new ConfigError(`${from}: expected 0 or 1, got ${JSON.stringify(value ?? text)}`);
  }
  return v;
}

/** What a worker reads (structured-clone friendly); `reader` names the job. */
export interface ReadingJob {
  readonly reader: "binance" | "fixture";
}

/** The worker's data: the job, its end of the channel and the control array. */
export interface ReadingWorkerData<J extends ReadingJob = ReadingJob> {
  readonly job: J;
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
  /** The job's counters after the batch's last row (absent when the worker could not start). */
  readonly stats?: unknown;
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

/** Reading workers started and not yet exited (for tests: none is left running). */
export function liveReadingWorkers(): number {
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

/**
 * The batches of `job` read on a worker thread, in order. The caller reads
 * each batch's rows before it asks for the next; the batch's error, if any,
 * is thrown then, after its rows.
 */
export function* batchesOnThread(
  job: ReadingJob,
  opts: WorkerStreamOptions = {},
): Generator<BatchMessage> {
  const silenceLimitMs = opts.silenceLimitMs ?? SILENCE_LIMIT_MS;
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  const { port1, port2 } = new MessageChannel();
  const data: ReadingWorkerData = {
    job,
    port: port2,
    control: control.buffer as SharedArrayBuffer,
  };
  const worker = new Worker(opts.workerUrl ?? new URL("./reading-worker.js", import.meta.url), {
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
  try {
    for (;;) {
      const batch = receive();
      bump(control, CONSUMED);
      yield batch;
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

/**
 * The worker's side: the rows of the items `open` gives, written by `write`, sent in
 * batches at most LOOKAHEAD ahead of the reader, until the end, an error or
 * the reader's stop; `stats` (if given) goes with every batch.
 */
export function sendBatches<T>(
  { port, control: shared }: ReadingWorkerData,
  open: () => Iterator<T>,
  write: (writer: BatchWriter, item: T) => void,
  stats?: unknown,
): void {
  const control = new Int32Array(shared);
  const writer = new BatchWriter(BATCH_ROWS);
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
    const items = open();
    let rows = 0;
    for (let r = items.next(); r.done !== true; r = items.next()) {
      if ((++rows & 1023) === 0) Atomics.add(control, ALIVE, 1);
      write(writer, r.value);
      if (writer.full) {
        send({});
        if (!room()) {
          // Stopped early: close the files the stream has open, then end.
          items.return?.();
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
