import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../../../test/support/run-cli.js";
import { discoverFixtures, PROJECT_FIXTURES } from "../project-paths.js";
import { runBacktest } from "./backtest.js";

test("every shipped fixture matches its recorded replay and paper digests", async () => {
  const dirs = discoverFixtures(PROJECT_FIXTURES);
  assert.ok(dirs.length >= 8, "fixtures are discovered, not listed");
  const { report, outcomes } = await runBacktest(dirs, 1);
  for (const o of outcomes) {
    assert.ok(o.view.expected_paper_digest, `${o.view.fixture_path} records a paper digest`);
    assert.ok(o.view.expected_replay_digest, `${o.view.fixture_path} records a replay digest`);
    assert.equal(o.view.digest_match, true, `${o.view.fixture_path} drifted`);
  }
  assert.equal(report.all_digests_match, true);
});

test("worker threads give the same report as a serial run", async () => {
  const dirs = discoverFixtures(PROJECT_FIXTURES).slice(0, 4);
  const serial = await runBacktest(dirs, 1);
  const parallel = await runBacktest(dirs, 2);
  assert.equal(parallel.report.report_digest, serial.report.report_digest);
});

test("a digest drift fails the backtest with exit 1 and is shown in the table", () => {
  const dir = join(tempDir(), "drifted");
  cpSync(join(PROJECT_FIXTURES, "toxic_jump"), dir, { recursive: true });
  const cfgPath = join(dir, "config.json");
  const cfg = JSON.parse(readFileSync(cfgPath, "utf8")) as Record<string, unknown>;
  cfg.expected_paper_digest = "0000000000000000";
  writeFileSync(cfgPath, JSON.stringify(cfg));
  const out = join(tempDir(), "report.json");
  const r = runCli(["backtest", "--fixtures", dir, "--out", out]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /FAIL/);
  assert.match(r.stdout, /Backtest FAILED: 0\/1/);
  const report = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
  assert.equal(report.report_schema_version, "v1");
  assert.equal(report.all_digests_match, false);
  assert.equal(report.fixtures_failed, 1);
  assert.match(String(report.report_digest), /^[0-9a-f]{16}$/);
});
