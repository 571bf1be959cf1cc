import { availableParallelism } from "node:os";
import { basename } from "node:path";
import {
  boolFlag,
  intFlag,
  type ParsedArgs,
  parseCommandArgs,
  stringFlag,
  stringsFlag,
} from "../../argv/args.js";
import { InvalidInputError } from "../../core/errors.js";
import { assetsOf } from "../../domain/instrument.js";
import { writeTextAtomic } from "../../runtime/backtest/result-writer.js";
import { readEngineConfigFile } from "../../runtime/engine-config-file.js";
import { LocalExecutor, type TrialExecutor } from "../../runtime/sweep/local-executor.js";
import { parseObjective } from "../../runtime/sweep/objective.js";
import { resultObjective, runSweep, type SweepOutcome } from "../../runtime/sweep/sweep.js";
import {
  parseHeatmapAxes,
  ranked,
  resultsCsv,
  shownTrials,
  sweepReportData,
} from "../../runtime/sweep/sweep-output.js";
import {
  checkQueueReachable,
  parseQueueUrl,
  QueueExecutor,
} from "../../runtime/sweep/sweep-queue.js";
import { writeSweepReport } from "../../runtime/sweep/sweep-report-file.js";
import { parseGrid, type SweepParameter, sweepTrials } from "../../runtime/sweep/sweep-space.js";
import type { TrialInput, TrialResult } from "../../runtime/sweep/trial.js";
import { parseWalkForward, walkForwardWindows } from "../../runtime/sweep/walk-forward.js";
import type { CliCommand, CliIo } from "../io.js";
import { createProgress, progressWanted } from "../progress.js";
import { DATA_RUN_FLAGS, dataRunSpecFlags, withProfileFlag } from "../run-options.js";
import { formatTable } from "../table.js";

/** Rows of the ranking printed (the CSV has every trial). */
const SHOWN = 10;

function inputOf(args: ParsedArgs): TrialInput {
  const data = stringFlag(args, "data");
  const fixtures = stringsFlag(args, "fixtures");
  if (data !== undefined && fixtures !== undefined) {
    throw new InvalidInputError("grinder sweep: --data and --fixtures cannot be combined");
  }
  if (fixtures !== undefined) {
    if (fixtures.length !== 1) {
      throw new InvalidInputError("grinder sweep: --fixtures takes one fixture directory");
    }
    return { kind: "fixture", dir: fixtures[0] as string };
  }
  if (data === undefined) {
    throw new InvalidInputError(
      "grinder sweep: --data DIR (Binance dumps) or --fixtures DIR is required",
    );
  }
  return { kind: "data", spec: dataRunSpecFlags("sweep", args, data) };
}

function paramText(r: TrialResult, params: readonly SweepParameter[]): string {
  return params.map((p) => `${p.name}=${String(r.params[p.name])}`).join(" ");
}

function fmt(v: number | null): string {
  return v === null ? "-" : Number.isInteger(v) ? String(v) : v.toFixed(4);
}

function printRanking(
  io: CliIo,
  results: readonly TrialResult[],
  params: readonly SweepParameter[],
  objective: ReturnType<typeof parseObjective>,
): void {
  const rows = ranked(results, objective)
    .slice(0, SHOWN)
    .map((r, i) => [
      String(i + 1),
      r.id,
      paramText(r, params),
      fmt(resultObjective(r, objective)),
      ...(objective.key === "net_pnl" ? [] : [Number(r.summary.net_pnl).toFixed(2)]),
      fmt(r.summary.max_drawdown_pct),
      String(r.summary.fills),
    ]);
  const cols = [
    "rank",
    "trial",
    "params",
    objective.key,
    ...(objective.key === "net_pnl" ? [] : ["net_pnl"]),
    "max_dd_pct",
    "fills",
  ];
  for (const l of formatTable(cols, rows)) io.stdout(l);
}

function printWalkForward(
  io: CliIo,
  outcome: SweepOutcome,
  params: readonly SweepParameter[],
  objective: ReturnType<typeof parseObjective>,
): void {
  const rows = (outcome.walkForward ?? []).map((w) => [
    String(w.window.index),
    `${w.window.trainFrom}..${w.window.trainTo}`,
    `${w.window.testFrom}..${w.window.testTo}`,
    w.chosen === undefined ? "(no trial had a value)" : paramText(w.chosen, params),
    fmt(w.chosen === undefined ? null : resultObjective(w.chosen, objective)),
    fmt(w.test === undefined ? null : resultObjective(w.test, objective)),
  ]);
  const cols = ["window", "train", "test", "chosen", "in_sample", "out_of_sample"];
  for (const l of formatTable(cols, rows)) io.stdout(l);
  const last = outcome.stitched?.[outcome.stitched.length - 1];
  const first = outcome.walkForward?.find((w) => w.test !== undefined)?.test;
  if (last !== undefined && first !== undefined) {
    io.stdout(
      `Out-of-sample equity (stitched): ${first.initialCapital} -> ${last.equity.toFixed(2)}`,
    );
  }
}

