/**
 * Backtest protocol v1: paper-trade every fixture, check each digest against
 * the one recorded in its config.json, and build a deterministic report
 * (report schema v1). Fixtures run in parallel on worker threads; the report
 * is identical to a serial run because results are ordered by fixture path.
 */

import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { relative } from "node:path";
import type { JsonValue } from "../../core/canonical-json.js";
import { canonicalJson, RawJson } from "../../core/canonical-json.js";
import { errorMessage, InvalidInputError } from "../../core/errors.js";
import { openFixture } from "../../data/fixture-reader.js";
import { PAPER_SCHEMA_VERSION } from "../../kernel/tick-output.js";
import type { BacktestReportData } from "../../report/report-data.js";
import { discoverFixtures, PROJECT_FIXTURES, PROJECT_ROOT } from "../project-paths.js";
import { onWorkerPool } from "../worker-pool.js";
import { runPaperTapped } from "./backtest-tap.js";
import { canonicalDigest } from "./digest.js";
import { ReportSeriesBuilder, type RunSeries, reportData } from "./report-series.js";
import { paperOptions } from "./run-paper.js";
import { runReplay } from "./run-replay.js";

export const REPORT_SCHEMA_VERSION = "v1";

export type FixtureReport = { readonly [key: string]: JsonValue };

/**
 * A fixture's report as canonical text (what crosses the worker boundary, so
 * float formatting survives) plus a parsed view for summaries.
 */
export interface FixtureOutcome {
  readonly text: string;
  readonly view: Readonly<Record<string, unknown>>;
  /** The HTML report's series of the paper run, when asked for (not part of the report). */
  readonly series?: RunSeries;
}

export function outcomeOf(report: FixtureReport): FixtureOutcome {
  const text = canonicalJson(report);
  return { text, view: JSON.parse(text) as Record<string, unknown> };
}

export interface BacktestReport {
  readonly report_schema_version: string;
  readonly paper_schema_version: string;
  readonly fixtures_run: number;
  readonly fixtures_passed: number;
  readonly fixtures_failed: number;
  readonly all_digests_match: boolean;
  readonly results: readonly RawJson[];
  readonly report_digest: string;
}

/**
 * The fixture directories under each root (fixture directories or folders
 * searched for them), default the project's fixtures/; a root without any is an error.
 */
export function fixtureDirs(roots: readonly string[] | undefined): string[] {
  return (roots ?? [PROJECT_FIXTURES]).flatMap((r) => {
    const st = statSync(r, { throwIfNoEntry: false });
    if (st === undefined) throw new InvalidInputError(`--fixtures ${r}: no such directory`);
    if (!st.isDirectory()) {
      throw new InvalidInputError(
        `--fixtures ${r}: expected a fixture directory or a folder of fixtures, found a file`,
      );
    }
    const found = discoverFixtures(r);
    if (found.length === 0) throw new InvalidInputError(`no fixtures found under ${r}`);
    return found;
  });
}

