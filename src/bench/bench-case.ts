/**
 * One benchmark case, run in its own process so peak RSS is its own:
 * `node dist/bench/bench-case.js replay|paper|paper-summary FIXTURE_DIR [CONFIG.json]`, or on a
 * Binance dump (bench-data.ts) `node dist/bench/bench-case.js decode|data-backtest
 * bookTicker|aggTrades DATA_DIR`: decode reads the rows into snapshots (no engine),
 * data-backtest runs `grinder backtest --data` (realistic profile) over them.
 * `paper-summary` is paper watched as a data backtest watches it: equity
 * points (account read at fills and each minute) feeding the run summary.
 * Prints one JSON line: events, seconds, events_per_s, max_rss_mb, digest
 * (for the data cases, events are CSV rows).
 */

import { readFileSync } from "node:fs";
import { openBinanceSource } from "../data/binance/binance-source.js";
import { openFixture } from "../data/fixture-reader.js";
import { runPaperTapped } from "../runtime/backtest/backtest-tap.js";
import { runDataBacktest } from "../runtime/backtest/run-data-backtest.js";
import { paperOptions, runPaper } from "../runtime/backtest/run-paper.js";
import { runReplay } from "../runtime/backtest/run-replay.js";
import { summaryTap } from "../runtime/backtest/summary-tap.js";
import { BENCH_DAY, BENCH_SYMBOL, type BenchDataKind } from "./bench-data.js";

type CaseRun = { readonly eventsProcessed: number; readonly digest: string };

/** Decode (no engine) or backtest one synthetic Binance day. */
async function dataCase(mode: string, kind: BenchDataKind, dir: string): Promise<CaseRun> {
  const source = openBinanceSource({
    dataDir: dir,
    symbols: [BENCH_SYMBOL],
    kind,
    from: BENCH_DAY,
    to: BENCH_DAY,
  });
  if (mode === "data-backtest") {
    const r = await runDataBacktest(source);
    if (r.run.totalFills === 0) throw new Error("data-backtest: no fill, nothing measured");
    return { eventsProcessed: source.stats.rows, digest: r.run.digest };
  }
  let last = 0;
  for (const s of source.snapshots()) last = s.ts;
  return { eventsProcessed: source.stats.rows, digest: `last ts ${last}` };
}

async function main(): Promise<void> {
  const [mode, dir, configPath] = process.argv.slice(2);
  if (mode === "decode" || mode === "data-backtest") {
    if ((dir !== "bookTicker" && dir !== "aggTrades") || configPath === undefined) {
      throw new Error("usage: bench-case decode|data-backtest bookTicker|aggTrades DATA_DIR");
    }
    const t0 = process.hrtime.bigint();
    report(await dataCase(mode, dir, configPath), t0);
    return;
  }
  if ((mode !== "replay" && mode !== "paper" && mode !== "paper-summary") || dir === undefined) {
    throw new Error("usage: bench-case replay|paper|paper-summary FIXTURE_DIR [CONFIG.json]");
  }
  const overrides = configPath
    ? (JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>)
    : undefined;
  const fixture = openFixture(dir);
  const t0 = process.hrtime.bigint();
  let r: CaseRun;
  if (mode === "replay") r = await runReplay(fixture, undefined, overrides);
  else if (mode === "paper") r = await runPaper(fixture, undefined, overrides);
  else {
    const summary = summaryTap(paperOptions(fixture, overrides).initial_capital);
    r = await runPaperTapped(fixture, { overrides, tap: summary.tap });
    const s = summary
      .builder()
      .finish({ placed: 0, canceled: 0, rejected: 0, filtered: 0 }, new Map());
    if (s.fills === 0) throw new Error("paper-summary: no fill, nothing measured");
  }
  report(r, t0);
}

function report(r: CaseRun, t0: bigint): void {
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
