import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { browserTests } from "../../test/support/chromium.js";
import { Decimal } from "../core/decimal.js";
import { InvalidInputError } from "../core/errors.js";
import { CHART_SCRIPT } from "./chart-script.js";
import { renderBacktestReport } from "./html-report.js";
import type {
  BacktestReportData,
  ReportCandle,
  ReportFill,
  ReportSymbolPoint,
  ReportSymbolSeries,
} from "./report-data.js";
import type { RunSummaryJson } from "./summary.js";

const T0 = 1767225600000;
const MIN = 60_000;

/** A hand-written summary (the panel shows it rounded). */
const SUMMARY: RunSummaryJson = {
  net_pnl: "1234.5",
  gross_pnl: "1240.125",
  fees: "0.0037",
  funding: "0",
  return_pct: 12.3456,
  max_drawdown_pct: 0.8912,
  max_drawdown_duration_s: 9600,
  sharpe: 2.3456,
  sortino: null,
  calmar: 15.5,
  fills: 96,
  round_trips: 40,
  win_rate: 0.6667,
  turnover: "98765.4321",
  maker_share: 0.5,
  time_in_market_pct: 51.851851,
  max_position_notional: "930.999",
  liquidations: 1,
  max_effective_leverage: 2.3461,
  max_margin_use_pct: 46.9051,
  liquidation_distance_pct: { BTCUSDT: 18.4449, ETHUSDT: null },
  orders_submitted: 120,
  orders_cancelled: 7,
  orders_rejected: 1,
  orders_filtered: 2,
  blocked_by_reason: { COOLDOWN_ACTIVE: 3, "MAX<NOTIONAL>": 12 },
};

/**
 * A deterministic sample backtest: 12 000 portfolio points (one a second)
 * with fees, a gap of 20 minutes without data after point 9000; BTCUSDT as a
 * mid line, ETHUSDT as 1-minute candles; both with fills.
 */
function sample(): BacktestReportData {
  const n = 12_000;
  const ts = (i: number): number => T0 + i * 1000 + (i > 9000 ? 20 * MIN : 0);
  const portfolio = [];
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const equity = 10_000 + 40 * Math.sin(i / 700) + i * 0.01 - (i > 6000 && i < 6400 ? 90 : 0);
    peak = Math.max(peak, equity);
    portfolio.push({
      ts: ts(i),
      equity,
      drawdown_pct: ((peak - equity) / peak) * 100,
      fees: (i * 0.002).toFixed(4),
    });
  }
  const gap = { from: ts(9000), to: ts(9001) };
  const symbols = ["BTCUSDT", "ETHUSDT"].map((symbol, k) => {
    const base = k === 0 ? 93_000 : 3_300;
    const points: ReportSymbolPoint[] = [];
    const fills: ReportFill[] = [];
    const candles: ReportCandle[] = [];
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const mid = base * (1 + 0.004 * Math.sin(i / (300 + 100 * k)));
      if (i % 250 === 125) {
        const side = Math.sin(i / (300 + 100 * k)) > 0 ? "SELL" : "BUY";
        pos += side === "BUY" ? 0.01 : -0.01;
        fills.push({ ts: ts(i), side, price: mid.toFixed(2), qty: "0.010" });
      }
      points.push({
        ts: ts(i),
        mid: k === 0 ? Decimal.fromDoubleShortest(Number(mid.toFixed(2))) : mid,
        position: pos.toFixed(3),
      });
      const start = Math.floor(ts(i) / MIN) * MIN;
      const last = candles[candles.length - 1];
      if (last !== undefined && last.ts === start) {
        candles[candles.length - 1] = {
          ...last,
          high: Math.max(last.high, mid),
          low: Math.min(last.low, mid),
          close: mid,
        };
      } else candles.push({ ts: start, open: mid, high: mid, low: mid, close: mid });
    }
    return k === 0
      ? { symbol, points, fills, gaps: [gap] }
      : { symbol, points, fills, gaps: [gap], candles, candleMs: MIN };
  });
  return {
    title: "Backtest BTCUSDT,ETHUSDT <2026-01-01>",
    meta: [
      { label: "data", value: "/data/binance" },
      { label: "kind", value: "bookTicker" },
    ],
    summary: {
      columns: ["symbol", "fills", "realized_pnl", "note"],
      rows: [
        ["BTCUSDT", 48, "12.5", "a < b & c"],
        ["ETHUSDT", 48, "-3.25", "</script><b>x</b>"],
      ],
    },
    portfolio,
    portfolioGaps: [gap],
    symbols,
    runSummary: SUMMARY,
    quote: "USDT",
    sourceNotes: ["missing day: BTCUSDT 2026-01-02 (no file)", "skipped 1 bad row(s) <x>"],
  };
}

