/**
 * BinanceUsdmVenue against the local USD-M exchange: the start checks
 * (hedge mode refused, leverage set and checked), commissions booked from
 * the stream and from userTrades (hand-computed), fills booked once however
 * they are reported, prices put on the tick, the reduce-only refusal, the
 * listenKey keep-alive (fake timers), listenKeyExpired and a dropped stream
 * (new connection, REST re-sync), invalid events logged.
 */

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { FakeTimers } from "../../../test/support/fake-timers.js";
import {
  armedEnv,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../../../test/support/live-trade-testing.js";
import { LocalUsdmExchange } from "../../../test/support/local-usdm-exchange.js";
import { waitFor } from "../../../test/support/redis-server-process.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import type { FundingApplied, OrderEvent, OrderFilled, SubmitOrder } from "../../domain/orders.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { BinanceUsdmVenue } from "./binance-usdm-venue.js";
import { HEDGE_MODE_REFUSAL } from "./usdm-account-check.js";

const d = Decimal.parse;
const SYMBOL = "BTCUSDT";

let ex: LocalUsdmExchange;
let venue: BinanceUsdmVenue | undefined;
let events: OrderEvent[];
let fundings: FundingApplied[];
let logs: string[];
let timers: FakeTimers;
let sleeps: number[];
let metrics: ConnectorMetrics;
/** While set, the venue's sleeps (the stream's backoff) wait for it. */
let held: Promise<void> | undefined;

beforeEach(async () => {
  ex = await LocalUsdmExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  ex.setBook(SYMBOL, "99.50", "100.50");
  events = [];
  fundings = [];
  logs = [];
  sleeps = [];
  timers = new FakeTimers();
  metrics = new ConnectorMetrics();
  venue = undefined;
  held = undefined;
});

afterEach(async () => {
  await venue?.close();
  await ex.close();
});

function makeVenue(
  o: { stream?: boolean; restSyncMs?: number; realTime?: boolean } = {},
): BinanceUsdmVenue {
  venue = new BinanceUsdmVenue({
    restUrl: ex.url,
    ...(o.stream === false ? {} : { userStreamUrl: ex.wsUrl }),
    env: armedEnv(),
    confirmed: true,
    leverage: 3,
    runId: "0123456789ab",
    restSyncMs: o.restSyncMs ?? 3_600_000,
    timers,
    connectorMetrics: metrics,
    sleep: async (ms) => {
      sleeps.push(ms);
      // Real time where the exchange's clock and the client's rate guard must agree.
      if (o.realTime === true) await new Promise((r) => setTimeout(r, ms));
      await held;
    },
    random: () => 0.5,
    log: (l) => logs.push(l),
  });
  venue.setListener((e) => {
    if (e.kind !== "FundingApplied") events.push(e);
    else fundings.push(e);
  });
  return venue;
}

let n = 0;
function order(
  side: "BUY" | "SELL",
  price: string,
  qty: string,
  extra: Partial<SubmitOrder> = {},
): SubmitOrder {
  n++;
  return {
    kind: "SubmitOrder",
    ts: 1_700_000_000_000 + n,
    clientOrderId: `${SYMBOL}:1700000000000:${n}:${side}:${n}`,
    symbol: SYMBOL,
    side,
    price: d(price),
    quantity: d(qty),
    levelId: 1,
    actionIndex: 0,
    ...extra,
  };
}

const fills = (): OrderFilled[] => events.filter((e): e is OrderFilled => e.kind === "OrderFilled");

async function started(v: BinanceUsdmVenue): Promise<void> {
  await v.start([SYMBOL]);
  await waitFor(() => v.stream?.connected === true, 5000, "the user data stream");
}

/** Wait until every pushed frame reached the venue, then sync. */
async function settle(v: BinanceUsdmVenue, rest = false): Promise<void> {
  await waitFor(() => v.pushesReceived >= ex.pushed, 5000, "the pushed events");
  await v.sync({ rest });
}

describe("BinanceUsdmVenue: start", () => {
  it("refuses an account in hedge mode, naming what to change; nothing is placed", async () => {
    ex.dualSidePosition = true;
    const v = makeVenue();
    await assert.rejects(v.start([SYMBOL]), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, HEDGE_MODE_REFUSAL);
      assert.match(e.message, /one-way mode/);
      assert.match(e.message, /dualSidePosition=false/);
      return true;
    });
    assert.equal(ex.calls("/fapi/v1/order", "POST").length, 0);
    assert.equal(ex.calls("/fapi/v1/listenKey", "POST").length, 0, "no stream started");
  });

  it("sets the leverage of a symbol once before its first order, and reads the rules once", async () => {
    const v = makeVenue({ stream: false });
    await v.submit(order("BUY", "99.40", "0.100"));
    await v.submit(order("BUY", "99.30", "0.100"));
    assert.equal(ex.leverage.get(SYMBOL), 3);
    const lev = ex.calls("/fapi/v1/leverage", "POST");
    assert.equal(lev.length, 1);
    assert.equal(lev[0]?.params.get("leverage"), "3");
    assert.equal(ex.calls("/fapi/v1/exchangeInfo").length, 1);
    assert.deepEqual(
      events.map((e) => e.kind),
      ["OrderAccepted", "OrderAccepted"],
    );
  });

  it("logs the account and a position it finds", async () => {
    ex.setPosition(SYMBOL, "-0.250", "101.5");
    const v = makeVenue({ stream: false });
    await v.start([]);
    assert.ok(logs.some((l) => /wallet 10000 USDT/.test(l)));
    assert.ok(logs.some((l) => l.startsWith("USD-M position BTCUSDT -0.25 @ 101.5")));
    assert.ok(v.positions.get(SYMBOL)?.eq(d("-0.25")));
  });
});

