import { boolFlag, parseCommandArgs, requiredString, stringFlag } from "../../argv/args.js";
import { openFixture, skippedNote } from "../../data/fixture-reader.js";
import { runReplay } from "../../runtime/backtest/run-replay.js";
import { readEngineConfigFile } from "../../runtime/engine-config-file.js";
import type { CliCommand } from "../io.js";

export const replayCommand: CliCommand = {
  name: "replay",
  summary: "Replay a fixture through prefilter, static grid and execution; print its digest",
  usage: "grinder replay --fixture DIR [--out FILE] [--config FILE] [-v]",
  async run(argv, io) {
    const args = parseCommandArgs("replay", argv, {
      fixture: { type: "string" },
      out: { type: "string" },
      config: { type: "string" },
      verbose: { type: "boolean", short: "v" },
    });
    const dir = requiredString(args, "replay", "fixture");
    const verbose = boolFlag(args, "verbose");
    const out = stringFlag(args, "out");
    const configPath = stringFlag(args, "config");
    if (verbose) io.stdout(`Loading fixture from: ${dir}`);
    const fixture = openFixture(dir);
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
