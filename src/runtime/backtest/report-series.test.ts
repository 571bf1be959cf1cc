import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../../core/decimal.js";
import { Snapshot } from "../../domain/snapshot.js";
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

describe("ReportSeriesBuilder", () => {
  it("tracks mid, position, fills, equity and drawdown per output", () => {
    const b = new ReportSeriesBuilder(D("1000"));
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
    const s = b.finish();
    assert.equal(s.initialCapital, 1000);
    assert.deepEqual(s.portfolio, [
      { ts: 1, equity: 990, drawdown_pct: 1 }, // 1000 - 10; HWM starts at the capital
      { ts: 2, equity: 995, drawdown_pct: 0.5 }, // -10 + 5
      { ts: 3, equity: 1035, drawdown_pct: 0 }, // 30 + 5: new high
      { ts: 4, equity: 979.5, drawdown_pct: ((1035 - 979.5) / 1035) * 100 }, // 30 - 50.5
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
    assert.deepEqual(s.symbols[1]?.points, [
      { ts: 2, mid: 10, position: 0 },
      { ts: 4, mid: 8, position: 0 },
    ]);
  });
});

function run(initialCapital: number, points: [number, number][]): RunSeries {
  return {
    initialCapital,
    symbols: [],
    portfolio: points.map(([ts, equity]) => ({ ts, equity, drawdown_pct: 0 })),
    portfolioSeen: points.length,
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
      { ts: 1, equity: 160, drawdown_pct: 0 },
      { ts: 2, equity: 150, drawdown_pct: 6.25 },
      { ts: 3, equity: 130, drawdown_pct: 18.75 },
      { ts: 3, equity: 150, drawdown_pct: 6.25 },
    ]);
    assert.equal(combinePortfolios([a]), a.portfolio);
  });

  it("labels symbols by run and notes sampling", () => {
    const series: RunSeries = {
      ...run(100, [[1, 100]]),
      symbols: [{ symbol: "AAA", points: [], fills: [], pointsSeen: 5000, fillsSeen: 0 }],
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
