import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Decimal, dec } from "../core/decimal.js";
import type { InstrumentSpec } from "../domain/instrument.js";
import type { OrderCommand, SubmitOrder } from "../domain/orders.js";
import { Snapshot } from "../domain/snapshot.js";
import { applyOptions, defaultOptions } from "./kernel-options.js";
import { TradingKernel } from "./trading-kernel.js";

function snap(ts: number, bid: string, ask: string, symbol = "BTCUSDT"): Snapshot {
  return new Snapshot({
    ts,
    symbol,
    bidPrice: dec(bid),
    askPrice: dec(ask),
    bidQty: dec("5"),
    askQty: dec("5"),
    lastPrice: dec(bid),
    lastQty: Decimal.ZERO,
  });
}

const SPEC: InstrumentSpec = {
  symbol: "BTCUSDT",
  tickSize: dec("0.01"),
  stepSize: dec("0.001"),
  minQty: dec("0.001"),
  minNotional: dec("5"),
  source: "exchangeInfo",
};

function kernel(raw: Record<string, unknown>, spec: InstrumentSpec = SPEC): TradingKernel {
  const o = applyOptions(defaultOptions("realistic"), raw, "test", { strict: true });
  return new TradingKernel(o, undefined, new Map([[spec.symbol, spec]]));
}

const submits = (cs: readonly OrderCommand[]): SubmitOrder[] =>
  cs.filter((c): c is SubmitOrder => c.kind === "SubmitOrder");

