import { type FixtureOutcome, runBacktest } from "../../app/backtest.js";
import { discoverFixtures, PROJECT_FIXTURES } from "../../app/project-paths.js";
import { writeJsonAtomic } from "../../app/result-writer.js";
import type { JsonValue } from "../../core/canonical-json.js";
import { InvalidInputError } from "../../core/errors.js";
import { boolFlag, intFlag, parseCommandArgs, stringFlag } from "../args.js";
import type { CliCommand } from "../io.js";
import { formatTable } from "../table.js";

function row(o: FixtureOutcome): string[] {
  const v = o.view;
  const errors = (v.errors as unknown[]).length;
  const status = v.digest_match === true && errors === 0 ? "PASS" : "FAIL";
  const expected = String(v.expected_paper_digest || "-");
  return [
    String(v.fixture_path),
    String(v.events_processed),
    String(v.orders_placed),
    String(v.total_fills),
    String(v.total_realized_pnl),
    String(v.paper_digest),
    expected,
    errors > 0 ? `${status} (${errors} error${errors > 1 ? "s" : ""})` : status,
  ];
}

export const backtestCommand: CliCommand = {
  name: "backtest",
  summary: "Paper-trade every fixture, check digests, print a summary and write the report",
  usage:
    "grinder backtest [--fixtures DIR ...] [--out FILE] [--jobs N] [--quiet]\n\n" +
    "  --fixtures DIR  fixture directories, or folders searched for fixtures (default: the\n" +
    "                  project's fixtures/); repeatable\n" +
    "  --out FILE      write the report (schema v1) as JSON\n" +
    "  --jobs N        worker threads (default: one per core; 1 runs in-process)\n" +
    "  --quiet         print only the verdict line",
  async run(argv, io) {
    const args = parseCommandArgs("backtest", argv, {
      fixtures: { type: "string", multiple: true },
      out: { type: "string" },
      jobs: { type: "string" },
      quiet: { type: "boolean", short: "q" },
    });
    const roots = (args.values.fixtures as string[] | undefined) ?? [PROJECT_FIXTURES];
    const dirs = roots.flatMap((r) => {
      const found = discoverFixtures(r);
      if (found.length === 0) throw new InvalidInputError(`no fixtures found under ${r}`);
      return found;
    });
    const quiet = boolFlag(args, "quiet");
    const jobs = intFlag(args, "backtest", "jobs", 0);
    if (jobs < 0) throw new InvalidInputError("grinder backtest: --jobs must be >= 0");
    const progress = io.isTty && !quiet;
    const { report, outcomes } = await runBacktest(dirs, jobs || undefined, (o, done, total) => {
      if (progress) io.stderr(`[${done}/${total}] ${String(o.view.fixture_path)}`);
    });
    if (!quiet) {
      const lines = formatTable(
        [
          "fixture",
          "events",
          "orders",
          "fills",
          "realized_pnl",
          "paper_digest",
          "expected",
          "status",
        ],
        outcomes.map(row),
      );
      for (const l of lines) io.stdout(l);
      io.stdout("");
      for (const o of outcomes) {
        for (const e of o.view.errors as string[])
          io.stdout(`${String(o.view.fixture_path)}: ${e}`);
      }
    }
    const out = stringFlag(args, "out");
    if (out) {
      writeJsonAtomic(out, report as unknown as JsonValue, true);
      if (!quiet) io.stdout(`Report written to: ${out}`);
    }
    const ok = report.fixtures_failed === 0 && report.all_digests_match;
    io.stdout(
      `Backtest ${ok ? "PASSED" : "FAILED"}: ${report.fixtures_passed}/${report.fixtures_run} fixtures match (report digest ${report.report_digest})`,
    );
    return ok ? 0 : 1;
  },
};
