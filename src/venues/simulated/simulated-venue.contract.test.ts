/**
 * The SimulatedVenue through the venue contract: the cross model without
 * and with latency, and the trade-queue model.
 */

import { describe } from "node:test";
import { type VenueHarness, venueContract } from "../../../test/support/venue-contract.js";
import { Decimal } from "../../core/decimal.js";
import { Snapshot } from "../../domain/snapshot.js";
import { FeeModel, REGULAR_RATES } from "./fee-model.js";
import { ConstantFunding } from "./funding-schedule.js";
import { ConstantLatency } from "./latency-model.js";
import { flatMaintenance, MarginAccount } from "./margin-account.js";
import { type SimulatedFillModel, SimulatedVenue } from "./simulated-venue.js";

const d = Decimal.parse;
const SYMBOL = "BTCUSDT";
/** Quotes between which the resting orders improve the best price (no queue ahead). */
const BID = d("99.80");
const ASK = d("100.20");

function quote(
  ts: number,
  q: { bid?: Decimal; ask?: Decimal; bidQty?: Decimal; askQty?: Decimal },
  trade?: { price: Decimal; qty: Decimal; taker: "BUY" | "SELL" },
): Snapshot {
  return new Snapshot({
    ts,
    symbol: SYMBOL,
    bidPrice: q.bid ?? BID,
    askPrice: q.ask ?? ASK,
    bidQty: q.bidQty ?? d("5"),
    askQty: q.askQty ?? d("5"),
    lastPrice: trade?.price ?? q.bid ?? BID,
    lastQty: trade?.qty ?? Decimal.ZERO,
    ...(trade !== undefined ? { takerSide: trade.taker } : {}),
  });
}

function harness(
  model: SimulatedFillModel,
  latencyMs: number,
  market: "spot" | "um" = "spot",
): () => Promise<VenueHarness> {
  return async () => {
    // USD-M: a cross-margin account (no funding due within the test's few seconds).
    const account =
      market === "um"
        ? new MarginAccount({
            capital: d("100000"),
            leverage: d("10"),
            maintenance: flatMaintenance(d("0.004")),
            liquidationFeeRate: d("0.0125"),
            funding: new ConstantFunding(d("0"), 8),
          })
        : undefined;
    const venue = new SimulatedVenue({
      fillModel: model,
      latency: new ConstantLatency(latencyMs, latencyMs),
      fees: new FeeModel(market === "um" ? REGULAR_RATES.um : REGULAR_RATES.spot),
      l1QtyLimitsFills: true,
      feeAsset: () => "USDT",
      ...(account !== undefined ? { account } : {}),
    });
    // Market time runs ahead of the contract's command times; each event is later.
    let ts = 1_700_000_002_000;
    const next = (): number => {
      ts += 100 + latencyMs;
      return ts;
    };
    venue.onMarket(quote(next(), {}));
    return {
      venue,
      symbol: SYMBOL,
      resting: [
        { side: "BUY", price: d("99.90"), quantity: d("0.100") },
        { side: "SELL", price: d("100.10"), quantity: d("0.100") },
      ],
      refused: { side: "BUY", price: d("0"), quantity: d("0.100") },
      capabilities: {
        partialFills: true,
        rejects: true,
        fees: true,
        ...(account ? { futures: true } : {}),
      },
      ...(account !== undefined ? { position: async () => account.position(SYMBOL) } : {}),
      async fill(clientOrderId, quantity) {
        // Past any latency first, so the order is on the book.
        venue.onMarket(quote(next(), {}));
        const o = venue.openOrders(SYMBOL).find((x) => x.clientOrderId === clientOrderId);
        if (o === undefined) throw new Error(`${clientOrderId} is not open`);
        const qty = quantity ?? o.quantity.sub(o.filledQuantity);
        const buy = o.side === "BUY";
        if (model === "cross") {
          // The opposite side comes to the order's price with `qty` shown.
          venue.onMarket(
            quote(next(), buy ? { ask: o.price, askQty: qty } : { bid: o.price, bidQty: qty }),
          );
        } else {
          // A trade of `qty` at the order's price, by the side that hits it.
          venue.onMarket(quote(next(), {}, { price: o.price, qty, taker: buy ? "SELL" : "BUY" }));
        }
        venue.onMarket(quote(next(), {}));
      },
      // Past the latency: what was sent is live (or cancelled) by then.
      settle: async () => venue.onMarket(quote(next(), {})),
      restart: async () => venue,
      close: async () => {},
    };
  };
}

describe("SimulatedVenue: the venue contract", () => {
  venueContract("simulated cross", harness("cross", 0));
  venueContract("simulated cross with 30 ms latency", harness("cross", 30));
  venueContract("simulated trade queue", harness("trade_queue", 0));
  venueContract("simulated USD-M cross", harness("cross", 0, "um"));
  venueContract("simulated USD-M cross with 30 ms latency", harness("cross", 30, "um"));
});
