import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalJson, float } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import { gridPlanToJson } from "../../domain/grid-plan.js";
import { Snapshot } from "../../domain/snapshot.js";
import { FeatureEngine } from "../features/feature-engine.js";
import {
  AdaptiveGridPolicy,
  type AdaptivePolicyFeatures,
  adaptiveGridConfigToJson,
  computeLevels,
  computeStepBps,
  computeWidthBps,
  type GridSizer,
  makeAdaptiveGridConfig,
} from "./adaptive-grid-policy.js";
import { Regime } from "./regime-classifier.js";

const d = (s: string): Decimal => Decimal.parse(s);
const cfg = makeAdaptiveGridConfig();

/** Features with ts and symbol, as the reference's own tests pass them. */
function feats(p: Partial<AdaptivePolicyFeatures> = {}): AdaptivePolicyFeatures {
  return {
    midPrice: d("50000"),
    spreadBps: 10,
    thinL1: d("1.0"),
    netReturnBps: 50,
    rangeScore: 5,
    warmupBars: 20,
    ts: 1,
    symbol: "BTCUSDT",
    natrBps: 100,
    ...p,
  };
}

function summary(p: ReturnType<AdaptiveGridPolicy["evaluate"]>): unknown[] {
  return [
    p.spacingBps,
    p.levelsUp,
    p.levelsDown,
    p.widthBps,
    p.regime,
    p.resetAction,
    [...p.reasonCodes],
  ];
}

describe("adaptive grid formulas", () => {
  it("step = max(5, 0.30 * natr * regime multiplier)", () => {
    assert.equal(computeStepBps(100, Regime.RANGE, cfg), 30);
    assert.equal(computeStepBps(10, Regime.RANGE, cfg), 5); // 3 -> floor 5
    assert.equal(computeStepBps(100, Regime.VOL_SHOCK, cfg), 45);
    assert.equal(computeStepBps(100, Regime.THIN_BOOK, cfg), 60);
    assert.equal(computeStepBps(100, Regime.TOXIC, cfg), 60);
    assert.equal(computeStepBps(33, Regime.RANGE, cfg), 9); // 9.9 floors to 9
  });

  it("width = clamp(2.0 * natr * sqrt(60), 20, 500) with trend asymmetry", () => {
    // sqrt(60) * 100 = 774.6 -> 774; natr 10: 10 * 774 // 100 = 77; * 2 = 154
    assert.deepEqual(computeWidthBps(10, Regime.RANGE, cfg), [154, 154]);
    assert.deepEqual(computeWidthBps(0, Regime.RANGE, cfg), [20, 20]);
    assert.deepEqual(computeWidthBps(100, Regime.RANGE, cfg), [500, 500]);
    assert.deepEqual(computeWidthBps(10, Regime.TREND_UP, cfg), [200, 154]); // 154 * 1.3 = 200.2
    assert.deepEqual(computeWidthBps(10, Regime.TREND_DOWN, cfg), [154, 200]);
    // horizon 4 bars of 1 minute: sqrt(4) = 2 -> natr 10 gives 40
    assert.deepEqual(
      computeWidthBps(10, Regime.RANGE, makeAdaptiveGridConfig({ horizonMinutes: 4 })),
      [40, 40],
    );
  });

  it("levels = clamp(ceil(width / step), 2, 20)", () => {
    assert.deepEqual(computeLevels(500, 500, 30, cfg), [17, 17]);
    assert.deepEqual(computeLevels(500, 500, 270, cfg), [2, 2]);
    assert.deepEqual(computeLevels(20, 20, 100, cfg), [2, 2]);
    assert.deepEqual(computeLevels(500, 154, 5, cfg), [20, 20]);
    assert.deepEqual(computeLevels(60, 61, 30, cfg), [2, 3]);
  });
});

