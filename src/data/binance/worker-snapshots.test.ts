import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { REPO_ROOT, runCli, tempDir } from "../../../test/support/run-cli.js";
import { snapshotKey } from "../../../test/support/snapshot-key.js";
import { BATCH_ROWS, LOOKAHEAD, liveReadingWorkers } from "../reading-thread.js";
import { type BinanceSourceOptions, openBinanceSource } from "./binance-source.js";
import type { BinanceSourceStats } from "./source-stats.js";

const TESTDATA = join(REPO_ROOT, "src", "data", "binance", "testdata");

interface Pass {
  readonly keys: string[];
  readonly stats: BinanceSourceStats;
  readonly error?: { name: string; code: unknown; message: string };
}

/** One pass with `dataThreads` (stats copied at the end or at the error). */
function pass(opts: BinanceSourceOptions, dataThreads: number): Pass {
  const source = openBinanceSource({ ...opts, dataThreads });
  const keys: string[] = [];
  try {
    for (const s of source.snapshots()) keys.push(snapshotKey(s));
  } catch (e) {
    const err = e as Error & { code?: unknown };
    return {
      keys,
      stats: structuredClone(source.stats),
      error: { name: err.name, code: err.code, message: err.message },
    };
  }
  return { keys, stats: structuredClone(source.stats) };
}

function assertSamePasses(opts: BinanceSourceOptions): Pass {
  const inThread = pass(opts, 0);
  const worker = pass(opts, 1);
  assert.equal(worker.keys.length, inThread.keys.length);
  assert.deepEqual(worker.keys, inThread.keys);
  assert.deepEqual(worker.stats, inThread.stats);
  assert.deepEqual(worker.error, inThread.error);
  return inThread;
}

const BOOK_HEADER =
  "update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time";
const DAY_START = Date.parse("2026-01-01T00:00:00Z");

/**
 * A bookTicker day of `rows` rows for `symbol` (flat layout): prices walking
 * by cents, every 97th row a quantity of 21 digits (a BigInt coefficient, off
 * the fast path), every 89th an event time 5 ms early (clamped), and `extra`
 * lines put in at the line numbers given.
 */
function bookTickerDay(
  dir: string,
  symbol: string,
  rows: number,
  base: number,
  extra: ReadonlyMap<number, string> = new Map(),
): void {
  const lines = [BOOK_HEADER];
  for (let i = 0; i < rows; i++) {
    if (extra.has(lines.length + 1)) lines.push(extra.get(lines.length + 1) as string);
    const bid = base * 100 + ((i * 7) % 50);
    const ask = bid + 1 + (i % 3);
    const qty = i % 97 === 5 ? "123456789012345678901" : `${(i % 13) + 1}.${i % 1000}`;
    const ts = DAY_START + 1000 + i * 3;
    const ev = i % 89 === 7 ? ts - 5 : ts;
    lines.push(
      `${9000 + i},${(bid / 100).toFixed(2)},${qty},${(ask / 100).toFixed(2)},0.5,${ts},${ev}`,
    );
  }
  writeFileSync(join(dir, `${symbol}-bookTicker-2026-01-01.csv`), `${lines.join("\n")}\n`);
}

/** Rows per symbol: more than LOOKAHEAD + 1 batches merged, so the worker waits for room. */
const ROWS = Math.ceil(((LOOKAHEAD + 2) * BATCH_ROWS) / 2) + 123;

