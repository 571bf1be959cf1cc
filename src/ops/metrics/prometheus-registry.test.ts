import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  escapeHelp,
  escapeLabelValue,
  formatSampleValue,
  MetricsRegistry,
} from "./prometheus-registry.js";

describe("MetricsRegistry exposition", () => {
  it("renders HELP, TYPE and sorted samples, every line ending in a newline", () => {
    const r = new MetricsRegistry();
    const up = r.gauge({ name: "app_up", help: "Up", initial: 1 });
    const req = r.counter({
      name: "app_requests_total",
      help: "Requests",
      labelNames: ["path", "code"],
    });
    req.inc({ path: "/b", code: "200" });
    req.inc({ path: "/a", code: "500" }, 2);
    req.inc({ path: "/a", code: "200" });
    req.inc({ path: "/b", code: "200" });
    up.set(0.5);
    assert.equal(
      r.render(),
      [
        "# HELP app_up Up",
        "# TYPE app_up gauge",
        "app_up 0.5",
        "# HELP app_requests_total Requests",
        "# TYPE app_requests_total counter",
        'app_requests_total{path="/a",code="200"} 1',
        'app_requests_total{path="/a",code="500"} 2',
        'app_requests_total{path="/b",code="200"} 2',
        "",
      ].join("\n"),
    );
  });

  it("orders enum-like label values by the declared order, others by code point after them", () => {
    const r = new MetricsRegistry();
    const g = r.gauge({
      name: "cb_state",
      help: "h",
      labelNames: ["op", "state"],
      valueOrder: { state: ["closed", "open", "half_open"] },
    });
    for (const s of ["half_open", "zzz", "open", "closed", "aaa"])
      g.set(1, { op: "place", state: s });
    g.set(0, { op: "cancel", state: "open" });
    const states = r
      .render()
      .split("\n")
      .filter((l) => l.startsWith("cb_state{"))
      .map((l) => l.replace(/ .*$/, ""));
    assert.deepEqual(states, [
      'cb_state{op="cancel",state="open"}',
      'cb_state{op="place",state="closed"}',
      'cb_state{op="place",state="open"}',
      'cb_state{op="place",state="half_open"}',
      'cb_state{op="place",state="aaa"}',
      'cb_state{op="place",state="zzz"}',
    ]);
  });

  it("shows placeholders only while a labelled metric has no sample", () => {
    const r = new MetricsRegistry();
    const c = r.counter({
      name: "x_total",
      help: "h",
      labelNames: ["op"],
      placeholders: [{ op: "none" }],
    });
    const bare = r.counter({ name: "y_total", help: "h", labelNames: ["op"] });
    assert.match(
      r.render(),
      /\nx_total\{op="none"\} 0\n# HELP y_total h\n# TYPE y_total counter\n$/,
    );
    c.inc({ op: "place" });
    bare.inc({ op: "cancel" }, 3);
    const text = r.render();
    assert.ok(!text.includes('op="none"'));
    assert.ok(text.includes('x_total{op="place"} 1\n'));
    assert.ok(text.includes('y_total{op="cancel"} 3\n'));
    c.reset();
    assert.ok(r.render().includes('x_total{op="none"} 0\n'));
  });

  it("escapes label values and help text", () => {
    assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
    assert.equal(escapeHelp('say "hi"\\\nbye'), 'say "hi"\\\\\\nbye');
    const r = new MetricsRegistry();
    r.gauge({ name: "g", help: "line1\nline2", labelNames: ["v"] }).set(1, { v: 'q"\n' });
    assert.equal(r.render(), '# HELP g line1\\nline2\n# TYPE g gauge\ng{v="q\\"\\n"} 1\n');
  });

  it("formats values: fixed decimals half-even, special floats per the format", () => {
    assert.equal(formatSampleValue(0.125, 2), "0.12");
    assert.equal(formatSampleValue(3, 2), "3.00");
    assert.equal(formatSampleValue(3), "3");
    assert.equal(formatSampleValue(-0), "0");
    assert.equal(formatSampleValue(Number.NaN, 2), "NaN");
    assert.equal(formatSampleValue(Number.POSITIVE_INFINITY), "+Inf");
    assert.equal(formatSampleValue(Number.NEGATIVE_INFINITY), "-Inf");
  });

  it("runs collectors before rendering", () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: "mirror_total", help: "h" });
    let source = 4;
    r.addCollector(() => c.setTotal({}, source));
    assert.ok(r.render().includes("mirror_total 4\n"));
    source = 9;
    assert.ok(r.render().includes("mirror_total 9\n"));
    source = 1; // the source restarted: a counter reset
    assert.ok(r.render().includes("mirror_total 1\n"));
  });
});

describe("MetricsRegistry validation", () => {
  it("rejects bad names, duplicate metrics and forbidden labels", () => {
    const r = new MetricsRegistry({ forbiddenLabelNames: ["symbol"] });
    assert.throws(() => r.gauge({ name: "9bad", help: "h" }), /invalid metric name/);
    assert.throws(() => r.gauge({ name: "ok", help: "h", labelNames: ["__x"] }), /invalid label/);
    assert.throws(() => r.gauge({ name: "ok", help: "h", labelNames: ["a", "a"] }), /duplicate/);
    assert.throws(
      () => r.gauge({ name: "ok", help: "h", labelNames: ["symbol"] }),
      /forbidden label "symbol"/,
    );
    r.gauge({ name: "ok", help: "h" });
    assert.throws(() => r.counter({ name: "ok", help: "h" }), /already registered/);
  });

  it("requires exactly the declared labels and refuses to decrease a counter", () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: "c_total", help: "h", labelNames: ["gate"] });
    assert.throws(() => c.inc({}), /needs label "gate"/);
    assert.throws(() => c.inc({ gate: "a", other: "b" }), /has no label "other"/);
    assert.throws(() => c.inc({ gate: "a" }, -1), /can only grow/);
    assert.throws(() => c.setTotal({ gate: "a" }, -1), />= 0/);
    c.inc({ gate: "a" }, 2);
    assert.equal(c.get({ gate: "a" }), 2);
    assert.equal(c.get({ gate: "b" }), 0);
  });
});
