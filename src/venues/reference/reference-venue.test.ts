import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "../../core/canonical-json.js";
import { type Decimal, dec } from "../../core/decimal.js";
import { InvalidInputError } from "../../core/errors.js";
import { type OrderSide, OrderSide as Side } from "../../domain/enums.js";
import type { OrderFilled, SubmitOrder, VenueEvent } from "../../domain/orders.js";
import { Snapshot } from "../../domain/snapshot.js";
import { fillFromJson, fillToJson } from "../../kernel/tick-output.js";
import { ReferenceVenue, type ReferenceVenueConfig } from "./reference-venue.js";

/** A snapshot whose mid is exactly `mid` (zero spread). */
function at(ts: number, symbol: string, mid: string): Snapshot {
  const p = dec(mid);
  return new Snapshot({
    ts,
    symbol,
    bidPrice: p,
    askPrice: p,
    bidQty: dec("1"),
    askQty: dec("1"),
    lastPrice: p,
    lastQty: dec("1"),
  });
}

function venue(cfg: ReferenceVenueConfig): { v: ReferenceVenue; events: VenueEvent[] } {
  const v = new ReferenceVenue(cfg);
  const events: VenueEvent[] = [];
  v.setListener((e) => events.push(e));
  return { v, events };
}

function submit(
  id: string,
  side: OrderSide,
  price: string | Decimal,
  quantity: string,
  actionIndex: number,
  ts = 1700,
  symbol = "ETHUSDT",
): SubmitOrder {
  return {
    kind: "SubmitOrder",
    ts,
    clientOrderId: id,
    symbol,
    side,
    price: typeof price === "string" ? dec(price) : price,
    quantity: dec(quantity),
    levelId: 1,
    actionIndex,
  };
}

const fills = (events: readonly VenueEvent[]): OrderFilled[] =>
  events.filter((e): e is OrderFilled => e.kind === "OrderFilled");
const ids = (events: readonly VenueEvent[]) => fills(events).map((f) => f.clientOrderId);

/** One tick at `mid` placing the grid of the old reference-fills cases (a cancel came first). */
function placeGrid(cfg: ReferenceVenueConfig, mid: string, ts = 1700, symbol = "ETHUSDT") {
  const r = venue(cfg);
  r.v.onMarket(at(ts, symbol, mid));
  r.v.submit(submit("o1", Side.BUY, "2000.50", "0.250", 1, ts, symbol));
  r.v.submit(submit("o2", Side.SELL, "2000.5", "1", 2, ts, symbol));
  r.v.submit(submit("o3", Side.BUY, "1999.99", "2", 3, ts, symbol));
  r.v.submit(submit("o4", Side.SELL, "2001", "3", 4, ts, symbol));
  r.v.afterDecision(at(ts, symbol, mid), true);
  return r;
}

test("fill JSON has the schema keys and keeps decimal exponents; it reads back", () => {
  const text =
    '{"order_id":"abc","price":"0.45670","quantity":"120.0","side":"SELL","symbol":"ADAUSDT","ts":42}';
  const back = fillFromJson(JSON.parse(text));
  assert.equal(canonicalJson(fillToJson(back)), text);
  assert.equal(back.fee.isZero(), true);
  assert.throws(() => fillFromJson({ ...JSON.parse(text), side: "buy" }), InvalidInputError);
  assert.throws(() => fillFromJson({ ...JSON.parse(text), ts: "42" }), InvalidInputError);
});

test("fill at placement, crossing: touch fills on both sides, trade ids name the action index", () => {
  const { events } = placeGrid({ fillMode: "crossing", fillAfterTicks: 0 }, "2000.50");
  assert.deepEqual(ids(events), [
    "paper_1700_ETHUSDT_1_BUY_2000.50",
    "paper_1700_ETHUSDT_2_SELL_2000.5",
  ]);
  assert.equal(
    canonicalJson(fillToJson(fills(events)[0] as OrderFilled)),
    '{"order_id":"paper_1700_ETHUSDT_1_BUY_2000.50","price":"2000.50","quantity":"0.250","side":"BUY","symbol":"ETHUSDT","ts":1700}',
  );
  // Every order was accepted first, and each fill follows its own acceptance.
  assert.deepEqual(
    events.map((e) => e.kind),
    [
      "OrderAccepted",
      "OrderFilled",
      "OrderAccepted",
      "OrderFilled",
      "OrderAccepted",
      "OrderAccepted",
    ],
  );
  // Mid below the SELL limit: only the BUY whose limit is above mid fills.
  assert.deepEqual(ids(placeGrid({ fillMode: "crossing", fillAfterTicks: 0 }, "2000.00").events), [
    "paper_1700_ETHUSDT_1_BUY_2000.50",
  ]);
  assert.deepEqual(
    ids(placeGrid({ fillMode: "crossing", fillAfterTicks: 0 }, "1999.99", 5, "X").events),
    ["paper_5_X_1_BUY_2000.50", "paper_5_X_3_BUY_1999.99"],
  );
  assert.deepEqual(
    ids(placeGrid({ fillMode: "crossing", fillAfterTicks: 0 }, "2001.0", 5, "X").events),
    ["paper_5_X_2_SELL_2000.5", "paper_5_X_4_SELL_2001"],
  );
});

