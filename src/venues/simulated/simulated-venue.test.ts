import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dec } from "../../core/decimal.js";
import { OrderSide } from "../../domain/enums.js";
import type { OrderFilled, SubmitOrder, VenueEvent } from "../../domain/orders.js";
import { Snapshot } from "../../domain/snapshot.js";
import { FeeModel } from "./fee-model.js";
import { ConstantLatency } from "./latency-model.js";
import { type SimulatedFillModel, SimulatedVenue } from "./simulated-venue.js";

interface Quote {
  readonly bid: string;
  readonly ask: string;
  readonly bidQty?: string;
  readonly askQty?: string;
  readonly last?: string;
  readonly lastQty?: string;
  readonly taker?: "BUY" | "SELL";
}

function snap(ts: number, q: Quote): Snapshot {
  return new Snapshot({
    ts,
    symbol: "BTCUSDT",
    bidPrice: dec(q.bid),
    askPrice: dec(q.ask),
    bidQty: dec(q.bidQty ?? "10"),
    askQty: dec(q.askQty ?? "10"),
    lastPrice: dec(q.last ?? q.bid),
    lastQty: dec(q.lastQty ?? "0"),
    ...(q.taker !== undefined ? { takerSide: q.taker } : {}),
  });
}

function venue(
  o: {
    model?: SimulatedFillModel;
    orderMs?: number;
    cancelMs?: number;
    l1?: boolean;
    makerBps?: number;
    takerBps?: number;
  } = {},
) {
  const v = new SimulatedVenue({
    fillModel: o.model ?? "cross",
    latency: new ConstantLatency(o.orderMs ?? 0, o.cancelMs ?? 0),
    fees: new FeeModel({ makerBps: o.makerBps ?? 10, takerBps: o.takerBps ?? 10 }),
    l1QtyLimitsFills: o.l1 ?? true,
    feeAsset: () => "USDT",
  });
  const events: VenueEvent[] = [];
  v.setListener((e) => events.push(e));
  return { v, events };
}

function buy(id: string, price: string, qty: string, ts: number): SubmitOrder {
  return order(id, OrderSide.BUY, price, qty, ts);
}

function order(id: string, side: OrderSide, price: string, qty: string, ts: number): SubmitOrder {
  return {
    kind: "SubmitOrder",
    ts,
    clientOrderId: id,
    symbol: "BTCUSDT",
    side,
    price: dec(price),
    quantity: dec(qty),
    levelId: 1,
    actionIndex: 0,
  };
}

/** Fills as [ts, qty, price, liquidity, fee, leaves] strings, for exact comparison. */
function fills(events: readonly VenueEvent[]) {
  return events
    .filter((e): e is OrderFilled => e.kind === "OrderFilled")
    .map((f) => [
      f.ts,
      f.quantity.toString(),
      f.price.toString(),
      f.liquidity,
      f.fee.toString(),
      f.leavesQuantity.toString(),
    ]);
}