function quoteOf(input: TrialInput): string {
  if (input.kind !== "data") return "";
  const quotes = new Set(input.spec.symbols.map((s) => assetsOf(s.toUpperCase()).quote));
  return quotes.size === 1 ? ([...quotes][0] as string) : "";
}

async function sweep(args: ParsedArgs, io: CliIo): Promise<number> {
  const quiet = boolFlag(args, "quiet");
  const input = inputOf(args);
  const params = parseGrid(stringsFlag(args, "grid") ?? []);
  const randomText = stringFlag(args, "random");
  const seed = intFlag(args, "sweep", "seed", 1);
  const random =
    randomText === undefined ? undefined : { n: intFlag(args, "sweep", "random", 0), seed };
  if (random === undefined && args.values.seed !== undefined) {
    throw new InvalidInputError("grinder sweep: --seed goes with --random N");
  }
  const trials = sweepTrials(params, random);
  const objective = parseObjective(stringFlag(args, "objective") ?? "net_pnl");
  const wfText = stringFlag(args, "walk-forward");
  if (wfText !== undefined && input.kind !== "data") {
    throw new InvalidInputError("grinder sweep: --walk-forward needs --data");
  }
  const windows =
    wfText === undefined || input.kind !== "data"
      ? undefined
      : walkForwardWindows(parseWalkForward(wfText), input.spec.from, input.spec.to);
  const heatmapText = stringFlag(args, "heatmap");
  const heatmap = heatmapText === undefined ? undefined : parseHeatmapAxes(heatmapText, params);
  const configPath = stringFlag(args, "config");
  const baseOverrides =
    withProfileFlag("sweep", args, configPath ? readEngineConfigFile(configPath) : undefined) ?? {};
  const queueUrl = stringFlag(args, "queue");
  if (queueUrl !== undefined && args.values.jobs !== undefined) {
    throw new InvalidInputError(
      "grinder sweep: --jobs is for local sweeps; with --queue, start workers",
    );
  }
  const target =
    queueUrl === undefined ? undefined : parseQueueUrl(queueUrl, stringFlag(args, "queue-name"));
  if (target !== undefined) await checkQueueReachable(target);
  const jobs = intFlag(args, "sweep", "jobs", availableParallelism());
  const executor: TrialExecutor =
    target === undefined ? new LocalExecutor(jobs) : new QueueExecutor(target);
  if (!quiet) {
    io.stdout(
      `Sweep: ${trials.length} trial(s) over ${params.map((p) => `${p.name} (${p.values.length})`).join(", ")}${random ? `, drawn at random with seed ${seed}` : ""}`,
    );
    io.stdout(`Objective: ${objective.key} (${objective.direction})`);
    if (windows !== undefined) io.stdout(`Walk-forward: ${windows.length} window(s)`);
    io.stdout(
      target === undefined
        ? `Running on ${jobs} worker thread(s)`
        : `Queue: ${target.shown} (${target.name}); start workers with: grinder worker --queue URL`,
    );
  }
  const progress = createProgress(progressWanted(io.isTty) && !quiet, "trials", {
    unit: "trials",
  });
  let stage = "";
  let outcome: SweepOutcome;
  try {
    outcome = await runSweep(
      { input, baseOverrides, trials, objective, windows },
      executor,
      (s, p) => {
        if (s !== stage) {
          stage = s;
          progress.phase(s, p.trialsTotal);
        }
        progress.update(
          p.trialsDone,
          p.events > 0 ? `${p.events.toLocaleString("en-US")} events read` : undefined,
        );
      },
    );
  } finally {
    progress.done();
    await executor.close();
  }
  if (executor instanceof QueueExecutor && executor.reused > 0 && !quiet) {
    io.stdout(`Reused ${executor.reused} trial result(s) already in the queue`);
  }
  if (!quiet) {
    // The trials the report shows: a plain sweep's, or the last window's train runs.
    printRanking(io, shownTrials(outcome), params, objective);
    if (windows !== undefined) printWalkForward(io, outcome, params, objective);
  }
  const out = stringFlag(args, "out");
  if (out !== undefined) {
    writeTextAtomic(out, resultsCsv(outcome, params, objective));
    if (!quiet) io.stdout(`Results written to: ${out}`);
  }
  const reportPath = stringFlag(args, "report");
  if (reportPath !== undefined) {
    const what =
      input.kind === "data"
        ? `${input.spec.symbols.join(",")} ${input.spec.from} to ${input.spec.to}`
        : input.dir;
    const data = sweepReportData(outcome, params, objective, {
      title: `grinder sweep: ${what}`,
      meta: [
        {
          label: "input",
          value: input.kind === "data" ? `${input.spec.dataDir} (${input.spec.kind})` : input.dir,
        },
        { label: "trials", value: trials.length },
        ...(random ? [{ label: "random seed", value: seed }] : []),
      ],
      quote: quoteOf(input),
      ...(heatmap !== undefined ? { heatmap } : {}),
      ...(out !== undefined ? { resultsCsv: basename(out) } : {}),
    });
    writeSweepReport(reportPath, data);
    if (!quiet) io.stdout(`HTML report written to: ${reportPath}`);
  }
  const failed = outcome.results.filter((r) => r.errors.length > 0);
  const verdict =
    failed.length === 0
      ? `Sweep completed: ${outcome.results.length} run(s)`
      : `Sweep FAILED: ${failed.length} run(s) had errors (see the errors column of --out)`;
  io.stdout(verdict);
  return failed.length === 0 ? 0 : 1;
}