/** How a fixture is named in reports: relative to the project when inside it. */
export function displayPath(dir: string): string {
  const rel = relative(PROJECT_ROOT, dir);
  return rel.startsWith("..") || rel === "" ? dir : rel;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** What a backtest worker is asked to do: one fixture, with or without report series. */
export interface FixtureJob {
  readonly dir: string;
  readonly withSeries?: boolean;
}

/**
 * Run one fixture: paper (and replay when a replay digest is recorded); with
 * `withSeries`, also build the HTML report's series while the paper run streams.
 */
export async function runFixtureOutcome(dir: string, withSeries = false): Promise<FixtureOutcome> {
  let series: RunSeries | undefined;
  const report = await runFixtureReport(dir, withSeries ? (s) => (series = s) : undefined);
  return series === undefined ? outcomeOf(report) : { ...outcomeOf(report), series };
}

async function runFixtureReport(
  dir: string,
  onSeries?: (s: RunSeries) => void,
): Promise<FixtureReport> {
  const name = displayPath(dir);
  try {
    const fixture = openFixture(dir);
    const builder = onSeries
      ? new ReportSeriesBuilder(paperOptions(fixture).initial_capital)
      : undefined;
    // Fixtures span minutes: an equity point every second of data time.
    const paper = await runPaperTapped(fixture, { tap: builder?.tap(), equityEveryMs: 1000 });
    if (builder && onSeries) onSeries(builder.finish());
    const expectedPaper = str(fixture.config.expected_paper_digest);
    const expectedReplay = str(fixture.config.expected_replay_digest);
    const replayDigest = expectedReplay ? (await runReplay(fixture)).digest : "";
    const paperMatch = expectedPaper ? paper.digest === expectedPaper : true;
    const replayMatch = expectedReplay ? replayDigest === expectedReplay : true;
    const f = paper.fields;
    return {
      fixture_path: name,
      schema_version: PAPER_SCHEMA_VERSION,
      paper_digest: paper.digest,
      expected_paper_digest: expectedPaper,
      replay_digest: replayDigest,
      expected_replay_digest: expectedReplay,
      digest_match: paperMatch && replayMatch,
      total_fills: paper.totalFills,
      final_positions: f.final_positions as JsonValue,
      total_realized_pnl: f.total_realized_pnl as string,
      total_unrealized_pnl: f.total_unrealized_pnl as string,
      events_processed: paper.eventsProcessed,
      orders_placed: paper.ordersPlaced,
      orders_blocked: paper.ordersBlocked,
      errors: [...paper.errors],
      topk_selected_symbols: f.topk_selected_symbols as JsonValue,
      topk_k: f.topk_k as number,
      controller_enabled: f.controller_enabled as boolean,
      controller_decisions: f.controller_decisions as JsonValue,
      topk_v1_enabled: f.topk_v1_enabled as boolean,
      topk_v1_selected_symbols: f.topk_v1_selected_symbols as JsonValue,
      topk_v1_gate_excluded: f.topk_v1_gate_excluded as number,
    };
  } catch (e) {
    return {
      fixture_path: name,
      schema_version: PAPER_SCHEMA_VERSION,
      paper_digest: "",
      expected_paper_digest: "",
      replay_digest: "",
      expected_replay_digest: "",
      digest_match: false,
      total_fills: 0,
      final_positions: {},
      total_realized_pnl: "0",
      total_unrealized_pnl: "0",
      events_processed: 0,
      orders_placed: 0,
      orders_blocked: 0,
      errors: [errorMessage(e)],
      topk_selected_symbols: [],
      topk_k: 0,
      controller_enabled: false,
      controller_decisions: [],
      topk_v1_enabled: false,
      topk_v1_selected_symbols: [],
      topk_v1_gate_excluded: 0,
    };
  }
}

/** Why a fixture did not pass, or undefined when it passed (digests recorded and matching). */
export function fixtureFailure(view: Readonly<Record<string, unknown>>): string | undefined {
  const errors = view.errors as string[];
  if (errors.length > 0) return `error: ${errors[0]}`;
  const paper = str(view.expected_paper_digest);
  const replay = str(view.expected_replay_digest);
  if (paper === "" && replay === "") {
    return "no recorded digests (expected_paper_digest, expected_replay_digest in config.json): record them with `grinder fixture record DIR`";
  }
  const why: string[] = [];
  if (paper !== "" && view.paper_digest !== paper) {
    why.push(`paper digest ${str(view.paper_digest)}, recorded ${paper}`);
  }
  if (replay !== "" && view.replay_digest !== replay) {
    why.push(`replay digest ${str(view.replay_digest)}, recorded ${replay}`);
  }
  return why.length === 0 ? undefined : why.join("; ");
}

/** The status of a fixture in the summary: PASS, NO DIGEST or FAIL. */
export function fixtureStatus(view: Readonly<Record<string, unknown>>): string {
  const failure = fixtureFailure(view);
  if (failure === undefined) return "PASS";
  return failure.startsWith("no recorded digests") ? "NO DIGEST" : "FAIL";
}

/** Assemble the report from per-fixture results (in the given order). */
export function buildReport(outcomes: readonly FixtureOutcome[]): BacktestReport {
  let passed = 0;
  for (const o of outcomes) {
    if (fixtureFailure(o.view) === undefined) passed++;
  }
  const results = outcomes.map((o) => new RawJson(o.text));
  const body = {
    report_schema_version: REPORT_SCHEMA_VERSION,
    paper_schema_version: PAPER_SCHEMA_VERSION,
    fixtures_run: results.length,
    fixtures_passed: passed,
    fixtures_failed: results.length - passed,
    all_digests_match: outcomes.every((o) => o.view.digest_match === true),
    results,
  };
  return { ...body, report_digest: canonicalDigest(body) };
}

/**
 * Run fixtures on up to `jobs` worker threads (1 = in this thread); with
 * `withSeries`, each outcome also carries its HTML report series.
 */
export async function runBacktest(
  dirs: readonly string[],
  jobs = Math.min(availableParallelism(), dirs.length),
  onDone?: (r: FixtureOutcome, done: number, total: number) => void,
  opts: { readonly withSeries?: boolean } = {},
): Promise<{ report: BacktestReport; outcomes: FixtureOutcome[] }> {
  const withSeries = opts.withSeries ?? false;
  const results = new Array<FixtureOutcome>(dirs.length);
  let done = 0;
  const finish = (i: number, r: FixtureOutcome): void => {
    results[i] = r;
    done++;
    onDone?.(r, done, dirs.length);
  };
  if (jobs <= 1 || dirs.length <= 1) {
    for (let i = 0; i < dirs.length; i++)
      finish(i, await runFixtureOutcome(dirs[i] as string, withSeries));
    return { report: buildReport(results), outcomes: results };
  }
  const workerUrl = new URL("./backtest-worker.js", import.meta.url);
  await onWorkerPool(workerUrl, dirs, jobs, async (worker, dir, i) => {
    const r = await new Promise<FixtureOutcome>((resolve, reject) => {
      const onMessage = (msg: FixtureOutcome): void => {
        worker.off("error", reject);
        resolve(msg);
      };
      worker.once("message", onMessage);
      worker.once("error", reject);
      const job: FixtureJob = { dir, withSeries };
      worker.postMessage(job);
    });
    finish(i, r);
  });
  return { report: buildReport(results), outcomes: results };
}

/** The summary table of a fixture backtest (what the CLI prints and the HTML report shows). */
export function fixtureSummaryTable(outcomes: readonly FixtureOutcome[]): {
  readonly columns: string[];
  readonly rows: string[][];
} {
  const rows = outcomes.map((o) => {
    const v = o.view;
    const errors = (v.errors as unknown[]).length;
    const status = fixtureStatus(v);
    return [
      String(v.fixture_path),
      String(v.events_processed),
      String(v.orders_placed),
      String(v.total_fills),
      String(v.total_realized_pnl),
      String(v.paper_digest),
      String(v.expected_paper_digest || "-"),
      errors > 0 ? `${status} (${errors} error${errors > 1 ? "s" : ""})` : status,
    ];
  });
  const columns = [
    "fixture",
    "events",
    "orders",
    "fills",
    "realized_pnl",
    "paper_digest",
    "expected",
    "status",
  ];
  return { columns, rows };
}

/** The HTML report's input for a fixture backtest run with series. */
export function fixtureReportData(
  report: BacktestReport,
  outcomes: readonly FixtureOutcome[],
): BacktestReportData {
  const ok = report.fixtures_failed === 0 && report.all_digests_match;
  return reportData({
    title: `grinder backtest: ${report.fixtures_run} fixture(s)`,
    meta: [
      { label: "verdict", value: ok ? "PASSED" : "FAILED" },
      { label: "fixtures", value: `${report.fixtures_passed}/${report.fixtures_run} match` },
      { label: "report digest", value: report.report_digest },
    ],
    summary: fixtureSummaryTable(outcomes),
    runs: outcomes.flatMap((o) =>
      o.series === undefined ? [] : [{ label: String(o.view.fixture_path), series: o.series }],
    ),
  });
}
