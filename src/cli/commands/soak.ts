import { boolFlag, intFlag, parseCommandArgs, stringFlag } from "../../argv/args.js";
import type { JsonValue } from "../../core/canonical-json.js";
import { InvalidInputError } from "../../core/errors.js";
import { fixtureDirs } from "../../runtime/backtest/backtest.js";
import { writeJsonAtomic } from "../../runtime/backtest/result-writer.js";
import {
  DEFAULT_OVERLOAD_COMPRESSION,
  DEFAULT_OVERLOAD_COPIES,
  DEFAULT_SOAK_ITERATIONS,
  runSoak,
  SOAK_MODES,
  type SoakMode,
} from "../../runtime/backtest/soak.js";
import type { CliCommand } from "../io.js";
import { createProgress, progressWanted } from "../progress.js";
import { checkOutputFlags } from "../run-options.js";
import { formatTable } from "../table.js";

export const soakCommand: CliCommand = {
  name: "soak",
  summary:
    "Soak the paper engine over fixtures: latency p50/p99, peak RSS, fill rate, digest stability",
  usage:
    "grinder soak [--fixtures DIR [--fixtures DIR ...]] [--mode baseline|overload] [--iterations N]\n" +
    "             [--copies N] [--compress N] [--out FILE] [--quiet]\n\n" +
    "  --fixtures DIR    fixture directories or folders searched for fixtures (default: the\n" +
    "                    project's fixtures/); repeatable\n" +
    `  --mode M          baseline (default) or overload: every snapshot copied to --copies\n` +
    `                    symbols (default ${DEFAULT_OVERLOAD_COPIES}) on a timeline compressed --compress times\n` +
    `                    (default ${DEFAULT_OVERLOAD_COMPRESSION})\n` +
    `  --iterations N    runs per fixture (default ${DEFAULT_SOAK_ITERATIONS}); every run must give the same digest\n` +
    "  --out FILE        write the soak report (JSON) for `grinder soak-gate`\n" +
    "  --quiet           print only the verdict line",
  async run(argv, io) {
    const args = parseCommandArgs("soak", argv, {
      fixtures: { type: "string", multiple: true },
      mode: { type: "string" },
      iterations: { type: "string" },
      copies: { type: "string" },
      compress: { type: "string" },
      out: { type: "string" },
      quiet: { type: "boolean", short: "q" },
    });
    checkOutputFlags("soak", args, io, ["out"]);
    const modeText = stringFlag(args, "mode") ?? "baseline";
    const mode = SOAK_MODES.find((m) => m === modeText) as SoakMode | undefined;
    if (mode === undefined) {
      throw new InvalidInputError(
        `grinder soak: --mode expects baseline or overload, got ${JSON.stringify(modeText)}`,
      );
    }
    const positive = (name: string, def: number): number => {
      const v = intFlag(args, "soak", name, def);
      if (v < 1) throw new InvalidInputError(`grinder soak: --${name} must be >= 1`);
      return v;
    };
    const iterations = positive("iterations", DEFAULT_SOAK_ITERATIONS);
    const copies = positive("copies", DEFAULT_OVERLOAD_COPIES);
    const compression = positive("compress", DEFAULT_OVERLOAD_COMPRESSION);
    if (
      mode === "baseline" &&
      (args.values.copies !== undefined || args.values.compress !== undefined)
    ) {
      throw new InvalidInputError("grinder soak: --copies and --compress apply to --mode overload");
    }
    const dirs = fixtureDirs(args.values.fixtures as string[] | undefined);
    const quiet = boolFlag(args, "quiet");
    const progress = createProgress(progressWanted(io.isTty) && !quiet, "soak");
    const report = await runSoak({
      dirs,
      mode,
      iterations,
      copies,
      compression,
      onRead: (fixture, it, total) => progress.update(total, `${fixture} run ${it}/${iterations}`),
    }).finally(() => progress.done());
    if (!quiet) {
      io.stdout(
        `Soak (${mode}${report.overload ? `: x${copies} symbols, timeline /${compression}` : ""}): ${dirs.length} fixture(s) x ${iterations} run(s)`,
      );
      const rows = report.results.map((r) => [
        r.fixture_path,
        String(r.events_per_run),
        r.latency_p50_ms.toFixed(4),
        r.latency_p99_ms.toFixed(4),
        r.fill_rate.toFixed(4),
        String(r.errors_total),
        r.digest_stable ? "stable" : "UNSTABLE",
      ]);
      const header = ["fixture", "events/run", "p50_ms", "p99_ms", "fill_rate", "errors", "digest"];
      for (const l of formatTable(header, rows)) io.stdout(l);
      io.stdout("");
      for (const r of report.results)
        for (const e of r.errors) io.stdout(`${r.fixture_path}: ${e}`);
      io.stdout(
        `Events: ${report.events_processed} in ${report.duration_s} s (${report.events_per_second} events/s); ` +
          `latency p50 ${report.decision_latency_p50_ms} ms, p99 ${report.decision_latency_p99_ms} ms, ` +
          `max ${report.decision_latency_max_ms} ms; peak RSS ${report.rss_mb_max} MB; fill rate ${report.fill_rate}`,
      );
    }
    const out = stringFlag(args, "out");
    if (out) {
      writeJsonAtomic(out, report as unknown as JsonValue, true);
      if (!quiet) io.stdout(`Soak report written to: ${out}`);
    }
    const ok = report.all_digests_stable;
    io.stdout(
      ok
        ? `Soak completed: ${report.total_runs} run(s), digests stable, ${report.errors_total} error(s)`
        : `Soak FAILED: digest instability (${report.results
            .filter((r) => !r.digest_stable)
            .map((r) => r.fixture_path)
            .join(", ")})`,
    );
    return ok ? 0 : 1;
  },
};
