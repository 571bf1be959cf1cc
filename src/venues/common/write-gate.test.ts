import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalJson } from "../../core/canonical-json.js";
import { ManualClock } from "../../core/clock.js";
import { Decimal } from "../../core/decimal.js";
import { OrderSide } from "../../domain/enums.js";
import { Snapshot } from "../../domain/snapshot.js";
import type { ExecutionAction } from "../../kernel/execution-types.js";
import { CircuitBreaker } from "../../net/circuit-breaker.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { ConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { ConnectorTimeoutError } from "../../net/errors/connector-timeout-error.js";
import { ConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { makeRetryPolicy } from "../../net/retry-policy.js";
import { DrawdownGuardV1 } from "../../risk/guards/drawdown-guard-v1.js";
import type {
  CancelOrderRequest,
  LiveExchangePort,
  LiveOrderRecord,
  PlaceOrderRequest,
  ReplaceOrderRequest,
} from "./exchange-port.js";
import { IdempotentExchangePort } from "./idempotent-exchange-port.js";
import { SafeMode } from "./safe-mode.js";
import {
  actionsOfOutput,
  BlockReason,
  canWrite,
  classifyIntent,
  type DrawdownGate,
  LiveActionStatus,
  LiveEngine,
  type LiveEngineConfig,
  type LiveExecutionAction,
  liveActionToJson,
  liveExecutionActionFromJson,
  liveExecutionActionToJson,
  makeLiveEngineConfig,
  RiskIntent,
} from "./write-gate.js";

const d = Decimal.parse;

class RecordingPort implements LiveExchangePort {
  calls: string[] = [];
  failures: unknown[] = [];
  private n = 0;
  private fail(): void {
    const f = this.failures.shift();
    if (f !== undefined) throw f;
  }
  async placeOrder(r: PlaceOrderRequest): Promise<string> {
    this.calls.push(
      `place ${r.symbol} ${r.side} ${r.price} ${r.quantity} L${r.levelId} ts=${r.ts}`,
    );
    this.fail();
    return `o${++this.n}`;
  }
  async cancelOrder(r: CancelOrderRequest): Promise<boolean> {
    this.calls.push(`cancel ${r.orderId}`);
    this.fail();
    return true;
  }
  async replaceOrder(r: ReplaceOrderRequest): Promise<string> {
    this.calls.push(`replace ${r.orderId} ${r.newPrice}`);
    this.fail();
    return `o${++this.n}`;
  }
  async fetchOpenOrders(): Promise<LiveOrderRecord[]> {
    return [];
  }
}

const place: LiveExecutionAction = {
  actionType: "PLACE",
  symbol: "BTCUSDT",
  side: OrderSide.BUY,
  price: d("49000.00"),
  quantity: d("0.01"),
  levelId: 1,
  reason: "GRID_ENTRY",
};
const cancel: LiveExecutionAction = {
  actionType: "CANCEL",
  orderId: "o-old",
  symbol: "BTCUSDT",
  levelId: 2,
  reason: "OUT_OF_GRID",
};
const replace: LiveExecutionAction = {
  ...place,
  actionType: "REPLACE",
  orderId: "o-old",
  price: d("48900.00"),
};
const noop: LiveExecutionAction = { actionType: "NOOP", symbol: "BTCUSDT", levelId: 0, reason: "" };

const snap = new Snapshot({
  ts: 1_700_000_000_000,
  symbol: "BTCUSDT",
  bidPrice: d("49999"),
  askPrice: d("50001"),
  bidQty: d("1"),
  askQty: d("1"),
  lastPrice: d("50000"),
  lastQty: d("0.1"),
});

function engine(
  actions: LiveExecutionAction[],
  config: Partial<LiveEngineConfig>,
  extra: { guard?: DrawdownGate } = {},
) {
  const port = new RecordingPort();
  const clock = new ManualClock();
  const source = { processSnapshot: () => ({ actions, tag: "paper" }) };
  const e = new LiveEngine(source, port, config, {
    ...(extra.guard ? { drawdownGuard: extra.guard } : {}),
    retryPolicy: makeRetryPolicy({ maxAttempts: 3, jitter: "none" }),
    sleep: clock.sleep,
  });
  return { e, port, clock };
}

const LIVE = { armed: true, mode: SafeMode.LIVE_TRADE };

describe("LiveEngine gates", () => {
  it("defaults are safe: not armed, read-only; nothing reaches the port, not even a cancel", async () => {
    const cfg = makeLiveEngineConfig();
    assert.equal(cfg.armed, false);
    assert.equal(cfg.mode, "read_only");
    assert.equal(canWrite(cfg), false);
    const { e, port } = engine([place, cancel, replace, noop], {});
    const out = await e.processSnapshot(snap);
    assert.deepEqual(
      out.liveActions.map((a) => `${a.status}:${a.blockReason}`),
      Array(4).fill("BLOCKED:NOT_ARMED"),
    );
    assert.equal(port.calls.length, 0);
    assert.equal((out.paperOutput as { tag: string }).tag, "paper");
    assert.equal(out.armed, false);
  });

  it("armed but not LIVE_TRADE blocks at the mode gate", async () => {
    for (const mode of [SafeMode.READ_ONLY, SafeMode.PAPER]) {
      const { e, port } = engine([place, cancel], { armed: true, mode });
      const out = await e.processSnapshot(snap);
      assert.deepEqual(
        out.liveActions.map((a) => a.blockReason),
        ["MODE_NOT_LIVE_TRADE", "MODE_NOT_LIVE_TRADE"],
      );
      assert.equal(port.calls.length, 0);
    }
  });

  it("kill switch blocks PLACE/REPLACE but lets CANCEL through", async () => {
    const { e, port } = engine([place, cancel, replace], { ...LIVE, killSwitchActive: true });
    const out = await e.processSnapshot(snap);
    assert.deepEqual(
      out.liveActions.map((a) => `${a.status}:${a.blockReason ?? "-"}:${a.intent}`),
      [
        "BLOCKED:KILL_SWITCH_ACTIVE:INCREASE_RISK",
        "EXECUTED:-:CANCEL",
        "BLOCKED:KILL_SWITCH_ACTIVE:INCREASE_RISK",
      ],
    );
    assert.deepEqual(port.calls, ["cancel o-old"]);
    assert.equal(out.liveActions[1]?.orderId, "o-old");
  });

  it("whitelist, then the drawdown guard (which sees the intent)", async () => {
    const seen: string[] = [];
    const guard: DrawdownGate = {
      allow: (intent, symbol) => {
        seen.push(`${intent}:${symbol}`);
        return intent === RiskIntent.INCREASE_RISK
          ? { allowed: false, reason: "DD_PORTFOLIO_BREACH" }
          : { allowed: true, reason: "CANCEL_ALWAYS_ALLOWED" };
      },
    };
    const eth = { ...place, symbol: "ETHUSDT" };
    const reduce = { ...place, reduceOnly: true, levelId: 9 };
    const { e, port } = engine(
      [eth, place, cancel, reduce],
      { ...LIVE, symbolWhitelist: ["BTCUSDT"] },
      { guard },
    );
    const out = await e.processSnapshot(snap);
    assert.deepEqual(
      out.liveActions.map((a) => a.blockReason ?? a.status),
      ["SYMBOL_NOT_WHITELISTED", "DRAWDOWN_BLOCKED", "EXECUTED", "EXECUTED"],
    );
    assert.deepEqual(seen, ["INCREASE_RISK:BTCUSDT", "CANCEL:BTCUSDT", "REDUCE_RISK:BTCUSDT"]);
    assert.deepEqual(port.calls, [
      "cancel o-old",
      "place BTCUSDT BUY 49000.00 0.01 L9 ts=1700000000000",
    ]);
  });

  it("all gates open: PLACE, CANCEL, REPLACE reach the port; NOOP is skipped", async () => {
    const { e, port } = engine([place, cancel, replace, noop], LIVE);
    const out = await e.processSnapshot(snap);
    assert.deepEqual(
      out.liveActions.map((a) => a.status),
      ["EXECUTED", "EXECUTED", "EXECUTED", "SKIPPED"],
    );
    assert.deepEqual(
      out.liveActions.map((a) => a.orderId),
      ["o1", "o-old", "o2", undefined],
    );
    assert.equal(port.calls.length, 3);
    assert.equal(
      canonicalJson(liveActionToJson(out.liveActions[0]!)),
      '{"action":{"action_type":"PLACE","level_id":1,"order_id":null,"price":"49000.00","quantity":"0.01","reason":"GRID_ENTRY","side":"BUY","symbol":"BTCUSDT"},"attempts":1,"block_reason":null,"error":null,"intent":"INCREASE_RISK","order_id":"o1","status":"EXECUTED"}',
    );
  });

  it("intent classification", () => {
    assert.equal(classifyIntent(place), "INCREASE_RISK");
    assert.equal(classifyIntent(replace), "INCREASE_RISK");
    assert.equal(classifyIntent(cancel), "CANCEL");
    assert.equal(classifyIntent(noop), "CANCEL");
    assert.equal(classifyIntent({ ...replace, reduceOnly: true }), "REDUCE_RISK");
  });
});

describe("LiveEngine execution", () => {
  it("retries transient errors with backoff, then succeeds", async () => {
    const { e, port, clock } = engine([place], LIVE);
    port.failures = [new ConnectorTransientError("503"), new ConnectorTimeoutError("place", 5000)];
    const [a] = await e.processActions([place], 5);
    assert.equal(a?.status, LiveActionStatus.EXECUTED);
    assert.equal(a?.attempts, 3);
    // 1-based attempt in the backoff, as the reference does: 100 * 2^1, 100 * 2^2
    assert.deepEqual(clock.sleeps, [200, 400]);
  });

  it("waits at least the Retry-After the exchange asked for", async () => {
    const { e, port, clock } = engine([place], LIVE);
    port.failures = [new ConnectorTransientError("429", { retryAfterMs: 5000 })];
    const [a] = await e.processActions([place], 5);
    assert.equal(a?.status, LiveActionStatus.EXECUTED);
    assert.deepEqual(clock.sleeps, [5000]);
  });

  it("non-retryable fails at once; exhausted retries say so", async () => {
    const { e, port, clock } = engine([place], LIVE);
    port.failures = [new ConnectorNonRetryableError("Binance error -2010: insufficient balance")];
    const [a] = await e.processActions([place], 5);
    assert.equal(a?.status, "FAILED");
    assert.equal(a?.blockReason, BlockReason.NON_RETRYABLE_ERROR);
    assert.equal(a?.attempts, 1);
    assert.match(a?.error ?? "", /insufficient balance/);
    port.failures = [1, 2, 3].map((i) => new ConnectorTransientError(`t${i}`));
    const [b] = await e.processActions([place], 5);
    assert.equal(b?.blockReason, BlockReason.MAX_RETRIES_EXCEEDED);
    assert.equal(b?.error, "t3");
    assert.equal(b?.attempts, 3);
    assert.deepEqual(clock.sleeps, [200, 400]);
  });

  it("through the idempotent port: duplicate intents are cached, an open breaker fails fast", async () => {
    const clock = new ManualClock();
    const metrics = new ConnectorMetrics();
    const inner = new RecordingPort();
    const breaker = new CircuitBreaker({ failureThreshold: 2 }, { clock, metrics });
    const port = new IdempotentExchangePort(inner, { breaker, metrics });
    const e = new LiveEngine({ processSnapshot: () => ({ actions: [place] }) }, port, LIVE, {
      sleep: clock.sleep,
      retryPolicy: makeRetryPolicy({ maxAttempts: 1 }),
    });
    const first = await e.processSnapshot(snap);
    const second = await e.processSnapshot(snap);
    assert.equal(first.liveActions[0]?.orderId, "o1");
    assert.equal(second.liveActions[0]?.orderId, "o1");
    assert.equal(inner.calls.length, 1);

    inner.failures = [new ConnectorTransientError("x"), new ConnectorTransientError("y")];
    const other = { ...place, levelId: 5 };
    await e.processActions([other], 1);
    await e.processActions([other], 1);
    const [c] = await e.processActions([other], 1);
    assert.equal(c?.status, "FAILED");
    assert.equal(c?.blockReason, BlockReason.CIRCUIT_BREAKER_OPEN);
    assert.equal(inner.calls.length, 3);
  });

  it("updateConfig arms and disarms", async () => {
    const { e, port } = engine([place], {});
    e.updateConfig(LIVE);
    assert.equal((await e.processSnapshot(snap)).liveActions[0]?.status, "EXECUTED");
    e.updateConfig({ armed: false });
    assert.equal((await e.processSnapshot(snap)).liveActions[0]?.blockReason, "NOT_ARMED");
    assert.equal(e.config.mode, "live_trade");
    assert.equal(port.calls.length, 1);
  });
});

describe("LiveEngine inputs", () => {
  it("takes the paper engine's JSON actions (output.json.actions)", async () => {
    const port = new RecordingPort();
    const paperOutput = {
      json: {
        actions: [
          {
            action_type: "PLACE",
            order_id: null,
            symbol: "BTCUSDT",
            side: "SELL",
            price: "50100.00",
            quantity: "0.02",
            level_id: 4,
            reason: "GRID_ENTRY",
          },
          {
            action_type: "CANCEL",
            order_id: "o-9",
            symbol: "BTCUSDT",
            side: null,
            price: null,
            quantity: null,
            level_id: 1,
            reason: "",
          },
        ],
      },
    };
    const e = new LiveEngine({ processSnapshot: () => paperOutput }, port, LIVE, {
      sleep: async () => {},
    });
    const out = await e.processSnapshot(snap);
    assert.deepEqual(port.calls, [
      "place BTCUSDT SELL 50100.00 0.02 L4 ts=1700000000000",
      "cancel o-9",
    ]);
    assert.equal(out.paperOutput, paperOutput);
  });

  it("parses action JSON like the reference's from_dict", () => {
    const a = liveExecutionActionFromJson({ action_type: "NOOP" });
    assert.deepEqual(a, {
      actionType: "NOOP",
      orderId: null,
      symbol: "",
      side: null,
      price: null,
      quantity: null,
      levelId: 0,
      reason: "",
    });
    assert.equal(
      canonicalJson(
        liveExecutionActionToJson(
          liveExecutionActionFromJson({ action_type: "PLACE", price: "0", quantity: "1.50" }),
        ),
      ),
      '{"action_type":"PLACE","level_id":0,"order_id":null,"price":null,"quantity":"1.50","reason":"","side":null,"symbol":""}',
    );
    assert.throws(
      () => liveExecutionActionFromJson({ action_type: "AMEND" }),
      /action\.action_type: expected PLACE/,
    );
    assert.throws(
      () => liveExecutionActionFromJson({ action_type: "PLACE", price: 1.5 }),
      /action\.price: expected a decimal string/,
    );
    assert.throws(
      () => liveExecutionActionFromJson({ action_type: "PLACE", side: "LONG" }),
      /action\.side/,
    );
    assert.deepEqual(actionsOfOutput({ nothing: true }), []);
    assert.deepEqual(actionsOfOutput({ actions: [place] }), [place]);
  });

  it("the execution layer's ExecutionAction is accepted as is", () => {
    const x: ExecutionAction = {
      actionType: "REPLACE",
      orderId: "o1",
      symbol: "BTCUSDT",
      side: OrderSide.BUY,
      price: d("1"),
      quantity: d("2"),
      levelId: 3,
      reason: "r",
    };
    const y: LiveExecutionAction = x; // compile-time check
    assert.equal(classifyIntent(y), "INCREASE_RISK");
  });
});

describe("LiveEngine with the real DrawdownGuardV1", () => {
  it("NORMAL allows, DRAWDOWN blocks INCREASE_RISK but not CANCEL", async () => {
    const guard = new DrawdownGuardV1();
    const gate: DrawdownGate = guard; // the risk layer's guard fits the engine's gate
    const port = new RecordingPort();
    const e = new LiveEngine(
      { processSnapshot: () => ({ actions: [place, cancel] }) },
      port,
      LIVE,
      {
        drawdownGuard: gate,
        sleep: async () => {},
      },
    );
    assert.deepEqual(
      (await e.processSnapshot(snap)).liveActions.map((a) => a.status),
      ["EXECUTED", "EXECUTED"],
    );
    guard.update({ equityCurrent: d("70000"), equityStart: d("100000") }); // 30% > 20% limit
    const out = await e.processSnapshot(snap);
    assert.deepEqual(
      out.liveActions.map((a) => a.blockReason ?? a.status),
      ["DRAWDOWN_BLOCKED", "EXECUTED"],
    );
  });
});