test("fill at placement keeps the order resting, and it never fills later", () => {
  const { v, events } = placeGrid({ fillMode: "crossing", fillAfterTicks: 0 }, "2000.50");
  assert.equal(v.openOrders("ETHUSDT").length, 4);
  events.length = 0;
  v.onMarket(at(1800, "ETHUSDT", "1000"));
  v.afterDecision(at(1800, "ETHUSDT", "1000"), true);
  assert.deepEqual(fills(events), []);
});

test("instant mode fills every order in placement order at its limit", () => {
  const { events } = placeGrid({ fillMode: "instant", fillAfterTicks: 0 }, "5000");
  assert.deepEqual(ids(events), [
    "paper_1700_ETHUSDT_1_BUY_2000.50",
    "paper_1700_ETHUSDT_2_SELL_2000.5",
    "paper_1700_ETHUSDT_3_BUY_1999.99",
    "paper_1700_ETHUSDT_4_SELL_2001",
  ]);
  assert.deepEqual(
    fills(events).map((f) => f.quantity.toString()),
    ["0.250", "1", "2", "3"],
  );
});

test("a price with an exponent prints in its string form in the trade id", () => {
  const { v, events } = venue({ fillMode: "crossing", fillAfterTicks: 0 });
  v.onMarket(at(1, "BTC", "99"));
  v.submit(submit("a", Side.BUY, dec("1E+2"), "0.1", 0, 1, "BTC"));
  assert.equal(fills(events)[0]?.clientOrderId, "paper_1_BTC_0_BUY_1E+2");
  assert.equal(fills(events)[0]?.price.toString(), "1E+2");
});

test("tick delay: eligible from the placement tick + N, then the touch rule, in id order", () => {
  const run = (n: number, mid: string, ticksAfter: number) => {
    const { v, events } = venue({ fillMode: "crossing", fillAfterTicks: n });
    const mk = (id: string, side: OrderSide, price: string) => submit(id, side, price, "0.5", 0, 1);
    // Placed at ticks 1..4, one per evaluation, in this order.
    const orders = [
      mk("g_10", Side.BUY, "99.00"),
      mk("g_1", Side.BUY, "100"),
      mk("g_2", Side.SELL, "101"),
      mk("G_9", Side.SELL, "100.0"),
    ];
    // Between the BUYs and the SELLs: no order placed earlier is reached.
    const far = at(1, "ETHUSDT", "100.5");
    for (const o of orders) {
      v.onMarket(far);
      v.submit(o);
      v.afterDecision(far, true);
    }
    events.length = 0;
    for (let i = 0; i < ticksAfter; i++) {
      const s = at(9, "ETHUSDT", mid);
      v.onMarket(s);
      v.afterDecision(s, true);
    }
    return { v, ids: ids(events) };
  };
  // Tick 5 at mid 100: g_1 (tick 2) and G_9 (tick 4) are reached; N=1 lets both fill.
  assert.deepEqual(run(1, "100", 1).ids, ["G_9", "g_1"]);
  // N=2: G_9 (placed at tick 4) is not eligible at tick 5.
  assert.deepEqual(run(2, "100", 1).ids, ["g_1"]);
  // Mid 101 reaches both SELLs (G_9 at 100.0 and g_2 at 101), in code-point order.
  const r = run(1, "101", 1);
  assert.deepEqual(r.ids, ["G_9", "g_2"]);
  assert.deepEqual(
    r.v.openOrders("ETHUSDT").map((o) => o.clientOrderId),
    ["g_10", "g_1"],
  );
  // Events that were not evaluations are not ticks: nothing moves.
  const { v, events } = venue({ fillMode: "crossing", fillAfterTicks: 1 });
  v.onMarket(at(1, "ETHUSDT", "1000"));
  v.submit(submit("x", Side.BUY, "100", "1", 0, 1));
  v.afterDecision(at(1, "ETHUSDT", "1000"), true);
  v.onMarket(at(2, "ETHUSDT", "50"));
  v.afterDecision(at(2, "ETHUSDT", "50"), false);
  assert.deepEqual(fills(events), []);
  v.onMarket(at(3, "ETHUSDT", "50"));
  v.afterDecision(at(3, "ETHUSDT", "50"), true);
  assert.deepEqual(ids(events), ["x"]);
});

test("cancel: known orders are canceled, unknown ones rejected; duplicates are rejected", () => {
  const { v, events } = venue({ fillMode: "crossing", fillAfterTicks: 1 });
  v.onMarket(at(1, "ETHUSDT", "1000"));
  v.submit(submit("x", Side.BUY, "100", "1", 0, 1));
  v.submit(submit("x", Side.BUY, "100", "1", 1, 1));
  v.cancel({ kind: "CancelOrder", ts: 2, clientOrderId: "x", symbol: "ETHUSDT" });
  v.cancel({ kind: "CancelOrder", ts: 3, clientOrderId: "x", symbol: "ETHUSDT" });
  assert.deepEqual(
    events.map((e) => e.kind),
    ["OrderAccepted", "OrderRejected", "OrderCanceled", "OrderCancelRejected"],
  );
  assert.deepEqual(v.openOrders("ETHUSDT"), []);
});
