import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  activeHandles,
  assertNoLeakedHandles,
  type HandleCounts,
} from "../../../test/support/handles.js";
import {
  BINANCE_ERRORS,
  LocalBinanceExchange,
} from "../../../test/support/local-binance-exchange.js";
import { OffsetClock } from "../../../test/support/offset-clock.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import { OrderSide } from "../../domain/enums.js";
import type { Sleep } from "../../net/clock.js";
import { isConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { isConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { isOrderStatusUnknownError } from "../../net/errors/order-status-unknown-error.js";
import type { PlaceOrderRequest } from "../common/exchange-port.js";
import { placeKey, replaceKey } from "../common/order-keys.js";
import { SafeMode } from "../common/safe-mode.js";
import { BinanceExchangePort, type BinanceExchangePortOptions } from "./binance-exchange-port.js";
import { hmacSha256Hex } from "./binance-signing.js";
import { clientOrderIdFromKey } from "./client-order-id.js";

const KEY = "test-api-key-0123456789";
const SECRET = "test-api-secret-abcdefghij";
const d = Decimal.parse;

let baseline: HandleCounts;
let ex: LocalBinanceExchange;
let clock: OffsetClock;
let sleeps: number[];
const sleep: Sleep = async (ms) => {
  sleeps.push(ms);
};

before(() => {
  baseline = activeHandles();
});
after(async () => {
  await assertNoLeakedHandles(baseline, 2000);
});

function port(p: Partial<BinanceExchangePortOptions> = {}): BinanceExchangePort {
  return new BinanceExchangePort({
    mode: SafeMode.LIVE_TRADE,
    baseUrl: ex.url,
    apiKey: KEY,
    apiSecret: SECRET,
    clock,
    sleep,
    timeoutMs: 2000,
    unknownStatusQueryDelayMs: 250,
    ...p,
  });
}

const req = (p: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  symbol: "BTCUSDT",
  side: OrderSide.BUY,
  price: d("10000.00"),
  quantity: d("0.001"),
  levelId: 3,
  ts: 1_700_000_000_000,
  ...p,
});

describe("BinanceExchangePort against a local exchange", () => {
  beforeEach(async () => {
    ex = await LocalBinanceExchange.start({ apiKey: KEY, apiSecret: SECRET });
    clock = new OffsetClock();
    sleeps = [];
  });
  const stop = () => ex.close();

  it("places a signed LIMIT order with a client id derived from the idempotency key", async () => {
    try {
      const p = port();
      const id = await p.placeOrder(req());
      assert.equal(id, clientOrderIdFromKey(placeKey(req())));
      assert.match(id, /^grinder_[0-9a-f]{24}$/);
      assert.deepEqual(
        ex.requests.map((r) => `${r.method} ${r.path}`),
        ["GET /api/v3/time", "POST /api/v3/order"],
      );
      const post = ex.calls("/api/v3/order", "POST")[0]!;
      assert.equal(post.headers["x-mbx-apikey"], KEY);
      const ps = post.params;
      assert.deepEqual(
        [...ps.keys()],
        [
          "symbol",
          "side",
          "type",
          "timeInForce",
          "quantity",
          "price",
          "newClientOrderId",
          "timestamp",
          "recvWindow",
          "signature",
        ],
      );
      assert.equal(ps.get("price"), "10000.00");
      assert.equal(ps.get("quantity"), "0.001");
      assert.equal(ps.get("recvWindow"), "5000");
      const raw = post.rawQuery;
      const at = raw.lastIndexOf("&signature=");
      assert.equal(ps.get("signature"), hmacSha256Hex(SECRET, raw.slice(0, at)));
      assert.equal(p.registry.get(id)?.exchangeOrderId, String(ex.orders[0]?.orderId));
      assert.equal(ex.orders[0]?.status, "NEW");
      // an exponent-form decimal is sent positionally
      await p.placeOrder(req({ price: d("1E+4"), levelId: 4 }));
      assert.equal(ex.calls("/api/v3/order", "POST")[1]?.params.get("price"), "10000");
    } finally {
      await stop();
    }
  });

  it("lists open orders, cancels, and replaces (cancel + place under one key)", async () => {
    try {
      const p = port();
      const id = await p.placeOrder(req());
      const open = await p.fetchOpenOrders("BTCUSDT");
      assert.equal(open.length, 1);
      assert.equal(open[0]?.orderId, id);
      assert.equal(open[0]?.levelId, 3);
      assert.ok(open[0]?.price.eq(d("10000")), "the price, as Binance prints it (8 places)");
      assert.equal(open[0]?.side, "BUY");

      const replaceReq = { orderId: id, newPrice: d("10100.00"), newQuantity: d("0.002"), ts: 1 };
      const newId = await p.replaceOrder(replaceReq);
      assert.equal(newId, clientOrderIdFromKey(replaceKey(replaceReq)));
      assert.deepEqual(
        ex.orders.map(
          (o) => `${o.clientOrderId === id ? "old" : "new"} ${o.status} ${o.price} ${o.side}`,
        ),
        ["old CANCELED 10000.00 BUY", "new NEW 10100.00 BUY"],
      );
      assert.equal(await p.cancelOrder({ orderId: newId }), true);
      assert.deepEqual(await p.fetchOpenOrders("BTCUSDT"), []);
    } finally {
      await stop();
    }
  });

  it("a replace of a filled order places nothing", async () => {
    try {
      const p = port();
      const id = await p.placeOrder(req());
      ex.fill(id);
      await assert.rejects(
        p.replaceOrder({ orderId: id, newPrice: d("1"), newQuantity: d("1"), ts: 1 }),
        (e: unknown) => {
          assert.ok(isConnectorNonRetryableError(e));
          assert.match(e.message, /no longer open/);
          return true;
        },
      );
      assert.equal(ex.orders.length, 1);
      assert.equal(await p.cancelOrder({ orderId: id }), false);
    } finally {
      await stop();
    }
  });

  it("auth failures keep Binance's code and message and are not retryable", async () => {
    try {
      await assert.rejects(port({ apiSecret: "wrong" }).placeOrder(req()), (e: unknown) => {
        assert.ok(isConnectorNonRetryableError(e));
        assert.equal(e.exchangeCode, -1022);
        assert.match(
          e.message,
          /Binance error -1022: Signature for this request is not valid\. \(HTTP 400\)/,
        );
        return true;
      });
      await assert.rejects(port({ apiKey: "nope" }).fetchOpenOrders("BTCUSDT"), (e: unknown) => {
        assert.ok(isConnectorNonRetryableError(e));
        assert.match(
          e.message,
          /-2015: Invalid API-key, IP, or permissions for action\. \(HTTP 401\)/,
        );
        return true;
      });
      await assert.rejects(port().placeOrder(req({ symbol: "DOGEUSDT" })), /-1121: Invalid symbol/);
    } finally {
      await stop();
    }
  });

  it("uses the server-time offset and resyncs once on -1021", async () => {
    try {
      ex.skewMs = 20_000; // server clock 20 s ahead: unsynced timestamps would be rejected
      const p = port();
      await p.placeOrder(req());
      assert.ok(Math.abs(p.timeSync.offsetMs - 20_000) < 1000);
      ex.skewMs = -30_000; // server clock jumps
      await p.placeOrder(req({ levelId: 9 }));
      assert.equal(p.stats.timestampResyncs, 1);
      assert.equal(ex.calls("/api/v3/time").length, 2);
      assert.equal(ex.orders.length, 2);
    } finally {
      await stop();
    }
  });

  it("5xx: reads fail transient; a write is resolved by querying its client id", async () => {
    try {
      const p = port();
      ex.inject(
        { path: "/api/v3/openOrders" },
        { kind: "reply", status: 503, body: BINANCE_ERRORS.serverError },
      );
      await assert.rejects(
        p.fetchOpenOrders("BTCUSDT"),
        (e: unknown) => isConnectorTransientError(e) && e.httpStatus === 503,
      );

      // The exchange applied the order but answered 503: the query finds it.
      ex.inject(
        { method: "POST", path: "/api/v3/order" },
        { kind: "reply", status: 503, body: BINANCE_ERRORS.serverError, apply: true },
      );
      const id = await p.placeOrder(req());
      assert.equal(ex.orders.length, 1);
      assert.equal(p.stats.unknownResolvedApplied, 1);

      // Not applied: the query says it does not exist -> transient, safe to retry.
      ex.inject(
        { method: "POST", path: "/api/v3/order" },
        { kind: "reply", status: 500, body: "<html>oops</html>" },
      );
      await assert.rejects(p.placeOrder(req({ levelId: 7 })), (e: unknown) => {
        assert.ok(isConnectorTransientError(e));
        assert.match(e.message, /does not exist, so it was not placed; safe to retry/);
        return true;
      });
      assert.equal(ex.orders.length, 1);
      assert.deepEqual(sleeps, [250, 250]);
      assert.ok(id);
    } finally {
      await stop();
    }
  });

  it("a write timeout is resolved by query, never by placing again", async () => {
    try {
      const p = port({ timeoutMs: 150 });
      ex.inject({ method: "POST", path: "/api/v3/order" }, { kind: "hang", apply: true });
      const id = await p.placeOrder(req());
      assert.equal(ex.calls("/api/v3/order", "POST").length, 1);
      assert.equal(ex.calls("/api/v3/order", "GET").length, 1);
      assert.equal(ex.orders.filter((o) => o.clientOrderId === id).length, 1);

      ex.inject({ method: "POST", path: "/api/v3/order" }, { kind: "hang", apply: false });
      await assert.rejects(p.placeOrder(req({ levelId: 8 })), /was not placed; safe to retry/);
      assert.equal(ex.orders.length, 1);

      // Cancel times out but was applied.
      ex.inject({ method: "DELETE", path: "/api/v3/order" }, { kind: "hang", apply: true });
      assert.equal(await p.cancelOrder({ orderId: id }), true);

      // Both the write and the status query time out: status unknown.
      ex.inject({ method: "POST", path: "/api/v3/order" }, { kind: "hang", apply: true });
      ex.inject({ method: "GET", path: "/api/v3/order" }, { kind: "hang", apply: false });
      await assert.rejects(p.placeOrder(req({ levelId: 11 })), (e: unknown) => {
        assert.ok(isOrderStatusUnknownError(e));
        assert.equal(e.op, "place");
        assert.match(
          e.message,
          /Timeout during place after 150ms; status query failed: Timeout during query_order after 150ms/,
        );
        return true;
      });
    } finally {
      await stop();
    }
  });

  it("a duplicate client id on the book means an earlier attempt landed", async () => {
    try {
      const p = port();
      const cid = clientOrderIdFromKey(placeKey(req()));
      ex.seedOrder({
        symbol: "BTCUSDT",
        clientOrderId: cid,
        side: "BUY",
        price: "10000.00",
        qty: "0.001",
      });
      assert.equal(await p.placeOrder(req()), cid);
      assert.equal(ex.orders.length, 1);
    } finally {
      await stop();
    }
  });

  it("429: Retry-After is honoured with no request sent meanwhile", async () => {
    try {
      const p = port();
      await p.fetchOpenOrders("BTCUSDT");
      ex.inject(
        { path: "/api/v3/order" },
        {
          kind: "reply",
          status: 429,
          body: BINANCE_ERRORS.tooMany,
          headers: { "retry-after": "2" },
        },
      );
      await assert.rejects(p.placeOrder(req()), (e: unknown) => {
        assert.ok(isConnectorTransientError(e));
        assert.equal(e.retryAfterMs, 2000);
        assert.equal(e.exchangeCode, -1003);
        return true;
      });
      const n = ex.requests.length;
      await assert.rejects(p.fetchOpenOrders("BTCUSDT"), /Backing off after a Binance rate limit/);
      await assert.rejects(
        p.placeOrder(req()),
        (e: unknown) => isConnectorTransientError(e) && (e.retryAfterMs ?? 0) > 0,
      );
      assert.equal(ex.requests.length, n);
      clock.advance(2000);
      await p.placeOrder(req());
      assert.equal(ex.orders.length, 1);
    } finally {
      await stop();
    }
  });

  it("418 stops every write", async () => {
    try {
      const p = port();
      const id = await p.placeOrder(req());
      ex.inject(
        {},
        {
          kind: "reply",
          status: 418,
          body: BINANCE_ERRORS.banned(Date.now() + 60_000),
          headers: { "retry-after": "60" },
        },
      );
      await assert.rejects(
        p.fetchOpenOrders("BTCUSDT"),
        (e: unknown) => isConnectorNonRetryableError(e) && /IP banned/.test(e.message),
      );
      const n = ex.requests.length;
      clock.advance(60_000);
      await assert.rejects(p.cancelOrder({ orderId: id }), /Writes stopped after an IP ban/);
      await assert.rejects(p.placeOrder(req({ levelId: 5 })), /Writes stopped after an IP ban/);
      assert.equal(ex.requests.length, n);
      await p.fetchOpenOrders("BTCUSDT"); // reads resume after Retry-After
    } finally {
      await stop();
    }
  });

  it("slows writes down when the used weight nears the limit", async () => {
    try {
      const p = port();
      ex.headerOverrides = { "x-mbx-used-weight-1m": "5700" };
      await p.fetchOpenOrders("BTCUSDT");
      await p.placeOrder(req());
      assert.equal(p.rateGuard.stats.throttledWrites, 1);
      assert.equal(sleeps.length, 1);
      assert.ok((sleeps[0] ?? 0) > 0 && (sleeps[0] ?? 0) <= 60_000);
    } finally {
      await stop();
    }
  });

  it("dry-run makes zero HTTP calls; safety gates come before the network", async () => {
    try {
      const dry = port({ dryRun: true, apiKey: "", apiSecret: "" });
      const id = await dry.placeOrder(req());
      assert.equal(id, clientOrderIdFromKey(placeKey(req())));
      assert.equal(await dry.cancelOrder({ orderId: id }), true);
      const id2 = await dry.replaceOrder({
        orderId: id,
        newPrice: d("2"),
        newQuantity: d("1"),
        ts: 1,
      });
      assert.notEqual(id2, id);
      assert.deepEqual(await dry.fetchOpenOrders("BTCUSDT"), []);
      assert.equal(dry.stats.dryRunWrites, 4);

      for (const mode of [SafeMode.READ_ONLY, SafeMode.PAPER]) {
        const p = port({ mode });
        await assert.rejects(p.placeOrder(req()), (e: unknown) => {
          assert.ok(isConnectorNonRetryableError(e));
          assert.match(
            e.message,
            new RegExp(`Cannot place_order: mode=${mode}, requires LIVE_TRADE`),
          );
          return true;
        });
        await assert.rejects(p.cancelOrder({ orderId: "x" }), /Cannot cancel_order/);
        await assert.rejects(
          p.replaceOrder({ orderId: "x", newPrice: d("1"), newQuantity: d("1"), ts: 1 }),
          /Cannot replace_order/,
        );
      }
      assert.equal(ex.requests.length, 0);
      await assert.rejects(
        port({ dryRun: true, mode: SafeMode.READ_ONLY }).placeOrder(req()),
        /requires LIVE_TRADE/,
      );
      const wl = port({ symbolWhitelist: ["ETHUSDT"] });
      await assert.rejects(
        wl.placeOrder(req()),
        /Symbol 'BTCUSDT' not in whitelist: \["ETHUSDT"\]/,
      );
      await assert.rejects(wl.fetchOpenOrders("BTCUSDT"), /not in whitelist/);
      await assert.rejects(
        port().cancelOrder({ orderId: "grinder_unknown" }),
        /not placed or adopted by this port/,
      );
      await assert.rejects(port().placeOrder(req({ quantity: d("0") })), /must be positive/);
      assert.equal(ex.requests.length, 0);
      // READ_ONLY may still read
      await port({ mode: SafeMode.READ_ONLY }).fetchOpenOrders("BTCUSDT");
      assert.equal(ex.requests.length, 2);
    } finally {
      await stop();
    }
  });

  it("USD-M futures endpoints", async () => {
    try {
      const p = port({ market: "usdm" });
      const id = await p.placeOrder(req({ side: OrderSide.SELL }));
      assert.deepEqual(
        ex.requests.map((r) => `${r.method} ${r.path}`),
        ["GET /fapi/v1/time", "POST /fapi/v1/order"],
      );
      const open = await p.fetchOpenOrders("BTCUSDT");
      assert.equal(open[0]?.side, "SELL");
      assert.equal(await p.cancelOrder({ orderId: id }), true);
      assert.equal(ex.orders[0]?.status, "CANCELED");
      assert.equal(p.rateGuard.usageOf("order-count-1m"), 1);
    } finally {
      await stop();
    }
  });

  it("configuration: testnet default, env override, mainnet and missing keys refused", async () => {
    try {
      assert.equal(
        new BinanceExchangePort({ dryRun: true }).baseUrl,
        "https://testnet.binance.vision",
      );
      assert.equal(
        new BinanceExchangePort({ dryRun: true, market: "usdm" }).baseUrl,
        "https://testnet.binancefuture.com",
      );
      assert.equal(
        new BinanceExchangePort({ dryRun: true, env: { GRINDER_BINANCE_REST_URL: ex.url } })
          .baseUrl,
        ex.url,
      );
      assert.throws(
        () => new BinanceExchangePort({ dryRun: true, baseUrl: "https://api.binance.com" }),
        /Mainnet is forbidden/,
      );
      assert.throws(
        () =>
          new BinanceExchangePort({
            dryRun: true,
            env: { GRINDER_BINANCE_REST_URL: "https://fapi.binance.com" },
          }),
        /Mainnet is forbidden/,
      );
      assert.throws(() => new BinanceExchangePort({ mode: SafeMode.LIVE_TRADE }), ConfigError);
      assert.throws(
        () => new BinanceExchangePort({ dryRun: true, recvWindowMs: 70_000 }),
        /recvWindowMs/,
      );
    } finally {
      await stop();
    }
  });

  it("never exposes the secret", async () => {
    try {
      const p = port();
      const { inspect } = await import("node:util");
      const shown = `${inspect(p, { depth: 5 })} ${JSON.stringify(Object.keys(p))}`;
      assert.ok(!shown.includes(SECRET));
      assert.ok(!shown.includes(KEY));
    } finally {
      await stop();
    }
  });
});
