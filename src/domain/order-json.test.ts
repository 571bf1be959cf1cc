import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../core/decimal.js";
import {
  orderCommandFromJson,
  orderCommandToJson,
  orderEventFromJson,
  orderEventToJson,
} from "./order-json.js";
import type { OrderCommand, VenueEvent } from "./orders.js";

const d = Decimal.parse;
const head = { ts: 1_700_000_000_000, clientOrderId: "BTCUSDT:1:1:BUY:3", symbol: "BTCUSDT" };

const COMMANDS: readonly OrderCommand[] = [
  {
    kind: "SubmitOrder",
    ...head,
    side: "BUY",
    price: d("99.90"),
    quantity: d("0.100"),
    levelId: 1,
    actionIndex: 2,
  },
  { kind: "CancelOrder", ...head },
  {
    kind: "SubmitOrder",
    ...head,
    side: "SELL",
    price: d("100"),
    quantity: d("0.5"),
    levelId: 0,
    actionIndex: 0,
    orderType: "MARKET",
    reduceOnly: true,
  },
];

const EVENTS: readonly VenueEvent[] = [
  { kind: "OrderAccepted", ...head },
  { kind: "OrderAccepted", ...head, venueOrderId: "1003" },
  { kind: "OrderRejected", ...head, reason: "-2010 Duplicate order sent." },
  {
    kind: "OrderFilled",
    ...head,
    side: "SELL",
    price: d("100.10"),
    quantity: d("0.050"),
    fee: d("0.00500500"),
    feeAsset: "USDT",
    liquidity: "taker",
    tradeId: "56",
    leavesQuantity: d("0.050"),
  },
  { kind: "OrderCanceled", ...head },
  { kind: "OrderExpired", ...head },
  { kind: "OrderCancelRejected", ...head, reason: "UNKNOWN_ORDER" },
  {
    kind: "FundingApplied",
    ts: 1_700_000_028_800,
    symbol: "BTCUSDT",
    position: d("-0.100"),
    markPrice: d("100.05"),
    rate: d("0.0001"),
    payment: d("0.001000500"),
  },
];

/** Through JSON text and back, as the journal stores it. */
const viaText = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe("order message JSON", () => {
  it("every command and event survives the round trip, decimals with their scale", () => {
    for (const c of COMMANDS)
      assert.deepEqual(orderCommandFromJson(viaText(orderCommandToJson(c)), "t"), c);
    for (const e of EVENTS)
      assert.deepEqual(orderEventFromJson(viaText(orderEventToJson(e)), "t"), e);
    const filled = orderEventToJson(EVENTS[3] as VenueEvent) as Record<string, unknown>;
    assert.equal(filled.quantity, "0.050");
    assert.equal(filled.fee, "0.00500500");
  });

  it("bad input names the place, the field and what was expected", () => {
    const good = orderEventToJson(EVENTS[3] as VenueEvent) as Record<string, unknown>;
    assert.throws(
      () => orderEventFromJson({ ...good, price: 99.9 }, "j.jsonl:4"),
      /j\.jsonl:4: field "price": expected a decimal string, got 99\.9$/,
    );
    assert.throws(
      () => orderEventFromJson({ ...good, liquidity: "both" }, "j:1"),
      /j:1: field "liquidity": expected "maker", "taker" or "liquidation", got "both"/,
    );
    assert.throws(
      () => orderEventFromJson({ ...good, kind: "OrderFilledd" }, "j:2"),
      /j:2: field "kind": expected a venue event .* got "OrderFilledd"/,
    );
    assert.throws(
      () => orderCommandFromJson({ kind: "SubmitOrder", ts: 1 }, "j:3"),
      /j:3: field "client_order_id": expected a string, got nothing/,
    );
    assert.throws(() => orderCommandFromJson([], "j:4"), /j:4: expected an order message object/);
  });
});
