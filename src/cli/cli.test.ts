import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runCli, tempDir } from "../../test/support/run-cli.js";

const SNAP = (ts: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    ts,
    type: "SNAPSHOT",
    symbol: "TESTUSDT",
    bid_price: "1.0000",
    ask_price: "1.0002",
    bid_qty: "10",
    ask_qty: "10",
    last_price: "1.0001",
    last_qty: "1",
    ...extra,
  });

function fixture(lines: string[], config: Record<string, unknown> = {}): string {
  const dir = tempDir();
  writeFileSync(join(dir, "events.jsonl"), lines.join("\n") + "\n");
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

describe("grinder replay / paper through the real binary", () => {
  test("replay prints the contract lines and writes the result atomically", () => {
    const out = join(tempDir(), "r.json");
    const r = runCli(["replay", "--fixture", "fixtures/toxic_jump", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines[0], "Replay completed. Events processed: 200");
    assert.match(lines[1] ?? "", /^Output digest: [0-9a-f]{16}$/);
    const result = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
    assert.deepEqual(Object.keys(result).sort(), [
      "digest",
      "errors",
      "events_processed",
      "fixture_path",
      "outputs",
    ]);
    assert.equal((result.outputs as unknown[]).length, 200);
    assert.equal(result.digest, lines[1]?.slice("Output digest: ".length));
  });

  test("paper prints its profile, then the contract lines; schema v1 keys are pinned", () => {
    const out = join(tempDir(), "p.json");
    const r = runCli(["paper", "--fixture", "fixtures/drawdown_kill_switch", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Profile: reference; options: price_precision=4, max_notional_per_symbol="500000", max_notional_total="1000000", initial_capital="3000", kill_switch_enabled=true, fill_after_ticks=1\nPaper trading completed\. Events processed: 700\nOutput digest: [0-9a-f]{16}\n$/,
    );
    const result = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
    assert.deepEqual(Object.keys(result).sort(), [
      "adaptive_policy_enabled",
      "controller_decisions",
      "controller_enabled",
      "digest",
      "errors",
      "events_gated",
      "events_processed",
      "feature_engine_enabled",
      "final_drawdown_pct",
      "final_equity",
      "final_positions",
      "fixture_path",
      "high_water_mark",
      "kill_switch_enabled",
      "kill_switch_state",
      "kill_switch_triggered",
      "orders_blocked",
      "orders_placed",
      "outputs",
      "schema_version",
      "topk_k",
      "topk_scores",
      "topk_selected_symbols",
      "topk_v1_enabled",
      "topk_v1_gate_excluded",
      "topk_v1_scores",
      "topk_v1_selected_symbols",
      "total_fills",
      "total_realized_pnl",
      "total_unrealized_pnl",
    ]);
    const first = (result.outputs as Record<string, unknown>[])[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(first).sort(), [
      "actions",
      "blocked_by_dd_guard_v1",
      "blocked_by_gating",
      "cycle_intents",
      "dd_guard_v1_decision",
      "drawdown_check",
      "events",
      "features",
      "fills",
      "gating_result",
      "kill_switch_triggered",
      "not_in_topk",
      "plan",
      "pnl_snapshot",
      "prefilter_result",
      "symbol",
      "topk_v1_rank",
      "ts",
    ]);
    assert.equal(result.schema_version, "v1");
    assert.equal(result.kill_switch_triggered, true, "the crash fixture trips the kill switch");
  });

  test("the digest is the same run to run (verify-determinism)", () => {
    const r = runCli(["verify-determinism", "--fixture", "fixtures/controller_modes"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Determinism check PASSED/);
  });
});

describe("bad input gets a clear error and a non-zero exit", () => {
  test("missing fixture directory", () => {
    const r = runCli(["replay", "--fixture", "/nonexistent/fixture"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fixture directory not found: \/nonexistent\/fixture/);
  });

  test("directory without events", () => {
    const r = runCli(["paper", "--fixture", tempDir()]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no events\.jsonl or events\.json/);
  });

  test("empty events file", () => {
    const r = runCli(["replay", "--fixture", fixture([])]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fixture has no events/);
  });

  test("malformed JSON names file and line", () => {
    const dir = fixture([SNAP(1000), "{not json", SNAP(3000)]);
    const r = runCli(["replay", "--fixture", dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${dir}/events\\.jsonl:2: invalid JSON`));
  });

  test("a bad field names file:line, the field and what was expected", () => {
    const dir = fixture([SNAP(1000), SNAP(2000, { bid_price: "abc" })]);
    const r = runCli(["paper", "--fixture", dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /events\.jsonl:2: field "bid_price": expected a plain decimal string/);
    const r2 = runCli(["paper", "--fixture", fixture([SNAP(1000, { ts: "soon" })])]);
    assert.match(r2.stderr, /events\.jsonl:1: field "ts": expected a non-negative integer/);
  });

  test("unknown event types are counted and reported, not silently dropped", () => {
    const dir = fixture([
      SNAP(1000),
      JSON.stringify({ ts: 1500, type: "TRADE", symbol: "TESTUSDT" }),
      JSON.stringify({ ts: 1600, type: "TRADE", symbol: "TESTUSDT" }),
      SNAP(2000),
    ]);
    const r = runCli(["replay", "--fixture", dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /skipped 2 non-SNAPSHOT event\(s\): TRADE=2 \(first at .*events\.jsonl:2\)/,
    );
    assert.match(r.stdout, /Events processed: 4/);
  });

  test("unsorted events are processed in ts order, stable for equal ts", () => {
    const sorted = fixture([SNAP(1000), SNAP(2000, { bid_price: "0.9999" }), SNAP(2000)]);
    const shuffled = fixture([SNAP(2000, { bid_price: "0.9999" }), SNAP(1000), SNAP(2000)]);
    for (const mode of ["replay", "paper"]) {
      const a = runCli([mode, "--fixture", sorted]);
      const b = runCli([mode, "--fixture", shuffled]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(a.stdout, b.stdout, mode);
    }
  });

  test("--config: unknown option and wrong type are errors naming the key", () => {
    const dir = fixture([SNAP(1000)]);
    const cfg = join(tempDir(), "c.json");
    writeFileSync(cfg, JSON.stringify({ levls: 3 }));
    const r = runCli(["paper", "--fixture", dir, "--config", cfg]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown option "levls"/);
    writeFileSync(cfg, JSON.stringify({ levels: "three" }));
    const r2 = runCli(["paper", "--fixture", dir, "--config", cfg]);
    assert.match(r2.stderr, /option "levels": expected an integer, got "three"/);
  });

  test("a wrong-typed option in config.json is an error too", () => {
    const r = runCli(["paper", "--fixture", fixture([SNAP(1000)], { fill_mode: "sometimes" })]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /option "fill_mode": expected "crossing" or "instant"/);
  });

  test("unknown command and unknown flag", () => {
    assert.equal(runCli(["frobnicate"]).code, 2);
    const r = runCli(["replay", "--fixtur", "x"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown option --fixtur \(options: --fixture, --out,/);
  });
});
