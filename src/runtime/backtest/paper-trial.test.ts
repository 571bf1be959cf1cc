/**
 * A data run whose symbols are at most Top-K v0's K reads its data once (the
 * selection would select every symbol with data) and computes the same
 * outputs as the run that reads it twice and selects.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BTC, DOGE, ETH, writeBookTicker } from "../../../test/support/binance-dumps.js";
import { tempDir } from "../../../test/support/run-cli.js";
import { openBinanceSource } from "../../data/binance/binance-source.js";
import type { Fixture } from "../../data/fixture-reader.js";
import { dataFixture } from "./run-data-backtest.js";
import { runPaper } from "./run-paper.js";

/** The fixture, counting the passes over its events (without its tail scan unless `tail`). */
function counted(
  f: Fixture,
  universe: boolean,
  tail = false,
): { fixture: Fixture; passes: () => number; tailScans: () => number } {
  let passes = 0;
  let tailScans = 0;
  const scan = f.tailSnapshots;
  const fixture: Fixture = {
    ...f,
    get stats() {
      return f.stats;
    },
    events: () => {
      passes++;
      return f.events();
    },
    universe: universe ? f.universe : undefined,
    tailSnapshots:
      tail && scan !== undefined
        ? (n: number) => {
            tailScans++;
            return scan(n);
          }
        : undefined,
  };
  return { fixture, passes: () => passes, tailScans: () => tailScans };
}

describe("the selection pass of a data run", () => {
  const root = tempDir();
  writeBookTicker(root, BTC, "2026-03-01", 3000, 7);
  writeBookTicker(root, ETH, "2026-03-01", 3000, 8);
  const source = () =>
    openBinanceSource({
      dataDir: root,
      symbols: ["BTCUSDT", "ETHUSDT"],
      kind: "bookTicker",
      from: "2026-03-01",
      to: "2026-03-01",
    });

  test("with at most K symbols: one pass, the same digest as selecting over two passes", async () => {
    const once = counted(dataFixture(source(), {}), true);
    const twice = counted(dataFixture(source(), {}), false);
    const a = await runPaper(once.fixture);
    const b = await runPaper(twice.fixture);
    assert.equal(once.passes(), 1);
    assert.equal(twice.passes(), 2);
    assert.equal(a.digest, b.digest);
    assert.equal(a.totalFills, b.totalFills);
    assert.ok(a.totalFills > 0, "the run trades");
    // Nor is the tail of the data read for a selection that is not made.
    const withTail = counted(dataFixture(source(), {}), true, true);
    const c = await runPaper(withTail.fixture);
    assert.equal(withTail.tailScans(), 0);
    assert.equal(withTail.passes(), 1);
    assert.equal(c.digest, a.digest);
  });

  test("with more symbols than K, the selection reads the data", async () => {
    const f = counted(dataFixture(source(), {}), true);
    await runPaper(f.fixture, undefined, { topk_k: 1 });
    assert.equal(f.passes(), 2);
  });

  test("more symbols than K over several days: the last files' tail selects as a full pass does", async () => {
    const days = ["2026-03-01", "2026-03-02", "2026-03-03"];
    const dir = tempDir();
    days.forEach((d, i) => {
      writeBookTicker(dir, BTC, d, 1500, 20 + i);
      writeBookTicker(dir, ETH, d, 1500, 30 + i);
      writeBookTicker(dir, DOGE, d, 1500, 40 + i);
    });
    const three = () =>
      openBinanceSource({
        dataDir: dir,
        symbols: ["BTCUSDT", "ETHUSDT", "DOGEUSDT"],
        kind: "bookTicker",
        from: days[0] as string,
        to: days[2] as string,
      });
    for (const window of [1, 10, 2000]) {
      const overrides = { topk_k: 2, topk_window_size: window };
      const tail = counted(dataFixture(three(), {}), true, true);
      const full = counted(dataFixture(three(), {}), true, false);
      const a = await runPaper(tail.fixture, undefined, overrides);
      const b = await runPaper(full.fixture, undefined, overrides);
      assert.equal(tail.passes(), 1, `window ${window}: the trading pass only`);
      assert.equal(full.passes(), 2);
      assert.deepEqual(a.fields.topk_selected_symbols, b.fields.topk_selected_symbols);
      assert.deepEqual(a.fields.topk_scores, b.fields.topk_scores);
      assert.equal(a.digest, b.digest);
    }
  });
});
