import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "../../core/canonical-json.js";
import { dec } from "../../core/decimal.js";
import { InvalidInputError } from "../../core/errors.js";
import { AdaptiveController } from "./adaptive-controller.js";
import {
  type ControllerDecision,
  controllerDecisionFromJson,
  controllerDecisionToJson,
} from "./controller-types.js";

function feed(c: AdaptiveController, symbol: string, prices: string[], spread = 12.99): void {
  prices.forEach((p, i) => {
    c.record(i, symbol, dec(p), i === 0 ? -0.9 : spread);
  });
}

function brief(d: ControllerDecision): string {
  return `${d.mode}/${d.reason} x${d.spacingMultiplier} vol=${d.volBps} spread=${d.spreadBpsMax} n=${d.windowSize}`;
}

test("no history: TIGHTEN with zero metrics, and the symbol becomes known", () => {
  const c = new AdaptiveController();
  assert.equal(brief(c.decide("NEW")), "TIGHTEN/LOW_VOL x0.8 vol=0 spread=0 n=0");
  assert.deepEqual(c.getAllSymbols(), ["NEW"]);
  assert.equal(
    canonicalJson(controllerDecisionToJson(c.decide("NEW"))),
    '{"mode":"TIGHTEN","reason":"LOW_VOL","spacing_multiplier":0.8,"spread_bps_max":0,"vol_bps":0,"window_size":0}',
  );
});

test("vol in bps is rounded half-even; spreads truncate toward zero", () => {
  const c = new AdaptiveController();
  // 0.01 / 200 = 0.5 bps -> 0 ; 0.03 / 200 = 1.5 -> 2 ; 0.05 / 200 = 2.5 -> 2
  feed(c, "H05", ["200", "200.01"]);
  feed(c, "H15", ["200", "200.03"]);
  feed(c, "H25", ["200", "200.05"]);
  assert.equal(c.decide("H05").volBps, 0);
  assert.equal(c.decide("H15").volBps, 2);
  assert.equal(c.decide("H25").volBps, 2);
  // -0.9 truncates to 0, 12.99 to 12.
  assert.equal(c.decide("H05").spreadBpsMax, 12);
  // 1/3000 + 1/3000... : 3.33.. + 3.33.. + 6.66.. = 13.33 -> 13
  feed(c, "THIRDS", ["3", "3.001", "3", "3.002"]);
  assert.equal(brief(c.decide("THIRDS")), "TIGHTEN/LOW_VOL x0.8 vol=13 spread=12 n=4");
});

test("modes by default thresholds and PAUSE priority", () => {
  const c = new AdaptiveController();
  // 80 + 79.365.. + 60 = 219.37 bps -> BASE
  feed(c, "MID", ["50", "50.4", "50", "50.3"]);
  assert.equal(brief(c.decide("MID")), "BASE/NORMAL x1 vol=219 spread=12 n=4");
  feed(c, "HI", ["10", "10.2", "10", "10.25", "9.9"]);
  assert.equal(brief(c.decide("HI")), "WIDEN/HIGH_VOL x1.5 vol=988 spread=12 n=5");
  c.record(9, "HI", dec("9.9"), 50.99); // 50 is not above 50
  assert.equal(brief(c.decide("HI")), "WIDEN/HIGH_VOL x1.5 vol=988 spread=50 n=6");
  c.record(10, "HI", dec("9.9"), 51.0);
  const d = c.decide("HI");
  assert.equal(brief(d), "PAUSE/WIDE_SPREAD x1 vol=988 spread=51 n=7");
  assert.equal(
    canonicalJson(controllerDecisionToJson(d)),
    '{"mode":"PAUSE","reason":"WIDE_SPREAD","spacing_multiplier":1.0,"spread_bps_max":51,"vol_bps":988,"window_size":7}',
  );
  assert.deepEqual(c.getAllSymbols(), ["MID", "HI"]);
});

test("custom config, window pruning and strict thresholds", () => {
  const c = new AdaptiveController({
    windowSize: 3,
    spreadPauseBps: 20,
    volWidenBps: 100,
    volTightenBps: 10,
    widenMultiplier: 2.25,
    tightenMultiplier: 0.5,
  });
  const steps: [string, number, string][] = [
    ["100", 30, "TIGHTEN/LOW_VOL x0.5 vol=0 spread=0 n=1"],
    ["101", 1, "PAUSE/WIDE_SPREAD x1 vol=100 spread=30 n=2"],
    ["100", 1, "PAUSE/WIDE_SPREAD x1 vol=199 spread=30 n=3"],
    // The spread-30 observation leaves the window of 3.
    ["100", 1, "BASE/NORMAL x1 vol=99 spread=1 n=3"],
    ["100.05", 1, "TIGHTEN/LOW_VOL x0.5 vol=5 spread=1 n=3"],
  ];
  steps.forEach(([p, s, expected], i) => {
    c.record(i, "Z", dec(p), s);
    assert.equal(brief(c.decide("Z")), expected);
  });

  // Equal to a threshold is not beyond it: 20 bps spread, 100 bps vol, 10 bps vol.
  const e = new AdaptiveController({
    windowSize: 2,
    spreadPauseBps: 20,
    volWidenBps: 100,
    volTightenBps: 10,
  });
  e.record(0, "A", dec("100"), 20);
  e.record(1, "A", dec("101"), 20);
  assert.equal(brief(e.decide("A")), "BASE/NORMAL x1 vol=100 spread=20 n=2");
  e.record(0, "B", dec("100"), 0);
  e.record(1, "B", dec("100.1"), 0);
  assert.equal(brief(e.decide("B")), "BASE/NORMAL x1 vol=10 spread=0 n=2");
  e.record(2, "B", dec("100.1"), 21);
  assert.equal(e.decide("B").mode, "PAUSE");
});

test("non-positive previous prices are skipped; reset forgets symbols", () => {
  const c = new AdaptiveController();
  feed(c, "N", ["0", "1", "1.5"]);
  assert.equal(c.decide("N").volBps, 5000);
  c.reset();
  assert.deepEqual(c.getAllSymbols(), []);
  assert.equal(c.decide("N").windowSize, 0);
  assert.throws(() => c.record(0, "N", dec("1"), Number.NaN), InvalidInputError);
});

test("decision JSON round trip", () => {
  const json = {
    mode: "WIDEN",
    reason: "HIGH_VOL",
    spacing_multiplier: 1.5,
    vol_bps: 350,
    spread_bps_max: 10,
    window_size: 5,
  };
  const d = controllerDecisionFromJson(json);
  assert.equal(brief(d), "WIDEN/HIGH_VOL x1.5 vol=350 spread=10 n=5");
  assert.equal(
    canonicalJson(controllerDecisionToJson(d)),
    '{"mode":"WIDEN","reason":"HIGH_VOL","spacing_multiplier":1.5,"spread_bps_max":10,"vol_bps":350,"window_size":5}',
  );
  assert.throws(() => controllerDecisionFromJson({ ...json, mode: "HOLD" }), InvalidInputError);
  assert.throws(() => controllerDecisionFromJson({ ...json, vol_bps: 1.5 }), InvalidInputError);
});
