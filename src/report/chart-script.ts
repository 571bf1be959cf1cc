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

  function rgb(c, a) {
    return a === undefined ? "rgb(" + c.join(",") + ")" : "rgba(" + c.join(",") + "," + a + ")";
  }

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

  function pad(n, w) {
    var s = String(n);
    while (s.length < w) s = "0" + s;
    return s;
  }

  function utcText(ms) {
    var d = new Date(ms);
    return (
      d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCDate(), 2) + " " +
      pad(d.getUTCHours(), 2) + ":" + pad(d.getUTCMinutes(), 2) + ":" + pad(d.getUTCSeconds(), 2) +
      "." + pad(d.getUTCMilliseconds(), 3) + " UTC"
    );
  }

  function fmt(v, digits) {
    if (v === null || v === undefined) return "-";
    return v.toLocaleString("en-US", { maximumFractionDigits: digits });
  }

  function axisSize(u, values, axisIdx, cycleNum) {
    var axis = u.axes[axisIdx];
    if (cycleNum > 1) return axis._size;
    var size = axis.ticks.size + axis.gap;
    var longest = "";
    (values || []).forEach(function (v) {
      if (String(v).length > longest.length) longest = String(v);
    });
    if (longest !== "") {
      u.ctx.font = axis.font[0];
      size += u.ctx.measureText(longest).width / (window.devicePixelRatio || 1);
    }
    return Math.ceil(size);
  }

  function yAxis(label, scale, side) {
    return {
      scale: scale,
      side: side,
      label: label,
      labelSize: 18,
      size: axisSize,
      grid: { show: side !== 1, stroke: "#eef2f7" },
      ticks: { stroke: "#cbd5e1" }
    };
  }

  // Tick labels in UTC, as precise as the tick step needs: 2026-01-03, 01-03 14:00, 14:05:30.
  function timeTicks(u, splits, axisIdx, space, incr) {
    return splits.map(function (t) {
      var s = new Date(t).toISOString();
      if (incr >= 86400000) return s.slice(0, 10);
      if (incr >= 60000) return s.slice(5, 10) + " " + s.slice(11, 16);
      if (incr >= 1000) return s.slice(11, 19);
      return s.slice(11, 23);
    });
  }

  function xAxis() {
    return {
      label: "time (UTC)",
      labelSize: 18,
      space: 90,
      values: timeTicks,
      grid: { stroke: "#eef2f7" },
      ticks: { stroke: "#cbd5e1" }
    };
  }

  function width(div) {
    return Math.max(280, div.clientWidth - 2);
  }

  // Tooltip: the time and the values under the cursor (extra(u, idx) adds lines).
  function tooltip(labels, digits, extra) {
    var tip = null;
    return {
      hooks: {
        init: function (u) {
          tip = document.createElement("div");
          tip.className = "chart-tip";
          tip.style.display = "none";
          u.over.appendChild(tip);
        },
        setCursor: function (u) {
          var i = u.cursor.idx;
          if (i === null || i === undefined || u.cursor.left < 0) {
            tip.style.display = "none";
            return;
          }
          var rows = [utcText(u.data[0][i])];
          for (var s = 1; s < u.series.length; s++) {
            var v = u.data[s][i];
            if (labels[s] && v !== null && v !== undefined) rows.push(labels[s] + ": " + fmt(v, digits[s]));
          }
          if (extra) rows = rows.concat(extra(u, i));
          tip.textContent = "";
          rows.forEach(function (r, k) {
            var line = document.createElement("div");
            line.textContent = r;
            if (k === 0) line.className = "t";
            tip.appendChild(line);
          });
          tip.style.display = "block";
          var x = u.cursor.left + 14;
          var y = u.cursor.top + 14;
          if (x + tip.offsetWidth > u.over.clientWidth) x = Math.max(0, u.cursor.left - tip.offsetWidth - 14);
          if (y + tip.offsetHeight > u.over.clientHeight) y = Math.max(0, u.cursor.top - tip.offsetHeight - 14);
          tip.style.left = x + "px";
          tip.style.top = y + "px";
        }
      }
    };
  }

  function zoomAll(min, max) {
    syncing = true;
    plots.forEach(function (p) {
      p.setScale("x", { min: min, max: max });
    });
    syncing = false;
  }

  // Pixels of colour c (within a tolerance) inside the plot area.
  function ink(u, c) {
    var b = u.bbox;
    if (b.width < 1 || b.height < 1) return 0;
    var px = u.ctx.getImageData(Math.round(b.left), Math.round(b.top), Math.round(b.width), Math.round(b.height)).data;
    var n = 0;
    for (var i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 200 && Math.abs(px[i] - c[0]) + Math.abs(px[i + 1] - c[1]) + Math.abs(px[i + 2] - c[2]) < 60) n++;
    }
    return n;
  }

  var drawn = 0;
  function markDrawn(div, colors) {
    return function (u) {
      var counts = {};
      for (var k in colors) counts[k] = ink(u, colors[k]);
      div.setAttribute("data-ink", JSON.stringify(counts));
      div.setAttribute("data-x-min", String(u.scales.x.min));
      div.setAttribute("data-x-max", String(u.scales.x.max));
      if (div.getAttribute("data-rendered") !== "true") {
        div.setAttribute("data-rendered", "true");
        drawn++;
        document.body.setAttribute("data-charts-rendered", String(drawn));
      }
    };
  }

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
