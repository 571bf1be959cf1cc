/**
 * The inline script of the sweep report: reads the embedded JSON
 * (`#sweep-data`) and draws with uPlot (inlined before it) the equity curves
 * of the top trials (one line each, the best thickest) and the stitched
 * out-of-sample equity of a walk-forward, with a dashed line at each test
 * span's start. Each chart has its own time axis (UTC labels): drag to zoom,
 * double-click to zoom out, a tooltip with the values under the cursor; a
 * curve without a point at a time is drawn through it.
 *
 * As on the backtest report (chart-helpers.ts), a drawn container gets
 * `data-rendered="true"`, `data-ink` (pixels of each series' colour) and
 * `data-x-min`/`data-x-max`; `<body>` gets `data-charts-rendered`; a chart
 * that fails gets `data-chart-error`. Plain ES2017, no external resources.
 */

import { CHART_AXES_AND_TOOLTIP, CHART_INK, CHART_RGB } from "./chart-helpers.js";

export const SWEEP_CHART_SCRIPT = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sweep-data").textContent);
  var Q = data.quote ? " (" + data.quote + ")" : "";
  var plots = [];

${CHART_RGB}

${CHART_AXES_AND_TOOLTIP}

${CHART_INK}

  // c: { height, series, cols, draw (hooks), tip (plugin), colors (for data-ink) }
  function plot(div, c) {
    var opts = {
      width: width(div),
      height: c.height,
      ms: 1,
      tzDate: function (ts) {
        return uPlot.tzDate(new Date(ts), "Etc/UTC");
      },
      legend: { show: false },
      padding: [10, 24, 0, 0],
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true } },
      series: [{}].concat(c.series),
      axes: [xAxis(), yAxis("equity" + Q, "money", 3)],
      hooks: { draw: (c.draw || []).concat([markDrawn(div, c.colors)]) },
      plugins: [c.tip]
    };
    plots.push(new uPlot(opts, c.cols, div));
  }

  function drawTop(div) {
    var top = data.top;
    var colors = {};
    var labels = [null];
    var digits = [0];
    var series = top.series.map(function (s, i) {
      colors["s" + i] = s.color;
      labels.push(s.label);
      digits.push(2);
      return { label: s.label, scale: "money", stroke: rgb(s.color), width: i === 0 ? 2.5 : 1.25, spanGaps: true };
    });
    plot(div, {
      height: 320,
      series: series,
      cols: [top.t].concat(top.series.map(function (s) { return s.values; })),
      tip: tooltip(labels, digits),
      colors: colors
    });
  }

  // Dashed vertical lines at the given times (the test spans' starts).
  function boundsHook(ts) {
    return function (u) {
      var ctx = u.ctx;
      var b = u.bbox;
      ctx.save();
      ctx.beginPath();
      ctx.rect(b.left, b.top, b.width, b.height);
      ctx.clip();
      ctx.beginPath();
      for (var i = 0; i < ts.length; i++) {
        var x = Math.round(u.valToPos(ts[i], "x", true)) + 0.5;
        ctx.moveTo(x, b.top);
        ctx.lineTo(x, b.top + b.height);
      }
      ctx.setLineDash([4, 4]);
      ctx.strokeStyle = "#94a3b8";
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.restore();
    };
  }

  function drawWalkForward(div) {
    var wf = data.wf;
    var blue = [37, 99, 235];
    plot(div, {
      height: 260,
      series: [{ label: "out-of-sample equity", scale: "money", stroke: rgb(blue), width: 1.5, spanGaps: true }],
      cols: [wf.t, wf.equity],
      draw: [boundsHook(wf.bounds)],
      tip: tooltip([null, "equity"], [0, 2]),
      colors: { equity: blue }
    });
  }

  var charts = document.querySelectorAll(".chart");
  for (var n = 0; n < charts.length; n++) {
    var div = charts[n];
    try {
      var kind = div.getAttribute("data-chart");
      if (kind === "top-equity") drawTop(div);
      else if (kind === "wf-equity") drawWalkForward(div);
      else throw new Error("unknown chart " + kind);
    } catch (err) {
      div.setAttribute("data-chart-error", String(err && err.message ? err.message : err));
    }
  }

  window.addEventListener("resize", function () {
    plots.forEach(function (p) {
      p.setSize({ width: width(p.root.parentNode), height: p.height });
    });
  });
  document.body.setAttribute("data-page-width", String(document.documentElement.scrollWidth));
})();
`;
