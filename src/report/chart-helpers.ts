/**
 * Pieces of the pages' inline chart scripts (plain ES2017 source text),
 * spliced into the backtest report's CHART_SCRIPT (chart-script.ts) and the
 * sweep report's SWEEP_CHART_SCRIPT (sweep-chart-script.ts). Each is a run of
 * function declarations meant to sit inside the script's closure.
 */

/** rgb(c, a): a CSS colour of an [r, g, b] triple, with alpha a if given. */
export const CHART_RGB = `  function rgb(c, a) {
    return a === undefined ? "rgb(" + c.join(",") + ")" : "rgba(" + c.join(",") + "," + a + ")";
  }`;

/**
 * pad, utcText (a UTC time stamp), fmt (a number for a tooltip), axisSize,
 * yAxis, timeTicks and xAxis (UTC labels), width (of a chart container), and
 * tooltip(labels, digits, extra): a uPlot plugin showing the time and values
 * under the cursor.
 */
export const CHART_AXES_AND_TOOLTIP = `  function pad(n, w) {
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
  }`;

/**
 * ink(u, c): pixels of colour c in the plot area; markDrawn(div, colors): a
 * draw hook setting data-rendered, data-ink, data-x-min/max on the container
 * and counting drawn charts into <body data-charts-rendered>.
 */
export const CHART_INK = `  // Pixels of colour c (within a tolerance) inside the plot area.
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
  }`;
