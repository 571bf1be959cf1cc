import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "../../core/canonical-json.js";
import { dec } from "../../core/decimal.js";
import { InvalidInputError } from "../../core/errors.js";
import { type OrderSide, OrderSide as Side } from "../../domain/enums.js";
import {
  checkPendingFills,
  type FillActionInput,
  fillFromJson,
  fillToJson,
  makeFill,
  type PendingOrderInput,
  simulateFills,
} from "./reference-fills.js";

const ACTIONS: FillActionInput[] = [
  { action_type: "CANCEL", order_id: "old1" },
  { action_type: "PLACE", order_id: null, side: Side.BUY, price: "2000.50", quantity: "0.250" },
  { action_type: "PLACE", order_id: null, side: Side.SELL, price: "2000.5", quantity: "1" },
  { action_type: "PLACE", order_id: null, side: Side.BUY, price: "1999.99", quantity: "2" },
  { action_type: "PLACE", order_id: "given", side: Side.SELL, price: "2001", quantity: "3" },
];

const ids = (fs: { orderId: string }[]) => fs.map((f) => f.orderId);

test("fill JSON has the schema keys and keeps decimal exponents", () => {
  const f = makeFill({
    ts: 42,
    symbol: "ADAUSDT",
    side: Side.SELL,
    price: dec("0.45670"),
    quantity: dec("120.0"),
    orderId: "abc",
  });
  const text = canonicalJson(fillToJson(f));
  assert.equal(
    text,
    '{"order_id":"abc","price":"0.45670","quantity":"120.0","side":"SELL","symbol":"ADAUSDT","ts":42}',
  );
  const back = fillFromJson(JSON.parse(text));
  assert.equal(canonicalJson(fillToJson(back)), text);
  assert.throws(() => fillFromJson({ ...JSON.parse(text), side: "buy" }), InvalidInputError);
  assert.throws(() => fillFromJson({ ...JSON.parse(text), ts: "42" }), InvalidInputError);
});

test("crossing: touch fills on both sides, generated ids count every action", () => {
  const fills = simulateFills(1700, "ETHUSDT", ACTIONS, dec("2000.50"));
  assert.deepEqual(ids(fills), [
    "paper_1700_ETHUSDT_1_BUY_2000.50",
    "paper_1700_ETHUSDT_2_SELL_2000.5",
  ]);
  assert.equal(
    canonicalJson(fillToJson(fills[0]!)),
    '{"order_id":"paper_1700_ETHUSDT_1_BUY_2000.50","price":"2000.50","quantity":"0.250","side":"BUY","symbol":"ETHUSDT","ts":1700}',
  );
  // Mid below the SELL limit: only the BUY whose limit is above mid fills.
  assert.deepEqual(ids(simulateFills(1700, "ETHUSDT", ACTIONS, dec("2000.00"))), [
    "paper_1700_ETHUSDT_1_BUY_2000.50",
  ]);
  // 1999.99 BUY fills once mid comes down to it; the 2001 SELL when mid reaches it.
  assert.deepEqual(ids(simulateFills(5, "X", ACTIONS, dec("1999.99"))), [
    "paper_5_X_1_BUY_2000.50",
    "paper_5_X_3_BUY_1999.99",
  ]);
  assert.deepEqual(ids(simulateFills(5, "X", ACTIONS, dec("2001.0"))), [
    "paper_5_X_2_SELL_2000.5",
    "given",
  ]);
});

test("instant mode and a missing mid fill every PLACE in order", () => {
  const expected = [
    "paper_1700_ETHUSDT_1_BUY_2000.50",
    "paper_1700_ETHUSDT_2_SELL_2000.5",
    "paper_1700_ETHUSDT_3_BUY_1999.99",
    "given",
  ];
  assert.deepEqual(ids(simulateFills(1700, "ETHUSDT", ACTIONS, dec("5000"), "instant")), expected);
  assert.deepEqual(ids(simulateFills(1700, "ETHUSDT", ACTIONS, null)), expected);
  assert.deepEqual(ids(simulateFills(1700, "ETHUSDT", ACTIONS)), expected);
  assert.deepEqual(
    simulateFills(1700, "ETHUSDT", ACTIONS, null).map((f) => f.quantity.toString()),
    ["0.250", "1", "2", "3"],
  );
});

test("Decimal-valued action prices print as their string form in ids", () => {
  const fills = simulateFills(
    1,
    "BTC",
    [{ action_type: "PLACE", side: Side.BUY, price: dec("1E+2"), quantity: dec("0.1") }],
    dec("99"),
  );
  assert.equal(fills[0]?.orderId, "paper_1_BTC_0_BUY_1E+2");
  assert.equal(fills[0]?.price.toString(), "1E+2");
});

test("a PLACE without price or side is rejected; quantity is only read when it fills", () => {
  assert.throws(
    () => simulateFills(1, "A", [{ action_type: "PLACE", side: Side.BUY, quantity: "1" }]),
    InvalidInputError,
  );
  assert.throws(
    () => simulateFills(1, "A", [{ action_type: "PLACE", price: "1", quantity: "1" }]),
    InvalidInputError,
  );
  const noQty: FillActionInput[] = [{ action_type: "PLACE", side: Side.BUY, price: "10" }];
  assert.deepEqual(simulateFills(1, "A", noQty, dec("11")), []);
  assert.throws(() => simulateFills(1, "A", noQty, dec("10")), InvalidInputError);
});

function order(orderId: string, side: OrderSide, price: string, placedTick: number) {
  return {
    orderId,
    symbol: "ETHUSDT",
    side,
    price: dec(price),
    quantity: dec("0.5"),
    state: "OPEN",
    levelId: 1,
    createdTs: 0,
    placedTick,
  } satisfies PendingOrderInput;
}

const ORDERS = [
  order("g_2", Side.SELL, "101", 3),
  order("g_10", Side.BUY, "99.00", 1),
  order("g_1", Side.BUY, "100", 2),
  order("G_9", Side.SELL, "100.0", 4),
];

test("tick delay: eligible from placedTick + N, then the crossing rule, in order-id order", () => {
  let r = checkPendingFills(9, ORDERS, dec("100"), 4);
  assert.deepEqual(ids(r.fills), ["g_1"]);
  assert.deepEqual([...r.filledOrderIds], ["g_1"]);

  r = checkPendingFills(9, ORDERS, dec("100"), 5, 1);
  assert.deepEqual(ids(r.fills), ["G_9", "g_1"]);
  r = checkPendingFills(9, ORDERS, dec("100"), 5, 0);
  assert.deepEqual(ids(r.fills), ["G_9", "g_1"]);
  r = checkPendingFills(9, ORDERS, dec("100"), 5, 2);
  assert.deepEqual(ids(r.fills), ["g_1"]);
  r = checkPendingFills(9, ORDERS, dec("101"), 5, 1);
  assert.deepEqual(ids(r.fills), ["G_9", "g_2"]);
  assert.deepEqual(new Set(r.filledOrderIds), new Set(["G_9", "g_2"]));

  const f = r.fills[1]!;
  assert.equal(
    canonicalJson(fillToJson(f)),
    '{"order_id":"g_2","price":"101","quantity":"0.5","side":"SELL","symbol":"ETHUSDT","ts":9}',
  );
  // The input list is not reordered.
  assert.deepEqual(
    ORDERS.map((o) => o.orderId),
    ["g_2", "g_10", "g_1", "G_9"],
  );
  assert.equal(checkPendingFills(9, [], dec("100"), 5).fills.length, 0);
});
