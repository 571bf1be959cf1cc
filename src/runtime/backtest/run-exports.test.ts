import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../../../test/support/run-cli.js";
import { dec } from "../../core/decimal.js";
import { OrderSide } from "../../domain/enums.js";
import { orderFilled } from "../../domain/orders.js";
import type { BookedFill } from "../../kernel/kernel-types.js";
import { withFileTaps } from "./backtest-tap.js";
import { csvField, equityCsvTap, fillCsvRow, fillsCsvTap } from "./run-exports.js";

function partial(): BookedFill {
  return {
    fill: orderFilled({
      ts: 1767225600123,
      clientOrderId: "BTCUSDT:1767225600000:2:BUY:5",
      symbol: "BTCUSDT",
      side: OrderSide.BUY,
      price: dec("93421.5"),
      quantity: dec("0.004"),
      fee: dec("4E-7"),
      feeAsset: "BTC",
      liquidity: "taker",
      leavesQuantity: dec("0.006"),
    }),
    feeQuote: dec("0.0373686"),
    submitTs: 1767225600000,
  };
}

describe("fills CSV", () => {
  it("writes a partial fill as its own row: its quantity, its fee in the fee asset, plain decimals", () => {
    assert.equal(
      fillCsvRow(partial()),
      "1767225600123,BTCUSDT,BUY,93421.5,0.004,0.0000004,BTC,taker,BTCUSDT:1767225600000:2:BUY:5,1767225600000",
    );
    assert.equal(
      fillCsvRow({ ...partial(), submitTs: undefined })
        .split(",")
        .at(-1),
      "",
      "an order the kernel did not place has no submit time",
    );
  });

  it("quotes a field only when it needs it", () => {
    assert.equal(csvField("plain"), "plain");
    assert.equal(csvField("a,b"), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
  });

  it("streams header and rows, and keeps nothing when the run fails", async () => {
    const dir = tempDir();
    const ok = fillsCsvTap(join(dir, "fills.csv"));
    const eq = equityCsvTap(join(dir, "equity.csv"));
    await withFileTaps([ok, eq], async (tap) => {
      tap.onTrading?.();
      tap.onFill?.(partial());
      tap.onAccount?.(1767225600123, {
        equity: dec("9999.9626314"),
        realized: dec("0"),
        unrealized: dec("0E-8"),
        fees: dec("0.0373686"),
        funding: dec("0"),
        positionNotional: dec("373.686"),
      });
    });
    assert.deepEqual(readFileSync(join(dir, "fills.csv"), "utf8").split("\n").slice(0, 1), [
      "ts,symbol,side,price,qty,fee,fee_asset,liquidity,order_id,order_submit_ts",
    ]);
    assert.equal(readFileSync(join(dir, "fills.csv"), "utf8").split("\n").length, 3);
    assert.equal(
      readFileSync(join(dir, "equity.csv"), "utf8"),
      "ts,equity,realized,unrealized,fees,position_notional\n" +
        "1767225600123,9999.9626314,0,0.00000000,0.0373686,373.686\n",
    );
    const failed = tempDir();
    await assert.rejects(
      withFileTaps([fillsCsvTap(join(failed, "f.csv"))], async (tap) => {
        tap.onTrading?.();
        tap.onFill?.(partial());
        throw new Error("stopped");
      }),
      /stopped/,
    );
    assert.deepEqual(readdirSync(failed), []);
  });

  it("starts over (one header) when the trading pass restarts", async () => {
    const dir = tempDir();
    const f = fillsCsvTap(join(dir, "fills.csv"));
    await withFileTaps([f], async (tap) => {
      tap.onTrading?.();
      tap.onFill?.(partial());
      tap.onTrading?.();
      tap.onFill?.(partial());
    });
    const lines = readFileSync(join(dir, "fills.csv"), "utf8").trimEnd().split("\n");
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? "", /^ts,symbol/);
  });
});
