import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../core/clock.js";
import { Decimal } from "../../core/decimal.js";
import { OrderSide } from "../../domain/enums.js";
import { CircuitBreaker, CircuitState } from "../../net/circuit-breaker.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { isCircuitOpenError } from "../../net/errors/circuit-open-error.js";
import { ConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { ConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { isIdempotencyConflictError } from "../../net/errors/idempotency-conflict-error.js";
import { OrderStatusUnknownError } from "../../net/errors/order-status-unknown-error.js";
import type {
  CancelOrderRequest,
  LiveExchangePort,
  LiveOrderRecord,
  PlaceOrderRequest,
  ReplaceOrderRequest,
} from "./exchange-port.js";
import { InMemoryIdempotencyStore } from "./idempotency-store.js";
import { IdempotentExchangePort } from "./idempotent-exchange-port.js";
import { placeKey } from "./order-keys.js";

/** Records calls; each op can be scripted to fail or to wait for a gate. */
class ScriptedPort implements LiveExchangePort {
  readonly calls: string[] = [];
  readonly keys: (string | undefined)[] = [];
  failures: unknown[] = [];
  gate: Promise<void> | undefined;
  private n = 0;

  private async step(op: string, key: string | undefined): Promise<void> {
    this.calls.push(op);
    this.keys.push(key);
    if (this.gate !== undefined) await this.gate;
    const f = this.failures.shift();
    if (f !== undefined) throw f;
  }
  async placeOrder(r: PlaceOrderRequest): Promise<string> {
    await this.step("place", r.idempotencyKey);
    return `id-${++this.n}`;
  }
  async cancelOrder(r: CancelOrderRequest): Promise<boolean> {
    await this.step("cancel", r.idempotencyKey);
    return true;
  }
  async replaceOrder(r: ReplaceOrderRequest): Promise<string> {
    await this.step("replace", r.idempotencyKey);
    return `id-${++this.n}`;
  }
  async fetchOpenOrders(_symbol: string): Promise<LiveOrderRecord[]> {
    this.calls.push("open");
    return [];
  }
}

const req = (p: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  symbol: "BTCUSDT",
  side: OrderSide.BUY,
  price: Decimal.parse("50000.00"),
  quantity: Decimal.parse("0.001"),
  levelId: 1,
  ts: 1000,
  ...p,
});

function setup() {
  const clock = new ManualClock(0);
  const metrics = new ConnectorMetrics();
  const inner = new ScriptedPort();
  const store = new InMemoryIdempotencyStore({ clock });
  const breaker = new CircuitBreaker(
    { failureThreshold: 2, openIntervalMs: 1000 },
    { clock, metrics },
  );
  const port = new IdempotentExchangePort(inner, { store, breaker, metrics });
  return { clock, metrics, inner, store, breaker, port };
}

describe("IdempotentExchangePort", () => {
  it("the same intent (any ts) executes once and returns the cached id", async () => {
    const { inner, port, metrics } = setup();
    const a = await port.placeOrder(req());
    const b = await port.placeOrder(req({ ts: 2000, price: Decimal.parse("5E+4") }));
    assert.equal(a, "id-1");
    assert.equal(b, "id-1");
    assert.deepEqual(inner.calls, ["place"]);
    assert.equal(inner.keys[0], placeKey(req()));
    assert.equal(port.stats.placeCached, 1);
    assert.equal(port.stats.placeExecuted, 1);
    assert.equal(metrics.idempotencyHits.get("place"), 1);
    assert.equal(metrics.idempotencyMisses.get("place"), 1);
    assert.equal(await port.placeOrder(req({ levelId: 2 })), "id-2");
  });

  it("a duplicate while the first is in flight is a conflict", async () => {
    const { inner, port, metrics } = setup();
    let open!: () => void;
    inner.gate = new Promise((r) => {
      open = r;
    });
    const first = port.placeOrder(req());
    await assert.rejects(
      port.placeOrder(req()),
      (e: unknown) => isIdempotencyConflictError(e) && e.status === "INFLIGHT",
    );
    open();
    assert.equal(await first, "id-1");
    assert.equal(port.stats.placeConflicts, 1);
    assert.equal(metrics.idempotencyConflicts.get("place"), 1);
  });

  it("a failed attempt may be retried with the same key", async () => {
    const { inner, port } = setup();
    inner.failures = [new ConnectorTransientError("503")];
    await assert.rejects(port.placeOrder(req()), /503/);
    assert.equal(await port.placeOrder(req()), "id-1");
    assert.equal(inner.keys[0], inner.keys[1]);
  });

  it("status unknown keeps the key in flight: no second order", async () => {
    const { inner, port, clock } = setup();
    inner.failures = [new OrderStatusUnknownError("place", "grinder_x", "query failed")];
    await assert.rejects(port.placeOrder(req()), /Order status unknown/);
    await assert.rejects(port.placeOrder(req()), (e: unknown) => isIdempotencyConflictError(e));
    assert.deepEqual(inner.calls, ["place"]);
    clock.advance(300_000); // the INFLIGHT claim expires
    assert.equal(await port.placeOrder(req()), "id-1");
  });

  it("breaker opens on transient failures and then rejects before the port", async () => {
    const { inner, port, breaker, clock } = setup();
    inner.failures = [new ConnectorTransientError("a"), new ConnectorTransientError("b")];
    await assert.rejects(port.placeOrder(req()), /a/);
    await assert.rejects(port.placeOrder(req()), /b/);
    assert.equal(breaker.state("place"), CircuitState.OPEN);
    await assert.rejects(port.placeOrder(req()), (e: unknown) => isCircuitOpenError(e));
    assert.equal(inner.calls.length, 2);
    // other operations are unaffected
    assert.equal(await port.cancelOrder({ orderId: "x" }), true);
    clock.advance(1000);
    assert.equal(await port.placeOrder(req()), "id-1");
    assert.equal(breaker.state("place"), CircuitState.CLOSED);
  });

  it("non-retryable errors do not trip the breaker", async () => {
    const { inner, port, breaker } = setup();
    inner.failures = [new ConnectorNonRetryableError("x"), new ConnectorNonRetryableError("y")];
    await assert.rejects(port.placeOrder(req()));
    await assert.rejects(port.placeOrder(req()));
    assert.equal(breaker.state("place"), CircuitState.CLOSED);
  });

  it("cancel and replace are cached per key; reads pass through", async () => {
    const { inner, port } = setup();
    assert.equal(await port.cancelOrder({ orderId: "o1" }), true);
    assert.equal(await port.cancelOrder({ orderId: "o1" }), true);
    const r = {
      orderId: "o1",
      newPrice: Decimal.parse("1.0"),
      newQuantity: Decimal.parse("2"),
      ts: 1,
    };
    assert.equal(await port.replaceOrder(r), "id-1");
    assert.equal(await port.replaceOrder({ ...r, ts: 99, newPrice: Decimal.parse("1") }), "id-1");
    await port.fetchOpenOrders("BTCUSDT");
    await port.fetchOpenOrders("BTCUSDT");
    assert.deepEqual(inner.calls, ["cancel", "replace", "open", "open"]);
    assert.equal(port.stats.cancelCached, 1);
    assert.equal(port.stats.replaceCached, 1);
  });
});
