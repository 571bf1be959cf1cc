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
  usage:
    "grinder verify-determinism --fixture DIR\n\n" +
    "  --fixture DIR  the fixture directory; its replay and paper run twice each, and the\n" +
    "                 digests are compared with each other (drift) and with the recorded ones\n" +
    "                 (a stale recorded digest is reported as such)",
  async run(argv, io) {
    const args = parseCommandArgs("verify-determinism", argv, { fixture: { type: "string" } });
    const dir = requiredString(args, "verify-determinism", "fixture");
    openFixture(dir); // a clear error for a missing or empty directory
    const r = await checkFixtureDeterminism(dir);
    io.stdout(line("replay", r.replay));
    io.stdout(line("paper", r.paper));
    for (const e of r.errors) io.stdout(`error: ${e}`);
    const checks = [
      ["replay", r.replay],
      ["paper", r.paper],
    ] as const;
    const drift = checks.filter(([, c]) => !c.stable).map(([m]) => m);
    const stale = checks.filter(([, c]) => c.stable && !c.matchesExpected).map(([m]) => m);
    if (r.passed) io.stdout("Determinism check PASSED");
    else if (drift.length > 0 || r.errors.length > 0) {
      io.stdout(
        `Determinism check FAILED: ${drift.length > 0 ? `the two ${drift.join(" and ")} runs differ (drift between runs)` : "a run failed"}`,
      );
    } else {
      io.stdout(
        `Determinism check FAILED: the runs are identical, but the recorded ${stale.join(" and ")} digest is stale (the outputs changed since it was recorded; \`grinder fixture record ${dir}\` records the new one if the change is intended)`,
      );
    }
    return r.passed ? 0 : 1;
  },
};