describe("BinanceUsdmVenue: orders and fills", () => {
  it("a resting order filled by the market: the pushed trade is booked with its commission, once", async () => {
    const v = makeVenue();
    await started(v);
    const o = order("BUY", "99.40", "0.100");
    await v.submit(o);
    ex.execute(v.exchangeIdOf(o.clientOrderId), "0.040");
    ex.execute(v.exchangeIdOf(o.clientOrderId));
    await settle(v);
    // Maker 2 bps: 99.40 x 0.040 x 0.0002 = 0.0007952; 99.40 x 0.060 x 0.0002 = 0.0011928.
    assert.deepEqual(
      fills().map((f) => [
        f.price.toString(),
        f.quantity.toString(),
        f.fee.toString(),
        f.feeAsset,
        f.liquidity,
        f.leavesQuantity.toString(),
      ]),
      [
        ["99.40", "0.040", "0.0007952", "USDT", "maker", "0.060"],
        ["99.40", "0.060", "0.0011928", "USDT", "maker", "0"],
      ],
    );
    assert.deepEqual(
      fills().map((f) => f.tradeId),
      ex.trades.map((t) => String(t.id)),
    );
    await v.sync({ rest: true });
    assert.equal(fills().length, 2, "the REST sync books nothing again");
    assert.ok(v.positions.get(SYMBOL)?.eq(d("0.1")), "ACCOUNT_UPDATE shows the position");
  });

  it("a MARKET order: its trade from userTrades (taker commission), the pushed copy not booked again", async () => {
    const v = makeVenue();
    await started(v);
    const o = order("BUY", "100.00", "0.100", { orderType: "MARKET" });
    await v.submit(o);
    const sent = ex.calls("/fapi/v1/order", "POST")[0]?.params;
    assert.equal(sent?.get("type"), "MARKET");
    assert.equal(sent?.get("price"), null);
    assert.equal(sent?.get("newOrderRespType"), "RESULT");
    // Taker 5 bps at the ask: 100.50 x 0.100 x 0.0005 = 0.005025.
    assert.deepEqual(
      fills().map((f) => [f.price.toString(), f.fee.toString(), f.liquidity, f.tradeId]),
      [["100.50", "0.005025", "taker", String(ex.trades[0]?.id)]],
    );
    await settle(v);
    assert.equal(fills().length, 1);
  });

  it("a fill the trade list does not show yet is booked from the order; its trade later is not", async () => {
    const v = makeVenue({ stream: false });
    const o = order("SELL", "100.60", "0.100");
    await v.submit(o);
    ex.execute(v.exchangeIdOf(o.clientOrderId), "0.040");
    const lagging = ex.trades.splice(0); // the trade list does not show it yet
    await v.sync();
    ex.trades.push(...lagging);
    ex.execute(v.exchangeIdOf(o.clientOrderId));
    await v.sync();
    // The first from the order (no commission known), the second from its trade:
    // 100.60 x 0.060 x 0.0002 = 0.0012072.
    assert.deepEqual(
      fills().map((f) => [f.quantity.toString(), f.fee.toString(), f.feeAsset, f.liquidity]),
      [
        ["0.040", "0", "", "taker"],
        ["0.060", "0.0012072", "USDT", "maker"],
      ],
    );
  });

  it("a limit price off the tick goes on it: a BUY down, a SELL up", async () => {
    const v = makeVenue({ stream: false });
    await v.submit(order("BUY", "99.45", "0.100"));
    await v.submit(order("SELL", "100.55", "0.100"));
    assert.deepEqual(
      ex.calls("/fapi/v1/order", "POST").map((r) => r.params.get("price")),
      ["99.40", "100.60"],
    );
  });

  it("a reduce-only order that would open a position is refused with Binance's -2022", async () => {
    const v = makeVenue({ stream: false });
    const o = order("SELL", "100.00", "0.100", { orderType: "MARKET", reduceOnly: true });
    await v.submit(o);
    assert.equal(ex.calls("/fapi/v1/order", "POST")[0]?.params.get("reduceOnly"), "true");
    const e = events[0];
    assert.ok(e?.kind === "OrderRejected");
    assert.match(e.reason, /-2022: ReduceOnly Order is rejected/);
  });
});

