import { runPaper } from "../../app/run-paper.js";
import { runReplay } from "../../app/run-replay.js";
import { openFixture } from "../../data/fixture-reader.js";
import { boolFlag, parseCommandArgs, requiredString } from "../args.js";
import type { CliCommand } from "../io.js";

export const verifyDeterminismCommand: CliCommand = {
  name: "verify-determinism",
  summary: "Run a fixture's replay (and with --paper, paper) twice and fail on any digest drift",
  usage: "grinder verify-determinism --fixture DIR [--paper] [-v]",
  async run(argv, io) {
    const args = parseCommandArgs("verify-determinism", argv, {
      fixture: { type: "string" },
      paper: { type: "boolean" },
      verbose: { type: "boolean", short: "v" },
    });
    const dir = requiredString(args, "verify-determinism", "fixture");
    const fixture = openFixture(dir);
    const modes: ["replay", typeof runReplay][] = [["replay", runReplay]];
    let ok = true;
    for (const [mode, run] of modes) {
      const a = (await run(fixture)).digest;
      const b = (await run(openFixture(dir))).digest;
      const same = a === b;
      ok &&= same;
      io.stdout(`${mode}: run 1 ${a}, run 2 ${b}: ${same ? "identical" : "DRIFT"}`);
    }
    if (boolFlag(args, "paper")) {
      const a = (await runPaper(fixture)).digest;
      const b = (await runPaper(openFixture(dir))).digest;
      const same = a === b;
      ok &&= same;
      io.stdout(`paper: run 1 ${a}, run 2 ${b}: ${same ? "identical" : "DRIFT"}`);
    }
    io.stdout(ok ? "Determinism check PASSED" : "Determinism check FAILED");
    return ok ? 0 : 1;
  },
};
