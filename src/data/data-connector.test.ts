import { after, before } from "node:test";
import { dataConnectorContract } from "../../test/support/data-connector-contract.js";
import {
  activeHandles,
  assertNoLeakedHandles,
  type HandleCounts,
} from "../../test/support/handles.js";
import { futuresTicker, LocalWsServer } from "../../test/support/local-ws-server.js";
import { BinanceWsMockConnector } from "../../test/support/mock-connector.js";
import { makeTempFixture, snapshotLine } from "../../test/support/temp-fixture.js";
import { ManualClock } from "../core/clock.js";
import { BinanceWsConnector } from "./binance-stream/binance-ws-connector.js";

let baseline: HandleCounts;
before(() => {
  baseline = activeHandles();
});
after(async () => {
  await assertNoLeakedHandles(baseline);
});

dataConnectorContract("BinanceWsMockConnector (fixture)", async () => {
  const fx = await makeTempFixture({
    "events.jsonl": [
      snapshotLine(2000, "BTCUSDT", "101", "101.5"),
      snapshotLine(1000, "BTCUSDT", "100", "100.5"),
      snapshotLine(3000, "BTCUSDT", "102", "102.5"),
    ].join("\n"),
  });
  return {
    connector: new BinanceWsMockConnector(fx.dir),
    feed: async () => {},
    cleanup: fx.cleanup,
  };
});

dataConnectorContract("BinanceWsConnector (local WebSocket server)", async () => {
  const server = await LocalWsServer.start();
  const clock = new ManualClock(0);
  const connector = new BinanceWsConnector({
    symbols: ["BTCUSDT"],
    market: "usdm",
    url: server.url,
    clock,
    sleep: clock.sleep,
    pingIntervalMs: 0,
  });
  return {
    connector,
    feed: async () => {
      const s = await server.waitForClient(1);
      await s.waitForSubscriptions(1);
      for (const [i, ts] of [1000, 2000, 3000].entries())
        s.send({
          stream: "btcusdt@bookTicker",
          data: futuresTicker("BTCUSDT", i + 1, ts, String(100 + i), "200"),
        });
    },
    cleanup: () => server.close(),
  };
});
