/** Worker thread of the backtest: runs one fixture per message, replies with its report. */

import { parentPort } from "node:worker_threads";
import { type FixtureJob, runFixtureOutcome } from "./backtest.js";

const port = parentPort;
if (port === null) throw new Error("backtest-worker must run in a worker thread");
port.on("message", (job: FixtureJob | string) => {
  const { dir, withSeries } = typeof job === "string" ? { dir: job, withSeries: false } : job;
  runFixtureOutcome(dir, withSeries ?? false).then(
    (r) => port.postMessage(r),
    (e: unknown) => {
      throw e;
    },
  );
});
