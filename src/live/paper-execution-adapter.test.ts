import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalJson } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import { OrderSide } from "../domain/enums.js";
import { ManualClock } from "./clock.js";
import { isConnectorNonRetryableError } from "./errors/connector-non-retryable-error.js";
import { isPaperOrderError } from "./errors/paper-order-error.js";
import { PaperExecutionAdapter, paperOrderToJson } from "./paper-execution-adapter.js";
import { assertMode, parseSafeMode, SafeMode } from "./safe-mode.js";

const d = Decimal.parse;
const buy = { symbol: "BTCUSDT", side: OrderSide.BUY, price: d("50000.00"), quantity: d("0.010") };

describe("PaperExecutionAdapter", () => {
  it("deterministic ids, instant fill, sequence timestamps without a clock", () => {
    const a = new PaperExecutionAdapter();
    const r1 = a.placeOrder(buy);
    const r2 = a.placeOrder({ ...buy, side: OrderSide.SELL, clientOrderId: "c1" });
    assert.equal(r1.orderId, "PAPER_00000001");
    assert.equal(r2.orderId, "PAPER_00000002");
    assert.equal(r1.state, "FILLED");
    assert.equal(r1.filledQuantity.toString(), "0.010");
    assert.equal(r1.createdTs, 1);
    assert.equal(
      canonicalJson(paperOrderToJson(a.getOrder("PAPER_00000002")!)),
      '{"client_order_id":"c1","created_ts":2,"filled_quantity":"0.010","order_id":"PAPER_00000002","order_type":"LIMIT","price":"50000.00","quantity":"0.010","side":"SELL","state":"FILLED","symbol":"BTCUSDT","updated_ts":2}',
    );
    assert.deepEqual(a.stats, {
      ordersPlaced: 2,
      ordersCancelled: 0,
      ordersReplaced: 0,
      ordersFilled: 2,
      ordersRejected: 0,
    });
    assert.throws(
      () => a.cancelOrder("PAPER_00000001"),
      /Cannot cancel filled order: PAPER_00000001/,
    );
    assert.throws(
      () => a.replaceOrder("PAPER_00000001"),
      /Cannot replace order in state FILLED: PAPER_00000001/,
    );
    a.reset();
    assert.equal(a.placeOrder(buy).orderId, "PAPER_00000001");
  });

  it("validation errors are non-retryable paper errors", () => {
    const a = new PaperExecutionAdapter({ orderIdPrefix: "SIM" });
    assert.throws(
      () => a.placeOrder({ ...buy, quantity: d("0") }),
      (e: unknown) =>
        isPaperOrderError(e) &&
        isConnectorNonRetryableError(e) &&
        e.message === "Invalid quantity: 0",
    );
    assert.throws(
      () => a.placeOrder({ ...buy, price: d("-1") }),
      /Invalid price for LIMIT order: -1/,
    );
    assert.equal(
      a.placeOrder({ ...buy, price: d("0"), orderType: "MARKET" }).orderId,
      "SIM_00000001",
    );
    assert.throws(() => a.cancelOrder("nope"), /Order not found: nope/);
  });

  it("with resting orders: cancel is idempotent, replace cancels and places anew", () => {
    const clock = new ManualClock(1_000_500);
    const a = new PaperExecutionAdapter({ clock, fillOnPlace: false });
    const o = a.placeOrder({ ...buy, clientOrderId: "grid-1" });
    assert.equal(o.state, "OPEN");
    assert.equal(o.createdTs, 1_000_500);
    clock.advance(10);
    const n = a.replaceOrder(o.orderId, d("49000.00"));
    assert.equal(n.orderId, "PAPER_00000002");
    assert.equal(n.price.toString(), "49000.00");
    assert.equal(n.quantity.toString(), "0.010");
    assert.equal(a.getOrder(o.orderId)?.state, "CANCELLED");
    assert.equal(a.getOrder(o.orderId)?.updatedTs, 1_000_510);
    assert.equal(a.getOrder(n.orderId)?.clientOrderId, "grid-1");
    const c1 = a.cancelOrder(n.orderId);
    const c2 = a.cancelOrder(n.orderId);
    assert.equal(c1.state, "CANCELLED");
    assert.deepEqual(c2, c1);
    assert.equal(a.stats.ordersCancelled, 1);
    assert.equal(a.stats.ordersReplaced, 1);
  });
});

describe("SafeMode", () => {
  it("orders modes and names the violation", () => {
    assertMode(SafeMode.LIVE_TRADE, SafeMode.PAPER);
    assertMode(SafeMode.PAPER, SafeMode.PAPER);
    assert.throws(
      () => assertMode(SafeMode.READ_ONLY, SafeMode.PAPER),
      (e: unknown) =>
        isConnectorNonRetryableError(e) &&
        e.message ===
          "SafeMode violation: operation requires mode=paper, but connector is in mode=read_only",
    );
    assert.equal(parseSafeMode(" LIVE_TRADE "), "live_trade");
    assert.throws(() => parseSafeMode("yolo"), /unknown safe mode/);
  });
});
