import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { browserTests } from "../../test/support/chromium.js";
import { InvalidInputError } from "../core/errors.js";
import { sweepReportHtml } from "./sweep-report.js";
import type { SweepReportData, SweepTrialRow } from "./sweep-report-data.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** 2026-01-01T00:00:00Z */
const T0 = 1767225600000;

function trial(
  id: string,
  spacing: number,
  levels: number,
  mode: string,
  objective: number | null,
): SweepTrialRow {
  return {
    id,
    params: { spacing, levels, mode },
    summary: {
      net_pnl: objective === null ? null : String(objective),
      return_pct: 1.2,
      max_drawdown_pct: 0.5,
      sharpe: 1.234,
      fees: "0.456",
      fills: 10,
      round_trips: 4,
      win_rate: 0.75,
    },
    objective,
  };
}

/**
 * A 3 x 2 grid (spacing 0.5, 1, 2 given out of order; levels 10, 20) with a
 * third parameter (mode) that puts two trials in three cells:
 *
 *              spacing 0.5         1                  2
 *   levels 10  t2: -3              t3: 12 (best)      t1: 5
 *   levels 20  t5: 7, t8: 7 (tie)  t6: 4, t7: 9       t4, t9: no value
 */
const TRIALS: readonly SweepTrialRow[] = [
  trial("t1", 2, 10, "a", 5),
  trial("t2", 0.5, 10, "a", -3),
  trial("t3", 1, 10, "a", 12),
  trial("t4", 2, 20, "a", null),
  trial("t5", 0.5, 20, "a", 7),
  trial("t6", 1, 20, "a", 4),
  trial("t7", 1, 20, "b", 9),
  trial("t8", 0.5, 20, "b", 7),
  trial("t9", 2, 20, "b", null),
];

function sample(): SweepReportData {
  return {
    title: "Sweep BTCUSDT <2026-01>",
    meta: [
      { label: "data", value: "/data/binance" },
      { label: "trials", value: 9 },
    ],
    objective: { key: "net_pnl", direction: "max" },
    parameters: ["spacing", "levels", "mode"],
    heatmap: { x: "spacing", y: "levels" },
    trials: TRIALS,
    topEquity: [
      {
        trialId: "t3",
        points: [0, 1, 2, 3].map((h) => ({ ts: T0 + h * HOUR, equity: 1000 + 4 * h })),
      },
      // Fewer points: drawn through the missing hours (null in the joined columns).
      { trialId: "t7", points: [0, 3].map((h) => ({ ts: T0 + h * HOUR, equity: 1000 + 3 * h })) },
      {
        trialId: "t5",
        points: [0, 1, 2, 3].map((h) => ({ ts: T0 + h * HOUR, equity: 1000 + 2 * h })),
      },
    ],
    walkForward: {
      windows: [
        {
          index: 1,
          trainFrom: "2026-01-01",
          trainTo: "2026-01-14",
          testFrom: "2026-01-15",
          testTo: "2026-01-21",
          chosenTrialId: "t3",
          params: { spacing: 1, levels: 10, mode: "a" },
          inSample: 12,
          outOfSample: 3,
        },
        {
          index: 2,
          trainFrom: "2026-01-08",
          trainTo: "2026-01-21",
          testFrom: "2026-01-22",
          testTo: "2026-01-28",
          chosenTrialId: "t7",
          params: { spacing: 1, levels: 20, mode: "b" },
          inSample: 9,
          outOfSample: -2,
        },
        {
          index: 3,
          trainFrom: "2026-01-15",
          trainTo: "2026-01-28",
          testFrom: "2026-01-29",
          testTo: "2026-02-04",
          chosenTrialId: "t3",
          params: { spacing: 1, levels: 10, mode: "a" },
          inSample: 10,
          outOfSample: null,
        },
      ],
      stitchedEquity: Array.from({ length: 21 * 24 }, (_, i) => ({
        ts: T0 + 14 * DAY + i * HOUR,
        equity: 1000 + 5 * Math.sin(i / 20) + i * 0.01,
      })),
    },
    quote: "USDT",
    resultsCsv: "results.csv",
  };
}

interface HeatCell {
  x: string;
  y: string;
  trials: number;
  value?: string;
  trial?: string;
  style?: string;
  text: string;
  cls: string;
}

