/**
 * Backtest protocol v1: paper-trade every fixture, check each digest against
 * the one recorded in its config.json, and build a deterministic report
 * (report schema v1). Fixtures run in parallel on worker threads; the report
 * is identical to a serial run because results are ordered by fixture path.
 */

import { availableParallelism } from "node:os";
import { relative } from "node:path";
import { Worker } from "node:worker_threads";
import type { JsonValue } from "../core/canonical-json.js";
import { canonicalDigest, canonicalJson, RawJson } from "../core/canonical-json.js";
import { errorMessage } from "../core/errors.js";
import { openFixture } from "../data/fixture-reader.js";
import { PAPER_SCHEMA_VERSION } from "../engine/paper-engine.js";
import { PROJECT_ROOT } from "./project-paths.js";
import { runPaper } from "./run-paper.js";
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

/** How a fixture is named in reports: relative to the project when inside it. */
export function displayPath(dir: string): string {
  const rel = relative(PROJECT_ROOT, dir);
  return rel.startsWith("..") || rel === "" ? dir : rel;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** Run one fixture: paper (and replay when a replay digest is recorded). */
export async function runFixtureOutcome(dir: string): Promise<FixtureOutcome> {
  return outcomeOf(await runFixtureReport(dir));
}

async function runFixtureReport(dir: string): Promise<FixtureReport> {
  const name = displayPath(dir);
  try {
    const fixture = openFixture(dir);
    const paper = await runPaper(fixture);
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

/** Assemble the report from per-fixture results (in the given order). */
export function buildReport(outcomes: readonly FixtureOutcome[]): BacktestReport {
  let passed = 0;
  for (const o of outcomes) {
    if (o.view.digest_match === true && (o.view.errors as unknown[]).length === 0) passed++;
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

/** Run fixtures on up to `jobs` worker threads (1 = in this thread). */
export async function runBacktest(
  dirs: readonly string[],
  jobs = Math.min(availableParallelism(), dirs.length),
  onDone?: (r: FixtureOutcome, done: number, total: number) => void,
): Promise<{ report: BacktestReport; outcomes: FixtureOutcome[] }> {
  const results = new Array<FixtureOutcome>(dirs.length);
  let done = 0;
  const finish = (i: number, r: FixtureOutcome): void => {
    results[i] = r;
    done++;
    onDone?.(r, done, dirs.length);
  };
  if (jobs <= 1 || dirs.length <= 1) {
    for (let i = 0; i < dirs.length; i++) finish(i, await runFixtureOutcome(dirs[i] as string));
    return { report: buildReport(results), outcomes: results };
  }
  let next = 0;
  const workerUrl = new URL("./backtest-worker.js", import.meta.url);
  const runWorker = async (): Promise<void> => {
    const worker = new Worker(workerUrl);
    try {
      while (next < dirs.length) {
        const i = next++;
        const r = await new Promise<FixtureOutcome>((resolve, reject) => {
          const onMessage = (msg: FixtureOutcome): void => {
            worker.off("error", reject);
            resolve(msg);
          };
          worker.once("message", onMessage);
          worker.once("error", reject);
          worker.postMessage(dirs[i]);
        });
        finish(i, r);
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, dirs.length) }, runWorker));
  return { report: buildReport(results), outcomes: results };
}
