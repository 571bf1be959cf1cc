/** Worker thread of the backtest: runs one fixture per message, replies with its report. */

import { parentPort } from "node:worker_threads";
import { runFixtureOutcome } from "./backtest.js";

const port = parentPort;
if (port === null) throw new Error("backtest-worker must run in a worker thread");
port.on("message", (dir: string) => {
  runFixtureOutcome(dir).then(
    (r) => port.postMessage(r),
    (e: unknown) => {
      throw e;
    },
  );
});
