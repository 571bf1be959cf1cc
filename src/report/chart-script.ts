/**
 * The inline script of the HTML report: reads the embedded JSON and draws
 * every `.chart` container as SVG (equity line, drawdown area, and per symbol
 * the mid price with fill markers over a position step line). A container
 * gets `data-rendered="true"` once drawn (or `data-chart-error` with the
 * message), and `<body>` gets `data-charts-rendered` with the count, which is
 * what tests and users can check. Plain ES2017, no template literals, no
 * external resources.
 */

export const CHART_SCRIPT = `
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var W = 1000;
  var PAD_L = 78;
  var PAD_R = 14;
  var data = JSON.parse(document.getElementById("report-data").textContent);

  function ok(v) {
    return typeof v === "number" && isFinite(v);
  }

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }

  function extent(arrays) {
    var lo = Infinity;
    var hi = -Infinity;
    arrays.forEach(function (a) {
      for (var i = 0; i < a.length; i++) {
        var v = a[i];
        if (ok(v)) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
    });
    if (lo === Infinity) return [0, 1];
    if (lo === hi) {
      var pad = Math.abs(lo) * 0.01 || 1;
      return [lo - pad, hi + pad];
    }
    var m = (hi - lo) * 0.05;
    return [lo - m, hi + m];
  }

  function niceTicks(lo, hi, count) {
    var raw = (hi - lo) / count;
    var step = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
    var err = raw / step;
    if (err >= 7.5) step *= 10;
    else if (err >= 3.5) step *= 5;
    else if (err >= 1.5) step *= 2;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(v);
    return { ticks: out, step: step };
  }

  function fmtNum(v, step) {
    var digits = Math.max(0, Math.min(8, -Math.floor(Math.log(step) / Math.LN10)));
    var s = Math.abs(v) < step * 1e-6 ? 0 : v;
    return s.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function fmtTime(t, span) {
    var s = new Date(t).toISOString();
    if (span > 3 * 86400000) return s.slice(5, 10);
    if (span > 86400000) return s.slice(5, 16).replace("T", " ");
    return s.slice(11, 19);
  }

  function scale(d0, d1, r0, r1) {
    var k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
    return function (v) {
      return r0 + (v - d0) * k;
    };
  }

  function path(ts, vs, x, y, step) {
    var d = "";
    for (var i = 0; i < ts.length; i++) {
      if (!ok(vs[i])) continue;
      var px = x(ts[i]).toFixed(1);
      var py = y(vs[i]).toFixed(1);
      if (d === "") d = "M" + px + " " + py;
      else if (step) d += "H" + px + "V" + py;
      else d += "L" + px + " " + py;
    }
    return d;
  }

  // Shared time axis so every chart lines up.
  var t0 = Infinity;
  var t1 = -Infinity;
  function widen(ts) {
    if (ts.length > 0) {
      t0 = Math.min(t0, ts[0]);
      t1 = Math.max(t1, ts[ts.length - 1]);
    }
  }
  widen(data.portfolio.t);
  data.symbols.forEach(function (s) {
    widen(s.t);
    widen(s.fills.t);
  });
  if (t0 === Infinity) {
    t0 = 0;
    t1 = 1;
  }
  var span = t1 - t0;
  var x = scale(t0, t1, PAD_L, W - PAD_R);

  // One panel: frame, grid, y ticks; returns its y scale.
  function panel(svg, top, height, domain, label, timeLabels) {
    var y = scale(domain[0], domain[1], top + height, top);
    var g = el("g", { class: "axis" }, svg);
    var yt = niceTicks(domain[0], domain[1], Math.max(3, Math.round(height / 45)));
    yt.ticks.forEach(function (v) {
      var py = y(v).toFixed(1);
      el("line", { x1: PAD_L, x2: W - PAD_R, y1: py, y2: py, class: "grid" }, g);
      el("text", { x: PAD_L - 6, y: py, dy: "0.32em", "text-anchor": "end" }, g).textContent =
        fmtNum(v, yt.step);
    });
    var xt = niceTicks(t0, t1, 8);
    xt.ticks.forEach(function (t) {
      var px = x(t).toFixed(1);
      el("line", { x1: px, x2: px, y1: top, y2: top + height, class: "grid" }, g);
      if (timeLabels) {
        el("text", { x: px, y: top + height + 16, "text-anchor": "middle" }, g).textContent =
          fmtTime(t, span);
      }
    });
    el("rect", { x: PAD_L, y: top, width: W - PAD_L - PAD_R, height: height, class: "frame" }, g);
    el("text", { x: PAD_L + 6, y: top + 14, class: "label" }, g).textContent = label;
    return y;
  }

  function newSvg(div, height) {
    return el("svg", { viewBox: "0 0 " + W + " " + height, width: "100%", role: "img" }, div);
  }

  // Hover readout: the nearest point of the first series of the chart.
  function hover(svg, ts, read) {
    var cross = el("line", { class: "cross", y1: 0, y2: svg.viewBox.baseVal.height, visibility: "hidden" }, svg);
    var tip = el("text", { class: "tip", x: PAD_L + 6, y: svg.viewBox.baseVal.height - 4 }, svg);
    svg.addEventListener("mousemove", function (ev) {
      var m = svg.getScreenCTM();
      if (!m || ts.length === 0) return;
      var px = (ev.clientX - m.e) / m.a;
      var t = t0 + ((px - PAD_L) / (W - PAD_L - PAD_R)) * span;
      var lo = 0;
      var hi = ts.length - 1;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (ts[mid] < t) lo = mid + 1;
        else hi = mid;
      }
      if (lo > 0 && t - ts[lo - 1] < ts[lo] - t) lo--;
      var cx = x(ts[lo]).toFixed(1);
      cross.setAttribute("x1", cx);
      cross.setAttribute("x2", cx);
      cross.setAttribute("visibility", "visible");
      tip.textContent = new Date(ts[lo]).toISOString().replace("T", " ").slice(0, 23) + "  " + read(lo);
    });
    svg.addEventListener("mouseleave", function () {
      cross.setAttribute("visibility", "hidden");
      tip.textContent = "";
    });
  }

  function drawEquity(div) {
    var p = data.portfolio;
    var svg = newSvg(div, 280);
    var y = panel(svg, 10, 240, extent([p.equity]), "equity", true);
    el("path", { d: path(p.t, p.equity, x, y, false), class: "line equity" }, svg);
    hover(svg, p.t, function (i) {
      return "equity " + p.equity[i];
    });
  }

  function drawDrawdown(div) {
    var p = data.portfolio;
    var neg = p.dd.map(function (v) {
      return ok(v) ? -v : null;
    });
    var dom = extent([neg, [0]]);
    var svg = newSvg(div, 200);
    var y = panel(svg, 10, 160, [dom[0], Math.max(0, dom[1])], "drawdown %", true);
    var line = path(p.t, neg, x, y, false);
    if (line !== "") {
      var base = y(0).toFixed(1);
      var area =
        line + "L" + x(p.t[p.t.length - 1]).toFixed(1) + " " + base + "L" + x(p.t[0]).toFixed(1) + " " + base + "Z";
      el("path", { d: area, class: "area drawdown" }, svg);
      el("path", { d: line, class: "line drawdown" }, svg);
    }
    hover(svg, p.t, function (i) {
      return "drawdown " + p.dd[i] + " %";
    });
  }

  function marker(px, py, up) {
    var s = 5;
    return up
      ? "M" + px + " " + (py - s) + "L" + (px + s) + " " + (py + s) + "L" + (px - s) + " " + (py + s) + "Z"
      : "M" + px + " " + (py + s) + "L" + (px + s) + " " + (py - s) + "L" + (px - s) + " " + (py - s) + "Z";
  }

  function drawSymbol(div, s) {
    var svg = newSvg(div, 380);
    var y = panel(svg, 10, 230, extent([s.mid, s.fills.p]), s.symbol + " mid, fills", false);
    el("path", { d: path(s.t, s.mid, x, y, false), class: "line mid" }, svg);
    var buys = "";
    var sells = "";
    for (var i = 0; i < s.fills.t.length; i++) {
      if (!ok(s.fills.p[i])) continue;
      var px = Math.round(x(s.fills.t[i]) * 10) / 10;
      var py = Math.round(y(s.fills.p[i]) * 10) / 10;
      if (s.fills.buy[i]) buys += marker(px, py, true);
      else sells += marker(px, py, false);
    }
    if (buys !== "") el("path", { d: buys, class: "fill buy" }, svg);
    if (sells !== "") el("path", { d: sells, class: "fill sell" }, svg);
    var yp = panel(svg, 255, 100, extent([s.pos, [0]]), "position", true);
    var zero = yp(0).toFixed(1);
    el("line", { x1: PAD_L, x2: W - PAD_R, y1: zero, y2: zero, class: "zero" }, svg);
    el("path", { d: path(s.t, s.pos, x, yp, true), class: "line position" }, svg);
    hover(svg, s.t, function (i) {
      return "mid " + s.mid[i] + "  position " + s.pos[i];
    });
  }

  var drawn = 0;
  var charts = document.querySelectorAll(".chart");
  for (var c = 0; c < charts.length; c++) {
    var div = charts[c];
    try {
      var kind = div.getAttribute("data-chart");
      if (kind === "equity") drawEquity(div);
      else if (kind === "drawdown") drawDrawdown(div);
      else if (kind === "symbol") drawSymbol(div, data.symbols[Number(div.getAttribute("data-symbol-index"))]);
      else throw new Error("unknown chart " + kind);
      div.setAttribute("data-rendered", "true");
      drawn++;
    } catch (err) {
      div.setAttribute("data-chart-error", String(err && err.message ? err.message : err));
    }
  }
  document.body.setAttribute("data-charts-rendered", String(drawn));
})();
`;
