/** The ReferenceVenue (tick-delay rule) through the venue contract. */

import { describe } from "node:test";
import { type VenueHarness, venueContract } from "../../../test/support/venue-contract.js";
import { Decimal } from "../../core/decimal.js";
import { Snapshot } from "../../domain/snapshot.js";
import { ReferenceVenue } from "./reference-venue.js";

const d = Decimal.parse;
const SYMBOL = "BTCUSDT";

/** A market event whose mid is exactly `price`. */
function at(ts: number, price: Decimal): Snapshot {
  const one = Decimal.ONE;
  return new Snapshot({
    ts,
    symbol: SYMBOL,
    bidPrice: price,
    askPrice: price,
    bidQty: one,
    askQty: one,
    lastPrice: price,
    lastQty: one,
  });
}

async function harness(): Promise<VenueHarness> {
  const venue = new ReferenceVenue({ fillMode: "crossing", fillAfterTicks: 1 });
  let ts = 1_700_000_000_000;
  return {
    venue,
    symbol: SYMBOL,
    resting: [
      { side: "BUY", price: d("99.90"), quantity: d("0.100") },
      { side: "SELL", price: d("100.10"), quantity: d("0.100") },
    ],
    capabilities: {
      partialFills: { unsupported: "the reference's fill rule fills whole orders only" },
      rejects: { unsupported: "the reference venue accepts every order but a duplicate id" },
      fees: { unsupported: "the reference engine books fills without fees" },
    },
    // The market trades at the order's price for two evaluation ticks: the first may be the
    // order's own placement tick, the second is always past the one-tick delay.
    async fill(clientOrderId) {
      const o = venue.openOrders(SYMBOL).find((x) => x.clientOrderId === clientOrderId);
      if (o === undefined) throw new Error(`${clientOrderId} is not open`);
      for (let i = 0; i < 2; i++) {
        const s = at(++ts, o.price);
        venue.onMarket(s);
        venue.afterDecision(s, true);
      }
    },
    settle: async () => {},
    restart: async () => venue,
    close: async () => {},
  };
}

describe("ReferenceVenue: the venue contract", () => {
  venueContract("reference", harness);
});
