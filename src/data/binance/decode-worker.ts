/**
 * Worker thread reading a Binance source's merged stream (worker-snapshots.ts).
 * This module imports nothing of the project before it runs, so that a
 * failure to load the reading code is still reported to the waiting thread
 * (which would otherwise wait for ever).
 */

import { workerData } from "node:worker_threads";
import type { DecodeWorkerData } from "./worker-snapshots.js";

const data = workerData as DecodeWorkerData;
try {
  const { runDecodeJob } = await import("./decode-job.js");
  runDecodeJob(data);
} catch (e) {
  const error =
    e instanceof Error
      ? { name: e.name, message: e.message }
      : { name: "Error", message: String(e) };
  data.port.postMessage({ rows: new Float64Array(0), count: 0, texts: [], error });
  const control = new Int32Array(data.control);
  Atomics.add(control, 0, 1);
  Atomics.notify(control, 0);
  data.port.close();
}
