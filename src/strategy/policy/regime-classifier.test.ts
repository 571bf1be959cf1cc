import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalJson } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import {
  classifyRegime,
  makeRegimeConfig,
  Regime,
  type RegimeFeatures,
  RegimeReason,
  regimeConfigToJson,
  regimeDecisionToJson,
  type ToxicityVerdict,
} from "./regime-classifier.js";

const d = (s: string): Decimal => Decimal.parse(s);

/** Calm, warmed-up features; each test bends one field. */
function feats(p: Partial<RegimeFeatures> = {}): RegimeFeatures {
  return {
    thinL1: d("1.0"),
    spreadBps: 10,
    natrBps: 100,
    netReturnBps: 50,
    rangeScore: 10,
    warmupBars: 20,
    ...p,
  };
}

const spreadSpike: ToxicityVerdict = {
  allowed: false,
  reason: "SPREAD_SPIKE",
  details: { spread_bps: 80 },
};
const priceImpact: ToxicityVerdict = { allowed: false, reason: "PRICE_IMPACT_HIGH" };

describe("classifyRegime precedence", () => {
  it("kill switch beats everything", () => {
    const r = classifyRegime(feats({ thinL1: d("0"), natrBps: 9999 }), true, spreadSpike);
    assert.equal(r.regime, Regime.EMERGENCY);
    assert.equal(r.reason, RegimeReason.KILL_SWITCH);
    assert.equal(r.confidence, 100);
  });

  it("a blocked toxicity gate is TOXIC, before thin book", () => {
    const a = classifyRegime(feats({ thinL1: d("0") }), false, spreadSpike);
    assert.equal(a.regime, Regime.TOXIC);
    assert.equal(a.reason, RegimeReason.SPREAD_SPIKE);
    assert.equal(
      canonicalJson(regimeDecisionToJson(a)),
      '{"confidence":100,"features_used":{"toxicity_blocked":true,"toxicity_details":{"spread_bps":80},' +
        '"toxicity_reason":"SPREAD_SPIKE"},"reason":"SPREAD_SPIKE","regime":"TOXIC"}',
    );
    assert.equal(classifyRegime(feats(), false, priceImpact).reason, RegimeReason.PRICE_IMPACT);
    // Any other blocking reason maps to SPREAD_SPIKE.
    assert.equal(
      classifyRegime(feats(), false, { allowed: false, reason: "OTHER" }).reason,
      RegimeReason.SPREAD_SPIKE,
    );
    // An allowing verdict does nothing.
    assert.equal(
      classifyRegime(feats(), false, { allowed: true, reason: "PASS" }).regime,
      Regime.RANGE,
    );
  });

  it("no features is RANGE with reason WARMUP", () => {
    const r = classifyRegime(null, false, null);
    assert.deepEqual([r.regime, r.reason, r.confidence], [Regime.RANGE, RegimeReason.WARMUP, 50]);
  });

  it("thin L1 or wide spread is THIN_BOOK, before a vol shock", () => {
    const a = classifyRegime(feats({ thinL1: d("0.09"), natrBps: 900 }), false, null);
    assert.deepEqual(
      [a.regime, a.reason, a.confidence],
      [Regime.THIN_BOOK, RegimeReason.THIN_LIQUIDITY, 90],
    );
    assert.deepEqual(a.featuresUsed, { thin_l1: "0.09", threshold: "0.1" });
    const b = classifyRegime(feats({ spreadBps: 101, natrBps: 900 }), false, null);
    assert.deepEqual([b.regime, b.reason], [Regime.THIN_BOOK, RegimeReason.WIDE_SPREAD]);
  });

  it("thresholds are strict", () => {
    assert.equal(classifyRegime(feats({ thinL1: d("0.1") }), false, null).regime, Regime.RANGE);
    assert.equal(classifyRegime(feats({ spreadBps: 100 }), false, null).regime, Regime.RANGE);
    assert.equal(classifyRegime(feats({ natrBps: 500 }), false, null).regime, Regime.RANGE);
    assert.equal(classifyRegime(feats({ natrBps: 501 }), false, null).regime, Regime.VOL_SHOCK);
    assert.equal(
      classifyRegime(feats({ netReturnBps: 200, rangeScore: 3 }), false, null).regime,
      Regime.RANGE,
    );
    assert.equal(
      classifyRegime(feats({ netReturnBps: 201, rangeScore: 3 }), false, null).regime,
      Regime.TREND_UP,
    );
    assert.equal(
      classifyRegime(feats({ netReturnBps: 201, rangeScore: 4 }), false, null).regime,
      Regime.RANGE,
    );
  });

  it("a vol shock beats a trend; trend direction follows the sign", () => {
    assert.equal(
      classifyRegime(feats({ natrBps: 600, netReturnBps: 300, rangeScore: 1 }), false, null).regime,
      Regime.VOL_SHOCK,
    );
    const down = classifyRegime(feats({ netReturnBps: -300, rangeScore: 1 }), false, null);
    assert.deepEqual(
      [down.regime, down.reason, down.confidence],
      [Regime.TREND_DOWN, RegimeReason.TREND_DETECTED, 75],
    );
  });

  it("RANGE confidence depends on warm-up", () => {
    const warm = classifyRegime(feats(), false, null);
    assert.equal(warm.confidence, 80);
    assert.equal(
      canonicalJson(regimeDecisionToJson(warm)),
      '{"confidence":80,"features_used":{"is_warmed_up":true,"natr_bps":100,"net_return_bps":50,' +
        '"range_score":10,"spread_bps":10,"thin_l1":"1.0"},"reason":"DEFAULT","regime":"RANGE"}',
    );
    assert.equal(classifyRegime(feats({ warmupBars: 14 }), false, null).confidence, 60);
  });

  it("honours a custom config", () => {
    const cfg = makeRegimeConfig({ volShockNatrBps: 50 });
    assert.equal(classifyRegime(feats(), false, null, cfg).regime, Regime.VOL_SHOCK);
    assert.deepEqual(regimeConfigToJson(makeRegimeConfig()), {
      thin_l1_qty: "0.1",
      spread_thin_bps: 100,
      vol_shock_natr_bps: 500,
      trend_net_return_bps: 200,
      trend_range_score_max: 3,
    });
  });
});
