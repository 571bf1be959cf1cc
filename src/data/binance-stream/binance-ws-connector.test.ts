import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  activeHandles,
  assertNoLeakedHandles,
  type HandleCounts,
} from "../../../test/support/handles.js";
import { futuresTicker, LocalWsServer, spotTicker } from "../../../test/support/local-ws-server.js";
import { ManualClock } from "../../core/clock.js";
import { ConfigError } from "../../core/errors.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { ConnectorState } from "../../net/connector-state.js";
import { isConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { isConnectorTimeoutError } from "../../net/errors/connector-timeout-error.js";
import { isConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { BinanceWsConnector, type BinanceWsConnectorOptions } from "./binance-ws-connector.js";

const T0 = 1_700_000_000_000;

let baseline: HandleCounts;
before(() => {
  baseline = activeHandles();
});
after(async () => {
  await assertNoLeakedHandles(baseline);
});

/** Pull the next snapshot, failing the test instead of hanging. */
async function next(it: AsyncIterator<Snapshot>, waitMs = 2000): Promise<Snapshot> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no snapshot within ${waitMs}ms`)), waitMs);
  });
  try {
    const r = await Promise.race([it.next(), guard]);
    if (r.done) throw new Error("stream ended");
    return r.value;
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(cond: () => boolean, waitMs = 2000): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

function connector(
  server: LocalWsServer,
  clock: ManualClock,
  p: Partial<BinanceWsConnectorOptions> = {},
) {
  return new BinanceWsConnector({
    symbols: ["BTCUSDT", "ETHUSDT"],
    url: server.url,
    clock,
    sleep: clock.sleep,
    pingIntervalMs: 0,
    timeouts: { connectTimeoutMs: 1000, readTimeoutMs: 2000, closeTimeoutMs: 200 },
    reconnect: { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000, jitter: "none" },
    ...p,
  });
}

describe("BinanceWsConnector against a local WebSocket server", () => {
  it("subscribes, parses spot, futures and combined-stream payloads, skips duplicates", async () => {
    const server = await LocalWsServer.start();
    const clock = new ManualClock(T0);
    const c = connector(server, clock);
    try {
      await c.connect();
      assert.equal(c.state, ConnectorState.CONNECTED);
      const s1 = await server.waitForClient(1);
      await s1.waitForSubscriptions(1);
      assert.deepEqual(JSON.parse(s1.received[0] ?? ""), {
        method: "SUBSCRIBE",
        params: ["btcusdt@bookTicker", "ethusdt@bookTicker"],
        id: 1,
      });
      const it = c.iterSnapshots()[Symbol.asyncIterator]();
      s1.send(spotTicker("BTCUSDT", 10, "50000.10", "50000.20"));
      s1.send({
        stream: "ethusdt@bookTicker",
        data: spotTicker("ETHUSDT", 5, "3000.01", "3000.02"),
      });
      s1.send(spotTicker("BTCUSDT", 10, "50000.10", "50000.20")); // duplicate
      s1.send(spotTicker("BTCUSDT", 9, "49999.00", "50001.00")); // older
      s1.send({
        stream: "btcusdt@bookTicker",
        data: futuresTicker("BTCUSDT", 11, T0 + 500, "50000.30", "50000.40"),
      });
      const a = await next(it);
      const b = await next(it);
      const d = await next(it);
      assert.deepEqual(
        [a, b, d].map((s) => `${s.ts} ${s.symbol} ${s.bidPrice} ${s.askPrice} ${s.lastPrice}`),
        [
          `${T0} BTCUSDT 50000.10 50000.20 50000.15`,
          `${T0} ETHUSDT 3000.01 3000.02 3000.015`,
          `${T0 + 500} BTCUSDT 50000.30 50000.40 50000.35`,
        ],
      );
      assert.equal(c.stats.duplicatesSkipped, 2);
      assert.equal(c.stats.subscribeReplies, 1);
      assert.equal(c.stats.snapshotsYielded, 3);
      assert.equal(c.lastSeenTs, T0 + 500);
    } finally {
      await c.close();
      await server.close();
    }
  });

  it("reconnects and resubscribes after the server drops the connection mid-stream", async () => {
    const server = await LocalWsServer.start();
    const clock = new ManualClock(T0);
    const c = connector(server, clock);
    try {
      await c.connect();
      const s1 = await server.waitForClient(1);
      const it = c.iterSnapshots()[Symbol.asyncIterator]();
      s1.send(spotTicker("BTCUSDT", 1, "1.0", "1.1"));
      s1.send(spotTicker("BTCUSDT", 2, "1.1", "1.2"));
      assert.equal((await next(it)).bidPrice.toString(), "1.0");
      assert.equal((await next(it)).bidPrice.toString(), "1.1");
      s1.drop();
      const pending = next(it);
      const s2 = await server.waitForClient(2);
      await s2.waitForSubscriptions(1);
      assert.deepEqual(s2.subscriptions[0], ["btcusdt@bookTicker", "ethusdt@bookTicker"]);
      s2.send(spotTicker("BTCUSDT", 2, "1.1", "1.2")); // replayed after reconnect: duplicate
      s2.send(spotTicker("BTCUSDT", 3, "1.2", "1.3"));
      assert.equal((await pending).bidPrice.toString(), "1.2");
      assert.equal(c.stats.disconnects, 1);
      assert.equal(c.stats.reconnects, 1);
      assert.equal(c.stats.subscribeMessagesSent, 2);
      assert.equal(c.stats.duplicatesSkipped, 1);
      assert.deepEqual(clock.sleeps, []); // first attempt of an outage is immediate
      assert.equal(c.state, ConnectorState.CONNECTED);
    } finally {
      await c.close();
      await server.close();
    }
  });

  it("detects a silent stream with the read timeout and reconnects", async () => {
    const server = await LocalWsServer.start();
    const clock = new ManualClock(T0);
    const c = connector(server, clock, {
      timeouts: { connectTimeoutMs: 1000, readTimeoutMs: 120, closeTimeoutMs: 200 },
    });
    try {
      await c.connect();
      const s1 = await server.waitForClient(1);
      await s1.waitForSubscriptions(1);
      const it = c.iterSnapshots()[Symbol.asyncIterator]();
      s1.send(spotTicker("ETHUSDT", 1, "2", "3"));
      await next(it);
      const pending = next(it);
      const s2 = await server.waitForClient(2);
      await s2.waitForSubscriptions(1);
      s2.send(spotTicker("ETHUSDT", 2, "2", "3"));
      assert.equal((await pending).ts, T0);
      assert.equal(c.stats.readTimeouts, 1);
      assert.match(c.stats.errors.join("\n"), /no message for 120ms \(read timeout\)/);
    } finally {
      await c.close();
      await server.close();
    }
  });

  it("counts malformed frames and keeps streaming", async () => {
    const server = await LocalWsServer.start();
    const clock = new ManualClock(T0);
    const c = connector(server, clock);
    try {
      await c.connect();
      const s1 = await server.waitForClient(1);
      await s1.waitForSubscriptions(1);
      const it = c.iterSnapshots()[Symbol.asyncIterator]();
      s1.send("this is not json");
      s1.send("[1,2,3]");
      s1.send({ stream: "btcusdt@bookTicker", data: "oops" });
      s1.send({ u: 1, s: "BTCUSDT", b: "NaN?", B: "1", a: "2", A: "1" });
      s1.sendBinary(new Uint8Array([1, 2, 3]));
      s1.send({ e: "trade", s: "BTCUSDT", p: "1" });
      s1.send({ error: { code: 2, msg: "Invalid request: unknown stream" }, id: 99 });
      s1.send(spotTicker("BTCUSDT", 5, "10", "11"));
      const s = await next(it);
      assert.equal(s.bidPrice.toString(), "10");
      assert.equal(c.stats.malformedMessages, 5);
      assert.equal(c.stats.ignoredMessages, 1);
      assert.equal(c.stats.subscribeErrors, 1);
      assert.equal(c.stats.messagesReceived, 9); // 8 sent + the SUBSCRIBE reply
      assert.match(c.stats.errors.join("\n"), /malformed message: not JSON: this is not json/);
      assert.match(c.stats.errors.join("\n"), /binary frame of 3 bytes/);
      assert.match(c.stats.errors.join("\n"), /subscribe error \(id 99, code 2\): Invalid request/);
      assert.equal(c.stats.reconnects, 0);
    } finally {
      await c.close();
      await server.close();
    }
  });

  it("answers server pings and reconnects when its own ping gets no pong", async () => {
    const server = await LocalWsServer.start({ autoPong: false });
    const clock = new ManualClock(T0);
    const c = connector(server, clock, { pingIntervalMs: 40, pongTimeoutMs: 80 });
    try {
      await c.connect();
      const s1 = await server.waitForClient(1);
      s1.ping();
      await waitFor(() => s1.pongsReceived >= 1);
      const it = c.iterSnapshots()[Symbol.asyncIterator]();
      const pending = next(it);
      const s2 = await server.waitForClient(2);
      await s2.waitForSubscriptions(1);
      s2.send(spotTicker("BTCUSDT", 1, "5", "6"));
      await pending;
      assert.ok(c.stats.pongTimeouts >= 1);
      assert.equal(c.pingCounters.pingsReceived, 1);
      assert.match(c.stats.errors.join("\n"), /no pong within 80ms/);
    } finally {
      await c.close();
      await server.close();
    }
  });

  it("reconnects proactively before the connection age limit", async () => {
    const server = await LocalWsServer.start();
    const clock = new ManualClock(T0);
    const c = connector(server, clock, { maxConnectionAgeMs: 150 });
    try {
      await c.connect();
      const s1 = await server.waitForClient(1);
      const it = c.iterSnapshots()[Symbol.asyncIterator]();
      s1.send(spotTicker("BTCUSDT", 1, "5", "6"));
      await next(it);
      const pending = next(it);
      const s2 = await server.waitForClient(2);
      await s2.waitForSubscriptions(1);
      s2.send(spotTicker("BTCUSDT", 2, "5", "6"));
      await pending;
      assert.equal(c.stats.proactiveReconnects, 1);
      assert.equal(c.stats.disconnects, 0);
      assert.equal(c.stats.readTimeouts, 0);
    } finally {
      await c.close();
      await server.close();
    }
  });

  it("caps the SUBSCRIBE message rate", async () => {
    const server = await LocalWsServer.start();
    const clock = new ManualClock(T0);
    const symbols = Array.from({ length: 10 }, (_, i) => `SYM${i}USDT`);
    const c = connector(server, clock, {
      symbols,
      streamsPerSubscribe: 1,
      maxMessagesPerSecond: 4,
    });
    try {
      await c.connect();
      const s1 = await server.waitForClient(1);
      await s1.waitForSubscriptions(10);
      assert.deepEqual(
        s1.subscriptions.map((p) => p.join(",")),
        symbols.map((s) => `${s.toLowerCase()}@bookTicker`),
      );
      assert.deepEqual(clock.sleeps, [1000, 1000]);
      assert.equal(c.stats.subscribeMessagesSent, 10);
    } finally {
      await c.close();
      await server.close();
    }
  });

  it("gives up after the reconnect budget with exponential backoff", async () => {
    const server = await LocalWsServer.start();
    const clock = new ManualClock(T0);
    const c = connector(server, clock);
    try {
      await c.connect();
      const it = c.iterSnapshots()[Symbol.asyncIterator]();
      const failed = it.next();
      await server.close();
      await assert.rejects(failed, (e: unknown) => {
        assert.ok(isConnectorTransientError(e));
        assert.match(
          e.message,
          /^Max reconnect attempts \(3\) exceeded; last error: WebSocket connect failed/,
        );
        return true;
      });
      assert.deepEqual(clock.sleeps, [100, 200]);
      assert.equal(c.state, ConnectorState.DISCONNECTED);
    } finally {
      await c.close();
    }
  });

  it("close ends a pending iteration; the connector stays closed", async () => {
    const server = await LocalWsServer.start();
    const clock = new ManualClock(T0);
    const c = connector(server, clock);
    try {
      await c.connect();
      const it = c.iterSnapshots()[Symbol.asyncIterator]();
      const pending = it.next();
      await c.close();
      assert.deepEqual(await pending, { done: true, value: undefined });
      assert.equal(c.state, ConnectorState.CLOSED);
      await c.close();
      await assert.rejects(c.connect(), /Cannot connect: connector is closed/);
      await assert.rejects(c.reconnect(), /Cannot reconnect: connector is closed/);
    } finally {
      await server.close();
    }
  });

  it("connect errors: refused is transient, a stalled handshake is a connect timeout", async () => {
    const refused = new BinanceWsConnector({
      symbols: ["BTCUSDT"],
      url: "ws://127.0.0.1:1/stream",
      pingIntervalMs: 0,
    });
    await assert.rejects(refused.connect(), (e: unknown) => isConnectorTransientError(e));
    assert.equal(refused.state, ConnectorState.DISCONNECTED);
    assert.equal(refused.stats.connectFailures, 1);

    const sockets: Socket[] = [];
    const silent = createServer((s) => {
      sockets.push(s);
      s.on("error", () => {});
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    const stalled = new BinanceWsConnector({
      symbols: ["BTCUSDT"],
      url: `ws://127.0.0.1:${port}/stream`,
      pingIntervalMs: 0,
      timeouts: { connectTimeoutMs: 100 },
    });
    try {
      await assert.rejects(stalled.connect(), (e: unknown) => {
        assert.ok(isConnectorTimeoutError(e));
        assert.equal(e.op, "connect");
        return true;
      });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it("validates its configuration and refuses mainnet", () => {
    assert.throws(() => new BinanceWsConnector({ symbols: [] }), ConfigError);
    assert.throws(
      () =>
        new BinanceWsConnector({
          symbols: Array.from({ length: 201 }, (_, i) => `S${i}USDT`),
          market: "usdm",
        }),
      /exceed the usdm limit of 200/,
    );
    assert.throws(() => new BinanceWsConnector({ symbols: ["BTC/USDT"] }), /invalid symbol/);
    assert.throws(
      () =>
        new BinanceWsConnector({
          symbols: ["BTCUSDT"],
          url: "wss://stream.binance.com:9443/stream",
        }),
      (e: unknown) => isConnectorNonRetryableError(e),
    );
    assert.throws(
      () =>
        new BinanceWsConnector({
          symbols: ["BTCUSDT"],
          env: { GRINDER_BINANCE_WS_URL: "wss://fstream.binance.com/stream" },
          market: "usdm",
        }),
      /Mainnet is forbidden/,
    );
    const c = new BinanceWsConnector({ symbols: ["btcusdt"], market: "usdm" });
    assert.equal(c.url, "wss://fstream.binancefuture.com/stream");
    assert.deepEqual(c.symbols, ["BTCUSDT"]);
  });

  it("iterating before connect is an error", async () => {
    const c = new BinanceWsConnector({ symbols: ["BTCUSDT"], url: "ws://127.0.0.1:1/stream" });
    await assert.rejects(c.iterSnapshots().next(), /Not connected \(state=disconnected\)/);
  });
});
