/** BinanceSpotVenue against the local Binance exchange, through the venue contract. */

import { describe } from "node:test";
import {
  armedEnv,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../../../test/support/live-trade-testing.js";
import { LocalBinanceExchange } from "../../../test/support/local-binance-exchange.js";
import { type VenueHarness, venueContract } from "../../../test/support/venue-contract.js";
import { Decimal } from "../../core/decimal.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { BinanceSpotVenue } from "./binance-spot-venue.js";

const d = Decimal.parse;
const RUN_ID = "c0ffee000001";

async function harness(): Promise<VenueHarness> {
  const ex = await LocalBinanceExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  const client = (): BinanceSpotVenue =>
    new BinanceSpotVenue({
      restUrl: ex.url,
      env: armedEnv(),
      confirmed: true,
      runId: RUN_ID,
      connectorMetrics: new ConnectorMetrics(),
      sleep: async () => {},
    });
  const venue = client();
  let current = venue; // the client a restart made
  return {
    venue,
    symbol: "BTCUSDT",
    resting: [
      { side: "BUY", price: d("99.90"), quantity: d("0.100") },
      { side: "SELL", price: d("100.10"), quantity: d("0.100") },
    ],
    // Not a multiple of the 0.01 tick: Binance refuses it (-1013 Filter failure: PRICE_FILTER).
    refused: { side: "BUY", price: d("99.905"), quantity: d("0.100") },
    capabilities: { partialFills: true, rejects: true, fees: true },
    async fill(clientOrderId, quantity) {
      ex.execute(venue.exchangeIdOf(clientOrderId), quantity?.toString());
    },
    async settle() {
      await current.sync();
    },
    async restart(history) {
      const next = client();
      for (const item of history) next.restore(item);
      current = next;
      return next;
    },
    close: () => ex.close(),
  };
}

describe("BinanceSpotVenue: the venue contract (local exchange)", () => {
  venueContract("binance-spot", harness);
});