describe("SimulatedVenue, cross model", () => {
  test("a resting BUY fills as maker at its price when the ask reaches it, within the ask's L1 quantity", () => {
    const { v, events } = venue();
    v.onMarket(snap(1, { bid: "100", ask: "101" }));
    v.submit(buy("b1", "100.5", "3", 1));
    v.onMarket(snap(2, { bid: "100", ask: "100.5", askQty: "2" }));
    v.onMarket(snap(3, { bid: "99", ask: "100.4", askQty: "4" }));
    // 2 x 100.5 = 201 at 10 bps = 0.201; then 1 x 100.5 x 0.001 = 0.1005 (its own price, not 100.4).
    assert.deepEqual(fills(events), [
      [2, "2", "100.5", "maker", "0.2010", "1"],
      [3, "1", "100.5", "maker", "0.1005", "0"],
    ]);
    assert.equal(events[0]?.kind, "OrderAccepted");
    assert.deepEqual(v.openOrders("BTCUSDT"), []);
  });

  test("a quote's L1 quantity is shared by the orders it reaches, best price first", () => {
    const { v, events } = venue();
    v.onMarket(snap(1, { bid: "99", ask: "101" }));
    v.submit(buy("low", "99.5", "1", 1));
    v.submit(buy("high", "100", "1", 1));
    v.onMarket(snap(2, { bid: "99", ask: "99.5", askQty: "1.5" }));
    const f = events.filter((e): e is OrderFilled => e.kind === "OrderFilled");
    assert.deepEqual(
      f.map((x) => [x.clientOrderId, x.quantity.toString()]),
      [
        ["high", "1"],
        ["low", "0.5"],
      ],
    );
  });

  test("without the L1 limit a reached order fills whole", () => {
    const { v, events } = venue({ l1: false });
    v.onMarket(snap(1, { bid: "99", ask: "101" }));
    v.submit(buy("b", "100", "7", 1));
    v.onMarket(snap(2, { bid: "99", ask: "100", askQty: "1" }));
    assert.deepEqual(fills(events), [[2, "7", "100", "maker", "0.700", "0"]]);
  });

  test("order latency: not live before submit + latency; crossing at go-live is a taker at the opposite best", () => {
    const { v, events } = venue({ orderMs: 30, takerBps: 5, makerBps: 2 });
    v.onMarket(snap(0, { bid: "100", ask: "101", askQty: "0.5" }));
    v.submit(buy("b", "102", "1", 0));
    assert.equal(events.length, 0, "nothing before the order is live");
    v.onMarket(snap(20, { bid: "100", ask: "101", askQty: "0.5" }));
    assert.equal(events.length, 0, "still in flight at 20");
    // Live at 30, against the quote in force then (ask 101 x 0.5): taker 0.5 @ 101, fee 101 x 0.5 x 5 bps.
    v.onMarket(snap(40, { bid: "103", ask: "104", bidQty: "1", askQty: "1" }));
    v.onMarket(snap(50, { bid: "101", ask: "102", askQty: "3" }));
    assert.deepEqual(fills(events), [
      [30, "0.5", "101", "taker", "0.02525", "0.5"],
      [50, "0.5", "102", "maker", "0.01020", "0.0"],
    ]);
    assert.deepEqual(
      events.map((e) => [e.kind, e.ts]),
      [
        ["OrderAccepted", 30],
        ["OrderFilled", 30],
        ["OrderFilled", 50],
      ],
    );
  });

  test("cancel latency: the order can fill until cancel + latency, not at or after it", () => {
    const { v, events } = venue({ cancelMs: 30 });
    v.onMarket(snap(0, { bid: "99", ask: "101" }));
    v.submit(buy("a", "100", "1", 0));
    v.submit(buy("b", "100", "1", 0));
    v.cancel({ kind: "CancelOrder", ts: 10, clientOrderId: "a", symbol: "BTCUSDT" });
    v.onMarket(snap(20, { bid: "99", ask: "100", askQty: "1" }));
    // a filled at 20 (< 40); b is cancelled at 40 before the quote at 40 could reach it.
    v.cancel({ kind: "CancelOrder", ts: 10, clientOrderId: "b", symbol: "BTCUSDT" });
    v.onMarket(snap(40, { bid: "98", ask: "99", askQty: "5" }));
    assert.deepEqual(
      events.map((e) => [e.kind, "clientOrderId" in e ? e.clientOrderId : "", e.ts]),
      [
        ["OrderAccepted", "a", 0],
        ["OrderAccepted", "b", 0],
        ["OrderFilled", "a", 20],
        ["OrderCanceled", "b", 40],
      ],
    );
  });

  test("duplicates, invalid orders and unknown cancels are refused", () => {
    const { v, events } = venue();
    v.onMarket(snap(0, { bid: "99", ask: "101" }));
    v.submit(buy("a", "100", "1", 0));
    v.submit(buy("a", "100", "1", 0));
    v.submit(buy("z", "100", "0", 0));
    v.cancel({ kind: "CancelOrder", ts: 1, clientOrderId: "nope", symbol: "BTCUSDT" });
    assert.deepEqual(
      events.map((e) => [
        e.kind,
        "clientOrderId" in e ? e.clientOrderId : "",
        "reason" in e ? e.reason : "",
      ]),
      [
        ["OrderAccepted", "a", ""],
        ["OrderRejected", "a", "DUPLICATE_CLIENT_ORDER_ID"],
        ["OrderRejected", "z", "INVALID_ORDER"],
        ["OrderCancelRejected", "nope", "UNKNOWN_ORDER"],
      ],
    );
    assert.equal(v.openOrders("BTCUSDT").length, 1);
  });
});

describe("SimulatedVenue, trade_queue model", () => {
  test("trades at the price eat the queue first, then fill; a trade through the price fills the rest", () => {
    const { v, events } = venue({ model: "trade_queue" });
    v.onMarket(snap(1, { bid: "100", ask: "100.1", bidQty: "3" }));
    v.submit(buy("b", "100", "2", 1)); // joins behind the 3 shown at the bid
    const trade = (ts: number, price: string, qty: string, taker: "BUY" | "SELL") =>
      v.onMarket(
        snap(ts, { bid: "100", ask: "100.1", last: price, lastQty: qty, taker, bidQty: "3" }),
      );
    trade(2, "100", "2", "SELL"); // queue 3 -> 1
    trade(3, "100", "2", "SELL"); // queue 1 -> 0, 1 left for us
    trade(4, "100", "5", "BUY"); // a buyer lifting the ask does not reach bids
    trade(5, "99.9", "0.1", "SELL"); // through our price: the rest fills
    assert.deepEqual(fills(events), [
      [3, "1", "100", "maker", "0.100", "1"],
      [5, "1", "100", "maker", "0.100", "0"],
    ]);
  });

  test("an order improving the best price has no queue; quotes alone never fill", () => {
    const { v, events } = venue({ model: "trade_queue" });
    v.onMarket(snap(1, { bid: "100", ask: "101", bidQty: "3" }));
    v.submit(buy("b", "100.5", "1", 1));
    v.onMarket(snap(2, { bid: "100", ask: "100.5", askQty: "9" }));
    assert.deepEqual(fills(events), [], "a quote reaching the order is not a trade");
    v.onMarket(snap(3, { bid: "100", ask: "100.6", last: "100.5", lastQty: "0.4", taker: "SELL" }));
    assert.deepEqual(fills(events), [[3, "0.4", "100.5", "maker", "0.04020", "0.6"]]);
  });
});
