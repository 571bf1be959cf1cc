/**
 * Binance's official connector (`@binance/spot`) subscribes to the user data
 * stream of the local exchange's WebSocket API with its own signing
 * (`userDataStream.subscribe.signature`) and reads the events with its own
 * parser: what it receives for an order's life (NEW, partial and final
 * TRADE with commission, the account position) is what our decoder reads
 * from the same frames.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Spot } from "@binance/spot";
import { Decimal } from "../src/core/decimal.js";
import { decodeUserFrame } from "../src/venues/binance/spot-user-frames.js";
import { activeHandles, assertNoLeakedHandles, type HandleCounts } from "./support/handles.js";
import { TEST_API_KEY, TEST_API_SECRET } from "./support/live-trade-testing.js";
import { LocalBinanceExchange } from "./support/local-binance-exchange.js";
import { LocalBinanceWsApi } from "./support/local-binance-ws-api.js";

let baseline: HandleCounts;
let ex: LocalBinanceExchange;
let api: LocalBinanceWsApi;

before(async () => {
  baseline = activeHandles();
  ex = await LocalBinanceExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  api = LocalBinanceWsApi.attach(ex);
});

after(async () => {
  api.close();
  await ex.close();
  await assertNoLeakedHandles(baseline, 3000);
});

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("@binance/spot WebSocket API against the local exchange", () => {
  it("subscribes with its own signature and reads the same executionReports as our decoder", async () => {
    const spot = new Spot({
      configurationWebsocketAPI: {
        apiKey: TEST_API_KEY,
        apiSecret: TEST_API_SECRET,
        wsURL: api.url,
        timeout: 5000,
      },
    });
    const conn = await spot.websocketAPI.connect();
    try {
      const { response, stream } = await conn.userDataStreamSubscribeSignature();
      assert.equal(response.data.subscriptionId, 0);
      assert.deepEqual(Object.keys(api.requests[0]?.params ?? {}).sort(), [
        "apiKey",
        "signature",
        "timestamp",
      ]);
      const received: Record<string, unknown>[] = [];
      stream.on("message", (m) => {
        received.push(m as unknown as Record<string, unknown>);
      });
      const o = ex.seedOrder({
        symbol: "BTCUSDT",
        clientOrderId: "official_ws_1",
        side: "BUY",
        price: "99.90",
        qty: "0.100",
      });
      ex.execute(o.clientOrderId, "0.040");
      ex.execute(o.clientOrderId);
      await until(() => received.length >= 4, "two trades and two account positions");
      const ours = api.sent.map((text) => decodeUserFrame(text));
      assert.equal(ours.length, received.length);
      const reports = received.filter((m) => m.e === "executionReport");
      const ourReports = ours.flatMap((f) => (f.kind === "execution" ? [f.report] : []));
      assert.equal(reports.length, 2);
      reports.forEach((m, i) => {
        const r = ourReports[i];
        assert.ok(r !== undefined);
        assert.equal(m.c, r.clientOrderId);
        assert.equal(m.x, r.executionType);
        assert.equal(m.X, r.orderStatus);
        assert.ok(Decimal.parse(String(m.l)).eq(r.lastQty));
        assert.ok(Decimal.parse(String(m.L)).eq(r.lastPrice));
        assert.ok(Decimal.parse(String(m.z)).eq(r.cumQty));
        assert.ok(Decimal.parse(String(m.n)).eq(r.commission));
        assert.equal(m.N, r.commissionAsset);
        assert.equal(String(m.t), r.tradeId);
        assert.equal(m.m, r.isMaker);
      });
      assert.deepEqual(
        ourReports.map((r) => [
          r.orderStatus,
          r.lastQty.toString(),
          r.commission.toString(),
          r.commissionAsset,
        ]),
        [
          ["PARTIALLY_FILLED", "0.04000000", "0.00004000", "BTC"],
          ["FILLED", "0.06000000", "0.00006000", "BTC"],
        ],
      );
      const position = received.find((m) => m.e === "outboundAccountPosition") as {
        B: { a: string }[];
      };
      assert.deepEqual(
        position.B.map((b) => b.a),
        ["BTC", "USDT"],
      );
    } finally {
      await conn.disconnect();
    }
  });
});