describe("BinanceUsdmVenue: the user data stream", () => {
  it("keeps the listenKey alive every 30 minutes (fake timers)", async () => {
    const v = makeVenue();
    await started(v);
    assert.equal(ex.calls("/fapi/v1/listenKey", "PUT").length, 0);
    timers.advance(29 * 60 * 1000);
    assert.equal(ex.calls("/fapi/v1/listenKey", "PUT").length, 0);
    timers.advance(60 * 1000);
    await waitFor(() => v.stream?.keepAlives === 1, 5000, "the first keep-alive");
    timers.advance(30 * 60 * 1000);
    await waitFor(() => v.stream?.keepAlives === 2, 5000, "the second keep-alive");
    assert.equal(ex.calls("/fapi/v1/listenKey", "PUT").length, 2);
  });

  it("a keep-alive answered -1125 (key unknown): a new key and a new connection", async () => {
    const v = makeVenue();
    await started(v);
    ex.forgetListenKeys();
    timers.advance(30 * 60 * 1000);
    await waitFor(() => ex.calls("/fapi/v1/listenKey", "POST").length === 2, 5000, "a new key");
    await waitFor(() => v.stream?.connected === true && ex.streamCount === 1, 5000, "reconnected");
    assert.equal(v.stream?.keepAlives, 0, "the keep-alive failed");
    assert.ok(
      logs.some((l) => /keep-alive: .*-1125/.test(l)),
      logs.join("\n"),
    );
  });

  it("listenKeyExpired: a new key, a new connection, then a REST re-sync books the gap's fill", async () => {
    const v = makeVenue();
    await started(v);
    const o = order("BUY", "99.40", "0.100");
    await v.submit(o);
    ex.expireListenKey();
    await waitFor(() => ex.calls("/fapi/v1/listenKey", "POST").length === 2, 5000, "a new key");
    await waitFor(() => v.stream?.connected === true && ex.streamCount === 1, 5000, "reconnected");
    assert.equal(v.stream?.reconnects, 1);
    assert.equal(metrics.retryCount("user_stream", "listen_key_expired"), 1, "counted");
    const before = ex.calls("/fapi/v1/openOrders").length;
    await v.sync();
    assert.equal(ex.calls("/fapi/v1/openOrders").length, before + 1, "re-synced by REST");
    await v.sync();
    assert.equal(ex.calls("/fapi/v1/openOrders").length, before + 1, "once");
  });

  it("a dropped stream reconnects after a backoff; the fill made meanwhile comes from REST with its commission", async () => {
    const v = makeVenue();
    await started(v);
    const o = order("BUY", "99.40", "0.100");
    await v.submit(o);
    await settle(v);
    let release = (): void => {};
    held = new Promise((r) => {
      release = r;
    });
    ex.dropStreams();
    assert.equal(v.userStreamConnected, true, "connected before the drop");
    await waitFor(() => sleeps.length === 1, 5000, "the stream backs off");
    assert.equal(v.stream?.connected, false);
    assert.equal(v.userStreamConnected, false, "grinder_user_stream_connected 0 meanwhile");
    ex.execute(v.exchangeIdOf(o.clientOrderId)); // nobody listens
    release();
    await waitFor(() => v.stream?.connected === true, 5000, "reconnected");
    // Backoff after the first failure: 500 ms base, equal jitter at 0.5 -> 250 + floor(0.5 x 251) = 375.
    assert.deepEqual(sleeps, [375]);
    assert.equal(metrics.retryCount("user_stream", "closed"), 1, "counted");
    await v.sync();
    assert.deepEqual(
      fills().map((f) => [f.quantity.toString(), f.fee.toString(), f.liquidity]),
      [["0.100", "0.001988", "maker"]],
    );
  });

  it("an invalid event is logged with the field it lacks, and the stream goes on", async () => {
    const v = makeVenue();
    await started(v);
    ex.pushRaw(JSON.stringify({ e: "ORDER_TRADE_UPDATE", E: 1, T: 1, o: { s: SYMBOL } }));
    await waitFor(() => (v.stream?.badFrames ?? 0) === 1, 5000, "the bad frame");
    assert.ok(
      logs.some((l) =>
        /invalid event ignored: user data stream ORDER_TRADE_UPDATE\.o: field "c"/.test(l),
      ),
      logs.join("\n"),
    );
    assert.equal(v.stream?.connected, true);
  });
});

