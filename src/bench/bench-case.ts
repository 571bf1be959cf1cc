/**
 * One benchmark case, run in its own process so peak RSS is its own:
 * `node dist/bench/bench-case.js replay|paper FIXTURE_DIR [CONFIG.json]`.
 * Prints one JSON line: events, seconds, events_per_s, max_rss_mb, digest.
 */

import { readFileSync } from "node:fs";
import { openFixture } from "../data/fixture-reader.js";
import { runPaper } from "../runtime/backtest/run-paper.js";
import { runReplay } from "../runtime/backtest/run-replay.js";

async function main(): Promise<void> {
  const [mode, dir, configPath] = process.argv.slice(2);
  if ((mode !== "replay" && mode !== "paper") || dir === undefined) {
    throw new Error("usage: bench-case replay|paper FIXTURE_DIR [CONFIG.json]");
  }
  const overrides = configPath
    ? (JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>)
    : undefined;
  const fixture = openFixture(dir);
  const t0 = process.hrtime.bigint();
  const r =
    mode === "replay"
      ? await runReplay(fixture, undefined, overrides)
      : await runPaper(fixture, undefined, overrides);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({
      events: r.eventsProcessed,
      seconds,
      events_per_s: Math.round(r.eventsProcessed / seconds),
      max_rss_mb: Math.round(maxRssMb),
      digest: r.digest,
    }) + "\n",
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
