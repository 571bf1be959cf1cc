import { boolFlag, parseCommandArgs } from "../../argv/args.js";
import { fixtureDirs } from "../../runtime/backtest/backtest.js";
import {
  type DigestCheck,
  type FixtureDeterminism,
  runDeterminismSuite,
} from "../../runtime/backtest/determinism-suite.js";
import type { CliCommand } from "../io.js";
import { formatTable } from "../table.js";

function status(c: DigestCheck): string {
  if (!c.stable) return "DRIFT";
  if (!c.matchesExpected) return "MISMATCH";
  return c.expected === "" ? "OK (none recorded)" : "OK";
}

function problems(f: FixtureDeterminism): string[] {
  const out: string[] = [];
  for (const [mode, c] of [
    ["replay", f.replay],
    ["paper", f.paper],
  ] as const) {
    if (!c.stable) out.push(`${mode} drift: run 1 ${c.run1 || "-"}, run 2 ${c.run2 || "-"}`);
    if (!c.matchesExpected) out.push(`${mode} digest ${c.run1}, recorded ${c.expected}`);
  }
  return [...out, ...f.errors];
}

export const verifyDeterminismSuiteCommand: CliCommand = {
  name: "verify-determinism-suite",
  summary: "Determinism gate: replay and paper twice per fixture, backtest twice; exit 1 on drift",
  usage:
    "grinder verify-determinism-suite [-v | -q] [--fixtures DIR [--fixtures DIR ...]]\n\n" +
    "  --fixtures DIR  fixture directories or folders searched for fixtures (default: the\n" +
    "                  project's fixtures/); repeatable\n" +
    "  -v, --verbose   also print every digest and each problem\n" +
    "  -q, --quiet     print only the verdict line",
  async run(argv, io) {
    const args = parseCommandArgs("verify-determinism-suite", argv, {
      fixtures: { type: "string", multiple: true },
      verbose: { type: "boolean", short: "v" },
      quiet: { type: "boolean", short: "q" },
    });
    const quiet = boolFlag(args, "quiet");
    const verbose = boolFlag(args, "verbose") && !quiet;
    const dirs = fixtureDirs(args.values.fixtures as string[] | undefined);
    if (!quiet) io.stdout(`Determinism suite: ${dirs.length} fixture(s)`);
    const result = await runDeterminismSuite(dirs, (f) => {
      if (verbose) io.stdout(`  ${f.fixture}: ${f.passed ? "PASS" : "FAIL"}`);
    });
    if (!quiet) {
      const header = ["fixture", "replay", "paper", "status"];
      if (verbose) header.splice(3, 0, "replay_digest", "paper_digest");
      const rows = result.fixtures.map((f) => {
        const row = [f.fixture, status(f.replay), status(f.paper), f.passed ? "PASS" : "FAIL"];
        if (verbose) row.splice(3, 0, f.replay.run1 || "-", f.paper.run1 || "-");
        return row;
      });
      io.stdout("");
      for (const l of formatTable(header, rows)) io.stdout(l);
      for (const f of result.fixtures) {
        if (verbose && f.eventErrors > 0) {
          io.stdout(`${f.fixture}: ${f.eventErrors} per-event error(s) recorded by the runs`);
        }
        for (const p of problems(f)) io.stdout(`${f.fixture}: ${p}`);
      }
      const b = result.backtest;
      io.stdout("");
      io.stdout(
        `Backtest: report digest run 1 ${b.digest1 || "-"}, run 2 ${b.digest2 || "-"}: ${b.stable ? "identical" : "DRIFT"}; all fixtures match: ${b.allDigestsMatch ? "yes" : "NO"}`,
      );
      for (const e of b.errors) io.stdout(`Backtest: ${e}`);
    }
    const failed = result.fixtures.filter((f) => !f.passed).map((f) => f.fixture);
    const why = [
      failed.length > 0 ? `fixtures failed: ${failed.join(", ")}` : "",
      result.backtest.passed ? "" : "backtest check failed",
    ].filter((s) => s !== "");
    io.stdout(
      result.passed
        ? `FINAL VERDICT: PASS (${dirs.length} fixture(s), backtest report digest ${result.backtest.digest1})`
        : `FINAL VERDICT: FAIL (${why.join("; ")})`,
    );
    return result.passed ? 0 : 1;
  },
};