describe("worker-snapshots: the worker's stream is the in-thread stream", () => {
  it("over the sample days (bookTicker, two symbols, zip and csv, gaps)", () => {
    const p = assertSamePasses({
      dataDir: join(TESTDATA, "layout"),
      symbols: ["BTCUSDT", "ETHUSDT"],
      kind: "bookTicker",
      from: "2026-01-01",
      to: "2026-01-04",
    });
    assert.equal(p.keys.length, 119);
  });

  it("over spot aggTrades (taker sides, microsecond times, header-less files)", () => {
    const p = assertSamePasses({
      dataDir: join(TESTDATA, "layout"),
      symbols: ["BTCUSDT"],
      kind: "aggTrades",
      from: "2024-12-31",
      to: "2025-01-01",
    });
    assert.ok(p.keys.some((k) => k.includes(" BUY ")) && p.keys.some((k) => k.includes(" SELL ")));
    assert.ok(p.stats.microsecondRows > 0);
  });

  it("over a generated day of two symbols: several batches, BigInt values, clamped times", () => {
    const dir = tempDir("grinder-worker-");
    bookTickerDay(dir, "BTCUSDT", ROWS, 93421);
    bookTickerDay(dir, "ETHUSDT", ROWS, 3310);
    const p = assertSamePasses({
      dataDir: dir,
      symbols: ["BTCUSDT", "ETHUSDT"],
      kind: "bookTicker",
      from: "2026-01-01",
      to: "2026-01-01",
    });
    assert.equal(p.keys.length, 2 * ROWS);
    assert.ok(p.keys.some((k) => k.includes("123456789012345678901e0")));
    assert.ok(p.stats.clampedTs > 0);
  });

  it("a bad row: the same error, thrown after the same snapshots, same counters", () => {
    const dir = tempDir("grinder-worker-");
    const badLine = BATCH_ROWS + 1000;
    bookTickerDay(dir, "BTCUSDT", ROWS, 93421, new Map([[badLine, "1,2,3"]]));
    bookTickerDay(dir, "ETHUSDT", ROWS, 3310);
    const opts: BinanceSourceOptions = {
      dataDir: dir,
      symbols: ["BTCUSDT", "ETHUSDT"],
      kind: "bookTicker",
      from: "2026-01-01",
      to: "2026-01-01",
    };
    const p = assertSamePasses(opts);
    assert.equal(p.error?.code, "INVALID_INPUT");
    assert.match(
      p.error?.message ?? "",
      new RegExp(`BTCUSDT-bookTicker-2026-01-01.csv:${badLine}: `),
    );
    assert.ok(p.keys.length > BATCH_ROWS);
    // Skipped instead: counted alike.
    const skip = assertSamePasses({ ...opts, onBadRow: "skip" });
    assert.equal(skip.stats.skippedBadRows, 1);
    assert.equal(skip.keys.length, 2 * ROWS);
  });

  it("a pass stopped early (break, or a throw in the loop) leaves no worker running", async () => {
    const dir = tempDir("grinder-worker-");
    bookTickerDay(dir, "BTCUSDT", ROWS, 93421);
    const source = openBinanceSource({
      dataDir: dir,
      symbols: ["BTCUSDT"],
      kind: "bookTicker",
      from: "2026-01-01",
      to: "2026-01-01",
      dataThreads: 1,
    });
    // Workers of the passes above end on their own; wait until their exits are seen.
    const settle = async (): Promise<number> => {
      for (let i = 0; i < 500 && liveReadingWorkers() > 0; i++) await sleep(10);
      return liveReadingWorkers();
    };
    assert.equal(await settle(), 0);
    let n = 0;
    for (const _ of source.snapshots()) if (++n === 10) break;
    assert.throws(() => {
      for (const s of source.snapshots()) if (s.ts > DAY_START + 5000) throw new Error("stop");
    }, /^Error: stop$/);
    assert.equal(liveReadingWorkers(), 2);
    assert.equal(await settle(), 0);
    // A new pass after the stops reads everything.
    assert.equal([...source.snapshots()].length, ROWS);
  });
});

describe("grinder backtest --data: the same run with and without the reader thread", () => {
  const dir = tempDir("grinder-worker-cli-");
  bookTickerDay(dir, "BTCUSDT", 3000, 93421);
  bookTickerDay(dir, "ETHUSDT", 3000, 3310);
  const bad = tempDir("grinder-worker-cli-");
  bookTickerDay(bad, "BTCUSDT", 3000, 93421);
  bookTickerDay(bad, "ETHUSDT", 3000, 3310, new Map([[2500, "1,93421.00,1,93420.00,1,x,y"]]));
  const config = join(dir, "config.json");
  writeFileSync(
    config,
    JSON.stringify({ size_per_level: "0.001", spacing_bps: 0.5, levels: 3, fill_after_ticks: 1 }),
  );
  const run = (data: string, threads: string, env: Record<string, string> = {}) =>
    runCli(
      [
        "backtest",
        "--data",
        data,
        "--symbols",
        "BTCUSDT,ETHUSDT",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-01",
        "--config",
        config,
        "--digest",
        ...(threads === "" ? [] : ["--data-threads", threads]),
      ],
      env,
    );

  it("prints the same table and digest", () => {
    const a = run(dir, "0");
    const b = run(dir, "1");
    assert.equal(a.code, 0, a.stderr);
    assert.match(
      a.stdout,
      /Backtest completed: 6000 events, 2 symbol\(s\), [1-9]\d* fills, .*digest [0-9a-f]{16}$/m,
    );
    assert.equal(b.stdout, a.stdout);
    assert.equal(b.code, 0);
    const env = run(dir, "", { GRINDER_DATA_THREADS: "1" });
    assert.equal(env.stdout, a.stdout);
  });

  it("stops at a bad row with the same message and exit code", () => {
    const a = run(bad, "0");
    const b = run(bad, "1");
    assert.notEqual(a.code, 0);
    assert.match(a.stderr, /ETHUSDT-bookTicker-2026-01-01\.csv:2500: bad bookTicker row/);
    assert.equal(b.code, a.code);
    assert.equal(b.stderr, a.stderr);
    assert.equal(b.stdout, a.stdout);
  });

  it("refuses other --data-threads values", () => {
    const r = run(dir, "2");
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--data-threads expects 0 or 1, got "2"/);
  });
});
