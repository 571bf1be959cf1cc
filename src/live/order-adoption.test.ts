import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Decimal } from "../core/decimal.js";
import { OrderSide } from "../domain/enums.js";
import { BinanceExchangePort } from "./binance-exchange-port.js";
import { clientOrderIdFromKey } from "./client-order-id.js";
import { ConnectorMetrics } from "./connector-metrics.js";
import { IdempotentExchangePort } from "./idempotent-exchange-port.js";
import { adoptOpenOrders } from "./order-adoption.js";
import { SafeMode } from "./safe-mode.js";
import { activeHandles, assertNoLeakedHandles, type HandleCounts } from "./testing/handles.js";
import { LocalBinanceExchange } from "./testing/local-binance-exchange.js";

const KEY = "adopt-key";
const SECRET = "adopt-secret";

let baseline: HandleCounts;
before(() => {
  baseline = activeHandles();
});
after(async () => {
  await assertNoLeakedHandles(baseline, 2000);
});

function makePort(ex: LocalBinanceExchange, mode: SafeMode = SafeMode.LIVE_TRADE) {
  return new BinanceExchangePort({
    mode,
    baseUrl: ex.url,
    apiKey: KEY,
    apiSecret: SECRET,
    sleep: async () => {},
  });
}

describe("restart adoption against a local exchange", () => {
  it("adopts our open orders and reports strays; the adopted ones can be cancelled", async () => {
    const ex = await LocalBinanceExchange.start({ apiKey: KEY, apiSecret: SECRET });
    try {
      const ours = clientOrderIdFromKey("exec:place:from-previous-run");
      ex.seedOrder({
        symbol: "BTCUSDT",
        clientOrderId: ours,
        side: "BUY",
        price: "9000.00",
        qty: "0.002",
      });
      ex.seedOrder({
        symbol: "BTCUSDT",
        clientOrderId: "web_manual_1",
        side: "SELL",
        price: "90000.00",
        qty: "0.001",
      });
      ex.seedOrder({
        symbol: "ETHUSDT",
        clientOrderId: "and_other_bot",
        side: "BUY",
        price: "100.00",
        qty: "1",
      });
      const port = makePort(ex); // a fresh process: knows nothing yet
      const res = await adoptOpenOrders(port, ["BTCUSDT", "ETHUSDT"]);
      assert.deepEqual(
        res.adopted.map((o) => o.orderId),
        [ours],
      );
      assert.deepEqual(
        res.strays.map((o) => o.orderId),
        ["web_manual_1", "and_other_bot"],
      );
      assert.deepEqual(res.cancelledStrays, []);
      assert.equal(res.adopted[0]?.quantity.toString(), "0.002");
      assert.equal(await port.cancelOrder({ orderId: ours }), true);
      assert.equal(ex.orders.filter((o) => o.status === "NEW").length, 2);
    } finally {
      await ex.close();
    }
  });

  it("cancels strays when configured", async () => {
    const ex = await LocalBinanceExchange.start({ apiKey: KEY, apiSecret: SECRET });
    try {
      ex.seedOrder({
        symbol: "BTCUSDT",
        clientOrderId: "web_manual_1",
        side: "SELL",
        price: "90000.00",
        qty: "0.001",
      });
      const ours = clientOrderIdFromKey("k");
      ex.seedOrder({
        symbol: "BTCUSDT",
        clientOrderId: ours,
        side: "BUY",
        price: "9000.00",
        qty: "0.002",
      });
      const res = await adoptOpenOrders(makePort(ex), ["BTCUSDT"], { cancelStrays: true });
      assert.deepEqual(res.cancelledStrays, ["web_manual_1"]);
      assert.deepEqual(
        ex.orders.map((o) => `${o.clientOrderId === ours ? "ours" : o.clientOrderId} ${o.status}`),
        ["web_manual_1 CANCELED", "ours NEW"],
      );
      // Without LIVE_TRADE the cancel is refused and reported, not thrown.
      ex.seedOrder({
        symbol: "BTCUSDT",
        clientOrderId: "web_2",
        side: "SELL",
        price: "1.00",
        qty: "1",
      });
      const ro = await adoptOpenOrders(makePort(ex, SafeMode.READ_ONLY), ["BTCUSDT"], {
        cancelStrays: true,
      });
      assert.equal(ro.failedCancels.length, 1);
      assert.match(ro.failedCancels[0]?.error ?? "", /requires LIVE_TRADE/);
    } finally {
      await ex.close();
    }
  });

  it("the idempotent wrapper over the real port: one order per intent, one replacement", async () => {
    const ex = await LocalBinanceExchange.start({ apiKey: KEY, apiSecret: SECRET });
    try {
      const port = new IdempotentExchangePort(makePort(ex), { metrics: new ConnectorMetrics() });
      const req = {
        symbol: "ETHUSDT",
        side: OrderSide.SELL,
        price: Decimal.parse("3000.00"),
        quantity: Decimal.parse("0.5"),
        levelId: 2,
        ts: 1,
      };
      const a = await port.placeOrder(req);
      const b = await port.placeOrder({ ...req, ts: 2 });
      assert.equal(a, b);
      const r = {
        orderId: a,
        newPrice: Decimal.parse("3001.00"),
        newQuantity: Decimal.parse("0.5"),
        ts: 3,
      };
      const n1 = await port.replaceOrder(r);
      const n2 = await port.replaceOrder(r);
      assert.equal(n1, n2);
      assert.equal(ex.calls("/api/v3/order", "POST").length, 2);
      assert.equal(ex.calls("/api/v3/order", "DELETE").length, 1);
      assert.deepEqual(
        ex.orders.map((o) => `${o.status} ${o.price} ${o.side}`),
        ["CANCELED 3000.00 SELL", "NEW 3001.00 SELL"],
      );
    } finally {
      await ex.close();
    }
  });
});