/**
 * The sample as a USD-M run: cumulative funding, effective leverage and margin
 * use at every portfolio point, and one liquidation of BTCUSDT (a SELL at
 * point 7000, drawn as a cross).
 */
function usdmSample(): BacktestReportData {
  const base = sample();
  const portfolio = base.portfolio.map((p, i) => ({
    ...p,
    funding: (-0.001 * i).toFixed(3),
    leverage: 1 + Math.sin(i / 900),
    margin_use_pct: 20 + 10 * Math.sin(i / 900),
  }));
  const [btc, eth] = base.symbols as [ReportSymbolSeries, ReportSymbolSeries];
  const liqTs = T0 + 7000 * 1000;
  const liquidation: ReportFill = {
    ts: liqTs,
    side: "SELL",
    price: "92800.00",
    qty: "0.250",
    liquidity: "liquidation",
  };
  const fills = [
    ...btc.fills.filter((f) => f.ts < liqTs),
    liquidation,
    ...btc.fills.filter((f) => f.ts >= liqTs),
  ];
  return { ...base, portfolio, symbols: [{ ...btc, fills }, eth] };
}

interface Embedded {
  quote: string;
  portfolio: { t: number[]; equity: (number | null)[]; dd: (number | null)[]; fees: number[] };
  symbols: {
    symbol: string;
    base: string;
    line: { t: number[]; mid: (number | null)[]; pos: (number | null)[] };
    candles: { ms: number; t: number[]; o: number[]; h: number[]; l: number[]; c: number[] } | null;
    fills: { t: number[]; p: number[]; q: string[]; buy: number[]; liq: number[] };
  }[];
}

function embeddedData(html: string): Embedded {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m !== null, "embedded data");
  return JSON.parse(m[1] as string);
}

/** The panel's value for a summary key (`<div class="metric" data-key=K>...<dd>V</dd>`). */
function panelValue(html: string, key: string): string | undefined {
  const m = new RegExp(`data-key="${key}"><dt>[^<]*</dt><dd>([^<]*)</dd>`).exec(html);
  return m?.[1];
}

