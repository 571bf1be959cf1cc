import { boolFlag, parseCommandArgs, requiredString, stringFlag } from "../../argv/args.js";
import { fixtureWith, skippedNote } from "../../data/fixture-reader.js";
import { profileLine } from "../../kernel/kernel-options.js";
import {
  combineTaps,
  outputsFileTap,
  type PaperTap,
  runPaperTapped,
  withFileTaps,
} from "../../runtime/backtest/backtest-tap.js";
import { paperOptions } from "../../runtime/backtest/run-paper.js";
import { readEngineConfigFile } from "../../runtime/engine-config-file.js";
import type { CliCommand } from "../io.js";
import { createProgress, type Progress, progressWanted } from "../progress.js";
import {
  checkOutputFlags,
  exchangeInfoFlag,
  FIXTURE_THREADS_HELP,
  openFixtureFlag,
  STRICT_HELP,
  withProfileFlag,
} from "../run-options.js";

/** Progress of the trading pass (the pass that produces outputs) against the fixture's size. */
function progressTap(progress: Progress, total: number): PaperTap {
  let trading = false;
  return {
    onRead: (_s, n) => progress.update(n),
    onTick: () => {
      if (trading) return;
      trading = true;
      progress.phase("trading", total);
    },
  };
}

export const paperCommand: CliCommand = {
  name: "paper",
  summary: "Paper-trade a fixture: gating, simulated fills, ledger and PnL; print its digest",
  usage:
    "grinder paper --fixture DIR [--out FILE] [--outputs FILE.jsonl] [--config FILE]\n" +
    "                    [--profile reference|realistic] [--exchange-info FILE] [--strict]\n" +
    "                    [--data-threads 0|1] [-v]\n\n" +
    "  --fixture DIR    the fixture directory (events.jsonl or events.json, config.json)\n" +
    "  --out FILE       write the full result (schema v1)\n" +
    "  --outputs FILE   stream every per-tick output as one JSON line (written when complete)\n" +
    "  --profile P      reference (default: the reference engine) or realistic (docs/SIMULATION.md)\n" +
    "  --config FILE    JSON engine options over the fixture's (docs/CONFIG.md)\n" +
    "  --exchange-info FILE  instrument filters (a Binance exchangeInfo response; realistic)\n" +
    `${STRICT_HELP}\n` +
    `${FIXTURE_THREADS_HELP}\n` +
    "  -v, --verbose    print what is loaded, counts and errors",
  async run(argv, io) {
    const args = parseCommandArgs("paper", argv, {
      fixture: { type: "string" },
      out: { type: "string" },
      outputs: { type: "string" },
      config: { type: "string" },
      profile: { type: "string" },
      "exchange-info": { type: "string" },
      verbose: { type: "boolean", short: "v" },
      strict: { type: "boolean" },
      "data-threads": { type: "string" },
    });
    const dir = requiredString(args, "paper", "fixture");
    checkOutputFlags("paper", args, io, ["out", "outputs"]);
    const verbose = boolFlag(args, "verbose");
    const out = stringFlag(args, "out");
    const configPath = stringFlag(args, "config");
    const overrides = withProfileFlag(
      "paper",
      args,
      configPath ? readEngineConfigFile(configPath) : undefined,
    );
    const instruments = exchangeInfoFlag(args);
    if (verbose) {
      io.stdout(`Loading fixture from: ${dir}`);
      io.stdout("Paper trading mode: NO REAL ORDERS");
    }
    const opened = openFixtureFlag("paper", dir, args, io);
    const fixture = instruments === undefined ? opened : fixtureWith(opened, { instruments });
    io.stdout(profileLine(paperOptions(fixture, overrides)));
    const note = skippedNote(fixture.stats);
    if (note) io.stderr(`warning: ${note}`);
    const showProgress = progressWanted(io.isTty);
    const progress = createProgress(showProgress, "selection", { total: fixture.stats.snapshots });
    const outputsPath = stringFlag(args, "outputs");
    const outputsFile = outputsPath === undefined ? undefined : outputsFileTap(outputsPath);
    const r = await withFileTaps([outputsFile], (outputs) =>
      runPaperTapped(fixture, {
        outPath: out,
        overrides,
        tap: combineTaps(
          outputs,
          showProgress ? progressTap(progress, fixture.stats.snapshots) : undefined,
        ),
      }),
    ).finally(() => progress.done());
    if (verbose) {
      io.stdout(`Events processed: ${r.eventsProcessed}`);
      io.stdout(`Events gated: ${r.eventsGated}`);
      io.stdout(`Orders placed (simulated): ${r.ordersPlaced}`);
      io.stdout(`Orders blocked: ${r.ordersBlocked}`);
      io.stdout(`Fills: ${r.totalFills}`);
      if (r.errors.length > 0) {
        io.stdout(`Errors: ${r.errors.length}`);
        for (const e of r.errors) io.stdout(`  - ${e}`);
      }
      if (out) io.stdout(`Output written to: ${out}`);
      if (outputsPath) io.stdout(`Outputs written to: ${outputsPath}`);
    }
    io.stdout(`Paper trading completed. Events processed: ${r.eventsProcessed}`);
    io.stdout(`Output digest: ${r.digest}`);
    return 0;
  },
};
