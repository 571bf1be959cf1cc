/**
 * The user data stream (WebSocket API) against the local exchange's WS API:
 * the subscription and its signature, order updates booked as they happen
 * (partial fills with their commissions, cancels, expiries), a dropped
 * connection re-established with backoff while the REST backstop books what
 * happened meanwhile, refused subscriptions and malformed frames logged with
 * what was expected.
 */

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  armedEnv,
  localExchangePerTest,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../../../test/support/live-trade-testing.js";
import { BINANCE_ERRORS } from "../../../test/support/local-binance-exchange.js";
import { LocalBinanceWsApi } from "../../../test/support/local-binance-ws-api.js";
import { Decimal } from "../../core/decimal.js";
import type { OrderEvent, OrderFilled, SubmitOrder } from "../../domain/orders.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { BinanceSpotVenue } from "./binance-spot-venue.js";
import { resolveWsApiUrl } from "./binance-urls.js";
import { SpotUserStream, subscribeRequest } from "./spot-user-stream.js";

const d = Decimal.parse;
const local = localExchangePerTest();
let api: LocalBinanceWsApi;
let logs: string[];
const venues: BinanceSpotVenue[] = [];

beforeEach(() => {
  api = LocalBinanceWsApi.attach(local.ex);
  logs = [];
});
afterEach(async () => {
  for (const v of venues.splice(0)) await v.stopUserStream();
  api.close();
});

/** Wait (bounded) until `cond` holds: real sockets, so real time. */
async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function rig(backstopMs = 60_000) {
  const metrics = new ConnectorMetrics();
  const venue = new BinanceSpotVenue({
    restUrl: local.ex.url,
    env: armedEnv(),
    confirmed: true,
    runId: "57e4a0000001",
    connectorMetrics: metrics,
    log: (l) => logs.push(l),
    userStream: {
      url: api.url,
      backstopMs,
      backoff: { baseMs: 20, maxMs: 80, multiplier: 2, jitter: "equal" },
    },
  });
  venues.push(venue);
  const events: OrderEvent[] = [];
  venue.setListener((e) => {
    if (e.kind !== "FundingApplied") events.push(e);
  });
  let wakes = 0;
  venue.startUserStream(() => {
    wakes++;
  });
  return { venue, events, wakes: () => wakes, metrics };
}

let n = 0;
function order(p: Partial<SubmitOrder> = {}): SubmitOrder {
  n++;
  return {
    kind: "SubmitOrder",
    ts: 1_700_000_000_000 + n,
    clientOrderId: `BTCUSDT:1700000000000:${n}:BUY:${n}`,
    symbol: "BTCUSDT",
    side: "BUY",
    price: d("99.90"),
    quantity: d("0.100"),
    levelId: 1,
    actionIndex: 0,
    ...p,
  };
}

const fillsOf = (events: readonly OrderEvent[]) =>
  events.filter((e): e is OrderFilled => e.kind === "OrderFilled");
const restCalls = () => local.ex.requests.length;

