import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { assertClose as close } from "../../test/support/assert-close.js";
import { HAND_PATH } from "../../test/support/hand-equity-path.js";
import { Decimal, dec } from "../core/decimal.js";
import { OrderSide } from "../domain/enums.js";
import { type Liquidity, orderFilled } from "../domain/orders.js";
import type { AccountState, BookedFill } from "../kernel/kernel-types.js";
import { Portfolio } from "../kernel/portfolio.js";
import { SUMMARY_KEYS, SummaryBuilder } from "./summary.js";

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

function booked(
  ts: number,
  side: "BUY" | "SELL",
  qty: string,
  price: string,
  fee: string,
  liquidity: Liquidity = "maker",
): BookedFill {
  return {
    fill: orderFilled({
      ts,
      clientOrderId: `o${ts}`,
      symbol: "BTCUSDT",
      side: side === "BUY" ? OrderSide.BUY : OrderSide.SELL,
      price: dec(price),
      quantity: dec(qty),
      fee: dec(fee),
      feeAsset: "USDT",
      liquidity,
    }),
    feeQuote: dec(fee),
    submitTs: ts - 1000,
  };
}

function account(equity: string, notional: string, realized = "0", fees = "0"): AccountState {
  const e = dec(equity);
  // unrealized = equity - capital - realized + fees (equity = capital + r + u - fees)
  return {
    equity: e,
    realized: dec(realized),
    unrealized: e.sub(dec("1000")).sub(dec(realized)).add(dec(fees)),
    fees: dec(fees),
    funding: dec("0"),
    positionNotional: dec(notional),
  };
}

describe("SummaryBuilder", () => {
  it("gives every metric of a hand-computed run", () => {
    const b = new SummaryBuilder(dec("1000"));
    // The hand-computed equity path (max drawdown 10 % lasting 9600 s, 5 hourly
    // returns [0.1, -0.1, 0, 0.1, 0.1], 140 of 270 minutes in the market), ending with
    // realized 200, unrealized 0 and fees 2.1: equity 1000 + 200 + 0 - 2.1 = 1197.9.
    for (const [m, equity, notional] of HAND_PATH.slice(0, -1)) {
      b.addEquity(T0 + m * MIN, account(equity, notional));
    }
    // Fills of round-trips.test.ts: 4 round trips, 3 won. Turnover 2 x 100 + 104 + 103 +
    // 3 x 101 + 100.5 = 810.5, of which the SELL 3 @ 101 (303) is taker: maker share
    // 507.5 / 810.5.
    b.addFill(booked(T0 + 40 * MIN, "BUY", "2", "100", "0.2"));
    b.addFill(booked(T0 + 41 * MIN, "BUY", "1", "104", "0.1"));
    b.addFill(booked(T0 + 70 * MIN, "SELL", "1", "103", "0.3"));
    b.addFill(booked(T0 + 110 * MIN, "SELL", "3", "101", "0.6", "taker"));
    b.addFill(booked(T0 + 200 * MIN, "BUY", "1", "100.5", "0.05"));
    b.addEquity(T0 + 270 * MIN, account("1197.9", "0", "200", "2.1"));
    const s = b.finish(
      { placed: 12, canceled: 3, rejected: 1, filtered: 2 },
      new Map([
        ["DD_GUARD_V1", 1],
        ["CONTROLLER_PAUSE", 2],
      ]),
    );
    assert.deepEqual(Object.keys(s).sort(), [...SUMMARY_KEYS].sort());
    assert.equal(SUMMARY_KEYS.length, 26);
    assert.equal(s.net_pnl, "197.9");
    assert.ok(dec(s.gross_pnl).eq(dec("200")), s.gross_pnl);
    assert.equal(s.fees, "2.1");
    assert.equal(s.funding, "0");
    assert.equal(s.return_pct, 19.79); // 197.9 / 1000, exact in decimals
    close(s.max_drawdown_pct, 10, "max_drawdown_pct");
    assert.equal(s.max_drawdown_duration_s, 9600);
    close(s.sharpe, (0.04 / Math.sqrt(0.008)) * Math.sqrt(8760), "sharpe");
    close(s.sortino, (0.04 / Math.sqrt(0.002)) * Math.sqrt(8760), "sortino");
    // Annualised return 19.79 % x (31 536 000 s / 16 200 s) over the 10 % drawdown.
    close(s.calmar, (19.79 * (31_536_000 / 16_200)) / 10, "calmar");
    assert.equal(s.fills, 5);
    assert.equal(s.round_trips, 4);
    assert.equal(s.win_rate, 0.75);
    assert.equal(s.turnover, "810.5");
    close(s.maker_share, 507.5 / 810.5, "maker_share");
    close(s.time_in_market_pct, (140 / 270) * 100, "time_in_market_pct");
    assert.equal(s.max_position_notional, "200");
    assert.deepEqual(
      [s.orders_submitted, s.orders_cancelled, s.orders_rejected, s.orders_filtered],
      [12, 3, 1, 2],
    );
    assert.deepEqual(Object.entries(s.blocked_by_reason), [
      ["CONTROLLER_PAUSE", 2],
      ["DD_GUARD_V1", 1],
    ]);
  });

  it("adds funding to the net PnL and writes money in plain notation", () => {
    const b = new SummaryBuilder(dec("1000"));
    b.addEquity(T0, account("1000", "0"));
    b.addEquity(T0 + MIN, account("999.99999999", "0.00000001", "0", "0.00000001"));
    b.addFunding(dec("-0.5"));
    b.addFunding(dec("0.25"));
    const s = b.finish({ placed: 0, canceled: 0, rejected: 0, filtered: 0 }, new Map());
    assert.equal(s.funding, "-0.25");
    // 999.99999999 - 1000 - 0.25
    assert.equal(s.net_pnl, "-0.25000001");
    assert.equal(s.fees, "0.00000001");
    assert.equal(s.max_position_notional, "0.00000001");
  });

  it("has nulls where a ratio is undefined: no fills, no time, no drawdown", () => {
    const b = new SummaryBuilder(dec("1000"));
    b.addEquity(T0, account("1000", "0"));
    const s = b.finish({ placed: 0, canceled: 0, rejected: 0, filtered: 0 }, new Map());
    assert.deepEqual(
      [s.sharpe, s.sortino, s.calmar, s.win_rate, s.maker_share, s.time_in_market_pct],
      [null, null, null, null, null, null],
    );
    assert.deepEqual([s.net_pnl, s.return_pct, s.max_drawdown_pct, s.fills], ["0", 0, 0, 0]);
    assert.deepEqual(s.blocked_by_reason, {});
    // Spot (no margin account at the points): the margin keys are neutral.
    assert.deepEqual(
      [s.liquidations, s.max_effective_leverage, s.max_margin_use_pct, s.liquidation_distance_pct],
      [0, null, null, {}],
    );
  });
});