describe("AdaptiveGridPolicy.evaluate", () => {
  const pol = new AdaptiveGridPolicy();

  it("builds a symmetric RANGE plan", () => {
    const plan = pol.evaluate(feats());
    assert.equal(
      canonicalJson(gridPlanToJson(plan)),
      canonicalJson({
        mode: "BILATERAL",
        center_price: "50000",
        spacing_bps: float(30),
        levels_up: 17,
        levels_down: 17,
        size_schedule: new Array(17).fill("0.01"),
        skew_bps: float(0),
        regime: "RANGE",
        width_bps: float(500),
        reset_action: "NONE",
        reason_codes: ["REGIME_RANGE"],
      }),
    );
  });

  it("flags warm-up and uses the floors at zero NATR", () => {
    assert.deepEqual(summary(pol.evaluate(feats({ natrBps: 0, warmupBars: 3 }))), [
      5,
      4,
      4,
      20,
      "RANGE",
      "NONE",
      ["REGIME_RANGE", "WARMUP_INCOMPLETE"],
    ]);
  });

  it("widens the step in a vol shock and on a thin book", () => {
    assert.deepEqual(summary(pol.evaluate(feats({ natrBps: 600 }))), [
      270,
      2,
      2,
      500,
      "VOL_SHOCK",
      "NONE",
      ["REGIME_VOL_SHOCK"],
    ]);
    assert.deepEqual(summary(pol.evaluate(feats({ thinL1: d("0.05") }))), [
      60,
      9,
      9,
      500,
      "THIN_BOOK",
      "NONE",
      ["REGIME_THIN_BOOK"],
    ]);
  });

  it("makes an asymmetric grid in a trend", () => {
    const wide = new AdaptiveGridPolicy(makeAdaptiveGridConfig({ levelsMax: 100 }));
    // step 15; width 500 capped, trend side 650; avg 575
    const up = wide.evaluate(feats({ natrBps: 50, netReturnBps: 300, rangeScore: 2 }));
    assert.deepEqual(summary(up), [
      15,
      44,
      34,
      575,
      "TREND_UP",
      "NONE",
      ["REGIME_TREND_UP", "ASYMMETRIC_GRID"],
    ]);
    assert.equal(up.sizeSchedule.length, 44);
    const down = wide.evaluate(feats({ natrBps: 50, netReturnBps: -300, rangeScore: 2 }));
    assert.deepEqual(summary(down).slice(0, 5), [15, 34, 44, 575, "TREND_DOWN"]);
  });

  it("pauses on the kill switch or a toxic market", () => {
    const tox = { allowed: false, reason: "SPREAD_SPIKE" };
    assert.deepEqual(summary(pol.evaluate(feats(), { killSwitchActive: true })), [
      5,
      0,
      0,
      0,
      "THIN_BOOK",
      "HARD",
      ["REGIME_EMERGENCY"],
    ]);
    const p = pol.evaluate(feats(), { toxicityResult: tox });
    assert.deepEqual(summary(p), [5, 0, 0, 0, "THIN_BOOK", "HARD", ["REGIME_TOXIC"]]);
    assert.equal(p.sizeSchedule.length, 0);
    assert.deepEqual(
      summary(pol.evaluate(feats(), { toxicityResult: { allowed: true, reason: "PASS" } }))[4],
      "RANGE",
    );
  });

  it("reference default: policy features without ts/symbol stay RANGE", () => {
    const { ts: _ts, symbol: _sym, ...anon } = feats({ natrBps: 600, thinL1: d("0.05") });
    // A thin, shocked market, but the classifier never sees it: RANGE, step 0.3 * 600 = 180.
    assert.deepEqual(summary(pol.evaluate(anon)), [
      180,
      3,
      3,
      500,
      "RANGE",
      "NONE",
      ["REGIME_RANGE"],
    ]);
    // The toxicity gate still pauses it.
    assert.equal(
      pol.evaluate(anon, { toxicityResult: { allowed: false, reason: "SPREAD_SPIKE" } }).levelsUp,
      0,
    );
  });

  it("opt-in: regimeFromPolicyFeatures classifies policy features", () => {
    const fixed = new AdaptiveGridPolicy(
      makeAdaptiveGridConfig({ regimeFromPolicyFeatures: true }),
    );
    const { ts: _ts, symbol: _sym, ...anon } = feats({ natrBps: 600 });
    assert.deepEqual(summary(fixed.evaluate(anon)), [
      270,
      2,
      2,
      500,
      "VOL_SHOCK",
      "NONE",
      ["REGIME_VOL_SHOCK"],
    ]);
    // Straight from the feature engine: 0.05 on the thin side -> THIN_BOOK.
    const fe = new FeatureEngine();
    const fs = fe.processSnapshot(
      new Snapshot({
        ts: 0,
        symbol: "X",
        bidPrice: d("100"),
        askPrice: d("100.02"),
        bidQty: d("0.05"),
        askQty: d("3"),
        lastPrice: d("100"),
        lastQty: d("1"),
      }),
    );
    assert.equal(fixed.evaluate(fs.toPolicyFeatures()).regime, "THIN_BOOK");
    assert.equal(pol.evaluate(fs.toPolicyFeatures()).regime, "RANGE");
  });

  it("sizes from the risk budget when auto-sizing is on", () => {
    // A sizer that spreads 0.16 over the levels, rounded down to 8 places (as AutoSizer does here).
    const calls: unknown[] = [];
    const sizer: GridSizer = {
      compute(inp) {
        calls.push({ ...inp, gridShape: { ...inp.gridShape } });
        const total = inp.equity.mul(inp.ddBudget).div(inp.price.mul(inp.adverseMove));
        const q = total.div(Decimal.fromInt(inp.gridShape.levels)).quantize(8, "ROUND_DOWN");
        return { qtyPerLevel: new Array(inp.gridShape.levels).fill(q) };
      },
    };
    const auto = new AdaptiveGridPolicy(
      makeAdaptiveGridConfig({
        autoSizingEnabled: true,
        equity: d("10000"),
        ddBudget: d("0.2"),
        adverseMove: d("0.25"),
        autoSizer: sizer,
      }),
    );
    const plan = auto.evaluate(feats());
    assert.equal(plan.sizeSchedule.length, 17);
    assert.equal(plan.sizeSchedule[0]?.toString(), "0.00941176");
    assert.equal(calls.length, 1);
    assert.deepEqual((calls[0] as { gridShape: unknown }).gridShape, {
      levels: 17,
      stepBps: 30,
      topK: 0,
    });
    // Missing budget inputs fall back to size_per_level.
    const partial = new AdaptiveGridPolicy(
      makeAdaptiveGridConfig({ autoSizingEnabled: true, equity: d("10000"), autoSizer: sizer }),
    );
    assert.deepEqual(
      partial.evaluate(feats()).sizeSchedule.map(String),
      new Array(17).fill("0.01"),
    );
    assert.throws(() => makeAdaptiveGridConfig({ autoSizingEnabled: true }), ConfigError);
  });

  it("activates when NATR is present and serialises its config", () => {
    assert.equal(pol.shouldActivate(feats()), true);
    assert.equal(pol.shouldActivate({ midPrice: d("1") }), false);
    const j = adaptiveGridConfigToJson(
      makeAdaptiveGridConfig({ equity: d("0"), ddBudget: d("0.2") }),
    ) as Record<string, unknown>;
    assert.equal(j.equity, null);
    assert.equal(j.dd_budget, "0.2");
    assert.equal(j.adverse_move, null);
    assert.equal(j.step_alpha, 30);
    assert.equal(j.size_per_level, "0.01");
    assert.equal(Object.keys(j).length, 18);
  });
});
