import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../../../test/support/run-cli.js";
import { ConfigError, InvalidInputError } from "../../core/errors.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { missingDayNotes, openBinanceSource } from "./binance-source.js";
import { sourceStatsNotes } from "./source-stats.js";

const testdata = join(REPO_ROOT, "src", "data", "binance", "testdata");
const layout = join(testdata, "layout");
const tmp = mkdtempSync(join(tmpdir(), "grinder-binance-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function writeText(rel: string, text: string): string {
  const p = join(tmp, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

function assertTimeOrdered(snaps: readonly Snapshot[]): void {
  for (let i = 1; i < snaps.length; i++) {
    assert.ok((snaps[i] as Snapshot).ts >= (snaps[i - 1] as Snapshot).ts, `ts order at ${i}`);
  }
}

describe("openBinanceSource: futures bookTicker over several days and symbols", () => {
  const source = openBinanceSource({
    dataDir: layout,
    symbols: ["btcusdt", "ETHUSDT"],
    kind: "bookTicker",
    from: "2026-01-01",
    to: "2026-01-04",
  });

  it("reports the gap days explicitly", () => {
    assert.deepEqual(source.symbols, ["BTCUSDT", "ETHUSDT"]);
    assert.deepEqual(source.dates, ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"]);
    assert.deepEqual(
      source.missingDays.map((m) => `${m.symbol} ${m.date}`),
      ["BTCUSDT 2026-01-03", "ETHUSDT 2026-01-03", "ETHUSDT 2026-01-04"],
    );
    assert.match(
      missingDayNotes(source.missingDays)[0] ?? "",
      /^missing BTCUSDT 2026-01-03 \(no file; e\.g\. .*BTCUSDT-bookTicker-2026-01-03\.csv\)$/,
    );
  });

  it("merges both symbols in ts order, BTCUSDT first on equal ts", () => {
    const snaps = [...source.snapshots()];
    assert.equal(snaps.length, 30 + 24 + 20 + 25 + 20);
    assertTimeOrdered(snaps);
    let ties = 0;
    for (let i = 1; i < snaps.length; i++) {
      const a = snaps[i - 1] as Snapshot;
      const b = snaps[i] as Snapshot;
      if (a.ts === b.ts && a.symbol !== b.symbol) {
        ties++;
        assert.equal(a.symbol, "BTCUSDT");
      }
    }
    assert.equal(ties, 45); // ETH has a tick at every ts BTC has on its two days
    // The first row of the zipped BTCUSDT file, as a snapshot at its event_time.
    assert.deepEqual(snaps[0]?.toDict(), {
      ts: 1767225600005,
      symbol: "BTCUSDT",
      bid_price: "93421.30",
      ask_price: "93421.40",
      bid_qty: "0.107",
      ask_qty: "1.706",
      last_price: "93421.35",
      last_qty: "0",
    });
    assert.equal(snaps[1]?.symbol, "ETHUSDT");
    assert.equal(snaps[1]?.bidPrice.toString(), "3310.43");
  });

  it("counts what it read, per symbol too, and resets on another pass", () => {
    const first = [...source.snapshots()].length;
    const second = [...source.snapshots()].length;
    assert.equal(first, second);
    const s = source.stats;
    assert.equal(s.files, 5);
    assert.equal(s.rows, 119);
    assert.equal(s.snapshots, 119);
    assert.equal(s.headerRows, 4); // the no-header csv day has none
    assert.equal(s.skippedBadRows, 0);
    assert.equal(s.clampedTs, 0);
    assert.deepEqual(s.bySymbol.BTCUSDT, {
      files: 3,
      rows: 74,
      snapshots: 74,
      skippedBadRows: 0,
      clampedTs: 0,
    });
    assert.deepEqual(sourceStatsNotes(s), []);
  });

  it("puts ETHUSDT first on equal ts when it is listed first", () => {
    const rev = openBinanceSource({
      dataDir: layout,
      symbols: ["ETHUSDT", "BTCUSDT"],
      kind: "bookTicker",
      from: "2026-01-01",
      to: "2026-01-01",
    });
    const snaps = [...rev.snapshots()];
    assert.deepEqual(
      snaps.slice(0, 2).map((x) => x.symbol),
      ["ETHUSDT", "BTCUSDT"],
    );
  });
});

describe("openBinanceSource: trades, aggTrades and klines", () => {
  it("reads spot aggTrades across the switch from ms to µs timestamps", () => {
    const src = openBinanceSource({
      dataDir: layout,
      symbols: ["BTCUSDT"],
      kind: "aggTrades",
      from: "2024-12-31",
      to: "2025-01-01",
      halfSpreadBps: 2,
      syntheticDepthQty: "5",
    });
    const snaps = [...src.snapshots()];
    assert.equal(snaps.length, 44);
    assertTimeOrdered(snaps);
    assert.equal(src.stats.microsecondRows, 24);
    const lastMs = snaps[19] as Snapshot;
    const firstUs = snaps[20] as Snapshot;
    assert.equal(lastMs.ts, 1735603213333);
    assert.equal(lastMs.lastPrice.toString(), "93550.04000000");
    // 93550.04 * 0.0002 = 18.710008
    assert.equal(lastMs.bidPrice.toString(), "93531.32999200");
    assert.equal(lastMs.askPrice.toString(), "93568.75000800");
    assert.equal(lastMs.bidQty.toString(), "5");
    assert.equal(lastMs.lastQty.toString(), "0.00254000");
    assert.equal(firstUs.ts, 1735689600049); // 1735689600049527 µs
    assert.equal(firstUs.lastPrice.toString(), "93576.01000000");
    assert.match(sourceStatsNotes(src.stats)[0] ?? "", /24 row\(s\) had microsecond timestamps/);
  });

  it("reads futures trades with a header and spot trades with µs", () => {
    const fut = openBinanceSource({
      dataDir: layout,
      symbols: ["BTCUSDT"],
      kind: "trades",
      from: "2026-01-01",
      to: "2026-01-01",
    });
    const f = [...fut.snapshots()];
    assert.equal(f.length, 25);
    assert.equal(f[0]?.ts, 1767225600022);
    assert.equal(f[0]?.lastQty.toString(), "0.3403");
    const spot = openBinanceSource({
      dataDir: layout,
      symbols: ["ETHUSDT"],
      kind: "trades",
      from: "2025-01-01",
      to: "2025-01-01",
    });
    assert.equal([...spot.snapshots()].length, 22);
    assert.equal(spot.stats.microsecondRows, 22);
  });

  it("turns spot 1m klines (µs) and futures 1h klines (header, zip) into four snapshots per candle", () => {
    const spot = openBinanceSource({
      dataDir: layout,
      symbols: ["BTCUSDT"],
      kind: "klines",
      from: "2026-01-01",
      to: "2026-01-01",
      market: "spot",
    });
    const s = [...spot.snapshots()];
    assert.equal(s.length, 48);
    assertTimeOrdered(s);
    // First candle: open 93421.5, high 93425.7, low 93409.8, close 93419.4 (bearish).
    assert.deepEqual(
      s.slice(0, 4).map((x) => `${x.ts}@${x.lastPrice.toString()}`),
      [
        "1767225600000@93421.50000000",
        "1767225619999@93425.70000000",
        "1767225639999@93409.80000000",
        "1767225659999@93419.40000000",
      ],
    );
    const fut = openBinanceSource({
      dataDir: layout,
      symbols: ["BTCUSDT"],
      kind: "klines",
      from: "2026-01-01",
      to: "2026-01-01",
      market: "um",
      interval: "1h",
    });
    assert.equal([...fut.snapshots()].length, 96);
    assert.equal(fut.stats.headerRows, 1);
  });

  it("reads every csv entry of a multi-entry zip and notes the other entry", () => {
    const src = openBinanceSource({
      dataDir: join(testdata, "multi"),
      symbols: ["BTCUSDT"],
      kind: "trades",
      from: "2026-01-01",
      to: "2026-01-01",
    });
    const snaps = [...src.snapshots()];
    assert.equal(snaps.length, 16);
    assertTimeOrdered(snaps);
    assert.equal(src.stats.headerRows, 1);
    assert.equal(src.stats.ignoredZipEntries.length, 1);
    assert.match(
      sourceStatsNotes(src.stats).join("\n"),
      /zip entry not read \(not \.csv\): .*README\.txt/,
    );
  });

  it("reads flat files, zipped without header and csv with header", () => {
    const src = openBinanceSource({
      dataDir: join(testdata, "flat"),
      symbols: ["BTCUSDT", "ETHUSDT"],
      kind: "bookTicker",
      from: "2026-01-01",
      to: "2026-01-01",
    });
    assert.deepEqual(
      src.files.map((f) => f.layout),
      ["flat", "flat"],
    );
    const snaps = [...src.snapshots()];
    assert.equal(snaps.length, 22);
    assert.equal(src.stats.headerRows, 1);
    assert.deepEqual(
      snaps.slice(0, 2).map((x) => `${x.symbol} ${x.bidPrice.toString()}`),
      ["BTCUSDT 93499.80", "ETHUSDT 3311.00"],
    );
  });
});

describe("openBinanceSource: bad input", () => {
  const badDir = join(testdata, "bad");
  const badFile = join(
    badDir,
    "futures/um/daily/bookTicker/BTCUSDT/BTCUSDT-bookTicker-2026-01-01.csv",
  );
  const opts = {
    dataDir: badDir,
    symbols: ["BTCUSDT"],
    kind: "bookTicker" as const,
    from: "2026-01-01",
    to: "2026-01-01",
  };

  it("stops at a bad row naming file, line, column and expectation", () => {
    const src = openBinanceSource(opts);
    assert.throws(
      () => [...src.snapshots()],
      (e: unknown) => {
        assert.ok(e instanceof InvalidInputError);
        assert.equal(
          e.message,
          `${badFile}:7: bad bookTicker row: column 2 (best_bid_price): expected a positive decimal, got "93x12.40"`,
        );
        return true;
      },
    );
  });

  it("skips and counts the bad row when asked", () => {
    const src = openBinanceSource({ ...opts, onBadRow: "skip" });
    assert.equal([...src.snapshots()].length, 11);
    assert.equal(src.stats.skippedBadRows, 1);
    assert.equal(src.stats.bySymbol.BTCUSDT?.skippedBadRows, 1);
    assert.deepEqual(src.stats.badRowSamples, [
      `${badFile}:7: bad bookTicker row: column 2 (best_bid_price): expected a positive decimal, got "93x12.40"`,
    ]);
    assert.match(sourceStatsNotes(src.stats)[0] ?? "", /^skipped 1 bad row\(s\); first: .*:7: /);
  });

  it("rejects a header of another kind even when skipping bad rows", () => {
    writeText(
      "wrongkind/BTCUSDT-bookTicker-2026-01-01.csv",
      "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n1,2,3,4,5,1767225600000,true\n",
    );
    const src = openBinanceSource({ ...opts, dataDir: join(tmp, "wrongkind"), onBadRow: "skip" });
    assert.throws(
      () => [...src.snapshots()],
      /BTCUSDT-bookTicker-2026-01-01\.csv:1: header does not match the bookTicker layout \(7 columns\): expected update_id,best_bid_price/,
    );
  });

  it("raises a timestamp that goes back to the previous one and counts it", () => {
    writeText(
      "clamp/BTCUSDT-bookTicker-2026-01-01.csv",
      [
        "1,100.0,1,100.1,1,1767225600000,1767225600010",
        "2,100.0,1,100.1,1,1767225600001,1767225600008",
        "",
        "3,100.0,1,100.1,1,1767225600002,1767225600012",
      ].join("\r\n"),
    );
    const src = openBinanceSource({ ...opts, dataDir: join(tmp, "clamp") });
    const snaps = [...src.snapshots()];
    assert.deepEqual(
      snaps.map((x) => x.ts),
      [1767225600010, 1767225600010, 1767225600012],
    );
    assert.equal(src.stats.clampedTs, 1);
    assert.equal(src.stats.blankLines, 1);
  });

  it("ignores a byte order mark before a header or a first data row", () => {
    const header =
      "update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time";
    writeText(
      "bom/BTCUSDT-bookTicker-2026-01-01.csv",
      `\ufeff${header}\n1,100.0,1,100.1,1,1767225600000,1767225600001\n`,
    );
    writeText(
      "bom/BTCUSDT-bookTicker-2026-01-02.csv",
      "\ufeff1,100.0,1,100.1,1,1767312000000,1767312000001\n",
    );
    const src = openBinanceSource({ ...opts, dataDir: join(tmp, "bom"), to: "2026-01-02" });
    assert.deepEqual(
      [...src.snapshots()].map((x) => x.ts),
      [1767225600001, 1767312000001],
    );
    assert.equal(src.stats.headerRows, 1);
  });

  it("lists empty files in the stats", () => {
    writeText("empty/BTCUSDT-bookTicker-2026-01-01.csv", "");
    writeText(
      "empty/BTCUSDT-bookTicker-2026-01-02.csv",
      "1,100.0,1,100.1,1,1767312000000,1767312000001\n",
    );
    const src = openBinanceSource({ ...opts, dataDir: join(tmp, "empty"), to: "2026-01-02" });
    assert.equal([...src.snapshots()].length, 1);
    assert.deepEqual(src.stats.emptyFiles, [
      join(tmp, "empty", "BTCUSDT-bookTicker-2026-01-01.csv"),
    ]);
  });

  it("fails when nothing is found, or on a missing day when asked", () => {
    assert.throws(
      () => openBinanceSource({ ...opts, from: "2025-06-01", to: "2025-06-02" }),
      /no bookTicker files for BTCUSDT from 2025-06-01 to 2025-06-02 in .*looked for e\.g\. .*BTCUSDT-bookTicker-2025-06-01\.csv/,
    );
    assert.throws(
      () =>
        openBinanceSource({
          ...opts,
          dataDir: layout,
          to: "2026-01-04",
          onMissingDay: "error",
        }),
      /missing bookTicker day file\(s\) in .*: BTCUSDT 2026-01-03$/,
    );
    assert.throws(
      () => openBinanceSource({ ...opts, dataDir: join(tmp, "nope") }),
      /data directory not found/,
    );
  });

  it("validates options", () => {
    assert.throws(() => openBinanceSource({ ...opts, symbols: [] }), ConfigError);
    assert.throws(
      () => openBinanceSource({ ...opts, symbols: ["BTCUSDT", "btcusdt"] }),
      /BTCUSDT is listed twice/,
    );
    assert.throws(
      () => openBinanceSource({ ...opts, symbols: ["BTC/USDT"] }),
      /expected names like BTCUSDT/,
    );
    assert.throws(
      () => openBinanceSource({ ...opts, halfSpreadBps: -1 }),
      /halfSpreadBps: expected a non-negative number/,
    );
    assert.throws(() => openBinanceSource({ ...opts, halfSpreadBps: "10000" }), /less than 10000/);
    assert.throws(
      () => openBinanceSource({ ...opts, syntheticDepthQty: "x" }),
      /syntheticDepthQty/,
    );
  });
});
