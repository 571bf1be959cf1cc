import { parseCommandArgs, requiredString } from "../../argv/args.js";
import { openFixture } from "../../data/fixture-reader.js";
import {
  checkFixtureDeterminism,
  type DigestCheck,
} from "../../runtime/backtest/determinism-suite.js";
import type { CliCommand } from "../io.js";

function line(mode: string, c: DigestCheck): string {
  const recorded =
    c.expected === ""
      ? "none recorded"
      : c.matchesExpected
        ? "matches recorded"
        : `RECORDED ${c.expected}`;
  return `${mode}: run 1 ${c.run1 || "-"}, run 2 ${c.run2 || "-"}: ${c.stable ? "identical" : "DRIFT"} (${recorded})`;
}

export const verifyDeterminismCommand: CliCommand = {
  name: "verify-determinism",
  summary:
    "Run a fixture's replay and paper twice each; fail on any drift or recorded-digest mismatch",
  usage: "grinder verify-determinism --fixture DIR",
  async run(argv, io) {
    const args = parseCommandArgs("verify-determinism", argv, { fixture: { type: "string" } });
    const dir = requiredString(args, "verify-determinism", "fixture");
    openFixture(dir); // a clear error for a missing or empty directory
    const r = await checkFixtureDeterminism(dir);
    io.stdout(line("replay", r.replay));
    io.stdout(line("paper", r.paper));
    for (const e of r.errors) io.stdout(`error: ${e}`);
    io.stdout(r.passed ? "Determinism check PASSED" : "Determinism check FAILED");
    return r.passed ? 0 : 1;
  },
};
