import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CandleSampler, coarsenCandles, nextCandleWidth } from "./candle-sampler.js";

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

describe("CandleSampler", () => {
  it("rebuilds 1m candles from the four prices of each kline", () => {
    const c = new CandleSampler(MIN, 100);
    // Candle 1: open 10, low 9, high 12, close 11; candle 2 (the next minute): 11, 13, 10.5, 10.8.
    for (const [s, p] of [
      [0, 10],
      [20, 9],
      [40, 12],
      [59.999, 11],
      [60, 11],
      [80, 13],
      [100, 10.5],
      [119.999, 10.8],
    ] as const) {
      c.push(T0 + s * 1000, p);
    }
    assert.deepEqual(c.items(), [
      { ts: T0, open: 10, high: 12, low: 9, close: 11 },
      { ts: T0 + MIN, open: 11, high: 13, low: 10.5, close: 10.8 },
    ]);
    assert.equal(c.seen, 8);
  });

  it("leaves missing minutes out and merges exactly when over the cap", () => {
    const c = new CandleSampler(MIN, 4);
    // Minutes 0..5 with price = minute, then minute 9 (6..8 missing).
    for (const m of [0, 1, 2, 3, 4, 5, 9]) {
      c.push(T0 + m * MIN, m);
      c.push(T0 + m * MIN + 30_000, m + 0.5);
    }
    // Seven 1m candles > 4: 5m buckets [0-4], [5-9] -> two candles.
    assert.equal(c.widthMs, 5 * MIN);
    assert.deepEqual(c.items(), [
      { ts: T0, open: 0, high: 4.5, low: 0, close: 4.5 },
      { ts: T0 + 5 * MIN, open: 5, high: 9.5, low: 5, close: 9.5 },
    ]);
  });

  it("climbs the width ladder by multiples", () => {
    assert.deepEqual(
      [MIN, 3 * MIN, 5 * MIN, 30 * MIN, 60 * MIN, 6 * 60 * MIN, 1440 * MIN, 3 * 1440 * MIN].map(
        (w) => nextCandleWidth(w) / MIN,
      ),
      [5, 15, 15, 60, 240, 1440, 7 * 1440, 6 * 1440],
    );
    assert.equal(nextCandleWidth(1000), MIN);
    assert.throws(() => new CandleSampler(0, 10), RangeError);
  });

  it("coarsens whole candles the same way as prices", () => {
    const minutes = [0, 1, 2, 3, 4, 5, 9].map((m) => ({
      ts: T0 + m * MIN,
      open: m,
      high: m + 0.5,
      low: m,
      close: m + 0.5,
    }));
    const r = coarsenCandles(minutes, MIN, 4);
    assert.equal(r.widthMs, 5 * MIN);
    assert.deepEqual(r.candles, [
      { ts: T0, open: 0, high: 4.5, low: 0, close: 4.5 },
      { ts: T0 + 5 * MIN, open: 5, high: 9.5, low: 5, close: 9.5 },
    ]);
    assert.equal(coarsenCandles(minutes, MIN, 10).candles.length, 7);
  });
});
