import { join } from "node:path";
import { parseCommandArgs, requiredString, stringFlag } from "../../argv/args.js";
import { InvalidInputError } from "../../core/errors.js";
import { SOAK_MODES } from "../../runtime/backtest/soak.js";
import {
  checkSoakGate,
  loadSoakReport,
  loadSoakThresholds,
} from "../../runtime/backtest/soak-gate.js";
import { PROJECT_ROOT } from "../../runtime/project-paths.js";
import type { CliCommand } from "../io.js";

const DEFAULT_THRESHOLDS = join(PROJECT_ROOT, "monitoring", "soak_thresholds.yml");

export const soakGateCommand: CliCommand = {
  name: "soak-gate",
  summary: "Check a soak report against the thresholds of a mode; exit 1 on any broken threshold",
  usage:
    "grinder soak-gate --report FILE [--thresholds FILE.yml] [--mode baseline|overload]\n\n" +
    "  --report FILE      a report written by `grinder soak --out`\n" +
    "  --thresholds FILE  YAML with one section per mode (default: monitoring/soak_thresholds.yml)\n" +
    "  --mode M           the section to apply (default baseline); must be the report's mode",
  async run(argv, io) {
    const args = parseCommandArgs("soak-gate", argv, {
      report: { type: "string" },
      thresholds: { type: "string" },
      mode: { type: "string" },
    });
    const reportPath = requiredString(args, "soak-gate", "report");
    const thresholdsPath = stringFlag(args, "thresholds") ?? DEFAULT_THRESHOLDS;
    const mode = stringFlag(args, "mode") ?? "baseline";
    if (!SOAK_MODES.some((m) => m === mode)) {
      throw new InvalidInputError(
        `grinder soak-gate: --mode expects baseline or overload, got ${JSON.stringify(mode)}`,
      );
    }
    const thresholds = loadSoakThresholds(thresholdsPath, mode);
    const lines = checkSoakGate(loadSoakReport(reportPath), thresholds, mode);
    io.stdout(`Soak gate (mode ${mode}): ${reportPath} against ${thresholdsPath}`);
    for (const l of lines) io.stdout(`${l.status.padEnd(4)}  ${l.message}`);
    const failed = lines.filter((l) => l.status === "FAIL");
    for (const l of failed) io.stderr(`soak gate: ${l.message}`);
    io.stdout(
      failed.length === 0
        ? `Soak gate PASSED (${lines.filter((l) => l.status === "PASS").length} check(s), ${lines.filter((l) => l.status === "SKIP").length} not measured)`
        : `Soak gate FAILED: ${failed.length} threshold(s) broken`,
    );
    return failed.length === 0 ? 0 : 1;
  },
};
