/**
 * Invariants of the realistic simulation, as properties over random markets
 * and settings (kernel + SimulatedVenue, as `grinder backtest --data` runs):
 * - equity = capital + realized + unrealized - fees, checked against an
 *   independent cash-and-positions account, to the cent;
 * - position = sum of signed fills;
 * - no fill before submit + order latency;
 * - no maker fill at a price the market did not reach;
 * - every fee = price x quantity x the rate of its liquidity;
 * - order prices and quantities on the instrument's tick and step grid.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Decimal, dec } from "../core/decimal.js";
import { SeededRandom } from "../core/prng.js";
import type { InstrumentSpec } from "../domain/instrument.js";
import type { OrderFilled, SubmitOrder } from "../domain/orders.js";
import { Snapshot } from "../domain/snapshot.js";
import { createKernel, createSimulatedVenue } from "../runtime/simulation.js";
import { applyOptions, defaultOptions } from "./kernel-options.js";
import { SimulatedTrading } from "./simulated-trading.js";

const SYMBOLS = ["AAAUSDT", "BBBUSDT"] as const;
const TICK = dec("0.01");
const STEP = dec("0.001");

interface Market {
  readonly snapshots: Snapshot[];
}

/** A random walk per symbol: quotes (and, for trade data, one trade per event). */
function market(seed: number, events: number, trades: boolean): Market {
  const r = new SeededRandom(seed);
  const mids = new Map<string, number>([
    ["AAAUSDT", 100],
    ["BBBUSDT", 2.5],
  ]);
  const snapshots: Snapshot[] = [];
  for (let i = 0; i < events; i++) {
    const symbol = SYMBOLS[r.int(0, 1)] as string;
    const m0 = mids.get(symbol) as number;
    const m = Math.max(0.5, m0 * (1 + r.normal() * 0.002));
    mids.set(symbol, m);
    const half = m * (0.0001 + r.next() * 0.0004);
    const bid = (Math.floor((m - half) * 100) / 100).toFixed(2);
    const ask = (Math.ceil((m + half) * 100) / 100 + 0.01).toFixed(2);
    const last = trades ? (r.next() < 0.5 ? bid : ask) : bid;
    snapshots.push(
      new Snapshot({
        ts: 1_000_000 + i * r.int(5, 60),
        symbol,
        bidPrice: dec(bid),
        askPrice: dec(ask),
        bidQty: dec((r.int(1, 4000) / 1000).toFixed(3)),
        askQty: dec((r.int(1, 4000) / 1000).toFixed(3)),
        lastPrice: dec(last),
        lastQty: trades ? dec((r.int(1, 3000) / 1000).toFixed(3)) : Decimal.ZERO,
        ...(trades ? { takerSide: last === bid ? ("SELL" as const) : ("BUY" as const) } : {}),
      }),
    );
  }
  // Timestamps must not go back: sort by ts (stable).
  snapshots.sort((a, b) => a.ts - b.ts);
  return { snapshots };
}

const instruments = new Map<string, InstrumentSpec>(
  SYMBOLS.map((symbol) => [
    symbol,
    {
      symbol,
      tickSize: TICK,
      stepSize: STEP,
      minQty: STEP,
      minNotional: dec("5"),
      source: "exchangeInfo" as const,
    },
  ]),
);

function isMultiple(x: Decimal, step: Decimal): boolean {
  const q = x.div(step);
  return q.eq(q.quantizeExp(0, "ROUND_DOWN"));
}

