import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { liveEngineOptions } from "./live-kernel-setup.js";
import { DEFAULT_LIVE_OPTIONS, formatLiveSource, parseLiveArgs } from "./live-options.js";

it("defaults match the reference's run_live defaults", () => {
  assert.deepEqual(parseLiveArgs([]), DEFAULT_LIVE_OPTIONS);
  assert.deepEqual(DEFAULT_LIVE_OPTIONS.symbols, ["BTCUSDT", "ETHUSDT"]);
  assert.equal(DEFAULT_LIVE_OPTIONS.durationS, 0);
  assert.equal(DEFAULT_LIVE_OPTIONS.metricsPort, 9090);
  assert.equal(DEFAULT_LIVE_OPTIONS.mode, "read_only");
});

it("binds the ops endpoints to loopback unless --metrics-host says otherwise", () => {
  assert.equal(parseLiveArgs([]).metricsHost, "127.0.0.1");
  assert.equal(parseLiveArgs(["--metrics-host", "0.0.0.0"]).metricsHost, "0.0.0.0");
});

it("parses every flag, in both spellings", () => {
  const o = parseLiveArgs([
    "--symbols",
    " btcusdt, SOLUSDT ,,BTCUSDT",
    "--duration-s=30",
    "--metrics-port",
    "9191",
    "--metrics-host=127.0.0.1",
    "--source",
    "fixture:fixtures/day1",
    "--mode=paper",
  ]);
  assert.deepEqual(o, {
    symbols: ["BTCUSDT", "SOLUSDT"],
    durationS: 30,
    metricsPort: 9191,
    metricsHost: "127.0.0.1",
    source: { kind: "fixture", dir: "fixtures/day1" },
    mode: "paper",
  });
  assert.equal(formatLiveSource(o.source), "fixture:fixtures/day1");
  assert.deepEqual(parseLiveArgs(["--source", "binance"]).source, { kind: "binance" });
});

it("names the flag in every error", () => {
  const bad: [string[], RegExp][] = [
    [["--symbol", "X"], /unknown option --symbol/],
    [["--symbols"], /--symbols: missing value/],
    [["--symbols", "--mode", "paper"], /--symbols: missing value/],
    [["--symbols", "BTC-USDT"], /--symbols: "BTC-USDT" is not a symbol/],
    [["--symbols", ","], /--symbols: at least one/],
    [["--duration-s", "-1"], /--duration-s: expected a whole number/],
    [["--duration-s", "1.5"], /--duration-s: expected a whole number/],
    [["--metrics-port", "70000"], /--metrics-port: must be between 0 and 65535/],
    [["--source", "kafka"], /--source: expected fixture:DIR or binance/],
    [["--source", "fixture:"], /--source: fixture:DIR needs a directory/],
    [["--mode", "live"], /--mode: expected read_only or paper/],
    [["--mode", "paper", "--mode", "paper"], /--mode: given twice/],
    [["paper"], /unexpected argument "paper"/],
  ];
  for (const [argv, re] of bad) assert.throws(() => parseLiveArgs(argv), re, argv.join(" "));
});

it("an unknown key in the fixture's config.json is a warning naming the closest option", () => {
  const dir = mkdtempSync(join(tmpdir(), "grinder-live-config-"));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ spacing_bsp: 12, levels: 3 }));
  const warnings: string[] = [];
  const o = liveEngineOptions(dir, undefined, undefined, (l) => warnings.push(l));
  assert.equal(o.levels, 3);
  assert.deepEqual(warnings, [
    `warning: ${join(dir, "config.json")}: unknown option "spacing_bsp" (did you mean spacing_bps?)`,
  ]);
});
