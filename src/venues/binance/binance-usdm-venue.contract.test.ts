/**
 * BinanceUsdmVenue against the local USD-M exchange, through the venue
 * contract (the USD-M cases included), with its user-data stream on: fills
 * of resting orders arrive as ORDER_TRADE_UPDATE pushes (the REST sync is
 * held back by a long `restSyncMs`, so the pushes are what books them).
 */

import { describe } from "node:test";
import {
  armedEnv,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../../../test/support/live-trade-testing.js";
import { LocalUsdmExchange } from "../../../test/support/local-usdm-exchange.js";
import { waitFor } from "../../../test/support/redis-server-process.js";
import { type VenueHarness, venueContract } from "../../../test/support/venue-contract.js";
import { Decimal } from "../../core/decimal.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { BinanceUsdmVenue } from "./binance-usdm-venue.js";

/** Wait (polling, at most 5 s) for something the sockets bring. */
const waitUntil = (cond: () => boolean, what: string): Promise<number> => waitFor(cond, 5000, what);

const d = Decimal.parse;
const RUN_ID = "c0ffee0000um";
const SYMBOL = "BTCUSDT";

async function harness(): Promise<VenueHarness> {
  const ex = await LocalUsdmExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  ex.setBook(SYMBOL, "99.50", "100.50");
  const venues: BinanceUsdmVenue[] = [];
  const client = async (): Promise<BinanceUsdmVenue> => {
    const v = new BinanceUsdmVenue({
      restUrl: ex.url,
      userStreamUrl: ex.wsUrl,
      env: armedEnv(),
      confirmed: true,
      leverage: 3,
      runId: RUN_ID,
      restSyncMs: 3_600_000,
      connectorMetrics: new ConnectorMetrics(),
      sleep: async () => {},
    });
    venues.push(v);
    await v.start([SYMBOL]);
    await waitUntil(() => v.stream?.connected === true, "the user data stream connects");
    return v;
  };
  const venue = await client();
  let current = venue;
  return {
    venue,
    symbol: SYMBOL,
    resting: [
      { side: "BUY", price: d("99.40"), quantity: d("0.100") },
      { side: "SELL", price: d("100.60"), quantity: d("0.100") },
    ],
    // Under the 0.001 step: the venue refuses it before sending (LOT_SIZE).
    refused: { side: "BUY", price: d("99.40"), quantity: d("0.0005") },
    capabilities: { partialFills: true, rejects: true, fees: true, futures: true },
    async fill(clientOrderId, quantity) {
      ex.execute(venue.exchangeIdOf(clientOrderId), quantity?.toString());
    },
    async settle() {
      // Every pushed event reached the venue; then the venue applies them.
      await waitUntil(
        () => venues.reduce((n, v) => n + v.pushesReceived, 0) >= ex.pushed,
        "the pushed events arrive",
      );
      await current.sync();
    },
    async position() {
      return ex.position(SYMBOL);
    },
    async restart(history) {
      await current.close();
      const next = await client();
      for (const item of history) next.restore(item);
      current = next;
      return next;
    },
    async close() {
      for (const v of venues) await v.close();
      await ex.close();
    },
  };
}

describe("BinanceUsdmVenue: the venue contract (local USD-M exchange)", () => {
  venueContract("binance-usdm", harness);
});
