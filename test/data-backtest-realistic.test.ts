/**
 * `grinder backtest --data` with default options (the realistic profile) on
 * Binance dumps of BTC, ETH and a sub-dollar coin places and fills orders,
 * on USD-M bookTicker and on spot aggTrades, and says which profile it ran.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { BTC, DOGE, ETH, writeAggTrades, writeBookTicker } from "./support/binance-dumps.js";
import { runCli, tempDir } from "./support/run-cli.js";

interface PerSymbol {
  readonly symbol: string;
  readonly orders: number;
  readonly fills: number;
}

const DATE = "2026-03-02";

function backtest(kind: "bookTicker" | "aggTrades", write: (root: string) => void) {
  const root = tempDir();
  write(root);
  const out = join(tempDir(), "summary.json");
  const r = runCli([
    "backtest",
    "--data",
    root,
    "--symbols",
    "BTCUSDT,ETHUSDT,DOGEUSDT",
    "--from",
    DATE,
    "--to",
    DATE,
    "--kind",
    kind,
    "--out",
    out,
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return { r, summary: JSON.parse(readFileSync(out, "utf8")) as { per_symbol: PerSymbol[] } };
}

describe("data backtests with default options", () => {
  test("USD-M bookTicker: every symbol places and fills orders", () => {
    const { r, summary } = backtest("bookTicker", (root) => {
      writeBookTicker(root, BTC, DATE, 3000, 11);
      writeBookTicker(root, ETH, DATE, 3000, 12);
      writeBookTicker(root, DOGE, DATE, 3000, 13);
    });
    assert.match(r.stdout, /^Profile: realistic; options: .*market="um"/m);
    assert.match(r.stdout, /Instrument filters: BTCUSDT,ETHUSDT,DOGEUSDT derived from the data/);
    for (const s of summary.per_symbol) {
      assert.ok(s.orders > 0, `${s.symbol} placed no order`);
      assert.ok(s.fills > 0, `${s.symbol} has no fill`);
    }
  });

  test("spot aggTrades (trade queue model): every symbol places and fills orders", () => {
    const { r, summary } = backtest("aggTrades", (root) => {
      writeAggTrades(root, BTC, DATE, 4000, 21);
      writeAggTrades(root, ETH, DATE, 4000, 22);
      writeAggTrades(root, DOGE, DATE, 4000, 23);
    });
    assert.match(r.stdout, /^Profile: realistic; options: /m);
    assert.doesNotMatch(r.stdout, /market="um"/);
    for (const s of summary.per_symbol) {
      assert.ok(s.orders > 0, `${s.symbol} placed no order`);
      assert.ok(s.fills > 0, `${s.symbol} has no fill`);
    }
  });
});
