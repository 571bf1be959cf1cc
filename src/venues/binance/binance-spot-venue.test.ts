/**
 * BinanceSpotVenue beyond the shared contract: safety (arming, mainnet,
 * kill switch, 418, secrets), the write path's recovery (unknown outcomes,
 * Retry-After), Binance's reply details (fills with commission, cancels too
 * late), and sync after a restart (fills while down booked once, orders
 * journaled but never sent placed with the same id, strays and foreign
 * orders reported).
 */

import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { inspect } from "node:util";
import {
  armedEnv,
  localExchangePerTest,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../../../test/support/live-trade-testing.js";
import { BINANCE_ERRORS } from "../../../test/support/local-binance-exchange.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import type { OrderEvent, OrderFilled, SubmitOrder } from "../../domain/orders.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { makeRetryPolicy } from "../../net/retry-policy.js";
import { BinanceSpotVenue, type BinanceSpotVenueOptions } from "./binance-spot-venue.js";

const d = Decimal.parse;
const RUN = "0123456789ab";

const local = localExchangePerTest();
let sleeps: number[];
let logs: string[];
beforeEach(() => {
  sleeps = [];
  logs = [];
});

interface Rig {
  readonly venue: BinanceSpotVenue;
  readonly events: OrderEvent[];
}

function rig(o: Partial<BinanceSpotVenueOptions> = {}): Rig {
  const venue = new BinanceSpotVenue({
    restUrl: local.ex.url,
    env: armedEnv(),
    confirmed: true,
    runId: RUN,
    connectorMetrics: new ConnectorMetrics(),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    unknownStatusQueryDelayMs: 0,
    log: (l) => logs.push(l),
    ...o,
  });
  const events: OrderEvent[] = [];
  venue.setListener((e) => {
    if (e.kind !== "FundingApplied") events.push(e);
  });
  return { venue, events };
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

const kinds = (events: readonly OrderEvent[]) => events.map((e) => e.kind);
const fillsOf = (events: readonly OrderEvent[]) =>
  events.filter((e): e is OrderFilled => e.kind === "OrderFilled");

describe("BinanceSpotVenue: safety", () => {
  it("refuses to exist unarmed or pointed at mainnet, naming why", () => {
    const base = { restUrl: local.ex.url, env: armedEnv(), confirmed: true };
    assert.throws(
      () => new BinanceSpotVenue({ ...base, confirmed: false }),
      (e: unknown) => e instanceof ConfigError && /--confirm TESTNET not given/.test(e.message),
    );
    assert.throws(
      () => new BinanceSpotVenue({ ...base, env: armedEnv({ ARMED: "0" }) }),
      /live_trade is not armed: ARMED=1 not set/,
    );
    assert.throws(
      () => new BinanceSpotVenue({ ...base, restUrl: "https://api.binance.com" }),
      /Mainnet is forbidden/,
    );
    assert.equal(local.ex.requests.length, 0);
  });

  it("the kill switch rejects submits before the network and lets cancels through", async () => {
    const r = rig();
    const a = order();
    await r.venue.submit(a);
    r.venue.gate.update({ killSwitchActive: true });
    const b = order();
    const posts = local.ex.calls("/api/v3/order", "POST").length;
    await r.venue.submit(b);
    assert.equal(local.ex.calls("/api/v3/order", "POST").length, posts, "no request");
    const rej = r.events.at(-1);
    assert.ok(rej?.kind === "OrderRejected" && rej.reason === "KILL_SWITCH_ACTIVE");
    await r.venue.cancel({
      kind: "CancelOrder",
      ts: 1,
      clientOrderId: a.clientOrderId,
      symbol: "BTCUSDT",
    });
    assert.equal(r.events.at(-1)?.kind, "OrderCanceled");
  });

  it("after a 418 every write is refused without a request: submits rejected with the ban", async () => {
    const r = rig();
    await r.venue.submit(order());
    local.ex.inject(
      { method: "POST" },
      { kind: "reply", status: 418, body: BINANCE_ERRORS.banned(Date.now() + 60_000) },
    );
    await r.venue.submit(order());
    const first = r.events.at(-1);
    assert.ok(
      first?.kind === "OrderRejected" && /IP banned/.test(first.reason),
      "the ban's message",
    );
    const before = local.ex.requests.length;
    await r.venue.submit(order());
    assert.equal(local.ex.requests.length, before);
    const second = r.events.at(-1);
    assert.ok(
      second?.kind === "OrderRejected" && /Writes stopped after an IP ban/.test(second.reason),
    );
  });

  it("repeated upstream failures open the circuit: later submits are rejected without a request", async () => {
    const r = rig({
      retryPolicy: makeRetryPolicy({ maxAttempts: 1 }),
      breaker: { failureThreshold: 2, openIntervalMs: 60_000 },
    });
    await r.venue.submit(order()); // time synced, one order placed
    for (let i = 0; i < 2; i++) {
      local.ex.inject(
        { method: "POST", path: "/api/v3/order" },
        { kind: "reply", status: 503, body: BINANCE_ERRORS.serverError },
      );
      await r.venue.submit(order());
    }
    const before = local.ex.requests.length;
    await r.venue.submit(order());
    assert.equal(local.ex.requests.length, before, "no request while the circuit is open");
    const last = r.events.at(-1);
    assert.ok(last?.kind === "OrderRejected", "rejected");
    assert.match(last.reason, /circuit/i);
    assert.deepEqual(
      r.events.map((e) => e.kind),
      ["OrderAccepted", "OrderRejected", "OrderRejected", "OrderRejected"],
    );
  });

  it("never exposes or logs the credentials", async () => {
    const r = rig();
    await r.venue.submit(order({ price: d("99.905") }));
    const shown = `${inspect(r.venue, { depth: 6 })} ${logs.join("\n")} ${JSON.stringify(r.events)}`;
    assert.ok(!shown.includes(TEST_API_KEY) && !shown.includes(TEST_API_SECRET));
    assert.ok(!shown.includes("PLANTED"));
  });
});

describe("BinanceSpotVenue: submit and cancel", () => {
  it("a placement that trades at once reports each fill with Binance's price, commission, asset and trade id", async () => {
    local.ex.setBook("BTCUSDT", "99.80", "99.85");
    const r = rig();
    const o = order({ price: d("99.90") });
    await r.venue.submit(o);
    assert.deepEqual(kinds(r.events), ["OrderAccepted", "OrderFilled"]);
    const acc = r.events[0];
    assert.ok(acc?.kind === "OrderAccepted");
    assert.equal(
      acc.venueOrderId,
      String(local.ex.order(r.venue.exchangeIdOf(o.clientOrderId)).orderId),
    );
    const f = fillsOf(r.events)[0] as OrderFilled;
    assert.equal(f.price.toString(), "99.85", "at the ask, in the order's scale");
    assert.equal(f.quantity.toString(), "0.100");
    assert.equal(f.fee.toString(), "0.00010000", "0.1% of 0.1 BTC");
    assert.equal(f.feeAsset, "BTC", "a BUY pays in the base asset");
    assert.equal(f.liquidity, "taker");
    assert.equal(f.tradeId, String(local.ex.trades[0]?.id));
    assert.ok(f.leavesQuantity.isZero());
    assert.deepEqual(await r.venue.openOrders("BTCUSDT"), []);
    await r.venue.sync();
    assert.equal(fillsOf(r.events).length, 1, "a sync books nothing more");
  });

  it("a refusal carries Binance's code and message; orders breaking the exchange's filters are refused before sending", async () => {
    const r = rig();
    // The exchange's rules tighten after the venue read them: Binance refuses (-1013), the
    // venue reads the rules again and refuses the next such order itself, with the values.
    await r.venue.submit(order());
    local.ex.setRules("BTCUSDT", { stepSize: "0.01", minQty: "0.01" });
    await r.venue.submit(order({ quantity: d("0.105") }));
    const e = r.events.at(-1);
    assert.ok(e?.kind === "OrderRejected");
    assert.match(e.reason, /-1013: Filter failure: LOT_SIZE/);
    const posts = local.ex.calls("/api/v3/order", "POST").length;
    await r.venue.submit(order({ quantity: d("0.105") }));
    await r.venue.submit(order({ quantity: d("0.005") }));
    await r.venue.submit(order({ price: d("99.905") }));
    await r.venue.submit(order({ price: d("0.01"), quantity: d("0.10") }));
    assert.deepEqual(
      r.events.slice(-4).map((x) => (x.kind === "OrderRejected" ? x.reason : x.kind)),
      [
        "FILTER_LOT_SIZE: quantity 0.105 is not a multiple of the step 0.01000000",
        "FILTER_LOT_SIZE: quantity 0.005 is below minQty 0.01000000",
        "FILTER_PRICE: price 99.905 is not a multiple of the tick 0.01000000",
        "FILTER_MIN_NOTIONAL: 0.01 x 0.10 = 0.0010 is below 0.05000000",
      ],
    );
    assert.equal(local.ex.calls("/api/v3/order", "POST").length, posts, "none sent");
    assert.equal(
      local.ex.calls("/api/v3/exchangeInfo").length,
      2,
      "read at the first order and after the -1013",
    );
    await r.venue.submit(order({ orderType: "MARKET" }));
    await r.venue.submit(order({ reduceOnly: true }));
    const [market, reduce] = r.events.slice(-2);
    assert.ok(
      market?.kind === "OrderRejected" && /UNSUPPORTED: MARKET order on spot/.test(market.reason),
    );
    assert.ok(
      reduce?.kind === "OrderRejected" && /UNSUPPORTED: LIMIT reduce-only/.test(reduce.reason),
    );
    assert.equal(local.ex.calls("/api/v3/order", "POST").length, posts, "never sent");
  });

  it("transient failures are retried with the policy's backoff, never sooner than a 429's Retry-After; placed once", async () => {
    const policy = makeRetryPolicy({ maxAttempts: 3, baseDelayMs: 100, jitter: "none" });
    const r = rig({ retryPolicy: policy });
    local.ex.inject(
      { method: "POST", path: "/api/v3/order" },
      { kind: "reply", status: 429, body: BINANCE_ERRORS.tooMany, headers: { "retry-after": "0" } },
    );
    await r.venue.submit(order());
    assert.deepEqual(kinds(r.events), ["OrderAccepted"]);
    assert.deepEqual(sleeps, [100], "the policy's backoff when Retry-After is shorter");
    local.ex.inject(
      { method: "POST", path: "/api/v3/order" },
      { kind: "reply", status: 429, body: BINANCE_ERRORS.tooMany, headers: { "retry-after": "2" } },
    );
    // The rate guard refuses requests until Retry-After has passed; the injected sleep does not
    // wait, so the next attempt is refused too (its Retry-After: what is left of the 2 s) and
    // the last one as well: rejected, not sent.
    await r.venue.submit(order());
    assert.equal(sleeps.length, 3);
    assert.equal(sleeps[1], 2000, "Retry-After is a floor of the backoff");
    assert.ok((sleeps[2] ?? 0) > 1500 && (sleeps[2] ?? 0) <= 2000, "then what is left of it");
    const last = r.events.at(-1);
    assert.ok(last?.kind === "OrderRejected" && /rate limit/i.test(last.reason));
    assert.equal(local.ex.orders.length, 1, "placed once, refused while backing off");
  });

  it("a reply that never comes is resolved by querying the id; when that fails too, sync settles it", async () => {
    const metrics = new ConnectorMetrics();
    const r = rig({ timeoutMs: 150, connectorMetrics: metrics });
    local.ex.inject({ method: "POST", path: "/api/v3/order" }, { kind: "hang", apply: true });
    await r.venue.submit(order());
    assert.deepEqual(kinds(r.events), ["OrderAccepted"], "found by the query");

    local.ex.inject({ method: "POST", path: "/api/v3/order" }, { kind: "hang", apply: true });
    local.ex.inject({ method: "GET", path: "/api/v3/order" }, { kind: "hang", apply: false });
    const o = order();
    await r.venue.submit(o);
    assert.deepEqual(kinds(r.events), ["OrderAccepted"], "nothing known yet");
    assert.match(logs.join("\n"), /Order status unknown after place .*settled by sync/);
    local.ex.execute(r.venue.exchangeIdOf(o.clientOrderId), "0.04");
    await r.venue.sync();
    assert.deepEqual(kinds(r.events), ["OrderAccepted", "OrderAccepted", "OrderFilled"]);
    assert.equal(local.ex.calls("/api/v3/order", "POST").length, 2, "never sent twice");
    assert.equal(metrics.idempotencyMisses.get("place"), 2, "two placements sent");
    assert.equal(metrics.idempotencyHits.get("place"), 1, "one found by sync, not sent again");
    await r.venue.submit(o);
    assert.equal(metrics.idempotencyConflicts.get("place"), 1, "its id again: refused");
    assert.equal(r.events.at(-1)?.kind, "OrderRejected");
  });

  it("a cancel that comes too late: the fill first, then OrderCancelRejected", async () => {
    const r = rig();
    const o = order();
    await r.venue.submit(o);
    local.ex.fill(r.venue.exchangeIdOf(o.clientOrderId));
    await r.venue.cancel({
      kind: "CancelOrder",
      ts: 2,
      clientOrderId: o.clientOrderId,
      symbol: "BTCUSDT",
    });
    assert.deepEqual(kinds(r.events), ["OrderAccepted", "OrderFilled", "OrderCancelRejected"]);
    const f = fillsOf(r.events)[0] as OrderFilled;
    assert.equal(f.quantity.toString(), "0.100");
    assert.equal(f.price.toString(), "99.90", "cummulativeQuoteQty / executedQty");
    assert.ok(f.leavesQuantity.isZero());
  });

  it("the average price of a fill found by sync comes from the quote quantity delta", async () => {
    const r = rig();
    const o = order({ side: "SELL", price: d("100.10") });
    await r.venue.submit(o);
    const id = r.venue.exchangeIdOf(o.clientOrderId);
    local.ex.execute(id, "0.03");
    await r.venue.sync();
    local.ex.execute(id, "0.07");
    await r.venue.sync();
    const fills = fillsOf(r.events);
    assert.deepEqual(
      fills.map((f) => [f.quantity.toString(), f.price.toString(), f.leavesQuantity.toString()]),
      [
        ["0.030", "100.10", "0.070"],
        ["0.070", "100.10", "0"],
      ],
    );
    assert.notEqual(fills[0]?.tradeId, fills[1]?.tradeId);
  });
});

describe("BinanceSpotVenue: fills from the account's trade list", () => {
  it("each trade of a resting order is booked once with its commission, maker flag and trade id", async () => {
    const r = rig();
    const o = order({ side: "SELL", price: d("100.10") });
    await r.venue.submit(o);
    const id = r.venue.exchangeIdOf(o.clientOrderId);
    const t1 = local.ex.execute(id, "0.030");
    const t2 = local.ex.execute(id, "0.020");
    await r.venue.sync();
    const fills = fillsOf(r.events);
    // SELL: commission in USDT, 0.1% of 100.10 x qty.
    assert.deepEqual(
      fills.map((f) => [
        f.tradeId,
        f.quantity.toString(),
        f.fee.toString(),
        f.feeAsset,
        f.liquidity,
      ]),
      [
        [String(t1.id), "0.030", "0.00300300", "USDT", "maker"],
        [String(t2.id), "0.020", "0.00200200", "USDT", "maker"],
      ],
    );
    assert.deepEqual(
      fills.map((f) => f.leavesQuantity.toString()),
      ["0.070", "0.050"],
    );
    await r.venue.sync();
    assert.equal(fillsOf(r.events).length, 2, "nothing twice");
  });

  it("a failed trade list leaves the order for the next sync; a restart never books a journaled trade again", async () => {
    const r = rig();
    const o = order();
    await r.venue.submit(o);
    const id = r.venue.exchangeIdOf(o.clientOrderId);
    local.ex.execute(id, "0.040");
    local.ex.inject(
      { path: "/api/v3/myTrades" },
      { kind: "reply", status: 503, body: BINANCE_ERRORS.serverError },
    );
    await r.venue.sync();
    assert.deepEqual(kinds(r.events), ["OrderAccepted"]);
    assert.match(logs.join("\n"), /trades of .*retried at the next sync/);
    local.ex.fill(id); // the rest trades, then the order is off the book
    await r.venue.sync();
    const fills = fillsOf(r.events);
    assert.deepEqual(
      fills.map((f) => [f.quantity.toString(), f.fee.toString(), f.feeAsset]),
      [
        ["0.040", "0.00004000", "BTC"],
        ["0.060", "0.00006000", "BTC"],
      ],
    );
    // A second client rebuilt from the journal (commands and events) books nothing.
    const again = rig();
    again.venue.restore(o);
    for (const e of r.events) again.venue.restore(e);
    await again.venue.sync({ strict: true });
    assert.deepEqual(again.events, []);
  });

  it("an averaged fill booked earlier is not booked again by its trades", async () => {
    const r = rig();
    const o = order();
    await r.venue.submit(o);
    const id = r.venue.exchangeIdOf(o.clientOrderId);
    local.ex.execute(id, "0.040");
    // The journal of an older version holds the fill without trade detail.
    const second = rig();
    second.venue.restore(o);
    second.venue.restore(r.events[0] as OrderEvent);
    second.venue.restore({
      kind: "OrderFilled",
      ts: 3,
      clientOrderId: o.clientOrderId,
      symbol: "BTCUSDT",
      side: "BUY",
      price: d("99.90"),
      quantity: d("0.040"),
      fee: Decimal.ZERO,
      feeAsset: "",
      liquidity: "maker",
      tradeId: "1000:0.040",
      leavesQuantity: d("0.060"),
    });
    local.ex.execute(id, "0.010");
    await second.venue.sync();
    const fills = fillsOf(second.events);
    assert.deepEqual(
      fills.map((f) => [f.quantity.toString(), f.leavesQuantity.toString()]),
      [["0.010", "0.050"]],
    );
  });
});

describe("BinanceSpotVenue: sync after a restart", () => {
  it("books fills made while down once, sends what was journaled but never sent, reports strays and foreign orders", async () => {
    const first = rig();
    const a = order();
    const b = order({ side: "SELL", price: d("100.10") });
    await first.venue.submit(a);
    await first.venue.submit(b);
    const journal: (SubmitOrder | OrderEvent)[] = [a, b, ...first.events];
    // A third order was journaled, then the process died before sending it.
    const c = order({ price: d("99.50") });
    journal.push(c);
    // While down: a trades in part, b in full; a stray of ours and a manual order appear.
    local.ex.execute(first.venue.exchangeIdOf(a.clientOrderId), "0.04");
    local.ex.fill(first.venue.exchangeIdOf(b.clientOrderId));
    local.ex.seedOrder({
      symbol: "BTCUSDT",
      clientOrderId: `grinder-e0-${"5a".repeat(8)}`,
      side: "BUY",
      price: "90.00",
      qty: "0.1",
    });
    local.ex.seedOrder({
      symbol: "ETHUSDT",
      clientOrderId: "web_manual_1",
      side: "SELL",
      price: "60.00",
      qty: "1",
    });

    const second = rig();
    for (const x of journal) second.venue.restore(x);
    const report = await second.venue.sync({ symbols: ["ETHUSDT"], strict: true });
    const seen = second.events.map((e) => `${e.kind} ${e.clientOrderId}`);
    assert.deepEqual(seen, [
      `OrderFilled ${a.clientOrderId}`,
      `OrderFilled ${b.clientOrderId}`,
      `OrderAccepted ${c.clientOrderId}`,
    ]);
    const [fa, fb] = fillsOf(second.events);
    assert.equal(fa?.quantity.toString(), "0.040");
    assert.equal(fa?.leavesQuantity.toString(), "0.060");
    assert.ok(fb?.leavesQuantity.isZero());
    assert.deepEqual(report.untracked, [
      { symbol: "BTCUSDT", exchangeClientOrderId: `grinder-e0-${"5a".repeat(8)}`, ours: true },
      { symbol: "ETHUSDT", exchangeClientOrderId: "web_manual_1", ours: false },
    ]);
    assert.equal(
      local.ex
        .calls("/api/v3/order", "POST")
        .filter(
          (q) => q.params.get("newClientOrderId") === second.venue.exchangeIdOf(c.clientOrderId),
        ).length,
      1,
      "sent once, under the journaled order's id",
    );
    await second.venue.sync();
    assert.equal(second.events.length, 3, "a second sync books nothing");
    assert.equal(
      await second.venue.cancelUntracked("BTCUSDT", `grinder-e0-${"5a".repeat(8)}`),
      undefined,
    );
    assert.match(String(await second.venue.cancelUntracked("BTCUSDT", "nope")), /-2011/);
  });

  it("a restart's strict listing waits out a short Retry-After instead of failing", async () => {
    const r = rig({ sleep: (ms) => new Promise((done) => setTimeout(done, ms)) });
    const o = order();
    await r.venue.submit(o);
    local.ex.inject(
      { path: "/api/v3/openOrders" },
      { kind: "reply", status: 429, body: BINANCE_ERRORS.tooMany, headers: { "retry-after": "1" } },
    );
    local.ex.execute(r.venue.exchangeIdOf(o.clientOrderId), "0.020");
    await r.venue.sync({ strict: true });
    assert.deepEqual(kinds(r.events), ["OrderAccepted", "OrderFilled"]);
    assert.match(
      logs.join("\n"),
      /open orders of BTCUSDT: .*Retry-After|open orders of BTCUSDT: .*429.*waiting \d+ ms/,
    );
  });

  it("ids carry the epoch they were sent under; restored orders keep theirs", async () => {
    const first = rig();
    const a = order();
    await first.venue.submit(a);
    first.venue.useEpoch(7);
    const b = order();
    await first.venue.submit(b);
    const sent = local.ex
      .calls("/api/v3/order", "POST")
      .map((q) => q.params.get("newClientOrderId"));
    assert.match(String(sent[0]), /^grinder-e0-[0-9a-f]{16}$/);
    assert.match(String(sent[1]), /^grinder-e7-[0-9a-f]{16}$/);
    assert.equal(String(sent[0]).slice(-16) === String(sent[1]).slice(-16), false);

    // A restart replays the journal under the epoch each line was written in, then trades under 9.
    const second = rig();
    second.venue.restore(a);
    second.venue.useEpoch(7);
    second.venue.restore(b);
    for (const e of first.events) second.venue.restore(e);
    second.venue.useEpoch(9);
    const c = order();
    await second.venue.submit(c);
    assert.deepEqual(
      second.venue.trackedOrders().map((t) => t.exchangeClientOrderId),
      [
        sent[0],
        sent[1],
        local.ex.calls("/api/v3/order", "POST").at(-1)?.params.get("newClientOrderId"),
      ],
    );
    assert.match(second.venue.trackedOrders()[2]?.exchangeClientOrderId ?? "", /^grinder-e9-/);
    await second.venue.sync({ strict: true });
    assert.equal(second.events.length, 1, "a and b recognised on the exchange: nothing new");
    assert.throws(() => second.venue.useEpoch(10_000_000), /fencing epoch/);
  });

  it("an order gone from the exchange without trace expires; a failed listing throws when strict", async () => {
    const r = rig();
    const o = order();
    await r.venue.submit(o);
    local.ex.orders.length = 0; // the exchange lost it
    await r.venue.sync();
    assert.equal(r.events.at(-1)?.kind, "OrderExpired");
    local.ex.inject(
      { path: "/api/v3/openOrders" },
      { kind: "reply", status: 400, body: BINANCE_ERRORS.badSymbol },
    );
    await r.venue.submit(order());
    await assert.rejects(r.venue.sync({ strict: true }), /-1121/);
    local.ex.inject(
      { path: "/api/v3/openOrders" },
      { kind: "reply", status: 400, body: BINANCE_ERRORS.badSymbol },
    );
    await r.venue.sync();
    assert.match(logs.join("\n"), /open orders of BTCUSDT: .*-1121.*\(retried later\)/);
  });
});