/** Fills and marks on two symbols, booked through the kernel's own Portfolio. */
const stepArb = fc.record({
  symbol: fc.constantFrom("AUSDT", "BUSDT"),
  buy: fc.boolean(),
  price: fc.integer({ min: 50, max: 150 }),
  qty: fc.integer({ min: 1, max: 40 }),
  feeBps: fc.integer({ min: 0, max: 20 }),
  taker: fc.boolean(),
  markMove: fc.integer({ min: -30, max: 30 }),
  dtS: fc.integer({ min: 0, max: 7200 }),
  funding: fc.integer({ min: -5, max: 5 }),
});

describe("SummaryBuilder properties", () => {
  it("net = gross - fees + funding, fills counted, drawdown in [0, 100]", () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 0, maxLength: 60 }),
        fc.integer({ min: 1, max: 5000 }),
        (steps, capitalInt) => {
          const capital = Decimal.fromInt(capitalInt);
          const p = new Portfolio(capital);
          const b = new SummaryBuilder(capital);
          const acct = (): AccountState => ({
            equity: p.equity(capital),
            realized: p.realized(),
            unrealized: p.unrealized(),
            fees: p.fees(),
            funding: p.funding(),
            positionNotional: p.positionNotional(),
          });
          let ts = T0;
          let feeSum = Decimal.ZERO;
          let funding = Decimal.ZERO;
          b.addEquity(ts, acct());
          for (const s of steps) {
            ts += s.dtS * 1000;
            const price = Decimal.fromInt(s.price);
            const qty = Decimal.fromInt(s.qty).div(Decimal.fromInt(10));
            const fee = price.mul(qty).mul(Decimal.fromInt(s.feeBps)).div(Decimal.fromInt(10_000));
            const f = orderFilled({
              ts,
              clientOrderId: `o${ts}`,
              symbol: s.symbol,
              side: s.buy ? OrderSide.BUY : OrderSide.SELL,
              price,
              quantity: qty,
              fee,
              feeAsset: "USDT",
              liquidity: s.taker ? "taker" : "maker",
            });
            const feeQuote = p.applyFill(f);
            feeSum = feeSum.add(feeQuote);
            b.addFill({ fill: f, feeQuote, submitTs: ts });
            p.mark(s.symbol, Decimal.fromInt(Math.max(1, s.price + s.markMove)));
            b.addEquity(ts, acct());
            const fund = Decimal.fromInt(s.funding).div(Decimal.fromInt(100));
            b.addFunding(fund);
            funding = funding.add(fund);
          }
          const r = b.finish({ placed: 0, canceled: 0, rejected: 0, filtered: 0 }, new Map());
          const net = Decimal.parse(r.net_pnl);
          const gross = Decimal.parse(r.gross_pnl);
          const fees = Decimal.parse(r.fees);
          assert.ok(net.eq(gross.sub(fees).add(Decimal.parse(r.funding))), "net = gross - fees");
          // ... and agrees with the kernel's equity (rounded to 28 significant digits).
          const fromEquity = p.equity(capital).sub(capital).add(funding);
          assert.ok(net.sub(fromEquity).abs().lte(dec("1E-20")), `${r.net_pnl} vs ${fromEquity}`);
          assert.ok(Decimal.parse(r.funding).eq(funding));
          assert.ok(fees.eq(feeSum), "fees = sum of the fills' quote fees");
          assert.equal(r.fills, steps.length);
          assert.ok(r.max_drawdown_pct >= 0 && r.max_drawdown_pct <= 100, `${r.max_drawdown_pct}`);
          assert.ok(r.round_trips >= 0 && (r.win_rate === null) === (r.round_trips === 0));
          if (r.win_rate !== null) assert.ok(r.win_rate >= 0 && r.win_rate <= 1);
          if (r.maker_share !== null) assert.ok(r.maker_share >= 0 && r.maker_share <= 1);
          if (r.time_in_market_pct !== null) {
            assert.ok(r.time_in_market_pct >= 0 && r.time_in_market_pct <= 100 + 1e-9);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
