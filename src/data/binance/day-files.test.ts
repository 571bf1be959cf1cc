import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../../../test/support/run-cli.js";
import { ConfigError } from "../../core/errors.js";
import { daysInRange, discoverDailyFiles, parseBinanceMarket } from "./day-files.js";

const testdata = join(REPO_ROOT, "src", "data", "binance", "testdata");
const layout = join(testdata, "layout");
const tmp = mkdtempSync(join(tmpdir(), "grinder-days-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function touch(root: string, rel: string): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, "");
}

describe("daysInRange", () => {
  it("lists UTC days inclusively across month and year ends", () => {
    assert.deepEqual(daysInRange("2024-12-30", "2025-01-02"), [
      "2024-12-30",
      "2024-12-31",
      "2025-01-01",
      "2025-01-02",
    ]);
    assert.equal(daysInRange("2024-02-01", "2024-03-01").length, 30);
    assert.deepEqual(daysInRange("2026-01-31", "2026-01-31"), ["2026-01-31"]);
  });

  it("rejects malformed or impossible dates and reversed ranges", () => {
    assert.throws(() => daysInRange("2026-1-01", "2026-01-02"), ConfigError);
    assert.throws(
      () => daysInRange("2026-02-30", "2026-03-01"),
      /from: expected a date YYYY-MM-DD, got "2026-02-30"/,
    );
    assert.throws(
      () => daysInRange("2026-01-02", "2026-01-01"),
      /to 2026-01-01 is before from 2026-01-02/,
    );
  });
});

describe("parseBinanceMarket", () => {
  it("accepts spot, um and cm only", () => {
    assert.equal(parseBinanceMarket("um"), "um");
    assert.throws(() => parseBinanceMarket("futures"), /expected one of spot, um, cm/);
  });
});

describe("discoverDailyFiles", () => {
  it("finds futures bookTicker days in the data.binance.vision layout and lists the gaps", () => {
    const found = discoverDailyFiles({
      dataDir: layout,
      symbols: ["BTCUSDT", "ETHUSDT"],
      kind: "bookTicker",
      from: "2026-01-01",
      to: "2026-01-04",
    });
    assert.deepEqual(
      found.files.map((f) => [f.symbol, f.date, f.layout, relative(layout, f.path)]),
      [
        [
          "BTCUSDT",
          "2026-01-01",
          "um",
          "futures/um/daily/bookTicker/BTCUSDT/BTCUSDT-bookTicker-2026-01-01.zip",
        ],
        [
          "BTCUSDT",
          "2026-01-02",
          "um",
          "futures/um/daily/bookTicker/BTCUSDT/BTCUSDT-bookTicker-2026-01-02.csv",
        ],
        [
          "BTCUSDT",
          "2026-01-04",
          "um",
          "futures/um/daily/bookTicker/BTCUSDT/BTCUSDT-bookTicker-2026-01-04.zip",
        ],
        [
          "ETHUSDT",
          "2026-01-01",
          "um",
          "futures/um/daily/bookTicker/ETHUSDT/ETHUSDT-bookTicker-2026-01-01.zip",
        ],
        [
          "ETHUSDT",
          "2026-01-02",
          "um",
          "futures/um/daily/bookTicker/ETHUSDT/ETHUSDT-bookTicker-2026-01-02.zip",
        ],
      ],
    );
    assert.deepEqual(
      found.missingDays.map((m) => `${m.symbol} ${m.date}`),
      ["BTCUSDT 2026-01-03", "ETHUSDT 2026-01-03", "ETHUSDT 2026-01-04"],
    );
    const first = found.missingDays[0];
    assert.ok(first !== undefined);
    assert.equal(
      relative(layout, first.candidates[0] ?? ""),
      "futures/um/daily/bookTicker/BTCUSDT/BTCUSDT-bookTicker-2026-01-03.csv",
    );
    assert.ok(first.candidates.includes(join(layout, "BTCUSDT-bookTicker-2026-01-03.zip")));
  });

  it("finds spot aggTrades and klines (interval sub-directory and file name)", () => {
    const agg = discoverDailyFiles({
      dataDir: layout,
      symbols: ["BTCUSDT"],
      kind: "aggTrades",
      from: "2024-12-31",
      to: "2025-01-01",
    });
    assert.deepEqual(
      agg.files.map((f) => [f.layout, relative(layout, f.path)]),
      [
        ["spot", "spot/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2024-12-31.csv"],
        ["spot", "spot/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2025-01-01.zip"],
      ],
    );
    const kl = discoverDailyFiles({
      dataDir: layout,
      symbols: ["BTCUSDT"],
      kind: "klines",
      from: "2026-01-01",
      to: "2026-01-01",
      market: "um",
      interval: "1h",
    });
    assert.deepEqual(
      kl.files.map((f) => relative(layout, f.path)),
      ["futures/um/daily/klines/BTCUSDT/1h/BTCUSDT-1h-2026-01-01.zip"],
    );
  });

  it("finds flat files and files under a data/ prefix; prefers .csv to .zip", () => {
    const root = join(tmp, "mixed");
    touch(root, "data/spot/daily/trades/SOLUSDT/SOLUSDT-trades-2026-01-01.zip");
    touch(root, "data/spot/daily/trades/SOLUSDT/SOLUSDT-trades-2026-01-01.csv");
    touch(root, "SOLUSDT-trades-2026-01-02.zip");
    const found = discoverDailyFiles({
      dataDir: root,
      symbols: ["SOLUSDT"],
      kind: "trades",
      from: "2026-01-01",
      to: "2026-01-03",
    });
    assert.deepEqual(
      found.files.map((f) => [f.layout, relative(root, f.path)]),
      [
        ["spot", "data/spot/daily/trades/SOLUSDT/SOLUSDT-trades-2026-01-01.csv"],
        ["flat", "SOLUSDT-trades-2026-01-02.zip"],
      ],
    );
    assert.deepEqual(
      found.missingDays.map((m) => m.date),
      ["2026-01-03"],
    );
  });

  it("with files in spot and futures for one symbol, requires a market, then uses it", () => {
    const root = join(tmp, "both");
    touch(root, "spot/daily/aggTrades/XRPUSDT/XRPUSDT-aggTrades-2026-01-01.zip");
    touch(root, "futures/um/daily/aggTrades/XRPUSDT/XRPUSDT-aggTrades-2026-01-02.zip");
    const base = {
      dataDir: root,
      symbols: ["XRPUSDT"],
      kind: "aggTrades" as const,
      from: "2026-01-01",
      to: "2026-01-02",
    };
    assert.throws(
      () => discoverDailyFiles(base),
      /XRPUSDT aggTrades files exist under both spot and futures\/um .*choose a market/,
    );
    const um = discoverDailyFiles({ ...base, market: "um" });
    assert.deepEqual(
      um.files.map((f) => f.date),
      ["2026-01-02"],
    );
    assert.deepEqual(
      um.missingDays.map((m) => m.date),
      ["2026-01-01"],
    );
  });
});
