/** Worker thread of a local sweep: runs one batch of trials per message (trial-batch.ts). */

import { parentPort } from "node:worker_threads";
import { errorMessage } from "../../core/errors.js";
import type { LocalBatchMessage } from "./local-executor.js";
import type { TrialTask } from "./trial.js";
import { runTrialBatch } from "./trial-batch.js";

const port = parentPort;
if (port === null) throw new Error("sweep-worker-thread must run in a worker thread");
port.on("message", (tasks: TrialTask[]) => {
  const send = (m: LocalBatchMessage): void => port.postMessage(m);
  runTrialBatch(tasks, { onProgress: (p) => send({ type: "progress", ...p }) }).then(
    (results) => send({ type: "done", results }),
    (e: unknown) => send({ type: "error", message: errorMessage(e) }),
  );
});
