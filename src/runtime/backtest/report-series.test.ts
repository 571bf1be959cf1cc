import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../../core/decimal.js";
import { Snapshot } from "../../domain/snapshot.js";
import type { AccountState } from "../../kernel/kernel-types.js";
import {
  combinePortfolios,
  ReportSeriesBuilder,
  type RunSeries,
  reportData,
  StreamSampler,
  StrideSampler,
} from "./report-series.js";

const D = (s: string): Decimal => Decimal.parse(s);

function snap(ts: number, symbol: string, bid: string, ask: string): Snapshot {
  return new Snapshot({
    ts,
    symbol,
    bidPrice: D(bid),
    askPrice: D(ask),
    bidQty: D("1"),
    askQty: D("1"),
    lastPrice: D(bid),
    lastQty: D("0"),
  });
}

function out(
  ts: number,
  symbol: string,
  totalPnl: string,
  fills: { side: string; price: string; quantity: string }[] = [],
): Record<string, unknown> {
  return {
    ts,
    symbol,
    fills: fills.map((f) => ({ ts, symbol, order_id: "x", ...f })),
    pnl_snapshot: { ts, symbol, realized_pnl: "0", unrealized_pnl: totalPnl, total_pnl: totalPnl },
  };
}

describe("StreamSampler", () => {
  it("keeps every point while the series is short", () => {
    const s = new StreamSampler<number>(64, [(x) => x]);
    for (let i = 0; i < 50; i++) s.push(i * 3);
    assert.deepEqual(
      s.points(),
      Array.from({ length: 50 }, (_, i) => i * 3),
    );
  });

  it("stays bounded and keeps the first, last, spike and dip of a long series", () => {
    const s = new StreamSampler<{ i: number; v: number }>(64, [(p) => p.v]);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const v = i === 54_321 ? 1e6 : i === 77_777 ? -1e6 : Math.sin(i / 500);
      s.push({ i, v });
    }
    const kept = s.points();
    assert.equal(s.seen, n);
    assert.ok(kept.length <= 64 * 3 + 1, `${kept.length} points kept`);
    assert.ok(kept.length > 64, "still a usable number of points");
    const idx = kept.map((p) => p.i);
    for (const must of [0, n - 1, 54_321, 77_777]) assert.ok(idx.includes(must), `keeps ${must}`);
    for (let k = 1; k < idx.length; k++) assert.ok((idx[k] as number) > (idx[k - 1] as number));
  });

  it("ignores NaN values when choosing extremes", () => {
    const s = new StreamSampler<number>(2, [(x) => x]);
    for (const x of [Number.NaN, 5, Number.NaN, 1, 9, 2, 3, 4, 8, 7, 6, 0.5]) s.push(x);
    const kept = s.points();
    assert.ok(kept.includes(9) && kept.includes(0.5));
  });
});

describe("StrideSampler", () => {
  it("keeps all items up to the cap, then every 2nd, 4th, ...", () => {
    const s = new StrideSampler<number>(10);
    for (let i = 0; i < 10; i++) s.push(i);
    assert.deepEqual(
      s.items(),
      Array.from({ length: 10 }, (_, i) => i),
    );
    for (let i = 10; i < 100; i++) s.push(i);
    // Hand-traced: the stride doubles at 11 items (i = 10, 20, 40, 80).
    assert.deepEqual(s.items(), [0, 16, 32, 48, 64, 80, 96]);
    assert.equal(s.seen, 100);
  });
});

function account(equity: string, fees = "0"): AccountState {
  return {
    equity: D(equity),
    realized: D("0"),
    unrealized: D(equity).sub(D("1000")).add(D(fees)),
    fees: D(fees),
    funding: D("0"),
    positionNotional: D("0"),
  };
}