export const sweepCommand: CliCommand = {
  name: "sweep",
  summary: "Parameter sweep (grid or random) and walk-forward over backtests; CSV and HTML report",
  usage:
    "grinder sweep --data DIR --symbols SYM,... --from DAY --to DAY [data flags of backtest]\n" +
    "              --grid NAME=LO:HI:STEP|A,B,... [--grid ...] [--random N [--seed S]]\n" +
    "              [--objective KEY[:max|:min]] [--walk-forward train=30d,test=7d[,step=7d]]\n" +
    "              [--config FILE] [--profile P] [--jobs N | --queue redis://HOST:PORT]\n" +
    "              [--out results.csv] [--report sweep.html] [--quiet]\n" +
    "       grinder sweep --fixtures DIR --grid ... (one fixture; no walk-forward)\n\n" +
    "  --data DIR          Binance dumps (as grinder backtest --data); --symbols SYM,...,\n" +
    "                      --from DAY, --to DAY (UTC days, inclusive) are required with it\n" +
    "  --fixtures DIR      one fixture directory instead (no walk-forward)\n" +
    "  --grid NAME=VALUES  an engine option (docs/CONFIG.md) and its values: LO:HI:STEP\n" +
    "                      (inclusive, exact decimals) or a list A,B,C; repeatable; trials\n" +
    "                      are every combination (the last --grid varies fastest)\n" +
    "  --random N          N distinct combinations drawn at random instead (--seed S, default 1)\n" +
    "  --objective K[:D]   summary key to rank by (default net_pnl); max or min (default:\n" +
    "                      min for drawdown, fees, liquidations, leverage, margin use; else max)\n" +
    "  --walk-forward SPEC per window: every trial on the train days, the best on the next test\n" +
    "                      days; windows move by step (default: test); only whole windows\n" +
    "  --jobs N            worker threads (default: one per core); each decodes the data once\n" +
    "                      for all its trials\n" +
    "  --queue URL         run trials as BullMQ jobs on Redis (workers: grinder worker); results\n" +
    "                      of trials already done (same data, options, code) are reused\n" +
    "  --queue-name NAME   the BullMQ queue (default grinder-sweep)\n" +
    "  --out FILE          one CSV row per trial run: id, params, objective, every summary key\n" +
    "  --report FILE       HTML: objective heatmap over two swept options (--heatmap X,Y;\n" +
    "                      default the first two --grid), the top trials' equity, the\n" +
    "                      results table; walk-forward windows and parameter stability\n" +
    "  --heatmap X,Y       the heatmap's two parameters (two of the --grid options)\n" +
    "  --config FILE, --profile P   base engine options under every trial (as backtest)\n" +
    "  --quiet             print only the verdict line\n" +
    "  Data flags as grinder backtest --data: --kind --market --interval --half-spread-bps\n" +
    "  --depth-qty --on-bad-row --exchange-info --leverage-brackets --no-verify-checksum\n" +
    "  --data-threads (default 0 when trials run on a pool of threads; with --jobs 1 as backtest)",
  run(argv, io) {
    const args = parseCommandArgs("sweep", argv, {
      ...DATA_RUN_FLAGS,
      fixtures: { type: "string", multiple: true },
      grid: { type: "string", multiple: true },
      random: { type: "string" },
      seed: { type: "string" },
      objective: { type: "string" },
      "walk-forward": { type: "string" },
      jobs: { type: "string" },
      queue: { type: "string" },
      "queue-name": { type: "string" },
      out: { type: "string" },
      report: { type: "string" },
      heatmap: { type: "string" },
      quiet: { type: "boolean", short: "q" },
    });
    return sweep(args, io);
  },
};
