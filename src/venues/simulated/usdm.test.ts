/**
 * USD-M simulation: funding arithmetic, liquidation, reduce-only and market
 * orders, maintenance by leverage bracket. Expected values computed by hand
 * in the comments.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { flatQuote, usdmVenue } from "../../../test/support/usdm-venue.js";
import { dec } from "../../core/decimal.js";
import { OrderSide } from "../../domain/enums.js";
import type { FundingApplied, OrderFilled, SubmitOrder, VenueEvent } from "../../domain/orders.js";
import { applyOptions, defaultOptions } from "../../kernel/kernel-options.js";
import { maintenanceModel } from "../../runtime/simulation.js";
import { parseLeverageBrackets } from "../binance/leverage-brackets.js";
import { RecordedFunding } from "./funding-schedule.js";
import { maintenanceMargin } from "./margin-account.js";

const H = 3_600_000;
const DAY0 = Date.parse("2026-03-02T00:00:00Z");

const snap = (ts: number, mid: string, symbol = "BTCUSDT") => flatQuote(ts, mid, symbol);
const setup = usdmVenue;

function order(
  id: string,
  side: OrderSide,
  qty: string,
  ts: number,
  extra: Partial<SubmitOrder> = {},
): SubmitOrder {
  return {
    kind: "SubmitOrder",
    ts,
    clientOrderId: id,
    symbol: "BTCUSDT",
    side,
    price: dec("100000"),
    quantity: dec(qty),
    levelId: 1,
    actionIndex: 0,
    orderType: "MARKET",
    ...extra,
  };
}

const fundings = (e: readonly VenueEvent[]) =>
  e.filter((x): x is FundingApplied => x.kind === "FundingApplied");
const fills = (e: readonly VenueEvent[]) =>
  e.filter((x): x is OrderFilled => x.kind === "OrderFilled");

describe("USD-M funding", () => {
  test("a long pays position x mark x rate at each funding time; the mark is the one in force", () => {
    const { v, events } = setup();
    v.onMarket(snap(DAY0 + 1 * H, "100000"));
    v.submit(order("b", OrderSide.BUY, "0.5", DAY0 + 1 * H)); // long 0.5 at 100000
    v.onMarket(snap(DAY0 + 7 * H, "101000"));
    // Next event at 17:00: funding times 08:00 and 16:00 passed; the mark then was 101000.
    v.onMarket(snap(DAY0 + 17 * H, "99000"));
    // 0.5 x 101000 x 0.0001 = 5.05, paid by the long: -5.05 each time.
    assert.deepEqual(
      fundings(events).map((f) => [
        f.ts - DAY0,
        f.position.toString(),
        f.markPrice.toString(),
        f.payment.toString(),
      ]),
      [
        [8 * H, "0.5", "101000", "-5.05000"],
        [16 * H, "0.5", "101000", "-5.05000"],
      ],
    );
  });

  test("a short receives a positive rate and pays a negative one (recorded rates)", () => {
    const rates = new Map([
      [
        "BTCUSDT",
        [
          { ts: DAY0 + 8 * H, rate: dec("0.0002") },
          { ts: DAY0 + 16 * H, rate: dec("-0.0001") },
        ],
      ],
    ]);
    const { v, events } = setup({ funding: new RecordedFunding(rates) });
    v.onMarket(snap(DAY0, "50000"));
    v.submit(order("s", OrderSide.SELL, "2", DAY0)); // short 2 at 50000
    v.onMarket(snap(DAY0 + 9 * H, "50000"));
    v.onMarket(snap(DAY0 + 17 * H, "50000"));
    // -(-2 x 50000 x 0.0002) = +20; -(-2 x 50000 x -0.0001) = -10.
    assert.deepEqual(
      fundings(events).map((f) => f.payment.toString()),
      ["20.0000", "-10.0000"],
    );
  });

  test("no position, no funding", () => {
    const { v, events } = setup();
    v.onMarket(snap(DAY0, "100"));
    v.onMarket(snap(DAY0 + 30 * H, "100"));
    assert.deepEqual(fundings(events), []);
  });
});

describe("USD-M liquidation", () => {
  test("when the margin balance falls to the maintenance margin, positions close at the mark and orders are cancelled", () => {
    const { v, events, account } = setup({ capital: "1000" });
    v.onMarket(snap(DAY0, "100000"));
    v.submit(order("b", OrderSide.BUY, "1", DAY0)); // long 1 at 100000 (100x leverage)
    v.submit(order("rest", OrderSide.BUY, "1", DAY0, { orderType: "LIMIT", price: dec("90000") }));
    // At 99500: margin balance 1000 - 500 = 500 > maintenance 99500 x 0.004 = 398: kept.
    v.onMarket(snap(DAY0 + 1000, "99500"));
    assert.equal(fills(events).length, 1);
    // At 99300: 1000 - 700 = 300 <= 99300 x 0.004 = 397.2: liquidated at 99300,
    // fee 99300 x 0.0125 = 1241.25.
    v.onMarket(snap(DAY0 + 2000, "99300"));
    const liq = fills(events)[1] as OrderFilled;
    assert.deepEqual(
      [liq.liquidity, liq.side, liq.price.toString(), liq.quantity.toString(), liq.fee.toString()],
      ["liquidation", "SELL", "99300", "1", "1241.2500"],
    );
    assert.equal(account.position("BTCUSDT").isZero(), true);
    assert.deepEqual(
      events
        .filter((e) => e.kind === "OrderCanceled")
        .map((e) => ("clientOrderId" in e ? e.clientOrderId : "")),
      ["rest"],
    );
    // Wallet: 1000 - 700 realized - 1241.25 fee.
    assert.equal(account.walletBalance().toString(), "-941.2500");
  });

  test("leverage brackets: maintenance = notional x ratio - cum, by the bracket of the notional", () => {
    const brackets = parseLeverageBrackets(
      [
        {
          symbol: "BTCUSDT",
          brackets: [
            {
              bracket: 1,
              initialLeverage: 125,
              notionalCap: 50000,
              notionalFloor: 0,
              maintMarginRatio: 0.004,
              cum: 0,
            },
            {
              bracket: 2,
              initialLeverage: 100,
              notionalCap: 250000,
              notionalFloor: 50000,
              maintMarginRatio: 0.005,
              cum: 50,
            },
          ],
        },
      ],
      "brackets.json",
    );
    const m = maintenanceModel(
      applyOptions(defaultOptions("realistic"), { market: "um" }, "t"),
      brackets,
    );
    assert.equal(maintenanceMargin(m, "BTCUSDT", dec("40000")).toString(), "160.000"); // 40000 x 0.004
    assert.equal(maintenanceMargin(m, "BTCUSDT", dec("100000")).toString(), "450.000"); // 100000 x 0.005 - 50
    assert.equal(maintenanceMargin(m, "ETHUSDT", dec("1000")).toString(), "4.000"); // no bracket: the flat 0.004
    assert.throws(
      () => parseLeverageBrackets([{ symbol: "X", brackets: [{ bracket: 0 }] }], "b.json"),
      /b\.json: not a Binance leverageBracket response/,
    );
  });
});

describe("reduce-only and market orders", () => {
  test("a reduce-only order is capped at the position and refused when it would open one", () => {
    const { v, events, account } = setup();
    v.onMarket(snap(DAY0, "100"));
    v.submit(order("open", OrderSide.BUY, "2", DAY0));
    v.submit(order("same-side", OrderSide.BUY, "1", DAY0, { reduceOnly: true }));
    v.submit(order("close", OrderSide.SELL, "3", DAY0, { reduceOnly: true }));
    assert.deepEqual(
      events.filter((e) => e.kind === "OrderRejected").map((e) => ("reason" in e ? e.reason : "")),
      ["REDUCE_ONLY_REJECTED"],
    );
    assert.deepEqual(
      fills(events).map((f) => [f.clientOrderId, f.side, f.quantity.toString(), f.liquidity]),
      [
        ["open", "BUY", "2", "taker"],
        ["close", "SELL", "2", "taker"],
      ],
    );
    assert.equal(account.position("BTCUSDT").isZero(), true);
  });
});