describe("ReportSeriesBuilder", () => {
  it("tracks mid, position and fills per output, and equity, drawdown and fees per point", () => {
    const b = new ReportSeriesBuilder(D("1000"));
    const tap = b.tap();
    tap.onTrading?.();
    b.push(
      snap(1, "AAA", "99", "101"),
      out(1, "AAA", "-10", [{ side: "BUY", price: "99.5", quantity: "2" }]),
    );
    b.push(snap(2, "BBB", "9", "11"), out(2, "BBB", "5"));
    b.push(
      snap(3, "AAA", "104", "106"),
      out(3, "AAA", "30", [{ side: "SELL", price: "105", quantity: "2" }]),
    );
    b.push(snap(4, "BBB", "7", "9"), out(4, "BBB", "-50.5"));
    tap.onAccount?.(1, account("990", "0.5"));
    tap.onAccount?.(3, account("1035", "1"));
    tap.onAccount?.(4, account("979.5", "1"));
    tap.onAccount?.(5, account("-20", "1.5"));
    const s = b.finish();
    assert.equal(s.initialCapital, 1000);
    assert.deepEqual(s.portfolio, [
      { ts: 1, equity: 990, drawdown_pct: 1, fees: 0.5 }, // the peak starts at the capital
      { ts: 3, equity: 1035, drawdown_pct: 0, fees: 1 }, // new high
      { ts: 4, equity: 979.5, drawdown_pct: ((1035 - 979.5) / 1035) * 100, fees: 1 },
      { ts: 5, equity: -20, drawdown_pct: 100, fees: 1.5 }, // negative equity: all of the peak
    ]);
    assert.deepEqual(
      s.symbols.map((x) => x.symbol),
      ["AAA", "BBB"],
    );
    const a = s.symbols[0];
    assert.deepEqual(a?.points, [
      { ts: 1, mid: 100, position: 2 },
      { ts: 3, mid: 105, position: 0 },
    ]);
    assert.deepEqual(a?.fills, [
      { ts: 1, side: "BUY", price: "99.5", qty: "2" },
      { ts: 3, side: "SELL", price: "105", qty: "2" },
    ]);
    assert.equal(a?.candles, undefined);
    assert.deepEqual(s.symbols[1]?.points, [
      { ts: 2, mid: 10, position: 0 },
      { ts: 4, mid: 8, position: 0 },
    ]);
  });

  it("rebuilds candles for klines and records gaps longer than the interval", () => {
    const MIN = 60_000;
    const b = new ReportSeriesBuilder(D("1000"), { candleMs: MIN });
    // Two klines of AAA as four prices each (open, low, high, close), then one two minutes on.
    const prices: [number, string][] = [
      [0, "10"],
      [20_000, "9"],
      [40_000, "12"],
      [59_999, "11"],
      [60_000, "11"],
      [80_000, "10.5"],
      [100_000, "13"],
      [119_999, "12"],
      [240_000, "12"],
    ];
    for (const [ts, p] of prices) b.push(snap(ts, "AAA", p, p), out(ts, "AAA", "0"));
    const s = b.finish();
    const a = s.symbols[0];
    assert.equal(a?.candleMs, MIN);
    assert.deepEqual(a?.candles, [
      { ts: 0, open: 10, high: 12, low: 9, close: 11 },
      { ts: MIN, open: 11, high: 13, low: 10.5, close: 12 },
      { ts: 4 * MIN, open: 12, high: 12, low: 12, close: 12 },
    ]);
    // 119 999 -> 240 000 is more than a minute without data (two klines missing).
    assert.deepEqual(a?.gaps, [{ from: 119_999, to: 240_000 }]);
    assert.deepEqual(s.portfolioGaps, [{ from: 119_999, to: 240_000 }]);
    assert.equal(a?.gapsSeen, 1);
  });

  it("starts over when the trading pass starts again", () => {
    const b = new ReportSeriesBuilder(D("1000"));
    const tap = b.tap();
    tap.onTrading?.();
    b.push(snap(1, "AAA", "99", "101"), out(1, "AAA", "0"));
    tap.onAccount?.(1, account("900"));
    tap.onTrading?.();
    tap.onAccount?.(1, account("1000"));
    const s = b.finish();
    assert.deepEqual(s.symbols, []);
    assert.deepEqual(s.portfolio, [{ ts: 1, equity: 1000, drawdown_pct: 0, fees: 0 }]);
  });
});

function run(initialCapital: number, points: [number, number][]): RunSeries {
  return {
    initialCapital,
    symbols: [],
    portfolio: points.map(([ts, equity]) => ({ ts, equity, drawdown_pct: 0 })),
    portfolioSeen: points.length,
    portfolioGaps: [],
  };
}

