/**
 * `npm run bench`: generates deterministic multi-symbol fixtures (100k and 1M
 * snapshot events: random walks with calm/storm regimes and spread spikes),
 * then measures events/s and peak RSS for replay, paper with defaults, and
 * paper with every option on and limits loose enough that orders are placed
 * and filled, on the reference venue (paper-active) and on the realistic one
 * (paper-realistic), and that last case again with the run summary's watchers
 * (paper-summary: equity points and summary, as a data backtest runs).
 * Then the data cases on synthetic Binance daily zips (bench-data.ts): decode
 * (bytes to snapshots, no engine) and `backtest --data` end to end (realistic
 * profile), for bookTicker and aggTrades, in rows/s.
 * Fixtures are cached under $GRINDER_BENCH_DIR (default: the OS temp dir).
 * sweep-16 runs 16 realistic trials side by side on every core (sweep-bench.ts)
 * and reports trials x events per second in the events/s column.
 * `--sizes 100000` limits the sizes; `--data-rows 1000000` the rows of the
 * data days; `--cases replay,paper,decode-bookTicker` the cases.
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCommandArgs, stringFlag } from "../argv/args.js";
import type { GeneratorSpec } from "../data/fixture-generator.js";
import { writeGeneratedEvents } from "../runtime/backtest/fixture-files.js";
import { type BenchDataKind, benchDataName, writeBenchDataZip } from "./bench-data.js";

const here = dirname(fileURLToPath(import.meta.url));

const SYMBOLS = [
  ["BTCUSDT", "60000.00"],
  ["ETHUSDT", "3000.00"],
  ["SOLUSDT", "150.0000"],
  ["XRPUSDT", "0.5000"],
  ["DOGEUSDT", "0.15000"],
] as const;

/** Calm/storm regimes with spread spikes, repeated to reach `events` in total. */
function spec(events: number): GeneratorSpec {
  const perSymbol = Math.floor(events / SYMBOLS.length);
  const pattern = ["calm:6000", "vol:2000", "spread:500", "calm:3000", "trend:1500", "vol:1000"];
  return {
    seed: 2026,
    startTs: 1_767_225_600_000,
    tickMs: 250,
    symbols: SYMBOLS.map(([symbol, startPrice]) => {
      const regimes: string[] = [];
      let n = 0;
      for (let i = 0; n < perSymbol; i++) {
        const seg = pattern[i % pattern.length] as string;
        const [kind, count] = seg.split(":") as [string, string];
        const take = Math.min(Number(count), perSymbol - n);
        regimes.push(`${kind}:${take}`);
        n += take;
      }
      return { symbol, startPrice, regimes };
    }),
  };
}

/** Every stage on, limits loose so orders are placed and filled (both paper cases). */
const ACTIVE_STAGES = {
  topk_k: 5,
  max_orders_per_minute: 100000,
  cooldown_ms: 0,
  max_notional_per_symbol: "100000000",
  max_notional_total: "500000000",
  controller_enabled: true,
  kill_switch_enabled: true,
  max_drawdown_pct: 50.0,
  initial_capital: "1000000",
  cycle_enabled: true,
  feature_engine_enabled: true,
  adaptive_policy_enabled: true,
  dd_guard_v1_enabled: true,
  dd_guard_v1_config: { portfolio_dd_limit: "0.9" },
};

/** "active" paper: the reference venue, resting orders filled one tick later. */
const ACTIVE_CONFIG = {
  ...ACTIVE_STAGES,
  size_per_level: "0.01",
  price_precision: 4,
  fill_after_ticks: 1,
};

/**
 * The realistic profile with the same stages on: the simulated venue
 * (latency, L1-limited partial fills, fees), instrument rounding, exposure
 * limits and spot balances.
 */
const REALISTIC_CONFIG = { ...ACTIVE_STAGES, profile: "realistic", notional_per_level: "200" };

interface CaseResult {
  events: number;
  seconds: number;
  events_per_s: number;
  max_rss_mb: number;
}

function runCase(
  mode: string,
  dir: string,
  config?: string,
  env?: Readonly<Record<string, string>>,
): CaseResult {
  const args = [join(here, "bench-case.js"), mode, dir, ...(config ? [config] : [])];
  const r = spawnSync(process.execPath, args, {
    encoding: "utf8",
    ...(env !== undefined ? { env: { ...process.env, ...env } } : {}),
  });
  if (r.status !== 0) throw new Error(`bench case ${mode} ${dir} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as CaseResult;
}

interface SweepCaseResult {
  events: number;
  seconds: number;
  trial_events_per_s: number;
  max_rss_mb: number;
}

/** 16 realistic trials over the fixture on every core (sweep-bench.ts), as a case result. */
function runSweepCase(dir: string, config: string): CaseResult {
  const r = spawnSync(process.execPath, [join(here, "sweep-bench.js"), dir, config, "16"], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`bench case sweep-16 ${dir} failed: ${r.stderr}`);
  const s = JSON.parse(r.stdout) as SweepCaseResult;
  return {
    events: s.events,
    seconds: s.seconds,
    events_per_s: s.trial_events_per_s,
    max_rss_mb: s.max_rss_mb,
  };
}

/**
 * sweep-16: 16 realistic trials at once; its events/s counts trials x events.
 * `threaded-replay` and `threaded-paper`: events.jsonl split and parsed on a
 * worker thread (GRINDER_DATA_THREADS=1); the other cases pin it to 0.
 */
const FIXTURE_CASES = [
  "replay",
  "threaded-replay",
  "paper",
  "threaded-paper",
  "paper-active",
  "paper-realistic",
  "paper-summary",
  "sweep-16",
];
/**
 * `decode-KIND` and `backtest-KIND`: rows/s of a synthetic Binance day;
 * `threaded-KIND`: the backtest with the dumps read on a worker thread
 * (GRINDER_DATA_THREADS=1).
 */
const DATA_CASES = [
  "decode-bookTicker",
  "backtest-bookTicker",
  "threaded-bookTicker",
  "decode-aggTrades",
  "backtest-aggTrades",
  "threaded-aggTrades",
];

/** `decimal-ops`: ns per Decimal operation, small against 28-digit coefficients (decimal-ops.ts). */
const MICRO_CASES = ["decimal-ops"];

function runDecimalOps(): void {
  const r = spawnSync(process.execPath, [join(here, "decimal-ops.js")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench case decimal-ops failed: ${r.stderr}`);
  process.stdout.write(r.stdout);
}

