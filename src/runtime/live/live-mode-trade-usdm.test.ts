/**
 * live_trade on USD-M in-process: the kernel (market "um") and
 * BinanceUsdmVenue against the local USD-M exchange. A long built from a
 * grid fill, then a crash trips the kill switch with `kill_switch_flatten`:
 * the resting orders are cancelled and the flatten reaches the exchange as
 * a reduce-only MARKET order that closes the position.
 */

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  armedEnv,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../../../test/support/live-trade-testing.js";
import { LocalUsdmExchange } from "../../../test/support/local-usdm-exchange.js";
import { Decimal, dec } from "../../core/decimal.js";
import type { OrderFilled, SubmitOrder } from "../../domain/orders.js";
import { Snapshot } from "../../domain/snapshot.js";
import { applyOptions, defaultOptions } from "../../kernel/kernel-options.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { BinanceUsdmVenue } from "../../venues/binance/binance-usdm-venue.js";
import { LiveTradeMode } from "./live-mode-trade.js";

function snap(ts: number, bid: string, ask: string): Snapshot {
  return new Snapshot({
    ts,
    symbol: "BTCUSDT",
    bidPrice: dec(bid),
    askPrice: dec(ask),
    bidQty: dec("5"),
    askQty: dec("5"),
    lastPrice: dec(bid),
    lastQty: Decimal.ZERO,
  });
}

let ex: LocalUsdmExchange;
let venue: BinanceUsdmVenue;

beforeEach(async () => {
  ex = await LocalUsdmExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  venue = new BinanceUsdmVenue({
    restUrl: ex.url,
    env: armedEnv(),
    confirmed: true,
    leverage: 10,
    connectorMetrics: new ConnectorMetrics(),
    sleep: async () => {},
  });
});

afterEach(async () => {
  await venue.close();
  await ex.close();
});

describe("live_trade on USD-M: the kill switch flattens with a reduce-only MARKET order", () => {
  it("cancels the grid and closes the long on the exchange", async () => {
    const engineOptions = applyOptions(
      defaultOptions("realistic"),
      {
        notional_per_level: "150",
        market: "um",
        leverage: 10,
        kill_switch_enabled: true,
        max_drawdown_pct: 1,
        kill_switch_flatten: true,
      },
      "test",
      { strict: true },
    );
    const logs: string[] = [];
    const mode = new LiveTradeMode({
      engineOptions,
      venue,
      cancelStrays: false,
      log: (l) => logs.push(l),
    });
    mode.ensureRunId();
    await venue.start(["BTCUSDT"]);
    ex.setBook("BTCUSDT", "99.90", "100.10");
    const grid = mode.step(snap(1000, "99.99", "100.01")).commands;
    await mode.send(grid);
    assert.equal(ex.leverage.get("BTCUSDT"), 10, "leverage set before the first order");
    const buy = grid.find(
      (c): c is SubmitOrder => c.kind === "SubmitOrder" && c.side === "BUY" && c.levelId === 1,
    );
    assert.ok(buy !== undefined, JSON.stringify(grid));
    const resting = ex.openOrders().length;
    assert.ok(resting > 0, `the grid rests on the exchange (${logs.join("; ")})`);
    // The market trades through BUY 1: a long of its quantity.
    ex.execute(venue.exchangeIdOf(buy.clientOrderId));
    await mode.poll();
    const booked = mode.takeEvents().filter((e): e is OrderFilled => e.kind === "OrderFilled");
    assert.equal(booked.length, 1);
    assert.ok(ex.position("BTCUSDT").eq(buy.quantity));
    // A crash: the drawdown is far over 1 % of the capital: the kill switch trips.
    ex.setBook("BTCUSDT", "29.99", "30.01");
    await mode.send(mode.step(snap(10_000, "29.99", "30.01")).commands);
    await mode.send(mode.step(snap(11_000, "29.99", "30.01")).commands);
    const flatten = ex
      .calls("/fapi/v1/order", "POST")
      .filter((r) => r.params.get("reduceOnly") === "true");
    assert.equal(flatten.length, 1, "one flatten order");
    const p = flatten[0]?.params;
    assert.deepEqual(
      [p?.get("side"), p?.get("type"), p?.get("quantity"), p?.get("price")],
      ["SELL", "MARKET", buy.quantity.toString(), null],
    );
    assert.ok(ex.position("BTCUSDT").isZero(), "the position is closed on the exchange");
    assert.deepEqual(ex.openOrders(), [], "every resting order cancelled");
  });
});