describe("BinanceUsdmVenue: funding", () => {
  it("a funding payment is booked from the income history with its rate and mark, once, and not again after a replay", async () => {
    const v = makeVenue();
    await started(v);
    const o = order("BUY", "99.40", "0.100");
    await v.submit(o);
    ex.execute(v.exchangeIdOf(o.clientOrderId));
    await settle(v);
    // Long 0.100 at mark 101.20, rate 0.0001: pays 0.100 x 101.20 x 0.0001 = 0.001012.
    const t = Date.now();
    ex.settleFunding(SYMBOL, "0.0001", "101.20", t);
    await settle(v);
    assert.deepEqual(
      fundings.map((f) => [
        f.symbol,
        f.ts,
        f.position.toString(),
        f.markPrice.toString(),
        f.rate.toString(),
        f.payment.toString(),
      ]),
      [[SYMBOL, t, "0.1", "101.2", "0.0001", "-0.001012"]],
    );
    await v.sync({ rest: true });
    assert.equal(fundings.length, 1, "a second sync books nothing again");

    // A fresh venue that replays the journal's items (the order, its fill, the funding).
    const replayed = [...fundings];
    await v.close();
    fundings.splice(0);
    const w = makeVenue({ stream: false });
    w.restore(o);
    for (const e of events) w.restore(e);
    for (const f of replayed) w.restore(f);
    await w.sync({ rest: true, symbols: [SYMBOL] });
    assert.equal(fundings.length, 0, "the journaled payment is not booked twice");
    // The next funding is booked: a negative rate, so the long receives 0.100 x 100.00 x
    // 0.0002 = 0.002.
    ex.settleFunding(SYMBOL, "-0.0002", "100.00", t + 8 * 3_600_000);
    await w.sync({ rest: true, symbols: [SYMBOL] });
    assert.deepEqual(
      fundings.map((f) => f.payment.toString()),
      ["0.002"],
    );
  });
});

describe("BinanceUsdmVenue: a restart's strict listing", () => {
  it("waits out a short Retry-After (429) instead of failing, and goes on", async () => {
    // The rate guard and the exchange both run on real time: a real 1 s wait.
    const v = makeVenue({ stream: false, realTime: true });
    ex.inject(
      { method: "GET", path: "/fapi/v1/openOrders" },
      {
        kind: "reply",
        status: 429,
        body: { code: -1003, msg: "Too many requests." },
        headers: { "retry-after": "1" },
      },
    );
    await v.sync({ strict: true, symbols: [SYMBOL] });
    assert.ok(sleeps.includes(1000), `waited the 1 s Retry-After (sleeps ${sleeps.join(", ")})`);
    assert.equal(ex.calls("/fapi/v1/openOrders").length, 2, "asked again after the wait");
    assert.ok(logs.some((l) => /open orders of BTCUSDT: .*waiting 1000 ms/.test(l)));
  });
});