function printRow(name: string, r: CaseResult): void {
  console.log(
    `${name.padEnd(19)}  ${String(r.events).padStart(8)}  ${r.seconds.toFixed(2).padStart(8)}  ${String(r.events_per_s).padStart(8)}  ${String(r.max_rss_mb).padStart(10)}`,
  );
}

function runDataCases(root: string, rows: number, cases: readonly string[]): void {
  for (const c of cases) {
    const [step, kind] = c.split("-") as [string, BenchDataKind];
    const dir = join(root, `data-${kind}-${rows}`);
    if (!existsSync(join(dir, `${benchDataName(kind)}.zip`))) {
      process.stderr.write(`generating a ${rows}-row ${kind} day in ${dir} ...\n`);
      writeBenchDataZip(dir, kind, rows);
    }
    const env = step === "threaded" ? { GRINDER_DATA_THREADS: "1" } : { GRINDER_DATA_THREADS: "0" };
    printRow(c, runCase(step === "decode" ? "decode" : "data-backtest", kind, dir, env));
  }
}

function main(): void {
  const args = parseCommandArgs("bench", process.argv.slice(2), {
    sizes: { type: "string" },
    cases: { type: "string" },
    "data-rows": { type: "string" },
  });
  const sizes = (stringFlag(args, "sizes") ?? "100000,1000000").split(",").map(Number);
  const known = [...FIXTURE_CASES, ...DATA_CASES, ...MICRO_CASES];
  const cases = (stringFlag(args, "cases") ?? known.join(",")).split(",");
  const unknown = cases.filter((c) => !known.includes(c));
  if (unknown.length > 0) {
    throw new Error(
      `unknown bench case(s) ${unknown.join(", ")}: expected some of ${known.join(", ")}`,
    );
  }
  const dataRows = Number(stringFlag(args, "data-rows") ?? "1000000");
  if (!Number.isInteger(dataRows) || dataRows < 1) {
    throw new Error(
      `--data-rows: expected a positive integer, got ${stringFlag(args, "data-rows")}`,
    );
  }
  const fixtureCases = cases.filter((c) => FIXTURE_CASES.includes(c));
  const root = process.env.GRINDER_BENCH_DIR ?? join(tmpdir(), "grinder-bench");
  mkdirSync(root, { recursive: true });
  const activeConfig = join(root, "active-config.json");
  writeFileSync(activeConfig, JSON.stringify(ACTIVE_CONFIG));
  const realisticConfig = join(root, "realistic-config.json");
  writeFileSync(realisticConfig, JSON.stringify(REALISTIC_CONFIG));
  const configs: Record<string, string> = {
    "paper-active": activeConfig,
    "paper-realistic": realisticConfig,
    // The data-backtest path: realistic, watched by the equity points and the run summary.
    "paper-summary": realisticConfig,
  };
  console.log(`node ${process.version}, fixtures in ${root}`);
  console.log("case                 events     seconds  events/s   peak RSS MB");
  for (const size of fixtureCases.length > 0 ? sizes : []) {
    const dir = join(root, `bench-${size}`);
    if (!existsSync(join(dir, "events.jsonl"))) {
      process.stderr.write(`generating ${size} events in ${dir} ...\n`);
      writeGeneratedEvents(dir, spec(size));
    }
    for (const c of fixtureCases) {
      if (c === "sweep-16") {
        printRow(c, runSweepCase(dir, realisticConfig));
        continue;
      }
      const threaded = c.startsWith("threaded-");
      const env = { GRINDER_DATA_THREADS: threaded ? "1" : "0" };
      const config = configs[c];
      const mode = c === "paper-summary" ? "paper-summary" : "paper";
      printRow(
        c,
        config === undefined
          ? runCase(threaded ? c.slice("threaded-".length) : c, dir, undefined, env)
          : runCase(mode, dir, config, env),
      );
    }
  }
  const dataCases = cases.filter((c) => DATA_CASES.includes(c));
  if (dataCases.length > 0) {
    console.log(`data cases: one ${dataRows}-row day each (events = CSV rows)`);
    runDataCases(root, dataRows, dataCases);
  }
  if (cases.includes("decimal-ops")) runDecimalOps();
}

main();
