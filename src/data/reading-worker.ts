/**
 * Worker thread running a reading job (reading-thread.ts): a Binance
 * source's merged dumps or a fixture's lines. This module imports nothing of
 * the project before it runs, so that a failure to load the reading code is
 * still reported to the waiting thread (which would otherwise wait for ever).
 */

import { workerData } from "node:worker_threads";
import type { ReadingWorkerData } from "./reading-thread.js";

const data = workerData as ReadingWorkerData;
try {
  const job =
    data.job.reader === "fixture"
      ? await import("./fixture-thread.js")
      : await import("./binance/decode-job.js");
  job.runReadingJob(data);
} catch (e) {
  const error =
    e instanceof Error
      ? { name: e.name, message: e.message }
      : { name: "Error", message: String(e) };
  data.port.postMessage({ rows: new Float64Array(0), count: 0, texts: [], symbols: [], error });
  const control = new Int32Array(data.control);
  Atomics.add(control, 0, 1);
  Atomics.notify(control, 0);
  data.port.close();
}
