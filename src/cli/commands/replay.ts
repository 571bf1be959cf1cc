import { boolFlag, parseCommandArgs, requiredString, stringFlag } from "../../argv/args.js";
import { skippedNote } from "../../data/fixture-reader.js";
import { runReplay } from "../../runtime/backtest/run-replay.js";
import { readEngineConfigFile } from "../../runtime/engine-config-file.js";
import type { CliCommand } from "../io.js";
import {
  checkOutputFlags,
  FIXTURE_THREADS_HELP,
  openFixtureFlag,
  STRICT_HELP,
} from "../run-options.js";

export const replayCommand: CliCommand = {
  name: "replay",
  summary: "Replay a fixture through prefilter, static grid and execution; print its digest",
  usage:
    "grinder replay --fixture DIR [--out FILE] [--config FILE] [--strict]\n" +
    "                 [--data-threads 0|1] [-v]\n\n" +
    "  --fixture DIR    the fixture directory (events.jsonl or events.json, config.json)\n" +
    "  --out FILE       write the full result (schema v1)\n" +
    "  --config FILE    JSON engine options over the fixture's (replay applies spacing_bps,\n" +
    "                   levels, size_per_level, price_precision, quantity_precision)\n" +
    `${STRICT_HELP}\n` +
    `${FIXTURE_THREADS_HELP}\n` +
    "  -v, --verbose    print what is loaded, counts and errors",
  async run(argv, io) {
    const args = parseCommandArgs("replay", argv, {
      fixture: { type: "string" },
      out: { type: "string" },
      config: { type: "string" },
      verbose: { type: "boolean", short: "v" },
      strict: { type: "boolean" },
      "data-threads": { type: "string" },
    });
    const dir = requiredString(args, "replay", "fixture");
    checkOutputFlags("replay", args, io, ["out"]);
    const verbose = boolFlag(args, "verbose");
    const out = stringFlag(args, "out");
    const configPath = stringFlag(args, "config");
    if (verbose) io.stdout(`Loading fixture from: ${dir}`);
    const fixture = openFixtureFlag("replay", dir, args, io);
    const overrides = configPath ? readEngineConfigFile(configPath) : undefined;
    const r = await runReplay(fixture, out, overrides);
    const note = skippedNote(fixture.stats);
    if (note) io.stderr(`warning: ${note}`);
    if (verbose) {
      io.stdout(`Events processed: ${r.eventsProcessed}`);
      io.stdout(`Outputs generated: ${r.outputs}`);
      if (r.errors.length > 0) {
        io.stdout(`Errors: ${r.errors.length}`);
        for (const e of r.errors) io.stdout(`  - ${e}`);
      }
      if (out) io.stdout(`Output written to: ${out}`);
    }
    io.stdout(`Replay completed. Events processed: ${r.eventsProcessed}`);
    io.stdout(`Output digest: ${r.digest}`);
    return 0;
  },
};
