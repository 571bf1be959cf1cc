import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../core/decimal.js";
import { Snapshot } from "./snapshot.js";

function quote(bid: string, ask: string): Snapshot {
  const d = Decimal.parse;
  return new Snapshot({
    ts: 0,
    symbol: "X",
    bidPrice: d(bid),
    askPrice: d(ask),
    bidQty: d("1"),
    askQty: d("1"),
    lastPrice: d(bid),
    lastQty: d("0"),
  });
}

describe("Snapshot.spreadBps", () => {
  it("is the 28-digit quotient as a float, the same when computed again from the memo", () => {
    // 0.1 / 100.05 = 0.000999500249875062468765617191404...; 28 digits, times 10^4:
    const want = Number("9.995002498750624687656171914");
    assert.equal(quote("100", "100.1").spreadBps, want);
    assert.equal(quote("100", "100.1").spreadBps, want);
    // Other exponents, same value: 0.10 / 100.050.
    assert.equal(quote("100.00", "100.10").spreadBps, want);
  });

  it("keeps the sign of a crossed quote and gives 0 for a zero mid", () => {
    assert.equal(quote("100.1", "100").spreadBps, -Number("9.995002498750624687656171914"));
    assert.equal(quote("0", "0").spreadBps, 0);
  });
});
