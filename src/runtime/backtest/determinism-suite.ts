/**
 * Determinism gate: every fixture's replay and paper runs, twice each, must
 * give the same digest, equal to the one recorded in its config.json
 * (`expected_replay_digest`, `expected_paper_digest`, when recorded); then the
 * whole backtest, twice, must give the same report digest with every fixture
 * matching. Any difference is drift.
 */

import { errorMessage } from "../../core/errors.js";
import { openFixture, readFixtureConfig } from "../../data/fixture-reader.js";
import { displayPath, runBacktest } from "./backtest.js";
import { runPaper } from "./run-paper.js";
import { runReplay } from "./run-replay.js";

export interface DigestCheck {
  readonly run1: string;
  readonly run2: string;
  /** Recorded in config.json ("" when none is). */
  readonly expected: string;
  /** Both runs succeeded and gave the same digest. */
  readonly stable: boolean;
  /** The digest equals the recorded one (true when none is recorded). */
  readonly matchesExpected: boolean;
}

export interface FixtureDeterminism {
  readonly fixture: string;
  readonly replay: DigestCheck;
  readonly paper: DigestCheck;
  /** Runs that failed outright (an exception). */
  readonly errors: readonly string[];
  /** Per-event errors recorded by the runs (identical in both runs when stable). */
  readonly eventErrors: number;
  readonly passed: boolean;
}

export interface BacktestDeterminism {
  readonly digest1: string;
  readonly digest2: string;
  readonly stable: boolean;
  /** Every fixture of both runs matched its recorded digests. */
  readonly allDigestsMatch: boolean;
  readonly errors: readonly string[];
  readonly passed: boolean;
}

export interface DeterminismSuiteResult {
  readonly fixtures: readonly FixtureDeterminism[];
  readonly backtest: BacktestDeterminism;
  readonly passed: boolean;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

async function twice(
  run: () => Promise<{ digest: string; errors: readonly string[] }>,
  expected: string,
  what: string,
  errors: string[],
): Promise<{ check: DigestCheck; eventErrors: number }> {
  const digests: string[] = [];
  let eventErrors = 0;
  for (let i = 1; i <= 2; i++) {
    try {
      const r = await run();
      digests.push(r.digest);
      eventErrors = Math.max(eventErrors, r.errors.length);
    } catch (e) {
      errors.push(`${what} run ${i}: ${errorMessage(e)}`);
      digests.push("");
    }
  }
  const [run1 = "", run2 = ""] = digests;
  const stable = run1 !== "" && run1 === run2;
  return {
    check: { run1, run2, expected, stable, matchesExpected: expected === "" || run1 === expected },
    eventErrors,
  };
}

/** Replay and paper twice each on a fresh read of the fixture. */
export async function checkFixtureDeterminism(dir: string): Promise<FixtureDeterminism> {
  const errors: string[] = [];
  let config: Readonly<Record<string, unknown>> = {};
  try {
    config = readFixtureConfig(dir);
  } catch (e) {
    errors.push(errorMessage(e));
  }
  const replay = await twice(
    () => runReplay(openFixture(dir)),
    str(config.expected_replay_digest),
    "replay",
    errors,
  );
  const paper = await twice(
    () => runPaper(openFixture(dir)),
    str(config.expected_paper_digest),
    "paper",
    errors,
  );
  const ok = (c: DigestCheck): boolean => c.stable && c.matchesExpected;
  return {
    fixture: displayPath(dir),
    replay: replay.check,
    paper: paper.check,
    errors,
    eventErrors: Math.max(replay.eventErrors, paper.eventErrors),
    passed: ok(replay.check) && ok(paper.check) && errors.length === 0,
  };
}

/** The backtest of all `dirs`, twice: same report digest, every fixture matching. */
export async function checkBacktestDeterminism(
  dirs: readonly string[],
): Promise<BacktestDeterminism> {
  const errors: string[] = [];
  const digests: string[] = [];
  let allMatch = true;
  for (let i = 1; i <= 2; i++) {
    try {
      const { report } = await runBacktest(dirs);
      digests.push(report.report_digest);
      allMatch &&= report.all_digests_match;
    } catch (e) {
      errors.push(`backtest run ${i}: ${errorMessage(e)}`);
      digests.push("");
      allMatch = false;
    }
  }
  const [digest1 = "", digest2 = ""] = digests;
  const stable = digest1 !== "" && digest1 === digest2;
  return {
    digest1,
    digest2,
    stable,
    allDigestsMatch: allMatch,
    errors,
    passed: stable && allMatch && errors.length === 0,
  };
}

/** The whole suite over `dirs` (fixture order kept); `onFixture` sees each result as it comes. */
export async function runDeterminismSuite(
  dirs: readonly string[],
  onFixture?: (r: FixtureDeterminism) => void,
): Promise<DeterminismSuiteResult> {
  const fixtures: FixtureDeterminism[] = [];
  for (const dir of dirs) {
    const r = await checkFixtureDeterminism(dir);
    fixtures.push(r);
    onFixture?.(r);
  }
  const backtest = await checkBacktestDeterminism(dirs);
  return { fixtures, backtest, passed: fixtures.every((f) => f.passed) && backtest.passed };
}
