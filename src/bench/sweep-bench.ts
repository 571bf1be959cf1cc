/**
 * The sweep bench case, in its own process so peak RSS is its own:
 * `node dist/bench/sweep-bench.js FIXTURE_DIR CONFIG.json [TRIALS] [JOBS]`.
 * TRIALS (default 16) realistic-profile trials over a spacing x levels grid,
 * on JOBS worker threads (default: one per core), each thread decoding the
 * events once for its trials. Prints one JSON line: trials, events per
 * trial, seconds, trial-events per second, peak RSS (main thread and
 * workers share the process).
 */

import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { LocalExecutor } from "../runtime/sweep/local-executor.js";
import { runSweep } from "../runtime/sweep/sweep.js";
import { parseGrid, sweepTrials } from "../runtime/sweep/sweep-space.js";

async function main(): Promise<void> {
  const [dir, configPath, trialsText, jobsText] = process.argv.slice(2);
  if (dir === undefined || configPath === undefined) {
    throw new Error("usage: sweep-bench FIXTURE_DIR CONFIG.json [TRIALS] [JOBS]");
  }
  const n = Number(trialsText ?? 16);
  const side = Math.ceil(Math.sqrt(n));
  const spacing = Array.from({ length: side }, (_, i) => 5 + 5 * i).join(",");
  const levels = Array.from({ length: side }, (_, i) => 2 + i).join(",");
  const trials = sweepTrials(parseGrid([`spacing_bps=${spacing}`, `levels=${levels}`])).slice(0, n);
  const baseOverrides = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>;
  const executor = new LocalExecutor(Number(jobsText ?? availableParallelism()));
  const t0 = process.hrtime.bigint();
  const outcome = await runSweep(
    {
      input: { kind: "fixture", dir },
      baseOverrides,
      trials,
      objective: { key: "net_pnl", direction: "max" },
    },
    executor,
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const events = outcome.results[0]?.events ?? 0;
  if (outcome.results.every((r) => r.summary.fills === 0)) throw new Error("no fill in any trial");
  process.stdout.write(
    JSON.stringify({
      trials: outcome.results.length,
      events,
      seconds,
      trial_events_per_s: Math.round((outcome.results.length * events) / seconds),
      max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    }) + "\n",
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
