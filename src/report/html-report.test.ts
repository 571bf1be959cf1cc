import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { skipUnless } from "../../test/support/required-tool.js";
import { Decimal } from "../core/decimal.js";
import { InvalidInputError } from "../core/errors.js";
import { CHART_SCRIPT } from "./chart-script.js";
import { renderBacktestReport } from "./html-report.js";
import type { BacktestReportData, ReportFill, ReportSymbolPoint } from "./report-data.js";

const T0 = 1767225600000;

/** A deterministic sample backtest: 12 000 portfolio points, two symbols with fills. */
function sample(): BacktestReportData {
  const n = 12_000;
  const portfolio = [];
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const equity = 10_000 + 40 * Math.sin(i / 700) + i * 0.01 - (i > 6000 && i < 6400 ? 90 : 0);
    peak = Math.max(peak, equity);
    portfolio.push({ ts: T0 + i * 1000, equity, drawdown_pct: ((peak - equity) / peak) * 100 });
  }
  const symbols = ["BTCUSDT", "ETHUSDT"].map((symbol, k) => {
    const base = k === 0 ? 93_000 : 3_300;
    const points: ReportSymbolPoint[] = [];
    const fills: ReportFill[] = [];
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const mid = base * (1 + 0.004 * Math.sin(i / (300 + 100 * k)));
      if (i % 250 === 125) {
        const side = Math.sin(i / (300 + 100 * k)) > 0 ? "SELL" : "BUY";
        pos += side === "BUY" ? 0.01 : -0.01;
        fills.push({ ts: T0 + i * 1000, side, price: mid.toFixed(2), qty: "0.010" });
      }
      points.push({
        ts: T0 + i * 1000,
        mid: k === 0 ? Decimal.fromDoubleShortest(Number(mid.toFixed(2))) : mid,
        position: pos.toFixed(3),
      });
    }
    return { symbol, points, fills };
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
    symbols,
  };
}

function embeddedData(html: string): {
  portfolio: { t: number[]; equity: number[]; dd: number[] };
  symbols: { symbol: string; t: number[]; fills: { t: number[]; buy: number[] } }[];
} {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m !== null, "embedded data");
  return JSON.parse(m[1] as string);
}

