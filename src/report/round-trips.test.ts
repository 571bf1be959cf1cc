import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dec } from "../core/decimal.js";
import { OrderSide } from "../domain/enums.js";
import { RoundTrips, type TripFill } from "./round-trips.js";

function fill(symbol: string, side: "BUY" | "SELL", qty: string, price: string, fee: string) {
  const f: TripFill = {
    symbol,
    side: side === "BUY" ? OrderSide.BUY : OrderSide.SELL,
    quantity: dec(qty),
    price: dec(price),
    feeQuote: dec(fee),
  };
  return f;
}

describe("RoundTrips (FIFO per symbol)", () => {
  it("splits lots on partial closes and charges both legs' fees pro rata", () => {
    const t = new RoundTrips();
    t.add(fill("BTC", "BUY", "2", "100", "0.2")); // lot A: 2 @ 100, fee 0.1 per unit
    t.add(fill("BTC", "BUY", "1", "104", "0.1")); // lot B: 1 @ 104, fee 0.1
    assert.equal(t.count, 0);
    assert.equal(t.openLots, 2);
    // Closes 1 of A: gross (103 - 100) x 1 = 3; fees 0.2 x 1/2 + 0.3 = 0.4; net 2.6: win.
    t.add(fill("BTC", "SELL", "1", "103", "0.3"));
    assert.deepEqual([t.count, t.wins, t.openLots], [1, 1, 2]);
    // SELL 3 @ 101, fee 0.6 (0.2 per unit):
    //  the last 1 of A: gross 1; fees 0.1 + 0.2; net 0.7: win
    //  all of B: gross (101 - 104) = -3; fees 0.1 + 0.2; net -3.3: loss
    //  1 left over opens a short lot C: 1 @ 101 carrying 0.2 of the fee
    t.add(fill("BTC", "SELL", "3", "101", "0.6"));
    assert.deepEqual([t.count, t.wins, t.openLots], [3, 2, 1]);
    // Covers C: gross (101 - 100.5) x 1 = 0.5; fees 0.6 x 1/3 + 0.05 = 0.25; net 0.25: win.
    t.add(fill("BTC", "BUY", "1", "100.5", "0.05"));
    assert.deepEqual([t.count, t.wins, t.openLots], [4, 3, 0]);
  });

  it("counts a round trip whose fees eat the gross PnL, or that breaks even, as not won", () => {
    const t = new RoundTrips();
    // gross (10.1 - 10) x 3 = 0.3; fees 0.3 + 0.3 = 0.6; net -0.3.
    t.add(fill("ETH", "BUY", "3", "10", "0.3"));
    t.add(fill("ETH", "SELL", "3", "10.1", "0.3"));
    // gross 0, no fees: net exactly 0.
    t.add(fill("ETH", "BUY", "1", "10", "0"));
    t.add(fill("ETH", "SELL", "1", "10", "0"));
    // A lot of 3 @ 10 with fee 0.1 (1/30 per unit), closed in two parts:
    //  SELL 1 @ 10.1, fee 0.2: gross 0.1; fees 1/30 + 0.2; net -0.1333...: loss
    //  SELL 2 @ 10.2, no fee: gross 0.4; fees 2/30; net 0.3333...: win
    t.add(fill("ETH", "BUY", "3", "10", "0.1"));
    t.add(fill("ETH", "SELL", "1", "10.1", "0.2"));
    assert.deepEqual([t.count, t.wins], [3, 0]);
    t.add(fill("ETH", "SELL", "2", "10.2", "0"));
    assert.deepEqual([t.count, t.wins, t.openLots], [4, 1, 0]);
  });

  it("keeps symbols apart, and matches a short lot against later buys", () => {
    const t = new RoundTrips();
    t.add(fill("A", "SELL", "1", "50", "0")); // short lot on A
    t.add(fill("B", "BUY", "1", "40", "0")); // long lot on B: not matched with A's short
    assert.deepEqual([t.count, t.openLots], [0, 2]);
    t.add(fill("A", "BUY", "1", "49", "0")); // covers A's short at a profit of 1
    assert.deepEqual([t.count, t.wins, t.openLots], [1, 1, 1]);
  });

  it("ignores zero-quantity fills", () => {
    const t = new RoundTrips();
    t.add(fill("A", "BUY", "0", "50", "0"));
    assert.deepEqual([t.count, t.openLots], [0, 0]);
  });
});
