import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../../../test/support/run-cli.js";
import { ConfigError } from "../../core/errors.js";
import { checkSoakGate, type GateLine, parseSoakThresholds } from "./soak-gate.js";

const YAML = `
baseline:
  decision_latency_p99_ms: 50
  order_latency_p99_ms: 200
  errors_total: 0
  events_dropped: 0
  rss_mb_max: 512
  fill_rate:
    min: 0.4
    max: 1.0
  events_processed:
    min: 1000
overload:
  errors_total: 10
`;

const T = parseSoakThresholds(YAML, "t.yml", "baseline");

function report(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: "v1",
    mode: "baseline",
    all_digests_stable: true,
    decision_latency_p99_ms: 1.25,
    errors_total: 0,
    events_dropped: 0,
    rss_mb_max: 120,
    fill_rate: 0.65,
    events_processed: 16000,
    results: [
      { fixture_path: "fixtures/a", digest_stable: true, errors: [] },
      { fixture_path: "fixtures/b", digest_stable: true, errors: [] },
    ],
    ...patch,
  };
}

function fails(lines: readonly GateLine[]): string[] {
  return lines.filter((l) => l.status === "FAIL").map((l) => l.message);
}

describe("checkSoakGate", () => {
  it("passes a good report; an unmeasured threshold is skipped, not failed", () => {
    const lines = checkSoakGate(report(), T, "baseline");
    assert.deepEqual(fails(lines), []);
    assert.deepEqual(
      lines.map((l) => `${l.status} ${l.metric}`),
      [
        "PASS mode",
        "PASS all_digests_stable",
        "PASS decision_latency_p99_ms",
        "SKIP order_latency_p99_ms",
        "PASS errors_total",
        "PASS events_dropped",
        "PASS rss_mb_max",
        "PASS fill_rate",
        "PASS events_processed",
      ],
    );
    assert.equal(lines[2]?.message, "decision_latency_p99_ms = 1.25 (<= 50)");
    assert.equal(lines[7]?.message, "fill_rate = 0.65 (>= 0.4, <= 1)");
  });

  it("fails on a value above its limit (latency, memory, dropped events)", () => {
    assert.deepEqual(
      fails(checkSoakGate(report({ decision_latency_p99_ms: 73.5 }), T, "baseline")),
      ["decision_latency_p99_ms: 73.5 > 50 (max)"],
    );
    assert.deepEqual(fails(checkSoakGate(report({ rss_mb_max: 600 }), T, "baseline")), [
      "rss_mb_max: 600 > 512 (max)",
    ]);
    assert.deepEqual(fails(checkSoakGate(report({ events_dropped: 3 }), T, "baseline")), [
      "events_dropped: 3 > 0 (max)",
    ]);
  });

  it("fails on errors and names the first one", () => {
    const r = report({
      errors_total: 2,
      results: [
        { fixture_path: "fixtures/a", digest_stable: true, errors: [] },
        { fixture_path: "fixtures/b", digest_stable: true, errors: ["run 1: boom", "run 2: boom"] },
      ],
    });
    assert.deepEqual(fails(checkSoakGate(r, T, "baseline")), [
      "errors_total: 2 > 0 (max); first: fixtures/b: run 1: boom",
    ]);
  });

  it("fails on a value outside its range, either side", () => {
    assert.deepEqual(fails(checkSoakGate(report({ fill_rate: 0.31 }), T, "baseline")), [
      "fill_rate: 0.31 < 0.4 (min)",
    ]);
    assert.deepEqual(fails(checkSoakGate(report({ fill_rate: 1.2 }), T, "baseline")), [
      "fill_rate: 1.2 > 1 (max)",
    ]);
    assert.deepEqual(fails(checkSoakGate(report({ events_processed: 10 }), T, "baseline")), [
      "events_processed: 10 < 1000 (min)",
    ]);
  });

  it("fails on digest instability, naming the fixtures", () => {
    const r = report({
      all_digests_stable: false,
      results: [
        { fixture_path: "fixtures/a", digest_stable: false, errors: [] },
        { fixture_path: "fixtures/b", digest_stable: true, errors: [] },
      ],
    });
    assert.deepEqual(fails(checkSoakGate(r, T, "baseline")), ["digest instability: fixtures/a"]);
  });

  it("fails a report of another mode, and anything that is not a soak report", () => {
    assert.deepEqual(fails(checkSoakGate(report({ mode: "overload" }), T, "baseline")), [
      'mode: the report\'s mode is "overload", the gate checks "baseline"',
    ]);
    const notReport = checkSoakGate({ report_schema_version: "v1" }, T, "baseline");
    assert.equal(notReport.length, 1);
    assert.match(fails(notReport)[0] ?? "", /^not a soak report/);
    assert.equal(fails(checkSoakGate([1, 2], T, "baseline")).length, 1);
  });

  it("reports every broken threshold at once", () => {
    const r = report({ fill_rate: 0.1, rss_mb_max: 4096, errors_total: 1 });
    assert.equal(fails(checkSoakGate(r, T, "baseline")).length, 3);
  });
});

describe("parseSoakThresholds", () => {
  const bad = (yaml: string, mode: string, re: RegExp): void => {
    assert.throws(
      () => parseSoakThresholds(yaml, "t.yml", mode),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
    );
  };

  it("reads a mode section in file order", () => {
    assert.deepEqual([...T.keys()].slice(0, 3), [
      "decision_latency_p99_ms",
      "order_latency_p99_ms",
      "errors_total",
    ]);
    assert.deepEqual(T.get("fill_rate"), { kind: "range", min: 0.4, max: 1 });
    assert.deepEqual(parseSoakThresholds(YAML, "t.yml", "overload").get("errors_total"), {
      kind: "max",
      max: 10,
    });
  });

  it("rejects what it cannot judge by, naming the key", () => {
    bad(YAML, "stress", /t\.yml: no "stress" section \(modes: baseline, overload\)/);
    bad(
      "baseline:\n  rss_mb_max: lots\n",
      "baseline",
      /baseline\.rss_mb_max: expected a number or \{min, max\}/,
    );
    bad("baseline:\n  fill_rate: {min: 0.9, max: 0.1}\n", "baseline", /min 0\.9 is above max 0\.1/);
    bad("baseline:\n  fill_rate: {low: 0.1}\n", "baseline", /unknown key\(s\) low/);
    bad("baseline:\n  fill_rate: {}\n", "baseline", /expected min and\/or max/);
    bad("baseline: [1, 2\n", "baseline", /invalid YAML/);
    bad("- 1\n", "baseline", /expected a mapping of modes/);
  });

  it("reads the shipped monitoring/soak_thresholds.yml in both modes", () => {
    const text = readFileSync(join(REPO_ROOT, "monitoring", "soak_thresholds.yml"), "utf8");
    for (const mode of ["baseline", "overload"]) {
      const t = parseSoakThresholds(text, "soak_thresholds.yml", mode);
      assert.ok(
        t.has("decision_latency_p99_ms") && t.has("fill_rate") && t.has("events_processed"),
      );
    }
  });
});