describe("combinePortfolios / reportData", () => {
  it("sums independent accounts at every point of any run", () => {
    const a = run(100, [
      [1, 110],
      [3, 90],
    ]);
    const b = run(50, [
      [2, 40],
      [3, 60],
    ]);
    assert.deepEqual(combinePortfolios([a, b]), [
      { ts: 1, equity: 160, drawdown_pct: 0, fees: 0 },
      { ts: 2, equity: 150, drawdown_pct: 6.25, fees: 0 },
      { ts: 3, equity: 130, drawdown_pct: 18.75, fees: 0 },
      { ts: 3, equity: 150, drawdown_pct: 6.25, fees: 0 },
    ]);
    assert.equal(combinePortfolios([a]), a.portfolio);
  });

  it("labels symbols by run and notes sampling", () => {
    const series: RunSeries = {
      ...run(100, [[1, 100]]),
      symbols: [
        {
          symbol: "AAA",
          points: [],
          fills: [],
          gaps: [],
          pointsSeen: 5000,
          fillsSeen: 0,
          gapsSeen: 0,
        },
      ],
    };
    const data = reportData({
      title: "t",
      meta: [],
      summary: { columns: ["x"], rows: [] },
      runs: [
        { label: "f1", series },
        { label: "f2", series },
      ],
    });
    assert.deepEqual(
      data.symbols.map((s) => s.symbol),
      ["f1 AAA", "f2 AAA"],
    );
    assert.ok(data.meta?.some((m) => m.label === "portfolio"));
    assert.ok(data.meta?.some((m) => String(m.value).startsWith("f1 AAA: 5000 points, 0 kept")));
  });
});

describe("ReportSeriesBuilder on USD-M", () => {
  it("keeps liquidation fills apart from the thinned ones and the margin ratios of each point", () => {
    const b = new ReportSeriesBuilder(D("1000"), { maxFills: 2 });
    const fill = (side: string, price: string, liquidity = "maker") => ({
      side,
      price,
      quantity: "1",
      liquidity,
    });
    // Six maker fills (thinned to every 4th: 0 and 4), then a liquidation: always kept.
    for (let i = 0; i < 6; i++)
      b.push(
        snap(1000 + i, "BTCUSDT", "100", "100"),
        out(1000 + i, "BTCUSDT", "0", [fill("BUY", "100")]),
      );
    b.push(
      snap(2000, "BTCUSDT", "50", "50"),
      out(2000, "BTCUSDT", "0", [fill("SELL", "50", "liquidation")]),
    );
    const account = (
      equity: string,
      margin?: { balance: string; notional: string; im: string },
    ): AccountState => ({
      equity: D(equity),
      realized: D("0"),
      unrealized: D("0"),
      fees: D("0"),
      funding: D("-2.5"),
      positionNotional: D(margin?.notional ?? "0"),
      ...(margin === undefined
        ? {}
        : {
            margin: {
              marginBalance: D(margin.balance),
              positionNotional: D(margin.notional),
              initialMargin: D(margin.im),
              maintenanceMargin: D("0"),
              symbols: [],
            },
          }),
    });
    // Balance 800, notional 1600, initial margin 400: leverage 2, margin use 50 %.
    b.pushAccount(1000, account("800", { balance: "800", notional: "1600", im: "400" }));
    // A balance at or below 0: no ratio.
    b.pushAccount(2000, account("-10", { balance: "-10", notional: "0", im: "0" }));
    const s = b.finish();
    const fills = s.symbols[0]?.fills ?? [];
    assert.deepEqual(
      fills.map((f) => [f.ts, f.side, f.liquidity]),
      [
        [1000, "BUY", "maker"],
        [1004, "BUY", "maker"],
        [2000, "SELL", "liquidation"],
      ],
    );
    assert.deepEqual(
      s.portfolio.map((p) => [p.funding, p.leverage, p.margin_use_pct]),
      [
        [-2.5, 2, 50],
        [-2.5, null, null],
      ],
    );
    // Spot points carry none of it.
    const spot = new ReportSeriesBuilder(D("1000"));
    spot.pushAccount(1000, account("1000"));
    assert.equal("leverage" in (spot.finish().portfolio[0] ?? {}), false);
  });
});
