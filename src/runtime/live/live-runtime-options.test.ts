import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_LIVE_OPTIONS } from "./live-options.js";
import {
  DEFAULT_STATE_DIR,
  LIVE_RUN_FLAGS,
  liveJournalPath,
  parseLiveRunArgs,
  processOptionsOf,
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
    assert.equal(liveJournalPath(o), "state/journal-read_only-binance-BTCUSDT_ETHUSDT.jsonl");
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
    assert.equal(
      liveJournalPath(o),
      "/var/lib/grinder/journal-paper-fixture-dir-BTCUSDT_ETHUSDT.jsonl",
    );
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
      [["--mode", "live"], /--mode: expected read_only, paper or live_trade, got "live"$/],
      [["--mode", "paper", "--mode=paper"], /--mode: given twice$/],
      [
        ["--nope"],
        /unknown option --nope \(options: --symbols, .*--config, --profile, --journal, --state-dir, --speed, --rest-url, --ws-url, --confirm, --cancel-strays, --poll-ms, --market, --allow-host, --user-stream, --ws-api-url, --backstop-ms, --exchange-info\)$/,
      ],
      [["--market", "coinm"], /--market: expected spot or um, got "coinm"$/],
      [["--mode", "live_trade", "--confirm", "MAINNET"], /--confirm: expected TESTNET/],
      [["--mode", "live_trade", "--cancel-strays=yes"], /--cancel-strays takes no value$/],
      [["--mode", "live_trade", "--poll-ms", "5"], /--poll-ms: must be between 10 and 3600000/],
      [["--mode", "live_trade", "--poll-ms", "1s"], /--poll-ms: expected a whole number of ms/],
      [["--mode", "paper", "--cancel-strays"], /--cancel-strays: only with --mode live_trade$/],
      [["--confirm", "TESTNET"], /--confirm: only with --mode live_trade$/],
      [["--poll-ms", "100"], /--poll-ms: only with --mode live_trade$/],
      [["--rest-url="], /--rest-url: empty value$/],
      [
        ["--mode", "live_trade", "--user-stream", "yes"],
        /--user-stream: expected on or off, got "yes"$/,
      ],
      [
        ["--mode", "live_trade", "--backstop-ms", "50"],
        /--backstop-ms: must be between 100 and 3600000/,
      ],
      [
        ["--ws-api-url", "ws://127.0.0.1:1/ws-api/v3"],
        /--ws-api-url: only with --mode live_trade$/,
      ],
      [["stray"], /unexpected argument "stray"$/],
    ];
    for (const [argv, re] of bad) assert.throws(() => parseLiveRunArgs(argv), re, argv.join(" "));
    assert.ok(LIVE_RUN_FLAGS.includes("--metrics-host"));
  });

  it("live_trade, endpoints and the live_trade settings", () => {
    const d = parseLiveRunArgs([]);
    assert.deepEqual(
      [d.restUrl, d.wsUrl, d.confirmTestnet, d.cancelStrays, d.pollMs],
      [undefined, undefined, false, false, 1000],
    );
    const o = parseLiveRunArgs([
      "--mode",
      "live_trade",
      "--rest-url",
      "http://127.0.0.1:9",
      "--ws-url=ws://127.0.0.1:8/stream",
      "--confirm=TESTNET",
      "--cancel-strays",
      "--poll-ms",
      "250",
      "--symbols",
      "BTCUSDT",
    ]);
    assert.equal(o.mode, "live_trade");
    assert.equal(o.restUrl, "http://127.0.0.1:9");
    assert.equal(o.wsUrl, "ws://127.0.0.1:8/stream");
    assert.equal(o.confirmTestnet, true);
    assert.equal(o.cancelStrays, true);
    assert.equal(o.pollMs, 250);
    assert.deepEqual([o.userStream, o.wsApiUrl, o.backstopMs], [true, undefined, 30_000]);
    const s = parseLiveRunArgs([
      "--mode=live_trade",
      "--user-stream=off",
      "--ws-api-url",
      "ws://127.0.0.1:7/ws-api/v3",
      "--backstop-ms",
      "5000",
    ]);
    assert.deepEqual(
      [s.userStream, s.wsApiUrl, s.backstopMs],
      [false, "ws://127.0.0.1:7/ws-api/v3", 5000],
    );
    assert.deepEqual(o.symbols, ["BTCUSDT"]);
    assert.equal(liveJournalPath(o), "state/journal-live_trade-binance-BTCUSDT.jsonl");
    // Endpoints are accepted in every mode (a read_only run reads market data).
    assert.equal(parseLiveRunArgs(["--ws-url", "ws://x:1/s"]).wsUrl, "ws://x:1/s");
    assert.equal(processOptionsOf(o).mode, "paper");
    assert.equal(processOptionsOf(parseLiveRunArgs(["--mode", "paper"])).mode, "paper");
    assert.equal(processOptionsOf(d).mode, "read_only");
    // The market: spot unless --market um (any mode: a read_only run reads the USD-M feed).
    assert.equal(d.market, "spot");
    assert.equal(parseLiveRunArgs(["--market", "um"]).market, "um");
    assert.equal(parseLiveRunArgs(["--mode", "live_trade", "--market=um"]).market, "um");
  });

  it("--allow-host is repeatable", () => {
    assert.deepEqual(parseLiveRunArgs([]).allowHosts, []);
    assert.deepEqual(
      parseLiveRunArgs(["--allow-host", "a.internal", "--allow-host=b.internal"]).allowHosts,
      ["a.internal", "b.internal"],
    );
  });

  it("default journals per mode, source and symbols, sanitised", () => {
    const path = (argv: string[]) => liveJournalPath(parseLiveRunArgs(argv));
    assert.equal(
      path(["--source", "fixture:fixtures/sample_day/", "--mode", "paper"]),
      "state/journal-paper-fixture-sample_day-all.jsonl",
    );
    assert.equal(
      path(["--source", "fixture:../my data (1)", "--symbols", "ethusdt", "--state-dir", "s"]),
      "s/journal-read_only-fixture-my_data_1_-ETHUSDT.jsonl",
    );
    assert.equal(path(["--mode", "paper"]), "state/journal-paper-binance-BTCUSDT_ETHUSDT.jsonl");
    // Many symbols: cut, with a hash of the whole list (so two long lists never share a file).
    const many = Array.from({ length: 30 }, (_, i) => `SYM${i}USDT`);
    const long = path(["--symbols", many.join(",")]);
    assert.match(
      long,
      /^state\/journal-read_only-binance-SYM0USDT_SYM1USDT_.{50,}-[0-9a-f]{8}\.jsonl$/,
    );
    assert.notEqual(long, path(["--symbols", [...many, "XUSDT"].join(",")]));
    assert.equal(path(["--journal", "j.jsonl", "--mode", "paper"]), "j.jsonl");
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