describe("renderBacktestReport (static checks)", () => {
  const html = renderBacktestReport(sample());

  it("is one self-contained document: no URL at all, no external script or stylesheet", () => {
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.doesNotMatch(html, /<link\b/i);
    assert.doesNotMatch(html, /\b(?:src|href)\s*=/i);
    assert.doesNotMatch(html, /url\(/i);
    assert.doesNotMatch(html, /@import/i);
    assert.deepEqual(html.match(/https?:\/\/[^\s"'<>]*/g) ?? [], []);
  });

  it("inlines uPlot with its license", () => {
    assert.match(html, /<script>\/\*! uPlot 1\.\d+\.\d+\nThe MIT License \(MIT\)/);
    assert.match(html, /Copyright \(c\) 2022 Leon Sorokin/);
    assert.match(html, /Permission is hereby granted, free of charge/);
    assert.match(html, /var uPlot=function\(\)/);
    assert.match(html, /\.uplot \{font-family/);
  });

  it("escapes text and keeps the embedded JSON from closing its script element", () => {
    assert.match(html, /<title>Backtest BTCUSDT,ETHUSDT &lt;2026-01-01&gt;<\/title>/);
    assert.match(html, /<td>a &lt; b &amp; c<\/td>/);
    assert.match(html, /<td>&lt;\/script&gt;&lt;b&gt;x&lt;\/b&gt;<\/td>/);
    assert.equal(html.match(/<\/script>/g)?.length, 3);
  });

  it("shows the summary rounded for reading, with units", () => {
    // Each expected value by hand from SUMMARY and the display rules.
    const expected: [string, string][] = [
      ["net_pnl", "1234.50 USDT"],
      ["gross_pnl", "1240.12 USDT"], // 1240.125: half-even keeps the 2
      ["fees", "0.0037 USDT"], // under a cent: two significant digits
      ["funding", "0.00 USDT"],
      ["return_pct", "12.35 %"],
      ["max_drawdown_pct", "0.89 %"],
      ["max_drawdown_duration_s", "9600 s (2h 40m)"],
      ["sharpe", "2.35"],
      ["sortino", "n/a"],
      ["calmar", "15.50"],
      ["fills", "96"],
      ["round_trips", "40"],
      ["win_rate", "66.67 %"],
      ["turnover", "98765.43 USDT"],
      ["maker_share", "50.00 %"],
      ["time_in_market_pct", "51.85 %"],
      ["max_position_notional", "931.00 USDT"],
      ["liquidations", "1"],
      ["max_effective_leverage", "2.35x"],
      ["max_margin_use_pct", "46.91 %"],
      ["liquidation_distance_pct", "BTCUSDT 18.44 %, ETHUSDT never open"],
      ["orders_submitted", "120"],
      ["orders_cancelled", "7"],
      ["orders_rejected", "1"],
      ["orders_filtered", "2"],
    ];
    for (const [key, value] of expected) assert.equal(panelValue(html, key), value, key);
    assert.equal(html.match(/class="metric"/g)?.length, 25);
    assert.match(html, /<h2>Summary<\/h2>/);
    assert.match(html, /<h2>Per symbol<\/h2>/);
  });

  it("lists the source notes and the blocked events by reason", () => {
    assert.match(html, /<li>missing day: BTCUSDT 2026-01-02 \(no file\)<\/li>/);
    assert.match(html, /<li>skipped 1 bad row\(s\) &lt;x&gt;<\/li>/);
    assert.match(html, /<tr><td>COOLDOWN_ACTIVE<\/td><td>3<\/td><\/tr>/);
    assert.match(html, /<tr><td>MAX&lt;NOTIONAL&gt;<\/td><td>12<\/td><\/tr>/);
  });

  it("has one chart container per chart", () => {
    assert.equal(html.match(/class="chart"/g)?.length, 6);
    assert.equal(html.match(/data-chart="price"/g)?.length, 2);
    assert.equal(html.match(/data-chart="position"/g)?.length, 2);
    assert.match(html, /24 buy and 24 sell fill\(s\); final position 0\.000/);
  });

  it("downsamples long series, keeping the first, last and extreme points, and marks gaps", () => {
    const d = embeddedData(html);
    const p = d.portfolio;
    // Three drawn values (equity, drawdown, fees): up to 6 points per bucket, 333 buckets.
    assert.ok(p.t.length <= 2003 && p.t.length > 600, `${p.t.length}`);
    assert.equal(p.t[0], T0);
    assert.equal(p.t[p.t.length - 1], T0 + 11_999_000 + 20 * MIN);
    const all = sample().portfolio.map((x) => Number(x.drawdown_pct));
    assert.equal(Math.max(...p.dd.filter((x): x is number => x !== null)), Math.max(...all));
    assert.match(html, /12000 points, \d+ drawn \(bucket min\/max\)/);
    // The gap: one row of nulls half-way through the 20 minutes without data.
    const gapAt = T0 + 9000 * 1000 + (20 * MIN + 1000) / 2;
    const gi = p.t.indexOf(gapAt);
    assert.ok(gi > 0, "a gap row");
    assert.deepEqual([p.equity[gi], p.dd[gi], p.fees[gi]], [null, null, null]);
    assert.equal(p.equity.filter((x) => x === null).length, 1);
    const btc = d.symbols[0];
    assert.ok(btc !== undefined && btc.line.t.length <= 2003);
    assert.equal(btc.line.mid[btc.line.t.indexOf(gapAt)], null);
    assert.equal(btc.candles, null);
    assert.equal(btc.base, "BTC");
    assert.equal(btc.fills.t.length, 48);
    assert.equal(btc.fills.buy.filter((b) => b === 1).length, 24);
    assert.equal(btc.fills.q[0], "0.010");
  });

  it("embeds candles as given when they fit, merged when they do not", () => {
    const eth = embeddedData(html).symbols[1];
    assert.ok(eth?.candles !== null && eth?.candles !== undefined);
    // Points at 0..9000 s (minutes 0..150: 151 candles), then 20 minutes later at
    // 10 201..13 199 s (minutes 170..219: 50 candles).
    assert.equal(eth.candles.ms, MIN);
    assert.equal(eth.candles.t.length, 201);
    assert.match(html, /1-minute candles/);
    const few = renderBacktestReport({ ...sample(), maxPoints: 50 });
    const merged = embeddedData(few).symbols[1]?.candles;
    // 201 one-minute candles over a cap of 50: 5-minute buckets 0..30 and 34..43, 41 candles.
    assert.equal(merged?.ms, 5 * MIN);
    assert.equal(merged?.t.length, 41);
    assert.match(few, /5-minute candles \(merged\)/);
  });

  it("thins fills beyond maxFills with a note, and validates fill sides and limits", () => {
    const thin = renderBacktestReport({ ...sample(), maxFills: 10 });
    assert.equal(embeddedData(thin).symbols[0]?.fills.t.length, 10);
    assert.match(thin, /showing 10 of 48 fills/);
    const bad = sample();
    const withBadSide = {
      ...bad,
      symbols: [
        {
          ...(bad.symbols[0] as BacktestReportData["symbols"][number]),
          fills: [{ ts: T0, side: "HOLD", price: 1, qty: 1 }],
        },
      ],
    };
    assert.throws(() => renderBacktestReport(withBadSide), InvalidInputError);
    assert.throws(
      () => renderBacktestReport({ ...bad, maxPoints: 3 }),
      /maxPoints: expected an integer >= 10/,
    );
  });

  it("USD-M: a leverage and margin chart, funding on the equity chart, liquidations always drawn", () => {
    const u = renderBacktestReport(usdmSample());
    assert.equal(u.match(/class="chart"/g)?.length, 7);
    assert.equal(u.match(/data-chart="margin"/g)?.length, 1);
    assert.match(u, /<h2>Leverage and margin<\/h2>/);
    assert.match(u, /funding received \(\+\) \/ paid \(-\) \(USDT\), right axis/);
    assert.match(u, /24 buy and 25 sell fill\(s\), 1 liquidation\(s\); final position/);
    assert.match(u, /&#10006; liquidation/);
    const d = embeddedData(u) as Embedded & {
      portfolio: { funding: (number | null)[]; lev: (number | null)[]; use: (number | null)[] };
    };
    // The first point by hand: funding 0, leverage 1 + sin 0 = 1, margin use 20 %.
    assert.deepEqual([d.portfolio.funding[0], d.portfolio.lev[0], d.portfolio.use[0]], [0, 1, 20]);
    // Thinned to 10 fills, the liquidation is still drawn (11 markers).
    const thin = embeddedData(renderBacktestReport({ ...usdmSample(), maxFills: 10 })).symbols[0];
    assert.equal(thin?.fills.liq.filter((x) => x === 1).length, 1);
    assert.equal(thin?.fills.t.length, 11);
    // Spot: none of it.
    assert.doesNotMatch(html, /data-chart="margin"|liquidation\(s\)/);
  });

  it("leaves out the panel, notes and blocked table when there is no run summary", () => {
    const { runSummary: _s, sourceNotes: _n, ...rest } = sample();
    const plain = renderBacktestReport(rest);
    assert.doesNotMatch(plain, /id="run-summary"|id="blocked"|id="source-notes"/);
    assert.match(plain, /<h2>Summary<\/h2>/);
  });

  it("is deterministic", () => {
    assert.equal(renderBacktestReport(sample()), html);
  });
});

/**
 * Appended to a report page: drags across the equity chart, reads every
 * chart's time range and the tooltip over the first price chart, then
 * double-clicks, and writes what it saw to <body data-test-*>.
 */
const INTERACT = `
<script>
setTimeout(function () {
  function ranges() {
    return Array.prototype.map.call(document.querySelectorAll(".chart"), function (c) {
      return [Number(c.getAttribute("data-x-min")), Number(c.getAttribute("data-x-max"))];
    });
  }
  function mouse(el, type, x, y) {
    // movementX: uPlot ignores a drag's mousemove that did not move.
    el.dispatchEvent(new MouseEvent(type, { clientX: x, clientY: y, movementX: 1, bubbles: true, cancelable: true, view: window, button: 0 }));
  }
  var before = ranges();
  var over = document.querySelector('.chart[data-chart="equity"] .u-over');
  var r = over.getBoundingClientRect();
  var y = r.top + r.height / 2;
  mouse(over, "mousedown", r.left + r.width * 0.2, y);
  mouse(over, "mousemove", r.left + r.width * 0.4, y);
  mouse(document, "mouseup", r.left + r.width * 0.4, y);
  setTimeout(function () {
    var zoomed = ranges();
    var price = document.querySelector('.chart[data-chart="price"] .u-over');
    var pr = price.getBoundingClientRect();
    mouse(price, "mousemove", pr.left + pr.width * 0.5, pr.top + pr.height * 0.5);
    var tip = document.querySelector('.chart[data-chart="price"] .chart-tip');
    var tipText = tip && tip.style.display !== "none" ? tip.textContent : "";
    mouse(over, "dblclick", r.left + r.width * 0.5, y);
    setTimeout(function () {
      document.body.setAttribute("data-test-result", JSON.stringify({
        before: before, zoomed: zoomed, reset: ranges(), tip: tipText
      }));
    }, 50);
  }, 50);
}, 100);
</script>`;

interface Interaction {
  before: [number, number][];
  zoomed: [number, number][];
  reset: [number, number][];
  tip: string;
}

function attr(dom: string, selector: RegExp): string {
  const m = selector.exec(dom);
  assert.ok(m !== null, `no match for ${selector}`);
  return (m[1] as string).replace(/&quot;/g, '"').replace(/&amp;/g, "&");
}

const chromium = browserTests();

describe("renderBacktestReport in headless Chromium", { skip: chromium.skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "grinder-report-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const html = renderBacktestReport(sample());
  const page = join(dir, "report.html");
  writeFileSync(page, html);

  it("draws every chart with uPlot: each series' colour is on its canvas", () => {
    const dom = chromium.browser().dom(page);
    assert.match(dom, /<body[^>]*data-charts-rendered="6"/);
    assert.doesNotMatch(dom, /\sdata-chart-error="/);
    assert.equal(dom.match(/<canvas\b/g)?.length, 6, "one uPlot canvas per chart");
    const inks = [...dom.matchAll(/data-chart="(\w+)"[^>]*data-ink="([^"]*)"/g)].map(
      ([, kind, json]) => ({
        kind,
        ink: JSON.parse((json as string).replace(/&quot;/g, '"')) as Record<string, number>,
      }),
    );
    assert.deepEqual(
      inks.map((x) => x.kind),
      ["equity", "drawdown", "price", "position", "price", "position"],
    );
    const [equity, drawdown, btc, btcPos, eth, ethPos] = inks.map((x) => x.ink);
    // Thresholds well below what a drawn line of 1000 px leaves, well above stray pixels.
    assert.ok((equity?.equity ?? 0) > 500, JSON.stringify(equity));
    assert.ok((equity?.fees ?? 0) > 300, JSON.stringify(equity));
    assert.ok((drawdown?.drawdown ?? 0) > 500, JSON.stringify(drawdown));
    assert.ok((btc?.mid ?? 0) > 500, JSON.stringify(btc));
    assert.ok((btc?.buys ?? 0) > 100 && (btc?.sells ?? 0) > 100, JSON.stringify(btc));
    assert.equal(eth?.mid, undefined, "ETHUSDT is drawn as candles");
    assert.ok((eth?.up ?? 0) > 300 && (eth?.down ?? 0) > 300, JSON.stringify(eth));
    assert.ok((btcPos?.position ?? 0) > 300 && (ethPos?.position ?? 0) > 300);
  });

  it("USD-M: draws the funding line, the leverage and margin-use lines and the liquidation cross", () => {
    const usdmPage = join(dir, "usdm.html");
    writeFileSync(usdmPage, renderBacktestReport(usdmSample()));
    const dom = chromium.browser().dom(usdmPage, "1200,3200");
    assert.match(dom, /<body[^>]*data-charts-rendered="7"/);
    assert.doesNotMatch(dom, /\sdata-chart-error="/);
    const inks = new Map<string, Record<string, number>>();
    for (const [, kind, json] of dom.matchAll(/data-chart="(\w+)"[^>]*data-ink="([^"]*)"/g)) {
      if (!inks.has(kind as string)) {
        inks.set(kind as string, JSON.parse((json as string).replace(/&quot;/g, '"')));
      }
    }
    const equity = inks.get("equity");
    const margin = inks.get("margin");
    const btc = inks.get("price");
    assert.ok((equity?.funding ?? 0) > 200, JSON.stringify(equity));
    assert.ok(
      (margin?.leverage ?? 0) > 500 && (margin?.marginUse ?? 0) > 300,
      JSON.stringify(margin),
    );
    // One cross of two 3 px strokes, about 14 px each way: well over 40 pixels.
    assert.ok((btc?.liquidations ?? 0) > 40, JSON.stringify(btc));
  });

  it("is readable at 900 px: nothing wider than the window, charts drawn to fit", () => {
    const dom = chromium.browser().dom(page, "900,2400");
    const width = Number(attr(dom, /data-page-width="(\d+)"/));
    assert.ok(width > 0 && width <= 900, `page is ${width} px wide`);
    const canvases = [...dom.matchAll(/<canvas[^>]*width="(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(canvases.length, 6);
    for (const w of canvases) assert.ok(w > 500 && w <= 900, `canvas ${w} px`);
  });

  it("zooms all charts together on a drag, shows a tooltip, and zooms out on double-click", () => {
    const interactive = join(dir, "interactive.html");
    writeFileSync(interactive, html.replace("</body>", `${INTERACT}\n</body>`));
    const dom = chromium.browser().dom(interactive);
    const r = JSON.parse(attr(dom, /data-test-result="([^"]*)"/)) as Interaction;
    const first = r.before[0] as [number, number];
    // Every chart starts on the same range: the whole run.
    for (const x of r.before) assert.deepEqual(x, first);
    assert.equal(first[0], T0);
    // The drag covered 20 % to 40 % of the equity chart: every chart now shows that range.
    const z = r.zoomed[0] as [number, number];
    for (const x of r.zoomed) assert.deepEqual(x, z);
    const span = first[1] - first[0];
    assert.ok(z[0] > first[0] + span * 0.15 && z[0] < first[0] + span * 0.25, `${z}`);
    assert.ok(z[1] > first[0] + span * 0.35 && z[1] < first[0] + span * 0.45, `${z}`);
    // The tooltip: a UTC time and the mid under the cursor.
    assert.match(r.tip, /^2026-01-01 \d\d:\d\d:\d\d\.\d{3} UTCmid: 9\d,\d{3}/);
    for (const x of r.reset) assert.deepEqual(x, first);
  });

  it("takes a screenshot with visibly more drawn than the same page without its script", () => {
    const barePage = join(dir, "bare.html");
    assert.ok(html.includes(CHART_SCRIPT));
    writeFileSync(barePage, html.replace(CHART_SCRIPT, ""));
    const shot = join(dir, "report.png");
    const bare = join(dir, "bare.png");
    chromium.browser().screenshot(page, shot);
    chromium.browser().screenshot(barePage, bare);
    const png = readFileSync(shot);
    assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
    assert.equal(png.readUInt32BE(16), 1200); // IHDR width
    const size = statSync(shot).size;
    const bareSize = statSync(bare).size;
    // Coarse (the data-ink checks above are the precise ones): 6 drawn canvases add at
    // least a quarter to the PNG of the page's text and tables.
    assert.ok(
      size > bareSize * 1.25,
      `charts add little: ${size} vs ${bareSize} bytes without the script`,
    );
  });
});
