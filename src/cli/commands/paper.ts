import { runPaper } from "../../app/run-paper.js";
import { openFixture, skippedNote } from "../../data/fixture-reader.js";
import { boolFlag, parseCommandArgs, requiredString, stringFlag } from "../args.js";
import type { CliCommand } from "../io.js";
import { readConfigOverrides } from "./config-file.js";

export const paperCommand: CliCommand = {
  name: "paper",
  summary: "Paper-trade a fixture: gating, simulated fills, ledger and PnL; print its digest",
  usage: "grinder paper --fixture DIR [--out FILE] [--config FILE] [-v]",
  async run(argv, io) {
    const args = parseCommandArgs("paper", argv, {
      fixture: { type: "string" },
      out: { type: "string" },
      config: { type: "string" },
      verbose: { type: "boolean", short: "v" },
    });
    const dir = requiredString(args, "paper", "fixture");
    const verbose = boolFlag(args, "verbose");
    const out = stringFlag(args, "out");
    const configPath = stringFlag(args, "config");
    const overrides = configPath ? readConfigOverrides(configPath) : undefined;
    if (verbose) {
      io.stdout(`Loading fixture from: ${dir}`);
      io.stdout("Paper trading mode: NO REAL ORDERS");
    }
    const fixture = openFixture(dir);
    const note = skippedNote(fixture.stats);
    if (note) io.stderr(`warning: ${note}`);
    const r = await runPaper(fixture, out, overrides);
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
    }
    io.stdout(`Paper trading completed. Events processed: ${r.eventsProcessed}`);
    io.stdout(`Output digest: ${r.digest}`);
    return 0;
  },
};