function heatCells(html: string): HeatCell[] {
  const re =
    /<td class="(hm[^"]*)" data-x="([^"]*)" data-y="([^"]*)" data-trials="(\d+)"(?: data-value="([^"]*)" data-trial="([^"]*)" style="([^"]*)")? title="[^"]*">([^<]*)<\/td>/g;
  return [...html.matchAll(re)].map((m) => ({
    cls: m[1] as string,
    x: m[2] as string,
    y: m[3] as string,
    trials: Number(m[4]),
    ...(m[5] === undefined ? {} : { value: m[5], trial: m[6], style: m[7] }),
    text: m[8] as string,
  }));
}

/** The results table's rows as cell texts. */
function resultRows(html: string): string[][] {
  const section = /<section id="results">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? "";
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)?.[1] ?? "";
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) =>
    [...(r[1] as string).matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1] as string),
  );
}

function embedded(html: string): {
  quote: string;
  top: { t: number[]; series: { label: string; values: (number | null)[] }[] } | null;
  wf: { t: number[]; equity: (number | null)[]; bounds: number[] } | null;
} {
  const m = /<script type="application\/json" id="sweep-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m !== null, "embedded data");
  return JSON.parse(m[1] as string);
}

describe("sweepReportHtml: heatmap", () => {
  it("has one cell per (x, y) pair, axes in numeric order, the best trial of each cell (max)", () => {
    const cells = heatCells(sweepReportHtml(sample()));
    assert.deepEqual(
      cells.map((c) => [c.y, c.x, c.trials, c.value ?? null, c.trial ?? null, c.text]),
      [
        ["10", "0.5", 1, "-3", "t2", "-3.00"],
        ["10", "1", 1, "12", "t3", "12.00"],
        ["10", "2", 1, "5", "t1", "5.00"],
        // A tie (7 and 7) goes to the first trial in trial order.
        ["20", "0.5", 2, "7", "t5", "7.00"],
        ["20", "1", 2, "9", "t7", "9.00"],
        // Neither trial has a value: hatched, "n/a".
        ["20", "2", 2, null, null, "n/a"],
      ],
    );
    assert.equal(cells[5]?.cls, "hm hm-null");
  });

  it("colours from worst to best: both signs, so white at 0, green better, red worse", () => {
    const cells = heatCells(sweepReportHtml(sample()));
    // Scale: the farther end is 12. 12 -> full green, white text; -3 -> a quarter of
    // the way from white to red (165, 0, 38): 255 - 90/4, 255 - 255/4, 255 - 217/4.
    assert.equal(cells[1]?.style, "background:rgb(0,109,44);color:#fff");
    assert.equal(cells[0]?.style, "background:rgb(233,191,201)");
    // The colour bar: from -3's colour through white at 3/15 of the way to 12's.
    assert.match(
      sweepReportHtml(sample()),
      /worst -3\.00 <i class="hm-bar" style="background:linear-gradient\(to right,rgb\(233,191,201\),rgb\(255,255,255\) 20\.0%,rgb\(0,109,44\)\)"><\/i> 12\.00 best \(white: 0\)/,
    );
  });

  it("min direction: the lowest value of a cell wins, and low is green", () => {
    const data = { ...sample(), objective: { key: "net_pnl", direction: "min" as const } };
    const cells = heatCells(sweepReportHtml(data));
    assert.deepEqual(
      cells.map((c) => [c.x, c.y, c.trial ?? null]),
      [
        ["0.5", "10", "t2"],
        ["1", "10", "t3"],
        ["2", "10", "t1"],
        ["0.5", "20", "t5"],
        ["1", "20", "t6"],
        ["2", "20", null],
      ],
    );
    // -3 is now a quarter of the way from white to green (0, 109, 44); 12 full red.
    assert.equal(cells[0]?.style, "background:rgb(191,219,202)");
    assert.equal(cells[1]?.style, "background:rgb(165,0,38);color:#fff");
  });

  it("one sign only: pale (worst) to dark green (best)", () => {
    const data = {
      ...sample(),
      trials: [trial("a", 1, 10, "a", 2), trial("b", 2, 10, "a", 4), trial("c", 3, 10, "a", 6)],
    };
    const cells = heatCells(sweepReportHtml(data));
    // 4 is half-way from (247, 252, 245) to (0, 109, 44), rounded half up.
    assert.deepEqual(
      cells.map((c) => c.style),
      [
        "background:rgb(247,252,245)",
        "background:rgb(124,181,145)",
        "background:rgb(0,109,44);color:#fff",
      ],
    );
  });

  it("says when cells share trials, and leaves a pair no trial ran blank", () => {
    const html = sweepReportHtml(sample());
    assert.match(
      html,
      /3 cell\(s\) hold several trials \(mode vary\): each shows the best net_pnl/,
    );
    assert.match(html, /Hatched: no objective value\./);
    const sparse = { ...sample(), trials: TRIALS.filter((t) => t.id !== "t2") };
    const cells = heatCells(sweepReportHtml(sparse));
    assert.equal(cells.length, 6);
    assert.deepEqual([cells[0]?.cls, cells[0]?.trials, cells[0]?.text], ["hm hm-none", 0, ""]);
  });

  it("string axes keep the order first seen", () => {
    const data = {
      ...sample(),
      heatmap: { x: "mode", y: "levels" },
      trials: [
        trial("a", 1, 20, "slow", 1),
        trial("b", 1, 10, "fast", 2),
        trial("c", 1, 20, "10x", 3),
      ],
    };
    const cells = heatCells(sweepReportHtml(data));
    assert.deepEqual(
      cells.map((c) => `${c.y}/${c.x}`),
      ["10/slow", "10/fast", "10/10x", "20/slow", "20/fast", "20/10x"],
    );
  });

  it("without heatmap axes: a note instead", () => {
    const { heatmap: _h, ...rest } = sample();
    const html = sweepReportHtml({ ...rest, parameters: ["spacing"] });
    assert.match(html, /A heatmap needs two swept parameters; this sweep has 1\./);
    assert.equal(heatCells(html).length, 0);
  });
});

