/**
 * IdempotentExchangePort: wraps any LiveExchangePort so each write intent
 * has one side effect. Order of checks per call: circuit breaker (fast fail)
 * -> idempotency (DONE returns the cached result, INFLIGHT is a conflict)
 * -> execute with the key (the port derives the client order id from it)
 * -> record DONE / FAILED and breaker success / failure.
 *
 * A write whose status is unknown (OrderStatusUnknownError) stays INFLIGHT
 * until its TTL: repeating it could double the order.
 */

import type { CircuitBreaker } from "../../net/circuit-breaker.js";
import { type ConnectorMetrics, getConnectorMetrics } from "../../net/connector-metrics.js";
import { IdempotencyConflictError } from "../../net/errors/idempotency-conflict-error.js";
import { isOrderStatusUnknownError } from "../../net/errors/order-status-unknown-error.js";
import type {
  CancelOrderRequest,
  LiveExchangePort,
  LiveOrderRecord,
  PlaceOrderRequest,
  ReplaceOrderRequest,
} from "./exchange-port.js";
import { computeRequestFingerprint } from "./idempotency-key.js";
import {
  IdempotencyStatus,
  type IdempotencyStore,
  InMemoryIdempotencyStore,
} from "./idempotency-store.js";
import { cancelKey, DEFAULT_KEY_SCOPE, placeKey, replaceKey } from "./order-keys.js";

export interface IdempotentPortStats {
  placeCalls: number;
  placeCached: number;
  placeExecuted: number;
  placeConflicts: number;
  cancelCalls: number;
  cancelCached: number;
  cancelExecuted: number;
  cancelConflicts: number;
  replaceCalls: number;
  replaceCached: number;
  replaceExecuted: number;
  replaceConflicts: number;
}

export interface IdempotentExchangePortOptions {
  readonly store?: IdempotencyStore;
  readonly scope?: string;
  /** TTL of an INFLIGHT claim. Default 300 s. (The DONE TTL belongs to the store.) */
  readonly inflightTtlMs?: number;
  readonly breaker?: CircuitBreaker;
  /** Overrides the breaker's own trip rule. */
  readonly tripOn?: (error: unknown) => boolean;
  readonly metrics?: ConnectorMetrics;
}

type Op = "place" | "cancel" | "replace";

function errorCode(e: unknown): string {
  if (typeof e === "object" && e !== null) {
    const name = (e as { name?: unknown }).name;
    if (typeof name === "string") return name;
  }
  return "Error";
}

export class IdempotentExchangePort implements LiveExchangePort {
  readonly store: IdempotencyStore;
  readonly scope: string;
  readonly stats: IdempotentPortStats = {
    placeCalls: 0,
    placeCached: 0,
    placeExecuted: 0,
    placeConflicts: 0,
    cancelCalls: 0,
    cancelCached: 0,
    cancelExecuted: 0,
    cancelConflicts: 0,
    replaceCalls: 0,
    replaceCached: 0,
    replaceExecuted: 0,
    replaceConflicts: 0,
  };
  private readonly inflightTtlMs: number;
  private readonly breaker: CircuitBreaker | undefined;
  private readonly tripOn: ((error: unknown) => boolean) | undefined;
  private readonly metrics: ConnectorMetrics;

  constructor(
    readonly inner: LiveExchangePort,
    options: IdempotentExchangePortOptions = {},
  ) {
    this.store = options.store ?? new InMemoryIdempotencyStore();
    this.scope = options.scope ?? DEFAULT_KEY_SCOPE;
    this.inflightTtlMs = options.inflightTtlMs ?? 300_000;
    this.breaker = options.breaker;
    this.tripOn = options.tripOn;
    this.metrics = options.metrics ?? getConnectorMetrics();
  }

  placeOrder(req: PlaceOrderRequest): Promise<string> {
    this.stats.placeCalls += 1;
    return this.run(
      "place",
      () => placeKey(req, this.scope),
      {
        symbol: req.symbol,
        side: req.side,
        price: req.price,
        quantity: req.quantity,
        level_id: req.levelId,
        ts: req.ts,
      },
      (key) => this.inner.placeOrder({ ...req, idempotencyKey: key }),
      (v) => String(v),
    );
  }

  cancelOrder(req: CancelOrderRequest): Promise<boolean> {
    this.stats.cancelCalls += 1;
    return this.run(
      "cancel",
      () => cancelKey(req, this.scope),
      { order_id: req.orderId },
      (key) => this.inner.cancelOrder({ ...req, idempotencyKey: key }),
      (v) => v === true,
    );
  }

  replaceOrder(req: ReplaceOrderRequest): Promise<string> {
    this.stats.replaceCalls += 1;
    return this.run(
      "replace",
      () => replaceKey(req, this.scope),
      { order_id: req.orderId, new_price: req.newPrice, new_quantity: req.newQuantity, ts: req.ts },
      (key) => this.inner.replaceOrder({ ...req, idempotencyKey: key }),
      (v) => String(v),
    );
  }

  /** Reads need no idempotency. */
  fetchOpenOrders(symbol: string): Promise<LiveOrderRecord[]> {
    return this.inner.fetchOpenOrders(symbol);
  }

  private bump(op: Op, what: "Cached" | "Executed" | "Conflicts"): void {
    this.stats[`${op}${what}`] += 1;
  }

  private cachedOrConflict<T>(op: Op, key: string, cast: (v: unknown) => T): T {
    const existing = this.store.get(key);
    if (existing?.status === IdempotencyStatus.DONE) {
      this.bump(op, "Cached");
      this.metrics.recordIdempotencyHit(op);
      return cast(existing.result);
    }
    this.bump(op, "Conflicts");
    this.metrics.recordIdempotencyConflict(op);
    throw new IdempotencyConflictError(key, existing?.status ?? IdempotencyStatus.INFLIGHT);
  }

  private async run<T>(
    op: Op,
    makeKey: () => string,
    fingerprintParams: Parameters<typeof computeRequestFingerprint>[0],
    execute: (key: string) => Promise<T>,
    cast: (v: unknown) => T,
  ): Promise<T> {
    // 1. breaker before anything else
    this.breaker?.beforeCall(op);
    // 2. idempotency
    const key = makeKey();
    const existing = this.store.get(key);
    if (existing !== undefined && existing.status !== IdempotencyStatus.FAILED)
      return this.cachedOrConflict(op, key, cast);
    const claimed = this.store.putIfAbsent(
      key,
      {
        key,
        status: IdempotencyStatus.INFLIGHT,
        opName: op,
        requestFingerprint: computeRequestFingerprint(fingerprintParams),
      },
      this.inflightTtlMs,
    );
    if (!claimed) return this.cachedOrConflict(op, key, cast);
    this.metrics.recordIdempotencyMiss(op);
    // 3. execute, 4. record
    try {
      const result = await execute(key);
      this.store.markDone(key, result);
      this.bump(op, "Executed");
      this.breaker?.recordSuccess(op);
      return result;
    } catch (e) {
      if (!isOrderStatusUnknownError(e)) this.store.markFailed(key, errorCode(e));
      if (
        this.breaker !== undefined &&
        (this.tripOn ?? ((x: unknown) => this.breaker!.shouldTrip(x)))(e)
      )
        this.breaker.recordFailure(op, errorCode(e));
      throw e;
    }
  }
}
