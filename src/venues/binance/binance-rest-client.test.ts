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
import type { Sleep } from "../../core/clock.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import { OrderSide } from "../../domain/enums.js";
import { isConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { isConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { isOrderStatusUnknownError } from "../../net/errors/order-status-unknown-error.js";
import {
  BinanceRestClient,
  type BinanceRestClientOptions,
  type LimitOrderRequest,
} from "./binance-rest-client.js";
import { hmacSha256Hex } from "./binance-signing.js";

const KEY = "test-api-key-0123456789";
const SECRET = "test-api-secret-abcdefghij";
const KEYS = { apiKey: KEY, apiSecret: SECRET } as const;
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

function port(p: Partial<BinanceRestClientOptions> = {}): BinanceRestClient {
  return new BinanceRestClient({
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

let nextId = 1;
const req = (p: Partial<LimitOrderRequest> = {}): LimitOrderRequest => ({
  symbol: "BTCUSDT",
  side: OrderSide.BUY,
  price: d("10000.00"),
  quantity: d("0.001"),
  clientOrderId: `grinder_test_${nextId++}`,
  ...p,
});

describe("BinanceRestClient against a local exchange", () => {
  beforeEach(async () => {
    ex = await LocalBinanceExchange.start({ apiKey: KEY, apiSecret: SECRET });
    clock = new OffsetClock();
    sleeps = [];
  });
  const stop = () => ex.close();

  it("places a signed LIMIT GTC order under the caller's client id; parses Binance's FULL reply", async () => {
    try {
      const p = port();
      const r = req();
      const o = await p.placeLimitOrder(r);
      assert.deepEqual(
        ex.requests.map((q) => `${q.method} ${q.path}`),
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
      assert.equal(ps.get("type"), "LIMIT");
      assert.equal(ps.get("timeInForce"), "GTC");
      assert.equal(ps.get("price"), "10000.00");
      assert.equal(ps.get("quantity"), "0.001");
      assert.equal(ps.get("newClientOrderId"), r.clientOrderId);
      assert.equal(ps.get("recvWindow"), "5000");
      const raw = post.rawQuery;
      const at = raw.lastIndexOf("&signature=");
      assert.equal(ps.get("signature"), hmacSha256Hex(SECRET, raw.slice(0, at)));
      assert.equal(o.clientOrderId, r.clientOrderId);
      assert.equal(o.orderId, String(ex.orders[0]?.orderId));
      assert.equal(o.status, "NEW");
      assert.ok(o.price.eq(d("10000")) && o.origQty.eq(d("0.001")) && o.executedQty.isZero());
      assert.deepEqual(o.fills, []);
      // an exponent-form decimal is sent positionally
      await p.placeLimitOrder(req({ price: d("1E+4") }));
      assert.equal(ex.calls("/api/v3/order", "POST")[1]?.params.get("price"), "10000");
    } finally {
      await stop();
    }
  });

  it("a placement that crosses the book lists its fills: price, qty, commission and asset, tradeId", async () => {
    try {
      ex.setBook("BTCUSDT", "9990.00", "10000.00");
      const o = await port().placeLimitOrder(req({ price: d("10010.00") }));
      assert.equal(o.status, "FILLED");
      assert.equal(o.fills.length, 1);
      const f = o.fills[0]!;
      assert.ok(f.price.eq(d("10000")), "at the ask");
      assert.ok(f.qty.eq(d("0.001")));
      assert.ok(f.commission.eq(d("0.000001")), "0.1% of the quantity");
      assert.equal(f.commissionAsset, "BTC", "a BUY pays in the base asset");
      assert.equal(f.tradeId, String(ex.trades[0]?.id));
      assert.ok(o.cumQuote.eq(d("10")));
    } finally {
      await stop();
    }
  });

  it("lists open orders, queries one, cancels: the cancel reply names the order in origClientOrderId", async () => {
    try {
      const p = port();
      const r = req();
      await p.placeLimitOrder(r);
      ex.execute(r.clientOrderId, "0.0004");
      const open = await p.openOrders("BTCUSDT");
      assert.deepEqual(
        open.map((o) => [o.clientOrderId, o.side, o.status, o.executedQty.toString()]),
        [[r.clientOrderId, "BUY", "PARTIALLY_FILLED", "0.00040000"]],
      );
      assert.ok(open[0]?.cumQuote.eq(d("4")), "10000 x 0.0004");
      const q = await p.queryOrder("BTCUSDT", r.clientOrderId);
      assert.equal(q?.status, "PARTIALLY_FILLED");
      assert.equal(await p.queryOrder("BTCUSDT", "grinder_never"), undefined, "-2013: unknown");

      const c = await p.cancelOrder("BTCUSDT", r.clientOrderId);
      assert.equal(c.clientOrderId, r.clientOrderId);
      assert.equal(c.status, "CANCELED");
      assert.ok(c.executedQty.eq(d("0.0004")), "what executed before the cancel");
      assert.deepEqual(await p.openOrders("BTCUSDT"), []);
      // Cancelling again: -2011, resolved by a query to the order's final state.
      const again = await p.cancelOrder("BTCUSDT", r.clientOrderId);
      assert.equal(again.status, "CANCELED");
      await assert.rejects(
        p.cancelOrder("BTCUSDT", "grinder_never"),
        (e: unknown) => isConnectorNonRetryableError(e) && e.exchangeCode === -2011,
      );
    } finally {
      await stop();
    }
  });

  it("a cancel of a filled order resolves with its FILLED state; nothing else is placed", async () => {
    try {
      const p = port();
      const r = req();
      await p.placeLimitOrder(r);
      ex.fill(r.clientOrderId);
      const c = await p.cancelOrder("BTCUSDT", r.clientOrderId);
      assert.equal(c.status, "FILLED");
      assert.ok(c.executedQty.eq(r.quantity));
      assert.equal(ex.orders.length, 1);
    } finally {
      await stop();
    }
  });

  it("filter failures are refused by the exchange with -1013 and the filter's name", async () => {
    try {
      await assert.rejects(
        port().placeLimitOrder(req({ price: d("10000.005") })),
        (e: unknown) =>
          isConnectorNonRetryableError(e) &&
          e.exchangeCode === -1013 &&
          /Filter failure: PRICE_FILTER/.test(e.message),
      );
      await assert.rejects(
        port().placeLimitOrder(req({ quantity: d("0.0015") })),
        /Filter failure: LOT_SIZE/,
      );
      assert.equal(ex.orders.length, 0);
    } finally {
      await stop();
    }
  });

  it("auth failures keep Binance's code and message and are not retryable", async () => {
    try {
      await assert.rejects(port({ apiSecret: "wrong" }).placeLimitOrder(req()), (e: unknown) => {
        assert.ok(isConnectorNonRetryableError(e));
        assert.equal(e.exchangeCode, -1022);
        assert.match(
          e.message,
          /Binance error -1022: Signature for this request is not valid\. \(HTTP 400\)/,
        );
        return true;
      });
      await assert.rejects(port({ apiKey: "nope" }).openOrders("BTCUSDT"), (e: unknown) => {
        assert.ok(isConnectorNonRetryableError(e));
        assert.match(
          e.message,
          /-2015: Invalid API-key, IP, or permissions for action\. \(HTTP 401\)/,
        );
        return true;
      });
      await assert.rejects(
        port().placeLimitOrder(req({ symbol: "DOGEUSDT" })),
        /-1121: Invalid symbol/,
      );
    } finally {
      await stop();
    }
  });

  it("uses the server-time offset and resyncs once on -1021", async () => {
    try {
      ex.skewMs = 20_000; // server clock 20 s ahead: unsynced timestamps would be rejected
      const p = port();
      await p.placeLimitOrder(req());
      assert.ok(Math.abs(p.timeSync.offsetMs - 20_000) < 1000);
      ex.skewMs = -30_000; // server clock jumps
      await p.placeLimitOrder(req());
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
        p.openOrders("BTCUSDT"),
        (e: unknown) => isConnectorTransientError(e) && e.httpStatus === 503,
      );

      // The exchange applied the order but answered 503: the query finds it.
      ex.inject(
        { method: "POST", path: "/api/v3/order" },
        { kind: "reply", status: 503, body: BINANCE_ERRORS.serverError, apply: true },
      );
      const r = req();
      const found = await p.placeLimitOrder(r);
      assert.equal(found.clientOrderId, r.clientOrderId, "the queried order");
      assert.equal(ex.orders.length, 1);
      assert.equal(p.stats.unknownResolvedApplied, 1);

      // Not applied: the query says it does not exist -> transient, safe to retry.
      ex.inject(
        { method: "POST", path: "/api/v3/order" },
        { kind: "reply", status: 500, body: "<html>oops</html>" },
      );
      await assert.rejects(p.placeLimitOrder(req()), (e: unknown) => {
        assert.ok(isConnectorTransientError(e));
        assert.match(e.message, /does not exist, so it was not placed; safe to retry/);
        return true;
      });
      assert.equal(ex.orders.length, 1);
      assert.deepEqual(sleeps, [250, 250]);
    } finally {
      await stop();
    }
  });

  it("a write timeout is resolved by query, never by placing again", async () => {
    try {
      const p = port({ timeoutMs: 150 });
      ex.inject({ method: "POST", path: "/api/v3/order" }, { kind: "hang", apply: true });
      const r = req();
      await p.placeLimitOrder(r);
      assert.equal(ex.calls("/api/v3/order", "POST").length, 1);
      assert.equal(ex.calls("/api/v3/order", "GET").length, 1);
      assert.equal(ex.orders.filter((o) => o.clientOrderId === r.clientOrderId).length, 1);

      ex.inject({ method: "POST", path: "/api/v3/order" }, { kind: "hang", apply: false });
      await assert.rejects(p.placeLimitOrder(req()), /was not placed; safe to retry/);
      assert.equal(ex.orders.length, 1);

      // Cancel times out but was applied.
      ex.inject({ method: "DELETE", path: "/api/v3/order" }, { kind: "hang", apply: true });
      assert.equal((await p.cancelOrder("BTCUSDT", r.clientOrderId)).status, "CANCELED");

      // Both the write and the status query time out: status unknown.
      ex.inject({ method: "POST", path: "/api/v3/order" }, { kind: "hang", apply: true });
      ex.inject({ method: "GET", path: "/api/v3/order" }, { kind: "hang", apply: false });
      await assert.rejects(p.placeLimitOrder(req()), (e: unknown) => {
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
      const r = req();
      ex.seedOrder({
        symbol: "BTCUSDT",
        clientOrderId: r.clientOrderId,
        side: "BUY",
        price: "10000.00",
        qty: "0.001",
      });
      const o = await p.placeLimitOrder(r);
      assert.equal(o.clientOrderId, r.clientOrderId);
      assert.equal(o.orderId, String(ex.orders[0]?.orderId));
      assert.equal(ex.orders.length, 1);
    } finally {
      await stop();
    }
  });

  it("429: Retry-After is honoured with no request sent meanwhile", async () => {
    try {
      const p = port();
      await p.openOrders("BTCUSDT");
      ex.inject(
        { path: "/api/v3/order" },
        {
          kind: "reply",
          status: 429,
          body: BINANCE_ERRORS.tooMany,
          headers: { "retry-after": "2" },
        },
      );
      await assert.rejects(p.placeLimitOrder(req()), (e: unknown) => {
        assert.ok(isConnectorTransientError(e));
        assert.equal(e.retryAfterMs, 2000);
        assert.equal(e.exchangeCode, -1003);
        return true;
      });
      const n = ex.requests.length;
      await assert.rejects(p.openOrders("BTCUSDT"), /Backing off after a Binance rate limit/);
      await assert.rejects(
        p.placeLimitOrder(req()),
        (e: unknown) => isConnectorTransientError(e) && (e.retryAfterMs ?? 0) > 0,
      );
      assert.equal(ex.requests.length, n);
      clock.advance(2000);
      await p.placeLimitOrder(req());
      assert.equal(ex.orders.length, 1);
    } finally {
      await stop();
    }
  });

  it("418 stops every request until Retry-After; then writes resume by themselves", async () => {
    try {
      const p = port();
      const r = req();
      await p.placeLimitOrder(r);
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
        p.openOrders("BTCUSDT"),
        (e: unknown) => isConnectorNonRetryableError(e) && /IP banned/.test(e.message),
      );
      const n = ex.requests.length;
      clock.advance(59_000); // (this clock also moves with real time: a second of margin)
      await assert.rejects(
        p.cancelOrder("BTCUSDT", r.clientOrderId),
        /Writes stopped after an IP ban/,
      );
      await assert.rejects(p.placeLimitOrder(req()), /Writes stopped after an IP ban/);
      assert.equal(ex.requests.length, n, "nothing sent during the ban");
      assert.equal(p.rateGuard.writeHalt?.reason, "ip_ban");
      clock.advance(1_000);
      assert.equal(p.rateGuard.writeHalt, undefined);
      await p.openOrders("BTCUSDT");
      await p.placeLimitOrder(req()); // writes resume after Retry-After
    } finally {
      await stop();
    }
  });

  it("slows writes down when the used weight nears the limit", async () => {
    try {
      const p = port();
      ex.headerOverrides = { "x-mbx-used-weight-1m": "5700" };
      await p.openOrders("BTCUSDT");
      await p.placeLimitOrder(req());
      assert.equal(p.rateGuard.stats.throttledWrites, 1);
      assert.equal(sleeps.length, 1);
      assert.ok((sleeps[0] ?? 0) > 0 && (sleeps[0] ?? 0) <= 60_000);
    } finally {
      await stop();
    }
  });

  it("checks come before the network: whitelist, positive price and quantity", async () => {
    try {
      const wl = port({ symbolWhitelist: ["ETHUSDT"] });
      await assert.rejects(
        wl.placeLimitOrder(req()),
        /Symbol 'BTCUSDT' not in whitelist: \["ETHUSDT"\]/,
      );
      await assert.rejects(wl.openOrders("BTCUSDT"), /not in whitelist/);
      await assert.rejects(wl.cancelOrder("BTCUSDT", "x"), /not in whitelist/);
      await assert.rejects(port().placeLimitOrder(req({ quantity: d("0") })), /must be positive/);
      await assert.rejects(port().placeLimitOrder(req({ price: d("-1") })), /must be positive/);
      assert.equal(ex.requests.length, 0);
    } finally {
      await stop();
    }
  });

  it("USD-M futures endpoints", async () => {
    try {
      const p = port({ market: "usdm" });
      const r = req({ side: OrderSide.SELL });
      await p.placeLimitOrder(r);
      assert.deepEqual(
        ex.requests.map((r) => `${r.method} ${r.path}`),
        ["GET /fapi/v1/time", "POST /fapi/v1/order"],
      );
      const open = await p.openOrders("BTCUSDT");
      assert.equal(open[0]?.side, "SELL");
      assert.equal((await p.cancelOrder("BTCUSDT", r.clientOrderId)).status, "CANCELED");
      assert.equal(ex.orders[0]?.status, "CANCELED");
      assert.equal(p.rateGuard.usageOf("order-count-1m"), 1);
    } finally {
      await stop();
    }
  });

  it("configuration: testnet default, env override, mainnet and missing keys refused", async () => {
    try {
      assert.equal(new BinanceRestClient(KEYS).baseUrl, "https://testnet.binance.vision");
      assert.equal(
        new BinanceRestClient({ ...KEYS, market: "usdm" }).baseUrl,
        "https://testnet.binancefuture.com",
      );
      assert.equal(
        new BinanceRestClient({ ...KEYS, env: { GRINDER_BINANCE_REST_URL: ex.url } }).baseUrl,
        ex.url,
      );
      assert.throws(
        () => new BinanceRestClient({ ...KEYS, baseUrl: "https://api.binance.com" }),
        /Mainnet is forbidden/,
      );
      assert.throws(
        () =>
          new BinanceRestClient({
            ...KEYS,
            env: { GRINDER_BINANCE_REST_URL: "https://fapi.binance.com" },
          }),
        /Mainnet is forbidden/,
      );
      assert.throws(
        () => new BinanceRestClient({ apiKey: "", apiSecret: "" }),
        (e: unknown) =>
          e instanceof ConfigError && /apiKey and apiSecret are required/.test(e.message),
      );
      assert.throws(() => new BinanceRestClient({ ...KEYS, recvWindowMs: 70_000 }), /recvWindowMs/);
      assert.equal(ex.requests.length, 0, "constructing a client makes no request");
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