describe("realistic order rules in the kernel", () => {
  test("prices on the tick (BUY down, SELL up) and sizes from the notional per level", () => {
    const k = kernel({ notional_per_level: "150", fix_spot_balances: false });
    const d = k.decide(snap(1000, "99.99", "100.01"));
    const s = submits(d?.commands ?? []);
    // Mid 100; level 1 SELL at 100 x 1.001 = 100.1, BUY at 100 x 0.999 = 99.9.
    const sell1 = s.find((c) => c.side === "SELL" && c.levelId === 1) as SubmitOrder;
    const buy1 = s.find((c) => c.side === "BUY" && c.levelId === 1) as SubmitOrder;
    assert.equal(sell1.price.toString(), "100.10");
    assert.equal(buy1.price.toString(), "99.90");
    // 150 / 99.90 = 1.5015..., down to the step: 1.501.
    assert.equal(buy1.quantity.toString(), "1.501");
    // Level 2 SELL: 100 x 1.001^2 = 100.2001 -> up to 100.21; BUY: 100 x 0.999^2 = 99.8001 -> 99.80.
    assert.equal(s.find((c) => c.side === "SELL" && c.levelId === 2)?.price.toString(), "100.21");
    assert.equal(s.find((c) => c.side === "BUY" && c.levelId === 2)?.price.toString(), "99.80");
    assert.equal(s.length, 10);
  });

  test("spot: SELLs need base held; they are refused as INSUFFICIENT_BALANCE and counted", () => {
    const k = kernel({ notional_per_level: "150" });
    const s = submits(k.decide(snap(1000, "99.99", "100.01"))?.commands ?? []);
    assert.deepEqual(
      s.map((c) => c.side),
      ["BUY", "BUY", "BUY", "BUY", "BUY"],
    );
    assert.equal(k.blockedCounts().get("INSUFFICIENT_BALANCE"), 5);
    assert.equal(k.orderCounts().filtered, 5);
    assert.equal(k.orderCounts().placed, 5);
  });

  test("spot: a SELL short of base waits for its own symbol's base to change, not another's", () => {
    const eth: InstrumentSpec = { ...SPEC, symbol: "ETHUSDT" };
    const o = applyOptions(defaultOptions("realistic"), { notional_per_level: "150" }, "test", {
      strict: true,
    });
    const k = new TradingKernel(
      o,
      undefined,
      new Map([
        [SPEC.symbol, SPEC],
        [eth.symbol, eth],
      ]),
    );
    const fillAll = (c: SubmitOrder, ts: number): void =>
      k.onOrderEvent({
        kind: "OrderFilled",
        ts,
        clientOrderId: c.clientOrderId,
        symbol: c.symbol,
        side: c.side,
        price: c.price,
        quantity: c.quantity,
        fee: Decimal.ZERO,
        feeAsset: "USDT",
        liquidity: "maker",
        tradeId: `t${ts}`,
        leavesQuantity: Decimal.ZERO,
      });
    const btcBuys = submits(k.decide(snap(1000, "99.99", "100.01"))?.commands ?? []);
    k.completeTick();
    const ethBuys = submits(k.decide(snap(1100, "99.99", "100.01", "ETHUSDT"))?.commands ?? []);
    k.completeTick();
    // No base held: the 5 SELLs of each symbol refused (5 + 5).
    assert.equal(k.blockedCounts().get("INSUFFICIENT_BALANCE"), 10);
    // An ETH fill changes the account, not BTC's base: BTC's SELLs are not proposed again.
    fillAll(ethBuys[0] as SubmitOrder, 1200);
    assert.deepEqual(submits(k.decide(snap(1300, "99.99", "100.01"))?.commands ?? []), []);
    k.completeTick();
    assert.equal(k.blockedCounts().get("INSUFFICIENT_BALANCE"), 10);
    // A BTC BUY fill (1.501 base) lets one SELL go: SELL 1 (150 / 100.10 = 1.498) fits, SELL 2
    // (150 / 100.21 = 1.496) no longer does, nor SELL 3..5; the refilled BUY 1 needs quote only.
    fillAll(btcBuys[0] as SubmitOrder, 1400);
    const after = submits(k.decide(snap(1500, "99.99", "100.01"))?.commands ?? []);
    assert.deepEqual(
      after.map((c) => `${c.side}${c.levelId}`),
      ["SELL1", "BUY1"],
    );
    assert.equal(k.blockedCounts().get("INSUFFICIENT_BALANCE"), 14);
  });

  test("spot: BUYs are limited by the free quote balance, what open BUYs reserve included", () => {
    const k = kernel({ notional_per_level: "150", initial_capital: "400" });
    const s = submits(k.decide(snap(1000, "99.99", "100.01"))?.commands ?? []);
    // 99.90 x 1.501 = 149.9499, then 99.80 x 1.503 = 149.9994: 299.9493 reserved; a third
    // (99.70 x 1.504 = 149.9488) would need 449.8981 > 400.
    assert.equal(s.length, 2);
    assert.equal(k.blockedCounts().get("INSUFFICIENT_BALANCE"), 5 + 3);
  });

  test("orders under the filters' minimums are not sent", () => {
    const k = kernel(
      { notional_per_level: "150", fix_spot_balances: false },
      { ...SPEC, minNotional: dec("1000") },
    );
    assert.deepEqual(submits(k.decide(snap(1000, "99.99", "100.01"))?.commands ?? []), []);
    assert.equal(k.blockedCounts().get("FILTER_MIN_NOTIONAL"), 10);
    const q = kernel(
      { notional_per_level: "0.05", fix_spot_balances: false },
      { ...SPEC, minNotional: Decimal.ZERO },
    );
    // 0.05 / 99.9 rounds down to 0.000 at a 0.001 step.
    assert.deepEqual(submits(q.decide(snap(1000, "99.99", "100.01"))?.commands ?? []), []);
    assert.equal(q.blockedCounts().get("FILTER_MIN_QTY"), 10);
  });

  test("exposure limits count open orders and are released when orders leave the book", () => {
    const k = kernel({
      notional_per_level: "150",
      max_notional_per_symbol: "500",
      fix_spot_balances: false,
    });
    const first = submits(k.decide(snap(1000, "99.99", "100.01"))?.commands ?? []);
    k.completeTick();
    // SELL 1..3 fit (about 150 each, 450 in all); SELL 4, 5 and every BUY would pass 500.
    assert.deepEqual(
      first.map((c) => `${c.side}${c.levelId}`),
      ["SELL1", "SELL2", "SELL3"],
    );
    assert.equal(k.blockedCounts().get("MAX_NOTIONAL_EXCEEDED"), 7);
    // Nothing more fits while they rest...
    assert.deepEqual(submits(k.decide(snap(2000, "99.99", "100.01"))?.commands ?? []), []);
    k.completeTick();
    // ... and the room comes back when they are cancelled.
    for (const c of first) {
      k.onOrderEvent({
        kind: "OrderCanceled",
        ts: 2500,
        clientOrderId: c.clientOrderId,
        symbol: c.symbol,
      });
    }
    const again = submits(k.decide(snap(3000, "99.99", "100.01"))?.commands ?? []);
    assert.equal(again.length, 3);
  });

  test("fills carry fees into the ledger and the output (realistic keys)", () => {
    const k = kernel({ notional_per_level: "150", fix_spot_balances: false });
    const buy = submits(k.decide(snap(1000, "99.99", "100.01"))?.commands ?? []).find(
      (c) => c.side === "BUY",
    ) as SubmitOrder;
    k.onOrderEvent({
      kind: "OrderFilled",
      ts: 1000,
      clientOrderId: buy.clientOrderId,
      symbol: "BTCUSDT",
      side: "BUY",
      price: buy.price,
      quantity: buy.quantity,
      fee: dec("0.1499499"),
      feeAsset: "USDT",
      liquidity: "maker",
      tradeId: "t1",
      leavesQuantity: Decimal.ZERO,
    });
    const out = k.completeTick().json;
    const fill = (out.fills as Record<string, unknown>[])[0] as Record<string, unknown>;
    assert.deepEqual(
      [fill.fee, fill.fee_asset, fill.liquidity, fill.trade_id],
      ["0.1499499", "USDT", "maker", "t1"],
    );
    const a = k.account();
    assert.equal(a.fees.toString(), "0.1499499");
    // Marked at the mid 100: (100 - 99.90) x 1.501 = 0.1501 unrealized; equity less the fee.
    assert.ok(a.equity.eq(dec("10000.0001501")), a.equity.toString());
    assert.equal(k.finish(1).total_fees, "0.1499499");
  });

  test("USD-M: orders need initial margin (notional / leverage); orders against the position need none", () => {
    // 1000 of capital at 1x: about 6 levels of 150 fit, the rest is refused.
    const k = kernel({
      notional_per_level: "150",
      initial_capital: "1000",
      market: "um",
      leverage: 1,
    });
    const s = submits(k.decide(snap(1000, "99.99", "100.01"))?.commands ?? []);
    // SELL 1..5 (each about 150: 749.8 in all) then BUY 1 (149.95): 899.7; BUY 2 would need 1049.7.
    assert.equal(s.length, 6);
    assert.equal(k.blockedCounts().get("INSUFFICIENT_MARGIN"), 4);
    // At 5x the whole grid fits (10 x 150 / 5 = 300).
    const k5 = kernel({
      notional_per_level: "150",
      initial_capital: "1000",
      market: "um",
      leverage: 5,
    });
    assert.equal(submits(k5.decide(snap(1000, "99.99", "100.01"))?.commands ?? []).length, 10);
  });

  test("kill switch with kill_switch_flatten: cancel every open order, close positions reduce-only at market", () => {
    const k = kernel({
      notional_per_level: "150",
      fix_spot_balances: false,
      market: "um",
      leverage: 10,
      kill_switch_enabled: true,
      max_drawdown_pct: 1,
      kill_switch_flatten: true,
    });
    const first = submits(k.decide(snap(1000, "99.99", "100.01"))?.commands ?? []);
    const buy = first.find((c) => c.side === "BUY" && c.levelId === 1) as SubmitOrder;
    k.onOrderEvent({
      kind: "OrderFilled",
      ts: 1000,
      clientOrderId: buy.clientOrderId,
      symbol: "BTCUSDT",
      side: "BUY",
      price: buy.price,
      quantity: buy.quantity,
      fee: Decimal.ZERO,
      feeAsset: "USDT",
      liquidity: "maker",
      tradeId: "t1",
      leavesQuantity: Decimal.ZERO,
    });
    k.completeTick();
    // A crash (after the toxicity lookback): 1.501 x (99.90 - 30) = 104.9 is more than 1 % of
    // 10000: the kill switch trips.
    k.decide(snap(10_000, "29.99", "30.01"));
    assert.equal(k.completeTick().json.kill_switch_triggered, true);
    const stop = k.decide(snap(11_000, "29.99", "30.01"))?.commands ?? [];
    const cancels = stop.filter((c) => c.kind === "CancelOrder");
    // The 9 of the first grid still resting, and BUY 1 placed again at the crash.
    assert.equal(cancels.length, first.length, "every resting order cancelled");
    const flat = submits(stop);
    assert.deepEqual(
      flat.map((c) => [c.side, c.quantity.toString(), c.orderType, c.reduceOnly]),
      [["SELL", "1.501", "MARKET", true]],
    );
    k.completeTick();
    // Once: the next event sends nothing more.
    assert.deepEqual(k.decide(snap(12_000, "29.99", "30.01"))?.commands, []);
  });
});
