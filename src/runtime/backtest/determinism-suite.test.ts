import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli, tempDir } from "../../../test/support/run-cli.js";
import { PROJECT_FIXTURES } from "../project-paths.js";
import { checkFixtureDeterminism } from "./determinism-suite.js";

function copyWith(name: string, patch: Record<string, unknown>): string {
  const dir = join(tempDir(), name);
  cpSync(join(PROJECT_FIXTURES, name), dir, { recursive: true });
  const cfgPath = join(dir, "config.json");
  const cfg = JSON.parse(readFileSync(cfgPath, "utf8")) as Record<string, unknown>;
  writeFileSync(cfgPath, JSON.stringify({ ...cfg, ...patch }));
  return dir;
}

describe("grinder verify-determinism-suite", () => {
  it("passes on shipped fixtures: table, backtest line, verdict", () => {
    const r = runCli([
      "verify-determinism-suite",
      "--fixtures",
      "fixtures/toxic_jump",
      "--fixtures",
      "fixtures/allowed_low_price",
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^fixtures\/toxic_jump\s+OK\s+OK\s+PASS$/m);
    assert.match(
      r.stdout,
      /^Backtest: report digest run 1 ([0-9a-f]{16}), run 2 \1: identical; all fixtures match: yes$/m,
    );
    assert.match(
      r.stdout,
      /FINAL VERDICT: PASS \(2 fixture\(s\), backtest report digest [0-9a-f]{16}\)\n$/,
    );
  });

  it("fails with exit 1 when a recorded digest does not match", () => {
    const dir = copyWith("toxic_jump", { expected_replay_digest: "0000000000000000" });
    const r = runCli(["verify-determinism-suite", "--fixtures", dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /toxic_jump\s+MISMATCH\s+OK\s+FAIL/);
    assert.match(r.stdout, /replay digest 11545656c65cf19e, recorded 0000000000000000/);
    assert.match(r.stdout, /all fixtures match: NO/);
    assert.match(
      r.stdout,
      /FINAL VERDICT: FAIL \(fixtures failed: .*toxic_jump; backtest check failed\)/,
    );
  });

  it("prints only the verdict with -q, and the digests with -v", () => {
    const q = runCli(["verify-determinism-suite", "-q", "--fixtures", "fixtures/toxic_jump"]);
    assert.equal(q.code, 0);
    assert.equal(q.stdout.trim().split("\n").length, 1);
    const v = runCli(["verify-determinism-suite", "-v", "--fixtures", "fixtures/toxic_jump"]);
    assert.match(v.stdout, /11545656c65cf19e\s+aecf3f94db22312c\s+PASS/);
  });
});

describe("checkFixtureDeterminism", () => {
  it("fails a fixture whose runs fail, naming the error", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "events.jsonl"), "{not json\n");
    const r = await checkFixtureDeterminism(dir);
    assert.equal(r.passed, false);
    assert.equal(r.replay.stable, false);
    assert.equal(r.paper.stable, false);
    assert.equal(r.errors.length, 4);
    assert.match(r.errors[0] ?? "", /^replay run 1: .*events\.jsonl:1: invalid JSON/);
  });
});
