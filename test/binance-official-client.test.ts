/**
 * Binance's official connector (`@binance/spot`) as an independent client of
 * the local exchange: it signs and sends its own requests and parses the
 * replies with its own models. Its view must agree with what
 * BinanceSpotVenue sees of the same orders (ids, prices, executed
 * quantities, fills and their commissions), so the local exchange's
 * replies are Binance's shapes as another implementation reads them, not
 * only as ours does.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Spot, SpotRestAPI } from "@binance/spot";
import { Decimal } from "../src/core/decimal.js";
import type { OrderEvent, OrderFilled } from "../src/domain/orders.js";
import { ConnectorMetrics } from "../src/net/connector-metrics.js";
import { BinanceSpotVenue } from "../src/venues/binance/binance-spot-venue.js";
import { parseExchangeInfo } from "../src/venues/binance/exchange-info.js";
import { activeHandles, assertNoLeakedHandles, type HandleCounts } from "./support/handles.js";
import { armedEnv, TEST_API_KEY, TEST_API_SECRET } from "./support/live-trade-testing.js";
import { LocalBinanceExchange } from "./support/local-binance-exchange.js";

const d = Decimal.parse;

let baseline: HandleCounts;
let ex: LocalBinanceExchange;
let spot: Spot;
let venue: BinanceSpotVenue;
const events: OrderEvent[] = [];

before(async () => {
  baseline = activeHandles();
  ex = await LocalBinanceExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  spot = new Spot({
    configurationRestAPI: {
      apiKey: TEST_API_KEY,
      apiSecret: TEST_API_SECRET,
      basePath: ex.url,
      keepAlive: false,
      retries: 0,
      timeout: 5000,
    },
  });
  venue = new BinanceSpotVenue({
    restUrl: ex.url,
    env: armedEnv(),
    confirmed: true,
    runId: "0ff1c1a10000",
    connectorMetrics: new ConnectorMetrics(),
  });
  venue.setListener((e) => {
    if (e.kind !== "FundingApplied") events.push(e);
  });
});

after(async () => {
  await ex.close();
  await assertNoLeakedHandles(baseline, 3000);
});

/** A LIMIT GTC BUY placed by the connector, its reply parsed by the connector. */
async function buyLimit(symbol: string, quantity: number, price: number, newClientOrderId: string) {
  const r = await spot.restAPI.newOrder({
    symbol,
    side: SpotRestAPI.NewOrderSideEnum.BUY,
    type: SpotRestAPI.NewOrderTypeEnum.LIMIT,
    timeInForce: SpotRestAPI.NewOrderTimeInForceEnum.GTC,
    quantity,
    price,
    newClientOrderId,
  });
  return r.data();
}

const fills = (): OrderFilled[] => events.filter((e): e is OrderFilled => e.kind === "OrderFilled");

