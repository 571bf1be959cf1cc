import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli, tempDir } from "../../../test/support/run-cli.js";
import { openFixture } from "../../data/fixture-reader.js";
import { LatencySamples, overloadFixture } from "./soak.js";

function snapshotLine(ts: number, symbol = "TESTUSDT"): string {
  return JSON.stringify({
    ts,
    type: "SNAPSHOT",
    symbol,
    bid_price: "1.0000",
    ask_price: "1.0002",
    bid_qty: "10",
    ask_qty: "10",
    last_price: "1.0001",
    last_qty: "1",
  });
}

describe("overloadFixture", () => {
  it("copies every snapshot to distinct symbols on a compressed timeline", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "events.jsonl"),
      [
        snapshotLine(1000),
        JSON.stringify({ ts: 1005, type: "TRADE" }),
        snapshotLine(1010),
        snapshotLine(1025),
      ].join("\n"),
    );
    const f = overloadFixture(openFixture(dir), 2, 10);
    assert.equal(f.stats.snapshots, 6);
    assert.equal(f.stats.events, 7);
    const seen = [...f.events()].map((e) =>
      e.kind === "snapshot"
        ? `${e.snapshot.ts} ${e.snapshot.symbol} ${e.snapshot.bidPrice}`
        : e.type,
    );
    assert.deepEqual(seen, [
      "1000 TESTUSDT 1.0000",
      "1000 TESTUSDT_2 1.0000",
      "TRADE",
      "1001 TESTUSDT 1.0000", // 1000 + floor(10 / 10)
      "1001 TESTUSDT_2 1.0000",
      "1002 TESTUSDT 1.0000", // 1000 + floor(25 / 10)
      "1002 TESTUSDT_2 1.0000",
    ]);
    assert.throws(() => overloadFixture(openFixture(dir), 0, 10), RangeError);
  });
});

describe("LatencySamples", () => {
  it("gives the median and the reference's p99 rule", () => {
    const s = new LatencySamples();
    assert.equal(s.quantile(0.99), 0);
    for (let i = 100; i >= 1; i--) s.push(i);
    assert.equal(s.quantile(0.5), 50.5);
    assert.equal(s.quantile(0.99), 100); // sorted[floor(100 * 0.99)] = sorted[99]
    assert.equal(s.max(), 100);
    const t = new LatencySamples();
    for (let i = 0; i < 3000; i++) t.push(i % 7); // past the first 1024-sample buffer
    assert.equal(t.count, 3000);
    assert.equal(t.quantile(0.5), 3);
    t.push(1e9);
    assert.equal(t.max(), 1e9);
  });
});

const LOOSE = `
baseline:
  decision_latency_p99_ms: 10000
  order_latency_p99_ms: 10000
  errors_total: 0
  events_dropped: 0
  rss_mb_max: 100000
  fill_rate:
    min: 0.0
    max: 1.0
  events_processed:
    min: 1000
overload:
  decision_latency_p99_ms: 10000
  errors_total: 0
  fill_rate:
    min: 0.0
    max: 1.0
`;

describe("grinder soak + soak-gate (through the real binary)", () => {
  it("soaks the shipped fixtures and passes loose thresholds; fails a tight one", () => {
    const dir = tempDir();
    const out = join(dir, "soak.json");
    const thresholds = join(dir, "t.yml");
    writeFileSync(thresholds, LOOSE);
    const soak = runCli(["soak", "--iterations", "2", "--out", out]);
    assert.equal(soak.code, 0, soak.stdout + soak.stderr);
    assert.match(
      soak.stdout,
      /^fixtures\/toxic_jump\s+200\s+[\d.]+\s+[\d.]+\s+0\.6000\s+0\s+stable$/m,
    );
    assert.match(soak.stdout, /Soak completed: \d+ run\(s\), digests stable, 0 error\(s\)/);
    const report = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
    assert.equal(report.mode, "baseline");
    assert.equal(report.iterations, 2);
    assert.equal(report.all_digests_stable, true);
    assert.ok((report.events_processed as number) >= 2 * 5000);
    assert.ok((report.decision_latency_p99_ms as number) > 0);
    assert.ok((report.rss_mb_max as number) > 10);
    const results = report.results as Record<string, unknown>[];
    const toxic = results.find((r) => r.fixture_path === "fixtures/toxic_jump");
    assert.deepEqual(toxic?.digests, ["aecf3f94db22312c", "aecf3f94db22312c"]);
    assert.equal(toxic?.digest_matches_expected, true);

    const gate = runCli([
      "soak-gate",
      "--report",
      out,
      "--thresholds",
      thresholds,
      "--mode",
      "baseline",
    ]);
    assert.equal(gate.code, 0, gate.stdout + gate.stderr);
    assert.match(gate.stdout, /^SKIP {2}order_latency_p99_ms: not measured/m);
    assert.match(gate.stdout, /^Soak gate PASSED/m);

    writeFileSync(
      thresholds,
      "baseline:\n  decision_latency_p99_ms: 0\n  fill_rate: {min: 0.99}\n",
    );
    const tight = runCli(["soak-gate", "--report", out, "--thresholds", thresholds]);
    assert.equal(tight.code, 1);
    assert.match(tight.stdout, /^FAIL {2}decision_latency_p99_ms: [\d.]+ > 0 \(max\)$/m);
    assert.match(tight.stdout, /^FAIL {2}fill_rate: [\d.]+ < 0\.99 \(min\)$/m);
    assert.match(tight.stdout, /Soak gate FAILED: 2 threshold\(s\) broken/);
    assert.match(tight.stderr, /soak gate: fill_rate/);
  });

  it("overload multiplies the events and is gated in its own mode", () => {
    const dir = tempDir();
    const out = join(dir, "soak.json");
    const thresholds = join(dir, "t.yml");
    writeFileSync(thresholds, LOOSE);
    const soak = runCli([
      "soak",
      "--mode",
      "overload",
      "--fixtures",
      "fixtures/toxic_jump",
      "--iterations",
      "2",
      "--copies",
      "3",
      "--compress",
      "5",
      "--out",
      out,
      "-q",
    ]);
    assert.equal(soak.code, 0, soak.stdout + soak.stderr);
    const report = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
    assert.deepEqual(report.overload, { symbol_copies: 3, time_compression: 5 });
    assert.equal(report.events_processed, 2 * 600);
    const r0 = (report.results as Record<string, unknown>[])[0];
    assert.equal(r0?.digest_stable, true);
    assert.equal(r0?.digest_matches_expected, null);
    assert.equal(
      runCli(["soak-gate", "--report", out, "--thresholds", thresholds, "--mode", "overload"]).code,
      0,
    );
    const wrongMode = runCli(["soak-gate", "--report", out, "--thresholds", thresholds]);
    assert.equal(wrongMode.code, 1);
    assert.match(wrongMode.stdout, /the report's mode is "overload", the gate checks "baseline"/);
  });

  it("refuses bad flags", () => {
    assert.match(
      runCli(["soak", "--mode", "stress"]).stderr,
      /--mode expects baseline or overload/,
    );
    assert.match(runCli(["soak", "--copies", "3"]).stderr, /apply to --mode overload/);
    assert.match(runCli(["soak", "--iterations", "0"]).stderr, /--iterations must be >= 1/);
    assert.match(runCli(["soak-gate"]).stderr, /--report is required/);
  });
});