describe("spot user data stream (WebSocket API)", () => {
  it("the subscription is signed like Binance's (sorted params, HMAC-SHA256) and acknowledged", async () => {
    const text = subscribeRequest("r1", "k", "s", 1700000000000, 5000);
    // HMAC-SHA256("s", "apiKey=k&recvWindow=5000&timestamp=1700000000000"), computed with openssl.
    assert.deepEqual(JSON.parse(text), {
      id: "r1",
      method: "userDataStream.subscribe.signature",
      params: {
        apiKey: "k",
        recvWindow: 5000,
        timestamp: 1700000000000,
        signature: "9bd2a82f0f0b643ce941d28f51b0beaad64b034dde6bef5d489f790f066f6c29",
      },
    });
    const r = rig();
    await api.waitForSubscriptions(1);
    await until(() => r.venue.userStreamUp === true, "the subscription");
    assert.equal(api.requests[0]?.method, "userDataStream.subscribe.signature");
    assert.equal(api.requests[0]?.params.apiKey, TEST_API_KEY);
    assert.ok(!logs.join("\n").includes(TEST_API_SECRET));
    assert.equal(resolveWsApiUrl(undefined, {}), "wss://ws-api.testnet.binance.vision/ws-api/v3");
    assert.throws(
      () => resolveWsApiUrl("wss://ws-api.binance.com/ws-api/v3"),
      /Mainnet is forbidden/,
    );
  });

  it("partial fills are booked as they happen, with commission; cancels and expiries end orders; no REST between backstops", async () => {
    const r = rig();
    await until(() => r.venue.userStreamUp === true, "subscribed");
    await r.venue.sync(); // the backstop after the subscription
    const a = order();
    let w = r.wakes();
    await r.venue.submit(a);
    await until(() => r.wakes() > w, "the NEW report");
    await r.venue.sync();
    const id = r.venue.exchangeIdOf(a.clientOrderId);
    const before = restCalls();
    w = r.wakes();
    const t1 = local.ex.execute(id, "0.030");
    await until(() => r.wakes() > w, "the TRADE report");
    await r.venue.sync();
    let fills = fillsOf(r.events);
    assert.deepEqual(
      fills.map((f) => [
        f.tradeId,
        f.quantity.toString(),
        f.price.toString(),
        f.fee.toString(),
        f.feeAsset,
        f.liquidity,
        f.leavesQuantity.toString(),
      ]),
      [[String(t1.id), "0.030", "99.90", "0.00003000", "BTC", "maker", "0.070"]],
    );
    assert.equal(restCalls(), before, "pushed: no REST call");
    w = r.wakes();
    local.ex.execute(id);
    await until(() => r.wakes() > w, "the last TRADE report");
    await r.venue.sync();
    fills = fillsOf(r.events);
    assert.deepEqual(
      fills.map((f) => [f.quantity.toString(), f.fee.toString(), f.leavesQuantity.toString()]),
      [
        ["0.030", "0.00003000", "0.070"],
        ["0.070", "0.00007000", "0"],
      ],
    );
    const b = order({ side: "SELL", price: d("100.20") });
    const c = order({ side: "SELL", price: d("100.30") });
    await r.venue.submit(b);
    await r.venue.submit(c);
    await r.venue.cancel({
      kind: "CancelOrder",
      ts: 5,
      clientOrderId: b.clientOrderId,
      symbol: "BTCUSDT",
    });
    local.ex.expire(r.venue.exchangeIdOf(c.clientOrderId));
    await until(
      () => r.wakes() >= w + 5,
      "NEW b, NEW c, CANCELED b, EXPIRED c (and the last TRADE's)",
    );
    await r.venue.sync();
    assert.deepEqual(
      r.events
        .filter((e) => e.clientOrderId !== a.clientOrderId)
        .map((e) => `${e.kind} ${e.clientOrderId === b.clientOrderId ? "b" : "c"}`),
      ["OrderAccepted b", "OrderAccepted c", "OrderCanceled b", "OrderExpired c"],
      "the cancel once (its reply), the expiry from the stream",
    );
    assert.deepEqual(r.venue.liveOrders(), []);
    assert.equal(
      r.venue.balances().get("BTC")?.free.toString(),
      "100.09990000",
      "100 + 0.1 - 0.0001 commission",
    );
  });

  it("a dropped connection comes back with backoff; fills made meanwhile are booked by the backstop, once", async () => {
    const r = rig();
    await until(() => r.venue.userStreamUp === true, "subscribed");
    await r.venue.sync();
    const a = order();
    let w = r.wakes();
    await r.venue.submit(a);
    const id = r.venue.exchangeIdOf(a.clientOrderId);
    await until(() => r.wakes() > w, "NEW");
    assert.equal(r.venue.userStreamConnected, true, "grinder_user_stream_connected 1");
    api.dropAll();
    await until(() => r.venue.userStreamUp === false, "the drop seen");
    assert.equal(r.venue.userStreamConnected, false, "grinder_user_stream_connected 0");
    local.ex.execute(id, "0.040"); // pushed to no one
    await api.waitForSubscriptions(2);
    await until(() => r.venue.userStreamUp === true, "the new subscription");
    await r.venue.sync(); // due: a (re)subscription may have missed events
    const fills = fillsOf(r.events);
    assert.deepEqual(
      fills.map((f) => [f.quantity.toString(), f.fee.toString(), f.feeAsset]),
      [["0.040", "0.00004000", "BTC"]],
    );
    assert.match(
      logs.join("\n"),
      /user data stream: connection closed.*\n.*reconnecting in \d+ ms/,
    );
    assert.equal(
      r.metrics.retryCount("user_stream", "closed"),
      1,
      "the reconnect counted on grinder_connector_retries_total{op=user_stream}",
    );
    w = r.wakes();
    local.ex.execute(id, "0.010");
    await until(() => r.wakes() > w, "the TRADE after the reconnect");
    await r.venue.sync();
    await r.venue.sync();
    assert.deepEqual(
      fillsOf(r.events).map((f) => f.quantity.toString()),
      ["0.040", "0.010"],
    );
  });

  it("a placement whose reply was lost is settled by the stream: accepted, then its trade, once", async () => {
    const venue = new BinanceSpotVenue({
      restUrl: local.ex.url,
      env: armedEnv(),
      confirmed: true,
      runId: "57e4a0000002",
      connectorMetrics: new ConnectorMetrics(),
      timeoutMs: 150,
      unknownStatusQueryDelayMs: 0,
      log: (l) => logs.push(l),
      userStream: {
        url: api.url,
        backoff: { baseMs: 20, maxMs: 80, multiplier: 2, jitter: "equal" },
      },
    });
    venues.push(venue);
    const events: OrderEvent[] = [];
    venue.setListener((e) => {
      if (e.kind !== "FundingApplied") events.push(e);
    });
    let wakes = 0;
    venue.startUserStream(() => {
      wakes++;
    });
    await until(() => venue.userStreamUp === true, "subscribed");
    await venue.sync();
    local.ex.inject({ method: "POST", path: "/api/v3/order" }, { kind: "hang", apply: true });
    local.ex.inject({ method: "GET", path: "/api/v3/order" }, { kind: "hang", apply: false });
    const a = order();
    await venue.submit(a);
    assert.equal(events.length, 0, "outcome unknown");
    const w = wakes;
    local.ex.execute(venue.exchangeIdOf(a.clientOrderId), "0.050");
    await until(() => wakes >= w + 1, "the TRADE report");
    await venue.sync();
    await venue.sync();
    assert.deepEqual(
      events.map((e) =>
        e.kind === "OrderFilled" ? `${e.kind} ${e.quantity} ${e.fee} ${e.feeAsset}` : e.kind,
      ),
      ["OrderAccepted", "OrderFilled 0.050 0.00005000 BTC"],
    );
    assert.equal(local.ex.calls("/api/v3/order", "POST").length, 1, "never placed again");
  });

  it("a refused subscription and a malformed frame are logged with what was expected; it reconnects", async () => {
    api.refuseNext(BINANCE_ERRORS.badSignature);
    const r = rig();
    await api.waitForSubscriptions(1);
    assert.match(
      logs.join("\n"),
      /subscription refused: 400 -1022: Signature for this request is not valid/,
    );
    await until(() => r.venue.userStreamUp === true, "subscribed");
    api.pushRaw(
      JSON.stringify({ subscriptionId: 0, event: { e: "executionReport", s: "BTCUSDT" } }),
    );
    await api.waitForSubscriptions(2);
    assert.match(
      logs.join("\n"),
      /user data stream: frame\.event\.S: expected a string, got nothing/,
    );
  });

  it("the local WS API checks the signature: a wrong secret is refused", async () => {
    const seen: string[] = [];
    const s = new SpotUserStream({
      url: api.url,
      env: {},
      apiKey: TEST_API_KEY,
      apiSecret: "not-the-secret",
      serverNowMs: () => Date.now(),
      backoff: { baseMs: 1000, maxMs: 1000, multiplier: 1, jitter: "none" },
      onEvent: () => {},
      onSubscribed: () => {},
      log: (l) => seen.push(l),
    });
    s.start();
    await until(() => seen.length >= 2, "the refusal");
    await s.stop();
    assert.match(seen[0] ?? "", /subscription refused: 400 -1022/);
    assert.equal(seen[1], "user data stream: reconnecting in 1000 ms");
  });
});
