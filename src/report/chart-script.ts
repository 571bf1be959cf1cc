/**
 * The inline script of the HTML report: reads the embedded JSON and draws
 * every `.chart` container with uPlot (inlined before it): equity with fees
 * (and, USD-M, cumulative funding) on a right axis, USD-M effective leverage
 * and margin use, drawdown (inverted axis, 0 at the top), and per symbol the
 * price (candles drawn by a hook for klines, else the mid line) with buy and
 * sell fill markers and liquidation crosses, and the position as a step line.
 *
 * All charts share the time axis: UTC labels, drag to zoom (the others
 * follow), double-click to zoom out, a synced cursor and a tooltip with the
 * values under it. A null in a series is a gap: the line breaks there.
 *
 * After each draw a container gets `data-rendered="true"`, `data-ink`
 * (JSON: per drawn element, the pixels of its colour inside the plot area,
 * read back from the canvas) and `data-x-min`/`data-x-max` (the time range
 * shown, ms); `<body>` gets `data-charts-rendered` (the
 * count) and `data-page-width` (the document's scroll width). A chart that
 * fails gets `data-chart-error`. That is what tests and users can check.
 * Plain ES2017, no template literals, no external resources.
 */

import { CHART_AXES_AND_TOOLTIP, CHART_INK, CHART_RGB } from "./chart-helpers.js";

export const CHART_SCRIPT = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var Q = data.quote ? " (" + data.quote + ")" : "";
  var COLORS = {
    equity: [37, 99, 235],
    fees: [217, 119, 6],
    drawdown: [220, 38, 38],
    mid: [51, 65, 85],
    up: [22, 163, 74],
    down: [220, 38, 38],
    position: [124, 58, 237],
    funding: [13, 148, 136],
    leverage: [15, 118, 110],
    marginUse: [190, 24, 93],
    liquidation: [15, 23, 42]
  };
  var plots = [];
  var ready = false;
  var syncing = false;
  var T0 = Infinity;
  var T1 = -Infinity;

${CHART_RGB}

  function widen(ts) {
    for (var i = 0; i < ts.length; i++) {
      if (ts[i] < T0) T0 = ts[i];
      if (ts[i] > T1) T1 = ts[i];
    }
  }
  widen(data.portfolio.t);
  data.symbols.forEach(function (s) {
    widen(s.line.t);
    widen(s.fills.t);
    if (s.candles) {
      widen(s.candles.t);
      if (s.candles.t.length > 0) widen([s.candles.t[s.candles.t.length - 1] + s.candles.ms]);
    }
  });
  if (T0 === Infinity) {
    T0 = 0;
    T1 = 1;
  }
  if (T1 === T0) T1 = T0 + 1000;

${CHART_AXES_AND_TOOLTIP}

  function zoomAll(min, max) {
    syncing = true;
    plots.forEach(function (p) {
      p.setScale("x", { min: min, max: max });
    });
    syncing = false;
  }