describe("@binance/spot against the local exchange", () => {
  it("exchangeInfo parses and lists the symbols' filters", async () => {
    const info = await (await spot.restAPI.exchangeInfo({ symbol: "BTCUSDT" })).data();
    const btc = info.symbols?.find((s) => s.symbol === "BTCUSDT");
    assert.equal(btc?.status, "TRADING");
    assert.equal(btc?.baseAsset, "BTC");
    assert.equal(btc?.quoteAsset, "USDT");
    const filters = btc?.filters ?? [];
    const price = filters.find((f) => f.filterType === "PRICE_FILTER");
    const lot = filters.find((f) => f.filterType === "LOT_SIZE");
    assert.ok(price?.filterType === "PRICE_FILTER" && lot?.filterType === "LOT_SIZE");
    assert.equal(price.tickSize, "0.01000000");
    assert.equal(lot.stepSize, "0.00100000");
    assert.ok(filters.some((f) => f.filterType === "NOTIONAL"));
    // grinder's own exchangeInfo reader (simulation instruments) reads the same reply alike.
    const raw: unknown = await (await fetch(`${ex.url}/api/v3/exchangeInfo`)).json();
    const spec = parseExchangeInfo(raw, "local exchange").get("BTCUSDT");
    assert.ok(spec !== undefined);
    assert.ok(spec.tickSize.eq(d(price.tickSize as string)));
    assert.ok(spec.stepSize.eq(d(lot.stepSize as string)));
    assert.ok(spec.minQty.eq(d(lot.minQty as string)));
    assert.ok(spec.minNotional.eq(d("0.05")));
  });

  it("an order placed by the connector: our venue lists it with the same price and quantity", async () => {
    const placed = await buyLimit("BTCUSDT", 0.1, 99.9, "official_1");
    assert.equal(placed.clientOrderId, "official_1");
    assert.equal(placed.status, "NEW");
    assert.deepEqual(placed.fills, []);
    const ours = (await venue.openOrders("BTCUSDT")).find((o) => o.clientOrderId === "official_1");
    assert.ok(ours !== undefined, "our venue sees the connector's order (as untracked)");
    assert.ok(ours.price.eq(d(placed.price as string)), "same price");
    assert.ok(ours.quantity.eq(d(placed.origQty as string)), "same quantity");
    // The connector queries, then cancels it: the cancel reply names the order in origClientOrderId.
    const got = await (
      await spot.restAPI.getOrder({ symbol: "BTCUSDT", origClientOrderId: "official_1" })
    ).data();
    assert.equal(got.orderId, placed.orderId);
    const canceled = await (
      await spot.restAPI.deleteOrder({ symbol: "BTCUSDT", origClientOrderId: "official_1" })
    ).data();
    assert.equal(canceled.origClientOrderId, "official_1");
    assert.equal(canceled.status, "CANCELED");
    assert.notEqual(canceled.clientOrderId, "official_1", "the cancel's own id");
  });

  it("orders of our venue: the connector reads the same ids, executed quantities and quote quantities", async () => {
    await venue.submit({
      kind: "SubmitOrder",
      ts: 1,
      clientOrderId: "BTCUSDT:1:1:SELL:1",
      symbol: "BTCUSDT",
      side: "SELL",
      price: d("100.10"),
      quantity: d("0.100"),
      levelId: 1,
      actionIndex: 0,
    });
    const exchangeId = venue.exchangeIdOf("BTCUSDT:1:1:SELL:1");
    ex.execute(exchangeId, "0.025");
    await venue.sync();
    const open = await (await spot.restAPI.getOpenOrders({ symbol: "BTCUSDT" })).data();
    const theirs = open.find((o) => o.clientOrderId === exchangeId);
    assert.ok(theirs !== undefined, "listed by the connector");
    const accepted = events.find((e) => e.kind === "OrderAccepted");
    assert.ok(accepted?.kind === "OrderAccepted");
    assert.equal(String(theirs.orderId), accepted.venueOrderId);
    assert.equal(theirs.status, "PARTIALLY_FILLED");
    const f = fills()[0];
    assert.ok(f !== undefined);
    assert.ok(d(theirs.executedQty as string).eq(f.quantity), "same executed quantity");
    assert.ok(
      d(theirs.cummulativeQuoteQty as string).eq(f.price.mul(f.quantity)),
      "same quote quantity",
    );
  });

  it("a placement that trades at once: the connector's fills are the venue's OrderFilled", async () => {
    ex.setBook("ETHUSDT", "49.90", "49.95");
    const before = fills().length;
    await venue.submit({
      kind: "SubmitOrder",
      ts: 2,
      clientOrderId: "ETHUSDT:2:1:BUY:2",
      symbol: "ETHUSDT",
      side: "BUY",
      price: d("50.00"),
      quantity: d("0.200"),
      levelId: 1,
      actionIndex: 0,
    });
    const ours = fills().slice(before);
    assert.equal(ours.length, 1);
    // The connector places the same kind of order and reads its fills with its own model.
    const placed = await buyLimit("ETHUSDT", 0.2, 50, "official_2");
    const theirs = placed.fills ?? [];
    assert.equal(theirs.length, 1);
    const t = theirs[0];
    const o = ours[0] as OrderFilled;
    assert.ok(d(t?.price as string).eq(o.price), "same price");
    assert.ok(d(t?.qty as string).eq(o.quantity), "same quantity");
    assert.ok(d(t?.commission as string).eq(o.fee), "same commission");
    assert.equal(t?.commissionAsset, o.feeAsset);
    assert.equal(typeof t?.tradeId, "number");
    assert.equal(placed.status, "FILLED");
  });
});
