/**
 * Soak gate: judge a soak report (runtime/backtest/soak.ts) against the thresholds of
 * one mode in a YAML file (monitoring/soak_thresholds.yml). Always required:
 * the report is a soak report of that mode and every fixture's digest was the
 * same on every iteration. Then each threshold of the mode: a number is an
 * upper bound on the report's field of that name, `{min, max}` a range. A
 * threshold whose field the report does not have (the queue depths of a live
 * soak, say) is listed as not measured and does not fail the gate.
 */

import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { ConfigError, errorMessage, InvalidInputError } from "../../core/errors.js";
import { SOAK_REPORT_SCHEMA_VERSION } from "./soak.js";

export type Threshold =
  | { readonly kind: "max"; readonly max: number }
  | { readonly kind: "range"; readonly min?: number; readonly max?: number };

/** One mode's thresholds, in file order. */
export type ModeThresholds = ReadonlyMap<string, Threshold>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function finite(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** The thresholds of `mode` from YAML text (`source` names it in errors). */
export function parseSoakThresholds(text: string, source: string, mode: string): ModeThresholds {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: invalid YAML: ${errorMessage(e)}`);
  }
  if (!isRecord(doc)) throw new ConfigError(`${source}: expected a mapping of modes`);
  const section = doc[mode];
  if (!isRecord(section)) {
    const modes = Object.keys(doc).join(", ") || "none";
    throw new ConfigError(`${source}: no "${mode}" section (modes: ${modes})`);
  }
  const out = new Map<string, Threshold>();
  for (const [metric, v] of Object.entries(section)) {
    const where = `${source}: ${mode}.${metric}`;
    if (finite(v)) {
      out.set(metric, { kind: "max", max: v });
      continue;
    }
    if (!isRecord(v)) throw new ConfigError(`${where}: expected a number or {min, max}`);
    const extra = Object.keys(v).filter((k) => k !== "min" && k !== "max");
    if (extra.length > 0) throw new ConfigError(`${where}: unknown key(s) ${extra.join(", ")}`);
    const { min, max } = v;
    if (min !== undefined && !finite(min)) throw new ConfigError(`${where}.min: expected a number`);
    if (max !== undefined && !finite(max)) throw new ConfigError(`${where}.max: expected a number`);
    if (min === undefined && max === undefined) {
      throw new ConfigError(`${where}: expected min and/or max`);
    }
    if (finite(min) && finite(max) && min > max) {
      throw new ConfigError(`${where}: min ${min} is above max ${max}`);
    }
    out.set(metric, {
      kind: "range",
      min: min as number | undefined,
      max: max as number | undefined,
    });
  }
  return out;
}

export function loadSoakThresholds(path: string, mode: string): ModeThresholds {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new InvalidInputError(`cannot read thresholds ${path}: ${errorMessage(e)}`);
  }
  return parseSoakThresholds(text, path, mode);
}

export function loadSoakReport(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new InvalidInputError(`cannot read soak report ${path}: ${errorMessage(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`${path}: invalid JSON: ${errorMessage(e)}`);
  }
}

export interface GateLine {
  readonly status: "PASS" | "FAIL" | "SKIP";
  readonly metric: string;
  readonly message: string;
}

function fixtureList(
  report: Record<string, unknown>,
  bad: (r: Record<string, unknown>) => boolean,
): string[] {
  const results = Array.isArray(report.results) ? report.results : [];
  return results
    .filter((r): r is Record<string, unknown> => isRecord(r) && bad(r))
    .map((r) => String(r.fixture_path));
}

function firstErrors(report: Record<string, unknown>): string {
  const results = Array.isArray(report.results) ? report.results : [];
  for (const r of results) {
    if (isRecord(r) && Array.isArray(r.errors) && r.errors.length > 0) {
      return `; first: ${String(r.fixture_path)}: ${String(r.errors[0])}`;
    }
  }
  return "";
}

function checkOne(
  metric: string,
  value: number,
  t: Threshold,
  report: Record<string, unknown>,
): GateLine {
  const broken: string[] = [];
  const limits: string[] = [];
  if (t.kind === "max") {
    limits.push(`<= ${t.max}`);
    if (value > t.max) broken.push(`${value} > ${t.max} (max)`);
  } else {
    if (t.min !== undefined) {
      limits.push(`>= ${t.min}`);
      if (value < t.min) broken.push(`${value} < ${t.min} (min)`);
    }
    if (t.max !== undefined) {
      limits.push(`<= ${t.max}`);
      if (value > t.max) broken.push(`${value} > ${t.max} (max)`);
    }
  }
  if (broken.length === 0) {
    return { status: "PASS", metric, message: `${metric} = ${value} (${limits.join(", ")})` };
  }
  const detail = metric === "errors_total" ? firstErrors(report) : "";
  return { status: "FAIL", metric, message: `${metric}: ${broken.join(", ")}${detail}` };
}

/** Every check of the gate, in order: report kind, mode, digest stability, then each threshold. */
export function checkSoakGate(
  report: unknown,
  thresholds: ModeThresholds,
  mode: string,
): GateLine[] {
  if (!isRecord(report) || report.schema_version !== SOAK_REPORT_SCHEMA_VERSION) {
    return [
      {
        status: "FAIL",
        metric: "schema_version",
        message: `not a soak report (schema_version ${JSON.stringify(isRecord(report) ? report.schema_version : undefined)}, expected "${SOAK_REPORT_SCHEMA_VERSION}")`,
      },
    ];
  }
  const lines: GateLine[] = [];
  lines.push(
    report.mode === mode
      ? { status: "PASS", metric: "mode", message: `mode = ${mode}` }
      : {
          status: "FAIL",
          metric: "mode",
          message: `mode: the report's mode is ${JSON.stringify(report.mode)}, the gate checks ${JSON.stringify(mode)}`,
        },
  );
  if (report.all_digests_stable === true) {
    lines.push({
      status: "PASS",
      metric: "all_digests_stable",
      message: "every iteration gave the same digest",
    });
  } else {
    const unstable = fixtureList(report, (r) => r.digest_stable !== true);
    lines.push({
      status: "FAIL",
      metric: "all_digests_stable",
      message: `digest instability: ${unstable.length > 0 ? unstable.join(", ") : "(no fixture listed)"}`,
    });
  }
  for (const [metric, t] of thresholds) {
    const value = report[metric];
    if (!finite(value)) {
      lines.push({
        status: "SKIP",
        metric,
        message: `${metric}: not measured by this soak (no such number in the report)`,
      });
      continue;
    }
    lines.push(checkOne(metric, value, t, report));
  }
  return lines;
}