describe("renderBacktestReport (static checks)", () => {
  const html = renderBacktestReport(sample());

  it("is one self-contained document: no external URL, script or stylesheet", () => {
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.doesNotMatch(html, /<link\b/i);
    assert.doesNotMatch(html, /\b(?:src|href)\s*=/i);
    assert.doesNotMatch(html, /url\(/i);
    assert.doesNotMatch(html, /@import/i);
    // The only URL text is the SVG namespace name, which is never fetched.
    const urls = html.match(/https?:\/\/[^\s"'<>]+/g) ?? [];
    assert.deepEqual([...new Set(urls)], ["http://www.w3.org/2000/svg"]);
  });

  it("escapes text and keeps the embedded JSON from closing its script element", () => {
    assert.match(html, /<title>Backtest BTCUSDT,ETHUSDT &lt;2026-01-01&gt;<\/title>/);
    assert.match(html, /<td>a &lt; b &amp; c<\/td>/);
    assert.match(html, /<td>&lt;\/script&gt;&lt;b&gt;x&lt;\/b&gt;<\/td>/);
    assert.equal(html.match(/<\/script>/g)?.length, 2);
  });

  it("has the summary table, the meta list and one chart container per chart", () => {
    assert.match(html, /<th>symbol<\/th><th>fills<\/th><th>realized_pnl<\/th><th>note<\/th>/);
    assert.match(html, /<tr><td>BTCUSDT<\/td><td>48<\/td><td>12\.5<\/td>/);
    assert.match(html, /<dt>kind<\/dt><dd>bookTicker<\/dd>/);
    assert.equal(html.match(/class="chart"/g)?.length, 4);
    assert.match(html, /24 buy and 24 sell fill\(s\); final position 0\.000/);
  });

  it("downsamples long series, keeping the first, last and extreme points", () => {
    const d = embeddedData(html);
    assert.ok(
      d.portfolio.t.length <= 2002 && d.portfolio.t.length > 1000,
      `${d.portfolio.t.length}`,
    );
    assert.equal(d.portfolio.t[0], T0);
    assert.equal(d.portfolio.t[d.portfolio.t.length - 1], T0 + 11_999_000);
    const all = sample().portfolio.map((p) => Number(p.drawdown_pct));
    assert.equal(Math.max(...d.portfolio.dd), Math.max(...all));
    assert.match(html, /12000 points, \d+ drawn \(bucket min\/max\)/);
    const btc = d.symbols[0];
    assert.ok(btc !== undefined && btc.t.length <= 2002);
    assert.equal(btc.fills.t.length, 48);
    assert.equal(btc.fills.buy.filter((b) => b === 1).length, 24);
  });

  it("thins fills beyond maxFills with a note, and validates fill sides and limits", () => {
    const thin = renderBacktestReport({ ...sample(), maxFills: 10 });
    assert.equal(embeddedData(thin).symbols[0]?.fills.t.length, 10);
    assert.equal(embeddedData(thin).symbols[0]?.fills.t[9], T0 + 11_875_000); // the last fill
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

  it("is deterministic", () => {
    assert.equal(renderBacktestReport(sample()), html);
  });
});

function findChromium(): string | undefined {
  const names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of names) {
      const p = join(dir, name);
      if (dir !== "" && existsSync(p)) return p;
    }
  }
  return undefined;
}

const chromium = findChromium();
if (chromium === undefined) {
  console.log(
    "# SKIP html report browser test: chromium is not on PATH (apt-get install -y chromium)",
  );
}

describe("renderBacktestReport in headless Chromium", {
  skip: skipUnless(chromium !== undefined, "chromium is not on PATH"),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "grinder-report-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const html = renderBacktestReport(sample());
  const page = join(dir, "report.html");
  writeFileSync(page, html);
  // The same page without its drawing script: the baseline for the screenshot.
  const barePage = join(dir, "bare.html");
  assert.ok(html.includes(CHART_SCRIPT));
  writeFileSync(barePage, html.replace(CHART_SCRIPT, ""));

  function run(extra: string[], url = pathToFileURL(page).href): string {
    const res = spawnSync(
      chromium as string,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        `--user-data-dir=${join(dir, "profile")}`,
        "--virtual-time-budget=10000",
        ...extra,
        url,
      ],
      { encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 },
    );
    assert.equal(res.error, undefined, String(res.error));
    assert.equal(res.status, 0, `chromium failed: ${res.stderr}`);
    return res.stdout;
  }

  it("runs the script: every chart is marked drawn and its SVG paths have data", () => {
    const dom = run(["--dump-dom"]);
    assert.match(dom, /<body[^>]*data-charts-rendered="4"/);
    assert.equal(dom.match(/data-rendered="true"/g)?.length, 4);
    assert.doesNotMatch(dom, /\sdata-chart-error="/);
    const paths = [...dom.matchAll(/<path\b[^>]*\bd="([^"]*)"[^>]*class="([^"]*)"/g)];
    const byClass = new Map<string, number>();
    for (const [, d, cls] of paths) {
      assert.ok((d ?? "").length > 20, `empty path ${cls}`);
      assert.match(d ?? "", /^M[\d.]+ [\d.]+/);
      byClass.set(cls as string, (byClass.get(cls as string) ?? 0) + 1);
    }
    assert.equal(byClass.get("line equity"), 1);
    assert.equal(byClass.get("area drawdown"), 1);
    assert.equal(byClass.get("line drawdown"), 1);
    assert.equal(byClass.get("line mid"), 2);
    assert.equal(byClass.get("line position"), 2);
    assert.equal(byClass.get("fill buy"), 2);
    assert.equal(byClass.get("fill sell"), 2);
  });

  it("takes a screenshot with visibly more drawn than the same page without its script", () => {
    const shot = join(dir, "report.png");
    const bare = join(dir, "bare.png");
    run([`--screenshot=${shot}`, "--window-size=1200,2400", "--hide-scrollbars"]);
    run(
      [`--screenshot=${bare}`, "--window-size=1200,2400", "--hide-scrollbars"],
      pathToFileURL(barePage).href,
    );
    const png = readFileSync(shot);
    assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
    assert.equal(png.readUInt32BE(16), 1200); // IHDR width
    const size = statSync(shot).size;
    const bareSize = statSync(bare).size;
    assert.ok(size > 30_000, `screenshot is only ${size} bytes`);
    assert.ok(
      size > bareSize * 1.5,
      `charts add little: ${size} vs ${bareSize} bytes without the script`,
    );
  });
});