test("realistic simulation invariants hold over random markets and settings", () => {
  const seenLiquidity = { maker: 0, taker: 0, partial: 0 };
  fc.assert(
    fc.property(
      fc.record({
        seed: fc.integer({ min: 1, max: 1_000_000 }),
        trades: fc.boolean(),
        latency: fc.integer({ min: 0, max: 120 }),
        cancelLatency: fc.integer({ min: 0, max: 120 }),
        l1: fc.boolean(),
        makerBps: fc.constantFrom(0, 1, 2, 7.5, 10),
        takerBps: fc.constantFrom(0, 4, 5, 10),
        spacing: fc.constantFrom(5, 10, 25),
        spot: fc.boolean(),
      }),
      (p) => {
        const o = applyOptions(
          defaultOptions("realistic"),
          {
            order_latency_ms: p.latency,
            cancel_latency_ms: p.cancelLatency,
            l1_qty_limits_fills: p.l1,
            maker_fee_bps: p.makerBps,
            taker_fee_bps: p.takerBps,
            spacing_bps: p.spacing,
            market: p.spot ? "spot" : "um",
            notional_per_level: "150",
            controller_enabled: true,
          },
          "property",
        );
        const m = market(p.seed, 400, p.trades);
        const venue = createSimulatedVenue(o, { data: p.trades ? "trades" : "quotes" });
        const submitted: SubmitOrder[] = [];
        const submit = venue.submit.bind(venue);
        venue.submit = (cmd) => {
          submitted.push(cmd);
          submit(cmd);
        };
        const kernel = createKernel(o, instruments);
        const sim = new SimulatedTrading(kernel, venue);
        const booked: { fill: OrderFilled; feeQuote: Decimal; submitTs: number | undefined }[] = [];
        kernel.onFillBooked = (b) => booked.push(b);
        // What the market showed at each (symbol, ts): for "reached" checks.
        const seen = new Map<string, Snapshot[]>();
        const marks = new Map<string, Decimal>();
        for (const s of m.snapshots) {
          const key = `${s.symbol}@${s.ts}`;
          seen.set(key, [...(seen.get(key) ?? []), s]);
          marks.set(s.symbol, s.midPrice);
          sim.step(s);
        }
        // Independent account from the fills alone.
        let cash = o.initial_capital;
        const positions = new Map<string, Decimal>();
        let fees = Decimal.ZERO;
        const rate = (bps: number) => Decimal.fromDoubleShortest(bps).div(Decimal.fromInt(10000));
        for (const { fill: f, feeQuote, submitTs } of booked) {
          const value = f.price.mul(f.quantity);
          cash = f.side === "BUY" ? cash.sub(value) : cash.add(value);
          cash = cash.sub(feeQuote);
          fees = fees.add(feeQuote);
          const signed = f.side === "BUY" ? f.quantity : f.quantity.negate();
          positions.set(f.symbol, (positions.get(f.symbol) ?? Decimal.ZERO).add(signed));
          // Fee = price x qty x rate of its liquidity.
          const r =
            f.liquidity === "maker"
              ? rate(p.makerBps)
              : f.liquidity === "taker"
                ? rate(p.takerBps)
                : o.liquidation_fee_rate;
          assert.ok(f.fee.eq(value.mul(r)), `fee of ${f.tradeId}`);
          assert.ok(feeQuote.eq(f.fee));
          // No fill before submit + latency.
          if (submitTs !== undefined) assert.ok(f.ts >= submitTs + p.latency, `early ${f.tradeId}`);
          // A maker fill: the market reached the price at that moment.
          if (f.liquidity === "maker") {
            // (liquidations close at the mark; takers cross at the opposite best)
            const events = seen.get(`${f.symbol}@${f.ts}`) ?? [];
            const reached = events.some((s) =>
              p.trades
                ? f.side === "BUY"
                  ? !s.lastPrice.gt(f.price)
                  : !s.lastPrice.lt(f.price)
                : f.side === "BUY"
                  ? !s.askPrice.gt(f.price)
                  : !s.bidPrice.lt(f.price),
            );
            assert.ok(reached, `maker fill ${f.tradeId} at ${f.price} not reached at ${f.ts}`);
          }
        }
        let equity = cash;
        for (const [sym, q] of positions) equity = equity.add(q.mul(marks.get(sym) as Decimal));
        const acct = kernel.account();
        assert.ok(
          acct.equity.sub(equity).abs().lt(dec("0.01")),
          `equity ${acct.equity} vs independent ${equity}`,
        );
        assert.ok(acct.fees.eq(fees));
        assert.ok(
          acct.equity.eq(o.initial_capital.add(acct.realized).add(acct.unrealized).sub(acct.fees)),
        );
        // Position = sum of signed fills (no base-asset fees in the simulation).
        const finals = kernel.finish(m.snapshots.length).final_positions as Record<
          string,
          { quantity: string }
        >;
        for (const sym of SYMBOLS) {
          const q = positions.get(sym) ?? Decimal.ZERO;
          const reported = finals[sym]?.quantity;
          assert.ok(
            reported === undefined ? q.isZero() : Decimal.parse(reported).eq(q),
            `${sym}: ${reported} vs ${q}`,
          );
          // Spot never goes short.
          if (p.spot) assert.ok(!q.isNegative(), `${sym} short on spot: ${q}`);
        }
        // Orders on the filter grid, at least the minimum notional.
        for (const c of submitted) {
          assert.ok(isMultiple(c.price, TICK), `price ${c.price}`);
          assert.ok(isMultiple(c.quantity, STEP), `qty ${c.quantity}`);
          assert.ok(!c.price.mul(c.quantity).lt(dec("5")), `notional ${c.price}x${c.quantity}`);
        }
        for (const { fill: f } of booked) {
          if (f.liquidity === "maker") seenLiquidity.maker++;
          else seenLiquidity.taker++;
          if (!f.leavesQuantity.isZero()) seenLiquidity.partial++;
        }
      },
    ),
    { numRuns: 40, seed: 20261129 },
  );
  // The properties were exercised, not vacuously true.
  assert.ok(seenLiquidity.maker > 100, JSON.stringify(seenLiquidity));
  assert.ok(seenLiquidity.taker > 0, JSON.stringify(seenLiquidity));
  assert.ok(seenLiquidity.partial > 0, JSON.stringify(seenLiquidity));
});

test("the property run trades: fills, partial fills and both liquidities occur", () => {
  const o = applyOptions(
    defaultOptions("realistic"),
    { notional_per_level: "150", order_latency_ms: 0, l1_qty_limits_fills: true, spacing_bps: 5 },
    "t",
  );
  const m = market(7, 2000, false);
  const kernel = createKernel(o, instruments);
  const sim = new SimulatedTrading(kernel, createSimulatedVenue(o, { data: "quotes" }));
  const fills: OrderFilled[] = [];
  kernel.onFillBooked = (b) => fills.push(b.fill);
  for (const s of m.snapshots) sim.step(s);
  assert.ok(fills.length > 20, `fills: ${fills.length}`);
  assert.ok(
    fills.some((f) => !f.leavesQuantity.isZero()),
    "a partial fill",
  );
  assert.ok(fills.some((f) => f.liquidity === "maker"));
});