describe("sweepReportHtml: page", () => {
  const html = sweepReportHtml(sample());

  it("shows the objective and the best trial", () => {
    assert.match(html, /Objective: <b>net_pnl<\/b>, maximised \(higher is better\)/);
    assert.match(html, /Trial t3: spacing=1, levels=10, mode=a\./);
    assert.match(html, /data-key="objective"><dt>net_pnl \(objective\)<\/dt><dd>12\.00 USDT<\/dd>/);
    assert.match(html, /data-key="win_rate"><dt>win_rate<\/dt><dd>75\.00 %<\/dd>/);
    assert.match(html, /<dt>data<\/dt><dd>\/data\/binance<\/dd>/);
  });

  it("ranks the results best first, nulls last, ties in trial order, rounded", () => {
    const rows = resultRows(html);
    assert.deepEqual(
      rows.map((r) => [r[0], r[1]]),
      [
        ["1", "t3"],
        ["2", "t7"],
        ["3", "t5"],
        ["4", "t8"],
        ["5", "t1"],
        ["6", "t6"],
        ["7", "t2"],
        ["-", "t4"],
        ["-", "t9"],
      ],
    );
    // rank, trial, spacing, levels, mode, objective, then the main keys but net_pnl.
    assert.deepEqual(rows[0], [
      "1",
      "t3",
      "1",
      "10",
      "a",
      "12.00",
      "1.20 %",
      "0.50 %",
      "1.23",
      "0.46",
      "10",
      "4",
      "75.00 %",
    ]);
    assert.equal(rows[7]?.[5], "n/a");
    assert.match(
      html,
      /<th>rank<\/th><th>trial<\/th><th>spacing<\/th><th>levels<\/th><th>mode<\/th><th>net_pnl \(USDT\) \(objective\)<\/th><th>return_pct<\/th><th>max_drawdown_pct<\/th><th>sharpe<\/th><th>fees \(USDT\)<\/th>/,
    );
  });

  it("min direction ranks lowest first", () => {
    const data = { ...sample(), objective: { key: "net_pnl", direction: "min" as const } };
    const rows = resultRows(sweepReportHtml(data));
    assert.deepEqual(
      rows.map((r) => r[1]),
      ["t2", "t6", "t1", "t5", "t8", "t7", "t3", "t4", "t9"],
    );
  });

  it("long tables show the best rows and point to the CSV", () => {
    const rows = resultRows(sweepReportHtml(sample(), { maxRows: 3 }));
    assert.deepEqual(
      rows.map((r) => r[1]),
      ["t3", "t7", "t5"],
    );
    assert.match(
      sweepReportHtml(sample(), { maxRows: 3 }),
      /Showing the best 3; 6 more are in results\.csv\./,
    );
    assert.doesNotMatch(html, /Showing the best/);
  });

  it("embeds the top trials' curves joined on their times, labelled by rank and params", () => {
    const top = embedded(html).top;
    assert.deepEqual(top?.t, [T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]);
    assert.deepEqual(
      top?.series.map((s) => [s.label, s.values]),
      [
        ["#1 t3 (spacing=1, levels=10, mode=a)", [1000, 1004, 1008, 1012]],
        ["#2 t7 (spacing=1, levels=20, mode=b)", [1000, null, null, 1009]],
        ["#3 t5 (spacing=0.5, levels=20, mode=a)", [1000, 1002, 1004, 1006]],
      ],
    );
    assert.match(
      html,
      /<i class="sw" style="background:rgb\(37,99,235\)"><\/i>#1 t3 \(spacing=1, levels=10, mode=a\)/,
    );
    assert.equal(html.match(/class="chart"/g)?.length, 2);
  });

  it("walk-forward: windows, means, stitched equity with the test starts, bars, stability", () => {
    assert.match(
      html,
      /<tr><td>1<\/td><td>2026-01-01 \.\. 2026-01-14<\/td><td>2026-01-15 \.\. 2026-01-21<\/td><td>t3<\/td><td>1<\/td><td>10<\/td><td>a<\/td><td>12\.00<\/td><td>3\.00<\/td><\/tr>/,
    );
    assert.match(html, /<td>3\.00<\/td><\/tr>/);
    // (12 + 9 + 10) / 3 in sample; (3 - 2) / 2 out of sample (window 3 has none).
    assert.match(html, /Mean net_pnl: 10\.33 in sample, 0\.50 out of sample\./);
    const wf = embedded(html).wf;
    // 2026-01-15, -22, -29 at 00:00 UTC.
    assert.deepEqual(wf?.bounds, [T0 + 14 * DAY, T0 + 21 * DAY, T0 + 28 * DAY]);
    assert.equal(wf?.t.length, 504);
    assert.equal(wf?.t[0], T0 + 14 * DAY);
    // Bars: 5 values and one n/a; the zero line at 12 + 12/14 x 194 = 178.3.
    assert.equal(html.match(/<rect /g)?.length, 5);
    assert.equal(html.match(/class="na"/g)?.length, 1);
    assert.match(html, /<line x1="80" x2="850" y1="178\.3" y2="178\.3"/);
    assert.match(html, /<title>W2 out of sample: -2\.00<\/title>/);
    // Stability: levels chose 10, 20, 10; mode a, b, a; spacing 1 throughout.
    assert.match(
      html,
      /<tr><td>spacing<\/td><td>1<\/td><td>1<\/td><td>1<\/td><td>1<\/td><td>1<\/td><td>3\/3 \(100\.0 %\)<\/td><\/tr>/,
    );
    assert.match(
      html,
      /<tr><td>levels<\/td><td>10<\/td><td>20<\/td><td>10<\/td><td>2<\/td><td>10<\/td><td>2\/3 \(66\.7 %\)<\/td><\/tr>/,
    );
    assert.match(
      html,
      /<tr><td>mode<\/td><td>a<\/td><td>b<\/td><td>a<\/td><td>2<\/td><td>a<\/td><td>2\/3 \(66\.7 %\)<\/td><\/tr>/,
    );
  });

  it("downsamples long curves with a note", () => {
    const d = sweepReportHtml(sample(), { maxPoints: 50 });
    const wf = embedded(d).wf;
    assert.ok(wf !== null && wf.t.length <= 52 && wf.t.length > 10, `${wf?.t.length}`);
    assert.match(d, /504 points, \d+ drawn \(bucket min\/max\)/);
  });

  it("escapes a hostile trial id and parameter value everywhere", () => {
    const evilId = `<img src=x onerror=alert(1)>`;
    const evilValue = `"><script>alert(2)</script>`;
    const data: SweepReportData = {
      ...sample(),
      title: "</title><script>alert(3)</script>",
      trials: [
        { ...trial(evilId, 1, 10, "a", 20), params: { spacing: 1, levels: 10, mode: evilValue } },
        ...TRIALS,
      ],
      topEquity: [{ trialId: evilId, points: [{ ts: T0, equity: 1 }] }],
    };
    const page = sweepReportHtml(data);
    assert.doesNotMatch(page, /<img|<script>alert/);
    assert.match(page, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(page, /&quot;&gt;&lt;script&gt;alert\(2\)&lt;\/script&gt;/);
    // The embedded JSON cannot close its script element: 3 scripts only.
    assert.equal(page.match(/<\/script>/g)?.length, 3);
    assert.ok(embedded(page).top?.series[0]?.label.startsWith("#1 <img"));
  });

  it("is self-contained: no URL, no external script or stylesheet", () => {
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.doesNotMatch(html, /<link\b/i);
    assert.doesNotMatch(html, /\b(?:src|href)\s*=/i);
    assert.doesNotMatch(html, /url\(/i);
    assert.doesNotMatch(html, /@import/i);
    assert.deepEqual(html.match(/https?:\/\/[^\s"'<>]*/g) ?? [], []);
    assert.match(html, /<script>\/\*! uPlot 1\.\d+\.\d+\nThe MIT License/);
  });

  it("leaves uPlot out when there is nothing to draw", () => {
    const { walkForward: _w, ...rest } = sample();
    const page = sweepReportHtml({ ...rest, topEquity: [] });
    assert.doesNotMatch(page, /<script/);
    assert.match(page, /No equity curves were given\./);
  });

  it("is deterministic", () => {
    assert.equal(sweepReportHtml(sample()), html);
  });

  it("reports every input error at once, by key path", () => {
    const bad: SweepReportData = {
      ...sample(),
      heatmap: { x: "spacing", y: "nope" },
      trials: [trial("t1", 1, 10, "a", Number.NaN), trial("t1", 2, 10, "a", 1)],
    };
    const wf = sample().walkForward;
    assert.ok(wf !== undefined);
    const withBadDay = {
      ...bad,
      walkForward: {
        ...wf,
        windows: [{ ...(wf.windows[0] as (typeof wf.windows)[number]), testTo: "2026-02-30" }],
      },
    };
    assert.throws(
      () => sweepReportHtml(withBadDay, { maxRows: 0 }),
      (e: unknown) =>
        e instanceof InvalidInputError &&
        /maxRows: expected an integer >= 1, got 0/.test(e.message) &&
        /heatmap\.y: expected one of the parameters, got "nope"/.test(e.message) &&
        /trials\[0\]\.objective: expected a finite number or null, got NaN/.test(e.message) &&
        /trials\[1\]\.id: "t1" appears twice/.test(e.message) &&
        /walkForward\.windows\[0\]\.testTo: expected a day YYYY-MM-DD, got "2026-02-30"/.test(
          e.message,
        ),
    );
  });
});

/**
 * Put first in <head>: records uncaught errors and console.error calls, and
 * half a second after load writes them to <body data-test-errors>.
 */
const ERROR_PROBE = `<script>
var testErrors = [];
window.addEventListener("error", function (e) { testErrors.push(String(e.message)); });
var consoleError = console.error;
console.error = function () { testErrors.push(Array.prototype.join.call(arguments, " ")); consoleError.apply(console, arguments); };
window.addEventListener("load", function () {
  setTimeout(function () { document.body.setAttribute("data-test-errors", JSON.stringify(testErrors)); }, 500);
});
</script>`;

const chromium = browserTests();

describe("sweepReportHtml in headless Chromium", { skip: chromium.skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "grinder-sweep-report-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("draws both charts, the heatmap's six cells and the bars, without console errors", () => {
    const page = join(dir, "sweep.html");
    writeFileSync(page, sweepReportHtml(sample()).replace("<head>", `<head>\n${ERROR_PROBE}`));
    const dom = chromium.browser().dom(page, "1200,3000");
    assert.match(dom, /<body[^>]*data-test-errors="\[\]"/);
    assert.match(dom, /<body[^>]*data-charts-rendered="2"/);
    assert.doesNotMatch(dom, /\sdata-chart-error="/);
    assert.equal(dom.match(/<canvas\b/g)?.length, 2, "one uPlot canvas per chart");
    assert.equal(dom.match(/<td class="hm/g)?.length, 6);
    assert.equal(dom.match(/<rect /g)?.length, 5);
    const inks = new Map<string, Record<string, number>>();
    for (const [, kind, json] of dom.matchAll(/data-chart="([\w-]+)"[^>]*data-ink="([^"]*)"/g)) {
      inks.set(kind as string, JSON.parse((json as string).replace(/&quot;/g, '"')));
    }
    const top = inks.get("top-equity");
    const wf = inks.get("wf-equity");
    // Lines across a chart about 1000 px wide: hundreds of pixels each.
    assert.ok((top?.s0 ?? 0) > 300 && (top?.s2 ?? 0) > 300, JSON.stringify(top));
    assert.ok((top?.s1 ?? 0) > 100, `t7 drawn through its missing hours: ${JSON.stringify(top)}`);
    assert.ok((wf?.equity ?? 0) > 300, JSON.stringify(wf));
    const width = Number(/data-page-width="(\d+)"/.exec(dom)?.[1]);
    assert.ok(width > 0 && width <= 1200, `page is ${width} px wide`);
  });
});
