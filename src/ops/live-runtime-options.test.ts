import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_LIVE_OPTIONS } from "./live-options.js";
import {
  DEFAULT_STATE_DIR,
  LIVE_RUN_FLAGS,
  liveJournalPath,
  parseLiveRunArgs,
  withRunDefaults,
} from "./live-runtime-options.js";

describe("grinder live run options", () => {
  it("defaults: binance, read_only, journal under state/, real-time speed", () => {
    const o = parseLiveRunArgs([]);
    assert.deepEqual(o.source, { kind: "binance" });
    assert.equal(o.mode, "read_only");
    assert.equal(o.configPath, undefined);
    assert.equal(o.journalPath, undefined);
    assert.equal(o.stateDir, DEFAULT_STATE_DIR);
    assert.equal(o.speed, 1);
    assert.equal(o.symbolsGiven, false);
    assert.equal(liveJournalPath(o), "state/journal-read_only.jsonl");
  });

  it("parses its own flags and passes the process flags through, in any order and syntax", () => {
    const o = parseLiveRunArgs([
      "--speed=60",
      "--source",
      "fixture:fx/dir",
      "--config",
      "opts.json",
      "--mode=paper",
      "--symbols",
      "btcusdt,ethusdt",
      "--state-dir",
      "/var/lib/grinder",
      "--metrics-port",
      "0",
    ]);
    assert.deepEqual(o.source, { kind: "fixture", dir: "fx/dir" });
    assert.equal(o.mode, "paper");
    assert.deepEqual(o.symbols, ["BTCUSDT", "ETHUSDT"]);
    assert.equal(o.symbolsGiven, true);
    assert.equal(o.metricsPort, 0);
    assert.equal(o.speed, 60);
    assert.equal(o.configPath, "opts.json");
    assert.equal(liveJournalPath(o), "/var/lib/grinder/journal-paper.jsonl");
    const j = parseLiveRunArgs([
      "--journal",
      "/tmp/j.jsonl",
      "--speed",
      "0.5",
      "--symbols=SOLUSDT",
    ]);
    assert.equal(liveJournalPath(j), "/tmp/j.jsonl");
    assert.equal(j.speed, 0.5);
    assert.equal(j.symbolsGiven, true);
    assert.equal(parseLiveRunArgs(["--speed", "0"]).speed, 0);
  });

  it("names the flag of a bad, missing or repeated value; lists every flag for an unknown one", () => {
    const bad: [string[], RegExp][] = [
      [["--speed", "-1"], /--speed: expected a number >= 0 such as 1 or 60, got "-1"$/],
      [["--speed", "1e3"], /--speed: expected a number >= 0/],
      [["--speed", "2000000"], /--speed: must be at most 1000000/],
      [["--journal"], /--journal: missing value$/],
      [["--config="], /--config: empty value$/],
      [["--journal", "a", "--journal", "b"], /--journal: given twice$/],
      [["--mode", "live"], /--mode: expected read_only or paper/],
      [
        ["--nope"],
        /unknown option --nope \(options: --symbols, .*--config, --journal, --state-dir, --speed\)$/,
      ],
      [["stray"], /unexpected argument "stray"$/],
    ];
    for (const [argv, re] of bad) assert.throws(() => parseLiveRunArgs(argv), re, argv.join(" "));
    assert.ok(LIVE_RUN_FLAGS.includes("--metrics-host"));
  });

  it("fills the trading-loop defaults for process-only options", () => {
    const o = withRunDefaults(DEFAULT_LIVE_OPTIONS);
    assert.equal(o.stateDir, DEFAULT_STATE_DIR);
    assert.equal(o.speed, 1);
    assert.equal(o.symbolsGiven, true);
    const r = parseLiveRunArgs(["--speed", "3"]);
    assert.equal(withRunDefaults(r), r);
  });
});
