/**
 * The summary's USD-M margin metrics over a small run on the real simulated
 * venue and margin account: every expected value computed by hand in the
 * comments (capital 1000, leverage 5, flat maintenance 1 %, no trading fees,
 * liquidation fee 1.25 %).
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Decimal, dec } from "../src/core/decimal.js";
import { OrderSide } from "../src/domain/enums.js";
import type { OrderFilled, SubmitOrder } from "../src/domain/orders.js";
import { SummaryBuilder } from "../src/report/summary.js";
import { ConstantFunding } from "../src/venues/simulated/funding-schedule.js";
import { liquidationPrice } from "../src/venues/simulated/margin-account.js";
import { flatQuote, usdmVenue } from "./support/usdm-venue.js";

const T0 = Date.parse("2026-03-02T01:00:00Z");
const MIN = 60_000;

const snap = (ts: number, mid: string, symbol: string) => flatQuote(ts, mid, symbol, "1000");

function order(
  id: string,
  side: OrderSide,
  qty: string,
  price: string,
  type: "MARKET" | "LIMIT",
): SubmitOrder {
  return {
    kind: "SubmitOrder",
    ts: T0,
    clientOrderId: id,
    symbol: "BTCUSDT",
    side,
    price: dec(price),
    quantity: dec(qty),
    levelId: 1,
    actionIndex: 0,
    orderType: type,
  };
}

function close(actual: number | null | undefined, expected: number, what: string): void {
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-9,
    `${what}: ${actual} vs ${expected}`,
  );
}

describe("USD-M margin metrics", () => {
  test("leverage, margin use, liquidation distance and liquidations of a run, by hand", () => {
    const { v, events } = usdmVenue({
      capital: "1000",
      mmr: "0.01",
      leverage: "5",
      funding: new ConstantFunding(Decimal.ZERO, 8),
    });
    const summary = new SummaryBuilder(dec("1000"));
    let booked = 0;
    const point = (ts: number): void => {
      for (const e of events.slice(booked)) {
        if (e.kind === "OrderFilled") {
          summary.addFill({ fill: e as OrderFilled, feeQuote: e.fee, submitTs: undefined });
        }
      }
      booked = events.length;
      const margin = v.marginState();
      assert.ok(margin !== undefined);
      // The kernel's side of the account is not what these metrics read.
      summary.addEquity(ts, {
        equity: margin.marginBalance,
        realized: Decimal.ZERO,
        unrealized: Decimal.ZERO,
        fees: Decimal.ZERO,
        funding: Decimal.ZERO,
        positionNotional: margin.positionNotional,
        margin,
      });
    };

    // ETHUSDT is quoted but never traded: its distance stays null.
    v.onMarket(snap(T0, "2000", "ETHUSDT"));
    v.onMarket(snap(T0, "100", "BTCUSDT"));
    v.submit(order("open", OrderSide.BUY, "20", "100", "MARKET")); // long 20 at 100
    v.submit(order("tp", OrderSide.SELL, "5", "120", "LIMIT")); // rests: 5 x 120 = 600 open
    // Point 1, mark 100: margin balance 1000 (no PnL yet); notional 20 x 100 = 2000:
    // leverage 2000 / 1000 = 2; initial margin (2000 + 600) / 5 = 520: use 52 %.
    // Liquidation price: 1000 + 20 (m - 100) = 0.01 x 20 m -> m = 1000 / 19.8 = 50.5050...
    // Distance (100 - 50.5050...) / 100 = 49.4949... %.
    point(T0);
    const p1 = v.marginState()?.symbols.find((s) => s.symbol === "BTCUSDT");
    close(p1?.liquidationPrice?.toNumber(), 1000 / 19.8, "liquidation price at 100");

    // Point 2, mark 80: balance 1000 + 20 x (80 - 100) = 600; notional 1600: leverage
    // 1600 / 600 = 2.6667; initial margin (1600 + 600) / 5 = 440: use 73.333 %.
    // Same liquidation price (one position): distance (80 - 50.5050...) / 80 = 36.8686... %.
    v.onMarket(snap(T0 + MIN, "80", "BTCUSDT"));
    point(T0 + MIN);

    // Point 3, mark 50: balance 1000 + 20 x (50 - 100) = 0 <= maintenance 10: liquidated at
    // 50, fee 20 x 50 x 0.0125 = 12.5; the take-profit is cancelled. Balance -12.5 and no
    // position: no leverage or distance from this point.
    v.onMarket(snap(T0 + 2 * MIN, "50", "BTCUSDT"));
    point(T0 + 2 * MIN);
    const liq = events.filter(
      (e): e is OrderFilled => e.kind === "OrderFilled" && e.liquidity === "liquidation",
    );
    assert.deepEqual(
      liq.map((f) => [f.side, f.quantity.toString(), f.price.toString(), f.fee.toString()]),
      [["SELL", "20", "50", "12.5000"]],
    );
    assert.ok(v.marginState()?.marginBalance.eq(dec("-12.5")));

    const s = summary.finish({ placed: 2, canceled: 1, rejected: 0, filtered: 0 }, new Map());
    assert.equal(s.liquidations, 1);
    close(s.max_effective_leverage, 1600 / 600, "max_effective_leverage");
    close(s.max_margin_use_pct, (440 / 600) * 100, "max_margin_use_pct");
    assert.deepEqual(Object.keys(s.liquidation_distance_pct), ["BTCUSDT", "ETHUSDT"]);
    close(s.liquidation_distance_pct.BTCUSDT, ((80 - 1000 / 19.8) / 80) * 100, "BTCUSDT distance");
    assert.equal(s.liquidation_distance_pct.ETHUSDT, null);
  });

  test("cross margin: the other positions' PnL and maintenance move a symbol's liquidation price", () => {
    // Wallet 1000; ETH long 1 at 2000 marked 1900 (PnL -100, maintenance 19 at 1 %).
    // BTC short 10 at 100: 1000 - 100 - 19 + (-10)(m - 100) = 0.01 x 10 m
    // -> 881 + 1000 - 10 m = 0.1 m -> m = 1881 / 10.1 = 186.2376...
    const m = liquidationPrice(dec("-10"), dec("100"), dec("881"), {
      rate: dec("0.01"),
      cum: Decimal.ZERO,
    });
    close(m?.toNumber(), 1881 / 10.1, "short liquidation price");
    // A long no price can liquidate (wallet far above the notional): 0, i.e. 100 % away.
    const safe = liquidationPrice(dec("1"), dec("100"), dec("500"), {
      rate: dec("0.01"),
      cum: Decimal.ZERO,
    });
    assert.ok(safe?.isZero());
    // Bracket form: maintenance = n x 0.005 - 50, long 10 at 10000, others 5000:
    // 5000 + 10 (m - 10000) = 0.05 m - 50 -> 9.95 m = 94950 -> m = 9542.7135...
    const b = liquidationPrice(dec("10"), dec("10000"), dec("5000"), {
      rate: dec("0.005"),
      cum: dec("50"),
    });
    close(b?.toNumber(), 94950 / 9.95, "bracket liquidation price");
  });
});
