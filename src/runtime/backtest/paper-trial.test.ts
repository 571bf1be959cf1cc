/**
 * A data run whose symbols are at most Top-K v0's K reads its data once (the
 * selection would select every symbol with data) and computes the same
 * outputs as the run that reads it twice and selects.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BTC, ETH, writeBookTicker } from "../../../test/support/binance-dumps.js";
import { tempDir } from "../../../test/support/run-cli.js";
import { openBinanceSource } from "../../data/binance/binance-source.js";
import type { Fixture } from "../../data/fixture-reader.js";
import { dataFixture } from "./run-data-backtest.js";
import { runPaper } from "./run-paper.js";

/** The fixture, counting the passes over its events. */
function counted(f: Fixture, universe: boolean): { fixture: Fixture; passes: () => number } {
  let passes = 0;
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
  };
  return { fixture, passes: () => passes };
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
  });

  test("with more symbols than K, the selection reads the data", async () => {
    const f = counted(dataFixture(source(), {}), true);
    await runPaper(f.fixture, undefined, { topk_k: 1 });
    assert.equal(f.passes(), 2);
  });
});
