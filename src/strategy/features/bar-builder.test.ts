import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import { alignBarTs, BarBuilder, makeBarBuilderConfig } from "./bar-builder.js";
import { midBarFromJson, midBarToJson } from "./mid-bar.js";

const d = (s: string): Decimal => Decimal.parse(s);

describe("alignBarTs", () => {
  it("floors to the interval, negative timestamps included", () => {
    assert.equal(alignBarTs(0, 60_000), 0);
    assert.equal(alignBarTs(59_999, 60_000), 0);
    assert.equal(alignBarTs(60_000, 60_000), 60_000);
    assert.equal(alignBarTs(125_000, 60_000), 120_000);
    assert.equal(alignBarTs(-1, 60_000), -60_000);
    assert.equal(alignBarTs(-60_000, 60_000), -60_000);
  });
});

describe("BarBuilder", () => {
  it("defaults to 60 s bars and 1000 kept bars, and rejects non-positive settings", () => {
    const c = makeBarBuilderConfig();
    assert.equal(c.barIntervalMs, 60_000);
    assert.equal(c.maxBars, 1000);
    assert.throws(() => makeBarBuilderConfig({ barIntervalMs: 0 }), ConfigError);
    assert.throws(() => makeBarBuilderConfig({ maxBars: -1 }), ConfigError);
  });

  it("tracks OHLC and completes a bar on the first tick of a later bar", () => {
    const b = new BarBuilder();
    assert.equal(b.processTick(1_000, d("100")), null);
    assert.equal(b.processTick(10_000, d("105")), null);
    assert.equal(b.processTick(20_000, d("95")), null);
    assert.equal(b.processTick(59_999, d("102")), null);
    const bar = b.processTick(60_000, d("103"));
    assert.ok(bar);
    assert.deepEqual(midBarToJson(bar), {
      bar_ts: 0,
      open: "100",
      high: "105",
      low: "95",
      close: "102",
      tick_count: 4,
    });
    assert.equal(b.barCount, 1);
  });

  it("keeps the first of equal highs/lows (exponent preserved)", () => {
    const b = new BarBuilder();
    b.processTick(0, d("100.0"));
    b.processTick(1, d("100.00"));
    b.processTick(2, d("100"));
    const bar = b.processTick(60_000, d("1"));
    assert.ok(bar);
    assert.equal(bar.high.toString(), "100.0");
    assert.equal(bar.low.toString(), "100.0");
    assert.equal(bar.close.toString(), "100");
  });

  it("creates no bars for gaps and folds out-of-order ticks into the open bar", () => {
    const b = new BarBuilder();
    b.processTick(0, d("1"));
    const first = b.processTick(600_000, d("2")); // ten minutes later
    assert.equal(first?.barTs, 0);
    assert.equal(b.barCount, 1);
    // An earlier timestamp does not complete the open bar (600000): it updates it.
    assert.equal(b.processTick(30_000, d("5")), null);
    const second = b.processTick(660_000, d("3"));
    assert.deepEqual(second && midBarToJson(second), {
      bar_ts: 600_000,
      open: "2",
      high: "5",
      low: "2",
      close: "5",
      tick_count: 2,
    });
  });

  it("keeps only maxBars completed bars, oldest dropped", () => {
    const b = new BarBuilder(makeBarBuilderConfig({ barIntervalMs: 1000, maxBars: 3 }));
    for (let i = 0; i <= 5; i++) b.processTick(i * 1000, Decimal.fromInt(i));
    assert.equal(b.barCount, 3);
    assert.deepEqual(
      b.getBars().map((x) => x.barTs),
      [2000, 3000, 4000],
    );
    assert.deepEqual(
      b.getBars(2).map((x) => x.barTs),
      [3000, 4000],
    );
    assert.deepEqual(
      b.getBars(10).map((x) => x.barTs),
      [2000, 3000, 4000],
    );
    // A zero count slices like bars[-0:], i.e. everything.
    assert.equal(b.getBars(0).length, 3);
    assert.equal(b.barFromEnd(0).barTs, 4000);
    b.reset();
    assert.equal(b.barCount, 0);
    assert.equal(b.processTick(9000, d("1")), null);
  });

  it("round-trips a bar through JSON", () => {
    const b = new BarBuilder();
    b.processTick(120_000, d("50000.00"));
    b.processTick(130_000, d("50100.50"));
    const bar = b.processTick(180_000, d("1"));
    assert.ok(bar);
    const back = midBarFromJson(midBarToJson(bar) as Record<string, unknown>);
    assert.deepEqual(midBarToJson(back), midBarToJson(bar));
    assert.equal(back.open.toString(), "50000.00");
  });
});