${CHART_INK}

  // c: { height, series, axes, cols, scales, draw (hooks), tip (plugin), colors (for data-ink) }
  function plot(div, c) {
    var scales = c.scales || {};
    scales.x = { time: true };
    var opts = {
      width: width(div),
      height: c.height,
      ms: 1,
      tzDate: function (ts) {
        return uPlot.tzDate(new Date(ts), "Etc/UTC");
      },
      legend: { show: false },
      padding: [10, 24, 0, 0],
      cursor: {
        sync: { key: "grinder" },
        drag: { x: true, y: false },
        bind: {
          dblclick: function () {
            return function () {
              zoomAll(T0, T1);
              return null;
            };
          }
        }
      },
      scales: scales,
      series: [{}].concat(c.series),
      axes: [xAxis()].concat(c.axes),
      hooks: {
        setScale: [
          function (u, key) {
            if (key === "x" && ready && !syncing) zoomAll(u.scales.x.min, u.scales.x.max);
          }
        ],
        draw: (c.draw || []).concat([markDrawn(div, c.colors)])
      },
      plugins: [c.tip]
    };
    var u = new uPlot(opts, c.cols, div);
    plots.push(u);
    return u;
  }

  var noPath = function () {
    return null;
  };

  function drawEquity(div) {
    var p = data.portfolio;
    var c = {
      height: 280,
      series: [{ label: "equity", scale: "money", stroke: rgb(COLORS.equity), width: 1.5 }],
      axes: [yAxis("equity" + Q, "money", 3)],
      cols: [p.t, p.equity],
      colors: { equity: COLORS.equity }
    };
    var labels = [null, "equity"];
    if (p.fees) {
      c.series.push({ label: "fees", scale: "fees", stroke: rgb(COLORS.fees), width: 1.5, dash: [5, 3] });
      c.axes.push(yAxis("fees paid" + Q, "fees", 1));
      c.cols.push(p.fees);
      c.colors.fees = COLORS.fees;
      labels.push("fees");
    }
    if (p.funding) {
      // On the fees' axis (both are money flows beside the trading PnL).
      if (!p.fees) c.axes.push(yAxis("funding" + Q, "fees", 1));
      else c.axes[1].label = "fees paid, funding" + Q;
      c.series.push({ label: "funding", scale: "fees", stroke: rgb(COLORS.funding), width: 1.5, dash: [2, 2] });
      c.cols.push(p.funding);
      c.colors.funding = COLORS.funding;
      labels.push("funding");
    }
    c.tip = tooltip(labels, [0, 8, 8, 8]);
    plot(div, c);
  }

  function drawDrawdown(div) {
    var p = data.portfolio;
    plot(div, {
      height: 200,
      series: [{
        label: "drawdown",
        scale: "dd",
        stroke: rgb(COLORS.drawdown),
        width: 1.5,
        fill: rgb(COLORS.drawdown, 0.15),
        fillTo: 0
      }],
      axes: [yAxis("drawdown (%)", "dd", 3)],
      scales: {
        dd: {
          dir: -1,
          range: function (u, min, max) {
            return [0, Math.max(max || 0, 0.01) * 1.05];
          }
        }
      },
      cols: [p.t, p.dd],
      tip: tooltip([null, "drawdown %"], [0, 4]),
      colors: { drawdown: COLORS.drawdown }
    });
  }

  // USD-M: effective leverage (left axis) and margin use in % (right axis).
  function drawMargin(div) {
    var p = data.portfolio;
    plot(div, {
      height: 200,
      series: [
        { label: "leverage", scale: "lev", stroke: rgb(COLORS.leverage), width: 1.5 },
        { label: "margin use", scale: "use", stroke: rgb(COLORS.marginUse), width: 1.5, dash: [5, 3] }
      ],
      axes: [yAxis("effective leverage (x)", "lev", 3), yAxis("margin use (%)", "use", 1)],
      scales: {
        lev: { range: function (u, min, max) { return [0, Math.max(max || 0, 0.01) * 1.05]; } },
        use: { range: function (u, min, max) { return [0, Math.max(max || 0, 0.01) * 1.05]; } }
      },
      cols: [p.t, p.lev, p.use],
      tip: tooltip([null, "leverage", "margin use %"], [0, 4, 2]),
      colors: { leverage: COLORS.leverage, marginUse: COLORS.marginUse }
    });
  }

  // Candles: wick from low to high, body from open to close, green up, red down.
  function candleHook(s) {
    return function (u) {
      var c = s.candles;
      var ctx = u.ctx;
      var b = u.bbox;
      ctx.save();
      ctx.beginPath();
      ctx.rect(b.left, b.top, b.width, b.height);
      ctx.clip();
      var w = Math.max(1, (u.valToPos(T0 + c.ms, "x", true) - u.valToPos(T0, "x", true)) * 0.7);
      var xmin = u.scales.x.min;
      var xmax = u.scales.x.max;
      for (var i = 0; i < c.t.length; i++) {
        if (c.t[i] + c.ms < xmin || c.t[i] > xmax) continue;
        var up = c.c[i] >= c.o[i];
        var color = rgb(up ? COLORS.up : COLORS.down);
        var x = u.valToPos(c.t[i] + c.ms / 2, "x", true);
        var yo = u.valToPos(c.o[i], "price", true);
        var yc = u.valToPos(c.c[i], "price", true);
        var yh = u.valToPos(c.h[i], "price", true);
        var yl = u.valToPos(c.l[i], "price", true);
        ctx.fillStyle = color;
        ctx.fillRect(Math.round(x - 0.5), Math.min(yh, yl), 1, Math.max(1, Math.abs(yl - yh)));
        ctx.fillRect(Math.round(x - w / 2), Math.min(yo, yc), Math.max(1, Math.round(w)), Math.max(1, Math.abs(yc - yo)));
      }
      ctx.restore();
    };
  }

  // Fill markers: a triangle up at each buy, down at each sell.
  function fillsHook(s) {
    return function (u) {
      var f = s.fills;
      var ctx = u.ctx;
      var b = u.bbox;
      var r = 5 * (window.devicePixelRatio || 1);
      ctx.save();
      ctx.beginPath();
      ctx.rect(b.left, b.top, b.width, b.height);
      ctx.clip();
      for (var k = 0; k < 2; k++) {
        var buy = k === 0;
        ctx.beginPath();
        for (var i = 0; i < f.t.length; i++) {
          if ((f.buy[i] === 1) !== buy || f.p[i] === null || f.liq[i] === 1) continue;
          var x = u.valToPos(f.t[i], "x", true);
          var y = u.valToPos(f.p[i], "price", true);
          if (buy) {
            ctx.moveTo(x, y - r);
            ctx.lineTo(x + r, y + r);
            ctx.lineTo(x - r, y + r);
          } else {
            ctx.moveTo(x, y + r);
            ctx.lineTo(x + r, y - r);
            ctx.lineTo(x - r, y - r);
          }
          ctx.closePath();
        }
        ctx.fillStyle = rgb(buy ? COLORS.up : COLORS.down);
        ctx.strokeStyle = "#ffffff";
        ctx.lineWidth = 1;
        ctx.fill();
        ctx.stroke();
      }
      // Liquidations: a bold cross at the liquidation price.
      ctx.beginPath();
      var q = r * 1.4;
      for (var j = 0; j < f.t.length; j++) {
        if (f.liq[j] !== 1 || f.p[j] === null) continue;
        var lx = u.valToPos(f.t[j], "x", true);
        var ly = u.valToPos(f.p[j], "price", true);
        ctx.moveTo(lx - q, ly - q);
        ctx.lineTo(lx + q, ly + q);
        ctx.moveTo(lx + q, ly - q);
        ctx.lineTo(lx - q, ly + q);
      }
      ctx.strokeStyle = rgb(COLORS.liquidation);
      ctx.lineWidth = 3 * (window.devicePixelRatio || 1);
      ctx.stroke();
      ctx.restore();
    };
  }

  // Tooltip lines for fills within 6 px of the cursor.
  function fillsNear(s) {
    return function (u) {
      var out = [];
      var f = s.fills;
      for (var i = 0; i < f.t.length && out.length < 6; i++) {
        if (Math.abs(u.valToPos(f.t[i], "x") - u.cursor.left) <= 6) {
          out.push((f.liq[i] === 1 ? "LIQUIDATION " : "") + (f.buy[i] === 1 ? "BUY " : "SELL ") + f.q[i] + " @ " + fmt(f.p[i], 10));
        }
      }
      return out;
    };
  }

  // Price range: the series plus the fills in view.
  function priceRange(s) {
    return function (u, min, max) {
      var f = s.fills;
      var xmin = u.scales.x.min == null ? -Infinity : u.scales.x.min;
      var xmax = u.scales.x.max == null ? Infinity : u.scales.x.max;
      for (var i = 0; i < f.t.length; i++) {
        if (f.p[i] === null || f.t[i] < xmin || f.t[i] > xmax) continue;
        if (min === null || f.p[i] < min) min = f.p[i];
        if (max === null || f.p[i] > max) max = f.p[i];
      }
      if (min === null || max === null) return [0, 1];
      var padding = (max - min) * 0.05 || Math.abs(max) * 0.001 || 1;
      return [min - padding, max + padding];
    };
  }

  function drawPrice(div, s) {
    var c = {
      height: 300,
      axes: [yAxis("price" + Q, "price", 3)],
      scales: { price: { range: priceRange(s) } },
      draw: [],
      colors: {}
    };
    var labels;
    var digits;
    if (s.candles) {
      var k = s.candles;
      c.cols = [k.t, k.o, k.h, k.l, k.c];
      c.series = ["open", "high", "low", "close"].map(function (name) {
        return { label: name, scale: "price", paths: noPath, points: { show: false } };
      });
      labels = [null, "open", "high", "low", "close"];
      digits = [0, 10, 10, 10, 10];
      c.draw.push(candleHook(s));
      c.colors = { up: COLORS.up, down: COLORS.down };
    } else {
      c.cols = [s.line.t, s.line.mid];
      c.series = [{ label: "mid", scale: "price", stroke: rgb(COLORS.mid), width: 1.2 }];
      labels = [null, "mid"];
      digits = [0, 10];
      c.colors = { mid: COLORS.mid, buys: COLORS.up, sells: COLORS.down };
    }
    if (s.fills.liq.indexOf(1) >= 0) c.colors.liquidations = COLORS.liquidation;
    c.draw.push(fillsHook(s));
    c.tip = tooltip(labels, digits, fillsNear(s));
    plot(div, c);
  }

  function drawPosition(div, s) {
    plot(div, {
      height: 150,
      series: [{
        label: "position",
        scale: "pos",
        stroke: rgb(COLORS.position),
        width: 1.5,
        fill: rgb(COLORS.position, 0.08),
        fillTo: 0,
        paths: uPlot.paths.stepped({ align: 1 })
      }],
      axes: [yAxis("position (" + s.base + ")", "pos", 3)],
      cols: [s.line.t, s.line.pos],
      tip: tooltip([null, "position"], [0, 10]),
      colors: { position: COLORS.position }
    });
  }

  var charts = document.querySelectorAll(".chart");
  for (var n = 0; n < charts.length; n++) {
    var div = charts[n];
    try {
      var kind = div.getAttribute("data-chart");
      var sym = data.symbols[Number(div.getAttribute("data-symbol-index"))];
      if (kind === "equity") drawEquity(div);
      else if (kind === "drawdown") drawDrawdown(div);
      else if (kind === "margin") drawMargin(div);
      else if (kind === "price") drawPrice(div, sym);
      else if (kind === "position") drawPosition(div, sym);
      else throw new Error("unknown chart " + kind);
    } catch (err) {
      div.setAttribute("data-chart-error", String(err && err.message ? err.message : err));
    }
  }
  ready = true;
  zoomAll(T0, T1);

  window.addEventListener("resize", function () {
    plots.forEach(function (p) {
      p.setSize({ width: width(p.root.parentNode), height: p.height });
    });
  });
  document.body.setAttribute("data-page-width", String(document.documentElement.scrollWidth));
})();
`;
